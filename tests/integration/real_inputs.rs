//! What users paste from AWS: Spot Instance Advisor bands as AWS labels them, shipped data
//! found without a path fixed at build time.

use crate::common;
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use spotsim::Scenario;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// λ = −ln(1 − p) / 730 h, per hour (reference §8).
fn hazard_per_hour(p: f64) -> f64 {
    -(1.0 - p).ln() / 730.0
}

/// A spot scenario on the advisor market with `market` lines added to `[market]`.
fn advisor_scenario(market: &str) -> String {
    format!(
        r#"name = "advisor-band"
[job]
instance_type = "ml.p3.2xlarge"
managed_spot = true
max_runtime = "16h"
max_wait = "24h"
checkpoint_s3_uri = "s3://bucket/ckpt"
[workload]
training = "8h"
[checkpoint]
interval = "30m"
write = "1m"
[market]
model = "advisor"
{market}
[pricing]
on_demand_per_hour = 3.825
spot_per_hour = 1.1475
[simulation]
trials = 500
"#
    )
}

/// Runs spotsim with `args` in `dir` (without the data variables unless `env` sets them);
/// returns (exit code, stdout, stderr).
pub fn spotsim(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> (Option<i32>, String, String) {
    spotsim_with_stdin(dir, args, env, None)
}

/// [`spotsim`] with `stdin` as standard input.
pub fn spotsim_with_stdin(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &Path)],
    stdin: Option<&str>,
) -> (Option<i32>, String, String) {
    let mut cmd = cargo_bin_cmd!("spotsim");
    cmd.current_dir(dir).args(args);
    cmd.env_remove("SPOTSIM_DATA")
        .env_remove("SPOTSIM_SHARED_DATA");
    for (key, value) in env {
        cmd.env(key, value);
    }
    if let Some(text) = stdin {
        cmd.write_stdin(text);
    }
    let out = cmd.output().expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs spotsim (as [`spotsim`], no environment) expecting success; returns (stdout, stderr).
#[track_caller]
pub fn succeeds(dir: &Path, args: &[&str]) -> (String, String) {
    let (code, out, err) = spotsim(dir, args, &[]);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    (out, err)
}

/// Runs spotsim expecting invalid input (exit 2, nothing on stdout); returns stderr.
#[track_caller]
pub fn exits_2(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = spotsim(dir, args, &[]);
    assert_eq!(code, Some(2), "{args:?}: {err}");
    assert!(out.is_empty(), "{args:?} printed {out}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Writes `text` to `dir/name`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn advisor_band_over_20_percent_gives_the_reference_hazard_and_prints_it() {
    let scenario = common::parse(&advisor_scenario("band = \">20%\""));
    let basis = scenario
        .market
        .as_ref()
        .and_then(|m| m.model.interruption_basis())
        .expect("advisor markets state their basis");
    // The open band is read at its capped upper edge: p = 0.5.
    let expected = hazard_per_hour(0.5);
    assert_eq!(basis.band, ">20%");
    assert_eq!(basis.monthly_interruption_fraction, 0.5);
    assert!((basis.hazard_per_instance_hour / expected - 1.0).abs() < 1e-12);
    let mean = scenario
        .market
        .as_ref()
        .unwrap()
        .model
        .mean_uptime_seconds();
    assert!((mean.unwrap() / (3600.0 / expected) - 1.0).abs() < 1e-12);

    let dir = TempDir::new().unwrap();
    write(dir.path(), "s.toml", &advisor_scenario("band = \">20%\""));
    // JSON: the band and the hazard used.
    let (out, _) = succeeds(dir.path(), &["simulate", "s.toml", "--format", "json"]);
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["market"]["band"], ">20%");
    assert_eq!(summary["market"]["edge"], "upper");
    assert_eq!(summary["market"]["source"], "the scenario's band");
    let printed = summary["market"]["hazard_per_instance_hour"]
        .as_f64()
        .unwrap();
    assert!((printed / expected - 1.0).abs() < 1e-12, "{printed}");
    // Table: the same figures for people (λ = 0.000950 per instance-hour).
    let (_, table, _) = spotsim(dir.path(), &["simulate", "s.toml"], &[]);
    assert!(table.contains("band >20%"), "{table}");
    assert!(table.contains(&format!("{expected:.6}")), "{table}");
    // Report: Markdown and HTML of simulate --output, and the plan.
    succeeds(dir.path(), &["simulate", "s.toml", "--output", "out"]);
    let md = std::fs::read_to_string(dir.path().join("out/summary.md")).unwrap();
    assert!(md.contains(&format!("{expected:.6}")), "{md}");
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("band &gt;20%"), "report.html names the band");
    let (out, _) = succeeds(
        dir.path(),
        &["plan", "s.toml", "--format", "json", "--trials", "200"],
    );
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["market"]["band"], ">20%");
    let (_, plan_table, _) = spotsim(dir.path(), &["plan", "s.toml", "--trials", "200"], &[]);
    assert!(plan_table.contains("band >20%"), "{plan_table}");
}

/// Every output of `simulate` and `plan` that shows the market: stdout in each format that is
/// not CSV, and the JSON, Markdown and HTML files of `--output`.
fn market_outputs(dir: &Path) -> Vec<(String, String)> {
    let mut outputs = Vec::new();
    for command in ["simulate", "plan"] {
        for format in ["table", "json", "markdown"] {
            let args = [command, "s.toml", "--trials", "50", "--format", format];
            outputs.push((args.join(" "), succeeds(dir, &args).0));
        }
        let folder = format!("{command}-out");
        succeeds(
            dir,
            &[command, "s.toml", "--trials", "50", "--output", &folder],
        );
        let files: &[&str] = if command == "simulate" {
            &["summary.json", "summary.md", "report.html"]
        } else {
            &["plan.json", "report.md", "report.html"]
        };
        for file in files {
            let path = dir.join(&folder).join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            outputs.push((path.display().to_string(), text));
        }
    }
    outputs
}

#[test]
fn every_output_that_shows_the_market_states_band_source_and_hazard() {
    // The shipped feed puts p3.2xlarge in us-east-1 in ">20%" (p = 0.5 at the upper edge).
    for (lines, band, source, p) in [
        (
            "band = \"10-15%\"",
            "10-15%",
            "the scenario's band".to_string(),
            0.16,
        ),
        (
            "region = \"us-east-1\"",
            ">20%",
            "us-east-1 Linux p3.2xlarge in spot-advisor-data.".to_string(),
            0.5,
        ),
    ] {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "s.toml", &advisor_scenario(lines));
        let hazard = hazard_per_hour(p);
        for (output, text) in market_outputs(dir.path()) {
            if output.ends_with(".json") || output.contains("json") {
                let v: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(v["market"]["band"], band, "{output}");
                let given = v["market"]["source"].as_str().unwrap();
                assert!(given.starts_with(&source), "{output}: {given}");
                let rate = v["market"]["hazard_per_instance_hour"].as_f64().unwrap();
                assert!((rate / hazard - 1.0).abs() < 1e-12, "{output}: {rate}");
                continue;
            }
            let (band, source) = if output.ends_with(".html") {
                let escape = |t: &str| t.replace('>', "&gt;").replace('\'', "&#39;");
                (escape(band), escape(&source))
            } else {
                (band.to_string(), source.clone())
            };
            for shown in [
                format!("band {band} ({source}"),
                format!("{hazard:.6} per instance-hour"),
            ] {
                assert!(text.contains(&shown), "{output} lacks \"{shown}\":\n{text}");
            }
        }
    }
}

#[test]
fn every_aws_label_gives_its_band_and_agrees_with_the_feed_lookup() {
    // Edges of the feed (`max` 5, 11, 16, 22, 100; the open band capped at 50 %).
    for (label, lower, upper) in [
        ("<5%", 0.0, 0.05),
        ("5-10%", 0.05, 0.11),
        ("10-15%", 0.11, 0.16),
        ("15-20%", 0.16, 0.22),
        (">20%", 0.22, 0.5),
    ] {
        for (edge, p) in [
            ("upper", upper),
            ("mid", 0.5 * (lower + upper)),
            ("lower", lower),
        ] {
            let scenario = common::parse(&advisor_scenario(&format!(
                "band = \"{label}\"\nedge = \"{edge}\""
            )));
            let basis = scenario.market.unwrap().model.interruption_basis().unwrap();
            assert!(
                (basis.monthly_interruption_fraction - p).abs() < 1e-15,
                "{label} {edge}: {}",
                basis.monthly_interruption_fraction
            );
            if p > 0.0 {
                let rate = basis.hazard_per_instance_hour;
                assert!((rate / hazard_per_hour(p) - 1.0).abs() < 1e-12, "{label}");
            } else {
                assert_eq!(basis.mean_uptime_hours, None, "never interrupted");
            }
        }
    }
    // The shipped feeds' ranges are AWS's five labels with these edges.
    let folder = common::shared_data().join("spot-advisor");
    for entry in std::fs::read_dir(&folder).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let feed: Value = serde_json::from_str(&text).unwrap();
        let ranges: Vec<(String, f64)> = feed["ranges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["label"].as_str().unwrap().to_string(),
                    r["max"].as_f64().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, f64)> = spotsim::market::advisor::AWS_BANDS
            .iter()
            .map(|(l, m)| (l.to_string(), *m))
            .collect();
        assert_eq!(ranges, expected);
    }
    // g4dn.xlarge in us-east-1 (2025-06-28 snapshot) is in "15-20%": the lookup and the label
    // give the same hazard.
    let snapshot = folder.join("spot-advisor-data.2025-06-28.json");
    let looked_up = common::parse(&advisor_scenario(&format!(
        "path = \"{}\"\nregion = \"us-east-1\"\ninstance_type = \"g4dn.xlarge\"\nedge = \"mid\"",
        snapshot.display()
    )));
    let labelled = common::parse(&advisor_scenario("band = \"15-20 %\"\nedge = \"mid\""));
    let (a, b) = (
        looked_up
            .market
            .unwrap()
            .model
            .interruption_basis()
            .unwrap(),
        labelled.market.unwrap().model.interruption_basis().unwrap(),
    );
    assert_eq!(a.band, "15-20%");
    assert_eq!(a.hazard_per_instance_hour, b.hazard_per_instance_hour);
    assert_eq!(
        a.source,
        "us-east-1 Linux g4dn.xlarge in spot-advisor-data.2025-06-28.json"
    );
}

#[test]
fn a_band_label_with_lookup_keys_or_an_unknown_label_exits_2() {
    let dir = TempDir::new().unwrap();
    for (market, key, words) in [
        (
            "band = \">20%\"\nregion = \"us-east-1\"",
            "[market] region",
            &["is the band itself"][..],
        ),
        (
            "band = \"20-25%\"",
            "[market] band",
            &["\"<5%\"", "\">20%\"", "20-25%"][..],
        ),
        (
            "band = \"mid\"\nedge = \"upper\"",
            "[market] edge",
            &["give it once"][..],
        ),
    ] {
        write(dir.path(), "bad.toml", &advisor_scenario(market));
        let err = exits_2(dir.path(), &["validate", "bad.toml"]);
        assert!(err.contains(key), "{err}");
        for word in words {
            assert!(err.contains(word), "{word}: {err}");
        }
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

/// A replay scenario copied away from the checkout: its `../../shared/data/…` path no longer
/// exists relative to it.
fn copied_replay_scenario(dir: &Path) -> PathBuf {
    let text =
        std::fs::read_to_string(common::scenario_path("replay-aws-p3-us-west-2a.toml")).unwrap();
    assert!(text.contains("../../shared/data/traces/"));
    write(dir, "replay.toml", &text)
}

#[test]
fn shipped_data_is_found_through_spotsim_data_and_the_executables_checkout() {
    let dir = TempDir::new().unwrap();
    copied_replay_scenario(dir.path());
    assert!(!dir.path().join("../../shared/data").exists());
    let data = common::shared_data();
    // $SPOTSIM_DATA.
    let (code, out, err) = spotsim(
        dir.path(),
        &["validate", "replay.toml"],
        &[("SPOTSIM_DATA", &data)],
    );
    assert_eq!(code, Some(0), "{err}");
    let expected = data.join("traces/aws-p3.2xlarge-2023-02-15/us-west-2a.csv");
    assert!(out.contains(&expected.display().to_string()), "{out}");
    // No variable: beside the checkout the executable was built in.
    succeeds(dir.path(), &["validate", "replay.toml"]);
}

#[test]
fn a_missing_data_file_names_every_place_looked_in() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(copied_replay_scenario(dir.path()))
        .unwrap()
        .replace("us-west-2a.csv", "us-nowhere-1z.csv");
    write(dir.path(), "missing.toml", &text);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, err) = spotsim(
        dir.path(),
        &["validate", "missing.toml"],
        &[("SPOTSIM_DATA", &empty)],
    );
    assert_eq!(code, Some(2), "{err}");
    for word in [
        "[market] path",
        "us-nowhere-1z.csv",
        "the scenario's folder",
        "$SPOTSIM_DATA",
        "current directory",
        "executable's checkout",
    ] {
        assert!(err.contains(word), "{word}: {err}");
    }
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn spotsim_data_comes_before_the_checkout_for_the_advisor_feed() {
    // A one-entry feed in a folder named by SPOTSIM_DATA: p3.2xlarge in "<5%".
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("spot-advisor")).unwrap();
    write(
        &data.join("spot-advisor"),
        "spot-advisor-data.2099-01-01.json",
        r#"{"ranges": [{"index": 0, "label": "<5%", "dots": 0, "max": 5},
                       {"index": 4, "label": ">20%", "dots": 4, "max": 100}],
            "spot_advisor": {"us-east-1": {"Linux": {"p3.2xlarge": {"r": 0, "s": 70}}}}}"#,
    );
    write(
        dir.path(),
        "s.toml",
        &advisor_scenario("region = \"us-east-1\""),
    );
    let (code, out, err) = spotsim(
        dir.path(),
        &["simulate", "s.toml", "--format", "json", "--trials", "10"],
        &[("SPOTSIM_DATA", &data)],
    );
    assert_eq!(code, Some(0), "{err}");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["market"]["band"], "<5%");
    assert_eq!(
        summary["market"]["source"],
        "us-east-1 Linux p3.2xlarge in spot-advisor-data.2099-01-01.json"
    );
    let rate = summary["market"]["hazard_per_instance_hour"]
        .as_f64()
        .unwrap();
    assert!((rate / hazard_per_hour(0.05) - 1.0).abs() < 1e-12);
    // Without the variable, the checkout's newest shipped snapshot (">20%" for p3.2xlarge).
    let (_, out, _) = spotsim(
        dir.path(),
        &["simulate", "s.toml", "--format", "json", "--trials", "10"],
        &[],
    );
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["market"]["band"], ">20%");
}

#[test]
fn a_merged_advisor_run_prints_the_basis_as_one_run_does() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "s.toml", &advisor_scenario("band = \"10-15%\""));
    let (_, single, _) = spotsim(dir.path(), &["simulate", "s.toml", "--format", "json"], &[]);
    for i in 0..2 {
        let shard = format!("{i}/2");
        let part = format!("p{i}.json");
        succeeds(
            dir.path(),
            &["simulate", "s.toml", "--shard", &shard, "--partial", &part],
        );
    }
    let (merged, _) = succeeds(
        dir.path(),
        &["merge", "p0.json", "p1.json", "--format", "json"],
    );
    let strip = |text: &str| {
        let mut v: Value = serde_json::from_str(text).unwrap();
        v.as_object_mut().unwrap().remove("run");
        v
    };
    assert_eq!(strip(&single), strip(&merged));
    assert_eq!(strip(&merged)["market"]["band"], "10-15%");
}

#[test]
fn the_shipped_advisor_scenario_states_its_band() {
    // scenarios/advisor-p3.toml names no path: the newest shipped feed is looked up.
    let scenario = Scenario::load(&common::scenario_path("advisor-p3.toml")).unwrap();
    let basis = scenario.market.unwrap().model.interruption_basis().unwrap();
    assert_eq!(basis.band, ">20%");
}

// ---------------------------------------------------------------------------------------------
// units

#[test]
fn checkpoint_bandwidth_is_megabytes_per_second_and_the_old_name_is_refused() {
    let with = |line: &str| {
        advisor_scenario("band = \"<5%\"")
            .replace("write = \"1m\"", &format!("size_gb = 10\n{line}"))
    };
    // 10 GB at 250 MB/s: 10 × 1000 / 250 = 40 s to write and 40 s to restore.
    let scenario = common::parse(&with("bandwidth_mb_per_s = 250"));
    assert_eq!(scenario.checkpoint.write_seconds, 40.0);
    assert_eq!(scenario.checkpoint.restore_seconds, 40.0);
    let dir = TempDir::new().unwrap();
    write(dir.path(), "old.toml", &with("bandwidth_mbps = 250"));
    let err = exits_2(dir.path(), &["validate", "old.toml"]);
    for word in [
        "old.toml:",
        "[checkpoint] bandwidth_mbps",
        "bandwidth_mb_per_s = 250",
        "250 / 8",
    ] {
        assert!(err.contains(word), "{word}: {err}");
    }
}
