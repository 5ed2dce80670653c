//! Trace replay (`model = "trace"`): capacity exists exactly when a recorded availability
//! trace says so. The job acquires capacity when the trace is available (then provisions) and
//! is interrupted when it becomes unavailable.
//!
//! A trial starts at an offset into the trace: fixed (`start = "179.725h"`) or `"random"`,
//! uniform per trial from the trial's own seed stream. Without `wrap`, the whole MaxWait of a
//! trial must fit in the trace: a fixed start must leave room for it, and a random start is
//! drawn from [0, duration − MaxWait]; so no trial ever runs past the end. With `wrap = true`
//! the trace repeats.

use super::trace_data::{Convention, TraceData, TraceFormat};
use super::{Capacity, Market, MarketContext, MarketState, seconds_value};
use crate::error::InputError;
use crate::market::trace_reading::{ReadError, Reading, format_name, read_trace};
use crate::random::{Stream, TrialRng, unit_open_closed};
use crate::units::keys::Keys;
use std::sync::Arc;

/// Keys of `[market]` this model reads.
pub const KEYS: &[&str] = &[
    "path",
    "format",
    "convention",
    "threshold",
    "start",
    "wrap",
    "max_gap",
];

/// Where each trial starts in the trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StartOffset {
    /// The same offset for every trial.
    Fixed(f64),
    /// Uniform per trial.
    Random,
}

/// A replayed availability trace.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The loaded rows (also used to align per-tick prices).
    pub data: Arc<TraceData>,
    /// Available intervals `[start, end)` in trace time.
    pub intervals: Vec<(f64, f64)>,
    /// Trace length.
    pub duration_seconds: f64,
    /// Start offset rule.
    pub start: StartOffset,
    /// Whether the trace repeats.
    pub wrap: bool,
    /// The declared convention.
    pub convention: Convention,
    /// Count threshold for "available".
    pub threshold: u32,
    /// A trial's longest run (MaxWait).
    horizon_seconds: f64,
    path_text: String,
    format: TraceFormat,
    max_gap_factor: f64,
}

/// The `path` and optional `format` keys every trace-reading model takes.
pub(super) fn path_and_format(
    keys: &mut Keys,
    model: &str,
) -> Result<(String, Option<TraceFormat>), InputError> {
    let path_text = keys.path("path")?.ok_or_else(|| {
        keys.error(
            "path",
            format!(
                "model \"{model}\" needs the path of the trace file (relative to the scenario)"
            ),
        )
    })?;
    let format = match keys.string("format")? {
        None => None,
        Some(name) => Some(TraceFormat::parse(&name).ok_or_else(|| {
            keys.error(
                "format",
                format!(
                    "expected \"csv\", \"json\" or \"events\", got {}",
                    crate::error::excerpt(&name)
                ),
            )
        })?),
    };
    Ok((path_text, format))
}

/// Reads the trace a trace-reading model names, with its declared meaning (`path`, `format`,
/// `convention`, `threshold`, `max_gap`), and the file's absolute path (`validate` prints it so
/// that its output works from any folder).
pub(super) fn read_keyed_trace(
    keys: &mut Keys,
    context: &MarketContext,
    model: &str,
) -> Result<(Reading, String), InputError> {
    let (path_text, format) = path_and_format(keys, model)?;
    let convention = match keys.string("convention")? {
        None => None,
        Some(name) => Some(Convention::parse(&name).ok_or_else(|| {
            keys.error(
                "convention",
                format!(
                    "expected \"available\" (1 = capacity) or \"preempted\" (1 = no capacity), got {}",
                    crate::error::excerpt(&name)
                ),
            )
        })?),
    };
    let threshold = match keys.number("threshold")? {
        None => None,
        Some(t) if t >= 1.0 && t.fract() == 0.0 && t <= f64::from(u32::MAX) => Some(t as u32),
        Some(t) => {
            return Err(keys.error("threshold", format!("expected a whole number ≥ 1, got {t}")));
        }
    };
    let max_gap = keys.number("max_gap")?.unwrap_or(2.0);
    let path = crate::data::resolve(context.base_dir, &path_text).map_err(|missing| {
        keys.error(
            "path",
            format!("trace \"{path_text}\" {}", missing.describe()),
        )
    })?;
    let reading = read_trace(
        &path,
        format,
        convention,
        threshold,
        max_gap,
        context.instance_count,
    )
    .map_err(|e| match e {
        ReadError::Trace(error) => error,
        ReadError::Option { key, message } => keys.error(key, message),
    })?;
    let absolute = path.canonicalize().unwrap_or(path).display().to_string();
    Ok((reading, absolute))
}

/// The resolved keys of the trace a model read: `path`, `format`, `convention`, `threshold`
/// and `max_gap`.
pub(super) fn source_table(
    path_text: &str,
    format: TraceFormat,
    convention: Convention,
    threshold: u32,
    max_gap_factor: f64,
) -> toml::Table {
    let mut table = toml::Table::new();
    table.insert("path".into(), toml::Value::String(path_text.into()));
    table.insert(
        "format".into(),
        toml::Value::String(format_name(format).into()),
    );
    table.insert(
        "convention".into(),
        toml::Value::String(convention.name().into()),
    );
    table.insert("threshold".into(), toml::Value::Integer(threshold.into()));
    table.insert("max_gap".into(), seconds_value(max_gap_factor));
    table
}

pub(super) fn build(
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<Box<dyn Market>, InputError> {
    let (reading, path_text) = read_keyed_trace(keys, context, "trace")?;
    let Reading {
        data,
        format,
        convention,
        threshold,
        intervals,
        max_gap_factor,
    } = reading;
    let wrap = keys.boolean("wrap")?.unwrap_or(false);
    let duration_seconds = data.end_seconds;
    let horizon_seconds = context.horizon_seconds;
    let start = match keys.take("start") {
        None => StartOffset::Fixed(0.0),
        Some(toml::Value::String(s)) if s == "random" => StartOffset::Random,
        Some(value) => StartOffset::Fixed(
            crate::units::keys::value_to_seconds(&value)
                .map_err(|m| keys.error("start", format!("{m}, or \"random\"")))?,
        ),
    };
    match start {
        StartOffset::Fixed(offset) if offset >= duration_seconds => {
            return Err(keys.error(
                "start",
                format!("the trace lasts {duration_seconds} s; a start offset of {offset} s is past its end"),
            ));
        }
        StartOffset::Fixed(offset) if !wrap && offset + horizon_seconds > duration_seconds => {
            return Err(keys.error(
                "start",
                format!(
                    "a trial starting at {offset} s may run {horizon_seconds} s (MaxWait), past the end of the trace at {duration_seconds} s; start earlier, shorten MaxWait or set wrap = true"
                ),
            ));
        }
        StartOffset::Random if !wrap && horizon_seconds > duration_seconds => {
            return Err(keys.error(
                "start",
                format!("the trace ({duration_seconds} s) is shorter than MaxWait ({horizon_seconds} s); set wrap = true to repeat it"),
            ));
        }
        _ => {}
    }
    if intervals.is_empty() {
        return Err(keys.error(
            "path",
            format!(
                "{} never has capacity under convention \"{}\" (threshold {threshold})",
                data.file,
                convention.name()
            ),
        ));
    }
    Ok(Box::new(Trace {
        data: Arc::new(data),
        intervals,
        duration_seconds,
        start,
        wrap,
        convention,
        threshold,
        horizon_seconds,
        path_text,
        format,
        max_gap_factor,
    }))
}

impl Trace {
    /// The offset of trial `rng` into the trace (the same on every call for a trial).
    pub fn offset_seconds(&self, rng: &TrialRng) -> f64 {
        match self.start {
            StartOffset::Fixed(offset) => offset,
            StartOffset::Random => {
                let span = if self.wrap {
                    self.duration_seconds
                } else {
                    self.duration_seconds - self.horizon_seconds
                };
                let u = 1.0 - unit_open_closed(&mut rng.stream(Stream::TraceStart)); // [0, 1)
                u * span
            }
        }
    }

    /// Interval number `index` of the (possibly repeated) trace, in trace time.
    fn interval(&self, index: usize) -> Option<(f64, f64)> {
        let n = self.intervals.len();
        if !self.wrap {
            return self.intervals.get(index).copied();
        }
        let (cycle, i) = (index / n, index % n);
        let shift = cycle as f64 * self.duration_seconds;
        let (start, mut end) = self.intervals[i];
        // An interval that runs to the end continues into the next repetition's first one.
        if i == n - 1 && end == self.duration_seconds && self.intervals[0].0 == 0.0 {
            end = if n == 1 {
                f64::INFINITY
            } else {
                self.duration_seconds + self.intervals[0].1
            };
        }
        Some((start + shift, end + shift))
    }
}

impl Market for Trace {
    fn model(&self) -> &'static str {
        "trace"
    }

    fn next_capacity(
        &self,
        now: f64,
        state: &mut MarketState,
        rng: &mut TrialRng,
    ) -> Option<Capacity> {
        if state.cursor == 0 {
            state.offset_seconds = self.offset_seconds(rng);
        }
        let offset = state.offset_seconds;
        let x = now + offset;
        loop {
            let (start, end) = self.interval(state.cursor)?;
            if end > x {
                return Some(Capacity {
                    acquired_seconds: (start - offset).max(now),
                    lost_seconds: end - offset,
                });
            }
            state.cursor += 1;
        }
    }

    fn mean_uptime_seconds(&self) -> Option<f64> {
        let total: f64 = self.intervals.iter().map(|(s, e)| e - s).sum();
        Some(total / self.intervals.len() as f64)
    }

    fn resolved(&self) -> toml::Table {
        let mut table = source_table(
            &self.path_text,
            self.format,
            self.convention,
            self.threshold,
            self.max_gap_factor,
        );
        let start = match self.start {
            StartOffset::Fixed(offset) => seconds_value(offset),
            StartOffset::Random => toml::Value::String("random".into()),
        };
        table.insert("start".into(), start);
        table.insert("wrap".into(), toml::Value::Boolean(self.wrap));
        table
    }

    fn as_trace(&self) -> Option<&Trace> {
        Some(self)
    }
}
