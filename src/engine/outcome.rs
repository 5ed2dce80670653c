//! What a trial produced: its terminal status and its totals, as both clocks report them, and
//! the bounds no trial of an engine can exceed.

use crate::sagemaker::SecondaryStatus;
use crate::sagemaker::billing::{aws_savings_percent, reported_seconds};
use serde::{Deserialize, Serialize};

/// How a trial ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Outcome {
    /// Uploading finished.
    Completed,
    /// Stopped by MaxWaitTimeInSeconds.
    MaxWaitTimeExceeded,
    /// Stopped by MaxRuntimeInSeconds.
    MaxRuntimeExceeded,
    /// An `InternalServerError` with no `RetryStrategy` attempt left.
    Failed,
}

impl Outcome {
    /// All outcomes, in report order.
    pub const ALL: [Outcome; 4] = [
        Outcome::Completed,
        Outcome::MaxWaitTimeExceeded,
        Outcome::MaxRuntimeExceeded,
        Outcome::Failed,
    ];

    /// Position in [`Outcome::ALL`] (the index of per-outcome counts).
    #[inline]
    pub fn index(self) -> usize {
        match self {
            Outcome::Completed => 0,
            Outcome::MaxWaitTimeExceeded => 1,
            Outcome::MaxRuntimeExceeded => 2,
            Outcome::Failed => 3,
        }
    }

    /// The API spelling (the terminal `SecondaryStatus`).
    pub fn as_str(self) -> &'static str {
        self.status().as_str()
    }

    /// The terminal `SecondaryStatus`.
    pub fn status(self) -> SecondaryStatus {
        match self {
            Outcome::Completed => SecondaryStatus::Completed,
            Outcome::MaxWaitTimeExceeded => SecondaryStatus::MaxWaitTimeExceeded,
            Outcome::MaxRuntimeExceeded => SecondaryStatus::MaxRuntimeExceeded,
            Outcome::Failed => SecondaryStatus::Failed,
        }
    }
}

/// What one trial produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrialOutcome {
    /// Terminal status.
    pub outcome: Outcome,
    /// CreationTime → terminal status.
    pub wall_clock_seconds: f64,
    /// Instance-held seconds in Downloading + Training + Uploading, all attempts (exact).
    pub training_time_seconds: f64,
    /// On-demand-equivalent held seconds after the spot discount (exact).
    pub billable_time_seconds: f64,
    /// Money spent, all instances, all attempts.
    pub cost_usd: f64,
    /// Times capacity was reclaimed.
    pub interruptions: u32,
    /// Training redone because it was lost (since the newest durable checkpoint) at an
    /// interruption, an `InternalServerError`, or the MaxWait stop before a fallback job.
    pub lost_training_seconds: f64,
    /// Checkpoint writes completed (durable or not).
    pub checkpoints_written: u32,
    /// Training saved by durable checkpoints at the end, every attempt included (the one a
    /// limit cut short too); the full requirement when Completed.
    pub progress_seconds: f64,
    /// Time spent waiting for capacity: spot, and on-demand (`[on_demand] mean_capacity_wait`).
    pub capacity_wait_seconds: f64,
    /// Start of the first Downloading, if any instance was ever held for the job.
    pub training_start_seconds: Option<f64>,
    /// Money spent on on-demand capacity (a fallback job or on-demand placements).
    pub on_demand_cost_usd: f64,
    /// When a fallback on-demand job was created (`spot-then-on-demand` after MaxWait).
    pub fallback_seconds: Option<f64>,
}

impl TrialOutcome {
    /// Whether an instance was ever held (billed) for the job.
    pub fn instance_held(&self) -> bool {
        self.training_start_seconds.is_some()
    }

    /// `TrainingTimeInSeconds` as DescribeTrainingJob reports it.
    pub fn training_time_in_seconds(&self) -> Option<u64> {
        reported_seconds(self.training_time_seconds, self.instance_held())
    }

    /// `BillableTimeInSeconds` as DescribeTrainingJob reports it.
    pub fn billable_time_in_seconds(&self) -> Option<u64> {
        reported_seconds(self.billable_time_seconds, self.instance_held())
    }

    /// AWS's savings figure for this job (absent when no instance was held).
    pub fn savings_percent(&self) -> Option<f64> {
        Some(aws_savings_percent(
            self.training_time_in_seconds()?,
            self.billable_time_in_seconds()?,
        ))
    }
}

/// What no trial of an engine can exceed (`None`: no finite bound). A merge of partial results
/// checks every shard's maxima against the limits its header states.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialLimits {
    /// CreationTime → terminal status: MaxWait + Stopping (the deadline on the tick clock);
    /// none for an on-demand job or with a fallback job, which has no MaxWait.
    pub wall_clock_seconds: Option<f64>,
    /// CreationTime → Completed: MaxWait (the deadline on the tick clock).
    pub completion_seconds: Option<f64>,
    /// Held seconds: MaxRuntime (one per job with a fallback job; the deadline on the tick
    /// clock, which validation keeps within MaxRuntime).
    pub training_time_seconds: Option<f64>,
}

impl TrialLimits {
    /// The bounds as (name, bound) pairs, in field order.
    pub fn bounds(&self) -> [(&'static str, Option<f64>); 3] {
        [
            ("wall_clock_seconds", self.wall_clock_seconds),
            ("completion_seconds", self.completion_seconds),
            ("training_time_seconds", self.training_time_seconds),
        ]
    }
}
