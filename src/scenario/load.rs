//! Loading a scenario: a file, the embedded default, TOML text, or a scenario merged with a
//! CreateTrainingJob request or SDK estimator arguments.

use super::diagnostics::toml_error;
use super::error::ScenarioError;
use super::model::{DEFAULT_SCENARIO, Scenario};
use super::raw::RawScenario;
use super::{Resolver, pitfalls, request, source};
use crate::error::InputError;
use crate::files::input::{InputKind, read_text};
use std::path::Path;

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let file = path.display().to_string();
        let source = read_text(path, InputKind::Scenario, &file, "scenario")?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".to_string());
        let base_dir = path.parent().unwrap_or(Path::new("."));
        Self::from_toml_in(&source, &file, &stem, base_dir)
    }

    /// The embedded default scenario.
    pub fn embedded_default() -> Self {
        Self::from_toml(DEFAULT_SCENARIO, "<embedded default>", "default")
            .expect("the embedded default scenario is valid")
    }

    /// Parses and validates scenario text; `file` names it in errors, `stem` is the default name.
    pub fn from_toml(source: &str, file: &str, stem: &str) -> Result<Self, InputError> {
        Self::from_toml_in(source, file, stem, Path::new("."))
    }

    /// Like [`Scenario::from_toml`], resolving relative paths (traces, prices) against `base_dir`.
    pub fn from_toml_in(
        source: &str,
        file: &str,
        stem: &str,
        base_dir: &Path,
    ) -> Result<Self, InputError> {
        Ok(Self::from_toml_with_request(
            source, file, stem, base_dir, None, false,
        )?)
    }

    /// Reads the scenario at `path` (the embedded default when `None`) with the job taken from
    /// a CreateTrainingJob request body: `request` (from the command line) or the scenario's
    /// `[job] request`. Values the scenario's `[job]` also gives must agree with the request;
    /// the embedded default's `[job]` is replaced instead (the user did not write it).
    pub fn load_with_request(
        path: Option<&Path>,
        request: Option<&Path>,
    ) -> Result<Self, InputError> {
        let request = request
            .map(|r| request::Request::load(r, &r.display().to_string()))
            .transpose()?;
        let text = match path {
            None => source::ScenarioText::embedded_default(),
            Some(path) => source::ScenarioText::read(path)?,
        };
        Ok(Self::from_inputs(&text, request.as_ref())?)
    }

    /// Parses scenario text with a job source (a CreateTrainingJob request or SDK estimator
    /// arguments) that takes the place of the scenario's `[job] request` / `[job] sdk`.
    /// `replace_job`: the scenario's `[job]` is replaced rather than checked against the job
    /// source (the embedded default's, which the user did not write).
    pub(crate) fn from_toml_with_request(
        source: &str,
        file: &str,
        stem: &str,
        base_dir: &Path,
        job_source: Option<&request::Request>,
        replace_job: bool,
    ) -> Result<Self, ScenarioError> {
        let mut raw: RawScenario =
            toml::from_str(source).map_err(|e| toml_error(file, source, &e))?;
        let from_file = match job_source {
            Some(_) => None,
            None => source::job_source_of(&raw.job, file, source, base_dir)?,
        };
        let job_source = job_source.or(from_file.as_ref());
        let replaced = match job_source {
            Some(_) if replace_job => Some(std::mem::take(&mut raw.job)),
            _ => None,
        };
        let provenance = match job_source {
            None => None,
            Some(request) => {
                if let Some(name) = &request.name
                    && (raw.name.is_none() || replace_job)
                {
                    raw.name = Some(name.clone());
                }
                Some(request.apply(&mut raw.job, replace_job, file, source)?)
            }
        };
        let resolver = Resolver {
            file,
            source,
            base_dir,
            request: provenance.as_ref(),
        };
        let runtime_given = raw.job.max_runtime.is_some();
        let max_pending = raw.job.max_pending_time.map(|s| s.0);
        let mut scenario = resolver.resolve(raw, stem)?;
        scenario.job.max_pending_time_seconds = source::max_pending(&resolver, max_pending)?;
        if let Some(request) = job_source {
            scenario.job.echo = request.echo.clone();
            scenario.warnings.extend(request.warnings.iter().cloned());
        }
        // The job's values are the job source's when there is one.
        let job_file = job_source.map_or(file, |r| r.file.as_str());
        if !runtime_given {
            scenario.warnings.push(source::max_runtime_note(job_file));
        }
        scenario
            .warnings
            .extend(pitfalls::warnings(&scenario, job_file));
        if let (Some(default_job), Some(request)) = (replaced, job_source) {
            source::check_inherited(&mut scenario, &default_job, request)?;
        }
        Ok(scenario)
    }
}
