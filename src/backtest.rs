//! Back-testing a scenario against real jobs: for each job of a DescribeTrainingJob history,
//! where did its actual outcome, wall clock, `TrainingTimeInSeconds` and
//! `BillableTimeInSeconds` fall in the distribution spotsim simulates for the same job?
//!
//! ## The same job
//! Each job is simulated with its own `ResourceConfig` (instance type and count),
//! `StoppingCondition` (MaxRuntime, MaxWait), `CheckpointConfig` (durable checkpoints or not)
//! and `RetryStrategy`, read from its document; the workload, checkpoint policy, market and
//! prices come from the scenario. Its `CreationTime` becomes the scenario's `start_time` when
//! the scenario bills a spot price history (the only input anchored in calendar time). Jobs
//! with equal settings share one simulation. A job runs as SageMaker ran it, so the scenario
//! must use the continuous clock and the `managed-spot` policy.
//!
//! ## Where a job falls
//! Its position in a metric is its percentile among the simulated trials: `F(x)`, the share
//! of trials at or below the actual value `x`. Simulated distributions have atoms (every trial
//! stopped by MaxWait has the same wall clock; times are whole seconds), so a value can sit on
//! a step of `F`, anywhere in `[F(x⁻), F(x)]`. The randomised probability integral transform
//! (PIT) draws the position uniformly from that interval; for a correctly calibrated model it
//! is uniform on (0, 1), so a share `b` of jobs falls inside the central band
//! `[(1 − b)/2, (1 + b)/2]`. spotsim does not draw: each job counts with the share of its
//! interval that lies inside the band (the expectation over the draw), so the coverage is
//! deterministic and still has expectation `b` — with a standard error at most the binomial
//! `√(b(1 − b)/n)` for n jobs. Values within a millisecond count as equal (documents carry
//! milliseconds).
//!
//! ## Outcomes and savings
//! The outcome is categorical: each job contributes the simulated probability of each
//! outcome, so the expected count of, say, `MaxWaitTimeExceeded` jobs is the sum of those
//! probabilities (standard error `√Σ p(1 − p)`), next to the actual count. Savings are the
//! SageMaker SDK's: `(1 − Σ billable × instances / Σ training × instances) × 100` over the
//! jobs, actual against the sum of the simulated means.

use crate::engine::{Engine, Outcome};
use crate::error::InputError;
use crate::sagemaker::history::{LeftOut, TrainingJob};
use crate::sagemaker::time::format_utc_millis;
use crate::scenario::Scenario;
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;

/// Values this close (seconds) are equal: documents carry milliseconds.
const TIE_SECONDS: f64 = 0.001;

/// Trials per parallel chunk (fixed, so that the sums never depend on the thread count; they
/// are integers anyway).
const CHUNK_TRIALS: u64 = 4096;

/// The metrics placed in their simulated distributions.
pub const METRICS: [&str; 3] = [
    "wall_clock_seconds",
    "training_time_seconds",
    "billable_time_seconds",
];

/// Where one value falls: the simulated shares strictly below and at or below it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Position {
    /// The job's actual value.
    pub actual: f64,
    /// `F(x⁻)`: share of simulated trials below it.
    pub below: f64,
    /// `F(x)`: share at or below it.
    pub at_or_below: f64,
    /// The share of `[F(x⁻), F(x)]` inside the band (1 = inside, 0 = outside).
    pub inside: f64,
}

impl Position {
    fn new(actual: f64, below: u64, at_or_below: u64, trials: u64, band: (f64, f64)) -> Self {
        let (lo, hi) = (
            below as f64 / trials as f64,
            at_or_below as f64 / trials as f64,
        );
        let inside = if hi > lo {
            ((hi.min(band.1) - lo.max(band.0)).max(0.0)) / (hi - lo)
        } else if (band.0..=band.1).contains(&lo) {
            1.0
        } else {
            0.0
        };
        Self {
            actual,
            below: lo,
            at_or_below: hi,
            inside,
        }
    }
}

/// One job of the history against its simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobResult {
    /// The file it was read from.
    pub file: String,
    /// The line where its document starts.
    pub line: usize,
    /// `TrainingJobName`.
    pub job: String,
    /// `InstanceCount`.
    pub instance_count: u32,
    /// Its terminal `SecondaryStatus`.
    pub outcome: &'static str,
    /// Simulated probability of each outcome, in [`Outcome::ALL`] order.
    pub outcome_probabilities: [f64; 4],
    /// Wall clock, TrainingTime, BillableTime (in [`METRICS`] order).
    pub positions: [Position; 3],
    /// Simulated mean TrainingTimeInSeconds (0 for trials that never held an instance).
    pub predicted_training_seconds: f64,
    /// Simulated mean BillableTimeInSeconds.
    pub predicted_billable_seconds: f64,
}

impl JobResult {
    /// The simulated probability of the job's actual outcome.
    pub fn p_outcome(&self) -> f64 {
        Outcome::ALL
            .iter()
            .position(|o| o.as_str() == self.outcome)
            .map_or(0.0, |i| self.outcome_probabilities[i])
    }
}

/// Why `job` cannot be back-tested.
fn unusable(job: &TrainingJob) -> Option<String> {
    if !job.managed_spot {
        return Some("not a managed spot job (EnableManagedSpotTraining is not true)".into());
    }
    if matches!(job.status, "InProgress" | "Stopping" | "Deleting") {
        return Some(format!("{}: the job has not finished", job.status));
    }
    if job.secondary_status == "Stopped" {
        return Some("stopped by a user (StopTrainingJob), which spotsim does not simulate".into());
    }
    if job.instance_groups {
        return Some("a heterogeneous cluster (ResourceConfig.InstanceGroups)".into());
    }
    if job.instance_type.is_none() || job.instance_count.is_none_or(|c| c < 1) {
        return Some("no ResourceConfig.InstanceType and InstanceCount ≥ 1".into());
    }
    if job.max_wait_seconds.is_none() {
        return Some("no StoppingCondition.MaxWaitTimeInSeconds".into());
    }
    None
}

/// The `[job]` keys (and their aliases) a document replaces.
const REPLACED_JOB_KEYS: [&str; 14] = [
    "instance_type",
    "instance_count",
    "managed_spot",
    "enable_managed_spot_training",
    "use_spot_instances",
    "max_runtime",
    "max_runtime_in_seconds",
    "max_run",
    "max_wait",
    "max_wait_time_in_seconds",
    "checkpoint_s3_uri",
    "s3_uri",
    "max_retry_attempts",
    "maximum_retry_attempts",
];

/// The scenario a back-test simulates its jobs against.
#[derive(Debug, Clone)]
pub struct Base {
    /// The scenario file's label.
    pub file: String,
    /// Its folder (relative paths resolve against it).
    pub dir: std::path::PathBuf,
    /// Its TOML.
    pub table: toml::Table,
    /// Whether its spot price is a history anchored at `start_time`.
    pub anchored: bool,
}

impl Base {
    /// Reads and validates the scenario at `path` for back-testing.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let scenario = Scenario::load(path)?;
        let file = path.display().to_string();
        if scenario.tick.is_some() {
            return Err(InputError::new(
                &file,
                "backtest simulates jobs as SageMaker ran them: the continuous clock, not [simulation] clock = \"tick\"",
            )
            .at_key("[simulation] clock"));
        }
        if scenario.policy.name() != "managed-spot" {
            return Err(InputError::new(
                &file,
                format!(
                    "backtest simulates managed spot jobs as SageMaker ran them: [policy] name must be managed-spot, got {}",
                    scenario.policy.name()
                ),
            )
            .at_key("[policy] name"));
        }
        let source = crate::files::input::read_text(
            path,
            crate::files::input::InputKind::Scenario,
            &file,
            "scenario",
        )?;
        let table: toml::Table = toml::from_str(&source)
            .map_err(|e| InputError::new(&file, format!("not TOML: {}", e.message())))?;
        let anchored = table
            .get("pricing")
            .and_then(|p| p.as_table())
            .is_some_and(|p| p.contains_key("spot_price_history"));
        Ok(Self {
            file,
            dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            table,
            anchored,
        })
    }

    /// The scenario's TOML with `[job]` (and `start_time` when anchored) taken from `job`.
    fn table_for(&self, job: &TrainingJob) -> toml::Table {
        use toml::Value;
        let mut table = self.table.clone();
        if self.anchored {
            table.insert(
                "start_time".into(),
                Value::String(format_utc_millis(job.creation_millis)),
            );
        }
        let section = table
            .entry("job")
            .or_insert_with(|| Value::Table(toml::Table::new()));
        if let Value::Table(section) = section {
            for key in REPLACED_JOB_KEYS.iter().chain(&["request"]) {
                section.remove(*key);
            }
            let count = job.instance_count.unwrap_or(1);
            section.insert(
                "instance_type".into(),
                Value::String(job.instance_type.clone().unwrap_or_default()),
            );
            section.insert("instance_count".into(), Value::Integer(count.into()));
            section.insert("managed_spot".into(), Value::Boolean(true));
            // AWS's default when a request leaves MaxRuntime out (the document then shows it).
            let runtime = job.max_runtime_seconds.unwrap_or(86_400);
            section.insert("max_runtime".into(), Value::Integer(runtime as i64));
            let wait = job.max_wait_seconds.unwrap_or(runtime);
            section.insert("max_wait".into(), Value::Integer(wait as i64));
            match &job.checkpoint_s3_uri {
                Some(uri) => {
                    section.insert("checkpoint_s3_uri".into(), Value::String(uri.clone()));
                }
                None => {
                    section.remove("checkpoint_local_path");
                }
            }
            if let Some(attempts) = job.max_retry_attempts {
                section.insert("max_retry_attempts".into(), Value::Integer(attempts.into()));
            }
        }
        table
    }

    /// The scenario of `job`, validated like any scenario (errors name the job).
    fn scenario_for(&self, job: &TrainingJob) -> Result<(String, Scenario), InputError> {
        let text = toml::to_string(&self.table_for(job)).map_err(|e| {
            InputError::new(
                &self.file,
                format!("cannot apply job \"{}\": {e}", job.name),
            )
        })?;
        let label = format!("{} with the settings of {}", self.file, job.label());
        let scenario = Scenario::from_toml_in(&text, &label, "backtest", &self.dir)?;
        Ok((text, scenario))
    }
}

/// Counts of one chunk of trials for the jobs of one configuration.
#[derive(Debug, Clone, Default)]
struct Counts {
    outcomes: [u64; 4],
    /// Per job, per metric: (below, at or below).
    positions: Vec<[(u64, u64); 3]>,
    training: u64,
    billable: u64,
}

impl Counts {
    fn merge(mut self, other: Self) -> Self {
        for (a, b) in self.outcomes.iter_mut().zip(other.outcomes) {
            *a += b;
        }
        for (mine, theirs) in self.positions.iter_mut().zip(other.positions) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                m.0 += t.0;
                m.1 += t.1;
            }
        }
        self.training += other.training;
        self.billable += other.billable;
        self
    }
}

/// The actual values of a job, in [`METRICS`] order.
fn actual_values(job: &TrainingJob) -> [f64; 3] {
    [
        job.wall_clock_seconds(),
        job.training_time_seconds.unwrap_or(0) as f64,
        job.billable_time_seconds.unwrap_or(0) as f64,
    ]
}

/// Simulates `trials` trials of `engine` and counts where each of `values` falls.
fn simulate(engine: &Engine, trials: u64, values: &[[f64; 3]]) -> Counts {
    let chunks = trials.div_ceil(CHUNK_TRIALS);
    (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut counts = Counts {
                positions: vec![[(0, 0); 3]; values.len()],
                ..Counts::default()
            };
            let end = ((chunk + 1) * CHUNK_TRIALS).min(trials);
            for trial in chunk * CHUNK_TRIALS..end {
                let outcome = engine.run(trial);
                counts.outcomes[outcome.outcome.index()] += 1;
                let training = outcome.training_time_in_seconds().unwrap_or(0);
                let billable = outcome.billable_time_in_seconds().unwrap_or(0);
                counts.training += training;
                counts.billable += billable;
                let simulated = [outcome.wall_clock_seconds, training as f64, billable as f64];
                for (job, actual) in values.iter().enumerate() {
                    for metric in 0..3 {
                        let slot = &mut counts.positions[job][metric];
                        if simulated[metric] < actual[metric] - TIE_SECONDS {
                            slot.0 += 1;
                        }
                        if simulated[metric] <= actual[metric] + TIE_SECONDS {
                            slot.1 += 1;
                        }
                    }
                }
            }
            counts
        })
        .reduce(
            || Counts {
                positions: vec![[(0, 0); 3]; values.len()],
                ..Counts::default()
            },
            Counts::merge,
        )
}

/// The back-test of a history against a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    /// The central band, e.g. 0.9.
    pub band: f64,
    /// Simulated trials per job configuration.
    pub trials: u64,
    /// The seed of the simulated trials.
    pub seed: u64,
    /// Jobs back-tested, in the order read.
    pub jobs: Vec<JobResult>,
    /// Jobs left out.
    pub skipped: Vec<LeftOut>,
    /// Job configurations simulated.
    pub configurations: usize,
    /// Distinct warnings of the per-job scenarios.
    pub warnings: Vec<String>,
}

/// Runs the back-test of `jobs` against `base`: `trials` trials per configuration from `seed`.
pub fn backtest(
    base: &Base,
    jobs: &[TrainingJob],
    trials: u64,
    seed: u64,
    band: f64,
) -> Result<Backtest, InputError> {
    let limits = ((1.0 - band) / 2.0, (1.0 + band) / 2.0);
    let mut skipped = Vec::new();
    // Jobs grouped by the scenario text they simulate (equal settings share the trials).
    let mut groups: Vec<(String, Scenario, Vec<usize>)> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        if let Some(reason) = unusable(job) {
            skipped.push(LeftOut::new(job, reason));
            continue;
        }
        let (text, scenario) = base.scenario_for(job)?;
        for warning in &scenario.warnings {
            if !warnings.contains(warning) {
                warnings.push(warning.clone());
            }
        }
        match groups.iter_mut().find(|(t, _, _)| *t == text) {
            Some((_, _, members)) => members.push(index),
            None => groups.push((text, scenario, vec![index])),
        }
    }
    let mut results: Vec<(usize, JobResult)> = Vec::new();
    for (_, scenario, members) in &groups {
        let engine = Engine::new(scenario).with_seed(seed);
        let values: Vec<[f64; 3]> = members.iter().map(|&i| actual_values(&jobs[i])).collect();
        let counts = simulate(&engine, trials, &values);
        let n = trials as f64;
        for (k, &i) in members.iter().enumerate() {
            let job = &jobs[i];
            let positions = [0, 1, 2].map(|m| {
                let (below, at) = counts.positions[k][m];
                Position::new(values[k][m], below, at, trials, limits)
            });
            results.push((
                i,
                JobResult {
                    file: job.file.clone(),
                    line: job.line,
                    job: job.name.clone(),
                    instance_count: job.instance_count.unwrap_or(1),
                    outcome: job.secondary_status,
                    outcome_probabilities: counts.outcomes.map(|c| c as f64 / n),
                    positions,
                    predicted_training_seconds: counts.training as f64 / n,
                    predicted_billable_seconds: counts.billable as f64 / n,
                },
            ));
        }
    }
    results.sort_by_key(|(i, _)| *i);
    Ok(Backtest {
        band,
        trials,
        seed,
        jobs: results.into_iter().map(|(_, r)| r).collect(),
        skipped,
        configurations: groups.len(),
        warnings,
    })
}

/// How often a metric fell inside the band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coverage {
    /// The share of jobs inside the band (each job counting its share of its PIT interval).
    pub inside: f64,
    /// The nominal share, the band.
    pub expected: f64,
    /// The binomial standard error of the share at the nominal band, `√(b(1 − b)/n)`.
    pub se: f64,
    /// Jobs not wholly inside.
    pub outside: usize,
}

/// Actual against expected count of one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutcomeCheck {
    /// Jobs that ended so.
    pub actual: usize,
    /// Σ of the simulated probabilities.
    pub expected: f64,
    /// `√Σ p(1 − p)`.
    pub se: f64,
}

/// AWS's savings figure as the SDK prints it, over all jobs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Savings {
    /// `(1 − Σ billable·N / Σ training·N) × 100` of the actual jobs.
    pub actual_percent: Option<f64>,
    /// The same with each job's simulated mean times.
    pub predicted_percent: Option<f64>,
}

impl Backtest {
    /// Coverage of metric `m` (index into [`METRICS`]).
    pub fn coverage(&self, m: usize) -> Coverage {
        let n = self.jobs.len() as f64;
        let b = self.band;
        Coverage {
            inside: self.jobs.iter().map(|j| j.positions[m].inside).sum::<f64>() / n,
            expected: b,
            se: (b * (1.0 - b) / n).sqrt(),
            outside: self
                .jobs
                .iter()
                .filter(|j| j.positions[m].inside < 1.0)
                .count(),
        }
    }

    /// Actual against expected counts of each outcome, in [`Outcome::ALL`] order.
    pub fn outcomes(&self) -> [OutcomeCheck; 4] {
        [0, 1, 2, 3].map(|i| {
            let name = Outcome::ALL[i].as_str();
            OutcomeCheck {
                actual: self.jobs.iter().filter(|j| j.outcome == name).count(),
                expected: self.jobs.iter().map(|j| j.outcome_probabilities[i]).sum(),
                se: self
                    .jobs
                    .iter()
                    .map(|j| {
                        let p = j.outcome_probabilities[i];
                        p * (1.0 - p)
                    })
                    .sum::<f64>()
                    .sqrt(),
            }
        })
    }

    /// Predicted and actual savings over the jobs.
    pub fn savings(&self) -> Savings {
        let percent = |billable: f64, training: f64| {
            (training > 0.0).then(|| (1.0 - billable / training) * 100.0)
        };
        let (mut actual, mut predicted) = ((0.0, 0.0), (0.0, 0.0));
        for j in &self.jobs {
            let n = f64::from(j.instance_count);
            actual.0 += j.positions[2].actual * n;
            actual.1 += j.positions[1].actual * n;
            predicted.0 += j.predicted_billable_seconds * n;
            predicted.1 += j.predicted_training_seconds * n;
        }
        Savings {
            actual_percent: percent(actual.0, actual.1),
            predicted_percent: percent(predicted.0, predicted.1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_on_an_atom_counts_with_the_share_of_the_atom_inside_the_band() {
        let band = (0.05, 0.95);
        // No atom: inside or not.
        assert_eq!(Position::new(1.0, 500, 500, 1000, band).inside, 1.0);
        assert_eq!(Position::new(1.0, 980, 980, 1000, band).inside, 0.0);
        // The top 10 % of trials share the value (MaxWait): [0.90, 1.00] is half inside.
        let p = Position::new(1.0, 900, 1000, 1000, band);
        assert!((p.inside - 0.5).abs() < 1e-12);
        // An atom wholly inside.
        assert_eq!(Position::new(1.0, 100, 300, 1000, band).inside, 1.0);
    }
}
