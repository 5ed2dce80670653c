//! The tick clock (`[simulation] clock = "tick"`): a trial is one window of a replayed trace,
//! simulated per whole tick exactly as the Can't Be Late reference simulator does
//! ([`crate::tick`]), with a deadline-aware policy. The trial's outcome goes into the same
//! aggregates and reports as the continuous clock's.
//!
//! The reference judges a job at the first observation at or after its deadline, so a run it
//! reports done can end after the deadline when the tick does not divide it. Here a trial is
//! Completed only when it is observed done by its limits (the deadline, and MaxWait when the
//! planner sets a smaller one); otherwise it stops at the limit and reports what it held, paid
//! and was credited with before it. Scenario validation accepts only deadlines the tick grid
//! can keep, so this rule is a guarantee rather than a correction.

//!
//! [`TickEngine`] is the tick clock's [`Simulator`]: it owns the [`TickSpec`] (the pure
//! specification and reference simulator, `crate::tick::clock`), the seed and the MaxWait the
//! planner may set below the deadline.

use super::attempt::uninterrupted_seconds;
use super::{Outcome, Recorder, Simulator, TrialLimits, TrialOutcome};
use crate::sagemaker::SecondaryStatus;
use crate::sagemaker::billing;
use crate::scenario::Scenario;
use crate::tick::clock::TickSpec;
use crate::tick::{Instance, TickResult};
use std::sync::Arc;

/// Trials per block on the tick clock: its trials take up to tens of milliseconds, so small
/// runs still use every thread and a wave (the unit of progress, interruption and early
/// stopping) stays short.
pub const TICK_BLOCK_TRIALS: u64 = 16;

/// The tick clock as a [`Simulator`].
#[derive(Debug, Clone)]
pub struct TickEngine {
    spec: Arc<TickSpec>,
    seed: u64,
    max_wait_seconds: f64,
    /// The same job on on-demand instances without interruptions, seconds (the reference
    /// cost of reports).
    on_demand_job_seconds: f64,
    /// `[job] deadline` (counted in summaries; the tick clock's own deadline is the policy's).
    deadline: Option<f64>,
}

impl TickEngine {
    /// The tick clock of `scenario`, whose clock choice is `spec`.
    pub fn new(scenario: &Scenario, spec: Arc<TickSpec>) -> Self {
        Self {
            spec,
            seed: scenario.simulation.seed,
            max_wait_seconds: scenario.max_wait_or_infinity(),
            on_demand_job_seconds: uninterrupted_seconds(scenario),
            deadline: scenario.job.deadline_seconds,
        }
    }

    /// The specification it runs.
    pub fn spec(&self) -> &TickSpec {
        &self.spec
    }
}

impl Simulator for TickEngine {
    fn run_recorded<R: Recorder>(&self, trial: u64, recorder: &mut R) -> TrialOutcome {
        run_window(
            &self.spec,
            self.seed,
            trial,
            self.max_wait_seconds,
            recorder,
        )
    }

    fn block_trials(&self) -> u64 {
        TICK_BLOCK_TRIALS
    }

    /// The tick clock does not report billed periods to recorders, so the planner re-runs its
    /// trials at every MaxWait.
    fn path_depends_on_max_wait(&self) -> bool {
        true
    }

    /// A tick trial stops at its deadline ([`TickSpec::deadline_seconds`]), never later
    /// than MaxWait.
    fn max_wait_stops_trials(&self) -> bool {
        false
    }

    fn max_wait_seconds(&self) -> f64 {
        self.max_wait_seconds
    }

    fn deadline_seconds(&self) -> Option<f64> {
        self.deadline
    }

    fn with_max_wait(mut self, max_wait_seconds: f64) -> Self {
        self.max_wait_seconds = max_wait_seconds;
        self
    }

    fn trial_limits(&self) -> TrialLimits {
        let end = Some(self.spec.deadline_seconds.min(self.max_wait_seconds));
        TrialLimits {
            wall_clock_seconds: end,
            completion_seconds: end,
            training_time_seconds: end,
        }
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn instance_count(&self) -> f64 {
        self.spec.instance_count
    }

    fn on_demand_cost_usd(&self, on_demand_per_hour: f64) -> f64 {
        billing::on_demand_usd(
            self.on_demand_job_seconds,
            on_demand_per_hour,
            self.spec.instance_count,
        )
    }

    /// A tick trial walks every tick of its window.
    fn attempts_per_trial_estimate(&self) -> f64 {
        1000.0
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
fn run_window<R: Recorder>(
    spec: &TickSpec,
    seed: u64,
    trial: u64,
    max_wait_seconds: f64,
    recorder: &mut R,
) -> TrialOutcome {
    let limit = spec.deadline_seconds.min(max_wait_seconds);
    SCRATCH.with_borrow_mut(|(sampled, window)| {
        let preempted = spec.preempted_in(seed, trial, sampled);
        let input = spec.input(preempted, spec.start_seconds(seed, trial));
        match spec.window(&input, window) {
            Ok(()) if !window.infeasible => settle(spec, window, limit, recorder),
            // Validation rejects infeasible jobs and keeps windows inside the trace; what is
            // left is the omniscient search finding no schedule that meets the deadline, whose
            // cheapest course is to hold nothing until the stop.
            _ => settle(spec, &TickResult::default(), limit, recorder),
        }
    })
}

thread_local! {
    /// A thread's sampled availability (a sampled market's trials) and the run of the window
    /// it is settling. Their vectors keep their memory from one trial to the next, so that a
    /// trial allocates nothing for them once they have grown to a window's length (the
    /// per-trial hot path does no allocation).
    static SCRATCH: std::cell::RefCell<(Vec<bool>, TickResult)> =
        std::cell::RefCell::new((Vec::new(), TickResult::default()));
}

/// The trial's outcome: Completed when the run was observed done by `limit_seconds`,
/// otherwise stopped (MaxWaitTimeExceeded) at `limit_seconds`, billed and credited for the
/// ticks before it (a tick the stop cuts is billed pro rata: the instance is released).
/// The status timeline: Starting while idle, Training while an instance runs, Interrupted
/// when a running spot is lost at a tick boundary.
fn settle<R: Recorder>(
    spec: &TickSpec,
    run: &TickResult,
    limit_seconds: f64,
    recorder: &mut R,
) -> TrialOutcome {
    let gap = spec.gap_seconds;
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
    // The start of the interval [i-1, i).
    let at = |i: usize| (i - 1) as f64 * gap;
    for (i, &instance) in run.hist.iter().enumerate().skip(1) {
        // The interval [i-1, i), or the part of it before the stop.
        let whole = i <= whole_ticks;
        let length = if whole { gap } else { end - at(i) };
        if !whole && length <= 1e-9 * gap {
            break;
        }
        if instance != Instance::Idle {
            held += length;
            // A completed run reports the reference's own sum (below); a whole tick is
            // billed in full (`gap / gap` is exactly 1).
            if !completed {
                cost += if whole {
                    run.tick_costs[i]
                } else {
                    run.tick_costs[i] * (length / gap)
                };
            }
            if first_held.is_none() {
                first_held = Some(at(i));
            }
        }
        if instance == Instance::OnDemand {
            on_demand_held += length;
        }
        if whole && !completed {
            credited += run.credits[i];
        }
        if previous == Instance::Spot && instance != Instance::Spot {
            interruptions += 1;
            recorder.enter(
                at(i),
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
            recorder.enter(at(i), status, status.default_message());
        }
        previous = instance;
    }
    let (outcome, progress_seconds) = if completed {
        // The reference's own sum, bit for bit (the test vectors are exact).
        cost = run.cost;
        (Outcome::Completed, spec.compute_seconds)
    } else {
        recorder.enter(
            end,
            SecondaryStatus::Stopping,
            SecondaryStatus::Stopping.default_message(),
        );
        (Outcome::MaxWaitTimeExceeded, credited)
    };
    recorder.enter(end, outcome.status(), outcome.status().default_message());
    let mut trial = trial_outcome(
        spec,
        outcome,
        end,
        held,
        cost,
        billing::on_demand_usd(on_demand_held, spec.on_demand_per_hour, 1.0),
        interruptions,
        first_held,
    );
    trial.progress_seconds = progress_seconds;
    trial
}

#[allow(clippy::too_many_arguments)]
fn trial_outcome(
    spec: &TickSpec,
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
        billable_time_seconds: billing::billable_seconds_of_usd(cost, spec.on_demand_per_hour),
        cost_usd: cost * spec.instance_count,
        interruptions,
        lost_training_seconds: 0.0,
        checkpoints_written: 0,
        progress_seconds: 0.0,
        capacity_wait_seconds: wall_clock - held,
        training_start_seconds: first_held,
        on_demand_cost_usd: on_demand_cost * spec.instance_count,
        fallback_seconds: None,
    }
}
