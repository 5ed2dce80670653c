//! `spotsim compare`: scenarios side by side on common random numbers. Each scenario's row is
//! exactly what `simulate` and `plan` give it alone with the same trials and seed.

use crate::common::scenario_path;
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

const TRIALS: &str = "3000";

fn run(args: &[&str]) -> std::process::Output {
    cargo_bin_cmd!("spotsim").args(args).output().unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn path(name: &str) -> String {
    scenario_path(name).display().to_string()
}

#[test]
fn each_row_is_the_scenarios_own_simulation_and_plan() {
    let (a, b) = (path("default.toml"), path("weibull-gpu.toml"));
    let compared: Value = serde_json::from_str(&stdout_of(&[
        "compare", &a, &b, "--trials", TRIALS, "--seed", "7", "--format", "json",
    ]))
    .unwrap();
    assert_eq!(compared["trials"], 3000);
    assert_eq!(compared["seed"], 7);
    let rows = compared["scenarios"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (row, scenario) in rows.iter().zip([&a, &b]) {
        let mut alone: Value = serde_json::from_str(&stdout_of(&[
            "simulate", scenario, "--trials", TRIALS, "--seed", "7", "--format", "json",
        ]))
        .unwrap();
        let mut summary = row["summary"].clone();
        alone.as_object_mut().unwrap().remove("run");
        summary.as_object_mut().unwrap().remove("run");
        assert_eq!(summary, alone, "{scenario}");
        let planned: Value = serde_json::from_str(&stdout_of(&[
            "plan",
            scenario,
            "--trials",
            TRIALS,
            "--seed",
            "7",
            "--objective",
            "max-wait",
            "--format",
            "json",
        ]))
        .unwrap();
        assert_eq!(
            row["recommended_max_wait_seconds"], planned["recommendation"]["max_wait_seconds"],
            "{scenario}"
        );
        // Cost per completed job = mean cost ÷ P(Completed).
        let per_completed = row["cost_per_completed_job_usd"].as_f64().unwrap();
        let mean = alone["metrics"]["cost_usd"]["mean"].as_f64().unwrap();
        let p = alone["outcomes"]["Completed"]["probability"]
            .as_f64()
            .unwrap();
        assert!((per_completed - mean / p).abs() < 1e-9 * per_completed);
    }
}

/// Common random numbers: the same scenario twice gives the same numbers in both rows, so any
/// difference between two scenarios is theirs, not the draws'.
#[test]
fn the_same_scenario_twice_gives_identical_rows() {
    let a = path("default.toml");
    let csv_text = stdout_of(&["compare", &a, &a, "--trials", TRIALS, "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], rows[1]);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][at("trials")], "3000");
    assert_eq!(&rows[0][at("seed")], "1");
    assert_eq!(&rows[0][at("recommended_max_wait_seconds")], "106200");
    assert!(rows[0][at("completed_count")].parse::<u64>().is_ok());
}

#[test]
fn compare_needs_two_readable_scenarios() {
    let one = run(&["compare", &path("default.toml")]);
    assert_eq!(one.status.code(), Some(2));
    let missing = run(&["compare", &path("default.toml"), "no-such-scenario.toml"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("no-such-scenario.toml"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// A tick-clock scenario cannot be planned: its row has no recommended MaxWait, and says why.
#[test]
fn a_scenario_that_cannot_be_planned_says_why() {
    let table = stdout_of(&[
        "compare",
        &path("default.toml"),
        &path("tick-weibull-gpu.toml"),
        "--trials",
        "500",
    ]);
    assert!(table.contains("no recommended MaxWait"), "{table}");
}

#[test]
fn the_compare_page_renders_with_overlaid_curves() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("compare");
    stdout_of(&[
        "compare",
        &path("default.toml"),
        &path("weibull-gpu.toml"),
        "--trials",
        TRIALS,
        "--output",
        folder.to_str().unwrap(),
    ]);
    for file in ["compare.csv", "compare.json", "compare.md", "report.html"] {
        assert!(folder.join(file).is_file(), "{file}");
    }
    let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
    crate::report::check_html(&html);
    assert!(html.contains("default-p3-20h") && html.contains("weibull-gpu"));
    assert!(html.contains("common random numbers"));
    crate::report::check_in_browser(&folder.join("report.html"), dir.path(), 2);
}

/// `--deadline` gives every scenario the deadline: each row's `deadline` member is the one its
/// own `simulate --deadline` reports, and the table gains the P(done by deadline) column, which
/// it does not show without one.
#[test]
fn a_deadline_is_counted_for_every_scenario() {
    let (a, b) = (path("default.toml"), path("weibull-gpu.toml"));
    let options = [
        "--trials",
        TRIALS,
        "--seed",
        "7",
        "--deadline",
        "26h",
        "--format",
        "json",
    ];
    let json_of = |args: &[&str]| -> Value {
        serde_json::from_str(&stdout_of(&[args, &options[..]].concat())).unwrap()
    };
    let compared = json_of(&["compare", &a, &b]);
    let rows = compared["scenarios"].as_array().unwrap();
    for (row, scenario) in rows.iter().zip([&a, &b]) {
        let alone = json_of(&["simulate", scenario]);
        assert_eq!(row["summary"]["deadline"], alone["deadline"], "{scenario}");
        assert_eq!(alone["deadline"]["seconds"], 93_600);
    }
    let with = stdout_of(&["compare", &a, &b, "--trials", TRIALS, "--deadline", "26h"]);
    assert!(with.contains("P(done by deadline)"), "{with}");
    assert!(
        with.contains("by 26.0 h") || with.contains("by 26 h"),
        "{with}"
    );
    let without = stdout_of(&["compare", &a, &b, "--trials", TRIALS]);
    assert!(!without.contains("P(done by deadline)"), "{without}");
}
