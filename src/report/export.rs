//! One exporter per output format, behind one trait: a command renders its result with the
//! exporter its `--format` picks ([`exporter`]), so a format is one type and a result kind is
//! one method of each.

use super::Format;
use super::compare::Comparison;
use crate::montecarlo::SimulationSummary;

/// Renders results in one format.
pub trait Exporter: Sync {
    /// A simulation summary (`simulate`, `merge`).
    fn summary(&self, summary: &SimulationSummary) -> String;
    /// A comparison of scenarios (`compare`).
    fn comparison(&self, comparison: &Comparison) -> String;
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
}

impl Exporter for JsonExporter {
    fn summary(&self, summary: &SimulationSummary) -> String {
        super::json(summary)
    }
    fn comparison(&self, comparison: &Comparison) -> String {
        comparison.json()
    }
}

impl Exporter for CsvExporter {
    fn summary(&self, summary: &SimulationSummary) -> String {
        super::csv::render(summary)
    }
    fn comparison(&self, comparison: &Comparison) -> String {
        comparison.csv()
    }
}

impl Exporter for MarkdownExporter {
    fn summary(&self, summary: &SimulationSummary) -> String {
        super::markdown::render(summary)
    }
    fn comparison(&self, comparison: &Comparison) -> String {
        comparison.markdown()
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
}
