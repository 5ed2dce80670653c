//! The summary as CSV, shaped for pandas: **one row per run** with typed columns — the run's
//! scenario, seed and trials, then per outcome its count (an integer) and probability with the
//! 95 % interval, then per metric its statistics, then the on-demand cost and the true saving.
//! Units are in the column names (`wall_clock_seconds_p95`, `cost_usd_mean`); undefined values
//! are empty cells. Rows of different runs (or the scenarios of `compare`) concatenate into
//! one table, and a column never mixes counts with fractions.
//!
//! The per-trial rows of `simulate --per-trial` carry the scenario and seed too.

use crate::engine::Outcome;
use crate::montecarlo::{SimulationSummary, TrialRow};
use serde::Serialize;

/// An outcome's column prefix: its name in snake case.
pub(crate) fn outcome_column(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Completed => "completed",
        Outcome::MaxWaitTimeExceeded => "max_wait_time_exceeded",
        Outcome::MaxRuntimeExceeded => "max_runtime_exceeded",
        Outcome::Failed => "failed",
    }
}

/// The metric columns' prefixes: the metric with its unit, as in the JSON summary.
const METRIC_COLUMNS: [&str; 8] = [
    "wall_clock_seconds",
    "completion_seconds",
    "training_time_seconds",
    "billable_time_seconds",
    "interruptions",
    "cost_usd",
    "savings_percent",
    "lost_training_seconds",
];

/// The statistics of each metric, in column order.
const STATISTICS: [&str; 9] = [
    "mean", "stderr", "std", "min", "p50", "p90", "p95", "p99", "max",
];

/// A float cell: the shortest text that reads back to the same number; empty when undefined.
fn float(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// The columns of a summary row, (name, cell), in order; `extra` columns come last.
pub(crate) fn summary_columns(summary: &SimulationSummary) -> Vec<(String, String)> {
    let mut columns = vec![
        ("scenario".to_string(), summary.scenario.clone()),
        ("seed".to_string(), summary.seed.to_string()),
        ("trials".to_string(), summary.trials.to_string()),
    ];
    for outcome in Outcome::ALL {
        let o = summary.outcome(outcome);
        let prefix = outcome_column(outcome);
        columns.push((format!("{prefix}_count"), o.count.to_string()));
        columns.push((format!("{prefix}_probability"), float(o.probability)));
        columns.push((format!("{prefix}_ci95_low"), float(o.ci95[0])));
        columns.push((format!("{prefix}_ci95_high"), float(o.ci95[1])));
    }
    for (prefix, (_, _, s)) in METRIC_COLUMNS.iter().zip(super::metric_rows(summary)) {
        let values = [
            s.mean, s.stderr, s.std, s.min, s.p50, s.p90, s.p95, s.p99, s.max,
        ];
        for (statistic, value) in STATISTICS.iter().zip(values) {
            columns.push((format!("{prefix}_{statistic}"), float(value)));
        }
    }
    // Always present (empty without a deadline), so that runs with and without one
    // concatenate into one table.
    let deadline = summary.deadline.as_ref();
    columns.push((
        "deadline_seconds".to_string(),
        deadline.map_or(String::new(), |d| d.seconds.to_string()),
    ));
    let by_deadline = deadline.map(|d| d.completed);
    columns.push((
        "completed_by_deadline_count".to_string(),
        by_deadline.map_or(String::new(), |o| o.count.to_string()),
    ));
    for (name, value) in [
        ("probability", by_deadline.map(|o| o.probability)),
        ("ci95_low", by_deadline.map(|o| o.ci95[0])),
        ("ci95_high", by_deadline.map(|o| o.ci95[1])),
    ] {
        columns.push((
            format!("completed_by_deadline_{name}"),
            value.map_or(String::new(), float),
        ));
    }
    columns.push((
        "on_demand_cost_usd".to_string(),
        float(summary.on_demand_cost_usd),
    ));
    columns.push((
        "true_savings_percent".to_string(),
        float(summary.true_savings_percent),
    ));
    columns
}

/// Rows of columns as CSV text: the header of the first row, then every row.
pub(crate) fn table(rows: &[Vec<(String, String)>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if let Some(first) = rows.first() {
        let _ = writer.write_record(first.iter().map(|(name, _)| name));
    }
    for row in rows {
        let _ = writer.write_record(row.iter().map(|(_, cell)| cell));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

pub(super) fn render(summary: &SimulationSummary) -> String {
    table(&[summary_columns(summary)])
}

/// One row of `simulate --per-trial FILE`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PerTrialRow<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Seed of the run.
    pub seed: u64,
    /// Trial index k.
    pub trial: u64,
    /// Terminal status.
    pub outcome: &'static str,
    /// CreationTime → terminal status.
    pub wall_clock_seconds: f64,
    /// TrainingTime (held seconds).
    pub training_time_seconds: f64,
    /// BillableTime (on-demand-equivalent seconds).
    pub billable_time_seconds: f64,
    /// Interruptions.
    pub interruptions: u32,
    /// Cost, spot and on-demand together.
    pub cost_usd: f64,
    /// The part of the cost paid for on-demand capacity.
    pub on_demand_cost_usd: f64,
    /// When the on-demand fallback job was created (`spot-then-on-demand`); empty without one.
    pub fallback_start_seconds: Option<f64>,
    /// Seconds from the fallback's creation to the terminal status (0 without one).
    pub fallback_seconds: f64,
}

impl<'a> PerTrialRow<'a> {
    /// The CSV row of `row`, a trial of a run of `scenario` with `seed`.
    pub fn new(scenario: &'a str, seed: u64, row: &TrialRow) -> Self {
        Self {
            scenario,
            seed,
            trial: row.trial,
            outcome: row.outcome,
            wall_clock_seconds: row.wall_clock_seconds,
            training_time_seconds: row.training_time_seconds,
            billable_time_seconds: row.billable_time_seconds,
            interruptions: row.interruptions,
            cost_usd: row.cost_usd,
            on_demand_cost_usd: row.on_demand_cost_usd,
            fallback_start_seconds: row.fallback_start_seconds,
            fallback_seconds: row
                .fallback_start_seconds
                .map_or(0.0, |start| row.wall_clock_seconds - start),
        }
    }
}
