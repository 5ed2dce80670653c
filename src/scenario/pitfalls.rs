//! Valid configurations that users of Managed Spot Training commonly get wrong: the service
//! accepts them, and the job then stops or redoes its work for a reason that is easy to miss.
//! Each gives one warning on stderr (README, "Configurations spotsim warns about").
//!
//! * `max_wait == max_runtime` on a market where capacity can take time to come: MaxWait counts
//!   capacity waits, provisioning and restarts, MaxRuntime only held time, so there is no
//!   budget for waiting at all and any wait is paid for with training time.
//! * Managed spot without `checkpoint_s3_uri` on a job whose training is longer than the
//!   market's mean uptime: without durable checkpoints every interruption restarts training
//!   from the beginning, and most attempts are interrupted before they finish.
//! * A built-in algorithm that cannot checkpoint, on managed spot: limited to 60 minutes of
//!   MaxWait by the service, and every interruption restarts it.
//! * `max_pending_time` (SDK v3's `max_pending_time_in_seconds`): AWS applies it to
//!   training-plan capacity, not to spot capacity; spotsim echoes it and does not simulate it.
//! * A spot price history that ends before the job can: its newest price is assumed after it
//!   (not a misconfiguration, but a number the history does not give).

use super::Scenario;
use crate::market::price::SpotPrice;
use crate::policy::{CheckpointPolicy, OnNotice};

/// Market models in which capacity can be absent when the job asks for it, whatever their
/// `mean_capacity_wait`.
const MODELS_WITH_GAPS: &[&str] = &["trace", "bootstrap", "markov", "windows"];

/// Whether a job on this scenario's market may wait for capacity.
fn capacity_can_wait(scenario: &Scenario) -> bool {
    let Some(market) = &scenario.market else {
        return false;
    };
    if MODELS_WITH_GAPS.contains(&market.model.model()) {
        return true;
    }
    market
        .model
        .resolved()
        .get("mean_capacity_wait")
        .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
        .is_some_and(|seconds| seconds > 0.0)
}

/// Hours, for messages.
fn hours(seconds: f64) -> String {
    format!("{:.1} h", seconds / 3600.0)
}

/// The warnings for `scenario` (named `file`).
pub(super) fn warnings(scenario: &Scenario, file: &str) -> Vec<String> {
    let job = &scenario.job;
    let mut found = Vec::new();
    // The tick clock replays the deadline-policy model (progress survives preemption, no
    // MaxWait stop), to which none of these apply.
    let spot = scenario.clock.tick().is_none() && scenario.clock.uses_spot() && job.managed_spot;
    if spot && job.max_wait_seconds == Some(job.max_runtime_seconds) && capacity_can_wait(scenario)
    {
        found.push(format!(
            "{file}: max_wait equals max_runtime ({}): no budget for waiting — capacity waits, provisioning and restarts count against MaxWait but not MaxRuntime, so every wait for spot capacity shortens the training the job can do before MaxWaitTimeExceeded; set max_wait above max_runtime by the wait you accept",
            hours(job.max_runtime_seconds)
        ));
    }
    let writes = scenario.checkpoint.policy != CheckpointPolicy::None
        || scenario.checkpoint.on_notice == OnNotice::Checkpoint;
    if spot
        && job.checkpoint_s3_uri.is_none()
        && !writes
        && let Some(mean_uptime) = scenario
            .market
            .as_ref()
            .and_then(|m| m.model.mean_uptime_seconds())
        && scenario.workload.training_seconds > mean_uptime
    {
        found.push(format!(
            "{file}: managed spot without checkpoint_s3_uri on a job of {} of training, longer than the market's mean uptime of {}: every interruption restarts training from the beginning; set checkpoint_s3_uri and a [checkpoint] policy",
            hours(scenario.workload.training_seconds),
            hours(mean_uptime)
        ));
    }
    if spot && !job.algorithm_checkpoints {
        found.push(format!(
            "{file}: the algorithm cannot checkpoint (a built-in algorithm such as linear-learner or kmeans): managed spot is limited to MaxWaitTimeInSeconds = 3600, and every interruption restarts training from the beginning"
        ));
    }
    // A price history (`aws ec2 describe-spot-price-history`) says nothing after its newest
    // entry: its last price is assumed from there on, which the user must see.
    if let SpotPrice::Steps(steps) = &scenario.pricing.spot
        && scenario.clock.uses_spot()
        && let Some((last_step, price)) = steps.last_history_step()
    {
        let horizon = job.max_wait_seconds.unwrap_or(job.max_runtime_seconds);
        if horizon > last_step {
            let since = crate::sagemaker::time::format_utc_millis(
                scenario.start_time_millis + (last_step * 1000.0).round() as i64,
            );
            found.push(format!(
                "{file}: the spot price history ends with ${price}/h from {since}; that price is assumed until the job ends, up to {} after CreationTime (MaxWait)",
                hours(horizon)
            ));
        }
    }
    if let Some(pending) = job.max_pending_time_seconds {
        found.push(format!(
            "{file}: max_pending_time ({pending} s) is shown in DescribeTrainingJob but not simulated: AWS applies MaxPendingTimeInSeconds to training-plan capacity; spot capacity waits are bounded by max_wait"
        ));
    }
    found
}
