//! How long a plan runs, in whole-trial runs of its scenario: the long-run check's estimate
//! (`spotsim plan` refuses a plan estimated past an hour unless `--yes` is given).

use super::options::{self, Objective};
use super::{PlanOptions, Sweep, with_checkpoint_interval};
use crate::engine::{Engine, Simulator};
use crate::scenario::Scenario;

/// Whole-trial runs of `scenario` that one curve over `points` MaxWait values makes per trial:
/// one when every point is read off one run to the grid's cap. A spot-then-on-demand job's
/// fallback, rebuilt from that run, adds [`REBUILD_RUNS_PER_POINT`] per point; forced
/// (`rerun_each_point`) or not rebuildable, every point runs the trial again.
pub fn curve_runs_per_trial(scenario: &Scenario, rerun_each_point: bool, points: usize) -> f64 {
    let engine = Engine::new(scenario);
    if !engine.path_depends_on_max_wait() && !rerun_each_point {
        return 1.0;
    }
    if !rerun_each_point && engine.rebuilds_fallbacks() {
        return 1.0 + points as f64 * REBUILD_RUNS_PER_POINT;
    }
    points as f64
}

/// What rebuilding a spot-then-on-demand fallback at one MaxWait adds to a curve, in runs: an
/// upper estimate. Measured, the fallback scenario's curve over the default grid (113 points,
/// 4 million trials, two threads) took 0.57–0.59 s, against 0.55 s for the managed-spot curve
/// read off one run and 0.46–0.48 s for one run (`simulate`): about 0.0003 of a run per point,
/// a thirtieth of this, which leaves room for markets where more trials fall back.
pub const REBUILD_RUNS_PER_POINT: f64 = 0.01;

/// Whole-trial runs of `scenario` that [`plan`](super::plan) makes per trial over `points`
/// MaxWait values, as a rough upper estimate for the long-run check: the scenario's curve
/// ([`curve_runs_per_trial`]); with the cost objective, every purchase option at the
/// scenario's checkpoint interval and at each of `checkpoint_intervals` (the option that is the
/// scenario itself at its own interval is read off its curve; on-demand is one point); the
/// curve of each checkpoint interval; and the detail run. A variant's runs count in trials of
/// the scenario's length ([`Simulator::attempts_per_trial_estimate`]): an on-demand trial is
/// one attempt. Levers (evaluated only when no grid point meets the target) are not counted;
/// a spot-then-on-demand curve read off the scenario's own run counts as a curve of its own.
pub fn runs_per_trial(scenario: &Scenario, options: &PlanOptions, points: usize) -> f64 {
    let rerun = options.sweep == Some(Sweep::RerunEachPoint);
    let length = |s: &Scenario| Engine::new(s).attempts_per_trial_estimate().max(1.0);
    let scale = length(scenario);
    let curve = |s: &Scenario, n: usize| curve_runs_per_trial(s, rerun, n) * length(s) / scale;
    let intervals: Vec<Scenario> = options
        .checkpoint_intervals
        .iter()
        .map(|&i| with_checkpoint_interval(scenario, i))
        .collect();
    let mut runs = curve(scenario, points);
    if options.objective == Objective::Cost {
        for (own, base) in
            std::iter::once((true, scenario)).chain(intervals.iter().map(|s| (false, s)))
        {
            for option in options::PURCHASE_OPTIONS {
                if own && options::is_own_option(scenario, option) {
                    continue;
                }
                let n = if option == "on-demand" { 1 } else { points };
                runs += curve(&options::with_purchase_option(base, option), n);
            }
        }
    }
    runs += intervals.iter().map(|s| curve(s, points)).sum::<f64>();
    if options.detail {
        runs += 1.0;
    }
    runs
}
