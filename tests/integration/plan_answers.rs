//! Answers to paste: integer `*_seconds` in plan JSON and CSV, the "Use it" snippets with the
//! recommended numbers in every format, and `plan --require` as a CI gate.

use crate::common::{json_of, stdout_of};
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use tempfile::TempDir;

/// Every `*_seconds` member of `value` outside the simulation summary and the run information
/// (whose metrics are means and quantiles, not settings), with its path.
fn seconds_members<'a>(value: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                if key == "simulation" || key == "run" {
                    continue;
                }
                let here = format!("{path}/{key}");
                if key.ends_with("_seconds") {
                    out.push((here.clone(), member));
                }
                seconds_members(member, here, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                seconds_members(item, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn plan_json(args: &[&str]) -> Value {
    json_of(
        cargo_bin_cmd!("spotsim")
            .args(["plan", "-q", "--trials", "2000", "--format", "json"])
            .args(args)
            .output()
            .unwrap(),
    )
}

#[test]
fn every_seconds_setting_is_an_integer_boto3_accepts() {
    let plan = plan_json(&["--checkpoint-intervals", "15m,1h", "--deadline", "34h"]);
    let mut members = Vec::new();
    seconds_members(&plan, String::new(), &mut members);
    assert!(members.len() > 100, "{}", members.len());
    for (path, value) in &members {
        assert!(
            value.is_u64() || value.is_null(),
            "{path} = {value} is not a whole number"
        );
    }
    let r = &plan["recommendation"];
    assert_eq!(r["option"], "managed-spot");
    assert_eq!(r["max_runtime_seconds"], 100_800);
    // The cheapest option meeting the target checkpoints every 15 min (of 30 min, 15 min, 1 h).
    assert_eq!(r["checkpoint_interval_seconds"], 900);
    assert!(r["p_by_deadline"].as_f64().unwrap() >= 0.95);
    assert_eq!(plan["deadline_seconds"], 34 * 3600);
    let w = r["max_wait_seconds"].as_u64().unwrap();
    // The snippets say the same integers.
    let use_it = &r["use_it"];
    let v2 = use_it["sdk_v2"].as_str().unwrap();
    assert!(
        v2.contains(&format!("max_wait={w},")) && v2.contains("max_run=100800,"),
        "{v2}"
    );
    assert!(v2.contains("use_spot_instances=True"), "{v2}");
    let v3 = use_it["sdk_v3"].as_str().unwrap();
    assert!(
        v3.contains(&format!("max_wait_time_in_seconds={w})")),
        "{v3}"
    );
    assert!(
        v3.contains("Compute(") && v3.contains("enable_managed_spot_training=True"),
        "{v3}"
    );
    let api: Value = serde_json::from_str(use_it["create_training_job"].as_str().unwrap()).unwrap();
    assert_eq!(api["StoppingCondition"]["MaxWaitTimeInSeconds"], w);
    assert_eq!(api["StoppingCondition"]["MaxRuntimeInSeconds"], 100_800);
    assert_eq!(api["EnableManagedSpotTraining"], true);
    // Each checkpoint interval's recommendation carries its own interval and snippets.
    let intervals = plan["checkpoint_intervals"].as_array().unwrap();
    assert_eq!(
        intervals[0]["recommendation"]["checkpoint_interval_seconds"],
        900
    );
    assert!(intervals[0]["recommendation"]["use_it"]["sdk_v2"].is_string());
}

#[test]
fn the_use_it_block_is_in_table_markdown_and_html() {
    let table = stdout_of(
        cargo_bin_cmd!("spotsim")
            .args(["plan", "-q", "--trials", "2000"])
            .output()
            .unwrap(),
    );
    let json = plan_json(&[]);
    let w = json["recommendation"]["max_wait_seconds"].as_u64().unwrap();
    assert!(table.contains("Use it:"), "{table}");
    assert!(table.contains(&format!("max_wait={w}")), "{table}");
    assert!(
        table.contains(&format!("\"MaxWaitTimeInSeconds\": {w}")),
        "{table}"
    );
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("plan");
    stdout_of(
        cargo_bin_cmd!("spotsim")
            .args(["plan", "-q", "--trials", "2000", "--output"])
            .arg(&out)
            .output()
            .unwrap(),
    );
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.contains("### Use it"), "{markdown}");
    assert!(markdown.contains(&format!("max_wait_time_in_seconds={w}")));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Use it") && html.contains(&format!("max_wait={w}")));
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    assert_eq!(
        written["recommendation"]["use_it"],
        json["recommendation"]["use_it"]
    );
    let csv = std::fs::read_to_string(out.join("plan.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(row.starts_with("100800,28.0,"), "{row}");
}

#[test]
fn require_fails_the_pipeline_only_when_no_option_meets_the_target() {
    // Met: the default reaches 0.95 by MaxWait (exit 0).
    let met = cargo_bin_cmd!("spotsim")
        .args(["plan", "-q", "--trials", "2000", "--require"])
        .output()
        .unwrap();
    assert_eq!(met.status.code(), Some(0));
    // Unmet: 20 h of training cannot be done by 20 h by any option, on-demand included (its
    // job holds 20.7 h; exit 1, the plan still printed, one line on stderr).
    let unmet = cargo_bin_cmd!("spotsim")
        .args([
            "plan",
            "-q",
            "--trials",
            "2000",
            "--require",
            "--deadline",
            "20h",
        ])
        .output()
        .unwrap();
    assert_eq!(unmet.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&unmet.stdout);
    assert!(
        stdout.contains("No option (managed spot, spot-then-on-demand or on-demand)"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&unmet.stderr);
    assert!(
        stderr.contains("--require") && stderr.contains("P(done by 20 h)"),
        "{stderr}"
    );
    // Without --require the same plan exits 0.
    let informative = cargo_bin_cmd!("spotsim")
        .args(["plan", "-q", "--trials", "2000", "--deadline", "20h"])
        .output()
        .unwrap();
    assert_eq!(informative.status.code(), Some(0));
}
