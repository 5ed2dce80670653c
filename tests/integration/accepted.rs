//! What spotsim accepts that it once refused, and what `validate` prints back: a UTF-8
//! byte-order mark on every JSON input (as on TOML and CSV), `start_time` as a native TOML
//! datetime, spot price series above on-demand (billed at on-demand, reported on stderr),
//! seeds above 2^63; and that the output of `validate`, fed back to it, prints the same.
//! Rejections are in the corpus (`tests/corpus/`); special files in `files`.

use crate::common::{root, shared_data};
use assert_cmd::cargo::cargo_bin_cmd;
use spotsim::Simulator;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The UTF-8 byte-order mark.
const BOM: &str = "\u{feff}";

/// `spotsim args…`: (exit status, stdout, stderr).
fn spotsim(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let output = cargo_bin_cmd!("spotsim")
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `spotsim validate path`, which must succeed: (stdout, stderr).
fn validate(path: &Path) -> (String, String) {
    let (code, stdout, stderr) = spotsim(&["validate".as_ref(), path.as_os_str()]);
    assert_eq!(code, Some(0), "{}: {stderr}", path.display());
    (stdout, stderr)
}

/// The resolved scenario `validate` printed, without its first line (which names the file).
fn resolved(stdout: &str) -> &str {
    stdout.split_once('\n').expect("validate prints lines").1
}

/// A managed-spot job of `hours` hours on a trace (`market`), with `pricing`.
fn scenario(market: &str, pricing: &str, hours: u32) -> String {
    format!(
        r#"name = "inputs"
[job]
managed_spot = true
max_runtime = "{hours}h"
max_wait = "{hours}h"
[workload]
training = "{hours}h"
[market]
{market}
[pricing]
{pricing}
"#
    )
}

/// A `describe-spot-price-history` document of p3.2xlarge Linux/UNIX prices in one zone, from
/// (timestamp, price) pairs.
fn history(entries: &[(&str, &str)]) -> String {
    let entries: Vec<String> = entries
        .iter()
        .map(|(time, price)| {
            serde_json::json!({
                "Timestamp": time,
                "InstanceType": "p3.2xlarge",
                "ProductDescription": "Linux/UNIX",
                "SpotPrice": price,
                "AvailabilityZone": "us-east-1a",
            })
            .to_string()
        })
        .collect();
    format!("{{\"SpotPriceHistory\": [\n{}\n]}}", entries.join(",\n"))
}

/// Writes `files` (name, text) into a new folder; the first is the scenario.
fn folder(files: &[(&str, String)]) -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("temporary folder");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let first = dir.path().join(files[0].0);
    (dir, first)
}

/// Validates the scenario in `files`, then again with a byte-order mark put at the start of
/// `marked`: the resolved scenario must be the same.
fn same_with_a_bom(files: &[(&str, String)], marked: &str) {
    let (dir, scenario) = folder(files);
    let (plain, _) = validate(&scenario);
    let path = dir.path().join(marked);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{BOM}{text}")).unwrap();
    let (with_bom, _) = validate(&scenario);
    assert_eq!(plain, with_bom, "{marked}");
}

#[test]
fn a_byte_order_mark_is_accepted_on_every_json_input_of_a_scenario() {
    let ticks: Vec<String> = (0..8).map(|_| "1".to_string()).collect();
    let prices = "[1.0, 1.5, 1.2, 1.1, 1.0, 1.3, 1.4, 1.0]";
    let json_trace = format!(
        r#"{{"metadata": {{"gap_seconds": 3600}}, "data": [{}], "prices": {prices}}}"#,
        ticks.join(", ")
    );
    let trace_market = "model = \"trace\"\npath = \"trace.json\"\nconvention = \"available\"";
    // A JSON trace with its own prices.
    same_with_a_bom(
        &[
            (
                "s.toml",
                scenario(
                    trace_market,
                    "on_demand_per_hour = 3.0\nspot_prices = \"trace\"",
                    4,
                ),
            ),
            ("trace.json", json_trace.clone()),
        ],
        "trace.json",
    );
    // A per-tick price file.
    same_with_a_bom(
        &[
            (
                "s.toml",
                scenario(
                    trace_market,
                    "on_demand_per_hour = 3.0\nspot_prices = \"prices.json\"\nspot_prices_key = \"z\"",
                    4,
                ),
            ),
            ("trace.json", json_trace.clone()),
            ("prices.json", format!(r#"{{"z": {prices}}}"#)),
        ],
        "prices.json",
    );
    // A describe-spot-price-history file.
    let history = history(&[
        ("2026-01-01T02:00:00.000Z", "1.2"),
        ("2025-12-31T00:00:00Z", "1.1"),
    ]);
    same_with_a_bom(
        &[
            (
                "s.toml",
                scenario(
                    "model = \"exponential\"\nmean_uptime = \"6h\"",
                    "on_demand_per_hour = 3.0\nspot_price_history = \"history.json\"",
                    4,
                ),
            ),
            ("history.json", history),
        ],
        "history.json",
    );
    // A CreateTrainingJob request.
    let request = r#"{"TrainingJobName": "bom-demo",
        "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 14400, "MaxWaitTimeInSeconds": 14400},
        "EnableManagedSpotTraining": true}"#;
    let with_request = "[job]\nrequest = \"request.json\"\n[workload]\ntraining = \"4h\"\n[market]\nmodel = \"exponential\"\nmean_uptime = \"6h\"\n[pricing]\non_demand_per_hour = 3.0\nspot_per_hour = 1.0\n";
    same_with_a_bom(
        &[
            ("s.toml", with_request.to_string()),
            ("request.json", request.to_string()),
        ],
        "request.json",
    );
    // The Spot Advisor feed.
    let feed = shared_data().join("spot-advisor/spot-advisor-data.2025-06-28.json");
    same_with_a_bom(
        &[
            (
                "s.toml",
                scenario(
                    "model = \"advisor\"\nregion = \"us-east-1\"\npath = \"feed.json\"",
                    "on_demand_per_hour = 3.0\nspot_per_hour = 1.0",
                    4,
                ),
            ),
            ("feed.json", std::fs::read_to_string(feed).unwrap()),
        ],
        "feed.json",
    );
    // An event list (its first field is a number: the mark once broke it), and the scenario.
    same_with_a_bom(
        &[
            (
                "s.toml",
                scenario(
                    "model = \"trace\"\npath = \"events.csv\"",
                    "on_demand_per_hour = 3.0\nspot_per_hour = 1.0",
                    1,
                ),
            ),
            (
                "events.csv",
                "0,add,a\n3600000,remove,a\n7200000,add,a\n36000000,remove,a\n".to_string(),
            ),
        ],
        "events.csv",
    );
}

#[test]
fn a_byte_order_mark_is_accepted_on_standard_input() {
    let text = std::fs::read_to_string(root().join("scenarios/default.toml")).unwrap();
    let run = |stdin: String| {
        let output = cargo_bin_cmd!("spotsim")
            .args(["validate", "-"])
            .write_stdin(stdin)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(run(format!("{BOM}{text}")), run(text));
}

#[test]
fn a_byte_order_mark_is_accepted_on_partials_and_baselines() {
    let dir = TempDir::new().unwrap();
    let scenario = root().join("scenarios/default.toml");
    let partial = dir.path().join("p.json");
    let (code, _, stderr) = spotsim(&[
        "simulate".as_ref(),
        scenario.as_os_str(),
        "--trials".as_ref(),
        "200".as_ref(),
        "--shard".as_ref(),
        "0/1".as_ref(),
        "--partial".as_ref(),
        partial.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let merge = |path: &Path| {
        let (code, stdout, stderr) = spotsim(&[
            "merge".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "csv".as_ref(),
        ]);
        assert_eq!(code, Some(0), "{stderr}");
        stdout
    };
    let plain = merge(&partial);
    let marked = dir.path().join("marked.json");
    let text = std::fs::read_to_string(&partial).unwrap();
    std::fs::write(&marked, format!("{BOM}{text}")).unwrap();
    assert_eq!(merge(&marked), plain);

    let baseline = root().join("benches/policies/baseline.json");
    let marked = dir.path().join("baseline.json");
    let text = std::fs::read_to_string(&baseline).unwrap();
    std::fs::write(&marked, format!("{BOM}{text}")).unwrap();
    let read = |path: &Path| {
        spotsim::bench::compare::read_baseline(path).unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(
        serde_json::to_string(&read(&marked)).unwrap(),
        serde_json::to_string(&read(&baseline)).unwrap()
    );
}

#[test]
fn start_time_accepts_a_native_toml_datetime() {
    let body = scenario(
        "model = \"exponential\"\nmean_uptime = \"6h\"",
        "on_demand_per_hour = 3.0\nspot_per_hour = 1.0",
        4,
    );
    let start = |written: &str| {
        let text = format!("start_time = {written}\n{body}");
        let parsed = spotsim::Scenario::from_toml(&text, "s.toml", "s")
            .unwrap_or_else(|e| panic!("{written}: {e}"));
        spotsim::sagemaker::time::format_utc_millis(parsed.start_time_millis)
    };
    let cases = [
        ("\"2026-03-01T12:00:00Z\"", "2026-03-01T12:00:00.000Z"),
        ("2026-03-01T12:00:00Z", "2026-03-01T12:00:00.000Z"),
        ("2026-03-01 12:00:00Z", "2026-03-01T12:00:00.000Z"),
        // An offset is converted to UTC: 14:30 at +02:30 is 12:00 UTC.
        ("2026-03-01T14:30:00+02:30", "2026-03-01T12:00:00.000Z"),
        // West of Greenwich, across midnight and a month end: 2026-02-28T21:00-05:00.
        ("2026-02-28T21:00:00-05:00", "2026-03-01T02:00:00.000Z"),
        // No offset: UTC, as a string without a zone.
        ("2026-03-01T12:00:00", "2026-03-01T12:00:00.000Z"),
        // Milliseconds kept, finer digits dropped (as in strings); seconds may be left out.
        ("2026-03-01T12:00:00.123456Z", "2026-03-01T12:00:00.123Z"),
        ("2026-03-01T12:00Z", "2026-03-01T12:00:00.000Z"),
    ];
    for (written, expected) in cases {
        assert_eq!(start(written), expected, "{written}");
    }
}

/// A replayed trace of four one-hour rows, all available, with per-tick prices 1, 5, 1, 5 USD/h
/// against on-demand 3 USD/h.
fn capped_series_scenario() -> (TempDir, PathBuf) {
    let trace = r#"{"metadata": {"gap_seconds": 3600}, "data": [1, 1, 1, 1], "prices": [1.0, 5.0, 1.0, 5.0]}"#;
    folder(&[
        (
            "capped.toml",
            scenario(
                "model = \"trace\"\npath = \"trace.json\"\nconvention = \"available\"",
                "on_demand_per_hour = 3.0\nspot_prices = \"trace\"",
                4,
            ),
        ),
        ("trace.json", trace.to_string()),
    ])
}

#[test]
fn a_price_series_above_on_demand_is_billed_at_on_demand_and_reported() {
    let (_dir, path) = capped_series_scenario();
    let (_, stderr) = validate(&path);
    assert!(
        stderr.contains(
            "2 of 4 spot prices (50.00 % of the series' time, up to 5 USD/h) are above on_demand_per_hour = 3"
        ),
        "{stderr}"
    );
    // The job holds its instance for the four hours: 1 + 3 + 1 + 3 USD, not 1 + 5 + 1 + 5.
    let loaded = spotsim::Scenario::load(&path).unwrap();
    let outcome = spotsim::Engine::new(&loaded).run(0);
    assert_eq!(outcome.outcome, spotsim::Outcome::Completed);
    assert_eq!(outcome.training_time_seconds, 4.0 * 3600.0);
    assert!(
        (outcome.cost_usd - 8.0).abs() < 1e-9,
        "{}",
        outcome.cost_usd
    );
    // BillableTime = ∫ price/on-demand dt = (1/3 + 1 + 1/3 + 1) h.
    let billable = (2.0 + 2.0 / 3.0) * 3600.0;
    assert!((outcome.billable_time_seconds - billable).abs() < 1e-6);

    // A price history: 5 USD/h from 01:00 to 02:00 of a 00:00 … 03:00 record (newest first).
    let history = history(&[
        ("2026-01-01T03:00:00Z", "1.0"),
        ("2026-01-01T02:00:00Z", "1.0"),
        ("2026-01-01T01:00:00Z", "5.0"),
        ("2026-01-01T00:00:00Z", "1.0"),
    ]);
    let (_dir, path) = folder(&[
        (
            "history.toml",
            scenario(
                "model = \"windows\"\navailable = [[\"0s\", \"10h\"]]",
                "on_demand_per_hour = 3.0\nspot_price_history = \"history.json\"",
                4,
            ),
        ),
        ("history.json", history),
    ]);
    let (_, stderr) = validate(&path);
    assert!(
        stderr.contains("1 of 4 spot prices (33.33 % of the series' time, up to 5 USD/h)"),
        "{stderr}"
    );
    let loaded = spotsim::Scenario::load(&path).unwrap();
    let outcome = spotsim::Engine::new(&loaded).run(0);
    // 00:00 … 04:00: 1 + 3 + 1 + 1 USD.
    assert!(
        (outcome.cost_usd - 6.0).abs() < 1e-9,
        "{}",
        outcome.cost_usd
    );
}

#[test]
fn a_seed_above_two_to_the_63_is_printed_as_it_was_read() {
    let text = format!(
        "{}\n[simulation]\nseed = 18446744073709551615\n",
        scenario(
            "model = \"exponential\"\nmean_uptime = \"6h\"",
            "on_demand_per_hour = 3.0\nspot_per_hour = 1.0",
            4
        )
    );
    let (dir, path) = folder(&[("seed.toml", text)]);
    let (first, _) = validate(&path);
    assert!(first.contains("\nseed = 18446744073709551615\n"), "{first}");
    let again = dir.path().join("again.toml");
    std::fs::write(&again, resolved(&first)).unwrap();
    let (second, _) = validate(&again);
    assert_eq!(resolved(&second), resolved(&first));

    // A suite's seed reaches its cells the same way.
    let suite = format!(
        "[suite]\ntrials = 10\nseed = 18446744073709551615\n[[scenario]]\npath = \"{}\"\n",
        root().join("scenarios/default.toml").display()
    );
    let suite = spotsim::bench::manifest::Suite::from_toml(&suite, &dir.path().join("suite.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        suite
            .cells
            .iter()
            .all(|c| c.seed == u64::MAX && c.scenario.simulation.seed == u64::MAX)
    );
}

/// `validate`'s output, fed back to `validate`, prints the same — for every shipped scenario.
/// (Random valid scenarios: `fuzz::validate_output_round_trips_for_random_valid_scenarios`.)
#[test]
fn validate_output_round_trips_for_every_shipped_scenario() {
    let dir = TempDir::new().unwrap();
    let mut shipped: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    shipped.sort();
    assert!(shipped.len() >= 25, "{} scenarios", shipped.len());
    for path in shipped {
        let (first, _) = validate(&path);
        let again = dir.path().join(path.file_name().unwrap());
        std::fs::write(&again, resolved(&first)).unwrap();
        let (second, _) = validate(&again);
        assert_eq!(
            resolved(&second),
            resolved(&first),
            "{}: validate's output reads back differently",
            path.display()
        );
    }
}
