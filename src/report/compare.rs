//! `compare`: the same job under different scenarios (instance types, zones, markets,
//! policies), side by side on common random numbers — a table, CSV, JSON, Markdown and one
//! HTML page with the scenarios' curves overlaid.
//!
//! The columns are one list ([`COLUMNS`]): each is a header and a cell of a
//! [`ComparedScenario`], shared by the table, Markdown and HTML renderers, so a new column
//! (P(done by deadline), once summaries carry a `deadline` member) is one line.

use super::html::Block;
use super::numbers::usd;
use super::output::ReportContext;
use super::{charts, csv, distribution, json, numbers};
use crate::engine::Outcome;
use crate::files::output::write_new;
use crate::montecarlo::{Aggregate, SimulationSummary};
use crate::units::words::hours;
use serde::Serialize;
use std::path::Path;

/// One scenario of a comparison: its summary, its recommended MaxWait, and what charts draw.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedScenario {
    /// The simulation summary at the scenario's own MaxWait.
    pub summary: SimulationSummary,
    /// Mean cost of all jobs ÷ P(Completed) (USD; `null` when none completed).
    pub cost_per_completed_job_usd: f64,
    /// The smallest MaxWait whose lower 95 % bound of P(Completed) reaches the plan target
    /// (`null` when none on the grid does, or the scenario cannot be planned).
    pub recommended_max_wait_seconds: Option<u64>,
    /// Why there is no recommendation (when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_recommendation: Option<String>,
    /// P(Completed) over MaxWait (hours, P), when planned.
    #[serde(skip)]
    pub completion_curve: Vec<(f64, f64)>,
    /// The run's aggregate (its exact sample draws the CDF).
    #[serde(skip)]
    pub aggregate: Aggregate,
}

/// A comparison: the scenarios, run with the same trials and seed.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Trials per scenario.
    pub trials: u64,
    /// The common seed: trial k draws the same random numbers in every scenario.
    pub seed: u64,
    /// The plan target the recommended MaxWait reaches.
    pub target: f64,
    /// The scenarios, in the order given.
    pub scenarios: Vec<ComparedScenario>,
}

/// A column of the comparison: header, and the cell of a scenario.
type Column = (&'static str, fn(&ComparedScenario) -> String);

fn probability_with_interval(s: &ComparedScenario, outcome: Outcome) -> String {
    let o = s.summary.outcome(outcome);
    format!("{:.4} [{:.4}, {:.4}]", o.probability, o.ci95[0], o.ci95[1])
}

/// The header of the P(done by the deadline) column, shown when a scenario has a deadline.
const DEADLINE_HEADER: &str = "P(done by deadline) [95 % CI]";

/// The columns of the table, Markdown and HTML, in order.
const COLUMNS: &[Column] = &[
    ("Scenario", |s| s.summary.scenario.clone()),
    ("P(Completed) [95 % CI]", |s| {
        probability_with_interval(s, Outcome::Completed)
    }),
    ("P(MaxWait exceeded)", |s| {
        format!("{:.4}", s.summary.probability(Outcome::MaxWaitTimeExceeded))
    }),
    (DEADLINE_HEADER, |s| {
        s.summary.deadline.as_ref().map_or("–".to_string(), |d| {
            let o = d.completed;
            format!(
                "{:.4} [{:.4}, {:.4}] by {}",
                o.probability,
                o.ci95[0],
                o.ci95[1],
                hours(d.seconds as f64)
            )
        })
    }),
    ("Mean cost", |s| usd(s.summary.metrics.cost_usd.mean)),
    ("Cost per completed job", |s| {
        usd(s.cost_per_completed_job_usd)
    }),
    ("On-demand cost", |s| usd(s.summary.on_demand_cost_usd)),
    ("True saving", |s| {
        super::percent_or_dash(s.summary.true_savings_percent)
    }),
    ("p95 wall clock", |s| {
        hours(s.summary.metrics.wall_clock_seconds.p95)
    }),
    ("Recommended MaxWait", |s| {
        s.recommended_max_wait_seconds.map_or("–".to_string(), |w| {
            format!("{} ({w} s)", hours(w as f64))
        })
    }),
];

impl Comparison {
    /// Header and rows of the table.
    pub fn rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        // The deadline column only when some scenario has a deadline.
        let any_deadline = self.scenarios.iter().any(|s| s.summary.deadline.is_some());
        let columns: Vec<&Column> = COLUMNS
            .iter()
            .filter(|(h, _)| any_deadline || *h != DEADLINE_HEADER)
            .collect();
        let header = columns.iter().map(|(h, _)| h.to_string()).collect();
        let rows = self
            .scenarios
            .iter()
            .map(|s| columns.iter().map(|(_, cell)| cell(s)).collect())
            .collect();
        (header, rows)
    }

    /// The line under the title: trials, seed, common random numbers, target.
    pub fn subtitle(&self) -> String {
        let targeted = if self.scenarios.iter().any(|s| s.summary.deadline.is_some()) {
            "P(done by the deadline) (P(Completed) for a scenario without one)"
        } else {
            "P(Completed)"
        };
        format!(
            "{} trials per scenario, seed {} in every scenario (common random numbers: trial k draws the same random numbers in each), recommended MaxWait: the smallest whose lower 95 % bound of {targeted} reaches {}.",
            numbers::count(self.trials),
            self.seed,
            self.target
        )
    }

    /// Notes on scenarios without a recommendation.
    fn notes(&self) -> Vec<String> {
        self.scenarios
            .iter()
            .filter_map(|s| {
                s.no_recommendation
                    .as_ref()
                    .map(|why| format!("{}: no recommended MaxWait ({why}).", s.summary.scenario))
            })
            .collect()
    }

    /// The aligned terminal table.
    pub fn table(&self) -> String {
        let (header, rows) = self.rows();
        let mut all = vec![header];
        all.extend(rows);
        let mut out = format!("Comparison — {}\n\n", self.subtitle());
        out.push_str(&super::align(&all));
        for note in self.notes() {
            out.push_str(&format!("{note}\n"));
        }
        out
    }

    /// Markdown: a title, the subtitle and the table.
    pub fn markdown(&self) -> String {
        let (header, rows) = self.rows();
        let mut out = format!("# Comparison\n\n{}\n\n", self.subtitle());
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!(
            "|{}\n",
            header
                .iter()
                .enumerate()
                .map(|(i, _)| if i == 0 { " --- |" } else { " ---: |" })
                .collect::<String>()
        ));
        for row in rows {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        for note in self.notes() {
            out.push_str(&format!("\n{note}\n"));
        }
        out
    }

    /// CSV: the summary row of each scenario ([`csv::summary_columns`]) with the cost per
    /// completed job and the recommended MaxWait.
    pub fn csv(&self) -> String {
        let rows: Vec<Vec<(String, String)>> = self
            .scenarios
            .iter()
            .map(|s| {
                let mut row = csv::summary_columns(&s.summary);
                let float = |x: f64| {
                    if x.is_finite() {
                        format!("{x}")
                    } else {
                        String::new()
                    }
                };
                row.push((
                    "cost_per_completed_job_usd".into(),
                    float(s.cost_per_completed_job_usd),
                ));
                row.push((
                    "recommended_max_wait_seconds".into(),
                    s.recommended_max_wait_seconds
                        .map_or(String::new(), |w| w.to_string()),
                ));
                row
            })
            .collect();
        csv::table(&rows)
    }

    /// Pretty JSON.
    pub fn json(&self) -> String {
        json(self)
    }
}

/// Chart files of a comparison folder: (name, caption).
pub const COMPARE_CHARTS: [&str; 2] = ["compare-wall-clock-cdf", "compare-completion"];

/// Every file `compare --output DIR` may write.
pub fn compare_files() -> Vec<String> {
    let mut names: Vec<String> = ["compare.csv", "compare.json", "compare.md", "report.html"]
        .map(String::from)
        .to_vec();
    for name in COMPARE_CHARTS {
        names.push(format!("{name}.svg"));
        names.push(format!("{name}.png"));
    }
    names
}

/// Writes `compare --output DIR`: compare.csv, compare.json, compare.md, the overlaid charts
/// and report.html.
pub fn write_compare_files(
    comparison: &Comparison,
    folder: &Path,
    context: &ReportContext,
) -> std::io::Result<()> {
    write_new(&folder.join("compare.csv"), comparison.csv().as_bytes())?;
    write_new(&folder.join("compare.json"), comparison.json().as_bytes())?;
    write_new(
        &folder.join("compare.md"),
        context
            .insert_into_markdown(&comparison.markdown())
            .as_bytes(),
    )?;
    let cdf = charts::overlay_chart(
        &charts::Overlay {
            title: "Wall-clock time, CDF per scenario".into(),
            x_desc: "Wall clock, CreationTime → terminal status (hours)".into(),
            y_desc: "Fraction of jobs".into(),
            series: comparison
                .scenarios
                .iter()
                .map(|s| {
                    (
                        s.summary.scenario.clone(),
                        distribution::cdf_points(&s.aggregate.sample.wall_clock_seconds, 3600.0),
                    )
                })
                .collect(),
        },
        folder,
        COMPARE_CHARTS[0],
    )?;
    let mut blocks = context.blocks();
    blocks.push(Block::Heading("Side by side".into()));
    let (header, rows) = comparison.rows();
    blocks.push(Block::Table {
        header,
        rows,
        numeric_from: 1,
        highlight: Vec::new(),
    });
    for note in comparison.notes() {
        blocks.push(Block::Paragraph(note));
    }
    let drawn: Vec<String> = comparison
        .scenarios
        .iter()
        .map(|s| distribution::sample_words(&s.aggregate.sample, s.aggregate.trials))
        .collect();
    blocks.push(Block::Chart {
        svg: cdf,
        caption: format!(
            "Empirical CDF of wall-clock time at each scenario's own MaxWait, one curve per scenario: {}.",
            drawn.first().cloned().unwrap_or_default()
        ),
    });
    let curves: Vec<(String, Vec<(f64, f64)>)> = comparison
        .scenarios
        .iter()
        .filter(|s| !s.completion_curve.is_empty())
        .map(|s| (s.summary.scenario.clone(), s.completion_curve.clone()))
        .collect();
    if !curves.is_empty() {
        let completion = charts::overlay_chart(
            &charts::Overlay {
                title: "P(Completed) vs MaxWait per scenario".into(),
                x_desc: "MaxWait (hours)".into(),
                y_desc: "P(Completed)".into(),
                series: curves,
            },
            folder,
            COMPARE_CHARTS[1],
        )?;
        blocks.push(Block::Chart {
            svg: completion,
            caption: "P(Completed) over each scenario's MaxWait grid (the plan's), on the same trials at every MaxWait.".into(),
        });
    }
    let page = super::html::render("Comparison", &comparison.subtitle(), &blocks);
    write_new(&folder.join("report.html"), page.as_bytes())
}
