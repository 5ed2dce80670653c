//! A trial's `SecondaryStatusTransitions`, recorded with a bound.
//!
//! A simulation keeps no timeline (the Monte Carlo loop records nothing), but `describe` and the
//! status chart of a report record every transition of a trial. A trial on a market that loses
//! capacity every few milliseconds (a trace that flips every tick, replayed with `wrap = true`)
//! changes status tens of millions of times before MaxWait: recorded in full, that exhausts
//! memory. [`record`] keeps at most [`MAX_RECORDED_TRANSITIONS`] entries and reports a trial
//! that has more instead of returning a truncated timeline.

use super::{Engine, Recorder, Timeline, TrialOutcome};
use crate::sagemaker::SecondaryStatus;

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
pub fn record(engine: &Engine, trial: u64) -> Result<(TrialOutcome, Timeline), TooManyTransitions> {
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
