//! The tick clock through scenario files: `[simulation] clock = "tick"` reproduces the
//! reference simulator's V100 vectors, every policy sees the same random windows, and the
//! omniscient schedule is a lower bound on every window.

use crate::common::{root, scenario_path};
use spotsim::{Engine, Outcome, Scenario};

fn variant(zone: &str, policy: &str, start: &str) -> Scenario {
    let text = std::fs::read_to_string(scenario_path(&format!("tick-v100-{zone}.toml")))
        .unwrap()
        .replace(
            "name = \"uniform-progress\"",
            &format!("name = \"{policy}\""),
        )
        .replace("start = \"random\"", &format!("start = {start}"));
    Scenario::from_toml_in(&text, "tick.toml", "tick", &root().join("scenarios"))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn v100_test_vectors_through_scenarios() {
    // deadline-policies.md, "Test vectors you must reproduce (tick mode)".
    for (zone, start, expected) in [
        ("us-west-2a", "\"179.725h\"", 39.133575),
        ("us-east-1c", "\"179.725h\"", 127.986186),
        ("us-east-2b", "\"299.5416666666667h\"", 47.056425),
    ] {
        let scenario = variant(zone, "uniform-progress", start);
        let outcome = Engine::new(&scenario).run(0);
        assert_eq!(outcome.outcome, Outcome::Completed);
        assert!(
            (outcome.cost_usd - expected).abs() < 0.001,
            "{zone}: {} vs {expected}",
            outcome.cost_usd
        );
    }
}

#[test]
fn omniscient_is_a_lower_bound_on_every_random_window() {
    for zone in ["us-east-1c", "us-east-2b", "us-west-2a"] {
        let engines: Vec<(String, Engine)> =
            ["omniscient", "uniform-progress", "greedy", "on-demand"]
                .iter()
                .map(|p| (p.to_string(), Engine::new(&variant(zone, p, "\"random\""))))
                .collect();
        for trial in 0..25 {
            let costs: Vec<f64> = engines.iter().map(|(_, e)| e.run(trial).cost_usd).collect();
            for (i, (name, _)) in engines.iter().enumerate().skip(1) {
                assert!(
                    costs[0] <= costs[i] + 1e-9,
                    "{zone} window {trial}: omniscient {} > {name} {}",
                    costs[0],
                    costs[i]
                );
            }
            // Every policy completes within the deadline.
            for (name, engine) in &engines {
                let o = engine.run(trial);
                assert!(o.wall_clock_seconds <= 215_670.0, "{name}");
            }
        }
    }
}

#[test]
fn random_windows_are_the_same_for_every_policy_and_thread_count() {
    let up = variant("us-east-1f", "uniform-progress", "\"random\"");
    let options = spotsim::montecarlo::RunOptions {
        trials: 40,
        threads: Some(1),
        ..spotsim::montecarlo::RunOptions::from_scenario(&up)
    };
    let one = spotsim::montecarlo::simulate(&up, &options);
    let two = spotsim::montecarlo::simulate(
        &up,
        &spotsim::montecarlo::RunOptions {
            threads: Some(2),
            ..options
        },
    );
    assert_eq!(one.metrics, two.metrics);
}

#[test]
fn deadline_policies_need_the_tick_clock() {
    let text = std::fs::read_to_string(scenario_path("tick-v100-us-west-2a.toml"))
        .unwrap()
        .replace("clock = \"tick\"", "clock = \"continuous\"");
    let error =
        Scenario::from_toml_in(&text, "t.toml", "t", &root().join("scenarios")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("deadline policy of the tick clock"),
        "{error}"
    );
}
