//! `spotsim fit`: uptime and downtime distributions of an availability trace, and a `[market]`
//! section built from them. Semantics (censoring, Kaplan–Meier KS) in [`crate::fit`].
//!
//! With `--gang N` an event list of a pool is also read as what it says about a gang of N:
//! one instance's lifetime and the common share ρ of interruptions, by the pool estimator of
//! [`crate::fit::correlation`] (the one behind README's measured ρ); the `[market]` then
//! describes one instance with `correlation = ρ(N)`.

use super::calibrate::duration_option;
use crate::error::InputError;
use crate::fit::correlation::{PoolFit, fit_pool};
use crate::fit::fit_trace;
use crate::market::trace_data::{Convention, TraceFormat};
use crate::market::trace_reading::{ReadError, Reading, format_name, read_trace};
use crate::report::fit as report;
use crate::units::duration::format_duration;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// What 1 means in a 0/1 trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConventionArg {
    /// 1 (or a count ≥ threshold) = capacity available.
    Available,
    /// 1 = preempted (no capacity), 0 = available.
    Preempted,
}

/// Trace file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// `date,availability` rows.
    Csv,
    /// `{"metadata":{"gap_seconds":g},"data":[…]}`.
    Json,
    /// `time_ms,add|remove,node` rows.
    Events,
}

/// Output formats of `fit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FitOutput {
    /// A table for people.
    Table,
    /// All numbers, machine-readable.
    Json,
    /// A `[market]` section for a scenario (best uptime model by AIC), with the fit as comments.
    Toml,
}

/// Arguments of `fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// Availability trace (CSV `date,availability`, JSON ticks, or an event list).
    pub trace: PathBuf,
    /// What 1 means: required for CSV and JSON 0/1 traces (never guessed); event lists count
    /// a pool and default to `available`.
    #[arg(long, value_enum)]
    pub convention: Option<ConventionArg>,
    /// Trace format (default: guessed from the file).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<FormatArg>,
    /// Deprecated spelling of --input-format (everywhere else --format is the output format).
    #[arg(
        long = "format",
        value_enum,
        hide = true,
        conflicts_with = "input_format"
    )]
    pub deprecated_format: Option<FormatArg>,
    /// Count traces: available when the count is at least N (event lists default to 1).
    #[arg(long, value_name = "N")]
    pub threshold: Option<u32>,
    /// CSV: a row spacing above F times the typical one is a hole in the data (an error).
    #[arg(long, value_name = "F", default_value_t = 2.0)]
    pub max_gap: f64,
    /// Event lists: also fit one instance's lifetime and the common share rho of interruptions
    /// for a gang of N (the threshold then defaults to N).
    #[arg(long, value_name = "N")]
    pub gang: Option<u32>,
    /// With --gang: drops within this time of a loss's first drop are one loss (default 3m,
    /// said on stderr).
    #[arg(long, value_name = "DURATION", requires = "gang")]
    pub join_within: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FitOutput::Table)]
    pub output_format: FitOutput,
}

/// Drops within 3 minutes of a loss are part of it: a gang released its instances at the first
/// and is still re-acquiring them (the published pool measurement puts over 92 % of
/// co-interruptions within 3 minutes).
const DEFAULT_JOIN_SECONDS: f64 = 180.0;

/// What `fit --format` now prints on stderr.
pub const FORMAT_DEPRECATION: &str = "fit --format is deprecated: it names the trace's format, so it is now --input-format (--format is the output format in every other command; fit's is --output-format)";

pub(super) fn run(args: FitArgs) -> anyhow::Result<()> {
    if args.deprecated_format.is_some() {
        eprintln!("warning: {FORMAT_DEPRECATION}");
    }
    let reading = read(&args)?;
    let fit = fit_trace(&reading.intervals, reading.data.end_seconds);
    let pool = pool(&args, &reading)?;
    let text = match args.output_format {
        FitOutput::Table => report::table(&reading, &fit, pool.as_ref()),
        FitOutput::Json => report::json(&reading, &fit, pool.as_ref()),
        FitOutput::Toml => report::toml_section(&reading, &fit, pool.as_ref())?,
    };
    super::print(&text)
}

/// `--gang N`: the pool's fit for gangs of N, or why the trace cannot give it. Without it, an
/// event list of several instances gets a hint on stderr.
fn pool(args: &FitArgs, reading: &Reading) -> Result<Option<PoolFit>, InputError> {
    let data = &reading.data;
    let pool_size = data.values.iter().copied().max().unwrap_or(0);
    let Some(gang) = args.gang else {
        if data.format == TraceFormat::Events && pool_size > 1 {
            eprintln!(
                "fit: {} records a pool of up to {pool_size} instances; --gang N also fits one instance's lifetime and the common share ρ of interruptions for a gang of N",
                data.file
            );
        }
        return Ok(None);
    };
    let at_gang = |message: String| InputError::new(&data.file, message).at_key("--gang");
    if gang < 2 {
        return Err(InputError::new(
            "command line",
            format!("a gang of at least 2 instances (ρ does not matter for one), got {gang}"),
        )
        .at_key("--gang"));
    }
    if data.format != TraceFormat::Events {
        return Err(at_gang(format!(
            "a {} trace holds one availability value per probe for the whole pool, which never shows how many instances one loss took: ρ cannot be told from it (--gang needs an event list `time_ms,add|remove,node`)",
            format_name(data.format)
        )));
    }
    let window_seconds = match &args.join_within {
        Some(text) => duration_option("--join-within", text)?,
        None => {
            eprintln!(
                "fit: losses: drops within {} of a loss's first drop are joined to it (assumed; give --join-within): a gang released its instances at the first and is still re-acquiring them",
                format_duration(DEFAULT_JOIN_SECONDS)
            );
            DEFAULT_JOIN_SECONDS
        }
    };
    fit_pool(
        &data.times,
        &data.values,
        data.end_seconds,
        window_seconds,
        gang,
    )
    .map(Some)
    .map_err(at_gang)
}

fn read(args: &FitArgs) -> Result<Reading, InputError> {
    let format = args
        .input_format
        .or(args.deprecated_format)
        .map(|f| match f {
            FormatArg::Csv => TraceFormat::Csv,
            FormatArg::Json => TraceFormat::Json,
            FormatArg::Events => TraceFormat::Events,
        });
    let convention = args.convention.map(|c| match c {
        ConventionArg::Available => Convention::Available,
        ConventionArg::Preempted => Convention::Preempted,
    });
    // A gang of N needs N instances at once: an event list's threshold defaults to N.
    read_trace(
        &args.trace,
        format,
        convention,
        args.threshold,
        args.max_gap,
        args.gang.unwrap_or(1),
    )
    .map_err(|e| match e {
        ReadError::Trace(error) => error,
        ReadError::Option { key, message } => {
            InputError::new("command line", message).at_key(format!("--{}", key.replace('_', "-")))
        }
    })
}
