//! `spotsim fit`: uptime and downtime distributions of an availability trace, and a `[market]`
//! section built from them. Semantics (censoring, Kaplan–Meier KS) in [`crate::fit`].

use crate::error::InputError;
use crate::fit::source::{ReadError, Reading, format_name, read_trace};
use crate::fit::{EpisodeFit, ExponentialFit, TraceFit, fit_trace};
use crate::market::trace_data::{Convention, TraceFormat};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::fmt::Write as _;
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

/// What the censoring and KS numbers mean, printed with every output.
const CENSORING_NOTE: &str = "episodes touching the window start or end are right-censored: their observed length is a lower bound";
const KS_NOTE: &str = "KS = sup_t |F_KM(t) - F_fit(t)|, Kaplan-Meier estimate from all episodes (censored included), t up to the longest episode";

pub(super) const HOUR: f64 = 3600.0;

/// What `fit --format` now prints on stderr.
pub const FORMAT_DEPRECATION: &str = "fit --format is deprecated: it names the trace's format, so it is now --input-format (--format is the output format in every other command; fit's is --output-format)";

pub(super) fn run(args: FitArgs) -> anyhow::Result<()> {
    if args.deprecated_format.is_some() {
        eprintln!("warning: {FORMAT_DEPRECATION}");
    }
    let reading = read(&args)?;
    let fit = fit_trace(&reading.intervals, reading.data.end_seconds);
    let text = match args.output_format {
        FitOutput::Table => table(&reading, &fit),
        FitOutput::Json => json(&reading, &fit)?,
        FitOutput::Toml => toml_section(&reading, &fit)?,
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

fn describe_reading(reading: &Reading) -> String {
    format!(
        "format {}, convention \"{}\", threshold {}; {} rows, tick {} s, window {:.1} h",
        format_name(reading.format),
        reading.convention.name(),
        reading.threshold,
        reading.data.times.len(),
        reading.data.tick_seconds,
        reading.data.end_seconds / HOUR
    )
}

fn hours(seconds: Option<f64>) -> String {
    seconds.map_or("n/a".into(), |s| format!("{:.3}", s / HOUR))
}

/// Row labels of the table, in the order of [`cells`].
pub(super) const ROW_LABELS: [&str; 11] = [
    "episodes (censored)",
    "mean observed (h)",
    "exponential mean (h)",
    "exponential KS",
    "exponential AIC",
    "weibull shape",
    "weibull scale (h)",
    "weibull mean (h)",
    "weibull KS",
    "weibull AIC",
    "best by AIC",
];

/// One column of the table.
pub(super) fn cells(f: &EpisodeFit) -> [String; 11] {
    let na = || "n/a".to_string();
    let e = f.exponential;
    let w = f.weibull;
    [
        format!("{} ({})", f.n, f.censored),
        hours(f.mean_seconds),
        e.map_or_else(na, |e| {
            format!(
                "{:.3} ± {:.3}",
                e.mean_seconds / HOUR,
                e.mean_se_seconds / HOUR
            )
        }),
        e.map_or_else(na, |e| format!("{:.4}", e.ks)),
        e.map_or_else(na, |e| format!("{:.1}", e.aic)),
        w.map_or_else(na, |w| format!("{:.4} ± {:.4}", w.shape, w.shape_se)),
        w.map_or_else(na, |w| {
            format!(
                "{:.3} ± {:.3}",
                w.scale_seconds / HOUR,
                w.scale_se_seconds / HOUR
            )
        }),
        hours(w.map(|w| w.mean_seconds)),
        w.map_or_else(na, |w| format!("{:.4}", w.ks)),
        w.map_or_else(na, |w| format!("{:.1}", w.aic)),
        f.best.unwrap_or("n/a").to_string(),
    ]
}

/// What was read and how the fit treats it, each line after `prefix`.
fn preamble(out: &mut String, prefix: &str, reading: &Reading, fit: &TraceFit) {
    let _ = writeln!(
        out,
        "{prefix}{}; available {:.1} % of the time",
        describe_reading(reading),
        100.0 * fit.available_fraction
    );
    let _ = writeln!(out, "{prefix}censoring: {CENSORING_NOTE}");
    let _ = writeln!(out, "{prefix}{KS_NOTE}");
}

fn table(reading: &Reading, fit: &TraceFit) -> String {
    let mut out = format!("spotsim fit: {}\n", reading.data.file);
    preamble(&mut out, "  ", reading, fit);
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<22} {:>20} {:>20}", "", "uptime", "downtime");
    let (up, down) = (cells(&fit.uptime), cells(&fit.downtime));
    for ((label, up), down) in ROW_LABELS.iter().zip(&up).zip(&down) {
        let _ = writeln!(out, "{label:<22} {up:>20} {down:>20}");
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    file: &'a str,
    format: &'static str,
    convention: &'static str,
    threshold: u32,
    rows: usize,
    tick_seconds: f64,
    censoring: &'static str,
    ks: &'static str,
    #[serde(flatten)]
    fit: &'a TraceFit,
    market: Option<toml::Table>,
}

fn json(reading: &Reading, fit: &TraceFit) -> anyhow::Result<String> {
    let report = JsonReport {
        file: &reading.data.file,
        format: format_name(reading.format),
        convention: reading.convention.name(),
        threshold: reading.threshold,
        rows: reading.data.times.len(),
        tick_seconds: reading.data.tick_seconds,
        censoring: CENSORING_NOTE,
        ks: KS_NOTE,
        fit,
        market: market_table(reading, fit).ok().map(|r| {
            r.keys
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        }),
    };
    Ok(serde_json::to_string_pretty(&report)? + "\n")
}

/// Whether market model `name` is registered and reads all of `keys`.
pub(super) fn registered(name: &str, keys: &[&str]) -> bool {
    crate::market::MODELS
        .iter()
        .any(|(model, _, known)| *model == name && keys.iter().all(|k| known.contains(k)))
}

pub(super) fn hours_string(seconds: f64) -> String {
    format!("{:.4}h", seconds / HOUR)
}

/// The recommended `[market]` keys, in order, and notes on how they were chosen.
struct Recommendation {
    keys: Vec<(&'static str, toml::Value)>,
    notes: Vec<String>,
}

fn market_table(reading: &Reading, fit: &TraceFit) -> Result<Recommendation, InputError> {
    let mut notes = Vec::new();
    let up = &fit.uptime;
    let Some(exponential) = up.exponential else {
        return Err(InputError::new(
            &reading.data.file,
            format!(
                "no complete uptime episode under convention \"{}\" (threshold {}): {} available period(s), all touching the start or end of the trace; nothing to fit",
                reading.convention.name(),
                reading.threshold,
                up.n
            ),
        ));
    };
    let down = &fit.downtime;
    let wait_seconds = match (down.exponential, down.mean_seconds) {
        (Some(e), _) => {
            notes.push(format!(
                "mean_capacity_wait = exponential (censoring-aware) mean downtime, {:.3} h",
                e.mean_seconds / HOUR
            ));
            e.mean_seconds
        }
        (None, Some(mean)) => {
            notes.push(
                "no complete downtime episode: mean_capacity_wait = mean observed (censored) downtime, a lower bound".into(),
            );
            mean
        }
        (None, None) => {
            notes.push("the trace is never unavailable: mean_capacity_wait = 0".into());
            0.0
        }
    };
    let mut table = uptime_keys(
        up,
        &exponential,
        &["shape", "scale", "mean_capacity_wait"],
        &mut notes,
    );
    table.push(("mean_capacity_wait", hours_string(wait_seconds).into()));
    Ok(Recommendation { keys: table, notes })
}

/// The uptime keys of a `[market]` section, with why in `notes`: the Weibull when it has the
/// lower AIC and a `weibull` model reads `weibull_keys`, else the exponential.
pub(super) fn uptime_keys(
    up: &EpisodeFit,
    exponential: &ExponentialFit,
    weibull_keys: &[&str],
    notes: &mut Vec<String>,
) -> Vec<(&'static str, toml::Value)> {
    let mut table: Vec<(&'static str, toml::Value)> = Vec::new();
    match up.weibull {
        Some(w) if up.best == Some("weibull") && registered("weibull", weibull_keys) => {
            notes.push(format!(
                "uptime: weibull has the lower AIC ({:.1} vs exponential {:.1})",
                w.aic, exponential.aic
            ));
            table.push(("model", "weibull".into()));
            table.push(("shape", toml::Value::Float((w.shape * 1e4).round() / 1e4)));
            table.push(("scale", hours_string(w.scale_seconds).into()));
        }
        weibull => {
            notes.push(match weibull {
                Some(w) if up.best == Some("weibull") => format!(
                    "uptime: weibull has the lower AIC ({:.1} vs {:.1}) but no `weibull` market model with keys {} is registered",
                    w.aic,
                    exponential.aic,
                    weibull_keys.join(", ")
                ),
                Some(w) => format!(
                    "uptime: exponential has the lower AIC ({:.1} vs weibull {:.1})",
                    exponential.aic, w.aic
                ),
                None => "uptime: no weibull fit (durations all equal); exponential".into(),
            });
            table.push(("model", "exponential".into()));
            table.push(("mean_uptime", hours_string(exponential.mean_seconds).into()));
        }
    }
    table
}

pub(super) fn summary_comment(name: &str, f: &EpisodeFit) -> String {
    let mut line = format!("# {name}: n = {} ({} censored)", f.n, f.censored);
    if let Some(e) = f.exponential {
        let _ = write!(
            line,
            "; exponential mean {:.3} ± {:.3} h, KS {:.4}, AIC {:.1}",
            e.mean_seconds / HOUR,
            e.mean_se_seconds / HOUR,
            e.ks,
            e.aic
        );
    }
    if let Some(w) = f.weibull {
        let _ = write!(
            line,
            "; weibull shape {:.4} ± {:.4}, scale {:.3} ± {:.3} h, KS {:.4}, AIC {:.1}",
            w.shape,
            w.shape_se,
            w.scale_seconds / HOUR,
            w.scale_se_seconds / HOUR,
            w.ks,
            w.aic
        );
    }
    line
}

fn sojourn(f: &EpisodeFit) -> Option<String> {
    match (f.best, f.weibull, f.exponential) {
        (Some("weibull"), Some(w), _) => Some(format!(
            "{{ shape = {:.4}, scale = \"{}\" }}",
            w.shape,
            hours_string(w.scale_seconds)
        )),
        (_, _, Some(e)) => Some(format!("{{ mean = \"{}\" }}", hours_string(e.mean_seconds))),
        _ => None,
    }
}

fn toml_section(reading: &Reading, fit: &TraceFit) -> Result<String, InputError> {
    let Recommendation { keys: table, notes } = market_table(reading, fit)?;
    let mut out = format!("# spotsim fit of {}\n", reading.data.file);
    preamble(&mut out, "# ", reading, fit);
    let _ = writeln!(out, "{}", summary_comment("uptime", &fit.uptime));
    let _ = writeln!(out, "{}", summary_comment("downtime", &fit.downtime));
    for note in &notes {
        let _ = writeln!(out, "# {note}");
    }
    let _ = writeln!(
        out,
        "# The fit describes the availability the trace records; with instance_count = N a model\n# of one instance's uptime takes the minimum of N of them."
    );
    if registered("markov", &["available", "unavailable"])
        && let (Some(up), Some(down)) = (sojourn(&fit.uptime), sojourn(&fit.downtime))
    {
        let _ = writeln!(
            out,
            "# Alternative keeping both fitted distributions (alternating periods):\n#   model = \"markov\"\n#   available = {up}\n#   unavailable = {down}"
        );
    }
    let _ = writeln!(out, "[market]");
    for (key, value) in &table {
        let _ = writeln!(out, "{key} = {value}");
    }
    Ok(out)
}
