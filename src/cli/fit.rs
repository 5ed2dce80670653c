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
use crate::fit::source::{ReadError, Reading, format_name, read_trace};
use crate::fit::{EpisodeFit, ExponentialFit, TraceFit, fit_trace};
use crate::market::correlation::effective_gang_size;
use crate::market::trace_data::{Convention, TraceFormat};
use crate::scenario::duration::format_duration;
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
    let pool = pool(&args, &reading)?;
    let text = match args.output_format {
        FitOutput::Table => table(&reading, &fit, pool.as_ref()),
        FitOutput::Json => json(&reading, &fit, pool.as_ref())?,
        FitOutput::Toml => toml_section(&reading, &fit, pool.as_ref())?,
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

/// The lines describing a pool's fit (each after `prefix`).
fn pool_lines(out: &mut String, prefix: &str, pool: &PoolFit) {
    let g = &pool.gang;
    let _ = writeln!(
        out,
        "{prefix}one instance (pool of up to {}): {} reclaimed over {:.1} instance-hours, exponential mean uptime {:.3} ± {:.3} h",
        pool.pool_size,
        pool.reclaimed,
        pool.instance_seconds / HOUR,
        pool.mean_uptime_seconds / HOUR,
        pool.mean_uptime_se_seconds / HOUR
    );
    let _ = writeln!(
        out,
        "{prefix}correlation for a gang of {}: ρ = {:.3} ± {:.3} (N_eff {:.2} ± {:.2}; {} losses with at least {} alive, {} instances, drops within {} joined)",
        g.instance_count,
        g.rho,
        g.rho_se,
        g.effective_gang_size,
        g.effective_gang_size_se,
        g.losses,
        g.instance_count,
        g.reclaimed,
        format_duration(pool.join_window_seconds)
    );
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

fn table(reading: &Reading, fit: &TraceFit, pool: Option<&PoolFit>) -> String {
    let mut out = format!("spotsim fit: {}\n", reading.data.file);
    preamble(&mut out, "  ", reading, fit);
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<22} {:>20} {:>20}", "", "uptime", "downtime");
    let (up, down) = (cells(&fit.uptime), cells(&fit.downtime));
    for ((label, up), down) in ROW_LABELS.iter().zip(&up).zip(&down) {
        let _ = writeln!(out, "{label:<22} {up:>20} {down:>20}");
    }
    if let Some(pool) = pool {
        let _ = writeln!(out);
        pool_lines(&mut out, "", pool);
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pool: Option<&'a PoolFit>,
    market: Option<toml::Table>,
}

fn json(reading: &Reading, fit: &TraceFit, pool: Option<&PoolFit>) -> anyhow::Result<String> {
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
        pool,
        market: market_table(reading, fit, pool).ok().map(|r| {
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

fn market_table(
    reading: &Reading,
    fit: &TraceFit,
    pool: Option<&PoolFit>,
) -> Result<Recommendation, InputError> {
    let mut notes = Vec::new();
    let mut table = match pool {
        Some(pool) => pool_keys(pool, &mut notes),
        None => availability_keys(reading, fit, &mut notes)?,
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
    table.push(("mean_capacity_wait", hours_string(wait_seconds).into()));
    if let Some(pool) = pool {
        table.push((
            "correlation",
            toml::Value::Float((pool.gang.rho * 1e4).round() / 1e4),
        ));
    }
    Ok(Recommendation { keys: table, notes })
}

/// One instance's exponential lifetime from a pool, with why in `notes`.
fn pool_keys(pool: &PoolFit, notes: &mut Vec<String>) -> Vec<(&'static str, toml::Value)> {
    let g = &pool.gang;
    notes.push(format!(
        "uptime: one instance's, exponential: {} instances reclaimed over {:.1} instance-hours (a Weibull would need each instance's own lifetime)",
        pool.reclaimed,
        pool.instance_seconds / HOUR
    ));
    notes.push(format!(
        "correlation = ρ for a gang of {} = {:.4} ± {:.4}: a gang of {} lasts Exp(mean_uptime / N_eff), N_eff = {:.2}",
        g.instance_count,
        g.rho,
        g.rho_se,
        g.instance_count,
        effective_gang_size(g.instance_count, (g.rho * 1e4).round() / 1e4)
    ));
    vec![
        ("model", "exponential".into()),
        ("mean_uptime", hours_string(pool.mean_uptime_seconds).into()),
    ]
}

/// The uptime keys of the availability the trace records, with why in `notes`.
fn availability_keys(
    reading: &Reading,
    fit: &TraceFit,
    notes: &mut Vec<String>,
) -> Result<Vec<(&'static str, toml::Value)>, InputError> {
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
    Ok(uptime_keys(
        up,
        &exponential,
        &["shape", "scale", "mean_capacity_wait"],
        notes,
    ))
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

fn toml_section(
    reading: &Reading,
    fit: &TraceFit,
    pool: Option<&PoolFit>,
) -> Result<String, InputError> {
    let Recommendation { keys: table, notes } = market_table(reading, fit, pool)?;
    let mut out = format!("# spotsim fit of {}\n", reading.data.file);
    preamble(&mut out, "# ", reading, fit);
    let _ = writeln!(out, "{}", summary_comment("uptime", &fit.uptime));
    let _ = writeln!(out, "{}", summary_comment("downtime", &fit.downtime));
    if let Some(pool) = pool {
        pool_lines(&mut out, "# ", pool);
    }
    for note in &notes {
        let _ = writeln!(out, "# {note}");
    }
    if pool.is_none() {
        let _ = writeln!(
            out,
            "# The fit describes the availability the trace records; with instance_count = N a model\n# of one instance's uptime takes the minimum of N of them."
        );
    }
    // A Markov market of the availability the trace records is no alternative to one
    // instance's lifetime with ρ.
    if pool.is_none()
        && registered("markov", &["available", "unavailable"])
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
