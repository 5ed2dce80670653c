//! `spotsim simulate`.

use super::progress::Progress;
use crate::engine::{Engine, Simulator};
use crate::error::InputError;
use crate::files::output::{OutputFile, Pending, ReportFolder};
use crate::montecarlo::{
    Ending, Observers, Partial, RunInfo, RunOptions, Shard, ShardError, ShardHint,
    SimulationSummary, TrialRow, execute, with_threads,
};
use crate::report::csv::PerTrialRow;
use crate::report::output::simulation_files;
use crate::report::{json, render_summary, write_summary_files};
use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The scenario and the job's source.
    #[command(flatten)]
    pub input: super::input::ScenarioInput,
    /// Trials, seed and threads.
    #[command(flatten)]
    pub run: super::args::RunArgs,
    /// The deadline counted in summaries.
    #[command(flatten)]
    pub deadline: super::args::DeadlineArgs,
    /// `--format` and `--output DIR`.
    #[command(flatten)]
    pub report: super::args::ReportArgs,
    /// Write one CSV row per trial (outcome, wall clock, training, billable, interruptions,
    /// cost), streamed in trial order.
    #[arg(long, value_name = "FILE")]
    pub per_trial: Option<PathBuf>,
    /// Stop early once the 95 % CI half-width of P(Completed) is below this (e.g. 0.005).
    #[arg(long, value_name = "HALF_WIDTH", allow_hyphen_values = true)]
    pub precision: Option<f64>,
    /// Run shard I of K (0-based) and write its partial result with --partial. Without it,
    /// the shard comes from SLURM_ARRAY_TASK_ID/COUNT, JOB_COMPLETION_INDEX (+ --shard-count)
    /// or AWS_BATCH_JOB_ARRAY_INDEX/SIZE when --partial is given.
    #[arg(long, value_name = "I/K")]
    pub shard: Option<String>,
    /// Shard count for array jobs whose environment gives only an index.
    #[arg(long, value_name = "K")]
    pub shard_count: Option<u64>,
    /// Write this shard's mergeable partial result to FILE (see `spotsim merge`).
    #[arg(long, value_name = "FILE")]
    pub partial: Option<PathBuf>,
    /// Progress and confirmation.
    #[command(flatten)]
    pub interaction: super::args::InteractionArgs,
}

fn cli_error(key: &str, message: impl Into<String>) -> InputError {
    InputError::new("command line", message).at_key(key)
}

/// A shard error as the command line says it: with the options that would give the shard.
fn shard_error(error: ShardError) -> InputError {
    match error {
        ShardError::Spec(_) => InputError::new("command line", error.to_string()).at_key("--shard"),
        ShardError::CountNeeded { variable } => InputError::new(
            "environment",
            format!("{variable} is set: pass --shard-count K (the Job's completions)"),
        )
        .at_key("--shard-count"),
        ShardError::Environment { mut error, hint } => {
            match hint {
                Some(ShardHint::Count) => error.message.push_str(" (or pass --shard-count)"),
                Some(ShardHint::Spec) => error.message.push_str(", or pass --shard I/K"),
                None => {}
            }
            error
        }
    }
}

fn resolve_shard(args: &SimulateArgs) -> Result<Option<Shard>, InputError> {
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text).map_err(shard_error)?),
        None if args.partial.is_some() => {
            Shard::from_env(|k| std::env::var(k).ok(), args.shard_count).map_err(shard_error)?
        }
        None => None,
    };
    if shard.is_some() && args.partial.is_none() {
        return Err(cli_error(
            "--shard",
            "a shard's result must be written with --partial FILE",
        ));
    }
    if args.partial.is_some() && shard.is_none() {
        return Err(cli_error(
            "--partial",
            "no shard given: use --shard I/K, or run inside a Slurm, Kubernetes Indexed or AWS Batch array job",
        ));
    }
    if shard.is_some() && args.precision.is_some() {
        return Err(cli_error(
            "--precision",
            "early stopping cannot be combined with shards (each shard would stop differently)",
        ));
    }
    Ok(shard)
}

/// Streams per-trial rows into their output ([`OutputFile`]: a temporary file renamed into
/// place at the end, or straight into a device, FIFO or stdout).
struct PerTrialWriter {
    writer: csv::Writer<std::io::BufWriter<Pending>>,
    scenario: String,
    seed: u64,
}

/// An I/O error as it was, so that a broken pipe stays recognisable as one.
fn io_error(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

impl PerTrialWriter {
    fn create(output: &OutputFile, scenario: &str, seed: u64) -> anyhow::Result<Self> {
        let pending = output
            .create()
            .with_context(|| format!("could not create '{}'", output.path().display()))?;
        Ok(Self {
            writer: csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, pending)),
            scenario: scenario.to_string(),
            seed,
        })
    }

    fn write(&mut self, rows: &[TrialRow]) -> std::io::Result<()> {
        for row in rows {
            self.writer
                .serialize(PerTrialRow::new(&self.scenario, self.seed, row))
                .map_err(io_error)?;
        }
        Ok(())
    }

    fn commit(mut self) -> std::io::Result<()> {
        self.writer.flush()?;
        let buffered = self
            .writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        buffered.into_inner().map_err(|e| e.into_error())?.commit()
    }
}

/// The outputs of a run, checked against its inputs before any trial runs.
struct Outputs {
    per_trial: Option<OutputFile>,
    partial: Option<OutputFile>,
    report: Option<ReportFolder>,
}

impl Outputs {
    fn new(args: &SimulateArgs) -> Result<Self, InputError> {
        Ok(Self {
            per_trial: args
                .per_trial
                .as_deref()
                .map(|p| OutputFile::new(p, "--per-trial"))
                .transpose()?,
            partial: args
                .partial
                .as_deref()
                .map(|p| OutputFile::new(p, "--partial"))
                .transpose()?,
            report: args
                .report
                .output
                .as_deref()
                .map(|folder| ReportFolder::new(folder, simulation_files(), "--output"))
                .transpose()?,
        })
    }
}

pub(super) fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let cancel = super::interrupt::flag();
    let mut scenario = args.input.load()?;
    args.deadline.apply(&mut scenario)?;
    let mut options = RunOptions::from_scenario(&scenario);
    if let Some(trials) = args.run.trials {
        options.trials = trials;
    }
    if let Some(seed) = args.run.seed {
        options.seed = seed;
    }
    if let Some(precision) = args.precision
        && !(precision > 0.0 && precision < 0.5)
    {
        return Err(cli_error(
            "--precision",
            format!("expected a CI half-width in (0, 0.5), e.g. 0.005, got {precision}"),
        )
        .into());
    }
    options.precision = args.precision;
    options.threads = args.run.threads.map(usize::from);
    options.shard = resolve_shard(&args)?;
    let outputs = Outputs::new(&args)?;

    let range = options.range();
    super::confirm_long_run(
        &scenario,
        range.end - range.start,
        1.0,
        options.threads,
        args.interaction.yes,
    )?;
    let started = Instant::now();
    let engine = Engine::new(&scenario).with_seed(options.seed);
    let progress = Progress::new(range.end - range.start, args.interaction.quiet);
    let mut per_trial = outputs
        .per_trial
        .as_ref()
        .map(|output| PerTrialWriter::create(output, &scenario.name, options.seed))
        .transpose()?;
    let result = {
        let mut sink = |rows: &[TrialRow]| per_trial.as_mut().map_or(Ok(()), |w| w.write(rows));
        let report = |done: u64| progress.update(done);
        let mut observers = Observers {
            per_trial: if outputs.per_trial.is_some() {
                Some(&mut sink)
            } else {
                None
            },
            progress: Some(&report),
            cancel: Some(cancel),
        };
        with_threads(options.threads, || {
            execute(&engine, range.clone(), options.precision, &mut observers)
        })
    };
    progress.finish();
    // Only the per-trial rows can fail a run; their writer, dropped without a commit, removes
    // its temporary file.
    let result = result.with_context(|| rows_context(&args))?;
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    let run = RunInfo::measured(started, threads, result.aggregate.trials);
    let summary = SimulationSummary::new(&scenario, &engine, options.seed, &result.aggregate, run);
    if result.ending == Ending::Cancelled || super::interrupt::check().is_err() {
        // Stopped at a wave boundary: nothing is written (reports and rows describe whole runs);
        // what was completed is printed — if anything was: a summary of no trial is all dashes
        // and a cost of $NaN.
        drop(per_trial);
        if result.aggregate.trials > 0 {
            // The interruption is what the exit status reports, even if stdout is gone too.
            let _ = super::print(render_summary(&summary, args.report.format()));
        }
        return Err(super::interrupt::Interrupted::after(
            result.aggregate.trials,
            range.end - range.start,
        )
        .into());
    }
    if result.ending == Ending::PrecisionReached {
        eprintln!(
            "stopped after {} trials: the 95 % CI half-width of P(Completed) is below {}",
            result.aggregate.trials,
            args.precision.unwrap_or_default()
        );
    }

    if let (Some(output), Some(shard)) = (&outputs.partial, options.shard) {
        let partial = Partial::new(&scenario, &engine, options.trials, shard, result.aggregate);
        if let Some(writer) = per_trial {
            commit_rows(writer, &args)?;
        }
        super::write_file(output, "the partial", json(&partial).as_bytes())?;
        eprintln!(
            "shard {}/{}: {} trials written to {} (merge all {} partials with `spotsim merge`)",
            shard.index,
            shard.count,
            partial.aggregate.trials,
            output.path().display(),
            shard.count
        );
        return Ok(());
    }

    // Whatever happens to the files, the summary of a finished run is printed.
    let rows = match per_trial {
        Some(writer) => super::interrupt::check()
            .map_err(anyhow::Error::from)
            .and_then(|()| commit_rows(writer, &args)),
        None => Ok(()),
    };
    let report = match &outputs.report {
        Some(set) => super::write_report(set, |folder| {
            write_summary_files(&summary, folder)?;
            let timelines = crate::plan::sample_timelines(&engine, options.trials);
            let max_wait = scenario
                .job
                .max_wait_seconds
                .filter(|_| scenario.clock.uses_spot());
            crate::report::output::write_simulation_report(
                folder,
                &summary,
                &result.aggregate,
                Some(&timelines),
                max_wait,
                &scenario.to_toml_string(),
                &report_context(&scenario, options.trials, options.seed),
            )
        }),
        None => Ok(()),
    };
    let printed = super::print(render_summary(&summary, args.report.format()));
    rows.and(report).and(printed)
}

fn rows_context(args: &SimulateArgs) -> String {
    format!(
        "could not write the per-trial rows to '{}'",
        args.per_trial.as_deref().unwrap_or(Path::new("")).display()
    )
}

fn commit_rows(writer: PerTrialWriter, args: &SimulateArgs) -> anyhow::Result<()> {
    writer.commit().with_context(|| rows_context(args))
}

/// Provenance and assumptions of a report on `scenario`.
pub(super) fn report_context(
    scenario: &crate::scenario::Scenario,
    trials: u64,
    seed: u64,
) -> crate::report::output::ReportContext {
    use crate::report::provenance::{Provenance, ScenarioIdentity, assumptions};
    crate::report::output::ReportContext {
        provenance: Provenance::now(vec![ScenarioIdentity::of(scenario)], trials, seed),
        assumptions: assumptions(scenario),
    }
}
