//! The summary as Markdown tables.

use super::metric_rows;
use super::table::{label, unit_formatter};
use crate::engine::Outcome;
use crate::montecarlo::SimulationSummary;

pub(super) fn render(summary: &SimulationSummary) -> String {
    let mut out = format!(
        "# {}\n\n{} trials, seed {}.\n\n| Outcome | Trials | Probability | 95 % CI |\n|---|---:|---:|---:|\n",
        summary.scenario, summary.trials, summary.seed
    );
    for outcome in Outcome::ALL {
        let o = summary.outcome(outcome);
        out.push_str(&format!(
            "| {} | {} | {:.4} | [{:.4}, {:.4}] |\n",
            outcome.as_str(),
            o.count,
            o.probability,
            o.ci95[0],
            o.ci95[1]
        ));
    }
    out.push_str("\n| Metric | Unit | Mean | ± se | p50 | p90 | p95 | p99 | Max |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (quantity, unit, s) in metric_rows(summary) {
        let (unit_label, show) = unit_formatter(unit, s);
        let cell = |x: f64| {
            if x.is_finite() {
                show(x)
            } else {
                "–".to_string()
            }
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            label(quantity),
            unit_label,
            cell(s.mean),
            cell(s.stderr),
            cell(s.p50),
            cell(s.p90),
            cell(s.p95),
            cell(s.p99),
            cell(s.max)
        ));
    }
    out.push('\n');
    out.push_str(&super::savings_sentence(summary));
    out.push('\n');
    out
}
