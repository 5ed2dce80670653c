//! Reports: the simulation summary as a terminal table, JSON, CSV or Markdown, and atomic
//! file output (an interrupted run never leaves a half-written report).

pub mod charts;
mod csv;
pub mod html;
mod markdown;
pub mod output;
pub mod plan;
mod table;

pub(crate) use table::align;

use crate::montecarlo::SimulationSummary;
use crate::stats::Summary;
use std::io::Write;
use std::path::Path;

/// Output formats of summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned table for the terminal.
    Table,
    /// The pinned JSON document.
    Json,
    /// One row per quantity.
    Csv,
    /// Markdown tables.
    Markdown,
}

/// Renders a summary in `format`.
pub fn render_summary(summary: &SimulationSummary, format: Format) -> String {
    match format {
        Format::Table => table::render(summary),
        Format::Json => json(summary),
        Format::Csv => csv::render(summary),
        Format::Markdown => markdown::render(summary),
    }
}

/// The summary as pretty JSON (with a trailing newline).
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// `x` with `decimals` decimals, or "–" when it is undefined.
pub(crate) fn fixed_or_dash(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "–".to_string()
    }
}

/// A percentage for people, or "–" when it is undefined.
pub(crate) fn percent_or_dash(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1} %")
    } else {
        "–".to_string()
    }
}

/// The closing sentence of table and Markdown summaries: on-demand cost, spot cost, savings.
pub(crate) fn savings_sentence(summary: &SimulationSummary) -> String {
    let per_completed = summary.cost_per_completed_job_usd();
    let head = format!(
        "On-demand cost of the same job: ${:.2}. On spot: ${:.2} per job",
        summary.on_demand_cost_usd, summary.metrics.cost_usd.mean
    );
    if !per_completed.is_finite() {
        return format!("{head}; no job completed.");
    }
    format!(
        "{head}, ${per_completed:.2} per completed job → true saving {} (AWS's formula: {}).",
        percent_or_dash(summary.true_savings_percent),
        percent_or_dash(summary.metrics.savings_percent.mean),
    )
}

/// A metric row: the quantity, its unit and its summary.
pub(crate) fn metric_rows(
    summary: &SimulationSummary,
) -> [(&'static str, &'static str, &Summary); 8] {
    let m = &summary.metrics;
    [
        ("wall_clock", "seconds", &m.wall_clock_seconds),
        ("completion", "seconds", &m.completion_seconds),
        ("training_time", "seconds", &m.training_time_seconds),
        ("billable_time", "seconds", &m.billable_time_seconds),
        ("interruptions", "count", &m.interruptions),
        ("cost", "usd", &m.cost_usd),
        ("savings_aws_formula", "percent", &m.savings_percent),
        ("lost_training", "seconds", &m.lost_training_seconds),
    ]
}

/// The temporary file a write of `path` goes through: hidden, in the same folder (so the final
/// rename is atomic), named after the process.
pub fn temporary_path(path: &Path) -> std::path::PathBuf {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    folder.join(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes `contents` to `path` atomically: a temporary file in the same folder, flushed, then
/// renamed over the target.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let temporary = temporary_path(path);
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Writes the summary in every format into `folder` (created if needed).
pub fn write_summary_files(summary: &SimulationSummary, folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    write_atomic(&folder.join("summary.json"), json(summary).as_bytes())?;
    write_atomic(&folder.join("summary.csv"), csv::render(summary).as_bytes())?;
    write_atomic(
        &folder.join("summary.md"),
        markdown::render(summary).as_bytes(),
    )?;
    Ok(())
}
