//! Monte Carlo at scale through the CLI: thread counts, shards and merge give the same bytes;
//! merge refuses partials that do not make one run; per-trial rows stream in order; early
//! stopping is deterministic.

use crate::common::scenario_path;
use assert_cmd::cargo::cargo_bin_cmd;
use std::path::Path;

fn without_run(stdout: &[u8]) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_slice(stdout).expect("JSON summary");
    value.as_object_mut().unwrap().remove("run");
    value
}

fn simulate_json(args: &[&str]) -> serde_json::Value {
    let output = cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(scenario_path("default.toml"))
        .args(["--format", "json", "--quiet"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    without_run(&output.stdout)
}

fn write_partials(dir: &Path, trials: u64, count: u64, seed: u64) -> Vec<String> {
    (0..count)
        .map(|index| {
            let file = dir.join(format!("part-{trials}-{seed}-{index}-of-{count}.json"));
            cargo_bin_cmd!("spotsim")
                .arg("simulate")
                .arg(scenario_path("default.toml"))
                .args(["--trials", &trials.to_string(), "--seed", &seed.to_string()])
                .args(["--shard", &format!("{index}/{count}"), "--partial"])
                .arg(&file)
                .assert()
                .success();
            file.display().to_string()
        })
        .collect()
}

fn merge(files: &[String]) -> std::process::Output {
    cargo_bin_cmd!("spotsim")
        .arg("merge")
        .args(files)
        .args(["--format", "json"])
        .output()
        .unwrap()
}

#[test]
fn threads_shards_and_merge_give_identical_summaries() {
    let trials = 30_000;
    let single = simulate_json(&["--trials", "30000", "--threads", "1"]);
    assert_eq!(
        single,
        simulate_json(&["--trials", "30000", "--threads", "2"])
    );
    let dir = tempfile::tempdir().unwrap();
    for count in [3, 7] {
        let mut files = write_partials(dir.path(), trials, count, 1);
        files.reverse(); // order of the arguments does not matter
        let output = merge(&files);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            single,
            without_run(&output.stdout),
            "{count}-way shard + merge"
        );
    }
}

#[test]
fn merge_rejects_partials_of_different_runs() {
    let dir = tempfile::tempdir().unwrap();
    let run_a = write_partials(dir.path(), 5000, 3, 1);
    let other_seed = write_partials(dir.path(), 5000, 3, 2);
    let check = |files: Vec<String>, needle: &str| {
        let output = merge(&files);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{needle}: {stderr}");
        assert!(stderr.contains(needle), "expected '{needle}' in: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    };
    check(
        vec![run_a[0].clone(), run_a[1].clone()],
        "shards missing: 2 of 3",
    );
    check(
        vec![
            run_a[0].clone(),
            run_a[1].clone(),
            run_a[1].clone(),
            run_a[2].clone(),
        ],
        "given twice",
    );
    check(
        vec![run_a[0].clone(), other_seed[1].clone(), run_a[2].clone()],
        "seed",
    );
    // A different scenario.
    let other_scenario = dir.path().join("other.json");
    cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(scenario_path("reference-model.toml"))
        .args([
            "--trials",
            "5000",
            "--seed",
            "1",
            "--shard",
            "1/3",
            "--partial",
        ])
        .arg(&other_scenario)
        .assert()
        .success();
    check(
        vec![
            run_a[0].clone(),
            other_scenario.display().to_string(),
            run_a[2].clone(),
        ],
        "scenario_hash",
    );
    // Different total trials, a wrong shard count, a file that is not a partial.
    let other_trials = write_partials(dir.path(), 6000, 3, 1);
    check(
        vec![run_a[0].clone(), other_trials[1].clone(), run_a[2].clone()],
        "trials",
    );
    let two_way = write_partials(dir.path(), 5000, 2, 1);
    check(
        vec![run_a[0].clone(), two_way[1].clone(), run_a[2].clone()],
        "shard count",
    );
    // Shards of one scenario that disagree on its on-demand cost or its limits were edited;
    // the message names the field and both values as the partials write them.
    for (field, pointer, value) in [
        ("on_demand_cost_usd", "/on_demand_cost_usd", 1.0),
        (
            "limits.wall_clock_seconds",
            "/limits/wall_clock_seconds",
            1e9,
        ),
        (
            "limits.training_time_seconds",
            "/limits/training_time_seconds",
            1e7,
        ),
    ] {
        let mut partial: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&run_a[1]).unwrap()).unwrap();
        *partial.pointer_mut(pointer).unwrap() = value.into();
        let edited = dir.path().join(format!("edited-{field}.json"));
        std::fs::write(&edited, partial.to_string()).unwrap();
        check(
            vec![
                run_a[0].clone(),
                edited.display().to_string(),
                run_a[2].clone(),
            ],
            &format!("edited-{field}.json: {field}: {value} here, but "),
        );
    }
    // The exact sample charts draw from: a shard holds exactly its own trials of it, each
    // value inside its metric's range.
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit, &str); 3] = [
        (
            "dropped",
            |p| {
                p.pointer_mut("/aggregate/sample/trial")
                    .unwrap()
                    .as_array_mut()
                    .unwrap()
                    .pop();
            },
            "aggregate.sample.trial: the sample should hold trials 1666..3333",
        ),
        (
            "foreign",
            |p| *p.pointer_mut("/aggregate/sample/trial/0").unwrap() = 0.into(),
            "aggregate.sample.trial",
        ),
        (
            "cost",
            |p| *p.pointer_mut("/aggregate/sample/cost_usd/3").unwrap() = 1e6.into(),
            "aggregate.sample.cost_usd: 1000000 is outside",
        ),
    ];
    for (name, edit, needle) in edits {
        let mut partial: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&run_a[1]).unwrap()).unwrap();
        edit(&mut partial);
        let edited = dir.path().join(format!("sample-{name}.json"));
        std::fs::write(&edited, partial.to_string()).unwrap();
        check(
            vec![
                run_a[0].clone(),
                edited.display().to_string(),
                run_a[2].clone(),
            ],
            needle,
        );
    }
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"format\": \"something else\"}").unwrap();
    check(
        vec![garbage.display().to_string()],
        "not a valid spotsim partial",
    );
    let missing = dir.path().join("missing.json").display().to_string();
    check(vec![missing], "cannot read the partial");
}

#[test]
fn shard_comes_from_array_job_environments() {
    let dir = tempfile::tempdir().unwrap();
    let explicit = write_partials(dir.path(), 9000, 4, 1);
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], usize);
    let cases: [Case; 3] = [
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            &[],
            2,
        ),
        (&[("JOB_COMPLETION_INDEX", "1")], &["--shard-count", "4"], 1),
        (
            &[
                ("AWS_BATCH_JOB_ARRAY_INDEX", "3"),
                ("AWS_BATCH_JOB_ARRAY_SIZE", "4"),
            ],
            &[],
            3,
        ),
    ];
    for (env, extra, index) in cases {
        let file = dir.path().join(format!("env-{index}.json"));
        let mut command = cargo_bin_cmd!("spotsim");
        command
            .arg("simulate")
            .arg(scenario_path("default.toml"))
            .args(["--trials", "9000", "--partial"])
            .arg(&file)
            .args(extra);
        for (key, value) in env {
            command.env(key, value);
        }
        command.assert().success();
        let ours: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let theirs: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&explicit[index]).unwrap()).unwrap();
        assert_eq!(ours, theirs, "{env:?}");
    }
}

#[test]
fn per_trial_rows_stream_in_order_and_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let rows_file = dir.path().join("trials.csv");
    let output = cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(scenario_path("default.toml"))
        .args([
            "--trials",
            "70000",
            "--format",
            "json",
            "--quiet",
            "--per-trial",
        ])
        .arg(&rows_file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let summary = without_run(&output.stdout);
    let mut reader = csv::Reader::from_path(&rows_file).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "scenario",
            "seed",
            "trial",
            "outcome",
            "wall_clock_seconds",
            "training_time_seconds",
            "billable_time_seconds",
            "interruptions",
            "cost_usd",
            "on_demand_cost_usd",
            "fallback_start_seconds",
            "fallback_seconds"
        ]
    );
    let (mut count, mut completed, mut max_cost) = (0u64, 0u64, 0.0f64);
    for (k, record) in reader.records().enumerate() {
        let record = record.unwrap();
        assert_eq!(&record[0], "default-p3-20h");
        assert_eq!(&record[1], "1", "the seed");
        assert_eq!(
            record[2].parse::<u64>().unwrap(),
            k as u64,
            "rows in trial order"
        );
        completed += u64::from(&record[3] == "Completed");
        max_cost = max_cost.max(record[8].parse().unwrap());
        // Spot only: no on-demand money, no fallback.
        assert_eq!((&record[9], &record[10], &record[11]), ("0.0", "", "0.0"));
        count += 1;
    }
    assert_eq!(count, 70_000);
    assert_eq!(
        completed,
        summary["outcomes"]["Completed"]["count"].as_u64().unwrap()
    );
    assert_eq!(
        max_cost,
        summary["metrics"]["cost_usd"]["max"].as_f64().unwrap()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left");
}

#[test]
fn early_stopping_is_deterministic_and_meets_the_precision() {
    let one = simulate_json(&[
        "--trials",
        "2000000",
        "--precision",
        "0.004",
        "--threads",
        "1",
    ]);
    let two = simulate_json(&[
        "--trials",
        "2000000",
        "--precision",
        "0.004",
        "--threads",
        "2",
    ]);
    assert_eq!(one, two);
    let trials = one["trials"].as_u64().unwrap();
    assert!(trials < 2_000_000, "stopped early ({trials})");
    assert_eq!(trials % (4096 * 16), 0, "stops at a wave boundary");
    let ci = &one["outcomes"]["Completed"]["ci95"];
    let half_width = (ci[1].as_f64().unwrap() - ci[0].as_f64().unwrap()) / 2.0;
    assert!(half_width < 0.004, "{half_width}");
}

#[test]
fn partials_merge_wherever_the_data_is_mounted_but_not_across_different_data() {
    // Two nodes of a cluster mount the same trace at different paths: their shards are one run.
    // A node whose trace differs by one row is refused by the scenario fingerprint.
    let shared = crate::common::root().join("../shared/data/traces/aws-p3.2xlarge-2023-02-15");
    let trace = std::fs::read_to_string(shared.join("us-east-1f.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let scenario = |node: &str, trace_text: &str| {
        let folder = dir.path().join(node);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("zone.csv"), trace_text).unwrap();
        let file = folder.join("replay.toml");
        std::fs::write(
            &file,
            "name = \"replay\"\n\
             [job]\ninstance_type = \"ml.p3.2xlarge\"\nmanaged_spot = true\n\
             max_runtime = \"24h\"\nmax_wait = \"72h\"\ncheckpoint_s3_uri = \"s3://b/c\"\n\
             [workload]\ntraining = \"20h\"\nprovisioning = \"5m\"\n\
             [checkpoint]\npolicy = \"interval\"\ninterval = \"30m\"\nwrite = \"1m\"\n\
             [market]\nmodel = \"trace\"\npath = \"zone.csv\"\nconvention = \"available\"\n\
             start = \"random\"\nwrap = true\n\
             [pricing]\non_demand_per_hour = 3.06\nspot_discount = 0.7\n",
        )
        .unwrap();
        file
    };
    let partial = |scenario: &Path, index: u64| {
        let file = scenario.with_file_name(format!("part-{index}.json"));
        cargo_bin_cmd!("spotsim")
            .arg("simulate")
            .arg(scenario)
            .args(["--trials", "2000", "--seed", "3", "--quiet"])
            .args(["--shard", &format!("{index}/2"), "--partial"])
            .arg(&file)
            .assert()
            .success();
        file.display().to_string()
    };
    let node_a = scenario("node-a", &trace);
    let node_b = scenario("node-b", &trace);
    let output = merge(&[partial(&node_a, 0), partial(&node_b, 1)]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let single = cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(&node_a)
        .args([
            "--trials", "2000", "--seed", "3", "--quiet", "--format", "json",
        ])
        .output()
        .unwrap();
    assert_eq!(without_run(&single.stdout), without_run(&output.stdout));

    let mut rows: Vec<&str> = trace.lines().collect();
    let last = rows.len() - 1;
    let flipped = if rows[last].ends_with(",1") {
        rows[last].replace(",1", ",0")
    } else {
        rows[last].replace(",0", ",1")
    };
    rows[last] = &flipped;
    let node_c = scenario("node-c", &(rows.join("\n") + "\n"));
    let output = merge(&[partial(&node_a, 0), partial(&node_c, 1)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("scenario_hash"));
}
