//! Monte Carlo: many trials of one scenario, in parallel, deterministically, in bounded memory.
//!
//! Any [`Simulator`] runs here. Trials are cut into blocks of the size the simulator prefers
//! ([`Simulator::block_trials`]: [`BLOCK_TRIALS`] on the continuous clock, [`TICK_BLOCK_TRIALS`]
//! on the tick clock); each block runs sequentially on one thread
//! into an [`Aggregate`]. Blocks are processed in waves of [`WAVE_BLOCKS`]: a wave runs in
//! parallel, then its results are merged and its per-trial rows written in trial order. Early
//! stopping (`--precision`), progress and interruption are checked between waves, whose
//! boundaries do not depend on the thread count — so the output does not either (a block
//! also checks for interruption before every trial; an interrupted wave is dropped whole). Trial k
//! draws only from (seed, k) and merging is exact, so any split (threads, shards) gives the
//! same summary bits.

mod aggregate;
pub mod optimal;
mod partial;
mod sample;
mod shard;
mod summary;

pub use aggregate::{Aggregate, done_by_deadline};
pub use optimal::prepare;
pub use partial::{
    Merged, PARTIAL_FORMAT, PARTIAL_VERSION, Partial, input_fingerprints, merge_partials,
    read_partial, scenario_hash,
};
use sample::sampled_trials;
pub use sample::{SAMPLE_TRIALS, Sample, SampleSlots};
pub use shard::{Shard, ShardError, ShardHint};
pub use summary::{DeadlineSummary, OutcomeSummary, RunInfo, SimulationSummary};

pub use crate::engine::{BLOCK_TRIALS, TICK_BLOCK_TRIALS};

use crate::engine::{Engine, Simulator, TrialOutcome};
use crate::scenario::Scenario;
use crate::stats::wilson_interval;
use rayon::prelude::*;
use serde::Serialize;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Blocks per wave: the unit of merging, output, early stopping and cancellation.
pub const WAVE_BLOCKS: u64 = 16;

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOptions {
    /// Number of trials (of the whole run, all shards together).
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Worker threads (`None` = all cores).
    pub threads: Option<usize>,
    /// Stop once the 95 % CI half-width of P(Completed) is below this (checked per wave).
    pub precision: Option<f64>,
    /// Run only this shard's trials.
    pub shard: Option<Shard>,
}

impl RunOptions {
    /// The scenario's own trials and seed, all cores, no shard, no early stop.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        Self {
            trials: scenario.simulation.trials,
            seed: scenario.simulation.seed,
            threads: None,
            precision: None,
            shard: None,
        }
    }

    /// The trials this run executes.
    pub fn range(&self) -> Range<u64> {
        self.shard.map_or(0..self.trials, |s| s.range(self.trials))
    }
}

/// One row of `--per-trial` output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrialRow {
    /// Trial index k.
    pub trial: u64,
    /// Terminal status.
    pub outcome: &'static str,
    /// CreationTime → terminal status.
    pub wall_clock_seconds: f64,
    /// TrainingTime (held seconds, exact).
    pub training_time_seconds: f64,
    /// BillableTime (on-demand-equivalent seconds, exact).
    pub billable_time_seconds: f64,
    /// Interruptions.
    pub interruptions: u32,
    /// Cost.
    pub cost_usd: f64,
    /// The part of the cost paid for on-demand capacity.
    pub on_demand_cost_usd: f64,
    /// When an on-demand fallback job was created (`spot-then-on-demand`).
    pub fallback_start_seconds: Option<f64>,
}

impl TrialRow {
    fn new(trial: u64, outcome: &TrialOutcome) -> Self {
        Self {
            trial,
            outcome: outcome.outcome.as_str(),
            wall_clock_seconds: outcome.wall_clock_seconds,
            training_time_seconds: outcome.training_time_seconds,
            billable_time_seconds: outcome.billable_time_seconds,
            interruptions: outcome.interruptions,
            cost_usd: outcome.cost_usd,
            on_demand_cost_usd: outcome.on_demand_cost_usd,
            fallback_start_seconds: outcome.fallback_seconds,
        }
    }
}

/// Receives per-trial rows in trial order.
pub type RowSink<'a> = dyn FnMut(&[TrialRow]) -> std::io::Result<()> + Send + 'a;

/// Where a run reports besides its aggregate.
#[derive(Default)]
pub struct Observers<'a> {
    /// Receives per-trial rows, in trial order, one wave at a time.
    pub per_trial: Option<&'a mut RowSink<'a>>,
    /// Told the number of trials done after each wave.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// When set (e.g. by SIGINT), the run stops before its next trial and drops that wave.
    pub cancel: Option<&'a AtomicBool>,
}

impl std::fmt::Debug for Observers<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observers")
            .field("per_trial", &self.per_trial.is_some())
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.is_some())
            .finish()
    }
}

/// A request to stop a run early, shared with whoever may make it (a signal handler). Runs
/// check it before every trial (a relaxed load of one flag) and stop at once, dropping the
/// wave they were in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cancel(Option<&'static AtomicBool>);

impl Cancel {
    /// Stop once `flag` is set.
    pub fn when(flag: &'static AtomicBool) -> Self {
        Self(Some(flag))
    }

    /// Never stop.
    pub fn never() -> Self {
        Self(None)
    }

    /// Whether stopping was requested.
    pub fn requested(self) -> bool {
        self.0.is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    /// The flag, for [`Observers::cancel`].
    pub fn flag(self) -> Option<&'static AtomicBool> {
        self.0
    }
}

/// Two requests are the same when they watch the same flag.
impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        match (self.0, other.0) {
            (Some(mine), Some(theirs)) => std::ptr::eq(mine, theirs),
            (mine, theirs) => mine.is_none() && theirs.is_none(),
        }
    }
}

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ending {
    /// All requested trials ran.
    Complete,
    /// `--precision` was reached.
    PrecisionReached,
    /// Cancelled (SIGINT) at a wave boundary.
    Cancelled,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// Merged aggregate of the trials that ran.
    pub aggregate: Aggregate,
    /// How the run ended.
    pub ending: Ending,
}

/// Nanoseconds of work per attempt of a trial, on one thread (measured on the reference model:
/// ≈ 2.5 million trials/s of ≈ 6 attempts; rounded up generously).
const NANOSECONDS_PER_ATTEMPT: f64 = 150.0;

/// A rough upper estimate of a run's duration in seconds: trials × attempts per trial ×
/// cost per attempt ÷ threads. Attempts per trial ≈ 1 + the longest a trial can last (MaxWait,
/// or the tick window) ÷ the market's mean uptime — a job cannot be interrupted more often
/// than capacity is lost.
pub fn estimated_run_seconds(scenario: &Scenario, trials: u64, threads: usize) -> f64 {
    let attempts = Engine::new(scenario).attempts_per_trial_estimate();
    trials as f64 * attempts * NANOSECONDS_PER_ATTEMPT * 1e-9 / threads.max(1) as f64
}

/// Runs longer than this (estimated) need `--yes`.
pub const LONG_RUN_SECONDS: f64 = 3600.0;

/// Runs trials `[first, end)` sequentially into one aggregate.
///
/// A function of its own, never inlined: its trial loop is then the same code for every caller.
/// Inlined into a caller with a loop of its own around it (a benchmark's iterations), the trial
/// loop was compiled 9 % slower.
#[inline(never)]
pub fn run_range(engine: &impl Simulator, first: u64, end: u64) -> Aggregate {
    let mut aggregate = Aggregate::new(engine.deadline_seconds());
    let mut sample = Sample::for_range(&(first..end));
    aggregate.extend((first..end).map(|trial| {
        let outcome = engine.run(trial);
        sample.record(trial, &outcome);
        outcome
    }));
    aggregate.sample = sample;
    aggregate
}

/// Runs trials `[first, end)` of a block into one aggregate (and `rows`, when given), writing
/// the sampled trials' values into their places in the run's sample (`sample`), or `None` as
/// soon as `cancel` is set. The flag is read before every trial: a trial can take seconds
/// (a market that loses capacity every millisecond, a long MaxWait), so checking only between
/// blocks of 4,096 trials would leave a signal unanswered for minutes — past the grace period
/// after which Kubernetes and Slurm send SIGKILL, which leaves temporary files behind. A relaxed
/// load of one flag is neither a lock nor a system call; the wave of a cancelled block is
/// dropped whole, so stopping mid-block changes no result.
fn run_block(
    engine: &impl Simulator,
    trials: Range<u64>,
    cancel: Option<&AtomicBool>,
    rows: Option<&mut Vec<TrialRow>>,
    sample: SampleSlots<'_>,
) -> Option<Aggregate> {
    // Compiled apart with and without rows, so that a run without them carries no row code in
    // its trial loop.
    match rows {
        Some(rows) => run_trials(engine, trials, cancel, sample, |trial, outcome| {
            rows.push(TrialRow::new(trial, outcome));
        }),
        None => run_trials(engine, trials, cancel, sample, |_, _| {}),
    }
}

/// [`run_block`], telling `each` every trial's outcome.
#[inline(always)]
fn run_trials(
    engine: &impl Simulator,
    trials: Range<u64>,
    cancel: Option<&AtomicBool>,
    mut sample: SampleSlots<'_>,
    mut each: impl FnMut(u64, &TrialOutcome),
) -> Option<Aggregate> {
    let mut aggregate = Aggregate::new(engine.deadline_seconds());
    let mut cancelled = false;
    // Trials are summarised a column at a time (`Aggregate::extend`); a cancelled block's
    // partial aggregate is dropped.
    aggregate.extend(trials.map_while(|trial| {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            cancelled = true;
            return None;
        }
        let outcome = engine.run(trial);
        sample.record(trial, &outcome);
        each(trial, &outcome);
        Some(outcome)
    }));
    (!cancelled).then_some(aggregate)
}

/// Runs the trials in `range` in waves, reporting to `observers`.
pub fn execute(
    engine: &impl Simulator,
    range: Range<u64>,
    precision: Option<f64>,
    observers: &mut Observers,
) -> std::io::Result<RunResult> {
    // The sampled trials' values go straight to their places in the run's sample, which then
    // keeps the places of the trials that ran.
    let mut sample = Sample::sized_for(&range);
    let (mut aggregate, ran, ending) = run_waves(
        engine,
        range.clone(),
        precision,
        observers,
        sample.slots(&range),
    )?;
    let sampled = sampled_trials(&(range.start..ran));
    sample.truncate((sampled.end - sampled.start) as usize);
    aggregate.sample = sample;
    Ok(RunResult { aggregate, ending })
}

/// [`execute`]'s waves: the aggregate of the trials that ran (without their sample, which
/// `sample` receives), the end of the trials that ran, and why the run ended.
fn run_waves(
    engine: &impl Simulator,
    range: Range<u64>,
    precision: Option<f64>,
    observers: &mut Observers,
    mut sample: SampleSlots<'_>,
) -> std::io::Result<(Aggregate, u64, Ending)> {
    let mut total = Aggregate::new(engine.deadline_seconds());
    let block_trials = engine.block_trials();
    let wave_trials = block_trials * WAVE_BLOCKS;
    let mut wave_start = range.start;
    let want_rows = observers.per_trial.is_some();
    while wave_start < range.end {
        if observers.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Ok((total, wave_start, Ending::Cancelled));
        }
        let wave_end = (wave_start + wave_trials).min(range.end);
        let cancel = observers.cancel;
        // The wave's blocks and the places of their sampled trials.
        let mut blocks = Vec::with_capacity(WAVE_BLOCKS as usize);
        let mut first = wave_start;
        while first < wave_end {
            let end = (first + block_trials).min(wave_end);
            let rest = sample.split_off(end - first);
            blocks.push((first..end, std::mem::replace(&mut sample, rest)));
            first = end;
        }
        // Blocks also check the flag before every trial (see `run_block`): a wave of slow
        // trials stops within a trial, not a wave. The wave is then dropped whole, so a
        // cancelled run still reports whole waves only.
        let blocks: Option<Vec<(Aggregate, Vec<TrialRow>)>> = blocks
            .into_par_iter()
            .map(|(trials, sample)| {
                let mut rows = Vec::with_capacity(if want_rows {
                    (trials.end - trials.start) as usize
                } else {
                    0
                });
                let aggregate = run_block(
                    engine,
                    trials,
                    cancel,
                    want_rows.then_some(&mut rows),
                    sample,
                )?;
                Some((aggregate, rows))
            })
            .collect();
        let Some(blocks) = blocks else {
            return Ok((total, wave_start, Ending::Cancelled));
        };
        for (aggregate, rows) in &blocks {
            total += aggregate;
            if let Some(sink) = observers.per_trial.as_mut() {
                sink(rows)?;
            }
        }
        wave_start = wave_end;
        if let Some(progress) = observers.progress {
            progress(total.trials);
        }
        if let Some(target) = precision {
            let (low, high) = wilson_interval(total.outcome_counts[0], total.trials);
            if (high - low) / 2.0 < target && wave_start < range.end {
                return Ok((total, wave_start, Ending::PrecisionReached));
            }
        }
    }
    Ok((total, wave_start, Ending::Complete))
}

/// Runs `f` on a pool of `threads` threads (or rayon's global pool).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> T {
    match threads {
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(f),
            Err(_) => f(),
        },
        None => f(),
    }
}

/// Runs `trials` trials of `engine` on `threads` threads.
pub fn run_parallel(engine: &impl Simulator, trials: u64, threads: Option<usize>) -> Aggregate {
    with_threads(threads, || {
        execute(engine, 0..trials, None, &mut Observers::default())
            .map(|r| r.aggregate)
            .unwrap_or_default()
    })
}

/// Simulates a scenario and summarises it.
pub fn simulate(scenario: &Scenario, options: &RunOptions) -> SimulationSummary {
    let started = Instant::now();
    let engine = Engine::new(scenario).with_seed(options.seed);
    let result = with_threads(options.threads, || {
        execute(
            &engine,
            options.range(),
            options.precision,
            &mut Observers::default(),
        )
    });
    let aggregate = result.map(|r| r.aggregate).unwrap_or_default();
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    SimulationSummary::new(
        scenario,
        &engine,
        options.seed,
        &aggregate,
        RunInfo::measured(started, threads, aggregate.trials),
    )
}
