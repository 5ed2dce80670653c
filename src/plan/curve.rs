//! The curve of one scenario over a grid: its engine at the grid's cap, how to sweep it
//! ([`super::sweep`]), and — for a managed-spot scenario whose purchase options are weighed —
//! the spot-then-on-demand curve read off the same runs.

use super::sweep::{self, PointAggregate, Sweep};
use super::{PlanOptions, options, path_depends_on_max_wait};
use crate::engine::{Engine, Simulator};
use crate::market::price::SpotPrice;
use crate::scenario::Scenario;

/// The curve of `scenario` over `grid` (no recommendation, no detail).
pub fn curve(
    scenario: &Scenario,
    grid: &[f64],
    options: &PlanOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> (Sweep, Vec<PointAggregate>) {
    let (sweep, points, _) = curves(scenario, grid, options, progress, false);
    (sweep, points)
}

/// [`curve`], and with `share_fallback`, when `scenario` is managed spot, the curve of the same
/// job bought as spot-then-on-demand, read off the same runs (see [`sweep::SweepSetup`]'s
/// `fallback`); `None` when they cannot be shared.
pub(super) fn curves(
    scenario: &Scenario,
    grid: &[f64],
    options: &PlanOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    share_fallback: bool,
) -> (Sweep, Vec<PointAggregate>, Option<Vec<PointAggregate>>) {
    let sweep = options
        .sweep
        .unwrap_or(if path_depends_on_max_wait(scenario) {
            Sweep::RerunEachPoint
        } else {
            Sweep::Truncate
        });
    let engine = cap_engine(scenario, grid, options);
    let fallback_scenario = (share_fallback
        && options.sweep.is_none()
        && sweep == Sweep::Truncate
        && options::is_own_option(scenario, "managed-spot"))
    .then(|| options::with_purchase_option(scenario, "spot-then-on-demand"));
    let fallback_engine = fallback_scenario
        .as_ref()
        .map(|s| cap_engine(s, grid, options))
        .filter(Simulator::on_demand_after_truncated_spot);
    let fallback = fallback_scenario
        .as_ref()
        .zip(fallback_engine.as_ref())
        .map(|(s, e)| sweep_setup(s, e, grid, options, Sweep::RerunEachPoint));
    let setup = sweep::SweepSetup {
        fallback: fallback.as_ref(),
        ..sweep_setup(scenario, &engine, grid, options, sweep)
    };
    let (points, fallback) = setup.run(options.trials, options.threads, progress);
    (sweep, points, fallback)
}

/// The engine of `scenario` with the options' seed and MaxWait = the grid's cap.
fn cap_engine(scenario: &Scenario, grid: &[f64], options: &PlanOptions) -> Engine {
    let cap = grid
        .last()
        .copied()
        .unwrap_or(scenario.job.max_runtime_seconds);
    Engine::new(scenario)
        .with_seed(options.seed)
        .with_max_wait(cap)
}

/// How to sweep `scenario` over `grid` with `engine` (its [`cap_engine`]).
fn sweep_setup<'a>(
    scenario: &Scenario,
    engine: &'a Engine,
    grid: &'a [f64],
    options: &PlanOptions,
    sweep: Sweep,
) -> sweep::SweepSetup<'a, Engine> {
    let constant_price_per_hour = match &scenario.pricing.spot {
        SpotPrice::Constant(price) => Some(*price),
        SpotPrice::Steps(_) => None,
    };
    let point_engines =
        (sweep == Sweep::RerunEachPoint || constant_price_per_hour.is_none()).then(|| {
            grid.iter()
                .map(|&w| engine.clone().with_max_wait(w))
                .collect()
        });
    sweep::SweepSetup {
        engine,
        point_engines,
        grid,
        constant_price_per_hour,
        on_demand_per_hour: scenario.pricing.on_demand_per_hour,
        sweep,
        // A forced re-run (`--rerun-each-point`) runs every point on its own, as a cross-check.
        read_fallback: options.sweep.is_none() && engine.on_demand_after_truncated_spot(),
        cancel: options.cancel,
        deadline_seconds: scenario.job.deadline_seconds,
        fallback: None,
    }
}
