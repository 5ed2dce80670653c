//! Scheduling policies: where the job runs. A policy is asked at every decision point of the
//! continuous clock — when the job is created and after every interruption, i.e. whenever it
//! holds no instance — whether to wait for spot capacity or to run on on-demand capacity.
//!
//! Implement [`SchedulingPolicy`] for your own rule and put it into a scenario
//! (`scenario.clock = Clock::Continuous(Arc::new(MyPolicy))`); `examples/custom_policy.rs` shows one running
//! through `simulate`. A built-in policy is one registration line in `crate::policy::registry::REGISTRY`.

use std::fmt::Debug;

/// Where the job runs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Wait for spot capacity (the market decides when it comes and how long it lasts).
    Spot,
    /// Run on on-demand capacity: available after the scenario's on-demand capacity wait (at
    /// once without `[on_demand] mean_capacity_wait`), never interrupted, billed at the
    /// on-demand price. The job stays there until it ends.
    OnDemand,
}

/// What a policy sees when it decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecisionPoint {
    /// Seconds since the (first) job's CreationTime.
    pub now_seconds: f64,
    /// The MaxWait deadline of the current job, seconds since the first CreationTime (∞ on
    /// on-demand).
    pub deadline_seconds: f64,
    /// MaxRuntime left to the current job (held seconds).
    pub runtime_left_seconds: f64,
    /// Training still to do from the last durable checkpoint.
    pub remaining_training_seconds: f64,
    /// Training saved so far.
    pub durable_progress_seconds: f64,
    /// Interruptions so far.
    pub interruptions: u32,
    /// Time from a fresh start of an attempt to the first training second (provisioning,
    /// download and restore).
    pub restart_seconds: f64,
}

/// A scheduling policy of the continuous clock.
pub trait SchedulingPolicy: Send + Sync + Debug {
    /// The name as written in `[policy] name`.
    fn name(&self) -> &str;

    /// Whether the (first) job is a managed-spot job (`EnableManagedSpotTraining`).
    fn uses_spot(&self) -> bool {
        true
    }

    /// Where to run from this decision point on.
    fn place(&self, point: &DecisionPoint) -> Placement;

    /// Whether [`place`](Self::place) answers [`Placement::Spot`] at every decision point,
    /// whatever it sees: the engine then resolves the placement once per run instead of asking
    /// at every attempt. The default `false` is always correct, only slower.
    fn places_only_on_spot(&self) -> bool {
        false
    }

    /// When a managed-spot job is stopped by MaxWait, whether a new on-demand job resumes from
    /// its last durable checkpoint (the two jobs are reported as one outcome).
    fn on_demand_after_max_wait(&self) -> bool {
        false
    }

    /// Whether MaxWait only truncates the job's path (so a planner may read every MaxWait
    /// off one run with the largest). Policies that look at the deadline must say `false`.
    fn path_independent_of_max_wait(&self) -> bool {
        false
    }
}

/// SageMaker managed spot: wait for spot capacity until MaxWait, never fall back.
#[derive(Debug, Clone, Copy, Default)]
pub struct ManagedSpot;

impl SchedulingPolicy for ManagedSpot {
    fn name(&self) -> &str {
        "managed-spot"
    }
    fn place(&self, _: &DecisionPoint) -> Placement {
        Placement::Spot
    }
    fn places_only_on_spot(&self) -> bool {
        true
    }
    fn path_independent_of_max_wait(&self) -> bool {
        true
    }
}

/// On-demand instances (EnableManagedSpotTraining = false): capacity after the on-demand
/// capacity wait (at once by default), no interruption.
#[derive(Debug, Clone, Copy, Default)]
pub struct OnDemand;

impl SchedulingPolicy for OnDemand {
    fn name(&self) -> &str {
        "on-demand"
    }
    fn uses_spot(&self) -> bool {
        false
    }
    fn place(&self, _: &DecisionPoint) -> Placement {
        Placement::OnDemand
    }
    fn path_independent_of_max_wait(&self) -> bool {
        true
    }
}

/// Managed spot first; when MaxWait stops the spot job, a new on-demand job resumes from the
/// last durable checkpoint.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpotThenOnDemand;

impl SchedulingPolicy for SpotThenOnDemand {
    fn name(&self) -> &str {
        "spot-then-on-demand"
    }
    fn place(&self, _: &DecisionPoint) -> Placement {
        Placement::Spot
    }
    fn places_only_on_spot(&self) -> bool {
        true
    }
    fn on_demand_after_max_wait(&self) -> bool {
        true
    }
}
