//! Reading a trace for fitting or resampling: the file, its format, and what its values mean.
//!
//! The same rules as the `trace` market: the convention of 0/1 values is never guessed (event
//! lists count a pool and default to `available`); a count trace needs a threshold (event lists
//! default to the given `events_threshold`); `preempted` traces must hold 0/1 values and take
//! no threshold.

use super::trace_data::{Convention, TraceData, TraceFormat};
use crate::error::InputError;
use std::path::Path;

/// A trace read with a declared meaning.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The loaded rows.
    pub data: TraceData,
    /// The format it was read as.
    pub format: TraceFormat,
    /// What its values mean.
    pub convention: Convention,
    /// Count threshold for "available".
    pub threshold: u32,
    /// Available intervals `[start, end)`.
    pub intervals: Vec<(f64, f64)>,
    /// The factor of the typical row spacing beyond which a CSV gap is a hole.
    pub max_gap_factor: f64,
}

/// Why a trace could not be read.
#[derive(Debug, Clone)]
pub enum ReadError {
    /// The file itself (missing, malformed): a complete error naming the file and line.
    Trace(InputError),
    /// An option is missing or does not fit the trace: the option (`"convention"`,
    /// `"threshold"`, `"max_gap"`) and what is wrong.
    Option {
        /// Which option.
        key: &'static str,
        /// What is wrong and what was expected.
        message: String,
    },
}

fn option(key: &'static str, message: impl Into<String>) -> ReadError {
    ReadError::Option {
        key,
        message: message.into(),
    }
}

/// The name of a format as written in a scenario.
pub fn format_name(format: TraceFormat) -> &'static str {
    match format {
        TraceFormat::Csv => "csv",
        TraceFormat::Json => "json",
        TraceFormat::Events => "events",
    }
}

/// Loads `path` (streamed) and resolves what its values mean: `events_threshold` is the
/// threshold of event lists when none is given (the job's instance count).
pub fn read_trace(
    path: &Path,
    format: Option<TraceFormat>,
    convention: Option<Convention>,
    threshold: Option<u32>,
    max_gap_factor: f64,
    events_threshold: u32,
) -> Result<Reading, ReadError> {
    if !(max_gap_factor >= 1.0 && max_gap_factor.is_finite()) {
        return Err(option(
            "max_gap",
            format!(
                "a factor of the typical row spacing, at least 1 (default 2), got {max_gap_factor}"
            ),
        ));
    }
    let data = TraceData::load(path, format, max_gap_factor).map_err(ReadError::Trace)?;
    let (convention, threshold) = meaning(&data, convention, threshold, events_threshold)?;
    let intervals = data.availability(convention, threshold);
    Ok(Reading {
        format: data.format,
        data,
        convention,
        threshold,
        intervals,
        max_gap_factor,
    })
}

/// Where row `row` of `data` lies in its file.
fn row_location(data: &TraceData, row: usize) -> String {
    match data.format {
        TraceFormat::Json => format!("data[{row}]"),
        TraceFormat::Csv => format!("line {}", row + 2),
        TraceFormat::Events => format!("row {}", row + 1),
    }
}

/// The convention and threshold of `data`, from what was declared.
fn meaning(
    data: &TraceData,
    convention: Option<Convention>,
    threshold: Option<u32>,
    events_threshold: u32,
) -> Result<(Convention, u32), ReadError> {
    let file = &data.file;
    let is_events = data.format == TraceFormat::Events;
    let convention = match convention {
        Some(c) => c,
        None if is_events => Convention::Available,
        None => {
            return Err(option(
                "convention",
                format!(
                    "declare what 1 means in {file}: \"available\" (1 = capacity) or \"preempted\" (1 = no capacity); it is never guessed"
                ),
            ));
        }
    };
    let non_binary = data.values.iter().position(|&v| v > 1);
    if convention == Convention::Preempted {
        if let Some(row) = non_binary {
            return Err(option(
                "convention",
                format!(
                    "\"preempted\" traces hold 0/1 values, but {} of {file} has {}: a count trace uses convention \"available\" with a threshold",
                    row_location(data, row),
                    data.values[row]
                ),
            ));
        }
        if threshold.is_some() {
            return Err(option(
                "threshold",
                "a threshold applies to count traces (convention \"available\")",
            ));
        }
    }
    let threshold = match threshold {
        Some(0) => return Err(option("threshold", "expected a whole number ≥ 1, got 0")),
        Some(t) => t,
        None if is_events => events_threshold.max(1),
        None => match non_binary {
            Some(row) if convention == Convention::Available => {
                return Err(option(
                    "threshold",
                    format!(
                        "{} of {file} has the value {} (not 0/1): for a count trace give the threshold = the instances the job needs",
                        row_location(data, row),
                        data.values[row]
                    ),
                ));
            }
            _ => 1,
        },
    };
    Ok((convention, threshold))
}
