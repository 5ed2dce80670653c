//! Deadlines on the continuous clock (reference §9): a trial is done by D when it is Completed
//! and its Uploading ended at or before CreationTime + D; MaxWait still decides when it stops.
//! Counts are checked on a hand-computed `windows` job, against direct runs at every MaxWait of
//! a plan, across thread counts and shards, and in every summary format.

use crate::common::{json_of, parse, stdout_of};
use assert_cmd::cargo::cargo_bin_cmd;
use spotsim::montecarlo::{RunOptions, run_parallel, simulate};
use spotsim::plan::{self, GridSpec, PlanOptions, Sweep};
use spotsim::{Engine, Outcome, Scenario, Simulator};
use std::path::Path;
use tempfile::TempDir;

/// Capacity for the first hour, none until hour 3, then for good. The job needs 2 h of
/// training and has no durable checkpoints, so the hour of the first attempt is lost and the
/// second attempt trains from 3 h to 5 h: every trial is Completed at exactly 5 h = 18,000 s.
const FIVE_HOURS: &str = r#"
name = "five-hours"
[job]
managed_spot = true
max_runtime = "4h"
max_wait = "10h"
[workload]
training = "2h"
[market]
model = "windows"
available = [["0s", "1h"], ["3h", "100h"]]
[pricing]
on_demand_per_hour = 4.0
spot_per_hour = 1.2
"#;

fn with_deadline(text: &str, deadline: &str) -> String {
    text.replace(
        "[workload]",
        &format!("deadline = \"{deadline}\"\n[workload]"),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn done_by_the_deadline_counts_uploads_ended_at_or_before_it() {
    // Hand-computed: completion at 18,000 s, so a deadline of 18,000 s counts every trial
    // ("at or before") and one second less counts none.
    for (deadline, expected) in [("5h", 100), ("18001s", 100), ("17999s", 0), ("1h", 0)] {
        let scenario = parse(&with_deadline(FIVE_HOURS, deadline));
        let summary = simulate(
            &scenario,
            &RunOptions {
                trials: 100,
                ..RunOptions::from_scenario(&scenario)
            },
        );
        assert_eq!(summary.outcome(Outcome::Completed).count, 100);
        assert_eq!(summary.metrics.completion_seconds.max, 18_000.0);
        let by = summary.deadline.expect("a deadline is reported");
        assert_eq!(by.completed.count, expected, "deadline {deadline}");
        assert_eq!(by.completed.probability, expected as f64 / 100.0);
    }
    // Without a deadline the summary has none.
    let scenario = parse(FIVE_HOURS);
    let summary = simulate(&scenario, &RunOptions::from_scenario(&scenario));
    assert!(summary.deadline.is_none());
    let json = serde_json::to_value(&summary).unwrap();
    assert!(json.get("deadline").is_none(), "{json}");
}

/// The deadline stops nothing: MaxWait does. A deadline before the completion changes no
/// outcome, time or cost.
#[test]
fn a_deadline_changes_no_trial() {
    let base = parse(FIVE_HOURS);
    let early = parse(&with_deadline(FIVE_HOURS, "1h"));
    let run = |s: &Scenario| run_parallel(&Engine::new(s), 200, Some(2));
    let (a, b) = (run(&base), run(&early));
    assert_eq!(a.outcome_counts, b.outcome_counts);
    assert_eq!(a.cost_usd, b.cost_usd);
    assert_eq!(a.wall_clock_seconds, b.wall_clock_seconds);
    assert_eq!(b.completed_by_deadline, 0);
}

/// On the default market the by-deadline count is exact whatever the threads, and a plan's
/// one-run truncation gives the count a direct run at each MaxWait gives.
#[test]
fn plan_counts_match_direct_runs_and_reruns() {
    let mut scenario = Scenario::embedded_default();
    scenario.job.deadline_seconds = Some(27.0 * 3600.0);
    let engine = Engine::new(&scenario);
    assert_eq!(engine.deadline_seconds(), Some(97_200.0));
    let one = run_parallel(&engine, 6000, Some(1));
    let two = run_parallel(&engine, 6000, Some(2));
    assert_eq!(one, two);
    assert!(one.completed_by_deadline > 0);
    assert!(one.completed_by_deadline < one.count(Outcome::Completed));

    let options = PlanOptions {
        trials: 3000,
        detail: false,
        advise: false,
        grid: GridSpec {
            points: Some(20),
            ..GridSpec::default()
        },
        ..PlanOptions::from_scenario(&scenario)
    };
    let truncated = plan::plan(&scenario, &options, None).unwrap();
    let rerun = plan::plan(
        &scenario,
        &PlanOptions {
            sweep: Some(Sweep::RerunEachPoint),
            ..options.clone()
        },
        None,
    )
    .unwrap();
    assert_eq!(truncated.sweep, Sweep::Truncate);
    assert_eq!(truncated.points, rerun.points);
    assert_eq!(truncated.deadline_seconds, Some(97_200));
    for index in [0, 3, 10, 19] {
        let point = &truncated.points[index];
        let at = plan::with_max_wait(&scenario, point.max_wait_seconds);
        let summary = simulate(
            &at,
            &RunOptions {
                trials: 3000,
                ..RunOptions::from_scenario(&at)
            },
        );
        let by = point.completed_by_deadline.expect("counted");
        assert_eq!(by, summary.deadline.unwrap().completed, "point {index}");
        // Done by D needs completion by min(MaxWait, D).
        assert!(by.count <= point.completed.count);
    }
    // Beyond the deadline, MaxWait adds completions but none by the deadline.
    let last = truncated.points.last().unwrap();
    let at_deadline = truncated
        .points
        .iter()
        .find(|p| p.max_wait_seconds >= 97_200.0)
        .unwrap();
    assert_eq!(
        last.completed_by_deadline.unwrap().count,
        at_deadline.completed_by_deadline.unwrap().count
    );
    // The plan targets P(done by D): its lower bound decides.
    for point in &truncated.points {
        let by = point.completed_by_deadline.unwrap();
        assert_eq!(point.meets_target, by.ci95[0] >= options.target);
    }
}

#[test]
fn every_summary_format_reports_the_deadline() {
    let dir = TempDir::new().unwrap();
    let path = write(dir.path(), "five.toml", FIVE_HOURS);
    let run = |format: &str, deadline: &str| {
        stdout_of(
            cargo_bin_cmd!("spotsim")
                .args(["simulate", "--trials", "50", "-q", "--deadline", deadline])
                .args(["--format", format])
                .arg(&path)
                .output()
                .unwrap(),
        )
    };
    let json = json_of(
        cargo_bin_cmd!("spotsim")
            .args(["simulate", "--trials", "50", "-q", "--deadline", "5h"])
            .args(["--format", "json"])
            .arg(&path)
            .output()
            .unwrap(),
    );
    assert_eq!(json["deadline"]["seconds"], 18_000);
    assert_eq!(json["deadline"]["completed"]["count"], 50);
    assert_eq!(json["deadline"]["completed"]["probability"], 1.0);
    assert!(json["deadline"]["completed"]["ci95"][0].as_f64().unwrap() > 0.9);
    let table = run("table", "4h");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("Completed by 4 h") && l.contains("0.00 %")),
        "{table}"
    );
    let markdown = run("markdown", "5h");
    assert!(
        markdown.contains("| Completed by 5 h | 50 | 1.0000 |"),
        "{markdown}"
    );
    let csv = run("csv", "5h");
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let at = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
    assert_eq!(at("deadline_seconds"), "18000", "{csv}");
    assert_eq!(at("completed_by_deadline_count"), "50", "{csv}");
    assert_eq!(at("completed_by_deadline_probability"), "1", "{csv}");
    // HTML: the report folder's page has the row too.
    let out = dir.path().join("report");
    stdout_of(
        cargo_bin_cmd!("spotsim")
            .args(["simulate", "--trials", "20", "-q", "--deadline", "5h"])
            .arg("--output")
            .arg(&out)
            .arg(&path)
            .output()
            .unwrap(),
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Completed by 5 h"), "report.html has the row");
}

#[test]
fn bad_deadlines_are_one_line_errors() {
    let dir = TempDir::new().unwrap();
    let path = write(dir.path(), "five.toml", FIVE_HOURS);
    for (deadline, words) in [
        ("0s", "expected a deadline"),
        ("1.5s", "whole seconds"),
        ("soon", "expected a duration"),
        ("500d", "at most 393 days"),
    ] {
        let output = cargo_bin_cmd!("spotsim")
            .args(["simulate", "--trials", "5", "-q", "--deadline", deadline])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{deadline}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(
            err.contains("--deadline") && err.contains(words) && err.lines().count() == 1,
            "{deadline}: {err}"
        );
    }
    let bad = write(dir.path(), "bad.toml", &with_deadline(FIVE_HOURS, "-2h"));
    let output = cargo_bin_cmd!("spotsim")
        .args(["validate"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("deadline"),
        "{err}"
    );
}
