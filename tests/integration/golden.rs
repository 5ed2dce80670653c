//! Golden outputs: the bytes a refactor must not change.
//!
//! Every scenario in `scenarios/` through `simulate --format json`, the default plan, and one
//! `describe` per clock are compared with the documents committed in `tests/golden/`. They
//! guard restructurings of the code ("outputs unchanged"); they are not evidence that the
//! numbers are right — the physics tests are. A change that is *meant* to alter numbers
//! re-saves them in its own commit, saying why:
//!
//! ```sh
//! SPOTSIM_BLESS_GOLDEN=1 cargo test --test integration golden::
//! ```
//!
//! The body of `run` (elapsed time, threads, trials/s, version) is blanked before comparing:
//! it is the one part of an output that is not a function of (scenario, trials, seed). Every
//! other byte must be identical.

use crate::common::root;
use assert_cmd::cargo::cargo_bin_cmd;
use std::path::{Path, PathBuf};

/// Trials per continuous-clock scenario (fewer when the scenario asks for fewer).
const CONTINUOUS_TRIALS: u64 = 2000;
/// Trials (windows) per tick-clock scenario: each takes milliseconds.
const TICK_TRIALS: u64 = 32;

fn golden_dir() -> PathBuf {
    root().join("tests").join("golden")
}

/// Replaces the body of every `"run": {…}` member by `"…"`, leaving every other byte as printed.
fn without_run(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\"run\": {") {
        let open = at + "\"run\": ".len();
        out.push_str(&rest[..open]);
        let mut depth = 0usize;
        let mut close = rest.len();
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push_str("\"…\"");
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

fn run_json(args: &[&str]) -> String {
    let output = cargo_bin_cmd!("spotsim")
        .args(args)
        .output()
        .expect("spotsim runs");
    assert!(
        output.status.success(),
        "spotsim {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    serde_json::from_str::<serde_json::Value>(&text)
        .unwrap_or_else(|e| panic!("spotsim {args:?} printed invalid JSON: {e}"));
    without_run(&text)
}

/// Compares `actual` with the committed `name` byte for byte, or writes it when blessing.
/// Returns a description of the difference, if any.
fn check(name: &str, actual: &str) -> Option<String> {
    let path = golden_dir().join(name);
    if std::env::var_os("SPOTSIM_BLESS_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("golden dir");
        std::fs::write(&path, actual).expect("golden file written");
        return None;
    }
    let Ok(expected) = std::fs::read_to_string(&path) else {
        return Some(format!(
            "{name}: no golden file (bless with SPOTSIM_BLESS_GOLDEN=1)"
        ));
    };
    if expected == actual {
        return None;
    }
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    let show = |t: &str| t.lines().nth(line).unwrap_or("<end>").trim().to_string();
    Some(format!(
        "{name}:{}: expected `{}`, got `{}`",
        line + 1,
        show(&expected),
        show(actual)
    ))
}

fn scenario_trials(path: &Path) -> (u64, bool) {
    let text = std::fs::read_to_string(path).expect("scenario readable");
    let table: toml::Table = text.parse().expect("scenario is TOML");
    let simulation = table.get("simulation").and_then(toml::Value::as_table);
    let trials = simulation
        .and_then(|s| s.get("trials"))
        .and_then(toml::Value::as_integer)
        .map_or(CONTINUOUS_TRIALS, |t| t as u64);
    let tick = simulation
        .and_then(|s| s.get("clock"))
        .and_then(toml::Value::as_str)
        == Some("tick");
    let cap = if tick { TICK_TRIALS } else { CONTINUOUS_TRIALS };
    (trials.min(cap), tick)
}

#[test]
fn outputs_are_unchanged() {
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    scenarios.sort();
    assert!(scenarios.len() >= 20, "the shipped scenarios are all here");
    let mut differences = Vec::new();
    for path in &scenarios {
        let (trials, _) = scenario_trials(path);
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("name");
        let trials = trials.to_string();
        let actual = run_json(&[
            "simulate",
            path.to_str().expect("utf-8 path"),
            "--format",
            "json",
            "--trials",
            &trials,
            "--quiet",
        ]);
        differences.extend(check(&format!("simulate/{stem}.json"), &actual));
    }
    let plan = run_json(&["plan", "--format", "json", "--trials", "2000", "--quiet"]);
    differences.extend(check("plan-default.json", &plan));
    let describe = run_json(&["describe", "--trial", "42"]);
    differences.extend(check("describe-default-42.json", &describe));
    let tick = root().join("scenarios").join("tick-v100-us-east-1c.toml");
    let describe_tick = run_json(&[
        "describe",
        tick.to_str().expect("utf-8 path"),
        "--trial",
        "3",
    ]);
    differences.extend(check(
        "describe-tick-v100-us-east-1c-3.json",
        &describe_tick,
    ));
    assert!(
        differences.is_empty(),
        "outputs changed ({} documents):\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// The plan's recommendation as it was before the planner weighed purchase options and cost
/// (`plan-default-before-purchase-options.json`, frozen, never blessed): a plan of the default
/// scenario that targets P(Completed) over MaxWait alone (`--objective max-wait`) must still
/// give it, number for number.
#[test]
fn the_max_wait_recommendation_of_before_is_kept() {
    let before: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/golden/plan-default-before-purchase-options.json"),
        )
        .expect("frozen plan"),
    )
    .expect("JSON");
    let now: serde_json::Value = serde_json::from_str(&run_json(&[
        "plan",
        "--format",
        "json",
        "--trials",
        "2000",
        "--quiet",
        "--objective",
        "max-wait",
    ]))
    .expect("JSON");
    let (before, now) = (&before["recommendation"], &now["recommendation"]);
    for key in [
        "p_completed",
        "p_completed_ci95",
        "cost_mean_usd",
        "cost_per_completed_job_usd",
        "on_demand_cost_usd",
        "true_savings_percent",
        "aws_savings_percent",
        "text",
    ] {
        assert_eq!(before[key], now[key], "{key}");
    }
    // The same MaxWait, now the integer boto3 accepts.
    assert_eq!(
        before["max_wait_seconds"].as_f64().unwrap(),
        now["max_wait_seconds"].as_u64().unwrap() as f64
    );
}
