//! CreateTrainingJob request bodies: the JSON that `aws sagemaker create-training-job
//! --cli-input-json` takes and boto3's `create_training_job(**kwargs)` receives.
//!
//! A request supplies the `[job]` keys of a scenario (reference §7); the scenario supplies the
//! rest (workload, market, prices). Keys the simulation does not need are ignored. A value the
//! scenario's `[job]` also gives must agree with it, or the scenario is rejected naming both.
//! The creation-time rules (reference §5) then run on the merged job, and an error about a value
//! that came from the request names the request file and its JSON key.

pub use super::echo::Echo;
use super::error::{JobSourceKind, ScenarioError};
use super::raw::RawJob;
use crate::error::{InputError, excerpt};
use crate::units::duration::Seconds;
use crate::units::keys::locate;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Built-in algorithms (ECR repository or `AlgorithmName`) that cannot checkpoint: with
/// managed spot their `MaxWaitTimeInSeconds` is limited to 3600 s (reference §5.5).
///
/// AWS's "Checkpoints" page names image classification, object detection and semantic
/// segmentation as the built-in algorithms that checkpoint; the built-in XGBoost container
/// (`sagemaker-xgboost`, 0.90-1 and later) also documents checkpointing. The first-generation
/// algorithms below document no checkpoint support, so spotsim treats them as non-checkpointing
/// (the legacy `xgboost` 0.72 image included). This is a decision: a user who knows better sets
/// `[job] algorithm_checkpoints` for an image spotsim does not classify.
pub const NON_CHECKPOINTING_ALGORITHMS: &[&str] = &[
    "blazingtext",
    "factorization-machines",
    "forecasting-deepar",
    "ipinsights",
    "kmeans",
    "knn",
    "lda",
    "linear-learner",
    "ntm",
    "object2vec",
    "pca",
    "randomcutforest",
    "seq2seq",
    "xgboost",
];

/// Built-in algorithms and framework containers that checkpoint (framework containers run the
/// user's script, which writes checkpoints to `CheckpointConfig.LocalPath`).
pub const CHECKPOINTING_ALGORITHMS: &[&str] = &[
    "image-classification",
    "object-detection",
    "semantic-segmentation",
    "sagemaker-xgboost",
    "pytorch-training",
    "tensorflow-training",
    "mxnet-training",
    "huggingface-pytorch-training",
    "huggingface-tensorflow-training",
    "sagemaker-scikit-learn",
];

/// Whether an algorithm (an image URI or an `AlgorithmName`) checkpoints, when spotsim knows.
pub fn algorithm_checkpoints(image_or_name: &str) -> Option<bool> {
    // ".../linear-learner:1" or ".../pytorch-training@sha256:…" → "linear-learner".
    let last = image_or_name.rsplit('/').next().unwrap_or(image_or_name);
    let repository = last
        .split([':', '@'])
        .next()
        .unwrap_or(last)
        .to_ascii_lowercase();
    if NON_CHECKPOINTING_ALGORITHMS.contains(&repository.as_str()) {
        Some(false)
    } else if CHECKPOINTING_ALGORITHMS.contains(&repository.as_str()) {
        Some(true)
    } else {
        None
    }
}

/// The error for a heterogeneous cluster (`ResourceConfig.InstanceGroups`, the SDK's
/// `instance_groups`, named `groups`): its groups have their own instance types and counts,
/// which replace the job's one type and count (named `single`), so simulating the rest would
/// run and price one instance of whatever type the scenario defaults to.
pub(super) fn heterogeneous_cluster(groups: &str, single: &str) -> String {
    format!(
        "a heterogeneous cluster ({groups}) is not simulated: spotsim runs one instance type, all instances held together (a gang); give {single} instead"
    )
}

/// One `[job]` value read from a request.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Field {
    Text(String),
    Integer(i64),
    Flag(bool),
}

impl Field {
    fn shown(&self) -> String {
        match self {
            Field::Text(s) => format!("\"{s}\""),
            Field::Integer(i) => i.to_string(),
            Field::Flag(b) => b.to_string(),
        }
    }
}

/// Where a `[job]` value came from in the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The JSON key, dotted (`StoppingCondition.MaxWaitTimeInSeconds`).
    pub json_key: String,
    /// 1-based line of that key in the request file, when found.
    pub line: Option<usize>,
    /// The value as the request wrote it.
    pub shown: String,
}

/// A request read from a file, and where each `[job]` key it gave came from.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// The request file as named in errors.
    pub file: String,
    /// `[job]` key (pinned spelling) → its origin in the request.
    pub origins: HashMap<&'static str, Origin>,
}

impl Provenance {
    /// The origin of `[job] key`, if the request gave it.
    pub fn origin(&self, key: &str) -> Option<&Origin> {
        self.origins.get(key)
    }

    /// An error about the request's `key`.
    pub fn error(&self, origin: &Origin, message: impl Into<String>) -> InputError {
        InputError::new(&self.file, message)
            .at_key(origin.json_key.clone())
            .at_line(origin.line)
    }
}

/// A parsed request body (or SDK estimator arguments, [`super::estimator`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub(super) file: String,
    pub(super) source: String,
    /// A request body or estimator arguments.
    pub(super) kind: JobSourceKind,
    /// `TrainingJobName` (or the estimator's `base_job_name`).
    pub name: Option<String>,
    /// `[job]` key, the JSON key it came from, and the value.
    pub(super) fields: Vec<(&'static str, String, Field)>,
    /// What DescribeTrainingJob echoes from the request.
    pub echo: Echo,
    /// Things the request says that spotsim does not simulate, or probably not meant.
    pub warnings: Vec<String>,
}

/// Reads a JSON input file of `kind` (`what` names it in errors) through the bounded input
/// reader.
pub(super) fn read_text(
    path: &Path,
    kind: crate::files::input::InputKind,
    file: &str,
    what: &str,
) -> Result<String, InputError> {
    crate::files::input::read_text(path, kind, file, what)
}

/// The line of the first `"key"` of a dotted JSON path (its last component) in `source`.
pub(super) fn json_line(source: &str, dotted: &str) -> Option<usize> {
    let parts: Vec<&str> = dotted.split('.').collect();
    // Find the parent first, then the key after it, so that `S3Uri` of CheckpointConfig is not
    // confused with another `S3Uri` earlier in the file.
    let mut from = 0;
    for part in &parts {
        let needle = format!("\"{part}\"");
        from += source[from..].find(&needle)?;
    }
    Some(source[..from].matches('\n').count() + 1)
}

impl Request {
    /// Reads `path`, named `file` in errors.
    pub fn load(path: &Path, file: &str) -> Result<Self, ScenarioError> {
        Self::parse(
            &read_text(
                path,
                crate::files::input::InputKind::Request,
                file,
                "CreateTrainingJob request",
            )?,
            file,
        )
    }

    /// Parses JSON `source` (named `file`) that must be an object (`what` and `example` say
    /// what is expected), and an empty request around it.
    pub(super) fn begin(
        source: &str,
        file: &str,
        kind: JobSourceKind,
        what: &str,
        example: &str,
    ) -> Result<(Self, Value), InputError> {
        let root: Value = serde_json::from_str(source).map_err(|e| {
            InputError::new(file, format!("expected {what} in JSON: {e}")).at_line(Some(e.line()))
        })?;
        if !root.is_object() {
            return Err(InputError::new(
                file,
                format!("expected {what} as a JSON object such as {example}"),
            ));
        }
        let request = Self {
            file: file.to_string(),
            source: source.to_string(),
            kind,
            name: None,
            fields: Vec::new(),
            echo: Echo::default(),
            warnings: Vec::new(),
        };
        Ok((request, root))
    }

    /// Parses request text, named `file` in errors.
    pub fn parse(source: &str, file: &str) -> Result<Self, ScenarioError> {
        let (mut request, root) = Self::begin(
            source,
            file,
            JobSourceKind::Request,
            "a CreateTrainingJob request",
            "{\"ResourceConfig\": {…}, \"StoppingCondition\": {…}}",
        )?;
        request.name = request.name_at(&root, "TrainingJobName")?;
        if request
            .get(&root, "ResourceConfig.InstanceGroups")?
            .is_some()
        {
            return Err(request
                .error(
                    "ResourceConfig.InstanceGroups",
                    heterogeneous_cluster(
                        "InstanceGroups",
                        "ResourceConfig.InstanceType and InstanceCount",
                    ),
                )
                .into());
        }
        for (key, path) in [
            ("instance_type", "ResourceConfig.InstanceType"),
            ("checkpoint_s3_uri", "CheckpointConfig.S3Uri"),
            ("checkpoint_local_path", "CheckpointConfig.LocalPath"),
        ] {
            if let Some(text) = request.text(&root, path)? {
                request
                    .fields
                    .push((key, path.to_string(), Field::Text(text)));
            }
        }
        for (key, path) in [
            ("instance_count", "ResourceConfig.InstanceCount"),
            ("volume_size_gb", "ResourceConfig.VolumeSizeInGB"),
            ("max_runtime", "StoppingCondition.MaxRuntimeInSeconds"),
            ("max_wait", "StoppingCondition.MaxWaitTimeInSeconds"),
            (
                "max_pending_time",
                "StoppingCondition.MaxPendingTimeInSeconds",
            ),
            ("max_retry_attempts", "RetryStrategy.MaximumRetryAttempts"),
        ] {
            if let Some(i) = request.integer(&root, path)? {
                request
                    .fields
                    .push((key, path.to_string(), Field::Integer(i)));
            }
        }
        if let Some(flag) = request.flag(&root, "EnableManagedSpotTraining")? {
            request.fields.push((
                "managed_spot",
                "EnableManagedSpotTraining".to_string(),
                Field::Flag(flag),
            ));
        }
        // CheckpointConfig.S3Uri is a required member of the API's shape (reference §5.7).
        if root.get("CheckpointConfig").is_some_and(Value::is_object)
            && root.pointer("/CheckpointConfig/S3Uri").is_none()
        {
            return Err(request
                .error(
                    "CheckpointConfig",
                    "CheckpointConfig requires S3Uri (the S3 location checkpoints are written to)",
                )
                .into());
        }
        // RetryStrategy.MaximumRetryAttempts is required and 1 … 30 (reference §5.6).
        if root.get("RetryStrategy").is_some() {
            let path = "RetryStrategy.MaximumRetryAttempts";
            match request.integer(&root, path)? {
                None => {
                    return Err(request
                        .error(
                            "RetryStrategy",
                            "RetryStrategy requires MaximumRetryAttempts (1 … 30)",
                        )
                        .into());
                }
                Some(n) if !(1..=30).contains(&n) => {
                    return Err(request
                        .error(
                            path,
                            format!("MaximumRetryAttempts must be between 1 and 30, got {n}"),
                        )
                        .into());
                }
                Some(_) => {}
            }
        }
        for path in [
            "AlgorithmSpecification.TrainingImage",
            "AlgorithmSpecification.AlgorithmName",
        ] {
            if let Some(text) = request.text(&root, path)?
                && let Some(checkpoints) = algorithm_checkpoints(&text)
            {
                request.fields.push((
                    "algorithm_checkpoints",
                    format!("{path} = \"{text}\""),
                    Field::Flag(checkpoints),
                ));
                break;
            }
        }
        request.echo = Echo::from_request(&root, |key, message| request.error(key, message))?;
        request.says_something(
            &root,
            "a CreateTrainingJob request",
            "ResourceConfig, StoppingCondition, EnableManagedSpotTraining, CheckpointConfig, RetryStrategy, AlgorithmSpecification, TrainingJobName",
            ("instance_type", JobSourceKind::Estimator),
        )?;
        Ok(request)
    }

    /// An error when the job source read nothing spotsim uses — no `[job]` value, no name, no
    /// member to describe: every value of the job would then be a default nobody wrote, and
    /// the file is most likely another one (a partial, a DescribeTrainingJob document) or the
    /// other kind of job source. `what` is the expected kind, `reads` the keys it looks for,
    /// and `other` = (a key only the other kind has, that kind).
    pub(super) fn says_something(
        &self,
        root: &Value,
        what: &str,
        reads: &str,
        other: (&str, JobSourceKind),
    ) -> Result<(), ScenarioError> {
        if !self.fields.is_empty() || self.name.is_some() || !self.echo.members.is_empty() {
            return Ok(());
        }
        let keys: Vec<&String> = root
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        let has = if keys.is_empty() {
            "it is empty".to_string()
        } else {
            const SHOWN: usize = 5;
            let mut shown: Vec<String> = keys.iter().take(SHOWN).map(|k| excerpt(k)).collect();
            if keys.len() > SHOWN {
                shown.push(format!("… ({} keys)", keys.len()));
            }
            format!("it has {}", shown.join(", "))
        };
        let error = InputError::new(
            &self.file,
            format!("expected {what}, with at least one of {reads}, but {has}"),
        );
        Err(if root.get(other.0).is_some() {
            ScenarioError::OtherKind {
                error,
                other: other.1,
            }
        } else {
            error.into()
        })
    }

    pub(super) fn error(&self, dotted: &str, message: impl Into<String>) -> InputError {
        InputError::new(&self.file, message)
            .at_key(dotted.to_string())
            .at_line(json_line(&self.source, dotted))
    }

    pub(super) fn get<'v>(
        &self,
        root: &'v Value,
        dotted: &str,
    ) -> Result<Option<&'v Value>, InputError> {
        let mut value = root;
        let parts: Vec<&str> = dotted.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            match value {
                Value::Object(map) => match map.get(*part) {
                    Some(Value::Null) | None => return Ok(None),
                    Some(next) => value = next,
                },
                _ => {
                    let parent = parts[..i].join(".");
                    return Err(self.error(&parent, "expected a JSON object"));
                }
            }
        }
        Ok(Some(value))
    }

    /// The job's name at `dotted`, which becomes the scenario's name and so reaches terminals,
    /// SVG and Markdown: held to [`crate::units::keys::check_name`].
    pub(super) fn name_at(&self, root: &Value, dotted: &str) -> Result<Option<String>, InputError> {
        let name = self.text(root, dotted)?;
        if let Some(name) = &name {
            crate::units::keys::check_name(name).map_err(|m| self.error(dotted, m))?;
        }
        Ok(name)
    }

    pub(super) fn text(&self, root: &Value, dotted: &str) -> Result<Option<String>, InputError> {
        match self.get(root, dotted)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.error(
                dotted,
                format!("expected a string, got {}", excerpt(&other.to_string())),
            )),
        }
    }

    pub(super) fn integer(&self, root: &Value, dotted: &str) -> Result<Option<i64>, InputError> {
        match self.get(root, dotted)? {
            None => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
            Some(other) => Err(self.error(
                dotted,
                format!("expected an integer, got {}", excerpt(&other.to_string())),
            )),
        }
    }

    pub(super) fn flag(&self, root: &Value, dotted: &str) -> Result<Option<bool>, InputError> {
        match self.get(root, dotted)? {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.error(
                dotted,
                format!(
                    "expected true or false, got {}",
                    excerpt(&other.to_string())
                ),
            )),
        }
    }

    /// Writes the request's values into `job`. A value the scenario also gives must be equal
    /// (`replace = false`), or the scenario's is replaced (`replace = true`, for the embedded
    /// default scenario, whose `[job]` the user did not write). `scenario_file` and
    /// `scenario_source` name the scenario's value in a contradiction.
    pub fn apply(
        &self,
        job: &mut RawJob,
        replace: bool,
        scenario_file: &str,
        scenario_source: &str,
    ) -> Result<Provenance, InputError> {
        let mut provenance = Provenance {
            file: self.file.clone(),
            origins: HashMap::new(),
        };
        for (key, path, value) in &self.fields {
            // The JSON key of an inferred value is "AlgorithmSpecification.X = \"…\"".
            let json_key = path.split(" = ").next().unwrap_or(path).to_string();
            let shown = match path.split_once(" = ") {
                Some((_, written)) => written.to_string(),
                None => value.shown(),
            };
            let origin = Origin {
                line: json_line(&self.source, &json_key),
                json_key,
                shown,
            };
            let existing = scenario_value(job, key);
            if let Some(existing) = existing
                && !replace
                && existing != *value
            {
                let written = scenario_text(scenario_source, key);
                let request_side = if path.contains(" = ") {
                    format!("{path} (algorithm_checkpoints = {})", value.shown())
                } else {
                    format!("{path} = {}", value.shown())
                };
                return Err(InputError::new(
                    &self.file,
                    format!("{request_side} contradicts {scenario_file} [job] {written}"),
                )
                .at_line(origin.line));
            }
            set_value(job, key, value);
            provenance.origins.insert(key, origin);
        }
        Ok(provenance)
    }
}

/// The scenario's `[job] key` as the request would write it.
fn scenario_value(job: &RawJob, key: &str) -> Option<Field> {
    let text = |v: &Option<String>| v.clone().map(Field::Text);
    let int = |v: Option<i64>| v.map(Field::Integer);
    // Durations compare in whole seconds; a fractional one can never equal a request's.
    let seconds = |v: Option<Seconds>| {
        v.map(|s| {
            if s.0.fract() == 0.0 && s.0.abs() < 9.0e15 {
                Field::Integer(s.0 as i64)
            } else {
                Field::Text(s.0.to_string())
            }
        })
    };
    match key {
        "instance_type" => text(&job.instance_type),
        "checkpoint_s3_uri" => text(&job.checkpoint_s3_uri),
        "checkpoint_local_path" => text(&job.checkpoint_local_path),
        "instance_count" => int(job.instance_count),
        "volume_size_gb" => int(job.volume_size_gb),
        "max_retry_attempts" => int(job.max_retry_attempts),
        "max_runtime" => seconds(job.max_runtime),
        "max_wait" => seconds(job.max_wait),
        "max_pending_time" => seconds(job.max_pending_time),
        "managed_spot" => job.managed_spot.map(Field::Flag),
        "algorithm_checkpoints" => job.algorithm_checkpoints.map(Field::Flag),
        _ => None,
    }
}

fn set_value(job: &mut RawJob, key: &str, value: &Field) {
    match (key, value) {
        ("instance_type", Field::Text(s)) => job.instance_type = Some(s.clone()),
        ("checkpoint_s3_uri", Field::Text(s)) => job.checkpoint_s3_uri = Some(s.clone()),
        ("checkpoint_local_path", Field::Text(s)) => job.checkpoint_local_path = Some(s.clone()),
        ("instance_count", Field::Integer(i)) => job.instance_count = Some(*i),
        ("volume_size_gb", Field::Integer(i)) => job.volume_size_gb = Some(*i),
        ("max_retry_attempts", Field::Integer(i)) => job.max_retry_attempts = Some(*i),
        ("max_runtime", Field::Integer(i)) => job.max_runtime = Some(Seconds(*i as f64)),
        ("max_wait", Field::Integer(i)) => job.max_wait = Some(Seconds(*i as f64)),
        ("max_pending_time", Field::Integer(i)) => job.max_pending_time = Some(Seconds(*i as f64)),
        ("managed_spot", Field::Flag(b)) => job.managed_spot = Some(*b),
        ("algorithm_checkpoints", Field::Flag(b)) => job.algorithm_checkpoints = Some(*b),
        _ => {}
    }
}

/// `key = value` as the scenario wrote it (alias spelling and units kept, quotes dropped).
fn scenario_text(source: &str, key: &str) -> String {
    let spellings: &[&str] = match key {
        "managed_spot" => &[
            "managed_spot",
            "enable_managed_spot_training",
            "use_spot_instances",
        ],
        "max_runtime" => &["max_runtime", "max_runtime_in_seconds", "max_run"],
        "max_wait" => &["max_wait", "max_wait_time_in_seconds"],
        "max_pending_time" => &["max_pending_time", "max_pending_time_in_seconds"],
        "checkpoint_s3_uri" => &["checkpoint_s3_uri", "s3_uri"],
        "checkpoint_local_path" => &["checkpoint_local_path", "local_path"],
        "max_retry_attempts" => &["max_retry_attempts", "maximum_retry_attempts"],
        "volume_size_gb" => &["volume_size_gb", "volume_size_in_gb", "volume_size"],
        _ => &[],
    };
    let spellings: Vec<&str> = if spellings.is_empty() {
        vec![key]
    } else {
        spellings.to_vec()
    };
    locate(source, Some("job"), &spellings)
        .and_then(|line| source.lines().nth(line - 1))
        .and_then(|text| text.split_once('='))
        .map(|(k, v)| {
            let value = v.split(" #").next().unwrap_or(v).trim().trim_matches('"');
            format!("{} = {value}", k.trim())
        })
        .unwrap_or_else(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_images_and_names() {
        let image = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1";
        assert_eq!(algorithm_checkpoints(image), Some(false));
        let image = "811284229777.dkr.ecr.us-east-1.amazonaws.com/image-classification:1";
        assert_eq!(algorithm_checkpoints(image), Some(true));
        assert_eq!(algorithm_checkpoints("kmeans"), Some(false));
        let image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1-gpu-py310";
        assert_eq!(algorithm_checkpoints(image), Some(true));
        assert_eq!(
            algorithm_checkpoints("123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-model:latest"),
            None
        );
    }

    #[test]
    fn json_lines_follow_the_parent_key() {
        let source = "{\n \"OutputDataConfig\": {\"S3OutputPath\": \"s3://x\"},\n \"CheckpointConfig\": {\n  \"S3Uri\": \"s3://y\"\n }\n}";
        assert_eq!(json_line(source, "CheckpointConfig.S3Uri"), Some(4));
        assert_eq!(json_line(source, "CheckpointConfig"), Some(3));
        assert_eq!(json_line(source, "RetryStrategy"), None);
    }
}
