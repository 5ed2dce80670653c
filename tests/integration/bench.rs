//! `spotsim bench`: the regression rule end to end on small suites (a worse variant exits 1
//! naming the cell and metric, the same suite against its own baseline exits 0, improvements
//! are reported and pass), determinism across thread counts, malformed input (exit 2), and
//! the shipped suite.

use crate::common::root;
use assert_cmd::cargo::cargo_bin_cmd;
use spotsim::bench::compare::{check_compatible, read_baseline};
use spotsim::bench::{Suite, Verdict, compare, run_suite};
use std::path::PathBuf;

const SCENARIO: &str = r#"
name = "small-p3"
[job]
managed_spot = true
max_runtime = "12h"
max_wait = "14h"
checkpoint_s3_uri = "s3://bucket/ckpt"
[workload]
training = "8h"
provisioning = "3m"
download = "2m"
[checkpoint]
policy = "interval"
interval = "30m"
write = "1m"
restore = "1m"
[market]
model = "exponential"
mean_uptime = "3h"
mean_capacity_wait = "15m"
[pricing]
on_demand_per_hour = 3.825
spot_per_hour = 1.1475
"#;

/// A manifest of two scenarios' worth of cells; `interval` is the checkpoint interval of the
/// `interval` policy, so a test can make that policy worse or better.
fn manifest(interval: &str) -> String {
    format!(
        r#"
[suite]
name = "small"
trials = 3000
seed = 11

[policies]
interval = {{ checkpoint.policy = "interval", checkpoint.interval = "{interval}" }}
daly = {{ checkpoint.policy = "daly", unset = ["checkpoint.interval"] }}
spot-then-on-demand = {{ policy.name = "spot-then-on-demand" }}

[[scenario]]
path = "small.toml"
policies = ["interval", "daly", "spot-then-on-demand"]
[scenario.variants]
loose = {{ job.max_wait = "24h" }}
"#
    )
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(interval: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("small.toml"), SCENARIO).unwrap();
        std::fs::write(dir.path().join("suite.toml"), manifest(interval)).unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn set_interval(&self, interval: &str) {
        std::fs::write(self.path("suite.toml"), manifest(interval)).unwrap();
    }

    fn bench(&self, extra: &[&str]) -> std::process::Output {
        cargo_bin_cmd!("spotsim")
            .arg("bench")
            .arg(self.path("suite.toml"))
            .args(extra)
            .output()
            .unwrap()
    }

    fn save_baseline(&self) -> PathBuf {
        let baseline = self.path("baseline.json");
        let output = self.bench(&["--save-baseline", baseline.to_str().unwrap(), "--quiet"]);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        baseline
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn same_suite_against_its_own_baseline_is_unchanged() {
    let fixture = Fixture::new("30m");
    let baseline = fixture.save_baseline();
    let output = fixture.bench(&["--baseline", baseline.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        stdout.contains("0 regressed, 0 improved, 42 unchanged"),
        "{stdout}"
    );
    assert!(!stdout.contains("REGRESSED") && !stdout.contains("IMPROVED"));
}

#[test]
fn checkpoint_interval_times_ten_regresses_and_names_cell_and_metric() {
    let fixture = Fixture::new("30m");
    let baseline = fixture.save_baseline();
    fixture.set_interval("5h");
    let output = fixture.bench(&["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    // The diff table shows the regressed rows, the error names cell and metric.
    let row = stdout
        .lines()
        .find(|l| l.starts_with("small/interval ") && l.contains(" p_completed "))
        .expect("a diff row for small/interval p_completed");
    assert!(row.ends_with("REGRESSED"), "{row}");
    assert!(stderr.contains("small/interval p_completed"), "{stderr}");
    assert!(stderr.contains("small/interval cost_mean_usd"), "{stderr}");
    // Cells the change does not touch stay unchanged (common random numbers: bit-identical).
    for line in stdout.lines().filter(|l| l.starts_with("small/daly")) {
        if line.contains(" p_") || line.contains("_usd") || line.contains("_seconds") {
            assert!(line.ends_with("unchanged"), "{line}");
        }
    }
    assert!(stdout.contains("differs from the baseline's"), "{stdout}");

    // With colour, exactly the regressed rows are red, and so is the error label.
    let coloured = fixture.bench(&[
        "--baseline",
        baseline.to_str().unwrap(),
        "--color",
        "always",
    ]);
    assert_eq!(coloured.status.code(), Some(1));
    let coloured_stdout = text(&coloured.stdout);
    for (plain, shown) in stdout.lines().zip(coloured_stdout.lines()) {
        if plain.ends_with("REGRESSED") {
            assert_eq!(shown, format!("\x1b[1;31m{plain}\x1b[0m"));
        } else {
            assert_eq!(shown, plain);
        }
    }
    assert_eq!(stdout.lines().count(), coloured_stdout.lines().count());
    let stderr = text(&coloured.stderr);
    let error = stderr.lines().last().unwrap_or_default();
    assert!(error.starts_with("\x1b[1;31mError:\x1b[0m "), "{stderr}");
}

#[test]
fn an_improvement_is_reported_and_passes() {
    let fixture = Fixture::new("5h");
    let baseline = fixture.save_baseline();
    fixture.set_interval("30m");
    let output = fixture.bench(&["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let row = stdout
        .lines()
        .find(|l| l.starts_with("small/interval ") && l.contains(" p_completed "))
        .expect("a diff row");
    assert!(row.ends_with("IMPROVED"), "{row}");
    assert!(!stdout.contains("REGRESSED"), "{stdout}");
}

#[test]
fn library_comparison_matches_the_cli() {
    let fixture = Fixture::new("30m");
    let suite = Suite::load(&fixture.path("suite.toml")).unwrap();
    assert_eq!(suite.cells.len(), 6);
    assert_eq!(suite.cells[0].id, "small/interval");
    assert_eq!(suite.cells[1].id, "small/interval/loose");
    let base = run_suite(&suite, Some(1));
    fixture.set_interval("5h");
    let worse_suite = Suite::load(&fixture.path("suite.toml")).unwrap();
    let worse = run_suite(&worse_suite, Some(2));
    let diff = compare::compare("base", &base, &worse, &suite.thresholds);
    let regressed: Vec<_> = diff
        .regressions()
        .map(|r| (r.cell.as_str(), r.metric))
        .collect();
    assert!(
        regressed.contains(&("small/interval", "p_completed")),
        "{regressed:?}"
    );
    assert!(
        regressed
            .iter()
            .all(|(cell, _)| cell.starts_with("small/interval"))
    );
    let same = compare::compare("base", &base, &base, &suite.thresholds);
    assert!(same.rows.iter().all(|r| r.verdict == Verdict::Unchanged));
}

#[test]
fn output_is_identical_for_one_and_two_threads() {
    let fixture = Fixture::new("30m");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let saved = fixture.path(&format!("saved-{threads}.json"));
        let output = fixture.bench(&[
            "--threads",
            threads,
            "--quiet",
            "--save-baseline",
            saved.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0));
        outputs.push((output.stdout, std::fs::read(&saved).unwrap()));
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn formats_and_output_folder() {
    let fixture = Fixture::new("30m");
    let baseline = fixture.save_baseline();
    let folder = fixture.path("out");
    let output = fixture.bench(&[
        "--baseline",
        baseline.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["results"]["cells"].as_array().unwrap().len(), 6);
    assert_eq!(value["comparison"]["rows"].as_array().unwrap().len(), 42);
    for name in [
        "results.json",
        "results.csv",
        "results.md",
        "comparison.json",
        "comparison.csv",
        "comparison.md",
    ] {
        assert!(folder.join(name).is_file(), "{name}");
    }
    let csv = std::fs::read_to_string(folder.join("results.csv")).unwrap();
    assert!(csv.starts_with("cell,scenario,policy,variant,trials,seed,p_completed,"));
    assert_eq!(csv.lines().count(), 7);
    let output = fixture.bench(&["--format", "markdown", "--quiet"]);
    assert!(text(&output.stdout).contains("| small/daly |"));
}

fn expect_input_error(output: &std::process::Output, needles: &[&str]) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_manifests_exit_2_naming_file_line_and_key() {
    let fixture = Fixture::new("30m");
    let suite = fixture.path("suite.toml");
    let good = manifest("30m");

    std::fs::write(&suite, good.replace("seed = 11", "seed = 11\nseeed = 3")).unwrap();
    expect_input_error(&fixture.bench(&[]), &["suite.toml:6", "seeed"]);

    std::fs::write(
        &suite,
        good.replace("\"daly\", \"spot", "\"daly\", \"dali\", \"spot"),
    )
    .unwrap();
    expect_input_error(&fixture.bench(&[]), &["suite.toml", "\"dali\""]);

    std::fs::write(
        &suite,
        good.replace("loose = {", "loose = { chekpoint.interval = \"1h\", "),
    )
    .unwrap();
    expect_input_error(&fixture.bench(&[]), &["suite.toml", "chekpoint"]);

    // A key the scenario does not know, inside a known section.
    std::fs::write(
        &suite,
        good.replace("loose = {", "loose = { checkpoint.intervall = \"1h\", "),
    )
    .unwrap();
    expect_input_error(
        &fixture.bench(&[]),
        &["suite.toml", "small/interval/loose", "intervall"],
    );

    std::fs::write(&suite, good.replace("small.toml", "missing.toml")).unwrap();
    expect_input_error(&fixture.bench(&[]), &["missing.toml"]);

    std::fs::write(&suite, good.replace("trials = 3000", "trials = 0")).unwrap();
    expect_input_error(&fixture.bench(&[]), &["suite.toml", "trials"]);

    std::fs::write(&suite, "[suite\n").unwrap();
    expect_input_error(&fixture.bench(&[]), &["suite.toml:1"]);
}

#[test]
fn malformed_or_mismatched_baselines_exit_2() {
    let fixture = Fixture::new("30m");
    let baseline = fixture.save_baseline();
    let saved = std::fs::read_to_string(&baseline).unwrap();
    let bad = fixture.path("bad.json");
    let run = |contents: &str| {
        std::fs::write(&bad, contents).unwrap();
        fixture.bench(&["--baseline", bad.to_str().unwrap()])
    };
    expect_input_error(&run("{ not json"), &["bad.json", "invalid JSON"]);
    expect_input_error(
        &run("{\"format\": \"spotsim-partial\"}"),
        &["bad.json", "format"],
    );
    expect_input_error(
        &run(&saved.replace("\"version\": 1", "\"version\": 99")),
        &["version 99"],
    );
    expect_input_error(
        &run(&saved.replace("\"p95\":", "\"p96\":")),
        &["malformed baseline"],
    );
    // A changed seed, a changed trial count, a missing cell.
    expect_input_error(
        &run(&saved.replace("\"seed\": 11", "\"seed\": 12")),
        &["seed 11 now, 12 in the baseline"],
    );
    expect_input_error(
        &run(&saved.replace("\"trials\": 3000", "\"trials\": 2000")),
        &["3000 trials now, 2000 in the baseline"],
    );
    expect_input_error(
        &run(&saved.replace("small/daly/loose", "small/daly/tight")),
        &[
            "cell \"small/daly/loose\" is not in the baseline",
            "\"small/daly/tight\" of the baseline is not in the suite",
        ],
    );
    let missing = fixture.path("none.json");
    expect_input_error(
        &fixture.bench(&["--baseline", missing.to_str().unwrap()]),
        &["none.json"],
    );
}

fn shipped(name: &str) -> PathBuf {
    root().join("benches/policies").join(name)
}

#[test]
fn shipped_suite_parses_and_its_cells_resolve() {
    let suite = Suite::load(&shipped("suite.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(suite.cells.len() >= 30, "{}", suite.cells.len());
    let has = |f: &dyn Fn(&spotsim::bench::Cell) -> bool| suite.cells.iter().any(f);
    assert!(has(&|c| c.scenario.job.instance_count >= 4));
    assert!(has(
        &|c| c.scenario.clock.tick().is_some() && c.policy == "omniscient"
    ));
    for policy in [
        "none",
        "interval",
        "young",
        "daly",
        "on_notice",
        "on-demand",
        "spot-then-on-demand",
    ] {
        assert!(has(&|c| c.policy == policy), "{policy}");
    }
    assert!(
        suite
            .cells
            .iter()
            .all(|c| c.seed == suite.seed && c.scenario_hash.starts_with("fnv1a64:"))
    );
    // The committed baseline matches the suite (cells, seeds, trials).
    let baseline_path = shipped("baseline.json");
    let baseline = read_baseline(&baseline_path).unwrap_or_else(|e| panic!("{e}"));
    let cells: Vec<(String, u64, u64)> = suite
        .cells
        .iter()
        .map(|c| (c.id.clone(), c.trials, c.seed))
        .collect();
    check_compatible(&baseline_path.display().to_string(), &baseline, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    for (cell, result) in suite.cells.iter().zip(&baseline.cells) {
        assert_eq!(cell.scenario_hash, result.scenario_hash, "{}", cell.id);
    }
}

#[test]
fn a_shipped_cell_reproduces_its_baseline_exactly() {
    // One cheap cell of the shipped suite, run here, equals the committed numbers bit for bit.
    let suite = Suite::load(&shipped("suite.toml")).unwrap();
    let baseline = read_baseline(&shipped("baseline.json")).unwrap();
    let cell = suite
        .cells
        .iter()
        .find(|c| c.id == "weibull-gpu-8h/daly")
        .unwrap();
    let result = spotsim::bench::run_cell(cell);
    let saved = baseline.cells.iter().find(|c| c.cell == cell.id).unwrap();
    assert_eq!(&result, saved);
}
