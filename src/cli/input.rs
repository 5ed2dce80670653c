//! The inputs every scenario command takes, read the same way everywhere: a scenario file (or
//! `-` for standard input, or none for the embedded default), and the job from a
//! CreateTrainingJob request (`--request`) or SDK estimator arguments (`--estimator`), each a
//! path, `file://PATH` (as the aws CLI writes it) or `-`.

use crate::error::InputError;
use crate::scenario::request::Request;
use crate::scenario::source::{ScenarioText, strip_file_url};
use crate::scenario::{JobSourceKind, Scenario, ScenarioError};
use clap::Args;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The most bytes read from standard input: a scenario or request is kilobytes; a stream that
/// goes on is a mistake, not an input.
pub const MAX_STDIN_BYTES: u64 = 16 << 20;

/// How errors name standard input.
const STDIN: &str = "<stdin>";

/// The job's source: a CreateTrainingJob request or SDK estimator arguments.
#[derive(Debug, Clone, Default, Args)]
pub struct JobInput {
    /// A CreateTrainingJob request body (JSON, as `aws sagemaker create-training-job
    /// --cli-input-json` takes it) for the job: a path, file://PATH or - (stdin). The scenario
    /// gives the rest.
    #[arg(long, value_name = "FILE", conflicts_with = "estimator")]
    pub request: Option<String>,
    /// The keyword arguments of a SageMaker Python SDK Estimator(...) as a JSON object, for the
    /// job: a path, file://PATH or - (stdin). The scenario gives the rest.
    #[arg(long, value_name = "FILE")]
    pub estimator: Option<String>,
}

/// A scenario and the job's source.
#[derive(Debug, Clone, Default, Args)]
pub struct ScenarioInput {
    /// Scenario file (TOML), file://PATH, or - (stdin). Without it, the embedded default
    /// scenario.
    pub scenario: Option<String>,
    /// The job's source.
    #[command(flatten)]
    pub job: JobInput,
}

/// Reads standard input as text, at most [`MAX_STDIN_BYTES`].
fn read_stdin(what: &str) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::new(STDIN, format!("cannot read the {what}: {e}")))?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        return Err(InputError::new(
            STDIN,
            format!(
                "cannot read the {what}: more than the {MAX_STDIN_BYTES} bytes spotsim reads from standard input"
            ),
        ));
    }
    crate::files::input::text_of(bytes).map_err(|bad| {
        InputError::new(STDIN, format!("cannot read the {what}: {bad}")).at_line(Some(bad.line))
    })
}

/// Text and label of a JSON input of `kind` given as a path, `file://PATH` or `-`.
fn read_json_input(
    given: &str,
    kind: crate::files::input::InputKind,
    what: &str,
) -> Result<(String, String), InputError> {
    if given == "-" {
        return Ok((read_stdin(what)?, STDIN.to_string()));
    }
    let path = Path::new(strip_file_url(given));
    let label = path.display().to_string();
    let text = crate::files::input::read_text(path, kind, &label, what)?;
    Ok((text, label))
}

/// How the command line gives a job source: its option for each kind, in the remedies of
/// [`ScenarioError`]s.
const JOB_SOURCE_OPTIONS: crate::scenario::error::JobSourceOptions =
    crate::scenario::error::JobSourceOptions {
        option: |kind| match kind {
            JobSourceKind::Request => "--request",
            JobSourceKind::Estimator => "--estimator",
        },
        command: "spotsim simulate",
    };

/// A scenario error as the command line says it: remedies name its options.
fn with_options(error: ScenarioError) -> InputError {
    error.into_input_error(Some(&JOB_SOURCE_OPTIONS))
}

impl JobInput {
    /// The parsed job source, if one was given.
    pub fn read(&self) -> Result<Option<Request>, InputError> {
        if let Some(given) = &self.request {
            let (text, label) = read_json_input(
                given,
                crate::files::input::InputKind::Request,
                "CreateTrainingJob request",
            )?;
            return Request::parse(&text, &label)
                .map(Some)
                .map_err(with_options);
        }
        if let Some(given) = &self.estimator {
            let (text, label) = read_json_input(
                given,
                crate::files::input::InputKind::Estimator,
                "SDK estimator arguments",
            )?;
            return Request::parse_estimator(&text, &label)
                .map(Some)
                .map_err(with_options);
        }
        Ok(None)
    }

    /// Whether the job source is read from standard input.
    fn uses_stdin(&self) -> bool {
        self.request.as_deref() == Some("-") || self.estimator.as_deref() == Some("-")
    }
}

impl ScenarioInput {
    /// How messages name the scenario (its path, `<stdin>` or `<embedded default>`).
    pub fn label(&self) -> String {
        match self.scenario.as_deref() {
            None => crate::scenario::source::EMBEDDED_DEFAULT.to_string(),
            Some("-") => STDIN.to_string(),
            Some(given) => strip_file_url(given).to_string(),
        }
    }

    /// Reads, resolves and validates the scenario with its job; prints its warnings to stderr.
    pub fn load(&self) -> Result<Scenario, InputError> {
        if self.scenario.as_deref() == Some("-") && self.job.uses_stdin() {
            return Err(InputError::new(
                "command line",
                "the scenario and the job's source cannot both be read from stdin (-): give one of them as a file",
            )
            .at_key("-"));
        }
        let job = self.job.read()?;
        let text = match self.scenario.as_deref() {
            None => ScenarioText::embedded_default(),
            // Relative paths of a scenario from stdin resolve against the current folder.
            Some("-") => {
                ScenarioText::from_text(read_stdin("scenario")?, STDIN, &PathBuf::from("stdin"))
            }
            Some(given) => ScenarioText::read(Path::new(strip_file_url(given)))?,
        };
        let mut scenario = Scenario::from_inputs(&text, job.as_ref()).map_err(with_options)?;
        crate::montecarlo::prepare(&mut scenario);
        for warning in &scenario.warnings {
            eprintln!("warning: {warning}");
        }
        Ok(scenario)
    }
}

/// `--trials`: a whole number, written plainly, with `_` separators (`1_000_000`) or in
/// scientific notation (`1e6`), within 1 … [`crate::units::limits::MAX_TRIALS`].
pub fn parse_trials(text: &str) -> Result<u64, String> {
    let count = parse_count(text)?;
    let max = crate::units::limits::MAX_TRIALS;
    if (1..=max).contains(&count) {
        Ok(count)
    } else {
        Err(format!("expected between 1 and {max} trials, got {text}"))
    }
}

/// `--trial K`: a trial index, written as [`parse_trials`] accepts it (0 allowed).
pub fn parse_trial_index(text: &str) -> Result<u64, String> {
    parse_count(text)
}

/// A whole number ≥ 0: digits with optional `_` separators, or a float literal (`1e6`,
/// `2.5e5`) that is a whole number exactly representable (at most 2^53).
fn parse_count(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let plain: String = trimmed.chars().filter(|c| *c != '_').collect();
    let expected =
        || format!("expected a whole number such as 10000, 1_000_000 or 1e6, got \"{text}\"");
    // Separators only between digits, as in Rust and Python literals.
    let bytes = trimmed.as_bytes();
    let separators_fit = (0..bytes.len()).all(|i| {
        bytes[i] != b'_'
            || (i > 0
                && i + 1 < bytes.len()
                && bytes[i - 1].is_ascii_digit()
                && bytes[i + 1].is_ascii_digit())
    });
    if !separators_fit {
        return Err(expected());
    }
    if !plain.is_empty() && plain.bytes().all(|b| b.is_ascii_digit()) {
        return plain
            .parse::<u64>()
            .map_err(|_| format!("{text} is too large"));
    }
    let value: f64 = plain.parse().map_err(|_| expected())?;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= EXACT {
        Ok(value as u64)
    } else {
        Err(expected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_counts_in_the_ways_people_write_them() {
        for (text, count) in [
            ("10000", 10_000),
            ("1_000_000", 1_000_000),
            ("1e6", 1_000_000),
            ("2.5e5", 250_000),
            ("1E3", 1000),
            ("1000000000000", 1_000_000_000_000),
        ] {
            assert_eq!(parse_trials(text), Ok(count), "{text}");
        }
        for text in [
            "0", "-5", "1.5", "1e-3", "ten", "", "_1", "1__0", "inf", "NaN", "1e13",
        ] {
            assert!(parse_trials(text).is_err(), "{text}");
        }
        assert_eq!(parse_trial_index("0"), Ok(0));
        assert_eq!(parse_trial_index("1_000"), Ok(1000));
    }
}
