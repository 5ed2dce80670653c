//! The tick clock through scenario files: `[simulation] clock = "tick"` reproduces the
//! reference simulator's V100 vectors, every policy sees the same random windows, and the
//! omniscient schedule is a lower bound on every window.

use crate::common::{root, scenario_path};
use spotsim::Simulator;
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
    // Tick-clock runs are cut into small blocks; one sequential aggregate of the same trials
    // is the same bits.
    let engine = Engine::new(&up);
    assert!(engine.block_trials() < 40);
    assert_eq!(
        spotsim::montecarlo::run_range(&engine, 0, 40),
        spotsim::montecarlo::run_parallel(&engine, 40, Some(2))
    );
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

/// A tick-clock scenario on a sampled (non-trace) market.
fn sampled(market: &str, policy: &str, training: &str, deadline: &str, changeover: &str) -> String {
    format!(
        "name = \"sampled\"\n\
         [job]\ninstance_type = \"ml.p3.2xlarge\"\nmanaged_spot = true\n\
         max_runtime = \"{deadline}\"\nmax_wait = \"{deadline}\"\n\
         [workload]\ntraining = \"{training}\"\n\
         [market]\n{market}\n\
         [pricing]\non_demand_per_hour = 3.06\nspot_discount = 0.7\n\
         [policy]\nname = \"{policy}\"\ndeadline = \"{deadline}\"\nchangeover = \"{changeover}\"\n\
         [simulation]\nclock = \"tick\"\ntick = \"10m\"\n"
    )
}

fn scenario(text: &str) -> Scenario {
    Scenario::from_toml(text, "sampled.toml", "sampled").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn sampled_availability_follows_the_alternating_renewal_closed_form() {
    // Exponential uptimes (mean U) and capacity waits (mean W), starting without capacity:
    // P(available at t) = U/(U+W)·(1 − exp(−(1/U + 1/W)·t)).
    let (u, w) = (6.0_f64, 2.0_f64);
    let market =
        format!("model = \"exponential\"\nmean_uptime = \"{u}h\"\nmean_capacity_wait = \"{w}h\"");
    let s = scenario(&sampled(&market, "greedy", "20h", "31h", "0s"));
    let clock = s.clock.tick().expect("tick clock");
    let trials = 20_000u64;
    let probes = [(3usize, 0.5), (12, 2.0), (48, 8.0), (180, 30.0)]; // (tick, hours)
    let mut available = [0u64; 4];
    for trial in 0..trials {
        let preempted = clock.preempted(1, trial);
        assert_eq!(preempted.len(), 31 * 6 + 1);
        for (count, (tick, _)) in available.iter_mut().zip(probes) {
            *count += u64::from(!preempted[tick]);
        }
    }
    for (count, (_, hours)) in available.iter().zip(probes) {
        let expected = u / (u + w) * (1.0 - (-(1.0 / u + 1.0 / w) * hours).exp());
        let observed = *count as f64 / trials as f64;
        let se = (expected * (1.0 - expected) / trials as f64).sqrt();
        assert!(
            (observed - expected).abs() < 4.0 * se,
            "t = {hours} h: {observed} vs {expected} ± {se}"
        );
    }
    // The same trial samples the same availability, whatever the policy.
    let other = scenario(&sampled(&market, "omniscient", "20h", "31h", "0s"));
    let other_clock = other.clock.tick().unwrap();
    for trial in [0, 7, 19_999] {
        assert_eq!(clock.preempted(1, trial), other_clock.preempted(1, trial));
    }
    assert_ne!(
        clock.preempted(1, 0),
        clock.preempted(2, 0),
        "the seed matters"
    );
}

#[test]
fn sampled_windows_give_hand_computed_costs() {
    // Spot exists in [0, 4 h) and [6 h, 100 h); 8 h of training, deadline 12 h, 10-minute ticks,
    // spot $0.918/h, on-demand $3.06/h.
    let market = "model = \"windows\"\navailable = [[\"0s\", \"4h\"], [\"6h\", \"100h\"]]";
    let run = |policy: &str, changeover: &str| {
        let outcome =
            Engine::new(&scenario(&sampled(market, policy, "8h", "12h", changeover))).run(0);
        assert_eq!(outcome.outcome, Outcome::Completed, "{policy}");
        (outcome.cost_usd, outcome.wall_clock_seconds / 3600.0)
    };
    let close = |(cost, hours): (f64, f64), (want_cost, want_hours): (f64, f64), what: &str| {
        assert!(
            (cost - want_cost).abs() < 1e-9 && (hours - want_hours).abs() < 1e-9,
            "{what}: ${cost} at {hours} h, expected ${want_cost} at {want_hours} h"
        );
    };
    // No changeover: 4 h of spot, a 2 h wait (the slack allows it), 4 h of spot.
    for policy in ["greedy", "uniform-progress", "omniscient"] {
        close(run(policy, "0s"), (8.0 * 0.918, 10.0), policy);
    }
    close(run("on-demand", "0s"), (8.0 * 3.06, 8.0), "on-demand");
    // A 30-minute changeover on each launch: 3.5 h of progress by 4 h, relaunch at 6 h,
    // 4.5 h more after 30 min: done at 11 h with 9 h of spot; two spot runs are unavoidable,
    // so that is also the omniscient optimum.
    close(
        run("greedy", "30m"),
        (9.0 * 0.918, 11.0),
        "greedy, d = 30 min",
    );
    close(
        run("omniscient", "30m"),
        (9.0 * 0.918, 11.0),
        "omniscient, d = 30 min",
    );
    close(
        run("on-demand", "30m"),
        (8.5 * 3.06, 8.5),
        "on-demand, d = 30 min",
    );
    let (up, _) = run("uniform-progress", "30m");
    assert!(
        (9.0 * 0.918..=8.5 * 3.06).contains(&up),
        "uniform-progress ${up}"
    );
}

#[test]
fn omniscient_is_a_lower_bound_on_sampled_markets() {
    for market in [
        "model = \"exponential\"\nmean_uptime = \"6h\"\nmean_capacity_wait = \"2h\"",
        "model = \"weibull\"\nshape = 0.62\nscale = \"1.4h\"\nmean_capacity_wait = \"30m\"",
    ] {
        let engines: Vec<(&str, Engine)> =
            ["omniscient", "uniform-progress", "greedy", "on-demand"]
                .into_iter()
                .map(|p| {
                    (
                        p,
                        Engine::new(&scenario(&sampled(market, p, "24h", "30h", "12m"))),
                    )
                })
                .collect();
        for trial in 0..20 {
            let outcomes: Vec<_> = engines.iter().map(|(_, e)| e.run(trial)).collect();
            for ((name, _), o) in engines.iter().zip(&outcomes) {
                assert_eq!(o.outcome, Outcome::Completed, "{name} trial {trial}");
                assert!(
                    o.wall_clock_seconds <= 30.0 * 3600.0,
                    "{name} trial {trial}"
                );
                assert!(
                    outcomes[0].cost_usd <= o.cost_usd + 1e-9,
                    "trial {trial}: omniscient {} > {name} {}",
                    outcomes[0].cost_usd,
                    o.cost_usd
                );
            }
        }
    }
}

/// The error that loading `text` must give.
fn rejection(text: &str) -> String {
    Scenario::from_toml_in(text, "s.toml", "s", &root().join("scenarios"))
        .unwrap_err()
        .to_string()
}

#[test]
fn sampled_tick_clock_settings_are_checked() {
    let market = "model = \"exponential\"\nmean_uptime = \"6h\"\nmean_capacity_wait = \"2h\"";
    let text = sampled(market, "greedy", "20h", "30h", "0s");
    let missing = rejection(&text.replace("tick = \"10m\"\n", ""));
    assert!(
        missing.contains("[simulation] tick") && missing.contains("exponential"),
        "{missing}"
    );
    let zero = rejection(&text.replace("tick = \"10m\"", "tick = \"0s\""));
    assert!(zero.contains("[simulation] tick"), "{zero}");
    let continuous = rejection(
        &text
            .replace("clock = \"tick\"", "clock = \"continuous\"")
            .replace(
                "name = \"greedy\"\ndeadline = \"30h\"\nchangeover = \"0s\"",
                "name = \"managed-spot\"",
            ),
    );
    assert!(continuous.contains("[simulation] tick"), "{continuous}");
    // A replayed trace brings its own tick.
    let replay = std::fs::read_to_string(scenario_path("tick-v100-us-west-2a.toml"))
        .unwrap()
        .replace("clock = \"tick\"", "clock = \"tick\"\ntick = \"10m\"");
    let with_trace = rejection(&replay);
    assert!(
        with_trace.contains("[simulation] tick") && with_trace.contains("trace"),
        "{with_trace}"
    );
}

#[test]
fn a_stop_pays_and_credits_what_was_held_before_it() {
    // The windows market of `sampled_windows_give_hand_computed_costs`, greedy without
    // changeover: spot 0–4 h, idle 4–6 h, spot 6–10 h, Completed at 10 h for 8 h × $0.918.
    // Under MaxWait = 9 h (a planner grid point) the same run stops there: 7 h held and
    // credited. At 8 h 35 m the stop cuts the tick [8 h 30 m, 8 h 40 m): 6 h 35 m held and
    // billed, 6 h 30 m credited (progress counts at tick observations).
    let market = "model = \"windows\"\navailable = [[\"0s\", \"4h\"], [\"6h\", \"100h\"]]";
    let engine = Engine::new(&scenario(&sampled(market, "greedy", "8h", "12h", "0s")));
    let full = engine.run(0);
    assert_eq!(full.outcome, Outcome::Completed);
    assert_eq!(full.wall_clock_seconds, 10.0 * 3600.0);
    for (max_wait_h, held_h, credited_h) in
        [(9.0, 7.0, 7.0), (8.0 + 35.0 / 60.0, 6.0 + 35.0 / 60.0, 6.5)]
    {
        let (o, timeline) = engine
            .clone()
            .with_max_wait(max_wait_h * 3600.0)
            .run_with_timeline(0);
        assert_eq!(o.outcome, Outcome::MaxWaitTimeExceeded, "{max_wait_h} h");
        assert_eq!(o.wall_clock_seconds, max_wait_h * 3600.0);
        assert!(
            (o.training_time_seconds - held_h * 3600.0).abs() < 1e-6,
            "{}",
            o.training_time_seconds
        );
        assert!((o.cost_usd - held_h * 0.918).abs() < 1e-9, "{}", o.cost_usd);
        assert!(
            (o.progress_seconds - credited_h * 3600.0).abs() < 1e-6,
            "{}",
            o.progress_seconds
        );
        let statuses: Vec<&str> = timeline
            .transitions
            .iter()
            .map(|t| t.status.as_str())
            .collect();
        assert_eq!(
            statuses,
            [
                "Starting",
                "Training",
                "Interrupted",
                "Starting",
                "Training",
                "Stopping",
                "MaxWaitTimeExceeded"
            ]
        );
    }
}

#[test]
fn ticks_that_cannot_keep_the_limits_are_rejected() {
    let market = "model = \"exponential\"\nmean_uptime = \"6h\"\nmean_capacity_wait = \"2h\"";
    let text = sampled(market, "greedy", "20h", "30h", "0s");
    for (from, to, words) in [
        // A tick longer than the deadline: the first observation after the start is past it.
        (
            "tick = \"10m\"",
            "tick = \"31h\"",
            &["[simulation] tick", "longer than the deadline"][..],
        ),
        // 30 h in 7-minute ticks is 257.14 ticks.
        (
            "tick = \"10m\"",
            "tick = \"7m\"",
            &["[simulation] tick", "257.14 ticks", "107940 s or 108360 s"],
        ),
        (
            "max_runtime = \"30h\"",
            "max_runtime = \"29h\"",
            &["[policy] deadline", "max_runtime"],
        ),
        ("max_wait = \"30h\"", "max_wait = \"40h\"\n", &[]),
        (
            "training = \"20h\"",
            "training = \"30.5h\"",
            &["[policy] deadline", "not even on-demand"],
        ),
    ] {
        assert!(text.contains(from), "{from}");
        let changed = text.replacen(from, to, 1);
        if words.is_empty() {
            // MaxWait beyond the deadline is fine: the deadline is the policy's own.
            Scenario::from_toml_in(&changed, "s.toml", "s", &root().join("scenarios"))
                .unwrap_or_else(|e| panic!("{e}"));
            continue;
        }
        let message = rejection(&changed);
        for word in words {
            assert!(message.contains(word), "{to}: {message}");
        }
    }
    // A deadline beyond MaxWait: SageMaker would stop the job first.
    let beyond = text
        .replacen("max_runtime = \"30h\"", "max_runtime = \"20h\"", 1)
        .replacen("max_wait = \"30h\"", "max_wait = \"20h\"", 1)
        .replacen("training = \"20h\"", "training = \"10h\"", 1);
    let message = rejection(&beyond);
    assert!(
        message.contains("[policy] deadline") && message.contains("max_wait"),
        "{message}"
    );
    // A replayed trace's row spacing is the tick: 60 h is 1,107.69 rows of 195 s.
    let replay = std::fs::read_to_string(scenario_path("tick-v100-us-west-2a.toml"))
        .unwrap()
        .replace("215670", "216000");
    let message = rejection(&replay);
    assert!(
        message.contains("[policy] deadline")
            && message.contains("row spacing")
            && message.contains("215865 s or 216060 s"),
        "{message}"
    );
}

#[test]
fn every_registered_tick_policy_is_accepted_and_runs_the_named_policy() {
    use spotsim::policy::registry::{ClockKind, names};
    use spotsim::tick::policies::RcThreshold;
    // The registry is the one list: every tick-clock name it holds is a valid scenario.
    for name in names(ClockKind::Tick) {
        let scenario = variant("us-west-2a", name, "\"179.725h\"");
        assert_eq!(scenario.clock.policy_name(), name);
    }
    // `rc-threshold-keep-od` is RC threshold with keep_on_demand (spec §9.2): the scenario's
    // trial bills what the reference simulator bills for that policy on the same window.
    for (zone, start) in [("us-west-2a", "179.725h"), ("us-east-1c", "179.725h")] {
        let scenario = variant(zone, "rc-threshold-keep-od", &format!("\"{start}\""));
        let spec = scenario.clock.tick().unwrap();
        let preempted = spec.preempted(0, 0);
        let input = spec.input(&preempted, spec.start_seconds(0, 0));
        let mut keep = RcThreshold {
            keep_on_demand: true,
        };
        let reference = spotsim::tick::run_to_deadline(&input, &mut keep, false).unwrap();
        let outcome = Engine::new(&scenario).run(0);
        assert_eq!(outcome.outcome, Outcome::Completed, "{zone}");
        assert_eq!(outcome.cost_usd, reference.cost, "{zone}");
    }
}

/// The market named in `tests/golden/omniscient-schedules.txt`.
fn recorded_market(name: &str) -> Scenario {
    let exponential = "model = \"exponential\"\nmean_uptime = \"6h\"\nmean_capacity_wait = \"2h\"";
    match name {
        "v100" => variant("us-west-2a", "omniscient", "\"random\""),
        "v100-1c" => variant("us-east-1c", "omniscient", "\"random\""),
        "weibull" => {
            let text = std::fs::read_to_string(scenario_path("tick-weibull-gpu.toml")).unwrap();
            Scenario::from_toml_in(&text, "w.toml", "w", &root().join("scenarios")).unwrap()
        }
        "exponential" => scenario(&sampled(exponential, "greedy", "24h", "30h", "12m")),
        "exp-d0" => scenario(&sampled(exponential, "greedy", "24h", "30h", "0s")),
        "exp-k1" => scenario(&sampled(exponential, "greedy", "24h", "30h", "5m")),
        other => panic!("unknown market {other}"),
    }
}

/// FNV-1a (64 bits) of a schedule, one byte per tick: 0 idle, 1 spot, 2 on-demand.
fn schedule_hash(schedule: &[spotsim::tick::Instance]) -> u64 {
    use spotsim::tick::Instance;
    schedule.iter().fold(0xcbf2_9ce4_8422_2325, |h, kind| {
        let byte = match kind {
            Instance::Idle => 0,
            Instance::Spot => 1,
            Instance::OnDemand => 2,
        };
        (h ^ byte).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The omniscient search reproduces, bit for bit, the optimum and the schedule that the dense
/// dynamic-programming table it replaced computed on 740 windows: the V100 trace in two zones,
/// the Weibull GPU market (constant spot price, so many schedules tie) and exponential markets
/// with a 12-minute, a 5-minute (launch warm in one tick) and no changeover.
#[test]
fn omniscient_reproduces_the_recorded_optimum_and_schedule_of_every_window() {
    let path = root().join("tests/golden/omniscient-schedules.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut markets: std::collections::HashMap<String, Scenario> = Default::default();
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [market, trial, with_schedule, without, t_done, hash] = fields[..] else {
            panic!("{}: bad line {line:?}", path.display());
        };
        let scenario = markets
            .entry(market.to_string())
            .or_insert_with(|| recorded_market(market));
        let (spec, seed) = (scenario.clock.tick().unwrap(), scenario.simulation.seed);
        let trial: u64 = trial.parse().unwrap();
        let preempted = spec.preempted(seed, trial);
        let input = spec.input(&preempted, spec.start_seconds(seed, trial));
        let what = format!("{market} window {trial}");
        let best =
            spotsim::tick::omniscient(&input, true).unwrap_or_else(|e| panic!("{what}: {e}"));
        let plain = spotsim::tick::omniscient(&input, false).unwrap();
        assert_eq!(
            format!("{:016x}", best.cost.to_bits()),
            with_schedule,
            "{what}"
        );
        assert_eq!(format!("{:016x}", plain.cost.to_bits()), without, "{what}");
        assert_eq!(best.t_done.to_string(), t_done, "{what}");
        assert_eq!(plain.t_done.to_string(), t_done, "{what}");
        let schedule = best.schedule.unwrap();
        assert_eq!(format!("{:016x}", schedule_hash(&schedule)), hash, "{what}");
        checked += 1;
    }
    assert_eq!(checked, 740);
}
