//! `spotsim describe`.

use crate::engine::{Engine, Simulator};
use crate::error::InputError;
use crate::report::describe::DescribeTrainingJob;
use crate::report::json;
use crate::report::sdk_log;
use clap::{Args, ValueEnum};

/// What `describe` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DescribeFormat {
    /// The DescribeTrainingJob response (JSON, AWS field names).
    Json,
    /// The status lines and closing figures the SageMaker Python SDK prints while it waits.
    SdkLog,
}

/// Arguments of `describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The scenario and the job's source.
    #[command(flatten)]
    pub input: super::input::ScenarioInput,
    /// The trial to show: the same trial K that `simulate` runs as trial K.
    #[arg(long, default_value_t = 0, value_parser = super::input::parse_trial_index)]
    pub trial: u64,
    /// Seed (default: the scenario's `[simulation] seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DescribeFormat::Json)]
    pub format: DescribeFormat,
}

pub(super) fn run(args: DescribeArgs) -> anyhow::Result<()> {
    let scenario = args.input.load()?;
    let engine = Engine::new(&scenario).with_seed(args.seed.unwrap_or(scenario.simulation.seed));
    let (outcome, timeline) = crate::engine::timeline::record(&engine, args.trial)
        .map_err(|e| InputError::new(args.input.label(), e.to_string()).at_key("[market]"))?;
    // One job, or two when spot-then-on-demand fell back after MaxWait: then a JSON array of
    // both descriptions (each a DescribeTrainingJobResponse), or both SDK logs in turn.
    let jobs = DescribeTrainingJob::for_trial(&scenario, args.trial, &outcome, &timeline);
    super::print(match args.format {
        DescribeFormat::Json => match jobs.as_slice() {
            [(_, only)] => json(only),
            _ => json(&jobs.iter().map(|(_, d)| d).collect::<Vec<_>>()),
        },
        DescribeFormat::SdkLog => jobs
            .iter()
            .map(|(record, describe)| sdk_log::render(&scenario, record, describe))
            .collect::<Vec<_>>()
            .join("\n"),
    })
}
