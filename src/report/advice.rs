//! The advice in words: what each lever the planner pulled found ([`Finding`]), as the plan
//! reports list it when no MaxWait reaches the target and as plan.json's `advice[].text`, and
//! why the MaxWait search stopped ([`search_stop`]).

use crate::plan::advice::{Finding, Lever, Target};
use crate::plan::{Recommendation, SearchStop};
use crate::units::numbers::usd;
use crate::units::words::{hours, targeted};

/// The lever's advice in one or two sentences.
pub fn text(lever: &Lever) -> String {
    match lever.finding {
        Finding::Deadline {
            deadline_seconds,
            shortest_seconds,
        } => format!(
            "No option can be done by {}: even with capacity at once and no interruption the \
             job takes {} ({shortest_seconds:.0} s: provisioning, download, training with its \
             checkpoint writes, upload). Allow at least that, or train for less.",
            hours(deadline_seconds),
            hours(shortest_seconds),
        ),
        Finding::Trials {
            trials,
            best_bound,
            needed,
        } => format!(
            "With {trials} trials the lower 95 % bound cannot exceed {best_bound:.4} even if \
             every job completes: run at least {needed} trials (--trials)."
        ),
        Finding::MaxRuntime {
            p_max_runtime_exceeded,
            max_runtime_seconds,
            cap_seconds,
            runtime_seconds,
            target,
        } => format!(
            "{:.1} % of jobs hit MaxRuntime ({}) even at MaxWait {}: it counts re-done work. \
             With MaxRuntimeInSeconds = {runtime_seconds:.0} ({}): {}",
            p_max_runtime_exceeded * 100.0,
            hours(max_runtime_seconds),
            hours(cap_seconds),
            hours(runtime_seconds),
            outcome(lever, target),
        ),
        Finding::Checkpoint {
            interval_seconds,
            current_seconds,
            durable,
            target,
        } => {
            let change = match current_seconds {
                Some(c) => format!(
                    "Checkpointing every {} instead of every {}",
                    hours(interval_seconds),
                    hours(c)
                ),
                None if durable => format!("Checkpointing every {}", hours(interval_seconds)),
                None => format!(
                    "Durable checkpoints (set checkpoint_s3_uri) every {}",
                    hours(interval_seconds)
                ),
            };
            format!("{change}: {}", outcome(lever, target))
        }
        Finding::Gang { count } => format!(
            "The job is a gang of {count} instances: losing any one interrupts all of them, so \
             the gang is interrupted about {count} times as often as one instance. Fewer \
             (larger) instances, or a separate spot pool per instance, interrupt less."
        ),
        Finding::OnDemand {
            on_demand_usd,
            spot_per_completed_usd,
            cap_seconds,
        } => format!(
            "On-demand (managed_spot = false) completes without interruptions for {} per job; \
             here spot costs {} per completed job at MaxWait {}.",
            usd(on_demand_usd),
            usd(spot_per_completed_usd),
            hours(cap_seconds),
        ),
    }
}

/// Whether the pulled lever reaches the target: at which MaxWait and cost, else how close the
/// cap came.
fn outcome(lever: &Lever, target: Target) -> String {
    let what = targeted(target.deadline_seconds);
    match &lever.recommendation {
        Some(r) => reaches(r, &what),
        None => format!(
            "still below the target {} ({what} = {:.3} at the cap).",
            target.target,
            lever.p_completed_at_cap.unwrap_or(0.0)
        ),
    }
}

fn reaches(r: &Recommendation, what: &str) -> String {
    let p = r.p_by_deadline.unwrap_or(r.p_completed);
    let ci = r.p_by_deadline_ci95.unwrap_or(r.p_completed_ci95);
    format!(
        "MaxWaitTimeInSeconds = {:.0} ({}) reaches {what} = {p:.3} [{:.3}, {:.3}] at {} per job.",
        r.max_wait_seconds,
        hours(r.max_wait_seconds),
        ci[0],
        ci[1],
        usd(r.cost_mean_usd)
    )
}

/// Why the MaxWait search stopped, in words (for a plan that found nothing).
pub fn search_stop(stop: SearchStop) -> &'static str {
    match stop {
        SearchStop::TargetMet => "the target was met",
        SearchStop::Cap => "the search stopped at the cap you set (raise --max-wait-cap)",
        SearchStop::EveryTrialEnded => {
            "every trial ended before the cap, so a longer MaxWait changes nothing"
        }
        SearchStop::MaxWaitLimit => {
            "the search stopped at the longest MaxWait spotsim simulates (365 days)"
        }
        SearchStop::GridPoints => {
            "the search stopped where the grid step would need more than 5000 points"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::recommendation::tests::recommendation;

    fn lever(finding: Finding, recommendation: Option<Recommendation>) -> Lever {
        Lever {
            lever: "test",
            value: None,
            recommendation,
            p_completed_at_cap: Some(0.9123),
            finding,
        }
    }

    /// A deadline shorter than the job names both durations and the job's own seconds.
    #[test]
    fn a_deadline_shorter_than_the_job_says_how_long_the_job_takes() {
        let finding = Finding::Deadline {
            deadline_seconds: 72_000.0,
            shortest_seconds: 75_600.4,
        };
        assert_eq!(
            text(&lever(finding, None)),
            "No option can be done by 20 h: even with capacity at once and no interruption the \
             job takes 21 h (75600 s: provisioning, download, training with its checkpoint \
             writes, upload). Allow at least that, or train for less."
        );
    }

    /// A lever that reaches the target names the MaxWait, the targeted probability with its
    /// interval and the cost; one that does not names the target and the cap's probability.
    #[test]
    fn levers_say_whether_they_reach_the_target() {
        let target = Target {
            target: 0.95,
            deadline_seconds: None,
        };
        let checkpoint = Finding::Checkpoint {
            interval_seconds: 900.0,
            current_seconds: Some(1800.0),
            durable: true,
            target,
        };
        assert_eq!(
            text(&lever(checkpoint.clone(), None)),
            "Checkpointing every 15 min instead of every 30 min: still below the target 0.95 \
             (P(complete) = 0.912 at the cap)."
        );
        assert_eq!(
            text(&lever(
                checkpoint,
                Some(recommendation("managed-spot", None))
            )),
            "Checkpointing every 15 min instead of every 30 min: MaxWaitTimeInSeconds = 129600 \
             (36 h) reaches P(complete) = 0.960 [0.951, 0.967] at $25.87 per job."
        );
        let runtime = Finding::MaxRuntime {
            p_max_runtime_exceeded: 0.0431,
            max_runtime_seconds: 75_600.0,
            cap_seconds: 79_200.0,
            runtime_seconds: 94_500.0,
            target: Target {
                target: 0.95,
                deadline_seconds: Some(172_800.0),
            },
        };
        assert_eq!(
            text(&lever(
                runtime,
                Some(recommendation("managed-spot", Some(172_800.0)))
            )),
            "4.3 % of jobs hit MaxRuntime (21 h) even at MaxWait 22 h: it counts re-done work. \
             With MaxRuntimeInSeconds = 94500 (26.25 h): MaxWaitTimeInSeconds = 129600 (36 h) \
             reaches P(done by 48 h) = 0.900 [0.887, 0.912] at $25.87 per job."
        );
    }
}
