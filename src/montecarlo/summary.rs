//! The pinned `simulate --format json` summary (SPEC.md).

use super::Aggregate;
use crate::engine::{Outcome, Simulator};
use crate::market::InterruptionBasis;
use crate::scenario::Scenario;
use crate::stats::{Summary, wilson_interval};
use serde::Serialize;
use std::time::Instant;

/// Count, probability and 95 % Wilson interval of one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutcomeSummary {
    /// Trials with this outcome.
    pub count: u64,
    /// Fraction of trials.
    pub probability: f64,
    /// 95 % Wilson score interval.
    pub ci95: [f64; 2],
}

impl OutcomeSummary {
    /// `count` of `trials` with its probability and Wilson 95 % interval.
    pub fn new(count: u64, trials: u64) -> Self {
        let (low, high) = wilson_interval(count, trials);
        Self {
            count,
            probability: if trials == 0 {
                0.0
            } else {
                count as f64 / trials as f64
            },
            ci95: [low, high],
        }
    }
}

/// The trials Completed by the job's deadline (`[job] deadline`, reference §9).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeadlineSummary {
    /// The deadline, whole seconds after CreationTime.
    pub seconds: u64,
    /// Trials Completed with Uploading ended by the deadline: count, probability, Wilson 95 %.
    pub completed: OutcomeSummary,
}

impl DeadlineSummary {
    /// The deadline count of `aggregate` (`None` without a deadline).
    pub fn of(aggregate: &Aggregate) -> Option<Self> {
        let seconds = aggregate.deadline_seconds?;
        Some(Self {
            seconds: seconds as u64,
            completed: OutcomeSummary::new(aggregate.completed_by_deadline, aggregate.trials),
        })
    }
}

/// Outcome table, in the order SPEC.md shows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[allow(non_snake_case)]
pub struct Outcomes {
    /// Completed.
    pub Completed: OutcomeSummary,
    /// Stopped by MaxWait.
    pub MaxWaitTimeExceeded: OutcomeSummary,
    /// Stopped by MaxRuntime.
    pub MaxRuntimeExceeded: OutcomeSummary,
    /// Failed (an `InternalServerError` with no RetryStrategy attempt left); an extension of
    /// the three pinned outcomes, listed after them.
    pub Failed: OutcomeSummary,
}

/// Per-metric summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// CreationTime → terminal status.
    pub wall_clock_seconds: Summary,
    /// CreationTime → Completed, completed trials only.
    pub completion_seconds: Summary,
    /// TrainingTime (instance-held seconds).
    pub training_time_seconds: Summary,
    /// BillableTime (on-demand-equivalent seconds).
    pub billable_time_seconds: Summary,
    /// Interruptions.
    pub interruptions: Summary,
    /// Cost per job, stopped jobs included.
    pub cost_usd: Summary,
    /// AWS's savings formula per job that held an instance.
    pub savings_percent: Summary,
    /// Training redone after interruptions.
    pub lost_training_seconds: Summary,
}

/// How the run went (not part of the deterministic output).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// Wall-clock seconds the run took.
    pub elapsed_seconds: f64,
    /// Worker threads.
    pub threads: usize,
    /// Throughput.
    pub trials_per_second: f64,
    /// spotsim version.
    pub version: &'static str,
}

impl RunInfo {
    /// Measures a run that started at `started`.
    pub fn measured(started: Instant, threads: usize, trials: u64) -> Self {
        let elapsed_seconds = started.elapsed().as_secs_f64();
        Self {
            elapsed_seconds,
            threads,
            trials_per_second: if elapsed_seconds > 0.0 {
                trials as f64 / elapsed_seconds
            } else {
                0.0
            },
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The summary of a simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationSummary {
    /// Scenario name.
    pub scenario: String,
    /// Trials run.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Outcome probabilities.
    pub outcomes: Outcomes,
    /// The trials Completed by the job's deadline (absent without `[job] deadline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DeadlineSummary>,
    /// Metric summaries.
    pub metrics: Metrics,
    /// The same job on on-demand instances, without interruptions.
    pub on_demand_cost_usd: f64,
    /// `(1 − cost per completed job / on-demand cost) × 100`, where the cost per completed job
    /// is the mean cost of all jobs (stopped ones included) divided by P(Completed): it counts
    /// re-done work and the money spent on jobs that ended stopped. `null` when none completed.
    pub true_savings_percent: f64,
    /// The interval `[checkpoint] policy = "optimal"` chose (absent for other policies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<super::optimal::CheckpointChoice>,
    /// The on-demand capacity the numbers assume (`[on_demand]`, set or not), when a job of
    /// the scenario may run on on-demand capacity; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_demand: Option<crate::scenario::OnDemandCapacity>,
    /// The published figure the market's interruption rate comes from (Spot Instance Advisor
    /// scenarios), with the rate used; absent for other markets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub market: Option<InterruptionBasis>,
    /// Run information.
    pub run: RunInfo,
}

impl SimulationSummary {
    /// Summarises `aggregate` of `scenario`.
    pub fn new(
        scenario: &Scenario,
        engine: &impl Simulator,
        seed: u64,
        aggregate: &Aggregate,
        run: RunInfo,
    ) -> Self {
        let on_demand_cost_usd = engine.on_demand_cost_usd(scenario.pricing.on_demand_per_hour);
        let mut summary =
            Self::from_parts(&scenario.name, seed, on_demand_cost_usd, aggregate, run);
        summary.market = scenario
            .market
            .as_ref()
            .and_then(|m| m.model.interruption_basis());
        summary.checkpoint = super::optimal::CheckpointChoice::of(scenario);
        summary.on_demand = scenario.on_demand_assumption();
        summary
    }

    /// Summarises `aggregate` from its parts (what a merge of partials knows).
    pub fn from_parts(
        scenario: &str,
        seed: u64,
        on_demand_cost_usd: f64,
        aggregate: &Aggregate,
        run: RunInfo,
    ) -> Self {
        let trials = aggregate.trials;
        let mean_cost = aggregate.cost_usd.summary().mean;
        Self {
            scenario: scenario.to_string(),
            trials,
            seed,
            outcomes: Outcomes {
                Completed: OutcomeSummary::new(aggregate.count(Outcome::Completed), trials),
                MaxWaitTimeExceeded: OutcomeSummary::new(
                    aggregate.count(Outcome::MaxWaitTimeExceeded),
                    trials,
                ),
                MaxRuntimeExceeded: OutcomeSummary::new(
                    aggregate.count(Outcome::MaxRuntimeExceeded),
                    trials,
                ),
                Failed: OutcomeSummary::new(aggregate.count(Outcome::Failed), trials),
            },
            deadline: DeadlineSummary::of(aggregate),
            metrics: Metrics {
                wall_clock_seconds: aggregate.wall_clock_seconds.summary(),
                completion_seconds: aggregate.completion_seconds.summary(),
                training_time_seconds: aggregate.training_time_seconds.summary(),
                billable_time_seconds: aggregate.billable_time_seconds.summary(),
                interruptions: whole_quantiles(aggregate.interruptions.summary()),
                cost_usd: aggregate.cost_usd.summary(),
                savings_percent: aggregate.savings_percent.summary(),
                lost_training_seconds: aggregate.lost_training_seconds.summary(),
            },
            on_demand_cost_usd,
            true_savings_percent: true_savings_percent(mean_cost, aggregate, on_demand_cost_usd),
            checkpoint: None,
            on_demand: None,
            market: None,
            run,
        }
    }

    /// The probability of `outcome`.
    pub fn probability(&self, outcome: Outcome) -> f64 {
        self.outcome(outcome).probability
    }

    /// The summary of `outcome`.
    pub fn outcome(&self, outcome: Outcome) -> &OutcomeSummary {
        match outcome {
            Outcome::Completed => &self.outcomes.Completed,
            Outcome::MaxWaitTimeExceeded => &self.outcomes.MaxWaitTimeExceeded,
            Outcome::MaxRuntimeExceeded => &self.outcomes.MaxRuntimeExceeded,
            Outcome::Failed => &self.outcomes.Failed,
        }
    }
}

/// Quantiles of a count are whole numbers: the sketch's representative value is within 0.5 %
/// of the true one, so rounding recovers it exactly for counts below 100.
fn whole_quantiles(summary: Summary) -> Summary {
    Summary {
        p50: summary.p50.round(),
        p90: summary.p90.round(),
        p95: summary.p95.round(),
        p99: summary.p99.round(),
        ..summary
    }
}

/// True savings: cost per completed job against the on-demand cost (NaN when none completed).
fn true_savings_percent(mean_cost: f64, aggregate: &Aggregate, on_demand_cost_usd: f64) -> f64 {
    let completed = aggregate.count(Outcome::Completed);
    if completed == 0 {
        return f64::NAN;
    }
    let cost_per_completed_job = mean_cost * aggregate.trials as f64 / completed as f64;
    (1.0 - cost_per_completed_job / on_demand_cost_usd) * 100.0
}

impl SimulationSummary {
    /// Mean cost of all jobs divided by P(Completed): what one completed job costs on spot.
    pub fn cost_per_completed_job_usd(&self) -> f64 {
        let p = self.outcomes.Completed.probability;
        if p > 0.0 {
            self.metrics.cost_usd.mean / p
        } else {
            f64::NAN
        }
    }
}
