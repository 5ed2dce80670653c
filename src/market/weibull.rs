//! Heavy-tailed spot market: each instance's uptime is Weibull(shape k, scale λ), with
//! survival `S(t) = exp(−(t/λ)^k)`; capacity waits are exponential.
//!
//! Measured GPU spot lifetimes are far from memoryless: p3.2xlarge traces fit k ≈ 0.62,
//! λ ≈ 1.4 h (median ≈ 0.78 h, mean λ·Γ(1 + 1/k) ≈ 2.0 h), reference
//! `sagemaker-managed-spot.md` §8. A shape below 1 means a decreasing hazard: most instances
//! are reclaimed soon after launch, and the ones that survive tend to keep running. Shape 1 is
//! the `exponential` model with `mean_uptime = scale`, draw for draw.
//!
//! Keys: `shape` (number > 0, required), `scale` (duration > 0, required),
//! `mean_capacity_wait` (duration, default 0 = capacity is always there at once),
//! `correlation` (ρ in [0, 1], default 0).
//!
//! A gang of N instances holds capacity for the minimum of N i.i.d. Weibull(k, λ) uptimes,
//! `P(min > t) = exp(−N·(t/λ)^k)`, which is exactly Weibull(k, λ·N^(−1/k)). With
//! `correlation = ρ` (a share ρ of each hazard strikes the whole gang at once,
//! [`super::correlation`]) N becomes `N_eff = N − (N − 1)·ρ`. Uptimes are drawn by
//! inversion, one uniform per acquisition from the uptime stream (common random numbers); the
//! capacity wait is one exponential wait for the whole gang from the capacity-wait stream. Each
//! acquisition draws a fresh uptime: the clock starts when capacity is acquired.

use super::distribution::{
    required_positive_duration, required_positive_number, weibull_from_survival, weibull_mean,
    weibull_mean_checked,
};
use super::exponential::seconds_value;
use super::{Capacity, Market, MarketContext, MarketState, correlation};
use crate::error::InputError;
use crate::random::{TrialRng, exponential, unit_open_closed};
use crate::scenario::keys::Keys;

/// Keys of `[market]` this model reads.
pub const KEYS: &[&str] = &["shape", "scale", "mean_capacity_wait", correlation::KEY];

/// Weibull uptimes, exponential capacity waits.
#[derive(Debug, Clone, PartialEq)]
pub struct Weibull {
    /// Shape k of one instance's uptime.
    pub shape: f64,
    /// Scale λ of one instance's uptime (seconds).
    pub scale_seconds: f64,
    /// Mean wait for capacity (0 = immediate).
    pub mean_capacity_wait_seconds: f64,
    /// Instances in the gang.
    pub instance_count: u32,
    /// Common share ρ of each instance's hazard (0 = independent instances).
    pub correlation: f64,
    /// Scale of the gang's uptime, λ·N_eff^(−1/k).
    gang_scale_seconds: f64,
}

pub(super) fn build(
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<Box<dyn Market>, InputError> {
    let shape = required_positive_number(keys, "shape", "weibull", "0.62")?;
    let scale_seconds = required_positive_duration(keys, "scale", "weibull")?;
    let mean_capacity_wait_seconds = keys.duration("mean_capacity_wait")?.unwrap_or(0.0);
    let correlation = correlation::read(keys)?;
    let instance_count = context.instance_count.max(1);
    let gang_size = correlation::effective_gang_size(instance_count, correlation);
    let gang_scale_seconds = scale_seconds * gang_size.powf(-1.0 / shape);
    weibull_mean_checked(shape, gang_scale_seconds).map_err(|m| {
        let gang = if instance_count > 1 {
            format!(" (for the gang of {instance_count}, whose scale is λ·N_eff^(−1/k))")
        } else {
            String::new()
        };
        keys.error("shape", format!("{m}{gang}"))
    })?;
    Ok(Box::new(Weibull {
        shape,
        scale_seconds,
        mean_capacity_wait_seconds,
        instance_count,
        correlation,
        gang_scale_seconds,
    }))
}

impl Market for Weibull {
    fn model(&self) -> &'static str {
        "weibull"
    }

    #[inline]
    fn next_capacity(&self, now: f64, _: &mut MarketState, rng: &mut TrialRng) -> Option<Capacity> {
        let acquired_seconds =
            now + exponential(&mut rng.capacity_wait, self.mean_capacity_wait_seconds);
        let uptime = weibull_from_survival(
            unit_open_closed(&mut rng.uptime),
            self.shape,
            self.gang_scale_seconds,
        );
        Some(Capacity {
            acquired_seconds,
            lost_seconds: acquired_seconds + uptime,
        })
    }

    fn mean_uptime_seconds(&self) -> Option<f64> {
        Some(weibull_mean(self.shape, self.gang_scale_seconds))
    }

    fn resolved(&self) -> toml::Table {
        let mut table = toml::Table::new();
        table.insert("shape".into(), toml::Value::Float(self.shape));
        table.insert("scale".into(), seconds_value(self.scale_seconds));
        table.insert(
            "mean_capacity_wait".into(),
            seconds_value(self.mean_capacity_wait_seconds),
        );
        correlation::insert_resolved(&mut table, self.correlation);
        table
    }
}
