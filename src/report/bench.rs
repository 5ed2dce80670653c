//! Suite results and comparisons as terminal tables, CSV, Markdown and JSON.

use super::align as aligned;
use crate::bench::compare::{Comparison, MetricDiff, Unit, Verdict};
use crate::bench::results::{CellResult, SuiteResults};
use serde::Serialize;

fn markdown_table(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        out.push_str("| ");
        out.push_str(&row.join(" | "));
        out.push_str(" |\n");
        if i == 0 {
            out.push('|');
            for j in 0..row.len() {
                out.push_str(if j == 0 { "---|" } else { "---:|" });
            }
            out.push('\n');
        }
    }
    out
}

const RESULT_HEADER: [&str; 9] = [
    "cell",
    "trials",
    "P(Completed) [95 % CI]",
    "P(MaxWait exceeded)",
    "wall mean h ± 95 %",
    "wall p95 h [95 % CI]",
    "cost mean $ ± 95 %",
    "cost p95 $ [95 % CI]",
    "true saving % ± 95 %",
];

fn result_row(c: &CellResult) -> Vec<String> {
    let hours = |s: f64| s / 3600.0;
    let w = &c.wall_clock_seconds;
    let cost = &c.cost_usd;
    vec![
        c.cell.clone(),
        c.trials.to_string(),
        format!(
            "{:.4} [{:.4}, {:.4}]",
            c.completed.probability, c.completed.ci95[0], c.completed.ci95[1]
        ),
        format!(
            "{:.4} [{:.4}, {:.4}]",
            c.max_wait_time_exceeded.probability,
            c.max_wait_time_exceeded.ci95[0],
            c.max_wait_time_exceeded.ci95[1]
        ),
        format!("{:.2} ± {:.2}", hours(w.mean), hours(w.ci95[1] - w.mean)),
        format!(
            "{:.2} [{:.2}, {:.2}]",
            hours(w.p95),
            hours(w.p95_ci95[0]),
            hours(w.p95_ci95[1])
        ),
        format!("{:.2} ± {:.2}", cost.mean, cost.ci95[1] - cost.mean),
        format!(
            "{:.2} [{:.2}, {:.2}]",
            cost.p95, cost.p95_ci95[0], cost.p95_ci95[1]
        ),
        match (c.true_savings.percent, c.true_savings.ci95) {
            (Some(p), Some(ci)) => format!("{p:.1} ± {:.1}", ci[1] - p),
            _ => "–".to_string(),
        },
    ]
}

fn result_rows(results: &SuiteResults) -> Vec<Vec<String>> {
    let mut rows = vec![RESULT_HEADER.iter().map(|s| s.to_string()).collect()];
    rows.extend(results.cells.iter().map(result_row));
    rows
}

fn result_title(results: &SuiteResults) -> String {
    format!(
        "{} — {} cells, seed {} (the same trials in every cell)",
        results.suite,
        results.cells.len(),
        results.seed
    )
}

/// The results as an aligned terminal table.
pub fn results_table(results: &SuiteResults) -> String {
    format!(
        "{}\n\n{}",
        result_title(results),
        aligned(&result_rows(results))
    )
}

/// The results as Markdown.
pub fn results_markdown(results: &SuiteResults) -> String {
    format!(
        "## {}\n\n{}",
        result_title(results),
        markdown_table(&result_rows(results))
    )
}

/// One CSV row per cell, units in the column names.
#[derive(Debug, Serialize)]
struct ResultRow<'a> {
    cell: &'a str,
    scenario: &'a str,
    policy: &'a str,
    variant: &'a str,
    trials: u64,
    seed: u64,
    p_completed: f64,
    p_completed_ci95_low: f64,
    p_completed_ci95_high: f64,
    p_max_wait_exceeded: f64,
    p_max_wait_exceeded_ci95_low: f64,
    p_max_wait_exceeded_ci95_high: f64,
    wall_clock_mean_seconds: f64,
    wall_clock_mean_stderr_seconds: f64,
    wall_clock_p95_seconds: f64,
    wall_clock_p95_ci95_low_seconds: f64,
    wall_clock_p95_ci95_high_seconds: f64,
    cost_mean_usd: f64,
    cost_mean_stderr_usd: f64,
    cost_p95_usd: f64,
    cost_p95_ci95_low_usd: f64,
    cost_p95_ci95_high_usd: f64,
    on_demand_cost_usd: f64,
    true_savings_percent: Option<f64>,
    true_savings_stderr_percent: Option<f64>,
    scenario_hash: &'a str,
}

fn csv_text<T: Serialize>(rows: impl IntoIterator<Item = T>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        if let Err(e) = writer.serialize(row) {
            return format!("error: {e}\n");
        }
    }
    writer
        .into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// The results as CSV, one row per cell.
pub fn results_csv(results: &SuiteResults) -> String {
    csv_text(results.cells.iter().map(|c| ResultRow {
        cell: &c.cell,
        scenario: &c.scenario,
        policy: &c.policy,
        variant: c.variant.as_deref().unwrap_or(""),
        trials: c.trials,
        seed: c.seed,
        p_completed: c.completed.probability,
        p_completed_ci95_low: c.completed.ci95[0],
        p_completed_ci95_high: c.completed.ci95[1],
        p_max_wait_exceeded: c.max_wait_time_exceeded.probability,
        p_max_wait_exceeded_ci95_low: c.max_wait_time_exceeded.ci95[0],
        p_max_wait_exceeded_ci95_high: c.max_wait_time_exceeded.ci95[1],
        wall_clock_mean_seconds: c.wall_clock_seconds.mean,
        wall_clock_mean_stderr_seconds: c.wall_clock_seconds.stderr,
        wall_clock_p95_seconds: c.wall_clock_seconds.p95,
        wall_clock_p95_ci95_low_seconds: c.wall_clock_seconds.p95_ci95[0],
        wall_clock_p95_ci95_high_seconds: c.wall_clock_seconds.p95_ci95[1],
        cost_mean_usd: c.cost_usd.mean,
        cost_mean_stderr_usd: c.cost_usd.stderr,
        cost_p95_usd: c.cost_usd.p95,
        cost_p95_ci95_low_usd: c.cost_usd.p95_ci95[0],
        cost_p95_ci95_high_usd: c.cost_usd.p95_ci95[1],
        on_demand_cost_usd: c.on_demand_cost_usd,
        true_savings_percent: c.true_savings.percent,
        true_savings_stderr_percent: c.true_savings.stderr,
        scenario_hash: &c.scenario_hash,
    }))
}

fn value(unit: Unit, v: Option<f64>) -> String {
    let Some(v) = v else { return "–".into() };
    match unit {
        Unit::Probability => format!("{v:.4}"),
        Unit::Seconds => format!("{:.2} h", v / 3600.0),
        Unit::Usd => format!("${v:.2}"),
        Unit::Percent => format!("{v:.1} %"),
    }
}

fn change(row: &MetricDiff) -> String {
    let (Some(b), Some(d)) = (row.baseline, row.change) else {
        return "–".into();
    };
    let relative = if b != 0.0 {
        format!(" ({:+.1} %)", d / b.abs() * 100.0)
    } else {
        String::new()
    };
    match row.unit {
        Unit::Probability => format!("{:+.2} pp", d * 100.0),
        Unit::Seconds => format!("{:+.2} h{relative}", d / 3600.0),
        Unit::Usd => format!(
            "{}${:.2}{relative}",
            if d < 0.0 { "-" } else { "+" },
            d.abs()
        ),
        Unit::Percent => format!("{d:+.1} pp"),
    }
}

fn diff_rows(comparison: &Comparison) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "cell", "metric", "baseline", "current", "change", "z", "verdict",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>(),
    ];
    for r in &comparison.rows {
        rows.push(vec![
            r.cell.clone(),
            r.metric.to_string(),
            value(r.unit, r.baseline),
            value(r.unit, r.current),
            change(r),
            r.z.map_or("–".into(), |z| format!("{z:+.2}")),
            r.verdict.as_str().to_string(),
        ]);
    }
    rows
}

/// One sentence: how many metrics regressed, improved, stayed; which cells changed scenario.
pub fn verdict_line(comparison: &Comparison) -> String {
    let count = |v: Verdict| comparison.rows.iter().filter(|r| r.verdict == v).count();
    let cells: std::collections::BTreeSet<&str> =
        comparison.rows.iter().map(|r| r.cell.as_str()).collect();
    let mut text = format!(
        "{} regressed, {} improved, {} unchanged ({} metrics of {} cells against {}; two-sample z at {} % with |z| > {:.3}, floors: means {} %, p95 {} %, probabilities {} pp, savings {} pp).",
        count(Verdict::Regressed),
        count(Verdict::Improved),
        count(Verdict::Unchanged),
        comparison.rows.len(),
        cells.len(),
        comparison.baseline_file,
        comparison.thresholds.confidence * 100.0,
        comparison.critical_z,
        comparison.thresholds.mean_relative_floor * 100.0,
        comparison.thresholds.p95_relative_floor * 100.0,
        comparison.thresholds.probability_floor * 100.0,
        comparison.thresholds.savings_floor,
    );
    if !comparison.changed_scenarios.is_empty() {
        text.push_str(&format!(
            "\nNote: the resolved scenario of {} differs from the baseline's (its parameters changed, not only the code).",
            comparison.changed_scenarios.join(", ")
        ));
    }
    text.push('\n');
    text
}

/// The comparison as an aligned diff table and a verdict line.
pub fn comparison_table(comparison: &Comparison) -> String {
    format!(
        "Against baseline {}\n\n{}\n{}",
        comparison.baseline_file,
        aligned(&diff_rows(comparison)),
        verdict_line(comparison)
    )
}

/// The comparison as Markdown.
pub fn comparison_markdown(comparison: &Comparison) -> String {
    format!(
        "## Against baseline {}\n\n{}\n{}",
        comparison.baseline_file,
        markdown_table(&diff_rows(comparison)),
        verdict_line(comparison)
    )
}

#[derive(Debug, Serialize)]
struct DiffRow<'a> {
    cell: &'a str,
    metric: &'a str,
    unit: Unit,
    baseline: Option<f64>,
    current: Option<f64>,
    change: Option<f64>,
    z: Option<f64>,
    verdict: Verdict,
}

/// The comparison as CSV, one row per cell and metric.
pub fn comparison_csv(comparison: &Comparison) -> String {
    csv_text(comparison.rows.iter().map(|r| DiffRow {
        cell: &r.cell,
        metric: r.metric,
        unit: r.unit,
        baseline: r.baseline,
        current: r.current,
        change: r.change,
        z: r.z,
        verdict: r.verdict,
    }))
}
