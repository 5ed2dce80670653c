//! Policies: when to write checkpoints, and where the job runs (spot, on-demand).

use serde::Serialize;

/// When the job writes checkpoints.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "policy", rename_all = "kebab-case")]
pub enum CheckpointPolicy {
    /// No checkpoints: an interruption loses all training.
    None,
    /// A blocking write after every `interval_seconds` of training, except after the last
    /// segment (the job goes straight to Uploading).
    Interval {
        /// Training time between checkpoints.
        interval_seconds: f64,
    },
}

impl CheckpointPolicy {
    /// Names accepted in `[checkpoint] policy`.
    pub const NAMES: &'static [&'static str] = &["none", "interval"];

    /// Training seconds between checkpoints (`∞` without checkpoints).
    pub fn interval_seconds(&self) -> f64 {
        match self {
            CheckpointPolicy::None => f64::INFINITY,
            CheckpointPolicy::Interval { interval_seconds } => *interval_seconds,
        }
    }

    /// The name as written in a scenario.
    pub fn name(&self) -> &'static str {
        match self {
            CheckpointPolicy::None => "none",
            CheckpointPolicy::Interval { .. } => "interval",
        }
    }
}

/// What a checkpoint policy does when EC2 announces an interruption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnNotice {
    /// Keep going (SageMaker does not document forwarding the notice to the job).
    Ignore,
    /// Write an emergency checkpoint inside the notice lead time when the write fits.
    Checkpoint,
}

/// Where the job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchedulingPolicy {
    /// SageMaker managed spot: wait for spot capacity until MaxWait, never fall back.
    ManagedSpot,
    /// On-demand instances: capacity at once, never interrupted.
    OnDemand,
}

impl SchedulingPolicy {
    /// Names accepted in `[policy] name`.
    pub const NAMES: &'static [&'static str] = &["managed-spot", "on-demand"];

    /// Parses a policy name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "managed-spot" => Some(Self::ManagedSpot),
            "on-demand" => Some(Self::OnDemand),
            _ => None,
        }
    }

    /// The name as written in a scenario.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ManagedSpot => "managed-spot",
            Self::OnDemand => "on-demand",
        }
    }

    /// Whether the job runs on spot capacity.
    pub fn uses_spot(&self) -> bool {
        matches!(self, Self::ManagedSpot)
    }
}
