//! DescribeTrainingJob output for one simulated trial, with AWS's field names, so that tools
//! written for boto3 read it unchanged.
//!
//! What the job's request said and the simulation does not model (image and input mode, role,
//! hyperparameters, channels, output path, VPC, …) is echoed as the request wrote it; the ARN
//! carries the region of the training image and the account of the role
//! ([`crate::scenario::echo`]). A `spot-then-on-demand` trial that fell back creates two jobs
//! (reference §9): [`DescribeTrainingJob::for_trial`] describes each on its own.

use crate::engine::{HeldPeriod, Outcome, Timeline, Transition, TrialOutcome};
use crate::sagemaker::billing::reported_seconds;
use crate::sagemaker::status::{FAILURE_REASON_INTERNAL_ERROR, SecondaryStatus};
use crate::sagemaker::time::{format_utc_millis, offset_millis};
use crate::scenario::Scenario;
use crate::scenario::echo::{DEFAULT_ACCOUNT, DEFAULT_REGION};
use serde::Serialize;
use serde_json::{Map, Value};

/// One `SecondaryStatusTransitions` entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct StatusTransition {
    /// The status.
    pub status: &'static str,
    /// When it was entered.
    pub start_time: String,
    /// When it was left.
    pub end_time: String,
    /// What AWS prints for it.
    pub status_message: &'static str,
}

/// `StoppingCondition`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct StoppingCondition {
    /// `MaxRuntimeInSeconds`.
    pub max_runtime_in_seconds: u64,
    /// `MaxWaitTimeInSeconds` (spot only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_wait_time_in_seconds: Option<u64>,
    /// `MaxPendingTimeInSeconds` (as the job gave it; not simulated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_pending_time_in_seconds: Option<u64>,
}

/// `CheckpointConfig`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct CheckpointConfig {
    /// `S3Uri`.
    pub s3_uri: String,
    /// `LocalPath`.
    pub local_path: String,
}

/// `ResourceConfig`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceConfig {
    /// `InstanceType`.
    pub instance_type: String,
    /// `InstanceCount`.
    pub instance_count: u32,
    /// `VolumeSizeInGB`.
    #[serde(rename = "VolumeSizeInGB")]
    pub volume_size_in_gb: u32,
}

/// `ModelArtifacts` (required by the response shape).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ModelArtifacts {
    /// `S3ModelArtifacts`.
    pub s3_model_artifacts: String,
}

/// `RetryStrategy`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RetryStrategy {
    /// `MaximumRetryAttempts`.
    pub maximum_retry_attempts: u32,
}

/// A DescribeTrainingJob response for one training job of a trial.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTrainingJob {
    /// `TrainingJobName`.
    pub training_job_name: String,
    /// `TrainingJobArn`.
    pub training_job_arn: String,
    /// `ModelArtifacts`.
    pub model_artifacts: ModelArtifacts,
    /// `TrainingJobStatus`.
    pub training_job_status: &'static str,
    /// `SecondaryStatus`.
    pub secondary_status: &'static str,
    /// `HyperParameters`, as the request gave them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hyper_parameters: Option<Value>,
    /// `AlgorithmSpecification`: the request's, or `{"TrainingInputMode": "File"}`.
    pub algorithm_specification: Value,
    /// `RoleArn`, as the request gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<Value>,
    /// `InputDataConfig`, as the request gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_data_config: Option<Value>,
    /// `OutputDataConfig`, as the request gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_data_config: Option<Value>,
    /// `ResourceConfig`.
    pub resource_config: ResourceConfig,
    /// `VpcConfig`, as the request gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<Value>,
    /// `StoppingCondition`.
    pub stopping_condition: StoppingCondition,
    /// `CreationTime`.
    pub creation_time: String,
    /// `TrainingStartTime` (absent when no instance was ever held).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training_start_time: Option<String>,
    /// `TrainingEndTime`.
    pub training_end_time: String,
    /// `LastModifiedTime`.
    pub last_modified_time: String,
    /// `SecondaryStatusTransitions`.
    pub secondary_status_transitions: Vec<StatusTransition>,
    /// `EnableManagedSpotTraining`.
    pub enable_managed_spot_training: bool,
    /// `CheckpointConfig`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_config: Option<CheckpointConfig>,
    /// `TrainingTimeInSeconds` (absent when no instance was ever held).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training_time_in_seconds: Option<u64>,
    /// `BillableTimeInSeconds` (absent when no instance was ever held).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billable_time_in_seconds: Option<u64>,
    /// `RetryStrategy` (when the job has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_strategy: Option<RetryStrategy>,
    /// `FailureReason` (only when `TrainingJobStatus` is `Failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// The request's other echoed members (`Environment`, `EnableNetworkIsolation`, …).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A training-job name AWS accepts (`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`) for trial `trial`.
pub fn training_job_name(scenario_name: &str, trial: u64) -> String {
    let suffix = format!("-trial-{trial}");
    let mut base: String = scenario_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    base = base.trim_matches('-').to_string();
    if base.is_empty() {
        base = "spotsim".to_string();
    }
    base.truncate(63 - suffix.len());
    let base = base.trim_end_matches('-');
    format!("{base}{suffix}")
}

/// The suffix of the on-demand job a `spot-then-on-demand` trial creates after MaxWait.
pub const FALLBACK_SUFFIX: &str = "-on-demand";

/// The name of the on-demand job created after the spot job `first`: `first` + `-on-demand`,
/// shortened to AWS's 63 characters.
pub fn fallback_job_name(first: &str) -> String {
    let keep = first.len().min(63 - FALLBACK_SUFFIX.len());
    format!("{}{FALLBACK_SUFFIX}", first[..keep].trim_end_matches('-'))
}

/// One training job of a trial, as the engine's timeline saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Its CreationTime, seconds since the trial's first job's.
    pub created_seconds: f64,
    /// Its end (terminal status), seconds since the first job's CreationTime.
    pub end_seconds: f64,
    /// Whether it ran on managed spot.
    pub managed_spot: bool,
    /// Its status entries.
    pub timeline: Timeline,
    /// Its terminal outcome.
    pub outcome: Outcome,
    /// Start of its first Downloading.
    pub training_start_seconds: Option<f64>,
    /// `TrainingTimeInSeconds` as reported.
    pub training_time_in_seconds: Option<u64>,
    /// `BillableTimeInSeconds` as reported.
    pub billable_time_in_seconds: Option<u64>,
}

/// The training jobs of one trial: one, or two when `spot-then-on-demand` created an on-demand
/// job after MaxWait stopped the spot job (reference §9). Each job gets its own transitions,
/// TrainingTime and BillableTime.
pub fn job_records(
    scenario: &Scenario,
    outcome: &TrialOutcome,
    timeline: &Timeline,
) -> Vec<JobRecord> {
    let single = || JobRecord {
        created_seconds: 0.0,
        end_seconds: outcome.wall_clock_seconds,
        managed_spot: scenario.job.managed_spot,
        timeline: timeline.clone(),
        outcome: outcome.outcome,
        training_start_seconds: outcome.training_start_seconds,
        training_time_in_seconds: outcome.training_time_in_seconds(),
        billable_time_in_seconds: outcome.billable_time_in_seconds(),
    };
    let Some(fallback) = outcome.fallback_seconds else {
        return vec![single()];
    };
    // The spot job ends with its MaxWaitTimeExceeded entry, at the instant the second job is
    // created.
    let Some(cut) = timeline
        .transitions
        .iter()
        .position(|t| t.status == SecondaryStatus::MaxWaitTimeExceeded)
    else {
        return vec![single()];
    };
    let on_demand = scenario.pricing.on_demand_per_hour;
    let part = |transitions: &[Transition], first: bool, created: f64, end: f64, out: Outcome| {
        let held: Vec<HeldPeriod> = timeline
            .held
            .iter()
            .filter(|h| (h.from_seconds < fallback) == first)
            .copied()
            .collect();
        let instance_held = !held.is_empty();
        let training: f64 = held.iter().map(|h| h.to_seconds - h.from_seconds).sum();
        let billable: f64 = held.iter().map(|h| h.price_seconds).sum::<f64>() / on_demand;
        JobRecord {
            created_seconds: created,
            end_seconds: end,
            managed_spot: first && scenario.job.managed_spot,
            timeline: Timeline {
                transitions: transitions.to_vec(),
                held: held.clone(),
            },
            outcome: out,
            training_start_seconds: transitions
                .iter()
                .find(|t| t.status == SecondaryStatus::Downloading)
                .map(|t| t.start_seconds),
            training_time_in_seconds: reported_seconds(training, instance_held),
            billable_time_in_seconds: reported_seconds(billable, instance_held),
        }
    };
    let (spot, rest) = timeline.transitions.split_at(cut + 1);
    vec![
        part(spot, true, 0.0, fallback, Outcome::MaxWaitTimeExceeded),
        part(
            rest,
            false,
            fallback,
            outcome.wall_clock_seconds,
            outcome.outcome,
        ),
    ]
}

impl DescribeTrainingJob {
    /// The response for trial `trial` of `scenario`, from its outcome and timeline (the first
    /// job's, when the trial created two: see [`DescribeTrainingJob::for_trial`]).
    pub fn new(
        scenario: &Scenario,
        trial: u64,
        outcome: &TrialOutcome,
        timeline: &Timeline,
    ) -> Self {
        let name = training_job_name(&scenario.name, trial);
        let first = job_records(scenario, outcome, timeline).swap_remove(0);
        Self::for_job(scenario, name, &first)
    }

    /// One response per training job of trial `trial` (two when `spot-then-on-demand` fell
    /// back to on-demand after MaxWait; the second is named after the first).
    pub fn for_trial(
        scenario: &Scenario,
        trial: u64,
        outcome: &TrialOutcome,
        timeline: &Timeline,
    ) -> Vec<(JobRecord, Self)> {
        let first_name = training_job_name(&scenario.name, trial);
        job_records(scenario, outcome, timeline)
            .into_iter()
            .enumerate()
            .map(|(i, record)| {
                let name = if i == 0 {
                    first_name.clone()
                } else {
                    fallback_job_name(&first_name)
                };
                let describe = Self::for_job(scenario, name, &record);
                (record, describe)
            })
            .collect()
    }

    /// The response for one job of a trial.
    pub fn for_job(scenario: &Scenario, name: String, record: &JobRecord) -> Self {
        let origin = scenario.start_time_millis;
        let at = |seconds: f64| format_utc_millis(offset_millis(origin, seconds));
        let last = record
            .timeline
            .transitions
            .last()
            .map(|t| t.status)
            .unwrap_or(record.outcome.status());
        let end = at(record.end_seconds);
        let job = &scenario.job;
        let echo = &job.echo;
        let mut other = Map::new();
        for (key, value) in &echo.members {
            if !DESCRIBED_MEMBERS.contains(&key.as_str()) {
                other.insert(key.clone(), value.clone());
            }
        }
        let member = |key: &str| echo.get(key).cloned();
        let arn = format!(
            "arn:{}:sagemaker:{}:{}:training-job/{}",
            echo.partition().unwrap_or_else(|| "aws".into()),
            echo.region().unwrap_or_else(|| DEFAULT_REGION.into()),
            echo.account().unwrap_or_else(|| DEFAULT_ACCOUNT.into()),
            name.to_lowercase()
        );
        // SageMaker writes model artefacts to <S3OutputPath>/<job name>/output/model.tar.gz.
        let output = echo
            .s3_output_path()
            .map_or("s3://spotsim-output", |p| p.trim_end_matches('/'));
        Self {
            training_job_arn: arn,
            model_artifacts: ModelArtifacts {
                s3_model_artifacts: format!("{output}/{name}/output/model.tar.gz"),
            },
            training_job_name: name,
            training_job_status: last.primary().as_str(),
            secondary_status: last.as_str(),
            hyper_parameters: member("HyperParameters"),
            algorithm_specification: member("AlgorithmSpecification")
                .unwrap_or_else(|| serde_json::json!({ "TrainingInputMode": "File" })),
            role_arn: member("RoleArn"),
            input_data_config: member("InputDataConfig"),
            output_data_config: member("OutputDataConfig"),
            resource_config: ResourceConfig {
                instance_type: job.instance_type.clone(),
                instance_count: job.instance_count,
                volume_size_in_gb: job.volume_size_gb,
            },
            vpc_config: member("VpcConfig"),
            stopping_condition: StoppingCondition {
                max_runtime_in_seconds: job.max_runtime_seconds as u64,
                max_wait_time_in_seconds: job
                    .max_wait_seconds
                    .filter(|_| record.managed_spot)
                    .map(|w| w as u64),
                max_pending_time_in_seconds: job.max_pending_time_seconds.map(|p| p as u64),
            },
            creation_time: at(record.created_seconds),
            training_start_time: record.training_start_seconds.map(at),
            training_end_time: end.clone(),
            last_modified_time: end,
            secondary_status_transitions: record
                .timeline
                .transitions
                .iter()
                .map(|t| StatusTransition {
                    status: t.status.as_str(),
                    start_time: at(t.start_seconds),
                    end_time: at(t.end_seconds),
                    status_message: t.message,
                })
                .collect(),
            enable_managed_spot_training: record.managed_spot,
            checkpoint_config: job.checkpoint_s3_uri.as_ref().map(|uri| CheckpointConfig {
                s3_uri: uri.clone(),
                local_path: job.checkpoint_local_path.clone(),
            }),
            training_time_in_seconds: record.training_time_in_seconds,
            billable_time_in_seconds: record.billable_time_in_seconds,
            retry_strategy: (job.max_retry_attempts > 0).then_some(RetryStrategy {
                maximum_retry_attempts: job.max_retry_attempts,
            }),
            failure_reason: (record.outcome == Outcome::Failed)
                .then(|| FAILURE_REASON_INTERNAL_ERROR.to_string()),
            other,
        }
    }
}

/// Echoed members with a field of their own in [`DescribeTrainingJob`].
const DESCRIBED_MEMBERS: &[&str] = &[
    "HyperParameters",
    "AlgorithmSpecification",
    "RoleArn",
    "InputDataConfig",
    "OutputDataConfig",
    "VpcConfig",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_job_is_named_after_the_first_within_63_characters() {
        assert_eq!(fallback_job_name("bert-trial-7"), "bert-trial-7-on-demand");
        let long = training_job_name(&"x".repeat(80), 12);
        assert_eq!(long.len(), 63);
        let second = fallback_job_name(&long);
        assert_eq!(second.len(), 63);
        assert!(second.ends_with("-on-demand"));
    }
}
