//! `spotsim plan`: the MaxWait planner.

use super::color::{Paint, Stream, paint_lines};
use super::progress::Progress;
use crate::error::InputError;
use crate::files::output::ReportFolder;
use crate::montecarlo::Cancel;
use crate::plan::{
    GridError, GridSetting, GridSpec, OptionError, OptionSetting, PlanError, PlanOptions, Sweep,
    build_grid, plan,
};
use crate::report::Format;
use crate::report::export::exporter;
use crate::report::output::{plan_files, write_plan_files};
use crate::units::duration::parse_duration;
use clap::Args;

/// Arguments of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The scenario and the job's source.
    #[command(flatten)]
    pub input: super::input::ScenarioInput,
    /// Completion-probability target: the lower 95 % bound of P(Completed) must reach it.
    #[arg(long, default_value_t = crate::plan::DEFAULT_TARGET, allow_hyphen_values = true)]
    pub target: f64,
    /// Trials (the same at every grid point), seed and threads.
    #[command(flatten)]
    pub run: super::args::RunArgs,
    /// The deadline counted in summaries.
    #[command(flatten)]
    pub deadline: super::args::DeadlineArgs,
    /// Largest MaxWait evaluated, e.g. "72h" (default: 3 × MaxRuntime or the scenario's
    /// MaxWait, whichever is larger).
    #[arg(long, value_name = "DURATION")]
    pub max_wait_cap: Option<String>,
    /// Distance between MaxWait values, e.g. "30m" (default: a round step giving ~100 points).
    #[arg(long, value_name = "DURATION", conflicts_with = "points")]
    pub grid_step: Option<String>,
    /// Number of MaxWait values, evenly spaced from MaxRuntime to the cap.
    #[arg(long, value_name = "N")]
    pub points: Option<usize>,
    /// Also plan these checkpoint intervals, e.g. "10m,30m,1h" (a 2-D table).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub checkpoint_intervals: Vec<String>,
    /// `--format` and `--output DIR`.
    #[command(flatten)]
    pub report: super::args::ReportArgs,
    /// Re-run every grid point instead of reading them off one run per trial (for checking; the
    /// result is identical for managed spot and spot-then-on-demand).
    #[arg(long, hide = true)]
    pub rerun_each_point: bool,
    /// What the recommendation optimises: `cost` (the cheapest purchase option per completed
    /// job that meets the target) or `max-wait` (the smallest MaxWait of the scenario's own
    /// policy that meets it).
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Cost)]
    pub objective: ObjectiveArg,
    /// Exit 1 (after printing the plan) when no option meets the target: a CI gate for a
    /// training configuration that cannot meet its deadline.
    #[arg(long)]
    pub require: bool,
    /// Progress and confirmation.
    #[command(flatten)]
    pub interaction: super::args::InteractionArgs,
}

/// `--objective` as the command line spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectiveArg {
    /// The cheapest option per completed job that meets the target.
    Cost,
    /// The smallest MaxWait that meets the target.
    MaxWait,
}

fn cli_error(key: &str, message: impl Into<String>) -> InputError {
    InputError::new("command line", message).at_key(key)
}

/// A grid error as the command line says it: with the option it is about.
pub(super) fn grid_error(error: &GridError) -> InputError {
    let option = match error.setting() {
        GridSetting::Cap => "--max-wait-cap",
        GridSetting::Step => "--grid-step",
        GridSetting::Points => "--points",
    };
    let message = match error {
        GridError::PointsAndStep => "give either --points or --grid-step, not both".to_string(),
        GridError::TooManyPoints {
            count,
            runtime_seconds,
            cap_seconds,
        } => format!(
            "{count} grid points from {runtime_seconds} s to {cap_seconds} s; at most {} \
             (use a larger step or a smaller --max-wait-cap)",
            crate::plan::grid::MAX_GRID_POINTS
        ),
        other => other.to_string(),
    };
    cli_error(option, message)
}

/// A planner option error as the command line says it: with the option it is about.
fn option_error(error: &OptionError) -> InputError {
    let option = match error.setting() {
        OptionSetting::Target => "--target",
        OptionSetting::Trials => "--trials",
        OptionSetting::CheckpointIntervals => "--checkpoint-intervals",
    };
    cli_error(option, error.to_string())
}

fn duration(key: &str, text: &str) -> Result<f64, InputError> {
    parse_duration(text).map_err(|e| cli_error(key, e))
}

pub(super) fn run(args: PlanArgs) -> anyhow::Result<()> {
    let cancel = super::interrupt::flag();
    let mut scenario = args.input.load()?;
    args.deadline.apply(&mut scenario)?;
    let mut options = PlanOptions::from_scenario(&scenario);
    if let Some(trials) = args.run.trials {
        options.trials = trials;
    }
    if let Some(seed) = args.run.seed {
        options.seed = seed;
    }
    options.threads = args.run.threads.map(usize::from);
    options.target = args.target;
    options.objective = match args.objective {
        ObjectiveArg::Cost => crate::plan::Objective::Cost,
        ObjectiveArg::MaxWait => crate::plan::Objective::MaxWait,
    };
    options.grid = GridSpec {
        cap_seconds: args
            .max_wait_cap
            .as_deref()
            .map(|t| duration("--max-wait-cap", t))
            .transpose()?,
        step_seconds: args
            .grid_step
            .as_deref()
            .map(|t| duration("--grid-step", t))
            .transpose()?,
        points: args.points,
    };
    options.checkpoint_intervals = args
        .checkpoint_intervals
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| duration("--checkpoint-intervals", t))
        .collect::<Result<_, _>>()?;
    if args.rerun_each_point {
        options.sweep = Some(Sweep::RerunEachPoint);
    }
    options.detail = args.report.output.is_some() || args.report.format() == Format::Json;
    options.cancel = Cancel::when(cancel);
    // The report folder must not hold an input under one of the report's names.
    let report = args
        .report
        .output
        .as_deref()
        .map(|folder| ReportFolder::new(folder, plan_files(), "--output"))
        .transpose()?;

    // Fail fast on a bad grid, before any trial runs.
    let grid = build_grid(&scenario, &options.grid).map_err(|e| grid_error(&e))?;
    let runs_per_trial = crate::plan::runs_per_trial(&scenario, &options, grid.len());
    super::confirm_long_run(
        &scenario,
        options.trials,
        runs_per_trial,
        options.threads,
        args.interaction.yes,
    )?;
    let progress = Progress::new(options.trials, args.interaction.quiet);
    let update = |done: u64| progress.update(done);
    let planned = plan(&scenario, &options, Some(&update));
    progress.finish();
    let planned = match planned {
        Ok(planned) => planned,
        Err(PlanError::Input(error)) => return Err(error.into()),
        Err(PlanError::Option(error)) => return Err(option_error(&error).into()),
        Err(PlanError::Grid(error)) => return Err(grid_error(&error).into()),
        Err(PlanError::Cancelled) => return Err(super::interrupt::stopped().into()),
    };

    // Whatever happens to the files, the plan is printed.
    let written = report.as_ref().map_or(Ok(()), |set| {
        super::write_report(set, |folder| {
            write_plan_files(
                &planned,
                folder,
                &scenario.to_toml_string(),
                &super::simulate::report_context(&scenario, options.trials, options.seed),
            )
        })
    });
    let text = exporter(args.report.format()).plan(&planned);
    // The answer the user came for stands out on a terminal (see `color`).
    let text = match args.report.format() {
        Format::Table => paint_lines(Stream::Stdout, Paint::Good, &text, |line| {
            line.starts_with(crate::report::recommendation::PREFIX)
        }),
        _ => text.into(),
    };
    let printed = super::print(text.as_bytes());
    written.and(printed)?;
    if args.require && planned.recommendation.is_none() {
        anyhow::bail!(
            "--require: no option meets the target: the lower 95 % bound of {} stays below {}",
            crate::units::words::targeted(scenario.job.deadline_seconds),
            planned.target
        );
    }
    Ok(())
}
