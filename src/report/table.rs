//! The summary as an aligned terminal table, with units.

use super::metric_rows;
use crate::engine::Outcome;
use crate::montecarlo::SimulationSummary;
use crate::stats::Summary;

/// A value formatter chosen per metric row (hours, minutes, seconds, dollars, counts, percent).
pub(crate) fn unit_formatter(
    unit: &str,
    summary: &Summary,
) -> (String, Box<dyn Fn(f64) -> String>) {
    match unit {
        "seconds" => {
            let scale = if summary.max.is_finite() {
                summary.max
            } else {
                0.0
            };
            if scale >= 3600.0 {
                ("h".into(), Box::new(|x| format!("{:.2}", x / 3600.0)))
            } else if scale >= 60.0 {
                ("min".into(), Box::new(|x| format!("{:.1}", x / 60.0)))
            } else {
                ("s".into(), Box::new(|x| format!("{x:.1}")))
            }
        }
        "usd" => ("$".into(), Box::new(|x| crate::units::numbers::fixed(x, 2))),
        "percent" => ("%".into(), Box::new(|x| format!("{x:.1}"))),
        _ => ("".into(), Box::new(|x| format!("{x:.2}"))),
    }
}

/// The metric table of a summary: a header, then per metric its label, display unit, mean,
/// standard error, p50, p90, p95, p99 and max (undefined values as "–"). The terminal,
/// Markdown and HTML reports all show this table.
pub(crate) fn metric_table(summary: &SimulationSummary) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "Metric", "unit", "mean", "± se", "p50", "p90", "p95", "p99", "max",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (quantity, unit, s) in metric_rows(summary) {
        let (unit_label, show) = unit_formatter(unit, s);
        let cell = |x: f64| {
            if x.is_finite() {
                show(x)
            } else {
                "–".to_string()
            }
        };
        rows.push(vec![
            label(quantity).to_string(),
            unit_label,
            cell(s.mean),
            cell(s.stderr),
            cell(s.p50),
            cell(s.p90),
            cell(s.p95),
            cell(s.p99),
            cell(s.max),
        ]);
    }
    rows
}

/// Human labels for metric rows.
pub(crate) fn label(quantity: &str) -> &'static str {
    match quantity {
        "wall_clock" => "Wall clock",
        "completion" => "Completion time",
        "training_time" => "Training time",
        "billable_time" => "Billable time",
        "interruptions" => "Interruptions",
        "cost" => "Cost",
        "savings_aws_formula" => "Savings (AWS formula)",
        "lost_training" => "Training lost",
        _ => "",
    }
}

fn percent(p: f64) -> String {
    format!("{:.2} %", p * 100.0)
}

/// Lays out rows of cells, left-aligning the first column and right-aligning the rest.
pub(crate) fn align(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub(super) fn render(summary: &SimulationSummary) -> String {
    let mut out = format!(
        "{} — {} trials, seed {}\n\n",
        summary.scenario, summary.trials, summary.seed
    );
    let mut rows = vec![vec![
        "Outcome".to_string(),
        "trials".into(),
        "probability".into(),
        "95 % CI".into(),
    ]];
    for outcome in Outcome::ALL {
        let o = summary.outcome(outcome);
        rows.push(vec![
            outcome.as_str().to_string(),
            o.count.to_string(),
            percent(o.probability),
            format!("[{}, {}]", percent(o.ci95[0]), percent(o.ci95[1])),
        ]);
    }
    if let Some((label, o)) = super::deadline_row(summary) {
        rows.push(vec![
            label,
            o.count.to_string(),
            percent(o.probability),
            format!("[{}, {}]", percent(o.ci95[0]), percent(o.ci95[1])),
        ]);
    }
    out.push_str(&align(&rows));
    out.push('\n');
    let rows = metric_table(summary);
    out.push_str(&align(&rows));
    out.push('\n');
    out.push_str(&super::savings_sentence(summary));
    out.push('\n');
    for sentence in super::scenario_fact_sentences(summary) {
        out.push_str(&sentence);
        out.push('\n');
    }
    out
}
