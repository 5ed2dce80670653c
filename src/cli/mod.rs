//! The command line: clap definitions, one file per subcommand.

mod bench;
mod describe;
mod fit;
pub mod input;
pub mod interrupt;
mod merge;
mod plan;
mod progress;
mod simulate;
mod validate;

use crate::error::InputError;
use crate::scenario::Scenario;
use clap::{Parser, Subcommand};

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
    /// Run a policy regression suite; compare with a baseline (exit 1 on a regression).
    Bench(bench::BenchArgs),
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
        Command::Bench(args) => bench::run(args),
    }
}

/// Refuses (exit 2) a run estimated to take more than an hour unless `--yes` was given.
pub(crate) fn confirm_long_run(
    scenario: &Scenario,
    trials: u64,
    threads: Option<usize>,
    yes: bool,
) -> Result<(), InputError> {
    let threads = threads.unwrap_or_else(rayon::current_num_threads);
    let estimate = crate::montecarlo::estimated_run_seconds(scenario, trials, threads);
    if estimate > crate::montecarlo::LONG_RUN_SECONDS && !yes {
        return Err(InputError::new(
            "command line",
            format!(
                "this run may take about {:.1} hours ({trials} trials of \"{}\" on {threads} threads); pass --yes to run it anyway, or use fewer trials or --precision",
                estimate / 3600.0,
                scenario.name
            ),
        )
        .at_key("--trials"));
    }
    Ok(())
}

/// Exit status for an error: 2 for invalid input, 130 for a run interrupted by SIGINT, 1
/// otherwise.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error
        .chain()
        .any(|cause| cause.downcast_ref::<interrupt::Interrupted>().is_some())
    {
        return 130;
    }
    if error
        .chain()
        .any(|cause| cause.downcast_ref::<InputError>().is_some())
    {
        2
    } else {
        1
    }
}
