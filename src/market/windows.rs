//! Deterministic availability windows: spot capacity exists exactly in the listed intervals
//! `[start, end)` of wall-clock time since CreationTime. For tests, the AWS guide's lifecycles
//! and what-if questions ("what if capacity vanishes from hour 5 to hour 5.5?").

use super::exponential::seconds_value;
use super::{Capacity, Market, MarketContext, MarketState};
use crate::error::InputError;
use crate::random::TrialRng;
use crate::units::keys::{Keys, value_to_seconds};

/// Keys of `[market]` this model reads.
pub const KEYS: &[&str] = &["available"];

/// Capacity exists in the listed intervals (sorted, disjoint).
#[derive(Debug, Clone, PartialEq)]
pub struct Windows {
    /// `(start, end)` seconds since CreationTime.
    pub intervals: Vec<(f64, f64)>,
}

pub(super) fn build(keys: &mut Keys, _: &MarketContext) -> Result<Box<dyn Market>, InputError> {
    let expected = "expected a list of [start, end] pairs of durations, e.g. [[\"0s\", \"5h\"], [\"5h30m\", \"40h\"]]";
    let Some(value) = keys.take("available") else {
        return Err(keys.error(
            "available",
            format!("model \"windows\" needs this key: {expected}"),
        ));
    };
    let toml::Value::Array(rows) = value else {
        return Err(keys.error("available", expected));
    };
    let mut intervals = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let pair = match row {
            toml::Value::Array(pair) if pair.len() == 2 => pair,
            _ => return Err(keys.error("available", format!("entry {}: {expected}", index + 1))),
        };
        let start = value_to_seconds(&pair[0])
            .map_err(|m| keys.error("available", format!("entry {}: {m}", index + 1)))?;
        let end = value_to_seconds(&pair[1])
            .map_err(|m| keys.error("available", format!("entry {}: {m}", index + 1)))?;
        if end <= start {
            return Err(keys.error(
                "available",
                format!("entry {}: the end must come after the start", index + 1),
            ));
        }
        if let Some(&(_, previous_end)) = intervals.last()
            && start < previous_end
        {
            return Err(keys.error(
                "available",
                format!(
                    "entry {}: intervals must be sorted and must not overlap",
                    index + 1
                ),
            ));
        }
        intervals.push((start, end));
    }
    if intervals.is_empty() {
        // No window, no capacity: every trial would wait out MaxWait.
        return Err(keys.error(
            "available",
            format!(
                "the list is empty, so capacity would never come: {expected} (to model a job that never gets capacity, give one window that starts after MaxWait)"
            ),
        ));
    }
    Ok(Box::new(Windows { intervals }))
}

impl Market for Windows {
    fn model(&self) -> &'static str {
        "windows"
    }

    fn next_capacity(
        &self,
        now: f64,
        state: &mut MarketState,
        _: &mut TrialRng,
    ) -> Option<Capacity> {
        // Requests only move forward in time, so a cursor makes the whole trial linear.
        while let Some(&(start, end)) = self.intervals.get(state.cursor) {
            if end > now {
                return Some(Capacity {
                    acquired_seconds: start.max(now),
                    lost_seconds: end,
                });
            }
            state.cursor += 1;
        }
        None
    }

    fn mean_uptime_seconds(&self) -> Option<f64> {
        if self.intervals.is_empty() {
            return None;
        }
        let total: f64 = self.intervals.iter().map(|(s, e)| e - s).sum();
        Some(total / self.intervals.len() as f64)
    }

    fn resolved(&self) -> toml::Table {
        let mut table = toml::Table::new();
        let rows = self
            .intervals
            .iter()
            .map(|&(s, e)| toml::Value::Array(vec![seconds_value(s), seconds_value(e)]))
            .collect();
        table.insert("available".into(), toml::Value::Array(rows));
        table
    }
}
