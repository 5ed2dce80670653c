//! The tick clock's specification (`[simulation] clock = "tick"`): the trace or sampled market
//! a trial's window reads, the tick, the prices, the job (compute, deadline, changeover) and the
//! deadline policy — and the reference simulator's run of one window ([`TickSpec::window`]).
//! What a window's run means as a SageMaker trial (its outcome, status timeline and limits) is
//! the engine's tick adapter, `crate::engine::tick_clock`.
//!
//! On a stochastic market (any model but `trace`) each trial first samples its own spot
//! availability: the market's capacity periods one after another from time 0 (a capacity wait,
//! an uptime, a capacity wait …, exactly the draws a job that re-requests capacity at once
//! would see), read at each tick instant `i·tick`. Every policy of a run sees the same sample
//! for the same trial (common random numbers), and `omniscient` knows it whole.

use super::policies::TickPolicyChoice;
use super::{TickError, TickInput, TickResult};
use crate::market::price::SpotPrice;
use crate::market::{Market, MarketState};
use crate::random::{Stream, TrialRng};
use std::borrow::Cow;
use std::sync::Arc;

/// `seconds` as the tick clock once passed them to the reference simulator: through hours and
/// back, `(s/3600)·3600`. That differs from `s` in the last bit for about one whole number of
/// seconds in eleven, and can move a start that falls exactly on a tick by one row; every
/// duration of a scenario still takes this path so that runs stay bit-identical to the
/// hour-based inputs the clock had before it counted in seconds.
pub fn hour_rounded(seconds: f64) -> f64 {
    seconds / 3600.0 * 3600.0
}

/// The trace row a fixed start of `start_seconds` begins at (the reference's `ceil`).
pub fn fixed_start_row(start_seconds: f64, gap_seconds: f64) -> usize {
    let start = hour_rounded(start_seconds);
    if start > 0.0 {
        (start / gap_seconds).ceil() as usize
    } else {
        0
    }
}

/// Where each tick-clock trial starts in the trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TickStart {
    /// The same start offset for every trial, seconds (converted with `ceil` as the reference
    /// does: [`fixed_start_row`]).
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
    let mut preempted = Vec::new();
    sample_preempted_into(market, rows, gap_seconds, seed, trial, &mut preempted);
    preempted
}

/// [`sample_preempted`] into `preempted`, whose memory is reused (a thread samples every
/// window it runs into one buffer, so that a trial allocates nothing once it has grown).
pub fn sample_preempted_into(
    market: &dyn Market,
    rows: usize,
    gap_seconds: f64,
    seed: u64,
    trial: u64,
    preempted: &mut Vec<bool>,
) {
    let mut rng = TrialRng::new(seed, trial);
    let mut state = MarketState::default();
    preempted.clear();
    preempted.resize(rows, true);
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
}

/// The trace, prices and job of a tick-clock scenario.
#[derive(Debug, Clone)]
pub struct TickSpec {
    /// The spot availability: a replayed trace or a sampled market.
    pub availability: TickAvailability,
    /// Tick length, seconds.
    pub gap_seconds: f64,
    /// The spot price: a constant, or per-tick prices that follow the trace (one per row).
    pub spot_price: SpotPrice,
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
    /// The deadline policy.
    pub policy: TickPolicyChoice,
    /// Instances (cost multiplier).
    pub instance_count: f64,
}

impl TickSpec {
    /// The start offset of trial `trial` into the trace, seconds.
    pub fn start_seconds(&self, seed: u64, trial: u64) -> f64 {
        let TickAvailability::Trace(preempted) = &self.availability else {
            return 0.0;
        };
        match self.start {
            TickStart::Fixed(seconds) => hour_rounded(seconds),
            TickStart::Random => {
                let window =
                    (hour_rounded(self.deadline_seconds) / self.gap_seconds).ceil() as usize;
                // The last spot interval of a window reads the price one row later (spec §8).
                let last_start = preempted.len().saturating_sub(window + 1);
                let rng = TrialRng::new(seed, trial);
                let u = 1.0 - crate::random::unit_open_closed(&mut rng.stream(Stream::TraceStart));
                let row = ((u * (last_start + 1) as f64) as usize).min(last_start);
                // Half a row before `row`, so that the reference's `ceil` lands on it (half a
                // row from a whole number, the quotient's last bit cannot move it).
                if row == 0 {
                    0.0
                } else {
                    (row as f64 - 0.5) * self.gap_seconds
                }
            }
        }
    }

    /// [`TickSpec::preempted`], a sample written into `buffer` (whose memory is reused).
    pub fn preempted_in<'a>(
        &'a self,
        seed: u64,
        trial: u64,
        buffer: &'a mut Vec<bool>,
    ) -> &'a [bool] {
        match &self.availability {
            TickAvailability::Trace(preempted) => preempted,
            TickAvailability::Sampled { market, rows } => {
                sample_preempted_into(
                    market.as_ref(),
                    *rows,
                    self.gap_seconds,
                    seed,
                    trial,
                    buffer,
                );
                buffer
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

    /// The reference simulator's input for a window of `preempted` starting at
    /// `start_seconds`. The durations take the [`hour_rounded`] path.
    pub fn input<'a>(&'a self, preempted: &'a [bool], start_seconds: f64) -> TickInput<'a> {
        let deadline_seconds = hour_rounded(self.deadline_seconds);
        TickInput {
            preempted,
            gap_seconds: self.gap_seconds,
            spot_price: &self.spot_price,
            on_demand_price: self.on_demand_per_hour,
            compute_seconds: hour_rounded(self.compute_seconds),
            deadline_seconds,
            overhead_seconds: hour_rounded(self.overhead_seconds),
            start_seconds,
            window_seconds: Some(deadline_seconds),
        }
    }

    /// The policy's run of one window, up to completion or the deadline observation, into
    /// `result` (whose per-tick vectors are reused: [`super::run_to_deadline_into`]). A thread
    /// makes the policy once and [prepares](super::TickPolicy::prepare) it for every window it runs:
    /// a boxed policy is an allocation, and the per-trial hot path makes none.
    pub fn window(&self, input: &TickInput<'_>, result: &mut TickResult) -> Result<(), TickError> {
        POLICY.with_borrow_mut(|made| {
            let key = (self.policy.name, self.policy.make as usize);
            let policy = match made {
                Some((name, make, policy)) if (*name, *make) == key => policy,
                _ => &mut made.insert((key.0, key.1, (self.policy.make)())).2,
            };
            policy.prepare(input)?;
            policy.run_window(input, result)
        })
    }
}

/// A made tick policy: its registered name, its constructor's address and the policy.
type MadePolicy = (&'static str, usize, Box<dyn super::TickPolicy + Send>);

thread_local! {
    /// The policy this thread runs its windows under, made when the thread first runs one of
    /// its windows (or one of another policy's).
    static POLICY: std::cell::RefCell<Option<MadePolicy>> = const { std::cell::RefCell::new(None) };
}
