//! The engine: one trial in, one outcome (and, when asked, its status timeline) out.
//!
//! [`Simulator`] is the one seam between a clock and everything that runs trials (Monte Carlo,
//! the planner, `describe`, the bench): run trial k with a recorder, say how many trials make
//! a block of parallel work, whether a trial's path depends on MaxWait, and what no trial can
//! exceed. Two clocks implement it: [`continuous`] is the event loop of the continuous clock,
//! which finds the first of completion, MaxWait, MaxRuntime or a loss of capacity
//! arithmetically per attempt; [`tick_clock`] runs the tick clock's reference simulator
//! ([`crate::tick`]) on windows of a trace. Both report the same [`TrialOutcome`] and status
//! transitions to a [`Recorder`]. [`Engine`] is the scenario's clock choice compiled: the
//! commands build one and talk to it through [`Simulator`] only.

mod attempt;
pub mod continuous;
mod outcome;
pub mod tick_clock;
pub mod timeline;

pub use continuous::{BLOCK_TRIALS, ContinuousEngine, SpotRecord};
pub use outcome::{Outcome, TrialLimits, TrialOutcome};
pub use tick_clock::{TICK_BLOCK_TRIALS, TickEngine};
pub use timeline::{HeldPeriod, NoTimeline, Recorder, Timeline, Transition};

/// The shortest wall clock in which the scenario's job can be done on the continuous clock:
/// provisioning, then download, training with its checkpoint writes and upload, with capacity
/// at once and never lost. No option, MaxWait or policy finishes sooner, so a deadline below it
/// cannot be met.
pub fn shortest_job_seconds(scenario: &crate::scenario::Scenario) -> f64 {
    scenario.workload.provisioning_seconds + attempt::uninterrupted_seconds(scenario)
}

use crate::scenario::{Clock, Scenario};

/// The earlier of two instants, or the lesser of two durations, of a trial: one `minsd`, where
/// `f64::min` also handles NaN. An engine quantity is never NaN (sums of finite draws and
/// constants, or +∞ for "never") nor −0.0 (no addition of a positive term leaves one), so
/// the two agree bit for bit.
#[inline(always)]
pub(crate) fn earlier(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The later of two instants, or the greater of two durations; see [`earlier`].
#[inline(always)]
pub(crate) fn later(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// A clock: what runs trials. Trial `k` depends only on (seed, k).
pub trait Simulator: Clone + Send + Sync {
    /// Runs trial `trial`, reporting each status transition (and held period) to `recorder`.
    fn run_recorded<R: Recorder>(&self, trial: u64, recorder: &mut R) -> TrialOutcome;

    /// Runs trial `trial` without recording its timeline.
    #[inline(always)]
    fn run(&self, trial: u64) -> TrialOutcome {
        self.run_recorded(trial, &mut NoTimeline)
    }

    /// Runs trial `trial` and returns its timeline too.
    fn run_with_timeline(&self, trial: u64) -> (TrialOutcome, Timeline) {
        let mut timeline = Timeline::default();
        let outcome = self.run_recorded(trial, &mut timeline);
        (outcome, timeline)
    }

    /// Trials per block of parallel work (and, times [`crate::montecarlo::WAVE_BLOCKS`], per
    /// wave). Aggregates merge exactly, so the block size never changes a summary.
    fn block_trials(&self) -> u64;

    /// Whether a trial's path (when capacity comes, what is held, what is lost) may depend on
    /// MaxWait other than by being cut off at it; if not, a planner may read every MaxWait off
    /// one run with the largest, through the held periods reported to a recorder.
    fn path_depends_on_max_wait(&self) -> bool;

    /// Whether a trial is a spot job whose path MaxWait only truncates, followed — when MaxWait
    /// stops it — by a fallback job on on-demand capacity (`spot-then-on-demand`). A planner
    /// may then read every switch time off one run with the largest MaxWait for the trials the
    /// spot job settles (completes, fails or exceeds MaxRuntime) before it, and needs a run per
    /// switch time only where the spot job is still running at it.
    fn on_demand_after_truncated_spot(&self) -> bool {
        false
    }

    /// For a trial of such a job, its run with the largest MaxWait kept in `record`: the trial
    /// at each switch time of `switch_seconds` (ascending, all before its spot job completed,
    /// failed or exceeded MaxRuntime in that run), reported to `each` with the switch time's
    /// index — exactly what a run with that MaxWait gives, without running the spot job again.
    /// `false`, with nothing reported, when the clock cannot rebuild the trial exactly.
    fn fallbacks(
        &self,
        trial: u64,
        record: &SpotRecord,
        switch_seconds: &[f64],
        each: impl FnMut(usize, TrialOutcome),
    ) -> bool {
        let _ = (trial, record, switch_seconds, each);
        false
    }

    /// Whether [`Simulator::fallbacks`] rebuilds this clock's trials; implies
    /// [`Simulator::on_demand_after_truncated_spot`] (when it does not, a planner runs every trial
    /// again at each switch time the spot job is still running at).
    fn rebuilds_fallbacks(&self) -> bool {
        false
    }

    /// Whether MaxWait is what stops a trial that has not completed, so that a planner can
    /// trade it off. The tick clock stops a trial at its deadline, which validation keeps
    /// within MaxWait: a MaxWait grid would only repeat one row.
    fn max_wait_stops_trials(&self) -> bool;

    /// The MaxWait deadline trials run against (∞ for on-demand jobs).
    fn max_wait_seconds(&self) -> f64;

    /// The job's deadline (`[job] deadline`, seconds after CreationTime) that summaries count
    /// Completed trials against; it stops nothing (reference §9).
    fn deadline_seconds(&self) -> Option<f64>;

    /// The same simulator with another MaxWait deadline (the planner's grid).
    fn with_max_wait(self, max_wait_seconds: f64) -> Self;

    /// What no trial can exceed.
    fn trial_limits(&self) -> TrialLimits;

    /// The seed trials draw from.
    fn seed(&self) -> u64;

    /// The same simulator with another seed.
    fn with_seed(self, seed: u64) -> Self;

    /// The job's `instance_count` as a multiplier of per-instance prices.
    fn instance_count(&self) -> f64;

    /// Cost of the same job on on-demand instances without interruptions.
    fn on_demand_cost_usd(&self, on_demand_per_hour: f64) -> f64;

    /// A rough upper estimate of the attempts (units of work) of one trial, for the long-run
    /// warning.
    fn attempts_per_trial_estimate(&self) -> f64;
}

/// The scenario's clock, compiled.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "built once per run and read by every trial: a box would add an indirection to each"
)]
pub enum Engine {
    /// `[simulation] clock = "continuous"`.
    Continuous(ContinuousEngine),
    /// `[simulation] clock = "tick"`.
    Tick(TickEngine),
}

impl Engine {
    /// Compiles a scenario's clock.
    ///
    /// # Panics
    ///
    /// If the scenario still needs its prepare step ([`crate::montecarlo::prepare`]): an
    /// `optimal` checkpoint interval not searched yet.
    pub fn new(scenario: &Scenario) -> Self {
        assert!(
            scenario.checkpoint.policy.is_resolved(),
            "scenario \"{}\": call spotsim::montecarlo::prepare before building an engine (checkpoint policy \"optimal\" is not searched yet)",
            scenario.name
        );
        match &scenario.clock {
            Clock::Continuous(policy) => {
                Engine::Continuous(ContinuousEngine::new(scenario, policy.clone()))
            }
            Clock::Tick(spec) => Engine::Tick(TickEngine::new(scenario, spec.clone())),
        }
    }
}

/// Forwards a [`Simulator`] method to the clock.
macro_rules! each_clock {
    ($self:expr, $engine:ident => $call:expr) => {
        match $self {
            Engine::Continuous($engine) => $call,
            Engine::Tick($engine) => $call,
        }
    };
}

impl Simulator for Engine {
    #[inline(always)]
    fn run_recorded<R: Recorder>(&self, trial: u64, recorder: &mut R) -> TrialOutcome {
        each_clock!(self, e => e.run_recorded(trial, recorder))
    }
    fn block_trials(&self) -> u64 {
        each_clock!(self, e => e.block_trials())
    }
    fn path_depends_on_max_wait(&self) -> bool {
        each_clock!(self, e => e.path_depends_on_max_wait())
    }
    fn max_wait_stops_trials(&self) -> bool {
        each_clock!(self, e => e.max_wait_stops_trials())
    }
    fn on_demand_after_truncated_spot(&self) -> bool {
        each_clock!(self, e => e.on_demand_after_truncated_spot())
    }
    fn fallbacks(
        &self,
        trial: u64,
        record: &SpotRecord,
        switch_seconds: &[f64],
        each: impl FnMut(usize, TrialOutcome),
    ) -> bool {
        each_clock!(self, e => e.fallbacks(trial, record, switch_seconds, each))
    }
    fn rebuilds_fallbacks(&self) -> bool {
        each_clock!(self, e => e.rebuilds_fallbacks())
    }
    fn max_wait_seconds(&self) -> f64 {
        each_clock!(self, e => e.max_wait_seconds())
    }
    fn deadline_seconds(&self) -> Option<f64> {
        each_clock!(self, e => e.deadline_seconds())
    }
    fn with_max_wait(self, max_wait_seconds: f64) -> Self {
        match self {
            Engine::Continuous(e) => Engine::Continuous(e.with_max_wait(max_wait_seconds)),
            Engine::Tick(e) => Engine::Tick(e.with_max_wait(max_wait_seconds)),
        }
    }
    fn trial_limits(&self) -> TrialLimits {
        each_clock!(self, e => e.trial_limits())
    }
    fn seed(&self) -> u64 {
        each_clock!(self, e => e.seed())
    }
    fn with_seed(self, seed: u64) -> Self {
        match self {
            Engine::Continuous(e) => Engine::Continuous(e.with_seed(seed)),
            Engine::Tick(e) => Engine::Tick(e.with_seed(seed)),
        }
    }
    fn instance_count(&self) -> f64 {
        each_clock!(self, e => e.instance_count())
    }
    fn on_demand_cost_usd(&self, on_demand_per_hour: f64) -> f64 {
        each_clock!(self, e => e.on_demand_cost_usd(on_demand_per_hour))
    }
    fn attempts_per_trial_estimate(&self) -> f64 {
        each_clock!(self, e => e.attempts_per_trial_estimate())
    }
}
