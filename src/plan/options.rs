//! Purchase options on common random numbers: which way of buying the job's capacity is the
//! cheapest that still meets the target.
//!
//! The issue with reading only the scenario's own policy: with `spot-then-on-demand`,
//! P(Completed) ≈ 1 at every MaxWait, so "the smallest MaxWait that reaches the target" is the
//! earliest switch to on-demand — the most expensive row. Cost has to be the objective and
//! the purchase options its alternatives:
//!
//! - **managed spot** at each grid MaxWait (one run per trial, truncated: [`super::sweep`]);
//! - **spot-then-on-demand** at each switch time — the switch time *is* the spot job's
//!   MaxWait, and the fallback job's path after it depends on it (how much was checkpointed by
//!   then); the spot job's path does not, so each trial's spot job runs once, to the cap, and
//!   only the fallback job runs per switch time ([`super::sweep`]). When the scenario is managed
//!   spot, that one spot run is the planner's own run of the scenario: managed spot and the
//!   fallback are read off the same runs;
//! - **on-demand**, once (no MaxWait);
//!
//! each with every checkpoint interval planned (the scenario's and `--checkpoint-intervals`).
//! All run trial k as the same job on the same market (seed, k), so options differ only by
//! what the option changes. The recommendation is the option with the lowest expected cost
//! per completed job whose lower 95 % Wilson bound of the targeted probability (P(Completed by
//! the deadline) with one, else P(Completed)) reaches the target; ties go to the earlier row
//! (managed spot before the fallback before on-demand, smaller MaxWait first).

use super::{PlanOptions, PlanPoint, PointAggregate, on_demand_cost_usd};
use crate::policy::registry;
use crate::scenario::{Clock, Scenario};
use serde::Serialize;

/// What the recommendation optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// The cheapest option per completed job that meets the target (default).
    #[default]
    Cost,
    /// The smallest MaxWait of the scenario's own policy that meets the target (the planner's
    /// behaviour before purchase options were weighed).
    MaxWait,
}

/// The purchase options, in tie-break order.
pub const PURCHASE_OPTIONS: [&str; 3] = ["managed-spot", "spot-then-on-demand", "on-demand"];

/// One option evaluated: a purchase option at one MaxWait (switch time) and checkpoint
/// interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanOption {
    /// `managed-spot`, `spot-then-on-demand` or `on-demand`.
    pub option: &'static str,
    /// MaxWait of the spot job (the switch time of the fallback; null on-demand).
    #[serde(serialize_with = "crate::units::duration::serialize_whole_seconds_option")]
    pub max_wait_seconds: Option<f64>,
    /// Training seconds between checkpoints (null without periodic checkpoints).
    #[serde(serialize_with = "crate::units::duration::serialize_whole_seconds_option")]
    pub checkpoint_interval_seconds: Option<f64>,
    /// P(Completed).
    pub p_completed: f64,
    /// Its 95 % Wilson interval.
    pub p_completed_ci95: [f64; 2],
    /// P(Completed by the deadline), with a deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_by_deadline: Option<f64>,
    /// Its 95 % Wilson interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_by_deadline_ci95: Option<[f64; 2]>,
    /// Mean cost per job, stopped jobs included (USD).
    pub cost_mean_usd: f64,
    /// Mean cost ÷ P(Completed) (USD; null when none completed).
    pub cost_per_completed_job_usd: f64,
    /// Whether the lower bound of the targeted probability reaches the target.
    pub meets_target: bool,
}

impl PlanOption {
    fn new(option: &'static str, interval: Option<f64>, point: &PlanPoint) -> Self {
        Self {
            option,
            max_wait_seconds: (option != "on-demand").then_some(point.max_wait_seconds),
            checkpoint_interval_seconds: interval,
            p_completed: point.completed.probability,
            p_completed_ci95: point.completed.ci95,
            p_by_deadline: point.completed_by_deadline.map(|o| o.probability),
            p_by_deadline_ci95: point.completed_by_deadline.map(|o| o.ci95),
            cost_mean_usd: point.cost_usd.mean,
            cost_per_completed_job_usd: point.cost_per_completed_job_usd,
            meets_target: point.meets_target,
        }
    }
}

/// The scenario bought as `option` (a registered continuous-clock policy).
pub fn with_purchase_option(scenario: &Scenario, option: &str) -> Scenario {
    let mut changed = scenario.clone();
    if let Some(policy) = registry::scheduling(option) {
        changed.clock = Clock::Continuous(policy);
    }
    let spot = option != "on-demand";
    changed.job.managed_spot = spot;
    if !spot {
        changed.job.max_wait_seconds = None;
    } else if changed.job.max_wait_seconds.is_none() {
        changed.job.max_wait_seconds = Some(changed.job.max_runtime_seconds);
    }
    changed
}

/// Every option evaluated, with the scenario variant and the point each row was read from.
pub(super) struct Evaluated {
    /// The rows, in evaluation (tie-break) order.
    pub options: Vec<PlanOption>,
    /// The scenarios run (one per purchase option and interval).
    pub variants: Vec<Scenario>,
    /// For each row, the index of its scenario and its point.
    pub sources: Vec<(usize, PlanPoint)>,
}

/// Curves over the grid the planner has already computed on the same trials, with the
/// scenario's own checkpoint interval.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shared<'a> {
    /// The scenario's own curve: the option that is the scenario itself (its own policy on
    /// the continuous clock) is read from it instead of being run again.
    pub own: &'a [PlanPoint],
    /// The spot-then-on-demand curve read off the same runs, when the planner could.
    pub fallback: Option<&'a [PointAggregate]>,
}

/// Evaluates every purchase option at every grid MaxWait and every interval in `intervals`
/// (`None`: the scenario's own checkpoint policy), reading what `shared` holds.
pub(super) fn evaluate(
    scenario: &Scenario,
    grid: &[f64],
    options: &PlanOptions,
    intervals: &[Option<f64>],
    shared: Shared,
) -> Evaluated {
    let mut evaluated = Evaluated {
        options: Vec::new(),
        variants: Vec::new(),
        sources: Vec::new(),
    };
    let on_demand = on_demand_cost_usd(scenario);
    for &interval in intervals {
        let base = match interval {
            Some(seconds) => super::with_checkpoint_interval(scenario, seconds),
            None => scenario.clone(),
        };
        let shown_interval =
            Some(base.checkpoint.policy.interval_seconds()).filter(|s| s.is_finite());
        for option in PURCHASE_OPTIONS {
            if options.cancel.requested() {
                return evaluated;
            }
            let variant = with_purchase_option(&base, option);
            let index = evaluated.variants.len();
            // On-demand has no MaxWait: one point that never stops a job for waiting.
            let option_grid: &[f64] = if option == "on-demand" {
                &[f64::INFINITY]
            } else {
                grid
            };
            let shared_fallback = shared
                .fallback
                .filter(|_| interval.is_none() && option == "spot-then-on-demand");
            let points: Vec<PlanPoint> = if interval.is_none() && is_own_option(scenario, option) {
                shared.own.to_vec()
            } else {
                let computed;
                let aggregates: &[PointAggregate] = match shared_fallback {
                    Some(aggregates) => aggregates,
                    None => {
                        computed = super::curve(&variant, option_grid, options, None).1;
                        &computed
                    }
                };
                option_grid
                    .iter()
                    .zip(aggregates)
                    .map(|(&w, aggregate)| {
                        PlanPoint::new(
                            w,
                            aggregate,
                            on_demand,
                            options.target,
                            variant.job.deadline_seconds,
                        )
                    })
                    .collect()
            };
            for point in points {
                evaluated
                    .options
                    .push(PlanOption::new(option, shown_interval, &point));
                evaluated.sources.push((index, point));
            }
            evaluated.variants.push(variant);
        }
    }
    evaluated
}

/// Whether buying the scenario as `option` is the scenario itself: its clock is the continuous
/// one with the registered policy of that name, which [`with_purchase_option`] puts back.
/// (The MaxWait that option sets does not matter: every grid point sets its own. On-demand
/// is evaluated at one point, not over the grid.) The same engine on the same trials gives
/// the same curve.
pub(super) fn is_own_option(scenario: &Scenario, option: &str) -> bool {
    option != "on-demand"
        && matches!(scenario.clock, Clock::Continuous(_))
        && scenario.clock.policy_name() == option
}

/// The row to recommend: the lowest cost per completed job among the rows that meet the
/// target (the first of equals).
pub(super) fn cheapest(options: &[PlanOption]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, option) in options.iter().enumerate() {
        if !option.meets_target || !option.cost_per_completed_job_usd.is_finite() {
            continue;
        }
        if best.is_none_or(|b| {
            option.cost_per_completed_job_usd < options[b].cost_per_completed_job_usd
        }) {
            best = Some(i);
        }
    }
    best
}

/// Marks the best row of the checkpoint-interval table (see [`super::IntervalPlan::best`]).
pub(super) fn mark_best_interval(rows: &mut [super::IntervalPlan]) {
    let cost = |row: &super::IntervalPlan| {
        row.recommendation
            .as_ref()
            .map(|r| r.cost_per_completed_job_usd)
            .filter(|c| c.is_finite())
    };
    let mut best: Option<(usize, f64)> = None;
    for (i, row) in rows.iter().enumerate() {
        if let Some(c) = cost(row)
            && best.is_none_or(|(_, b)| c < b)
        {
            best = Some((i, c));
        }
    }
    if let Some((i, _)) = best {
        rows[i].best = true;
    }
}
