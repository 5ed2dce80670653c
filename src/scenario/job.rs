//! `[job]` and `[workload]`: the CreateTrainingJob request checked with the service's
//! creation-time rules (reference §5), and the phase durations of the job on its instances.

use super::model::{
    DEFAULT_MAX_RUNTIME_SECONDS, Job, MAX_RUNTIME_LIMIT_SECONDS, MAX_WAIT_LIMIT_SECONDS,
    NON_CHECKPOINTING_MAX_WAIT_SECONDS, Workload,
};
use super::{Resolver, raw, request};
use crate::error::{InputError, excerpt};
use crate::units::duration;
use crate::units::keys::locate;

/// The longest deadline spotsim accepts: the longest MaxWait it simulates plus a fallback
/// on-demand job's longest MaxRuntime (a deadline beyond can never bind).
pub const MAX_DEADLINE_SECONDS: f64 = MAX_WAIT_LIMIT_SECONDS + MAX_RUNTIME_LIMIT_SECONDS;

/// Checks a deadline (`[job] deadline`, `--deadline`): whole seconds in
/// (0, [`MAX_DEADLINE_SECONDS`]], so that it is reported as the integer it was given.
pub fn check_deadline_seconds(seconds: f64) -> Result<f64, String> {
    if !(seconds > 0.0 && seconds <= MAX_DEADLINE_SECONDS) {
        return Err(format!(
            "expected a deadline after CreationTime of at most {} days (e.g. \"48h\"), got {seconds} s",
            MAX_DEADLINE_SECONDS / 86_400.0
        ));
    }
    if seconds.fract() != 0.0 {
        return Err(format!(
            "expected a deadline of whole seconds, got {seconds} s"
        ));
    }
    Ok(seconds)
}

impl Resolver<'_> {
    pub(super) fn job(&self, raw: &raw::RawJob) -> Result<Job, InputError> {
        const MAX_WAIT: &[&str] = &["max_wait", "max_wait_time_in_seconds"];
        const MAX_RUNTIME: &[&str] = &["max_runtime", "max_runtime_in_seconds", "max_run"];
        let instance_type = raw
            .instance_type
            .clone()
            .unwrap_or_else(|| "ml.p3.2xlarge".to_string());
        if !instance_type.starts_with("ml.") || instance_type.len() < 5 {
            return Err(self.error(
                "job",
                &["instance_type"],
                format!(
                    "expected a SageMaker instance type such as {}, got {}",
                    excerpt(&format!(
                        "ml.{}",
                        if instance_type.is_empty()
                            || instance_type.len() > crate::error::EXCERPT_CHARS
                        {
                            "p3.2xlarge"
                        } else {
                            instance_type.as_str()
                        }
                    )),
                    excerpt(&instance_type)
                ),
            ));
        }
        let instance_count = raw.instance_count.unwrap_or(1);
        if !(1..=10_000).contains(&instance_count) {
            return Err(self.error(
                "job",
                &["instance_count"],
                format!("InstanceCount must be between 1 and 10000, got {instance_count}"),
            ));
        }
        let volume_size_gb = raw.volume_size_gb.unwrap_or(30);
        if !(1..=16_384).contains(&volume_size_gb) {
            return Err(self.error(
                "job",
                &["volume_size_gb"],
                format!("VolumeSizeInGB must be between 1 and 16384, got {volume_size_gb}"),
            ));
        }
        let managed_spot = raw.managed_spot.unwrap_or(false);
        let max_runtime_seconds = raw.max_runtime.map_or(DEFAULT_MAX_RUNTIME_SECONDS, |s| s.0);
        self.whole_seconds(MAX_RUNTIME, "MaxRuntimeInSeconds", max_runtime_seconds)?;
        // Rule 4: 1 … 28 days.
        if !(1.0..=MAX_RUNTIME_LIMIT_SECONDS).contains(&max_runtime_seconds) {
            return Err(self.error(
                "job",
                MAX_RUNTIME,
                format!(
                    "MaxRuntimeInSeconds must be between 1 and 2419200 (28 days), got {max_runtime_seconds}"
                ),
            ));
        }
        let max_wait_seconds = raw.max_wait.map(|s| s.0);
        match (managed_spot, max_wait_seconds) {
            // Rule 1: MaxWait without spot.
            (false, Some(_)) => {
                return Err(self.error(
                    "job",
                    MAX_WAIT,
                    "Invalid MaxWaitTimeInSeconds. It is only supported when EnableManagedSpotTraining is set to true",
                ));
            }
            // Rule 2: spot without MaxWait.
            (true, None) => {
                if let Some((provenance, origin)) = self.request_origin("managed_spot") {
                    return Err(provenance.error(
                        origin,
                        "StoppingCondition.MaxWaitTimeInSeconds is required when EnableManagedSpotTraining is true",
                    ));
                }
                return Err(self.error(
                    "job",
                    MAX_WAIT,
                    "MaxWaitTimeInSeconds is required when EnableManagedSpotTraining is true (set max_wait, e.g. \"48h\")",
                )
                .at_line(locate(self.source, Some("job"), &["managed_spot", "enable_managed_spot_training", "use_spot_instances"])));
            }
            (true, Some(max_wait)) => {
                self.whole_seconds(MAX_WAIT, "MaxWaitTimeInSeconds", max_wait)?;
                // Rule 3: the API model says "equal to or greater than".
                if max_wait < max_runtime_seconds {
                    return Err(self.error(
                        "job",
                        MAX_WAIT,
                        format!(
                            "MaxWaitTimeInSeconds ({max_wait}) must be equal to or greater than MaxRuntimeInSeconds ({max_runtime_seconds})"
                        ),
                    ));
                }
                if max_wait > MAX_WAIT_LIMIT_SECONDS {
                    return Err(self.error(
                        "job",
                        MAX_WAIT,
                        format!("MaxWaitTimeInSeconds of {max_wait} s is more than spotsim simulates (365 days)"),
                    ));
                }
            }
            (false, None) => {}
        }
        let algorithm_checkpoints = raw.algorithm_checkpoints.unwrap_or(true);
        // Rule 5: algorithms that cannot checkpoint are limited to 60 minutes of spot.
        if managed_spot
            && !algorithm_checkpoints
            && max_wait_seconds.is_some_and(|w| w > NON_CHECKPOINTING_MAX_WAIT_SECONDS)
        {
            let algorithm = match self.request_origin("algorithm_checkpoints") {
                Some((provenance, origin)) => format!(
                    "a built-in algorithm that cannot checkpoint ({} = {} in {})",
                    origin.json_key, origin.shown, provenance.file
                ),
                None => "an algorithm that cannot checkpoint (algorithm_checkpoints = false)"
                    .to_string(),
            };
            return Err(self.error(
                "job",
                MAX_WAIT,
                format!(
                    "managed spot training with {algorithm} is limited to 60 minutes: MaxWaitTimeInSeconds must be at most 3600"
                ),
            ));
        }
        // Rule 6: RetryStrategy.MaximumRetryAttempts 1 … 30 (0 = no RetryStrategy).
        let max_retry_attempts = raw.max_retry_attempts.unwrap_or(0);
        if !(0..=30).contains(&max_retry_attempts) {
            return Err(self.error(
                "job",
                &["max_retry_attempts", "maximum_retry_attempts"],
                format!(
                    "RetryStrategy.MaximumRetryAttempts must be between 1 and 30 (0 = no retry strategy), got {max_retry_attempts}"
                ),
            ));
        }
        // Rule 7: CheckpointConfig needs S3Uri.
        let checkpoint_s3_uri = raw.checkpoint_s3_uri.clone();
        if raw.checkpoint_local_path.is_some() && checkpoint_s3_uri.is_none() {
            return Err(self.error(
                "job",
                &["checkpoint_local_path"],
                "CheckpointConfig requires S3Uri: set checkpoint_s3_uri as well",
            ));
        }
        if let Some(uri) = &checkpoint_s3_uri
            && !(uri.starts_with("s3://") || uri.starts_with("https://"))
        {
            return Err(self.error(
                "job",
                &["checkpoint_s3_uri", "s3_uri"],
                format!(
                    "CheckpointConfig.S3Uri must start with s3:// or https://, got {}",
                    excerpt(uri)
                ),
            ));
        }
        let internal_error_rate = raw.internal_error_rate.unwrap_or(0.0);
        if !(internal_error_rate.is_finite() && internal_error_rate >= 0.0) {
            return Err(self.error(
                "job",
                &["internal_error_rate"],
                format!(
                    "expected InternalServerErrors per instance-held hour (a number ≥ 0), got {internal_error_rate}"
                ),
            ));
        }
        let deadline_seconds = match raw.deadline {
            None => None,
            Some(deadline) => Some(
                check_deadline_seconds(deadline.0)
                    .map_err(|message| self.error("job", &["deadline"], message))?,
            ),
        };
        Ok(Job {
            deadline_seconds,
            echo: request::Echo::default(),
            max_pending_time_seconds: None,
            internal_error_rate,
            instance_type,
            instance_count: instance_count as u32,
            volume_size_gb: volume_size_gb as u32,
            managed_spot,
            max_runtime_seconds,
            max_wait_seconds,
            checkpoint_s3_uri,
            checkpoint_local_path: raw
                .checkpoint_local_path
                .clone()
                .unwrap_or_else(|| "/opt/ml/checkpoints/".to_string()),
            algorithm_checkpoints,
            max_retry_attempts: max_retry_attempts as u32,
        })
    }

    pub(super) fn workload(&self, raw: &raw::RawWorkload) -> Result<Workload, InputError> {
        let Some(training) = raw.training else {
            return Err(InputError::new(
                self.file,
                "the job needs its training time (uninterrupted compute), e.g. training = \"20h\"",
            )
            .at_key("[workload] training"));
        };
        if training.0 <= 0.0 {
            return Err(self.error("workload", &["training"], "must be greater than zero"));
        }
        let or_zero = |s: Option<duration::Seconds>| s.map_or(0.0, |s| s.0);
        Ok(Workload {
            training_seconds: training.0,
            provisioning_seconds: or_zero(raw.provisioning),
            download_seconds: or_zero(raw.download),
            upload_seconds: or_zero(raw.upload),
            stopping_seconds: or_zero(raw.stopping),
        })
    }
}
