//! Log-normal spot market: each instance's uptime is LogNormal(mu, sigma), i.e. `ln T` is
//! Normal(mu, sigma²); capacity waits are exponential.
//!
//! The log-normal is the other common fit for heavy-tailed machine lifetimes: its hazard rises
//! and then falls, so instances that survive their first hour tend to keep running. It is
//! given by its median `e^mu` (more robust to quote from a trace than the mean) and `sigma`.
//! To match the measured p3.2xlarge median of ≈ 0.78 h (reference `sagemaker-managed-spot.md`
//! §8) use `median_uptime = "47m"`; `sigma ≈ 1` gives a mean of `e^(mu + sigma²/2)` ≈ 1.3 h.
//!
//! Keys: `median_uptime` (duration > 0, required), `sigma` (number > 0, required),
//! `mean_capacity_wait` (duration, default 0 = capacity is always there at once).
//!
//! A gang of N instances holds capacity for the minimum of N i.i.d. uptimes, whose survival is
//! `S(t)^N`. It is drawn by inversion of that survival with one uniform `u` per acquisition
//! from the uptime stream (common random numbers): `S(t) = u^(1/N)`, so
//! `t = F⁻¹(1 − u^(1/N)) = exp(mu + sigma·Φ⁻¹(1 − u^(1/N)))`, with the normal quantile taken in
//! whichever tail keeps full precision. The capacity wait is one exponential wait for the whole
//! gang, and each acquisition draws a fresh uptime.

use super::distribution::{
    lognormal_min_from_survival, lognormal_min_mean, required_positive_duration,
    required_positive_number,
};
use super::exponential::seconds_value;
use super::{Capacity, Market, MarketContext, MarketState};
use crate::error::InputError;
use crate::random::{TrialRng, exponential, unit_open_closed};
use crate::units::keys::Keys;

/// Keys of `[market]` this model reads.
pub const KEYS: &[&str] = &["median_uptime", "sigma", "mean_capacity_wait"];

/// Log-normal uptimes, exponential capacity waits.
#[derive(Debug, Clone, PartialEq)]
pub struct LogNormal {
    /// Median uptime of one instance, `e^mu` (seconds).
    pub median_uptime_seconds: f64,
    /// Standard deviation of the log uptime.
    pub sigma: f64,
    /// Mean wait for capacity (0 = immediate).
    pub mean_capacity_wait_seconds: f64,
    /// Instances in the gang.
    pub instance_count: u32,
    /// `mu = ln(median)`.
    mu: f64,
    /// Mean uptime of the gang (computed once).
    gang_mean_seconds: f64,
}

pub(super) fn build(
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<Box<dyn Market>, InputError> {
    let median_uptime_seconds = required_positive_duration(keys, "median_uptime", "lognormal")?;
    let sigma = required_positive_number(keys, "sigma", "lognormal", "1.0")?;
    if sigma > 10.0 {
        // e^(sigma²/2) overflows the mean long before this matters to anyone.
        return Err(keys.error(
            "sigma",
            format!("expected at most 10 (measured lifetimes have sigma ≈ 1), got {sigma}"),
        ));
    }
    let mean_capacity_wait_seconds = keys.duration("mean_capacity_wait")?.unwrap_or(0.0);
    let instance_count = context.instance_count.max(1);
    let mu = median_uptime_seconds.ln();
    Ok(Box::new(LogNormal {
        median_uptime_seconds,
        sigma,
        mean_capacity_wait_seconds,
        instance_count,
        mu,
        gang_mean_seconds: lognormal_min_mean(instance_count, mu, sigma),
    }))
}

impl Market for LogNormal {
    fn model(&self) -> &'static str {
        "lognormal"
    }

    #[inline]
    fn next_capacity(&self, now: f64, _: &mut MarketState, rng: &mut TrialRng) -> Option<Capacity> {
        let acquired_seconds =
            now + exponential(&mut rng.capacity_wait, self.mean_capacity_wait_seconds);
        let uptime = lognormal_min_from_survival(
            unit_open_closed(&mut rng.uptime),
            self.instance_count,
            self.mu,
            self.sigma,
        );
        Some(Capacity {
            acquired_seconds,
            lost_seconds: acquired_seconds + uptime,
        })
    }

    fn mean_uptime_seconds(&self) -> Option<f64> {
        Some(self.gang_mean_seconds)
    }

    fn resolved(&self) -> toml::Table {
        let mut table = toml::Table::new();
        table.insert(
            "median_uptime".into(),
            seconds_value(self.median_uptime_seconds),
        );
        table.insert("sigma".into(), toml::Value::Float(self.sigma));
        table.insert(
            "mean_capacity_wait".into(),
            seconds_value(self.mean_capacity_wait_seconds),
        );
        table
    }
}
