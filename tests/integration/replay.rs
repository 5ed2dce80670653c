//! Trace replay and stepped prices: hand-made tiny traces give hand-computed outcomes exactly
//! (both conventions, CSV and JSON, fixed start); a real trace replays deterministically; bad
//! traces exit 2 naming the file and line.

use crate::common::{root, scenario_path};
use assert_cmd::cargo::cargo_bin_cmd;
use spotsim::Simulator;
use spotsim::{Engine, Outcome, Scenario};
use std::path::Path;

/// A job of 20 min training, 60 s provisioning, 60 s download, no checkpoints, on a trace.
fn scenario_text(market: &str, pricing: &str) -> String {
    format!(
        r#"
[job]
managed_spot = true
max_runtime = "1h"
max_wait = "2h"

[workload]
training = "20m"
provisioning = "60s"
download = "60s"

[market]
{market}

[pricing]
on_demand_per_hour = 10.0
{pricing}
"#
    )
}

/// Ten-minute rows from 00:00 to 02:00 (13 rows, the trace ends at 02:10): available except
/// the row at 00:20.
fn csv_trace(one_means_available: bool) -> String {
    let mut text = String::from("date,availability\n");
    for row in 0..13 {
        let available = row != 2;
        let value = u8::from(available == one_means_available);
        text.push_str(&format!(
            "2026-01-01 {:02}:{:02}:00,{value}\n",
            row / 6,
            (row % 6) * 10
        ));
    }
    text
}

fn json_trace(one_means_available: bool, prices: bool) -> String {
    let data: Vec<String> = (0..13)
        .map(|row| u8::from((row != 2) == one_means_available).to_string())
        .collect();
    let prices_field = if prices {
        let list: Vec<String> = (0..13).map(|i| format!("{}.0", i + 1)).collect();
        format!(r#","prices":[{}]"#, list.join(","))
    } else {
        String::new()
    };
    format!(
        r#"{{"metadata":{{"gap_seconds":600}},"data":[{}]{prices_field}}}"#,
        data.join(",")
    )
}

fn scenario_in(
    dir: &Path,
    trace_name: &str,
    trace: &str,
    market_extra: &str,
    pricing: &str,
) -> Scenario {
    std::fs::write(dir.join(trace_name), trace).unwrap();
    let market = format!("model = \"trace\"\npath = \"{trace_name}\"\n{market_extra}");
    let text = scenario_text(&market, pricing);
    Scenario::from_toml_in(&text, "replay.toml", "replay", dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn tiny_trace_gives_the_hand_computed_lifecycle_in_every_encoding() {
    // Capacity [0, 1200) then [1800, 7800). Attempt 1: provisioning to 60 s, download to
    // 120 s, training would end at 1320 s but capacity goes at 1200 s (1080 s lost).
    // Attempt 2: capacity at 1800 s, download 1860 → 1920 s, training to 3120 s: Completed.
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("a.csv", csv_trace(true), "convention = \"available\""),
        ("p.csv", csv_trace(false), "convention = \"preempted\""),
        (
            "a.json",
            json_trace(true, false),
            "convention = \"available\"",
        ),
        (
            "p.json",
            json_trace(false, false),
            "convention = \"preempted\"",
        ),
    ];
    for (name, trace, convention) in cases {
        let scenario = scenario_in(dir.path(), name, &trace, convention, "spot_per_hour = 3.0");
        let (outcome, timeline) = Engine::new(&scenario).run_with_timeline(0);
        assert_eq!(outcome.outcome, Outcome::Completed, "{name}");
        assert_eq!(outcome.interruptions, 1, "{name}");
        assert_eq!(outcome.wall_clock_seconds, 3120.0, "{name}");
        assert_eq!(outcome.lost_training_seconds, 1080.0, "{name}");
        assert_eq!(outcome.training_time_seconds, 1140.0 + 1260.0, "{name}");
        assert!(
            (outcome.cost_usd - 2400.0 * 3.0 / 3600.0).abs() < 1e-12,
            "{name}"
        );
        let starts: Vec<f64> = timeline
            .transitions
            .iter()
            .map(|t| t.start_seconds)
            .collect();
        assert_eq!(
            starts,
            [
                0.0, 60.0, 120.0, 1200.0, 1200.0, 1860.0, 1920.0, 3120.0, 3120.0
            ],
            "{name}"
        );
    }
}

#[test]
fn a_fixed_start_offset_shifts_the_trace() {
    // Starting 10 min into the trace: capacity [0, 600) of trial time, then from 1200 s.
    // Attempt 1 trains 480 s before the loss at 600 s; attempt 2: 1260 → 1320 → 2520 s.
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_in(
        dir.path(),
        "a.csv",
        &csv_trace(true),
        "convention = \"available\"\nstart = \"10m\"",
        "spot_per_hour = 3.0",
    );
    let outcome = Engine::new(&scenario).run(0);
    assert_eq!(outcome.wall_clock_seconds, 2520.0);
    assert_eq!(outcome.lost_training_seconds, 480.0);
}

#[test]
fn billing_integrates_a_stepped_price_exactly() {
    // Per-tick prices $1, $2, $3, … per 600 s tick, from the trace file's own `prices`.
    // Held [60, 1200) and [1860, 3120):
    //   540 s × $1 + 600 s × $2 + 540 s × $4 + 600 s × $5 + 120 s × $6 = 7,620 $·s/h.
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_in(
        dir.path(),
        "priced.json",
        &json_trace(true, true),
        "convention = \"available\"",
        "spot_prices = \"trace\"",
    );
    let outcome = Engine::new(&scenario).run(0);
    assert!(
        (outcome.cost_usd - 7620.0 / 3600.0).abs() < 1e-12,
        "{}",
        outcome.cost_usd
    );
    // BillableTime: on-demand-equivalent seconds = 7,620 / $10.
    assert!((outcome.billable_time_seconds - 762.0).abs() < 1e-9);
    assert_eq!(outcome.billable_time_in_seconds(), Some(762));
    assert_eq!(outcome.training_time_in_seconds(), Some(2400));
}

#[test]
fn a_price_history_is_a_step_function_from_creation_time() {
    // describe-spot-price-history output, newest first: $2 from 00:00, $4 from 00:30 (the
    // +00:00 spelling), $8 from 01:00 in another zone (filtered out).
    let dir = tempfile::tempdir().unwrap();
    let history = r#"{"SpotPriceHistory": [
        {"Timestamp": "2026-01-01T01:00:00.000Z", "ProductDescription": "Linux/UNIX", "InstanceType": "p3.2xlarge", "SpotPrice": "8.000000", "AvailabilityZone": "us-east-1b"},
        {"Timestamp": "2026-01-01T00:30:00+00:00", "ProductDescription": "Linux/UNIX", "InstanceType": "p3.2xlarge", "SpotPrice": "4.000000", "AvailabilityZone": "us-east-1a"},
        {"Timestamp": "2026-01-01T00:00:00.000Z", "ProductDescription": "Linux/UNIX", "InstanceType": "p3.2xlarge", "SpotPrice": "2.000000", "AvailabilityZone": "us-east-1a"}
    ]}"#;
    std::fs::write(dir.path().join("history.json"), history).unwrap();
    let scenario = scenario_in(
        dir.path(),
        "a.csv",
        &csv_trace(true),
        "convention = \"available\"",
        "spot_price_history = \"history.json\"\navailability_zone = \"us-east-1a\"",
    );
    let outcome = Engine::new(&scenario).run(0);
    // Held [60, 1200) at $2 until 1800 s …: 1140 × 2; [1860, 3120) at $4: 1260 × 4.
    assert!((outcome.cost_usd - (1140.0 * 2.0 + 1260.0 * 4.0) / 3600.0).abs() < 1e-12);
}

fn shared_trace(zone: &str) -> String {
    let base = std::env::var("SPOTSIM_SHARED_DATA")
        .unwrap_or_else(|_| root().join("../shared/data").display().to_string());
    let path = Path::new(&base)
        .join("traces/aws-p3.2xlarge-2023-02-15")
        .join(format!("{zone}.csv"));
    assert!(
        path.exists(),
        "shared data not found at {} (set SPOTSIM_SHARED_DATA)",
        path.display()
    );
    path.canonicalize().unwrap().display().to_string()
}

#[test]
fn replaying_us_west_2a_from_a_fixed_start_is_deterministic() {
    let text = std::fs::read_to_string(scenario_path("replay-aws-p3-us-west-2a.toml"))
        .unwrap()
        .replace("start = \"random\"", "start = \"179.725h\"");
    let scenario = Scenario::from_toml_in(&text, "x.toml", "x", &root().join("scenarios")).unwrap();
    let engine = Engine::new(&scenario);
    let first = engine.run(0);
    // No randomness is left: every trial replays the same window.
    for trial in 1..50 {
        assert_eq!(engine.run(trial), first);
    }
    assert_eq!(Engine::new(&scenario).run(0), first);
    assert!(first.training_time_seconds >= 20.0 * 3600.0 || first.outcome != Outcome::Completed);
    // And the trace is what it claims to be.
    assert!(shared_trace("us-west-2a").ends_with("us-west-2a.csv"));
}

#[test]
fn random_starts_differ_per_trial_and_stay_inside_the_trace() {
    let scenario = Scenario::load(&scenario_path("replay-aws-p3-us-east-1c.toml")).unwrap();
    let engine = Engine::new(&scenario);
    let outcomes: Vec<_> = (0..200).map(|k| engine.run(k)).collect();
    let distinct = outcomes
        .iter()
        .map(|o| o.wall_clock_seconds.to_bits())
        .collect::<std::collections::HashSet<_>>();
    assert!(
        distinct.len() > 100,
        "random starts give different windows ({})",
        distinct.len()
    );
}

fn validate_error(dir: &Path, trace_name: &str, trace: &str, market_extra: &str) -> String {
    std::fs::write(dir.join(trace_name), trace).unwrap();
    let market = format!("model = \"trace\"\npath = \"{trace_name}\"\n{market_extra}");
    let scenario = dir.join("bad.toml");
    std::fs::write(&scenario, scenario_text(&market, "spot_per_hour = 3.0")).unwrap();
    let output = cargo_bin_cmd!("spotsim")
        .arg("validate")
        .arg(&scenario)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{market_extra}: {stderr}\n{trace}"
    );
    assert!(!stderr.contains("panicked"));
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn bad_traces_exit_2_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // No convention declared.
    let e = validate_error(d, "t.csv", &csv_trace(true), "");
    assert!(
        e.contains("[market] convention") && e.contains("never guessed"),
        "{e}"
    );
    // An unknown convention.
    let e = validate_error(d, "t.csv", &csv_trace(true), "convention = \"up\"");
    assert!(e.contains("convention") && e.contains("\"up\""), "{e}");
    // Unsorted timestamps: line 4 goes back in time.
    let unsorted = csv_trace(true).replace("2026-01-01 00:20:00", "2026-01-01 00:05:00");
    let e = validate_error(d, "t.csv", &unsorted, "convention = \"available\"");
    assert!(e.contains("t.csv:4:") && e.contains("sorted"), "{e}");
    // A duplicate timestamp.
    let duplicate = csv_trace(true).replace("2026-01-01 00:20:00", "2026-01-01 00:10:00");
    let e = validate_error(d, "t.csv", &duplicate, "convention = \"available\"");
    assert!(e.contains("t.csv:4:") && e.contains("duplicate"), "{e}");
    // A hole in the data: 00:30 → 01:30.
    let gap: String = csv_trace(true)
        .lines()
        .filter(|l| {
            !l.contains("00:40:00")
                && !l.contains("00:50:00")
                && !l.contains("01:00:00")
                && !l.contains("01:10:00")
                && !l.contains("01:20:00")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let e = validate_error(d, "t.csv", &gap, "convention = \"available\"");
    assert!(e.contains("t.csv:6:") && e.contains("gap"), "{e}");
    // A value other than 0/1 without a threshold (CSV line 5), and in a preempted trace.
    let counts = csv_trace(true).replace("2026-01-01 00:30:00,1", "2026-01-01 00:30:00,7");
    let e = validate_error(d, "t.csv", &counts, "convention = \"available\"");
    assert!(e.contains("line 5") && e.contains("threshold"), "{e}");
    let e = validate_error(d, "t.csv", &counts, "convention = \"preempted\"");
    assert!(e.contains("line 5") && e.contains("0/1"), "{e}");
    let e = validate_error(
        d,
        "t.json",
        &json_trace(true, false).replace("[1,1,0", "[1,2,0"),
        "convention = \"preempted\"",
    );
    assert!(e.contains("data[1]"), "{e}");
    // Not a number.
    let e = validate_error(
        d,
        "t.csv",
        &csv_trace(true).replace("00:30:00,1", "00:30:00,yes"),
        "convention = \"available\"",
    );
    assert!(e.contains("t.csv:5:"), "{e}");
    // A missing file.
    let scenario = d.join("missing.toml");
    std::fs::write(
        &scenario,
        scenario_text(
            "model = \"trace\"\npath = \"nope.csv\"\nconvention = \"available\"",
            "spot_per_hour = 3.0",
        ),
    )
    .unwrap();
    let output = cargo_bin_cmd!("spotsim")
        .arg("validate")
        .arg(&scenario)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nope.csv"));
    // A trace shorter than MaxWait from the chosen start, and an all-unavailable trace.
    let e = validate_error(
        d,
        "t.csv",
        &csv_trace(true),
        "convention = \"available\"\nstart = \"1h\"",
    );
    assert!(e.contains("[market] start") && e.contains("wrap"), "{e}");
    let none: String = csv_trace(true).replace(",1\n", ",0\n");
    let e = validate_error(d, "t.csv", &none, "convention = \"available\"");
    assert!(e.contains("never has capacity"), "{e}");
}

#[test]
fn a_wrapped_trace_repeats() {
    // From 1 h in, with wrap: capacity [0, 4200) of trial time (to the end at 02:10), then the
    // trace starts over: [4200, 5400) available, [5400, 6000) not, and so on.
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_in(
        dir.path(),
        "a.csv",
        &csv_trace(true),
        "convention = \"available\"\nstart = \"1h\"\nwrap = true",
        "spot_per_hour = 3.0",
    );
    let engine = Engine::new(&scenario);
    let outcome = engine.run(0);
    assert_eq!(outcome.outcome, Outcome::Completed);
    assert_eq!(outcome.interruptions, 0);
    assert_eq!(outcome.wall_clock_seconds, 60.0 + 60.0 + 1200.0);
    let market = scenario.market.as_ref().unwrap().model.clone();
    let mut state = spotsim::market::MarketState::default();
    let mut rng = spotsim::random::TrialRng::new(1, 0);
    let c = market.next_capacity(0.0, &mut state, &mut rng).unwrap();
    assert_eq!((c.acquired_seconds, c.lost_seconds), (0.0, 4200.0 + 1200.0));
    let c = market.next_capacity(5400.0, &mut state, &mut rng).unwrap();
    assert_eq!(
        (c.acquired_seconds, c.lost_seconds),
        (6000.0, 12_000.0 + 1200.0)
    );
}
