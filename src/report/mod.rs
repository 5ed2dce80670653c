//! Reports: the simulation summary as a terminal table, JSON, CSV or Markdown, one trial as
//! DescribeTrainingJob documents and SDK logs, and the files of report folders (written into a
//! staging folder and committed together by [`crate::files::output`], so an interrupted run
//! never leaves a half-written report).

pub mod advice;
pub mod bench;
pub mod charts;
pub mod compare;
pub mod csv;
pub mod describe;
pub mod distribution;
pub mod export;
pub mod fit;
pub mod html;
mod markdown;
pub use crate::units::numbers;
pub mod output;
pub mod plan;
pub mod plan_json;
pub mod provenance;
pub mod rare;
pub mod recommendation;
pub mod sdk_log;
mod table;
pub mod use_it;

pub(crate) use table::align;

use crate::files::output::write_new;
use crate::montecarlo::{OutcomeSummary, SimulationSummary};
use crate::stats::Summary;
use std::path::Path;

/// Output formats of summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    export::exporter(format).summary(summary)
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
        crate::units::numbers::fixed(x, decimals)
    } else {
        "–".to_string()
    }
}

/// A percentage for people, or "–" when it is undefined.
pub(crate) fn percent_or_dash(x: f64) -> String {
    if x.is_finite() {
        format!("{} %", crate::units::numbers::fixed(x, 1))
    } else {
        "–".to_string()
    }
}

/// The sentences after the savings in every summary format: where the market's interruption
/// rate and the `optimal` checkpoint interval came from, and the on-demand capacity a job that
/// may run on it was assumed to get, when the scenario has them.
pub(crate) fn scenario_fact_sentences(summary: &SimulationSummary) -> Vec<String> {
    let market = summary.market.as_ref().map(|basis| basis.sentence());
    let checkpoint = summary.checkpoint.as_ref().map(|choice| choice.sentence());
    let on_demand = summary.on_demand.map(|capacity| capacity.in_words());
    market
        .into_iter()
        .chain(checkpoint)
        .chain(on_demand)
        .collect()
}

/// The closing sentence of table and Markdown summaries: on-demand cost, spot cost, savings.
pub(crate) fn savings_sentence(summary: &SimulationSummary) -> String {
    let per_completed = summary.cost_per_completed_job_usd();
    let head = format!(
        "On-demand cost of the same job: {}. On spot: {} per job",
        numbers::usd(summary.on_demand_cost_usd),
        numbers::usd(summary.metrics.cost_usd.mean)
    );
    if !per_completed.is_finite() {
        return format!("{head}; no job completed.");
    }
    format!(
        "{head}, {} per completed job → true saving {} (AWS's formula: {}).",
        numbers::usd(per_completed),
        percent_or_dash(summary.true_savings_percent),
        percent_or_dash(summary.metrics.savings_percent.mean),
    )
}

/// The outcome-table row of the deadline (after the four outcomes): its label, e.g.
/// "Completed by 48 h", and its figures; absent without `[job] deadline`.
pub(crate) fn deadline_row(summary: &SimulationSummary) -> Option<(String, OutcomeSummary)> {
    let deadline = summary.deadline?;
    Some((
        format!(
            "Completed by {}",
            crate::units::words::hours(deadline.seconds as f64)
        ),
        deadline.completed,
    ))
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

/// The files [`write_summary_files`] writes.
pub const SUMMARY_FILES: [&str; 3] = ["summary.json", "summary.csv", "summary.md"];

/// Writes the summary in every format into `folder`: the staging folder of a report set
/// ([`crate::files::output::ReportFolder`]), so the files are new.
pub fn write_summary_files(summary: &SimulationSummary, folder: &Path) -> std::io::Result<()> {
    let [json_file, csv_file, markdown_file] = SUMMARY_FILES;
    write_new(&folder.join(json_file), json(summary).as_bytes())?;
    write_new(&folder.join(csv_file), csv::render(summary).as_bytes())?;
    write_new(
        &folder.join(markdown_file),
        markdown::render(summary).as_bytes(),
    )
}
