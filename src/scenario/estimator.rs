//! SageMaker Python SDK estimator arguments as the job's source: the keyword arguments a user
//! passes to `Estimator(...)` (SDK v2; framework estimators such as `PyTorch(...)` take the
//! same), written as a JSON object (`[job] sdk = "estimator.json"` or `--estimator`).
//!
//! They map onto CreateTrainingJob as the SDK maps them (`sagemaker.estimator.EstimatorBase`):
//! `instance_type`, `instance_count`, `volume_size` → `ResourceConfig`; `use_spot_instances` →
//! `EnableManagedSpotTraining`; `max_run` (the SDK's default 86,400 s when absent), `max_wait`
//! → `StoppingCondition`; `checkpoint_s3_uri`, `checkpoint_local_path` → `CheckpointConfig`;
//! `max_retry_attempts` → `RetryStrategy`; `image_uri`, `input_mode`, `metric_definitions`,
//! `role`, `hyperparameters`, `output_path`, `subnets` + `security_group_ids`, `environment`,
//! `enable_network_isolation`, `encrypt_inter_container_traffic` → the members DescribeTrainingJob
//! echoes; `base_job_name` names the job. Hyperparameter values become strings, as the SDK
//! sends them (numbers and booleans as JSON text).
//!
//! Other arguments the SDK knows (`entry_point`, `framework_version`, …) do not change the
//! simulated job and are ignored. Any other key is probably a typo (`use_spot_instance`):
//! Python would refuse it, so spotsim warns, naming the closest argument, and ignores it.

use super::echo::Echo;
use super::error::{JobSourceKind, ScenarioError};
use super::request::{Field, Request, json_line, read_text};
use crate::error::InputError;
use serde_json::{Map, Value};
use std::path::Path;

/// Arguments that change the simulated job, with the `[job]` key they set.
const JOB_ARGUMENTS: &[(&str, &str)] = &[
    ("instance_type", "instance_type"),
    ("instance_count", "instance_count"),
    ("volume_size", "volume_size_gb"),
    ("use_spot_instances", "managed_spot"),
    ("max_run", "max_runtime"),
    ("max_wait", "max_wait"),
    ("checkpoint_s3_uri", "checkpoint_s3_uri"),
    ("checkpoint_local_path", "checkpoint_local_path"),
    ("max_retry_attempts", "max_retry_attempts"),
];

/// Arguments echoed into the description (read below) or naming the job.
const DESCRIBED_ARGUMENTS: &[&str] = &[
    "image_uri",
    "input_mode",
    "metric_definitions",
    "role",
    "hyperparameters",
    "output_path",
    "subnets",
    "security_group_ids",
    "environment",
    "enable_network_isolation",
    "encrypt_inter_container_traffic",
    "base_job_name",
];

/// Estimator arguments that do not change the simulated job.
const OTHER_ARGUMENTS: &[&str] = &[
    "entry_point",
    "source_dir",
    "dependencies",
    "git_config",
    "code_location",
    "container_log_level",
    "framework_version",
    "py_version",
    "pytorch_version",
    "tensorflow_version",
    "transformers_version",
    "distribution",
    "tags",
    "volume_kms_key",
    "output_kms_key",
    "model_uri",
    "model_channel_name",
    "rules",
    "debugger_hook_config",
    "tensorboard_output_config",
    "enable_sagemaker_metrics",
    "profiler_config",
    "disable_profiler",
    "training_repository_access_mode",
    "training_repository_credentials_provider_arn",
    "container_entry_point",
    "container_arguments",
    "disable_output_compression",
    "enable_infra_check",
    "enable_remote_debug",
    "keep_alive_period_in_seconds",
    "training_plan",
    "sagemaker_session",
];

/// Levenshtein distance, for naming the argument a typo meant.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The known argument closest to `given`, when it is close.
fn closest(given: &str) -> Option<&'static str> {
    JOB_ARGUMENTS
        .iter()
        .map(|(name, _)| *name)
        .chain(DESCRIBED_ARGUMENTS.iter().copied())
        .chain(OTHER_ARGUMENTS.iter().copied())
        .map(|name| (distance(given, name), name))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, name)| name)
}

impl Request {
    /// Reads estimator arguments from `path`, named `file` in errors.
    pub fn load_estimator(path: &Path, file: &str) -> Result<Self, ScenarioError> {
        Self::parse_estimator(
            &read_text(
                path,
                crate::files::input::InputKind::Estimator,
                file,
                "SDK estimator arguments",
            )?,
            file,
        )
    }

    /// Parses estimator arguments (a JSON object of `Estimator(...)` keyword arguments).
    pub fn parse_estimator(source: &str, file: &str) -> Result<Self, ScenarioError> {
        let (mut request, root) = Request::begin(
            source,
            file,
            JobSourceKind::Estimator,
            "SDK estimator arguments",
            "{\"instance_type\": \"ml.p3.2xlarge\", \"use_spot_instances\": true, \"max_run\": 3600, \"max_wait\": 7200} (Estimator(...) keyword arguments)",
        )?;
        if request.get(&root, "instance_groups")?.is_some() {
            return Err(request
                .error(
                    "instance_groups",
                    super::request::heterogeneous_cluster(
                        "instance_groups",
                        "instance_type and instance_count",
                    ),
                )
                .into());
        }
        for (argument, key) in JOB_ARGUMENTS {
            let field = match *key {
                "instance_type" | "checkpoint_s3_uri" | "checkpoint_local_path" => {
                    request.text(&root, argument)?.map(Field::Text)
                }
                "managed_spot" => request.flag(&root, argument)?.map(Field::Flag),
                _ => request.integer(&root, argument)?.map(Field::Integer),
            };
            if let Some(field) = field {
                request.fields.push((key, argument.to_string(), field));
            }
        }
        if let Some(image) = request.text(&root, "image_uri")?
            && let Some(checkpoints) = super::request::algorithm_checkpoints(&image)
        {
            request.fields.push((
                "algorithm_checkpoints",
                format!("image_uri = \"{image}\""),
                Field::Flag(checkpoints),
            ));
        }
        request.name = request.name_at(&root, "base_job_name")?;
        request.echo = request.describe(&root)?;
        request.says_something(
            &root,
            "SDK estimator arguments",
            "instance_type, instance_count, use_spot_instances, max_run, max_wait, checkpoint_s3_uri, image_uri, role, base_job_name",
            ("ResourceConfig", JobSourceKind::Request),
        )?;
        let arguments = root.as_object().map(|m| m.keys()).into_iter().flatten();
        for name in arguments {
            let known = JOB_ARGUMENTS.iter().any(|(a, _)| a == name)
                || DESCRIBED_ARGUMENTS.contains(&name.as_str())
                || OTHER_ARGUMENTS.contains(&name.as_str());
            if !known {
                let line = json_line(source, name)
                    .map(|l| format!(":{l}"))
                    .unwrap_or_default();
                let hint = closest(name)
                    .map(|c| format!(" (did you mean {c}?)"))
                    .unwrap_or_default();
                request.warnings.push(format!(
                    "{file}{line}: \"{name}\" is not an Estimator argument spotsim knows{hint}; ignored"
                ));
            }
        }
        Ok(request)
    }

    /// The CreateTrainingJob members the SDK would send for the described arguments.
    fn describe(&self, root: &Value) -> Result<Echo, InputError> {
        let mut members = Map::new();
        let mut algorithm = Map::new();
        if let Some(image) = self.text(root, "image_uri")? {
            algorithm.insert("TrainingImage".into(), Value::String(image));
        }
        if let Some(mode) = self.text(root, "input_mode")? {
            algorithm.insert("TrainingInputMode".into(), Value::String(mode));
        }
        if let Some(metrics) = self.get(root, "metric_definitions")? {
            algorithm.insert("MetricDefinitions".into(), metrics.clone());
        }
        if !algorithm.is_empty() {
            members.insert("AlgorithmSpecification".into(), Value::Object(algorithm));
        }
        if let Some(role) = self.text(root, "role")? {
            members.insert("RoleArn".into(), Value::String(role));
        }
        for (argument, member) in [
            ("hyperparameters", "HyperParameters"),
            ("environment", "Environment"),
        ] {
            if let Some(map) = self.get(root, argument)? {
                let Value::Object(map) = map else {
                    return Err(self.error(argument, format!("expected a JSON object, got {map}")));
                };
                // The SDK sends every value as a string.
                let strings = map
                    .iter()
                    .map(|(k, v)| {
                        let text = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        (k.clone(), Value::String(text))
                    })
                    .collect();
                members.insert(member.into(), Value::Object(strings));
            }
        }
        if let Some(path) = self.text(root, "output_path")? {
            members.insert(
                "OutputDataConfig".into(),
                serde_json::json!({ "S3OutputPath": path }),
            );
        }
        let subnets = self.get(root, "subnets")?;
        let groups = self.get(root, "security_group_ids")?;
        if let (Some(subnets), Some(groups)) = (subnets, groups) {
            members.insert(
                "VpcConfig".into(),
                serde_json::json!({ "Subnets": subnets, "SecurityGroupIds": groups }),
            );
        }
        for (argument, member) in [
            ("enable_network_isolation", "EnableNetworkIsolation"),
            (
                "encrypt_inter_container_traffic",
                "EnableInterContainerTrafficEncryption",
            ),
        ] {
            if let Some(flag) = self.flag(root, argument)? {
                members.insert(member.into(), Value::Bool(flag));
            }
        }
        // The same checks as a request's members, naming the estimator argument.
        let rename = |member: &str| -> String {
            match member.split('.').next().unwrap_or(member) {
                "AlgorithmSpecification" => "image_uri / input_mode / metric_definitions".into(),
                "RoleArn" => "role".into(),
                "HyperParameters" => "hyperparameters".into(),
                "Environment" => "environment".into(),
                "VpcConfig" => "subnets / security_group_ids".into(),
                other => other.to_string(),
            }
        };
        Echo::from_request(&Value::Object(members), |member, message| {
            self.error(&rename(member), message)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_name_the_argument_meant() {
        assert_eq!(closest("use_spot_instance"), Some("use_spot_instances"));
        assert_eq!(closest("max_runn"), Some("max_run"));
        assert_eq!(closest("checkpoint_s3_url"), Some("checkpoint_s3_uri"));
        assert_eq!(closest("completely_unrelated_thing"), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
