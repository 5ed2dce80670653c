//! Mergeable quantile sketch with a relative-error guarantee.
//!
//! Values are counted in logarithmic buckets: with
//! `γ = (1 + α) / (1 − α)` and `α = RELATIVE_ACCURACY = 0.005`, bucket `i`
//! covers magnitudes in `(γ^(i−1), γ^i]` (edges rounded to f64) and is represented by
//! `2γ^i / (γ + 1) = (1 − α)·γ^i`. For any `x` in the bucket the
//! representative lies in `[(1 − α)·x, (1 + α)·x)`, so it is within relative
//! error `α` of every value in the bucket. Positive and negative values have
//! separate (mirrored) stores; values with `|v| < ZERO_THRESHOLD` are counted
//! as exact zeros.
//!
//! Quantiles use the nearest-rank definition: the `q`-quantile of `n` values
//! is the value of 1-based rank `ceil(q·n)` in sorted order (`q = 0` gives the
//! minimum). Because bucket counts are exact, the sketch finds the bucket
//! that holds that exact order statistic, and returns its representative
//! clamped to the exact `[min, max]` of the sample. Hence the result is within
//! relative error `α` of the exact nearest-rank quantile (up to ~1e-13 of
//! floating-point rounding in the edges and the representative), and a constant sample
//! returns its exact value. Ranks 1 and `n` (in particular `q = 0` and
//! `q = 1`) return the exact minimum and maximum. Values below the
//! zero threshold are reported as `0` (absolute error < 1e-12).
//!
//! Counts are integers, so merging is exact, associative and commutative;
//! equality and serialisation use a canonical form (zero padding trimmed),
//! making merged sketches byte-identical regardless of merge order.
//!
//! Memory is one `u64` per bucket between the smallest and largest occupied
//! index of each sign: about 230 buckets per factor of 10 in magnitude
//! (~1.8 KiB per decade), at most ~74 000 buckets for the full f64 range.

use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

use super::Inconsistency;

/// Relative accuracy `α` of [`QuantileSketch::quantile`].
pub const RELATIVE_ACCURACY: f64 = 0.005;

/// Values with `|v|` below this are counted as exact zeros.
pub const ZERO_THRESHOLD: f64 = 1e-12;

/// Bucket growth factor `γ = (1 + α) / (1 − α)`.
const GAMMA: f64 = (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY);

/// `ln(GAMMA)`, precomputed (checked by a unit test).
const LN_GAMMA: f64 = 0.010_000_083_334_583_179;

/// Minimum number of buckets added when a store grows downwards.
const MIN_GROW: usize = 16;

/// Upper edge `b_i = exp(i·ln γ)` of bucket `i`, rounded to f64 once: bucket `i` holds the
/// magnitudes in `(b_{i−1}, b_i]`.
fn bucket_upper(i: i32) -> f64 {
    (f64::from(i) * LN_GAMMA).exp()
}

/// Bucket index of a magnitude `x ≥ ZERO_THRESHOLD`: the least `i` with `x ≤ b_i`, that is
/// `ceil(log_γ x)` against edges rounded to f64. Adding a value is on every trial's path (eight
/// metrics), so the index is read from a table of the float's exponent and leading mantissa
/// bits and one comparison with the edge inside that cell, not computed with a logarithm.
#[inline]
fn bucket_index(x: f64) -> i32 {
    bucket_index_in(&CELLS, x)
}

/// [`bucket_index`] with the table at hand.
#[inline(always)]
fn bucket_index_in(cells: &[(i32, f64)], x: f64) -> i32 {
    let cell = (x.to_bits() >> CELL_SHIFT) as usize;
    match cells.get(cell.wrapping_sub(FIRST_CELL)) {
        Some(&(index, upper)) => index + i32::from(x > upper),
        None => bucket_index_search(x),
    }
}

/// [`bucket_index`] from its definition: a logarithm lands within one bucket of the answer,
/// and the edges settle it. For the table and the magnitudes beyond it.
#[cold]
fn bucket_index_search(x: f64) -> i32 {
    let mut i = (x.ln() / LN_GAMMA).ceil() as i32;
    while x <= bucket_upper(i - 1) {
        i -= 1;
    }
    while x > bucket_upper(i) {
        i += 1;
    }
    i
}

/// A positive f64's bits shifted right by this keep its exponent and 7 leading mantissa bits:
/// one cell of [`CELLS`]. A cell spans a ratio of at most 1 + 2^-7 < γ, so at most one bucket
/// edge lies inside it.
const CELL_SHIFT: u32 = 52 - 7;

/// The cell of 2^-40 (below ZERO_THRESHOLD = 1e-12): the table's first.
const FIRST_CELL: usize = (1023 - 40) << 7;

/// Cells up to 2^50 (above MAX_ABS_VALUE = 1e15): 90 binades of 128 cells.
const CELL_COUNT: usize = 90 << 7;

/// Per cell: the bucket of its least value, and that bucket's upper edge (a value of the cell
/// above the edge belongs to the next bucket).
static CELLS: std::sync::LazyLock<Vec<(i32, f64)>> = std::sync::LazyLock::new(|| {
    let cell_low = |cell: usize| f64::from_bits((cell as u64) << CELL_SHIFT);
    let mut index = bucket_index_search(cell_low(FIRST_CELL));
    let mut upper = bucket_upper(index);
    (FIRST_CELL..FIRST_CELL + CELL_COUNT)
        .map(|cell| {
            // Edges increase with the index, so the least index whose edge covers the cell's
            // least value only moves up from one cell to the next.
            while upper < cell_low(cell) {
                index += 1;
                upper = bucket_upper(index);
            }
            (index, upper)
        })
        .collect()
});

/// Representative magnitude of bucket `i`: `2γ^i / (γ + 1) = (1 − α)·γ^i`.
/// Computed in log space so that it only overflows (to +inf, later clamped)
/// where `γ^i` itself exceeds `f64::MAX`.
fn bucket_value(i: i32) -> f64 {
    (f64::from(i) * LN_GAMMA + (2.0 / (GAMMA + 1.0)).ln()).exp()
}

/// Smallest and largest bucket index that a finite non-zero value can use.
fn index_bounds() -> (i32, i32) {
    (bucket_index(ZERO_THRESHOLD), bucket_index(f64::MAX))
}

/// 1-based nearest rank `ceil(q·n)` clamped to `[1, n]`, or 0 for `q = 0`
/// (meaning "the minimum").
fn nearest_rank(q: f64, n: u64) -> u64 {
    if q <= 0.0 {
        0
    } else {
        ((q * n as f64).ceil() as u64).clamp(1, n)
    }
}

/// Dense bucket counts: `counts[j]` is the count of bucket `offset + j`.
/// May carry zero padding at either end (growth slack); the canonical form
/// used for equality and serialisation trims it.
#[derive(Clone, Debug, Default)]
struct Store {
    offset: i32,
    counts: Vec<u64>,
}

impl Store {
    /// Adds one to bucket `index`: a bounds check when the store already covers it, which
    /// after the first few values of a block is every time.
    #[inline]
    fn increment(&mut self, index: i32) {
        let j = index.wrapping_sub(self.offset) as u32 as usize;
        match self.counts.get_mut(j) {
            Some(count) => *count += 1,
            None => self.add(index, 1),
        }
    }

    /// Adds `n` to bucket `index`, growing the store if needed.
    fn add(&mut self, index: i32, n: u64) {
        let j = self.slot(index);
        self.counts[j] += n;
    }

    /// Position of bucket `index` in `counts`, growing the store to cover it.
    fn slot(&mut self, index: i32) -> usize {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(0);
            return 0;
        }
        if index < self.offset {
            let missing = (i64::from(self.offset) - i64::from(index)) as usize;
            // Geometric slack keeps repeated downward growth amortised O(1).
            let grow = missing.max(self.counts.len() / 2).max(MIN_GROW);
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset -= grow as i32;
        }
        let j = (i64::from(index) - i64::from(self.offset)) as usize;
        if j >= self.counts.len() {
            // `resize` reserves geometrically, so upward growth is amortised.
            self.counts.resize(j + 1, 0);
        }
        j
    }

    /// Canonical view: offset of the first non-zero bucket and the counts up
    /// to the last non-zero bucket; `(0, [])` when empty.
    fn trimmed(&self) -> (i32, &[u64]) {
        match self.counts.iter().position(|&c| c != 0) {
            None => (0, &[]),
            Some(first) => {
                let last = self.counts.iter().rposition(|&c| c != 0).unwrap_or(first);
                (self.offset + first as i32, &self.counts[first..=last])
            }
        }
    }

    /// Adds `other`'s counts; returns whether a bucket count overflowed (it saturates then).
    fn merge(&mut self, other: &Store) -> bool {
        let (off, counts) = other.trimmed();
        if counts.is_empty() {
            return false;
        }
        // Grow upwards first, then downwards (which may shift `offset`).
        self.slot(off + counts.len() as i32 - 1);
        self.slot(off);
        let base = (i64::from(off) - i64::from(self.offset)) as usize;
        let mut overflowed = false;
        for (dst, &c) in self.counts[base..].iter_mut().zip(counts) {
            let (sum, over) = dst.overflowing_add(c);
            *dst = if over { u64::MAX } else { sum };
            overflowed |= over;
        }
        overflowed
    }

    /// The lowest and the highest occupied bucket index, if any.
    fn occupied(&self) -> Option<(i32, i32)> {
        let (offset, counts) = self.trimmed();
        (!counts.is_empty()).then(|| (offset, offset + counts.len() as i32 - 1))
    }

    /// The number of values counted; `None` when it exceeds `u64` (a corrupted store).
    fn total(&self) -> Option<u64> {
        self.counts
            .iter()
            .try_fold(0u64, |total, &count| total.checked_add(count))
    }
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        self.trimmed() == other.trimmed()
    }
}

/// Serialised form of a [`Store`]: canonical (trimmed) offset and counts.
#[derive(Serialize, Deserialize)]
struct StoreRepr {
    offset: i32,
    counts: Vec<u64>,
}

impl From<&Store> for StoreRepr {
    fn from(s: &Store) -> Self {
        let (offset, counts) = s.trimmed();
        StoreRepr {
            offset,
            counts: counts.to_vec(),
        }
    }
}

impl TryFrom<StoreRepr> for Store {
    type Error = String;

    fn try_from(r: StoreRepr) -> Result<Self, String> {
        if !r.counts.is_empty() {
            let (lo, hi) = index_bounds();
            let last = i64::from(r.offset) + r.counts.len() as i64 - 1;
            if r.offset < lo || last > i64::from(hi) {
                return Err(format!(
                    "bucket range [{}, {last}] outside [{lo}, {hi}]",
                    r.offset
                ));
            }
        }
        Ok(Store {
            offset: r.offset,
            counts: r.counts,
        })
    }
}

/// Mergeable log-bucket quantile sketch (DDSketch-style) with relative
/// accuracy [`RELATIVE_ACCURACY`]; see the module docs.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(into = "SketchRepr", try_from = "SketchRepr")]
pub struct QuantileSketch {
    positive: Store,
    negative: Store,
    zero: u64,
    count: u64,
    /// Exact minimum; +inf when empty.
    min: f64,
    /// Exact maximum; -inf when empty.
    max: f64,
}

impl Default for QuantileSketch {
    fn default() -> Self {
        Self::new()
    }
}

impl QuantileSketch {
    /// Creates an empty sketch.
    pub fn new() -> Self {
        QuantileSketch {
            positive: Store::default(),
            negative: Store::default(),
            zero: 0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Adds one value. `v` must be finite (debug-asserted); in release builds
    /// a non-finite value is ignored.
    #[inline]
    pub fn add(&mut self, v: f64) {
        self.add_slice(std::slice::from_ref(&v));
    }

    /// Adds every value of `values`: the same counts as [`QuantileSketch::add`] on each (they
    /// do not depend on the order), which is how a block summarises its trials.
    #[inline]
    pub fn add_slice(&mut self, values: &[f64]) {
        super::add_finite(values, "QuantileSketch::add", |values, extremes| {
            self.add_buckets(values, extremes);
            self.add_extremes(extremes);
        });
    }

    /// Counts finite `values`, whose extremes are `extremes`, in their buckets (the count and
    /// extremes themselves are [`QuantileSketch::add_extremes`]'s), with the zero count in a
    /// register across the slice.
    #[inline]
    pub(super) fn add_buckets(&mut self, values: &[f64], extremes: super::Extremes) {
        let cells = &**CELLS;
        if self.add_positive(cells, values, extremes) {
            return;
        }
        let mut zero = self.zero;
        for &v in values {
            let magnitude = v.abs();
            if magnitude < ZERO_THRESHOLD {
                zero += 1;
            } else if v > 0.0 {
                self.positive.increment(bucket_index_in(cells, magnitude));
            } else {
                self.negative.increment(bucket_index_in(cells, magnitude));
            }
        }
        self.zero = zero;
    }

    /// [`QuantileSketch::add_buckets`] for a slice of positive values inside the table (every
    /// time and cost of a block's column, usually), or `false` for another slice. A positive
    /// value's bits grow with it, and so do its cell and its bucket: every value lies in the
    /// cells and buckets between its slice's extremes. The store grows once to cover them, and
    /// each value costs one table lookup and one increment, without the sign and zero tests.
    #[inline]
    fn add_positive(
        &mut self,
        cells: &[(i32, f64)],
        values: &[f64],
        extremes: super::Extremes,
    ) -> bool {
        let cell = |x: f64| ((x.to_bits() >> CELL_SHIFT) as usize).wrapping_sub(FIRST_CELL);
        let (first, last) = (cell(extremes.min), cell(extremes.max));
        if !(extremes.min >= ZERO_THRESHOLD && last < cells.len()) {
            return false;
        }
        let (low, high) = (
            bucket_index_in(cells, extremes.min),
            bucket_index_in(cells, extremes.max),
        );
        let store = &mut self.positive;
        store.slot(low);
        store.slot(high);
        let base = (low - store.offset) as usize;
        if low == high {
            // One bucket holds the whole slice (a per-trial constant, such as AWS's savings at
            // a constant spot price): one addition.
            store.counts[base] += values.len() as u64;
            return true;
        }
        let counts = &mut store.counts[base..=base + (high - low) as usize];
        let cells = &cells[first..=last];
        for &v in values {
            let (index, upper) = cells[cell(v) - first];
            counts[(index + i32::from(v > upper) - low) as usize] += 1;
        }
        true
    }

    /// Adds the count and the extremes of a slice whose buckets
    /// [`QuantileSketch::add_buckets`] counts.
    #[inline]
    pub(super) fn add_extremes(&mut self, extremes: super::Extremes) {
        self.count += extremes.count;
        self.min = super::lesser(self.min, extremes.min);
        self.max = super::greater(self.max, extremes.max);
    }

    /// Merges `other` into `self`; same as `*self += other`.
    pub fn merge(&mut self, other: &QuantileSketch) {
        *self += other;
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Exact minimum; NaN when empty.
    pub fn min(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.min }
    }

    /// Exact maximum; NaN when empty.
    pub fn max(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.max }
    }

    /// Nearest-rank `q`-quantile (`q` in `[0, 1]`): an estimate of the value
    /// of 1-based rank `ceil(q·n)`, within relative error
    /// [`RELATIVE_ACCURACY`]. Ranks 1 and `n` (so `q = 0` and `q = 1`)
    /// return the exact minimum and maximum. NaN when empty or `q` is NaN; `q` outside `[0, 1]`
    /// is debug-asserted and clamped.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 || q.is_nan() {
            return f64::NAN;
        }
        debug_assert!((0.0..=1.0).contains(&q), "quantile: q = {q} outside [0, 1]");
        let rank = nearest_rank(q.clamp(0.0, 1.0), self.count);
        // The extreme order statistics are known exactly.
        if rank <= 1 {
            return self.min;
        }
        if rank == self.count {
            return self.max;
        }
        let clamp = |x: f64| x.clamp(self.min, self.max);
        let mut seen = 0u64;
        // Most negative first: the negative store in decreasing index order.
        let (off, counts) = self.negative.trimmed();
        for (j, &c) in counts.iter().enumerate().rev() {
            seen += c;
            if seen >= rank {
                return clamp(-bucket_value(off + j as i32));
            }
        }
        seen += self.zero;
        if seen >= rank {
            return clamp(0.0);
        }
        let (off, counts) = self.positive.trimmed();
        for (j, &c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return clamp(bucket_value(off + j as i32));
            }
        }
        // Unreachable while the counts are consistent (checked on load).
        self.max
    }
}

impl AddAssign<&QuantileSketch> for QuantileSketch {
    fn add_assign(&mut self, other: &QuantileSketch) {
        let overflowed =
            self.positive.merge(&other.positive) | self.negative.merge(&other.negative);
        debug_assert!(!overflowed, "QuantileSketch: bucket count overflow");
        self.zero += other.zero;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }
}

/// Where a value is counted: a negative bucket, the zeros, or a positive bucket, in increasing
/// order of the values they hold (a larger negative index holds more negative values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Negative(i32),
    Zero,
    Positive(i32),
}

impl Slot {
    fn of(v: f64) -> Slot {
        if v.abs() < ZERO_THRESHOLD {
            Slot::Zero
        } else if v > 0.0 {
            Slot::Positive(bucket_index(v))
        } else {
            Slot::Negative(bucket_index(-v))
        }
    }
}

impl QuantileSketch {
    /// `*self += other`, or the field whose count would overflow (merging deserialised shards,
    /// which may be edited; `+=` assumes counts a run can reach).
    pub fn checked_merge(&mut self, other: &QuantileSketch) -> Result<(), Inconsistency> {
        let zero = self
            .zero
            .checked_add(other.zero)
            .ok_or_else(|| Inconsistency::overflow("zero"))?;
        let count = self
            .count
            .checked_add(other.count)
            .ok_or_else(|| Inconsistency::overflow("count"))?;
        let mut merged = self.clone();
        if merged.positive.merge(&other.positive) {
            return Err(Inconsistency::overflow("positive.counts"));
        }
        if merged.negative.merge(&other.negative) {
            return Err(Inconsistency::overflow("negative.counts"));
        }
        merged.zero = zero;
        merged.count = count;
        merged.min = self.min.min(other.min);
        merged.max = self.max.max(other.max);
        *self = merged;
        Ok(())
    }

    /// Checks that a deserialised sketch could have come from adding values (its count and the
    /// presence of min and max are checked as it is read): the exact minimum lies in the lowest
    /// occupied bucket and the exact maximum in the highest.
    pub fn validate(&self) -> Result<(), Inconsistency> {
        if self.count == 0 {
            return Ok(());
        }
        let lowest = match (
            self.negative.occupied(),
            self.zero,
            self.positive.occupied(),
        ) {
            (Some((_, most_negative)), _, _) => Some(Slot::Negative(most_negative)),
            (None, 1.., _) => Some(Slot::Zero),
            (None, 0, smallest) => smallest.map(|(index, _)| Slot::Positive(index)),
        };
        let highest = match (
            self.positive.occupied(),
            self.zero,
            self.negative.occupied(),
        ) {
            (Some((_, largest)), _, _) => Some(Slot::Positive(largest)),
            (None, 1.., _) => Some(Slot::Zero),
            (None, 0, least_negative) => least_negative.map(|(index, _)| Slot::Negative(index)),
        };
        let (Some(lowest), Some(highest)) = (lowest, highest) else {
            return Err(Inconsistency::new(
                "count",
                format!("{} values, but no bucket holds one", self.count),
            ));
        };
        if Slot::of(self.min) != lowest {
            return Err(Inconsistency::new(
                "min",
                format!("{} is not in the lowest occupied bucket", self.min),
            ));
        }
        if Slot::of(self.max) != highest {
            return Err(Inconsistency::new(
                "max",
                format!("{} is not in the highest occupied bucket", self.max),
            ));
        }
        Ok(())
    }
}

impl PartialEq for QuantileSketch {
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count
            && self.zero == other.zero
            && self.min == other.min
            && self.max == other.max
            && self.positive == other.positive
            && self.negative == other.negative
    }
}

/// Serialised form of a [`QuantileSketch`].
#[derive(Serialize, Deserialize)]
struct SketchRepr {
    zero: u64,
    positive: StoreRepr,
    negative: StoreRepr,
    #[serde(with = "super::exact_f64_opt")]
    min: Option<f64>,
    #[serde(with = "super::exact_f64_opt")]
    max: Option<f64>,
}

impl From<QuantileSketch> for SketchRepr {
    fn from(s: QuantileSketch) -> Self {
        let empty = s.count == 0;
        SketchRepr {
            zero: s.zero,
            positive: StoreRepr::from(&s.positive),
            negative: StoreRepr::from(&s.negative),
            min: (!empty).then_some(s.min),
            max: (!empty).then_some(s.max),
        }
    }
}

impl TryFrom<SketchRepr> for QuantileSketch {
    type Error = String;

    fn try_from(r: SketchRepr) -> Result<Self, String> {
        let positive = Store::try_from(r.positive)?;
        let negative = Store::try_from(r.negative)?;
        let count = [positive.total(), negative.total(), Some(r.zero)]
            .into_iter()
            .try_fold(0u64, |total, count| total.checked_add(count?))
            .ok_or("sketch count overflows u64")?;
        let (min, max) = match (count, r.min, r.max) {
            (0, None, None) => (f64::INFINITY, f64::NEG_INFINITY),
            (n, Some(min), Some(max))
                if n > 0 && min.is_finite() && max.is_finite() && min <= max =>
            {
                (min, max)
            }
            _ => return Err("sketch min/max inconsistent with its counts".into()),
        };
        Ok(QuantileSketch {
            positive,
            negative,
            zero: r.zero,
            count,
            min,
            max,
        })
    }
}

#[cfg(test)]
mod bucket_index_tests;

#[cfg(test)]
mod tests;
