//! The MaxWait search: the grid asked for, extended past a default cap while no MaxWait
//! reaches the target ([`SearchStop`] says why it ended), so that no answer hides just beyond.

use super::{
    PlanError, PlanOptions, PlanPoint, PointAggregate, Recommendation, SearchStop, Sweep,
    build_grid, evaluate_sharing, grid, on_demand_cost_usd,
};
use crate::scenario::Scenario;

/// Points of the grid asked for, extended (cap × 4 each round, see [`SearchStop`]) while no
/// MaxWait reaches the target and a longer MaxWait could change a trial. With
/// `share_fallback`, also the fallback's curve over the final grid when it can be read off the
/// same runs ([`super::curves`]).
#[allow(clippy::type_complexity)]
pub(super) fn search_grid(
    scenario: &Scenario,
    options: &PlanOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    share_fallback: bool,
) -> Result<
    (
        Vec<f64>,
        (Sweep, Vec<PlanPoint>, Option<Recommendation>),
        SearchStop,
        Option<Vec<PointAggregate>>,
    ),
    PlanError,
> {
    let mut spec = options.grid;
    let mut grid = build_grid(scenario, &spec)?;
    let on_demand = on_demand_cost_usd(scenario);
    loop {
        let (evaluated, fallback) = evaluate_sharing(
            scenario,
            &grid,
            options,
            progress,
            on_demand,
            share_fallback,
        );
        let cap = grid[grid.len() - 1];
        let stop = if evaluated.2.is_some() {
            Some(SearchStop::TargetMet)
        } else if options.grid.cap_seconds.is_some() {
            Some(SearchStop::Cap)
        } else if evaluated
            .1
            .last()
            .is_some_and(|p| p.max_wait_time_exceeded.count == 0)
        {
            Some(SearchStop::EveryTrialEnded)
        } else if cap >= crate::scenario::MAX_WAIT_LIMIT_SECONDS || options.cancel.requested() {
            Some(SearchStop::MaxWaitLimit)
        } else {
            None
        };
        if let Some(stop) = stop {
            return Ok((grid, evaluated, stop, fallback));
        }
        spec.cap_seconds = Some(grid::extended_cap_seconds(cap));
        match build_grid(scenario, &spec) {
            Ok(longer) => grid = longer,
            Err(_) => return Ok((grid, evaluated, SearchStop::GridPoints, fallback)),
        }
    }
}
