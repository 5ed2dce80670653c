//! Speaking SageMaker: CreateTrainingJob requests as the job's source (with the service's
//! creation-time rules and messages), the SDK-style log of `describe`, botocore validation of
//! `describe` output, and the RetryStrategy fault model.

use crate::{aws_inputs, common};
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use spotsim::Simulator;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The workload, market and prices the request tests share; `[job]` comes from `job`.
fn scenario_text(job: &str) -> String {
    format!(
        r#"name = "request-test"
[job]
{job}
[workload]
training = "30m"
provisioning = "2m"
download = "1m"
upload = "1m"
[market]
model = "exponential"
mean_uptime = "6h"
mean_capacity_wait = "5m"
[pricing]
on_demand_per_hour = 3.825
spot_per_hour = 1.1475
[simulation]
trials = 200
"#
    )
}

/// Writes `scenario.toml` (with `[job]` lines `job`) and `req.json` into a temporary folder.
fn files(job: &str, request: &str) -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new().unwrap();
    let scenario = dir.path().join("scenario.toml");
    let req = dir.path().join("req.json");
    std::fs::write(&scenario, scenario_text(job)).unwrap();
    std::fs::write(&req, request).unwrap();
    (dir, scenario, req)
}

fn describe_json(args: &[&std::ffi::OsStr]) -> Value {
    let out = cargo_bin_cmd!("spotsim")
        .arg("describe")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `describe` expecting exit 2; returns stderr.
fn rejected(scenario: &Path, request: Option<&Path>) -> String {
    let mut cmd = cargo_bin_cmd!("spotsim");
    cmd.arg("describe").arg(scenario);
    if let Some(request) = request {
        cmd.arg("--request").arg(request);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "expected exit 2");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

const SPOT_REQUEST: &str = r#"{
  "TrainingJobName": "spot-demo",
  "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
  "AlgorithmSpecification": {
    "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1-gpu-py310",
    "TrainingInputMode": "File"
  },
  "OutputDataConfig": {"S3OutputPath": "s3://bucket/output"},
  "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50},
  "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200},
  "EnableManagedSpotTraining": true,
  "CheckpointConfig": {"S3Uri": "s3://bucket/checkpoints", "LocalPath": "/opt/ml/checkpoints"},
  "RetryStrategy": {"MaximumRetryAttempts": 2},
  "Tags": [{"Key": "team", "Value": "ml"}],
  "SomethingNew": {"Nested": [1, 2, 3]}
}"#;

#[test]
fn spot_request_becomes_the_job_and_unknown_keys_are_ignored() {
    for in_scenario in [false, true] {
        let job = if in_scenario {
            "request = \"req.json\""
        } else {
            ""
        };
        let (_dir, scenario, req) = files(job, SPOT_REQUEST);
        let mut args: Vec<&std::ffi::OsStr> = vec![scenario.as_os_str()];
        if !in_scenario {
            args.push("--request".as_ref());
            args.push(req.as_os_str());
        }
        let doc = describe_json(&args);
        assert_eq!(doc["ResourceConfig"]["InstanceType"], "ml.g5.xlarge");
        assert_eq!(doc["ResourceConfig"]["InstanceCount"], 2);
        assert_eq!(doc["ResourceConfig"]["VolumeSizeInGB"], 50);
        assert_eq!(doc["StoppingCondition"]["MaxRuntimeInSeconds"], 3600);
        assert_eq!(doc["StoppingCondition"]["MaxWaitTimeInSeconds"], 7200);
        assert_eq!(doc["EnableManagedSpotTraining"], true);
        assert_eq!(doc["CheckpointConfig"]["S3Uri"], "s3://bucket/checkpoints");
        assert_eq!(doc["CheckpointConfig"]["LocalPath"], "/opt/ml/checkpoints");
        // The scenario names itself, so its name wins over TrainingJobName.
        assert_eq!(doc["TrainingJobName"], "request-test-trial-0");
    }
}

#[test]
fn on_demand_request_and_training_job_name() {
    let request = r#"{"TrainingJobName": "od-demo",
        "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 7200},
        "EnableManagedSpotTraining": false}"#;
    let dir = TempDir::new().unwrap();
    let scenario = dir.path().join("od.toml");
    // No name in the scenario: TrainingJobName names the job.
    std::fs::write(
        &scenario,
        scenario_text("request = \"req.json\"").replace("name = \"request-test\"\n", ""),
    )
    .unwrap();
    std::fs::write(dir.path().join("req.json"), request).unwrap();
    let doc = describe_json(&[scenario.as_os_str()]);
    assert_eq!(doc["EnableManagedSpotTraining"], false);
    assert_eq!(doc["TrainingJobStatus"], "Completed");
    assert!(
        doc["StoppingCondition"]
            .get("MaxWaitTimeInSeconds")
            .is_none()
    );
    assert_eq!(doc["TrainingJobName"], "od-demo-trial-0");
    assert_eq!(doc["TrainingTimeInSeconds"], doc["BillableTimeInSeconds"]);
}

#[test]
fn max_wait_below_max_runtime_is_the_services_error() {
    let (_dir, scenario, req) = files(
        "",
        r#"{"EnableManagedSpotTraining": true,
  "StoppingCondition": {"MaxRuntimeInSeconds": 7200, "MaxWaitTimeInSeconds": 3600}}"#,
    );
    let err = rejected(&scenario, Some(&req));
    assert!(err.contains("req.json:2"), "{err}");
    assert!(
        err.contains("StoppingCondition.MaxWaitTimeInSeconds"),
        "{err}"
    );
    assert!(
        err.contains("must be equal to or greater than MaxRuntimeInSeconds"),
        "{err}"
    );
}

#[test]
fn max_wait_without_spot_is_the_services_error() {
    let (_dir, scenario, req) = files(
        "",
        r#"{"StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}}"#,
    );
    let err = rejected(&scenario, Some(&req));
    assert!(err.contains("req.json"), "{err}");
    assert!(
        err.contains("StoppingCondition.MaxWaitTimeInSeconds"),
        "{err}"
    );
    assert!(
        err.contains("Invalid MaxWaitTimeInSeconds. It is only supported when EnableManagedSpotTraining is set to true"),
        "{err}"
    );
    // Spot without MaxWait: rule 2, naming the request too.
    let (_dir, scenario, req) = files(
        "",
        r#"{"EnableManagedSpotTraining": true, "StoppingCondition": {"MaxRuntimeInSeconds": 3600}}"#,
    );
    let err = rejected(&scenario, Some(&req));
    assert!(err.contains("req.json"), "{err}");
    assert!(err.contains("MaxWaitTimeInSeconds is required"), "{err}");
}

#[test]
fn non_checkpointing_built_in_algorithm_is_limited_to_an_hour() {
    let request = |max_wait: u32| {
        format!(
            r#"{{"AlgorithmSpecification": {{
    "TrainingImage": "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1",
    "TrainingInputMode": "File"}},
  "EnableManagedSpotTraining": true,
  "StoppingCondition": {{"MaxRuntimeInSeconds": 1800, "MaxWaitTimeInSeconds": {max_wait}}}}}"#
        )
    };
    let (_dir, scenario, req) = files("", &request(7200));
    let err = rejected(&scenario, Some(&req));
    assert!(err.contains("req.json"), "{err}");
    assert!(
        err.contains("StoppingCondition.MaxWaitTimeInSeconds"),
        "{err}"
    );
    assert!(err.contains("limited to 60 minutes"), "{err}");
    assert!(err.contains("linear-learner"), "{err}");
    // At most 3600 s is accepted.
    let (_dir, scenario, req) = files("", &request(3600));
    let doc = describe_json(&[scenario.as_os_str(), "--request".as_ref(), req.as_os_str()]);
    assert_eq!(doc["StoppingCondition"]["MaxWaitTimeInSeconds"], 3600);
    // A checkpointing built-in algorithm may wait longer.
    let (_dir, scenario, req) = files(
        "",
        &request(7200).replace("linear-learner:1", "image-classification:1"),
    );
    describe_json(&[scenario.as_os_str(), "--request".as_ref(), req.as_os_str()]);
}

#[test]
fn request_structure_errors_name_the_key() {
    for (request, key) in [
        (
            r#"{"CheckpointConfig": {"LocalPath": "/opt/ml/checkpoints"}}"#,
            "CheckpointConfig",
        ),
        (
            r#"{"RetryStrategy": {"MaximumRetryAttempts": 31}}"#,
            "RetryStrategy.MaximumRetryAttempts",
        ),
        (
            r#"{"ResourceConfig": {"InstanceCount": "two"}}"#,
            "ResourceConfig.InstanceCount",
        ),
        (r#"{"ResourceConfig": ["#, "req.json"),
    ] {
        let (_dir, scenario, req) = files("", request);
        let err = rejected(&scenario, Some(&req));
        assert!(err.contains("req.json") && err.contains(key), "{err}");
    }
}

#[test]
fn contradictions_name_both_files() {
    let (_dir, scenario, req) = files(
        "managed_spot = true\nmax_wait = \"36h\"",
        r#"{"EnableManagedSpotTraining": true,
  "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}}"#,
    );
    let err = rejected(&scenario, Some(&req));
    assert!(
        err.contains("StoppingCondition.MaxWaitTimeInSeconds = 7200 contradicts"),
        "{err}"
    );
    assert!(err.contains("scenario.toml [job] max_wait = 36h"), "{err}");
    // Equal values (in other units) agree.
    let (_dir, scenario, req) = files(
        "managed_spot = true\nmax_wait = \"2h\"\ninstance_type = \"ml.p3.2xlarge\"",
        r#"{"EnableManagedSpotTraining": true, "ResourceConfig": {"InstanceType": "ml.p3.2xlarge"},
  "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}}"#,
    );
    describe_json(&[scenario.as_os_str(), "--request".as_ref(), req.as_os_str()]);
    // An alias spelling and another key.
    let (_dir, scenario, req) = files(
        "instance_type = \"ml.p3.2xlarge\"",
        r#"{"ResourceConfig": {"InstanceType": "ml.g5.xlarge"}}"#,
    );
    let err = rejected(&scenario, Some(&req));
    assert!(
        err.contains("ResourceConfig.InstanceType = \"ml.g5.xlarge\" contradicts")
            && err.contains("[job] instance_type = ml.p3.2xlarge"),
        "{err}"
    );
}

#[test]
fn simulate_takes_a_request_too() {
    let (_dir, scenario, req) = files("", SPOT_REQUEST);
    let out = cargo_bin_cmd!("spotsim")
        .args(["simulate", "--format", "json", "--trials", "50"])
        .arg(&scenario)
        .arg("--request")
        .arg(&req)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["trials"], 50);
    // The three pinned outcomes first, then Failed.
    let text = String::from_utf8_lossy(&out.stdout);
    let at = |key: &str| text.find(&format!("\"{key}\": {{")).unwrap();
    assert!(at("Completed") < at("MaxWaitTimeExceeded"));
    assert!(at("MaxWaitTimeExceeded") < at("MaxRuntimeExceeded"));
    assert!(at("MaxRuntimeExceeded") < at("Failed"));
}

#[test]
fn sdk_log_of_one_interruption_matches_the_snapshot_and_the_json() {
    let scenario = common::scenario_path("aws-guide-one-interruption.toml");
    let out = cargo_bin_cmd!("spotsim")
        .arg("describe")
        .arg(&scenario)
        .args(["--format", "sdk-log"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let log = String::from_utf8(out.stdout).unwrap();
    let expected = std::fs::read_to_string(
        common::root().join("tests/snapshots/aws-guide-one-interruption.sdk-log"),
    )
    .unwrap();
    assert_eq!(log, expected);
    let doc = describe_json(&[scenario.as_os_str()]);
    let figure = |prefix: &str| -> String {
        log.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {log}"))
            .to_string()
    };
    let training = doc["TrainingTimeInSeconds"].as_u64().unwrap();
    let billable = doc["BillableTimeInSeconds"].as_u64().unwrap();
    assert_eq!(figure("Training seconds: "), training.to_string());
    assert_eq!(figure("Billable seconds: "), billable.to_string());
    let savings = (1.0 - billable as f64 / training as f64) * 100.0;
    assert_eq!(
        figure("Managed Spot Training savings: "),
        format!("{savings:.1}%")
    );
    // Every transition of the JSON appears, in order, as "<time> <Status> - <message>".
    let transitions = doc["SecondaryStatusTransitions"].as_array().unwrap();
    let status_lines: Vec<&str> = log.lines().skip(1).take(transitions.len()).collect();
    for (line, t) in status_lines.iter().zip(transitions) {
        let start = t["StartTime"].as_str().unwrap();
        let when = format!("{} {}", &start[..10], &start[11..19]);
        let text = format!(
            "{when} {} - {}",
            t["Status"].as_str().unwrap(),
            t["StatusMessage"].as_str().unwrap()
        );
        assert!(line.starts_with(&text), "{line} vs {text}");
    }
}

/// A spot job with InternalServerErrors at `rate` per held hour.
fn retry_scenario(rate: f64, retries: u32) -> String {
    let retry = if retries > 0 {
        format!("max_retry_attempts = {retries}\n")
    } else {
        String::new()
    };
    std::fs::read_to_string(common::scenario_path("default.toml"))
        .unwrap()
        .replace(
            "[workload]",
            &format!("internal_error_rate = {rate}\n{retry}\n[workload]"),
        )
}

#[test]
fn exhausted_retries_end_failed_with_a_failure_reason() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("errors.toml");
    std::fs::write(&path, retry_scenario(0.5, 2)).unwrap();
    let scenario = spotsim::Scenario::load(&path).unwrap();
    let engine = spotsim::Engine::new(&scenario);
    let mut failed = 0;
    for trial in 0..40 {
        let (outcome, timeline) = engine.run_with_timeline(trial);
        let retries = timeline
            .transitions
            .iter()
            .filter(|t| t.message.starts_with("Retrying"))
            .count();
        assert!(retries <= 2, "trial {trial}: {retries} retries");
        if outcome.outcome == spotsim::Outcome::Failed {
            failed += 1;
            assert_eq!(retries, 2, "trial {trial} failed before using its retries");
            let doc = describe_json(&[
                path.as_os_str(),
                "--trial".as_ref(),
                trial.to_string().as_ref(),
            ]);
            assert_eq!(doc["TrainingJobStatus"], "Failed");
            assert_eq!(doc["SecondaryStatus"], "Failed");
            assert!(
                doc["FailureReason"]
                    .as_str()
                    .unwrap()
                    .starts_with("InternalServerError: "),
                "{doc}"
            );
            // Each retry goes back to Starting in the same transition list.
            let starts = doc["SecondaryStatusTransitions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| {
                    t["Status"] == "Starting"
                        && t["StatusMessage"].as_str().unwrap().starts_with("Retrying")
                })
                .count();
            assert_eq!(starts, 2);
        } else {
            assert!(
                timeline
                    .transitions
                    .iter()
                    .all(|t| t.status.as_str() != "Failed")
            );
        }
    }
    assert!(
        failed > 10,
        "a 20 h job at 0.5 errors/hour mostly fails: {failed}"
    );
    // The summary counts them.
    let out = cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(&path)
        .args(["--format", "json", "--trials", "500"])
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(summary["outcomes"]["Failed"]["count"].as_u64().unwrap() > 100);
    // The CSV names it in its column names (`failed_count`, …).
    for (format, name) in [
        ("table", "Failed"),
        ("csv", "failed_count"),
        ("markdown", "Failed"),
    ] {
        let out = cargo_bin_cmd!("spotsim")
            .arg("simulate")
            .arg(&path)
            .args(["--format", format, "--trials", "100"])
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(name),
            "{format}"
        );
    }
}

#[test]
fn no_retry_strategy_fails_at_the_first_error() {
    let scenario = common::parse(&retry_scenario(2.0, 0));
    let engine = spotsim::Engine::new(&scenario);
    let (outcome, timeline) = engine.run_with_timeline(0);
    assert_eq!(outcome.outcome, spotsim::Outcome::Failed);
    assert!(
        timeline
            .transitions
            .iter()
            .all(|t| !t.message.starts_with("Retrying"))
    );
}

#[test]
fn rate_zero_leaves_every_result_unchanged() {
    let base = common::load("default.toml");
    let zero = common::parse(&retry_scenario(0.0, 3));
    let (a, b) = (spotsim::Engine::new(&base), spotsim::Engine::new(&zero));
    for trial in 0..2000 {
        assert_eq!(
            a.run_with_timeline(trial),
            b.run_with_timeline(trial),
            "trial {trial}"
        );
    }
    // Spot interruptions do not use retries: a high error rate leaves the draws of the
    // market untouched (common random numbers), so the first interruption is where it was.
    let errors = common::parse(&retry_scenario(0.01, 30));
    let c = spotsim::Engine::new(&errors);
    let same = (0..200).filter(|&t| a.run(t) == c.run(t)).count();
    assert!(same > 100, "{same}");
}

/// botocore validation of `describe` output, when a Python with botocore is named by
/// `SPOTSIM_BOTOCORE_PYTHON` (`.ci/run` sets it up; elsewhere the test is skipped, under
/// `CI=true` it fails).
#[test]
fn describe_output_validates_against_botocore() {
    let Some(python) = common::botocore_python() else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let mut documents = Vec::new();
    let mut describe = |name: String, args: Vec<String>| {
        let out = cargo_bin_cmd!("spotsim")
            .arg("describe")
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success());
        let path = dir.path().join(name);
        std::fs::write(&path, &out.stdout).unwrap();
        documents.push(path);
    };
    for entry in std::fs::read_dir(common::root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("aws-guide-") && name.ends_with(".toml") {
            describe(format!("{name}.json"), vec![path.display().to_string()]);
        }
    }
    for trial in [
        0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765,
    ] {
        describe(
            format!("default-{trial}.json"),
            vec!["--trial".into(), trial.to_string()],
        );
    }
    let failing = dir.path().join("errors.toml");
    std::fs::write(&failing, retry_scenario(2.0, 1)).unwrap();
    describe("failed.json".into(), vec![failing.display().to_string()]);
    // What a request or estimator said, echoed; and the two jobs of a trial that fell back to
    // on-demand (a JSON array: every element must validate).
    let job = dir.path().join("job.toml");
    std::fs::write(&job, aws_inputs::job_scenario("")).unwrap();
    for (name, flag, text) in [
        ("request.json", "--request", aws_inputs::FULL_REQUEST),
        ("estimator.json", "--estimator", aws_inputs::ESTIMATOR),
    ] {
        let input = dir.path().join(format!("input-{name}"));
        std::fs::write(&input, text).unwrap();
        let args = [
            job.display().to_string(),
            flag.into(),
            input.display().to_string(),
        ];
        describe(name.into(), args.to_vec());
    }
    let fallback = dir.path().join("fallback.toml");
    std::fs::write(&fallback, aws_inputs::fallback_scenario()).unwrap();
    let engine = spotsim::Engine::new(&spotsim::Scenario::load(&fallback).unwrap());
    let fell_back = (0..200)
        .find(|&k| engine.run(k).fallback_seconds.is_some())
        .expect("a trial that fell back");
    describe(
        "fallback.json".into(),
        vec![
            fallback.display().to_string(),
            "--trial".into(),
            fell_back.to_string(),
        ],
    );
    let status = std::process::Command::new(python)
        .arg(common::root().join("tests/botocore/validate_describe.py"))
        .args(&documents)
        .status()
        .unwrap();
    assert!(status.success());
}
