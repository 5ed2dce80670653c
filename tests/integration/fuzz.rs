//! Fuzzing with proptest-driven generators (stable Rust): hostile and broken inputs for the
//! scenario parser, the trace loaders (CSV, JSON, event lists), the price-history loader and
//! partial merging must never panic; every scenario the parser accepts round-trips through
//! what `validate` prints. CI runs a short smoke; `SPOTSIM_FUZZ_SECONDS=600 cargo
//! test --release --test integration fuzz -- --nocapture` runs each target for ten minutes
//! and prints the number of executions. Failures are persisted under `proptest-regressions/`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use spotsim::market::trace_data::TraceData;
use spotsim::montecarlo::{Partial, merge_partials};
use std::time::{Duration, Instant};

/// Runs `test` on values of `strategy` for the time budget (or the smoke case count).
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let seconds: u64 = std::env::var("SPOTSIM_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let cases = 256;
    let mut executions = 0u64;
    let mut round = 0u64;
    loop {
        let config = Config {
            cases,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(round),
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        if let Err(failure) = runner.run(&strategy, &test) {
            panic!("{name}: {failure}");
        }
        executions += u64::from(cases);
        round += 1;
        if Instant::now() >= deadline {
            break;
        }
    }
    if seconds > 0 {
        eprintln!("fuzz {name}: {executions} executions in {seconds} s, no failure");
    }
}

const BASE: &str = r#"name = "fuzz"
start_time = "2026-01-01T00:00:00Z"

[job]
managed_spot = true
instance_count = 2
max_runtime = "8h"
max_wait = "12h"
checkpoint_s3_uri = "s3://bucket/ckpt"

[workload]
training = "4h"
provisioning = "5m"
download = "2m"
upload = "1m"

[checkpoint]
policy = "interval"
interval = "30m"
write = "40s"
restore = "1m"

[market]
model = "exponential"
mean_uptime = "6h"
mean_capacity_wait = "10m"

[pricing]
on_demand_per_hour = 3.825
spot_discount = 0.7

[simulation]
trials = 100
seed = 1
"#;

/// Values that break naive parsers.
fn nasty_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("1e308".to_string()),
        Just("9223372036854775807".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("\"\"".to_string()),
        Just("\"1e9d\"".to_string()),
        Just("\"0.000001ms\"".to_string()),
        Just("\"-5m\"".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("true".to_string()),
        "\"[a-z0-9 .]{0,12}\"",
        (-1_000_000i64..1_000_000).prop_map(|v| v.to_string()),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    ReplaceValue(usize, String),
    DeleteLine(usize),
    DuplicateLine(usize),
    InsertBytes(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), nasty_value()).prop_map(|(i, v)| Mutation::ReplaceValue(i, v)),
        1 => any::<usize>().prop_map(Mutation::DeleteLine),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in mutations {
        let n = lines.len().max(1);
        match m {
            Mutation::ReplaceValue(i, v) => {
                if let Some(line) = lines.get_mut(i % n)
                    && let Some((key, _)) = line.split_once('=')
                {
                    *line = format!("{key}= {v}");
                }
            }
            Mutation::DeleteLine(i) => {
                if !lines.is_empty() {
                    lines.remove(i % n);
                }
            }
            Mutation::DuplicateLine(i) => {
                if let Some(line) = lines.get(i % n).cloned() {
                    lines.insert(i % n, line);
                }
            }
            Mutation::InsertBytes(i, bytes) => {
                let text = String::from_utf8_lossy(bytes).into_owned();
                if let Some(line) = lines.get_mut(i % n) {
                    let at = line
                        .char_indices()
                        .nth(i % (line.chars().count() + 1))
                        .map_or(line.len(), |(k, _)| k);
                    line.insert_str(at, &text);
                }
            }
            Mutation::Truncate(i) => lines.truncate(i % (n + 1)),
        }
    }
    lines.join("\n")
}

#[test]
fn fuzz_scenario_parser() {
    fuzz(
        "scenario parser",
        proptest::collection::vec(mutation(), 1..6),
        |mutations| {
            let text = mutate(BASE, &mutations);
            if let Ok(scenario) = spotsim::Scenario::from_toml(&text, "fuzz.toml", "fuzz") {
                round_trips(&scenario)
                    .map_err(|e| TestCaseError::fail(format!("{e}\ninput:\n{text}")))?;
                // A valid scenario must also run (a few trials, when the run is small).
                if spotsim::montecarlo::estimated_run_seconds(&scenario, 3, 1) < 0.5 {
                    let engine = spotsim::Engine::new(&scenario);
                    for k in 0..3 {
                        let o = engine.run(k);
                        prop_assert!(o.wall_clock_seconds.is_finite() && o.cost_usd.is_finite());
                    }
                }
            }
            Ok(())
        },
    );
}

/// Whether what `validate` prints for `scenario` reads back as a scenario that prints the same.
fn round_trips(scenario: &spotsim::Scenario) -> Result<(), String> {
    let printed = scenario.to_toml_string();
    let again = spotsim::Scenario::from_toml(&printed, "printed.toml", "printed")
        .map_err(|e| format!("validate's output is rejected: {e}\n{printed}"))?;
    let reprinted = again.to_toml_string();
    if reprinted == printed {
        Ok(())
    } else {
        Err(format!(
            "validate's output, read back, prints differently:\n{printed}\n--- read back:\n{reprinted}"
        ))
    }
}

/// The round trip of `validate` on random *valid* scenarios: mutations (the parser fuzzer's
/// generator) of the base scenario and of every shipped scenario, kept when they parse. The
/// fuzzer's own smoke finds few valid ones (most mutations break the file), so this draws until
/// it has 300.
#[test]
fn validate_output_round_trips_for_random_valid_scenarios() {
    use proptest::strategy::ValueTree;
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut bases = vec![(BASE.to_string(), folder.clone())];
    let mut shipped: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    shipped.sort();
    for path in shipped {
        bases.push((std::fs::read_to_string(&path).unwrap(), folder.clone()));
    }
    let strategy = (0..bases.len(), proptest::collection::vec(mutation(), 1..4));
    let mut runner = TestRunner::deterministic();
    let (mut valid, mut tried) = (0, 0);
    while valid < 300 && tried < 30_000 {
        tried += 1;
        let (which, mutations) = strategy.new_tree(&mut runner).unwrap().current();
        let text = mutate(&bases[which].0, &mutations);
        let Ok(scenario) =
            spotsim::Scenario::from_toml_in(&text, "fuzz.toml", "fuzz", &bases[which].1)
        else {
            continue;
        };
        valid += 1;
        if let Err(problem) = round_trips(&scenario) {
            panic!("{problem}\ninput:\n{text}");
        }
    }
    assert!(
        valid >= 300,
        "only {valid} valid scenarios in {tried} draws"
    );
}

fn csv_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..30, 0u32..24, 0u32..60, 0u32..4)
            .prop_map(|(d, h, m, v)| format!("2026-01-{:02} {h:02}:{m:02}:00,{v}", d + 1)),
        "[ -~]{0,30}",
        Just("2026-02-30 00:00:00,1".to_string()),
        Just("2026-01-01 00:00:00,-1".to_string()),
        Just(",".to_string()),
    ]
}

#[test]
fn fuzz_trace_loaders() {
    fuzz(
        "csv trace",
        proptest::collection::vec(csv_line(), 0..40),
        |lines| {
            let text = format!("date,availability\n{}", lines.join("\n"));
            let _ = TraceData::from_csv("fuzz.csv", &text, 2.0);
            let _ = TraceData::from_csv("fuzz.csv", &lines.join("\n"), 1.0);
            Ok(())
        },
    );
    let event = prop_oneof![
        (
            0u64..10_000,
            prop_oneof![Just("add"), Just("remove"), Just("drop")],
            0u8..5
        )
            .prop_map(|(t, op, n)| format!("{t},{op},node{n}")),
        "[ -~]{0,20}",
    ];
    fuzz(
        "event list",
        proptest::collection::vec(event, 0..40),
        |lines| {
            let _ = TraceData::from_events("fuzz.csv", &lines.join("\n"));
            Ok(())
        },
    );
    let json_value = prop_oneof![
        Just("null".to_string()),
        Just("-1".to_string()),
        Just("1.5".to_string()),
        Just("1e400".to_string()),
        Just("\"x\"".to_string()),
        (0u32..3).prop_map(|v| v.to_string()),
    ];
    fuzz(
        "json trace",
        (
            proptest::option::of(nasty_value()),
            proptest::collection::vec(json_value, 0..30),
            any::<bool>(),
            "[ -~]{0,10}",
        ),
        |(gap, data, prices, tail)| {
            let gap = gap.unwrap_or_else(|| "600".to_string());
            let values = data.join(",");
            let prices = if prices {
                format!(r#","prices":[{values}]"#)
            } else {
                String::new()
            };
            let text = format!(
                r#"{{"metadata":{{"gap_seconds":{gap}}},"data":[{values}]{prices}}}{tail}"#
            );
            let _ = TraceData::from_json("fuzz.json", &text);
            Ok(())
        },
    );
}

#[test]
fn fuzz_price_history() {
    let entry = (any::<bool>(), nasty_value(), "[ -~]{0,12}", 0u32..3).prop_map(|(iso, price, zone, kind)| {
        let stamp = if iso { "2026-01-01T00:00:00.000Z" } else { "2026-01-01T00:00:00+00:00" };
        match kind {
            0 => format!(r#"{{"Timestamp":"{stamp}","InstanceType":"p3.2xlarge","SpotPrice":{price},"AvailabilityZone":"{zone}"}}"#),
            1 => format!(r#"{{"Timestamp":{price},"InstanceType":"p3.2xlarge","SpotPrice":"1.0","AvailabilityZone":"a"}}"#),
            _ => r#"{"SpotPrice":"1.0"}"#.to_string(),
        }
    });
    fuzz(
        "price history",
        proptest::collection::vec(entry, 0..10),
        |entries| {
            let text = format!(r#"{{"SpotPriceHistory":[{}]}}"#, entries.join(","));
            let filter = spotsim::market::price::HistoryFilter::default();
            let _ = spotsim::market::price::load_price_history(
                "fuzz.json",
                &text,
                &filter,
                1_767_225_600_000,
            );
            Ok(())
        },
    );
}

#[test]
fn fuzz_partial_merge() {
    // Real partials of a small run, then mutated: fields changed, shards dropped or repeated.
    let scenario = spotsim::Scenario::embedded_default();
    let engine = spotsim::Engine::new(&scenario);
    let partials: Vec<Partial> = (0..3u64)
        .map(|index| {
            let shard = spotsim::montecarlo::Shard { index, count: 3 };
            let range = shard.range(300);
            Partial {
                format: spotsim::montecarlo::PARTIAL_FORMAT.into(),
                version: spotsim::montecarlo::PARTIAL_VERSION,
                scenario: scenario.name.clone(),
                scenario_hash: spotsim::montecarlo::scenario_hash(&scenario),
                seed: 1,
                trials: 300,
                shard,
                on_demand_cost_usd: 79.3,
                aggregate: spotsim::montecarlo::run_range(&engine, range.start, range.end),
                market: None,
            }
        })
        .collect();
    let texts: Vec<String> = partials
        .iter()
        .map(|p| serde_json::to_string(p).unwrap())
        .collect();
    let edit = (0usize..3, any::<usize>(), "[ -~]{0,6}", 0u8..4);
    fuzz(
        "partial merge",
        proptest::collection::vec(edit, 0..5),
        |edits| {
            let mut texts = texts.clone();
            for (which, at, insert, kind) in edits {
                let text = &mut texts[which];
                match kind {
                    0 => {
                        let at = at % (text.len() + 1);
                        if text.is_char_boundary(at) {
                            text.insert_str(at, &insert);
                        }
                    }
                    1 => text.truncate(at % (text.len() + 1)),
                    2 => *text = texts_swap(text, &insert),
                    _ => {}
                }
            }
            let parsed: Vec<(String, Partial)> = texts
                .iter()
                .enumerate()
                .filter_map(|(i, t)| {
                    serde_json::from_str::<Partial>(t)
                        .ok()
                        .map(|p| (format!("p{i}.json"), p))
                })
                .collect();
            let _ = merge_partials(&parsed);
            let doubled: Vec<(String, Partial)> =
                parsed.iter().chain(parsed.iter()).cloned().collect();
            let _ = merge_partials(&doubled);
            Ok(())
        },
    );
}

/// Replaces every digit run with `replacement` when it is numeric (shifts counts and seeds).
fn texts_swap(text: &str, replacement: &str) -> String {
    if replacement.chars().all(|c| c.is_ascii_digit()) && !replacement.is_empty() {
        text.replacen("\"seed\":1", &format!("\"seed\":{replacement}"), 1)
    } else {
        text.replacen("\"index\":", "\"index\":9", 1)
    }
}
