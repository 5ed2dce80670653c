//! Signals: SIGINT during a long `simulate --output DIR` stops cleanly before the next trial: it
//! prints what was completed, exits 130, and leaves neither a report nor a partial or temporary
//! file. SIGTERM (what Slurm and Kubernetes send) does the same with 143; plan and bench
//! honour both; a second signal, or one during a command that does not watch for it, ends the
//! process at once.

use crate::common::{root, scenario_path, write_suite};
use std::process::{Child, Command, Output, Stdio};
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
    assert!(stderr.contains("(SIGINT)"), "{stderr}");
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

/// Starts `spotsim ARGS` with piped output.
fn start(args: &[&std::ffi::OsStr]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin!("spotsim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts `spotsim COMMAND reference-model.toml --trials TRIALS --yes --quiet EXTRA…`: a run
/// that would take hours.
fn start_long(command: &str, trials: &str, extra: &[&std::ffi::OsStr]) -> Child {
    let scenario = scenario_path("reference-model.toml");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        command.as_ref(),
        scenario.as_ref(),
        "--trials".as_ref(),
        trials.as_ref(),
        "--yes".as_ref(),
        "--quiet".as_ref(),
    ];
    args.extend_from_slice(extra);
    start(&args)
}

/// Sends `signal` (e.g. "TERM") to `child`.
fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits for `child` to end, failing the test after two minutes (the runs these tests stop
/// would take hours).
fn finish(mut child: Child) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the signal did not stop the run");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// The one line on stderr (besides warnings about the scenario), checked to name the signal.
fn one_line(output: &Output, signal: &str) -> String {
    let stderr: Vec<&str> = std::str::from_utf8(&output.stderr)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("warning: "))
        .collect();
    let stderr = stderr.join("\n").trim().to_string();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("({signal})")), "{stderr}");
    stderr
}

#[test]
fn sigterm_stops_a_shard_and_removes_its_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("trials.csv");
    let partial = dir.path().join("shard.json");
    let child = start_long(
        "simulate",
        "2000000000",
        &[
            "--shard".as_ref(),
            "0/4".as_ref(),
            "--partial".as_ref(),
            partial.as_ref(),
            "--per-trial".as_ref(),
            rows.as_ref(),
        ],
    );
    // Slurm's case: rows are streaming into a temporary file when SIGTERM comes.
    let started = Instant::now();
    while walk(dir.path()).is_empty() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(walk(dir.path())[0].ends_with(".tmp"));
    send(&child, "TERM");
    let output = finish(child);
    assert_eq!(output.status.code(), Some(143));
    assert!(one_line(&output, "SIGTERM").contains("interrupted after"));
    let left = walk(dir.path());
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn plan_and_bench_stop_on_a_signal_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let plan_folder = dir.path().join("plan");
    let child = start_long(
        "plan",
        "50000000",
        &["--output".as_ref(), plan_folder.as_ref()],
    );
    std::thread::sleep(Duration::from_secs(2));
    send(&child, "INT");
    let output = finish(child);
    assert_eq!(output.status.code(), Some(130));
    one_line(&output, "SIGINT");
    assert!(output.stdout.is_empty());

    let suite = dir.path().join("suite.toml");
    write_suite(
        &suite,
        &scenario_path("reference-model.toml"),
        1_000_000_000,
    );
    let child = start(&[
        "bench".as_ref(),
        suite.as_ref(),
        "--quiet".as_ref(),
        "--output".as_ref(),
        dir.path().join("bench").as_ref(),
        "--save-baseline".as_ref(),
        dir.path().join("baseline.json").as_ref(),
    ]);
    std::thread::sleep(Duration::from_secs(2));
    send(&child, "TERM");
    let output = finish(child);
    assert_eq!(output.status.code(), Some(143));
    one_line(&output, "SIGTERM");
    assert_eq!(walk(dir.path()), [suite.display().to_string()]);
}

#[test]
fn a_command_that_does_not_watch_ends_at_once() {
    // describe runs one trial, with no wave to stop at: a year of capacity flipping every
    // millisecond keeps it busy for minutes, and SIGTERM ends it at once.
    let dir = tempfile::tempdir().unwrap();
    let corpus = root().join("tests/corpus");
    std::fs::copy(
        corpus.join("trace-flapping.json"),
        dir.path().join("trace-flapping.json"),
    )
    .unwrap();
    let scenario = dir.path().join("year.toml");
    let text = std::fs::read_to_string(corpus.join("scenario-describe-flapping-trace.toml"))
        .unwrap()
        .replace("max_wait = \"12h\"", "max_wait = \"8760h\"");
    std::fs::write(&scenario, text).unwrap();
    let child = start(&["describe".as_ref(), scenario.as_ref()]);
    std::thread::sleep(Duration::from_secs(1));
    send(&child, "TERM");
    let output = finish(child);
    assert_eq!(output.status.code(), Some(143));
    assert!(one_line(&output, "SIGTERM").contains("interrupted"));
    assert!(output.stdout.is_empty());
}

#[test]
fn a_second_signal_ends_a_blocked_run_at_once() {
    // The per-trial rows go to a FIFO whose reader never reads: the run blocks in a write,
    // where it cannot reach a wave boundary. The first SIGINT asks it to stop; the second
    // ends it.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("rows.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader_path = fifo.clone();
    let (sender, keep_open) = std::sync::mpsc::channel::<()>();
    let reader = std::thread::spawn(move || {
        let file = std::fs::File::open(reader_path).unwrap();
        let _ = keep_open.recv();
        drop(file);
    });
    let mut child = start_long(
        "simulate",
        "2000000000",
        &["--per-trial".as_ref(), fifo.as_ref()],
    );
    std::thread::sleep(Duration::from_secs(2));
    send(&child, "INT");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "a blocked run cannot stop at a wave boundary"
    );
    send(&child, "INT");
    let output = finish(child);
    let _ = sender.send(());
    reader.join().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert!(one_line(&output, "SIGINT").contains("interrupted again"));
}

/// The flapping corpus scenario (capacity for 1 ms out of every 2, replayed with `wrap`) copied
/// into `dir` with `max_runtime` and `max_wait`: a trial makes one attempt per 2 ms of MaxWait,
/// so MaxWait sets how long each trial takes.
fn flapping(dir: &std::path::Path, max_runtime: &str, max_wait: &str) -> std::path::PathBuf {
    let corpus = root().join("tests/corpus");
    std::fs::copy(
        corpus.join("trace-flapping.json"),
        dir.join("trace-flapping.json"),
    )
    .unwrap();
    let scenario = dir.join("flapping.toml");
    let text = std::fs::read_to_string(corpus.join("scenario-describe-flapping-trace.toml"))
        .unwrap()
        .replace(
            "max_runtime = \"8h\"",
            &format!("max_runtime = \"{max_runtime}\""),
        )
        .replace("max_wait = \"12h\"", &format!("max_wait = \"{max_wait}\""));
    std::fs::write(&scenario, text).unwrap();
    scenario
}

/// Sends `signal` to `child` and waits for it, returning its output and how long it took to
/// end after the signal.
fn stop(child: Child, signal: &str) -> (Output, Duration) {
    send(&child, signal);
    let sent = Instant::now();
    let output = finish(child);
    (output, sent.elapsed())
}

#[test]
fn slow_trials_stop_before_their_block_ends() {
    // Each trial takes tens of milliseconds (600,000 attempts in 20 minutes of MaxWait), so
    // one block of 4,096 trials on one thread takes about a minute: a signal must not wait
    // for the block. The run stops by itself — simulate prints what it completed: no whole
    // wave, so no summary (no table of dashes and $NaN) — long before the watchdog would end
    // it.
    let dir = tempfile::tempdir().unwrap();
    let scenario = flapping(dir.path(), "15m", "20m");
    let common = ["--trials", "4096", "--threads", "1", "--yes", "--quiet"];
    let rows = dir.path().join("trials.csv");
    let mut args: Vec<&std::ffi::OsStr> = vec!["simulate".as_ref(), scenario.as_ref()];
    args.extend(common.iter().map(std::ffi::OsStr::new));
    args.extend([std::ffi::OsStr::new("--per-trial"), rows.as_os_str()]);
    let child = start(&args);
    std::thread::sleep(Duration::from_secs(1));
    let (output, took) = stop(child, "TERM");
    assert_eq!(output.status.code(), Some(143));
    assert!(one_line(&output, "SIGTERM").contains("interrupted after 0 of 4096 trials"));
    assert!(output.stdout.is_empty());
    assert!(took < Duration::from_secs(5), "stopped after {took:?}");

    let mut args: Vec<&std::ffi::OsStr> = vec!["plan".as_ref(), scenario.as_ref()];
    args.extend(common.iter().map(std::ffi::OsStr::new));
    let child = start(&args);
    std::thread::sleep(Duration::from_secs(1));
    let (output, took) = stop(child, "INT");
    assert_eq!(output.status.code(), Some(130));
    assert!(!one_line(&output, "SIGINT").contains("not stopped within"));
    assert!(took < Duration::from_secs(5), "stopped after {took:?}");
    assert_eq!(
        walk(dir.path()).len(),
        2,
        "only the scenario and its trace are left"
    );
}

#[test]
fn a_trial_longer_than_the_grace_period_is_ended_by_the_watchdog() {
    // One trial of a year of MaxWait on the flapping market takes minutes; the run cannot
    // reach its next trial, so the watchdog ends it STOP_GRACE_SECONDS (10 s) after SIGTERM —
    // before Kubernetes' 30 s grace period ends in SIGKILL — and removes the temporary file
    // of the per-trial rows.
    let dir = tempfile::tempdir().unwrap();
    let scenario = flapping(dir.path(), "8h", "8760h");
    let rows = dir.path().join("trials.csv");
    let child = start(&[
        "simulate".as_ref(),
        scenario.as_ref(),
        "--trials".as_ref(),
        "2".as_ref(),
        "--threads".as_ref(),
        "1".as_ref(),
        "--yes".as_ref(),
        "--quiet".as_ref(),
        "--per-trial".as_ref(),
        rows.as_ref(),
    ]);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(walk(dir.path()).len(), 3, "the rows' temporary file exists");
    let (output, took) = stop(child, "TERM");
    assert_eq!(output.status.code(), Some(143));
    assert!(one_line(&output, "SIGTERM").contains("not stopped within 10 s"));
    assert!(output.stdout.is_empty());
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(25),
        "ended after {took:?}"
    );
    assert_eq!(walk(dir.path()).len(), 2, "the temporary file is removed");
}
