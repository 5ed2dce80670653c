//! `spotsim fit`'s outputs: the uptime and downtime fits of a trace as a table, as JSON, and as
//! a `[market]` section for a scenario (the model with the lower AIC, the fit as comments).
//! Semantics (censoring, Kaplan–Meier KS) in [`crate::fit`].

use crate::error::InputError;
use crate::fit::correlation::PoolFit;
use crate::fit::{EpisodeFit, ExponentialFit, TraceFit};
use crate::market::correlation::effective_gang_size;
use crate::market::trace_reading::{Reading, format_name};
use crate::units::duration::format_duration;
use serde::Serialize;
use std::fmt::Write as _;

/// What the censoring and KS numbers mean, printed with every output.
const CENSORING_NOTE: &str = "episodes touching the window start or end are right-censored: their observed length is a lower bound";
const KS_NOTE: &str = "KS = sup_t |F_KM(t) - F_fit(t)|, Kaplan-Meier estimate from all episodes (censored included), t up to the longest episode";

/// Seconds per hour (the unit of fit reports).
pub const HOUR: f64 = 3600.0;

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
pub const ROW_LABELS: [&str; 11] = [
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
pub fn cells(f: &EpisodeFit) -> [String; 11] {
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

/// The fit as a table for people (with the pool's fit for a gang, when asked).
pub fn table(reading: &Reading, fit: &TraceFit, pool: Option<&PoolFit>) -> String {
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

/// The fit and every number behind it, as JSON (with the recommended `[market]` keys when
/// there is a recommendation).
pub fn json(reading: &Reading, fit: &TraceFit, pool: Option<&PoolFit>) -> String {
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
    super::json(&report)
}

/// Whether market model `name` is registered and reads all of `keys`.
pub fn registered(name: &str, keys: &[&str]) -> bool {
    crate::market::MODELS
        .iter()
        .any(|(model, _, known)| *model == name && keys.iter().all(|k| known.contains(k)))
}

/// Hours with four decimals, as `[market]` durations (`"1.2345h"`).
pub fn hours_string(seconds: f64) -> String {
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
pub fn uptime_keys(
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

/// The `# uptime: n = …` comment line of a fit.
pub fn summary_comment(name: &str, f: &EpisodeFit) -> String {
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

/// A `[market]` section for a scenario (the uptime model with the lower AIC), with the fit as
/// comments; an error when the trace has no complete uptime episode to fit.
pub fn toml_section(
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
