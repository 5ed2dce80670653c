//! The commands end to end: `simulate` in every format and with `--output`, `describe` against
//! the library's own trials, `validate` whose output is itself a scenario, help and version.

use crate::common;
use assert_cmd::cargo::cargo_bin_cmd;
use clap::CommandFactory;
use serde_json::Value;
use spotsim::Simulator;
use spotsim::{Engine, Outcome, Scenario};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::Path;
use tempfile::TempDir;

/// Shipped scenarios these tests run (small enough to simulate in a test).
const SHIPPED: [&str; 5] = [
    "default.toml",
    "aws-guide-no-capacity.toml",
    "aws-guide-no-interruption.toml",
    "aws-guide-one-interruption.toml",
    "aws-guide-two-interruptions-max-wait.toml",
];
/// Outcome names of the summary, in order.
const OUTCOMES: [&str; 3] = ["Completed", "MaxWaitTimeExceeded", "MaxRuntimeExceeded"];
/// Metrics of the summary.
const METRICS: [&str; 7] = [
    "wall_clock_seconds",
    "completion_seconds",
    "training_time_seconds",
    "billable_time_seconds",
    "interruptions",
    "cost_usd",
    "savings_percent",
];
/// Fields of every metric.
const STATS: [&str; 9] = [
    "mean", "stderr", "std", "min", "p50", "p90", "p95", "p99", "max",
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Runs `spotsim args`, asserts success without a panic, and returns stdout.
fn ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<S> = args.into_iter().collect();
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    let output = cargo_bin_cmd!("spotsim")
        .args(&args)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "spotsim {shown:?} failed with {:?}\nstderr: {stderr}",
        output.status.code()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// Parses JSON output.
fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The summary without its `run` object (the part that is a pure function of the inputs).
fn without_run(summary: &Value) -> Value {
    let mut summary = summary.clone();
    let removed = summary
        .as_object_mut()
        .expect("the summary is an object")
        .remove("run");
    assert!(removed.is_some(), "the summary has a run object");
    summary
}

/// `value[path[0]][path[1]]…` as f64.
fn number(value: &Value, path: &[&str]) -> f64 {
    let mut v = value;
    for key in path {
        v = v
            .get(key)
            .unwrap_or_else(|| panic!("missing key {} in the summary", path.join(".")));
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("{} is not a number: {v}", path.join(".")))
}

/// Milliseconds since the epoch of an ISO-8601 UTC timestamp `YYYY-MM-DDTHH:MM:SS[.fff]Z`, or
/// `None` when `text` is not one.
fn utc_millis(text: &str) -> Option<i64> {
    let body = text.strip_suffix('Z')?;
    let (date, time) = body.split_once('T')?;
    let (clock, fraction) = match time.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (time, None),
    };
    let digits = |s: &str, n: usize| -> Option<i64> {
        (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let date: Vec<&str> = date.split('-').collect();
    let clock: Vec<&str> = clock.split(':').collect();
    if date.len() != 3 || clock.len() != 3 {
        return None;
    }
    let (year, month, day) = (
        digits(date[0], 4)?,
        digits(date[1], 2)?,
        digits(date[2], 2)?,
    );
    let (hour, minute, second) = (
        digits(clock[0], 2)?,
        digits(clock[1], 2)?,
        digits(clock[2], 2)?,
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 59 {
        return None;
    }
    let millis = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 3 && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<i64>().ok()? * 10_i64.pow(3 - f.len() as u32)
        }
        Some(_) => return None,
    };
    // Days since 1970-01-01 of a proleptic Gregorian date.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = (month + 9) % 12;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

#[test]
fn the_timestamp_helper_is_right() {
    assert_eq!(utc_millis("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(utc_millis("1970-01-01T00:00:00.001Z"), Some(1));
    assert_eq!(
        utc_millis("2026-01-01T00:00:00.000Z"),
        Some(1_767_225_600_000)
    );
    assert_eq!(utc_millis("2024-03-01T00:00:00Z"), Some(1_709_251_200_000));
    assert_eq!(utc_millis("2026-01-01T00:00:00+00:00"), None);
    assert_eq!(utc_millis("2026-01-01 00:00:00Z"), None);
}

/// A DescribeTrainingJob timestamp field as milliseconds, asserting its format.
fn timestamp(document: &Value, field: &str) -> i64 {
    let text = document[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is a string: {document}"));
    utc_millis(text).unwrap_or_else(|| panic!("{field} is ISO-8601 UTC ending in Z: {text}"))
}

// ---------------------------------------------------------------------------------------------
// simulate
// ---------------------------------------------------------------------------------------------

#[test]
fn simulate_without_arguments_runs_the_embedded_default() {
    let stdout = ok(["simulate"]);
    assert!(stdout.contains("Completed"), "{stdout}");
    assert!(stdout.contains("MaxWaitTimeExceeded"), "{stdout}");
    assert!(
        stdout.contains(&Scenario::embedded_default().name),
        "names the scenario:\n{stdout}"
    );
}

/// Checks every pinned key of the summary and the relations between its numbers.
fn check_summary(summary: &Value, scenario: &str, trials: u64, seed: u64) {
    assert_eq!(summary["scenario"], scenario);
    assert_eq!(summary["trials"].as_u64(), Some(trials));
    assert_eq!(summary["seed"].as_u64(), Some(seed));

    let mut total = 0;
    for outcome in OUTCOMES {
        let count = summary["outcomes"][outcome]["count"]
            .as_u64()
            .unwrap_or_else(|| panic!("outcomes.{outcome}.count is an integer"));
        total += count;
        let p = number(summary, &["outcomes", outcome, "probability"]);
        assert!(
            (p - count as f64 / trials as f64).abs() < 1e-12,
            "{outcome}: probability {p} = {count}/{trials}"
        );
        let ci = summary["outcomes"][outcome]["ci95"]
            .as_array()
            .unwrap_or_else(|| panic!("outcomes.{outcome}.ci95 is an array"));
        assert_eq!(ci.len(), 2, "{outcome}: ci95 = [low, high]");
        let (low, high) = (
            ci[0].as_f64().expect("a number"),
            ci[1].as_f64().expect("a number"),
        );
        assert!(
            0.0 <= low && low <= p && p <= high && high <= 1.0,
            "{outcome}: ci95 [{low}, {high}] contains {p}"
        );
        assert!(high > low, "{outcome}: a 95 % interval has a width");
    }
    assert_eq!(total, trials, "the outcome counts add up to the trials");

    let completed = summary["outcomes"]["Completed"]["count"].as_u64();
    let held = number(summary, &["metrics", "training_time_seconds", "max"]) > 0.0;
    for metric in METRICS {
        let fields = &summary["metrics"][metric];
        if fields["mean"].is_null() {
            // A statistic of no values: only completion time without completed trials, and
            // AWS's savings without any trial that held an instance.
            let empty = match metric {
                "completion_seconds" => completed == Some(0),
                "savings_percent" => !held,
                _ => false,
            };
            assert!(empty, "metrics.{metric} is null: {summary}");
            for s in STATS {
                assert!(fields[s].is_null(), "metrics.{metric}.{s} is null too");
            }
            continue;
        }
        let stat = |s: &str| number(summary, &["metrics", metric, s]);
        for s in STATS {
            assert!(stat(s).is_finite(), "metrics.{metric}.{s} is finite");
        }
        let order = ["min", "p50", "p90", "p95", "p99", "max"];
        for pair in order.windows(2) {
            assert!(
                stat(pair[0]) <= stat(pair[1]),
                "metrics.{metric}: {} ≤ {}",
                pair[0],
                pair[1]
            );
        }
        let slack = 1e-9 * stat("max").abs().max(1.0);
        assert!(
            stat("min") - slack <= stat("mean") && stat("mean") <= stat("max") + slack,
            "metrics.{metric}: min ≤ mean ≤ max"
        );
        assert!(
            stat("std") >= 0.0 && stat("stderr") >= 0.0 && stat("stderr") <= stat("std") + slack,
            "metrics.{metric}: 0 ≤ stderr ≤ std"
        );
    }
    assert!(number(summary, &["on_demand_cost_usd"]) > 0.0);
    // True savings compare the cost per completed job with on-demand: undefined (null) when
    // no trial completed, a number otherwise.
    if number(summary, &["outcomes", "Completed", "count"]) > 0.0 {
        assert!(number(summary, &["true_savings_percent"]).is_finite());
    } else {
        assert!(summary["true_savings_percent"].is_null());
    }

    let run = &summary["run"];
    assert!(number(run, &["elapsed_seconds"]) >= 0.0);
    assert!(run["threads"].as_u64().is_some_and(|t| t >= 1), "{run}");
    assert!(number(run, &["trials_per_second"]) > 0.0);
    assert_eq!(run["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn simulate_json_has_every_pinned_key_of_the_summary() {
    let default = Scenario::embedded_default();
    let summary = json(&ok(["simulate", "--format", "json"]));
    check_summary(
        &summary,
        &default.name,
        default.simulation.trials,
        default.simulation.seed,
    );
    // The default is meant to show both outcomes that matter to planners.
    assert!(summary["outcomes"]["Completed"]["count"].as_u64() > Some(0));
    assert!(summary["outcomes"]["MaxWaitTimeExceeded"]["count"].as_u64() > Some(0));
}

#[test]
fn simulate_json_follows_the_command_line() {
    let summary = json(&ok([
        "simulate",
        "--format",
        "json",
        "--trials",
        "777",
        "--seed",
        "42",
        "--threads",
        "3",
    ]));
    check_summary(&summary, &Scenario::embedded_default().name, 777, 42);
    assert_eq!(summary["run"]["threads"].as_u64(), Some(3));

    let path = common::scenario_path("aws-guide-two-interruptions-max-wait.toml");
    let summary = json(&ok([
        OsStr::new("simulate"),
        path.as_os_str(),
        OsStr::new("--format"),
        OsStr::new("json"),
    ]));
    let scenario = common::load("aws-guide-two-interruptions-max-wait.toml");
    check_summary(&summary, &scenario.name, 1, scenario.simulation.seed);
    assert_eq!(
        summary["outcomes"]["MaxWaitTimeExceeded"]["count"].as_u64(),
        Some(1)
    );
}

#[test]
fn simulate_csv_is_plain_and_agrees_with_json() {
    let args = ["simulate", "--trials", "3000", "--seed", "5"];
    let csv_text = ok(args.iter().chain(&["--format", "csv"]));
    let summary = json(&ok(args.iter().chain(&["--format", "json"])));

    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("every row has as many fields as the header"))
        .collect();
    // One row per run, so runs concatenate; the run is named in every row.
    assert_eq!(rows.len(), 1, "{csv_text}");
    let row = &rows[0];
    let cell = |name: &str| {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("a column {name}: {header:?}"));
        row[i].to_string()
    };
    assert_eq!(cell("scenario"), summary["scenario"].as_str().unwrap());
    assert_eq!(cell("seed"), "5");
    assert_eq!(cell("trials"), "3000");
    // Counts are integers (pandas reads int64), fractions and metrics plain numbers.
    for (outcome, prefix) in [
        ("Completed", "completed"),
        ("MaxWaitTimeExceeded", "max_wait_time_exceeded"),
        ("MaxRuntimeExceeded", "max_runtime_exceeded"),
        ("Failed", "failed"),
    ] {
        let count = cell(&format!("{prefix}_count"));
        assert_eq!(
            count.parse::<u64>().ok(),
            summary["outcomes"][outcome]["count"].as_u64(),
            "{outcome}: `{count}` is the JSON's integer count"
        );
        let p: f64 = cell(&format!("{prefix}_probability")).parse().unwrap();
        assert_eq!(
            p,
            summary["outcomes"][outcome]["probability"]
                .as_f64()
                .unwrap()
        );
    }
    assert_eq!(
        cell("cost_usd_p95").parse::<f64>().unwrap(),
        summary["metrics"]["cost_usd"]["p95"].as_f64().unwrap()
    );
    assert_eq!(
        cell("wall_clock_seconds_mean").parse::<f64>().unwrap(),
        summary["metrics"]["wall_clock_seconds"]["mean"]
            .as_f64()
            .unwrap()
    );
    for (i, value) in row.iter().enumerate() {
        if header[i] == "scenario" || value.is_empty() {
            continue;
        }
        assert!(
            !value.contains([',', '_', ' ', '\'']),
            "no thousands separators: `{value}` ({})",
            header[i]
        );
        let x: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("`{value}` ({}) is a number", header[i]));
        assert!(x.is_finite(), "`{value}` is finite");
        if header[i].ends_with("_count") || header[i] == "trials" || header[i] == "seed" {
            assert!(
                !value.contains(['.', 'e']),
                "{} is an integer: {value}",
                header[i]
            );
        }
    }
}

#[test]
fn simulate_markdown_has_table_rows() {
    let markdown = ok(["simulate", "--trials", "500", "--format", "markdown"]);
    let rows: Vec<&str> = markdown
        .lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .collect();
    assert!(rows.len() >= 2 + OUTCOMES.len(), "{markdown}");
    for row in &rows {
        assert!(row.trim_end().ends_with('|'), "a complete row: {row}");
    }
    assert!(
        rows.iter()
            .any(|r| r.replace([' ', '|', '-', ':'], "").is_empty()),
        "a header separator row:\n{markdown}"
    );
    for outcome in OUTCOMES {
        assert!(
            rows.iter().any(|r| r.contains(outcome)),
            "{outcome}:\n{markdown}"
        );
    }
    // Within each table, every row has as many cells as its header.
    for table in markdown.split("\n\n") {
        let cells: Vec<usize> = table
            .lines()
            .filter(|l| l.trim_start().starts_with('|'))
            .map(|l| l.matches('|').count())
            .collect();
        assert!(
            cells.windows(2).all(|w| w[0] == w[1]),
            "ragged table:\n{table}"
        );
    }
}

#[test]
fn the_pinned_summary_holds_for_every_shipped_scenario() {
    for name in SHIPPED {
        let path = common::scenario_path(name);
        let scenario = common::load(name);
        let trials = scenario.simulation.trials.min(2000);
        let summary = json(&ok([
            OsStr::new("simulate"),
            path.as_os_str(),
            OsStr::new("--trials"),
            OsStr::new(&trials.to_string()),
            OsStr::new("--format"),
            OsStr::new("json"),
        ]));
        check_summary(&summary, &scenario.name, trials, scenario.simulation.seed);
    }
}

#[test]
fn no_format_prints_nan_or_infinity() {
    let mut problems = Vec::new();
    for name in SHIPPED {
        let path = common::scenario_path(name);
        for format in ["table", "json", "csv", "markdown"] {
            let stdout = ok([
                OsStr::new("simulate"),
                path.as_os_str(),
                OsStr::new("--trials"),
                OsStr::new("200"),
                OsStr::new("--format"),
                OsStr::new(format),
            ]);
            for (i, line) in stdout.lines().enumerate() {
                let lower = line.to_ascii_lowercase();
                let bad = lower
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|word| matches!(word, "nan" | "inf" | "infinity"));
                if bad || line.contains('∞') {
                    problems.push(format!("{name} --format {format}, line {}: {line}", i + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The names of the entries of `folder`.
fn entries(folder: &Path) -> BTreeSet<String> {
    std::fs::read_dir(folder)
        .expect("the folder exists")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn simulate_output_writes_the_reports_and_charts_and_nothing_else() {
    let dir = TempDir::new().expect("temporary folder");
    let folder = dir.path().join("report");
    let args = |format: &str| {
        vec![
            OsStr::new("simulate").to_owned(),
            "--trials".into(),
            "1500".into(),
            "--format".into(),
            format.into(),
            "--output".into(),
            folder.clone().into_os_string(),
        ]
    };
    let stdout = ok(args("json"));
    let expected: BTreeSet<String> = [
        "summary.json",
        "summary.csv",
        "summary.md",
        "report.html",
        "wall-clock-cdf.svg",
        "wall-clock-cdf.png",
        "cost-histogram.svg",
        "cost-histogram.png",
        "status-timeline.svg",
        "status-timeline.png",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(entries(&folder), expected, "no temporary files are left");

    let written = json(&std::fs::read_to_string(folder.join("summary.json")).expect("read"));
    assert_eq!(without_run(&written), without_run(&json(&stdout)));

    let csv_stdout = ok(["simulate", "--trials", "1500", "--format", "csv"]);
    assert_eq!(
        std::fs::read_to_string(folder.join("summary.csv")).expect("read"),
        csv_stdout
    );
    let markdown = std::fs::read_to_string(folder.join("summary.md")).expect("read");
    assert!(markdown.lines().any(|l| l.starts_with('|')), "{markdown}");
    assert!(markdown.contains("Completed"), "{markdown}");

    // Writing again replaces the files, still leaving nothing else behind.
    let table = ok(args("table"));
    assert!(table.contains("Completed"));
    assert_eq!(entries(&folder), expected);
    let again = json(&std::fs::read_to_string(folder.join("summary.json")).expect("read"));
    assert_eq!(without_run(&again), without_run(&written));
}

#[test]
fn simulate_output_into_a_file_fails_cleanly() {
    let dir = TempDir::new().expect("temporary folder");
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").expect("write");
    let output = cargo_bin_cmd!("spotsim")
        .args([
            OsStr::new("simulate"),
            OsStr::new("--trials"),
            OsStr::new("10"),
        ])
        .arg("--output")
        .arg(&file)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("not-a-folder"), "names the path: {stderr}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "x");
}

// ---------------------------------------------------------------------------------------------
// describe
// ---------------------------------------------------------------------------------------------

/// Checks the timestamps of a DescribeTrainingJob document: ISO-8601 UTC, the transitions
/// contiguous from CreationTime; returns (CreationTime, end of the last transition) in ms.
fn check_timeline(document: &Value) -> (i64, i64) {
    let creation = timestamp(document, "CreationTime");
    let transitions = document["SecondaryStatusTransitions"]
        .as_array()
        .expect("SecondaryStatusTransitions is a list");
    assert!(!transitions.is_empty());
    let mut previous_end = creation;
    for (i, transition) in transitions.iter().enumerate() {
        let start = timestamp(transition, "StartTime");
        let end = timestamp(transition, "EndTime");
        assert_eq!(
            start, previous_end,
            "transition {i} starts where the previous one ended: {transition}"
        );
        assert!(end >= start, "transition {i} ends after it starts");
        previous_end = end;
    }
    let last = transitions.last().expect("non-empty");
    assert_eq!(last["Status"], document["SecondaryStatus"]);
    assert_eq!(timestamp(document, "TrainingEndTime"), previous_end);
    assert_eq!(timestamp(document, "LastModifiedTime"), previous_end);
    if document.get("TrainingStartTime").is_some() {
        let start = timestamp(document, "TrainingStartTime");
        assert!(creation <= start && start <= previous_end);
    }
    (creation, previous_end)
}

#[test]
fn describe_the_one_interruption_case_of_the_aws_guide() {
    let path = common::scenario_path("aws-guide-one-interruption.toml");
    let stdout = ok([OsStr::new("describe"), path.as_os_str()]);
    let document = json(&stdout);
    assert_eq!(document["TrainingJobStatus"], "Completed");
    assert_eq!(document["SecondaryStatus"], "Completed");
    let (creation, _) = check_timeline(&document);

    let text = std::fs::read_to_string(&path).expect("read");
    let start_time = text
        .lines()
        .find_map(|l| l.strip_prefix("start_time = "))
        .map(|v| v.trim().trim_matches('"'))
        .expect("the scenario has a start_time");
    assert_eq!(Some(creation), utc_millis(start_time), "CreationTime");
    assert_eq!(
        creation,
        common::load("aws-guide-one-interruption.toml").start_time_millis
    );
    let interrupted = document["SecondaryStatusTransitions"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|t| t["Status"] == "Interrupted")
        .count();
    assert_eq!(interrupted, 1);
    assert_eq!(document["EnableManagedSpotTraining"], true);
}

#[test]
fn describe_follows_the_scenario_start_time() {
    let path = common::scenario_path("aws-guide-one-interruption.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let moved = text.replace(
        "start_time = \"2026-01-01T00:00:00Z\"",
        "start_time = \"2024-12-31T23:30:00Z\"",
    );
    assert_ne!(moved, text, "the scenario has the expected start_time");
    let dir = TempDir::new().expect("temporary folder");
    let moved_path = dir.path().join("moved.toml");
    std::fs::write(&moved_path, moved).expect("write");

    let original = json(&ok([OsStr::new("describe"), path.as_os_str()]));
    let shifted = json(&ok([OsStr::new("describe"), moved_path.as_os_str()]));
    let (creation, end) = check_timeline(&shifted);
    assert_eq!(Some(creation), utc_millis("2024-12-31T23:30:00Z"));
    let (original_creation, original_end) = check_timeline(&original);
    assert_eq!(end - creation, original_end - original_creation);
    assert_eq!(
        shifted["TrainingTimeInSeconds"],
        original["TrainingTimeInSeconds"]
    );
    assert_eq!(
        shifted["BillableTimeInSeconds"],
        original["BillableTimeInSeconds"]
    );
}

/// Checks `describe` output for `trial` against the library's own run of that trial.
fn check_trial(document: &Value, engine: &Engine, trial: u64) {
    let outcome = engine.run(trial);
    let context = format!("trial {trial}: {document}");
    assert_eq!(
        document["SecondaryStatus"],
        outcome.outcome.as_str(),
        "{context}"
    );
    let status = if outcome.outcome == Outcome::Completed {
        "Completed"
    } else {
        "Stopped"
    };
    assert_eq!(document["TrainingJobStatus"], status, "{context}");
    assert_eq!(
        document
            .get("TrainingTimeInSeconds")
            .and_then(Value::as_u64),
        outcome.training_time_in_seconds(),
        "{context}"
    );
    assert_eq!(
        document
            .get("BillableTimeInSeconds")
            .and_then(Value::as_u64),
        outcome.billable_time_in_seconds(),
        "{context}"
    );
    let (creation, end) = check_timeline(document);
    let wall_clock = (end - creation) as f64 / 1000.0;
    assert!(
        (wall_clock - outcome.wall_clock_seconds).abs() <= 0.001 + 1e-9,
        "wall clock {wall_clock} s vs {} s: {context}",
        outcome.wall_clock_seconds
    );
    let interrupted = document["SecondaryStatusTransitions"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|t| t["Status"] == "Interrupted")
        .count();
    assert_eq!(interrupted, outcome.interruptions as usize, "{context}");
}

#[test]
fn describe_trial_k_is_the_library_trial_k() {
    let default = Scenario::embedded_default();
    let engine = Engine::new(&default);
    let shipped = common::scenario_path("default.toml");
    let mut seen = BTreeSet::new();
    for trial in [0_u64, 1, 2, 17, 4242, 9999] {
        let k = trial.to_string();
        let embedded = json(&ok(["describe", "--trial", k.as_str()]));
        check_trial(&embedded, &engine, trial);
        let from_file = json(&ok([
            OsStr::new("describe"),
            shipped.as_os_str(),
            OsStr::new("--trial"),
            OsStr::new(&k),
        ]));
        assert_eq!(
            from_file, embedded,
            "the shipped default is the embedded one"
        );
        seen.insert(embedded["TrainingTimeInSeconds"].to_string());
    }
    assert!(seen.len() > 1, "different trials differ");
    // Without --trial, trial 0.
    assert_eq!(
        json(&ok(["describe"])),
        json(&ok(["describe", "--trial", "0"]))
    );
}

#[test]
fn describe_seed_is_the_library_seed() {
    let default = Scenario::embedded_default();
    let engine = Engine::new(&default).with_seed(99);
    for trial in [0_u64, 3] {
        let k = trial.to_string();
        let document = json(&ok(["describe", "--trial", k.as_str(), "--seed", "99"]));
        check_trial(&document, &engine, trial);
    }
}

#[test]
fn describe_a_job_that_never_got_capacity() {
    let path = common::scenario_path("aws-guide-no-capacity.toml");
    let document = json(&ok([OsStr::new("describe"), path.as_os_str()]));
    assert_eq!(document["TrainingJobStatus"], "Stopped");
    assert_eq!(document["SecondaryStatus"], "MaxWaitTimeExceeded");
    // Reference §4: absent, not 0.
    for field in [
        "TrainingStartTime",
        "TrainingTimeInSeconds",
        "BillableTimeInSeconds",
    ] {
        assert!(document.get(field).is_none(), "{field}: {document}");
    }
    check_timeline(&document);
    let engine = Engine::new(&common::load("aws-guide-no-capacity.toml"));
    check_trial(&document, &engine, 0);
}

// ---------------------------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------------------------

/// The resolved TOML `validate` printed, without its first (comment) line.
fn resolved_body(stdout: &str) -> &str {
    let (first, body) = stdout.split_once('\n').expect("validate prints lines");
    assert!(
        first.starts_with('#'),
        "the first line is a comment: {first}"
    );
    body
}

#[test]
fn validate_prints_a_scenario_equal_in_effect() {
    let dir = TempDir::new().expect("temporary folder");
    for name in SHIPPED {
        let original = common::scenario_path(name);
        let stdout = ok([OsStr::new("validate"), original.as_os_str()]);
        let body = resolved_body(&stdout);
        let copy = dir.path().join(format!("resolved-{name}"));
        std::fs::write(&copy, body).expect("write");

        // It parses back into the same scenario …
        let reparsed = Scenario::load(&copy).unwrap_or_else(|e| panic!("{name}: {e}"));
        let scenario = common::load(name);
        assert_eq!(reparsed.name, scenario.name, "{name}");
        assert_eq!(reparsed.job, scenario.job, "{name}");
        assert_eq!(reparsed.workload, scenario.workload, "{name}");
        assert_eq!(reparsed.checkpoint, scenario.checkpoint, "{name}");
        assert_eq!(reparsed.pricing, scenario.pricing, "{name}");
        assert_eq!(reparsed.simulation, scenario.simulation, "{name}");
        assert_eq!(reparsed.start_time_millis, scenario.start_time_millis);

        // … which simulates identically …
        let simulate = |path: &Path| {
            json(&ok([
                OsStr::new("simulate"),
                path.as_os_str(),
                OsStr::new("--trials"),
                OsStr::new("2000"),
                OsStr::new("--format"),
                OsStr::new("json"),
            ]))
        };
        assert_eq!(
            without_run(&simulate(&copy)),
            without_run(&simulate(&original)),
            "{name}"
        );

        // … and resolves to itself.
        let again = ok([OsStr::new("validate"), copy.as_os_str()]);
        assert_eq!(resolved_body(&again), body, "{name}: a fixed point");
    }

    // A trace's max_gap is part of the resolved form too.
    let replay = common::scenario_path("replay-aws-p3-us-east-1f.toml");
    let stdout = ok([OsStr::new("validate"), replay.as_os_str()]);
    let body = resolved_body(&stdout);
    assert!(body.contains("max_gap = 2\n"), "{body}");
    let wider = dir.path().join("wider-gap.toml");
    std::fs::write(&wider, body.replace("max_gap = 2\n", "max_gap = 3\n")).expect("write");
    let stdout = ok([OsStr::new("validate"), wider.as_os_str()]);
    let again = resolved_body(&stdout);
    assert!(again.contains("max_gap = 3\n"), "{again}");
}

#[test]
fn validate_with_the_embedded_default_simulates_like_no_scenario() {
    let dir = TempDir::new().expect("temporary folder");
    let shipped = common::scenario_path("default.toml");
    let stdout = ok([OsStr::new("validate"), shipped.as_os_str()]);
    let copy = dir.path().join("resolved.toml");
    std::fs::write(&copy, resolved_body(&stdout)).expect("write");
    let from_copy = json(&ok([
        OsStr::new("simulate"),
        copy.as_os_str(),
        OsStr::new("--format"),
        OsStr::new("json"),
    ]));
    let embedded = json(&ok(["simulate", "--format", "json"]));
    assert_eq!(without_run(&from_copy), without_run(&embedded));
}

// ---------------------------------------------------------------------------------------------
// help, version, clap
// ---------------------------------------------------------------------------------------------

#[test]
fn help_and_version() {
    let help = ok(["--help"]);
    for command in ["simulate", "describe", "validate"] {
        assert!(help.contains(command), "--help lists {command}:\n{help}");
        let sub = ok([command, "--help"]);
        assert!(sub.contains("Usage"), "{command} --help:\n{sub}");
    }
    let version = ok(["--version"]);
    assert!(
        version.contains(env!("CARGO_PKG_VERSION")),
        "--version: {version}"
    );
    assert_eq!(ok(["-V"]), version);
    assert_eq!(ok(["help"]), help);
}

#[test]
fn the_command_line_definition_is_consistent() {
    spotsim::cli::Cli::command().debug_assert();
}
