//! Fuzzing with proptest-driven generators (stable Rust): hostile and broken inputs for the
//! scenario parser, the trace loaders (CSV, JSON, event lists), the price-history loader and
//! partial merging must never panic; every scenario the parser accepts round-trips through
//! what `validate` prints, and a mutated partial is either rejected or merged into a summary
//! that is possible. CI runs a short smoke; `SPOTSIM_FUZZ_SECONDS=600 cargo
//! test --release --test integration fuzz -- --nocapture` runs each target for ten minutes
//! and prints the number of executions. Failures are persisted under `proptest-regressions/`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use spotsim::Simulator;
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
            let filter = spotsim::market::price_reading::HistoryFilter::default();
            let _ = spotsim::market::price_reading::load_price_history(
                "fuzz.json",
                &text,
                &filter,
                1_767_225_600_000,
            );
            Ok(())
        },
    );
}

/// The partials of a 300-trial run of `scenario` in three shards, as JSON, and the limits
/// of its trials.
fn partial_texts(scenario: &spotsim::Scenario) -> (Vec<String>, spotsim::TrialLimits) {
    let engine = spotsim::Engine::new(scenario);
    let texts = (0..3u64)
        .map(|index| {
            let shard = spotsim::montecarlo::Shard { index, count: 3 };
            let range = shard.range(300);
            let aggregate = spotsim::montecarlo::run_range(&engine, range.start, range.end);
            serde_json::to_string(&Partial::new(scenario, &engine, 300, shard, aggregate)).unwrap()
        })
        .collect();
    (texts, engine.trial_limits())
}

/// Values an edited or corrupted partial may hold in place of a number: extremes of the
/// integer types the fields use (u64 counts, i128 fixed-point sums, 256-bit sums of squares),
/// negatives, zero, huge and tiny floats.
const HOSTILE_NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "7",
    "18446744073709551615",
    "170141183460469231731687303715884105727",
    "-170141183460469231731687303715884105728",
    "115792089237316195423570985008687907853269984665640564039457584007913129639935",
    "1e15",
    "-3.5",
    "1e308",
    "4e-320",
];

/// The byte ranges of the numbers in a JSON text (plain or inside the strings that carry
/// exact sums and extremes).
fn number_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i].is_ascii_digit()
            || (bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        if starts && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || b".eE+-".contains(&bytes[i])) {
                i += 1;
            }
            spans.push(start..i);
        } else {
            i += 1;
        }
    }
    spans
}

/// Whether a merged run is one a simulation can produce: the outcomes partition the trials
/// (so every probability lies in [0, 1]), every metric holds at most one value per trial with
/// its mean and quantiles inside [min, max] and a finite non-negative spread, times, costs and
/// counts are non-negative, AWS's savings at most 100 %, and nothing exceeds the limits.
fn check_possible(
    merged: &spotsim::montecarlo::Merged,
    limits: &spotsim::TrialLimits,
) -> Result<(), String> {
    let a = &merged.aggregate;
    let counted: u64 = a.outcome_counts.iter().sum();
    if counted != a.trials {
        return Err(format!(
            "outcomes {:?} for {} trials",
            a.outcome_counts, a.trials
        ));
    }
    let summary = spotsim::montecarlo::SimulationSummary::from_parts(
        &merged.scenario,
        merged.seed,
        merged.on_demand_cost_usd,
        a,
        spotsim::montecarlo::RunInfo::measured(Instant::now(), 1, a.trials),
    );
    let o = &summary.outcomes;
    for outcome in [
        o.Completed,
        o.MaxWaitTimeExceeded,
        o.MaxRuntimeExceeded,
        o.Failed,
    ] {
        if !(0.0..=1.0).contains(&outcome.probability) {
            return Err(format!("probability {}", outcome.probability));
        }
    }
    if a.completion_seconds.count() != a.outcome_counts[0] {
        return Err("completion values ≠ Completed trials".into());
    }
    let m = &summary.metrics;
    for (name, metric, summary) in [
        ("wall clock", &a.wall_clock_seconds, &m.wall_clock_seconds),
        ("completion", &a.completion_seconds, &m.completion_seconds),
        (
            "training",
            &a.training_time_seconds,
            &m.training_time_seconds,
        ),
        (
            "billable",
            &a.billable_time_seconds,
            &m.billable_time_seconds,
        ),
        ("interruptions", &a.interruptions, &m.interruptions),
        ("cost", &a.cost_usd, &m.cost_usd),
        ("savings", &a.savings_percent, &m.savings_percent),
        ("lost", &a.lost_training_seconds, &m.lost_training_seconds),
    ] {
        if metric.count() > a.trials {
            return Err(format!(
                "{name}: {} values for {} trials",
                metric.count(),
                a.trials
            ));
        }
        if metric.count() == 0 {
            continue;
        }
        let slack = 2f64.powi(-32);
        let inside = |x: f64| x >= summary.min - slack && x <= summary.max + slack;
        for x in [
            summary.mean,
            summary.p50,
            summary.p90,
            summary.p95,
            summary.p99,
        ] {
            if !inside(x) {
                return Err(format!(
                    "{name}: {x} outside [{}, {}]",
                    summary.min, summary.max
                ));
            }
        }
        if !(summary.std >= 0.0 && summary.std.is_finite()) {
            return Err(format!("{name}: std {}", summary.std));
        }
        if name != "savings" && summary.min < 0.0 {
            return Err(format!("{name}: min {}", summary.min));
        }
    }
    for (name, bound) in limits.bounds() {
        let max = match name {
            "wall_clock_seconds" => m.wall_clock_seconds.max,
            "completion_seconds" => m.completion_seconds.max,
            _ => m.training_time_seconds.max,
        };
        if bound.is_some_and(|bound| max > bound * (1.0 + 1e-9)) {
            return Err(format!("{name}: {max} beyond the limit {bound:?}"));
        }
    }
    if m.savings_percent.max > 100.0 {
        return Err(format!("savings {} %", m.savings_percent.max));
    }
    if !(merged.on_demand_cost_usd >= 0.0 && merged.on_demand_cost_usd.is_finite()) {
        return Err(format!("on-demand cost {}", merged.on_demand_cost_usd));
    }
    Ok(())
}

/// Merges the partials that parse; a successful merge must be possible.
fn merge_and_check(texts: &[String], limits: &spotsim::TrialLimits) -> Result<(), String> {
    let parsed: Vec<(String, Partial)> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            serde_json::from_str::<Partial>(t)
                .ok()
                .map(|p| (format!("p{i}.json"), p))
        })
        .collect();
    if let Ok(merged) = merge_partials(&parsed) {
        check_possible(&merged, limits)?;
    }
    let doubled: Vec<(String, Partial)> = parsed.iter().chain(parsed.iter()).cloned().collect();
    if let Ok(merged) = merge_partials(&doubled) {
        check_possible(&merged, limits)?;
    }
    Ok(())
}

#[test]
fn fuzz_partial_merge() {
    // Real partials of a small run, then mutated: fields changed (bytes inserted, numbers
    // replaced by hostile values), files truncated, shards dropped or repeated.
    let (texts, limits) = partial_texts(&spotsim::Scenario::embedded_default());
    let edit = (0usize..3, any::<usize>(), "[ -~]{0,6}", 0u8..5);
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
                    3 => {
                        let spans = number_spans(text);
                        if !spans.is_empty() {
                            let value = HOSTILE_NUMBERS[at % HOSTILE_NUMBERS.len()];
                            text.replace_range(spans[at % spans.len()].clone(), value);
                        }
                    }
                    _ => {}
                }
            }
            merge_and_check(&texts, &limits).map_err(TestCaseError::fail)
        },
    );
}

#[test]
fn every_corrupted_number_is_rejected_or_merged_into_a_possible_summary() {
    // Each number of each shard's partial, replaced by each hostile value in turn: a
    // deterministic sweep of the single-field corruptions (the fuzzer combines them). Managed
    // spot (the embedded default) and a fallback scenario, whose limits differ.
    let fallback = spotsim::scenario::DEFAULT_SCENARIO.replace(
        "[simulation]",
        "[policy]\nname = \"spot-then-on-demand\"\n\n[simulation]",
    );
    for scenario in [
        spotsim::Scenario::embedded_default(),
        spotsim::Scenario::from_toml(&fallback, "fallback.toml", "fallback").unwrap(),
    ] {
        let (texts, limits) = partial_texts(&scenario);
        let mut rejected = 0;
        for which in 0..texts.len() {
            for span in number_spans(&texts[which]) {
                for value in HOSTILE_NUMBERS {
                    let mut edited = texts.clone();
                    edited[which].replace_range(span.clone(), value);
                    merge_and_check(&edited, &limits).unwrap_or_else(|e| {
                        panic!(
                            "{} with {value} at {span:?} of shard {which}: {e}",
                            scenario.name
                        )
                    });
                    let parsed: Result<Vec<(String, Partial)>, _> = edited
                        .iter()
                        .map(|t| serde_json::from_str(t).map(|p| ("p.json".to_string(), p)))
                        .collect();
                    rejected += usize::from(parsed.map_or(true, |p| merge_partials(&p).is_err()));
                }
            }
        }
        // Most corruptions are caught; the rest (a bucket count moved within its metric's
        // range, a digit of a seed) leave a possible run.
        assert!(rejected > 0, "{}", scenario.name);
    }
}

/// Replaces every digit run with `replacement` when it is numeric (shifts counts and seeds).
fn texts_swap(text: &str, replacement: &str) -> String {
    if replacement.chars().all(|c| c.is_ascii_digit()) && !replacement.is_empty() {
        text.replacen("\"seed\":1", &format!("\"seed\":{replacement}"), 1)
    } else {
        text.replacen("\"index\":", "\"index\":9", 1)
    }
}
