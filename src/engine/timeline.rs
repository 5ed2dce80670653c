//! Recorders: what the engine reports besides a trial's outcome — its status transitions and
//! the periods it held (billed) instances — and a trial's `SecondaryStatusTransitions`,
//! recorded with a bound.
//!
//! A simulation keeps no timeline (the Monte Carlo loop records nothing), but `describe` and the
//! status chart of a report record every transition of a trial. A trial on a market that loses
//! capacity every few milliseconds (a trace that flips every tick, replayed with `wrap = true`)
//! changes status tens of millions of times before MaxWait: recorded in full, that exhausts
//! memory. [`record`] keeps at most [`MAX_RECORDED_TRANSITIONS`] entries and reports a trial
//! that has more instead of returning a truncated timeline.

use super::{Simulator, TrialOutcome};
use crate::sagemaker::SecondaryStatus;

/// Receives status transitions (and, if it wants, billed periods) as the engine produces them.
pub trait Recorder {
    /// The job enters `status` at `at_seconds` (since CreationTime) with `message`.
    fn enter(&mut self, at_seconds: f64, status: SecondaryStatus, message: &'static str);

    /// Instances were held (billed) from `from_seconds` to `to_seconds`, at a price whose
    /// integral over the period is `price_seconds` (USD·s/h per instance). The planner uses
    /// this to know what a trial had cost by any instant.
    #[inline(always)]
    fn held(&mut self, from_seconds: f64, to_seconds: f64, price_seconds: f64) {
        let _ = (from_seconds, to_seconds, price_seconds);
    }

    /// The job asked for capacity at `requested_seconds` and gets it at `acquired_seconds`
    /// (∞: never) until `lost_seconds` (∞: never lost), on the continuous clock. The planner
    /// uses this to rebuild a trial's state at any instant without drawing again.
    #[inline(always)]
    fn capacity(&mut self, requested_seconds: f64, acquired_seconds: f64, lost_seconds: f64) {
        let _ = (requested_seconds, acquired_seconds, lost_seconds);
    }
}

/// A recorder that records nothing (the Monte Carlo hot path).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTimeline;

impl Recorder for NoTimeline {
    #[inline(always)]
    fn enter(&mut self, _: f64, _: SecondaryStatus, _: &'static str) {}
}

/// One status entry of a recorded timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transition {
    /// The status entered.
    pub status: SecondaryStatus,
    /// When it was entered (seconds since CreationTime).
    pub start_seconds: f64,
    /// When it was left (the next entry's start; equal to the start for the terminal entry).
    pub end_seconds: f64,
    /// The status message.
    pub message: &'static str,
}

/// A period during which instances were held (billed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeldPeriod {
    /// Start (seconds since CreationTime).
    pub from_seconds: f64,
    /// End.
    pub to_seconds: f64,
    /// ∫ price dt over the period, USD·s/h per instance (÷ the on-demand price = billable s).
    pub price_seconds: f64,
}

/// A recorder that keeps the whole `SecondaryStatusTransitions` list, and the held periods
/// (so that each job of a trial can be billed on its own).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// Entries in order; contiguous (`end[i] == start[i+1]`).
    pub transitions: Vec<Transition>,
    /// Held periods in order.
    pub held: Vec<HeldPeriod>,
}

impl Recorder for Timeline {
    fn enter(&mut self, at_seconds: f64, status: SecondaryStatus, message: &'static str) {
        if let Some(last) = self.transitions.last_mut() {
            last.end_seconds = at_seconds;
        }
        self.transitions.push(Transition {
            status,
            start_seconds: at_seconds,
            end_seconds: at_seconds,
            message,
        });
    }

    fn held(&mut self, from_seconds: f64, to_seconds: f64, price_seconds: f64) {
        self.held.push(HeldPeriod {
            from_seconds,
            to_seconds,
            price_seconds,
        });
    }
}

impl Timeline {
    /// Total time spent in `status`.
    pub fn seconds_in(&self, status: SecondaryStatus) -> f64 {
        self.transitions
            .iter()
            .filter(|t| t.status == status)
            .map(|t| t.end_seconds - t.start_seconds)
            .sum()
    }
}

/// The most status transitions recorded for one trial: 20,000 interruptions of five entries
/// each, about 4 MB in memory and 15 MB of DescribeTrainingJob JSON.
pub const MAX_RECORDED_TRANSITIONS: usize = 100_000;

/// A trial whose timeline has more than [`MAX_RECORDED_TRANSITIONS`] entries.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error(
    "trial {trial} changes status more than {MAX_RECORDED_TRANSITIONS} times before it ends ({outcome} after {wall_clock_hours:.1} h); describe and the status chart record at most {MAX_RECORDED_TRANSITIONS} transitions per trial"
)]
pub struct TooManyTransitions {
    /// The trial.
    pub trial: u64,
    /// How it ended.
    pub outcome: &'static str,
    /// When it ended.
    pub wall_clock_hours: f64,
}

/// A [`Timeline`] that stops growing at [`MAX_RECORDED_TRANSITIONS`] entries.
#[derive(Debug, Default)]
struct Bounded {
    timeline: Timeline,
    overflowed: bool,
}

impl Recorder for Bounded {
    fn enter(&mut self, at_seconds: f64, status: SecondaryStatus, message: &'static str) {
        if self.timeline.transitions.len() < MAX_RECORDED_TRANSITIONS {
            self.timeline.enter(at_seconds, status, message);
        } else {
            self.overflowed = true;
        }
    }

    /// Held periods are fewer than transitions (each attempt enters Downloading first), so the
    /// transition bound bounds them too.
    fn held(&mut self, from_seconds: f64, to_seconds: f64, price_seconds: f64) {
        if !self.overflowed {
            self.timeline.held(from_seconds, to_seconds, price_seconds);
        }
    }
}

/// Runs `trial` of `engine` and records its timeline, at most [`MAX_RECORDED_TRANSITIONS`]
/// entries of it (the same trial as in a simulation: recording draws nothing).
pub fn record(
    engine: &impl Simulator,
    trial: u64,
) -> Result<(TrialOutcome, Timeline), TooManyTransitions> {
    let mut bounded = Bounded::default();
    let outcome = engine.run_recorded(trial, &mut bounded);
    if bounded.overflowed {
        return Err(TooManyTransitions {
            trial,
            outcome: outcome.outcome.as_str(),
            wall_clock_hours: outcome.wall_clock_seconds / 3600.0,
        });
    }
    Ok((outcome, bounded.timeline))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::scenario::Scenario;

    #[test]
    fn a_bounded_timeline_is_the_full_timeline_below_the_bound() {
        let scenario = Scenario::embedded_default();
        let engine = Engine::new(&scenario);
        for trial in 0..20 {
            let (outcome, timeline) = record(&engine, trial).unwrap();
            assert_eq!((outcome, timeline), engine.run_with_timeline(trial));
        }
    }
}
