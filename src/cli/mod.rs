//! The command line: clap definitions, one file per subcommand.

mod args;
mod backtest;
mod bench;
mod calibrate;
pub mod color;
mod compare;
mod completions;
mod describe;
mod fit;
pub mod input;
pub mod interrupt;
mod man;
mod merge;
mod plan;
mod progress;
mod simulate;
mod stdout;
mod validate;

pub(crate) use stdout::print;
pub use stdout::{BROKEN_PIPE_EXIT, is_broken_pipe};

use crate::error::InputError;
use crate::files::output::{OutputFile, ReportFolder};
use crate::scenario::Scenario;
use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::Path;

/// spotsim: a simulator and cost planner for SageMaker Managed Spot Training.
#[derive(Debug, Parser)]
#[command(name = "spotsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// When to colour the output: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = color::ColorChoice::Auto)]
    pub color: color::ColorChoice,
}

/// Parses the process's command line; clap's own help and errors follow `--color` too.
pub fn parse() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let matches = Cli::command()
        .color(color::clap_choice(&args))
        .get_matches_from(args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
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
    /// The same job under several scenarios side by side, on common random numbers.
    Compare(compare::CompareArgs),
    /// Run a policy regression suite; compare with a baseline (exit 1 on a regression).
    Bench(bench::BenchArgs),
    /// Fit uptime and downtime distributions (exponential, Weibull) to an availability trace.
    Fit(fit::FitArgs),
    /// Fit a market from DescribeTrainingJob documents of past jobs.
    Calibrate(calibrate::CalibrateArgs),
    /// Where past jobs fell in the simulated distribution of a scenario; coverage of the bands.
    Backtest(backtest::BacktestArgs),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff) of spotsim or of one of its commands.
    Man(man::ManArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    interrupt::install();
    color::init(cli.color);
    match cli.command {
        Command::Simulate(args) => simulate::run(args),
        Command::Describe(args) => describe::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Fit(args) => fit::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Backtest(args) => backtest::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// Refuses (exit 2) a run estimated to take more than an hour unless `--yes` was given; each
/// of the `trials` runs `runs_per_trial` times (a plan's curves: [`crate::plan::runs_per_trial`]).
pub(crate) fn confirm_long_run(
    scenario: &Scenario,
    trials: u64,
    runs_per_trial: f64,
    threads: Option<usize>,
    yes: bool,
) -> Result<(), InputError> {
    let threads = threads.unwrap_or_else(rayon::current_num_threads);
    // Saturates at u64::MAX, far past the hour.
    let runs = (trials as f64 * runs_per_trial).ceil() as u64;
    let estimate = crate::montecarlo::estimated_run_seconds(scenario, runs, threads);
    if estimate > crate::montecarlo::LONG_RUN_SECONDS && !yes {
        let each = if runs_per_trial > 1.0 {
            format!(", each run about {runs_per_trial:.1} times")
        } else {
            String::new()
        };
        return Err(InputError::new(
            "command line",
            format!(
                "this run may take about {:.1} hours ({trials} trials of \"{}\"{each} on {threads} threads); pass --yes to run it anyway, or use fewer trials or --precision",
                estimate / 3600.0,
                scenario.name
            ),
        )
        .at_key("--trials"));
    }
    Ok(())
}

/// Writes a report set: its files go into a staging folder (by `write`), then — unless a
/// signal asked to stop meanwhile — are renamed into the report folder together.
pub(crate) fn write_report(
    set: &ReportFolder,
    write: impl FnOnce(&Path) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let context = || {
        format!(
            "could not write the report into '{}'",
            set.folder().display()
        )
    };
    let staging = set.stage().with_context(context)?;
    write(staging.path()).with_context(context)?;
    interrupt::check()?;
    staging.commit().with_context(context)
}

/// Writes `contents` to a single output file (`what` names it in errors), unless a signal asked
/// to stop.
pub(crate) fn write_file(output: &OutputFile, what: &str, contents: &[u8]) -> anyhow::Result<()> {
    interrupt::check()?;
    output
        .write(contents)
        .with_context(|| format!("could not write {what} '{}'", output.path().display()))
}

/// Exit status for an error: 141 when a reader closed the pipe (nothing is printed then), 128 +
/// the signal's number for a run stopped by a signal (130 for SIGINT, 143 for SIGTERM), 2 for
/// invalid input, 1 otherwise.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if is_broken_pipe(error) {
        return BROKEN_PIPE_EXIT;
    }
    if let Some(interrupted) = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<interrupt::Interrupted>())
    {
        return interrupted.signal.exit_code();
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
