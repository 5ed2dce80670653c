//! Distributions as charts draw them: from exact per-trial values (the run's
//! [`Sample`](crate::montecarlo::Sample)), never from the quantile sketch, whose 0.5 % log
//! buckets would show as a staircase in a CDF and a comb in a histogram.

use crate::montecarlo::{SAMPLE_TRIALS, Sample};

/// Points a CDF is evaluated at: more than the chart is pixels wide
/// ([`super::charts::CHART_SIZE`]), so no drawn segment spans more than one pixel column.
pub const CDF_POINTS: usize = 1_000;

/// The exact empirical CDF of `values` (each divided by `scale`), evaluated at
/// [`CDF_POINTS`] + 1 evenly spaced points from the smallest value to the largest:
/// `(x, fraction of values ≤ x)`. Empty for no values.
pub fn cdf_points(values: &[f64], scale: f64) -> Vec<(f64, f64)> {
    let mut sorted: Vec<f64> = values.iter().map(|v| v / scale).collect();
    sorted.sort_by(f64::total_cmp);
    let (Some(&low), Some(&high)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    let n = sorted.len() as f64;
    (0..=CDF_POINTS)
        .map(|i| {
            let x = if i == CDF_POINTS {
                high
            } else {
                low + (high - low) * i as f64 / CDF_POINTS as f64
            };
            (x, sorted.partition_point(|&v| v <= x) as f64 / n)
        })
        .collect()
}

/// A histogram of `values` with `bins` equal bins from the smallest value to the largest:
/// `(from, to, fraction of values)` per bin, the last bin closed. One narrow bin when all values
/// are equal; empty for no values.
pub fn histogram_bins(values: &[f64], bins: usize) -> Vec<(f64, f64, f64)> {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if values.is_empty() || bins == 0 {
        return Vec::new();
    }
    if high - low <= 1e-9 * high.abs().max(1.0) {
        let half = (high.abs() * 0.01).max(0.01);
        return vec![(low - half, high + half, 1.0)];
    }
    let width = (high - low) / bins as f64;
    let mut counts = vec![0u64; bins];
    for v in values {
        counts[(((v - low) / width) as usize).min(bins - 1)] += 1;
    }
    let n = values.len() as f64;
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            (
                low + width * i as f64,
                low + width * (i + 1) as f64,
                c as f64 / n,
            )
        })
        .collect()
}

/// What a distribution chart drew, for its caption: every trial, or the sampled ones.
pub fn sample_words(sample: &Sample, trials: u64) -> String {
    let n = sample.len() as u64;
    if n == trials {
        format!(
            "exact values of all {} trials",
            super::numbers::count(trials)
        )
    } else {
        format!(
            "exact values of trials 0–{} ({} of the {} trials; charts draw the first {} trials \
             of a run)",
            super::numbers::count(n.saturating_sub(1)),
            super::numbers::count(n),
            super::numbers::count(trials),
            super::numbers::count(SAMPLE_TRIALS)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Simulator};
    use crate::montecarlo::{Observers, execute, with_threads};
    use crate::scenario::Scenario;

    /// The exact empirical CDF of `sorted` values at `x`.
    fn exact_cdf(sorted: &[f64], x: f64) -> f64 {
        sorted.partition_point(|&v| v <= x) as f64 / sorted.len() as f64
    }

    /// The exact empirical CDF of `sorted` values just below `x`.
    fn exact_cdf_below(sorted: &[f64], x: f64) -> f64 {
        sorted.partition_point(|&v| v < x) as f64 / sorted.len() as f64
    }

    /// Steps of a drawn CDF that the data has not: pairs of drawn points at most one pixel
    /// column apart (`pixel` hours) whose drawn rise exceeds 1 % while the exact empirical CDF
    /// of the per-trial values rises by at most 1 % over the same closed interval.
    fn false_steps(drawn: &[(f64, f64)], sorted: &[f64], pixel: f64) -> Vec<(f64, f64, f64)> {
        let mut steps = Vec::new();
        for (i, &(x0, y0)) in drawn.iter().enumerate() {
            for &(x1, y1) in drawn[i + 1..].iter().take_while(|(x, _)| x - x0 <= pixel) {
                let exact_rise = exact_cdf(sorted, x1) - exact_cdf_below(sorted, x0);
                if y1 - y0 > 0.01 && exact_rise <= 0.01 {
                    steps.push((x0, x1, y1 - y0));
                }
            }
        }
        steps
    }

    /// 10^4 trials of the embedded default (run on two threads as the command runs them):
    /// the drawn wall-clock CDF agrees with the exact empirical CDF of the per-trial values
    /// (computed here from the engine, trial by trial) at every drawn point, and has no step
    /// taller than 1 % where the exact one has none. The CDF read off the quantile sketch, as
    /// charts drew it before, fails the same check: the test can tell.
    #[test]
    fn the_drawn_cdf_has_no_step_the_data_has_not() {
        const TRIALS: u64 = 10_000;
        let engine = Engine::new(&Scenario::embedded_default());
        let aggregate = with_threads(Some(2), || {
            execute(&engine, 0..TRIALS, None, &mut Observers::default())
                .unwrap()
                .aggregate
        });
        assert_eq!(aggregate.sample.len() as u64, TRIALS);
        let mut sorted: Vec<f64> = (0..TRIALS)
            .map(|k| engine.run(k).wall_clock_seconds / 3600.0)
            .collect();
        sorted.sort_by(f64::total_cmp);

        let drawn = cdf_points(&aggregate.sample.wall_clock_seconds, 3600.0);
        assert_eq!(drawn.len(), CDF_POINTS + 1);
        for &(x, y) in &drawn {
            assert!((y - exact_cdf(&sorted, x)).abs() < 1e-12, "at {x} h: {y}");
        }
        assert_eq!(drawn[0].0, sorted[0]);
        assert_eq!(drawn[CDF_POINTS], (sorted[sorted.len() - 1], 1.0));
        // One pixel column of the plot area (about 800 of the chart's 960 pixels).
        let pixel = (sorted[sorted.len() - 1] - sorted[0]) / 800.0;
        assert_eq!(false_steps(&drawn, &sorted, pixel), vec![]);
        // The one true jump: the 2.6 % of jobs stopped at MaxWait (30 h) — drawn, not smoothed.
        let (x0, y0) = drawn[CDF_POINTS - 1];
        assert!(y0 < 0.98 && x0 < 30.0, "{x0} h, {y0}");

        let sketch = &aggregate.wall_clock_seconds.sketch();
        let sketched: Vec<(f64, f64)> = (0..=400)
            .map(|k| {
                let q = f64::from(k) / 400.0;
                (sketch.quantile(q) / 3600.0, q)
            })
            .collect();
        assert!(
            !false_steps(&sketched, &sorted, pixel).is_empty(),
            "the sketch's staircase is detected"
        );
    }

    #[test]
    fn histogram_fractions_are_exact_counts() {
        let values = [1.0, 1.5, 2.0, 2.0, 3.0, 5.0];
        let bins = histogram_bins(&values, 4);
        assert_eq!(
            bins,
            vec![
                (1.0, 2.0, 2.0 / 6.0),
                (2.0, 3.0, 2.0 / 6.0),
                (3.0, 4.0, 1.0 / 6.0),
                (4.0, 5.0, 1.0 / 6.0)
            ]
        );
        assert_eq!(histogram_bins(&[], 4), vec![]);
        assert_eq!(histogram_bins(&[2.0, 2.0], 4).len(), 1);
    }
}
