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

/// Where a document is, for its errors.
struct Doc<'a> {
    file: &'a str,
    line: usize,
    name: Option<&'a str>,
}

impl Doc<'_> {
    fn error(&self, member: &str, message: impl Into<String>) -> InputError {
        let who = self
            .name
            .map_or_else(|| "document".to_string(), |n| format!("job \"{n}\""));
        InputError::new(self.file, message)
            .at_line(Some(self.line))
            .at_key(format!("{who} {member}"))
    }

    /// The member `name` of the object `parent` (at `path`), which must be there.
    fn child<'v>(
        &self,
        parent: &'v Map<String, Value>,
        path: &str,
        name: &str,
    ) -> Result<&'v Value, InputError> {
        parent
            .get(name)
            .ok_or_else(|| self.error(&format!("{path}.{name}"), "missing"))
    }

    fn object<'v>(
        &self,
        value: &'v Value,
        member: &str,
    ) -> Result<&'v Map<String, Value>, InputError> {
        value
            .as_object()
            .ok_or_else(|| self.error(member, format!("expected an object, got {}", kind(value))))
    }

    fn string<'v>(
        &self,
        value: &'v Value,
        member: &str,
        max_len: usize,
    ) -> Result<&'v str, InputError> {
        let text = value
            .as_str()
            .ok_or_else(|| self.error(member, format!("expected a string, got {}", kind(value))))?;
        if text.chars().count() > max_len {
            return Err(self.error(member, format!("longer than {max_len} characters")));
        }
        Ok(text)
    }

    fn integer(&self, value: &Value, member: &str, min: i64, max: i64) -> Result<i64, InputError> {
        let number = value.as_i64().ok_or_else(|| {
            self.error(member, format!("expected an integer, got {}", kind(value)))
        })?;
        if number < min || number > max {
            return Err(self.error(
                member,
                format!("expected an integer from {min} to {max}, got {number}"),
            ));
        }
        Ok(number)
    }

    fn boolean(&self, value: &Value, member: &str) -> Result<bool, InputError> {
        value.as_bool().ok_or_else(|| {
            self.error(
                member,
                format!("expected true or false, got {}", kind(value)),
            )
        })
    }

    fn member<const N: usize>(
        &self,
        value: &Value,
        member: &str,
        allowed: &[&'static str; N],
    ) -> Result<&'static str, InputError> {
        let text = self.string(value, member, 256)?;
        allowed.iter().copied().find(|a| *a == text).ok_or_else(|| {
            self.error(
                member,
                format!("\"{text}\" is not one of {}", allowed.join(", ")),
            )
        })
    }

    fn timestamp(&self, value: &Value, member: &str) -> Result<i64, InputError> {
        parse_timestamp(value).map_err(|message| self.error(member, message))
    }
}

/// The JSON type of `value`, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Epoch seconds of years 1970 … 9999.
const LATEST_EPOCH_SECONDS: f64 = 253_402_300_799.0;

/// A timestamp as botocore accepts it: an ISO-8601 string (`Z`, `±HH:MM`, `±HHMM` or no zone
/// for UTC; `T` or a space; any number of fractional digits, read to the millisecond) or
/// epoch seconds (a number or a numeric string). Returns ms since the epoch.
pub fn parse_timestamp(value: &Value) -> Result<i64, String> {
    let epoch = |seconds: f64| {
        if (0.0..=LATEST_EPOCH_SECONDS).contains(&seconds) {
            Ok((seconds * 1000.0).round() as i64)
        } else {
            Err(format!(
                "expected epoch seconds between 1970 and 9999, got {seconds}"
            ))
        }
    };
    match value {
        Value::Number(n) => epoch(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(text) => {
            let text = text.trim();
            if let Ok(seconds) = text.parse::<f64>()
                && seconds.is_finite()
            {
                return epoch(seconds);
            }
            let (body, offset_minutes) = split_offset(text)?;
            let millis = parse_utc_millis(body).map_err(|_| {
                format!(
                    "expected an ISO-8601 timestamp like \"2026-01-01T00:00:00Z\" or \"2026-01-01 00:00:00.123456+02:00\", or epoch seconds, got \"{text}\""
                )
            })?;
            Ok(millis - offset_minutes * 60_000)
        }
        other => Err(format!(
            "expected a timestamp (ISO-8601 string or epoch seconds), got {}",
            kind(other)
        )),
    }
}

/// Splits a trailing `±HH:MM`, `±HHMM` or `±HH` zone offset (after the time of day) from an
/// ISO-8601 timestamp; returns the rest and the offset in minutes (0 without one).
fn split_offset(text: &str) -> Result<(&str, i64), String> {
    let Some(position) = text
        .char_indices()
        .skip(19)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map(|(i, _)| i)
    else {
        return Ok((text, 0));
    };
    let (body, zone) = text.split_at(position);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    let bad = || format!("expected a zone offset like +02:00 in \"{text}\"");
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4) {
        return Err(bad());
    }
    let hours: i64 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i64 = if digits.len() == 4 {
        digits[2..].parse().map_err(|_| bad())?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return Err(bad());
    }
    Ok((body, sign * (hours * 60 + minutes)))
}

/// `TrainingJobName`: `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`, at most 63 characters.
fn valid_job_name(name: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| alnum(c) || c == '-')
        && name.starts_with(alnum)
        && name.ends_with(alnum)
}

/// `TrainingJobArn`: `arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:training-job/NAME`.
fn valid_job_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_word, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    arn_word == "arn"
        && partition
            .strip_prefix("aws")
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        && service == "sagemaker"
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource
            .strip_prefix("training-job/")
            .is_some_and(valid_job_name)
}

/// One second: the tolerance of the order checks (timestamps are rounded to the millisecond;
/// a second absorbs any rounding without letting a real overlap through).
const TOLERANCE_MILLIS: i64 = 1000;

/// Validates one document and reads what `calibrate` and `backtest` need.
pub fn parse_job(file: &str, line: usize, value: &Value) -> Result<TrainingJob, InputError> {
    let mut doc = Doc {
        file,
        line,
        name: None,
    };
    let root = doc.object(value, "DescribeTrainingJobResponse")?;
    let required = |doc: &Doc, member: &str| {
        root.get(member).ok_or_else(|| {
            let hint = if root.contains_key("TrainingJobSummaries") {
                " (this is list-training-jobs output: describe each job with describe-training-job)"
            } else {
                ""
            };
            doc.error(
                member,
                format!("missing: a DescribeTrainingJob response must have it{hint}"),
            )
        })
    };
    let name = doc.string(required(&doc, "TrainingJobName")?, "TrainingJobName", 63)?;
    if !valid_job_name(name) {
        return Err(doc.error(
            "TrainingJobName",
            format!("\"{name}\" does not match [a-zA-Z0-9](-*[a-zA-Z0-9]){{0,62}}"),
        ));
    }
    doc.name = Some(name);
    let arn = doc.string(required(&doc, "TrainingJobArn")?, "TrainingJobArn", 256)?;
    if !valid_job_arn(arn) {
        return Err(doc.error(
            "TrainingJobArn",
            format!(
                "\"{arn}\" does not match arn:aws…:sagemaker:REGION:ACCOUNT(12 digits):training-job/NAME"
            ),
        ));
    }
    let artifacts = doc.object(required(&doc, "ModelArtifacts")?, "ModelArtifacts")?;
    let s3_artifacts = doc.child(artifacts, "ModelArtifacts", "S3ModelArtifacts")?;
    doc.string(s3_artifacts, "ModelArtifacts.S3ModelArtifacts", 1024)?;
    let status = doc.member(
        required(&doc, "TrainingJobStatus")?,
        "TrainingJobStatus",
        &TRAINING_JOB_STATUSES,
    )?;
    let secondary_status = doc.member(
        required(&doc, "SecondaryStatus")?,
        "SecondaryStatus",
        &SECONDARY_STATUSES,
    )?;
    let stopping = doc.object(required(&doc, "StoppingCondition")?, "StoppingCondition")?;
    let limit = |member: &str, min: i64, max: i64| -> Result<Option<u64>, InputError> {
        stopping
            .get(member)
            .map(|v| doc.integer(v, &format!("StoppingCondition.{member}"), min, max))
            .transpose()
            .map(|v| v.map(|n| n as u64))
    };
    let max_runtime_seconds = limit("MaxRuntimeInSeconds", 1, i64::MAX)?;
    let max_wait_seconds = limit("MaxWaitTimeInSeconds", 1, i64::MAX)?;
    limit("MaxPendingTimeInSeconds", 1800, 2_419_200)?;
    let creation_millis = doc.timestamp(required(&doc, "CreationTime")?, "CreationTime")?;
    let optional_time = |member: &str| {
        root.get(member)
            .map(|v| doc.timestamp(v, member))
            .transpose()
    };
    optional_time("TrainingStartTime")?;
    optional_time("LastModifiedTime")?;
    let training_end_millis = optional_time("TrainingEndTime")?;

    let (mut instance_type, mut instance_count, mut instance_groups) = (None, None, false);
    if let Some(config) = root.get("ResourceConfig") {
        let config = doc.object(config, "ResourceConfig")?;
        if let Some(t) = config.get("InstanceType") {
            instance_type = Some(
                doc.string(t, "ResourceConfig.InstanceType", 256)?
                    .to_string(),
            );
        }
        if let Some(c) = config.get("InstanceCount") {
            instance_count =
                Some(
                    doc.integer(c, "ResourceConfig.InstanceCount", 0, i64::from(u32::MAX))? as u32,
                );
        }
        if let Some(v) = config.get("VolumeSizeInGB") {
            doc.integer(v, "ResourceConfig.VolumeSizeInGB", 0, i64::MAX)?;
        }
        instance_groups = config
            .get("InstanceGroups")
            .is_some_and(|g| g.as_array().is_some_and(|a| !a.is_empty()));
    }
    let managed_spot = root
        .get("EnableManagedSpotTraining")
        .map(|v| doc.boolean(v, "EnableManagedSpotTraining"))
        .transpose()?
        .unwrap_or(false);
    let seconds = |member: &str| {
        root.get(member)
            .map(|v| doc.integer(v, member, 1, i64::MAX).map(|n| n as u64))
            .transpose()
    };
    let training_time_seconds = seconds("TrainingTimeInSeconds")?;
    let billable_time_seconds = seconds("BillableTimeInSeconds")?;
    let failure_reason = root
        .get("FailureReason")
        .map(|v| doc.string(v, "FailureReason", 1024).map(str::to_string))
        .transpose()?;
    let checkpoint_s3_uri = match root.get("CheckpointConfig") {
        None => None,
        Some(config) => {
            let config = doc.object(config, "CheckpointConfig")?;
            let uri = doc.child(config, "CheckpointConfig", "S3Uri")?;
            if let Some(local) = config.get("LocalPath") {
                doc.string(local, "CheckpointConfig.LocalPath", 4096)?;
            }
            Some(doc.string(uri, "CheckpointConfig.S3Uri", 1024)?.to_string())
        }
    };
    let max_retry_attempts = match root.get("RetryStrategy") {
        None => None,
        Some(strategy) => {
            let strategy = doc.object(strategy, "RetryStrategy")?;
            let attempts = doc.child(strategy, "RetryStrategy", "MaximumRetryAttempts")?;
            Some(doc.integer(attempts, "RetryStrategy.MaximumRetryAttempts", 1, 30)? as u32)
        }
    };
    if let Some(spec) = root.get("AlgorithmSpecification") {
        let spec = doc.object(spec, "AlgorithmSpecification")?;
        let mode = doc.child(spec, "AlgorithmSpecification", "TrainingInputMode")?;
        doc.string(mode, "AlgorithmSpecification.TrainingInputMode", 256)?;
    }
    let transitions = match root.get("SecondaryStatusTransitions") {
        None => Vec::new(),
        Some(list) => {
            let items = list.as_array().ok_or_else(|| {
                doc.error(
                    "SecondaryStatusTransitions",
                    format!("expected an array, got {}", kind(list)),
                )
            })?;
            items
                .iter()
                .enumerate()
                .map(|(i, item)| transition(&doc, i, item))
                .collect::<Result<Vec<_>, _>>()?
        }
    };

    let job = TrainingJob {
        file: file.to_string(),
        line,
        name: name.to_string(),
        status,
        secondary_status,
        creation_millis,
        training_end_millis,
        instance_type,
        instance_count,
        instance_groups,
        managed_spot,
        max_runtime_seconds,
        max_wait_seconds,
        checkpoint_s3_uri,
        max_retry_attempts,
        training_time_seconds,
        billable_time_seconds,
        failure_reason,
        transitions,
    };
    check_consistency(&doc, &job)?;
    Ok(job)
}

fn transition(doc: &Doc, index: usize, item: &Value) -> Result<Transition, InputError> {
    let path = format!("SecondaryStatusTransitions[{index}]");
    let entry = doc.object(item, &path)?;
    let member = |name: &str| doc.child(entry, &path, name);
    let status = doc.member(
        member("Status")?,
        &format!("{path}.Status"),
        &SECONDARY_STATUSES,
    )?;
    let start_millis = doc.timestamp(member("StartTime")?, &format!("{path}.StartTime"))?;
    let end_millis = entry
        .get("EndTime")
        .map(|v| doc.timestamp(v, &format!("{path}.EndTime")))
        .transpose()?;
    let message = entry
        .get("StatusMessage")
        .map(|v| {
            doc.string(v, &format!("{path}.StatusMessage"), usize::MAX)
                .map(str::to_string)
        })
        .transpose()?;
    Ok(Transition {
        status,
        start_millis,
        end_millis,
        message,
    })
}

/// The contradictions listed in the module documentation.
fn check_consistency(doc: &Doc, job: &TrainingJob) -> Result<(), InputError> {
    if !groups_with(job.status, job.secondary_status) {
        return Err(doc.error(
            "TrainingJobStatus",
            format!(
                "{} contradicts SecondaryStatus {} (reference: Completed ⊃ Completed; Stopped ⊃ Stopped, MaxWaitTimeExceeded, MaxRuntimeExceeded; InProgress ⊃ Starting … Uploading)",
                job.status, job.secondary_status
            ),
        ));
    }
    if let Some(last) = job.transitions.last()
        && last.status != job.secondary_status
    {
        return Err(doc.error(
            "SecondaryStatusTransitions",
            format!(
                "the last transition is {} but SecondaryStatus is {}",
                last.status, job.secondary_status
            ),
        ));
    }
    for (i, t) in job.transitions.iter().enumerate() {
        let path = format!("SecondaryStatusTransitions[{i}]");
        if i == 0 && t.start_millis < job.creation_millis - TOLERANCE_MILLIS {
            return Err(doc.error(
                &format!("{path}.StartTime"),
                "before CreationTime: a job's statuses begin when it is created",
            ));
        }
        if let Some(end) = t.end_millis
            && end < t.start_millis
        {
            return Err(doc.error(&format!("{path}.EndTime"), "before its StartTime"));
        }
        if let Some(next) = job.transitions.get(i + 1) {
            if next.start_millis < t.start_millis {
                return Err(doc.error(
                    &format!("SecondaryStatusTransitions[{}].StartTime", i + 1),
                    format!(
                        "before the StartTime of {path} ({}): time runs backwards",
                        t.status
                    ),
                ));
            }
            if let Some(end) = t.end_millis
                && end > next.start_millis + TOLERANCE_MILLIS
            {
                return Err(doc.error(
                    &format!("{path}.EndTime"),
                    format!(
                        "{} ends {:.3} s after the next transition ({}) starts: transitions follow one another",
                        t.status,
                        (end - next.start_millis) as f64 / 1000.0,
                        next.status
                    ),
                ));
            }
        }
    }
    if let Some(end) = job.training_end_millis
        && end < job.creation_millis - TOLERANCE_MILLIS
    {
        return Err(doc.error("TrainingEndTime", "before CreationTime"));
    }
    if let (Some(training), Some(billable)) = (job.training_time_seconds, job.billable_time_seconds)
        && billable > training
    {
        return Err(doc.error(
            "BillableTimeInSeconds",
            format!(
                "{billable} s exceeds TrainingTimeInSeconds {training} s: billable time is training time after the spot discount"
            ),
        ));
    }
    if let Some(training) = job.training_time_seconds {
        let wall = job.wall_clock_seconds();
        if training as f64 > wall + 1.0 {
            return Err(doc.error(
                "TrainingTimeInSeconds",
                format!(
                    "{training} s exceeds the job's wall clock ({wall:.0} s from CreationTime to its end)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_in_every_form_boto3_and_the_cli_print() {
        let utc = parse_timestamp(&json!("2023-08-01T12:34:56.789Z")).unwrap();
        for same in [
            json!("2023-08-01T14:34:56.789+02:00"),
            json!("2023-08-01 12:34:56.789000+00:00"),
            json!("2023-08-01T07:34:56.789-0500"),
            json!("2023-08-01T13:34:56.789+01"),
            json!(1_690_893_296.789),
            json!("1690893296.789"),
        ] {
            assert_eq!(parse_timestamp(&same), Ok(utc), "{same}");
        }
        for bad in [
            json!("2023-08-01T12:34:56+25:00"),
            json!("2023-08-01"),
            json!("yesterday"),
            json!(-5),
            json!(true),
        ] {
            assert!(parse_timestamp(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_arns_follow_the_api_patterns() {
        assert!(valid_job_name("a"));
        assert!(valid_job_name("bert--large-2"));
        assert!(!valid_job_name("-bert"));
        assert!(!valid_job_name("bert_large"));
        assert!(!valid_job_name(&"a".repeat(64)));
        assert!(valid_job_arn(
            "arn:aws:sagemaker:us-east-1:123456789012:training-job/bert-2"
        ));
        assert!(valid_job_arn(
            "arn:aws-cn:sagemaker:cn-north-1:123456789012:training-job/x"
        ));
        assert!(!valid_job_arn(
            "arn:aws:sagemaker:us-east-1:12345:training-job/bert"
        ));
        assert!(!valid_job_arn("arn:aws:s3:::bucket"));
    }

    #[test]
    fn status_groups_follow_the_reference() {
        assert!(groups_with("Stopped", "MaxWaitTimeExceeded"));
        assert!(groups_with("InProgress", "Interrupted"));
        assert!(!groups_with("Completed", "Training"));
        assert!(!groups_with("InProgress", "Completed"));
        assert!(!groups_with("Failed", "Stopped"));
    }
}
