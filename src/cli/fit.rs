//! `spotsim fit`: uptime and downtime distributions of an availability trace, and a `[market]`
//! section built from them. Semantics (censoring, Kaplan–Meier KS) in [`crate::fit`].

use crate::error::InputError;
use crate::fit::fit_trace;
use crate::market::trace_data::{Convention, TraceFormat};
use crate::market::trace_reading::{ReadError, Reading, read_trace};
use crate::report::fit as report;
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = FitOutput::Table)]
    pub output_format: FitOutput,
}

/// What `fit --format` now prints on stderr.
pub const FORMAT_DEPRECATION: &str = "fit --format is deprecated: it names the trace's format, so it is now --input-format (--format is the output format in every other command; fit's is --output-format)";

pub(super) fn run(args: FitArgs) -> anyhow::Result<()> {
    if args.deprecated_format.is_some() {
        eprintln!("warning: {FORMAT_DEPRECATION}");
    }
    let reading = read(&args)?;
    let fit = fit_trace(&reading.intervals, reading.data.end_seconds);
    let text = match args.output_format {
        FitOutput::Table => report::table(&reading, &fit),
        FitOutput::Json => report::json(&reading, &fit),
        FitOutput::Toml => report::toml_section(&reading, &fit)?,
    };
    super::print(&text)
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
    read_trace(
        &args.trace,
        format,
        convention,
        args.threshold,
        args.max_gap,
        1,
    )
    .map_err(|e| match e {
        ReadError::Trace(error) => error,
        ReadError::Option { key, message } => {
            InputError::new("command line", message).at_key(format!("--{}", key.replace('_', "-")))
        }
    })
}
