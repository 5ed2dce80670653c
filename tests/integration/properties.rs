//! Engine invariants on random valid scenarios (proptest): every trial reaches a terminal
//! status; the statuses partition the wall clock and held time is Downloading + Training +
//! Uploading; money is held time × price; progress never exceeds the requirement; MaxRuntime
//! and MaxWait are respected; a larger MaxWait never turns a completion into a stop.

use proptest::prelude::*;
use spotsim::Simulator;
use spotsim::sagemaker::SecondaryStatus::{self, Downloading, Starting, Training, Uploading};
use spotsim::{Engine, Outcome, Scenario};

#[derive(Debug, Clone)]
struct Params {
    training_min: u32,
    provisioning_s: u32,
    download_s: u32,
    upload_s: u32,
    stopping_s: u32,
    interval_min: Option<u32>,
    write_s: u32,
    restore_s: u32,
    on_notice: bool,
    durable: bool,
    mean_uptime_min: u32,
    wait_min: u32,
    instances: u32,
    max_runtime_h: u32,
    extra_wait_h: u32,
    fallback: bool,
    /// `InternalServerError`s per held hour (with two retries when above 0).
    errors_per_hour: f64,
}

fn params() -> impl Strategy<Value = Params> {
    (
        (30u32..2880, 0u32..600, 0u32..600, 0u32..600, 0u32..60),
        (
            proptest::option::of(5u32..360),
            0u32..300,
            0u32..300,
            any::<bool>(),
            any::<bool>(),
        ),
        (
            30u32..1440,
            0u32..120,
            1u32..8,
            1u32..72,
            0u32..72,
            any::<bool>(),
        ),
    )
        .prop_map(|(a, b, c)| Params {
            training_min: a.0,
            provisioning_s: a.1,
            download_s: a.2,
            upload_s: a.3,
            stopping_s: a.4,
            interval_min: b.0,
            write_s: b.1,
            restore_s: b.2,
            on_notice: b.3,
            durable: b.4,
            mean_uptime_min: c.0,
            wait_min: c.1,
            instances: c.2,
            max_runtime_h: c.3,
            extra_wait_h: c.4,
            fallback: c.5,
            errors_per_hour: 0.0,
        })
}

fn scenario(p: &Params, max_wait_h: u32) -> Scenario {
    let checkpoint = match p.interval_min {
        Some(minutes) => format!("policy = \"interval\"\ninterval = \"{minutes}m\""),
        None => "policy = \"none\"".to_string(),
    };
    let text = format!(
        r#"
[job]
managed_spot = true
instance_count = {instances}
max_runtime = "{runtime}h"
max_wait = "{max_wait_h}h"
{s3}
internal_error_rate = {errors}
{retries}

[workload]
training = "{training}m"
provisioning = {prov}
download = {download}
upload = {upload}
stopping = {stopping}

[checkpoint]
{checkpoint}
write = {write}
restore = {restore}
on_notice = "{notice}"

[market]
model = "exponential"
mean_uptime = "{uptime}m"
mean_capacity_wait = "{wait}m"

[pricing]
on_demand_per_hour = 3.0
spot_per_hour = 1.0

[policy]
name = "{policy}"
"#,
        instances = p.instances,
        runtime = p.max_runtime_h,
        errors = p.errors_per_hour,
        retries = if p.errors_per_hour > 0.0 {
            "max_retry_attempts = 2"
        } else {
            ""
        },
        s3 = if p.durable {
            "checkpoint_s3_uri = \"s3://b/c\""
        } else {
            ""
        },
        training = p.training_min,
        prov = p.provisioning_s,
        download = p.download_s,
        upload = p.upload_s,
        stopping = p.stopping_s,
        write = p.write_s,
        restore = p.restore_s,
        notice = if p.on_notice { "checkpoint" } else { "ignore" },
        uptime = p.mean_uptime_min,
        wait = p.wait_min,
        policy = if p.fallback {
            "spot-then-on-demand"
        } else {
            "managed-spot"
        },
    );
    Scenario::from_toml(&text, "property.toml", "property")
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn engine_invariants_hold(p in params()) {
        let max_wait_h = p.max_runtime_h + p.extra_wait_h;
        let s = scenario(&p, max_wait_h);
        let engine = Engine::new(&s);
        let larger = Engine::new(&scenario(&p, max_wait_h + 24));
        let training = s.workload.training_seconds;
        let instances = f64::from(p.instances);
        for trial in 0..16 {
            let (o, timeline) = engine.run_with_timeline(trial);
            let t = &timeline.transitions;
            // Terminal status reached, and it is the outcome's.
            let last = t.last().expect("a timeline");
            prop_assert!(last.status.is_terminal());
            prop_assert_eq!(last.status, o.outcome.status());
            prop_assert_eq!(last.end_seconds, o.wall_clock_seconds);
            // Time conservation.
            let total: f64 = t.iter().map(|e| e.end_seconds - e.start_seconds).sum();
            prop_assert!((total - o.wall_clock_seconds).abs() <= 1e-6 * o.wall_clock_seconds.max(1.0));
            for pair in t.windows(2) {
                prop_assert_eq!(pair[0].end_seconds, pair[1].start_seconds);
            }
            let held = timeline.seconds_in(Downloading) + timeline.seconds_in(Training) + timeline.seconds_in(Uploading);
            prop_assert!((held - o.training_time_seconds).abs() <= 1e-6 * held.max(1.0));
            // Money conservation: spot seconds at $1/h, on-demand seconds at $3/h.
            let on_demand_held = o.on_demand_cost_usd / (3.0 * instances / 3600.0);
            let expected = ((o.training_time_seconds - on_demand_held) * 1.0 + on_demand_held * 3.0) * instances / 3600.0;
            prop_assert!((o.cost_usd - expected).abs() <= 1e-9 * expected.max(1.0));
            prop_assert!(o.cost_usd >= 0.0 && o.cost_usd.is_finite());
            // Progress is bounded by the requirement, and complete when Completed.
            prop_assert!(o.progress_seconds <= training + 1e-6);
            if o.outcome == Outcome::Completed {
                prop_assert_eq!(o.progress_seconds, training);
            }
            if !p.fallback {
                // The limits: held time within MaxRuntime; the end within MaxWait + stopping.
                prop_assert!(o.training_time_seconds <= s.job.max_runtime_seconds + 1e-6);
                prop_assert!(o.wall_clock_seconds <= max_wait_h as f64 * 3600.0 + p.stopping_s as f64 + 1e-6);
                // Monotone in MaxWait: the same trial with a larger MaxWait completes whenever
                // it completed before, at the same instant.
                let later = larger.run(trial);
                if o.outcome == Outcome::Completed {
                    prop_assert_eq!(later.outcome, Outcome::Completed);
                    prop_assert_eq!(later.wall_clock_seconds, o.wall_clock_seconds);
                }
            }
        }
    }
}

/// A job with durable `interval` checkpoints (no emergency ones) on an exponential market
/// whose MaxWait is often too short, so that spot jobs are stopped mid-attempt (with and
/// without a fallback), and optionally `InternalServerError`s.
fn checkpoint_params() -> impl Strategy<Value = Params> {
    (
        (60u32..1440, 5u32..120, 0u32..300, 0u32..300, 0u32..300),
        (20u32..600, 0u32..90, 100u32..250, 0u32..3),
        (prop_oneof![Just(0.0), 0.01f64..0.5], any::<bool>()),
    )
        .prop_map(|(a, b, c)| Params {
            training_min: a.0,
            provisioning_s: 60,
            download_s: a.4,
            upload_s: 30,
            stopping_s: 10,
            interval_min: Some(a.1),
            write_s: a.2,
            restore_s: a.3,
            on_notice: false,
            durable: true,
            mean_uptime_min: b.0,
            wait_min: b.1,
            instances: 1,
            // MaxRuntime 1 to 2.5 times the training, in whole hours.
            max_runtime_h: (a.0 * b.2).div_ceil(6000),
            extra_wait_h: b.3,
            fallback: c.1,
            errors_per_hour: c.0,
        })
}

/// The training saved by the checkpoints whose write completed in the `Training` entries of
/// `transitions`, read off the timeline alone: an attempt that resumes with `saved` of
/// `training` done writes after every `interval` of training but the last segment, so a
/// Training entry of length L completed ⌊L / (interval + write)⌋ of its ⌈(training − saved) /
/// interval⌉ − 1 writes.
fn saved_by_the_timeline(
    transitions: &[spotsim::engine::Transition],
    training: f64,
    interval: f64,
    write: f64,
) -> f64 {
    let mut saved = 0.0;
    for t in transitions.iter().filter(|t| t.status == Training) {
        let writes = ((training - saved) / interval).ceil() - 1.0;
        let done = ((t.end_seconds - t.start_seconds) / (interval + write))
            .floor()
            .min(writes.max(0.0));
        saved += done * interval;
    }
    saved
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The fallback on-demand job resumes from the newest checkpoint whose write completed in
    /// any attempt of the spot job, the attempt MaxWait cut short included (reference §9); and
    /// every stopped or failed trial reports exactly that saved training as its progress.
    #[test]
    fn the_fallback_resumes_from_the_newest_completed_checkpoint(p in checkpoint_params()) {
        let s = scenario(&p, p.max_runtime_h + p.extra_wait_h);
        let engine = Engine::new(&s);
        let training = s.workload.training_seconds;
        let interval = s.checkpoint.policy.interval_seconds();
        let write = s.checkpoint.write_seconds;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
        for trial in 0..16 {
            let (o, timeline) = engine.run_with_timeline(trial);
            let t = &timeline.transitions;
            if o.outcome != Outcome::Completed {
                let saved = saved_by_the_timeline(t, training, interval, write);
                prop_assert!(close(o.progress_seconds, saved), "trial {}: progress {} but the timeline saved {}", trial, o.progress_seconds, saved);
            }
            let Some(stop) = t.iter().position(|e| e.status == SecondaryStatus::MaxWaitTimeExceeded) else { continue };
            if stop + 1 == t.len() {
                continue; // no fallback
            }
            prop_assert!(p.fallback);
            let saved = saved_by_the_timeline(&t[..stop], training, interval, write);
            // The on-demand job's first attempt: Starting, Downloading (with the restore once
            // a checkpoint exists), then Training of what is left plus its writes.
            let od = &t[stop + 1..];
            prop_assert_eq!(od[0].status, Starting);
            // (An InternalServerError may end either phase early.)
            let Some(i) = od.iter().position(|e| e.status == Training) else { continue };
            prop_assert_eq!(od[i - 1].status, Downloading);
            let restore = if saved > 0.0 { s.checkpoint.restore_seconds } else { 0.0 };
            let download = od[i - 1].end_seconds - od[i - 1].start_seconds;
            prop_assert!(close(download, s.workload.download_seconds + restore), "trial {}: downloaded {} s", trial, download);
            let left = training - saved;
            let writes = ((left / interval).ceil() - 1.0).max(0.0);
            let expected = left + writes * write;
            let length = od[i].end_seconds - od[i].start_seconds;
            if od.get(i + 1).is_some_and(|e| e.status == Uploading) {
                prop_assert!(close(length, expected), "trial {}: the on-demand job trained {} s, resuming from {} s needs {} s", trial, length, saved, expected);
            } else {
                prop_assert!(length <= expected + 1e-6);
            }
        }
    }
}

/// A tick-clock scenario: a sampled market or a small hand-made trace, with a tick, deadline,
/// training, changeover and limits that need not fit together (tick longer than the deadline
/// or not dividing it, MaxRuntime or MaxWait below the deadline, no time for the training).
#[derive(Debug, Clone)]
struct TickParams {
    tick_s: u32,
    /// The deadline: this many whole ticks plus `deadline_extra_s`.
    deadline_ticks: u32,
    deadline_extra_s: u32,
    /// Training and changeover as per mille of the deadline.
    training_permille: u32,
    changeover_permille: u32,
    /// MaxRuntime and MaxWait as per mille of the deadline (MaxWait ≥ MaxRuntime).
    runtime_permille: u32,
    wait_extra_permille: u32,
    policy: &'static str,
    /// `None`: a sampled exponential market; `Some(rows)`: a JSON trace of these 0/1 rows.
    trace: Option<Vec<bool>>,
    mean_uptime_min: u32,
    wait_min: u32,
}

fn tick_params() -> impl Strategy<Value = TickParams> {
    let trace = proptest::option::of(proptest::collection::vec(any::<bool>(), 1..80));
    (
        (
            1u32..3600,
            0u32..40,
            prop_oneof![6 => Just(0u32), 1 => 1u32..3600],
            prop_oneof![6 => 50u32..800, 1 => 800u32..1100],
            0u32..200,
        ),
        (
            prop_oneof![6 => 1000u32..1500, 1 => 800u32..1000],
            prop_oneof![6 => Just(0u32), 1 => 0u32..500],
            prop::sample::select(spotsim::policy::registry::names(
                spotsim::policy::registry::ClockKind::Tick,
            )),
            trace,
            5u32..600,
            0u32..240,
        ),
    )
        .prop_map(|(a, b)| TickParams {
            tick_s: a.0,
            deadline_ticks: a.1,
            deadline_extra_s: a.2,
            training_permille: a.3,
            changeover_permille: a.4,
            runtime_permille: b.0,
            wait_extra_permille: b.1,
            policy: b.2,
            trace: b.3,
            mean_uptime_min: b.4,
            wait_min: b.5,
        })
}

/// The scenario text (the trace, if any, written into `dir`), and its deadline in seconds.
fn tick_scenario_text(p: &TickParams, dir: &std::path::Path) -> (String, u64) {
    let deadline =
        (u64::from(p.deadline_ticks) * u64::from(p.tick_s) + u64::from(p.deadline_extra_s)).max(1);
    let per_mille = |x: u32| (deadline * u64::from(x) / 1000).max(1);
    let max_runtime = per_mille(p.runtime_permille);
    let max_wait = max_runtime + per_mille(p.wait_extra_permille);
    let (market, simulation) = match &p.trace {
        None => (
            format!(
                "model = \"exponential\"\nmean_uptime = \"{}m\"\nmean_capacity_wait = \"{}m\"",
                p.mean_uptime_min, p.wait_min
            ),
            format!("tick = {}", p.tick_s),
        ),
        Some(rows) => {
            // Long enough for every window, so that only the limits decide.
            let needed = (deadline / u64::from(p.tick_s) + 2) as usize;
            let data: Vec<&str> = rows
                .iter()
                .cycle()
                .take(needed.max(rows.len()))
                .map(|&a| if a { "1" } else { "0" })
                .collect();
            let json = format!(
                r#"{{"metadata":{{"gap_seconds":{}}},"data":[{}]}}"#,
                p.tick_s,
                data.join(",")
            );
            std::fs::write(dir.join("trace.json"), json).unwrap();
            (
                "model = \"trace\"\npath = \"trace.json\"\nformat = \"json\"\nconvention = \"available\"\nstart = \"random\"".to_string(),
                String::new(),
            )
        }
    };
    let text = format!(
        r#"
[job]
managed_spot = true
max_runtime = {max_runtime}
max_wait = {max_wait}

[workload]
training = {training}

[market]
{market}

[pricing]
on_demand_per_hour = 3.0
spot_per_hour = 1.0

[policy]
name = "{policy}"
deadline = {deadline}
changeover = {changeover}

[simulation]
clock = "tick"
{simulation}
"#,
        training = per_mille(p.training_permille),
        changeover = deadline * u64::from(p.changeover_permille) / 1000,
        policy = p.policy,
    );
    (text, deadline)
}

/// Checks `o` against the limits: a Completed trial ends by MaxWait and `deadline_seconds`
/// with at most MaxRuntime held, and no trial holds more than MaxRuntime or ends after the
/// deadline (plus Stopping).
fn check_limits(
    o: &spotsim::TrialOutcome,
    s: &Scenario,
    deadline_seconds: f64,
) -> Result<(), TestCaseError> {
    let max_runtime = s.job.max_runtime_seconds;
    let max_wait = s.max_wait_or_infinity();
    // Held time is a sum over attempts: equal to MaxRuntime up to its rounding.
    prop_assert!(
        o.training_time_seconds <= max_runtime * (1.0 + 1e-12),
        "held {} s > MaxRuntime {} s",
        o.training_time_seconds,
        max_runtime
    );
    prop_assert!(o.training_time_seconds <= o.wall_clock_seconds + 1e-9);
    prop_assert!(o.cost_usd >= 0.0 && o.cost_usd.is_finite());
    prop_assert!(o.progress_seconds <= s.workload.training_seconds + 1e-6);
    prop_assert!(o.wall_clock_seconds <= deadline_seconds + s.workload.stopping_seconds);
    if o.outcome == Outcome::Completed {
        prop_assert!(
            o.wall_clock_seconds <= deadline_seconds,
            "Completed at {} s, deadline {} s",
            o.wall_clock_seconds,
            deadline_seconds
        );
        prop_assert!(
            o.wall_clock_seconds <= max_wait,
            "Completed at {} s, MaxWait {} s",
            o.wall_clock_seconds,
            max_wait
        );
        prop_assert_eq!(o.progress_seconds, s.workload.training_seconds);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The tick clock never reports a completion past the deadline, MaxWait or MaxRuntime: a
    /// scenario whose tick cannot represent its limits is rejected naming the key, and every
    /// trial of any other ends within them.
    #[test]
    fn no_completed_tick_trial_exceeds_its_limits(p in tick_params()) {
        let dir = tempfile::tempdir().unwrap();
        let (text, deadline) = tick_scenario_text(&p, dir.path());
        let s = match Scenario::from_toml_in(&text, "tick.toml", "tick", dir.path()) {
            Ok(s) => s,
            Err(e) => {
                prop_assert!(e.key.is_some(), "{e}");
                return Ok(());
            }
        };
        let engine = Engine::new(&s);
        for trial in 0..8u32 {
            let (o, timeline) = engine.run_with_timeline(u64::from(trial));
            check_limits(&o, &s, deadline as f64)?;
            let t = &timeline.transitions;
            let last = t.last().expect("a timeline");
            prop_assert_eq!(last.status, o.outcome.status());
            prop_assert_eq!(last.end_seconds, o.wall_clock_seconds);
            for pair in t.windows(2) {
                prop_assert_eq!(pair[0].end_seconds, pair[1].start_seconds);
            }
            if o.outcome != Outcome::Completed {
                prop_assert_eq!(o.wall_clock_seconds, deadline as f64, "a stop is at the deadline");
            }
            // A smaller MaxWait (the planner's grid) stops the same run there, whole ticks or
            // not; it keeps a completion that came by then.
            let fraction = f64::from((trial * 389 + p.training_permille) % 1000 + 1) / 1001.0;
            let max_wait = deadline as f64 * fraction;
            let cut = engine.clone().with_max_wait(max_wait).run(u64::from(trial));
            check_limits(&cut, &s, max_wait)?;
            if o.outcome == Outcome::Completed && o.wall_clock_seconds <= max_wait {
                prop_assert_eq!(cut, o);
            } else {
                prop_assert_eq!(cut.outcome, Outcome::MaxWaitTimeExceeded);
                prop_assert_eq!(cut.wall_clock_seconds, max_wait);
                prop_assert!(cut.cost_usd <= o.cost_usd + 1e-9 && cut.progress_seconds <= o.progress_seconds);
            }
        }
    }

    /// The continuous clock: a Completed trial ends by MaxWait with at most MaxRuntime held; with
    /// spot-then-on-demand each job keeps its own limits (the spot job stops by MaxWait, each
    /// job holds at most its MaxRuntime).
    #[test]
    fn no_completed_continuous_trial_exceeds_its_limits(p in params()) {
        let max_wait_h = p.max_runtime_h + p.extra_wait_h;
        let s = scenario(&p, max_wait_h);
        let engine = Engine::new(&s);
        let max_wait = s.max_wait_or_infinity();
        let max_runtime = s.job.max_runtime_seconds;
        for trial in 0..16 {
            let o = engine.run(trial);
            match o.fallback_seconds {
                None => check_limits(&o, &s, max_wait)?,
                Some(fell_back) => {
                    prop_assert!(fell_back <= max_wait + s.workload.stopping_seconds);
                    let on_demand_held = o.on_demand_cost_usd / (3.0 * f64::from(p.instances) / 3600.0);
                    let spot_held = o.training_time_seconds - on_demand_held;
                    // (Recovered from the costs: equal to MaxRuntime up to their rounding.)
                    prop_assert!(spot_held <= max_runtime * (1.0 + 1e-9), "spot job held {} s", spot_held);
                    prop_assert!(on_demand_held <= max_runtime * (1.0 + 1e-9), "on-demand job held {} s", on_demand_held);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The consistency rules of partials never reject a real run: the shards of random
    /// scenarios (managed spot and fallback, tick clock on sampled markets) validate and merge
    /// into exactly the aggregate of one run.
    #[test]
    fn real_partials_always_validate_and_merge(p in params(), t in tick_params(), shards in 1u64..5) {
        let dir = tempfile::tempdir().unwrap();
        let (tick_text, _) = tick_scenario_text(&t, dir.path());
        let tick = Scenario::from_toml_in(&tick_text, "tick.toml", "tick", dir.path()).ok();
        for s in std::iter::once(scenario(&p, p.max_runtime_h + p.extra_wait_h)).chain(tick) {
            let engine = Engine::new(&s);
            let trials = 40;
            let partials: Vec<(String, spotsim::montecarlo::Partial)> = (0..shards)
                .map(|index| {
                    let shard = spotsim::montecarlo::Shard { index, count: shards };
                    let range = shard.range(trials);
                    let aggregate = spotsim::montecarlo::run_range(&engine, range.start, range.end);
                    (format!("shard-{index}.json"), spotsim::montecarlo::Partial::new(&s, &engine, trials, shard, aggregate))
                })
                .collect();
            let merged = spotsim::montecarlo::merge_partials(&partials).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(merged.aggregate, spotsim::montecarlo::run_range(&engine, 0, trials));
        }
    }
}
