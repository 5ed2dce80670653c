use super::*;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
use rand_distr::{Distribution, Exp, LogNormal};

const QS: [f64; 7] = [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999];

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

fn from_slice(xs: &[f64]) -> QuantileSketch {
    let mut s = QuantileSketch::new();
    for &x in xs {
        s.add(x);
    }
    s
}

fn json(s: &QuantileSketch) -> String {
    serde_json::to_string(s).unwrap()
}

/// Exact nearest-rank quantile of a sorted sample.
fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    match nearest_rank(q, sorted.len() as u64) {
        0 => sorted[0],
        k => sorted[k as usize - 1],
    }
}

/// The guarantee is deterministic, not statistical: `α` exactly, plus a
/// 1e-12 relative allowance for f64 rounding in `ln` / `exp` when a value
/// sits within ~1e-13 of a bucket boundary.
fn within_accuracy(est: f64, exact: f64) -> bool {
    (est - exact).abs() <= RELATIVE_ACCURACY * (1.0 + 1e-12) * exact.abs()
}

fn samples() -> Vec<(&'static str, Vec<f64>)> {
    let n = 100_000;
    let mut r = rng(42);
    let exp = Exp::new(1.0).unwrap();
    let lognormal = LogNormal::new(0.0, 2.0).unwrap();
    let neg = LogNormal::new(1.0, 1.5).unwrap();
    let pos = Exp::new(0.1).unwrap();
    vec![
        (
            "exponential(1)",
            (0..n).map(|_| exp.sample(&mut r)).collect(),
        ),
        (
            "lognormal(0,2)",
            (0..n).map(|_| lognormal.sample(&mut r)).collect(),
        ),
        (
            "uniform(-1,1)",
            (0..n).map(|_| r.random_range(-1.0..1.0)).collect(),
        ),
        (
            // 20 % exact zeros, 30 % negative lognormal, 50 % exponential.
            "mixture",
            (0..n)
                .map(|_| {
                    let u: f64 = r.random();
                    if u < 0.2 {
                        0.0
                    } else if u < 0.5 {
                        -neg.sample(&mut r)
                    } else {
                        pos.sample(&mut r)
                    }
                })
                .collect(),
        ),
    ]
}

#[test]
fn adding_slices_is_adding_each_value() {
    for (name, xs) in samples() {
        let one_by_one = from_slice(&xs);
        for length in [1, 64, 1000] {
            let mut sliced = QuantileSketch::new();
            for chunk in xs.chunks(length) {
                sliced.add_slice(chunk);
            }
            assert_eq!(
                json(&sliced),
                json(&one_by_one),
                "{name}, slices of {length}"
            );
        }
    }
}

#[test]
fn ln_gamma_constant_matches() {
    assert!((LN_GAMMA - GAMMA.ln()).abs() <= 1e-15 * LN_GAMMA);
    assert!((2.0 / (GAMMA + 1.0) - (1.0 - RELATIVE_ACCURACY)).abs() < 1e-15);
}

#[test]
fn quantiles_within_relative_accuracy() {
    for (name, xs) in samples() {
        let sketch = from_slice(&xs);
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(sketch.count(), xs.len() as u64);
        for q in QS {
            let (est, exact) = (sketch.quantile(q), exact_quantile(&sorted, q));
            assert!(
                within_accuracy(est, exact),
                "{name} q={q}: sketch {est} vs exact {exact}"
            );
        }
        assert_eq!(sketch.quantile(0.0), sorted[0], "{name}: q=0 is the min");
        assert_eq!(
            sketch.quantile(1.0),
            sorted[sorted.len() - 1],
            "{name}: q=1 is the max"
        );
        assert_eq!(sketch.min(), sorted[0]);
        assert_eq!(sketch.max(), sorted[sorted.len() - 1]);
    }
}

#[test]
fn every_rank_within_relative_accuracy() {
    // All 1000 ranks of a wide-range sample, including the extremes.
    let mut r = rng(8);
    let lognormal = LogNormal::new(0.0, 5.0).unwrap();
    let xs: Vec<f64> = (0..1000)
        .map(|i| {
            let v = lognormal.sample(&mut r);
            if i % 2 == 0 { -v } else { v }
        })
        .collect();
    let sketch = from_slice(&xs);
    let mut sorted = xs.clone();
    sorted.sort_by(f64::total_cmp);
    for k in 1..=1000u32 {
        let q = f64::from(k) / 1000.0;
        let (est, exact) = (sketch.quantile(q), exact_quantile(&sorted, q));
        assert!(within_accuracy(est, exact), "q={q}: {est} vs {exact}");
    }
}

#[test]
fn representative_is_within_alpha_of_every_bucket_member() {
    let mut r = rng(1);
    for _ in 0..200_000 {
        let x = 10f64.powf(r.random_range(-12.0..300.0));
        let est = bucket_value(bucket_index(x));
        assert!(within_accuracy(est, x), "{x} -> {est}");
    }
}

#[test]
fn constant_sample_is_exact() {
    for v in [2.5, -7.25, 0.0, 1e-13, 123_456.0] {
        let s = from_slice(&vec![v; 1000]);
        for q in [0.0, 0.3, 0.5, 0.99, 1.0] {
            assert_eq!(s.quantile(q), v, "v={v} q={q}");
        }
    }
}

#[test]
fn empty_and_edge_cases() {
    let s = QuantileSketch::new();
    assert_eq!(s.count(), 0);
    assert!(s.quantile(0.5).is_nan());
    assert!(s.min().is_nan() && s.max().is_nan());
    assert_eq!(s, QuantileSketch::default());
    let back: QuantileSketch = serde_json::from_str(&json(&s)).unwrap();
    assert_eq!(back, s);

    let s = from_slice(&[3.0, 1.0, 2.0]);
    assert!(s.quantile(f64::NAN).is_nan());
    // Ranks: ceil(0.34·3) = 2, ceil(0.33·3) = 1.
    assert!(within_accuracy(s.quantile(0.34), 2.0));
    assert_eq!(s.quantile(0.33), 1.0); // rank 1: exact min
    assert_eq!(s.quantile(0.67), 3.0); // rank 3: exact max
    assert_eq!(nearest_rank(0.0, 3), 0);
    assert_eq!(nearest_rank(1.0, 3), 3);
    assert_eq!(nearest_rank(1e-9, 3), 1);
    assert_eq!(nearest_rank(0.5, 100_000), 50_000);
}

#[test]
fn merge_is_commutative_and_matches_whole() {
    for (name, xs) in samples() {
        let (a, b) = xs.split_at(31_337);
        let (sa, sb) = (from_slice(a), from_slice(b));
        let whole = from_slice(&xs);
        let mut ab = sa.clone();
        ab += &sb;
        let mut ba = sb.clone();
        ba.merge(&sa);
        assert_eq!(ab, ba, "{name}");
        assert_eq!(ab, whole, "{name}");
        assert_eq!(json(&ab), json(&ba), "{name}");
        assert_eq!(json(&ab), json(&whole), "{name}");
        for q in QS {
            assert_eq!(ab.quantile(q).to_bits(), whole.quantile(q).to_bits());
        }
    }
}

#[test]
fn shuffled_chunk_merge_is_bit_identical() {
    let mut r = rng(23);
    for (name, xs) in samples() {
        let whole = from_slice(&xs);
        let mut cuts: Vec<usize> = (0..6).map(|_| r.random_range(0..=xs.len())).collect();
        cuts.push(0);
        cuts.push(xs.len());
        cuts.sort_unstable();
        let mut parts: Vec<QuantileSketch> = cuts
            .windows(2)
            .map(|w| from_slice(&xs[w[0]..w[1]]))
            .collect();
        assert_eq!(parts.len(), 7);
        parts.shuffle(&mut r);
        let mut merged = QuantileSketch::new();
        for p in &parts {
            merged += p;
        }
        assert_eq!(merged, whole, "{name}");
        assert_eq!(json(&merged), json(&whole), "{name}");
    }
}

#[test]
fn insertion_order_and_padding_do_not_matter() {
    let mut r = rng(4);
    let mut xs: Vec<f64> = (0..5000)
        .map(|_| 10f64.powf(r.random_range(-6.0..6.0)))
        .collect();
    xs.sort_by(f64::total_cmp);
    let ascending = from_slice(&xs);
    xs.reverse(); // descending: exercises downward growth with slack
    let descending = from_slice(&xs);
    assert_eq!(ascending, descending);
    assert_eq!(json(&ascending), json(&descending));
}

#[test]
fn serde_round_trip_is_canonical() {
    let (_, xs) = samples().swap_remove(3);
    let s = from_slice(&xs);
    let text = json(&s);
    let back: QuantileSketch = serde_json::from_str(&text).unwrap();
    assert_eq!(back, s);
    assert_eq!(json(&back), text);
    for q in QS {
        assert_eq!(back.quantile(q).to_bits(), s.quantile(q).to_bits());
    }
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let counts = v["positive"]["counts"].as_array().unwrap();
    assert_ne!(counts.first().unwrap().as_u64(), Some(0));
    assert_ne!(counts.last().unwrap().as_u64(), Some(0));
    assert_eq!(v["zero"].as_u64(), Some(s.zero));
}

#[test]
fn deserialize_rejects_inconsistent_input() {
    let doc = |zero: u64, pos: &str, min: &str, max: &str| {
        format!(
            r#"{{"zero":{zero},"positive":{pos},"negative":{{"offset":0,"counts":[]}},"min":{min},"max":{max}}}"#
        )
    };
    let none = r#"{"offset":0,"counts":[]}"#;
    let bad = [
        doc(1, none, "null", "null"),         // count without min/max
        doc(0, none, r#""0.0""#, r#""0.0""#), // min/max without count
        doc(2, none, r#""1.0""#, r#""0.0""#), // min > max
        doc(2, none, r#""NaN""#, r#""0.0""#), // non-finite
        doc(2, none, "0.0", "0.0"),           // bare number, not exact string
        doc(
            0,
            r#"{"offset":2000000000,"counts":[1]}"#,
            r#""1.0""#,
            r#""1.0""#,
        ), // index range
    ];
    for b in &bad {
        assert!(serde_json::from_str::<QuantileSketch>(b).is_err(), "{b}");
    }
    let ok = doc(2, none, r#""0.0""#, r#""0.0""#);
    let s: QuantileSketch = serde_json::from_str(&ok).unwrap();
    assert_eq!(s.count(), 2);
    assert_eq!(s.quantile(0.5), 0.0);
    // Zero padding in hand-written input is accepted and canonicalised.
    let padded = doc(
        0,
        r#"{"offset":-2,"counts":[0,0,3,0]}"#,
        r#""1.0""#,
        r#""1.0""#,
    );
    let s: QuantileSketch = serde_json::from_str(&padded).unwrap();
    assert_eq!(s, from_slice(&[1.0, 1.0, 1.0]));
    assert_eq!(json(&s), json(&from_slice(&[1.0, 1.0, 1.0])));
}

#[test]
fn extreme_magnitudes() {
    let xs = [f64::MAX, -f64::MAX, 1e-12, -1e-12, f64::MIN_POSITIVE];
    let s = from_slice(&xs);
    assert_eq!(s.quantile(1.0), f64::MAX);
    assert_eq!(s.quantile(0.0), -f64::MAX);
    assert_eq!(s.quantile(0.2), -f64::MAX); // rank 1: exact min
    assert!(within_accuracy(s.quantile(0.4), -1e-12));
    assert_eq!(s.quantile(0.6), 0.0); // f64::MIN_POSITIVE counts as zero
    assert!(within_accuracy(s.quantile(0.8), 1e-12));
    let back: QuantileSketch = serde_json::from_str(&json(&s)).unwrap();
    assert_eq!(back, s);
}

#[test]
fn validate_accepts_what_adding_produces_and_locates_the_extremes() {
    let mut r = rng(21);
    let lognormal = LogNormal::new(0.0, 2.0).unwrap();
    let xs: Vec<f64> = (0..5000)
        .map(|i| {
            let v = lognormal.sample(&mut r);
            match i % 7 {
                0 => -v,
                1 => 0.0,
                _ => v,
            }
        })
        .collect();
    let sketch = from_slice(&xs);
    sketch.validate().unwrap();
    QuantileSketch::new().validate().unwrap();
    from_slice(&[0.0, 0.0]).validate().unwrap();
    from_slice(&[-2.0, -1.0]).validate().unwrap();
    // A maximum far beyond the highest occupied bucket (an edited max), or a minimum above
    // the lowest one.
    let mut edited = sketch.clone();
    edited.max *= 10.0;
    assert_eq!(edited.validate().unwrap_err().field, "max");
    let mut edited = sketch.clone();
    edited.min = 0.5;
    assert_eq!(edited.validate().unwrap_err().field, "min");
}

#[test]
fn checked_merge_refuses_counts_that_overflow() {
    let one = from_slice(&[1.0]);
    let text = serde_json::to_string(&one).unwrap();
    let full: QuantileSketch = serde_json::from_str(
        &text.replace("\"counts\":[1]", &format!("\"counts\":[{}]", u64::MAX)),
    )
    .unwrap();
    let mut merged = one.clone();
    assert!(merged.checked_merge(&full).is_err());
    assert_eq!(merged, one, "unchanged on error");
    // Counts that overflow u64 together are refused as the sketch is read.
    let over = text.replace("\"counts\":[1]", &format!("\"counts\":[{}, 1]", u64::MAX));
    assert!(serde_json::from_str::<QuantileSketch>(&over).is_err());
}

/// Slices of positive values (a block's column of times and costs) count each value in the
/// bucket its definition gives (`bucket_index_search`, from the logarithm and the edges), at
/// bucket edges and on both sides of them, at cell boundaries and over many decades, and
/// whatever the slice's span.
#[test]
fn positive_slices_count_each_value_in_its_bucket() {
    let mut r = rng(31);
    let mut xs: Vec<f64> = Vec::new();
    for i in bucket_index(1e-3)..bucket_index(1e7) {
        let edge = bucket_upper(i);
        xs.extend([edge, edge.next_down(), edge.next_up()]);
    }
    for cell in (FIRST_CELL + 100..FIRST_CELL + CELL_COUNT).step_by(97) {
        let low = f64::from_bits((cell as u64) << CELL_SHIFT);
        xs.extend([low, low.next_down()]);
    }
    xs.extend((0..20_000).map(|_| 10f64.powf(r.random_range(-11.9..14.9))));
    xs.extend([ZERO_THRESHOLD, 2f64.powi(50).next_down(), 1e15]);
    xs.shuffle(&mut r);
    // Runs of one value and of one bucket's values (a slice in one bucket is counted at once).
    let edge = bucket_upper(bucket_index(70.0));
    xs.extend(std::iter::repeat_n(70.0, 5000));
    xs.extend((0..5000).map(|i| if i % 2 == 0 { edge } else { edge.next_down() }));
    for length in [1, 3, 64, 256, 4096] {
        let mut sketch = QuantileSketch::new();
        let mut expected = std::collections::BTreeMap::<i32, u64>::new();
        for chunk in xs.chunks(length) {
            sketch.add_slice(chunk);
            for &x in chunk {
                *expected.entry(bucket_index_search(x)).or_default() += 1;
            }
        }
        let (offset, counts) = sketch.positive.trimmed();
        let counted: std::collections::BTreeMap<i32, u64> = counts
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(j, &n)| (offset + j as i32, n))
            .collect();
        assert_eq!(counted, expected, "slices of {length}");
        assert_eq!(sketch.count(), xs.len() as u64);
    }
}
