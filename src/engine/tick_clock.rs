//! The tick clock (`[simulation] clock = "tick"`): a trial is one window of a replayed trace,
//! simulated per whole tick exactly as the Can't Be Late reference simulator does
//! ([`crate::tick`]), with a deadline-aware policy. The trial's outcome goes into the same
//! aggregates and reports as the continuous clock's.
//!
//! On a stochastic market (any model but `trace`) each trial first samples its own spot
//! availability: the market's capacity periods one after another from time 0 (a capacity wait,
//! an uptime, a capacity wait …, exactly the draws a job that re-requests capacity at once
//! would see), read at each tick instant `i·tick`. Every policy of a run sees the same sample
//! for the same trial (common random numbers), and `omniscient` knows it whole.
//!
//! The reference judges a job at the first observation at or after its deadline, so a run it
//! reports done can end after the deadline when the tick does not divide it. Here a trial is
//! Completed only when it is observed done by its limits (the deadline, and MaxWait when the
//! planner sets a smaller one); otherwise it stops at the limit and reports what it held, paid
//! and was credited with before it. Scenario validation accepts only deadlines the tick grid
//! can keep, so this rule is a guarantee rather than a correction.

use super::{Outcome, Recorder, TrialOutcome};
use crate::market::{Market, MarketState};
use crate::random::{Stream, TrialRng};
use crate::sagemaker::SecondaryStatus;
use crate::tick::{self, Instance, TickInput, TickPolicy, TickResult};
use std::borrow::Cow;
use std::sync::Arc;

/// Tick-clock policies: the reference simulator's plus the omniscient lower bound.
pub const TICK_POLICIES: &[&str] = &[
    "uniform-progress",
    "greedy",
    "on-demand",
    "rc-threshold",
    "omniscient",
];

/// Where each tick-clock trial starts in the trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TickStart {
    /// The same start offset for every trial, hours (converted with `ceil` as the reference does).
    Fixed(f64),
    /// A uniformly random start row per trial that keeps the whole window inside the trace.
    Random,
}

/// Where the spot availability of a tick-clock trial comes from.
#[derive(Debug, Clone)]
pub enum TickAvailability {
    /// A replayed trace: `true` = spot not available at this row (the reference's internal
    /// convention).
    Trace(Vec<bool>),
    /// A stochastic market sampled per trial at the instants `i·tick`, `rows` ticks long.
    Sampled {
        /// The capacity model.
        market: Arc<dyn Market>,
        /// Ticks per window: the deadline's ticks and one more (the observation at R).
        rows: usize,
    },
}

/// The spot availability of one trial of `market` at the instants `i·gap`, `i < rows`:
/// `true` = not available. Capacity periods `[acquired, lost)` follow one another from time 0.
pub fn sample_preempted(
    market: &dyn Market,
    rows: usize,
    gap_seconds: f64,
    seed: u64,
    trial: u64,
) -> Vec<bool> {
    let mut rng = TrialRng::new(seed, trial);
    let mut state = MarketState::default();
    let mut preempted = vec![true; rows];
    let end = rows as f64 * gap_seconds;
    let mut now = 0.0_f64;
    while now < end {
        let Some(capacity) = market.next_capacity(now, &mut state, &mut rng) else {
            break;
        };
        let first = (capacity.acquired_seconds / gap_seconds).ceil();
        // Rows i with i·gap < lost.
        let past = (capacity.lost_seconds / gap_seconds)
            .ceil()
            .min(rows as f64);
        if first < past {
            preempted[first as usize..past as usize].fill(false);
        }
        // An empty period at `now` must not stall the walk.
        now = capacity.lost_seconds.max(now.next_up());
    }
    preempted
}

/// The trace, prices and job of a tick-clock scenario.
#[derive(Debug, Clone)]
pub struct TickClock {
    /// The spot availability: a replayed trace or a sampled market.
    pub availability: TickAvailability,
    /// Tick length, seconds.
    pub gap_seconds: f64,
    /// Per-row spot prices, or none for a constant price.
    pub spot_prices: Option<Vec<f64>>,
    /// Constant spot price when there are no per-row prices.
    pub spot_per_hour: f64,
    /// On-demand price.
    pub on_demand_per_hour: f64,
    /// C: compute needed, seconds.
    pub compute_seconds: f64,
    /// R: deadline after the start, seconds (also the window).
    pub deadline_seconds: f64,
    /// d: changeover overhead, seconds.
    pub overhead_seconds: f64,
    /// Start offset rule.
    pub start: TickStart,
    /// Policy name (one of [`TICK_POLICIES`]).
    pub policy: String,
    /// Instances (cost multiplier).
    pub instance_count: f64,
}

impl TickClock {
    /// R in hours, as the reference simulator takes it.
    pub fn deadline_h(&self) -> f64 {
        self.deadline_seconds / 3600.0
    }

    /// Start hours of trial `trial`.
    pub fn start_hours(&self, seed: u64, trial: u64) -> f64 {
        let TickAvailability::Trace(preempted) = &self.availability else {
            return 0.0;
        };
        match self.start {
            TickStart::Fixed(hours) => hours,
            TickStart::Random => {
                let window = (self.deadline_h() * 3600.0 / self.gap_seconds).ceil() as usize;
                // The last spot interval of a window reads the price one row later (spec §8).
                let last_start = preempted.len().saturating_sub(window + 1);
                let rng = TrialRng::new(seed, trial);
                let u = 1.0 - crate::random::unit_open_closed(&mut rng.stream(Stream::TraceStart));
                let row = ((u * (last_start + 1) as f64) as usize).min(last_start);
                // Half a row before `row`, so that the reference's `ceil` lands on it.
                if row == 0 {
                    0.0
                } else {
                    (row as f64 - 0.5) * self.gap_seconds / 3600.0
                }
            }
        }
    }

    /// The spot availability trial `trial` sees: the trace, or its own sample of the market.
    pub fn preempted(&self, seed: u64, trial: u64) -> Cow<'_, [bool]> {
        match &self.availability {
            TickAvailability::Trace(preempted) => Cow::Borrowed(preempted),
            TickAvailability::Sampled { market, rows } => Cow::Owned(sample_preempted(
                market.as_ref(),
                *rows,
                self.gap_seconds,
                seed,
                trial,
            )),
        }
    }

    /// The reference simulator's input for a window of `preempted` starting at `start_h`.
    pub fn input<'a>(&'a self, preempted: &'a [bool], start_h: f64) -> TickInput<'a> {
        TickInput {
            preempted,
            gap_seconds: self.gap_seconds,
            spot_price: match &self.spot_prices {
                Some(prices) => tick::SpotPrice::PerTick(prices),
                None => tick::SpotPrice::Constant(self.spot_per_hour),
            },
            on_demand_price: self.on_demand_per_hour,
            compute_h: self.compute_seconds / 3600.0,
            deadline_h: self.deadline_h(),
            overhead_h: self.overhead_seconds / 3600.0,
            start_h,
            window_h: Some(self.deadline_h()),
        }
    }

    /// Runs trial `trial`: one window under the policy, stopped at `max_wait_seconds` when that
    /// comes before the deadline (the planner tries MaxWait values below it).
    ///
    /// The reference simulator observes the job once per tick, so a job it reports done at an
    /// observation past a limit did not finish by that limit: the trial is then stopped at the
    /// limit, having paid for and been credited with what it held before it. Scenario
    /// validation makes the deadline a whole number of ticks, at most MaxWait and MaxRuntime,
    /// and at least training + changeover, so on the observation grid a completion is never
    /// late; this rule is what guarantees it.
    pub fn run<R: Recorder>(
        &self,
        seed: u64,
        trial: u64,
        max_wait_seconds: f64,
        recorder: &mut R,
    ) -> TrialOutcome {
        let preempted = self.preempted(seed, trial);
        let input = self.input(&preempted, self.start_hours(seed, trial));
        let limit = self.deadline_seconds.min(max_wait_seconds);
        match self.window(&input) {
            Ok(window) if !window.infeasible => self.settle(&window, limit, recorder),
            // Validation rejects infeasible jobs and keeps windows inside the trace; what is
            // left is the omniscient search finding no schedule that meets the deadline, whose
            // cheapest course is to hold nothing until the stop.
            _ => self.settle(&TickResult::default(), limit, recorder),
        }
    }

    /// The policy's run of one window, up to completion or the deadline observation.
    fn window(&self, input: &TickInput<'_>) -> Result<TickResult, tick::TickError> {
        if self.policy == "omniscient" {
            let best = tick::omniscient(input, true)?;
            // Replayed through the simulator, the schedule bills exactly the omniscient cost
            // and gives the per-tick record a stop needs.
            let mut scripted = tick::policies::Scripted {
                schedule: best.schedule.unwrap_or_default(),
            };
            return tick::run_to_deadline(input, &mut scripted, false);
        }
        let mut policy: Box<dyn TickPolicy + Send> = tick::policies::policy_by_name(&self.policy)
            .unwrap_or_else(|| Box::new(tick::policies::UniformProgress));
        tick::run_to_deadline(input, policy.as_mut(), false)
    }

    /// The trial's outcome: Completed when the run was observed done by `limit_seconds`,
    /// otherwise stopped (MaxWaitTimeExceeded) at `limit_seconds`, billed and credited for the
    /// ticks before it (a tick the stop cuts is billed pro rata: the instance is released).
    /// The status timeline: Starting while idle, Training while an instance runs, Interrupted
    /// when a running spot is lost at a tick boundary.
    fn settle<R: Recorder>(
        &self,
        run: &TickResult,
        limit_seconds: f64,
        recorder: &mut R,
    ) -> TrialOutcome {
        let gap = self.gap_seconds;
        // Observations are at t·gap, a product of floats: one within 1e-9 of a tick of the
        // limit is at the limit.
        let last_observation = (limit_seconds / gap + 1e-9).floor();
        let completed =
            !run.deadline_exceeded && !run.hist.is_empty() && run.t_done as f64 <= last_observation;
        let (end, whole_ticks) = if completed {
            (run.completion_seconds.min(limit_seconds), run.t_done)
        } else {
            (limit_seconds, last_observation as usize)
        };
        let (mut held, mut cost, mut on_demand_held, mut credited) = (0.0, 0.0, 0.0, 0.0);
        let (mut interruptions, mut previous, mut first_held) = (0u32, Instance::Idle, None);
        recorder.enter(
            0.0,
            SecondaryStatus::Starting,
            SecondaryStatus::Starting.default_message(),
        );
        for (i, &instance) in run.hist.iter().enumerate().skip(1) {
            let at = (i - 1) as f64 * gap;
            // The interval [i-1, i), or the part of it before the stop.
            let whole = i <= whole_ticks;
            let length = if whole { gap } else { end - at };
            if !whole && length <= 1e-9 * gap {
                break;
            }
            if instance != Instance::Idle {
                held += length;
                cost += run.tick_costs[i] * (length / gap);
                first_held.get_or_insert(at);
            }
            if instance == Instance::OnDemand {
                on_demand_held += length;
            }
            if whole {
                credited += run.credits[i];
            }
            if previous == Instance::Spot && instance != Instance::Spot {
                interruptions += 1;
                recorder.enter(
                    at,
                    SecondaryStatus::Interrupted,
                    SecondaryStatus::Interrupted.default_message(),
                );
            }
            if instance != previous || (previous == Instance::Spot && instance != Instance::Spot) {
                let status = if instance == Instance::Idle {
                    SecondaryStatus::Starting
                } else {
                    SecondaryStatus::Training
                };
                recorder.enter(at, status, status.default_message());
            }
            previous = instance;
        }
        let (outcome, progress_seconds) = if completed {
            // The reference's own sum, bit for bit (the test vectors are exact).
            cost = run.cost;
            (Outcome::Completed, self.compute_seconds)
        } else {
            recorder.enter(
                end,
                SecondaryStatus::Stopping,
                SecondaryStatus::Stopping.default_message(),
            );
            (Outcome::MaxWaitTimeExceeded, credited)
        };
        recorder.enter(end, outcome.status(), outcome.status().default_message());
        let mut trial = self.outcome(
            outcome,
            end,
            held,
            cost,
            on_demand_held * self.on_demand_per_hour / 3600.0,
            interruptions,
            first_held,
        );
        trial.progress_seconds = progress_seconds;
        trial
    }

    #[allow(clippy::too_many_arguments)]
    fn outcome(
        &self,
        outcome: Outcome,
        wall_clock: f64,
        held: f64,
        cost: f64,
        on_demand_cost: f64,
        interruptions: u32,
        first_held: Option<f64>,
    ) -> TrialOutcome {
        TrialOutcome {
            outcome,
            wall_clock_seconds: wall_clock,
            training_time_seconds: held,
            billable_time_seconds: cost / self.on_demand_per_hour * 3600.0,
            cost_usd: cost * self.instance_count,
            interruptions,
            lost_training_seconds: 0.0,
            checkpoints_written: 0,
            progress_seconds: 0.0,
            capacity_wait_seconds: wall_clock - held,
            training_start_seconds: first_held,
            on_demand_cost_usd: on_demand_cost * self.instance_count,
            fallback_seconds: None,
        }
    }
}
