//! The scenario's errors whose remedy is a way to give the job's source. Most scenario errors
//! are complete [`InputError`]s (file, key, line, what was expected); these few tell the user to
//! give a CreateTrainingJob body or SDK estimator arguments elsewhere, and the scenario knows
//! only its own keys for that (`[job] request`, `[job] sdk`). They are typed so that a caller
//! with other ways — the command line's options — can name them
//! ([`ScenarioError::into_input_error`]); converted plainly, they name the scenario's keys.

use crate::error::InputError;

/// The two kinds of job source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobSourceKind {
    /// A CreateTrainingJob request body.
    Request,
    /// SDK Estimator(...) keyword arguments.
    Estimator,
}

impl JobSourceKind {
    /// The scenario key that names a file of this kind.
    pub fn key(self) -> &'static str {
        match self {
            JobSourceKind::Request => "[job] request",
            JobSourceKind::Estimator => "[job] sdk",
        }
    }

    /// What a file of this kind is, and the pronoun that stands for it.
    fn what(self) -> (&'static str, &'static str) {
        match self {
            JobSourceKind::Request => ("a CreateTrainingJob body", "it"),
            JobSourceKind::Estimator => ("SDK Estimator(...) arguments", "them"),
        }
    }
}

/// A scenario or job source that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// A complete input error.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A job source that holds nothing its kind says, but a member only the `other` kind has:
    /// `error` says what it holds; the remedy is to give it as the other kind.
    #[error("{}", self.clone().into_input_error(None))]
    OtherKind {
        /// What the file holds and what was expected.
        error: InputError,
        /// The kind the file looks like.
        other: JobSourceKind,
    },
    /// A job source combined with the embedded default, whose price is for another instance
    /// type: the remedy is a scenario of this job's own, passed with the job source.
    #[error("{}", self.clone().into_input_error(None))]
    DefaultPricedElsewhere(Box<PricedElsewhere>),
}

/// What [`ScenarioError::DefaultPricedElsewhere`] says.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedElsewhere {
    /// What does not fit, ending where the remedy begins.
    pub error: InputError,
    /// The job source's kind.
    pub given: JobSourceKind,
    /// The job source's file.
    pub job_file: String,
    /// What the example scenario holds.
    pub example: String,
}

/// How a caller names its own way to give a job source of a kind (e.g. `--request`), and
/// the command that runs a scenario with it (e.g. `spotsim simulate`).
#[derive(Debug, Clone, Copy)]
pub struct JobSourceOptions {
    /// The option for each kind.
    pub option: fn(JobSourceKind) -> &'static str,
    /// The command an example runs.
    pub command: &'static str,
}

impl ScenarioError {
    /// The error as one [`InputError`], whose remedy names `options` (the caller's way to
    /// give a job source) before the scenario key, or the scenario key alone without them.
    pub fn into_input_error(self, options: Option<&JobSourceOptions>) -> InputError {
        match self {
            ScenarioError::Input(error) => error,
            ScenarioError::OtherKind { mut error, other } => {
                let (what, pronoun) = other.what();
                let ways = match options {
                    Some(options) => format!("{} or {}", (options.option)(other), other.key()),
                    None => other.key().to_string(),
                };
                error.message = format!(
                    "{}; it looks like {what}: give {pronoun} with {ways}",
                    error.message
                );
                error
            }
            ScenarioError::DefaultPricedElsewhere(priced) => {
                let PricedElsewhere {
                    mut error,
                    given,
                    job_file,
                    example,
                } = *priced;
                error.message = match options {
                    Some(options) => format!(
                        "{} and pass it, e.g. `{} job.toml {} {job_file}` with job.toml holding {example}",
                        error.message,
                        options.command,
                        (options.option)(given),
                    ),
                    None => format!(
                        "{} and give it with the job source ({job_file}), e.g. one holding {example}",
                        error.message,
                    ),
                };
                error
            }
        }
    }
}

impl From<ScenarioError> for InputError {
    /// The error with its remedy in the scenario's own keys.
    fn from(error: ScenarioError) -> Self {
        error.into_input_error(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLI: JobSourceOptions = JobSourceOptions {
        option: |kind| match kind {
            JobSourceKind::Request => "/request",
            JobSourceKind::Estimator => "/estimator",
        },
        command: "run",
    };

    #[test]
    fn remedies_name_the_callers_options_or_the_scenario_keys() {
        let error = ScenarioError::OtherKind {
            error: InputError::new("a.json", "expected X"),
            other: JobSourceKind::Estimator,
        };
        assert_eq!(
            error.clone().into_input_error(Some(&CLI)).message,
            "expected X; it looks like SDK Estimator(...) arguments: give them with /estimator or [job] sdk"
        );
        assert_eq!(
            InputError::from(error).message,
            "expected X; it looks like SDK Estimator(...) arguments: give them with [job] sdk"
        );
        let error = ScenarioError::DefaultPricedElsewhere(Box::new(PricedElsewhere {
            error: InputError::new("d", "priced elsewhere: write a scenario"),
            given: JobSourceKind::Request,
            job_file: "r.json".into(),
            example: "[workload] training".into(),
        }));
        assert_eq!(
            error.clone().into_input_error(Some(&CLI)).message,
            "priced elsewhere: write a scenario and pass it, e.g. `run job.toml /request r.json` with job.toml holding [workload] training"
        );
        assert!(!error.to_string().contains('/'), "{error}");
    }
}
