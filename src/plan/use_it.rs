//! "Use it": the recommendation as the three things people paste — SageMaker Python SDK v2
//! `Estimator(...)` arguments, SDK v3 `ModelTrainer` configuration objects, and the
//! CreateTrainingJob `StoppingCondition` fragment (reference §7 maps the names). Every number
//! is a whole number of seconds, as the API's integer fields and boto3 require.
//!
//! The snippets are pinned members of the recommendation (`use_it` in plan.json), so they are
//! built with it; the reports only lay them out.

use crate::scenario::Scenario;
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

/// The snippets of `option` (`[policy] name`) for `scenario`'s job with MaxWait
/// `max_wait_seconds` (ignored on-demand).
pub fn use_it(scenario: &Scenario, option: &str, max_wait_seconds: f64) -> UseIt {
    let job = &scenario.job;
    let max_run = whole(job.max_runtime_seconds);
    let max_wait = whole(max_wait_seconds);
    let spot = option != "on-demand";
    let uri = job.checkpoint_s3_uri.as_deref();
    let (instance_type, count) = (&job.instance_type, job.instance_count);

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
    use crate::plan::{PlanOptions, plan};
    use crate::scenario::Scenario;

    #[test]
    fn snippets_carry_the_recommended_integers() {
        let scenario = Scenario::embedded_default();
        let options = PlanOptions {
            trials: 2000,
            detail: false,
            ..PlanOptions::from_scenario(&scenario)
        };
        let planned = plan(&scenario, &options, None).unwrap();
        let r = planned.recommendation.as_ref().unwrap();
        let w = r.max_wait_seconds as u64;
        let snippets = &r.use_it;
        assert!(snippets.sdk_v2.contains(&format!("max_wait={w}")));
        assert!(snippets.sdk_v2.contains("max_run=100800"));
        assert!(snippets.sdk_v2.contains("use_spot_instances=True"));
        assert!(
            snippets
                .sdk_v3
                .contains(&format!("max_wait_time_in_seconds={w}"))
        );
        assert!(
            snippets
                .sdk_v3
                .contains("enable_managed_spot_training=True")
        );
        let api: serde_json::Value = serde_json::from_str(&snippets.create_training_job).unwrap();
        assert_eq!(api["StoppingCondition"]["MaxWaitTimeInSeconds"], w);
        assert_eq!(api["StoppingCondition"]["MaxRuntimeInSeconds"], 100_800);
        assert_eq!(api["EnableManagedSpotTraining"], true);
        assert!(!snippets.sdk_v2.contains(&format!("{w}.0")), "integers");
    }
}
