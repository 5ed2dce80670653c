//! "Use it": the recommendation as the three things people paste — SageMaker Python SDK v2
//! `Estimator(...)` arguments, SDK v3 `ModelTrainer` configuration objects, and the
//! CreateTrainingJob `StoppingCondition` fragment (reference §7 maps the names). Every number
//! is a whole number of seconds, as the API's integer fields and boto3 require.
//!
//! The snippets are pinned members of the recommendation (`use_it` in plan.json) and blocks of
//! every plan report; all of them are built here from the recommendation's numbers and job.

use crate::plan::Recommendation;
use serde::Serialize;

/// The recommendation as snippets to paste.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UseIt {
    /// SageMaker Python SDK v2: `Estimator(...)` keyword arguments.
    pub sdk_v2: String,
    /// SageMaker Python SDK v3 (`ModelTrainer`): `StoppingCondition(...)` and `Compute(...)`.
    pub sdk_v3: String,
    /// CreateTrainingJob: the JSON members to set.
    pub create_training_job: String,
}

/// Whole seconds, as the API takes them.
fn whole(seconds: f64) -> u64 {
    seconds.max(0.0).round() as u64
}

/// The snippets of `r`: its purchase option, MaxRuntime and MaxWait (ignored on-demand), on
/// its job's instances and checkpoint location.
pub fn use_it(r: &Recommendation) -> UseIt {
    let max_run = whole(r.max_runtime_seconds);
    let max_wait = whole(r.max_wait_seconds);
    let option = r.option.as_str();
    let spot = option != "on-demand";
    let uri = r.checkpoint_s3_uri.as_deref();
    let (instance_type, count) = (&r.instance_type, r.instance_count);

    let mut v2 = format!(
        "Estimator(..., instance_type=\"{instance_type}\", instance_count={count}, \
         max_run={max_run}"
    );
    let mut v3_stopping = format!("StoppingCondition(max_runtime_in_seconds={max_run}");
    let mut v3_compute =
        format!("Compute(instance_type=\"{instance_type}\", instance_count={count}");
    let mut api = format!("\"StoppingCondition\": {{\"MaxRuntimeInSeconds\": {max_run}");
    if spot {
        v2.push_str(&format!(", use_spot_instances=True, max_wait={max_wait}"));
        v3_stopping.push_str(&format!(", max_wait_time_in_seconds={max_wait}"));
        v3_compute.push_str(", enable_managed_spot_training=True");
        api.push_str(&format!(", \"MaxWaitTimeInSeconds\": {max_wait}"));
    }
    api.push('}');
    api.push_str(&format!(", \"EnableManagedSpotTraining\": {spot}"));
    let mut v3 = format!("{v3_stopping})\n{v3_compute})");
    if let Some(uri) = uri {
        v2.push_str(&format!(", checkpoint_s3_uri=\"{uri}\""));
        v3.push_str(&format!("\nCheckpointConfig(s3_uri=\"{uri}\")"));
        api.push_str(&format!(", \"CheckpointConfig\": {{\"S3Uri\": \"{uri}\"}}"));
    }
    v2.push(')');
    let mut snippets = UseIt {
        sdk_v2: v2,
        sdk_v3: v3,
        create_training_job: format!("{{{api}}}"),
    };
    if option == "spot-then-on-demand" {
        let then = "\n# if it ends MaxWaitTimeExceeded: the same job on-demand (no spot, no \
                    max_wait), resuming from the same checkpoints";
        snippets.sdk_v2.push_str(then);
        snippets.sdk_v3.push_str(then);
    }
    snippets
}

impl UseIt {
    /// The snippets with their labels, in report order.
    pub fn labelled(&self) -> [(&'static str, &str); 3] {
        [
            ("SageMaker Python SDK v2", &self.sdk_v2),
            ("SageMaker Python SDK v3 (ModelTrainer)", &self.sdk_v3),
            ("CreateTrainingJob", &self.create_training_job),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::use_it;
    use crate::report::recommendation::tests::recommendation;

    /// The snippets carry the recommendation's integers, its instances and its checkpoint
    /// location, in each API's own names.
    #[test]
    fn snippets_carry_the_recommended_integers() {
        let snippets = use_it(&recommendation("managed-spot", None));
        assert_eq!(
            snippets.sdk_v2,
            "Estimator(..., instance_type=\"ml.p3.2xlarge\", instance_count=2, max_run=100800, \
             use_spot_instances=True, max_wait=129600, checkpoint_s3_uri=\"s3://bucket/ckpt\")"
        );
        assert_eq!(
            snippets.sdk_v3,
            "StoppingCondition(max_runtime_in_seconds=100800, max_wait_time_in_seconds=129600)\n\
             Compute(instance_type=\"ml.p3.2xlarge\", instance_count=2, \
             enable_managed_spot_training=True)\n\
             CheckpointConfig(s3_uri=\"s3://bucket/ckpt\")"
        );
        let api: serde_json::Value = serde_json::from_str(&snippets.create_training_job).unwrap();
        assert_eq!(api["StoppingCondition"]["MaxWaitTimeInSeconds"], 129_600);
        assert_eq!(api["StoppingCondition"]["MaxRuntimeInSeconds"], 100_800);
        assert_eq!(api["EnableManagedSpotTraining"], true);
        assert_eq!(api["CheckpointConfig"]["S3Uri"], "s3://bucket/ckpt");
    }

    /// On-demand sets no MaxWait and no spot; the fallback says what to run when spot stops.
    #[test]
    fn on_demand_and_the_fallback() {
        let on_demand = use_it(&recommendation("on-demand", None));
        assert!(
            !on_demand.sdk_v2.contains("max_wait"),
            "{}",
            on_demand.sdk_v2
        );
        let api: serde_json::Value = serde_json::from_str(&on_demand.create_training_job).unwrap();
        assert_eq!(api["EnableManagedSpotTraining"], false);
        assert!(
            api["StoppingCondition"]
                .get("MaxWaitTimeInSeconds")
                .is_none()
        );
        let fallback = use_it(&recommendation("spot-then-on-demand", None));
        assert!(
            fallback
                .sdk_v2
                .ends_with("resuming from the same checkpoints"),
            "{}",
            fallback.sdk_v2
        );
    }
}
