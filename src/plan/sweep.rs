//! One pass over the trials that yields the whole P(Completed)/cost curve over MaxWait.
//!
//! **Truncation** (policies whose path does not depend on MaxWait, e.g. managed spot): each
//! trial runs once, with MaxWait = the grid's cap, and a [`HeldPeriods`] recorder keeps its
//! billed periods and the instant it entered `Stopping`. Under a smaller MaxWait `w` the job
//! follows the same path until `w` (MaxWait only truncates it), so:
//! - it completes iff it completed by `w` (completion instant ≤ `w`, as the engine decides ties);
//! - it is `MaxRuntimeExceeded` iff that happened strictly before `w` (MaxRuntime counts held
//!   time, which does not depend on MaxWait; at the same instant MaxWait wins);
//! - otherwise it is `MaxWaitTimeExceeded` at `w`, and it has paid for the held periods up to
//!   `w`: whole periods that ended by `w`, plus the part of the period running at `w`.
//!
//! The part of a period is exact: with a constant spot price it is `price × (w − start)`, the
//! very expression the engine evaluates when it stops a job at `w`, and the sums run in the
//! engine's order, so the costs are bit-identical to a direct run at `w`. With a stepped price
//! (replayed per-tick prices or a price history) the price inside a period depends on the
//! trial's trace offset, which the recorder does not see; such a trial is re-run with
//! MaxWait = `w` (only for the grid points that fall strictly inside one of its billed
//! periods), so the engine integrates its own price model.
//!
//! **Re-run** (policies whose path depends on MaxWait): every grid point runs every trial
//! again with its own MaxWait, on the same trials (common random numbers).
//!
//! **Fallback** (`spot-then-on-demand`: a spot job placed only on spot, and an on-demand job
//! when MaxWait stops it): the curve is the re-run's, computed with far fewer runs. The spot
//! job never looks at its deadline, so under switch time `w` it follows the cap run's path
//! until `w`, as managed spot does. A trial whose spot job completes, fails or exceeds
//! MaxRuntime by `w` (at the cap run's instant, decided as the engine decides ties) therefore
//! has the cap run's outcome at `w` and at every later switch time: it is added once to
//! `settled_from`, as truncation does. At the switch times before that MaxWait stops the spot
//! job and a fallback job follows: the engine rebuilds the trial's state at each from a
//! [`SpotRecord`] of the cap run (its requests for capacity) and runs only the on-demand job
//! ([`Simulator::fallbacks`]); where it cannot do so exactly (stepped prices,
//! `InternalServerError`s) the trial is run on its own with MaxWait = `w`. A forced re-run
//! (`--rerun-each-point`) runs every point, as a cross-check.
//!
//! **Deadline** (`[job] deadline` D): a trial is done by D when it is Completed with its
//! Uploading ended by D (reference §9). A trial that completes at the cap completes at the
//! same instant at every MaxWait from its completion on, so it is done by D at all of those
//! points or at none; a trial MaxWait stops is never done. The by-deadline count is therefore
//! read off the same single run, settled with the trial's outcome.
//!
//! Aggregation is exact and mergeable: a trial that has settled (completed or hit MaxRuntime)
//! by grid point `i` contributes the same outcome and cost to every point from `i` on, so it
//! is added once to `settled_from[i]` and the points are prefix-merged at the end; trials still
//! running at a point are added to that point. Counts, fixed-point moments and histogram
//! buckets merge associatively, so blocks, threads and waves give identical bits.

use crate::engine::{Outcome, Recorder, Simulator, SpotRecord, TrialOutcome};
use crate::montecarlo::{Cancel, WAVE_BLOCKS, done_by_deadline, with_threads};
use crate::sagemaker::billing::{self, aws_savings_percent, reported_seconds};
use crate::sagemaker::status::SecondaryStatus;
use crate::stats::{Metric, Moments};
use rayon::prelude::*;
use std::ops::AddAssign;

/// How the curve is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sweep {
    /// One run per trial at the cap, truncated at every grid point.
    Truncate,
    /// One run per trial per grid point.
    RerunEachPoint,
}

/// One billed period of a trial.
#[derive(Debug, Clone, Copy, PartialEq)]
struct HeldPeriod {
    from_seconds: f64,
    to_seconds: f64,
    /// ∫ price dt over the period, USD·s/h per instance.
    price_seconds: f64,
}

/// Keeps a trial's billed periods and the instant it entered `Stopping` (one buffer per block).
#[derive(Debug, Default)]
struct HeldPeriods {
    periods: Vec<HeldPeriod>,
    stopping_at: Option<f64>,
}

impl HeldPeriods {
    fn clear(&mut self) {
        self.periods.clear();
        self.stopping_at = None;
    }
}

impl Recorder for HeldPeriods {
    #[inline]
    fn enter(&mut self, at_seconds: f64, status: SecondaryStatus, _: &'static str) {
        if status == SecondaryStatus::Stopping {
            self.stopping_at = Some(at_seconds);
        }
    }

    #[inline]
    fn held(&mut self, from_seconds: f64, to_seconds: f64, price_seconds: f64) {
        self.periods.push(HeldPeriod {
            from_seconds,
            to_seconds,
            price_seconds,
        });
    }
}

/// A block's buffers for the record of a cap run.
#[derive(Debug, Default)]
struct Records {
    /// Truncation's.
    held: HeldPeriods,
    /// The fallback's.
    spot: SpotRecord,
}

/// Both records of one cap run, for a sweep that reads managed spot and its fallback off it.
struct Both<'r>(&'r mut HeldPeriods, &'r mut SpotRecord);

impl Recorder for Both<'_> {
    #[inline]
    fn enter(&mut self, at_seconds: f64, status: SecondaryStatus, message: &'static str) {
        self.0.enter(at_seconds, status, message);
        self.1.enter(at_seconds, status, message);
    }

    #[inline]
    fn held(&mut self, from_seconds: f64, to_seconds: f64, price_seconds: f64) {
        self.0.held(from_seconds, to_seconds, price_seconds);
    }

    #[inline]
    fn capacity(&mut self, requested_seconds: f64, acquired_seconds: f64, lost_seconds: f64) {
        self.1
            .capacity(requested_seconds, acquired_seconds, lost_seconds);
    }
}

/// The trials' totals at one MaxWait.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointAggregate {
    /// Trials.
    pub trials: u64,
    /// Trials per outcome, in [`Outcome::ALL`] order.
    pub outcome_counts: [u64; 4],
    /// Completed trials whose Uploading ended by the job's deadline (0 without one).
    pub completed_by_deadline: u64,
    /// Cost per job (stopped jobs included), USD.
    pub cost_usd: Metric,
    /// AWS's savings formula per job that held an instance, percent.
    pub aws_savings_percent: Moments,
}

impl PointAggregate {
    #[inline]
    fn add(&mut self, outcome: Outcome, cost_usd: f64, aws_savings_percent: Option<f64>) {
        self.trials += 1;
        self.outcome_counts[outcome.index()] += 1;
        self.cost_usd.add(cost_usd);
        if let Some(savings) = aws_savings_percent {
            self.aws_savings_percent.add(savings);
        }
    }

    fn add_trial(&mut self, trial: &TrialOutcome, deadline_seconds: Option<f64>) {
        self.add(trial.outcome, trial.cost_usd, trial.savings_percent());
        self.completed_by_deadline += u64::from(done_by_deadline(trial, deadline_seconds));
    }

    /// Trials that ended with `outcome`.
    pub fn count(&self, outcome: Outcome) -> u64 {
        self.outcome_counts[outcome.index()]
    }
}

impl AddAssign<&PointAggregate> for PointAggregate {
    fn add_assign(&mut self, other: &PointAggregate) {
        self.trials += other.trials;
        self.completed_by_deadline += other.completed_by_deadline;
        for (mine, theirs) in self.outcome_counts.iter_mut().zip(other.outcome_counts) {
            *mine += theirs;
        }
        self.cost_usd += &other.cost_usd;
        self.aws_savings_percent += &other.aws_savings_percent;
    }
}

/// Mergeable per-block state of the whole curve.
#[derive(Debug, Clone, PartialEq)]
struct CurveAggregate {
    /// Trials still running at point i (stopped there by MaxWait), or every trial (re-run).
    at_point: Vec<PointAggregate>,
    /// Trials that settled by point i (their contribution holds for every later point).
    settled_from: Vec<PointAggregate>,
}

impl CurveAggregate {
    fn new(points: usize) -> Self {
        Self {
            at_point: vec![PointAggregate::default(); points],
            settled_from: vec![PointAggregate::default(); points],
        }
    }

    fn finish(self) -> Vec<PointAggregate> {
        let mut settled = PointAggregate::default();
        self.at_point
            .into_iter()
            .zip(&self.settled_from)
            .map(|(mut point, settling)| {
                settled += settling;
                point += &settled;
                point
            })
            .collect()
    }
}

impl AddAssign<&CurveAggregate> for CurveAggregate {
    fn add_assign(&mut self, other: &CurveAggregate) {
        for (mine, theirs) in self.at_point.iter_mut().zip(&other.at_point) {
            *mine += theirs;
        }
        for (mine, theirs) in self.settled_from.iter_mut().zip(&other.settled_from) {
            *mine += theirs;
        }
    }
}

/// A sweep's curve and, when it shares its cap runs with the fallback
/// ([`SweepSetup::fallback`]), the fallback's.
#[derive(Debug, Clone, PartialEq)]
struct Curves {
    own: CurveAggregate,
    fallback: Option<CurveAggregate>,
}

impl AddAssign<&Curves> for Curves {
    fn add_assign(&mut self, other: &Curves) {
        self.own += &other.own;
        if let (Some(mine), Some(theirs)) = (&mut self.fallback, &other.fallback) {
            *mine += theirs;
        }
    }
}

/// What the sweep needs to know about the scenario.
#[derive(Debug, Clone)]
pub(crate) struct SweepSetup<'a, S: Simulator> {
    /// The engine (seed set) for MaxWait = the grid's cap.
    pub engine: &'a S,
    /// Engines for each grid point (for re-runs), `None` when no re-run will be needed.
    pub point_engines: Option<Vec<S>>,
    /// The grid (sorted, last = cap).
    pub grid: &'a [f64],
    /// Constant spot price (USD/h per instance), or `None` for stepped prices.
    pub constant_price_per_hour: Option<f64>,
    /// On-demand price (BillableTime divides by it).
    pub on_demand_per_hour: f64,
    /// How to sweep.
    pub sweep: Sweep,
    /// With [`Sweep::RerunEachPoint`] on a spot job with an on-demand fallback
    /// ([`Simulator::on_demand_after_truncated_spot`]): read the switch times the spot job
    /// settles before off one cap run per trial, and run only the others.
    pub read_fallback: bool,
    /// Checked before every trial: once requested, the run stops with what it has.
    pub cancel: Cancel,
    /// The job's deadline (`[job] deadline`): Completed trials are also counted against it.
    pub deadline_seconds: Option<f64>,
    /// With [`Sweep::Truncate`] of managed spot: the same job bought as spot-then-on-demand
    /// (a fallback sweep over the same grid), read off the same cap runs. Its spot job places
    /// only on spot, as managed spot does, so until the cap both make the same requests and
    /// get the same capacity; the fallback's cap run is managed spot's, followed by a fallback
    /// job only when the cap stopped the spot job — a trial truncation never reads as settled.
    pub fallback: Option<&'a SweepSetup<'a, S>>,
}

impl<S: Simulator> SweepSetup<'_, S> {
    /// The first grid point from which a trial's cap run is its outcome at every MaxWait: the
    /// spot job completed, failed or exceeded MaxRuntime (entering Stopping at `stopping_at`)
    /// by then. A trial still running at the cap, or whose spot job the cap stopped (a fallback
    /// job followed), settles at none.
    fn settles_at(&self, outcome: &TrialOutcome, stopping_at: Option<f64>) -> usize {
        let grid = self.grid;
        if outcome.fallback_seconds.is_some() {
            return grid.len();
        }
        match outcome.outcome {
            // At the completion instant the job completes (the engine checks completion first).
            Outcome::Completed => grid.partition_point(|&w| w < outcome.wall_clock_seconds),
            // A failure (retries exhausted) happens at its instant whatever the MaxWait beyond
            // it; a MaxWait at that very instant stops the job first (a limit wins a tie).
            Outcome::Failed => grid.partition_point(|&w| w <= outcome.wall_clock_seconds),
            Outcome::MaxRuntimeExceeded => {
                let stopped = stopping_at.unwrap_or(outcome.wall_clock_seconds);
                grid.partition_point(|&w| w <= stopped)
            }
            Outcome::MaxWaitTimeExceeded => grid.len(),
        }
    }

    /// Truncation of one trial's cap run at every grid point.
    fn truncate(
        &self,
        trial: u64,
        outcome: &TrialOutcome,
        held: &HeldPeriods,
        curve: &mut CurveAggregate,
    ) {
        let grid = self.grid;
        let settles_at = self.settles_at(outcome, held.stopping_at);
        if settles_at < grid.len() {
            curve.settled_from[settles_at].add_trial(outcome, self.deadline_seconds);
        }
        // Running at grid[i] for every i < settles_at: stopped there by MaxWait.
        let instances = self.engine.instance_count();
        let mut next = 0;
        let mut price_seconds = 0.0;
        let mut held_seconds = 0.0;
        for (i, &w) in grid[..settles_at].iter().enumerate() {
            while let Some(period) = held.periods.get(next)
                && period.to_seconds <= w
            {
                price_seconds += period.price_seconds;
                held_seconds += period.to_seconds - period.from_seconds;
                next += 1;
            }
            let straddling = held.periods.get(next).filter(|p| p.from_seconds < w);
            let (price_at_w, held_at_w) = match (straddling, self.constant_price_per_hour) {
                (None, _) => (price_seconds, held_seconds),
                (Some(period), Some(price)) => (
                    price_seconds + price * (w - period.from_seconds),
                    held_seconds + (w - period.from_seconds),
                ),
                (Some(_), None) => {
                    // Stepped price inside a period: let the engine integrate it.
                    let rerun = self.run_at(i, w, trial);
                    curve.at_point[i].add_trial(&rerun, self.deadline_seconds);
                    continue;
                }
            };
            let any_held = next > 0 || straddling.is_some();
            let savings = reported_seconds(held_at_w, any_held).and_then(|training| {
                let billable = reported_seconds(
                    billing::billable_seconds(price_at_w, self.on_demand_per_hour),
                    any_held,
                )?;
                Some(aws_savings_percent(training, billable))
            });
            curve.at_point[i].add(
                Outcome::MaxWaitTimeExceeded,
                billing::cost_usd(price_at_w, instances),
                savings,
            );
        }
    }

    /// One trial of a spot job with an on-demand fallback: its cap run gives every switch time
    /// from the one its spot job settles by; the engine rebuilds the earlier ones from the cap
    /// run's record, or (when it cannot do so exactly) each is run on its own.
    fn fallback_trial(
        &self,
        trial: u64,
        outcome: &TrialOutcome,
        record: &SpotRecord,
        curve: &mut CurveAggregate,
    ) {
        let settles_at = self.settles_at(outcome, record.stopping_at());
        if settles_at < self.grid.len() {
            curve.settled_from[settles_at].add_trial(outcome, self.deadline_seconds);
        }
        let running = &self.grid[..settles_at];
        let deadline = self.deadline_seconds;
        let rebuilt = self.engine.fallbacks(trial, record, running, |i, outcome| {
            curve.at_point[i].add_trial(&outcome, deadline);
        });
        if !rebuilt {
            for (i, &w) in running.iter().enumerate() {
                let outcome = self.run_at(i, w, trial);
                curve.at_point[i].add_trial(&outcome, deadline);
            }
        }
    }

    /// Trial `trial` run on its own with MaxWait = `w`, grid point `i`.
    fn run_at(&self, i: usize, w: f64, trial: u64) -> TrialOutcome {
        match &self.point_engines {
            Some(engines) => engines[i].run(trial),
            None => self.engine.clone().with_max_wait(w).run(trial),
        }
    }

    /// The curve of trials `[first, end)`; cut short (and then never used: a cancelled curve
    /// is not returned) once cancellation is requested, which is checked before every trial as
    /// [`crate::montecarlo::execute`]'s blocks do.
    fn run_block(&self, first: u64, end: u64, records: &mut Records) -> Curves {
        let mut curves = self.new_curves();
        let curve = &mut curves.own;
        for trial in first..end {
            if self.cancel.requested() {
                break;
            }
            match self.sweep {
                Sweep::Truncate if let Some(fallback) = self.fallback => {
                    let Records { held, spot } = records;
                    held.clear();
                    spot.clear();
                    let outcome = fallback.engine.run_recorded(trial, &mut Both(held, spot));
                    self.truncate(trial, &outcome, held, curve);
                    let fallback_curve = curves.fallback.as_mut().expect("made with the setup");
                    fallback.fallback_trial(trial, &outcome, spot, fallback_curve);
                }
                Sweep::Truncate => {
                    let held = &mut records.held;
                    held.clear();
                    let outcome = self.engine.run_recorded(trial, held);
                    self.truncate(trial, &outcome, held, curve);
                }
                Sweep::RerunEachPoint if self.read_fallback => {
                    let spot = &mut records.spot;
                    spot.clear();
                    let outcome = self.engine.run_recorded(trial, spot);
                    self.fallback_trial(trial, &outcome, spot, curve);
                }
                Sweep::RerunEachPoint => {
                    for (i, &w) in self.grid.iter().enumerate() {
                        let outcome = self.run_at(i, w, trial);
                        curve.at_point[i].add_trial(&outcome, self.deadline_seconds);
                    }
                }
            }
        }
        curves
    }

    fn new_curves(&self) -> Curves {
        Curves {
            own: CurveAggregate::new(self.grid.len()),
            fallback: self.fallback.map(|f| CurveAggregate::new(f.grid.len())),
        }
    }

    /// Runs `trials` trials in waves of blocks; `progress` hears the trials done after each wave.
    /// Returns the curve, and the fallback's when the sweep shares its cap runs with it.
    pub fn run(
        &self,
        trials: u64,
        threads: Option<usize>,
        progress: Option<&(dyn Fn(u64) + Sync)>,
    ) -> (Vec<PointAggregate>, Option<Vec<PointAggregate>>) {
        with_threads(threads, || {
            let mut total = self.new_curves();
            let block_trials = self.engine.block_trials();
            let wave_trials = block_trials * WAVE_BLOCKS;
            let mut wave_start = 0;
            while wave_start < trials && !self.cancel.requested() {
                let wave_end = (wave_start + wave_trials).min(trials);
                // Blocks check for cancellation before every trial (re-runs of slow trials make
                // long waves); a cancelled curve is never returned by `plan`.
                let blocks: Vec<Curves> = (0..(wave_end - wave_start).div_ceil(block_trials))
                    .into_par_iter()
                    .map_init(Records::default, |records, block| {
                        let first = wave_start + block * block_trials;
                        let end = (first + block_trials).min(wave_end);
                        self.run_block(first, end, records)
                    })
                    .collect();
                for block in &blocks {
                    total += block;
                }
                wave_start = wave_end;
                if let Some(progress) = progress {
                    progress(wave_start);
                }
            }
            (
                total.own.finish(),
                total.fallback.map(CurveAggregate::finish),
            )
        })
    }
}
