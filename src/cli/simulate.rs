//! `spotsim simulate`.

use crate::error::InputError;
use crate::montecarlo::{RunOptions, simulate};
use crate::report::{Format, render_summary, write_summary_files};
use crate::scenario::MAX_TRIALS;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Scenario file (TOML). Without it, the embedded default scenario.
    pub scenario: Option<PathBuf>,
    /// Number of trials (default: the scenario's `[simulation] trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Seed (default: the scenario's `[simulation] seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write summary.json, summary.csv and summary.md into this folder.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

pub(super) fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let scenario = super::load_scenario(args.scenario.as_ref())?;
    let mut options = RunOptions::from_scenario(&scenario);
    if let Some(trials) = args.trials {
        if !(1..=MAX_TRIALS).contains(&trials) {
            return Err(InputError::new(
                "command line",
                format!("expected between 1 and {MAX_TRIALS} trials, got {trials}"),
            )
            .at_key("--trials")
            .into());
        }
        options.trials = trials;
    }
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    options.threads = args.threads.map(usize::from);
    let summary = simulate(&scenario, &options);
    if let Some(folder) = &args.output {
        write_summary_files(&summary, folder)
            .with_context(|| format!("could not write the report into '{}'", folder.display()))?;
    }
    print!("{}", render_summary(&summary, args.format));
    Ok(())
}
