//! Maximum-likelihood fits with right-censoring: exponential (closed form) and Weibull
//! (profile likelihood in the shape, solved by safeguarded Newton iteration).
//!
//! Notation: `d` uncensored episodes ("events"), durations `tᵢ` of all episodes. Censored
//! episodes contribute their survival `S(tᵢ)` to the likelihood, events their density.
//!
//! Two generalisations ([`Observation`]) serve samples that are not plain draws of one
//! lifetime, such as the instance lifetimes `calibrate` reads from training jobs:
//! * **delayed entry** at a common time `e` (left truncation): every episode is known to have
//!   lasted at least `e` (a lifetime is only seen once it survived provisioning), so each one
//!   contributes `f(tᵢ)/S(e)` or `S(tᵢ)/S(e)`. In the cumulative hazard `H` this replaces
//!   `H(tᵢ)` by `H(tᵢ) − H(e)`;
//! * **hazard multipliers** `cᵢ` (proportional hazards with known factors): episode i has the
//!   hazard `cᵢ·h(t)`, e.g. a gang whose hazard is `N_eff` times one instance's. Its
//!   contribution is `cᵢ·h(tᵢ)·e^{−cᵢ(H(tᵢ) − H(e))}` (event) or `e^{−cᵢ(H(tᵢ) − H(e))}`.
//!
//! Both keep the closed forms: the exponential rate is `d / Σ cᵢ(tᵢ − e)`, and for a fixed
//! Weibull shape k the scale is `λ^k = Σ cᵢ(tᵢ^k − e^k) / d` — the sums below simply carry the
//! weights `cᵢ` and subtract the entry terms. With `e = 0` and all `cᵢ = 1` every sum is the
//! plain one, bit for bit.

use super::km::ks_statistic;
use super::{Episode, events};
use serde::Serialize;

/// How a sample was observed beyond right-censoring (see the module documentation). The
/// default is a plain sample: no delayed entry, every multiplier 1.
#[derive(Debug, Clone, Copy, Default)]
pub struct Observation<'a> {
    /// Every episode is known to have lasted at least this long (seconds, ≥ 0; every duration
    /// must be at least this).
    pub entry_seconds: f64,
    /// Per-episode hazard multipliers (each > 0; one per episode); `None` = all 1.
    pub hazard_multipliers: Option<&'a [f64]>,
}

impl Observation<'_> {
    /// The multiplier of episode `i`.
    #[inline]
    fn multiplier(&self, i: usize) -> f64 {
        self.hazard_multipliers.map_or(1.0, |m| m[i])
    }

    /// Whether the observation fits `episodes`: multipliers one per episode, positive and
    /// finite; the entry finite, ≥ 0 and no longer than any episode.
    fn fits(&self, episodes: &[Episode]) -> bool {
        let entry_ok = self.entry_seconds >= 0.0
            && self.entry_seconds.is_finite()
            && episodes
                .iter()
                .all(|e| e.duration_seconds >= self.entry_seconds);
        let multipliers_ok = self.hazard_multipliers.is_none_or(|m| {
            m.len() == episodes.len() && m.iter().all(|c| *c > 0.0 && c.is_finite())
        });
        entry_ok && multipliers_ok
    }

    /// `Σ_events ln cᵢ`: the multipliers' part of the log-likelihood (0 without them).
    fn event_log_multipliers(&self, episodes: &[Episode]) -> f64 {
        self.hazard_multipliers.map_or(0.0, |m| {
            episodes
                .iter()
                .zip(m)
                .filter(|(e, _)| !e.censored)
                .map(|(_, c)| c.ln())
                .sum()
        })
    }

    /// The Kolmogorov–Smirnov distance of each group of equal multiplier to its own
    /// conditional CDF `1 − e^{−c(H(t) − H(e))}` (0 before the entry), the largest of them.
    /// `cumulative_hazard` is the fitted `H` of multiplier 1. Every episode has entered at `e`,
    /// so the plain Kaplan–Meier estimate of a group estimates `S(t)/S(e)`.
    fn ks(&self, episodes: &[Episode], cumulative_hazard: impl Fn(f64) -> f64) -> f64 {
        let entry = self.entry_seconds;
        let at_entry = cumulative_hazard(entry);
        let conditional = |c: f64| {
            let h = &cumulative_hazard;
            move |t: f64| {
                if t < entry {
                    0.0
                } else {
                    -(-(c * (h(t) - at_entry))).exp_m1()
                }
            }
        };
        let Some(multipliers) = self.hazard_multipliers else {
            return ks_statistic(episodes, conditional(1.0));
        };
        let mut groups: Vec<f64> = multipliers.to_vec();
        groups.sort_by(f64::total_cmp);
        groups.dedup();
        groups
            .into_iter()
            .map(|c| {
                let group: Vec<Episode> = episodes
                    .iter()
                    .zip(multipliers)
                    .filter(|(_, m)| **m == c)
                    .map(|(e, _)| *e)
                    .collect();
                ks_statistic(&group, conditional(c))
            })
            .fold(0.0, f64::max)
    }
}

/// Exponential fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ExponentialFit {
    /// Rate (per second).
    pub rate_per_second: f64,
    /// Standard error of the rate, `rate / √d`.
    pub rate_se: f64,
    /// Mean = 1 / rate (seconds).
    pub mean_seconds: f64,
    /// Standard error of the mean (delta method), `mean / √d`.
    pub mean_se_seconds: f64,
    /// Maximised log-likelihood (densities per second).
    pub log_likelihood: f64,
    /// `2·1 − 2·ln L`.
    pub aic: f64,
    /// Kolmogorov–Smirnov distance to the Kaplan–Meier estimate.
    pub ks: f64,
}

/// Weibull fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeibullFit {
    /// Shape k.
    pub shape: f64,
    /// Standard error of k.
    pub shape_se: f64,
    /// Scale λ (seconds).
    pub scale_seconds: f64,
    /// Standard error of λ (seconds).
    pub scale_se_seconds: f64,
    /// Correlation of the estimates of k and λ.
    pub correlation: f64,
    /// Mean `λ·Γ(1 + 1/k)` (seconds).
    pub mean_seconds: f64,
    /// Standard error of the mean (delta method: `∂m/∂λ = Γ(1 + 1/k)`,
    /// `∂m/∂k = −λ·Γ(1 + 1/k)·ψ(1 + 1/k)/k²`, with the covariance of k and λ).
    pub mean_se_seconds: f64,
    /// Maximised log-likelihood (densities per second).
    pub log_likelihood: f64,
    /// `2·2 − 2·ln L`.
    pub aic: f64,
    /// Kolmogorov–Smirnov distance to the Kaplan–Meier estimate.
    pub ks: f64,
    /// Root-finder iterations used.
    pub iterations: u32,
}

/// Exponential MLE: rate = events / total exposure. `None` without an uncensored episode.
pub fn fit_exponential(episodes: &[Episode]) -> Option<ExponentialFit> {
    fit_exponential_observed(episodes, &Observation::default())
}

/// Exponential MLE of a sample observed as `observation` says: rate = events / exposure, the
/// exposure `Σ cᵢ(tᵢ − e)`; the rate is that of multiplier 1. `None` without an uncensored
/// episode or when `observation` does not fit the episodes.
pub fn fit_exponential_observed(
    episodes: &[Episode],
    observation: &Observation,
) -> Option<ExponentialFit> {
    if !observation.fits(episodes) {
        return None;
    }
    let d = events(episodes) as f64;
    let entry = observation.entry_seconds;
    let total: f64 = episodes
        .iter()
        .enumerate()
        .map(|(i, e)| observation.multiplier(i) * (e.duration_seconds - entry))
        .sum();
    if d == 0.0 || total.is_nan() || total <= 0.0 {
        return None;
    }
    let rate = d / total;
    let mean = total / d;
    let log_likelihood = d * rate.ln() - rate * total + observation.event_log_multipliers(episodes);
    Some(ExponentialFit {
        rate_per_second: rate,
        rate_se: rate / d.sqrt(),
        mean_seconds: mean,
        mean_se_seconds: mean / d.sqrt(),
        log_likelihood,
        aic: 2.0 - 2.0 * log_likelihood,
        ks: observation.ks(episodes, |t| rate * t),
    })
}

/// Sums over all episodes at shape `k`, on log-durations `x` relative to the longest
/// (`x ≤ 0`, so the weights `e^{k·x}` lie in (0, 1] and never overflow).
struct Sums {
    /// Σ e^{kx}
    b: f64,
    /// Σ x e^{kx}
    a: f64,
    /// Σ x² e^{kx}
    c: f64,
}

/// The log-durations of a Weibull fit with the observation's weights and entry.
struct LogDurations<'a> {
    /// `ln(tᵢ / t_max)`.
    x: Vec<f64>,
    /// The hazard multipliers, when not all 1.
    multipliers: Option<&'a [f64]>,
    /// `ln(e / t_max)` and `Σ cᵢ`, when the entry `e` is above 0.
    entry: Option<(f64, f64)>,
}

impl LogDurations<'_> {
    /// `Σ cᵢ(e^{kxᵢ} − e^{kx_e})` and the like (plain sums without weights and entry).
    fn sums(&self, k: f64) -> Sums {
        let (mut b, mut a, mut c) = (0.0, 0.0, 0.0);
        for (i, &xi) in self.x.iter().enumerate() {
            // × 1.0 without multipliers: exact, so the plain sums keep their bits.
            let m = self.multipliers.map_or(1.0, |m| m[i]);
            let w = (k * xi).exp();
            b += m * w;
            a += m * xi * w;
            c += m * xi * xi * w;
        }
        if let Some((xe, weight)) = self.entry {
            let w = weight * (k * xe).exp();
            b -= w;
            a -= xe * w;
            c -= xe * xe * w;
        }
        Sums { b, a, c }
    }
}

/// The profile-likelihood equation `g(k) = A/B − 1/k − x̄_events` and its derivative
/// `g'(k) = C/B − (A/B)² + 1/k²` (a weighted variance plus 1/k², so g is increasing for a
/// plain sample).
fn profile(x: &LogDurations, mean_event_x: f64, k: f64) -> (f64, f64) {
    let s = x.sums(k);
    let m = s.a / s.b;
    (
        m - 1.0 / k - mean_event_x,
        (s.c / s.b - m * m).max(0.0) + 1.0 / (k * k),
    )
}

/// Finds the root of the increasing function `g` (value, derivative): brackets it by halving
/// and doubling from k = 1, then Newton steps, falling back to bisection when a step leaves
/// the bracket. Returns the root and the iterations used.
fn solve_increasing(g: impl Fn(f64) -> (f64, f64)) -> Option<(f64, u32)> {
    const LOW: f64 = 1e-6;
    const HIGH: f64 = 1e6;
    let (mut lo, mut hi) = (1.0, 1.0);
    while g(lo).0 > 0.0 {
        lo *= 0.5;
        if lo < LOW {
            return None;
        }
    }
    while g(hi).0 < 0.0 {
        hi *= 2.0;
        if hi > HIGH {
            return None;
        }
    }
    let mut k = 0.5 * (lo + hi);
    if lo == hi {
        return Some((lo, 0));
    }
    for iteration in 1..=200 {
        let (value, slope) = g(k);
        if value == 0.0 {
            return Some((k, iteration));
        }
        if value < 0.0 {
            lo = k;
        } else {
            hi = k;
        }
        let newton = k - value / slope;
        let next = if slope > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - k).abs() <= 1e-13 * k || (hi - lo) <= 1e-13 * k {
            return Some((next, iteration));
        }
        k = next;
    }
    Some((k, 200))
}

/// Weibull MLE with right-censoring. `None` without an uncensored episode, or when the
/// likelihood has no finite maximum (all uncensored durations equal to the longest one).
pub fn fit_weibull(episodes: &[Episode]) -> Option<WeibullFit> {
    fit_weibull_observed(episodes, &Observation::default())
}

/// Weibull MLE of a sample observed as `observation` says; the scale is that of multiplier 1.
/// `None` as [`fit_weibull`], or when `observation` does not fit the episodes.
pub fn fit_weibull_observed(episodes: &[Episode], observation: &Observation) -> Option<WeibullFit> {
    if !observation.fits(episodes) {
        return None;
    }
    let durations: Vec<f64> = episodes
        .iter()
        .map(|e| e.duration_seconds)
        .filter(|t| *t > 0.0)
        .collect();
    let d = events(episodes);
    if d == 0 || durations.len() != episodes.len() {
        return None;
    }
    let d = d as f64;
    let t_max = durations.iter().copied().fold(0.0, f64::max);
    let log_max = t_max.ln();
    let entry = observation.entry_seconds;
    let x = LogDurations {
        x: durations.iter().map(|t| (t / t_max).ln()).collect(),
        multipliers: observation.hazard_multipliers,
        entry: (entry > 0.0).then(|| {
            let weight = (0..episodes.len()).map(|i| observation.multiplier(i)).sum();
            ((entry / t_max).ln(), weight)
        }),
    };
    let sum_event_x: f64 = episodes
        .iter()
        .zip(&x.x)
        .filter(|(e, _)| !e.censored)
        .map(|(_, xi)| *xi)
        .sum();
    let mean_event_x = sum_event_x / d;
    if mean_event_x > -1e-12 {
        return None; // every event at the longest duration: the shape runs off to infinity
    }
    let (k, iterations) = solve_increasing(|k| profile(&x, mean_event_x, k))?;
    let s = x.sums(k);
    if s.b.is_nan() || s.b <= 0.0 {
        return None;
    }
    // Scale in units of t_max: λ_s^k = Σ e^{kx} / d.
    let scale_unit = (s.b / d).powf(1.0 / k);
    let log_scale_unit = scale_unit.ln();
    let scale = scale_unit * t_max;

    // Observed information in (k, λ_s), with zᵢ = (tᵢ/λ)^k, Lᵢ = ln(tᵢ/λ) and Σ zᵢ = d:
    // I_kk = d/k² + Σ z L², I_kλ = −(k/λ) Σ z L, I_λλ = k² d / λ² (each zᵢ weighted by cᵢ,
    // and the entry's terms subtracted, with Σ cᵢ(zᵢ − z_e) = d).
    let (mut zl, mut zl2) = (0.0, 0.0);
    for (i, &xi) in x.x.iter().enumerate() {
        let m = observation.multiplier(i);
        let l = xi - log_scale_unit;
        let z = (k * l).exp();
        zl += m * z * l;
        zl2 += m * z * l * l;
    }
    if let Some((xe, weight)) = x.entry {
        let l = xe - log_scale_unit;
        let z = weight * (k * l).exp();
        zl -= z * l;
        zl2 -= z * l * l;
    }
    let i_kk = d / (k * k) + zl2;
    let i_kl = -(k / scale_unit) * zl;
    let i_ll = k * k * d / (scale_unit * scale_unit);
    let det = i_kk * i_ll - i_kl * i_kl;
    if det.is_nan() || det <= 0.0 {
        return None;
    }
    let var_k = i_ll / det;
    let var_l = i_kk / det;
    let cov = -i_kl / det;

    // ln L = d ln k − d k ln λ + (k − 1) Σ_events ln t − Σ z (+ Σ_events ln c), in seconds,
    // with Σ z = d.
    let sum_event_log_t = sum_event_x + d * log_max;
    let log_scale = log_scale_unit + log_max;
    let log_likelihood = d * k.ln() - d * k * log_scale + (k - 1.0) * sum_event_log_t - d
        + observation.event_log_multipliers(episodes);
    let ks = observation.ks(episodes, |t| (t / scale).powf(k));
    let mean_seconds = crate::market::distribution::weibull_mean(k, scale);
    // Delta method for m = λΓ(1 + 1/k), λ in seconds (var_l and cov are in units of t_max).
    let gamma = mean_seconds / scale;
    let dm_dk = -scale * gamma * statrs::function::gamma::digamma(1.0 + 1.0 / k) / (k * k);
    let var_scale = var_l * t_max * t_max;
    let var_mean =
        gamma * gamma * var_scale + dm_dk * dm_dk * var_k + 2.0 * gamma * dm_dk * cov * t_max;
    Some(WeibullFit {
        shape: k,
        shape_se: var_k.sqrt(),
        scale_seconds: scale,
        scale_se_seconds: var_l.sqrt() * t_max,
        correlation: cov / (var_k * var_l).sqrt(),
        mean_seconds,
        mean_se_seconds: var_mean.max(0.0).sqrt(),
        log_likelihood,
        aic: 4.0 - 2.0 * log_likelihood,
        ks,
        iterations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(ts: &[f64]) -> Vec<Episode> {
        ts.iter().map(|&t| Episode::complete(t)).collect()
    }

    #[test]
    fn exponential_closed_form() {
        let mut e = complete(&[1.0, 2.0, 3.0]);
        e.push(Episode::censored(4.0));
        let fit = fit_exponential(&e).unwrap();
        assert!((fit.mean_seconds - 10.0 / 3.0).abs() < 1e-12);
        assert!((fit.rate_se - 0.3 / 3f64.sqrt()).abs() < 1e-12);
        assert!((fit.log_likelihood - (3.0 * 0.3f64.ln() - 3.0)).abs() < 1e-12);
        assert!(fit_exponential(&[Episode::censored(4.0)]).is_none());
    }

    #[test]
    fn weibull_satisfies_the_score_equations() {
        let mut e = complete(&[0.3, 1.1, 2.5, 0.05, 4.0, 0.7, 9.0, 1.9]);
        e.push(Episode::censored(3.0));
        e.push(Episode::censored(12.0));
        let fit = fit_weibull(&e).unwrap();
        let (k, lambda) = (fit.shape, fit.scale_seconds);
        // Score in λ: −dk/λ + (k/λ) Σ z = 0 ⇔ Σ z = d.
        let sum_z: f64 = e
            .iter()
            .map(|x| (x.duration_seconds / lambda).powf(k))
            .sum();
        assert!((sum_z - 8.0).abs() < 1e-9, "{sum_z}");
        // Score in k: d/k + Σ_events L − Σ z L = 0.
        let score: f64 = 8.0 / k
            + e.iter()
                .filter(|x| !x.censored)
                .map(|x| (x.duration_seconds / lambda).ln())
                .sum::<f64>()
            - e.iter()
                .map(|x| {
                    let l = (x.duration_seconds / lambda).ln();
                    (k * l).exp() * l
                })
                .sum::<f64>();
        assert!(score.abs() < 1e-9, "{score}");
        // The log-likelihood is lower nearby.
        let ll = |k: f64, lambda: f64| {
            e.iter()
                .map(|x| {
                    let z = (x.duration_seconds / lambda).powf(k);
                    if x.censored {
                        -z
                    } else {
                        k.ln() - lambda.ln() + (k - 1.0) * (x.duration_seconds / lambda).ln() - z
                    }
                })
                .sum::<f64>()
        };
        assert!((ll(k, lambda) - fit.log_likelihood).abs() < 1e-9);
        for (dk, dl) in [(0.01, 0.0), (-0.01, 0.0), (0.0, 0.01), (0.0, -0.01)] {
            assert!(ll(k + dk, lambda * (1.0 + dl)) < fit.log_likelihood);
        }
    }

    /// The log-likelihood of a sample with delayed entry `e` and multipliers `c`, written out
    /// term by term.
    fn observed_ll(e: &[Episode], c: &[f64], entry: f64, k: f64, lambda: f64) -> f64 {
        let h = |t: f64| (t / lambda).powf(k);
        e.iter()
            .zip(c)
            .map(|(x, &c)| {
                let t = x.duration_seconds;
                let survival = -c * (h(t) - h(entry));
                if x.censored {
                    survival
                } else {
                    c.ln() + k.ln() - lambda.ln() + (k - 1.0) * (t / lambda).ln() + survival
                }
            })
            .sum()
    }

    #[test]
    fn observed_weibull_maximises_the_written_out_likelihood() {
        let mut e = complete(&[1.3, 2.1, 3.5, 1.05, 5.0, 1.7, 9.0, 2.9, 1.2, 4.4]);
        e.push(Episode::censored(3.0));
        e.push(Episode::censored(12.0));
        let c = [1.0, 4.5, 1.0, 4.5, 1.0, 4.5, 1.0, 4.5, 1.0, 4.5, 1.0, 4.5];
        let observation = Observation {
            entry_seconds: 1.0,
            hazard_multipliers: Some(&c),
        };
        let fit = fit_weibull_observed(&e, &observation).unwrap();
        let (k, lambda) = (fit.shape, fit.scale_seconds);
        let ll = |k, lambda| observed_ll(&e, &c, 1.0, k, lambda);
        assert!((ll(k, lambda) - fit.log_likelihood).abs() < 1e-9);
        for (dk, dl) in [(1e-3, 0.0), (-1e-3, 0.0), (0.0, 1e-3), (0.0, -1e-3)] {
            assert!(ll(k + dk, lambda * (1.0 + dl)) < fit.log_likelihood);
        }
        // The information matches the curvature of the written-out likelihood: numerical
        // second derivatives, inverted, give the reported variances.
        let (hk, hl) = (1e-4 * k, 1e-4 * lambda);
        let f = |a: f64, b: f64| ll(k + a, lambda + b);
        let i_kk = -(f(hk, 0.0) - 2.0 * f(0.0, 0.0) + f(-hk, 0.0)) / (hk * hk);
        let i_ll = -(f(0.0, hl) - 2.0 * f(0.0, 0.0) + f(0.0, -hl)) / (hl * hl);
        let i_kl = -(f(hk, hl) - f(hk, -hl) - f(-hk, hl) + f(-hk, -hl)) / (4.0 * hk * hl);
        let det = i_kk * i_ll - i_kl * i_kl;
        assert!(((i_ll / det).sqrt() / fit.shape_se - 1.0).abs() < 1e-4);
        assert!(((i_kk / det).sqrt() / fit.scale_se_seconds - 1.0).abs() < 1e-4);
        // The exponential: rate = events / Σ c(t − e), by hand.
        let exposure: f64 = e
            .iter()
            .zip(&c)
            .map(|(x, c)| c * (x.duration_seconds - 1.0))
            .sum();
        let exp = fit_exponential_observed(&e, &observation).unwrap();
        assert!((exp.rate_per_second - 10.0 / exposure).abs() < 1e-15);
        // An episode shorter than the entry, or a missing multiplier, does not fit.
        let short = Observation {
            entry_seconds: 1.1,
            hazard_multipliers: None,
        };
        assert!(fit_weibull_observed(&e, &short).is_none());
        let few = Observation {
            entry_seconds: 0.0,
            hazard_multipliers: Some(&c[..3]),
        };
        assert!(fit_exponential_observed(&e, &few).is_none());
    }

    #[test]
    fn plain_observation_is_bit_identical_and_a_constant_multiplier_rescales() {
        let mut e = complete(&[0.3, 1.1, 2.5, 0.05, 4.0, 0.7, 9.0, 1.9]);
        e.push(Episode::censored(3.0));
        let ones = [1.0; 9];
        let with_ones = Observation {
            entry_seconds: 0.0,
            hazard_multipliers: Some(&ones),
        };
        assert_eq!(fit_weibull_observed(&e, &with_ones), fit_weibull(&e));
        assert_eq!(
            fit_exponential_observed(&e, &with_ones),
            fit_exponential(&e)
        );
        // Every hazard × 8: the same shape, the scale of multiplier 1 is λ·8^(1/k).
        let eights = [8.0; 9];
        let gang = Observation {
            entry_seconds: 0.0,
            hazard_multipliers: Some(&eights),
        };
        let (plain, scaled) = (
            fit_weibull(&e).unwrap(),
            fit_weibull_observed(&e, &gang).unwrap(),
        );
        assert!((plain.shape - scaled.shape).abs() < 1e-9);
        let expected = plain.scale_seconds * 8f64.powf(1.0 / plain.shape);
        assert!((scaled.scale_seconds / expected - 1.0).abs() < 1e-9);
        assert!((scaled.ks - plain.ks).abs() < 1e-9);
    }

    #[test]
    fn weibull_mean_standard_error_is_the_delta_method() {
        let e = complete(&[0.3, 1.1, 2.5, 0.05, 4.0, 0.7, 9.0, 1.9, 0.2, 5.5]);
        let fit = fit_weibull(&e).unwrap();
        // Numerical gradient of m(k, λ) = λΓ(1 + 1/k) against the closed-form derivatives.
        let mean = |k: f64, l: f64| crate::market::distribution::weibull_mean(k, l);
        let (k, l) = (fit.shape, fit.scale_seconds);
        let dk = (mean(k + 1e-6, l) - mean(k - 1e-6, l)) / 2e-6;
        let dl = (mean(k, l + 1e-6) - mean(k, l - 1e-6)) / 2e-6;
        let cov = fit.correlation * fit.shape_se * fit.scale_se_seconds;
        let variance = dl * dl * fit.scale_se_seconds.powi(2)
            + dk * dk * fit.shape_se.powi(2)
            + 2.0 * dk * dl * cov;
        assert!((variance.sqrt() / fit.mean_se_seconds - 1.0).abs() < 1e-6);
    }

    #[test]
    fn weibull_degenerate_inputs() {
        assert!(fit_weibull(&complete(&[2.0, 2.0, 2.0])).is_none());
        assert!(fit_weibull(&[Episode::censored(1.0)]).is_none());
        // All events at the longest duration: no finite shape.
        let fit = fit_weibull(&[
            Episode::complete(2.0),
            Episode::complete(2.0),
            Episode::censored(1.0),
        ]);
        assert!(fit.is_none());
        // A censored duration above the events keeps the shape finite.
        assert!(fit_weibull(&[Episode::complete(1.0), Episode::censored(3.0)]).is_some());
    }
}
