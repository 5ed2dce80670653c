//! The Kaplan–Meier survival estimate and the Kolmogorov–Smirnov distance to a fitted CDF.
//!
//! Ties: at a time with both events and censorings, the censored episodes count as still at
//! risk for the events (the usual convention).

use super::Episode;

/// Sorted copy of the (duration, censored) pairs.
fn sorted(episodes: &[Episode]) -> Vec<(f64, bool)> {
    let mut points: Vec<(f64, bool)> = episodes
        .iter()
        .map(|e| (e.duration_seconds, e.censored))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points
}

/// Walks the distinct times in order, calling `visit(t, events, censored, at_risk)`.
fn walk(episodes: &[Episode], mut visit: impl FnMut(f64, usize, usize, usize)) {
    let points = sorted(episodes);
    let mut at_risk = points.len();
    let mut i = 0;
    while i < points.len() {
        let t = points[i].0;
        let mut j = i;
        let mut events = 0;
        while j < points.len() && points[j].0 == t {
            if !points[j].1 {
                events += 1;
            }
            j += 1;
        }
        visit(t, events, j - i - events, at_risk);
        at_risk -= j - i;
        i = j;
    }
}

/// The Kaplan–Meier estimate: `(t, Ŝ(t))` just after each distinct event time.
pub fn kaplan_meier(episodes: &[Episode]) -> Vec<(f64, f64)> {
    let mut survival = 1.0;
    let mut steps = Vec::new();
    walk(episodes, |t, events, _, at_risk| {
        if events > 0 {
            survival *= 1.0 - events as f64 / at_risk as f64;
            steps.push((t, survival));
        }
    });
    steps
}

/// `sup_t |F̂(t) − F(t)|` over `[0, longest duration]`, with `F̂ = 1 − Ŝ` the Kaplan–Meier
/// estimate (the empirical CDF when nothing is censored) and `cdf` the fitted, continuous,
/// non-decreasing `F`. `F̂` is a step function and `F` is monotone, so the supremum is reached
/// at the steps: both one-sided limits are compared at every event time, and the last level
/// with `F` at the longest duration. 0 without episodes.
pub fn ks_statistic(episodes: &[Episode], cdf: impl Fn(f64) -> f64) -> f64 {
    let mut survival = 1.0;
    let mut distance: f64 = 0.0;
    let mut longest = 0.0;
    walk(episodes, |t, events, _, at_risk| {
        longest = t;
        if events > 0 {
            let f = cdf(t);
            distance = distance.max((f - (1.0 - survival)).abs());
            survival *= 1.0 - events as f64 / at_risk as f64;
            distance = distance.max((f - (1.0 - survival)).abs());
        }
    });
    if !episodes.is_empty() {
        distance = distance.max((cdf(longest) - (1.0 - survival)).abs());
    }
    distance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kaplan_meier_by_hand() {
        let e = [
            Episode::complete(1.0),
            Episode::censored(2.0),
            Episode::complete(3.0),
            Episode::complete(3.0),
            Episode::censored(5.0),
        ];
        let km = kaplan_meier(&e);
        assert_eq!(km.len(), 2);
        assert!((km[0].1 - 0.8).abs() < 1e-12);
        assert!((km[1].1 - 0.8 * (1.0 - 2.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn ks_without_censoring_is_the_classical_statistic() {
        // Uniform(0, 1) CDF against the points 0.1, 0.5, 0.6, 0.9:
        // D = max_i max(i/n − F(x_i), F(x_i) − (i−1)/n).
        let e: Vec<Episode> = [0.1, 0.5, 0.6, 0.9]
            .iter()
            .map(|&t| Episode::complete(t))
            .collect();
        let d = ks_statistic(&e, |t: f64| t.clamp(0.0, 1.0));
        let expected: f64 = [0.1f64, 0.5, 0.6, 0.9]
            .iter()
            .enumerate()
            .map(|(i, &x)| ((i + 1) as f64 / 4.0 - x).max(x - i as f64 / 4.0))
            .fold(0.0, f64::max);
        assert!((d - expected).abs() < 1e-12, "{d} vs {expected}");
    }
}
