//! DescribeTrainingJob output for one simulated trial, with AWS's field names, so that tools
//! written for boto3 read it unchanged.

use crate::engine::{Outcome, Timeline, TrialOutcome};
use crate::sagemaker::status::FAILURE_REASON_INTERNAL_ERROR;
use crate::sagemaker::time::{format_utc_millis, offset_millis};
use crate::scenario::Scenario;
use serde::Serialize;

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

/// `AlgorithmSpecification` (required by the response shape).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AlgorithmSpecification {
    /// `TrainingInputMode`.
    pub training_input_mode: &'static str,
}

/// `ModelArtifacts` (required by the response shape).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ModelArtifacts {
    /// `S3ModelArtifacts`.
    pub s3_model_artifacts: String,
}

/// A DescribeTrainingJob response for one trial.
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
    /// `AlgorithmSpecification`.
    pub algorithm_specification: AlgorithmSpecification,
    /// `ResourceConfig`.
    pub resource_config: ResourceConfig,
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
    /// `FailureReason` (only when `TrainingJobStatus` is `Failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
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

impl DescribeTrainingJob {
    /// The response for trial `trial` of `scenario`, from its outcome and timeline.
    pub fn new(
        scenario: &Scenario,
        trial: u64,
        outcome: &TrialOutcome,
        timeline: &Timeline,
    ) -> Self {
        let origin = scenario.start_time_millis;
        let at = |seconds: f64| format_utc_millis(offset_millis(origin, seconds));
        let name = training_job_name(&scenario.name, trial);
        let last = timeline
            .transitions
            .last()
            .map(|t| t.status)
            .unwrap_or(outcome.outcome.status());
        let end = at(outcome.wall_clock_seconds);
        let job = &scenario.job;
        Self {
            training_job_arn: format!(
                "arn:aws:sagemaker:us-east-1:123456789012:training-job/{}",
                name.to_lowercase()
            ),
            model_artifacts: ModelArtifacts {
                s3_model_artifacts: format!("s3://spotsim-output/{name}/output/model.tar.gz"),
            },
            training_job_name: name,
            training_job_status: last.primary().as_str(),
            secondary_status: last.as_str(),
            algorithm_specification: AlgorithmSpecification {
                training_input_mode: "File",
            },
            resource_config: ResourceConfig {
                instance_type: job.instance_type.clone(),
                instance_count: job.instance_count,
                volume_size_in_gb: job.volume_size_gb,
            },
            stopping_condition: StoppingCondition {
                max_runtime_in_seconds: job.max_runtime_seconds as u64,
                max_wait_time_in_seconds: job.max_wait_seconds.map(|w| w as u64),
            },
            creation_time: at(0.0),
            training_start_time: outcome.training_start_seconds.map(at),
            training_end_time: end.clone(),
            last_modified_time: end,
            secondary_status_transitions: timeline
                .transitions
                .iter()
                .map(|t| StatusTransition {
                    status: t.status.as_str(),
                    start_time: at(t.start_seconds),
                    end_time: at(t.end_seconds),
                    status_message: t.message,
                })
                .collect(),
            enable_managed_spot_training: job.managed_spot,
            checkpoint_config: job.checkpoint_s3_uri.as_ref().map(|uri| CheckpointConfig {
                s3_uri: uri.clone(),
                local_path: job.checkpoint_local_path.clone(),
            }),
            training_time_in_seconds: outcome.training_time_in_seconds(),
            billable_time_in_seconds: outcome.billable_time_in_seconds(),
            failure_reason: (outcome.outcome == Outcome::Failed)
                .then(|| FAILURE_REASON_INTERNAL_ERROR.to_string()),
        }
    }
}
