//! The scenario file as written (TOML, serde): every key optional here, with the API and SDK
//! spellings as aliases. [`super::Scenario`] resolves defaults and validates.

use crate::units::duration::Seconds;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<String>,
    /// A string (`"2026-01-01T00:00:00Z"`) or a TOML datetime (`2026-01-01T00:00:00Z`).
    pub start_time: Option<toml::Value>,
    #[serde(default)]
    pub job: RawJob,
    #[serde(default)]
    pub workload: RawWorkload,
    #[serde(default)]
    pub checkpoint: RawCheckpoint,
    pub market: Option<toml::Table>,
    #[serde(default)]
    pub pricing: RawPricing,
    #[serde(default)]
    pub policy: RawPolicy,
    #[serde(default)]
    pub on_demand: RawOnDemand,
    #[serde(default)]
    pub simulation: RawSimulation,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJob {
    pub instance_type: Option<String>,
    pub instance_count: Option<i64>,
    #[serde(alias = "enable_managed_spot_training", alias = "use_spot_instances")]
    pub managed_spot: Option<bool>,
    #[serde(alias = "max_runtime_in_seconds", alias = "max_run")]
    pub max_runtime: Option<Seconds>,
    #[serde(alias = "max_wait_time_in_seconds")]
    pub max_wait: Option<Seconds>,
    /// `StoppingCondition.MaxPendingTimeInSeconds` (training-plan capacity; echoed, not
    /// simulated).
    #[serde(alias = "max_pending_time_in_seconds")]
    pub max_pending_time: Option<Seconds>,
    /// A wall-clock deadline from CreationTime (not an API field: what the job must meet).
    pub deadline: Option<Seconds>,
    #[serde(alias = "s3_uri")]
    pub checkpoint_s3_uri: Option<String>,
    #[serde(alias = "local_path")]
    pub checkpoint_local_path: Option<String>,
    pub algorithm_checkpoints: Option<bool>,
    #[serde(alias = "maximum_retry_attempts")]
    pub max_retry_attempts: Option<i64>,
    #[serde(alias = "volume_size_in_gb", alias = "volume_size")]
    pub volume_size_gb: Option<i64>,
    /// A CreateTrainingJob request body (JSON) supplying the keys above.
    pub request: Option<String>,
    /// The keyword arguments of a SageMaker Python SDK `Estimator(...)` as JSON, supplying the
    /// keys above.
    pub sdk: Option<String>,
    /// `InternalServerError`s per instance-held hour (the RetryStrategy fault model).
    pub internal_error_rate: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub training: Option<Seconds>,
    pub provisioning: Option<Seconds>,
    pub download: Option<Seconds>,
    pub upload: Option<Seconds>,
    pub stopping: Option<Seconds>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheckpoint {
    pub policy: Option<String>,
    pub interval: Option<Seconds>,
    pub write: Option<Seconds>,
    pub restore: Option<Seconds>,
    pub on_notice: Option<String>,
    pub size_gb: Option<f64>,
    /// S3 throughput in megabytes per second.
    pub bandwidth_mb_per_s: Option<f64>,
    /// The former name of `bandwidth_mb_per_s`, read as MB/s despite its "mbps": rejected
    /// with a hint, so that a megabit figure is never taken for megabytes.
    pub bandwidth_mbps: Option<toml::Value>,
    pub objective: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPricing {
    pub on_demand_per_hour: Option<f64>,
    pub spot_per_hour: Option<f64>,
    pub spot_discount: Option<f64>,
    pub spot_prices: Option<String>,
    pub spot_prices_key: Option<String>,
    pub spot_price_history: Option<String>,
    pub availability_zone: Option<String>,
    pub instance_type: Option<String>,
    pub product_description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub name: Option<String>,
    pub deadline: Option<Seconds>,
    pub changeover: Option<Seconds>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOnDemand {
    /// Mean wait for on-demand capacity each time an on-demand job asks for it (absent = 0).
    pub mean_capacity_wait: Option<Seconds>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub trials: Option<i64>,
    pub seed: Option<u64>,
    pub show_capacity_wait_as: Option<String>,
    pub clock: Option<String>,
    pub tick: Option<Seconds>,
}
