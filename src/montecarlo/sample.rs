//! The exact per-trial values charts are drawn from.
//!
//! The quantile sketch of each metric answers quantiles within 0.5 %, but drawn as a
//! distribution its log buckets show: a wall-clock CDF becomes a staircase with steps of several
//! percent and a cost histogram a comb. Charts therefore draw from exact values of a bounded,
//! deterministic set of trials: **the trials with index k < [`SAMPLE_TRIALS`]**. Trials are
//! independent and identically distributed, so the first `SAMPLE_TRIALS` of them are as random
//! a sample as any; choosing them by index makes the sample independent of threads, blocks,
//! shards and merge order, and a run of up to `SAMPLE_TRIALS` trials keeps every one of them.
//!
//! 65,536 values bound the empirical CDF's error (Dvoretzky–Kiefer–Wolfowitz, 95 %:
//! `sqrt(ln(2/0.05) / (2n))`) to 0.53 percentage points — below one pixel of a 540-pixel-high
//! chart's plot area — at 1.5 MiB per run (three 8-byte columns).
//!
//! The hot path pays one predictable comparison per trial. A run allocates its sample once, and
//! the blocks of a wave write their sampled trials' values into their own places in it
//! ([`SampleSlots`]) while they run in parallel: nothing is appended between waves, when only
//! one thread works.

use crate::engine::TrialOutcome;
use crate::stats::Inconsistency;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Trials `0..SAMPLE_TRIALS` of a run keep their values for charts.
pub const SAMPLE_TRIALS: u64 = 65_536;

/// Exact values of the sampled trials, in trial order, one column per quantity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Trial indices, strictly increasing, all below [`SAMPLE_TRIALS`].
    pub trial: Vec<u64>,
    /// CreationTime → terminal status of each sampled trial.
    pub wall_clock_seconds: Vec<f64>,
    /// Cost of each sampled trial (stopped jobs included).
    pub cost_usd: Vec<f64>,
}

impl Sample {
    /// An empty sample with room for the sampled trials of `trials` (none past the range).
    pub fn for_range(trials: &Range<u64>) -> Self {
        let sampled = sampled_trials(trials);
        let room = (sampled.end - sampled.start) as usize;
        Self {
            trial: Vec::with_capacity(room),
            wall_clock_seconds: Vec::with_capacity(room),
            cost_usd: Vec::with_capacity(room),
        }
    }

    /// Room for every sampled trial of `trials`, each filled in place by the block that runs it
    /// ([`Sample::slots`]); columns start as zeros, which the allocator hands out without
    /// writing them.
    pub fn sized_for(trials: &Range<u64>) -> Self {
        let sampled = sampled_trials(trials);
        let room = (sampled.end - sampled.start) as usize;
        Self {
            trial: vec![0; room],
            wall_clock_seconds: vec![0.0; room],
            cost_usd: vec![0.0; room],
        }
    }

    /// The places of the sampled trials of a run over `trials` in a [`Sample::sized_for`] that
    /// range, to be split among blocks ([`SampleSlots::split_off`]).
    pub fn slots(&mut self, trials: &Range<u64>) -> SampleSlots<'_> {
        SampleSlots {
            first: sampled_trials(trials).start,
            trial: &mut self.trial,
            wall_clock_seconds: &mut self.wall_clock_seconds,
            cost_usd: &mut self.cost_usd,
        }
    }

    /// Keeps the first `n` trials of a [`Sample::sized_for`] sample: the ones that ran when a
    /// run stops early.
    pub fn truncate(&mut self, n: usize) {
        self.trial.truncate(n);
        self.wall_clock_seconds.truncate(n);
        self.cost_usd.truncate(n);
    }

    /// Keeps trial `k`'s values when `k` is sampled (called in trial order).
    #[inline]
    pub fn record(&mut self, k: u64, outcome: &TrialOutcome) {
        if k < SAMPLE_TRIALS {
            self.trial.push(k);
            self.wall_clock_seconds.push(outcome.wall_clock_seconds);
            self.cost_usd.push(outcome.cost_usd);
        }
    }

    /// Sampled trials held.
    pub fn len(&self) -> usize {
        self.trial.len()
    }

    /// Whether no trial is held.
    pub fn is_empty(&self) -> bool {
        self.trial.is_empty()
    }

    /// The union of two samples of disjoint trials, in trial order, or the first trial both
    /// hold. Blocks and shards usually arrive in order (a plain append); any order gives the
    /// same result.
    pub fn checked_merge(&mut self, other: &Sample) -> Result<(), Inconsistency> {
        if other.is_empty() {
            return Ok(());
        }
        if self.trial.last().is_none_or(|&last| last < other.trial[0]) {
            self.trial.extend_from_slice(&other.trial);
            self.wall_clock_seconds
                .extend_from_slice(&other.wall_clock_seconds);
            self.cost_usd.extend_from_slice(&other.cost_usd);
            return Ok(());
        }
        let mut merged = Sample::default();
        let (mut i, mut j) = (0, 0);
        while i < self.len() || j < other.len() {
            let take_mine = match (self.trial.get(i), other.trial.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    return Err(Inconsistency::new(
                        "sample.trial",
                        format!("trial {a} is sampled twice"),
                    ));
                }
                (Some(a), Some(b)) => a < b,
                (Some(_), None) => true,
                _ => false,
            };
            let (from, at) = if take_mine {
                i += 1;
                (&*self, i - 1)
            } else {
                j += 1;
                (other, j - 1)
            };
            merged.trial.push(from.trial[at]);
            merged.wall_clock_seconds.push(from.wall_clock_seconds[at]);
            merged.cost_usd.push(from.cost_usd[at]);
        }
        *self = merged;
        Ok(())
    }

    /// Checks a deserialised sample: columns of one length, trial indices strictly increasing
    /// and sampled, values finite and non-negative.
    pub fn validate(&self) -> Result<(), Inconsistency> {
        let n = self.trial.len();
        for (name, len) in [
            ("wall_clock_seconds", self.wall_clock_seconds.len()),
            ("cost_usd", self.cost_usd.len()),
        ] {
            if len != n {
                return Err(Inconsistency::new(
                    format!("sample.{name}"),
                    format!("{len} values for {n} sampled trials"),
                ));
            }
        }
        if let Some(pair) = self.trial.windows(2).find(|w| w[0] >= w[1]) {
            return Err(Inconsistency::new(
                "sample.trial",
                format!(
                    "trial {} follows trial {}: not in increasing order",
                    pair[1], pair[0]
                ),
            ));
        }
        if let Some(&k) = self.trial.last().filter(|&&k| k >= SAMPLE_TRIALS) {
            return Err(Inconsistency::new(
                "sample.trial",
                format!("trial {k} is not sampled (only trials below {SAMPLE_TRIALS} are)"),
            ));
        }
        for (name, column) in [
            ("wall_clock_seconds", &self.wall_clock_seconds),
            ("cost_usd", &self.cost_usd),
        ] {
            if let Some(v) = column.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return Err(Inconsistency::new(
                    format!("sample.{name}"),
                    format!("{v} is not a possible value"),
                ));
            }
        }
        Ok(())
    }
}

/// The places of consecutive sampled trials, from trial `first` on, in a sample allocated for
/// the whole run: the blocks of a wave write their trials' values there in parallel, so the
/// sample needs neither per-block columns nor appending them in order between waves.
#[derive(Debug)]
pub struct SampleSlots<'a> {
    first: u64,
    trial: &'a mut [u64],
    wall_clock_seconds: &'a mut [f64],
    cost_usd: &'a mut [f64],
}

impl<'a> SampleSlots<'a> {
    /// Splits off the places of the trials from `first + n` on (as many as there are): `self`
    /// keeps those of its first `n` trials.
    pub fn split_off(&mut self, n: u64) -> SampleSlots<'a> {
        let at = (n as usize).min(self.trial.len());
        let (trial, rest_trial) = std::mem::take(&mut self.trial).split_at_mut(at);
        let (wall, rest_wall) = std::mem::take(&mut self.wall_clock_seconds).split_at_mut(at);
        let (cost, rest_cost) = std::mem::take(&mut self.cost_usd).split_at_mut(at);
        (self.trial, self.wall_clock_seconds, self.cost_usd) = (trial, wall, cost);
        SampleSlots {
            first: self.first + at as u64,
            trial: rest_trial,
            wall_clock_seconds: rest_wall,
            cost_usd: rest_cost,
        }
    }

    /// Writes trial `k`'s values in its place when it has one (`k` sampled and in these slots).
    #[inline]
    pub fn record(&mut self, k: u64, outcome: &TrialOutcome) {
        let j = k.wrapping_sub(self.first) as usize;
        if let (Some(trial), Some(wall), Some(cost)) = (
            self.trial.get_mut(j),
            self.wall_clock_seconds.get_mut(j),
            self.cost_usd.get_mut(j),
        ) {
            *trial = k;
            *wall = outcome.wall_clock_seconds;
            *cost = outcome.cost_usd;
        }
    }
}

/// The sampled part of a range of trials.
pub fn sampled_trials(trials: &Range<u64>) -> Range<u64> {
    trials.start.min(SAMPLE_TRIALS)..trials.end.min(SAMPLE_TRIALS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Simulator};
    use crate::scenario::Scenario;

    fn sample_of(engine: &Engine, trials: Range<u64>) -> Sample {
        let mut sample = Sample::for_range(&trials);
        for k in trials {
            sample.record(k, &engine.run(k));
        }
        sample
    }

    #[test]
    fn merging_in_any_order_gives_the_sample_of_the_whole_range() {
        let engine = Engine::new(&Scenario::embedded_default());
        let whole = sample_of(&engine, 0..300);
        let parts = [
            sample_of(&engine, 200..300),
            sample_of(&engine, 0..50),
            sample_of(&engine, 50..200),
        ];
        let mut merged = Sample::default();
        for part in &parts {
            merged.checked_merge(part).unwrap();
        }
        assert_eq!(merged, whole);
        merged.validate().unwrap();
        // Trial 7's values are what the engine gives trial 7.
        assert_eq!(
            merged.wall_clock_seconds[7],
            engine.run(7).wall_clock_seconds
        );
        assert_eq!(merged.cost_usd[7], engine.run(7).cost_usd);
        // Overlapping samples are refused.
        let error = merged.checked_merge(&parts[1]).unwrap_err();
        assert_eq!(error.field, "sample.trial");
    }

    #[test]
    fn slots_filled_block_by_block_give_the_sample_of_the_range() {
        let engine = Engine::new(&Scenario::embedded_default());
        // A range that crosses the sampled bound, cut in uneven blocks, filled out of order.
        let range = SAMPLE_TRIALS - 70..SAMPLE_TRIALS + 30;
        let mut sample = Sample::sized_for(&range);
        assert_eq!(sample.len(), 70);
        let mut slots = sample.slots(&range);
        let mut blocks = Vec::new();
        let mut start = range.start;
        for size in [1, 24, 40, 35] {
            let rest = slots.split_off(size);
            blocks.push((start..start + size, slots));
            (slots, start) = (rest, start + size);
        }
        for (trials, mut slots) in blocks.into_iter().rev() {
            for k in trials {
                slots.record(k, &engine.run(k));
            }
        }
        assert_eq!(sample, sample_of(&engine, range.clone()));
        sample.validate().unwrap();
        // Stopped after the first 25 trials: their places only.
        sample.truncate(25);
        assert_eq!(sample, sample_of(&engine, range.start..range.start + 25));
        // A range past the bound has no places.
        assert!(Sample::sized_for(&(SAMPLE_TRIALS..SAMPLE_TRIALS + 5)).is_empty());
    }

    #[test]
    fn only_trials_below_the_bound_are_kept() {
        let engine = Engine::new(&Scenario::embedded_default());
        let tail = sample_of(&engine, SAMPLE_TRIALS - 3..SAMPLE_TRIALS + 5);
        assert_eq!(
            tail.trial,
            vec![SAMPLE_TRIALS - 3, SAMPLE_TRIALS - 2, SAMPLE_TRIALS - 1]
        );
        assert_eq!(
            Sample::for_range(&(SAMPLE_TRIALS..SAMPLE_TRIALS + 10))
                .trial
                .capacity(),
            0
        );
    }

    #[test]
    fn edited_samples_are_refused() {
        let engine = Engine::new(&Scenario::embedded_default());
        let good = sample_of(&engine, 0..20);
        let mut swapped = good.clone();
        swapped.trial.swap(3, 4);
        assert_eq!(swapped.validate().unwrap_err().field, "sample.trial");
        let mut short = good.clone();
        short.cost_usd.pop();
        assert_eq!(short.validate().unwrap_err().field, "sample.cost_usd");
        let mut negative = good.clone();
        negative.wall_clock_seconds[2] = -1.0;
        assert_eq!(
            negative.validate().unwrap_err().field,
            "sample.wall_clock_seconds"
        );
        let mut beyond = good;
        *beyond.trial.last_mut().unwrap() = SAMPLE_TRIALS;
        assert_eq!(beyond.validate().unwrap_err().field, "sample.trial");
    }
}
