//! One exporter per output format, behind one trait: a command renders its result with the
//! exporter its `--format` picks ([`exporter`]), so a format is one type and a result kind is
//! one method of each.

use super::Format;
use super::compare::Comparison;
use crate::montecarlo::SimulationSummary;
use crate::plan::Plan;

/// Renders results in one format.
pub trait Exporter: Sync {
    /// A simulation summary (`simulate`, `merge`).
    fn summary(&self, summary: &SimulationSummary) -> String;
    /// A comparison of scenarios (`compare`).
    fn comparison(&self, comparison: &Comparison) -> String;
    /// A MaxWait plan (`plan`).
    fn plan(&self, plan: &Plan) -> String;
}

/// The aligned terminal table.
#[derive(Debug, Clone, Copy)]
pub struct TableExporter;
/// Pretty JSON (the pinned summary document).
#[derive(Debug, Clone, Copy)]
pub struct JsonExporter;
/// Tidy CSV: one typed row per run or scenario.
#[derive(Debug, Clone, Copy)]
pub struct CsvExporter;
/// Markdown tables.
#[derive(Debug, Clone, Copy)]
pub struct MarkdownExporter;

impl Exporter for TableExporter {
    fn summary(&self, summary: &SimulationSummary) -> String {
        super::table::render(summary)
    }
    fn comparison(&self, comparison: &Comparison) -> String {
        comparison.table()
    }
    fn plan(&self, plan: &Plan) -> String {
        super::plan::table(plan)
    }
}

impl Exporter for JsonExporter {
    fn summary(&self, summary: &SimulationSummary) -> String {
        super::json(summary)
    }
    fn comparison(&self, comparison: &Comparison) -> String {
        comparison.json()
    }
    fn plan(&self, plan: &Plan) -> String {
        super::plan_json::render(plan)
    }
}

impl Exporter for CsvExporter {
    fn summary(&self, summary: &SimulationSummary) -> String {
        super::csv::render(summary)
    }
    fn comparison(&self, comparison: &Comparison) -> String {
        comparison.csv()
    }
    fn plan(&self, plan: &Plan) -> String {
        super::plan::csv(plan)
    }
}

impl Exporter for MarkdownExporter {
    fn summary(&self, summary: &SimulationSummary) -> String {
        super::markdown::render(summary)
    }
    fn comparison(&self, comparison: &Comparison) -> String {
        comparison.markdown()
    }
    fn plan(&self, plan: &Plan) -> String {
        super::plan::markdown(plan, &[])
    }
}

/// The exporter of `format`.
pub fn exporter(format: Format) -> &'static dyn Exporter {
    match format {
        Format::Table => &TableExporter,
        Format::Json => &JsonExporter,
        Format::Csv => &CsvExporter,
        Format::Markdown => &MarkdownExporter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::{RunOptions, simulate};
    use crate::scenario::Scenario;

    /// Each format has its own exporter, and the exporter gives that format's text.
    #[test]
    fn each_format_picks_its_exporter() {
        let scenario = Scenario::embedded_default();
        let options = RunOptions {
            trials: 200,
            threads: Some(1),
            ..RunOptions::from_scenario(&scenario)
        };
        let summary = simulate(&scenario, &options);
        let json = exporter(Format::Json).summary(&summary);
        assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
        let csv = exporter(Format::Csv).summary(&summary);
        assert!(
            csv.starts_with("scenario,seed,trials,completed_count,"),
            "{csv}"
        );
        assert_eq!(csv.lines().count(), 2);
        assert!(
            exporter(Format::Markdown)
                .summary(&summary)
                .contains("| Completed")
        );
        assert!(
            exporter(Format::Table)
                .summary(&summary)
                .contains("Completed ")
        );
    }

    /// A plan goes through the same exporters: the pinned plan.json (with the recommendation's
    /// words and snippets), plan.csv's one row per MaxWait, the Markdown and terminal reports.
    #[test]
    fn each_format_exports_a_plan() {
        let scenario = Scenario::embedded_default();
        let options = crate::plan::PlanOptions {
            trials: 500,
            threads: Some(1),
            detail: false,
            ..crate::plan::PlanOptions::from_scenario(&scenario)
        };
        let plan = crate::plan::plan(&scenario, &options, None).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&exporter(Format::Json).plan(&plan)).unwrap();
        assert_eq!(json["trials"], 500);
        assert_eq!(
            json["points"].as_array().map(Vec::len),
            Some(plan.points.len())
        );
        let recommendation = &json["recommendation"];
        assert!(
            recommendation["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("Set MaxWaitTimeInSeconds = ")),
            "{recommendation}"
        );
        assert!(recommendation["use_it"]["sdk_v2"].is_string());
        let csv = exporter(Format::Csv).plan(&plan);
        assert!(
            csv.starts_with("max_wait_seconds,max_wait_hours,trials,"),
            "{csv}"
        );
        assert_eq!(csv.lines().count(), plan.points.len() + 1);
        let markdown = exporter(Format::Markdown).plan(&plan);
        assert!(markdown.starts_with("# MaxWait plan: "), "{markdown}");
        assert!(markdown.contains("### Use it"));
        let table = exporter(Format::Table).plan(&plan);
        assert!(
            table
                .lines()
                .any(|l| l.starts_with("Set MaxWaitTimeInSeconds = ")),
            "{table}"
        );
        assert!(table.contains("Use it:\n"));
    }
}
