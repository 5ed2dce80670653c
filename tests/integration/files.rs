//! Files spotsim must not harm and inputs it must not read: special files are written
//! through, inputs are never overwritten, report folders are all or nothing, hostile inputs
//! (FIFOs, devices, oversized files) are refused before they are read, and a reader that
//! closes the pipe ends the run quietly. Every FIFO, device node and mount is made by the test
//! itself in its own temporary folder (device nodes and mounts only when running as root;
//! otherwise those parts say that they are skipped).

use crate::common::{root, scenario_path, write_suite};
use std::fs::File;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// `spotsim` with a timeout: a hang is a failure, not a stuck test.
fn spotsim() -> assert_cmd::Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("spotsim");
    command.timeout(Duration::from_secs(120));
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether the tests run as root (a file they create belongs to uid 0).
fn running_as_root(dir: &Path) -> bool {
    let probe = dir.join(".owner");
    std::fs::write(&probe, b"").unwrap();
    let root = std::fs::metadata(&probe).unwrap().uid() == 0;
    std::fs::remove_file(probe).unwrap();
    root
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A character device node `major:minor` at `path` — root only, and only where the
/// filesystem lets device nodes be opened (not `nodev`). `None` (with the reason printed) when
/// it cannot be made.
fn char_device(path: &Path, major: u32, minor: u32) -> Option<PathBuf> {
    if !running_as_root(path.parent().unwrap()) {
        eprintln!("skipped: device node {} needs root (mknod)", path.display());
        return None;
    }
    let made = Command::new("mknod")
        .arg(path)
        .args(["c", &major.to_string(), &minor.to_string()])
        .status()
        .unwrap();
    assert!(made.success(), "mknod {}", path.display());
    if File::options().write(true).open(path).is_err() {
        eprintln!(
            "skipped: the temporary folder does not allow device nodes (nodev): {}",
            path.display()
        );
        return None;
    }
    Some(path.to_path_buf())
}

/// Every name under `dir`, hidden ones included, relative to it.
fn listing(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            for inner in listing(&entry.path()) {
                names.push(format!("{name}/{inner}"));
            }
        }
        names.push(name);
    }
    names.sort();
    names
}

/// A replayed-trace scenario in `dir` (scenario.toml, trace.csv and per-tick prices.json):
/// every kind of scenario input in one place.
fn trace_scenario(dir: &Path) -> PathBuf {
    std::fs::copy(
        root().join("tests/corpus/trace-valid.csv"),
        dir.join("trace.csv"),
    )
    .unwrap();
    let rows = std::fs::read_to_string(dir.join("trace.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    let prices: Vec<String> = (0..rows).map(|_| "1.2".to_string()).collect();
    std::fs::write(dir.join("prices.json"), format!("[{}]", prices.join(", "))).unwrap();
    // The corpus's trace scenario, made valid: a declared convention, wrap, per-tick prices.
    let text =
        std::fs::read_to_string(root().join("tests/corpus/scenario-trace-no-convention.toml"))
            .unwrap()
            .replace(
                "path = \"trace-valid.csv\"",
                "path = \"trace.csv\"\nconvention = \"available\"\nwrap = true",
            )
            .replace("spot_discount = 0.7", "spot_prices = \"prices.json\"");
    let scenario = dir.join("scenario.toml");
    std::fs::write(&scenario, text).unwrap();
    scenario
}

// 5. Special files: written through, never replaced.

#[test]
fn rows_go_through_a_fifo_a_device_and_a_symlink_without_replacing_them() {
    let dir = tempfile::tempdir().unwrap();
    let default = scenario_path("default.toml");

    // A FIFO: its reader gets every row, and it is still a FIFO afterwards.
    let fifo = dir.path().join("rows.fifo");
    mkfifo(&fifo);
    let (sender, received) = std::sync::mpsc::channel();
    let reader_path = fifo.clone();
    std::thread::spawn(move || {
        let _ = sender.send(std::fs::read_to_string(reader_path));
    });
    spotsim()
        .arg("simulate")
        .arg(&default)
        .args(["--trials", "50", "--quiet", "--per-trial"])
        .arg(&fifo)
        .assert()
        .success();
    let rows = received
        .recv_timeout(Duration::from_secs(60))
        .expect("the FIFO's reader got an end of file")
        .unwrap();
    assert_eq!(rows.lines().count(), 51, "{rows}");
    assert!(rows.starts_with("scenario,seed,trial,outcome,"), "{rows}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());

    // A symlink: the rows land in its target, and the link stays a link.
    std::fs::write(dir.path().join("real.csv"), "old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    spotsim()
        .arg("simulate")
        .arg(&default)
        .args(["--trials", "10", "--quiet", "--per-trial"])
        .arg(&link)
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let real = std::fs::read_to_string(dir.path().join("real.csv")).unwrap();
    assert_eq!(real.lines().count(), 11);
    assert_eq!(
        listing(dir.path()),
        ["link.csv", "real.csv", "rows.fifo"],
        "no temporary file is left"
    );

    // A character device like /dev/null (1:3), made here: it stays that device.
    if let Some(null) = char_device(&dir.path().join("null"), 1, 3) {
        spotsim()
            .arg("simulate")
            .arg(&default)
            .args(["--trials", "1000", "--quiet", "--per-trial"])
            .arg(&null)
            .assert()
            .success();
        let metadata = std::fs::metadata(&null).unwrap();
        assert!(metadata.file_type().is_char_device());
        // Linux's encoding of device 1:3.
        assert_eq!(metadata.rdev(), (1 << 8) | 3);
    }
}

#[test]
fn rows_sent_to_the_processs_own_stdout_come_before_its_summary() {
    // `--per-trial /dev/stdout > out.txt`, without touching the machine's /dev: the per-trial
    // path is the very file stdout writes to. Replacing it would lose either the rows or the
    // summary; written through the same file offset, both are there, in order.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    let stdout = File::create(&out).unwrap();
    let status = Command::new(assert_cmd::cargo::cargo_bin!("spotsim"))
        .arg("simulate")
        .arg(scenario_path("default.toml"))
        .args(["--trials", "10", "--quiet", "--per-trial"])
        .arg(&out)
        .stdout(Stdio::from(stdout))
        .status()
        .unwrap();
    assert!(status.success());
    let written = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert!(
        lines[0].starts_with("scenario,seed,trial,outcome,"),
        "{written}"
    );
    assert!(lines[10].starts_with("default-p3-20h,1,9,"), "{written}");
    assert!(
        lines[11..].iter().any(|l| l.contains("10 trials")),
        "{written}"
    );
    assert_eq!(listing(dir.path()), ["out.txt"]);
}

// 6. Inputs are never outputs.

fn os(args: &[std::ffi::OsString]) -> Vec<&std::ffi::OsStr> {
    args.iter().map(|a| a.as_os_str()).collect()
}

/// Runs `args` and checks it is refused (exit 2, naming the option) before any trial runs —
/// the runs asked for would take far longer than the timeout — and that every input is
/// unchanged.
fn refused(args: &[&std::ffi::OsStr], option: &str, inputs: &[&Path]) {
    let before: Vec<Vec<u8>> = inputs.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let output = spotsim().args(args).output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains(&format!("{option}: writing"))
            && stderr.contains("would overwrite this input"),
        "{args:?}: {stderr}"
    );
    // One line of error (warnings about the scenario itself may precede it).
    let errors = stderr
        .lines()
        .filter(|l| !l.starts_with("warning: "))
        .count();
    assert_eq!(errors, 1, "{stderr}");
    for (path, bytes) in inputs.iter().zip(before) {
        assert_eq!(std::fs::read(path).unwrap(), bytes, "{}", path.display());
    }
}

#[test]
fn no_command_writes_over_one_of_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = trace_scenario(dir.path());
    let trace = dir.path().join("trace.csv");
    let prices = dir.path().join("prices.json");
    let long = ["--trials", "1000000000", "--yes", "--quiet"];
    let simulate = |extra: &[&std::ffi::OsStr]| -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec!["simulate".into(), scenario.clone().into()];
        args.extend(long.iter().map(|a| a.into()));
        args.extend(extra.iter().map(|a| a.into()));
        args
    };
    let inputs = [scenario.as_path(), trace.as_path(), prices.as_path()];

    // The trace being replayed, the price file, the scenario.
    let args = simulate(&["--per-trial".as_ref(), trace.as_ref()]);
    refused(&os(&args), "--per-trial", &inputs);
    let args = simulate(&["--per-trial".as_ref(), prices.as_ref()]);
    refused(&os(&args), "--per-trial", &inputs);
    let args = simulate(&[
        "--shard".as_ref(),
        "0/2".as_ref(),
        "--partial".as_ref(),
        scenario.as_ref(),
    ]);
    refused(&os(&args), "--partial", &inputs);
    // Through a symlink and a hard link.
    let symlink = dir.path().join("rows.csv");
    std::os::unix::fs::symlink("trace.csv", &symlink).unwrap();
    let args = simulate(&["--per-trial".as_ref(), symlink.as_ref()]);
    refused(&os(&args), "--per-trial", &inputs);
    let hard_link = dir.path().join("rows-hard.csv");
    std::fs::hard_link(&trace, &hard_link).unwrap();
    let args = simulate(&["--per-trial".as_ref(), hard_link.as_ref()]);
    refused(&os(&args), "--per-trial", &inputs);

    // A report folder holding an input under one of the report's names.
    let named_like_output = dir.path().join("plan.csv");
    std::fs::copy(&scenario, &named_like_output).unwrap();
    refused(
        &[
            "plan".as_ref(),
            named_like_output.as_ref(),
            "--quiet".as_ref(),
            "--output".as_ref(),
            dir.path().as_ref(),
        ],
        "--output",
        &[&named_like_output],
    );
    let request = dir.path().join("summary.json");
    std::fs::write(
        &request,
        r#"{"EnableManagedSpotTraining": true,
  "StoppingCondition": {"MaxRuntimeInSeconds": 86400, "MaxWaitTimeInSeconds": 129600}}"#,
    )
    .unwrap();
    let mut args: Vec<std::ffi::OsString> = vec!["simulate".into()];
    args.extend(long.iter().map(|a| a.into()));
    args.extend(["--request".into(), request.clone().into()]);
    args.extend(["--output".into(), dir.path().into()]);
    refused(&os(&args), "--output", &[&request]);

    // bench: the baseline it compares with, and the suite itself.
    let suite = dir.path().join("suite.toml");
    write_suite(&suite, &scenario_path("default.toml"), 200);
    let baseline = dir.path().join("baseline.json");
    spotsim()
        .arg("bench")
        .arg(&suite)
        .args(["--quiet", "--save-baseline"])
        .arg(&baseline)
        .assert()
        .success();
    refused(
        &[
            "bench".as_ref(),
            suite.as_ref(),
            "--baseline".as_ref(),
            baseline.as_ref(),
            "--save-baseline".as_ref(),
            baseline.as_ref(),
        ],
        "--save-baseline",
        &[&baseline, &suite],
    );
    refused(
        &[
            "bench".as_ref(),
            suite.as_ref(),
            "--save-baseline".as_ref(),
            suite.as_ref(),
        ],
        "--save-baseline",
        &[&suite],
    );
}

// 7. Report sets: all or nothing; the summary is printed whatever happens to the files.

#[test]
fn a_report_set_replaces_its_files_together_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("report");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("plan.csv"), "old").unwrap();
    std::fs::write(folder.join("notes.txt"), "mine").unwrap();
    spotsim()
        .arg("plan")
        .arg(scenario_path("default.toml"))
        .args(["--trials", "300", "--quiet", "--output"])
        .arg(&folder)
        .assert()
        .success();
    let names = listing(&folder);
    for name in spotsim::report::output::plan_files() {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert_eq!(
        names.len(),
        spotsim::report::output::plan_files().len() + 1,
        "no staging folder or temporary file is left: {names:?}"
    );
    assert_ne!(std::fs::read(folder.join("plan.csv")).unwrap(), b"old");
    assert_eq!(std::fs::read(folder.join("notes.txt")).unwrap(), b"mine");
}

#[test]
fn an_unwritable_report_folder_still_prints_the_summary_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    // A folder that cannot be created whoever runs the test: its parent is a regular file.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "a file").unwrap();
    let folder = blocker.join("report");
    for command in ["simulate", "plan"] {
        let output = spotsim()
            .arg(command)
            .arg(scenario_path("default.toml"))
            .args(["--trials", "300", "--quiet", "--output"])
            .arg(&folder)
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains(&format!("'{}'", folder.display()))
                && stderr.contains("Not a directory (os error 20)"),
            "{command}: {stderr}"
        );
        assert!(
            text(&output.stdout).contains("300 trials"),
            "{command}: the summary is printed"
        );
    }
    assert_eq!(listing(dir.path()), ["blocker"]);
}

#[test]
fn a_full_disk_leaves_the_report_folder_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    if !running_as_root(dir.path()) {
        // Without root, a read-only folder fails the set as honestly as a full disk.
        let folder = dir.path().join("report");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("plan.csv"), "old").unwrap();
        let mut permissions = std::fs::metadata(&folder).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o555);
        std::fs::set_permissions(&folder, permissions).unwrap();
        let output = spotsim()
            .arg("plan")
            .arg(scenario_path("default.toml"))
            .args(["--trials", "300", "--quiet", "--output"])
            .arg(&folder)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert!(text(&output.stderr).contains("Permission denied"));
        assert_eq!(listing(&folder), ["plan.csv"]);
        assert_eq!(std::fs::read(folder.join("plan.csv")).unwrap(), b"old");
        return;
    }
    // As root: a 256 KiB tmpfs in a private mount namespace (nothing leaks to the machine's
    // mount table), too small for the set (about 750 KB) but not for its first files.
    let mount_point = dir.path().join("disk");
    let results = dir.path().join("results");
    std::fs::create_dir_all(&mount_point).unwrap();
    std::fs::create_dir_all(&results).unwrap();
    let script = r#"
        set -u
        mount -t tmpfs -o size=256k tmpfs "$DISK" || exit 97
        mkdir "$DISK/report"
        printf old > "$DISK/report/plan.csv"
        printf mine > "$DISK/report/notes.txt"
        "$SPOTSIM" plan "$SCENARIO" --trials 300 --quiet --output "$DISK/report" \
            > "$RESULTS/stdout" 2> "$RESULTS/stderr"
        echo $? > "$RESULTS/status"
        ls -A "$DISK/report" > "$RESULTS/listing"
        cat "$DISK/report/plan.csv" > "$RESULTS/plan.csv"
    "#;
    let status = Command::new("unshare")
        .args(["--mount", "sh", "-c", script])
        .env("DISK", &mount_point)
        .env("RESULTS", &results)
        .env("SPOTSIM", assert_cmd::cargo::cargo_bin!("spotsim"))
        .env("SCENARIO", scenario_path("default.toml"))
        .status();
    if !status.as_ref().is_ok_and(|s| s.success()) {
        eprintln!("skipped: no private mount namespace with a tmpfs here ({status:?})");
        return;
    }
    let read = |name: &str| std::fs::read_to_string(results.join(name)).unwrap();
    let stderr = read("stderr");
    assert_eq!(read("status").trim(), "1", "{stderr}");
    assert!(
        stderr.contains("No space left on device") && stderr.contains("/disk/report'"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(read("stdout").contains("Set MaxWaitTimeInSeconds"));
    // The folder is as it was: the old plan.csv, the user's file, no staging folder.
    assert_eq!(
        read("listing").split_whitespace().collect::<Vec<_>>(),
        ["notes.txt", "plan.csv"]
    );
    assert_eq!(read("plan.csv"), "old");
}

#[test]
fn a_full_device_fails_the_write_with_the_os_error() {
    let dir = tempfile::tempdir().unwrap();
    // A device like /dev/full (1:7), made here: every write fails with ENOSPC.
    let Some(full) = char_device(&dir.path().join("full"), 1, 7) else {
        return;
    };
    for (option, extra) in [
        ("--per-trial", &[][..]),
        ("--partial", &["--shard", "0/1"][..]),
    ] {
        let output = spotsim()
            .arg("simulate")
            .arg(scenario_path("default.toml"))
            .args(["--trials", "100000", "--quiet"])
            .args(extra)
            .arg(option)
            .arg(&full)
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{option}: {stderr}");
        assert!(
            stderr.contains("'") && stderr.contains("No space left on device (os error 28)"),
            "{option}: {stderr}"
        );
        assert!(
            std::fs::metadata(&full)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
    assert_eq!(listing(dir.path()), ["full"]);
}

// 9. Hostile inputs: refused before they are read, whatever reads them.

/// Runs `args` and checks exit 2 with `expected` in a one-line error (and no hang).
fn rejected(args: &[&std::ffi::OsStr], expected: &str) {
    let output = spotsim().args(args).output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
}

/// Every way a file reaches spotsim, with `path` as the file: (arguments, what the file is
/// read as).
fn every_reader(dir: &Path, path: &Path) -> Vec<(Vec<std::ffi::OsString>, &'static str)> {
    let scenario = trace_scenario(dir);
    let text = std::fs::read_to_string(&scenario).unwrap();
    let with = |key: &str, name: &str| {
        let file = dir.join(format!("with-{name}.toml"));
        let replaced = text.replace(
            &format!("{key} = \"{name}\""),
            &format!("{key} = \"{}\"", path.display()),
        );
        std::fs::write(&file, replaced).unwrap();
        file
    };
    let suite = |name: &str, scenario: &Path| {
        let file = dir.join(name);
        write_suite(&file, scenario, 10);
        file
    };
    let hostile_suite = suite("hostile-suite.toml", path);
    let valid_suite = suite("suite.toml", &scenario_path("default.toml"));
    let p = || path.as_os_str().to_owned();
    vec![
        (vec!["validate".into(), p()], "scenario"),
        (
            vec!["simulate".into(), "--request".into(), p()],
            "CreateTrainingJob request",
        ),
        (
            vec!["simulate".into(), "--estimator".into(), p()],
            "file of SDK estimator arguments",
        ),
        (
            vec!["validate".into(), with("path", "trace.csv").into()],
            "trace",
        ),
        (
            vec!["validate".into(), with("spot_prices", "prices.json").into()],
            "price file",
        ),
        (
            vec!["fit".into(), p(), "--convention".into(), "available".into()],
            "trace",
        ),
        (vec!["merge".into(), p()], "partial"),
        (vec!["bench".into(), p()], "suite"),
        (vec!["bench".into(), hostile_suite.into()], "scenario"),
        (
            vec!["bench".into(), valid_suite.into(), "--baseline".into(), p()],
            "baseline",
        ),
    ]
}

#[test]
fn fifos_devices_and_oversized_files_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    // A FIFO nobody writes to: opening it to read would block forever.
    let fifo = dir.path().join("input.fifo");
    mkfifo(&fifo);
    for (args, kind) in every_reader(dir.path(), &fifo) {
        rejected(
            &os(&args),
            &format!("a named pipe (FIFO), not a regular file: spotsim reads a {kind} only"),
        );
    }
    // A device like /dev/zero (1:5): it never ends.
    if let Some(zero) = char_device(&dir.path().join("zero"), 1, 5) {
        for (args, kind) in every_reader(dir.path(), &zero) {
            rejected(
                &os(&args),
                &format!("a character device, not a regular file: spotsim reads a {kind} only"),
            );
        }
    }
    // Files over their limit, sparse (nothing is written to disk): refused by their size.
    let big_scenario = dir.path().join("big.toml");
    File::create(&big_scenario)
        .unwrap()
        .set_len(spotsim::files::input::DOCUMENT_LIMIT_BYTES + 1)
        .unwrap();
    rejected(
        &["validate".as_ref(), big_scenario.as_ref()],
        "8388609 bytes, more than the 8 MiB a scenario may have",
    );
    rejected(
        &["merge".as_ref(), big_scenario.as_ref()],
        "more than the 8 MiB a partial may have",
    );
    let big_trace = dir.path().join("big.csv");
    File::create(&big_trace)
        .unwrap()
        .set_len(spotsim::files::input::DATA_LIMIT_BYTES + 1)
        .unwrap();
    rejected(
        &[
            "fit".as_ref(),
            big_trace.as_ref(),
            "--convention".as_ref(),
            "available".as_ref(),
        ],
        "more than the 1 GiB a trace may have",
    );
}

#[test]
fn a_report_on_a_market_that_flips_every_millisecond_stays_bounded() {
    // The corpus shows describe refusing such a trial; a report leaves it out of the status
    // chart and is written.
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("report");
    let output = spotsim()
        .arg("simulate")
        .arg(root().join("tests/corpus/scenario-describe-flapping-trace.toml"))
        .args(["--trials", "1", "--quiet", "--output"])
        .arg(&folder)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(folder.join("status-timeline.svg").is_file());
    assert!(text(&output.stdout).contains("MaxWaitTimeExceeded"));
}

// 10. A closed pipe.

#[test]
fn a_closed_pipe_ends_every_command_quietly_with_141() {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("part.json");
    spotsim()
        .arg("simulate")
        .arg(scenario_path("default.toml"))
        .args(["--trials", "1000", "--quiet", "--shard", "0/1", "--partial"])
        .arg(&partial)
        .assert()
        .success();
    let default = scenario_path("default.toml");
    let trace = root().join("tests/corpus/trace-valid.csv");
    let commands: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec!["validate".as_ref(), default.as_ref()],
        vec!["describe".as_ref(), default.as_ref()],
        vec![
            "fit".as_ref(),
            trace.as_ref(),
            "--convention".as_ref(),
            "available".as_ref(),
        ],
        vec!["merge".as_ref(), partial.as_ref()],
        vec![
            "simulate".as_ref(),
            default.as_ref(),
            "--trials".as_ref(),
            "1000".as_ref(),
        ],
        vec![
            "plan".as_ref(),
            default.as_ref(),
            "--trials".as_ref(),
            "300".as_ref(),
            "--quiet".as_ref(),
        ],
    ];
    for args in commands {
        // The reader is gone before spotsim writes its first byte.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output: Output = Command::new(assert_cmd::cargo::cargo_bin!("spotsim"))
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(i32::from(spotsim::cli::BROKEN_PIPE_EXIT)),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert_eq!(text(&output.stderr), "", "{args:?}: nothing is printed");
    }
}

#[test]
fn nothing_in_src_prints_around_the_one_stdout_writer() {
    // print!/println! panic on a closed pipe; everything goes through cli::stdout::print.
    fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 50);
    let mut offenders = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for (number, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let prints = ["print!(", "println!("].iter().any(|m| {
                code.match_indices(m)
                    .any(|(at, _)| !code[..at].ends_with('e'))
            });
            // Asking whether stdout is a terminal, or which file it is, writes nothing.
            let writes_stdout = code.contains("stdout()")
                && (code.contains(".write") || code.contains(".lock()"))
                && !file.ends_with("cli/stdout.rs");
            if prints || writes_stdout {
                offenders.push(format!("{}:{}: {line}", file.display(), number + 1));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
