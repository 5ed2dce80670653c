//! Confidence intervals for binomial proportions.

/// Two-sided 95 % standard-normal quantile, `Φ⁻¹(0.975)`.
pub const Z95: f64 = 1.959_963_984_540_054;

/// 95 % Wilson score interval `(lower, upper)` for `successes` out of
/// `trials`, clamped to `[0, 1]`.
///
/// With `p̂ = s/n` and `z = Z95`:
/// `(p̂ + z²/2n ± z·sqrt(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`.
/// The lower bound is exactly 0 when `successes == 0` and the upper bound is
/// exactly 1 when `successes == trials`. Returns `(0, 1)` for `trials == 0`.
/// `successes > trials` is debug-asserted and clamped to `trials`.
pub fn wilson_interval(successes: u64, trials: u64) -> (f64, f64) {
    debug_assert!(
        successes <= trials,
        "wilson_interval: {successes} successes > {trials} trials"
    );
    if trials == 0 {
        return (0.0, 1.0);
    }
    let s = successes.min(trials);
    let n = trials as f64;
    let p = s as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let lower = if s == 0 {
        0.0
    } else {
        (centre - half).clamp(0.0, 1.0)
    };
    let upper = if s == trials {
        1.0
    } else {
        (centre + half).clamp(0.0, 1.0)
    };
    (lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        // Reference values below are rounded to 4 decimals.
        (a - b).abs() <= 5e-5
    }

    #[test]
    fn z95_is_the_normal_quantile() {
        use statrs::distribution::{ContinuousCDF, Normal};
        let n = Normal::standard();
        assert!((n.inverse_cdf(0.975) - Z95).abs() < 1e-12);
        // statrs' erfc is accurate to ~1e-12 here.
        assert!((n.cdf(Z95) - 0.975).abs() < 1e-11);
    }

    #[test]
    fn known_values() {
        // z² = 3.841459.
        // 0 of 10: upper = z²/(n + z²) = 3.841459 / 13.841459 = 0.27753.
        let (lo, hi) = wilson_interval(0, 10);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.2775), "{hi}");
        // 10 of 10: mirror image, lower = 1 − 0.27753 = 0.72247.
        let (lo, hi) = wilson_interval(10, 10);
        assert!(close(lo, 0.7225), "{lo}");
        assert_eq!(hi, 1.0);
        // 50 of 100: centre 0.5, denom 1.0384146,
        // half = 1.959964 / 1.0384146 · sqrt(0.0025 + 3.841459/40000)
        //      = 1.887456 · sqrt(0.00259604) = 1.887456 · 0.0509514 = 0.096169
        // → (0.4038, 0.5962).
        let (lo, hi) = wilson_interval(50, 100);
        assert!(close(lo, 0.4038) && close(hi, 0.5962), "{lo} {hi}");
        // 912 of 1000: denom = 1.0038415,
        // centre = (0.912 + 0.0019207) / 1.0038415 = 0.910423,
        // half = 1.959964 / 1.0038415 · sqrt(0.912·0.088/1000 + 3.841459/4e6)
        //      = 1.952464 · sqrt(0.000081216) = 1.952464 · 0.0090120 = 0.017596
        // → (0.8928, 0.9280).
        let (lo, hi) = wilson_interval(912, 1000);
        assert!(close(lo, 0.8928) && close(hi, 0.9280), "{lo} {hi}");
    }

    #[test]
    fn no_trials_is_uninformative() {
        assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
    }

    #[test]
    fn bounds_are_ordered_contain_estimate_and_are_monotone() {
        for n in [1u64, 2, 7, 10, 100, 1000, 123_457] {
            let mut prev = (-1.0, -1.0);
            let step = (n / 50).max(1);
            for s in (0..=n).step_by(step as usize).chain([n]) {
                let (lo, hi) = wilson_interval(s, n);
                let p = s as f64 / n as f64;
                assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
                assert!(lo <= p && p <= hi, "s={s} n={n}: {lo} {p} {hi}");
                assert!(lo >= prev.0 && hi >= prev.1, "monotone in s: s={s} n={n}");
                prev = (lo, hi);
            }
        }
    }

    #[test]
    fn symmetric_and_narrowing() {
        let (lo, hi) = wilson_interval(3, 7);
        let (lo2, hi2) = wilson_interval(4, 7);
        assert!((lo - (1.0 - hi2)).abs() < 1e-12 && (hi - (1.0 - lo2)).abs() < 1e-12);
        let w = |s, n| {
            let (a, b) = wilson_interval(s, n);
            b - a
        };
        assert!(w(50, 100) > w(500, 1000) && w(500, 1000) > w(5000, 10_000));
    }
}
