//! `spotsim describe`.

use crate::engine::Engine;
use crate::error::InputError;
use crate::report::json;
use crate::sagemaker::describe::DescribeTrainingJob;
use crate::sagemaker::sdk_log;
use crate::scenario::Scenario;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

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
    /// Scenario file (TOML). Without it, the embedded default scenario.
    pub scenario: Option<PathBuf>,
    /// The trial to show: the same trial K that `simulate` runs as trial K.
    #[arg(long, default_value_t = 0)]
    pub trial: u64,
    /// Seed (default: the scenario's `[simulation] seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DescribeFormat::Json)]
    pub format: DescribeFormat,
    /// A CreateTrainingJob request body (JSON) for the job; the scenario gives the rest.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,
}

/// Loads the scenario (or the embedded default) with an optional CreateTrainingJob request;
/// prints its warnings to stderr.
pub(super) fn load_scenario_with_request(
    scenario: Option<&PathBuf>,
    request: Option<&PathBuf>,
) -> Result<Scenario, InputError> {
    let Some(request) = request else {
        return super::load_scenario(scenario);
    };
    let scenario = Scenario::load_with_request(scenario.map(|p| p.as_path()), Some(request))?;
    for warning in &scenario.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(scenario)
}

pub(super) fn run(args: DescribeArgs) -> anyhow::Result<()> {
    let scenario = load_scenario_with_request(args.scenario.as_ref(), args.request.as_ref())?;
    let engine = Engine::new(&scenario).with_seed(args.seed.unwrap_or(scenario.simulation.seed));
    let (outcome, timeline) = engine.run_with_timeline(args.trial);
    // One job, or two when spot-then-on-demand fell back after MaxWait: then a JSON array of
    // both descriptions (each a DescribeTrainingJobResponse), or both SDK logs in turn.
    let jobs = DescribeTrainingJob::for_trial(&scenario, args.trial, &outcome, &timeline);
    let text = match args.format {
        DescribeFormat::Json => match jobs.as_slice() {
            [(_, only)] => json(only),
            _ => json(&jobs.iter().map(|(_, d)| d).collect::<Vec<_>>()),
        },
        DescribeFormat::SdkLog => jobs
            .iter()
            .map(|(record, describe)| sdk_log::render(&scenario, record, describe))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    print!("{text}");
    Ok(())
}
