//! The MaxWait planner: its recommendation re-checked by independent simulations, the curve's
//! monotonicity, cost conservation at every grid point, and determinism.

use crate::common::{load, parse};
use spotsim::Simulator;
use spotsim::engine::{Recorder, TrialOutcome};
use spotsim::montecarlo::{RunOptions, simulate};
use spotsim::plan::{self, GridSpec, Plan, PlanOptions, Sweep};
use spotsim::report::Format;
use spotsim::report::export::exporter;
use spotsim::report::recommendation::sentence;
use spotsim::sagemaker::status::SecondaryStatus;
use spotsim::stats::wilson_interval;
use spotsim::{Engine, Outcome, Scenario};

/// The MaxWait curve of the scenario's own policy (the max-wait objective: the smallest MaxWait
/// that meets the target); purchase options are tested in `plan_options`.
fn options(scenario: &Scenario, trials: u64) -> PlanOptions {
    PlanOptions {
        trials,
        detail: false,
        objective: spotsim::plan::Objective::MaxWait,
        ..PlanOptions::from_scenario(scenario)
    }
}

fn direct(
    scenario: &Scenario,
    max_wait: f64,
    trials: u64,
    seed: u64,
) -> spotsim::montecarlo::SimulationSummary {
    let at = plan::with_max_wait(scenario, max_wait);
    simulate(
        &at,
        &RunOptions {
            trials,
            seed,
            ..RunOptions::from_scenario(&at)
        },
    )
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn recommendation_is_confirmed_by_an_independent_simulation() {
    let scenario = Scenario::embedded_default();
    let opts = options(&scenario, 10_000);
    let planned = plan::plan(&scenario, &opts, None).unwrap();
    let recommendation = planned
        .recommendation
        .clone()
        .expect("the default reaches 0.95");
    let index = planned.recommended_index().unwrap();
    assert!(index > 0, "the recommendation is not the first grid point");
    let w = recommendation.max_wait_seconds;
    assert_eq!(w.fract(), 0.0, "whole seconds");
    assert!(
        w >= scenario.job.max_runtime_seconds,
        "AWS: MaxWait ≥ MaxRuntime"
    );

    // Same seed, same trials, MaxWait set to the recommendation: the target holds...
    let summary = direct(&scenario, w, opts.trials, opts.seed);
    let completed = summary.outcome(Outcome::Completed);
    assert!(completed.ci95[0] >= opts.target, "{:?}", completed);
    // ... and, by common random numbers, exactly the planner's completions.
    assert_eq!(completed.count, planned.points[index].completed.count);
    assert_eq!(recommendation.p_completed, completed.probability);
    assert!(relative(recommendation.cost_mean_usd, summary.metrics.cost_usd.mean) < 1e-9);

    // One grid step below does not meet the target.
    let below = &planned.points[index - 1];
    let summary = direct(&scenario, below.max_wait_seconds, opts.trials, opts.seed);
    let completed = summary.outcome(Outcome::Completed);
    assert_eq!(completed.count, below.completed.count);
    assert!(completed.ci95[0] < opts.target, "{:?}", completed);
    assert!(!below.meets_target);

    // The sentence says it.
    let text = sentence(&recommendation);
    assert!(
        text.starts_with(&format!("Set MaxWaitTimeInSeconds = {w:.0} (")),
        "{text}"
    );
    assert!(text.contains("on-demand"));
    assert!(text.contains("AWS's formula reports"));
}

#[test]
fn completion_curve_is_monotone_and_bounds_are_wilson() {
    for scenario in [
        Scenario::embedded_default(),
        load("replay-aws-p3-us-west-2a.toml"),
    ] {
        let planned = plan::plan(&scenario, &options(&scenario, 3000), None).unwrap();
        let points = &planned.points;
        assert!(points.len() >= 50, "{}", points.len());
        assert_eq!(points[0].max_wait_seconds, scenario.job.max_runtime_seconds);
        for pair in points.windows(2) {
            assert!(pair[0].max_wait_seconds < pair[1].max_wait_seconds);
            assert!(
                pair[0].completed.count <= pair[1].completed.count,
                "monotone"
            );
            assert!(pair[0].completed.ci95[0] <= pair[1].completed.ci95[0]);
        }
        for p in points {
            let (low, high) = wilson_interval(p.completed.count, 3000);
            assert_eq!(p.completed.ci95, [low, high]);
            assert_eq!(
                p.completed.count + p.max_wait_time_exceeded.count + p.max_runtime_exceeded.count,
                3000
            );
        }
    }
}

/// Keeps billed periods: an independent, naive reading of "cost up to min(w, end)".
/// (from, to, price_seconds) of each billed period.
type Billed = Vec<(f64, f64, f64)>;

#[derive(Default)]
struct Periods(Billed);

impl Recorder for Periods {
    fn enter(&mut self, _: f64, _: SecondaryStatus, _: &'static str) {}
    fn held(&mut self, from: f64, to: f64, price_seconds: f64) {
        self.0.push((from, to, price_seconds));
    }
}

#[test]
fn cost_is_conserved_at_every_grid_point() {
    let scenario = Scenario::embedded_default();
    let trials = 2000;
    let opts = PlanOptions {
        grid: GridSpec {
            cap_seconds: Some(40.0 * 3600.0),
            ..GridSpec::default()
        },
        ..options(&scenario, trials)
    };
    let planned = plan::plan(&scenario, &opts, None).unwrap();
    let cap = planned.points.last().unwrap().max_wait_seconds;
    let engine = Engine::new(&scenario)
        .with_seed(opts.seed)
        .with_max_wait(cap);
    let price = scenario.pricing.spot_per_hour;
    let runs: Vec<(TrialOutcome, Billed)> = (0..trials)
        .map(|k| {
            let mut periods = Periods::default();
            let outcome = engine.run_recorded(k, &mut periods);
            (outcome, periods.0)
        })
        .collect();
    for point in &planned.points {
        let w = point.max_wait_seconds;
        // Mean over trials of the billed cost up to min(w, end), constant spot price.
        let total: f64 = runs
            .iter()
            .map(|(_, periods)| {
                periods
                    .iter()
                    .map(|&(from, to, price_seconds)| {
                        if to <= w {
                            price_seconds
                        } else if from < w {
                            price * (w - from)
                        } else {
                            0.0
                        }
                    })
                    .sum::<f64>()
                    / 3600.0
            })
            .sum();
        let mean = total / trials as f64;
        assert!(
            relative(point.cost_usd.mean, mean) < 1e-9,
            "w = {w}: {} vs {mean}",
            point.cost_usd.mean
        );
        let completed = runs
            .iter()
            .filter(|(o, _)| o.outcome == Outcome::Completed && o.wall_clock_seconds <= w)
            .count() as u64;
        assert_eq!(point.completed.count, completed, "w = {w}");
    }
    // Cross-checked against direct simulations at three grid points.
    let n = planned.points.len();
    for index in [0, n / 3, n - 1] {
        let point = &planned.points[index];
        let summary = direct(&scenario, point.max_wait_seconds, trials, opts.seed);
        for (outcome, count) in [
            (Outcome::Completed, point.completed.count),
            (
                Outcome::MaxWaitTimeExceeded,
                point.max_wait_time_exceeded.count,
            ),
            (
                Outcome::MaxRuntimeExceeded,
                point.max_runtime_exceeded.count,
            ),
        ] {
            assert_eq!(
                summary.outcome(outcome).count,
                count,
                "{outcome:?} at {index}"
            );
        }
        assert!(relative(point.cost_usd.mean, summary.metrics.cost_usd.mean) < 1e-9);
        assert!(
            relative(
                point.aws_savings_percent,
                summary.metrics.savings_percent.mean
            ) < 1e-9
        );
    }
}

#[test]
fn stepped_prices_are_clipped_exactly() {
    // Per-tick spot prices aligned with a replayed trace at a random offset.
    let scenario = load("replay-aws-p3-us-west-2a.toml");
    let trials = 600;
    let opts = PlanOptions {
        grid: GridSpec {
            points: Some(25),
            ..GridSpec::default()
        },
        ..options(&scenario, trials)
    };
    let planned = plan::plan(&scenario, &opts, None).unwrap();
    for index in [1, 8, 15] {
        let point = &planned.points[index];
        let summary = direct(&scenario, point.max_wait_seconds, trials, opts.seed);
        assert_eq!(
            summary.outcome(Outcome::Completed).count,
            point.completed.count
        );
        assert!(relative(point.cost_usd.mean, summary.metrics.cost_usd.mean) < 1e-9);
    }
}

fn without_run(plan: &Plan) -> serde_json::Value {
    let mut value: serde_json::Value =
        serde_json::from_str(&exporter(Format::Json).plan(plan)).unwrap();
    value.as_object_mut().unwrap().remove("run");
    if let Some(simulation) = value.get_mut("simulation").and_then(|s| s.as_object_mut()) {
        simulation.remove("run");
    }
    value
}

#[test]
fn truncation_and_rerunning_every_point_give_identical_curves() {
    for scenario in [
        Scenario::embedded_default(),
        load("replay-aws-p3-us-west-2a.toml"),
    ] {
        assert!(!plan::path_depends_on_max_wait(&scenario));
        let base = PlanOptions {
            grid: GridSpec {
                points: Some(30),
                ..GridSpec::default()
            },
            ..options(&scenario, 1500)
        };
        let truncated = plan::plan(&scenario, &base, None).unwrap();
        let rerun = plan::plan(
            &scenario,
            &PlanOptions {
                sweep: Some(Sweep::RerunEachPoint),
                ..base.clone()
            },
            None,
        )
        .unwrap();
        assert_eq!(truncated.sweep, Sweep::Truncate);
        assert_eq!(rerun.sweep, Sweep::RerunEachPoint);
        assert_eq!(truncated.points, rerun.points);
        assert_eq!(truncated.recommendation, rerun.recommendation);
    }
}

#[test]
fn fallback_policies_rerun_every_point() {
    let mut scenario = Scenario::embedded_default();
    if let Some(policy) = spotsim::policy::registry::scheduling("spot-then-on-demand") {
        scenario.clock = spotsim::scenario::Clock::Continuous(policy);
        assert!(plan::path_depends_on_max_wait(&scenario));
        let opts = PlanOptions {
            grid: GridSpec {
                points: Some(5),
                ..GridSpec::default()
            },
            ..options(&scenario, 500)
        };
        let planned = plan::plan(&scenario, &opts, None).unwrap();
        assert_eq!(planned.sweep, Sweep::RerunEachPoint);
    }
}

#[test]
fn plan_is_identical_for_any_thread_count() {
    let scenario = Scenario::embedded_default();
    let run = |threads| {
        let opts = PlanOptions {
            threads: Some(threads),
            detail: true,
            checkpoint_intervals: vec![600.0, 3600.0],
            ..options(&scenario, 70_000)
        };
        without_run(&plan::plan(&scenario, &opts, None).unwrap())
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn unreachable_targets_name_the_levers() {
    // A short MaxRuntime: re-done work runs it out whatever MaxWait is.
    let scenario = parse(
        r#"
        [job]
        managed_spot = true
        max_runtime = "20h30m"
        max_wait = "30h"
        checkpoint_s3_uri = "s3://b/c"
        [workload]
        training = "20h"
        [checkpoint]
        policy = "interval"
        interval = "2h"
        write = "1m"
        [market]
        model = "exponential"
        mean_uptime = "4h"
        mean_capacity_wait = "10m"
        [pricing]
        on_demand_per_hour = 3.825
        spot_discount = 0.7
        "#,
    );
    let planned = plan::plan(&scenario, &options(&scenario, 2000), None).unwrap();
    assert!(planned.recommendation.is_none());
    let levers: Vec<&str> = planned.advice.iter().map(|l| l.lever).collect();
    assert!(levers.contains(&"max_runtime"), "{levers:?}");
    assert!(levers.contains(&"on_demand"), "{levers:?}");
    assert!(
        levers.contains(&"checkpoint_interval"),
        "a shorter interval is evaluated: {levers:?}"
    );
    let shorter = planned
        .advice
        .iter()
        .find(|l| l.lever == "checkpoint_interval")
        .unwrap();
    assert!(shorter.value.unwrap() < 7200.0);
    assert!(shorter.p_completed_at_cap.is_some());
    let longer_runtime = planned
        .advice
        .iter()
        .find(|l| l.lever == "max_runtime")
        .unwrap();
    assert!(
        longer_runtime.p_completed_at_cap.unwrap()
            > planned.points.last().unwrap().completed.probability
    );

    // A target the trial count cannot confirm.
    let scenario = Scenario::embedded_default();
    let opts = PlanOptions {
        target: 0.9999,
        ..options(&scenario, 1000)
    };
    let planned = plan::plan(&scenario, &opts, None).unwrap();
    assert!(planned.recommendation.is_none());
    assert!(planned.advice.iter().any(|l| l.lever == "trials"));
}

#[test]
fn on_demand_scenarios_have_no_max_wait_to_plan() {
    let scenario = parse(
        r#"
        [job]
        managed_spot = false
        [workload]
        training = "2h"
        [pricing]
        on_demand_per_hour = 3.825
        "#,
    );
    let error = plan::plan(&scenario, &options(&scenario, 10), None).unwrap_err();
    assert!(error.to_string().contains("managed_spot"), "{error}");
}

#[test]
fn library_errors_name_settings_and_the_command_line_names_its_options() {
    use spotsim::montecarlo::Shard;
    use spotsim::plan::{GridError, GridSpec, OptionError, build_grid};
    let scenario = spotsim::Scenario::embedded_default();
    let bad_grids = [
        GridSpec {
            cap_seconds: Some(60.0),
            ..GridSpec::default()
        },
        GridSpec {
            cap_seconds: Some(1e12),
            ..GridSpec::default()
        },
        GridSpec {
            points: Some(5),
            step_seconds: Some(60.0),
            ..GridSpec::default()
        },
        GridSpec {
            points: Some(1),
            ..GridSpec::default()
        },
        GridSpec {
            step_seconds: Some(0.2),
            ..GridSpec::default()
        },
        GridSpec {
            step_seconds: Some(1.0),
            ..GridSpec::default()
        },
    ];
    let mut messages: Vec<String> = bad_grids
        .iter()
        .map(|spec| build_grid(&scenario, spec).unwrap_err().to_string())
        .collect();
    messages.extend(
        [
            OptionError::Target(1.5),
            OptionError::NoTrials,
            OptionError::CheckpointInterval(-1.0),
        ]
        .iter()
        .map(ToString::to_string),
    );
    messages.push(Shard::parse("3/2").unwrap_err().to_string());
    let k8s = |name: &str| (name == "JOB_COMPLETION_INDEX").then(|| "1".to_string());
    messages.push(Shard::from_env(k8s, None).unwrap_err().to_string());
    for message in &messages {
        assert!(
            !message.contains("--"),
            "a library error names a flag: {message}"
        );
    }
    assert!(matches!(
        build_grid(&scenario, &bad_grids[5]).unwrap_err(),
        GridError::TooManyPoints { .. }
    ));
    // The command line maps them to its options.
    let scenario_path = crate::common::scenario_path("default.toml");
    for (args, option) in [
        (&["--max-wait-cap", "1m"][..], "--max-wait-cap"),
        (&["--points", "5", "--grid-step", "1m"][..], "--points"),
        (&["--target", "1.5"][..], "--target"),
    ] {
        let output = assert_cmd::cargo::cargo_bin_cmd!("spotsim")
            .arg("plan")
            .arg(&scenario_path)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(option), "{args:?}: {stderr}");
    }
}

#[test]
fn plan_refuses_tick_clock_scenarios_whose_trials_stop_at_the_deadline() {
    // A tick trial stops at its deadline, which validation keeps within MaxWait: every
    // MaxWait of a grid (from MaxRuntime up) would give the same row.
    let scenario = crate::common::load("tick-weibull-gpu.toml");
    assert!(!spotsim::Engine::new(&scenario).max_wait_stops_trials());
    let error = spotsim::plan::plan(
        &scenario,
        &spotsim::plan::PlanOptions::from_scenario(&scenario),
        None,
    )
    .unwrap_err();
    assert!(error.to_string().contains("deadline"), "{error}");
    let output = assert_cmd::cargo::cargo_bin_cmd!("spotsim")
        .arg("plan")
        .arg(crate::common::scenario_path("tick-weibull-gpu.toml"))
        .args(["--trials", "20", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("[simulation] clock") && stderr.contains("deadline"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    // The continuous clock is planned as before.
    let continuous = crate::common::load("default.toml");
    assert!(spotsim::Engine::new(&continuous).max_wait_stops_trials());
}
