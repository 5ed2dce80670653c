//! The command line: clap definitions, one file per subcommand.

mod describe;
mod fit;
mod merge;
mod plan;
mod progress;
mod simulate;
mod validate;

use crate::error::InputError;
use crate::scenario::Scenario;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// spotsim: a simulator and cost planner for SageMaker Managed Spot Training.
#[derive(Debug, Parser)]
#[command(name = "spotsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Monte Carlo summary of a scenario (no SCENARIO = the embedded default).
    Simulate(simulate::SimulateArgs),
    /// One trial's lifecycle as a DescribeTrainingJob JSON document.
    Describe(describe::DescribeArgs),
    /// Check a scenario and print it fully resolved.
    Validate(validate::ValidateArgs),
    /// Recommend MaxWaitTimeInSeconds for a completion target; the cost/risk curve over MaxWait.
    Plan(plan::PlanArgs),
    /// Merge the partial results of all shards into the single-run summary.
    Merge(merge::MergeArgs),
    /// Fit uptime and downtime distributions (exponential, Weibull) to an availability trace.
    Fit(fit::FitArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Simulate(args) => simulate::run(args),
        Command::Describe(args) => describe::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Fit(args) => fit::run(args),
    }
}

/// Loads the scenario at `path`, or the embedded default; prints its warnings to stderr.
pub(crate) fn load_scenario(path: Option<&PathBuf>) -> Result<Scenario, InputError> {
    let scenario = match path {
        Some(path) => Scenario::load(path)?,
        None => Scenario::embedded_default(),
    };
    for warning in &scenario.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(scenario)
}

/// Exit status for an error: 2 for invalid input, 1 otherwise.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error
        .chain()
        .any(|cause| cause.downcast_ref::<InputError>().is_some())
    {
        2
    } else {
        1
    }
}
