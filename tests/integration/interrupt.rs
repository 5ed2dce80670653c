//! SIGINT during a long `simulate --output DIR` stops cleanly at a block boundary: it prints
//! what was completed, exits 130, and leaves neither a report nor a partial or temporary file.

use crate::common::scenario_path;
use std::time::{Duration, Instant};

#[test]
fn sigint_leaves_no_partial_files() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("report");
    let rows = dir.path().join("trials.csv");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("spotsim"))
        .arg("simulate")
        .arg(scenario_path("reference-model.toml"))
        .args(["--trials", "2000000000", "--yes", "--quiet", "--output"])
        .arg(&output)
        .arg("--per-trial")
        .arg(&rows)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Let it run (and start writing per-trial rows) before interrupting it.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let temporary = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".tmp"));
        if temporary {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted after"), "{stderr}");
    // What was completed is printed.
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(stdout.contains("Completed"), "{stdout}");
    // No report folder contents, no per-trial file, no temporary file.
    let left: Vec<String> = walk(dir.path());
    assert!(left.is_empty(), "files left behind: {left:?}");
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}

#[test]
fn a_run_estimated_to_take_hours_needs_yes() {
    let output = assert_cmd::cargo::cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(scenario_path("reference-model.toml"))
        .args(["--trials", "1000000000000", "--threads", "2"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("hours") && stderr.contains("--yes"),
        "{stderr}"
    );
}

#[test]
fn merge_never_overwrites_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("summary.json");
    assert_cmd::cargo::cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(scenario_path("default.toml"))
        .args(["--trials", "1000", "--shard", "0/1", "--partial"])
        .arg(&partial)
        .assert()
        .success();
    let before = std::fs::read(&partial).unwrap();
    let output = assert_cmd::cargo::cargo_bin_cmd!("spotsim")
        .arg("merge")
        .arg(&partial)
        .arg("--output")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("overwrite"));
    assert_eq!(std::fs::read(&partial).unwrap(), before);
}
