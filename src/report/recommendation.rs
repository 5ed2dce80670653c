//! The recommendation in words: the sentence every plan report leads with. The planner
//! decides what to recommend and with which numbers ([`Recommendation`]); this module only
//! says it, so the terminal, Markdown, HTML and plan.json (`recommendation.text`) read the same
//! sentence from the one function that writes it ([`sentence`]).

use crate::plan::Recommendation;
use crate::units::numbers::usd;
use crate::units::words::{hours, percent};

/// How the recommendation sentence begins (the terminal report colours that line).
pub const PREFIX: &str = "Set MaxWaitTimeInSeconds = ";

/// The recommendation in one sentence: what to set, the targeted probabilities with their
/// 95 % Wilson intervals, the expected cost against on-demand, and both savings — ours per
/// completed job and the figure AWS's formula (1 − Billable/Training) would report.
pub fn sentence(r: &Recommendation) -> String {
    let by_deadline = match (r.deadline_seconds, r.p_by_deadline, r.p_by_deadline_ci95) {
        (Some(deadline), Some(p), Some(ci)) => format!(
            "P(done by {}) = {p:.3} [{:.3}, {:.3}], ",
            hours(deadline),
            ci[0],
            ci[1]
        ),
        _ => String::new(),
    };
    let how = match r.option.as_str() {
        "on-demand" => "Use on-demand (EnableManagedSpotTraining = false)".to_string(),
        "spot-then-on-demand" => format!(
            "{PREFIX}{:.0} ({}), then the same job on-demand if spot has not finished \
             (spot-then-on-demand)",
            r.max_wait_seconds,
            hours(r.max_wait_seconds),
        ),
        _ => format!(
            "{PREFIX}{:.0} ({})",
            r.max_wait_seconds,
            hours(r.max_wait_seconds)
        ),
    };
    format!(
        "{how}: {by_deadline}P(complete) = {:.3} [{:.3}, {:.3}], \
         expected cost {} vs {} on-demand ({} saved; AWS's formula reports {})",
        r.p_completed,
        r.p_completed_ci95[0],
        r.p_completed_ci95[1],
        usd(r.cost_mean_usd),
        usd(r.on_demand_cost_usd),
        percent(r.true_savings_percent),
        percent(r.aws_savings_percent),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A recommendation with round numbers: MaxWait 36 h for a 28 h MaxRuntime, P = 0.96.
    pub(crate) fn recommendation(option: &str, deadline_seconds: Option<f64>) -> Recommendation {
        Recommendation {
            option: option.to_string(),
            max_runtime_seconds: 100_800.0,
            checkpoint_interval_seconds: Some(1800.0),
            max_wait_seconds: 129_600.0,
            p_completed: 0.96,
            p_completed_ci95: [0.9512, 0.9672],
            p_by_deadline: deadline_seconds.map(|_| 0.9),
            p_by_deadline_ci95: deadline_seconds.map(|_| [0.8868, 0.9118]),
            cost_mean_usd: 25.866,
            cost_per_completed_job_usd: 26.94375,
            on_demand_cost_usd: 1150.2,
            true_savings_percent: 97.6575,
            aws_savings_percent: 70.04,
            instance_type: "ml.p3.2xlarge".to_string(),
            instance_count: 2,
            checkpoint_s3_uri: Some("s3://bucket/ckpt".to_string()),
            deadline_seconds,
            on_points: true,
        }
    }

    /// The sentence states the numbers as written by hand: whole seconds and hours, three
    /// decimals of probability, cents, one decimal of percent.
    #[test]
    fn the_sentence_says_each_number() {
        assert_eq!(
            sentence(&recommendation("managed-spot", None)),
            "Set MaxWaitTimeInSeconds = 129600 (36 h): P(complete) = 0.960 [0.951, 0.967], \
             expected cost $25.87 vs $1,150.20 on-demand (97.7 % saved; AWS's formula reports \
             70.0 %)"
        );
        assert_eq!(
            sentence(&recommendation("managed-spot", Some(172_800.0))),
            "Set MaxWaitTimeInSeconds = 129600 (36 h): P(done by 48 h) = 0.900 [0.887, 0.912], \
             P(complete) = 0.960 [0.951, 0.967], expected cost $25.87 vs $1,150.20 on-demand \
             (97.7 % saved; AWS's formula reports 70.0 %)"
        );
    }

    /// Each purchase option says what to do: the fallback names its switch time, on-demand
    /// names no MaxWait at all.
    #[test]
    fn each_option_says_what_to_set() {
        let fallback = sentence(&recommendation("spot-then-on-demand", None));
        assert!(
            fallback.starts_with(
                "Set MaxWaitTimeInSeconds = 129600 (36 h), then the same job on-demand if spot \
                 has not finished (spot-then-on-demand): P(complete)"
            ),
            "{fallback}"
        );
        let on_demand = sentence(&recommendation("on-demand", None));
        assert!(
            on_demand.starts_with("Use on-demand (EnableManagedSpotTraining = false): "),
            "{on_demand}"
        );
        assert!(!on_demand.contains("MaxWaitTimeInSeconds"), "{on_demand}");
    }
}
