//! Exact, mergeable count / mean / standard deviation / min / max.
//!
//! Every value `v` is quantised once to the integer `q = round(v · 2^32)`
//! (a resolution of 2^-32 ≈ 2.3e-10). [`Moments`] keeps
//!
//! * `count` — number of values (`u64`),
//! * `sum`   — `Σ q` as an `i128`,
//! * `sum_sq` — `Σ q²` as an exact unsigned 256-bit integer,
//! * `min` / `max` — the exact extreme values (not quantised).
//!
//! Integer addition is associative and commutative, so merging partial
//! results in any order or grouping yields bit-identical state, and therefore
//! bit-identical `mean()`/`std()` output.
//!
//! # Exact range
//!
//! * Per value, `|q| ≤ |v| · 2^32 + 1/2` must fit in an `i128`. Values are
//!   debug-asserted to satisfy `|v| ≤ MAX_ABS_VALUE = 1e15`
//!   (`|q| < 4.3e24 < 2^82`).
//! * `sum`: `|Σ q| < 2^127 ≈ 1.70e38` holds whenever
//!   `n · max|v| < 2^95 ≈ 3.96e28`. For example `|v| ≤ 1e12` is exact for up to
//!   3.9e16 values (1e9 values use 2.5e-8 of the range), and `|v| ≤ 1e15` for
//!   up to 3.9e13 values.
//! * `sum_sq`: `Σ q² < 2^256 ≈ 1.16e77` holds whenever
//!   `n · max|v|² < 2^192 ≈ 6.3e57`, which is implied by the `sum` condition
//!   together with `|v| ≤ 1e15`.
//!
//! Outside this range an overflow panics in debug builds and saturates in
//! release builds (the statistics are then meaningless, but nothing wraps).
//!
//! # Accuracy
//!
//! Quantisation moves each value by at most 2^-33 ≈ 1.2e-10, so the mean is
//! within 2^-33 of the true mean, and the sample standard deviation (a scaled
//! Euclidean norm of the centred values) within `2^-33 · sqrt(n / (n-1))`.
//! The variance numerator `n·Σq² − (Σq)²` is evaluated exactly in integers, so
//! there is no cancellation even when the mean is large compared to the
//! spread; the only remaining error is a few f64 roundings (~1e-16 relative).

use std::fmt;
use std::ops::AddAssign;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Inconsistency;

/// Largest magnitude a value may have for the sums to be exact; larger values
/// trigger a debug assertion (see the module docs for the full range).
pub const MAX_ABS_VALUE: f64 = 1e15;

/// The longest slice [`Moments::add_sums`] sums in machine words.
const SHORT_SLICE: usize = 256;

/// The magnitude (2^19) below which the values of a [`SHORT_SLICE`] sum in machine words:
/// six days in seconds, half a million dollars.
const SHORT_MAGNITUDE: f64 = 524_288.0;

/// 1.5 · 2^52: a whole number `q` with |q| < 2^51 added to it gives a double whose bits are
/// [`MAGIC_BITS`] + q.
const MAGIC: f64 = 6_755_399_441_055_744.0;

/// The bits of [`MAGIC`].
const MAGIC_BITS: i64 = 0x4338_0000_0000_0000;

/// Fixed-point scale applied to every value: 2^32.
const SCALE: f64 = 4_294_967_296.0;
/// 1 / 2^32 (exact).
const INV_SCALE: f64 = 1.0 / SCALE;
/// 1 / 2^64 (exact), the scale of `Σ q²`.
const INV_SCALE_SQ: f64 = INV_SCALE * INV_SCALE;

/// Running count, exact fixed-point sums and extremes of a sample.
///
/// Merging is exactly associative and commutative; see the module docs for
/// the exact range and accuracy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    count: u64,
    #[serde(with = "i128_decimal")]
    sum: i128,
    sum_sq: SumSq,
    /// Exact minimum; +∞ when empty (`null` when serialised).
    #[serde(with = "least")]
    min: f64,
    /// Exact maximum; −∞ when empty (`null` when serialised).
    #[serde(with = "greatest")]
    max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            count: 0,
            sum: 0,
            sum_sq: SumSq::default(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    /// Creates an empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// The exact minimum and maximum, each when present (a deserialised value may lack one).
    fn extremes(&self) -> (Option<f64>, Option<f64>) {
        let present = |x: f64| x.is_finite().then_some(x);
        (present(self.min), present(self.max))
    }

    /// Adds one value.
    ///
    /// `v` must be finite with `|v| ≤ MAX_ABS_VALUE` (debug-asserted).
    /// In release builds a non-finite value is ignored.
    #[inline]
    pub fn add(&mut self, v: f64) {
        self.add_slice(std::slice::from_ref(&v));
    }

    /// Adds every value of `values`: the same state as [`Moments::add`] on each, bit for bit
    /// (integer sums and extremes do not depend on the order), which is how a block summarises
    /// its trials.
    #[inline]
    pub fn add_slice(&mut self, values: &[f64]) {
        super::add_finite(values, "Moments::add", |values, extremes| {
            self.add_sums(values, extremes);
            self.add_extremes(extremes);
        });
    }

    /// Adds `Σq` and `Σq²` of finite `values`, whose extremes are `extremes` (the count and
    /// extremes themselves are [`Moments::add_extremes`]'s), with the running totals in
    /// registers across the slice.
    ///
    /// A short slice of small values (at most [`SHORT_SLICE`] values below [`SHORT_MAGNITUDE`]
    /// in magnitude: a block's column of trial times and costs) cannot overflow machine words:
    /// |q| ≤ 2^51, so `Σq` fits an `i64` (≤ 2^59) and `Σq²` an `i128` (≤ 2^110), and each
    /// value costs a rounding, one add and one 64×64→128-bit product. Integer sums do not depend
    /// on how they are grouped, so the state is the same bits as value by value.
    ///
    /// Otherwise a value below 2^31 in magnitude (|q| < 2^63: every time and cost a trial produces) is
    /// summed into an `i128` that a slice cannot overflow (|Σq| < 2^63 · 2^64) and squares in
    /// one 64×64→128-bit product added to the low half of `Σq²`; the carries out of it are
    /// counted and reach the upper limbs once, at the end. Larger values take a checked path.
    #[inline]
    pub(super) fn add_sums(&mut self, values: &[f64], extremes: super::Extremes) {
        if values.len() <= SHORT_SLICE
            && extremes.min > -SHORT_MAGNITUDE
            && extremes.max < SHORT_MAGNITUDE
        {
            // Quantised in a pass of its own, which runs two values at a time.
            if extremes.min == extremes.max {
                // A constant slice (such as AWS's savings at a constant spot price): n·q and
                // n·q², exact in the same words (n·|q| ≤ 2^59, n·q² ≤ 2^110).
                let q = quantise_short(extremes.min);
                let n = values.len() as i64;
                self.add_short_sums(n * q, i128::from(n) * i128::from(q) * i128::from(q));
                return;
            }
            let mut quantised = [0i64; SHORT_SLICE];
            for (q, &v) in quantised.iter_mut().zip(values) {
                *q = quantise_short(v);
            }
            let (mut sum, mut sum_sq) = (0i64, 0i128);
            for &q in &quantised[..values.len()] {
                sum += q;
                sum_sq += i128::from(q) * i128::from(q);
            }
            self.add_short_sums(sum, sum_sq);
            return;
        }
        let [low0, low1, high0, high1] = self.sum_sq.0;
        let mut low = u128::from(low0) | (u128::from(low1) << 64);
        let mut carries = 0u64;
        let mut narrow_sum = 0i128;
        let mut wide_sum = 0i128;
        let mut wide = SumSq::default();
        for &v in values {
            debug_assert!(
                v.abs() <= MAX_ABS_VALUE,
                "Moments::add: |{v}| exceeds MAX_ABS_VALUE"
            );
            match quantise_narrow(v) {
                Some(q) => {
                    narrow_sum += i128::from(q);
                    let magnitude = q.unsigned_abs();
                    let square = u128::from(magnitude) * u128::from(magnitude);
                    let (total, carry) = low.overflowing_add(square);
                    low = total;
                    carries += u64::from(carry);
                }
                None => add_wide(&mut wide_sum, &mut wide, quantise(v)),
            }
        }
        self.sum = sum_or_saturate(sum_or_saturate(self.sum, narrow_sum), wide_sum);
        self.sum_sq = SumSq([low as u64, (low >> 64) as u64, high0, high1])
            .add_or_saturate(SumSq([0, 0, carries, 0]))
            .add_or_saturate(wide);
    }

    /// Adds the `Σq` and `Σq²` of a short slice.
    #[inline]
    fn add_short_sums(&mut self, sum: i64, sum_sq: i128) {
        let sum_sq = sum_sq as u128;
        self.sum = sum_or_saturate(self.sum, i128::from(sum));
        self.sum_sq =
            self.sum_sq
                .add_or_saturate(SumSq([sum_sq as u64, (sum_sq >> 64) as u64, 0, 0]));
    }

    /// Adds the count and the extremes of a slice whose sums [`Moments::add_sums`] adds.
    #[inline]
    pub(super) fn add_extremes(&mut self, extremes: super::Extremes) {
        self.count += extremes.count;
        self.min = super::lesser(self.min, extremes.min);
        self.max = super::greater(self.max, extremes.max);
    }

    /// Merges `other` into `self`; same as `*self += other`.
    pub fn merge(&mut self, other: &Moments) {
        *self += other;
    }

    /// `*self += other`, or the field whose exact total would overflow (merging deserialised
    /// shards, which may be edited; `+=` saturates instead).
    pub fn checked_merge(&mut self, other: &Moments) -> Result<(), Inconsistency> {
        let count = self
            .count
            .checked_add(other.count)
            .ok_or_else(|| Inconsistency::overflow("count"))?;
        let sum = self
            .sum
            .checked_add(other.sum)
            .ok_or_else(|| Inconsistency::overflow("sum"))?;
        let mut sum_sq = self.sum_sq.0;
        if add_assign(&mut sum_sq, &other.sum_sq.0) {
            return Err(Inconsistency::overflow("sum_sq"));
        }
        *self = Moments {
            count,
            sum,
            sum_sq: SumSq(sum_sq),
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        };
        Ok(())
    }

    /// Checks that deserialised moments could have come from adding values: extremes exactly
    /// when there are values, finite, ordered and within [`MAX_ABS_VALUE`]; the sum of `n`
    /// quantised values between `n·q(min)` and `n·q(max)` (so the mean lies in `[min, max]`);
    /// and `Σq²` between `(Σq)²/n` (Cauchy–Schwarz: a variance is never negative) and
    /// `n·max(q(min)², q(max)²)`.
    pub fn validate(&self) -> Result<(), Inconsistency> {
        let (min, max) = match (self.count, self.extremes()) {
            (0, (None, None)) => {
                return if self.sum != 0 || self.sum_sq != SumSq::default() {
                    Err(Inconsistency::new("sum", "non-zero sums without values"))
                } else {
                    Ok(())
                };
            }
            (n, (Some(min), Some(max))) if n > 0 => (min, max),
            (n, ..) => {
                return Err(Inconsistency::new(
                    "count",
                    format!(
                        "{n} values, but min and max are not both {}",
                        if n == 0 { "absent" } else { "present" }
                    ),
                ));
            }
        };
        if min.is_nan() || max.is_nan() || min > max {
            return Err(Inconsistency::new(
                "min",
                format!("{min} is above max {max}"),
            ));
        }
        if min.abs() > MAX_ABS_VALUE || max.abs() > MAX_ABS_VALUE {
            return Err(Inconsistency::new(
                "max",
                format!("[{min}, {max}] leaves the exact range ±{MAX_ABS_VALUE:e}"),
            ));
        }
        let n = i128::from(self.count);
        let (q_min, q_max) = (quantise(min), quantise(max));
        if self.sum < q_min.saturating_mul(n) || self.sum > q_max.saturating_mul(n) {
            return Err(Inconsistency::new(
                "sum",
                format!(
                    "gives a mean of {}, outside [min, max] = [{min}, {max}]",
                    self.mean()
                ),
            ));
        }
        if self.variance_numerator().is_none() {
            return Err(Inconsistency::new(
                "sum_sq",
                "is below (Σq)²/n: the variance would be negative",
            ));
        }
        let mut bound = [0u64; 6];
        bound[..4]
            .copy_from_slice(&SumSq::square(q_min.unsigned_abs().max(q_max.unsigned_abs())).0);
        mul_small(&mut bound, self.count, 0);
        let mut sum_sq = [0u64; 6];
        sum_sq[..4].copy_from_slice(&self.sum_sq.0);
        if sub_assign(&mut bound, &sum_sq) {
            return Err(Inconsistency::new(
                "sum_sq",
                format!(
                    "is above what {} values in [{min}, {max}] can reach",
                    self.count
                ),
            ));
        }
        Ok(())
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Arithmetic mean; NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        self.sum as f64 * INV_SCALE / self.count as f64
    }

    /// Sample variance (divisor `n - 1`); 0 for one value, NaN when empty.
    pub fn variance(&self) -> f64 {
        let n = self.count;
        match n {
            0 => f64::NAN,
            1 => 0.0,
            // `None` is only reachable after saturation or in an edited partial (Cauchy–Schwarz
            // guarantees a non-negative numerator otherwise).
            _ => self.variance_numerator().map_or(0.0, |num| {
                let var = limbs_to_f64(&num) / (n as f64 * (n - 1) as f64) * INV_SCALE_SQ;
                var.max(0.0)
            }),
        }
    }

    /// `n·Σq² − (Σq)²`, exact in 384-bit arithmetic (n·Σq² < 2^64 · 2^256 and (Σq)² < 2^254);
    /// `None` when it would be negative.
    fn variance_numerator(&self) -> Option<[u64; 6]> {
        let mut num = [0u64; 6];
        num[..4].copy_from_slice(&self.sum_sq.0);
        let carry = mul_small(&mut num, self.count, 0);
        debug_assert_eq!(carry, 0);
        let mut sum_sq_of_sum = [0u64; 4];
        let s = split_u128(self.sum.unsigned_abs());
        mul_limbs(&s, &s, &mut sum_sq_of_sum);
        (!sub_assign(&mut num, &sum_sq_of_sum)).then_some(num)
    }

    /// Sample standard deviation (divisor `n - 1`); 0 for one value, NaN when
    /// empty.
    pub fn std(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Standard error of the mean, `std / sqrt(n)`; 0 for one value, NaN when
    /// empty.
    pub fn stderr(&self) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        self.std() / (self.count as f64).sqrt()
    }

    /// Smallest value added (exact); NaN when empty.
    pub fn min(&self) -> f64 {
        self.extremes().0.unwrap_or(f64::NAN)
    }

    /// Largest value added (exact); NaN when empty.
    pub fn max(&self) -> f64 {
        self.extremes().1.unwrap_or(f64::NAN)
    }
}

impl AddAssign<&Moments> for Moments {
    fn add_assign(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum = sum_or_saturate(self.sum, other.sum);
        self.sum_sq = self.sum_sq.add_or_saturate(other.sum_sq);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }
}

/// [`quantise`] of a value below [`SHORT_MAGNITUDE`] in magnitude: `round(v · 2^32)` is a whole
/// number below 2^51 in magnitude, so added to 1.5 · 2^52 it is exact, and the sum's bits are
/// those of 1.5 · 2^52 plus it (no saturating conversion needed).
#[inline(always)]
fn quantise_short(v: f64) -> i64 {
    ((v * SCALE).round() + MAGIC).to_bits() as i64 - MAGIC_BITS
}

/// [`quantise`] when it fits an `i64` (|v| < 2.1e9): one conversion instruction.
#[inline(always)]
fn quantise_narrow(v: f64) -> Option<i64> {
    let scaled = (v * SCALE).round();
    (scaled.abs() < 9.0e18).then_some(scaled as i64)
}

/// The step of [`Moments::add_slice`] for a value whose `q` does not fit an `i64`: out of
/// line, so that the common step keeps its totals in registers.
#[cold]
#[inline(never)]
fn add_wide(sum: &mut i128, sum_sq: &mut SumSq, q: i128) {
    *sum = sum_or_saturate(*sum, q);
    *sum_sq = sum_sq.add_or_saturate(SumSq::square(q.unsigned_abs()));
}

/// `round(v · 2^32)`, the fixed-point value a sum counts for `v`.
#[inline]
fn quantise(v: f64) -> i128 {
    // f64 → i64 is one instruction, f64 → i128 a library call: take the short way when it fits.
    // `as` saturates, so an out-of-range value cannot wrap.
    quantise_narrow(v).map_or_else(|| (v * SCALE).round() as i128, i128::from)
}

/// `a + b`, or panics (debug) / saturates (release) on overflow.
#[inline]
fn sum_or_saturate(a: i128, b: i128) -> i128 {
    match a.checked_add(b) {
        Some(sum) => sum,
        None => sum_overflowed(a.saturating_add(b)),
    }
}

#[cold]
#[inline(never)]
fn sum_overflowed(saturated: i128) -> i128 {
    if cfg!(debug_assertions) {
        panic!("Moments: sum overflow (outside the documented exact range)");
    }
    saturated
}

/// Serialises the minimum like [`super::exact_f64_opt`], empty (+∞) as `null`.
mod least {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        super::super::exact_f64_opt::serialize(&v.is_finite().then_some(*v), s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(super::super::exact_f64_opt::deserialize(d)?.unwrap_or(f64::INFINITY))
    }
}

/// Serialises the maximum like [`super::exact_f64_opt`], empty (−∞) as `null`.
mod greatest {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        super::least::serialize(v, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(super::super::exact_f64_opt::deserialize(d)?.unwrap_or(f64::NEG_INFINITY))
    }
}

/// Serialises an `i128` as a decimal string (serde_json has no native i128).
mod i128_decimal {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(D::Error::custom)
    }
}

/// Exact non-negative 256-bit integer holding `Σ q²`, as little-endian 64-bit
/// limbs. Serialised as a decimal string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct SumSq([u64; 4]);

impl SumSq {
    const MAX: SumSq = SumSq([u64::MAX; 4]);

    /// `x²`, which always fits in 256 bits.
    fn square(x: u128) -> Self {
        let s = split_u128(x);
        let mut out = [0u64; 4];
        mul_limbs(&s, &s, &mut out);
        SumSq(out)
    }

    /// Sum, or panics (debug) / saturates (release) on overflow.
    fn add_or_saturate(self, other: SumSq) -> SumSq {
        let mut out = self.0;
        if add_assign(&mut out, &other.0) {
            return SumSq::overflowed();
        }
        SumSq(out)
    }

    /// What an overflowing sum becomes: a panic in debug builds, [`SumSq::MAX`] in release.
    #[cold]
    fn overflowed() -> SumSq {
        if cfg!(debug_assertions) {
            panic!("Moments: sum of squares overflow (outside the documented exact range)");
        }
        SumSq::MAX
    }
}

impl fmt::Display for SumSq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const CHUNK: u64 = 10_000_000_000_000_000_000; // 10^19
        let mut x = self.0;
        let mut chunks = Vec::new();
        while x.iter().any(|&l| l != 0) {
            chunks.push(div_small(&mut x, CHUNK));
        }
        match chunks.split_last() {
            None => f.write_str("0"),
            Some((top, rest)) => {
                write!(f, "{top}")?;
                for c in rest.iter().rev() {
                    write!(f, "{c:019}")?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for SumSq {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err("empty sum_sq".into());
        }
        let mut x = [0u64; 4];
        for b in s.bytes() {
            if !b.is_ascii_digit() {
                return Err(format!("invalid digit in sum_sq: {s:?}"));
            }
            if mul_small(&mut x, 10, u64::from(b - b'0')) != 0 {
                return Err(format!("sum_sq does not fit in 256 bits: {s}"));
            }
        }
        Ok(SumSq(x))
    }
}

impl Serialize for SumSq {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SumSq {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// Little-endian multi-limb helpers (64-bit limbs).

fn split_u128(x: u128) -> [u64; 2] {
    [x as u64, (x >> 64) as u64]
}

/// `out = a · b`; `out` must be zeroed and hold `a.len() + b.len()` limbs.
fn mul_limbs(a: &[u64], b: &[u64], out: &mut [u64]) {
    debug_assert!(out.len() >= a.len() + b.len());
    for (i, &x) in a.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &y) in b.iter().enumerate() {
            // (2^64-1)^2 + 2·(2^64-1) = 2^128 - 1: never overflows.
            let t = u128::from(x) * u128::from(y) + u128::from(out[i + j]) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        out[i + b.len()] = carry as u64;
    }
}

/// `a = a · m + add`; returns the carry out of the top limb.
fn mul_small(a: &mut [u64], m: u64, add: u64) -> u64 {
    let mut carry = u128::from(add);
    for limb in a.iter_mut() {
        let t = u128::from(*limb) * u128::from(m) + carry;
        *limb = t as u64;
        carry = t >> 64;
    }
    carry as u64
}

/// `a = a / d`; returns the remainder.
fn div_small(a: &mut [u64], d: u64) -> u64 {
    let mut rem = 0u128;
    for limb in a.iter_mut().rev() {
        let cur = (rem << 64) | u128::from(*limb);
        *limb = (cur / u128::from(d)) as u64;
        rem = cur % u128::from(d);
    }
    rem as u64
}

/// `a += b` (`b.len() <= a.len()`); returns true on overflow.
fn add_assign(a: &mut [u64], b: &[u64]) -> bool {
    let mut carry = false;
    for (i, limb) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let (s1, c1) = limb.overflowing_add(y);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *limb = s2;
        carry = c1 || c2;
    }
    carry
}

/// `a -= b` (`b.len() <= a.len()`); returns true on borrow (b > a).
fn sub_assign(a: &mut [u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for (i, limb) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let (d1, b1) = limb.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *limb = d2;
        borrow = b1 || b2;
    }
    borrow
}

/// Converts to f64 (deterministic; relative error of a few ulps).
fn limbs_to_f64(a: &[u64]) -> f64 {
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    a.iter()
        .rev()
        .fold(0.0, |acc, &limb| acc * TWO_64 + limb as f64)
}

#[cfg(test)]
mod tests;
