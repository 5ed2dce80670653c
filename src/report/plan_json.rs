//! plan.json: the planner's [`Plan`] with the recommendation's words and snippets, which are
//! the report layer's to write ([`super::recommendation`], [`super::use_it`]).
//!
//! The document is pinned (`tests/golden/plan-default.json`), so the views below keep every
//! key where it has always been: the plan's keys in [`Plan`]'s order, and `text` and `use_it`
//! closing every recommendation object — the plan's, each lever's (`advice[]`) and each
//! checkpoint interval's (`checkpoint_intervals[]`); a recommendation's numbers are its own
//! serialisation, flattened in front of them. Each lever's `text` is [`super::advice::text`].

use super::recommendation::sentence;
use super::use_it::{UseIt, use_it};
use crate::market::InterruptionBasis;
use crate::montecarlo::optimal::CheckpointChoice;
use crate::montecarlo::{RunInfo, SimulationSummary};
use crate::plan::advice::Lever;
use crate::plan::{
    IntervalPlan, Objective, Plan, PlanOption, PlanPoint, Recommendation, SearchStop, Sweep,
};
use crate::scenario::OnDemandCapacity;
use crate::units::duration::{serialize_whole_seconds, serialize_whole_seconds_option};
use serde::Serialize;

/// A recommendation as plan.json holds it: its numbers, then its sentence and snippets.
#[derive(Serialize)]
struct RecommendationJson<'a> {
    #[serde(flatten)]
    numbers: &'a Recommendation,
    text: String,
    use_it: UseIt,
}

impl<'a> RecommendationJson<'a> {
    fn of(r: &'a Recommendation) -> Self {
        Self {
            numbers: r,
            text: sentence(r),
            use_it: use_it(r),
        }
    }
}

fn recommendation(r: &Option<Recommendation>) -> Option<RecommendationJson<'_>> {
    r.as_ref().map(RecommendationJson::of)
}

/// An `advice[]` entry.
#[derive(Serialize)]
struct LeverJson<'a> {
    lever: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<RecommendationJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_completed_at_cap: Option<f64>,
    text: String,
}

/// A `checkpoint_intervals[]` row.
#[derive(Serialize)]
struct IntervalJson<'a> {
    #[serde(serialize_with = "serialize_whole_seconds")]
    checkpoint_interval_seconds: f64,
    recommendation: Option<RecommendationJson<'a>>,
    p_completed_at_cap: f64,
    p_completed_at_scenario_max_wait: Option<f64>,
    best: bool,
}

fn is_unset(on_demand: &OnDemandCapacity) -> bool {
    on_demand.is_unset()
}

/// The whole document ([`Plan`]'s fields document each key).
#[derive(Serialize)]
struct PlanJson<'a> {
    scenario: &'a str,
    trials: u64,
    seed: u64,
    target: f64,
    #[serde(serialize_with = "serialize_whole_seconds")]
    max_runtime_seconds: f64,
    #[serde(serialize_with = "serialize_whole_seconds_option")]
    scenario_max_wait_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline_seconds: Option<u64>,
    sweep: Sweep,
    on_demand_cost_usd: f64,
    #[serde(skip_serializing_if = "is_unset")]
    on_demand: OnDemandCapacity,
    objective: Objective,
    search_stopped_by: SearchStop,
    recommendation: Option<RecommendationJson<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    options: &'a [PlanOption],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advice: Vec<LeverJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checkpoint_intervals: Vec<IntervalJson<'a>>,
    points: &'a [PlanPoint],
    #[serde(skip_serializing_if = "Option::is_none")]
    simulation: Option<&'a SimulationSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    market: Option<&'a InterruptionBasis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checkpoint: Option<&'a CheckpointChoice>,
    run: &'a RunInfo,
}

/// plan.json (`plan --format json`): pretty JSON of `plan` with the recommendations' words.
pub fn render(plan: &Plan) -> String {
    let advice = plan
        .advice
        .iter()
        .map(|l: &Lever| LeverJson {
            lever: l.lever,
            value: l.value,
            recommendation: recommendation(&l.recommendation),
            p_completed_at_cap: l.p_completed_at_cap,
            text: super::advice::text(l),
        })
        .collect();
    let checkpoint_intervals = plan
        .checkpoint_intervals
        .iter()
        .map(|row: &IntervalPlan| IntervalJson {
            checkpoint_interval_seconds: row.checkpoint_interval_seconds,
            recommendation: recommendation(&row.recommendation),
            p_completed_at_cap: row.p_completed_at_cap,
            p_completed_at_scenario_max_wait: row.p_completed_at_scenario_max_wait,
            best: row.best,
        })
        .collect();
    super::json(&PlanJson {
        scenario: &plan.scenario,
        trials: plan.trials,
        seed: plan.seed,
        target: plan.target,
        max_runtime_seconds: plan.max_runtime_seconds,
        scenario_max_wait_seconds: plan.scenario_max_wait_seconds,
        deadline_seconds: plan.deadline_seconds,
        sweep: plan.sweep,
        on_demand_cost_usd: plan.on_demand_cost_usd,
        on_demand: plan.on_demand,
        objective: plan.objective,
        search_stopped_by: plan.search_stopped_by,
        recommendation: recommendation(&plan.recommendation),
        options: &plan.options,
        advice,
        checkpoint_intervals,
        points: &plan.points,
        simulation: plan.simulation.as_ref(),
        market: plan.market.as_ref(),
        checkpoint: plan.checkpoint.as_ref(),
        run: &plan.run,
    })
}
