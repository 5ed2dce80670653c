//! The spot-then-on-demand option read off one spot run per trial equals re-running every
//! switch time on its own, bit for bit, on scenarios that reach every branch of the fallback:
//! a deadline, waits for on-demand capacity, `InternalServerError`s with a RetryStrategy, no
//! durable checkpoints, an emergency checkpoint on notice, a Weibull market, stepped prices.

use crate::common::load;
use spotsim::Scenario;
use spotsim::engine::Outcome;
use spotsim::plan::options::with_purchase_option;
use spotsim::plan::{self, GridSpec, PlanOptions, PointAggregate, Sweep, build_grid};
use spotsim::policy::OnNotice;

/// Every field of a point, written so that equal strings are equal bits: counts, the exact
/// moments with `{:?}` (shortest round-trip digits) and the quantile sketch in its canonical
/// serialised form (its buckets without the leading and trailing empty ones that merging
/// leaves in memory, which depend on the order trials were added).
fn fields(point: &PointAggregate) -> String {
    format!(
        "trials {} outcomes {:?} by deadline {} cost {:?} {} savings {:?}",
        point.trials,
        point.outcome_counts,
        point.completed_by_deadline,
        point.cost_usd.moments(),
        serde_json::to_string(point.cost_usd.sketch()).expect("a sketch serialises"),
        point.aws_savings_percent,
    )
}

/// The fallback curve of `scenario` over its default grid (`points` of them), read off and
/// re-run, each point's every field ([`fields`]).
fn read_and_rerun(scenario: &Scenario, trials: u64, points: usize) -> (Vec<String>, Vec<String>) {
    let variant = with_purchase_option(scenario, "spot-then-on-demand");
    assert!(plan::path_depends_on_max_wait(&variant));
    let grid_spec = GridSpec {
        points: Some(points),
        ..GridSpec::default()
    };
    let grid = build_grid(&variant, &grid_spec).expect("the default grid builds");
    let options = PlanOptions {
        trials,
        grid: grid_spec,
        ..PlanOptions::from_scenario(&variant)
    };
    let (read_sweep, read) = plan::curve(&variant, &grid, &options, None);
    let forced = PlanOptions {
        sweep: Some(Sweep::RerunEachPoint),
        ..options
    };
    let (rerun_sweep, rerun) = plan::curve(&variant, &grid, &forced, None);
    // The plan reports the same sweep either way: every switch time is its own job.
    assert_eq!(read_sweep, Sweep::RerunEachPoint);
    assert_eq!(rerun_sweep, Sweep::RerunEachPoint);
    assert_eq!(read.len(), grid.len());
    // The fallback matters: some trials are stopped at the first switch time and not at the
    // last, so the first point differs from the cap.
    assert_ne!(fields(&read[0]), fields(&read[grid.len() - 1]));
    let strings = |points: &[PointAggregate]| points.iter().map(fields).collect();
    (strings(&read), strings(&rerun))
}

fn assert_identical(name: &str, scenario: &Scenario, trials: u64, points: usize) {
    let (read, rerun) = read_and_rerun(scenario, trials, points);
    for (i, (r, e)) in read.iter().zip(&rerun).enumerate() {
        assert_eq!(r, e, "{name}: point {i} read off ≠ re-run");
    }
}

#[test]
fn the_default_fallback_read_off_equals_rerunning_every_switch_time() {
    assert_identical("default", &Scenario::embedded_default(), 4000, 40);
}

#[test]
fn a_deadline_and_on_demand_capacity_waits_read_off_exactly() {
    let mut scenario = Scenario::embedded_default();
    scenario.job.deadline_seconds = Some(31.0 * 3600.0);
    scenario.on_demand.mean_capacity_wait_seconds = Some(1800.0);
    let (read, _) = read_and_rerun(&scenario, 10, 3);
    assert!(!read[0].contains("by deadline 0 "));
    assert_identical("deadline + on-demand wait", &scenario, 3000, 30);
}

#[test]
fn internal_errors_with_retries_read_off_exactly() {
    let mut scenario = Scenario::embedded_default();
    scenario.job.internal_error_rate = 0.05;
    scenario.job.max_retry_attempts = 1;
    // Some trials fail (retries exhausted): the branch is reached.
    let variant = with_purchase_option(&scenario, "spot-then-on-demand");
    let grid = build_grid(&variant, &GridSpec::default()).unwrap();
    let (_, read) = plan::curve(
        &variant,
        &grid,
        &PlanOptions {
            trials: 2000,
            ..PlanOptions::from_scenario(&variant)
        },
        None,
    );
    assert!(read[grid.len() - 1].count(Outcome::Failed) > 0);
    assert_identical("internal errors", &scenario, 3000, 30);
}

#[test]
fn no_durable_checkpoints_and_emergency_checkpoints_read_off_exactly() {
    let mut emergency = Scenario::embedded_default();
    emergency.checkpoint.on_notice = OnNotice::Checkpoint;
    assert_identical("emergency checkpoint", &emergency, 3000, 30);
    let mut not_durable = Scenario::embedded_default();
    not_durable.job.checkpoint_s3_uri = None;
    assert_identical("no checkpoint_s3_uri", &not_durable, 2000, 30);
}

#[test]
fn a_weibull_market_and_stepped_prices_read_off_exactly() {
    let mut weibull = load("weibull-gpu.toml");
    weibull.checkpoint.on_notice = OnNotice::Checkpoint;
    assert_identical("weibull", &weibull, 3000, 30);
    let stepped = load("replay-aws-p3-us-west-2a.toml");
    assert!(matches!(
        stepped.pricing.spot,
        spotsim::market::price::SpotPrice::Steps(_)
    ));
    assert_identical("stepped prices", &stepped, 400, 15);
}

/// The long-run check counts what a curve runs: one run per trial when every point is read off
/// it, the fallback rebuilt from that run included (a little more per point); a run per point
/// when the points are forced to re-run or the fallback cannot be rebuilt (stepped prices,
/// `InternalServerError`s).
#[test]
fn the_long_run_estimate_counts_the_runs_a_curve_makes() {
    let managed = Scenario::embedded_default();
    assert_eq!(plan::curve_runs_per_trial(&managed, false, 113), 1.0);
    assert_eq!(plan::curve_runs_per_trial(&managed, true, 113), 113.0);
    let fallback = with_purchase_option(&managed, "spot-then-on-demand");
    let rebuilt = plan::curve_runs_per_trial(&fallback, false, 113);
    assert!(rebuilt > 1.0 && rebuilt < 3.0, "{rebuilt}");
    assert_eq!(plan::curve_runs_per_trial(&fallback, true, 113), 113.0);
    let mut errors = fallback.clone();
    errors.job.internal_error_rate = 0.05;
    assert_eq!(plan::curve_runs_per_trial(&errors, false, 113), 113.0);
    let stepped = with_purchase_option(
        &load("replay-aws-p3-us-west-2a.toml"),
        "spot-then-on-demand",
    );
    assert_eq!(plan::curve_runs_per_trial(&stepped, false, 40), 40.0);
}

/// A whole plan runs more than its curve: with the cost objective, the purchase options the
/// curve does not give (each at least one more run of an on-demand job), each checkpoint
/// interval's options and curve (every interval alike), and the detail run (one run).
#[test]
fn the_long_run_estimate_counts_every_curve_of_a_plan() {
    use spotsim::Simulator;
    let managed = Scenario::embedded_default();
    let mut options = plan::PlanOptions::from_scenario(&managed);
    options.detail = false;
    options.objective = plan::Objective::MaxWait;
    // Only the scenario's own curve: one run per trial.
    assert_eq!(plan::runs_per_trial(&managed, &options, 113), 1.0);
    options.detail = true;
    assert_eq!(plan::runs_per_trial(&managed, &options, 113), 2.0);
    options.detail = false;
    options.objective = plan::Objective::Cost;
    let options_too = plan::runs_per_trial(&managed, &options, 113);
    // The fallback's curve (a run) and the on-demand point on top of the curve itself.
    let attempts = spotsim::Engine::new(&managed).attempts_per_trial_estimate();
    assert!(
        options_too >= 2.0 + 1.0 / attempts,
        "{options_too} runs with {attempts} attempts per trial"
    );
    let with = |intervals: &[f64]| {
        let mut options = options.clone();
        options.checkpoint_intervals = intervals.to_vec();
        plan::runs_per_trial(&managed, &options, 113)
    };
    let one = with(&[3600.0]) - options_too;
    // An interval runs its own curve and all three options again (the managed-spot option at
    // that interval is a curve of its own): at least three curves and the on-demand point.
    assert!(one > 3.0, "{one}");
    let four = with(&[600.0, 1800.0, 3600.0, 7200.0]) - options_too;
    assert!(
        (four - 4.0 * one).abs() < 1e-9 * four,
        "{four} vs 4 × {one}"
    );
}

/// The command's refusal states the trials asked for and how often each runs; checkpoint
/// intervals make each run more often.
#[test]
fn plan_states_the_runs_of_each_trial_when_it_asks_for_yes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fallback.toml");
    let text = std::fs::read_to_string(crate::common::scenario_path("default.toml")).unwrap();
    std::fs::write(
        &path,
        format!("{text}\n[policy]\nname = \"spot-then-on-demand\"\n"),
    )
    .unwrap();
    let output = assert_cmd::cargo::cargo_bin_cmd!("spotsim")
        .arg("plan")
        .arg(&path)
        .args(["--trials", "100000000000", "--threads", "2"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("100000000000 trials") && stderr.contains("each run about"),
        "{stderr}"
    );
    assert!(stderr.contains("--yes"), "{stderr}");
    let times = |stderr: &str| -> f64 {
        let at = stderr.find("each run about ").expect("how often") + "each run about ".len();
        stderr[at..].split(' ').next().unwrap().parse().unwrap()
    };
    let with_intervals = assert_cmd::cargo::cargo_bin_cmd!("spotsim")
        .arg("plan")
        .arg(&path)
        .args(["--trials", "100000000000", "--threads", "2"])
        .args(["--checkpoint-intervals", "30m,1h,2h"])
        .output()
        .unwrap();
    let more = String::from_utf8_lossy(&with_intervals.stderr);
    assert_eq!(with_intervals.status.code(), Some(2), "{more}");
    assert!(times(&more) > times(&stderr) + 9.0, "{stderr}\n{more}");
}
