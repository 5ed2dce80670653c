//! Reading the DescribeTrainingJob responses of real training jobs — what `aws sagemaker
//! describe-training-job` prints, what a boto3 script dumps, and what `spotsim describe`
//! prints — so that `calibrate` and `backtest` can learn from a team's own history.
//!
//! ## Files
//! A file (or `-`, standard input) holds one or more documents: one JSON object, a JSON array
//! of them, JSON lines, or pretty-printed objects one after another (what a shell loop over
//! `describe-training-job` writes). Timestamps are ISO-8601 strings with `Z` or any offset
//! (`2023-08-01T12:34:56.789000+02:00`, boto3's `default=str` form
//! `2023-08-01 12:34:56.789000+00:00`) or epoch seconds (numbers, or numeric strings), as the
//! AWS CLI prints them with `cli_timestamp_format = none`. A file is read whole, up to
//! [`MAX_FILE_BYTES`], as every input is ([`crate::files::input`]: a regular file — a symbolic
//! link to one is followed —, UTF-8 checked, a byte-order mark dropped).
//!
//! ## Shape
//! Every document is checked with the rules `tests/botocore/validate_describe.py` applies
//! with botocore's service model (`DescribeTrainingJobResponse`): the required members
//! (`TrainingJobName`, `TrainingJobArn`, `ModelArtifacts.S3ModelArtifacts`,
//! `TrainingJobStatus`, `SecondaryStatus`, `StoppingCondition`, `CreationTime`), the types,
//! ranges and lengths of the members spotsim reads, the enums (`TrainingJobStatus`,
//! `SecondaryStatus`, every transition's `Status`) and the name and ARN patterns (matched in
//! full). Members spotsim does not read are not checked, and unknown members (AWS adds new
//! ones; boto3 adds `ResponseMetadata`) are ignored rather than rejected, so that tomorrow's
//! documents still read. `ResourceConfig.InstanceType` is read as a string, not against the
//! API's list of instance types, which grows every few months.
//!
//! ## Contradictions
//! A document that contradicts itself is an input error (exit 2, naming the file, the line
//! where the document starts, the job and the member), because no reading of it is safe:
//! `TrainingJobStatus` outside the group of its `SecondaryStatus` (reference §1), a last
//! transition other than `SecondaryStatus`, a transition that ends before it starts, starts
//! before the previous one, overlaps the next by more than a second or starts before
//! `CreationTime`, `BillableTimeInSeconds` above `TrainingTimeInSeconds`,
//! `TrainingTimeInSeconds` above the job's wall clock, and one `TrainingJobName` twice with
//! different contents (identical copies count once).

use crate::error::InputError;
use crate::sagemaker::time::parse_utc_millis;
use serde_json::{Map, Value};
use std::io::Read;
use std::path::Path;

mod document;

pub use document::*;

/// The largest file read (bytes): about 50,000 DescribeTrainingJob documents.
pub const MAX_FILE_BYTES: u64 = crate::files::input::JOB_HISTORY_LIMIT_BYTES;

/// `TrainingJobStatus` values of the API model.
pub const TRAINING_JOB_STATUSES: [&str; 6] = [
    "InProgress",
    "Completed",
    "Failed",
    "Stopping",
    "Stopped",
    "Deleting",
];

/// `SecondaryStatus` values of the API model.
pub const SECONDARY_STATUSES: [&str; 17] = [
    "Starting",
    "LaunchingMLInstances",
    "PreparingTrainingStack",
    "Downloading",
    "DownloadingTrainingImage",
    "Training",
    "Uploading",
    "Stopping",
    "Stopped",
    "MaxRuntimeExceeded",
    "Completed",
    "Failed",
    "Interrupted",
    "MaxWaitTimeExceeded",
    "Updating",
    "Restarting",
    "Pending",
];

/// Whether `secondary` belongs to the `TrainingJobStatus` `primary` (reference §1; a job being
/// deleted may show any, and a stopping job may already show why it stops).
fn groups_with(primary: &str, secondary: &str) -> bool {
    match primary {
        "Completed" => secondary == "Completed",
        "Failed" => secondary == "Failed",
        "Stopped" => matches!(
            secondary,
            "Stopped" | "MaxRuntimeExceeded" | "MaxWaitTimeExceeded"
        ),
        "Stopping" => matches!(
            secondary,
            "Stopping" | "Stopped" | "MaxRuntimeExceeded" | "MaxWaitTimeExceeded"
        ),
        "InProgress" => !matches!(
            secondary,
            "Completed"
                | "Failed"
                | "Stopping"
                | "Stopped"
                | "MaxRuntimeExceeded"
                | "MaxWaitTimeExceeded"
        ),
        _ => true,
    }
}

/// One `SecondaryStatusTransitions` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// `Status` (one of [`SECONDARY_STATUSES`]).
    pub status: &'static str,
    /// `StartTime`, ms since the epoch.
    pub start_millis: i64,
    /// `EndTime`, ms since the epoch (absent on the current entry of a running job).
    pub end_millis: Option<i64>,
    /// `StatusMessage`.
    pub message: Option<String>,
}

/// A training job as its DescribeTrainingJob document describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingJob {
    /// The file it was read from.
    pub file: String,
    /// The line of that file where its document starts.
    pub line: usize,
    /// `TrainingJobName`.
    pub name: String,
    /// `TrainingJobStatus`.
    pub status: &'static str,
    /// `SecondaryStatus`.
    pub secondary_status: &'static str,
    /// `CreationTime`, ms since the epoch.
    pub creation_millis: i64,
    /// `TrainingEndTime`, ms since the epoch.
    pub training_end_millis: Option<i64>,
    /// `ResourceConfig.InstanceType`.
    pub instance_type: Option<String>,
    /// `ResourceConfig.InstanceCount`.
    pub instance_count: Option<u32>,
    /// Whether `ResourceConfig.InstanceGroups` (a heterogeneous cluster) is given.
    pub instance_groups: bool,
    /// `EnableManagedSpotTraining` (absent = false).
    pub managed_spot: bool,
    /// `StoppingCondition.MaxRuntimeInSeconds`.
    pub max_runtime_seconds: Option<u64>,
    /// `StoppingCondition.MaxWaitTimeInSeconds`.
    pub max_wait_seconds: Option<u64>,
    /// `CheckpointConfig.S3Uri`.
    pub checkpoint_s3_uri: Option<String>,
    /// `RetryStrategy.MaximumRetryAttempts`.
    pub max_retry_attempts: Option<u32>,
    /// `TrainingTimeInSeconds`.
    pub training_time_seconds: Option<u64>,
    /// `BillableTimeInSeconds`.
    pub billable_time_seconds: Option<u64>,
    /// `FailureReason`.
    pub failure_reason: Option<String>,
    /// `SecondaryStatusTransitions`, in order.
    pub transitions: Vec<Transition>,
}

impl TrainingJob {
    /// When the job reached its terminal status: `TrainingEndTime`, else the last
    /// transition's start, else `CreationTime` (ms since the epoch).
    pub fn end_millis(&self) -> i64 {
        self.training_end_millis
            .or_else(|| self.transitions.last().map(|t| t.start_millis))
            .unwrap_or(self.creation_millis)
    }

    /// CreationTime → terminal status, in seconds.
    pub fn wall_clock_seconds(&self) -> f64 {
        (self.end_millis() - self.creation_millis) as f64 / 1000.0
    }

    /// `file:line (job "name")`, for messages about the job.
    pub fn label(&self) -> String {
        format!("{}:{} (job \"{}\")", self.file, self.line, self.name)
    }
}

/// A job left out of an analysis, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeftOut {
    /// The file it was read from.
    pub file: String,
    /// The line where its document starts.
    pub line: usize,
    /// `TrainingJobName`.
    pub job: String,
    /// Why it was left out.
    pub reason: String,
}

impl LeftOut {
    /// `job` left out for `reason`.
    pub fn new(job: &TrainingJob, reason: impl Into<String>) -> Self {
        Self {
            file: job.file.clone(),
            line: job.line,
            job: job.name.clone(),
            reason: reason.into(),
        }
    }
}

/// The jobs of a set of files.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Distinct jobs, in the order read.
    pub jobs: Vec<TrainingJob>,
    /// Jobs given more than once with identical documents (counted once): name and where the
    /// copy was.
    pub duplicates: Vec<(String, String)>,
}

/// Reads DescribeTrainingJob documents from `paths` (`-` = standard input).
pub fn read_history(paths: &[impl AsRef<Path>]) -> Result<History, InputError> {
    let mut history = History::default();
    let mut seen: std::collections::HashMap<String, (usize, Value)> = Default::default();
    for path in paths {
        let path = path.as_ref();
        let (file, text) = read_file(path)?;
        for (line, value) in documents(&file, &text)? {
            let job = parse_job(&file, line, &value)?;
            match seen.get(&job.name) {
                Some((_, first)) if *first == value => {
                    history
                        .duplicates
                        .push((job.name.clone(), format!("{file}:{line}")));
                }
                Some((index, _)) => {
                    let earlier = &history.jobs[*index];
                    return Err(InputError::new(
                        &file,
                        format!(
                            "the same TrainingJobName as {}:{} with different contents: one job cannot have two histories",
                            earlier.file, earlier.line
                        ),
                    )
                    .at_line(Some(line))
                    .at_key(format!("job \"{}\" TrainingJobName", job.name)));
                }
                None => {
                    seen.insert(job.name.clone(), (history.jobs.len(), value));
                    history.jobs.push(job);
                }
            }
        }
    }
    Ok(history)
}

/// The text of `path` (`-` = standard input), at most [`MAX_FILE_BYTES`], read as every input
/// is ([`crate::files::input`]): a regular file, checked UTF-8.
fn read_file(path: &Path) -> Result<(String, String), InputError> {
    use crate::files::input::{InputKind, read_text, text_of};
    let file = path.display().to_string();
    if file != "-" {
        let text = read_text(
            path,
            InputKind::JobHistory,
            &file,
            "DescribeTrainingJob documents",
        )?;
        return Ok((file, text));
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::new("-", format!("cannot read standard input: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(InputError::new(
            "-",
            format!(
                "more than {} MiB on standard input: split the documents over several files",
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    let text = text_of(bytes).map_err(|bad| {
        InputError::new(
            "-",
            format!("cannot read the DescribeTrainingJob documents: {bad}"),
        )
        .at_line(Some(bad.line))
    })?;
    Ok((file, text))
}

/// 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The documents of a file with the line each starts at: top-level objects, and the objects
/// of top-level arrays.
fn documents(file: &str, text: &str) -> Result<Vec<(usize, Value)>, InputError> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut found = Vec::new();
    loop {
        let start = stream.byte_offset();
        let skipped = text[start..].len() - text[start..].trim_start().len();
        let line = line_at(text, start + skipped);
        match stream.next() {
            None => break,
            Some(Ok(Value::Array(items))) => found.extend(items.into_iter().map(|v| (line, v))),
            Some(Ok(value)) => found.push((line, value)),
            Some(Err(error)) => {
                let what = if error.is_eof() {
                    "the JSON ends in the middle of a document (truncated?)".to_string()
                } else {
                    format!("not JSON: {error}")
                };
                let at = if error.line() > 0 { error.line() } else { line };
                // Name the job when its name was read before the error.
                let upto = text
                    .match_indices('\n')
                    .nth(at.saturating_sub(1))
                    .map_or(text.len(), |(i, _)| i);
                let mut failure = InputError::new(file, what).at_line(Some(at));
                if let Some(name) = name_in(&text[start.min(upto)..upto]) {
                    failure = failure.at_key(format!("job \"{name}\""));
                }
                return Err(failure);
            }
        }
    }
    if found.is_empty() {
        return Err(InputError::new(
            file,
            "no DescribeTrainingJob document: expected a JSON object, an array of them or JSON lines",
        ));
    }
    Ok(found)
}

/// The last `"TrainingJobName": "…"` in `text` (a document cut short by an error).
fn name_in(text: &str) -> Option<&str> {
    let (index, _) = text.rmatch_indices("\"TrainingJobName\"").next()?;
    let rest = text[index + "\"TrainingJobName\"".len()..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let name = &rest[..rest.find('"')?];
    valid_job_name(name).then_some(name)
}

#[cfg(test)]
mod tests;
