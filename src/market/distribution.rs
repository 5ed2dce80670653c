//! Sampling helpers shared by the stochastic market models, and where the shared data lives.
//!
//! Every draw is by inversion of one uniform `u ∈ (0, 1]` read as a *survival probability*
//! (`u = P(T > t)`), the same direction as [`crate::random::exponential`] (`t = −mean·ln u`).
//! So one uniform gives one uptime in every model, a larger `u` always gives a shorter uptime,
//! and scenario variants that swap one model for another keep common random numbers.

use crate::error::InputError;
use crate::units::keys::{Keys, value_to_seconds};
use statrs::function::erf::{erfc, erfc_inv};
use statrs::function::gamma::gamma;
use std::f64::consts::SQRT_2;
use std::path::PathBuf;

/// The folder of the shared real-world data (`../shared/data`, see its README), found as
/// [`crate::data::shared_data_dir`] finds it (`$SPOTSIM_DATA`, then `../shared/data` from the
/// current directory, then beside the executable's checkout).
pub fn shared_data_dir() -> PathBuf {
    crate::data::shared_data_dir()
}

/// The availability zones of the shared p3.2xlarge spot traces
/// (`traces/aws-p3.2xlarge-2023-02-15/<zone>.csv` under [`shared_data_dir`]).
pub const AWS_P3_ZONES: [&str; 9] = [
    "us-east-1a",
    "us-east-1c",
    "us-east-1d",
    "us-east-1f",
    "us-east-2a",
    "us-east-2b",
    "us-west-2a",
    "us-west-2b",
    "us-west-2c",
];

/// Weibull(shape k, scale λ) at survival probability `u`: `λ·(−ln u)^(1/k)`.
#[inline]
pub fn weibull_from_survival(u: f64, shape: f64, scale_seconds: f64) -> f64 {
    scale_seconds * (-u.ln()).powf(1.0 / shape)
}

/// Mean of Weibull(shape k, scale λ): `λ·Γ(1 + 1/k)`.
pub fn weibull_mean(shape: f64, scale_seconds: f64) -> f64 {
    scale_seconds * gamma(1.0 + 1.0 / shape)
}

/// The mean of Weibull(shape k, scale λ), when it is a usable number: `Γ(1 + 1/k)` overflows
/// for k below about 0.006 (and a gang's scale `λ·N^(−1/k)` underflows to 0 for small k and
/// large N), and a mean of ∞ or 0 would make uptimes, checkpoint intervals and run-time
/// estimates meaningless.
pub fn weibull_mean_checked(shape: f64, scale_seconds: f64) -> Result<f64, String> {
    let mean = weibull_mean(shape, scale_seconds);
    if mean.is_finite() && mean > 0.0 {
        Ok(mean)
    } else {
        Err(format!(
            "shape {shape} gives a mean uptime λ·Γ(1 + 1/k) of {mean} s, not a finite positive number; expected a larger shape (measured GPU lifetimes have k ≈ 0.62)"
        ))
    }
}

/// The standard normal quantile `z` with upper tail `P(Z > z) = survival`, accurate in both
/// tails: pass `survival` and `1 − survival` computed separately (`complement`), and the
/// smaller of the two is inverted.
#[inline]
pub fn normal_upper_quantile(survival: f64, complement: f64) -> f64 {
    // P(Z > z) = erfc(z/√2)/2, so z = √2·erfc⁻¹(2·survival); by symmetry the lower tail is
    // −√2·erfc⁻¹(2·complement). erfc⁻¹ is accurate for arguments near 0, not near 2.
    if survival <= 0.5 {
        SQRT_2 * erfc_inv(2.0 * survival)
    } else {
        -SQRT_2 * erfc_inv(2.0 * complement)
    }
}

/// The minimum of `n` i.i.d. LogNormal(mu, sigma) at survival probability `u`.
///
/// `P(min > t) = S(t)^n`, so `S(t) = u^(1/n)` and `t = exp(mu + sigma·z)` with `z` the normal
/// upper quantile of `u^(1/n)`. `1 − u^(1/n)` is computed as `−expm1(ln u / n)` so that short
/// uptimes (u near 1) keep full precision.
#[inline]
pub fn lognormal_min_from_survival(u: f64, n: u32, mu: f64, sigma: f64) -> f64 {
    let log_survival = u.ln() / f64::from(n);
    let survival = log_survival.exp();
    let complement = -log_survival.exp_m1();
    (mu + sigma * normal_upper_quantile(survival, complement)).exp()
}

/// Mean of the minimum of `n` i.i.d. LogNormal(mu, sigma): `∫₀^∞ S(t)^n dt`.
///
/// `n = 1` is the closed form `exp(mu + sigma²/2)`. Otherwise the integral is taken over
/// `t = exp(mu + sigma·z)`, i.e. `∫ Q(z)^n·sigma·exp(mu + sigma·z) dz` with `Q` the normal upper
/// tail, by Simpson's rule on `[−9, sigma/n + 12]` (beyond, `Q^n` is 1 to double precision on
/// the left, where the integral is `exp(mu − 9·sigma)` in closed form, and negligible on the
/// right).
pub fn lognormal_min_mean(n: u32, mu: f64, sigma: f64) -> f64 {
    if n == 1 {
        return (mu + 0.5 * sigma * sigma).exp();
    }
    lognormal_min_mean_quadrature(n, mu, sigma)
}

fn lognormal_min_mean_quadrature(n: u32, mu: f64, sigma: f64) -> f64 {
    let n_f = f64::from(n);
    let (low, high) = (-9.0, sigma / n_f + 12.0);
    let steps = 20_000;
    let h = (high - low) / f64::from(steps);
    let integrand = |z: f64| {
        let upper_tail = 0.5 * erfc(z / SQRT_2);
        upper_tail.powf(n_f) * sigma * (mu + sigma * z).exp()
    };
    let mut sum = integrand(low) + integrand(high);
    for i in 1..steps {
        let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * integrand(low + f64::from(i) * h);
    }
    (mu + sigma * low).exp() + sum * h / 3.0
}

/// A sojourn-time distribution given in a scenario as an inline table: `{ mean = "2h" }`
/// (exponential) or `{ shape = 0.62, scale = "1.4h" }` (Weibull).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sojourn {
    /// Exponential with this mean.
    Exponential {
        /// Mean sojourn (seconds).
        mean_seconds: f64,
    },
    /// Weibull(shape, scale).
    Weibull {
        /// Shape k (< 1: heavy-tailed, decreasing hazard).
        shape: f64,
        /// Scale λ (seconds).
        scale_seconds: f64,
    },
}

impl Sojourn {
    /// The sojourn at survival probability `u ∈ (0, 1]`.
    #[inline]
    pub fn from_survival(self, u: f64) -> f64 {
        match self {
            Sojourn::Exponential { mean_seconds } => -mean_seconds * u.ln(),
            Sojourn::Weibull {
                shape,
                scale_seconds,
            } => weibull_from_survival(u, shape, scale_seconds),
        }
    }

    /// The mean sojourn.
    pub fn mean_seconds(self) -> f64 {
        match self {
            Sojourn::Exponential { mean_seconds } => mean_seconds,
            Sojourn::Weibull {
                shape,
                scale_seconds,
            } => weibull_mean(shape, scale_seconds),
        }
    }

    /// The inline table a scenario would write for it.
    pub fn to_value(self) -> toml::Value {
        let mut table = toml::Table::new();
        match self {
            Sojourn::Exponential { mean_seconds } => {
                table.insert("mean".into(), super::seconds_value(mean_seconds));
            }
            Sojourn::Weibull {
                shape,
                scale_seconds,
            } => {
                table.insert("shape".into(), toml::Value::Float(shape));
                table.insert("scale".into(), super::seconds_value(scale_seconds));
            }
        }
        toml::Value::Table(table)
    }

    /// Reads the required key `key` of `model` as a sojourn table.
    pub fn required(keys: &mut Keys, key: &str, model: &str) -> Result<Self, InputError> {
        let expected = "expected { mean = \"2h\" } (exponential) or { shape = 0.62, scale = \"1.4h\" } (Weibull)";
        let Some(value) = keys.take(key) else {
            return Err(keys.error(key, format!("model \"{model}\" needs this key: {expected}")));
        };
        let toml::Value::Table(mut table) = value else {
            return Err(keys.error(key, format!("{expected}, got {}", value.type_str())));
        };
        let mut duration = |name: &str| -> Result<Option<f64>, InputError> {
            table
                .remove(name)
                .map(|v| value_to_seconds(&v).map_err(|m| keys.error(key, format!("{name}: {m}"))))
                .transpose()
        };
        let mean = duration("mean")?;
        let scale = duration("scale")?;
        let shape = match table.remove("shape") {
            None => None,
            Some(toml::Value::Integer(i)) => Some(i as f64),
            Some(toml::Value::Float(x)) => Some(x),
            Some(other) => {
                return Err(keys.error(
                    key,
                    format!("shape: expected a number, got {}", other.type_str()),
                ));
            }
        };
        if let Some(unknown) = table.keys().next() {
            return Err(keys.error(key, format!("unknown field \"{unknown}\": {expected}")));
        }
        match (mean, shape, scale) {
            (Some(mean_seconds), None, None) => {
                if mean_seconds > 0.0 {
                    Ok(Sojourn::Exponential { mean_seconds })
                } else {
                    Err(keys.error(key, "mean: must be greater than zero"))
                }
            }
            (None, Some(shape), Some(scale_seconds)) => {
                if !(shape.is_finite() && shape > 0.0) {
                    Err(keys.error(
                        key,
                        format!("shape: must be greater than zero, got {shape}"),
                    ))
                } else if scale_seconds <= 0.0 {
                    Err(keys.error(key, "scale: must be greater than zero"))
                } else if let Err(m) = weibull_mean_checked(shape, scale_seconds) {
                    Err(keys.error(key, m))
                } else {
                    Ok(Sojourn::Weibull {
                        shape,
                        scale_seconds,
                    })
                }
            }
            _ => Err(keys.error(
                key,
                format!("give either mean alone or shape and scale together: {expected}"),
            )),
        }
    }
}

/// A required number greater than zero (`example` shows a valid value in the error).
pub fn required_positive_number(
    keys: &mut Keys,
    key: &str,
    model: &str,
    example: &str,
) -> Result<f64, InputError> {
    match keys.number(key)? {
        None => Err(keys.error(
            key,
            format!("model \"{model}\" needs this key (a number such as {example})"),
        )),
        Some(x) if x > 0.0 => Ok(x),
        Some(x) => Err(keys.error(key, format!("must be greater than zero, got {x}"))),
    }
}

/// A required duration greater than zero.
pub fn required_positive_duration(
    keys: &mut Keys,
    key: &str,
    model: &str,
) -> Result<f64, InputError> {
    let seconds = keys.required_duration(key, model)?;
    if seconds > 0.0 {
        Ok(seconds)
    } else {
        Err(keys.error(key, "must be greater than zero"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_is_accurate_in_both_tails() {
        // Known quantiles of the standard normal.
        let cases = [
            (0.5, 0.0),
            (0.025, 1.959_963_984_540_054),
            (1e-10, 6.361_340_902_404_056),
        ];
        for (survival, z) in cases {
            let upper = normal_upper_quantile(survival, 1.0 - survival);
            assert!(
                (upper - z).abs() < 1e-9 * z.abs().max(1.0),
                "{survival}: {upper}"
            );
            let lower = normal_upper_quantile(1.0 - survival, survival);
            assert!(
                (lower + z).abs() < 1e-9 * z.abs().max(1.0),
                "{survival}: {lower}"
            );
        }
    }

    #[test]
    fn lognormal_min_of_one_is_the_median_at_one_half() {
        let t = lognormal_min_from_survival(0.5, 1, 2.0, 0.7);
        assert!((t - 2.0f64.exp()).abs() < 1e-12 * t);
        // Min of 3 at u = 1/8: S(t) = 1/2, the median of one.
        let t = lognormal_min_from_survival(0.125, 3, 2.0, 0.7);
        assert!((t - 2.0f64.exp()).abs() < 1e-9 * t);
    }

    #[test]
    fn lognormal_min_mean_quadrature_matches_closed_form() {
        for (mu, sigma) in [(0.0, 0.3), (8.0, 1.0), (-1.0, 2.5)] {
            let closed = lognormal_min_mean(1, mu, sigma);
            let quadrature = lognormal_min_mean_quadrature(1, mu, sigma);
            assert!(
                (quadrature / closed - 1.0).abs() < 1e-9,
                "{mu} {sigma}: {quadrature}"
            );
        }
        // The minimum of more instances is shorter on average.
        assert!(lognormal_min_mean(4, 0.0, 1.0) < lognormal_min_mean(2, 0.0, 1.0));
    }

    #[test]
    fn a_weibull_mean_must_be_finite_and_positive() {
        // Γ(1 + 1/0.62) = Γ(2.6129) = 1.6129·Γ(1.6129) ≈ 1.6129 × 0.8950 ≈ 1.4436.
        let mean = weibull_mean_checked(0.62, 5040.0).unwrap();
        assert!((mean / (5040.0 * 1.4436) - 1.0).abs() < 1e-3, "{mean}");
        // Γ(1 + 1/0.005) = Γ(201) = 200! ≈ 7.9e374 overflows.
        let message = weibull_mean_checked(0.005, 5040.0).unwrap_err();
        assert!(message.contains("inf"), "{message}");
        // A gang of 10,000 at k = 0.01: λ·N^(−1/k) = λ·10^(−400) underflows to 0.
        let gang_scale = 5040.0 * 10_000f64.powf(-1.0 / 0.01);
        assert!(weibull_mean_checked(0.01, gang_scale).is_err());
    }

    #[test]
    fn weibull_shape_one_is_exponential() {
        for u in [1e-12, 0.1, 0.5, 0.9, 1.0] {
            let w = weibull_from_survival(u, 1.0, 3600.0);
            let e = -3600.0 * u.ln();
            assert!((w - e).abs() <= 1e-12 * e.max(1.0));
        }
        assert!((weibull_mean(1.0, 3600.0) - 3600.0).abs() < 1e-9);
    }
}
