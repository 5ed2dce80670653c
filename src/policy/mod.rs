//! Policies: when to write checkpoints, and where the job runs (spot, on-demand).

pub mod checkpoint;
pub mod checkpoint_registry;
pub mod registry;

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
    /// Periodic checkpoints at Young's interval √(2δM), M from the market.
    Young {
        /// The interval the formula gives.
        interval_seconds: f64,
        /// The M it used.
        mean_uptime_seconds: f64,
    },
    /// Periodic checkpoints at Daly's higher-order interval, M from the market.
    Daly {
        /// The interval the formula gives.
        interval_seconds: f64,
        /// The M it used.
        mean_uptime_seconds: f64,
    },
    /// Periodic checkpoints at the interval that minimises the objective for the scenario's
    /// actual market, found by simulation with common random numbers. Parsing never
    /// simulates: the interval is `None` until `crate::montecarlo::prepare` finds it, and no
    /// engine is built before.
    Optimal {
        /// The interval found (`None`: not searched yet).
        interval_seconds: Option<f64>,
        /// What it minimises.
        objective: checkpoint::Objective,
    },
    /// No periodic checkpoints; an emergency checkpoint inside each interruption notice when
    /// the write fits.
    OnNotice,
    /// Periodic checkpoints at an interval a registered policy chose by its own rule
    /// ([`checkpoint_registry`]).
    Periodic {
        /// The registered name.
        name: &'static str,
        /// The interval it chose.
        interval_seconds: f64,
    },
}

impl CheckpointPolicy {
    /// Names accepted in `[checkpoint] policy`.
    pub const NAMES: &'static [&'static str] =
        &["none", "interval", "young", "daly", "optimal", "on_notice"];

    /// Training seconds between periodic checkpoints (`∞` without them; NaN for `optimal`
    /// before its search, see [`CheckpointPolicy::is_resolved`]).
    pub fn interval_seconds(&self) -> f64 {
        match self {
            CheckpointPolicy::None | CheckpointPolicy::OnNotice => f64::INFINITY,
            CheckpointPolicy::Interval { interval_seconds }
            | CheckpointPolicy::Young {
                interval_seconds, ..
            }
            | CheckpointPolicy::Daly {
                interval_seconds, ..
            }
            | CheckpointPolicy::Optimal {
                interval_seconds: Some(interval_seconds),
                ..
            }
            | CheckpointPolicy::Periodic {
                interval_seconds, ..
            } => *interval_seconds,
            CheckpointPolicy::Optimal {
                interval_seconds: None,
                ..
            } => f64::NAN,
        }
    }

    /// Whether the interval is known: false only for `optimal` before its search.
    pub fn is_resolved(&self) -> bool {
        !matches!(
            self,
            CheckpointPolicy::Optimal {
                interval_seconds: None,
                ..
            }
        )
    }

    /// The name as written in a scenario.
    pub fn name(&self) -> &'static str {
        match self {
            CheckpointPolicy::None => "none",
            CheckpointPolicy::Interval { .. } => "interval",
            CheckpointPolicy::Young { .. } => "young",
            CheckpointPolicy::Daly { .. } => "daly",
            CheckpointPolicy::Optimal { .. } => "optimal",
            CheckpointPolicy::OnNotice => "on_notice",
            CheckpointPolicy::Periodic { name, .. } => name,
        }
    }

    /// Whether the policy writes an emergency checkpoint on an interruption notice.
    pub fn checkpoints_on_notice(&self) -> bool {
        matches!(self, CheckpointPolicy::OnNotice)
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

pub mod scheduling;

pub use scheduling::{DecisionPoint, Placement, SchedulingPolicy};
