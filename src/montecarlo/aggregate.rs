//! Per-block aggregates of trial outcomes. Counts, exact fixed-point sums and histograms merge
//! associatively and commutatively, so any split into blocks, threads or shards, merged in any
//! order, gives bit-identical summaries.

use crate::engine::{Outcome, TrialOutcome};
use crate::stats::Metric;
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
}

impl Aggregate {
    /// Adds one trial.
    #[inline]
    pub fn add(&mut self, trial: &TrialOutcome) {
        self.trials += 1;
        self.outcome_counts[trial.outcome.index()] += 1;
        self.wall_clock_seconds.add(trial.wall_clock_seconds);
        if trial.outcome == Outcome::Completed {
            self.completion_seconds.add(trial.wall_clock_seconds);
        }
        self.training_time_seconds.add(trial.training_time_seconds);
        self.billable_time_seconds.add(trial.billable_time_seconds);
        self.interruptions.add(f64::from(trial.interruptions));
        self.cost_usd.add(trial.cost_usd);
        if let Some(savings) = trial.savings_percent() {
            self.savings_percent.add(savings);
        }
        self.lost_training_seconds.add(trial.lost_training_seconds);
    }

    /// Trials that ended with `outcome`.
    pub fn count(&self, outcome: Outcome) -> u64 {
        self.outcome_counts[outcome.index()]
    }
}

impl AddAssign<&Aggregate> for Aggregate {
    fn add_assign(&mut self, other: &Aggregate) {
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
    }
}
