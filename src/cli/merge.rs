//! `spotsim merge`: all partials of a sharded run → exactly the single-run summary.

use crate::montecarlo::{RunInfo, SimulationSummary, merge_partials, read_partial};
use crate::report::{Format, render_summary, write_summary_files};
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial files of every shard (any order).
    #[arg(required = true)]
    pub partials: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write summary.json, summary.csv and summary.md into this folder.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

pub(super) fn run(args: MergeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut partials = Vec::with_capacity(args.partials.len());
    for path in &args.partials {
        partials.push((path.display().to_string(), read_partial(path)?));
    }
    let merged = merge_partials(&partials)?;
    let run = RunInfo::measured(started, 1, merged.aggregate.trials);
    let mut summary = SimulationSummary::from_parts(
        &merged.scenario,
        merged.seed,
        merged.on_demand_cost_usd,
        &merged.aggregate,
        run,
    );
    summary.market = merged.market.clone();
    if let Some(folder) = &args.output {
        // Never overwrite an input: the partials must not be among the files about to be written.
        for name in ["summary.json", "summary.csv", "summary.md"] {
            let target = folder.join(name);
            let target = target.canonicalize().unwrap_or(target);
            if let Some(input) = args
                .partials
                .iter()
                .find(|p| p.canonicalize().is_ok_and(|p| p == target))
            {
                return Err(crate::error::InputError::new(
                    input.display().to_string(),
                    format!("merge would overwrite this input with its {name}: choose another --output folder"),
                )
                .at_key("--output")
                .into());
            }
        }
        write_summary_files(&summary, folder)
            .with_context(|| format!("could not write the report into '{}'", folder.display()))?;
    }
    print!("{}", render_summary(&summary, args.format));
    Ok(())
}
