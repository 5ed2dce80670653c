//! Determinism: trial k depends only on (seed, k); summaries are identical for any thread
//! count and any split of the trials; `describe --trial k` is trial k of `simulate`.

use spotsim::Simulator;
use spotsim::montecarlo::{Aggregate, RunOptions, run_parallel, run_range, simulate};
use spotsim::{Engine, Scenario};

fn summary_without_run(scenario: &Scenario, threads: usize) -> String {
    let options = RunOptions {
        trials: 20_000,
        seed: 11,
        threads: Some(threads),
        precision: None,
        shard: None,
    };
    let mut value = serde_json::to_value(simulate(scenario, &options)).unwrap();
    value.as_object_mut().unwrap().remove("run");
    serde_json::to_string(&value).unwrap()
}

#[test]
fn summary_is_identical_for_any_thread_count() {
    let scenario = Scenario::embedded_default();
    let one = summary_without_run(&scenario, 1);
    assert_eq!(one, summary_without_run(&scenario, 2));
    assert_eq!(one, summary_without_run(&scenario, 3));
}

#[test]
fn any_split_of_the_trials_merges_to_the_same_aggregate() {
    let engine = Engine::new(&Scenario::embedded_default());
    let trials = 10_000;
    let whole = run_parallel(&engine, trials, Some(2));
    // Uneven pieces merged in reverse order.
    let cuts = [0, 1, 777, 4096, 4097, 9_999, trials];
    let mut merged = Aggregate::default();
    for pair in cuts.windows(2).rev() {
        merged += &run_range(&engine, pair[0], pair[1]);
    }
    assert_eq!(whole, merged);
    // Interleaved shards (trials ≡ i mod 3).
    let mut interleaved = Aggregate::default();
    for shard in 0..3u64 {
        let mut part = Aggregate::default();
        for trial in (shard..trials).step_by(3) {
            part.add_trial(trial, &engine.run(trial));
        }
        interleaved += &part;
    }
    assert_eq!(whole, interleaved);
}

#[test]
fn a_trial_is_the_same_alone_with_a_timeline_or_inside_a_run() {
    let scenario = Scenario::embedded_default();
    let engine = Engine::new(&scenario);
    for trial in [0, 1, 17, 4095, 4096, 9_999] {
        let alone = engine.run(trial);
        let (recorded, timeline) = engine.run_with_timeline(trial);
        assert_eq!(alone, recorded);
        assert!(!timeline.transitions.is_empty());
        let mut single = Aggregate::default();
        single.add_trial(trial, &alone);
        assert_eq!(single, run_range(&engine, trial, trial + 1));
    }
}

#[test]
fn seeds_change_the_draws_and_only_the_seed_matters() {
    let scenario = Scenario::embedded_default();
    let a = Engine::new(&scenario).with_seed(1);
    let b = Engine::new(&scenario).with_seed(2);
    let differing = (0..100).filter(|&k| a.run(k) != b.run(k)).count();
    assert!(
        differing > 90,
        "different seeds give different trials ({differing}/100)"
    );
    let again = Engine::new(&scenario).with_seed(1);
    assert!((0..100).all(|k| a.run(k) == again.run(k)));
}

#[test]
fn common_random_numbers_across_scenario_variants() {
    // Changing the capacity wait must not change the uptimes drawn: with capacity waits of
    // zero and of one hour, the first attempt's uptime (hence the first interruption's
    // training progress) is the same draw. Checked through the time of the first loss: with
    // waits w, the first loss is at w1 + U1 where U1 is shared.
    let base = Scenario::embedded_default();
    let text = spotsim::scenario::DEFAULT_SCENARIO;
    let no_wait = Scenario::from_toml(
        &text.replace(
            "mean_capacity_wait = \"20m\"",
            "mean_capacity_wait = \"0s\"",
        ),
        "t",
        "t",
    )
    .unwrap();
    let engine_base = Engine::new(&base);
    let engine_no_wait = Engine::new(&no_wait);
    for trial in 0..50 {
        let (_, with_wait) = engine_base.run_with_timeline(trial);
        let (_, without) = engine_no_wait.run_with_timeline(trial);
        let first_loss = |t: &spotsim::Timeline| {
            let starting_end = t.transitions[0].end_seconds; // capacity acquired + provisioning
            t.transitions
                .iter()
                .find(|e| {
                    e.status.is_terminal()
                        || e.status == spotsim::sagemaker::SecondaryStatus::Interrupted
                })
                .map(|e| e.start_seconds - starting_end)
        };
        assert_eq!(
            first_loss(&with_wait).map(|x| (x * 1e6).round()),
            first_loss(&without).map(|x| (x * 1e6).round()),
            "trial {trial}"
        );
    }
}
