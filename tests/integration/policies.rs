//! Checkpoint and scheduling policies of the continuous clock: Young's and Daly's intervals
//! equal the formulas; the simulated optimum agrees with Daly's; `optimal` is never worse than
//! `young` on the same trials; `spot-then-on-demand` always completes when the on-demand job
//! fits in MaxRuntime and its cost is the sum of both jobs; a user's own policy runs.

use crate::common::{json_of, load, parse, scenario_path, stdout_of};
use spotsim::Simulator;
use spotsim::montecarlo::optimal::OPTIMISE_TRIALS;
use spotsim::policy::checkpoint::{daly_interval, young_interval};
use spotsim::policy::{CheckpointPolicy, DecisionPoint, Placement, SchedulingPolicy};
use spotsim::{Engine, Outcome, Scenario};
use std::sync::Arc;

/// A 24 h job on an exponential market with M = 2 h, 60 s writes, no restart cost (the
/// setting of Daly's model), with generous limits so every trial completes.
fn daly_setting(policy: &str) -> String {
    format!(
        r#"
[job]
managed_spot = true
max_runtime = "28d"
max_wait = "60d"
checkpoint_s3_uri = "s3://b/c"

[workload]
training = "24h"

[checkpoint]
policy = "{policy}"
write = "60s"

[market]
model = "exponential"
mean_uptime = "2h"

[pricing]
on_demand_per_hour = 3.0
spot_discount = 0.7

[simulation]
seed = 5
"#
    )
}

#[test]
fn young_and_daly_intervals_equal_the_formulas() {
    let young = parse(&daly_setting("young"));
    assert_eq!(
        young.checkpoint.policy.interval_seconds(),
        young_interval(60.0, 7200.0)
    );
    let daly = parse(&daly_setting("daly"));
    assert_eq!(
        daly.checkpoint.policy.interval_seconds(),
        daly_interval(60.0, 7200.0)
    );
    // M comes from the market, for the whole gang: 4 instances of 8 h behave like M = 2 h.
    let gang = parse(
        &daly_setting("daly")
            .replace("mean_uptime = \"2h\"", "mean_uptime = \"8h\"")
            .replace(
                "managed_spot = true",
                "managed_spot = true\ninstance_count = 4",
            ),
    );
    assert_eq!(
        gang.checkpoint.policy.interval_seconds(),
        daly_interval(60.0, 7200.0)
    );
    // Write and restore from size and bandwidth: 20 GB at 500 MB/s = 40 s.
    let sized = parse(
        &daly_setting("young").replace("write = \"60s\"", "size_gb = 20\nbandwidth_mb_per_s = 500"),
    );
    assert_eq!(sized.checkpoint.write_seconds, 40.0);
    assert_eq!(sized.checkpoint.restore_seconds, 40.0);
    assert_eq!(
        sized.checkpoint.policy.interval_seconds(),
        young_interval(40.0, 7200.0)
    );
}

/// Per-trial wall clocks of `scenario` with checkpoint interval `tau`, trials 0..n.
fn wall_clocks(scenario: &Scenario, tau: f64, n: u64) -> Vec<f64> {
    let mut variant = scenario.clone();
    variant.checkpoint.policy = CheckpointPolicy::Interval {
        interval_seconds: tau,
    };
    let engine = Engine::new(&variant);
    (0..n)
        .map(|k| {
            let o = engine.run(k);
            assert_eq!(o.outcome, Outcome::Completed);
            o.wall_clock_seconds
        })
        .collect()
}

#[test]
fn the_simulated_optimum_agrees_with_daly() {
    // Scan intervals around Daly's on the same trials (common random numbers), find the one
    // with the smallest mean wall clock, and check that Daly's interval is not significantly
    // worse: the paired difference of means is within 3 standard errors of zero.
    let scenario = parse(&daly_setting("interval\"\ninterval = \"30m"));
    let daly = daly_interval(60.0, 7200.0);
    let n = 20_000;
    let at_daly = wall_clocks(&scenario, daly, n);
    let mut best = (daly, at_daly.iter().sum::<f64>() / n as f64);
    for k in [-8, -6, -4, -3, -2, -1, 1, 2, 3, 4, 6, 8] {
        let tau = daly * 2f64.powf(f64::from(k) / 8.0);
        let mean = wall_clocks(&scenario, tau, n).iter().sum::<f64>() / n as f64;
        if mean < best.1 {
            best = (tau, mean);
        }
    }
    let at_best = wall_clocks(&scenario, best.0, n);
    let diffs: Vec<f64> = at_daly.iter().zip(&at_best).map(|(a, b)| a - b).collect();
    let mean = diffs.iter().sum::<f64>() / n as f64;
    let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    assert!(
        mean <= 3.0 * se + 1e-9,
        "Daly {daly:.0} s is worse than {:.0} s by {mean:.1} ± {se:.1} s",
        best.0
    );
    // And far from the optimum (×4) it is clearly worse: the scan can tell.
    let far = wall_clocks(&scenario, daly * 4.0, n).iter().sum::<f64>() / n as f64;
    assert!(far - best.1 > 10.0 * se.max(1.0), "{far} vs {}", best.1);
}

#[test]
fn optimal_is_never_worse_than_young_on_the_same_trials() {
    for objective in ["wall_clock", "cost"] {
        let optimal = parse(&daly_setting("optimal").replace(
            "write = \"60s\"",
            &format!("write = \"60s\"\nobjective = \"{objective}\""),
        ));
        let young = parse(&daly_setting("young"));
        let mean = |s: &Scenario| {
            let engine = Engine::new(s);
            let (mut wall, mut cost) = (0.0, 0.0);
            for k in 0..OPTIMISE_TRIALS {
                let o = engine.run(k);
                wall += o.wall_clock_seconds;
                cost += o.cost_usd;
            }
            if objective == "cost" { cost } else { wall }
        };
        assert!(mean(&optimal) <= mean(&young), "{objective}");
    }
}

#[test]
fn on_notice_policy_writes_only_emergency_checkpoints() {
    // Case 2 of the AWS guide with policy on_notice: notice at 7,080 s, 6,480 s into training
    // (no periodic writes); the 60 s write saves 6,480 s; 60 s more are trained and lost.
    // Restart: restore, 7,920 s left: Training 9,720 → 17,640 s, upload → 17,940 s.
    let text = std::fs::read_to_string(scenario_path("aws-guide-one-interruption.toml"))
        .unwrap()
        .replace(
            "policy = \"interval\"\ninterval = \"1h\"",
            "policy = \"on_notice\"",
        );
    let scenario = parse(&text);
    let outcome = Engine::new(&scenario).run(0);
    assert_eq!(outcome.lost_training_seconds, 60.0);
    assert_eq!(outcome.checkpoints_written, 1);
    assert_eq!(outcome.wall_clock_seconds, 17_940.0);
}

#[test]
fn spot_then_on_demand_completes_and_conserves_cost() {
    // Case 3 of the AWS guide is stopped by MaxWait at 8 h with 3 h of training saved. With
    // spot-then-on-demand a new on-demand job is created when the spot job has stopped
    // (28,830 s): provisioning 300 s, download + restore 420 s, the last hour of training,
    // upload 300 s → Completed at 28,830 + 300 + 420 + 3600 + 300 = 33,450 s.
    let text = std::fs::read_to_string(scenario_path("aws-guide-two-interruptions-max-wait.toml"))
        .unwrap()
        .replace(
            "[simulation]",
            "[policy]\nname = \"spot-then-on-demand\"\n\n[simulation]",
        );
    let scenario = parse(&text);
    let (outcome, timeline) = Engine::new(&scenario).run_with_timeline(0);
    assert_eq!(outcome.outcome, Outcome::Completed);
    assert_eq!(outcome.fallback_seconds, Some(28_830.0));
    assert_eq!(outcome.wall_clock_seconds, 33_450.0);
    // Cost = spot job (18,900 held seconds at $1.1475) + on-demand job (4,320 s at $3.825).
    let spot = 18_900.0 * 1.1475 / 3600.0;
    let on_demand = 4320.0 * 3.825 / 3600.0;
    assert!((outcome.cost_usd - (spot + on_demand)).abs() < 1e-9);
    assert!((outcome.on_demand_cost_usd - on_demand).abs() < 1e-9);
    let statuses: Vec<&str> = timeline
        .transitions
        .iter()
        .map(|t| t.status.as_str())
        .collect();
    assert_eq!(
        &statuses[statuses.len() - 7..],
        [
            "Stopping",
            "MaxWaitTimeExceeded",
            "Starting",
            "Downloading",
            "Training",
            "Uploading",
            "Completed"
        ]
    );

    // On a random market every trial completes when the on-demand job fits in MaxRuntime,
    // and every trial's cost is the sum of its spot and on-demand parts.
    let text = spotsim::scenario::DEFAULT_SCENARIO.replace(
        "[simulation]",
        "[policy]\nname = \"spot-then-on-demand\"\n\n[simulation]",
    );
    let scenario = parse(&text);
    let engine = Engine::new(&scenario);
    let mut fell_back = 0;
    for k in 0..5000 {
        let o = engine.run(k);
        assert_eq!(o.outcome, Outcome::Completed, "trial {k}");
        if o.fallback_seconds.is_some() {
            fell_back += 1;
            assert!(o.on_demand_cost_usd > 0.0);
        } else {
            assert_eq!(o.on_demand_cost_usd, 0.0);
        }
        assert!(o.cost_usd >= o.on_demand_cost_usd);
    }
    assert!(fell_back > 0, "some trials needed the fallback");
}

/// A user's policy: on-demand once fewer hours are left before MaxWait than the remaining work
/// needs (a safety net).
#[derive(Debug)]
struct SafetyNet;

impl SchedulingPolicy for SafetyNet {
    fn name(&self) -> &str {
        "safety-net"
    }
    fn place(&self, p: &DecisionPoint) -> Placement {
        let needed = p.remaining_training_seconds + p.restart_seconds;
        if p.deadline_seconds - p.now_seconds <= 1.5 * needed {
            Placement::OnDemand
        } else {
            Placement::Spot
        }
    }
}

#[test]
fn a_custom_policy_runs_through_simulate() {
    let mut scenario = load("default.toml");
    let options = spotsim::montecarlo::RunOptions {
        trials: 4000,
        ..spotsim::montecarlo::RunOptions::from_scenario(&scenario)
    };
    let spot = spotsim::montecarlo::simulate(&scenario, &options);
    scenario.clock = spotsim::scenario::Clock::Continuous(Arc::new(SafetyNet));
    let safe = spotsim::montecarlo::simulate(&scenario, &options);
    assert!(safe.probability(Outcome::Completed) > spot.probability(Outcome::Completed));
    assert!(safe.metrics.cost_usd.mean > spot.metrics.cost_usd.mean);
}

#[test]
fn the_custom_policy_example_compiles_and_runs() {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "custom_policy"])
        .current_dir(crate::common::root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("three-strikes: P(Completed)"), "{stdout}");
}

#[test]
fn parsing_never_simulates_and_optimal_is_resolved_by_the_prepare_step() {
    let text = daly_setting("optimal");
    let mut scenario = Scenario::from_toml(&text, "test.toml", "test").unwrap();
    assert!(matches!(
        scenario.checkpoint.policy,
        CheckpointPolicy::Optimal {
            interval_seconds: None,
            ..
        }
    ));
    // No engine for a scenario whose interval is still unknown.
    let unprepared = scenario.clone();
    let refused =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Engine::new(&unprepared)));
    assert!(refused.is_err());
    spotsim::montecarlo::prepare(&mut scenario);
    let CheckpointPolicy::Optimal {
        interval_seconds: Some(found),
        ..
    } = scenario.checkpoint.policy
    else {
        panic!("prepare resolves optimal");
    };
    // The search grid runs from Daly's interval ÷ 8 to × 8 (and Young's): the result is on it.
    let (write, m) = (60.0, 2.0 * 3600.0);
    let daly = daly_interval(write, m);
    assert!(
        found >= daly / 8.0 - 1e-9 && found <= daly * 8.0 + 1e-9,
        "{found}"
    );
    // Preparing again changes nothing.
    let again = scenario.clone();
    spotsim::montecarlo::prepare(&mut scenario);
    assert_eq!(scenario.checkpoint.policy, again.checkpoint.policy);
}

/// The shipped default scenario with `[checkpoint] policy = "optimal"` instead of its 30 min
/// interval: 60 s writes, exponential market with a mean uptime of 4 h.
fn default_with_optimal() -> String {
    let text = std::fs::read_to_string(scenario_path("default.toml")).unwrap();
    assert!(text.contains("policy = \"interval\"\ninterval = \"30m\"\nwrite = \"1m\""));
    assert!(text.contains("mean_uptime = \"4h\""));
    text.replace(
        "policy = \"interval\"\ninterval = \"30m\"",
        "policy = \"optimal\"",
    )
}

#[test]
fn simulate_plan_and_merge_state_the_interval_optimal_chose() {
    let text = default_with_optimal();
    let CheckpointPolicy::Optimal {
        interval_seconds: Some(found),
        ..
    } = parse(&text).checkpoint.policy
    else {
        panic!("prepare resolves optimal");
    };
    // Young's interval √(2δM) by hand: δ = 60 s, M = 4 h = 14,400 s → √1,728,000 = 1314.53 s.
    // To first order the wall clock per unit of training is 1 + δ/τ + τ/(2M); at τ = c·τ_Y its
    // excess over the optimum is √(δ/2M)·(c + 1/c − 2) = 0.0456·(c + 1/c − 2) of the 20 h of
    // training, i.e. 399 s at c = √2. A job's wall clock has a standard deviation of about
    // 1.8 h, so a mean over the 4000 trials the search uses has a standard error of ~100 s
    // (less for paired differences): an interval √2 away from the optimum is ≥ 4 standard
    // errors worse and is not chosen. Tolerance: a factor √2 either way.
    let young = 1314.53;
    assert!((young_interval(60.0, 14_400.0) - young).abs() < 0.01);
    assert!(
        found > young / 2f64.sqrt() && found < young * 2f64.sqrt(),
        "{found}"
    );
    let whole = found.round() as u64;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("optimal.toml");
    std::fs::write(&path, &text).unwrap();
    let spotsim = |args: &[&str]| {
        let mut command = assert_cmd::cargo::cargo_bin_cmd!("spotsim");
        command.args(args).arg(&path).output().unwrap()
    };
    let sentence = format!("Checkpoint interval: {whole} s (");
    let chosen = "chosen by `optimal` (lowest mean wall clock) over the first 4000 trials (seed 1)";
    // --seed changes the run, not the trials the interval was chosen on.
    let json = json_of(spotsim(&[
        "simulate", "-q", "--trials", "300", "--seed", "7", "--format", "json",
    ]));
    assert_eq!(json["seed"], 7);
    assert_eq!(
        json["checkpoint"],
        serde_json::json!({"policy": "optimal", "objective": "wall_clock",
            "interval_seconds": whole, "chosen_by_optimal": true, "trials": 4000, "seed": 1})
    );
    for args in [
        &["simulate", "-q", "--trials", "300"][..],
        &["simulate", "-q", "--trials", "300", "--format", "markdown"],
        &["plan", "-q", "--trials", "300"],
        &["plan", "-q", "--trials", "300", "--format", "markdown"],
    ] {
        let text = stdout_of(spotsim(args));
        let line = text
            .lines()
            .find(|l| l.contains(&sentence))
            .unwrap_or_else(|| panic!("{args:?}:\n{text}"));
        assert!(line.contains(chosen), "{args:?}: {line}");
    }
    let plan = json_of(spotsim(&[
        "plan", "-q", "--trials", "300", "--format", "json",
    ]));
    assert_eq!(plan["recommendation"]["checkpoint_interval_seconds"], whole);
    assert_eq!(plan["checkpoint"]["interval_seconds"], whole);
    for command in ["simulate", "plan"] {
        let out = dir.path().join(command);
        let mut run = assert_cmd::cargo::cargo_bin_cmd!("spotsim");
        run.args([command, "-q", "--trials", "300", "--output"])
            .arg(&out)
            .arg(&path);
        stdout_of(run.output().unwrap());
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.contains(&sentence), "{command}: report.html");
    }
    // Two shards merged state the same choice as one run.
    let mut parts = Vec::new();
    for shard in ["0/2", "1/2"] {
        let part = dir.path().join(format!("part-{}.json", &shard[..1]));
        let mut run = assert_cmd::cargo::cargo_bin_cmd!("spotsim");
        run.args([
            "simulate",
            "-q",
            "--trials",
            "300",
            "--shard",
            shard,
            "--partial",
        ])
        .arg(&part)
        .arg(&path);
        stdout_of(run.output().unwrap());
        parts.push(part);
    }
    let mut merge = assert_cmd::cargo::cargo_bin_cmd!("spotsim");
    merge.args(["merge", "--format", "json"]).args(&parts);
    let merged = json_of(merge.output().unwrap());
    let single = json_of(spotsim(&[
        "simulate", "-q", "--trials", "300", "--format", "json",
    ]));
    assert_eq!(merged["checkpoint"], single["checkpoint"]);
    assert_eq!(merged["checkpoint"]["interval_seconds"], whole);
}
