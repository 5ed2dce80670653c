//! When no MaxWait on the grid reaches the target: which lever would, evaluated by simulation
//! on the same trials (same seed), and what on-demand costs instead. Each lever states what it
//! found in numbers ([`Finding`]); the reports say it in words (`report::advice`).

use super::{PlanOptions, PlanPoint, Recommendation, build_grid, evaluate};
use crate::scenario::{MAX_RUNTIME_LIMIT_SECONDS, Scenario};
use crate::stats::{Z95, wilson_interval};

/// One lever and what it does to the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever {
    /// Which setting: `deadline`, `trials`, `max_runtime`, `checkpoint_interval`,
    /// `checkpoint_s3_uri`, `instance_count` or `on_demand`.
    pub lever: &'static str,
    /// The setting's value tried (seconds, count), when one was simulated.
    pub value: Option<f64>,
    /// The recommendation with the lever pulled (null when it does not reach the target).
    pub recommendation: Option<Recommendation>,
    /// The targeted probability (P(Completed by the deadline) with one, else P(Completed)) at
    /// the largest MaxWait evaluated with the lever pulled.
    pub p_completed_at_cap: Option<f64>,
    /// What the lever found, in numbers.
    pub finding: Finding,
}

/// What a lever found: the numbers its advice states.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The deadline `deadline_seconds` is shorter than the job itself takes with capacity at
    /// once and no interruption (`shortest_seconds`): no MaxWait or purchase option meets it.
    Deadline {
        /// The job's deadline (seconds after CreationTime).
        deadline_seconds: f64,
        /// The shortest the job can take (provisioning, download, training with its
        /// checkpoint writes, upload).
        shortest_seconds: f64,
    },
    /// With `trials` trials the lower 95 % Wilson bound cannot exceed `best_bound` even if every
    /// job completes; `needed` trials can reach the target.
    Trials {
        /// Trials of the plan.
        trials: u64,
        /// The lower bound when every trial completes.
        best_bound: f64,
        /// The fewest trials whose bound can reach the target.
        needed: u64,
    },
    /// Jobs hit MaxRuntime even at the cap; the lever's recommendation (or its probability at
    /// the cap) is with MaxRuntime `runtime_seconds`.
    MaxRuntime {
        /// P(MaxRuntimeExceeded) at the cap.
        p_max_runtime_exceeded: f64,
        /// The scenario's MaxRuntime.
        max_runtime_seconds: f64,
        /// The grid's cap.
        cap_seconds: f64,
        /// The longer MaxRuntime tried.
        runtime_seconds: f64,
        /// The plan's target and deadline (what "reaches" means).
        target: Target,
    },
    /// Checkpointing every `interval_seconds` (durably, with an S3 URI, when `durable`; instead
    /// of every `current_seconds` when the job already does).
    Checkpoint {
        /// The interval tried.
        interval_seconds: f64,
        /// The job's own durable interval, if it has one.
        current_seconds: Option<f64>,
        /// Whether the job's checkpoints are durable (it has an S3 URI).
        durable: bool,
        /// The plan's target and deadline (what "reaches" means).
        target: Target,
    },
    /// The job is a gang of `count` instances.
    Gang {
        /// Instances of the job.
        count: u32,
    },
    /// On-demand costs `on_demand_usd` per job; spot `spot_per_completed_usd` per completed job
    /// at the cap.
    OnDemand {
        /// The job on on-demand instances (USD).
        on_demand_usd: f64,
        /// Spot's cost per completed job at the cap (USD).
        spot_per_completed_usd: f64,
        /// The grid's cap.
        cap_seconds: f64,
    },
}

/// What a lever had to reach: the completion target, of P(Completed by the deadline) with one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// The completion-probability target.
    pub target: f64,
    /// The job's deadline (seconds after CreationTime), if it has one.
    pub deadline_seconds: Option<f64>,
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
    let reach = Target {
        target,
        deadline_seconds: scenario.job.deadline_seconds,
    };

    // A deadline shorter than the job itself: no lever on MaxWait or purchase option helps.
    let shortest = crate::engine::shortest_job_seconds(scenario);
    if let Some(deadline) = scenario.job.deadline_seconds.filter(|&d| d < shortest) {
        levers.push(Lever {
            lever: "deadline",
            value: Some(shortest),
            recommendation: None,
            p_completed_at_cap: None,
            finding: Finding::Deadline {
                deadline_seconds: deadline,
                shortest_seconds: shortest,
            },
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
            finding: Finding::Trials {
                trials: options.trials,
                best_bound,
                needed,
            },
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
            let reaches = recommendation.is_some();
            best = Some(Lever {
                lever: "max_runtime",
                value: Some(runtime),
                recommendation,
                p_completed_at_cap: p,
                finding: Finding::MaxRuntime {
                    p_max_runtime_exceeded: at_cap.max_runtime_exceeded.probability,
                    max_runtime_seconds: scenario.job.max_runtime_seconds,
                    cap_seconds: cap,
                    runtime_seconds: runtime,
                    target: reach,
                },
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
        let lever = Lever {
            lever: if durable {
                "checkpoint_interval"
            } else {
                "checkpoint_s3_uri"
            },
            value: Some(interval),
            finding: Finding::Checkpoint {
                interval_seconds: interval,
                current_seconds: current,
                durable,
                target: reach,
            },
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
            finding: Finding::Gang { count },
        });
    }

    let on_demand = super::on_demand_cost_usd(scenario);
    levers.push(Lever {
        lever: "on_demand",
        value: None,
        recommendation: None,
        p_completed_at_cap: None,
        finding: Finding::OnDemand {
            on_demand_usd: on_demand,
            spot_per_completed_usd: at_cap.cost_per_completed_job_usd,
            cap_seconds: cap,
        },
    });
    levers
}
