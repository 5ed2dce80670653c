//! Comparing a run with a baseline: a metric regresses when it is worse beyond statistical
//! noise *and* beyond a practical floor.
//!
//! **Test.** For a mean (wall clock, cost, true savings) the statistic is
//! z = (current − baseline) / √(SE_b² + SE_c²); for a probability the two-proportion z with the
//! pooled proportion, z = (p_c − p_b) / √(p̄(1 − p̄)(1/n_b + 1/n_c)). The difference is
//! significant when |z| exceeds the two-sided critical value of `[thresholds] confidence`
//! (2.576 at 99 %).
//!
//! **Common random numbers.** Both runs use the same seed and trial indices, so their per-trial
//! values are positively correlated and Var(X̄_c − X̄_b) = (σ_b² + σ_c² − 2·Cov)/n is *smaller*
//! than the pooled variance used above. A baseline keeps only summaries, not the per-trial
//! pairs, so the covariance cannot be estimated; the test ignores it and is therefore
//! conservative: it flags fewer changes than a paired test would, never more. Common random
//! numbers still pay off twice: an unchanged policy reproduces the baseline bit for bit (a
//! difference of exactly zero), and the differences between policies inside one run are
//! differences on the same trials.
//!
//! **95th percentiles.** The standard error comes from the distribution-free order-statistic
//! interval (ranks n·(0.95 ∓ 1.96·√(0.95·0.05/n)), read off the quantile sketch — no
//! bootstrap), and the same z rule applies; the larger default floor (2 %) covers the sketch's
//! 0.5 % relative accuracy on both sides.
//!
//! **Floors.** A significant difference must also exceed `mean_relative_floor` × |baseline|
//! (means), `p95_relative_floor` × |baseline| (p95), `probability_floor` (absolute) or
//! `savings_floor` (percentage points), so that huge trial counts do not flag irrelevant
//! changes.

use super::manifest::Thresholds;
use super::results::{
    CellResult, Proportion, Quantity, RESULTS_FORMAT, RESULTS_VERSION, SuiteResults,
};
use crate::error::InputError;
use crate::files::input::{InputKind, read_text};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};
use std::path::Path;

/// The outcome of comparing one metric of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Within noise or within the floor.
    Unchanged,
    /// Better beyond noise and floor.
    Improved,
    /// Worse beyond noise and floor.
    Regressed,
}

impl Verdict {
    /// The word printed in diff tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::Improved => "IMPROVED",
            Verdict::Regressed => "REGRESSED",
        }
    }
}

/// Units of a compared metric (for display).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A probability in [0, 1].
    Probability,
    /// Seconds.
    Seconds,
    /// US dollars.
    Usd,
    /// Percent.
    Percent,
}

/// One metric of one cell, compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricDiff {
    /// The cell.
    pub cell: String,
    /// The metric (`p_completed`, `p_max_wait_exceeded`, `wall_clock_mean_seconds`, …).
    pub metric: &'static str,
    /// Unit of the values.
    pub unit: Unit,
    /// Baseline value (null when undefined, e.g. savings without completions).
    pub baseline: Option<f64>,
    /// Current value.
    pub current: Option<f64>,
    /// current − baseline.
    pub change: Option<f64>,
    /// The test statistic (null when undefined).
    pub z: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
}

/// A whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The baseline file.
    pub baseline_file: String,
    /// Critical |z| used.
    pub critical_z: f64,
    /// The thresholds used.
    pub thresholds: Thresholds,
    /// Cells whose resolved scenario differs from the baseline's (a changed scenario, not
    /// only a changed policy implementation).
    pub changed_scenarios: Vec<String>,
    /// Every metric of every cell.
    pub rows: Vec<MetricDiff>,
}

impl Comparison {
    /// Rows that regressed.
    pub fn regressions(&self) -> impl Iterator<Item = &MetricDiff> {
        self.rows.iter().filter(|r| r.verdict == Verdict::Regressed)
    }

    /// Rows that improved.
    pub fn improvements(&self) -> impl Iterator<Item = &MetricDiff> {
        self.rows.iter().filter(|r| r.verdict == Verdict::Improved)
    }
}

/// Reads a saved result (baseline); malformed files are input errors (exit 2).
pub fn read_baseline(path: &Path) -> Result<SuiteResults, InputError> {
    let file = path.display().to_string();
    let text = read_text(path, InputKind::Baseline, &file, "baseline")?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        InputError::new(
            &file,
            format!("not a spotsim bench baseline (invalid JSON: {e})"),
        )
        .at_line(Some(e.line()))
    })?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(RESULTS_FORMAT) => {}
        other => {
            return Err(InputError::new(
                &file,
                format!(
                    "not a spotsim bench baseline: expected \"format\": \"{RESULTS_FORMAT}\", found {}",
                    other.map_or("none".to_string(), |f| format!("\"{f}\""))
                ),
            )
            .at_key("format"));
        }
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(RESULTS_VERSION) => {}
        other => {
            return Err(InputError::new(
                &file,
                format!(
                    "baseline version {} is not supported (this spotsim reads version {RESULTS_VERSION}); re-save it with --save-baseline",
                    other.map_or("none".to_string(), |v| v.to_string())
                ),
            )
            .at_key("version"));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| InputError::new(&file, format!("malformed baseline: {e}")))
}

/// Checks that `baseline` is a baseline of the same suite set-up: the same cells, seeds and
/// trials. Anything else makes the comparison meaningless (exit 2).
pub fn check_compatible(
    baseline_file: &str,
    baseline: &SuiteResults,
    cells: &[(String, u64, u64)],
) -> Result<(), InputError> {
    let mut problems = Vec::new();
    for (id, trials, seed) in cells {
        match baseline.cells.iter().find(|c| &c.cell == id) {
            None => problems.push(format!("cell \"{id}\" is not in the baseline")),
            Some(b) => {
                if b.seed != *seed {
                    problems.push(format!(
                        "cell \"{id}\": seed {seed} now, {} in the baseline",
                        b.seed
                    ));
                }
                if b.trials != *trials {
                    problems.push(format!(
                        "cell \"{id}\": {trials} trials now, {} in the baseline",
                        b.trials
                    ));
                }
            }
        }
    }
    for b in &baseline.cells {
        if !cells.iter().any(|(id, _, _)| id == &b.cell) {
            problems.push(format!(
                "cell \"{}\" of the baseline is not in the suite",
                b.cell
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(InputError::new(
            baseline_file,
            format!(
                "the baseline does not match the suite ({}); compare like with like, or re-save the baseline with --save-baseline",
                problems.join("; ")
            ),
        ))
    }
}

/// The two-sided critical value of the standard normal at `confidence`.
pub fn critical_z(confidence: f64) -> f64 {
    Normal::standard().inverse_cdf(1.0 - (1.0 - confidence) / 2.0)
}

struct Test {
    higher_is_better: bool,
    floor: f64,
    critical: f64,
}

impl Test {
    fn verdict(&self, baseline: f64, current: f64, stderr: f64) -> (Option<f64>, Verdict) {
        let change = current - baseline;
        let z = if stderr > 0.0 {
            Some(change / stderr)
        } else {
            None
        };
        let significant = match z {
            Some(z) => z.abs() > self.critical,
            None => change != 0.0,
        };
        if !significant || change.abs() <= self.floor {
            return (z, Verdict::Unchanged);
        }
        let better = (change > 0.0) == self.higher_is_better;
        (
            z,
            if better {
                Verdict::Improved
            } else {
                Verdict::Regressed
            },
        )
    }

    /// The row of `metric` of `cell`: baseline, current, change and this test's verdict.
    fn diff(
        &self,
        cell: &str,
        metric: &'static str,
        unit: Unit,
        (baseline, current): (f64, f64),
        stderr: f64,
    ) -> MetricDiff {
        let (z, verdict) = self.verdict(baseline, current, stderr);
        MetricDiff {
            cell: cell.to_string(),
            metric,
            unit,
            baseline: Some(baseline),
            current: Some(current),
            change: Some(current - baseline),
            z,
            verdict,
        }
    }
}

fn proportion_row(
    cell: &str,
    metric: &'static str,
    b: &Proportion,
    nb: u64,
    c: &Proportion,
    nc: u64,
    test: &Test,
) -> MetricDiff {
    let pooled = (b.count + c.count) as f64 / (nb + nc).max(1) as f64;
    let stderr =
        (pooled * (1.0 - pooled) * (1.0 / nb.max(1) as f64 + 1.0 / nc.max(1) as f64)).sqrt();
    test.diff(
        cell,
        metric,
        Unit::Probability,
        (b.probability, c.probability),
        stderr,
    )
}

fn quantity_rows(
    cell: &str,
    names: [&'static str; 2],
    unit: Unit,
    b: &Quantity,
    c: &Quantity,
    thresholds: &Thresholds,
    critical: f64,
) -> [MetricDiff; 2] {
    let mean = Test {
        higher_is_better: false,
        floor: thresholds.mean_relative_floor * b.mean.abs(),
        critical,
    }
    .diff(
        cell,
        names[0],
        unit,
        (b.mean, c.mean),
        b.stderr.hypot(c.stderr),
    );
    let p95 = Test {
        higher_is_better: false,
        floor: thresholds.p95_relative_floor * b.p95.abs(),
        critical,
    }
    .diff(
        cell,
        names[1],
        unit,
        (b.p95, c.p95),
        b.p95_stderr.hypot(c.p95_stderr),
    );
    [mean, p95]
}

fn savings_row(
    b: &CellResult,
    c: &CellResult,
    thresholds: &Thresholds,
    critical: f64,
) -> MetricDiff {
    let (baseline, current) = (b.true_savings.percent, c.true_savings.percent);
    let (z, verdict) = match (baseline, current) {
        (Some(bv), Some(cv)) => {
            let stderr = b
                .true_savings
                .stderr
                .unwrap_or(0.0)
                .hypot(c.true_savings.stderr.unwrap_or(0.0));
            Test {
                higher_is_better: true,
                floor: thresholds.savings_floor,
                critical,
            }
            .verdict(bv, cv, stderr)
        }
        (None, None) => (None, Verdict::Unchanged),
        // No job completes any more (savings undefined): that is worse; the reverse better.
        (Some(_), None) => (None, Verdict::Regressed),
        (None, Some(_)) => (None, Verdict::Improved),
    };
    MetricDiff {
        cell: c.cell.clone(),
        metric: "true_savings_percent",
        unit: Unit::Percent,
        baseline,
        current,
        change: baseline.zip(current).map(|(b, c)| c - b),
        z,
        verdict,
    }
}

/// Compares every metric of every cell of `current` with `baseline` (which must have passed
/// [`check_compatible`]).
pub fn compare(
    baseline_file: &str,
    baseline: &SuiteResults,
    current: &SuiteResults,
    thresholds: &Thresholds,
) -> Comparison {
    let critical = critical_z(thresholds.confidence);
    let mut rows = Vec::new();
    let mut changed_scenarios = Vec::new();
    for c in &current.cells {
        let Some(b) = baseline.cells.iter().find(|b| b.cell == c.cell) else {
            continue;
        };
        if b.scenario_hash != c.scenario_hash {
            changed_scenarios.push(c.cell.clone());
        }
        let probability_test = |higher_is_better| Test {
            higher_is_better,
            floor: thresholds.probability_floor,
            critical,
        };
        rows.push(proportion_row(
            &c.cell,
            "p_completed",
            &b.completed,
            b.trials,
            &c.completed,
            c.trials,
            &probability_test(true),
        ));
        rows.push(proportion_row(
            &c.cell,
            "p_max_wait_exceeded",
            &b.max_wait_time_exceeded,
            b.trials,
            &c.max_wait_time_exceeded,
            c.trials,
            &probability_test(false),
        ));
        rows.extend(quantity_rows(
            &c.cell,
            ["wall_clock_mean_seconds", "wall_clock_p95_seconds"],
            Unit::Seconds,
            &b.wall_clock_seconds,
            &c.wall_clock_seconds,
            thresholds,
            critical,
        ));
        rows.extend(quantity_rows(
            &c.cell,
            ["cost_mean_usd", "cost_p95_usd"],
            Unit::Usd,
            &b.cost_usd,
            &c.cost_usd,
            thresholds,
            critical,
        ));
        rows.push(savings_row(b, c, thresholds, critical));
    }
    Comparison {
        baseline_file: baseline_file.to_string(),
        critical_z: critical,
        thresholds: *thresholds,
        changed_scenarios,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_value_at_99_percent() {
        assert!((critical_z(0.99) - 2.575_829).abs() < 1e-5);
    }

    #[test]
    fn verdict_needs_noise_and_floor() {
        let test = Test {
            higher_is_better: false,
            floor: 1.0,
            critical: 2.576,
        };
        // Significant but within the floor.
        assert_eq!(test.verdict(100.0, 100.5, 0.01).1, Verdict::Unchanged);
        // Beyond the floor but within noise.
        assert_eq!(test.verdict(100.0, 105.0, 3.0).1, Verdict::Unchanged);
        // Both: worse (higher cost) and better.
        assert_eq!(test.verdict(100.0, 105.0, 1.0).1, Verdict::Regressed);
        assert_eq!(test.verdict(100.0, 95.0, 1.0).1, Verdict::Improved);
        // No noise at all: any difference beyond the floor counts.
        assert_eq!(test.verdict(100.0, 102.0, 0.0).1, Verdict::Regressed);
        assert_eq!(test.verdict(100.0, 100.0, 0.0).1, Verdict::Unchanged);
    }
}
