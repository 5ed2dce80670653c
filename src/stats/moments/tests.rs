use super::*;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
use rand_distr::{Distribution, Exp, LogNormal, Normal};

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

fn from_slice(xs: &[f64]) -> Moments {
    let mut m = Moments::new();
    for &x in xs {
        m.add(x);
    }
    m
}

/// Plain f64 two-pass mean and sample standard deviation.
fn naive(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let ss = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
    (mean, (ss / (n - 1.0)).sqrt())
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn json(m: &Moments) -> String {
    serde_json::to_string(m).unwrap()
}

fn samples() -> Vec<(&'static str, Vec<f64>)> {
    let mut r = rng(11);
    let n = 100_000;
    let exp = Exp::new(1.0).unwrap();
    let lognormal = LogNormal::new(0.0, 1.0).unwrap();
    let normal = Normal::new(100.0, 15.0).unwrap();
    let shifted = Normal::new(1.0e6, 1.0).unwrap();
    vec![
        ("exp(1)", (0..n).map(|_| exp.sample(&mut r)).collect()),
        (
            "lognormal(0,1)",
            (0..n).map(|_| lognormal.sample(&mut r)).collect(),
        ),
        (
            "normal(100,15)",
            (0..n).map(|_| normal.sample(&mut r)).collect(),
        ),
        (
            "normal(1e6,1)",
            (0..n).map(|_| shifted.sample(&mut r)).collect(),
        ),
    ]
}

/// Tolerance 1e-9 relative: quantisation moves mean and std by at most
/// 2^-33·sqrt(n/(n-1)) ≈ 1.2e-10 absolute, and every sample here has mean
/// and std ≥ ~1, so that is ≤ 1.2e-10 relative. The naive two-pass f64
/// reference itself carries a rounding error of at most ~n·ε ≈ 2e-11
/// relative for n = 1e5. Both together stay well below 1e-9.
#[test]
fn mean_and_std_match_naive_two_pass() {
    for (name, xs) in samples() {
        let m = from_slice(&xs);
        let (mean, std) = naive(&xs);
        assert_eq!(m.count(), xs.len() as u64);
        assert!(
            rel(m.mean(), mean) <= 1e-9,
            "{name}: mean {} vs {mean}",
            m.mean()
        );
        assert!(
            rel(m.std(), std) <= 1e-9,
            "{name}: std {} vs {std}",
            m.std()
        );
        let stderr = std / (xs.len() as f64).sqrt();
        assert!(rel(m.stderr(), stderr) <= 1e-9, "{name}: stderr");
        let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(m.min(), min);
        assert_eq!(m.max(), max);
    }
}

/// Small magnitudes keep the absolute accuracy bound 2^-33·sqrt(n/(n-1))
/// (plus f64 rounding), i.e. the variance has no coarse resolution floor.
#[test]
fn small_values_keep_absolute_accuracy() {
    let m = from_slice(&[0.001, 0.002]);
    let exact_std = 0.001 / 2f64.sqrt();
    assert!((m.std() - exact_std).abs() <= 2f64.powi(-33) * 2f64.sqrt() + 1e-18);
    assert!((m.mean() - 0.0015).abs() <= 2f64.powi(-33));

    let mut r = rng(5);
    let xs: Vec<f64> = (0..10_000).map(|_| 1e-3 * r.random::<f64>()).collect();
    let (mean, std) = naive(&xs);
    let m = from_slice(&xs);
    let bound = 2f64.powi(-33) * 1.0001 + 1e-15;
    assert!((m.mean() - mean).abs() <= bound);
    assert!((m.std() - std).abs() <= bound);
}

#[test]
fn constant_sample_has_zero_std() {
    for v in [3.7, -0.1, 0.0, 123_456.789, 1e12] {
        let m = from_slice(&vec![v; 1000]);
        assert_eq!(m.std(), 0.0, "v = {v}");
        assert_eq!(m.stderr(), 0.0);
        assert!((m.mean() - v).abs() <= 2f64.powi(-33), "v = {v}");
        assert_eq!(m.min(), v);
        assert_eq!(m.max(), v);
    }
}

#[test]
fn single_value() {
    let m = from_slice(&[-42.5]);
    assert_eq!(m.count(), 1);
    assert_eq!(m.mean(), -42.5); // a multiple of 2^-32: exact
    assert_eq!(m.std(), 0.0);
    assert_eq!(m.stderr(), 0.0);
    assert_eq!(m.min(), -42.5);
    assert_eq!(m.max(), -42.5);
}

#[test]
fn empty_is_nan() {
    let m = Moments::new();
    assert_eq!(m.count(), 0);
    for x in [
        m.mean(),
        m.std(),
        m.stderr(),
        m.variance(),
        m.min(),
        m.max(),
    ] {
        assert!(x.is_nan());
    }
    let back: Moments = serde_json::from_str(&json(&m)).unwrap();
    assert_eq!(back, m);
    assert_eq!(m, Moments::default());
}

#[test]
fn merge_is_commutative_and_matches_whole() {
    let mut r = rng(3);
    let xs: Vec<f64> = (0..20_001).map(|_| r.random_range(-1e6..1e6)).collect();
    let (a, b) = xs.split_at(7_777);
    let (ma, mb) = (from_slice(a), from_slice(b));
    let whole = from_slice(&xs);
    let mut ab = ma.clone();
    ab += &mb;
    let mut ba = mb.clone();
    ba.merge(&ma);
    assert_eq!(ab, ba);
    assert_eq!(ab, whole);
    assert_eq!(json(&ab), json(&ba));
    assert_eq!(json(&ab), json(&whole));
    assert_eq!(ab.std().to_bits(), whole.std().to_bits());
    assert_eq!(ab.mean().to_bits(), whole.mean().to_bits());

    // Merging an empty accumulator is the identity, on either side.
    let mut e = Moments::new();
    e += &whole;
    e += &Moments::new();
    assert_eq!(e, whole);
}

#[test]
fn shuffled_chunk_merge_is_bit_identical() {
    let mut r = rng(17);
    let lognormal = LogNormal::new(0.0, 2.0).unwrap();
    let xs: Vec<f64> = (0..50_000)
        .map(|i| {
            let v = lognormal.sample(&mut r);
            if i % 3 == 0 { -v } else { v }
        })
        .collect();
    let whole = from_slice(&xs);
    for round in 0..5 {
        // 7 chunks with random cut points (possibly empty chunks).
        let mut cuts: Vec<usize> = (0..6).map(|_| r.random_range(0..=xs.len())).collect();
        cuts.push(0);
        cuts.push(xs.len());
        cuts.sort_unstable();
        let mut parts: Vec<Moments> = cuts
            .windows(2)
            .map(|w| from_slice(&xs[w[0]..w[1]]))
            .collect();
        assert_eq!(parts.len(), 7);
        parts.shuffle(&mut r);
        let mut merged = Moments::new();
        for p in &parts {
            merged += p;
        }
        assert_eq!(merged, whole, "round {round}");
        assert_eq!(json(&merged), json(&whole));
        // Tree-shaped merge as well.
        let mut left = parts[0].clone();
        left += &parts[1];
        left += &parts[2];
        let mut right = parts[3].clone();
        for p in &parts[4..] {
            right += p;
        }
        right += &left;
        assert_eq!(json(&right), json(&whole));
    }
}

#[test]
fn negative_zero_does_not_depend_on_order() {
    let a = from_slice(&[-0.0, 0.0]);
    let b = from_slice(&[0.0, -0.0]);
    assert_eq!(json(&a), json(&b));
    assert!(a.min().is_sign_positive());
}

#[test]
fn serde_round_trip_uses_strings_for_wide_sums() {
    let m = from_slice(&[1.5, -2.25, 1e12, 3.0]);
    let s = json(&m);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert!(v["sum"].is_string());
    assert!(v["sum_sq"].is_string());
    // sum = (1.5 - 2.25 + 1e12 + 3) · 2^32, all exact multiples of 2^-32.
    let expected_sum = (1_000_000_000_002.25_f64 * SCALE) as i128;
    assert_eq!(v["sum"].as_str().unwrap(), expected_sum.to_string());
    let back: Moments = serde_json::from_str(&s).unwrap();
    assert_eq!(back, m);
    assert!(serde_json::from_str::<Moments>(&s.replace("\"sum\":\"", "\"sum\":\"x")).is_err());
}

/// Slices of any length give the state of adding value by value, and `Σq²` is the exact sum
/// of the squares, carries between its limbs included (values near 2^32 overflow the low
/// 128 bits every other value; values above 2^32 take the wide path).
#[test]
fn adding_slices_is_adding_each_value_exactly() {
    let mut r = rng(13);
    let mut xs: Vec<f64> = (0..5000)
        .map(|_| match r.random_range(0..4) {
            0 => 4.2e9 + r.random::<f64>(),
            1 => -r.random_range(4.3e9..1e15),
            2 => 0.0,
            _ => r.random_range(-1e6..1e6),
        })
        .collect();
    xs.extend([-0.0, f64::from(u32::MAX), 2f64.powi(32), 1e15, -1e15]);
    let mut expected = SumSq::default();
    for &x in &xs {
        expected = expected.add_or_saturate(SumSq::square(quantise(x).unsigned_abs()));
    }
    let one_by_one = from_slice(&xs);
    assert_eq!(one_by_one.sum_sq, expected);
    for length in [1, 7, 64, 1000, xs.len()] {
        let mut sliced = Moments::new();
        for chunk in xs.chunks(length) {
            sliced.add_slice(chunk);
        }
        assert_eq!(sliced, one_by_one, "slices of {length}");
        assert_eq!(json(&sliced), json(&one_by_one));
    }
}

/// Short slices of small values (a block's column) sum in machine words; the sums are still
/// the exact `Σq` and `Σq²` of `q = round(v·2^32)` (half away from zero), computed here value
/// by value in wide integers: halfway cases, negative values, zeros and values at the edge
/// of the short range included.
#[test]
fn short_slices_sum_exactly() {
    let mut r = rng(21);
    let halfway = |k: i64| (k as f64 + 0.5) / SCALE;
    let mut xs: Vec<f64> = (0..6400)
        .map(|i| match i % 6 {
            0 => halfway(r.random_range(-1_000_000_000_000..1_000_000_000_000)),
            1 => r.random_range(-SHORT_MAGNITUDE..SHORT_MAGNITUDE),
            2 => r.random_range(0.0..1e-9),
            3 => -r.random_range(0.0..36.0),
            4 => (SHORT_MAGNITUDE - r.random_range(0.0..1.0)) * if i % 4 == 0 { -1.0 } else { 1.0 },
            _ => r.random_range(0..40) as f64,
        })
        .collect();
    xs.shuffle(&mut r);
    xs.extend([
        0.0,
        -0.0,
        0.5 / SCALE,
        -0.5 / SCALE,
        1.5 / SCALE,
        -2.5 / SCALE,
    ]);
    // Constant slices (summed as n·q and n·q²), full and short.
    for v in [70.0, halfway(-7), (-SHORT_MAGNITUDE).next_up(), 0.0] {
        xs.extend(std::iter::repeat_n(v, 2 * SHORT_SLICE + 3));
    }
    for chunk in xs.chunks(SHORT_SLICE) {
        let mut sliced = Moments::new();
        sliced.add_slice(chunk);
        let sum: i128 = chunk.iter().map(|&x| quantise(x)).sum();
        let sum_sq = chunk.iter().fold(SumSq::default(), |total, &x| {
            total.add_or_saturate(SumSq::square(quantise(x).unsigned_abs()))
        });
        assert_eq!(sliced.sum, sum, "{chunk:?}");
        assert_eq!(sliced.sum_sq, sum_sq, "{chunk:?}");
    }
    // The halfway values round away from zero, as `quantise` does.
    let mut m = Moments::new();
    m.add_slice(&[0.5 / SCALE, -2.5 / SCALE]);
    assert_eq!(m.sum, 1 - 3);
    assert_eq!(m.sum_sq, SumSq([1 + 9, 0, 0, 0]));
}

#[test]
fn sum_sq_arithmetic() {
    // (2^128 - 1)^2, computed independently with arbitrary-precision
    // integers.
    let big = SumSq::square(u128::MAX);
    assert_eq!(
        big.to_string(),
        "115792089237316195423570985008687907852589419931798687112530834793049593217025"
    );
    assert_eq!(big.to_string().parse::<SumSq>().unwrap(), big);
    assert_eq!(SumSq::default().to_string(), "0");
    assert_eq!("0".parse::<SumSq>().unwrap(), SumSq::default());
    // 2^256 - 1 parses, 2^256 does not.
    let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    assert_eq!(max.parse::<SumSq>().unwrap(), SumSq::MAX);
    let over = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
    assert!(over.parse::<SumSq>().is_err());
    assert!("".parse::<SumSq>().is_err());
    assert!("-1".parse::<SumSq>().is_err());

    // Cross-check against native u128 arithmetic on values that fit.
    let mut r = rng(9);
    for _ in 0..1000 {
        let x: u64 = r.random();
        let y: u64 = r.random();
        let sq = SumSq::square(u128::from(x));
        assert_eq!(sq.to_string(), (u128::from(x) * u128::from(x)).to_string());
        let sum = sq.add_or_saturate(SumSq::square(u128::from(y)));
        let expected = (u128::from(x) * u128::from(x)).checked_add(u128::from(y) * u128::from(y));
        if let Some(e) = expected {
            assert_eq!(sum.to_string(), e.to_string());
        } else {
            assert_eq!(sum.0[2], 1);
        }
    }
    assert_eq!(limbs_to_f64(&[0, 0, 1]), 2f64.powi(128));
    assert_eq!(limbs_to_f64(&[5, 1]), 2f64.powi(64) + 5.0);
}

#[test]
fn large_magnitudes_within_range_are_exact() {
    // 1000 copies of ±1e12 at the edge of the example range.
    let mut xs = vec![1e12; 1000];
    xs.extend(vec![-1e12; 1000]);
    let m = from_slice(&xs);
    assert_eq!(m.mean(), 0.0);
    let (_, std) = naive(&xs);
    assert!(rel(m.std(), std) <= 1e-12);
}

#[test]
fn validate_accepts_what_adding_produces() {
    for (_, xs) in samples() {
        from_slice(&xs[..1000]).validate().unwrap();
    }
    Moments::new().validate().unwrap();
    from_slice(&[-3.0, 0.0, 1e15, -1e15]).validate().unwrap();
    let mut merged = from_slice(&[1.0, 2.0]);
    merged.checked_merge(&from_slice(&[-5.0])).unwrap();
    assert_eq!(merged, from_slice(&[1.0, 2.0, -5.0]));
}

#[test]
fn validate_names_the_broken_rule() {
    let valid = from_slice(&[1.0, 2.0, 4.0]);
    let field = |m: Moments| m.validate().unwrap_err().field;
    // A sum at i128::MAX (an edited partial): the mean leaves [min, max].
    assert_eq!(
        field(Moments {
            sum: i128::MAX,
            ..valid.clone()
        }),
        "sum"
    );
    // A negative sum of positive values (a negative mean cost).
    assert_eq!(
        field(Moments {
            sum: -valid.sum,
            ..valid.clone()
        }),
        "sum"
    );
    // Σq² below (Σq)²/n: a negative variance; above n·max²: more spread than the range.
    assert_eq!(
        field(Moments {
            sum_sq: SumSq::default(),
            ..valid.clone()
        }),
        "sum_sq"
    );
    assert_eq!(
        field(Moments {
            sum_sq: SumSq::MAX,
            ..valid.clone()
        }),
        "sum_sq"
    );
    assert_eq!(
        field(Moments {
            min: 5.0,
            ..valid.clone()
        }),
        "min"
    );
    assert_eq!(
        field(Moments {
            max: 1e300,
            min: 0.0,
            ..valid.clone()
        }),
        "max"
    );
    assert_eq!(
        field(Moments {
            min: f64::INFINITY,
            ..valid.clone()
        }),
        "count"
    );
    assert_eq!(
        field(Moments {
            count: 0,
            ..valid.clone()
        }),
        "count"
    );
    assert_eq!(
        field(Moments {
            sum: 1,
            ..Moments::new()
        }),
        "sum"
    );
}

#[test]
fn checked_merge_refuses_totals_that_overflow() {
    let huge = Moments {
        count: u64::MAX,
        ..from_slice(&[1.0])
    };
    let mut m = from_slice(&[1.0]);
    assert_eq!(m.checked_merge(&huge).unwrap_err().field, "count");
    assert_eq!(m, from_slice(&[1.0]), "unchanged on error");
    let big = Moments {
        sum: i128::MAX,
        ..from_slice(&[1.0])
    };
    assert_eq!(m.checked_merge(&big).unwrap_err().field, "sum");
    let wide = Moments {
        sum_sq: SumSq::MAX,
        ..from_slice(&[1.0])
    };
    assert_eq!(m.checked_merge(&wide).unwrap_err().field, "sum_sq");
}

#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "MAX_ABS_VALUE")]
fn out_of_range_value_panics_in_debug() {
    Moments::new().add(2e15);
}

#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "non-finite")]
fn nan_panics_in_debug() {
    Moments::new().add(f64::NAN);
}
