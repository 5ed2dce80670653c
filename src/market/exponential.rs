//! Memoryless spot market: capacity waits and uptimes are exponential.
//!
//! A gang of N instances that each last Exp(mean_uptime) holds all of them for the minimum of
//! N exponentials, which is Exp(mean_uptime / N): the hazard adds up (N·λ). With
//! `correlation = ρ` a share ρ of each hazard strikes the whole gang at once and the gang lasts
//! Exp(mean_uptime / N_eff), `N_eff = N − (N − 1)·ρ` ([`super::correlation`]). The capacity wait
//! is one wait for the whole gang. Each acquisition draws a fresh uptime, so the uptime clock
//! starts when capacity is acquired (provisioning included).

use super::{Capacity, Market, MarketContext, MarketState, correlation};
use crate::error::InputError;
use crate::random::{TrialRng, exponential};
use crate::units::keys::Keys;

/// Keys of `[market]` this model reads.
pub const KEYS: &[&str] = &["mean_uptime", "mean_capacity_wait", correlation::KEY];

/// Exponential uptimes and capacity waits.
#[derive(Debug, Clone, PartialEq)]
pub struct Exponential {
    /// Mean uptime of one instance.
    pub mean_uptime_seconds: f64,
    /// Mean wait for capacity (0 = immediate).
    pub mean_capacity_wait_seconds: f64,
    /// Instances in the gang.
    pub instance_count: u32,
    /// Common share ρ of each instance's hazard (0 = independent instances).
    pub correlation: f64,
    /// The gang's mean uptime, `mean_uptime / N_eff`.
    gang_mean_seconds: f64,
}

pub(super) fn build(
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<Box<dyn Market>, InputError> {
    let mean_uptime_seconds = keys.required_duration("mean_uptime", "exponential")?;
    if mean_uptime_seconds <= 0.0 {
        return Err(keys.error("mean_uptime", "must be greater than zero"));
    }
    let mean_capacity_wait_seconds = keys.duration("mean_capacity_wait")?.unwrap_or(0.0);
    let correlation = correlation::read(keys)?;
    Ok(Box::new(Exponential {
        mean_uptime_seconds,
        mean_capacity_wait_seconds,
        instance_count: context.instance_count,
        correlation,
        gang_mean_seconds: mean_uptime_seconds
            / correlation::effective_gang_size(context.instance_count, correlation),
    }))
}

impl Exponential {
    /// The next capacity period from `now`: a wait, then an uptime, each from its own stream.
    /// Capacity always comes, so the engine calls this without the `Option` of
    /// [`Market::next_capacity`].
    #[inline]
    pub fn capacity(&self, now: f64, rng: &mut TrialRng) -> Capacity {
        let acquired_seconds =
            now + exponential(&mut rng.capacity_wait, self.mean_capacity_wait_seconds);
        let lost_seconds = acquired_seconds + exponential(&mut rng.uptime, self.gang_mean_seconds);
        Capacity {
            acquired_seconds,
            lost_seconds,
        }
    }
}

impl Market for Exponential {
    fn model(&self) -> &'static str {
        "exponential"
    }

    #[inline]
    fn next_capacity(&self, now: f64, _: &mut MarketState, rng: &mut TrialRng) -> Option<Capacity> {
        Some(self.capacity(now, rng))
    }

    fn as_exponential(&self) -> Option<&Exponential> {
        Some(self)
    }

    fn mean_uptime_seconds(&self) -> Option<f64> {
        Some(self.gang_mean_seconds)
    }

    fn resolved(&self) -> toml::Table {
        let mut table = toml::Table::new();
        table.insert(
            "mean_uptime".into(),
            seconds_value(self.mean_uptime_seconds),
        );
        table.insert(
            "mean_capacity_wait".into(),
            seconds_value(self.mean_capacity_wait_seconds),
        );
        correlation::insert_resolved(&mut table, self.correlation);
        table
    }
}

/// A number of seconds as a TOML value (an integer when whole).
pub fn seconds_value(seconds: f64) -> toml::Value {
    if seconds.fract() == 0.0 && seconds.abs() < 9.0e15 {
        toml::Value::Integer(seconds as i64)
    } else {
        toml::Value::Float(seconds)
    }
}
