//! `spotsim describe`.

use crate::engine::Engine;
use crate::report::json;
use crate::sagemaker::describe::DescribeTrainingJob;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// Scenario file (TOML). Without it, the embedded default scenario.
    pub scenario: Option<PathBuf>,
    /// The trial to show: the same trial K that `simulate` runs as trial K.
    #[arg(long, default_value_t = 0)]
    pub trial: u64,
    /// Seed (default: the scenario's `[simulation] seed`).
    #[arg(long)]
    pub seed: Option<u64>,
}

pub(super) fn run(args: DescribeArgs) -> anyhow::Result<()> {
    let scenario = super::load_scenario(args.scenario.as_ref())?;
    let engine = Engine::new(&scenario).with_seed(args.seed.unwrap_or(scenario.simulation.seed));
    let (outcome, timeline) = engine.run_with_timeline(args.trial);
    print!(
        "{}",
        json(&DescribeTrainingJob::new(
            &scenario, args.trial, &outcome, &timeline
        ))
    );
    Ok(())
}
