//! Running the cells of a suite, and the per-cell statistics a baseline keeps.

use super::manifest::{Cell, Suite};
use crate::engine::{Engine, Outcome, Simulator};
use crate::montecarlo::{Aggregate, Ending, Observers, TrialRow, execute, with_threads};
use crate::stats::{Metric, Z95, wilson_interval};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;

/// The `format` field of every saved result.
pub const RESULTS_FORMAT: &str = "spotsim-bench";
/// The version of the result format this build writes and reads.
pub const RESULTS_VERSION: u32 = 1;

/// Count, probability and 95 % Wilson interval of one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proportion {
    /// Trials with the outcome.
    pub count: u64,
    /// Fraction of the trials.
    pub probability: f64,
    /// 95 % Wilson score interval.
    pub ci95: [f64; 2],
}

impl Proportion {
    fn new(count: u64, trials: u64) -> Self {
        let (low, high) = wilson_interval(count, trials);
        Self {
            count,
            probability: count as f64 / trials.max(1) as f64,
            ci95: [low, high],
        }
    }
}

/// Mean and 95th percentile of a per-trial quantity, with their standard errors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    /// Mean over all trials.
    pub mean: f64,
    /// Sample standard deviation.
    pub std: f64,
    /// Standard error of the mean.
    pub stderr: f64,
    /// 95 % interval of the mean (normal).
    pub ci95: [f64; 2],
    /// 95th percentile (nearest rank, within the sketch's 0.5 %).
    pub p95: f64,
    /// Distribution-free 95 % interval of the 95th percentile: the order statistics at ranks
    /// n·(0.95 ∓ 1.96·√(0.95·0.05/n)).
    pub p95_ci95: [f64; 2],
    /// Standard error of the 95th percentile implied by that interval (its width ÷ 2·1.96).
    pub p95_stderr: f64,
}

impl Quantity {
    fn new(metric: &Metric) -> Self {
        let summary = metric.summary();
        let n = metric.count().max(1) as f64;
        let half = Z95 * (0.95 * 0.05 / n).sqrt();
        let sketch = metric.sketch();
        let low = sketch.quantile((0.95 - half).max(0.0));
        let high = sketch.quantile((0.95 + half).min(1.0));
        Self {
            mean: summary.mean,
            std: summary.std,
            stderr: summary.stderr,
            ci95: [
                summary.mean - Z95 * summary.stderr,
                summary.mean + Z95 * summary.stderr,
            ],
            p95: summary.p95,
            p95_ci95: [low, high],
            p95_stderr: (high - low) / (2.0 * Z95),
        }
    }
}

/// True savings with its delta-method standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Savings {
    /// (1 − cost per completed job ÷ on-demand cost) × 100; null when no trial completed.
    pub percent: Option<f64>,
    /// Standard error (percentage points); null when no trial completed.
    pub stderr: Option<f64>,
    /// 95 % interval; null when no trial completed.
    pub ci95: Option<[f64; 2]>,
}

/// The statistics of one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellResult {
    /// `scenario/policy[/variant]`.
    pub cell: String,
    /// Scenario name in the suite.
    pub scenario: String,
    /// Policy name in the suite.
    pub policy: String,
    /// Variant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Fingerprint of the resolved scenario (trials and seed excluded).
    pub scenario_hash: String,
    /// Trials.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// P(Completed).
    pub completed: Proportion,
    /// P(MaxWaitTimeExceeded).
    pub max_wait_time_exceeded: Proportion,
    /// Wall clock (CreationTime → terminal status), seconds.
    pub wall_clock_seconds: Quantity,
    /// Cost per job, stopped jobs included, USD.
    pub cost_usd: Quantity,
    /// The same job on on-demand, without interruptions, USD.
    pub on_demand_cost_usd: f64,
    /// True savings (README, Semantics).
    pub true_savings: Savings,
}

/// The results of a suite: what `--format json` prints and `--save-baseline` stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteResults {
    /// Always [`RESULTS_FORMAT`].
    pub format: String,
    /// [`RESULTS_VERSION`].
    pub version: u32,
    /// Suite name.
    pub suite: String,
    /// Default trials per cell.
    pub trials: u64,
    /// Seed of every cell.
    pub seed: u64,
    /// One entry per cell, in suite order.
    pub cells: Vec<CellResult>,
}

/// Runs one cell: the suite's trials 0 … n−1 with the suite's seed.
pub fn run_cell(cell: &Cell) -> CellResult {
    run_cell_until(cell, None).unwrap_or_else(|| unreachable!("a run without a flag completes"))
}

/// [`run_cell`], stopping at the next wave boundary once `cancel` is set (`None` then).
fn run_cell_until(cell: &Cell, cancel: Option<&AtomicBool>) -> Option<CellResult> {
    let engine = Engine::new(&cell.scenario).with_seed(cell.seed);
    // Cost of completed trials only: with the cost of all trials it gives the covariance
    // the standard error of true savings needs. Rows arrive in trial order, so this sum is
    // as deterministic as the aggregate.
    let mut completed_cost = 0.0_f64;
    let result = {
        let mut sink = |rows: &[TrialRow]| {
            for row in rows {
                if row.outcome == Outcome::Completed.as_str() {
                    completed_cost += row.cost_usd;
                }
            }
            Ok(())
        };
        let mut observers = Observers {
            per_trial: Some(&mut sink),
            progress: None,
            cancel,
        };
        execute(&engine, 0..cell.trials, None, &mut observers)
    };
    let result = result.ok()?;
    if result.ending == Ending::Cancelled {
        return None;
    }
    let on_demand = engine.on_demand_cost_usd(cell.scenario.pricing.on_demand_per_hour);
    Some(summarise(
        cell,
        &result.aggregate,
        completed_cost,
        on_demand,
    ))
}

fn summarise(
    cell: &Cell,
    aggregate: &Aggregate,
    completed_cost: f64,
    on_demand: f64,
) -> CellResult {
    let n = aggregate.trials;
    let completed = aggregate.count(Outcome::Completed);
    let cost = aggregate.cost_usd.summary();
    CellResult {
        cell: cell.id.clone(),
        scenario: cell.scenario_name.clone(),
        policy: cell.policy.clone(),
        variant: cell.variant.clone(),
        scenario_hash: cell.scenario_hash.clone(),
        trials: n,
        seed: cell.seed,
        completed: Proportion::new(completed, n),
        max_wait_time_exceeded: Proportion::new(aggregate.count(Outcome::MaxWaitTimeExceeded), n),
        wall_clock_seconds: Quantity::new(&aggregate.wall_clock_seconds),
        cost_usd: Quantity::new(&aggregate.cost_usd),
        on_demand_cost_usd: on_demand,
        true_savings: true_savings(n, completed, cost.mean, cost.std, completed_cost, on_demand),
    }
}

/// True savings S = 100·(1 − R/D) with R = mean cost ÷ P(Completed), a ratio of two means
/// over the same trials (cost c and completion indicator b). Delta method:
/// Var(R) ≈ Var(c − R·b) / (n·p²), Var(c − R·b) = Var c − 2R·Cov(c, b) + R²·p(1 − p), where
/// Cov(c, b) = E[c·b] − E[c]·p and E[c·b] = (cost of completed trials) ÷ n.
pub fn true_savings(
    trials: u64,
    completed: u64,
    mean_cost: f64,
    std_cost: f64,
    completed_cost: f64,
    on_demand: f64,
) -> Savings {
    if completed == 0 || trials == 0 || on_demand <= 0.0 {
        return Savings {
            percent: None,
            stderr: None,
            ci95: None,
        };
    }
    let n = trials as f64;
    let p = completed as f64 / n;
    let ratio = mean_cost / p;
    let covariance = completed_cost / n - mean_cost * p;
    let variance =
        (std_cost * std_cost - 2.0 * ratio * covariance + ratio * ratio * p * (1.0 - p)).max(0.0);
    let ratio_stderr = (variance / n).sqrt() / p;
    let percent = (1.0 - ratio / on_demand) * 100.0;
    let stderr = 100.0 * ratio_stderr / on_demand;
    Savings {
        percent: Some(percent),
        stderr: Some(stderr),
        ci95: Some([percent - Z95 * stderr, percent + Z95 * stderr]),
    }
}

/// Runs every cell of `suite` (cells in parallel, each cell's blocks in parallel) on
/// `threads` threads. The results do not depend on the thread count.
pub fn run_suite(suite: &Suite, threads: Option<usize>) -> SuiteResults {
    run_suite_until(suite, threads, &AtomicBool::new(false))
        .unwrap_or_else(|| unreachable!("a flag nobody sets never stops the suite"))
}

/// [`run_suite`], stopping every cell at its next wave boundary once `cancel` is set (e.g. by
/// a signal); `None` then.
pub fn run_suite_until(
    suite: &Suite,
    threads: Option<usize>,
    cancel: &AtomicBool,
) -> Option<SuiteResults> {
    let cells = with_threads(threads, || {
        suite
            .cells
            .par_iter()
            .map(|cell| run_cell_until(cell, Some(cancel)))
            .collect::<Option<Vec<_>>>()
    })?;
    Some(SuiteResults {
        format: RESULTS_FORMAT.to_string(),
        version: RESULTS_VERSION,
        suite: suite.name.clone(),
        trials: suite.trials,
        seed: suite.seed,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn savings_stderr_matches_a_constant_cost() {
        // Every trial costs $10; half complete: R = 20, Var(c − R·b) = R²·p(1 − p) − 2R·Cov,
        // Cov = 10·0.5 − 10·0.5 = 0 → Var = 400·0.25 = 100, SE(R) = sqrt(100/n)/0.5.
        let s = true_savings(100, 50, 10.0, 0.0, 500.0, 40.0);
        assert_eq!(s.percent, Some(50.0));
        let expected = 100.0 * (100.0f64 / 100.0).sqrt() / 0.5 / 40.0;
        assert!((s.stderr.unwrap() - expected).abs() < 1e-12);
        assert_eq!(true_savings(10, 0, 1.0, 0.0, 0.0, 2.0).percent, None);
    }
}
