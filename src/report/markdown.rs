//! The summary as Markdown tables.

use super::table::metric_table;
use crate::engine::Outcome;
use crate::montecarlo::SimulationSummary;

pub(super) fn render(summary: &SimulationSummary) -> String {
    let mut out = format!(
        "# {}\n\n{} trials, seed {}.\n\n| Outcome | Trials | Probability | 95 % CI |\n|---|---:|---:|---:|\n",
        summary.scenario, summary.trials, summary.seed
    );
    let deadline = super::deadline_row(summary);
    let outcomes = Outcome::ALL
        .iter()
        .map(|&outcome| (outcome.as_str(), summary.outcome(outcome)))
        .chain(deadline.as_ref().map(|(label, o)| (label.as_str(), o)));
    for (label, o) in outcomes {
        out.push_str(&format!(
            "| {} | {} | {:.4} | [{:.4}, {:.4}] |\n",
            label, o.count, o.probability, o.ci95[0], o.ci95[1]
        ));
    }
    out.push('\n');
    for (i, row) in metric_table(summary).iter().enumerate() {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
        if i == 0 {
            out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        }
    }
    out.push('\n');
    out.push_str(&super::savings_sentence(summary));
    out.push('\n');
    for sentence in super::scenario_fact_sentences(summary) {
        out.push_str(&sentence);
        out.push('\n');
    }
    out
}
