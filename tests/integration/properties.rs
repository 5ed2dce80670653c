//! Engine invariants on random valid scenarios (proptest): every trial reaches a terminal
//! status; the statuses partition the wall clock and held time is Downloading + Training +
//! Uploading; money is held time × price; progress never exceeds the requirement; MaxRuntime
//! and MaxWait are respected; a larger MaxWait never turns a completion into a stop.

use proptest::prelude::*;
use spotsim::sagemaker::SecondaryStatus::{Downloading, Training, Uploading};
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
