//! Report folders: everything `plan --output DIR` and `simulate --output DIR` write — tables,
//! charts (SVG + PNG) and report.html — into the staging folder of the set
//! ([`crate::files::output::ReportFolder`]), which commits them together.

use super::charts::{
    CompletionChart, CompletionPoint, CostChart, CostHistogram, CostPoint, StatusSpan,
    StatusTimeline, TimelineRow, WallClockCdf,
};
use super::distribution::{cdf_points, histogram_bins, sample_words};
use super::export::{CsvExporter, Exporter, JsonExporter};
use super::html::{Block, render};
use super::plan::{SHOWN_ROWS, point_cells, point_header, shown_rows};
use super::provenance::Provenance;
use super::recommendation::sentence;
use super::{SUMMARY_FILES, charts};
use crate::engine::{Timeline, TrialOutcome};
use crate::files::output::write_new;
use crate::montecarlo::{Aggregate, SimulationSummary};
use crate::plan::Plan;
use crate::units::words;
use std::path::Path;

/// What every report states before its results: its provenance and the scenario's
/// assumptions in words ([`super::provenance`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportContext {
    /// Date, command, version, scenario hashes and input fingerprints, trials and seed.
    pub provenance: Provenance,
    /// The job, market, prices and checkpoints in words (empty when not known, e.g. a merge of
    /// partials, which name their scenario only by hash).
    pub assumptions: Vec<String>,
}

impl ReportContext {
    /// The blocks at the top of report.html: provenance, then the assumptions.
    pub fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![self.provenance.block()];
        if !self.assumptions.is_empty() {
            blocks.push(Block::Heading("Assumptions".into()));
            blocks.push(Block::List(self.assumptions.clone()));
        }
        blocks
    }

    /// The same for Markdown, inserted after the title of `markdown` (its first line).
    pub fn insert_into_markdown(&self, markdown: &str) -> String {
        let (title, rest) = markdown.split_once('\n').unwrap_or((markdown, ""));
        let mut out = format!("{title}\n\n{}", self.provenance.markdown());
        if !self.assumptions.is_empty() {
            out.push_str("\n## Assumptions\n\n");
            for line in &self.assumptions {
                out.push_str(&format!("- {line}\n"));
            }
        }
        out.push_str(rest);
        out
    }
}

/// Chart files of a plan folder: (name, caption).
pub const PLAN_CHARTS: [(&str, &str); 5] = [
    (
        "plan-completion",
        "P(Completed) vs MaxWait, 95 % band, recommended point; drawn where the curve moves, every MaxWait in the table",
    ),
    (
        "plan-cost",
        "Expected cost vs MaxWait, on-demand reference; the same MaxWait range",
    ),
    (
        "wall-clock-cdf",
        "CDF of wall-clock time at the recommended MaxWait",
    ),
    ("cost-histogram", "Cost per job at the recommended MaxWait"),
    ("status-timeline", "Status timeline of sample trials"),
];

/// Chart files of a simulation folder: (name, caption).
pub const SIMULATION_CHARTS: [(&str, &str); 3] = [
    ("wall-clock-cdf", "CDF of wall-clock time"),
    ("cost-histogram", "Cost per job"),
    ("status-timeline", "Status timeline of sample trials"),
];

/// Every file a simulation folder may hold: the summaries, the charts and report.html.
pub fn simulation_files() -> Vec<String> {
    let mut names: Vec<String> = SUMMARY_FILES.iter().map(|n| n.to_string()).collect();
    names.extend(chart_files(&SIMULATION_CHARTS));
    names.push("report.html".into());
    names
}

/// Every file a plan folder may hold: the plan tables, the charts and the reports.
pub fn plan_files() -> Vec<String> {
    let mut names: Vec<String> = ["plan.csv", "plan.json", "report.md", "report.html"]
        .iter()
        .map(|n| n.to_string())
        .collect();
    names.extend(chart_files(&PLAN_CHARTS));
    names
}

fn chart_files(charts: &[(&str, &str)]) -> impl Iterator<Item = String> {
    charts
        .iter()
        .flat_map(|(name, _)| [format!("{name}.svg"), format!("{name}.png")])
}

/// Gantt rows of sample trials.
pub fn timeline_rows(timelines: &[(u64, TrialOutcome, Timeline)]) -> Vec<TimelineRow> {
    timelines
        .iter()
        .map(|(trial, outcome, timeline)| TimelineRow {
            label: format!(
                "trial {trial} · {} {:.1} h",
                short_outcome(outcome.outcome.as_str()),
                outcome.wall_clock_seconds / 3600.0
            ),
            spans: timeline
                .transitions
                .iter()
                .map(|t| StatusSpan {
                    status: t.status.as_str(),
                    from_hours: t.start_seconds / 3600.0,
                    to_hours: t.end_seconds / 3600.0,
                    fallback: outcome
                        .fallback_seconds
                        .is_some_and(|start| t.start_seconds >= start),
                })
                .collect(),
        })
        .collect()
}

fn short_outcome(outcome: &str) -> &str {
    match outcome {
        "MaxWaitTimeExceeded" => "MaxWait",
        "MaxRuntimeExceeded" => "MaxRuntime",
        other => other,
    }
}

/// The three distribution charts of one scenario at one MaxWait; returns their SVGs with
/// captions that say what was drawn.
fn distribution_charts(
    folder: &Path,
    scenario: &str,
    aggregate: &Aggregate,
    timelines: Option<&[(u64, TrialOutcome, Timeline)]>,
    max_wait_seconds: Option<f64>,
    on_demand_usd: f64,
) -> std::io::Result<Vec<(String, String)>> {
    let at = max_wait_seconds
        .map(|w| format!(" at MaxWait {}", words::hours(w)))
        .unwrap_or_default();
    let cdf = charts::wall_clock_cdf_chart(
        &WallClockCdf {
            title: format!("Wall-clock time{at} — {scenario}"),
            points: cdf_points(&aggregate.sample.wall_clock_seconds, 3600.0),
            max_wait_hours: max_wait_seconds.map(|w| w / 3600.0),
        },
        folder,
        "wall-clock-cdf",
    )?;
    let mean = aggregate.cost_usd.moments().mean();
    let histogram = charts::cost_histogram_chart(
        &CostHistogram {
            title: format!("Cost per job{at} — {scenario}"),
            bins: histogram_bins(&aggregate.sample.cost_usd, 40),
            on_demand_usd: Some(on_demand_usd),
            mean_usd: mean.is_finite().then_some(mean),
        },
        folder,
        "cost-histogram",
    )?;
    let drawn = sample_words(&aggregate.sample, aggregate.trials);
    let mut charts = vec![
        (
            cdf,
            format!(
                "Empirical CDF of wall-clock time{at}: {drawn}, evaluated at {} evenly spaced times",
                super::distribution::CDF_POINTS + 1
            ),
        ),
        (
            histogram,
            format!("Cost per job{at}, 40 equal bins: {drawn}"),
        ),
    ];
    // A merge of partials has no trials to replay (`None`): no timeline chart rather than an
    // empty one.
    if let Some(timelines) = timelines {
        let gantt = charts::status_timeline_chart(
            &StatusTimeline {
                title: format!("SecondaryStatus of sample trials{at}"),
                rows: timeline_rows(timelines),
                max_wait_hours: max_wait_seconds.map(|w| w / 3600.0),
            },
            folder,
            "status-timeline",
        )?;
        charts.push((
            gantt,
            format!(
                "SecondaryStatus over time of {} sample trials{at}",
                timelines.len()
            ),
        ));
    }
    Ok(charts)
}

/// The plan's "Use it" section: each snippet under its label.
fn use_it_blocks(plan: &Plan) -> Vec<Block> {
    let Some(r) = &plan.recommendation else {
        return Vec::new();
    };
    let mut blocks = vec![Block::Heading("Use it".into())];
    for (label, snippet) in super::use_it::use_it(r).labelled() {
        blocks.push(Block::Paragraph(format!("{label}:")));
        blocks.push(Block::Code(snippet.to_string()));
    }
    blocks
}

fn summary_blocks(summary: &SimulationSummary) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut rows = Vec::new();
    let deadline = super::deadline_row(summary);
    let outcomes = crate::engine::Outcome::ALL
        .iter()
        .map(|&outcome| (outcome.as_str(), summary.outcome(outcome)))
        .chain(deadline.as_ref().map(|(label, o)| (label.as_str(), o)));
    for (label, o) in outcomes {
        rows.push(vec![
            label.to_string(),
            o.count.to_string(),
            format!("{:.4}", o.probability),
            format!("[{:.4}, {:.4}]", o.ci95[0], o.ci95[1]),
        ]);
    }
    blocks.push(Block::Table {
        header: ["Outcome", "Trials", "Probability", "95 % CI"]
            .map(String::from)
            .to_vec(),
        rows,
        numeric_from: 1,
        highlight: Vec::new(),
    });
    let mut rows = super::table::metric_table(summary);
    let header = rows.remove(0);
    blocks.push(Block::Table {
        header,
        rows,
        numeric_from: 2,
        highlight: Vec::new(),
    });
    blocks.push(Block::Paragraph(super::savings_sentence(summary)));
    blocks.extend(
        super::scenario_fact_sentences(summary)
            .into_iter()
            .map(Block::Paragraph),
    );
    blocks
}

/// Writes `simulate --output DIR`'s charts and report.html (the summary files are written by
/// [`super::write_summary_files`]). `timelines`: sample trials replayed for the status chart
/// (`None` when the trials cannot be replayed, as in a merge of partials).
pub fn write_simulation_report(
    folder: &Path,
    summary: &SimulationSummary,
    aggregate: &Aggregate,
    timelines: Option<&[(u64, TrialOutcome, Timeline)]>,
    max_wait_seconds: Option<f64>,
    scenario_toml: &str,
    context: &ReportContext,
) -> std::io::Result<()> {
    let svgs = distribution_charts(
        folder,
        &summary.scenario,
        aggregate,
        timelines,
        max_wait_seconds.filter(|w| w.is_finite()),
        summary.on_demand_cost_usd,
    )?;
    let mut blocks = context.blocks();
    blocks.push(Block::Heading("Outcomes and metrics".into()));
    blocks.extend(summary_blocks(summary));
    blocks.push(Block::Heading("Charts".into()));
    for (svg, caption) in svgs {
        blocks.push(Block::Chart { svg, caption });
    }
    if !scenario_toml.is_empty() {
        blocks.push(Block::Heading("Scenario (resolved)".into()));
        blocks.push(Block::Code(scenario_toml.to_string()));
    }
    let page = render(
        &format!("Simulation: {}", summary.scenario),
        &format!("{} trials, seed {}", summary.trials, summary.seed),
        &blocks,
    );
    write_new(&folder.join("report.html"), page.as_bytes())
}

fn plan_table(plan: &Plan, indices: &[usize]) -> Block {
    let recommended = plan.recommended_index();
    let rows: Vec<Vec<String>> = indices
        .iter()
        .map(|&i| {
            let p = &plan.points[i];
            let note = if recommended == Some(i) {
                " ✓"
            } else if plan.scenario_max_wait_seconds == Some(p.max_wait_seconds) {
                " (yours)"
            } else {
                ""
            };
            let mut row = vec![
                format!("{:.1}{note}", p.max_wait_seconds / 3600.0),
                format!("{:.0}", p.max_wait_seconds),
            ];
            row.extend(point_cells(p));
            row
        })
        .collect();
    let highlight = indices
        .iter()
        .enumerate()
        .filter(|(_, i)| Some(**i) == recommended)
        .map(|(r, _)| r)
        .collect();
    Block::Table {
        header: ["MaxWait h".to_string(), "MaxWait s".to_string()]
            .into_iter()
            .chain(point_header(plan))
            .collect(),
        rows,
        numeric_from: 0,
        highlight,
    }
}

/// Writes `plan --output DIR` into `folder` (the set's staging folder): plan.csv, plan.json,
/// report.md, report.html and the charts.
pub fn write_plan_files(
    plan: &Plan,
    folder: &Path,
    scenario_toml: &str,
    context: &ReportContext,
) -> std::io::Result<()> {
    write_new(&folder.join("plan.csv"), CsvExporter.plan(plan).as_bytes())?;
    write_new(
        &folder.join("plan.json"),
        JsonExporter.plan(plan).as_bytes(),
    )?;

    // On-demand has no MaxWait (∞): no point of the curves is its.
    let on_curve = plan
        .recommendation
        .as_ref()
        .filter(|r| r.max_wait_seconds.is_finite());
    let recommended = on_curve.map(|r| (r.max_wait_seconds / 3600.0, r.p_completed));
    let points: Vec<CompletionPoint> = plan
        .points
        .iter()
        .map(|p| CompletionPoint {
            max_wait_hours: p.max_wait_seconds / 3600.0,
            p_completed: p.completed.probability,
            ci95_low: p.completed.ci95[0],
            ci95_high: p.completed.ci95[1],
        })
        .collect();
    // Both curves zoom to where P(Completed) moves; the table shows the whole grid.
    let keep: Vec<f64> = recommended
        .map(|(hours, _)| hours)
        .into_iter()
        .chain(plan.scenario_max_wait_seconds.map(|w| w / 3600.0))
        .collect();
    let x_range_hours = charts::zoom_hours(&points, &keep);
    let completion = charts::completion_chart(
        &CompletionChart {
            scenario: plan.scenario.clone(),
            points,
            target: plan.target,
            recommended,
            x_range_hours,
        },
        folder,
        "plan-completion",
    )?;
    let cost = charts::cost_chart(
        &CostChart {
            scenario: plan.scenario.clone(),
            points: plan.points.iter().map(CostPoint::of).collect(),
            on_demand_usd: plan.on_demand_cost_usd,
            recommended: on_curve.map(|r| (r.max_wait_seconds / 3600.0, r.cost_mean_usd)),
            x_range_hours,
        },
        folder,
        "plan-cost",
    )?;
    let mut svgs = vec![
        (completion, PLAN_CHARTS[0].1.to_string()),
        (cost, PLAN_CHARTS[1].1.to_string()),
    ];
    if let Some(detail) = &plan.detail {
        svgs.extend(distribution_charts(
            folder,
            &plan.scenario,
            &detail.aggregate,
            Some(&detail.timelines),
            Some(detail.max_wait_seconds),
            plan.on_demand_cost_usd,
        )?);
    }
    let md_charts: Vec<(String, &str)> = PLAN_CHARTS
        .iter()
        .zip(&svgs)
        .map(|((name, _), (_, caption))| (format!("{name}.svg"), caption.as_str()))
        .collect();
    let md_refs: Vec<(&str, &str)> = md_charts.iter().map(|(f, c)| (f.as_str(), *c)).collect();
    write_new(
        &folder.join("report.md"),
        context
            .insert_into_markdown(&super::plan::markdown(plan, &md_refs))
            .as_bytes(),
    )?;

    let mut blocks = context.blocks();
    blocks.push(Block::Heading("Recommendation".into()));
    match &plan.recommendation {
        Some(r) => blocks.push(Block::Callout(format!("{}.", sentence(r)))),
        None => {
            blocks.push(Block::Callout(format!(
                "No MaxWait up to {} reaches the target {}.",
                plan.points
                    .last()
                    .map_or("–".into(), |p| words::hours(p.max_wait_seconds)),
                plan.target
            )));
            blocks.push(Block::List(
                plan.advice.iter().map(super::advice::text).collect(),
            ));
        }
    }
    blocks.extend(use_it_blocks(plan));
    let mut option_rows = super::plan::option_rows(plan);
    if !option_rows.is_empty() {
        let header = option_rows.remove(0);
        blocks.push(Block::Heading("Options".into()));
        blocks.push(Block::Table {
            header,
            rows: option_rows,
            numeric_from: 1,
            highlight: Vec::new(),
        });
        blocks.extend(super::plan::options_rare_note(plan).map(Block::Paragraph));
        blocks.push(Block::Paragraph(super::plan::baseline_note(plan)));
        blocks.push(Block::Paragraph(super::plan::on_demand_note(plan)));
    }
    let headline = super::plan::headline(plan);
    for line in headline.lines().filter(|l| {
        ["Your scenario", "Interruptions:", "Checkpoint interval:"]
            .iter()
            .any(|start| l.starts_with(start))
    }) {
        blocks.push(Block::Paragraph(line.to_string()));
    }
    let mut svgs = svgs.into_iter();
    for (name, _) in PLAN_CHARTS.iter().take(2) {
        if let Some((svg, caption)) = svgs.next() {
            blocks.push(Block::Chart {
                svg,
                caption: format!("{caption} ({name}.svg)"),
            });
        }
    }
    blocks.push(Block::Heading("P(Completed) and cost over MaxWait".into()));
    let shown = shown_rows(plan, SHOWN_ROWS);
    blocks.push(plan_table(plan, &shown));
    if let Some(note) = super::plan::rare_note(plan) {
        blocks.push(Block::Paragraph(note));
    }
    blocks.push(Block::Details {
        summary: format!(
            "All {} MaxWait values (also in plan.csv)",
            plan.points.len()
        ),
        blocks: vec![plan_table(
            plan,
            &(0..plan.points.len()).collect::<Vec<_>>(),
        )],
    });
    if !plan.checkpoint_intervals.is_empty() {
        blocks.push(Block::Heading("Checkpoint interval × MaxWait".into()));
        let mut rows = super::plan::interval_rows(plan);
        let header = rows.remove(0);
        let highlight = plan
            .checkpoint_intervals
            .iter()
            .position(|row| row.best)
            .into_iter()
            .collect();
        blocks.push(Block::Table {
            header,
            rows,
            numeric_from: 1,
            highlight,
        });
        blocks.extend(super::plan::intervals_rare_note(plan).map(Block::Paragraph));
        blocks.push(Block::Paragraph(format!(
            "{} {}",
            super::plan::best_interval_note(),
            super::plan::baseline_note(plan)
        )));
    }
    if let Some(summary) = &plan.simulation {
        let w = plan.detail.as_ref().map_or(0.0, |d| d.max_wait_seconds);
        blocks.push(Block::Heading(format!(
            "A direct simulation at MaxWait {}",
            words::hours(w)
        )));
        blocks.extend(summary_blocks(summary));
        for (svg, caption) in svgs {
            blocks.push(Block::Chart { svg, caption });
        }
    }
    blocks.push(Block::Heading("Scenario (resolved)".into()));
    blocks.push(Block::Code(scenario_toml.to_string()));
    let page = render(
        &format!("MaxWait plan: {}", plan.scenario),
        &format!(
            "{} trials per MaxWait (the same trials at every point), seed {}, target: lower 95 % bound of P(complete) ≥ {}. On-demand cost of the same job: {}.",
            plan.trials,
            plan.seed,
            plan.target,
            super::numbers::usd(plan.on_demand_cost_usd)
        ),
        &blocks,
    );
    write_new(&folder.join("report.html"), page.as_bytes())
}
