//! The MaxWait planner: which `MaxWaitTimeInSeconds` to set so that the job completes with
//! probability ≥ a target, what that costs, and how sure the answer is.
//!
//! The planner evaluates a grid of MaxWait values ([`grid`]) on the same trials (common random
//! numbers: trial k is the same job on the same market at every grid point), so the
//! P(Completed) curve is monotone and smooth and neighbouring points differ only by the jobs
//! MaxWait itself stops. For managed spot one run per trial gives the whole curve
//! ([`sweep`]); a policy whose path depends on MaxWait re-runs every grid point
//! ([`path_depends_on_max_wait`]).
//!
//! The recommendation is the smallest grid MaxWait whose **lower** 95 % Wilson bound of
//! P(Completed) reaches the target, so the claim "≥ target" holds at 95 % confidence rather
//! than merely on average. When no grid value reaches it, [`advice`] evaluates the levers
//! that would (a longer MaxRuntime, a shorter checkpoint interval, more trials) and prices
//! on-demand.

pub mod advice;
mod curve;
pub mod detail;
mod estimate;
pub mod grid;
pub mod options;
mod search;
pub mod sweep;

pub use curve::curve;
use curve::curves;
pub use detail::{run_at, sample_timelines};
pub use estimate::{REBUILD_RUNS_PER_POINT, curve_runs_per_trial, runs_per_trial};
pub use grid::{GridError, GridSetting, GridSpec, SearchStop, build_grid, default_cap_seconds};
pub use options::{Objective, PlanOption};
pub use sweep::{PointAggregate, Sweep};

use crate::engine::{Engine, Outcome, Simulator, Timeline, TrialOutcome};
use crate::error::InputError;
use crate::montecarlo::{Aggregate, Cancel, OutcomeSummary, RunInfo, SimulationSummary};
use crate::policy::CheckpointPolicy;
use crate::scenario::Scenario;
use crate::stats::Summary;
use serde::Serialize;
use std::time::Instant;

/// Default completion-probability target.
pub const DEFAULT_TARGET: f64 = 0.95;

/// Sample trials drawn in the status timeline (Gantt) chart.
pub const TIMELINE_TRIALS: usize = 6;

/// Whether the planner must re-run every grid point: a policy's path (when capacity comes,
/// what is held, what is lost) may depend on MaxWait other than by being cut off at it — e.g.
/// a fallback to on-demand when MaxWait stops the spot job. Managed spot waits for spot
/// capacity until MaxWait and never changes course, so MaxWait only truncates its path and
/// one run per trial at the grid's cap gives every grid point.
/// The simulator says ([`Simulator::path_depends_on_max_wait`]).
pub fn path_depends_on_max_wait(scenario: &Scenario) -> bool {
    Engine::new(scenario).path_depends_on_max_wait()
}

/// How to plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// Trials per grid point (the same trials at every point).
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Worker threads (`None` = all cores); the result does not depend on it.
    pub threads: Option<usize>,
    /// Completion-probability target: the lower 95 % bound must reach it.
    pub target: f64,
    /// The MaxWait grid.
    pub grid: GridSpec,
    /// Force a sweep (default: [`Sweep::Truncate`] unless the path depends on MaxWait).
    pub sweep: Option<Sweep>,
    /// Also plan these checkpoint intervals (seconds) for the 2-D table.
    pub checkpoint_intervals: Vec<f64>,
    /// Evaluate levers when the target is out of reach.
    pub advise: bool,
    /// Run the recommended MaxWait once more for the charts (CDF, histogram, Gantt).
    pub detail: bool,
    /// Stop early when requested (checked before every trial): [`plan`] then returns
    /// [`PlanError::Cancelled`].
    pub cancel: Cancel,
    /// What the recommendation optimises ([`options`]).
    pub objective: Objective,
}

/// Why there is no plan.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The scenario cannot be planned.
    #[error(transparent)]
    Input(#[from] InputError),
    /// An option is out of range.
    #[error(transparent)]
    Option(#[from] OptionError),
    /// The MaxWait grid cannot be built.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// [`PlanOptions::cancel`] was requested before the plan was complete.
    #[error("the plan was cancelled")]
    Cancelled,
}

/// A [`PlanOptions`] value out of range. The messages name settings, not command-line
/// options: the command line maps each to its option ([`OptionError::setting`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptionError {
    /// [`PlanOptions::target`] outside (0, 1).
    #[error("expected a probability in (0, 1), e.g. 0.95, got {0}")]
    Target(f64),
    /// [`PlanOptions::trials`] is 0.
    #[error("expected at least 1 trial")]
    NoTrials,
    /// A [`PlanOptions::checkpoint_intervals`] value that is not positive and finite.
    #[error("expected positive checkpoint intervals, got {0} s")]
    CheckpointInterval(f64),
}

/// The [`PlanOptions`] field an [`OptionError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionSetting {
    /// [`PlanOptions::target`].
    Target,
    /// [`PlanOptions::trials`].
    Trials,
    /// [`PlanOptions::checkpoint_intervals`].
    CheckpointIntervals,
}

impl OptionError {
    /// The field the error is about.
    pub fn setting(&self) -> OptionSetting {
        match self {
            OptionError::Target(_) => OptionSetting::Target,
            OptionError::NoTrials => OptionSetting::Trials,
            OptionError::CheckpointInterval(_) => OptionSetting::CheckpointIntervals,
        }
    }
}

impl PlanOptions {
    /// The scenario's trials and seed, default target and grid, all cores.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        Self {
            trials: scenario.simulation.trials,
            seed: scenario.simulation.seed,
            threads: None,
            target: DEFAULT_TARGET,
            grid: GridSpec::default(),
            sweep: None,
            checkpoint_intervals: Vec::new(),
            advise: true,
            detail: true,
            cancel: Cancel::never(),
            objective: Objective::default(),
        }
    }
}

/// The curve at one MaxWait.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanPoint {
    /// The MaxWaitTimeInSeconds evaluated.
    #[serde(serialize_with = "crate::units::duration::serialize_whole_seconds")]
    pub max_wait_seconds: f64,
    /// Completed.
    pub completed: OutcomeSummary,
    /// Completed by the job's deadline (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_by_deadline: Option<OutcomeSummary>,
    /// Stopped by MaxWait.
    pub max_wait_time_exceeded: OutcomeSummary,
    /// Stopped by MaxRuntime.
    pub max_runtime_exceeded: OutcomeSummary,
    /// Cost per job, stopped jobs included (USD).
    pub cost_usd: Summary,
    /// Mean cost per job ÷ P(Completed): what one completed job costs (USD; null if none).
    pub cost_per_completed_job_usd: f64,
    /// (1 − cost per completed job ÷ on-demand cost) × 100 (null if none completed).
    pub true_savings_percent: f64,
    /// AWS's formula (1 − Billable/Training) × 100, mean over jobs that held an instance.
    pub aws_savings_percent: f64,
    /// Whether the lower 95 % bound of the targeted probability (P(Completed by the
    /// deadline) with one, else P(Completed)) reaches the target.
    pub meets_target: bool,
}

impl PlanPoint {
    /// The probability the plan targets: P(Completed by the deadline) with one, else
    /// P(Completed).
    pub fn targeted(&self) -> &OutcomeSummary {
        self.completed_by_deadline
            .as_ref()
            .unwrap_or(&self.completed)
    }

    fn new(
        max_wait_seconds: f64,
        point: &PointAggregate,
        on_demand: f64,
        target: f64,
        deadline_seconds: Option<f64>,
    ) -> Self {
        let trials = point.trials;
        let completed = OutcomeSummary::new(point.count(Outcome::Completed), trials);
        let completed_by_deadline =
            deadline_seconds.map(|_| OutcomeSummary::new(point.completed_by_deadline, trials));
        let targeted = completed_by_deadline.unwrap_or(completed);
        let cost_usd = point.cost_usd.summary();
        let cost_per_completed_job_usd = if completed.count > 0 {
            cost_usd.mean * trials as f64 / completed.count as f64
        } else {
            f64::NAN
        };
        Self {
            max_wait_seconds,
            meets_target: targeted.ci95[0] >= target,
            completed,
            completed_by_deadline,
            max_wait_time_exceeded: OutcomeSummary::new(
                point.count(Outcome::MaxWaitTimeExceeded),
                trials,
            ),
            max_runtime_exceeded: OutcomeSummary::new(
                point.count(Outcome::MaxRuntimeExceeded),
                trials,
            ),
            cost_usd,
            cost_per_completed_job_usd,
            true_savings_percent: (1.0 - cost_per_completed_job_usd / on_demand) * 100.0,
            aws_savings_percent: point.aws_savings_percent.mean(),
        }
    }
}

/// The recommended MaxWait and what it gives, in numbers: the report layer says it in words
/// and snippets (`report::recommendation`, `report::use_it`) and writes them into plan.json.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The purchase option (`[policy] name`): `managed-spot`, `spot-then-on-demand` or
    /// `on-demand`.
    pub option: String,
    /// Set `MaxRuntimeInSeconds` to this (the scenario's).
    #[serde(serialize_with = "crate::units::duration::serialize_whole_seconds")]
    pub max_runtime_seconds: f64,
    /// Training seconds between checkpoints the recommendation was simulated with (null
    /// without periodic checkpoints).
    #[serde(serialize_with = "crate::units::duration::serialize_whole_seconds_option")]
    pub checkpoint_interval_seconds: Option<f64>,
    /// Set `MaxWaitTimeInSeconds` to this.
    #[serde(serialize_with = "crate::units::duration::serialize_whole_seconds")]
    pub max_wait_seconds: f64,
    /// P(Completed) there.
    pub p_completed: f64,
    /// Its 95 % Wilson interval.
    pub p_completed_ci95: [f64; 2],
    /// P(Completed by the deadline) there, with a deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_by_deadline: Option<f64>,
    /// Its 95 % Wilson interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_by_deadline_ci95: Option<[f64; 2]>,
    /// Mean cost per job, stopped jobs included (USD).
    pub cost_mean_usd: f64,
    /// Cost per completed job (USD).
    pub cost_per_completed_job_usd: f64,
    /// The same job on on-demand instances (USD).
    pub on_demand_cost_usd: f64,
    /// True saving, percent.
    pub true_savings_percent: f64,
    /// AWS's savings formula, percent.
    pub aws_savings_percent: f64,
    /// The job's instance type (the snippets set it).
    #[serde(skip)]
    pub instance_type: String,
    /// The job's instance count (the snippets set it).
    #[serde(skip)]
    pub instance_count: u32,
    /// Where the job's checkpoints are durable (`checkpoint_s3_uri`; the snippets set it).
    #[serde(skip)]
    pub checkpoint_s3_uri: Option<String>,
    /// The deadline [`Recommendation::p_by_deadline`] counts to (seconds after CreationTime).
    #[serde(skip)]
    pub deadline_seconds: Option<f64>,
    /// Whether it is a row of [`Plan::points`] (the scenario's own policy and interval).
    #[serde(skip)]
    pub on_points: bool,
}

/// Where the recommended MaxWait was run once more, for the charts.
#[derive(Debug, Clone)]
pub struct PlanDetail {
    /// The MaxWait of this run (the recommended one, or the cap when none reaches the target).
    pub max_wait_seconds: f64,
    /// The exact aggregate (wall clock and cost distributions for the CDF and histogram).
    pub aggregate: Aggregate,
    /// A few sample trials with their status timelines (Gantt chart).
    pub timelines: Vec<(u64, TrialOutcome, Timeline)>,
}

/// One row of the checkpoint-interval × MaxWait table.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalPlan {
    /// Checkpoint interval (training seconds between checkpoints).
    pub checkpoint_interval_seconds: f64,
    /// The recommendation with this interval (null when no grid MaxWait reaches the target).
    pub recommendation: Option<Recommendation>,
    /// P(Completed) at the grid's cap (the most this grid can give).
    pub p_completed_at_cap: f64,
    /// P(Completed) at the scenario's own MaxWait, if it is set.
    pub p_completed_at_scenario_max_wait: Option<f64>,
    /// Whether this is the best row: the lowest cost per completed job among the intervals
    /// whose recommendation meets the target (the first of equals).
    pub best: bool,
}

/// The plan: the whole curve, the recommendation and the advice. plan.json is the report
/// layer's writing of it (`report::plan_json`), which adds the recommendation's words.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Scenario name.
    pub scenario: String,
    /// Trials per grid point.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Completion-probability target.
    pub target: f64,
    /// MaxRuntimeInSeconds of the scenario (the smallest MaxWait AWS accepts).
    pub max_runtime_seconds: f64,
    /// The scenario's own MaxWaitTimeInSeconds.
    pub scenario_max_wait_seconds: Option<f64>,
    /// The job's deadline (`[job] deadline`, seconds after CreationTime): the plan targets
    /// P(Completed by it) instead of P(Completed).
    pub deadline_seconds: Option<u64>,
    /// How the curve was computed.
    pub sweep: Sweep,
    /// The same job on on-demand instances, without interruptions (USD).
    pub on_demand_cost_usd: f64,
    /// The scenario's on-demand capacity (its `[on_demand] mean_capacity_wait`, when set).
    pub on_demand: crate::scenario::OnDemandCapacity,
    /// What the recommendation optimises.
    pub objective: Objective,
    /// Why the MaxWait search stopped (the grid grows past the default cap while none meets it).
    pub search_stopped_by: SearchStop,
    /// The recommendation (null when no option reaches the target).
    pub recommendation: Option<Recommendation>,
    /// Every option evaluated for the cost objective: purchase option × MaxWait (switch time)
    /// × checkpoint interval, on the same trials.
    pub options: Vec<PlanOption>,
    /// What would reach the target when nothing on the grid does (evaluated by simulation).
    pub advice: Vec<advice::Lever>,
    /// The checkpoint-interval × MaxWait table (when asked for).
    pub checkpoint_intervals: Vec<IntervalPlan>,
    /// One row per grid MaxWait.
    pub points: Vec<PlanPoint>,
    /// The summary of a direct run at the recommended MaxWait (or the cap).
    pub simulation: Option<SimulationSummary>,
    /// The published figure the market's interruption rate comes from (advisor scenarios).
    pub market: Option<crate::market::InterruptionBasis>,
    /// The interval `optimal` chose, which the scenario's own rows were planned with.
    pub checkpoint: Option<crate::montecarlo::optimal::CheckpointChoice>,
    /// Data for the charts (not in plan.json).
    pub detail: Option<PlanDetail>,
    /// Run information (the only part that depends on the machine).
    pub run: RunInfo,
}

impl Plan {
    /// Index of the recommended point.
    pub fn recommended_index(&self) -> Option<usize> {
        let r = self.recommendation.as_ref().filter(|r| r.on_points)?;
        let w = r.max_wait_seconds;
        self.points.iter().position(|p| p.max_wait_seconds == w)
    }

    /// The point at the scenario's own MaxWait, if it is on the grid.
    pub fn scenario_point(&self) -> Option<&PlanPoint> {
        let w = self.scenario_max_wait_seconds?;
        self.points.iter().find(|p| p.max_wait_seconds == w)
    }
}

/// The planner's input checks: a MaxWait plan needs a managed-spot job.
fn check_scenario(scenario: &Scenario, options: &PlanOptions) -> Result<(), PlanError> {
    if !scenario.clock.uses_spot() {
        return Err(InputError::new(
            scenario.name.clone(),
            "MaxWaitTimeInSeconds applies only to managed spot training; set [job] \
             managed_spot = true (and [policy] name = \"managed-spot\") to plan it",
        )
        .at_key("[policy] name")
        .into());
    }
    if !Engine::new(scenario).max_wait_stops_trials() {
        return Err(InputError::new(
            scenario.name.clone(),
            "the tick clock stops a job at its deadline ([policy] deadline), not at \
             MaxWaitTimeInSeconds, so every MaxWait of a plan would give the same row; plan \
             the job on the continuous clock, or compare deadlines with simulate",
        )
        .at_key("[simulation] clock")
        .into());
    }
    if !(options.target > 0.0 && options.target < 1.0) {
        return Err(OptionError::Target(options.target).into());
    }
    if options.trials == 0 {
        return Err(OptionError::NoTrials.into());
    }
    Ok(())
}

/// The scenario's on-demand reference cost (same job, no interruptions).
pub fn on_demand_cost_usd(scenario: &Scenario) -> f64 {
    Engine::new(scenario).on_demand_cost_usd(scenario.pricing.on_demand_per_hour)
}

/// Points and recommendation of one scenario over `grid`, its savings against its own
/// on-demand cost.
fn evaluate(
    scenario: &Scenario,
    grid: &[f64],
    options: &PlanOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> (Sweep, Vec<PlanPoint>, Option<Recommendation>) {
    evaluate_against(
        scenario,
        grid,
        options,
        progress,
        on_demand_cost_usd(scenario),
    )
}

/// [`evaluate`] with true savings measured against `on_demand` (USD). The checkpoint-interval
/// table passes the planned scenario's on-demand cost to every row: a variant's own would
/// include its own checkpoint writes, so a shorter interval would raise its baseline and look
/// like a bigger saving while it costs more.
fn evaluate_against(
    scenario: &Scenario,
    grid: &[f64],
    options: &PlanOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    on_demand: f64,
) -> (Sweep, Vec<PlanPoint>, Option<Recommendation>) {
    evaluate_sharing(scenario, grid, options, progress, on_demand, false).0
}

/// [`evaluate_against`], and with `share_fallback` the fallback's curve read off the same runs
/// when they can be shared ([`curves`]).
#[allow(clippy::type_complexity)]
fn evaluate_sharing(
    scenario: &Scenario,
    grid: &[f64],
    options: &PlanOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    on_demand: f64,
    share_fallback: bool,
) -> (
    (Sweep, Vec<PlanPoint>, Option<Recommendation>),
    Option<Vec<PointAggregate>>,
) {
    let (sweep, aggregates, fallback) = curves(scenario, grid, options, progress, share_fallback);
    let points: Vec<PlanPoint> = grid
        .iter()
        .zip(&aggregates)
        .map(|(&w, a)| {
            PlanPoint::new(
                w,
                a,
                on_demand,
                options.target,
                scenario.job.deadline_seconds,
            )
        })
        .collect();
    let recommendation = points
        .iter()
        .find(|p| p.meets_target)
        .map(|p| recommend(p, on_demand, scenario));
    ((sweep, points, recommendation), fallback)
}

/// The recommendation at `point` of `scenario`: its purchase option, job and checkpoint
/// interval, with the point's numbers.
fn recommend(point: &PlanPoint, on_demand_cost_usd: f64, scenario: &Scenario) -> Recommendation {
    let interval = scenario.checkpoint.policy.interval_seconds();
    Recommendation {
        on_points: true,
        option: scenario.clock.policy_name().to_string(),
        max_runtime_seconds: scenario.job.max_runtime_seconds,
        checkpoint_interval_seconds: interval.is_finite().then_some(interval),
        max_wait_seconds: point.max_wait_seconds,
        p_completed: point.completed.probability,
        p_completed_ci95: point.completed.ci95,
        p_by_deadline: point.completed_by_deadline.map(|o| o.probability),
        p_by_deadline_ci95: point.completed_by_deadline.map(|o| o.ci95),
        cost_mean_usd: point.cost_usd.mean,
        cost_per_completed_job_usd: point.cost_per_completed_job_usd,
        on_demand_cost_usd,
        true_savings_percent: point.true_savings_percent,
        aws_savings_percent: point.aws_savings_percent,
        instance_type: scenario.job.instance_type.clone(),
        instance_count: scenario.job.instance_count,
        checkpoint_s3_uri: scenario.job.checkpoint_s3_uri.clone(),
        deadline_seconds: scenario.job.deadline_seconds,
    }
}

/// The scenario with another checkpoint interval (durable checkpoints need an S3 URI).
pub fn with_checkpoint_interval(scenario: &Scenario, interval_seconds: f64) -> Scenario {
    let mut changed = scenario.clone();
    changed.checkpoint.policy = CheckpointPolicy::Interval { interval_seconds };
    changed
}

/// Plans `scenario`: the curve, the recommendation, advice, the 2-D table and chart data.
///
/// A cancelled plan stops at the next wave boundary of whatever it is running; its partial
/// results are dropped and never returned.
pub fn plan(
    scenario: &Scenario,
    options: &PlanOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Plan, PlanError> {
    check_scenario(scenario, options)?;
    let cancelled = || {
        if options.cancel.requested() {
            Err(PlanError::Cancelled)
        } else {
            Ok(())
        }
    };
    let started = Instant::now();
    if let Some(&bad) = options
        .checkpoint_intervals
        .iter()
        .find(|i| !(**i > 0.0 && i.is_finite()))
    {
        return Err(OptionError::CheckpointInterval(bad).into());
    }
    // The options weigh the fallback: read it off the search's runs when they can be shared.
    let share_fallback = options.objective == Objective::Cost;
    let (grid, (sweep, points, mut recommendation), search, fallback) =
        search::search_grid(scenario, options, progress, share_fallback)?;
    cancelled()?;
    let on_demand = on_demand_cost_usd(scenario);
    let mut option_rows = Vec::new();
    if options.objective == Objective::Cost {
        let intervals: Vec<Option<f64>> = std::iter::once(None)
            .chain(options.checkpoint_intervals.iter().map(|&i| Some(i)))
            .collect();
        let shared = options::Shared {
            own: &points,
            fallback: fallback.as_deref(),
        };
        let evaluated = options::evaluate(scenario, &grid, options, &intervals, shared);
        cancelled()?;
        recommendation = options::cheapest(&evaluated.options).map(|i| {
            let (variant, point) = &evaluated.sources[i];
            let variant = &evaluated.variants[*variant];
            let mut r = recommend(point, on_demand, variant);
            r.on_points = variant.clock.policy_name() == scenario.clock.policy_name()
                && variant.checkpoint.policy == scenario.checkpoint.policy;
            r
        });
        option_rows = evaluated.options;
    }
    let mut levers = Vec::new();
    if recommendation.is_none() && options.advise {
        levers = advice::levers(scenario, options, &points);
    }
    let mut checkpoint_intervals = Vec::new();
    for &interval in &options.checkpoint_intervals {
        cancelled()?;
        let variant = with_checkpoint_interval(scenario, interval);
        let (_, variant_points, variant_recommendation) =
            evaluate_against(&variant, &grid, options, None, on_demand);
        checkpoint_intervals.push(IntervalPlan {
            checkpoint_interval_seconds: interval,
            recommendation: variant_recommendation,
            p_completed_at_cap: variant_points
                .last()
                .map_or(0.0, |p| p.completed.probability),
            p_completed_at_scenario_max_wait: scenario.job.max_wait_seconds.and_then(|w| {
                variant_points
                    .iter()
                    .find(|p| p.max_wait_seconds == w)
                    .map(|p| p.completed.probability)
            }),
            best: false,
        });
    }
    options::mark_best_interval(&mut checkpoint_intervals);
    cancelled()?;
    let (simulation, detail) = if options.detail {
        let w = recommendation
            .as_ref()
            .filter(|r| r.on_points)
            .map_or(grid[grid.len() - 1], |r| r.max_wait_seconds);
        let (summary, detail) = run_at(scenario, w, options);
        (Some(summary), Some(detail))
    } else {
        (None, None)
    };
    cancelled()?;
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    Ok(Plan {
        scenario: scenario.name.clone(),
        trials: options.trials,
        seed: options.seed,
        target: options.target,
        max_runtime_seconds: scenario.job.max_runtime_seconds,
        scenario_max_wait_seconds: scenario.job.max_wait_seconds,
        deadline_seconds: scenario.job.deadline_seconds.map(|d| d as u64),
        sweep,
        on_demand_cost_usd: on_demand,
        on_demand: scenario.on_demand,
        objective: options.objective,
        search_stopped_by: search,
        recommendation,
        options: option_rows,
        advice: levers,
        checkpoint_intervals,
        points,
        simulation,
        market: scenario
            .market
            .as_ref()
            .and_then(|m| m.model.interruption_basis()),
        checkpoint: crate::montecarlo::optimal::CheckpointChoice::of(scenario),
        detail,
        run: RunInfo::measured(started, threads, options.trials * grid.len() as u64),
    })
}

/// The scenario with `MaxWaitTimeInSeconds` set to `max_wait_seconds`.
pub fn with_max_wait(scenario: &Scenario, max_wait_seconds: f64) -> Scenario {
    let mut changed = scenario.clone();
    changed.job.max_wait_seconds = Some(max_wait_seconds);
    changed
}
