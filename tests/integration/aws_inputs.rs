//! What capacity planners already have: a CreateTrainingJob body, SDK estimator arguments —
//! through every command, from files, `file://` paths and stdin — and what `describe` shows of
//! them; defaults that would price a different job; configurations users get wrong.

use crate::common;
use crate::real_inputs::{exits_2, spotsim, spotsim_with_stdin, succeeds, write};
use serde_json::Value;
use spotsim::Simulator;
use spotsim::report::describe::DescribeTrainingJob;
use spotsim::{Engine, Scenario};
use std::path::Path;
use tempfile::TempDir;

/// A p4d request (4 instances, spot, 24 h / 48 h).
const P4D_REQUEST: &str = r#"{
  "TrainingJobName": "big-model",
  "ResourceConfig": {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 4, "VolumeSizeInGB": 100},
  "StoppingCondition": {"MaxRuntimeInSeconds": 86400, "MaxWaitTimeInSeconds": 172800},
  "EnableManagedSpotTraining": true,
  "CheckpointConfig": {"S3Uri": "s3://bucket/ckpt"}
}"#;

/// A full request as `aws sagemaker create-training-job --generate-cli-skeleton` shapes it.
pub const FULL_REQUEST: &str = r#"{
  "TrainingJobName": "bert-spot",
  "RoleArn": "arn:aws:iam::111122223333:role/service-role/SageMakerRole",
  "AlgorithmSpecification": {
    "TrainingImage": "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.1-gpu-py310",
    "TrainingInputMode": "FastFile",
    "MetricDefinitions": [{"Name": "loss", "Regex": "loss=([0-9.]+)"}]
  },
  "HyperParameters": {"epochs": "3", "lr": "0.0001"},
  "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
    "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train", "S3DataDistributionType": "FullyReplicated"}}}],
  "OutputDataConfig": {"S3OutputPath": "s3://bucket/output/"},
  "VpcConfig": {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0123456789abcdef0"]},
  "Environment": {"NCCL_DEBUG": "INFO"},
  "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 50},
  "StoppingCondition": {"MaxRuntimeInSeconds": 86400, "MaxWaitTimeInSeconds": 172800},
  "EnableManagedSpotTraining": true,
  "CheckpointConfig": {"S3Uri": "s3://bucket/checkpoints"},
  "RetryStrategy": {"MaximumRetryAttempts": 2},
  "Tags": [{"Key": "team", "Value": "ml"}]
}"#;

/// Workload, market and prices for a job that comes from elsewhere (`[job]` lines `job`).
pub fn job_scenario(job: &str) -> String {
    format!(
        r#"name = "from-aws"
[job]
{job}
[workload]
training = "6h"
provisioning = "4m"
download = "2m"
upload = "1m"
[checkpoint]
interval = "30m"
write = "1m"
[market]
model = "exponential"
mean_uptime = "3h"
mean_capacity_wait = "10m"
[pricing]
on_demand_per_hour = 37.688
spot_discount = 0.7
[simulation]
trials = 300
"#
    )
}

/// A temporary folder holding `req.json` (`request`) and `job.toml` (the rest of the job).
fn job_folder(request: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "req.json", request);
    write(dir.path(), "job.toml", &job_scenario(""));
    dir
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

// ---------------------------------------------------------------------------------------------
// 1. defaults that would price a different job

#[test]
fn a_request_that_changes_the_instance_type_without_a_price_exits_2_naming_the_price() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "req.json", P4D_REQUEST);
    for command in ["simulate", "plan", "describe", "validate"] {
        let (code, out, err) = spotsim(dir.path(), &[command, "--request", "req.json"], &[]);
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(out.is_empty(), "{command} printed {out}");
        for word in [
            "[pricing] on_demand_per_hour",
            "4 × ml.p4d.24xlarge",
            "ml.p3.2xlarge",
            "[workload] training",
            "e.g.",
        ] {
            assert!(err.contains(word), "{command}: {word}: {err}");
        }
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    // With a scenario that prices this job, the same request runs.
    write(dir.path(), "job.toml", &job_scenario(""));
    let (out, err) = succeeds(
        dir.path(),
        &[
            "simulate",
            "job.toml",
            "--request",
            "req.json",
            "--format",
            "json",
        ],
    );
    assert!(!err.contains("embedded default"), "{err}");
    // 4 instances × 6 h of training + 3 min of download/upload, plus the 11 checkpoint writes
    // (one per 30 min except after the last segment), at $37.688/h.
    let on_demand = json(&out)["on_demand_cost_usd"].as_f64().unwrap();
    let held_hours = (6.0 * 3600.0 + 180.0 + 11.0 * 60.0) / 3600.0;
    assert!(
        (on_demand - 4.0 * 37.688 * held_hours).abs() < 1e-9,
        "{on_demand}"
    );
}

#[test]
fn a_request_on_the_defaults_instance_type_states_every_inherited_value() {
    let dir = TempDir::new().unwrap();
    // No CheckpointConfig, no MaxRuntimeInSeconds: nothing of the default's [job] survives.
    write(
        dir.path(),
        "req.json",
        r#"{"ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxWaitTimeInSeconds": 172800},
            "EnableManagedSpotTraining": true}"#,
    );
    let (out, err) = succeeds(dir.path(), &["describe", "--request", "req.json"]);
    for word in [
        "only the job comes from req.json",
        "[workload]",
        "training = 72000",
        "[checkpoint]",
        "[market]",
        "mean_uptime = 14400",
        "[pricing] on_demand_per_hour = 3.825",
        // MaxRuntime from no input at all.
        "assuming MaxRuntimeInSeconds = 86400",
    ] {
        assert!(err.contains(word), "{word}: {err}");
    }
    let doc = json(&out);
    // The default's checkpoint location and 28 h MaxRuntime are not the request's.
    assert!(doc.get("CheckpointConfig").is_none(), "{doc}");
    assert_eq!(doc["StoppingCondition"]["MaxRuntimeInSeconds"], 86400);
    assert!(err.contains("not durable"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// 3. every command takes the same inputs

#[test]
fn plan_validate_and_bench_take_a_request_too() {
    let dir = job_folder(P4D_REQUEST);
    let (out, _) = succeeds(
        dir.path(),
        &["validate", "job.toml", "--request", "req.json"],
    );
    assert!(out.contains("instance_type = \"ml.p4d.24xlarge\""), "{out}");
    assert!(out.contains("instance_count = 4"), "{out}");
    let (out, _) = succeeds(
        dir.path(),
        &[
            "plan",
            "job.toml",
            "--request",
            "req.json",
            "--format",
            "json",
            "--trials",
            "100",
        ],
    );
    assert_eq!(json(&out)["max_runtime_seconds"], 86400.0);
    write(
        dir.path(),
        "suite.toml",
        "[suite]\ntrials = 200\nseed = 3\n[[scenario]]\npath = \"job.toml\"\n",
    );
    let (out, _) = succeeds(
        dir.path(),
        &[
            "bench",
            "suite.toml",
            "--request",
            "req.json",
            "--format",
            "json",
        ],
    );
    let bench = json(&out);
    let direct = spotsim(
        dir.path(),
        &[
            "simulate",
            "job.toml",
            "--request",
            "req.json",
            "--format",
            "json",
            "--trials",
            "200",
            "--seed",
            "3",
        ],
        &[],
    );
    // The suite's cell is the same job: its mean cost is the direct run's.
    let cell_cost = bench["cells"][0]["cost_usd"]["mean"].as_f64();
    let direct_cost = json(&direct.1)["metrics"]["cost_usd"]["mean"].as_f64();
    assert!(cell_cost.is_some() && cell_cost == direct_cost, "{bench}");
    // A suite scenario that says otherwise is a contradiction, as for simulate.
    write(
        dir.path(),
        "job.toml",
        &job_scenario("instance_type = \"ml.p3.2xlarge\""),
    );
    let err = exits_2(
        dir.path(),
        &["bench", "suite.toml", "--request", "req.json"],
    );
    assert!(err.contains("contradicts"), "{err}");
}

#[test]
fn dash_reads_the_scenario_or_the_request_from_stdin() {
    let dir = job_folder(FULL_REQUEST);
    let scenario = job_scenario("");
    let args = |first: &str, request: &str| -> Vec<String> {
        ["describe", first, "--request", request, "--trial", "5"]
            .map(String::from)
            .to_vec()
    };
    let run = |first: &str, request: &str, stdin: Option<&str>| {
        let args = args(first, request);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        spotsim_with_stdin(dir.path(), &refs, &[], stdin)
    };
    let (code, from_files, err) = run("job.toml", "req.json", None);
    assert_eq!(code, Some(0), "{err}");
    let (code, scenario_on_stdin, err) = run("-", "req.json", Some(&scenario));
    assert_eq!(code, Some(0), "{err}");
    let (code, request_on_stdin, err) = run("job.toml", "-", Some(FULL_REQUEST));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json(&from_files), json(&scenario_on_stdin));
    assert_eq!(json(&from_files), json(&request_on_stdin));
    // Both on stdin cannot be.
    let (code, _, err) = run("-", "-", Some(&scenario));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("stdin"), "{err}");
    // Errors in stdin's text name it.
    let (code, _, err) = spotsim_with_stdin(
        dir.path(),
        &["validate", "-"],
        &[],
        Some("[job]\ninstance_count = 0\n"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("<stdin>:2"), "{err}");
}

#[test]
fn file_urls_are_accepted_where_a_request_path_is() {
    let dir = job_folder(FULL_REQUEST);
    let absolute = format!("file://{}", dir.path().join("req.json").display());
    let (plain, _) = succeeds(
        dir.path(),
        &["describe", "job.toml", "--request", "req.json"],
    );
    for given in ["file://req.json", absolute.as_str()] {
        let (out, _) = succeeds(dir.path(), &["describe", "job.toml", "--request", given]);
        assert_eq!(json(&out), json(&plain), "{given}");
    }
    write(
        dir.path(),
        "inline.toml",
        &job_scenario("request = \"file://req.json\""),
    );
    let (out, _) = succeeds(dir.path(), &["describe", "inline.toml"]);
    assert_eq!(json(&out)["RoleArn"], json(&plain)["RoleArn"]);
    // A missing file:// path names the file without the prefix.
    let err = exits_2(
        dir.path(),
        &["describe", "job.toml", "--request", "file://none.json"],
    );
    assert!(err.contains("none.json: cannot read"), "{err}");
}

#[test]
fn trials_are_accepted_as_people_write_large_numbers() {
    let dir = TempDir::new().unwrap();
    for given in ["1e5", "100_000", "100000"] {
        let (out, _) = succeeds(
            dir.path(),
            &["simulate", "--trials", given, "--format", "json", "--quiet"],
        );
        assert_eq!(json(&out)["trials"], 100_000, "{given}");
    }
    // A million trials by shard: the partial records the run's 10^6 trials.
    succeeds(
        dir.path(),
        &[
            "simulate",
            "--trials",
            "1e6",
            "--shard",
            "0/1000",
            "--partial",
            "p.json",
        ],
    );
    let partial = json(&std::fs::read_to_string(dir.path().join("p.json")).unwrap());
    assert_eq!(partial["trials"], 1_000_000);
    assert_eq!(partial["aggregate"]["trials"], 1000);
    succeeds(dir.path(), &["plan", "--trials", "2e2", "--points", "3"]);
}

#[test]
fn fit_reads_the_trace_format_from_input_format_and_the_old_spelling_still_works() {
    let trace = common::shared_data().join("traces/aws-p3.2xlarge-2023-02-15/us-west-2a.csv");
    let trace = trace.display().to_string();
    let dir = TempDir::new().unwrap();
    let base = [
        "fit",
        trace.as_str(),
        "--convention",
        "available",
        "--output-format",
        "json",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        spotsim(dir.path(), &args, &[])
    };
    let (code, new, err) = with(&["--input-format", "csv"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
    let (code, old, err) = with(&["--format", "csv"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("deprecated") && err.contains("--input-format"),
        "{err}"
    );
    assert_eq!(new, old);
    // The input format is not an output format: "--input-format table" is refused.
    let (code, _, err) = with(&["--input-format", "table"]);
    assert_eq!(code, Some(2), "{err}");
}

// ---------------------------------------------------------------------------------------------
// 4. describe what the request said

#[test]
fn describe_keeps_what_the_request_said() {
    let dir = job_folder(FULL_REQUEST);
    let (out, _) = succeeds(
        dir.path(),
        &["describe", "job.toml", "--request", "req.json"],
    );
    let doc = json(&out);
    let request = json(FULL_REQUEST);
    for member in [
        "AlgorithmSpecification",
        "RoleArn",
        "HyperParameters",
        "InputDataConfig",
        "OutputDataConfig",
        "VpcConfig",
        "RetryStrategy",
        "Environment",
    ] {
        assert_eq!(doc[member], request[member], "{member}");
    }
    assert_eq!(
        doc["AlgorithmSpecification"]["TrainingInputMode"],
        "FastFile"
    );
    assert!(doc.get("Tags").is_none(), "not part of the response shape");
    // Region of the image, account of the role.
    assert_eq!(
        doc["TrainingJobArn"],
        "arn:aws:sagemaker:eu-west-1:111122223333:training-job/from-aws-trial-0"
    );
    // Model artefacts under the request's output path.
    assert_eq!(
        doc["ModelArtifacts"]["S3ModelArtifacts"],
        "s3://bucket/output/from-aws-trial-0/output/model.tar.gz"
    );
}

#[test]
fn request_members_of_the_wrong_type_exit_2_naming_them() {
    let dir = job_folder("{}");
    for (request, key) in [
        (
            r#"{"HyperParameters": {"epochs": 3}}"#,
            "HyperParameters.epochs",
        ),
        (
            r#"{"InputDataConfig": {"ChannelName": "train"}}"#,
            "InputDataConfig",
        ),
        (r#"{"VpcConfig": "vpc-1"}"#, "VpcConfig"),
    ] {
        write(dir.path(), "bad.json", request);
        let err = exits_2(
            dir.path(),
            &["describe", "job.toml", "--request", "bad.json"],
        );
        assert!(
            err.contains("bad.json") && err.contains(key),
            "{key}: {err}"
        );
    }
}

#[test]
fn a_heterogeneous_cluster_is_refused_not_simulated_as_one_default_instance() {
    // Its groups replace InstanceType and InstanceCount: ignoring them ran one ml.p3.2xlarge
    // (the scenario's default type) for a request of 2 × ml.p4d.24xlarge + 1 × ml.c5.xlarge.
    let dir = job_folder("{}");
    let groups = r#"[{"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 2, "InstanceGroupName": "gpu"},
                     {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "InstanceGroupName": "cpu"}]"#;
    write(
        dir.path(),
        "groups.json",
        &format!(
            "{{\"ResourceConfig\": {{\n  \"InstanceGroups\": {groups},\n  \"VolumeSizeInGB\": 30}}}}"
        ),
    );
    let sdk_groups = groups
        .replace("InstanceType", "instance_type")
        .replace("InstanceCount", "instance_count")
        .replace("InstanceGroupName", "instance_group_name");
    write(
        dir.path(),
        "groups-sdk.json",
        &format!("{{\"use_spot_instances\": false,\n \"instance_groups\": {sdk_groups}}}"),
    );
    for (flag, file, key) in [
        (
            "--request",
            "groups.json",
            "groups.json:2: ResourceConfig.InstanceGroups",
        ),
        (
            "--estimator",
            "groups-sdk.json",
            "groups-sdk.json:2: instance_groups",
        ),
    ] {
        for command in ["simulate", "plan", "describe", "validate"] {
            let err = exits_2(dir.path(), &[command, "job.toml", flag, file]);
            assert!(
                err.contains(key) && err.contains("heterogeneous cluster"),
                "{command} {flag}: {err}"
            );
        }
    }
}

/// A spot-then-on-demand scenario whose tight MaxWait often stops the spot job.
pub fn fallback_scenario() -> String {
    job_scenario(
        "managed_spot = true\nmax_runtime = \"10h\"\nmax_wait = \"10h\"\ncheckpoint_s3_uri = \"s3://b/c\"",
    )
    .replace("mean_uptime = \"3h\"", "mean_uptime = \"1h\"")
    .replace("mean_capacity_wait = \"10m\"", "mean_capacity_wait = \"1h\"")
    .replace("[simulation]", "[policy]\nname = \"spot-then-on-demand\"\n[simulation]")
}

#[test]
fn a_trial_that_fell_back_to_on_demand_is_described_as_two_jobs() {
    let scenario = common::parse(&fallback_scenario());
    let engine = Engine::new(&scenario);
    let fell_back = (0..200)
        .find(|&k| engine.run(k).fallback_seconds.is_some())
        .expect("a trial that fell back");
    let stayed = (0..200)
        .find(|&k| engine.run(k).fallback_seconds.is_none())
        .expect("a trial that did not");
    let (outcome, timeline) = engine.run_with_timeline(fell_back);
    let jobs = DescribeTrainingJob::for_trial(&scenario, fell_back, &outcome, &timeline);
    assert_eq!(jobs.len(), 2);
    let (spot, on_demand) = (&jobs[0].1, &jobs[1].1);
    assert_eq!(spot.secondary_status, "MaxWaitTimeExceeded");
    assert_eq!(spot.training_job_status, "Stopped");
    assert!(spot.enable_managed_spot_training);
    assert_eq!(
        spot.stopping_condition.max_wait_time_in_seconds,
        Some(36000)
    );
    assert_eq!(
        on_demand.training_job_name,
        format!("{}-on-demand", spot.training_job_name)
    );
    assert!(!on_demand.enable_managed_spot_training);
    assert_eq!(on_demand.stopping_condition.max_wait_time_in_seconds, None);
    // The second job is created when the first has stopped (MaxWait + Stopping = 10 h).
    assert_eq!(spot.training_end_time, "2026-01-01T10:00:00.000Z");
    assert_eq!(on_demand.creation_time, spot.training_end_time);
    assert_eq!(on_demand.secondary_status_transitions[0].status, "Starting");
    // Neither job's list holds the other's statuses: MaxWaitTimeExceeded ends the first only.
    let statuses = |d: &DescribeTrainingJob| -> Vec<&str> {
        d.secondary_status_transitions
            .iter()
            .map(|t| t.status)
            .collect()
    };
    assert_eq!(statuses(spot).last(), Some(&"MaxWaitTimeExceeded"));
    assert!(!statuses(on_demand).contains(&"MaxWaitTimeExceeded"));
    assert!(
        !statuses(on_demand).contains(&"Interrupted"),
        "on-demand is never reclaimed"
    );
    // Time and money add up: the jobs' training times are the trial's; the on-demand job is
    // billed in full, the spot job at the spot price (30 % of on-demand).
    let training = |d: &DescribeTrainingJob| d.training_time_in_seconds.unwrap_or(0) as f64;
    let total = training(spot) + training(on_demand);
    assert!(
        (total - outcome.training_time_seconds).abs() <= 1.0,
        "{total} vs {outcome:?}"
    );
    assert_eq!(
        on_demand.billable_time_in_seconds,
        on_demand.training_time_in_seconds
    );
    if let (Some(t), Some(b)) = (spot.training_time_in_seconds, spot.billable_time_in_seconds) {
        assert!((b as f64 - 0.3 * t as f64).abs() <= 1.0, "{b} vs 0.3 × {t}");
    }
    let billed =
        spot.billable_time_in_seconds.unwrap_or(0) + on_demand.billable_time_in_seconds.unwrap();
    let cost = billed as f64 * 37.688 / 3600.0;
    assert!(
        (cost - outcome.cost_usd).abs() <= 2.0 * 37.688 / 3600.0,
        "{cost} vs {}",
        outcome.cost_usd
    );

    // The command prints both descriptions as a JSON array, and one object for other trials.
    let dir = TempDir::new().unwrap();
    write(dir.path(), "fb.toml", &fallback_scenario());
    let trial = fell_back.to_string();
    let (out, _) = succeeds(dir.path(), &["describe", "fb.toml", "--trial", &trial]);
    let docs = json(&out);
    assert_eq!(docs.as_array().map(Vec::len), Some(2), "{docs}");
    assert_eq!(docs[1]["TrainingJobName"], on_demand.training_job_name);
    let other = stayed.to_string();
    let (_, out, _) = spotsim(dir.path(), &["describe", "fb.toml", "--trial", &other], &[]);
    assert!(json(&out).is_object());
    // The SDK log shows both jobs, each ending with its own figures.
    let (_, log, _) = spotsim(
        dir.path(),
        &[
            "describe", "fb.toml", "--trial", &trial, "--format", "sdk-log",
        ],
        &[],
    );
    assert_eq!(
        log.matches("Starting - Starting the training job").count(),
        2,
        "{log}"
    );
    assert_eq!(log.matches("Training seconds: ").count(), 2, "{log}");
    assert_eq!(
        log.matches("Managed Spot Training savings").count(),
        1,
        "{log}"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. SageMaker Python SDK spellings

/// The resolved `[job]` of `job` lines.
fn resolved_job(job: &str) -> spotsim::scenario::Job {
    common::parse(&job_scenario(job)).job
}

#[test]
fn sdk_v2_and_v3_names_mean_the_pinned_keys() {
    let pinned = resolved_job(
        "managed_spot = true\nmax_runtime = 3600\nmax_wait = 7200\ncheckpoint_s3_uri = \"s3://b/c\"\ncheckpoint_local_path = \"/opt/ml/ckpt\"\nmax_retry_attempts = 2\nvolume_size_gb = 50",
    );
    let v2 = resolved_job(
        "use_spot_instances = true\nmax_run = 3600\nmax_wait = 7200\ncheckpoint_s3_uri = \"s3://b/c\"\ncheckpoint_local_path = \"/opt/ml/ckpt\"\nmax_retry_attempts = 2\nvolume_size = 50",
    );
    let v3 = resolved_job(
        "enable_managed_spot_training = true\nmax_runtime_in_seconds = 3600\nmax_wait_time_in_seconds = 7200\ns3_uri = \"s3://b/c\"\nlocal_path = \"/opt/ml/ckpt\"\nmaximum_retry_attempts = 2\nvolume_size_in_gb = 50",
    );
    assert_eq!(pinned, v2);
    assert_eq!(pinned, v3);
    // v3's max_pending_time_in_seconds: echoed in StoppingCondition, said not to be simulated.
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "v3.toml",
        &job_scenario(
            "enable_managed_spot_training = true\nmax_runtime_in_seconds = 3600\nmax_wait_time_in_seconds = 7200\nmax_pending_time_in_seconds = 7200",
        ),
    );
    let (out, err) = succeeds(dir.path(), &["describe", "v3.toml"]);
    assert_eq!(
        json(&out)["StoppingCondition"]["MaxPendingTimeInSeconds"],
        7200
    );
    assert!(
        err.contains("max_pending_time") && err.contains("not simulated"),
        "{err}"
    );
    let (_, resolved, _) = spotsim(dir.path(), &["validate", "v3.toml"], &[]);
    assert!(resolved.contains("max_pending_time = 7200"), "{resolved}");
    write(
        dir.path(),
        "bad.toml",
        &job_scenario("max_pending_time_in_seconds = 60"),
    );
    let err = exits_2(dir.path(), &["validate", "bad.toml"]);
    assert!(
        err.contains("bad.toml:3: [job] max_pending_time") && err.contains("1800"),
        "{err}"
    );
}

pub const ESTIMATOR: &str = r#"{
  "image_uri": "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1-gpu-py310",
  "role": "arn:aws:iam::444455556666:role/SageMakerRole",
  "instance_type": "ml.g5.xlarge",
  "instance_count": 2,
  "volume_size": 50,
  "use_spot_instances": true,
  "max_run": 36000,
  "max_wait": 72000,
  "checkpoint_s3_uri": "s3://bucket/ckpt",
  "max_retry_attempts": 3,
  "output_path": "s3://bucket/out",
  "hyperparameters": {"epochs": 3, "lr": 0.0001, "model": "bert"},
  "entry_point": "train.py",
  "framework_version": "2.1",
  "use_spot_instance": true
}"#;

#[test]
fn estimator_arguments_become_the_job() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "estimator.json", ESTIMATOR);
    write(dir.path(), "job.toml", &job_scenario(""));
    write(
        dir.path(),
        "inline.toml",
        &job_scenario("sdk = \"estimator.json\""),
    );
    let (flag, err) = succeeds(
        dir.path(),
        &["describe", "job.toml", "--estimator", "estimator.json"],
    );
    // The typo is named with the argument it meant.
    assert!(
        err.contains("estimator.json:16: \"use_spot_instance\" is not an Estimator argument spotsim knows (did you mean use_spot_instances?)"),
        "{err}"
    );
    let (inline, _) = succeeds(dir.path(), &["describe", "inline.toml"]);
    assert_eq!(json(&flag), json(&inline));
    let doc = json(&flag);
    assert_eq!(doc["ResourceConfig"]["InstanceType"], "ml.g5.xlarge");
    assert_eq!(doc["ResourceConfig"]["InstanceCount"], 2);
    assert_eq!(doc["ResourceConfig"]["VolumeSizeInGB"], 50);
    assert_eq!(doc["EnableManagedSpotTraining"], true);
    assert_eq!(doc["StoppingCondition"]["MaxRuntimeInSeconds"], 36000);
    assert_eq!(doc["StoppingCondition"]["MaxWaitTimeInSeconds"], 72000);
    assert_eq!(doc["CheckpointConfig"]["S3Uri"], "s3://bucket/ckpt");
    assert_eq!(doc["RetryStrategy"]["MaximumRetryAttempts"], 3);
    assert_eq!(
        doc["RoleArn"],
        "arn:aws:iam::444455556666:role/SageMakerRole"
    );
    // The SDK sends hyperparameters as strings.
    assert_eq!(doc["HyperParameters"]["epochs"], "3");
    assert_eq!(doc["HyperParameters"]["lr"], "0.0001");
    assert_eq!(doc["HyperParameters"]["model"], "bert");
    assert_eq!(
        doc["TrainingJobArn"],
        "arn:aws:sagemaker:us-west-2:444455556666:training-job/from-aws-trial-0"
    );
    // A value the scenario also gives must agree, naming both.
    write(
        dir.path(),
        "clash.toml",
        &job_scenario("max_runtime = \"2h\""),
    );
    let err = exits_2(
        dir.path(),
        &["validate", "clash.toml", "--estimator", "estimator.json"],
    );
    assert!(
        err.contains("max_run = 36000 contradicts") && err.contains("max_runtime = 2h"),
        "{err}"
    );
    // A built-in algorithm that cannot checkpoint: the service's one-hour rule.
    write(
        dir.path(),
        "kmeans.json",
        r#"{"image_uri": "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1",
            "use_spot_instances": true, "max_run": 1800, "max_wait": 7200}"#,
    );
    let err = exits_2(
        dir.path(),
        &["validate", "job.toml", "--estimator", "kmeans.json"],
    );
    assert!(
        err.contains("kmeans.json") && err.contains("limited to 60 minutes"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. configurations users get wrong

/// stderr of `validate` on `text`.
fn warnings_of(text: &str) -> String {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "s.toml", text);
    let (_, err) = succeeds(dir.path(), &["validate", "s.toml"]);
    err
}

#[test]
fn configurations_users_get_wrong_are_warned_about() {
    let spot = "use_spot_instances = true\nmax_run = \"8h\"\ncheckpoint_s3_uri = \"s3://b/c\"";
    // max_wait == max_run with capacity waits in the market: no wait budget.
    let err = warnings_of(&job_scenario(&format!("{spot}\nmax_wait = \"8h\"")));
    assert!(err.contains("max_wait equals max_runtime"), "{err}");
    let err = warnings_of(&job_scenario(&format!("{spot}\nmax_wait = \"9h\"")));
    assert!(!err.contains("max_wait equals"), "{err}");
    // No capacity wait in the market: nothing to wait for, no warning.
    let err = warnings_of(
        &job_scenario(&format!("{spot}\nmax_wait = \"8h\"")).replace(
            "mean_capacity_wait = \"10m\"",
            "mean_capacity_wait = \"0s\"",
        ),
    );
    assert!(!err.contains("max_wait equals"), "{err}");
    // Managed spot without checkpoint_s3_uri on a 6 h job in a 3 h market.
    let no_s3 = "use_spot_instances = true\nmax_run = \"8h\"\nmax_wait = \"12h\"";
    let text =
        job_scenario(no_s3).replace("interval = \"30m\"\nwrite = \"1m\"", "policy = \"none\"");
    let err = warnings_of(&text);
    assert!(
        err.contains("without checkpoint_s3_uri") && err.contains("6.0 h"),
        "{err}"
    );
    assert!(
        !warnings_of(&text.replace("training = \"6h\"", "training = \"2h\""))
            .contains("without checkpoint_s3_uri")
    );
    // A built-in algorithm that cannot checkpoint.
    let text = job_scenario(
        "use_spot_instances = true\nmax_run = 1800\nmax_wait = 3600\nalgorithm_checkpoints = false",
    )
    .replace("interval = \"30m\"\nwrite = \"1m\"", "policy = \"none\"");
    let err = warnings_of(&text);
    assert!(err.contains("cannot checkpoint"), "{err}");
}

#[test]
fn the_embedded_default_scenario_raises_none_of_these_warnings() {
    let (code, _, err) = spotsim(Path::new("."), &["validate"], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
    // And `validate` with no scenario shows what every command without one inherits.
    let scenario = Scenario::embedded_default();
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
}

// ---------------------------------------------------------------------------------------------
// `aws ec2 describe-spot-price-history` output

#[test]
fn spot_price_history_output_prices_the_job_and_its_end_is_stated() {
    let history =
        common::shared_data().join("aws-examples/describe-spot-price-history.aws-cli-example.json");
    let scenario = format!(
        r#"start_time = "2014-01-06T05:00:00Z"
[job]
instance_type = "ml.m1.xlarge"
managed_spot = true
max_runtime = "2h"
max_wait = "4h"
[workload]
training = "1h"
[market]
model = "windows"
available = [["0s", "100h"]]
[pricing]
on_demand_per_hour = 0.35
spot_price_history = "{}"
availability_zone = "us-west-1a"
"#,
        history.display()
    );
    let dir = TempDir::new().unwrap();
    write(dir.path(), "s.toml", &scenario);
    let (out, err) = succeeds(
        dir.path(),
        &["simulate", "s.toml", "--trials", "10", "--format", "json"],
    );
    // us-west-1a's one entry: $0.08/h from 04:32:53, before CreationTime; one held hour.
    let summary = json(&out);
    let cost = summary["metrics"]["cost_usd"]["mean"].as_f64().unwrap();
    assert!((cost - 0.08).abs() < 1e-9, "{cost}");
    let billable = summary["metrics"]["billable_time_seconds"]["mean"]
        .as_f64()
        .unwrap();
    assert!((billable - 3600.0 * 0.08 / 0.35).abs() < 1e-9, "{billable}");
    assert!(
        err.contains("ends with $0.08/h from 2014-01-06T04:32:53.000Z")
            && err.contains("assumed until the job ends"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// README, "From what you already have"

/// The fenced blocks of `language` in the section of README.md titled `title`.
fn readme_blocks(title: &str, language: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let heading = format!("\n## {title}\n");
    let start = readme.find(&heading).expect("the section exists") + heading.len();
    let section = &readme[start..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let fence = format!("```{language}\n");
    section
        .split(&fence)
        .skip(1)
        .map(|block| block.split("\n```").next().unwrap_or_default().to_string() + "\n")
        .collect()
}

#[test]
fn from_what_you_already_have_runs_as_written_from_the_repository_root() {
    // Every shell block of the section, as a new user pastes it into a shell at the root of the
    // checkout: `cargo run --release --` is the spotsim under test, and the inputs are the
    // examples shipped in scenarios/from-aws/ (the aws CLI call that makes a price history is
    // a `text` block: it needs an AWS account).
    let blocks = readme_blocks("From what you already have", "sh");
    let commands: usize = blocks
        .iter()
        .map(|b| b.matches("cargo run --release --").count())
        .sum();
    assert!(commands >= 6, "{commands} commands in {blocks:?}");
    let spotsim = env!("CARGO_BIN_EXE_spotsim");
    for block in &blocks {
        assert!(
            !block.contains("spotsim "),
            "spotsim is not on PATH: {block}"
        );
        let script = block.replace("cargo run --release --", &format!("'{spotsim}'"));
        let output = std::process::Command::new("sh")
            .args(["-ec", &script])
            .current_dir(common::root())
            .env_remove("SPOTSIM_DATA")
            .env_remove("SPOTSIM_SHARED_DATA")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{block}: {err}");
        assert!(!err.contains("Error"), "{block}: {err}");
        assert!(!output.stdout.is_empty(), "{block}");
    }
    // Every TOML line the section shows is in one of the example files.
    let folder = common::root().join("scenarios/from-aws");
    let uncommented = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split(" #").next().unwrap_or(l).trim().to_string())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    };
    let shipped: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    for block in readme_blocks("From what you already have", "toml") {
        toml::from_str::<toml::Table>(&block).unwrap_or_else(|e| panic!("{e}: {block}"));
        let lines = uncommented(&block);
        assert!(
            shipped.iter().any(|file| {
                let file = uncommented(file);
                lines.iter().all(|l| file.contains(l))
            }),
            "no file of scenarios/from-aws/ says {lines:?}"
        );
    }
}

#[test]
fn a_job_source_that_says_nothing_spotsim_reads_is_refused_naming_what_it_holds() {
    let dir = job_folder("{}");
    // A partial or a DescribeTrainingJob document given as a request: every value of the job
    // would be a default nobody wrote.
    write(
        dir.path(),
        "partial.json",
        r#"{"format": 3, "trials": 100, "seed": 7}"#,
    );
    let err = exits_2(
        dir.path(),
        &["simulate", "job.toml", "--request", "partial.json"],
    );
    assert!(
        err.contains("partial.json")
            && err.contains("expected a CreateTrainingJob request")
            && err.contains(r#"it has "format", "seed", "trials""#),
        "{err}"
    );
    // An empty request says so.
    let err = exits_2(
        dir.path(),
        &["simulate", "job.toml", "--request", "req.json"],
    );
    assert!(
        err.contains("req.json") && err.contains("it is empty"),
        "{err}"
    );
    // SDK arguments given as a request, and a request given as SDK arguments: named.
    write(
        dir.path(),
        "sdk.json",
        r#"{"instance_type": "ml.p3.2xlarge", "max_run": 3600}"#,
    );
    write(
        dir.path(),
        "create.json",
        r#"{"ResourceConfig": {"InstanceType": "ml.p3.2xlarge"}}"#,
    );
    let err = exits_2(
        dir.path(),
        &["simulate", "job.toml", "--request", "sdk.json"],
    );
    // The remedy names the command line's option beside the scenario key.
    assert!(
        err.contains(
            "it looks like SDK Estimator(...) arguments: give them with --estimator or [job] sdk"
        ),
        "{err}"
    );
    let err = exits_2(
        dir.path(),
        &["simulate", "job.toml", "--estimator", "create.json"],
    );
    assert!(
        err.contains("expected SDK estimator arguments")
            && err.contains(
                "it looks like a CreateTrainingJob body: give it with --request or [job] request"
            ),
        "{err}"
    );
}

#[test]
fn a_job_source_on_another_instance_type_than_the_default_is_told_how_to_pass_a_scenario() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "g5.json",
        r#"{"ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 2},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200},
            "EnableManagedSpotTraining": true}"#,
    );
    write(
        dir.path(),
        "g5-sdk.json",
        r#"{"instance_type": "ml.g5.xlarge", "instance_count": 2, "use_spot_instances": true,
            "max_run": 3600, "max_wait": 7200}"#,
    );
    for (option, file) in [("--request", "g5.json"), ("--estimator", "g5-sdk.json")] {
        let err = exits_2(dir.path(), &["simulate", option, file]);
        for words in [
            "<embedded default>",
            "[pricing] on_demand_per_hour",
            &format!(
                "{file} runs 2 × ml.g5.xlarge, but the embedded default scenario's price is for ml.p3.2xlarge"
            ),
            &format!(
                "write them for this job in a scenario and pass it, e.g. `spotsim simulate job.toml {option} {file}` with job.toml holding [workload] training = \"12h\""
            ),
            "<the ml.g5.xlarge price per instance-hour>",
        ] {
            assert!(err.contains(words), "{words}: {err}");
        }
    }
}

/// `--per-trial` shows the on-demand fallback: when it started and how long it ran, and the
/// on-demand part of the cost. A trial that fell back started its fallback job at MaxWait
/// (10 h, where the spot job stopped) and spent the rest of its wall clock on it.
#[test]
fn per_trial_rows_show_the_fallback_time() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("fallback.toml");
    std::fs::write(&scenario, fallback_scenario()).unwrap();
    let rows = dir.path().join("rows.csv");
    assert_cmd::cargo::cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(&scenario)
        .args(["--trials", "200", "--seed", "3", "--quiet", "--per-trial"])
        .arg(&rows)
        .assert()
        .success();
    let parsed = common::parse(&fallback_scenario());
    let engine = Engine::new(&parsed).with_seed(3);
    let mut reader = csv::Reader::from_path(&rows).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut fell_back = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(&record[at("seed")], "3");
        let k: u64 = record[at("trial")].parse().unwrap();
        let outcome = engine.run(k);
        let wall: f64 = record[at("wall_clock_seconds")].parse().unwrap();
        let duration: f64 = record[at("fallback_seconds")].parse().unwrap();
        let on_demand: f64 = record[at("on_demand_cost_usd")].parse().unwrap();
        assert_eq!(on_demand, outcome.on_demand_cost_usd);
        match outcome.fallback_seconds {
            Some(start) => {
                fell_back += 1;
                assert_eq!(
                    record[at("fallback_start_seconds")].parse::<f64>().unwrap(),
                    start
                );
                assert_eq!(start, 36_000.0, "the fallback job is created at MaxWait");
                assert_eq!(duration, wall - start);
                assert!(duration > 0.0 && on_demand > 0.0);
            }
            None => {
                assert_eq!(&record[at("fallback_start_seconds")], "");
                assert_eq!(duration, 0.0);
            }
        }
    }
    assert!(fell_back > 0, "some trials fell back");
}
