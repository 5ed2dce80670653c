//! Where a scenario and its job come from — a file, standard input or the embedded default; a
//! CreateTrainingJob request or SDK estimator arguments — and what spotsim must say about a
//! job source combined with a scenario the user did not write.
//!
//! The embedded default scenario is a 20-hour job on one `ml.p3.2xlarge` at $3.825/h. When a
//! request (or estimator) replaces its `[job]`, everything else — workload, checkpoints,
//! market, prices — still comes from the default, which the user never saw. A price is per
//! instance type: when the request runs another type, the default's price would price a
//! different job, so that is an error naming `[pricing] on_demand_per_hour` with an example of
//! the scenario to write. On the default's own instance type the run goes ahead, and every
//! inherited value is stated on stderr.

use super::error::{PricedElsewhere, ScenarioError};
use super::request::Request;
use super::{DEFAULT_MAX_RUNTIME_SECONDS, DEFAULT_SCENARIO, Scenario};
use crate::error::InputError;
use crate::files::input::{InputKind, read_text};
use std::path::{Path, PathBuf};

/// The label of the embedded default scenario in messages.
pub const EMBEDDED_DEFAULT: &str = "<embedded default>";

/// The `file://` prefix the aws CLI uses for file arguments (`--cli-input-json file://req.json`).
pub const FILE_URL_PREFIX: &str = "file://";

/// A path as a user may write it for spotsim or the aws CLI: `file://` is dropped.
pub fn strip_file_url(given: &str) -> &str {
    given.strip_prefix(FILE_URL_PREFIX).unwrap_or(given)
}

/// A scenario's text and how to name and place it.
#[derive(Debug, Clone)]
pub struct ScenarioText {
    /// The TOML text.
    pub text: String,
    /// How errors name it (the path, `<stdin>`, `<embedded default>`).
    pub file: String,
    /// The default scenario name.
    pub stem: String,
    /// The folder relative paths resolve against.
    pub base_dir: PathBuf,
    /// Whether this is the embedded default (whose `[job]` a job source replaces).
    pub embedded_default: bool,
}

impl ScenarioText {
    /// The embedded default scenario.
    pub fn embedded_default() -> Self {
        Self {
            text: DEFAULT_SCENARIO.to_string(),
            file: EMBEDDED_DEFAULT.to_string(),
            stem: "default".to_string(),
            base_dir: PathBuf::from("."),
            embedded_default: true,
        }
    }

    /// Reads a scenario file.
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let file = path.display().to_string();
        let text = read_text(path, InputKind::Scenario, &file, "scenario")?;
        Ok(Self::from_text(text, &file, path))
    }

    /// Scenario text read from elsewhere (standard input): `path` places it (relative paths
    /// resolve against its folder; its stem is the default name).
    pub fn from_text(text: String, file: &str, path: &Path) -> Self {
        Self {
            text,
            file: file.to_string(),
            stem: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".to_string()),
            base_dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            embedded_default: false,
        }
    }
}

impl Scenario {
    /// The scenario `text` with its job from `job` (a request or estimator arguments from the
    /// command line), which takes the place of the scenario's `[job] request` / `[job] sdk`.
    pub fn from_inputs(text: &ScenarioText, job: Option<&Request>) -> Result<Self, ScenarioError> {
        Self::from_toml_with_request(
            &text.text,
            &text.file,
            &text.stem,
            &text.base_dir,
            job,
            text.embedded_default && job.is_some(),
        )
    }
}

/// The job source a scenario names itself: `[job] request` (a CreateTrainingJob body) or
/// `[job] sdk` (estimator arguments), relative to the scenario's folder.
pub(super) fn job_source_of(
    job: &super::raw::RawJob,
    file: &str,
    source: &str,
    base_dir: &Path,
) -> Result<Option<Request>, ScenarioError> {
    let at = |key: &str| {
        InputError::new(file, "")
            .at_key(format!("[job] {key}"))
            .at_line(crate::units::keys::locate(source, Some("job"), &[key]))
    };
    let (key, given) = match (&job.request, &job.sdk) {
        (Some(_), Some(_)) => {
            let mut error = at("sdk");
            error.message = "give the job's source once: request (a CreateTrainingJob body) or sdk (Estimator arguments), not both".into();
            return Err(error.into());
        }
        (Some(request), None) => ("request", request),
        (None, Some(sdk)) => ("sdk", sdk),
        (None, None) => return Ok(None),
    };
    if let Err(message) = crate::units::keys::check_path(given) {
        let mut error = at(key);
        error.message = message;
        return Err(error.into());
    }
    let path = base_dir.join(strip_file_url(given));
    // A path that exists but is not a regular file (a FIFO, a device) reaches the bounded
    // reader, which names what it is.
    if !path.exists() {
        let mut error = at(key);
        error.message = format!(
            "the {} \"{}\" does not exist",
            if key == "sdk" {
                "SDK estimator arguments"
            } else {
                "CreateTrainingJob request"
            },
            path.display()
        );
        return Err(error.into());
    }
    let label = path.display().to_string();
    if key == "sdk" {
        Request::load_estimator(&path, &label).map(Some)
    } else {
        Request::load(&path, &label).map(Some)
    }
}

/// Checks and states what a job source combined with the embedded default inherits from it
/// (module doc): an error when the default's price is for another instance type, else one
/// warning listing every inherited value.
pub(super) fn check_inherited(
    scenario: &mut Scenario,
    default_job: &super::raw::RawJob,
    request: &Request,
) -> Result<(), ScenarioError> {
    let priced_for = default_job
        .instance_type
        .clone()
        .unwrap_or_else(|| "ml.p3.2xlarge".to_string());
    let job = &scenario.job;
    if job.instance_type != priced_for {
        let error = InputError::new(
            EMBEDDED_DEFAULT,
            format!(
                "{} runs {} × {}, but the embedded default scenario's price is for {priced_for} (on_demand_per_hour = {}) and its [workload] training ({} h) and [market] are another job's: write them for this job in a scenario",
                request.file,
                job.instance_count,
                job.instance_type,
                scenario.pricing.on_demand_per_hour,
                scenario.workload.training_seconds / 3600.0,
            ),
        )
        .at_key("[pricing] on_demand_per_hour");
        return Err(ScenarioError::DefaultPricedElsewhere(Box::new(
            PricedElsewhere {
                error,
                given: request.kind,
                job_file: request.file.clone(),
                example: format!(
                    "[workload] training = \"12h\" (the job's uninterrupted compute), [market] model = \"advisor\", band = \">20%\" and [pricing] on_demand_per_hour = <the {} price per instance-hour>, spot_discount = 0.7",
                    job.instance_type
                ),
            },
        )));
    }
    let table = scenario.resolved_table();
    let mut parts = Vec::new();
    for section in ["workload", "checkpoint", "market", "pricing", "simulation"] {
        if let Some(toml::Value::Table(values)) = table.get(section) {
            let shown: Vec<String> = values
                .iter()
                .map(|(key, value)| format!("{key} = {value}"))
                .collect();
            parts.push(format!("[{section}] {}", shown.join(", ")));
        }
    }
    scenario.warnings.push(format!(
        "{}: only the job comes from {}; everything else is the embedded default scenario's (durations in seconds, prices in USD per instance-hour of {priced_for}): {} — give a scenario file to set them",
        EMBEDDED_DEFAULT,
        request.file,
        parts.join("; ")
    ));
    Ok(())
}

/// The note when no input gave `MaxRuntimeInSeconds`.
pub(super) fn max_runtime_note(file: &str) -> String {
    format!(
        "{file}: no max_runtime given: assuming MaxRuntimeInSeconds = {DEFAULT_MAX_RUNTIME_SECONDS} s (the API's and SDK v2's max_run default; SDK v3's ModelTrainer defaults to 3600 s)"
    )
}

/// The shortest and longest `MaxPendingTimeInSeconds` the API accepts.
const MAX_PENDING_RANGE_SECONDS: (f64, f64) = (1800.0, 2_419_200.0);

/// Validates `[job] max_pending_time` (`StoppingCondition.MaxPendingTimeInSeconds`).
pub(super) fn max_pending(
    resolver: &super::Resolver,
    seconds: Option<f64>,
) -> Result<Option<f64>, InputError> {
    let Some(seconds) = seconds else {
        return Ok(None);
    };
    const KEYS: &[&str] = &["max_pending_time", "max_pending_time_in_seconds"];
    let (low, high) = MAX_PENDING_RANGE_SECONDS;
    if seconds.fract() != 0.0 || !(low..=high).contains(&seconds) {
        return Err(resolver.error(
            "job",
            KEYS,
            format!("MaxPendingTimeInSeconds must be a whole number of seconds from {low} to {high}, got {seconds}"),
        ));
    }
    Ok(Some(seconds))
}
