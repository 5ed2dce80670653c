//! The planner's figures at the edges: one on-demand baseline for every row of the Options
//! and checkpoint-interval tables, the best interval marked.

use crate::common::{json_of, parse, stdout_of};
use assert_cmd::cargo::cargo_bin_cmd;
use spotsim::plan::{self, Objective, PlanOptions};
use spotsim::report::charts::{CostPoint, cost_axis};
use spotsim::units::numbers::usd;
use tempfile::TempDir;

/// Capacity for 1000 h from the start (no interruption, no wait); $1/h spot, $4/h on-demand;
/// 2 h of training, nothing to download or upload, a checkpoint every hour taking 6 min.
///
/// By hand (every trial is the same uninterrupted job; `writes = ceil(training ÷ interval) − 1`):
/// - the scenario's own job, every hour: 1 write, 2.1 h; on-demand 2.1 h × $4 = $8.40;
/// - every 30 min: 3 writes, 2.3 h; spot $2.30 per completed job (on-demand would be $9.20);
/// - every 2 h: no write, 2 h; spot $2.00 per completed job (on-demand would be $8.00).
///
/// Against its own on-demand cost every interval would save exactly 75 %, and the 30 min row
/// would look as good as the 2 h one; against the scenario's $8.40 the 2 h row saves
/// (1 − 2.00/8.40) = 76.19 % and the 30 min row (1 − 2.30/8.40) = 72.62 %.
const ALWAYS_UP: &str = r#"
name = "always-up"
[job]
managed_spot = true
max_runtime = "3h"
max_wait = "3h"
checkpoint_s3_uri = "s3://bucket/ckpt"
[workload]
training = "2h"
download = "0s"
upload = "0s"
[checkpoint]
policy = "interval"
interval = "1h"
write = "6m"
restore = "0s"
[market]
model = "windows"
available = [["0s", "1000h"]]
[pricing]
on_demand_per_hour = 4.0
spot_per_hour = 1.0
"#;

const SCENARIO_ON_DEMAND_USD: f64 = 8.40;

fn planned(objective: Objective) -> plan::Plan {
    let scenario = parse(ALWAYS_UP);
    let options = PlanOptions {
        trials: 200,
        detail: false,
        objective,
        checkpoint_intervals: vec![1800.0, 7200.0],
        ..PlanOptions::from_scenario(&scenario)
    };
    plan::plan(&scenario, &options, None).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// `spotsim plan -q ARGS --format FORMAT PATH`, or with `--output DIR` for `--output=DIR`.
fn plan_cli(path: &std::path::Path, args: &[&str], format: &str) -> std::process::Output {
    let mut command = cargo_bin_cmd!("spotsim");
    command.args(["plan", "-q"]).args(args);
    match format.strip_prefix("--output=") {
        Some(dir) => command.args(["--output", dir]),
        None => command.args(["--format", format]),
    };
    command.arg(path).output().unwrap()
}

#[test]
fn interval_rows_measure_true_saving_against_the_scenarios_own_on_demand_cost() {
    let plan = planned(Objective::MaxWait);
    assert!(close(plan.on_demand_cost_usd, SCENARIO_ON_DEMAND_USD));
    let expected = [(1800.0, 2.30), (7200.0, 2.00)];
    assert_eq!(plan.checkpoint_intervals.len(), expected.len());
    for (row, (interval, spot_usd)) in plan.checkpoint_intervals.iter().zip(expected) {
        assert_eq!(row.checkpoint_interval_seconds, interval);
        let r = row.recommendation.as_ref().expect("every trial completes");
        assert!(close(r.p_completed, 1.0));
        assert!(close(r.cost_per_completed_job_usd, spot_usd), "{r:?}");
        assert!(close(r.on_demand_cost_usd, SCENARIO_ON_DEMAND_USD), "{r:?}");
        let saving = (1.0 - spot_usd / SCENARIO_ON_DEMAND_USD) * 100.0;
        assert!(close(r.true_savings_percent, saving), "{r:?}");
    }
}

#[test]
fn the_options_recommendation_uses_the_same_baseline() {
    // The cost objective picks spot with a checkpoint every 2 h ($2.00 per completed job).
    let plan = planned(Objective::Cost);
    let r = plan.recommendation.expect("a recommendation");
    assert_eq!(r.option, "managed-spot");
    assert_eq!(r.checkpoint_interval_seconds, Some(7200.0));
    assert!(close(r.cost_per_completed_job_usd, 2.00));
    assert!(close(r.on_demand_cost_usd, SCENARIO_ON_DEMAND_USD));
    assert!(close(
        r.true_savings_percent,
        (1.0 - 2.00 / SCENARIO_ON_DEMAND_USD) * 100.0
    ));
}

#[test]
fn the_cheapest_interval_meeting_the_target_is_marked_best() {
    let plan = planned(Objective::MaxWait);
    let best: Vec<bool> = plan.checkpoint_intervals.iter().map(|r| r.best).collect();
    assert_eq!(best, [false, true], "2 h: $2.00 < $2.30 per completed job");
}

#[test]
fn every_format_marks_the_best_interval_and_states_the_baseline() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("always-up.toml");
    std::fs::write(&path, ALWAYS_UP).unwrap();
    let args = [
        "--trials",
        "200",
        "--objective",
        "max-wait",
        "--checkpoint-intervals",
        "30m,2h",
    ];
    let run = |format: &str| plan_cli(&path, &args, format);
    let json = json_of(run("json"));
    let rows = json["checkpoint_intervals"].as_array().unwrap();
    let flags: Vec<bool> = rows.iter().map(|r| r["best"].as_bool().unwrap()).collect();
    assert_eq!(flags, [false, true]);
    for format in ["table", "markdown"] {
        let text = stdout_of(run(format));
        let best: Vec<&str> = text.lines().filter(|l| l.contains("← best")).collect();
        assert_eq!(best.len(), 2, "the row and the legend, {format}:\n{text}");
        assert!(best[0].contains("2 h"), "{format}: {}", best[0]);
        assert!(best[0].contains("76.2"), "{format}: {}", best[0]);
        assert!(
            text.contains(
                "one on-demand cost: the scenario's own job on on-demand instances, $8.40"
            ),
            "{format}:\n{text}"
        );
    }
    let out = dir.path().join("out");
    stdout_of(run(&format!("--output={}", out.display())));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let highlighted = html
        .split("<tr class=\"highlight\">")
        .skip(1)
        .map(|rest| rest.split("</tr>").next().unwrap())
        .find(|row| row.contains("← best"))
        .expect("the best interval row is highlighted");
    assert!(highlighted.contains("2 h"), "{highlighted}");
    assert!(html.contains("$8.40"), "the baseline is stated");
}

/// One hour of training without checkpoints in a market whose capacity lasts 10 min on average
/// (exponential): an attempt completes with probability e^(−6) ≈ 0.25 %, and the 2 h
/// MaxRuntime (which counts re-done work) allows about a dozen attempts, so about 2–3 % of jobs
/// complete — the lower 95 % bound of P(Completed) stays below 0.05 at every MaxWait.
const RARE: &str = r#"
name = "rare"
[job]
managed_spot = true
max_runtime = "2h"
max_wait = "4h"
[workload]
training = "1h"
download = "0s"
upload = "0s"
[checkpoint]
policy = "none"
[market]
model = "exponential"
mean_uptime = "10m"
mean_capacity_wait = "0s"
[pricing]
on_demand_per_hour = 4.0
spot_per_hour = 1.0
"#;

/// [`RARE`] with capacity for the first 5 minutes only: no job of 1 h of training ever
/// completes.
fn never() -> String {
    RARE.replace(
        "model = \"exponential\"\nmean_uptime = \"10m\"\nmean_capacity_wait = \"0s\"",
        "model = \"windows\"\navailable = [[\"0s\", \"5m\"]]",
    )
}

/// `plan` of `text` in `format` (max-wait objective, 2000 trials).
fn plan_output(dir: &TempDir, text: &str, format: &str) -> std::process::Output {
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    cargo_bin_cmd!("spotsim")
        .args(["plan", "-q", "--trials", "2000", "--objective", "max-wait"])
        .args(["--format", format])
        .arg(&path)
        .output()
        .unwrap()
}

#[test]
fn rare_completions_show_a_dash_and_how_many_times_on_demand_spot_costs() {
    let dir = TempDir::new().unwrap();
    let json = json_of(plan_output(&dir, RARE, "json"));
    let on_demand = json["on_demand_cost_usd"].as_f64().unwrap();
    assert!(close(on_demand, 4.0), "1 h × $4");
    let points = json["points"].as_array().unwrap();
    let mut least = f64::INFINITY;
    for p in points {
        let lower = p["completed"]["ci95"][0].as_f64().unwrap();
        assert!(
            lower < 0.05,
            "the scenario is built to complete rarely: {p}"
        );
        // JSON keeps the exact number.
        let per_completed = p["cost_per_completed_job_usd"].as_f64().unwrap();
        assert!(per_completed > 10.0 * on_demand, "{p}");
        least = least.min(per_completed / on_demand);
    }
    let footnote = format!("spot costs {least:.1}× on-demand or more per completed job");
    for format in ["table", "markdown"] {
        let text = stdout_of(plan_output(&dir, RARE, format));
        assert!(text.contains(&footnote), "{format}: {footnote}\n{text}");
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("[0.0") && l.contains("75.0"))
            .collect();
        assert!(!rows.is_empty(), "{format}:\n{text}");
        for row in rows {
            assert_eq!(row.matches('—').count(), 2, "{format}: {row}");
        }
    }
    let out = dir.path().join("out");
    stdout_of(
        cargo_bin_cmd!("spotsim")
            .args(["plan", "-q", "--trials", "2000", "--objective", "max-wait"])
            .arg("--output")
            .arg(&out)
            .arg(dir.path().join("scenario.toml"))
            .output()
            .unwrap(),
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(&footnote), "the HTML report has the footnote");
}

#[test]
fn nothing_completing_says_so_and_a_reliable_market_has_no_footnote() {
    let dir = TempDir::new().unwrap();
    assert!(never().contains("available"), "the market was replaced");
    let text = stdout_of(plan_output(&dir, &never(), "table"));
    assert!(text.contains("no trial completed there"), "{text}");
    let text = stdout_of(plan_output(&dir, ALWAYS_UP, "table"));
    assert!(!text.contains("—:"), "{text}");
    assert!(!text.contains("P(Completed) is below"), "{text}");
}

#[test]
fn options_and_interval_rows_that_rarely_complete_show_a_dash_too() {
    // A target of 0.001 lets the rarely completing spot rows meet it, so they are shown at
    // their cheapest MaxWait and recommended per interval: the rule must still hide their cost
    // per completed job. On-demand by hand: 1 h × $4 = $4.00; it always completes.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("rare.toml");
    std::fs::write(&path, RARE).unwrap();
    let args = [
        "--trials",
        "2000",
        "--target",
        "0.001",
        "--checkpoint-intervals",
        "30m,2h",
    ];
    let run = |format: &str| plan_cli(&path, &args, format);
    let json = json_of(run("json"));
    let on_demand = json["on_demand_cost_usd"].as_f64().unwrap();
    assert!(close(on_demand, 4.0), "1 h × $4");
    assert_eq!(
        json["recommendation"]["option"], "on-demand",
        "$4.00 per completed job"
    );
    // JSON keeps the exact numbers; every managed-spot row shown is at MaxWait 2 h (below).
    let spot_at_2h: Vec<f64> = json["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["option"] == "managed-spot" && o["max_wait_seconds"] == 7200)
        .map(|o| {
            assert!(o["p_completed_ci95"][0].as_f64().unwrap() < 0.05, "{o}");
            o["cost_per_completed_job_usd"].as_f64().unwrap()
        })
        .collect();
    assert_eq!(spot_at_2h.len(), 3, "no interval, 30 min, 2 h");
    assert!(spot_at_2h.iter().all(|usd| *usd > 10.0 * on_demand));
    let ratio = spot_at_2h.iter().copied().fold(f64::INFINITY, f64::min) / on_demand;
    let options_note = format!(
        "in 3 row(s) of the Options table, so $/completed is not shown; \
         spot costs {ratio:.1}× on-demand or more per completed job there"
    );
    let interval_usd: Vec<f64> = json["checkpoint_intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["recommendation"]["cost_per_completed_job_usd"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert!(interval_usd.iter().all(|usd| *usd > 10.0 * on_demand));
    let ratio = interval_usd.iter().copied().fold(f64::INFINITY, f64::min) / on_demand;
    let intervals_note = format!(
        "in 2 row(s) of the checkpoint-interval table, so $/completed and true saving are not \
         shown; spot costs {ratio:.1}× on-demand or more per completed job there"
    );
    for format in ["table", "markdown"] {
        let text = stdout_of(run(format));
        assert!(
            text.contains(&options_note),
            "{format}: {options_note}\n{text}"
        );
        assert!(
            text.contains(&intervals_note),
            "{format}: {intervals_note}\n{text}"
        );
        let cells = |line: &str| -> Vec<String> {
            line.split(['|', ' '])
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect()
        };
        let options: Vec<Vec<String>> = text
            .lines()
            .map(cells)
            .filter(|c| {
                c.first().is_some_and(|first| {
                    ["managed-spot", "spot-then-on-demand", "on-demand"].contains(&first.as_str())
                })
            })
            .collect();
        assert_eq!(options.len(), 9, "{format}:\n{text}");
        for row in &options {
            let dashes = row.iter().filter(|c| *c == "—").count();
            match row[0].as_str() {
                "managed-spot" => {
                    assert_eq!(row[1], "2.0", "{format}: {row:?}");
                    assert_eq!(dashes, 1, "{format}: {row:?}");
                }
                "on-demand" => {
                    assert_eq!(dashes, 0, "{format}: {row:?}");
                    assert!(row.contains(&"4.00".to_string()), "{format}: {row:?}");
                }
                _ => assert_eq!(dashes, 0, "{format}: {row:?}"),
            }
        }
        let interval_rows: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.starts_with("30 min")
                    || l.starts_with("| 30 min")
                    || l.starts_with("2 h")
                    || l.starts_with("| 2 h")
            })
            .collect();
        assert_eq!(interval_rows.len(), 2, "{format}:\n{text}");
        for row in interval_rows {
            assert_eq!(row.matches('—').count(), 2, "{format}: {row}");
        }
    }
    let out = dir.path().join("out");
    stdout_of(run(&format!("--output={}", out.display())));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(&options_note),
        "report.html: the Options footnote"
    );
    assert!(
        html.contains(&intervals_note),
        "report.html: the interval footnote"
    );
    // On-demand is recommended here ($4.00 beats $5.91 and $102): it has no MaxWait, so the
    // charts over MaxWait mark no recommended point (not one at "inf h").
    for chart in ["plan-cost.svg", "plan-completion.svg"] {
        let svg = std::fs::read_to_string(out.join(chart)).unwrap();
        assert!(!svg.contains("recommended:"), "{chart}");
    }
}

#[test]
fn the_cost_chart_clips_rare_completions_and_says_so() {
    // By hand: every MaxWait of RARE completes too rarely (lower bound of P(Completed) < 0.05,
    // checked above), so every cost per completed job is clipped; a job costs at most its
    // MaxRuntime, 2 h × $1/h = $2, below the on-demand $4 (1 h × $4), so the axis tops at
    // 1.12 × $4 = $4.48 instead of above $100.
    let scenario = parse(RARE);
    let options = PlanOptions {
        trials: 2000,
        detail: false,
        objective: Objective::MaxWait,
        ..PlanOptions::from_scenario(&scenario)
    };
    let plan = plan::plan(&scenario, &options, None).unwrap();
    let points: Vec<CostPoint> = plan.points.iter().map(CostPoint::of).collect();
    assert!(points.iter().all(|p| p.mean_usd <= 2.0 + 1e-9));
    let axis = cost_axis(&points, plan.on_demand_cost_usd);
    assert!((axis.top_usd - 1.12 * 4.0).abs() < 1e-9, "{}", axis.top_usd);
    assert_eq!(axis.clipped.len(), points.len());
    // The SVG marks the clipped points with their values and tells the largest in the legend.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("rare.toml");
    std::fs::write(&path, RARE).unwrap();
    let out = dir.path().join("out");
    let args = ["--trials", "2000", "--objective", "max-wait"];
    stdout_of(plan_cli(
        &path,
        &args,
        &format!("--output={}", out.display()),
    ));
    let svg = std::fs::read_to_string(out.join("plan-cost.svg")).unwrap();
    let first = usd(axis.clipped[0].1);
    assert!(
        svg.contains(&format!("{first} ↑")),
        "the first clipped point, {first}"
    );
    assert!(
        svg.contains("per completed job; ▲ off scale, up to $"),
        "{svg}"
    );
}

/// The embedded default's on-demand job costs exactly $79.305 (1,244 billed minutes at
/// $3.825 an hour: 3 min download, 20 h training, 39 one-minute writes, 2 min upload), a half
/// cent. The on-demand option's mean over trials lands a float's noise below it; the table
/// must still print the amount the sentence under it gives, to the cent.
#[test]
fn the_on_demand_row_prints_the_on_demand_cost_it_is_compared_with() {
    let hand_usd = (3.0 + 20.0 * 60.0 + 39.0 + 2.0) / 60.0 * 3.825;
    assert!(close(hand_usd, 79.305));
    let out = cargo_bin_cmd!("spotsim")
        .args(["plan", "--format", "table"])
        .output()
        .expect("spotsim runs");
    let text = stdout_of(out);
    assert!(
        text.contains(&format!("on-demand instances, {}", usd(hand_usd))),
        "{text}"
    );
    assert_eq!(usd(hand_usd), "$79.31");
    let row = text
        .lines()
        .find(|l| l.starts_with("on-demand "))
        .unwrap_or_else(|| panic!("no on-demand row:\n{text}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    // … P, [lo, hi], mean $, $/completed
    assert_eq!(&cells[cells.len() - 2..], ["79.31", "79.31"], "{row}");
}

/// A deadline shorter than the job itself is named as the reason nothing meets it. The
/// embedded default takes, with capacity at once and no interruption, 5 min provisioning +
/// 3 min download + 20 h training + 39 one-minute writes (one per 30 min of training, none
/// at the end) + 2 min upload = 74,940 s.
#[test]
fn a_deadline_shorter_than_the_job_itself_is_said_first() {
    let shortest = 5.0 * 60.0 + 3.0 * 60.0 + 20.0 * 3600.0 + 39.0 * 60.0 + 2.0 * 60.0;
    assert_eq!(shortest, 74_940.0);
    let plan_with = |deadline: &str| {
        json_of(
            cargo_bin_cmd!("spotsim")
                .args(["plan", "--format", "json", "--deadline", deadline])
                .output()
                .expect("spotsim runs"),
        )
    };
    let short = plan_with("20h");
    let first = &short["advice"][0];
    assert_eq!(first["lever"], "deadline", "{short}");
    assert_eq!(first["value"].as_f64(), Some(shortest));
    let text = first["text"].as_str().expect("advice has text");
    assert!(text.starts_with("No option can be done by 20 h"), "{text}");
    assert!(text.contains("20.82 h (74940 s"), "{text}");
    assert!(short["recommendation"].is_null());
    // One second more than the job: the lever is gone (a trial can still make it).
    let enough = plan_with("74941s");
    let levers = enough["advice"].as_array().cloned().unwrap_or_default();
    assert!(levers.iter().all(|l| l["lever"] != "deadline"), "{enough}");
}
