//! A direct run at the recommended MaxWait, for the charts: its summary, exact aggregate and a
//! few sample trials' timelines.

use super::{PlanDetail, PlanOptions, TIMELINE_TRIALS, with_max_wait};
use crate::engine::{Engine, Outcome, Simulator, Timeline, TrialOutcome};
use crate::montecarlo::{Observers, RunInfo, SimulationSummary, execute, with_threads};
use crate::scenario::Scenario;
use std::time::Instant;

/// A direct run of the scenario at `max_wait_seconds`: its summary and the chart data.
pub fn run_at(
    scenario: &Scenario,
    max_wait_seconds: f64,
    options: &PlanOptions,
) -> (SimulationSummary, PlanDetail) {
    let started = Instant::now();
    let at = with_max_wait(scenario, max_wait_seconds);
    let engine = Engine::new(&at).with_seed(options.seed);
    let aggregate = with_threads(options.threads, || {
        let mut observers = Observers {
            cancel: options.cancel.flag(),
            ..Observers::default()
        };
        execute(&engine, 0..options.trials, None, &mut observers)
            .map(|r| r.aggregate)
            .unwrap_or_default()
    });
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    let summary = SimulationSummary::new(
        &at,
        &engine,
        options.seed,
        &aggregate,
        RunInfo::measured(started, threads, aggregate.trials),
    );
    let timelines = sample_timelines(&engine, options.trials);
    (
        summary,
        PlanDetail {
            max_wait_seconds,
            aggregate,
            timelines,
        },
    )
}

/// A few trials for the Gantt chart: the first ones, plus the first stopped one (if any of
/// the first thousand was stopped) so the chart shows how a job ends at MaxWait. A trial whose
/// timeline exceeds [`crate::engine::timeline::MAX_RECORDED_TRANSITIONS`] is left out (its
/// bars would be thinner than a pixel anyway).
pub fn sample_timelines(
    engine: &impl Simulator,
    trials: u64,
) -> Vec<(u64, TrialOutcome, Timeline)> {
    let mut chosen: Vec<u64> = (0..trials.min(TIMELINE_TRIALS as u64 - 1)).collect();
    if let Some(stopped) = (0..trials.min(1000))
        .find(|&k| engine.run(k).outcome != Outcome::Completed && !chosen.contains(&k))
    {
        chosen.push(stopped);
    } else if trials > chosen.len() as u64 {
        chosen.push(chosen.len() as u64);
    }
    chosen
        .into_iter()
        .filter_map(|k| {
            let (outcome, timeline) = crate::engine::timeline::record(engine, k).ok()?;
            Some((k, outcome, timeline))
        })
        .collect()
}
