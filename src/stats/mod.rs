//! Deterministic, mergeable summary statistics.
//!
//! Simulation results are accumulated per block (per thread, per shard) and
//! merged afterwards. The summary must be byte-identical for any thread count
//! and any shard split, so every accumulator here merges *exactly*:
//!
//! * [`Moments`] stores integer fixed-point sums (each value rounded once to a
//!   multiple of 2^-32; `Σq` in an `i128`, `Σq²` in exact 256-bit arithmetic)
//!   instead of floating-point running sums. Integer addition is associative
//!   and commutative, so any merge order or grouping gives the same bits,
//!   whereas f64 sums (or Welford updates) depend on the order of operations.
//!   Mean and standard deviation are accurate to ~2^-33 absolute; see
//!   [`moments`] for the exact range.
//! * [`QuantileSketch`] keeps integer counts in logarithmic buckets, so its
//!   merge is exact too.
//! * `min` / `max` are order-independent (with `-0.0` normalised to `0.0`).
//!
//! # Quantiles
//!
//! Quantiles use the nearest-rank definition: the `q`-quantile of `n` values
//! is the value of 1-based rank `ceil(q·n)` in sorted order (`q = 0` gives the
//! minimum, `q = 1` the maximum). The sketch returns a value within relative
//! error [`RELATIVE_ACCURACY`] (0.5 %) of that exact order statistic — a
//! deterministic bound, not a statistical one — clamped to the exact sample
//! `[min, max]`. Values with `|v| < 1e-12` are treated as exact zeros.
//!
//! # Proportions
//!
//! [`wilson_interval`] gives the 95 % Wilson score interval for a success
//! count.

pub mod consistency;
pub mod interval;
pub mod moments;
pub mod sketch;

use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

pub use consistency::Inconsistency;
pub use interval::{Z95, wilson_interval};
pub use moments::{MAX_ABS_VALUE, Moments};
pub use sketch::{QuantileSketch, RELATIVE_ACCURACY, ZERO_THRESHOLD};

/// The lesser of two values that are never NaN nor −0.0 (values are checked finite and
/// normalised before they are added): one `minsd`, where `f64::min` also handles NaN.
#[inline(always)]
fn lesser(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The greater of two values that are never NaN nor −0.0; see [`lesser`].
#[inline(always)]
fn greater(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// The number and the exact extremes of a slice of finite values, computed once for both
/// halves of a [`Metric`]. −0.0 counts as +0.0, so that the extremes do not depend on the
/// order values arrive in.
#[derive(Clone, Copy, Debug)]
struct Extremes {
    count: u64,
    min: f64,
    max: f64,
}

impl Extremes {
    /// The extremes of `values`, or `None` when one of them is not finite (the caller then
    /// adds the finite ones one by one). Four independent lanes, so that it vectorises.
    #[inline]
    fn of(values: &[f64]) -> Option<Extremes> {
        let mut min = [f64::INFINITY; 4];
        let mut max = [f64::NEG_INFINITY; 4];
        let mut finite = [true; 4];
        let mut chunks = values.chunks_exact(4);
        let mut add = |lane: usize, v: f64| {
            finite[lane] &= v.abs() <= f64::MAX;
            min[lane] = lesser(min[lane], v + 0.0);
            max[lane] = greater(max[lane], v + 0.0);
        };
        for chunk in &mut chunks {
            for (lane, &v) in chunk.iter().enumerate() {
                add(lane, v);
            }
        }
        for &v in chunks.remainder() {
            add(0, v);
        }
        if finite != [true; 4] {
            return None;
        }
        Some(Extremes {
            count: values.len() as u64,
            min: lesser(lesser(min[0], min[1]), lesser(min[2], min[3])),
            max: greater(greater(max[0], max[1]), greater(max[2], max[3])),
        })
    }
}

/// Hands `values` with their [`Extremes`] to `add`: in one call when every value is finite (the
/// common case), otherwise each finite value on its own; a non-finite value is ignored (debug
/// builds panic, naming `what`).
#[inline]
fn add_finite(values: &[f64], what: &str, mut add: impl FnMut(&[f64], Extremes)) {
    if let Some(extremes) = Extremes::of(values) {
        return add(values, extremes);
    }
    debug_assert!(false, "{what}: non-finite value in {values:?}");
    for value in values.iter().filter(|v| v.is_finite()) {
        let one = std::slice::from_ref(value);
        if let Some(extremes) = Extremes::of(one) {
            add(one, extremes);
        }
    }
}

/// Exact moments plus a quantile sketch of one simulated quantity.
///
/// Both halves see the same values, so a deserialised metric is consistent only when their
/// counts and exact extremes agree ([`Metric::validate`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    moments: Moments,
    sketch: QuantileSketch,
}

impl Metric {
    /// Creates an empty metric.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value (finite, `|v| ≤ MAX_ABS_VALUE`; debug-asserted).
    #[inline]
    pub fn add(&mut self, v: f64) {
        self.moments.add(v);
        self.sketch.add(v);
    }

    /// Adds every value of `values` (each finite, `|v| ≤ MAX_ABS_VALUE`): the same state as
    /// [`Metric::add`] on each, bit for bit.
    #[inline]
    pub fn add_slice(&mut self, values: &[f64]) {
        // The count and extremes are found once for both halves.
        add_finite(values, "Metric::add", |values, extremes| {
            self.moments.add_sums(values, extremes);
            self.moments.add_extremes(extremes);
            self.sketch.add_buckets(values, extremes);
            self.sketch.add_extremes(extremes);
        });
    }

    /// Merges `other` into `self`; same as `*self += other`.
    pub fn merge(&mut self, other: &Metric) {
        *self += other;
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.moments.count()
    }

    /// The exact moments.
    pub fn moments(&self) -> &Moments {
        &self.moments
    }

    /// The quantile sketch.
    pub fn sketch(&self) -> &QuantileSketch {
        &self.sketch
    }

    /// Checks that a deserialised metric could have come from adding values: each half is
    /// consistent in itself, and both hold the same number of values with the same exact
    /// minimum and maximum.
    pub fn validate(&self) -> Result<(), Inconsistency> {
        self.moments.validate().map_err(|e| e.within("moments"))?;
        self.sketch.validate().map_err(|e| e.within("sketch"))?;
        let (n, m) = (self.sketch.count(), self.moments.count());
        if n != m {
            return Err(Inconsistency::new(
                "sketch",
                format!("holds {n} values but the moments count {m}"),
            ));
        }
        if n > 0
            && (self.sketch.min() != self.moments.min() || self.sketch.max() != self.moments.max())
        {
            return Err(Inconsistency::new(
                "sketch",
                format!(
                    "ranges over [{}, {}] but the moments over [{}, {}]",
                    self.sketch.min(),
                    self.sketch.max(),
                    self.moments.min(),
                    self.moments.max()
                ),
            ));
        }
        Ok(())
    }

    /// `*self += other`, or the field whose exact total would overflow (merging deserialised
    /// shards, which may be edited; [`AddAssign`] saturates instead).
    pub fn checked_merge(&mut self, other: &Metric) -> Result<(), Inconsistency> {
        self.moments
            .checked_merge(&other.moments)
            .map_err(|e| e.within("moments"))?;
        self.sketch
            .checked_merge(&other.sketch)
            .map_err(|e| e.within("sketch"))
    }

    /// Summary statistics; every field is NaN when the metric is empty.
    pub fn summary(&self) -> Summary {
        let m = &self.moments;
        let s = &self.sketch;
        Summary {
            mean: m.mean(),
            stderr: m.stderr(),
            std: m.std(),
            min: m.min(),
            p50: s.quantile(0.5),
            p90: s.quantile(0.9),
            p95: s.quantile(0.95),
            p99: s.quantile(0.99),
            max: m.max(),
        }
    }
}

impl AddAssign<&Metric> for Metric {
    fn add_assign(&mut self, other: &Metric) {
        self.moments += &other.moments;
        self.sketch += &other.sketch;
    }
}

/// Summary of a [`Metric`]. Non-finite fields (NaN for an empty metric)
/// serialise as `null` and deserialise back to NaN.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Summary {
    /// Arithmetic mean.
    #[serde(with = "finite_or_null")]
    pub mean: f64,
    /// Standard error of the mean, `std / sqrt(n)`.
    #[serde(with = "finite_or_null")]
    pub stderr: f64,
    /// Sample standard deviation (divisor `n - 1`; 0 for a single value).
    #[serde(with = "finite_or_null")]
    pub std: f64,
    /// Exact minimum.
    #[serde(with = "finite_or_null")]
    pub min: f64,
    /// Median (nearest rank, within 0.5 % relative).
    #[serde(with = "finite_or_null")]
    pub p50: f64,
    /// 90th percentile (nearest rank, within 0.5 % relative).
    #[serde(with = "finite_or_null")]
    pub p90: f64,
    /// 95th percentile (nearest rank, within 0.5 % relative).
    #[serde(with = "finite_or_null")]
    pub p95: f64,
    /// 99th percentile (nearest rank, within 0.5 % relative).
    #[serde(with = "finite_or_null")]
    pub p99: f64,
    /// Exact maximum.
    #[serde(with = "finite_or_null")]
    pub max: f64,
}

/// Serialises non-finite f64 as `null`; `null` deserialises to NaN.
mod finite_or_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_some(v)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// Serialises `Option<f64>` as `null` or a shortest round-trip decimal
/// string that is parsed back with the correctly rounded std parser, so the
/// exact bits survive a round trip through any serde format (serde_json's
/// default float parser may be off by one ulp, which would break
/// bit-identical merging of deserialised shards). Non-finite values are
/// rejected on load.
mod exact_f64_opt {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(x) => s.serialize_some(&format!("{x:?}")),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(D::Error::custom(format!("invalid finite f64: {text:?}"))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::seq::SliceRandom;
    use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
    use rand_distr::{Distribution, LogNormal};

    fn sample() -> Vec<f64> {
        let mut r = Xoshiro256PlusPlus::seed_from_u64(99);
        let d = LogNormal::new(3.0, 1.0).unwrap();
        (0..30_000)
            .map(|_| {
                let v = d.sample(&mut r);
                if r.random::<f64>() < 0.1 { -v } else { v }
            })
            .collect()
    }

    fn from_slice(xs: &[f64]) -> Metric {
        let mut m = Metric::new();
        for &x in xs {
            m.add(x);
        }
        m
    }

    fn summary_json(m: &Metric) -> String {
        serde_json::to_string(&m.summary()).unwrap()
    }

    #[test]
    fn empty_summary_is_nan_and_serialises_as_null() {
        let s = Metric::new().summary();
        let fields = [
            s.mean, s.stderr, s.std, s.min, s.p50, s.p90, s.p95, s.p99, s.max,
        ];
        assert!(fields.iter().all(|x| x.is_nan()));
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(
            text,
            r#"{"mean":null,"stderr":null,"std":null,"min":null,"p50":null,"p90":null,"p95":null,"p99":null,"max":null}"#
        );
        let back: Summary = serde_json::from_str(&text).unwrap();
        assert!(back.mean.is_nan() && back.max.is_nan());
    }

    #[test]
    fn summary_matches_components() {
        let xs = sample();
        let m = from_slice(&xs);
        let s = m.summary();
        assert_eq!(m.count(), xs.len() as u64);
        assert_eq!(s.mean, m.moments().mean());
        assert_eq!(s.std, m.moments().std());
        assert_eq!(s.stderr, m.moments().stderr());
        assert_eq!(s.p95, m.sketch().quantile(0.95));
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(s.min, sorted[0]);
        assert_eq!(s.max, sorted[sorted.len() - 1]);
        assert!(s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p95);
        assert!(s.p95 <= s.p99 && s.p99 <= s.max);
        // p50 is within 0.5 % of the exact nearest-rank median (rank 15000).
        let median = sorted[14_999];
        assert!((s.p50 - median).abs() <= RELATIVE_ACCURACY * (1.0 + 1e-12) * median.abs());

        // Summary fields are plain JSON numbers; serde_json's default float
        // parser may be one ulp off, hence the 1e-15 relative tolerance.
        let text = serde_json::to_string(&s).unwrap();
        let back: Summary = serde_json::from_str(&text).unwrap();
        let pairs = [
            (back.mean, s.mean),
            (back.stderr, s.stderr),
            (back.std, s.std),
            (back.min, s.min),
            (back.p50, s.p50),
            (back.p90, s.p90),
            (back.p95, s.p95),
            (back.p99, s.p99),
            (back.max, s.max),
        ];
        for (a, b) in pairs {
            assert!((a - b).abs() <= 1e-15 * b.abs(), "{a} vs {b}");
        }
    }

    #[test]
    fn single_value_summary() {
        let s = from_slice(&[4.25]).summary();
        assert_eq!((s.mean, s.std, s.stderr), (4.25, 0.0, 0.0));
        assert_eq!((s.min, s.p50, s.p99, s.max), (4.25, 4.25, 4.25, 4.25));
    }

    #[test]
    fn summary_is_byte_identical_for_any_split_and_order() {
        let xs = sample();
        let whole = from_slice(&xs);
        let expected = summary_json(&whole);
        let mut r = Xoshiro256PlusPlus::seed_from_u64(7);
        for threads in [1usize, 2, 3, 7, 16] {
            // Split into `threads` contiguous blocks of random size.
            let mut cuts: Vec<usize> = (1..threads).map(|_| r.random_range(0..=xs.len())).collect();
            cuts.push(0);
            cuts.push(xs.len());
            cuts.sort_unstable();
            let mut parts: Vec<Metric> = cuts
                .windows(2)
                .map(|w| from_slice(&xs[w[0]..w[1]]))
                .collect();
            parts.shuffle(&mut r);
            let mut merged = Metric::new();
            for p in &parts {
                merged += p;
            }
            assert_eq!(summary_json(&merged), expected, "threads = {threads}");
            assert_eq!(merged, whole);
            assert_eq!(
                serde_json::to_string(&merged).unwrap(),
                serde_json::to_string(&whole).unwrap()
            );
        }
    }

    #[test]
    fn metric_serde_round_trip() {
        let m = from_slice(&sample()[..1000]);
        let text = serde_json::to_string(&m).unwrap();
        let back: Metric = serde_json::from_str(&text).unwrap();
        assert_eq!(back, m);
        assert_eq!(summary_json(&back), summary_json(&m));
        let empty: Metric =
            serde_json::from_str(&serde_json::to_string(&Metric::new()).unwrap()).unwrap();
        assert_eq!(empty, Metric::new());
    }
}
