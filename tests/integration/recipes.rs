//! The README's cluster recipes, run as written. Each recipe is the fenced block after a
//! `<!-- recipe: NAME -->` line of README.md, so an edit there that breaks it fails here.
//!
//! Kubernetes: both manifests parse as YAML, the shards are an Indexed Job whose
//! `--shard-count` equals `completions` and whose command reads `JOB_COMPLETION_INDEX`; every
//! container command then runs under `sh -c` exactly as written — each completion index, then
//! the merge Job — with the mount paths on temporary folders, and the merged summary is the
//! single run's. Slurm: the batch script runs under the variables Slurm 22.05 sets for the
//! tasks of `--array=3-10%2`, then the merge of the submit block. (`.ci/slurm` runs the same
//! blocks through `sbatch` on a real single-node Slurm.)

use crate::common::{root, scenario_path};
use assert_cmd::cargo::cargo_bin_cmd;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

/// The README's trial count, replaced by [`TRIALS`]: a recipe sized for a cluster.
const README_TRIALS: &str = "--trials 100000000";
const TRIALS: u64 = 24_000;

/// The fenced block after `<!-- recipe: NAME -->` in README.md.
fn recipe(name: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let marker = format!("<!-- recipe: {name} -->");
    let after = readme
        .split_once(&marker)
        .unwrap_or_else(|| panic!("README.md has no {marker}"))
        .1;
    let mut lines = after.lines().skip_while(|l| l.trim().is_empty());
    let fence = lines.next().unwrap_or_default();
    assert!(
        fence.starts_with("```"),
        "{marker} must precede a fenced block, not {fence:?}"
    );
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with("```")).collect();
    body.join("\n") + "\n"
}

/// `text` with its one README trial count replaced by [`TRIALS`].
fn with_test_trials(text: &str) -> String {
    assert_eq!(
        text.matches(README_TRIALS).count(),
        1,
        "the recipe names its trial count once: {text}"
    );
    text.replace(README_TRIALS, &format!("--trials {TRIALS}"))
}

/// `PATH` with the spotsim under test first, as an installed one would be.
fn path_with_spotsim() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_spotsim")).parent().unwrap();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

fn sh(command: &str, dir: &Path, env: &[(&str, String)]) {
    let mut child = Command::new("sh");
    child
        .args(["-c", command])
        .current_dir(dir)
        .env("PATH", path_with_spotsim());
    for (key, value) in env {
        child.env(key, value);
    }
    let output = child.output().unwrap();
    assert!(
        output.status.success(),
        "{command} {env:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A JSON summary's bytes without its `run` member, the only one that may differ.
fn without_run(summary: &str) -> String {
    let start = summary
        .find(",\n  \"run\": {")
        .unwrap_or_else(|| panic!("no run member in {summary}"));
    let end = start + summary[start..].find("\n  }").unwrap() + "\n  }".len();
    format!("{}{}", &summary[..start], &summary[end..])
}

/// The single run the shards must reproduce: the same scenario, trials and seed.
fn single_run(scenario: &Path) -> String {
    let output = cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(scenario)
        .args([
            "--trials",
            &TRIALS.to_string(),
            "--format",
            "json",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    without_run(&String::from_utf8(output.stdout).unwrap())
}

fn manifest(name: &str) -> Yaml {
    let text = recipe(name);
    let mut docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("README's {name} is not YAML: {e}\n{text}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    let job = docs.remove(0);
    assert_eq!(job["apiVersion"].as_str(), Some("batch/v1"), "{name}");
    assert_eq!(job["kind"].as_str(), Some("Job"), "{name}");
    assert!(job["metadata"]["name"].as_str().is_some(), "{name}");
    let pod = &job["spec"]["template"]["spec"];
    // A Job's pods must not restart in place (Always is rejected by the API server).
    assert!(
        matches!(pod["restartPolicy"].as_str(), Some("Never" | "OnFailure")),
        "{name}"
    );
    job
}

/// A Job's one container command (`sh -c LINE`), with every `volumeMount` mapped to a folder
/// under `root` (created), and the volumes by name.
fn container_line(job: &Yaml, root: &Path) -> (String, Vec<(String, PathBuf, Yaml)>) {
    let pod = &job["spec"]["template"]["spec"];
    let containers = pod["containers"].as_vec().expect("containers");
    assert_eq!(containers.len(), 1);
    let container = &containers[0];
    assert!(container["image"].as_str().is_some());
    let command: Vec<&str> = container["command"]
        .as_vec()
        .expect("command is a list")
        .iter()
        .map(|w| w.as_str().expect("command words are strings"))
        .collect();
    assert_eq!(command.len(), 3, "{command:?}");
    assert_eq!(
        command[..2],
        ["sh", "-c"],
        "a shell expands $VARIABLES and globs"
    );
    let volumes = pod["volumes"].as_vec().expect("volumes");
    let mut line = command[2].to_string();
    let mut mounts = Vec::new();
    for mount in container["volumeMounts"].as_vec().expect("volumeMounts") {
        let name = mount["name"].as_str().unwrap();
        let path = mount["mountPath"].as_str().unwrap();
        let volume = volumes
            .iter()
            .find(|v| v["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("volumeMount {name} has no volume"));
        let folder = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(&folder).unwrap();
        assert!(
            line.contains(&format!("{path}/")),
            "{path} unused in {line}"
        );
        line = line.replace(&format!("{path}/"), &format!("{}/", folder.display()));
        mounts.push((name.to_string(), folder, volume.clone()));
    }
    (line, mounts)
}

#[test]
fn kubernetes_indexed_job_and_merge_run_as_written() {
    let shards = manifest("k8s-shards");
    let spec = &shards["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let completions = spec["completions"].as_i64().expect("completions") as u64;
    assert!(completions >= 2);
    let parallelism = spec["parallelism"].as_i64().unwrap_or(1) as u64;
    assert!((1..=completions).contains(&parallelism));

    let dir = tempfile::tempdir().unwrap();
    let (line, mounts) = container_line(&shards, dir.path());
    assert!(line.contains("$JOB_COMPLETION_INDEX"), "{line}");
    assert!(
        line.contains(&format!("--shard-count {completions} ")),
        "--shard-count must equal completions ({completions}): {line}"
    );
    let line = with_test_trials(&line);
    // The ConfigMap volume: kubelet mounts each key as a symlink into a timestamped folder.
    let mut scenario = None;
    for (_, folder, volume) in &mounts {
        if let Some(map) = volume["configMap"]["name"].as_str() {
            assert!(!map.is_empty());
            let file = "my-job.toml";
            assert!(
                line.contains(&format!("{}/{file}", folder.display())),
                "{line}"
            );
            let data = folder.join("..2026_01_01_00_00_00.000000000");
            std::fs::create_dir_all(&data).unwrap();
            std::fs::copy(scenario_path("default.toml"), data.join(file)).unwrap();
            std::os::unix::fs::symlink(data.file_name().unwrap(), folder.join("..data")).unwrap();
            std::os::unix::fs::symlink(format!("..data/{file}"), folder.join(file)).unwrap();
            scenario = Some(folder.join(file));
        } else {
            assert!(
                volume["persistentVolumeClaim"]["claimName"]
                    .as_str()
                    .is_some(),
                "shared results need a claim"
            );
        }
    }
    let scenario = scenario.expect("a ConfigMap volume holds the scenario");
    for index in 0..completions {
        sh(
            &line,
            dir.path(),
            &[("JOB_COMPLETION_INDEX", index.to_string())],
        );
    }

    let merge = manifest("k8s-merge");
    assert!(
        merge["spec"]["completionMode"].is_badvalue(),
        "the merge is one pod"
    );
    let (merge_line, merge_mounts) = container_line(&merge, dir.path());
    let claim = |mounts: &[(String, PathBuf, Yaml)]| -> Vec<String> {
        mounts
            .iter()
            .filter_map(|(_, _, v)| v["persistentVolumeClaim"]["claimName"].as_str())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        claim(&merge_mounts),
        claim(&mounts),
        "the same results volume"
    );
    sh(&merge_line, dir.path(), &[]);
    let results = &merge_mounts[0].1;
    let partials = std::fs::read_dir(results)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("shard-")
        })
        .count();
    assert_eq!(partials as u64, completions);
    let merged = std::fs::read_to_string(results.join("summary/summary.json")).unwrap();
    assert_eq!(without_run(&merged), single_run(&scenario));
}

/// What Slurm 22.05 sets in task `id` of `sbatch --array=3-10%2` (observed with `env` in such
/// a task): the throttle shows in none of them.
fn slurm_task_env(id: u64) -> Vec<(&'static str, String)> {
    vec![
        ("SLURM_ARRAY_JOB_ID", "41".into()),
        ("SLURM_ARRAY_TASK_ID", id.to_string()),
        ("SLURM_ARRAY_TASK_MIN", "3".into()),
        ("SLURM_ARRAY_TASK_MAX", "10".into()),
        ("SLURM_ARRAY_TASK_STEP", "1".into()),
        ("SLURM_ARRAY_TASK_COUNT", "8".into()),
        ("SLURM_CPUS_PER_TASK", "2".into()),
    ]
}

#[test]
fn slurm_script_and_merge_run_under_the_variables_slurm_sets() {
    let script = with_test_trials(&recipe("slurm-script"));
    assert!(
        script.starts_with("#!/bin/bash\n"),
        "sbatch needs the interpreter line"
    );
    assert!(script.contains("\n#SBATCH --array="), "{script}");
    let submit = recipe("slurm-submit");
    assert!(
        submit.contains("sbatch --parsable shards.sbatch"),
        "{submit}"
    );
    let merge = submit
        .split_once("--wrap '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .expect("the merge job is sbatch --wrap '…'")
        .0;
    assert!(submit.contains("afterok:$ARRAY_JOB_ID"), "{submit}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        scenario_path("default.toml"),
        dir.path().join("my-job.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("shards.sbatch"), &script).unwrap();
    std::fs::create_dir(dir.path().join("parts")).unwrap();
    for id in 3..=10 {
        // bash reads #SBATCH lines as comments: this is the task's own work.
        sh("bash shards.sbatch", dir.path(), &slurm_task_env(id));
    }
    sh(merge, dir.path(), &[]);
    let merged = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    assert_eq!(
        without_run(&merged),
        single_run(&dir.path().join("my-job.toml"))
    );
}
