//! Waits for on-demand capacity (`[on_demand] mean_capacity_wait`): every time an on-demand
//! job asks for capacity it first waits Exp(mean), shown as Starting, not billed, outside
//! MaxRuntime, inside the wall clock — drawn from its own stream, so that without the key (or
//! with 0) every trial is the trial it was.
//!
//! The job of [`ON_DEMAND`]: provisioning P = 300 s, download d = 120 s, training 14,400 s,
//! upload u = 60 s, no checkpoints. Held time H = d + 14,400 + u = 14,580 s; the job without
//! a wait takes T_job = P + H = 14,880 s; it costs H × $3.825/h = $15.49125.

use crate::common::{parse, stdout_of};
use assert_cmd::cargo::cargo_bin_cmd;
use spotsim::Simulator;
use spotsim::engine::Timeline;
use spotsim::plan::options::with_purchase_option;
use spotsim::sagemaker::SecondaryStatus::*;
use spotsim::{Engine, Outcome, Scenario};

const ON_DEMAND: &str = r#"
name = "on-demand-wait"
[job]
managed_spot = false
max_runtime = "10h"
[workload]
training = "4h"
provisioning = "5m"
download = "2m"
upload = "1m"
[pricing]
on_demand_per_hour = 3.825
"#;

const HELD_SECONDS: f64 = 14_580.0;
const JOB_SECONDS: f64 = 14_880.0;
const MEAN_WAIT_SECONDS: f64 = 1500.0;

fn with_wait(text: &str, wait: &str) -> Scenario {
    parse(&format!("{text}[on_demand]\nmean_capacity_wait = {wait}\n"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Conservation per trial: the statuses partition the wall clock, and what is neither capacity
/// wait nor held time is one provisioning per Starting.
fn check_conservation(trial: u64, outcome: &spotsim::TrialOutcome, timeline: &Timeline) {
    let total: f64 = timeline
        .transitions
        .iter()
        .map(|t| t.end_seconds - t.start_seconds)
        .sum();
    assert!(close(total, outcome.wall_clock_seconds), "trial {trial}");
    let attempts = timeline
        .transitions
        .iter()
        .filter(|t| t.status == Starting)
        .count() as f64;
    let provisioning =
        outcome.wall_clock_seconds - outcome.capacity_wait_seconds - outcome.training_time_seconds;
    assert!(
        close(provisioning, 300.0 * attempts),
        "trial {trial}: {provisioning} s neither waiting nor held over {attempts} attempts"
    );
}

/// Each trial: Starting lasts the wait plus provisioning, then the phases exactly as without a
/// wait; wall clock = wait + T_job; held time, cost and billable time are those of the trial
/// without the key (the wait is not billed).
#[test]
fn an_on_demand_job_waits_unbilled_then_runs_its_phases() {
    let immediate = Engine::new(&parse(ON_DEMAND));
    let waiting = Engine::new(&with_wait(ON_DEMAND, "\"25m\""));
    let mut waits = Vec::new();
    for trial in 0..500 {
        let (before, _) = immediate.run_with_timeline(trial);
        let (after, timeline) = waiting.run_with_timeline(trial);
        check_conservation(trial, &after, &timeline);
        let wait = after.capacity_wait_seconds;
        assert!(wait > 0.0, "trial {trial}");
        assert_eq!(before.capacity_wait_seconds, 0.0);
        let statuses: Vec<_> = timeline.transitions.iter().map(|t| t.status).collect();
        assert_eq!(
            statuses,
            [Starting, Downloading, Training, Uploading, Completed]
        );
        let starts: Vec<f64> = timeline
            .transitions
            .iter()
            .map(|t| t.start_seconds)
            .collect();
        let expected = [
            0.0,
            wait + 300.0,
            wait + 420.0,
            wait + 14_820.0,
            wait + JOB_SECONDS,
        ];
        for (got, want) in starts.iter().zip(expected) {
            assert!(
                close(*got, want),
                "trial {trial}: {starts:?} vs {expected:?}"
            );
        }
        assert_eq!(after.outcome, Outcome::Completed);
        assert!(close(after.wall_clock_seconds, wait + JOB_SECONDS));
        assert_eq!(after.training_start_seconds, Some(starts[1]));
        // Equal up to rounding: the same phases, shifted by the wait.
        assert_eq!(before.training_time_seconds, HELD_SECONDS);
        assert!(close(after.training_time_seconds, HELD_SECONDS));
        assert!(close(after.cost_usd, before.cost_usd));
        assert!(close(after.on_demand_cost_usd, before.on_demand_cost_usd));
        assert!(close(
            after.billable_time_seconds,
            before.billable_time_seconds
        ));
        assert!(close(after.cost_usd, HELD_SECONDS * 3.825 / 3600.0));
        assert_eq!(after.training_time_in_seconds(), Some(14_580));
        assert_eq!(after.billable_time_in_seconds(), Some(14_580));
        waits.push(wait);
    }
    // The waits are draws, not one constant.
    waits.sort_by(f64::total_cmp);
    waits.dedup();
    assert_eq!(waits.len(), 500);
}

/// MaxRuntime counts training time (reference §3), so the wait does not use it up: with
/// MaxRuntime = H every trial completes however long it waited, and with H − 1 s every trial
/// is stopped exactly 14,579 s after its Downloading began.
#[test]
fn max_runtime_counts_held_time_not_the_wait() {
    let exact = ON_DEMAND.replace("max_runtime = \"10h\"", "max_runtime = 14580");
    let engine = Engine::new(&with_wait(&exact, "\"2h\""));
    for trial in 0..300 {
        let t = engine.run(trial);
        assert_eq!(t.outcome, Outcome::Completed, "trial {trial}");
        assert!(close(t.training_time_seconds, HELD_SECONDS));
    }
    let short = ON_DEMAND.replace("max_runtime = \"10h\"", "max_runtime = 14579");
    let engine = Engine::new(&with_wait(&short, "\"2h\""));
    for trial in 0..300 {
        let t = engine.run(trial);
        assert_eq!(t.outcome, Outcome::MaxRuntimeExceeded, "trial {trial}");
        let downloading = t.training_start_seconds.expect("held");
        assert!(close(downloading, t.capacity_wait_seconds + 300.0));
        assert!(close(t.wall_clock_seconds, downloading + 14_579.0));
    }
}

/// P(done by D) = P(W ≤ D − T_job) = 1 − exp(−(D − T_job)/m). D = 4 h 40 min = 16,800 s,
/// T_job = 14,880 s, m = 1,500 s: 1 − e^{−1.28} = 0.721963. With n = 20,000 trials the
/// standard error is √(p(1 − p)/n) = 0.00317; the mean wait's is m/√n = 10.6 s. Both must
/// agree within 4 standard errors.
#[test]
fn the_chance_of_meeting_a_deadline_is_the_exponential_tail() {
    let engine = Engine::new(&with_wait(ON_DEMAND, "\"25m\""));
    let n = 20_000u64;
    let deadline = 16_800.0;
    let (mut done, mut waited) = (0u64, 0.0);
    for trial in 0..n {
        let t = engine.run(trial);
        assert_eq!(t.outcome, Outcome::Completed);
        done += u64::from(t.wall_clock_seconds <= deadline);
        waited += t.capacity_wait_seconds;
    }
    let p = 1.0 - (-(deadline - JOB_SECONDS) / MEAN_WAIT_SECONDS).exp();
    assert!((p - 0.721_963).abs() < 1e-6);
    let se = (p * (1.0 - p) / n as f64).sqrt();
    let observed = done as f64 / n as f64;
    assert!((observed - p).abs() < 4.0 * se, "{observed} vs {p} ± {se}");
    let mean = waited / n as f64;
    let se_mean = MEAN_WAIT_SECONDS / (n as f64).sqrt();
    assert!((mean - MEAN_WAIT_SECONDS).abs() < 4.0 * se_mean, "{mean}");
}

/// Each restart after an `InternalServerError` asks for capacity again and waits again: what
/// is neither waiting nor held is one provisioning per Starting, and there are more waits
/// than jobs.
#[test]
fn every_retry_waits_for_capacity_again() {
    let retrying = ON_DEMAND.replace(
        "max_runtime = \"10h\"",
        "max_runtime = \"10h\"\nmax_retry_attempts = 30\ninternal_error_rate = 0.5",
    );
    let engine = Engine::new(&with_wait(&retrying, "\"25m\""));
    let mut retried = 0;
    for trial in 0..300 {
        let (t, timeline) = engine.run_with_timeline(trial);
        check_conservation(trial, &t, &timeline);
        let startings = timeline
            .transitions
            .iter()
            .filter(|e| e.status == Starting)
            .collect::<Vec<_>>();
        // Every Starting lasts longer than provisioning alone: each had its own wait.
        assert!(
            startings
                .iter()
                .all(|e| e.end_seconds - e.start_seconds > 300.0),
            "trial {trial}"
        );
        retried += usize::from(startings.len() > 1);
    }
    assert!(retried > 100, "{retried}");
}

/// Without the key, or with 0, not one draw of any trial moves — on-demand, managed spot and
/// spot-then-on-demand alike; and a managed-spot job, which never asks for on-demand capacity,
/// is the same trial with any wait.
#[test]
fn without_a_wait_every_trial_is_the_trial_it_was() {
    let default = Scenario::embedded_default();
    let scenarios = [
        parse(ON_DEMAND),
        default.clone(),
        with_purchase_option(&default, "spot-then-on-demand"),
    ];
    for scenario in scenarios {
        let mut zero = scenario.clone();
        zero.on_demand.mean_capacity_wait_seconds = Some(0.0);
        let (absent, zero) = (Engine::new(&scenario), Engine::new(&zero));
        for trial in 0..500 {
            assert_eq!(
                absent.run(trial),
                zero.run(trial),
                "{} {trial}",
                scenario.name
            );
        }
    }
    let mut waiting = default.clone();
    waiting.on_demand.mean_capacity_wait_seconds = Some(MEAN_WAIT_SECONDS);
    let (absent, waiting) = (Engine::new(&default), Engine::new(&waiting));
    for trial in 0..500 {
        assert_eq!(absent.run(trial), waiting.run(trial), "trial {trial}");
    }
}

/// spot-then-on-demand: the spot job is the same trial; the fallback job, created at the same
/// instant, waits for its capacity and then runs exactly as before, so its trial ends later by
/// the wait and costs the same. Over the trials that fall back the waits average m (within 4
/// standard errors, m/√k).
#[test]
fn the_fallback_job_waits_for_on_demand_capacity() {
    let mut fallback = with_purchase_option(&Scenario::embedded_default(), "spot-then-on-demand");
    // MaxWait = MaxRuntime = 28 h: more trials fall back than at the default 30 h.
    fallback.job.max_wait_seconds = Some(100_800.0);
    let mut waiting = fallback.clone();
    waiting.on_demand.mean_capacity_wait_seconds = Some(MEAN_WAIT_SECONDS);
    let (immediate, waiting) = (Engine::new(&fallback), Engine::new(&waiting));
    let (mut fell_back, mut waited) = (0u32, 0.0);
    for trial in 0..4000 {
        let before = immediate.run(trial);
        let after = waiting.run(trial);
        assert_eq!(
            after.fallback_seconds, before.fallback_seconds,
            "trial {trial}"
        );
        if before.fallback_seconds.is_none() {
            assert_eq!(after, before, "trial {trial}");
            continue;
        }
        let wait = after.capacity_wait_seconds - before.capacity_wait_seconds;
        assert!(wait > 0.0, "trial {trial}");
        assert_eq!(after.outcome, before.outcome, "trial {trial}");
        assert!(close(
            after.wall_clock_seconds,
            before.wall_clock_seconds + wait
        ));
        assert!(close(after.cost_usd, before.cost_usd), "trial {trial}");
        assert!(close(after.on_demand_cost_usd, before.on_demand_cost_usd));
        assert!(close(
            after.training_time_seconds,
            before.training_time_seconds
        ));
        fell_back += 1;
        waited += wait;
    }
    assert!(fell_back > 100, "{fell_back}");
    let mean = waited / f64::from(fell_back);
    let se = MEAN_WAIT_SECONDS / f64::from(fell_back).sqrt();
    assert!((mean - MEAN_WAIT_SECONDS).abs() < 4.0 * se, "{mean} ± {se}");
}

/// With `show_capacity_wait_as = "Pending"` the wait is its own Pending entry with EC2's
/// insufficient-capacity message, as spot waits are.
#[test]
fn the_wait_shows_as_pending_on_request() {
    let text = format!("{ON_DEMAND}[simulation]\nshow_capacity_wait_as = \"Pending\"\n");
    let engine = Engine::new(&with_wait(&text, "\"25m\""));
    let (t, timeline) = engine.run_with_timeline(0);
    let first = &timeline.transitions[..2];
    assert_eq!(first[0].status, Pending);
    assert_eq!(first[1].status, Starting);
    assert!(close(first[1].start_seconds, t.capacity_wait_seconds));
    assert!(
        first[0].message.contains("Insufficient capacity"),
        "{}",
        first[0].message
    );
}

/// `validate` writes the key back in seconds, and its output reads back as the same scenario;
/// without the key it writes no `[on_demand]` (scenario fingerprints stay).
#[test]
fn validate_writes_the_wait_back() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("wait.toml");
    std::fs::write(
        &path,
        format!("{ON_DEMAND}[on_demand]\nmean_capacity_wait = \"25m\"\n"),
    )
    .unwrap();
    let printed = stdout_of(
        cargo_bin_cmd!("spotsim")
            .arg("validate")
            .arg(&path)
            .output()
            .unwrap(),
    );
    assert!(
        printed.contains("[on_demand]\nmean_capacity_wait = 1500\n"),
        "{printed}"
    );
    let again = Scenario::from_toml(&printed, "printed.toml", "printed").unwrap();
    assert_eq!(again.on_demand.mean_capacity_wait_seconds, Some(1500.0));
    assert_eq!(again.to_toml_string(), parse(&printed).to_toml_string());
    assert!(!parse(ON_DEMAND).to_toml_string().contains("[on_demand]"));
}

/// The tick clock draws no on-demand waits: a positive one is an input error naming the key.
#[test]
fn the_tick_clock_rejects_a_wait_it_would_ignore() {
    let tick =
        std::fs::read_to_string(crate::common::scenario_path("tick-weibull-gpu.toml")).unwrap();
    let with = |wait: &str| {
        Scenario::from_toml_in(
            &format!("{tick}\n[on_demand]\nmean_capacity_wait = {wait}\n"),
            "tick.toml",
            "tick",
            &crate::common::root().join("scenarios"),
        )
    };
    let error = with("\"25m\"").unwrap_err().to_string();
    assert!(error.contains("[on_demand] mean_capacity_wait"), "{error}");
    assert!(error.contains("tick clock"), "{error}");
    // 0 is what the tick clock does: accepted.
    with("0").unwrap();
}

/// Reports state the on-demand assumption: the default in words when the key is absent, the
/// wait when it is set; the tick clock, which prices switches with its changeover, says
/// nothing about it.
#[test]
fn reports_state_the_on_demand_assumption() {
    use spotsim::report::provenance::assumptions;
    let absent = assumptions(&parse(ON_DEMAND));
    assert!(
        absent.contains(
            &"On-demand capacity is immediate ([on_demand] mean_capacity_wait not set).".into()
        ),
        "{absent:?}"
    );
    let set = assumptions(&with_wait(ON_DEMAND, "\"25m\"")).join("\n");
    assert!(
        set.contains("exponential wait of mean 25m each time an on-demand job starts"),
        "{set}"
    );
    let zero = assumptions(&with_wait(ON_DEMAND, "0")).join("\n");
    assert!(
        zero.contains("On-demand capacity is immediate ([on_demand] mean_capacity_wait = 0)."),
        "{zero}"
    );
    let tick = assumptions(&crate::common::load("tick-weibull-gpu.toml")).join("\n");
    assert!(!tick.contains("On-demand capacity"), "{tick}");
}

/// `plan` says how it took on-demand capacity on stdout, right under the Options table, and
/// nothing on stderr; its JSON names the wait only when the scenario sets it (so the default
/// plan's JSON is what it was).
#[test]
fn plan_states_the_on_demand_assumption_under_its_options() {
    let run = |args: &[&str]| {
        let output = cargo_bin_cmd!("spotsim")
            .args(["plan", "--trials", "200", "--quiet"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success());
        assert!(output.stderr.is_empty(), "{:?}", output.stderr);
        String::from_utf8(output.stdout).unwrap()
    };
    let text = run(&[]);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("Every row is compared with one on-demand cost"))
        .expect("the Options table's note");
    assert_eq!(
        lines[at + 1],
        "On-demand capacity is immediate ([on_demand] mean_capacity_wait not set)."
    );
    assert!(!run(&["--format", "json"]).contains("mean_capacity_wait_seconds"));

    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("wait.toml");
    let default = std::fs::read_to_string(crate::common::scenario_path("default.toml")).unwrap();
    std::fs::write(
        &path,
        format!("{default}\n[on_demand]\nmean_capacity_wait = \"25m\"\n"),
    )
    .unwrap();
    let path = path.to_str().unwrap();
    assert!(
        run(&[path]).contains("On-demand capacity comes after an exponential wait of mean 25m")
    );
    let json: serde_json::Value = serde_json::from_str(&run(&[path, "--format", "json"])).unwrap();
    assert_eq!(json["on_demand"]["mean_capacity_wait_seconds"], 1500.0);
}

/// `simulate` states the on-demand capacity its numbers assume when a job of the scenario may
/// run on it — an on-demand job, the fallback of `spot-then-on-demand` — in the table, Markdown
/// and JSON, set or not; a managed-spot scenario, whose numbers do not rest on it, says
/// nothing. Shards carry it, `merge` states it as the single run does, and a partial edited to
/// state another is refused naming the field.
#[test]
fn simulate_and_merge_state_the_on_demand_assumption() {
    let dir = tempfile::TempDir::new().unwrap();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let default = std::fs::read_to_string(crate::common::scenario_path("default.toml")).unwrap();
    let fallback = write(
        "fallback.toml",
        format!("{default}\n[policy]\nname = \"spot-then-on-demand\"\n"),
    );
    let on_demand = write("on-demand.toml", ON_DEMAND.to_string());
    let waiting = write(
        "waiting.toml",
        format!("{ON_DEMAND}[on_demand]\nmean_capacity_wait = \"25m\"\n"),
    );
    let run = |args: &[&str]| {
        let output = cargo_bin_cmd!("spotsim").args(args).output().unwrap();
        assert!(output.status.success(), "{:?}", output);
        String::from_utf8(output.stdout).unwrap()
    };
    let simulate = |path: &str, format: &str| {
        run(&[
            "simulate",
            path,
            "--trials",
            "400",
            "--format",
            format,
            "--threads",
            "1",
        ])
    };
    let immediate = "On-demand capacity is immediate ([on_demand] mean_capacity_wait not set).";
    for path in [&fallback, &on_demand] {
        assert!(simulate(path, "table").contains(immediate), "{path}");
        assert!(simulate(path, "markdown").contains(immediate), "{path}");
        let json: serde_json::Value = serde_json::from_str(&simulate(path, "json")).unwrap();
        assert!(
            json["on_demand"]["mean_capacity_wait_seconds"].is_null(),
            "{json}"
        );
        assert!(json["on_demand"].is_object(), "{json}");
    }
    assert!(
        simulate(&waiting, "table").contains("exponential wait of mean 25m"),
        "the wait in words"
    );
    let json: serde_json::Value = serde_json::from_str(&simulate(&waiting, "json")).unwrap();
    assert_eq!(json["on_demand"]["mean_capacity_wait_seconds"], 1500.0);
    let managed = crate::common::scenario_path("default.toml");
    let managed = managed.to_str().unwrap();
    assert!(!simulate(managed, "table").contains("On-demand capacity"));
    assert!(simulate(managed, "json").find("\"on_demand\"").is_none());

    // Two shards merge to the single run's bytes, the sentence included.
    let shard = |i: u32| {
        let partial = dir.path().join(format!("p{i}.json"));
        run(&[
            "simulate",
            &fallback,
            "--trials",
            "400",
            "--shard",
            &format!("{i}/2"),
            "--partial",
            partial.to_str().unwrap(),
        ]);
        partial
    };
    let (first, second) = (shard(0), shard(1));
    let merged = run(&[
        "merge",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let single: serde_json::Value = serde_json::from_str(&simulate(&fallback, "json")).unwrap();
    let merged: serde_json::Value = serde_json::from_str(&merged).unwrap();
    assert_eq!(merged["on_demand"], single["on_demand"]);
    assert!(run(&["merge", first.to_str().unwrap(), second.to_str().unwrap()]).contains(immediate));
    let mut edited: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    edited["on_demand"]["mean_capacity_wait_seconds"] = 60.0.into();
    std::fs::write(&first, edited.to_string()).unwrap();
    let refused = cargo_bin_cmd!("spotsim")
        .args(["merge", first.to_str().unwrap(), second.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(error.contains("on_demand"), "{error}");
    assert!(error.contains("a mean wait of 60 s"), "{error}");
}
