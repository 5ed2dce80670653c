//! Per-block aggregates of trial outcomes. Counts, exact fixed-point sums and histograms merge
//! associatively and commutatively, so any split into blocks, threads or shards, merged in any
//! order, gives bit-identical summaries.
//!
//! An aggregate read back from a shard's partial is checked before it is merged
//! ([`Aggregate::validate`]): every trial has one outcome and one value of each per-trial
//! metric, the values are physically possible, and none exceeds the scenario's limits.

use super::sample::Sample;
use crate::engine::{Outcome, TrialLimits, TrialOutcome};
use crate::stats::{Inconsistency, Metric};
use serde::{Deserialize, Serialize};
use std::ops::AddAssign;

/// Streaming totals over a set of trials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Trials seen.
    pub trials: u64,
    /// Trials per outcome, in [`Outcome::ALL`] order.
    pub outcome_counts: [u64; 4],
    /// CreationTime → terminal status, all trials.
    pub wall_clock_seconds: Metric,
    /// CreationTime → Completed, completed trials only.
    pub completion_seconds: Metric,
    /// Instance-held seconds (TrainingTime), all trials.
    pub training_time_seconds: Metric,
    /// On-demand-equivalent billable seconds, all trials.
    pub billable_time_seconds: Metric,
    /// Interruptions per trial.
    pub interruptions: Metric,
    /// Cost per trial (stopped jobs included).
    pub cost_usd: Metric,
    /// AWS's savings formula per trial that held an instance.
    pub savings_percent: Metric,
    /// Training lost at interruptions, per trial.
    pub lost_training_seconds: Metric,
    /// Exact values of the sampled trials (index below [`super::SAMPLE_TRIALS`]), which
    /// charts draw. Filled by the runner, which knows trial indices ([`super::run_range`]);
    /// [`Aggregate::add`] and `extend` leave it alone.
    pub sample: Sample,
    /// The deadline Completed trials are counted against (`[job] deadline`), seconds after
    /// CreationTime; `None` without one.
    pub deadline_seconds: Option<f64>,
    /// Completed trials whose Uploading ended at or before the deadline (reference §9): an
    /// exact count, so P(done by the deadline) merges like the outcome counts. 0 without a
    /// deadline.
    pub completed_by_deadline: u64,
}

/// Whether `trial` is done by `deadline_seconds`: Completed, and its Uploading (which ends at
/// its terminal status) ended at or before CreationTime + the deadline. MaxWait, not the
/// deadline, decides when a job stops (reference §9).
#[inline]
pub fn done_by_deadline(trial: &TrialOutcome, deadline_seconds: Option<f64>) -> bool {
    trial.outcome == Outcome::Completed
        && deadline_seconds.is_some_and(|d| trial.wall_clock_seconds <= d)
}

/// The deadline of two aggregates merged: an empty aggregate's deadline does not matter (so a
/// merge may start from [`Aggregate::default`]); two non-empty ones must agree.
fn merged_deadline(mine: &Aggregate, theirs: &Aggregate) -> Result<Option<f64>, Inconsistency> {
    if theirs.trials == 0 {
        return Ok(mine.deadline_seconds.or(theirs.deadline_seconds));
    }
    if mine.trials == 0 || mine.deadline_seconds == theirs.deadline_seconds {
        return Ok(theirs.deadline_seconds.or(mine.deadline_seconds));
    }
    Err(Inconsistency::new(
        "deadline_seconds",
        format!(
            "trials counted against a deadline of {:?} s cannot be merged with trials counted against {:?} s",
            mine.deadline_seconds, theirs.deadline_seconds
        ),
    ))
}

impl Aggregate {
    /// An empty aggregate that counts Completed trials against `deadline_seconds`.
    pub fn new(deadline_seconds: Option<f64>) -> Self {
        Self {
            deadline_seconds,
            ..Self::default()
        }
    }

    /// Adds one trial.
    #[inline]
    pub fn add(&mut self, trial: &TrialOutcome) {
        self.trials += 1;
        self.outcome_counts[trial.outcome.index()] += 1;
        self.completed_by_deadline += u64::from(done_by_deadline(trial, self.deadline_seconds));
        for (metric, value) in self.metrics_mut().into_iter().zip(values(trial)) {
            if let Some(value) = value {
                metric.add(value);
            }
        }
    }

    /// Adds trial `k`: [`Aggregate::add`], and its values kept in the sample when `k` is
    /// sampled. Trials must come in increasing order of `k`.
    pub fn add_trial(&mut self, k: u64, trial: &TrialOutcome) {
        self.add(trial);
        self.sample.record(k, trial);
    }

    /// Trials that ended with `outcome`.
    pub fn count(&self, outcome: Outcome) -> u64 {
        self.outcome_counts[outcome.index()]
    }

    /// The metrics with their field names, in declaration order.
    fn metrics(&self) -> [(&'static str, &Metric); 8] {
        [
            ("wall_clock_seconds", &self.wall_clock_seconds),
            ("completion_seconds", &self.completion_seconds),
            ("training_time_seconds", &self.training_time_seconds),
            ("billable_time_seconds", &self.billable_time_seconds),
            ("interruptions", &self.interruptions),
            ("cost_usd", &self.cost_usd),
            ("savings_percent", &self.savings_percent),
            ("lost_training_seconds", &self.lost_training_seconds),
        ]
    }

    fn metrics_mut(&mut self) -> [&mut Metric; 8] {
        [
            &mut self.wall_clock_seconds,
            &mut self.completion_seconds,
            &mut self.training_time_seconds,
            &mut self.billable_time_seconds,
            &mut self.interruptions,
            &mut self.cost_usd,
            &mut self.savings_percent,
            &mut self.lost_training_seconds,
        ]
    }

    /// `*self += other`, or the field whose total would overflow (merging deserialised
    /// shards, which may be edited; `+=` assumes totals a run can reach). `self` is unchanged
    /// on error.
    pub fn checked_merge(&mut self, other: &Aggregate) -> Result<(), Inconsistency> {
        let mut merged = self.clone();
        merged.deadline_seconds = merged_deadline(self, other)?;
        merged.completed_by_deadline = self
            .completed_by_deadline
            .checked_add(other.completed_by_deadline)
            .ok_or_else(|| Inconsistency::overflow("completed_by_deadline"))?;
        merged.trials = self
            .trials
            .checked_add(other.trials)
            .ok_or_else(|| Inconsistency::overflow("trials"))?;
        for (mine, theirs) in merged.outcome_counts.iter_mut().zip(other.outcome_counts) {
            *mine = mine
                .checked_add(theirs)
                .ok_or_else(|| Inconsistency::overflow("outcome_counts"))?;
        }
        for (mine, (name, theirs)) in merged.metrics_mut().into_iter().zip(other.metrics()) {
            mine.checked_merge(theirs).map_err(|e| e.within(name))?;
        }
        merged.sample.checked_merge(&other.sample)?;
        *self = merged;
        Ok(())
    }

    /// Checks that a deserialised aggregate is what trials of a scenario with `limits` can
    /// produce: each metric is consistent in itself; the outcome counts add up to the trials;
    /// every per-trial metric holds one value per trial, `completion_seconds` one per Completed
    /// trial and `savings_percent` at most one per trial (so probabilities lie in [0, 1] and
    /// means in [min, max]); times, costs and counts are non-negative, interruptions whole,
    /// AWS's savings at most 100 %; per trial, held time fits in the wall clock, a completion
    /// is a wall clock and lost training was held, so their maxima are ordered the same way;
    /// and no maximum exceeds `limits`.
    pub fn validate(&self, limits: &TrialLimits) -> Result<(), Inconsistency> {
        for (name, metric) in self.metrics() {
            metric.validate().map_err(|e| e.within(name))?;
        }
        let trials = self.trials;
        self.validate_sample()?;
        let outcomes = self
            .outcome_counts
            .iter()
            .try_fold(0u64, |total, &count| total.checked_add(count));
        if outcomes != Some(trials) {
            return Err(Inconsistency::new(
                "outcome_counts",
                format!(
                    "{:?} do not add up to the {trials} trials",
                    self.outcome_counts
                ),
            ));
        }
        let completed = self.count(Outcome::Completed);
        self.validate_deadline(completed)?;
        for (name, metric) in self.metrics() {
            let values = metric.count();
            let (expected, exact) = match name {
                "completion_seconds" => (completed, true),
                "savings_percent" => (trials, false),
                _ => (trials, true),
            };
            if values > expected || (exact && values != expected) {
                return Err(Inconsistency::new(
                    format!("{name}.moments.count"),
                    format!(
                        "{values} values, for {expected} {}",
                        if name == "completion_seconds" {
                            "Completed trials"
                        } else {
                            "trials"
                        }
                    ),
                ));
            }
        }
        let min = |metric: &Metric| metric.moments().min();
        let max = |metric: &Metric| metric.moments().max();
        for (name, metric) in self.metrics() {
            if name != "savings_percent" && min(metric) < 0.0 {
                return Err(Inconsistency::new(
                    format!("{name}.moments.min"),
                    format!("{} is negative", min(metric)),
                ));
            }
        }
        let interruptions = &self.interruptions;
        if interruptions.count() > 0
            && (min(interruptions).fract() != 0.0 || max(interruptions).fract() != 0.0)
        {
            return Err(Inconsistency::new(
                "interruptions.moments.max",
                "interruptions are whole numbers",
            ));
        }
        if max(&self.savings_percent) > 100.0 {
            return Err(Inconsistency::new(
                "savings_percent.moments.max",
                format!("{} % is above 100 %", max(&self.savings_percent)),
            ));
        }
        // Ordered maxima, up to the rounding of sums of held periods (an empty metric's NaN
        // passes).
        let within = |value: f64, bound: f64| {
            value.is_nan() || bound.is_nan() || value <= bound * (1.0 + 1e-9)
        };
        for (name, value, bound_name, bound) in [
            (
                "training_time_seconds",
                max(&self.training_time_seconds),
                "wall_clock_seconds",
                max(&self.wall_clock_seconds),
            ),
            (
                "completion_seconds",
                max(&self.completion_seconds),
                "wall_clock_seconds",
                max(&self.wall_clock_seconds),
            ),
            (
                "lost_training_seconds",
                max(&self.lost_training_seconds),
                "training_time_seconds",
                max(&self.training_time_seconds),
            ),
        ] {
            if !within(value, bound) {
                return Err(Inconsistency::new(
                    format!("{name}.moments.max"),
                    format!("{value} is above the largest {bound_name}, {bound}"),
                ));
            }
        }
        let metrics = self.metrics();
        for (name, bound) in limits.bounds() {
            let Some(bound) = bound else { continue };
            let Some((_, metric)) = metrics.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            if !within(max(metric), bound) {
                return Err(Inconsistency::new(
                    format!("{name}.moments.max"),
                    format!(
                        "{} is beyond the scenario's limit of {bound} (limits.{name})",
                        max(metric)
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Aggregate {
    /// The sample is consistent in itself, holds at most one value per trial, and each value
    /// lies within its metric's [min, max].
    fn validate_sample(&self) -> Result<(), Inconsistency> {
        let sample = &self.sample;
        sample.validate()?;
        if sample.len() as u64 > self.trials {
            return Err(Inconsistency::new(
                "sample.trial",
                format!("{} sampled trials of {} trials", sample.len(), self.trials),
            ));
        }
        for (name, column, metric) in [
            (
                "wall_clock_seconds",
                &sample.wall_clock_seconds,
                &self.wall_clock_seconds,
            ),
            ("cost_usd", &sample.cost_usd, &self.cost_usd),
        ] {
            let (low, high) = (metric.moments().min(), metric.moments().max());
            if let Some(v) = column.iter().find(|&&v| !(low <= v && v <= high)) {
                return Err(Inconsistency::new(
                    format!("sample.{name}"),
                    format!("{v} is outside the metric's [min, max] = [{low}, {high}]"),
                ));
            }
        }
        Ok(())
    }

    /// The deadline count is possible: none without a deadline, at most the Completed trials,
    /// all of them when every completion came by the deadline, none when none did.
    fn validate_deadline(&self, completed: u64) -> Result<(), Inconsistency> {
        let by_deadline = self.completed_by_deadline;
        let Some(deadline) = self.deadline_seconds else {
            if by_deadline != 0 {
                return Err(Inconsistency::new(
                    "completed_by_deadline",
                    format!("{by_deadline} trials counted without a deadline"),
                ));
            }
            return Ok(());
        };
        if !(deadline > 0.0 && deadline.is_finite()) {
            return Err(Inconsistency::new(
                "deadline_seconds",
                format!("{deadline} is not a positive number of seconds"),
            ));
        }
        let completions = self.completion_seconds.moments();
        let expected = if completed == 0 || completions.min() > deadline {
            Some(0)
        } else if completions.max() <= deadline {
            Some(completed)
        } else {
            None
        };
        if by_deadline > completed || expected.is_some_and(|e| e != by_deadline) {
            return Err(Inconsistency::new(
                "completed_by_deadline",
                format!(
                    "{by_deadline} trials done by the deadline of {deadline} s, of {completed} Completed trials that ended between {} s and {} s",
                    completions.min(),
                    completions.max()
                ),
            ));
        }
        Ok(())
    }
}

/// What a trial adds to each metric, in [`Aggregate::metrics`] order (`None`: nothing, e.g.
/// no completion time for a trial that did not complete).
#[inline]
fn values(trial: &TrialOutcome) -> [Option<f64>; 8] {
    [
        Some(trial.wall_clock_seconds),
        (trial.outcome == Outcome::Completed).then_some(trial.wall_clock_seconds),
        Some(trial.training_time_seconds),
        Some(trial.billable_time_seconds),
        Some(f64::from(trial.interruptions)),
        Some(trial.cost_usd),
        trial.savings_percent(),
        Some(trial.lost_training_seconds),
    ]
}

/// Trials whose values are gathered before they are added, metric by metric.
const GATHERED_TRIALS: usize = 256;

/// The values of up to [`GATHERED_TRIALS`] trials, one column per metric.
struct Columns {
    values: [[f64; GATHERED_TRIALS]; 8],
    lengths: [usize; 8],
}

/// Adds trials in order: the same aggregate as [`Aggregate::add`] on each, bit for bit, but
/// each metric sees a column of values at a time (its sums stay in registers, its table
/// lookups in cache), which is how a block summarises its trials.
impl Extend<TrialOutcome> for Aggregate {
    fn extend<I: IntoIterator<Item = TrialOutcome>>(&mut self, trials: I) {
        let mut columns = Columns {
            values: [[0.0; GATHERED_TRIALS]; 8],
            lengths: [0; 8],
        };
        let mut gathered = 0;
        for trial in trials {
            self.trials += 1;
            self.outcome_counts[trial.outcome.index()] += 1;
            self.completed_by_deadline +=
                u64::from(done_by_deadline(&trial, self.deadline_seconds));
            for ((column, length), value) in columns
                .values
                .iter_mut()
                .zip(&mut columns.lengths)
                .zip(values(&trial))
            {
                if let Some(value) = value {
                    column[*length] = value;
                    *length += 1;
                }
            }
            gathered += 1;
            if gathered == GATHERED_TRIALS {
                self.add_columns(&mut columns);
                gathered = 0;
            }
        }
        self.add_columns(&mut columns);
    }
}

impl Aggregate {
    /// Adds the gathered values and empties the columns.
    fn add_columns(&mut self, columns: &mut Columns) {
        let metrics = self.metrics_mut();
        for ((metric, column), length) in metrics
            .into_iter()
            .zip(&columns.values)
            .zip(&mut columns.lengths)
        {
            metric.add_slice(&column[..*length]);
            *length = 0;
        }
    }
}

impl AddAssign<&Aggregate> for Aggregate {
    /// # Panics
    ///
    /// In debug builds, if both are non-empty and were counted against different deadlines
    /// (a run's blocks share its engine's deadline; shards go through [`Aggregate::checked_merge`]).
    fn add_assign(&mut self, other: &Aggregate) {
        let deadline = merged_deadline(self, other);
        debug_assert!(deadline.is_ok(), "{deadline:?}");
        self.deadline_seconds = deadline.unwrap_or(self.deadline_seconds);
        self.completed_by_deadline += other.completed_by_deadline;
        self.trials += other.trials;
        for (mine, theirs) in self.outcome_counts.iter_mut().zip(other.outcome_counts) {
            *mine += theirs;
        }
        self.wall_clock_seconds += &other.wall_clock_seconds;
        self.completion_seconds += &other.completion_seconds;
        self.training_time_seconds += &other.training_time_seconds;
        self.billable_time_seconds += &other.billable_time_seconds;
        self.interruptions += &other.interruptions;
        self.cost_usd += &other.cost_usd;
        self.savings_percent += &other.savings_percent;
        self.lost_training_seconds += &other.lost_training_seconds;
        self.sample
            .checked_merge(&other.sample)
            .expect("the blocks of one run hold disjoint trials");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Simulator};
    use crate::scenario::Scenario;
    use serde_json::{Value, json};

    /// 200 trials of the embedded default (MaxWait 30 h, MaxRuntime 28 h) and its limits.
    fn run() -> (Aggregate, TrialLimits) {
        let engine = Engine::new(&Scenario::embedded_default());
        (
            crate::montecarlo::run_range(&engine, 0, 200),
            engine.trial_limits(),
        )
    }

    /// The aggregate with `edit` applied to its JSON form, or the error reading it back.
    fn edited(aggregate: &Aggregate, edit: impl Fn(&mut Value)) -> Result<Aggregate, String> {
        let mut value = serde_json::to_value(aggregate).unwrap();
        edit(&mut value);
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    /// Two halves of a run merge into the whole run, bit for bit, sample included; the same
    /// trials merged twice are refused (their sample would hold a trial twice).
    #[test]
    fn a_run_is_consistent_and_so_is_a_merge_of_runs() {
        let (aggregate, limits) = run();
        aggregate.validate(&limits).unwrap();
        assert_eq!(aggregate.sample.len(), 200);
        let engine = Engine::new(&Scenario::embedded_default());
        let first = crate::montecarlo::run_range(&engine, 0, 120);
        let second = crate::montecarlo::run_range(&engine, 120, 200);
        let mut checked = second.clone();
        checked.checked_merge(&first).unwrap();
        checked.validate(&limits).unwrap();
        let mut added = first.clone();
        added += &second;
        assert_eq!(checked, added);
        assert_eq!(checked, aggregate);
        let mut twice = aggregate.clone();
        assert_eq!(
            twice.checked_merge(&aggregate).unwrap_err().field,
            "sample.trial"
        );
        assert_eq!(twice, aggregate, "unchanged on error");
        Aggregate::default().validate(&limits).unwrap();
    }

    /// A sampled value outside its metric's range is an edited aggregate.
    #[test]
    fn a_sample_outside_its_metric_is_refused() {
        let (aggregate, limits) = run();
        let mut edited = aggregate;
        edited.sample.cost_usd[5] = edited.cost_usd.moments().max() + 1.0;
        assert_eq!(
            edited.validate(&limits).unwrap_err().field,
            "sample.cost_usd"
        );
    }

    /// Gathering trials into columns gives the aggregate of adding them one by one, bit for
    /// bit, whatever the number of trials (not a multiple of the column length here).
    #[test]
    fn extending_is_adding_each_trial() {
        let engine = Engine::new(&Scenario::embedded_default());
        let outcomes: Vec<TrialOutcome> = (0..1000).map(|k| engine.run(k)).collect();
        let mut one_by_one = Aggregate::default();
        for outcome in &outcomes {
            one_by_one.add(outcome);
        }
        assert!(one_by_one.count(Outcome::Completed) < 1000);
        let mut extended = Aggregate::default();
        extended.extend(outcomes.iter().copied());
        assert_eq!(extended, one_by_one);
        assert_eq!(
            serde_json::to_string(&extended).unwrap(),
            serde_json::to_string(&one_by_one).unwrap()
        );
    }

    /// Deadline counts merge like outcome counts; runs counted against different deadlines do
    /// not merge, and counts a deadline cannot give are caught.
    #[test]
    fn deadline_counts_merge_and_validate() {
        let mut scenario = Scenario::embedded_default();
        scenario.job.deadline_seconds = Some(26.0 * 3600.0);
        let engine = Engine::new(&scenario);
        let limits = engine.trial_limits();
        let first = crate::montecarlo::run_range(&engine, 0, 300);
        let second = crate::montecarlo::run_range(&engine, 300, 600);
        let whole = crate::montecarlo::run_range(&engine, 0, 600);
        let mut merged = Aggregate::default();
        merged.checked_merge(&first).unwrap();
        merged.checked_merge(&second).unwrap();
        assert_eq!(merged, whole);
        whole.validate(&limits).unwrap();
        assert!(whole.completed_by_deadline > 0);
        assert!(whole.completed_by_deadline < whole.count(Outcome::Completed));

        let mut other = scenario.clone();
        other.job.deadline_seconds = Some(30.0 * 3600.0);
        let elsewhere = crate::montecarlo::run_range(&Engine::new(&other), 600, 700);
        let error = merged.clone().checked_merge(&elsewhere).unwrap_err();
        assert_eq!(error.field, "deadline_seconds");

        let field = |edit: &dyn Fn(&mut Value)| {
            edited(&whole, edit)
                .unwrap()
                .validate(&limits)
                .unwrap_err()
                .field
        };
        let completed = whole.count(Outcome::Completed);
        assert_eq!(
            field(&|v| v["completed_by_deadline"] = json!(completed + 1)),
            "completed_by_deadline"
        );
        assert_eq!(
            field(&|v| v["deadline_seconds"] = json!(null)),
            "completed_by_deadline"
        );
        // Every completion came by a deadline of 40 h: the count must be all of them.
        assert_eq!(
            field(&|v| v["deadline_seconds"] = json!(40.0 * 3600.0)),
            "completed_by_deadline"
        );
        assert_eq!(
            field(&|v| v["deadline_seconds"] = json!(-5.0)),
            "deadline_seconds"
        );
    }

    #[test]
    fn impossible_aggregates_name_their_field() {
        let (aggregate, limits) = run();
        let field = |edit: &dyn Fn(&mut Value)| -> String {
            let a = edited(&aggregate, edit).expect("still parses");
            a.validate(&limits).unwrap_err().field
        };
        // Outcome counts that do not add up to the trials (P(Completed) would be 1.077).
        assert_eq!(
            field(&|v| v["outcome_counts"][0] = json!(215)),
            "outcome_counts"
        );
        // Counts at u64::MAX that wrap to the right total.
        assert_eq!(
            field(&|v| {
                v["outcome_counts"] = json!([u64::MAX, 201, 0, 0]);
            }),
            "outcome_counts"
        );
        // A fixed-point sum at i128::MAX, and a negative one (a negative mean cost).
        assert_eq!(
            field(&|v| v["cost_usd"]["moments"]["sum"] = json!(i128::MAX.to_string())),
            "cost_usd.moments.sum"
        );
        assert_eq!(
            field(&|v| v["cost_usd"]["moments"]["sum"] = json!("-1000")),
            "cost_usd.moments.sum"
        );
        // A moments count that is not the trials, with the sketch edited to match.
        assert_eq!(
            field(&|v| {
                let n = v["wall_clock_seconds"]["moments"]["count"]
                    .as_u64()
                    .unwrap();
                v["wall_clock_seconds"]["moments"]["count"] = json!(n - 1);
            }),
            "wall_clock_seconds.sketch"
        );
        // A histogram holding more values than the trials: alone, or with the moments' count
        // raised to match.
        let more = |v: &mut Value, with_moments: bool| {
            let counts = &mut v["training_time_seconds"]["sketch"]["positive"]["counts"];
            let middle = counts.as_array().unwrap().len() / 2;
            counts[middle] = json!(counts[middle].as_u64().unwrap() + 1000);
            if with_moments {
                let n = v["training_time_seconds"]["moments"]["count"]
                    .as_u64()
                    .unwrap();
                v["training_time_seconds"]["moments"]["count"] = json!(n + 1000);
            }
        };
        assert_eq!(field(&|v| more(v, false)), "training_time_seconds.sketch");
        // (The mean of the larger count then leaves [min, max], or the count is not the
        // trials'.)
        assert!(field(&|v| more(v, true)).starts_with("training_time_seconds.moments."));
        // A trial that ran past MaxWait (30 h), consistent in every other way.
        let mut late = Aggregate::default();
        late.add(&TrialOutcome {
            outcome: Outcome::MaxWaitTimeExceeded,
            wall_clock_seconds: 31.0 * 3600.0,
            training_time_seconds: 20.0 * 3600.0,
            billable_time_seconds: 6.0 * 3600.0,
            cost_usd: 25.0,
            interruptions: 3,
            lost_training_seconds: 3600.0,
            checkpoints_written: 40,
            progress_seconds: 19.0 * 3600.0,
            capacity_wait_seconds: 3600.0,
            training_start_seconds: Some(0.0),
            on_demand_cost_usd: 0.0,
            fallback_seconds: None,
        });
        let error = late.validate(&limits).unwrap_err();
        assert_eq!(error.field, "wall_clock_seconds.moments.max", "{error}");
        assert!(
            error.message.contains("limits.wall_clock_seconds"),
            "{error}"
        );
        let unbounded = TrialLimits {
            wall_clock_seconds: None,
            ..limits
        };
        late.validate(&unbounded).unwrap();
    }
}
