//! Maximum-likelihood fits with right-censoring: exponential (closed form) and Weibull
//! (profile likelihood in the shape, solved by safeguarded Newton iteration).
//!
//! Notation: `d` uncensored episodes ("events"), durations `tᵢ` of all episodes. Censored
//! episodes contribute their survival `S(tᵢ)` to the likelihood, events their density.

use super::km::ks_statistic;
use super::{Episode, events};
use serde::Serialize;

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
    let d = events(episodes) as f64;
    let total: f64 = episodes.iter().map(|e| e.duration_seconds).sum();
    if d == 0.0 || total.is_nan() || total <= 0.0 {
        return None;
    }
    let rate = d / total;
    let mean = total / d;
    let log_likelihood = d * rate.ln() - rate * total;
    Some(ExponentialFit {
        rate_per_second: rate,
        rate_se: rate / d.sqrt(),
        mean_seconds: mean,
        mean_se_seconds: mean / d.sqrt(),
        log_likelihood,
        aic: 2.0 - 2.0 * log_likelihood,
        ks: ks_statistic(episodes, |t| -(-rate * t).exp_m1()),
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

fn sums(x: &[f64], k: f64) -> Sums {
    let (mut b, mut a, mut c) = (0.0, 0.0, 0.0);
    for &xi in x {
        let w = (k * xi).exp();
        b += w;
        a += xi * w;
        c += xi * xi * w;
    }
    Sums { b, a, c }
}

/// The profile-likelihood equation `g(k) = A/B − 1/k − x̄_events` and its derivative
/// `g'(k) = C/B − (A/B)² + 1/k²` (a weighted variance plus 1/k², so g is increasing).
fn profile(x: &[f64], mean_event_x: f64, k: f64) -> (f64, f64) {
    let s = sums(x, k);
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
    let x: Vec<f64> = durations.iter().map(|t| (t / t_max).ln()).collect();
    let sum_event_x: f64 = episodes
        .iter()
        .zip(&x)
        .filter(|(e, _)| !e.censored)
        .map(|(_, xi)| *xi)
        .sum();
    let mean_event_x = sum_event_x / d;
    if mean_event_x > -1e-12 {
        return None; // every event at the longest duration: the shape runs off to infinity
    }
    let (k, iterations) = solve_increasing(|k| profile(&x, mean_event_x, k))?;
    let s = sums(&x, k);
    // Scale in units of t_max: λ_s^k = Σ e^{kx} / d.
    let scale_unit = (s.b / d).powf(1.0 / k);
    let log_scale_unit = scale_unit.ln();
    let scale = scale_unit * t_max;

    // Observed information in (k, λ_s), with zᵢ = (tᵢ/λ)^k, Lᵢ = ln(tᵢ/λ) and Σ zᵢ = d:
    // I_kk = d/k² + Σ z L², I_kλ = −(k/λ) Σ z L, I_λλ = k² d / λ².
    let (mut zl, mut zl2) = (0.0, 0.0);
    for &xi in &x {
        let l = xi - log_scale_unit;
        let z = (k * l).exp();
        zl += z * l;
        zl2 += z * l * l;
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

    // ln L = d ln k − d k ln λ + (k − 1) Σ_events ln t − Σ z, in seconds, with Σ z = d.
    let sum_event_log_t = sum_event_x + d * log_max;
    let log_scale = log_scale_unit + log_max;
    let log_likelihood = d * k.ln() - d * k * log_scale + (k - 1.0) * sum_event_log_t - d;
    let ks = ks_statistic(episodes, |t| -(-(t / scale).powf(k)).exp_m1());
    Some(WeibullFit {
        shape: k,
        shape_se: var_k.sqrt(),
        scale_seconds: scale,
        scale_se_seconds: var_l.sqrt() * t_max,
        correlation: cov / (var_k * var_l).sqrt(),
        mean_seconds: crate::market::distribution::weibull_mean(k, scale),
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
