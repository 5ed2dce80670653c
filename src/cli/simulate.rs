//! `spotsim simulate`.

use super::progress::Progress;
use crate::engine::Engine;
use crate::error::InputError;
use crate::montecarlo::{
    Ending, Observers, Partial, RunInfo, RunOptions, Shard, SimulationSummary, TrialRow, execute,
    with_threads,
};
use crate::report::{Format, json, render_summary, write_atomic, write_summary_files};
use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Scenario file (TOML). Without it, the embedded default scenario.
    pub scenario: Option<PathBuf>,
    /// Number of trials (default: the scenario's `[simulation] trials`).
    #[arg(long, allow_hyphen_values = true)]
    pub trials: Option<u64>,
    /// Seed (default: the scenario's `[simulation] seed`).
    #[arg(long, allow_hyphen_values = true)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long, allow_hyphen_values = true, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write summary.json, summary.csv and summary.md into this folder.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
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
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run even when the run is estimated to take more than an hour.
    #[arg(long)]
    pub yes: bool,
    /// A CreateTrainingJob request body (JSON) for the job; the scenario gives the rest.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,
}

fn cli_error(key: &str, message: impl Into<String>) -> InputError {
    InputError::new("command line", message).at_key(key)
}

fn resolve_shard(args: &SimulateArgs) -> Result<Option<Shard>, InputError> {
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text)?),
        None if args.partial.is_some() => {
            Shard::from_env(|k| std::env::var(k).ok(), args.shard_count)?
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

/// Streams per-trial rows into a temporary file that is renamed into place at the end.
struct PerTrialWriter {
    path: PathBuf,
    temporary: PathBuf,
    writer: csv::Writer<std::io::BufWriter<std::fs::File>>,
}

impl PerTrialWriter {
    fn create(path: &Path) -> anyhow::Result<Self> {
        let temporary = crate::report::temporary_path(path);
        let file = std::fs::File::create(&temporary)
            .with_context(|| format!("could not create '{}'", temporary.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            temporary,
            writer: csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, file)),
        })
    }

    fn write(&mut self, rows: &[TrialRow]) -> std::io::Result<()> {
        for row in rows {
            self.writer.serialize(row).map_err(std::io::Error::other)?;
        }
        Ok(())
    }

    fn commit(mut self) -> anyhow::Result<()> {
        self.writer.flush()?;
        let inner = self
            .writer
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        inner
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .sync_all()?;
        std::fs::rename(&self.temporary, &self.path)
            .with_context(|| format!("could not write '{}'", self.path.display()))?;
        Ok(())
    }

    fn discard(self) {
        let _ = std::fs::remove_file(&self.temporary);
    }
}

pub(super) fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let scenario =
        super::describe::load_scenario_with_request(args.scenario.as_ref(), args.request.as_ref())?;
    let mut options = RunOptions::from_scenario(&scenario);
    if let Some(trials) = args.trials {
        options.trials = super::checked_trials(trials)?;
    }
    if let Some(seed) = args.seed {
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
    options.threads = args.threads.map(usize::from);
    options.shard = resolve_shard(&args)?;

    let range = options.range();
    super::confirm_long_run(
        &scenario,
        range.end - range.start,
        options.threads,
        args.yes,
    )?;
    let started = Instant::now();
    let engine = Engine::new(&scenario).with_seed(options.seed);
    let progress = Progress::new(range.end - range.start, args.quiet);
    let mut per_trial = args
        .per_trial
        .as_deref()
        .map(PerTrialWriter::create)
        .transpose()?;
    let result = {
        let mut sink = |rows: &[TrialRow]| per_trial.as_mut().map_or(Ok(()), |w| w.write(rows));
        let report = |done: u64| progress.update(done);
        let mut observers = Observers {
            per_trial: if args.per_trial.is_some() {
                Some(&mut sink)
            } else {
                None
            },
            progress: Some(&report),
            cancel: Some(super::interrupt::flag()),
        };
        with_threads(options.threads, || {
            execute(&engine, range.clone(), options.precision, &mut observers)
        })
    };
    progress.finish();
    let result = match result {
        Ok(result) => result,
        Err(error) => {
            if let Some(writer) = per_trial {
                writer.discard();
            }
            return Err(error).context("could not write the per-trial rows");
        }
    };
    if result.ending == Ending::Cancelled {
        // Stopped at a wave boundary: nothing is written (reports and rows describe whole runs);
        // what was completed is printed.
        if let Some(writer) = per_trial {
            writer.discard();
        }
        let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
        let run = RunInfo::measured(started, threads, result.aggregate.trials);
        let summary =
            SimulationSummary::new(&scenario, &engine, options.seed, &result.aggregate, run);
        std::io::stdout().write_all(render_summary(&summary, args.format).as_bytes())?;
        return Err(super::interrupt::Interrupted {
            completed: result.aggregate.trials,
            requested: range.end - range.start,
        }
        .into());
    }
    if let Some(writer) = per_trial {
        writer.commit()?;
    }
    if result.ending == Ending::PrecisionReached {
        eprintln!(
            "stopped after {} trials: the 95 % CI half-width of P(Completed) is below {}",
            result.aggregate.trials,
            args.precision.unwrap_or_default()
        );
    }
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    let run = RunInfo::measured(started, threads, result.aggregate.trials);

    if let (Some(path), Some(shard)) = (&args.partial, options.shard) {
        let partial = Partial::new(&scenario, &engine, options.trials, shard, result.aggregate);
        write_atomic(path, json(&partial).as_bytes())
            .with_context(|| format!("could not write the partial '{}'", path.display()))?;
        eprintln!(
            "shard {}/{}: {} trials written to {} (merge all {} partials with `spotsim merge`)",
            shard.index,
            shard.count,
            partial.aggregate.trials,
            path.display(),
            shard.count
        );
        return Ok(());
    }

    let summary = SimulationSummary::new(&scenario, &engine, options.seed, &result.aggregate, run);
    if let Some(folder) = &args.output {
        write_summary_files(&summary, folder)
            .with_context(|| format!("could not write the report into '{}'", folder.display()))?;
        let timelines = crate::plan::sample_timelines(&engine, options.trials);
        let max_wait = scenario
            .job
            .max_wait_seconds
            .filter(|_| scenario.policy.uses_spot());
        crate::report::output::write_simulation_report(
            folder,
            &summary,
            &result.aggregate,
            &timelines,
            max_wait,
            &scenario.to_toml_string(),
        )
        .with_context(|| format!("could not write the charts into '{}'", folder.display()))?;
    }
    let text = render_summary(&summary, args.format);
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(())
}
