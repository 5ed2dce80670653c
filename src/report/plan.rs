//! The MaxWait plan as a terminal table, CSV (one row per MaxWait), JSON and Markdown.

use super::fixed_or_dash;
use super::rare;
use super::recommendation::sentence;
use super::table::align;
use crate::plan::{Plan, PlanOption, PlanPoint};
use crate::units::words;
use serde::{Deserialize, Serialize};

/// Rows of the terminal and Markdown tables (plan.csv has every grid point).
pub const SHOWN_ROWS: usize = 15;

/// One row of plan.csv: units in the column names, plain numbers, empty when undefined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRow {
    /// MaxWaitTimeInSeconds.
    pub max_wait_seconds: u64,
    /// The same in hours.
    pub max_wait_hours: f64,
    /// Trials.
    pub trials: u64,
    /// Completed trials.
    pub completed_count: u64,
    /// P(Completed).
    pub p_completed: f64,
    /// Lower 95 % Wilson bound.
    pub p_completed_ci95_low: f64,
    /// Upper 95 % Wilson bound.
    pub p_completed_ci95_high: f64,
    /// P(Completed by the deadline), with a deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_by_deadline: Option<f64>,
    /// Its lower 95 % Wilson bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_by_deadline_ci95_low: Option<f64>,
    /// Its upper 95 % Wilson bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_by_deadline_ci95_high: Option<f64>,
    /// P(MaxWaitTimeExceeded).
    pub p_max_wait_exceeded: f64,
    /// Its lower 95 % bound.
    pub p_max_wait_exceeded_ci95_low: f64,
    /// Its upper 95 % bound.
    pub p_max_wait_exceeded_ci95_high: f64,
    /// P(MaxRuntimeExceeded).
    pub p_max_runtime_exceeded: f64,
    /// Mean cost per job, stopped jobs included.
    pub cost_mean_usd: f64,
    /// Standard error of the mean cost.
    pub cost_stderr_usd: f64,
    /// Median cost.
    pub cost_p50_usd: f64,
    /// 90th percentile of cost.
    pub cost_p90_usd: f64,
    /// 95th percentile of cost.
    pub cost_p95_usd: f64,
    /// Largest cost.
    pub cost_max_usd: f64,
    /// Mean cost ÷ P(Completed).
    pub cost_per_completed_job_usd: Option<f64>,
    /// The job on on-demand instances.
    pub on_demand_cost_usd: f64,
    /// (1 − cost per completed job ÷ on-demand) × 100.
    pub true_savings_percent: Option<f64>,
    /// AWS's formula, mean per job.
    pub aws_savings_percent: Option<f64>,
    /// Lower bound of P(Completed) ≥ target.
    pub meets_target: bool,
    /// The recommended row.
    pub recommended: bool,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// plan.csv rows.
pub fn rows(plan: &Plan) -> Vec<PlanRow> {
    let recommended = plan.recommended_index();
    plan.points
        .iter()
        .enumerate()
        .map(|(i, p)| PlanRow {
            max_wait_seconds: p.max_wait_seconds as u64,
            max_wait_hours: p.max_wait_seconds / 3600.0,
            trials: p.completed.count
                + p.max_wait_time_exceeded.count
                + p.max_runtime_exceeded.count,
            completed_count: p.completed.count,
            p_completed: p.completed.probability,
            p_completed_ci95_low: p.completed.ci95[0],
            p_completed_ci95_high: p.completed.ci95[1],
            p_by_deadline: p.completed_by_deadline.map(|o| o.probability),
            p_by_deadline_ci95_low: p.completed_by_deadline.map(|o| o.ci95[0]),
            p_by_deadline_ci95_high: p.completed_by_deadline.map(|o| o.ci95[1]),
            p_max_wait_exceeded: p.max_wait_time_exceeded.probability,
            p_max_wait_exceeded_ci95_low: p.max_wait_time_exceeded.ci95[0],
            p_max_wait_exceeded_ci95_high: p.max_wait_time_exceeded.ci95[1],
            p_max_runtime_exceeded: p.max_runtime_exceeded.probability,
            cost_mean_usd: p.cost_usd.mean,
            cost_stderr_usd: p.cost_usd.stderr,
            cost_p50_usd: p.cost_usd.p50,
            cost_p90_usd: p.cost_usd.p90,
            cost_p95_usd: p.cost_usd.p95,
            cost_max_usd: p.cost_usd.max,
            cost_per_completed_job_usd: finite(p.cost_per_completed_job_usd),
            on_demand_cost_usd: plan.on_demand_cost_usd,
            true_savings_percent: finite(p.true_savings_percent),
            aws_savings_percent: finite(p.aws_savings_percent),
            meets_target: p.meets_target,
            recommended: recommended == Some(i),
        })
        .collect()
}

/// The "Use it" block: the recommendation as SDK v2, SDK v3 and CreateTrainingJob snippets,
/// indented under their labels (empty without a recommendation).
pub fn use_it_block(plan: &Plan) -> String {
    let Some(r) = &plan.recommendation else {
        return String::new();
    };
    let mut out = String::from("Use it:\n");
    for (label, snippet) in super::use_it::use_it(r).labelled() {
        out.push_str(&format!("  {label}:\n"));
        for line in snippet.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}

/// plan.csv.
pub fn csv(plan: &Plan) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows(plan) {
        let _ = writer.serialize(row);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Which rows a short table shows: evenly spread, plus the first, the last, the recommended
/// one, the one just below it and the scenario's own MaxWait.
pub fn shown_rows(plan: &Plan, limit: usize) -> Vec<usize> {
    let n = plan.points.len();
    if n <= limit {
        return (0..n).collect();
    }
    let mut keep = vec![0, n - 1];
    if let Some(r) = plan.recommended_index() {
        keep.push(r);
        if r > 0 {
            keep.push(r - 1);
        }
    }
    if let Some(w) = plan.scenario_max_wait_seconds
        && let Some(i) = plan.points.iter().position(|p| p.max_wait_seconds == w)
    {
        keep.push(i);
    }
    // Most rows where the curve still moves: up to just past the first point at which
    // P(Completed) reaches its value at the cap; a few rows for the flat rest.
    let final_count = plan.points[n - 1].completed.count;
    let settled = plan
        .points
        .iter()
        .position(|p| p.completed.count == final_count)
        .unwrap_or(n - 1);
    let moving_end = (settled + 1).min(n - 1);
    let spare = limit.saturating_sub(keep.len()).max(2);
    let (moving, flat) = if moving_end < n - 1 {
        (spare - spare / 4, spare / 4)
    } else {
        (spare, 0)
    };
    for k in 1..=moving {
        keep.push(k * moving_end / (moving + 1));
    }
    keep.push(moving_end);
    for k in 1..=flat {
        keep.push(moving_end + k * (n - 1 - moving_end) / (flat + 1));
    }
    keep.sort_unstable();
    keep.dedup();
    keep
}

fn note(plan: &Plan, index: usize, point: &PlanPoint) -> &'static str {
    if plan.recommended_index() == Some(index) {
        "← recommended"
    } else if plan.scenario_max_wait_seconds == Some(point.max_wait_seconds) {
        "← your MaxWait"
    } else {
        ""
    }
}

/// The footnote under the MaxWait table when some of its points complete too rarely
/// ([`super::rare`]).
pub(super) fn rare_note(plan: &Plan) -> Option<String> {
    rare::footnote(
        plan.on_demand_cost_usd,
        plan.points
            .iter()
            .map(|p| (p.completed.ci95, p.cost_per_completed_job_usd)),
        |n| format!("at {n} MaxWait value(s)"),
        "$/completed and true saving are",
        "plan.json and plan.csv keep",
    )
}

/// The footnote under the Options table when some of its rows complete too rarely.
pub(super) fn options_rare_note(plan: &Plan) -> Option<String> {
    rare::footnote(
        plan.on_demand_cost_usd,
        shown_options(plan)
            .iter()
            .map(|o| (o.p_completed_ci95, o.cost_per_completed_job_usd)),
        |n| format!("in {n} row(s) of the Options table"),
        "$/completed is",
        "plan.json keeps",
    )
}

/// The footnote under the checkpoint-interval table when some of its rows complete too rarely.
pub(super) fn intervals_rare_note(plan: &Plan) -> Option<String> {
    rare::footnote(
        plan.on_demand_cost_usd,
        plan.checkpoint_intervals
            .iter()
            .filter_map(|row| row.recommendation.as_ref())
            .map(|r| (r.p_completed_ci95, r.cost_per_completed_job_usd)),
        |n| format!("in {n} row(s) of the checkpoint-interval table"),
        "$/completed and true saving are",
        "plan.json keeps",
    )
}

/// The cells of a MaxWait point from P(Completed) to AWS's savings, shared by the terminal,
/// Markdown and HTML tables.
pub(crate) fn point_cells(p: &PlanPoint) -> Vec<String> {
    let money = |x| fixed_or_dash(x, 2);
    let pct = |x| fixed_or_dash(x, 1);
    let per_completed = rare::or_dash(p.completed.ci95, money(p.cost_per_completed_job_usd));
    let true_saving = rare::or_dash(p.completed.ci95, pct(p.true_savings_percent));
    let mut cells = vec![
        format!("{:.4}", p.completed.probability),
        format!("[{:.4}, {:.4}]", p.completed.ci95[0], p.completed.ci95[1]),
    ];
    if let Some(by) = &p.completed_by_deadline {
        cells.push(format!("{:.4}", by.probability));
        cells.push(format!("[{:.4}, {:.4}]", by.ci95[0], by.ci95[1]));
    }
    cells.extend([
        format!("{:.4}", p.max_wait_time_exceeded.probability),
        money(p.cost_usd.mean),
        money(p.cost_usd.p50),
        money(p.cost_usd.p95),
        per_completed,
        true_saving,
        pct(p.aws_savings_percent),
    ]);
    cells
}

/// The column names of [`point_cells`] for `plan` (with its deadline's columns, if any).
pub(crate) fn point_header(plan: &Plan) -> Vec<String> {
    let mut header = vec!["P(Completed)".to_string(), "95 % CI".to_string()];
    if let Some(deadline) = plan.deadline_seconds {
        header.push(format!("P(by {})", words::hours(deadline as f64)));
        header.push("95 % CI".to_string());
    }
    header.extend(
        [
            "P(MaxWait exceeded)",
            "mean $",
            "p50 $",
            "p95 $",
            "$/completed",
            "true saving %",
            "AWS saving %",
        ]
        .map(String::from),
    );
    header
}

/// The header of the terminal and Markdown tables (with an empty note column).
fn header(plan: &Plan) -> Vec<String> {
    let mut header = vec!["MaxWait h".to_string()];
    header.extend(point_header(plan));
    header.push(String::new());
    header
}

/// The cells of one table row.
fn cells(plan: &Plan, index: usize) -> Vec<String> {
    let p = &plan.points[index];
    let mut row = vec![format!("{:.1}", p.max_wait_seconds / 3600.0)];
    row.extend(point_cells(p));
    row.push(note(plan, index, p).to_string());
    row
}

/// The headline: the recommendation, or that none reaches the target and what would.
pub fn headline(plan: &Plan) -> String {
    let mut out = String::new();
    match &plan.recommendation {
        Some(r) => out.push_str(&format!("{}.\n", sentence(r))),
        None => {
            let best = plan.points.last();
            let what = words::targeted(plan.deadline_seconds.map(|d| d as f64));
            let p = best.map_or(0.0, |p| p.targeted().probability);
            let which = if plan.options.is_empty() {
                "No MaxWait"
            } else {
                "No option (managed spot, spot-then-on-demand or on-demand) at any MaxWait"
            };
            out.push_str(&format!(
                "{which} up to {} reaches the target: the lower 95 % bound of {what} \
                 stays below {} ({what} = {p:.3} at the cap); {}.\n",
                best.map_or("–".into(), |p| words::hours(p.max_wait_seconds)),
                plan.target,
                super::advice::search_stop(plan.search_stopped_by),
            ));
            for lever in &plan.advice {
                out.push_str(&format!("- {}\n", super::advice::text(lever)));
            }
        }
    }
    if let Some(p) = plan.scenario_point() {
        out.push_str(&format!(
            "Your scenario's MaxWait ({}): P(complete) = {:.3} [{:.3}, {:.3}], {} per job, \
             P(MaxWaitTimeExceeded) = {:.3}.\n",
            words::hours(p.max_wait_seconds),
            p.completed.probability,
            p.completed.ci95[0],
            p.completed.ci95[1],
            super::numbers::usd(p.cost_usd.mean),
            p.max_wait_time_exceeded.probability,
        ));
    }
    let market = plan.market.as_ref().map(|basis| basis.sentence());
    let checkpoint = plan.checkpoint.as_ref().map(|choice| choice.sentence());
    for sentence in market.into_iter().chain(checkpoint) {
        out.push_str(&sentence);
        out.push('\n');
    }
    out
}

fn title(plan: &Plan) -> String {
    format!(
        "{} — MaxWait plan: {} trials per MaxWait (the same trials at every point), seed {}, \
         target: lower 95 % bound of {} ≥ {}",
        plan.scenario,
        plan.trials,
        plan.seed,
        words::targeted(plan.deadline_seconds.map(|d| d as f64)),
        plan.target
    )
}

fn grid_note(plan: &Plan, shown: usize) -> String {
    let (Some(first), Some(last)) = (plan.points.first(), plan.points.last()) else {
        return String::new();
    };
    format!(
        "{} MaxWait values from {} (= MaxRuntime) to {}; {shown} shown, all in plan.csv \
         (--format csv). On-demand cost of the same job: {}.",
        plan.points.len(),
        words::hours(first.max_wait_seconds),
        words::hours(last.max_wait_seconds),
        super::numbers::usd(plan.on_demand_cost_usd),
    )
}

/// The checkpoint-interval × MaxWait table: the header row, then a row per interval.
pub(super) fn interval_rows(plan: &Plan) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "Checkpoint every",
            "MaxWait h",
            "P(Completed)",
            "95 % CI",
            "mean $",
            "$/completed",
            "true saving %",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>(),
    ];
    for row in &plan.checkpoint_intervals {
        let interval = words::hours(row.checkpoint_interval_seconds);
        rows.push(match &row.recommendation {
            Some(r) => vec![
                interval,
                format!("{:.1}", r.max_wait_seconds / 3600.0),
                format!("{:.4}", r.p_completed),
                format!(
                    "[{:.4}, {:.4}]",
                    r.p_completed_ci95[0], r.p_completed_ci95[1]
                ),
                fixed_or_dash(r.cost_mean_usd, 2),
                rare::or_dash(
                    r.p_completed_ci95,
                    fixed_or_dash(r.cost_per_completed_job_usd, 2),
                ),
                rare::or_dash(r.p_completed_ci95, fixed_or_dash(r.true_savings_percent, 1)),
                if row.best { "← best" } else { "" }.into(),
            ],
            None => vec![
                interval,
                "none".into(),
                format!("{:.4} at cap", row.p_completed_at_cap),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                String::new(),
            ],
        });
    }
    rows
}

/// The sentence under the Options and checkpoint-interval tables: every row is measured
/// against one on-demand cost, the scenario's own job (with its own checkpoint writes).
pub(super) fn baseline_note(plan: &Plan) -> String {
    format!(
        "Every row is compared with one on-demand cost: the scenario's own job on on-demand \
         instances, {} (download, training with the scenario's checkpoint writes, upload).",
        super::numbers::usd(plan.on_demand_cost_usd)
    )
}

/// The sentence under the Options table on on-demand capacity, which the on-demand and
/// spot-then-on-demand rows use: its wait, or that it is taken as immediate (the default,
/// said on stdout: several commands promise at most one line on stderr).
pub(super) fn on_demand_note(plan: &Plan) -> String {
    plan.on_demand.in_words()
}

/// The sentence under the checkpoint-interval table: which row is best and why.
pub(super) fn best_interval_note() -> &'static str {
    "← best: the lowest cost per completed job among the intervals that meet the target."
}

/// The targeted probability of an option and its 95 % interval: P(Completed by the
/// deadline) with one, else P(Completed).
fn targeted(o: &PlanOption) -> (f64, [f64; 2]) {
    (
        o.p_by_deadline.unwrap_or(o.p_completed),
        o.p_by_deadline_ci95.unwrap_or(o.p_completed_ci95),
    )
}

/// The rows of the options table, per purchase option and checkpoint interval in evaluation
/// order: the cheapest per completed job that meets the target, else the one with the highest
/// targeted probability.
fn shown_options(plan: &Plan) -> Vec<&PlanOption> {
    let mut groups: Vec<(&str, Option<f64>)> = Vec::new();
    for o in &plan.options {
        if !groups.contains(&(o.option, o.checkpoint_interval_seconds)) {
            groups.push((o.option, o.checkpoint_interval_seconds));
        }
    }
    groups
        .into_iter()
        .filter_map(|(option, interval)| {
            let candidates = plan
                .options
                .iter()
                .filter(move |o| o.option == option && o.checkpoint_interval_seconds == interval);
            candidates
                .clone()
                .filter(|o| o.meets_target && o.cost_per_completed_job_usd.is_finite())
                .min_by(|a, b| {
                    a.cost_per_completed_job_usd
                        .total_cmp(&b.cost_per_completed_job_usd)
                })
                .or_else(|| candidates.max_by(|a, b| targeted(a).0.total_cmp(&targeted(b).0)))
        })
        .collect()
}

/// The options table: per purchase option and checkpoint interval, its best row (the
/// cheapest per completed job that meets the target, else the one with the highest targeted
/// probability), the recommended one marked. Header first; empty for the max-wait objective.
pub fn option_rows(plan: &Plan) -> Vec<Vec<String>> {
    if plan.options.is_empty() {
        return Vec::new();
    }
    let what = words::targeted(plan.deadline_seconds.map(|d| d as f64));
    let mut rows = vec![
        [
            "Option",
            "MaxWait h",
            "checkpoint every",
            &what,
            "95 % CI",
            "mean $",
            "$/completed",
            "",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let recommended = plan.recommendation.as_ref();
    for best in shown_options(plan) {
        let (option, interval) = (best.option, best.checkpoint_interval_seconds);
        let (p, ci) = targeted(best);
        let is_recommended = recommended.is_some_and(|r| {
            r.option == best.option
                && r.checkpoint_interval_seconds == best.checkpoint_interval_seconds
                && (best.max_wait_seconds.is_none()
                    || best.max_wait_seconds == Some(r.max_wait_seconds))
        });
        rows.push(vec![
            option.to_string(),
            best.max_wait_seconds
                .map_or("–".into(), |w| format!("{:.1}", w / 3600.0)),
            interval.map_or("–".into(), words::hours),
            format!("{p:.4}"),
            format!("[{:.4}, {:.4}]", ci[0], ci[1]),
            fixed_or_dash(best.cost_mean_usd, 2),
            rare::or_dash(
                best.p_completed_ci95,
                fixed_or_dash(best.cost_per_completed_job_usd, 2),
            ),
            if is_recommended {
                "← recommended".into()
            } else if best.meets_target {
                String::new()
            } else {
                "below target".into()
            },
        ]);
    }
    rows
}

/// The aligned terminal report: recommendation first, then the thinned table.
pub fn table(plan: &Plan) -> String {
    let mut out = title(plan);
    out.push_str("\n\n");
    out.push_str(&headline(plan));
    out.push('\n');
    let use_it = use_it_block(plan);
    if !use_it.is_empty() {
        out.push_str(&use_it);
        out.push('\n');
    }
    let option_rows = option_rows(plan);
    if !option_rows.is_empty() {
        out.push_str(
            "Options (the same trials; each at its cheapest MaxWait that meets the target):\n\n",
        );
        out.push_str(&align(&option_rows));
        if let Some(note) = options_rare_note(plan) {
            out.push_str(&format!("{note}\n"));
        }
        out.push_str(&format!(
            "{}\n{}\n\n",
            baseline_note(plan),
            on_demand_note(plan)
        ));
    }
    let shown = shown_rows(plan, SHOWN_ROWS);
    let mut header = header(plan);
    header.pop();
    let mut rows = vec![header];
    rows.extend(shown.iter().map(|&i| {
        let mut row = cells(plan, i);
        row.pop();
        row
    }));
    let notes = std::iter::once("").chain(shown.iter().map(|&i| note(plan, i, &plan.points[i])));
    let table = align(&rows);
    let width = table.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    for (line, note) in table.lines().zip(notes) {
        if note.is_empty() {
            out.push_str(line);
        } else {
            out.push_str(&format!("{line:<width$}  {note}"));
        }
        out.push('\n');
    }
    out.push_str(&grid_note(plan, shown.len()));
    out.push('\n');
    if let Some(note) = rare_note(plan) {
        out.push_str(&format!("{note}\n"));
    }
    if !plan.checkpoint_intervals.is_empty() {
        out.push_str("\nRecommended MaxWait per checkpoint interval (same trials):\n\n");
        out.push_str(&align(&interval_rows(plan)));
        if let Some(note) = intervals_rare_note(plan) {
            out.push_str(&format!("{note}\n"));
        }
        out.push_str(&format!(
            "{}\n{}\n",
            best_interval_note(),
            baseline_note(plan)
        ));
    }
    out
}

fn markdown_table(rows: &[Vec<String>], right_from: usize) -> String {
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
        if r == 0 {
            let marks: Vec<&str> = (0..row.len())
                .map(|c| if c >= right_from { "---:" } else { "---" })
                .collect();
            out.push_str(&format!("|{}|\n", marks.join("|")));
        }
    }
    out
}

/// The Markdown report; `charts` lists (file name, caption) of images to embed.
pub fn markdown(plan: &Plan, charts: &[(&str, &str)]) -> String {
    let mut out = format!("# MaxWait plan: {}\n\n{}\n\n", plan.scenario, title(plan));
    out.push_str("## Recommendation\n\n");
    out.push_str(&headline(plan));
    out.push('\n');
    if let Some(r) = &plan.recommendation {
        out.push_str("### Use it\n\n");
        for (label, snippet) in super::use_it::use_it(r).labelled() {
            out.push_str(&format!("{label}:\n\n```\n{snippet}\n```\n\n"));
        }
    }
    let shown = shown_rows(plan, SHOWN_ROWS);
    let mut rows = vec![header(plan)];
    rows.extend(shown.iter().map(|&i| cells(plan, i)));
    let option_rows = option_rows(plan);
    if !option_rows.is_empty() {
        out.push_str("## Options\n\n");
        out.push_str(&markdown_table(&option_rows, 1));
        if let Some(note) = options_rare_note(plan) {
            out.push_str(&format!("\n{note}\n"));
        }
        out.push_str(&format!(
            "\n{} {}\n\n",
            baseline_note(plan),
            on_demand_note(plan)
        ));
    }
    out.push_str("## P(Completed) and cost over MaxWait\n\n");
    out.push_str(&markdown_table(&rows, 1));
    out.push('\n');
    out.push_str(&grid_note(plan, shown.len()));
    out.push_str("\n\n");
    if let Some(note) = rare_note(plan) {
        out.push_str(&format!("{note}\n\n"));
    }
    if !plan.checkpoint_intervals.is_empty() {
        out.push_str("## Checkpoint interval × MaxWait\n\n");
        out.push_str(&markdown_table(&interval_rows(plan), 1));
        if let Some(note) = intervals_rare_note(plan) {
            out.push_str(&format!("\n{note}\n"));
        }
        out.push_str(&format!(
            "\n{} {}\n\n",
            best_interval_note(),
            baseline_note(plan)
        ));
    }
    if !charts.is_empty() {
        out.push_str("## Charts\n\n");
        for (file, caption) in charts {
            out.push_str(&format!("![{caption}]({file})\n\n"));
        }
    }
    out
}
