//! Two-state spot capacity: periods with capacity ("available") and without ("unavailable")
//! alternate, each sojourn drawn independently — exponential (a continuous-time Markov chain)
//! or Weibull (a semi-Markov, alternating renewal process).
//!
//! This is the shape of the availability traces in `../shared/data/traces/`: a p3.2xlarge
//! zone flips between "a spot instance can be had" and "it cannot", and a job that holds
//! capacity loses it when the zone flips. Downtime after a preemption has median ≈ 0.5 h and
//! mean ≈ 1.2 h on those traces, and lifetimes are Weibull with shape ≈ 0.62, scale ≈ 1.4 h
//! (reference `sagemaker-managed-spot.md` §8) — hence the Weibull option.
//!
//! Keys (both required), each an inline table:
//! * `available = { mean = "2h" }` (exponential) or `{ shape = 0.62, scale = "1.4h" }` (Weibull):
//!   how long capacity lasts once there;
//! * `unavailable = { mean = "1h" }` or `{ shape = …, scale = … }`: how long it stays away.
//!
//! The process starts at t = 0 (CreationTime) in the available state with the stationary
//! probability `E[available] / (E[available] + E[unavailable])`, and its first sojourn is drawn
//! fresh from the state's distribution. For exponential sojourns that is exactly the stationary
//! process (memorylessness). For Weibull sojourns it is a simplification: the stationary
//! process would start with a *residual* sojourn (length-biased), which for shapes below 1 is
//! longer on average than a fresh one.
//!
//! The job acquires capacity only inside an available period — at once if it asks inside one,
//! otherwise at the start of the next — and loses it when that period ends. Provisioning, the
//! uptime clock and everything else then run as in the other models.
//!
//! A gang of N instances: the periods model the capacity of the *whole gang* (N instances
//! obtainable together), not N independent instances, so `instance_count` does not change the
//! process. Fit the periods to the gang size you run (the 4-node and 16-node traces in the
//! shared data are such gang-level observations).
//!
//! Randomness: the initial state and the unavailable sojourns come from the capacity-wait
//! stream, the available sojourns from the uptime stream, one uniform each, by inversion. The
//! per-trial position in the process (current state, its end, periods drawn) lives in
//! [`MarketState`].

use super::distribution::Sojourn;
use super::{Capacity, Market, MarketContext, MarketState};
use crate::error::InputError;
use crate::random::{TrialRng, unit_open_closed};
use crate::units::keys::Keys;

/// Keys of `[market]` this model reads.
pub const KEYS: &[&str] = &["available", "unavailable"];

/// Alternating available / unavailable periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Markov {
    /// Length of a period with capacity.
    pub available: Sojourn,
    /// Length of a period without capacity.
    pub unavailable: Sojourn,
    /// Long-run fraction of time with capacity, `E[A] / (E[A] + E[U])`.
    pub stationary_available: f64,
}

pub(super) fn build(keys: &mut Keys, _: &MarketContext) -> Result<Box<dyn Market>, InputError> {
    let available = Sojourn::required(keys, "available", "markov")?;
    let unavailable = Sojourn::required(keys, "unavailable", "markov")?;
    let (up, down) = (available.mean_seconds(), unavailable.mean_seconds());
    if !(up.is_finite() && down.is_finite()) {
        return Err(keys.error(
            "available",
            "the mean sojourns must be finite (a Weibull shape this small has no usable mean)",
        ));
    }
    Ok(Box::new(Markov {
        available,
        unavailable,
        stationary_available: up / (up + down),
    }))
}

impl Markov {
    /// Moves to the next period, which starts when the current one ends.
    #[inline]
    fn advance(&self, state: &mut MarketState, rng: &mut TrialRng) {
        state.period_available = !state.period_available;
        let length = if state.period_available {
            self.available
                .from_survival(unit_open_closed(&mut rng.uptime))
        } else {
            self.unavailable
                .from_survival(unit_open_closed(&mut rng.capacity_wait))
        };
        state.period_end_seconds += length;
        state.cursor += 1;
    }
}

impl Market for Markov {
    fn model(&self) -> &'static str {
        "markov"
    }

    fn next_capacity(
        &self,
        now: f64,
        state: &mut MarketState,
        rng: &mut TrialRng,
    ) -> Option<Capacity> {
        // `cursor` counts the periods drawn so far; 0 = this trial has not started the process.
        if state.cursor == 0 {
            // P(U ≤ p) = p for U uniform on (0, 1]. `advance` flips the state, so start from
            // the opposite one at t = 0.
            let starts_available =
                unit_open_closed(&mut rng.capacity_wait) <= self.stationary_available;
            state.period_available = !starts_available;
            state.period_end_seconds = 0.0;
            self.advance(state, rng);
        }
        // The current period began no later than `now` (requests only move forward in time):
        // if it has capacity, take it at once.
        if state.period_available && state.period_end_seconds > now {
            return Some(Capacity {
                acquired_seconds: now,
                lost_seconds: state.period_end_seconds,
            });
        }
        loop {
            let start = state.period_end_seconds;
            self.advance(state, rng);
            // Skip periods that are over, and empty ones (a zero draw, probability 2⁻⁵³).
            if state.period_available && state.period_end_seconds > now.max(start) {
                return Some(Capacity {
                    acquired_seconds: now.max(start),
                    lost_seconds: state.period_end_seconds,
                });
            }
        }
    }

    fn mean_uptime_seconds(&self) -> Option<f64> {
        Some(self.available.mean_seconds())
    }

    fn resolved(&self) -> toml::Table {
        let mut table = toml::Table::new();
        table.insert("available".into(), self.available.to_value());
        table.insert("unavailable".into(), self.unavailable.to_value());
        table
    }
}
