//! The resolved scenario's model: the job request, its phases, checkpoints, market, prices,
//! clock and Monte Carlo settings, and the service limits they are checked against.

use super::request;
use crate::market::Market;
use crate::market::price::SpotPrice;
use crate::policy::{CheckpointPolicy, OnNotice, SchedulingPolicy};
use crate::tick::clock::TickSpec;
use crate::tick::policies::TickPolicyChoice;
use std::sync::Arc;

/// The scenario `spotsim` runs when none is given.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// The longest `MaxRuntimeInSeconds` the service accepts (28 days).
pub const MAX_RUNTIME_LIMIT_SECONDS: f64 = 2_419_200.0;
/// `MaxRuntimeInSeconds` when a request leaves it out.
pub const DEFAULT_MAX_RUNTIME_SECONDS: f64 = 86_400.0;
/// Algorithms that cannot checkpoint may wait at most this long on spot (reference §5.5).
pub const NON_CHECKPOINTING_MAX_WAIT_SECONDS: f64 = 3600.0;
/// Longest MaxWait spotsim simulates (one year); AWS publishes no upper bound.
pub const MAX_WAIT_LIMIT_SECONDS: f64 = 365.0 * 86_400.0;

/// What CreateTrainingJob would say.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// `ResourceConfig.InstanceType`.
    pub instance_type: String,
    /// `ResourceConfig.InstanceCount`.
    pub instance_count: u32,
    /// `ResourceConfig.VolumeSizeInGB`.
    pub volume_size_gb: u32,
    /// `EnableManagedSpotTraining`.
    pub managed_spot: bool,
    /// `StoppingCondition.MaxRuntimeInSeconds`.
    pub max_runtime_seconds: f64,
    /// `StoppingCondition.MaxWaitTimeInSeconds` (spot only).
    pub max_wait_seconds: Option<f64>,
    /// `CheckpointConfig.S3Uri`: checkpoints are durable only when it is set.
    pub checkpoint_s3_uri: Option<String>,
    /// `CheckpointConfig.LocalPath`.
    pub checkpoint_local_path: String,
    /// `false` for a built-in or marketplace algorithm that cannot checkpoint.
    pub algorithm_checkpoints: bool,
    /// `RetryStrategy.MaximumRetryAttempts` (0 = no retry strategy).
    pub max_retry_attempts: u32,
    /// `InternalServerError`s per instance-held hour (0 = none): each ends the attempt; the
    /// job retries while RetryStrategy attempts are left, else it ends `Failed`.
    pub internal_error_rate: f64,
    /// What a CreateTrainingJob request (or SDK estimator) said that the simulation does not
    /// use but DescribeTrainingJob echoes (image, role, hyperparameters, channels, …).
    pub echo: request::Echo,
    /// `StoppingCondition.MaxPendingTimeInSeconds`: echoed, not simulated (it bounds waits for
    /// training-plan capacity; MaxWait bounds spot capacity waits).
    pub max_pending_time_seconds: Option<f64>,
    /// `[job] deadline`: the wall clock from CreationTime by which the job should be
    /// Completed (reference §9). Not an API field: MaxWait still decides when the job stops;
    /// summaries count the trials Completed by it and the planner targets it.
    pub deadline_seconds: Option<f64>,
}

/// What the job does on its instances, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// Compute needed, uninterrupted.
    pub training_seconds: f64,
    /// Starting, once capacity is there (not billed).
    pub provisioning_seconds: f64,
    /// Downloading input data, every attempt.
    pub download_seconds: f64,
    /// Uploading the model at the end.
    pub upload_seconds: f64,
    /// Stopping, before Stopped.
    pub stopping_seconds: f64,
}

/// Checkpoint policy and costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checkpointing {
    /// When checkpoints are written.
    pub policy: CheckpointPolicy,
    /// Blocking write time of one checkpoint.
    pub write_seconds: f64,
    /// Added to Downloading when a durable checkpoint exists.
    pub restore_seconds: f64,
    /// Reaction to an interruption notice.
    pub on_notice: OnNotice,
}

/// The spot market and its notice lead time.
#[derive(Debug, Clone)]
pub struct MarketSpec {
    /// The capacity model.
    pub model: Arc<dyn Market>,
    /// Interruption notice lead time.
    pub notice_seconds: f64,
}

/// Prices per instance-hour, USD.
#[derive(Debug, Clone, PartialEq)]
pub struct Pricing {
    /// On-demand price.
    pub on_demand_per_hour: f64,
    /// A representative spot price (the constant, or the time-weighted mean of a series).
    pub spot_per_hour: f64,
    /// The spot price over time.
    pub spot: SpotPrice,
    /// The resolved `[pricing]` keys that define the spot price (for `validate`).
    pub spot_source: toml::Table,
}

/// On-demand capacity (`[on_demand]`): how long an on-demand job waits for its instances.
///
/// On-demand is not always there at once: GPU instances can take tens of minutes to come
/// (`InsufficientInstanceCapacity`). AWS documents no distribution for it; spotsim draws an
/// exponential wait with mean `mean_capacity_wait` every time an on-demand job asks for
/// capacity — when it is created, and when it restarts after an `InternalServerError` — from
/// its own random stream. The wait is shown as `Starting` (or `Pending`), is not billed and
/// does not count toward MaxRuntime (which counts training time), but it is wall clock: it
/// counts toward a deadline, and toward MaxWait when a scheduling policy places a managed-spot
/// job on on-demand capacity.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct OnDemandCapacity {
    /// `[on_demand] mean_capacity_wait` as given (`None`: not set, capacity is immediate).
    pub mean_capacity_wait_seconds: Option<f64>,
}

impl OnDemandCapacity {
    /// Whether the key is absent (plan JSON then leaves it out, as it did before the key).
    pub fn is_unset(&self) -> bool {
        self.mean_capacity_wait_seconds.is_none()
    }

    /// The mean wait in seconds (0 = immediate, no draw).
    pub fn mean_wait_seconds(&self) -> f64 {
        self.mean_capacity_wait_seconds.unwrap_or(0.0)
    }

    /// The assumption in one sentence, for reports: the wait, or that there is none — said
    /// also when the key is absent, since immediate on-demand capacity is then a default.
    pub fn in_words(&self) -> String {
        match self.mean_capacity_wait_seconds {
            None => "On-demand capacity is immediate ([on_demand] mean_capacity_wait not set)."
                .to_string(),
            Some(mean) if mean > 0.0 => format!(
                "On-demand capacity comes after an exponential wait of mean {} each time an on-demand job starts ([on_demand] mean_capacity_wait): not billed, outside MaxRuntime, inside the wall clock.",
                crate::units::duration::format_duration(mean)
            ),
            Some(_) => {
                "On-demand capacity is immediate ([on_demand] mean_capacity_wait = 0).".to_string()
            }
        }
    }
}

/// How capacity waits appear in the status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityWaitStatus {
    /// As `Starting`, like AWS's spot page (default).
    Starting,
    /// As a separate `Pending` entry before `Starting`.
    Pending,
}

/// Monte Carlo settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Simulation {
    /// Number of trials.
    pub trials: u64,
    /// Seed of trial randomness.
    pub seed: u64,
    /// Display of capacity waits.
    pub capacity_wait_status: CapacityWaitStatus,
}

/// A resolved, validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name (defaults to the file stem).
    pub name: String,
    /// CreationTime of every trial, ms since the epoch.
    pub start_time_millis: i64,
    /// The training job request.
    pub job: Job,
    /// Phase durations.
    pub workload: Workload,
    /// Checkpoints.
    pub checkpoint: Checkpointing,
    /// Spot market (absent for on-demand jobs without a `[market]`).
    pub market: Option<MarketSpec>,
    /// Prices.
    pub pricing: Pricing,
    /// Waits for on-demand capacity.
    pub on_demand: OnDemandCapacity,
    /// The clock and its policy.
    pub clock: Clock,
    /// Monte Carlo settings.
    pub simulation: Simulation,
    /// Things that are valid but probably not meant (printed by the CLI).
    pub warnings: Vec<String>,
}

/// The policy `[policy] name` chose, before the clock is built.
pub(super) enum Chosen {
    Continuous(Arc<dyn SchedulingPolicy>),
    Tick(TickPolicyChoice),
}

/// Which clock runs the scenario's trials, with what it needs to decide (`[simulation] clock`).
#[derive(Debug, Clone)]
pub enum Clock {
    /// The continuous clock under a scheduling policy (`[policy] name`).
    Continuous(Arc<dyn SchedulingPolicy>),
    /// The tick clock: a deadline policy on a trace or sampled market.
    Tick(Arc<TickSpec>),
}

impl Clock {
    /// The policy's name as written in `[policy] name`.
    pub fn policy_name(&self) -> &str {
        match self {
            Clock::Continuous(policy) => policy.name(),
            Clock::Tick(spec) => spec.policy.name,
        }
    }

    /// Whether the (first) job is a managed-spot job. Tick-clock policies decide per tick
    /// between spot and on-demand, starting from a managed-spot request.
    pub fn uses_spot(&self) -> bool {
        match self {
            Clock::Continuous(policy) => policy.uses_spot(),
            Clock::Tick(_) => true,
        }
    }

    /// Whether a job of the scenario may run on on-demand capacity on the continuous clock,
    /// where `[on_demand]` decides how long it waits for it: an on-demand job, the fallback of
    /// `spot-then-on-demand`, or a policy that may place an attempt on on-demand. (The tick
    /// clock's on-demand is there at once by its specification and takes no `[on_demand]`.)
    pub fn buys_on_demand(&self) -> bool {
        match self {
            Clock::Continuous(policy) => {
                !policy.uses_spot()
                    || policy.on_demand_after_max_wait()
                    || !policy.places_only_on_spot()
            }
            Clock::Tick(_) => false,
        }
    }

    /// The tick clock's specification, if it is the tick clock.
    pub fn tick(&self) -> Option<&TickSpec> {
        match self {
            Clock::Continuous(_) => None,
            Clock::Tick(spec) => Some(spec),
        }
    }
}

impl Scenario {
    /// The on-demand capacity a summary states it assumed, when a job of the scenario may run
    /// on it ([`Clock::buys_on_demand`]): the numbers then rest on it, set or not.
    pub fn on_demand_assumption(&self) -> Option<OnDemandCapacity> {
        self.clock.buys_on_demand().then_some(self.on_demand)
    }

    /// The job's `MaxWaitTimeInSeconds` deadline, or `∞` for on-demand jobs.
    pub fn max_wait_or_infinity(&self) -> f64 {
        self.job.max_wait_seconds.unwrap_or(f64::INFINITY)
    }
}
