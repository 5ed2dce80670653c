//! When no MaxWait on the grid reaches the target: which lever would, evaluated by simulation
//! on the same trials (same seed), and what on-demand costs instead.

use super::{PlanOptions, PlanPoint, Recommendation, build_grid, evaluate, words};
use crate::scenario::{MAX_RUNTIME_LIMIT_SECONDS, Scenario};
use crate::stats::{Z95, wilson_interval};
use serde::Serialize;

/// One lever and what it does to the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lever {
    /// Which setting: `deadline`, `trials`, `max_runtime`, `checkpoint_interval`,
    /// `checkpoint_s3_uri`, `instance_count` or `on_demand`.
    pub lever: &'static str,
    /// The setting's value tried (seconds, count), when one was simulated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The recommendation with the lever pulled (null when it does not reach the target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<Recommendation>,
    /// The targeted probability (P(Completed by the deadline) with one, else P(Completed)) at
    /// the largest MaxWait evaluated with the lever pulled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_completed_at_cap: Option<f64>,
    /// The advice in words.
    pub text: String,
}

/// Evaluates the levers for a plan whose grid does not reach `options.target`.
pub fn levers(scenario: &Scenario, options: &PlanOptions, points: &[PlanPoint]) -> Vec<Lever> {
    let mut levers = Vec::new();
    let target = options.target;
    let sub = PlanOptions {
        advise: false,
        detail: false,
        checkpoint_intervals: Vec::new(),
        ..options.clone()
    };
    let Some(at_cap) = points.last() else {
        return levers;
    };
    let cap = at_cap.max_wait_seconds;

    // A deadline shorter than the job itself: no lever on MaxWait or purchase option helps.
    let shortest = crate::engine::shortest_job_seconds(scenario);
    if let Some(deadline) = scenario.job.deadline_seconds.filter(|&d| d < shortest) {
        levers.push(Lever {
            lever: "deadline",
            value: Some(shortest),
            recommendation: None,
            p_completed_at_cap: None,
            text: format!(
                "No option can be done by {}: even with capacity at once and no interruption \
                 the job takes {} ({:.0} s: provisioning, download, training with its \
                 checkpoint writes, upload). Allow at least that, or train for less.",
                words::hours(deadline),
                words::hours(shortest),
                shortest,
            ),
        });
    }

    // The confidence bound itself: with n trials even n completions give a lower bound < 1.
    let best_bound = wilson_interval(options.trials, options.trials).0;
    if best_bound < target {
        let needed = (Z95 * Z95 * target / (1.0 - target)).ceil() as u64 + 1;
        levers.push(Lever {
            lever: "trials",
            value: Some(needed as f64),
            recommendation: None,
            p_completed_at_cap: None,
            text: format!(
                "With {} trials the lower 95 % bound cannot exceed {:.4} even if every job \
                 completes: run at least {needed} trials (--trials).",
                options.trials, best_bound
            ),
        });
    }

    // MaxRuntime: held time includes re-done work; when jobs run out of it, no MaxWait helps.
    if at_cap.max_runtime_exceeded.count > 0
        && scenario.job.max_runtime_seconds < MAX_RUNTIME_LIMIT_SECONDS
    {
        // The smallest of a few longer MaxRuntimes that reaches the target (else the longest).
        let mut best: Option<Lever> = None;
        for factor in [1.25, 1.5, 2.0, 3.0] {
            let runtime = (scenario.job.max_runtime_seconds * factor)
                .round()
                .min(MAX_RUNTIME_LIMIT_SECONDS);
            if best.as_ref().and_then(|b| b.value) == Some(runtime) {
                break;
            }
            let mut variant = scenario.clone();
            variant.job.max_runtime_seconds = runtime;
            let mut spec = sub.grid;
            spec.cap_seconds = spec.cap_seconds.map(|c| c.max(3.0 * runtime));
            let Ok(grid) = build_grid(&variant, &spec) else {
                continue;
            };
            let (_, variant_points, recommendation) = evaluate(&variant, &grid, &sub, None);
            let p = variant_points.last().map(|p| p.targeted().probability);
            let text = format!(
                "{:.1} % of jobs hit MaxRuntime ({}) even at MaxWait {}: it counts re-done \
                 work. With MaxRuntimeInSeconds = {runtime:.0} ({}): {}",
                at_cap.max_runtime_exceeded.probability * 100.0,
                words::hours(scenario.job.max_runtime_seconds),
                words::hours(cap),
                words::hours(runtime),
                outcome_words(&recommendation, p, target, scenario),
            );
            let reaches = recommendation.is_some();
            best = Some(Lever {
                lever: "max_runtime",
                value: Some(runtime),
                recommendation,
                p_completed_at_cap: p,
                text,
            });
            if reaches {
                break;
            }
        }
        levers.extend(best);
    }

    // Checkpoints: durable only with an S3 URI; shorter intervals lose less per interruption.
    let durable = scenario.job.checkpoint_s3_uri.is_some();
    let interval = scenario.checkpoint.policy.interval_seconds();
    let current = (durable && interval.is_finite()).then_some(interval);
    let mean_uptime = scenario
        .market
        .as_ref()
        .and_then(|m| m.model.mean_uptime_seconds());
    // Young's approximation of the best interval: sqrt(2 × write × mean uptime).
    let young = mean_uptime
        .map(|m| (2.0 * scenario.checkpoint.write_seconds.max(1.0) * m).sqrt())
        .map(|t| (t / 60.0).round().max(1.0) * 60.0);
    let mut candidates: Vec<f64> = match current {
        Some(interval) => vec![interval / 2.0, interval / 4.0],
        None => vec![1800.0],
    };
    if let Some(y) = young
        && current.is_none_or(|c| y < c)
    {
        candidates.push(y);
    }
    candidates.retain(|&c| c >= 60.0);
    candidates.sort_by(|a, b| b.total_cmp(a));
    candidates.dedup();
    let grid: Vec<f64> = points.iter().map(|p| p.max_wait_seconds).collect();
    let mut best: Option<Lever> = None;
    for interval in candidates {
        let mut variant = super::with_checkpoint_interval(scenario, interval);
        if !durable {
            variant.job.checkpoint_s3_uri = Some("s3://your-bucket/checkpoints".into());
        }
        let (_, variant_points, recommendation) = evaluate(&variant, &grid, &sub, None);
        let p = variant_points.last().map(|p| p.targeted().probability);
        let change = match current {
            Some(c) => format!(
                "Checkpointing every {} instead of every {}",
                words::hours(interval),
                words::hours(c)
            ),
            None if durable => format!("Checkpointing every {}", words::hours(interval)),
            None => format!(
                "Durable checkpoints (set checkpoint_s3_uri) every {}",
                words::hours(interval)
            ),
        };
        let lever = Lever {
            lever: if durable {
                "checkpoint_interval"
            } else {
                "checkpoint_s3_uri"
            },
            value: Some(interval),
            text: format!(
                "{change}: {}",
                outcome_words(&recommendation, p, target, scenario)
            ),
            recommendation,
            p_completed_at_cap: p,
        };
        let reaches = lever.recommendation.is_some();
        let better = best
            .as_ref()
            .is_none_or(|b| lever.p_completed_at_cap > b.p_completed_at_cap);
        if reaches || better {
            best = Some(lever);
        }
        if reaches {
            break;
        }
    }
    levers.extend(best);

    let count = scenario.job.instance_count;
    if count > 1 {
        levers.push(Lever {
            lever: "instance_count",
            value: Some(f64::from(count)),
            recommendation: None,
            p_completed_at_cap: None,
            text: format!(
                "The job is a gang of {count} instances: losing any one interrupts all of them, \
                 so the gang is interrupted about {count} times as often as one instance. Fewer \
                 (larger) instances, or a separate spot pool per instance, interrupt less."
            ),
        });
    }

    let on_demand = super::on_demand_cost_usd(scenario);
    levers.push(Lever {
        lever: "on_demand",
        value: None,
        recommendation: None,
        p_completed_at_cap: None,
        text: format!(
            "On-demand (managed_spot = false) completes without interruptions for {} per job; \
             here spot costs {} per completed job at MaxWait {}.",
            words::dollars(on_demand),
            words::dollars(at_cap.cost_per_completed_job_usd),
            words::hours(cap),
        ),
    });
    levers
}

fn outcome_words(
    recommendation: &Option<Recommendation>,
    p_at_cap: Option<f64>,
    target: f64,
    scenario: &Scenario,
) -> String {
    let what = words::targeted(scenario.job.deadline_seconds);
    match recommendation {
        Some(r) => {
            let p = r.p_by_deadline.unwrap_or(r.p_completed);
            let ci = r.p_by_deadline_ci95.unwrap_or(r.p_completed_ci95);
            format!(
                "MaxWaitTimeInSeconds = {:.0} ({}) reaches {what} = {p:.3} [{:.3}, {:.3}] at \
                 {} per job.",
                r.max_wait_seconds,
                words::hours(r.max_wait_seconds),
                ci[0],
                ci[1],
                words::dollars(r.cost_mean_usd)
            )
        }
        None => format!(
            "still below the target {target} ({what} = {:.3} at the cap).",
            p_at_cap.unwrap_or(0.0)
        ),
    }
}
