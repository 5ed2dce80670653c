//! `spotsim backtest`: real jobs against the distribution simulated for them.
//!
//! The method is checked on simulated history, where the truth is known: jobs of a scenario
//! fall inside its central 90 % bands 90 % of the time within 3 standard errors (the test that
//! the method is calibrated), their outcomes match the expected counts, and jobs of a harsher
//! market than the scenario's fall outside far more often (the test has teeth).

use crate::calibrate::{history, write_lines};
use crate::common::{json_of, load, scenario_path, stdout_of};
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use tempfile::TempDir;

/// `spotsim backtest JOBS --scenario weibull-gpu.toml --format json` with `args`.
fn backtest_json(jobs: &std::path::Path, args: &[&str]) -> Value {
    json_of(
        cargo_bin_cmd!("spotsim")
            .arg("backtest")
            .arg(jobs)
            .arg("--scenario")
            .arg(scenario_path("weibull-gpu.toml"))
            .args(["--format", "json"])
            .args(args)
            .output()
            .expect("the binary runs"),
    )
}

#[test]
fn simulated_history_falls_inside_the_bands_as_often_as_they_say() {
    // 400 jobs of the scenario itself (seed 12345), against 4,000 trials of seed 1.
    let mut scenario = load("weibull-gpu.toml");
    scenario.simulation.seed = 12_345;
    let dir = TempDir::new().unwrap();
    let jobs = write_lines(&dir, "history.jsonl", &history(&scenario, 0..400));
    let report = backtest_json(&jobs, &["--trials", "4000", "--seed", "1"]);
    assert_eq!(report["jobs"]["used"], 400);
    for metric in [
        "wall_clock_seconds",
        "training_time_seconds",
        "billable_time_seconds",
    ] {
        let c = &report["coverage"][metric];
        let (inside, se) = (c["inside"].as_f64().unwrap(), c["se"].as_f64().unwrap());
        let z = (inside - 0.9) / se;
        println!("{metric}: {inside:.4} inside the 90 % band (z {z:+.2})");
        assert!((se - (0.9f64 * 0.1 / 400.0).sqrt()).abs() < 1e-12);
        assert!(z.abs() < 3.0, "{metric}: z = {z}");
    }
    for (outcome, check) in report["outcomes"].as_object().unwrap() {
        let (actual, expected, se) = (
            check["actual"].as_f64().unwrap(),
            check["expected"].as_f64().unwrap(),
            check["se"].as_f64().unwrap(),
        );
        println!("{outcome}: {actual} vs {expected:.1} ± {se:.1}");
        assert!(
            (actual - expected).abs() <= 3.0 * se.max(0.5),
            "{outcome}: {actual} vs {expected} ± {se}"
        );
    }
    let savings = &report["savings_percent"];
    let (predicted, actual) = (
        savings["predicted_percent"].as_f64().unwrap(),
        savings["actual_percent"].as_f64().unwrap(),
    );
    // A constant spot price at 30 % of on-demand: billable = 0.3 × training, both ways.
    assert!((predicted - 70.0).abs() < 0.05 && (actual - 70.0).abs() < 0.05);
}

#[test]
fn a_harsher_market_than_the_scenario_falls_outside() {
    // Instances that last half as long as the scenario says.
    let text = std::fs::read_to_string(scenario_path("weibull-gpu.toml"))
        .unwrap()
        .replace("scale = \"1.4h\"", "scale = \"0.5h\"");
    let scenario = crate::common::parse(&text);
    let dir = TempDir::new().unwrap();
    let jobs = write_lines(&dir, "history.jsonl", &history(&scenario, 0..400));
    let report = backtest_json(&jobs, &["--trials", "4000"]);
    let inside = report["coverage"]["wall_clock_seconds"]["inside"]
        .as_f64()
        .unwrap();
    let completed = &report["outcomes"]["Completed"];
    println!("harsher market: wall clock {inside:.3} inside; Completed {completed}");
    assert!(inside < 0.9 - 6.0 * 0.015, "{inside}");
    assert!(
        completed["actual"].as_f64().unwrap()
            < completed["expected"].as_f64().unwrap() - 5.0 * completed["se"].as_f64().unwrap()
    );
}

#[test]
fn backtest_names_what_it_cannot_use_and_refuses_what_it_cannot_simulate() {
    let scenario = load("weibull-gpu.toml");
    let mut documents = history(&scenario, 0..20);
    let mut stopped = documents[0].clone();
    stopped["TrainingJobName"] = "user-stopped".into();
    stopped["TrainingJobArn"] =
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/user-stopped".into();
    stopped["TrainingJobStatus"] = "Stopped".into();
    stopped["SecondaryStatus"] = "Stopped".into();
    let list = stopped["SecondaryStatusTransitions"]
        .as_array_mut()
        .unwrap();
    list.last_mut().unwrap()["Status"] = "Stopped".into();
    documents.push(stopped);
    let dir = TempDir::new().unwrap();
    let jobs = write_lines(&dir, "history.jsonl", &documents);
    let stdout = stdout_of(
        cargo_bin_cmd!("spotsim")
            .arg("backtest")
            .arg(&jobs)
            .arg("--scenario")
            .arg(scenario_path("weibull-gpu.toml"))
            .args(["--trials", "500"])
            .output()
            .unwrap(),
    );
    assert!(
        stdout.contains("of your 20 jobs fell inside the central 90.0 % band"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(job \"user-stopped\"): stopped by a user"),
        "{stdout}"
    );
    // A band outside (0, 1), a tick-clock scenario and a non-managed-spot policy exit 2.
    for (args, expected) in [
        (vec!["--band", "1.5"], "--band"),
        (
            vec!["--scenario", "scenarios/tick-weibull-gpu.toml"],
            "[simulation] clock",
        ),
    ] {
        let output = cargo_bin_cmd!("spotsim")
            .current_dir(crate::common::root())
            .arg("backtest")
            .arg(&jobs)
            .args(if args[0] == "--band" {
                vec!["--scenario", "scenarios/weibull-gpu.toml"]
            } else {
                vec![]
            })
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}
