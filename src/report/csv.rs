//! The summary as CSV: one row per outcome and per metric, units in the header, plain numbers.

use super::metric_rows;
use crate::engine::Outcome;
use crate::montecarlo::SimulationSummary;
use serde::Serialize;

#[derive(Serialize)]
struct Row<'a> {
    quantity: &'a str,
    unit: &'a str,
    count: Option<u64>,
    mean: Option<f64>,
    stderr: Option<f64>,
    std: Option<f64>,
    min: Option<f64>,
    p50: Option<f64>,
    p90: Option<f64>,
    p95: Option<f64>,
    p99: Option<f64>,
    max: Option<f64>,
    ci95_low: Option<f64>,
    ci95_high: Option<f64>,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl<'a> Row<'a> {
    fn empty(quantity: &'a str, unit: &'a str) -> Self {
        Self {
            quantity,
            unit,
            count: None,
            mean: None,
            stderr: None,
            std: None,
            min: None,
            p50: None,
            p90: None,
            p95: None,
            p99: None,
            max: None,
            ci95_low: None,
            ci95_high: None,
        }
    }
}

pub(super) fn render(summary: &SimulationSummary) -> String {
    let mut rows = Vec::new();
    for outcome in Outcome::ALL {
        let o = summary.outcome(outcome);
        rows.push(Row {
            count: Some(o.count),
            mean: Some(o.probability),
            ci95_low: Some(o.ci95[0]),
            ci95_high: Some(o.ci95[1]),
            ..Row::empty(outcome.as_str(), "probability")
        });
    }
    if let Some(deadline) = &summary.deadline {
        let o = deadline.completed;
        rows.push(Row {
            count: Some(o.count),
            mean: Some(o.probability),
            ci95_low: Some(o.ci95[0]),
            ci95_high: Some(o.ci95[1]),
            ..Row::empty("completed_by_deadline", "probability")
        });
        rows.push(Row {
            mean: Some(deadline.seconds as f64),
            ..Row::empty("deadline", "seconds")
        });
    }
    for (quantity, unit, s) in metric_rows(summary) {
        rows.push(Row {
            mean: finite(s.mean),
            stderr: finite(s.stderr),
            std: finite(s.std),
            min: finite(s.min),
            p50: finite(s.p50),
            p90: finite(s.p90),
            p95: finite(s.p95),
            p99: finite(s.p99),
            max: finite(s.max),
            ..Row::empty(quantity, unit)
        });
    }
    rows.push(Row {
        mean: Some(summary.on_demand_cost_usd),
        ..Row::empty("on_demand_cost", "usd")
    });
    rows.push(Row {
        mean: finite(summary.true_savings_percent),
        ..Row::empty("true_savings", "percent")
    });
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        let _ = writer.serialize(row);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}
