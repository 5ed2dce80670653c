//! Invalid input is rejected by the binary with exit status 2 and one line on stderr that names
//! the file, the key and (where it can be found) the line — never with a panic. Valid variants
//! are accepted, and `spotsim validate` shows what they resolve to.
//!
//! Every variant is one small text edit of [`BASE`], written to a temporary folder.

use assert_cmd::cargo::cargo_bin_cmd;
use std::ffi::OsStr;
use std::path::PathBuf;
use tempfile::TempDir;

/// A valid managed-spot scenario; each test changes one thing in it.
const BASE: &str = r#"name = "variant"
start_time = "2026-01-01T00:00:00Z"

[job]
instance_type = "ml.p3.2xlarge"
instance_count = 1
managed_spot = true
max_runtime = "1h"
max_wait = "4h"
checkpoint_s3_uri = "s3://bucket/checkpoints"
algorithm_checkpoints = true
max_retry_attempts = 0

[workload]
training = "30m"
provisioning = "3m"
download = "2m"
upload = "1m"
stopping = "0s"

[checkpoint]
policy = "none"
write = "40s"
restore = "2m"
on_notice = "ignore"

[market]
model = "exponential"
mean_uptime = "6h"
mean_capacity_wait = "10m"
notice = "2m"

[pricing]
on_demand_per_hour = 3.825
spot_per_hour = 1.1475

[simulation]
trials = 100
seed = 1
"#;

/// The `[market]` section of [`BASE`].
const EXPONENTIAL_MARKET: &str = r#"[market]
model = "exponential"
mean_uptime = "6h"
mean_capacity_wait = "10m"
notice = "2m"
"#;

/// A `[market]` section with deterministic windows (the `{available}` placeholder is the list).
const WINDOWS_MARKET: &str = r#"[market]
model = "windows"
available = {available}
notice = "2m"
"#;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Replaces the single occurrence of `old` in `text` with `new`.
fn edit(text: &str, old: &str, new: &str) -> String {
    assert_eq!(
        text.matches(old).count(),
        1,
        "test bug: `{old}` must occur exactly once in:\n{text}"
    );
    text.replacen(old, new, 1)
}

/// Removes the line `line` (exactly, with its newline) from `text`.
fn drop_line(text: &str, line: &str) -> String {
    edit(text, &format!("{line}\n"), "")
}

/// Inserts `new` as a line right after the line `anchor`.
fn add_after(text: &str, anchor: &str, new: &str) -> String {
    edit(text, &format!("{anchor}\n"), &format!("{anchor}\n{new}\n"))
}

/// Removes a whole section: its header and every line up to the next blank line.
fn drop_section(text: &str, header: &str) -> String {
    let mut out = Vec::new();
    let mut skipping = false;
    let mut found = false;
    for line in text.lines() {
        if line == header {
            skipping = true;
            found = true;
            continue;
        }
        if skipping && line.trim().is_empty() {
            skipping = false;
            continue;
        }
        if !skipping {
            out.push(line);
        }
    }
    assert!(found, "test bug: no section {header}");
    out.join("\n") + "\n"
}

/// [`BASE`] with a windows market whose `available` list is `available`.
fn windows(available: &str) -> String {
    edit(
        BASE,
        EXPONENTIAL_MARKET,
        &WINDOWS_MARKET.replace("{available}", available),
    )
}

/// The 1-based line of the first line of `text` that starts with `prefix` (after indentation).
/// A bare key as `prefix` matches only that key (`max_run` does not match `max_runtime = …`).
fn line_of(text: &str, prefix: &str) -> usize {
    let bare_key = prefix
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_');
    text.lines()
        .position(|l| match l.trim_start().strip_prefix(prefix) {
            Some(rest) => !bare_key || rest.trim_start().starts_with('='),
            None => false,
        })
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("test bug: no line starts with `{prefix}` in:\n{text}"))
}

/// What one run of the binary produced.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `spotsim` with `args`.
fn spotsim<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = cargo_bin_cmd!("spotsim")
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A scenario text written into its own temporary folder.
struct Written {
    _dir: TempDir,
    path: PathBuf,
}

fn write(text: &str) -> Written {
    let dir = TempDir::new().expect("temporary folder");
    let path = dir.path().join("variant.toml");
    std::fs::write(&path, text).expect("write the scenario");
    Written { _dir: dir, path }
}

/// Runs `spotsim validate` on `text`.
fn validate(text: &str) -> (Run, PathBuf, Written) {
    let written = write(text);
    let run = spotsim([OsStr::new("validate"), written.path.as_os_str()]);
    let path = written.path.clone();
    (run, path, written)
}

/// Why `run` is not a clean rejection (exit 2, one non-empty line on stderr, no panic).
fn unclean_failure(run: &Run) -> Option<String> {
    let stderr = run.stderr.trim_end();
    if run.code != Some(2) {
        return Some(format!("exit status {:?}, expected 2", run.code));
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        return Some("panicked".to_string());
    }
    if stderr.is_empty() {
        return Some("empty stderr".to_string());
    }
    if stderr.lines().count() != 1 {
        return Some("stderr is more than one line".to_string());
    }
    None
}

/// Asserts a clean rejection of `run` (exit 2, one line, no panic).
fn assert_clean_failure(run: &Run, what: &str) {
    if let Some(problem) = unclean_failure(run) {
        panic!(
            "{what}: {problem}\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
    }
}

/// Runs `spotsim validate` on `text` and checks that it is rejected as it should be: exit 2,
/// one line naming the file, one of `keys` and, when given, `line`. `Ok(stderr)` when it is,
/// `Err(what is wrong)` otherwise.
fn check_rejection(text: &str, keys: &[&str], line: Option<usize>) -> Result<String, String> {
    let (run, path, _written) = validate(text);
    let stderr = run.stderr.trim_end();
    let problem = if let Some(problem) = unclean_failure(&run) {
        Some(problem)
    } else if !stderr.contains(&path.display().to_string()) {
        Some("the message does not name the file".to_string())
    } else if !keys.iter().any(|key| stderr.contains(key)) {
        Some(format!(
            "the message does not name the key ({})",
            keys.join(" or ")
        ))
    } else if let Some(line) = line
        && !stderr.contains(&format!("{}:{line}:", path.display()))
    {
        Some(format!("the message does not give line {line}"))
    } else {
        None
    };
    match problem {
        Some(p) => Err(format!("{p}; stderr: {stderr}")),
        None => Ok(stderr.to_string()),
    }
}

/// What is wrong with the rejection of `text`, if anything (see [`check_rejection`]).
fn rejection_problem(text: &str, keys: &[&str], line: Option<usize>) -> Option<String> {
    check_rejection(text, keys, line).err()
}

/// Asserts that `text` is rejected with a message naming the file, the key and `line`;
/// returns stderr.
fn reject(text: &str, key: &str, line: Option<usize>) -> String {
    reject_any(text, &[key], line)
}

/// Like [`reject`], for errors that may name any one of `keys`.
fn reject_any(text: &str, keys: &[&str], line: Option<usize>) -> String {
    check_rejection(text, keys, line)
        .unwrap_or_else(|problem| panic!("{problem}\nscenario:\n{text}"))
}

/// Asserts that `text` is valid; returns the resolved scenario `spotsim validate` printed.
fn accept(text: &str) -> toml::Table {
    let (run, _, _written) = validate(text);
    assert_eq!(
        run.code,
        Some(0),
        "expected the scenario to be accepted\nstderr: {}\nscenario:\n{text}",
        run.stderr
    );
    resolved(&run.stdout)
}

/// Parses the output of `spotsim validate` (a comment line, then TOML).
fn resolved(stdout: &str) -> toml::Table {
    let (first, rest) = stdout.split_once('\n').expect("validate prints lines");
    assert!(first.starts_with('#'), "first line is a comment: {first}");
    toml::from_str(rest).unwrap_or_else(|e| panic!("validate prints TOML: {e}\n{stdout}"))
}

/// `table[section][key]` of a resolved scenario.
fn value<'t>(table: &'t toml::Table, section: &str, key: &str) -> &'t toml::Value {
    table
        .get(section)
        .and_then(|s| s.get(key))
        .unwrap_or_else(|| panic!("resolved scenario has no [{section}] {key}:\n{table}"))
}

/// A resolved duration (seconds) as f64.
fn seconds(table: &toml::Table, section: &str, key: &str) -> f64 {
    match value(table, section, key) {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(x) => *x,
        other => panic!("[{section}] {key} is not a number of seconds: {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The base itself
// ---------------------------------------------------------------------------------------------

#[test]
fn base_scenario_is_valid_and_resolves_as_written() {
    let table = accept(BASE);
    assert_eq!(seconds(&table, "job", "max_runtime"), 3600.0);
    assert_eq!(seconds(&table, "job", "max_wait"), 14_400.0);
    assert_eq!(seconds(&table, "workload", "training"), 1800.0);
    assert_eq!(value(&table, "job", "managed_spot").as_bool(), Some(true));
    assert_eq!(
        value(&table, "job", "checkpoint_local_path").as_str(),
        Some("/opt/ml/checkpoints/"),
        "reference §5.7: LocalPath defaults to /opt/ml/checkpoints/"
    );
}

// ---------------------------------------------------------------------------------------------
// Reference §5: the creation-time rules
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_1_max_wait_without_managed_spot_is_rejected_with_the_service_message() {
    let text = edit(BASE, "managed_spot = true", "managed_spot = false");
    let stderr = reject(&text, "max_wait", Some(line_of(&text, "max_wait")));
    assert!(
        stderr.contains(
            "Invalid MaxWaitTimeInSeconds. It is only supported when EnableManagedSpotTraining is set to true"
        ),
        "{stderr}"
    );
}

#[test]
fn rule_1_on_demand_without_max_wait_is_accepted() {
    let text = drop_line(
        &edit(BASE, "managed_spot = true", "managed_spot = false"),
        "max_wait = \"4h\"",
    );
    let table = accept(&text);
    assert_eq!(value(&table, "job", "managed_spot").as_bool(), Some(false));
    assert!(value(&table, "job", "max_runtime").is_integer());
    assert!(table["job"].get("max_wait").is_none());
}

#[test]
fn rule_2_managed_spot_without_max_wait_is_rejected() {
    let text = drop_line(BASE, "max_wait = \"4h\"");
    let stderr = reject_any(
        &text,
        &["max_wait", "managed_spot"],
        Some(line_of(&text, "managed_spot")),
    );
    assert!(stderr.contains("MaxWaitTimeInSeconds"), "{stderr}");
}

#[test]
fn rule_2_is_reported_at_the_alias_that_turned_spot_on() {
    let text = drop_line(
        &edit(BASE, "managed_spot = true", "use_spot_instances = true"),
        "max_wait = \"4h\"",
    );
    reject_any(
        &text,
        &["max_wait", "use_spot_instances", "managed_spot"],
        Some(line_of(&text, "use_spot_instances")),
    );
}

#[test]
fn rule_3_max_wait_below_max_runtime_is_rejected_and_equality_is_accepted() {
    let below = edit(BASE, "max_wait = \"4h\"", "max_wait = \"59m 59s\"");
    let stderr = reject(&below, "max_wait", Some(line_of(&below, "max_wait")));
    assert!(stderr.contains("MaxRuntimeInSeconds"), "{stderr}");

    let equal = edit(BASE, "max_wait = \"4h\"", "max_wait = \"1h\"");
    let table = accept(&equal);
    assert_eq!(seconds(&table, "job", "max_wait"), 3600.0);
    assert_eq!(seconds(&table, "job", "max_runtime"), 3600.0);
}

#[test]
fn rule_4_max_runtime_outside_one_second_to_28_days_is_rejected() {
    for bad in ["0", "2419201", "\"28d 1s\""] {
        let text = edit(
            BASE,
            "max_runtime = \"1h\"",
            &format!("max_runtime = {bad}"),
        );
        reject(&text, "max_runtime", Some(line_of(&text, "max_runtime")));
    }
}

#[test]
fn rule_4_max_runtime_of_28_days_is_accepted() {
    let text = edit(
        &edit(BASE, "max_runtime = \"1h\"", "max_runtime = 2419200"),
        "max_wait = \"4h\"",
        "max_wait = \"28d\"",
    );
    let table = accept(&text);
    assert_eq!(seconds(&table, "job", "max_runtime"), 2_419_200.0);

    let one = edit(BASE, "max_runtime = \"1h\"", "max_runtime = 1");
    assert_eq!(seconds(&accept(&one), "job", "max_runtime"), 1.0);
}

#[test]
fn rule_4_max_runtime_defaults_to_86400() {
    // Without max_runtime the default (one day) applies, so a 4 h MaxWait is now too short …
    let text = drop_line(BASE, "max_runtime = \"1h\"");
    reject(&text, "max_wait", Some(line_of(&text, "max_wait")));
    // … and a one-day MaxWait is exactly enough.
    let text = edit(&text, "max_wait = \"4h\"", "max_wait = \"1d\"");
    let table = accept(&text);
    assert_eq!(seconds(&table, "job", "max_runtime"), 86_400.0);
}

#[test]
fn rule_5_non_checkpointing_algorithm_on_spot_is_limited_to_60_minutes() {
    let text = edit(
        BASE,
        "algorithm_checkpoints = true",
        "algorithm_checkpoints = false",
    );
    let stderr = reject_any(&text, &["max_wait", "algorithm_checkpoints"], None);
    assert!(stderr.contains("60 minutes"), "{stderr}");
    let line = stderr.contains(&format!(":{}:", line_of(&text, "max_wait")))
        || stderr.contains(&format!(":{}:", line_of(&text, "algorithm_checkpoints")));
    assert!(
        line,
        "the line of max_wait or algorithm_checkpoints: {stderr}"
    );

    let just_over = edit(&text, "max_wait = \"4h\"", "max_wait = 3601");
    let stderr = reject_any(&just_over, &["max_wait", "algorithm_checkpoints"], None);
    assert!(stderr.contains("60 minutes"), "{stderr}");

    let limit = edit(&text, "max_wait = \"4h\"", "max_wait = 3600");
    let table = accept(&limit);
    assert_eq!(seconds(&table, "job", "max_wait"), 3600.0);
    assert_eq!(
        value(&table, "job", "algorithm_checkpoints").as_bool(),
        Some(false)
    );
}

#[test]
fn rule_5_does_not_apply_on_demand() {
    let text = drop_line(
        &edit(
            &edit(BASE, "managed_spot = true", "managed_spot = false"),
            "algorithm_checkpoints = true",
            "algorithm_checkpoints = false",
        ),
        "max_wait = \"4h\"",
    );
    accept(&text);
}

#[test]
fn rule_6_max_retry_attempts_outside_0_to_30_is_rejected() {
    for bad in ["31", "-1", "1000"] {
        let text = edit(
            BASE,
            "max_retry_attempts = 0",
            &format!("max_retry_attempts = {bad}"),
        );
        reject(
            &text,
            "max_retry_attempts",
            Some(line_of(&text, "max_retry_attempts")),
        );
    }
    for good in [1, 30] {
        let text = edit(
            BASE,
            "max_retry_attempts = 0",
            &format!("max_retry_attempts = {good}"),
        );
        let table = accept(&text);
        assert_eq!(
            value(&table, "job", "max_retry_attempts").as_integer(),
            Some(good)
        );
    }
}

#[test]
fn rule_7_checkpoint_local_path_without_s3_uri_is_rejected() {
    let text = edit(
        BASE,
        "checkpoint_s3_uri = \"s3://bucket/checkpoints\"",
        "checkpoint_local_path = \"/opt/ml/checkpoints\"",
    );
    let stderr = reject(
        &text,
        "checkpoint_local_path",
        Some(line_of(&text, "checkpoint_local_path")),
    );
    assert!(
        stderr.contains("S3Uri") || stderr.contains("s3_uri"),
        "{stderr}"
    );

    let with_uri = add_after(
        BASE,
        "checkpoint_s3_uri = \"s3://bucket/checkpoints\"",
        "checkpoint_local_path = \"/data/ckpt\"",
    );
    let table = accept(&with_uri);
    assert_eq!(
        value(&table, "job", "checkpoint_local_path").as_str(),
        Some("/data/ckpt")
    );
}

// ---------------------------------------------------------------------------------------------
// Reference §7: aliases
// ---------------------------------------------------------------------------------------------

/// (pinned key as written in BASE, the same line with an alias)
const ALIASES: &[(&str, &str)] = &[
    ("max_wait = \"4h\"", "max_wait_time_in_seconds = \"4h\""),
    ("max_runtime = \"1h\"", "max_runtime_in_seconds = \"1h\""),
    ("max_runtime = \"1h\"", "max_run = \"1h\""),
    ("managed_spot = true", "enable_managed_spot_training = true"),
    ("managed_spot = true", "use_spot_instances = true"),
];

#[test]
fn each_alias_means_the_same_as_its_pinned_key() {
    let (base_run, _, _base) = validate(BASE);
    assert_eq!(base_run.code, Some(0), "{}", base_run.stderr);
    let expected = resolved(&base_run.stdout);
    for (pinned, alias) in ALIASES {
        let text = edit(BASE, pinned, alias);
        let (run, _, _written) = validate(&text);
        assert_eq!(run.code, Some(0), "{alias}: {}", run.stderr);
        assert_eq!(resolved(&run.stdout), expected, "{alias}");
        // Byte for byte, apart from the first line (which names the file).
        let body = |s: &str| s.split_once('\n').map(|(_, b)| b.to_string());
        assert_eq!(body(&run.stdout), body(&base_run.stdout), "{alias}");
    }
}

#[test]
fn api_spellings_take_api_values() {
    // The API's own names with the API's own units (integer seconds).
    let text = edit(
        &edit(
            &edit(
                BASE,
                "max_wait = \"4h\"",
                "max_wait_time_in_seconds = 14400",
            ),
            "max_runtime = \"1h\"",
            "max_runtime_in_seconds = 3600",
        ),
        "managed_spot = true",
        "enable_managed_spot_training = true",
    );
    assert_eq!(accept(&text), accept(BASE));
}

#[test]
fn aliases_are_held_to_the_same_rules() {
    // Rule 1 through an alias.
    let text = edit(
        &edit(BASE, "managed_spot = true", "managed_spot = false"),
        "max_wait = \"4h\"",
        "max_wait_time_in_seconds = \"4h\"",
    );
    let stderr = reject_any(
        &text,
        &["max_wait"],
        Some(line_of(&text, "max_wait_time_in_seconds")),
    );
    assert!(stderr.contains("Invalid MaxWaitTimeInSeconds"), "{stderr}");
    // Rule 3 through an alias.
    let text = edit(BASE, "max_runtime = \"1h\"", "max_run = \"5h\"");
    reject(&text, "max_wait", Some(line_of(&text, "max_wait")));
    // Rule 4 through an alias.
    let text = edit(
        BASE,
        "max_runtime = \"1h\"",
        "max_runtime_in_seconds = 2419201",
    );
    reject_any(
        &text,
        &["max_runtime"],
        Some(line_of(&text, "max_runtime_in_seconds")),
    );
}

#[test]
fn a_key_and_its_alias_together_are_rejected() {
    let mut problems = Vec::new();
    for (pinned, alias) in ALIASES {
        let text = add_after(BASE, pinned, alias);
        let pinned_key = pinned.split(' ').next().unwrap_or_default();
        let alias_key = alias.split(' ').next().unwrap_or_default();
        // The message must name the key and point at one of the two lines.
        let lines = [line_of(&text, pinned_key), line_of(&text, alias_key)];
        match check_rejection(&text, &[pinned_key, alias_key], None) {
            Err(problem) => problems.push(format!("{pinned_key} + {alias_key}: {problem}")),
            Ok(stderr) if !lines.iter().any(|l| stderr.contains(&format!(":{l}:"))) => {
                problems.push(format!(
                    "{pinned_key} + {alias_key}: the message gives neither line {} nor line {}; stderr: {stderr}",
                    lines[0], lines[1]
                ));
            }
            Ok(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------------

#[test]
fn durations_accept_integers_and_unit_strings() {
    let cases: &[(&str, &str, &str, &str, f64)] = &[
        // (old line, new line, section, key, seconds)
        (
            "max_wait = \"4h\"",
            "max_wait = \"1h 30m\"",
            "job",
            "max_wait",
            5400.0,
        ),
        (
            "max_wait = \"4h\"",
            "max_wait = 5400",
            "job",
            "max_wait",
            5400.0,
        ),
        (
            "max_wait = \"4h\"",
            "max_wait = \"1h30m\"",
            "job",
            "max_wait",
            5400.0,
        ),
        (
            "max_wait = \"4h\"",
            "max_wait = \"2d\"",
            "job",
            "max_wait",
            172_800.0,
        ),
        (
            "max_wait = \"4h\"",
            "max_wait = \"90m\"",
            "job",
            "max_wait",
            5400.0,
        ),
        (
            "training = \"30m\"",
            "training = 1800",
            "workload",
            "training",
            1800.0,
        ),
        (
            "training = \"30m\"",
            "training = \"1h 30m\"",
            "workload",
            "training",
            5400.0,
        ),
        (
            "training = \"30m\"",
            "training = \"2d\"",
            "workload",
            "training",
            172_800.0,
        ),
        (
            "training = \"30m\"",
            "training = \"90s\"",
            "workload",
            "training",
            90.0,
        ),
        ("write = \"40s\"", "write = 40", "checkpoint", "write", 40.0),
        (
            "mean_uptime = \"6h\"",
            "mean_uptime = \"1h 30m\"",
            "market",
            "mean_uptime",
            5400.0,
        ),
        (
            "mean_uptime = \"6h\"",
            "mean_uptime = \"2d\"",
            "market",
            "mean_uptime",
            172_800.0,
        ),
        (
            "mean_uptime = \"6h\"",
            "mean_uptime = 5400",
            "market",
            "mean_uptime",
            5400.0,
        ),
        ("notice = \"2m\"", "notice = 120", "market", "notice", 120.0),
    ];
    for (old, new, section, key, expected) in cases {
        let table = accept(&edit(BASE, old, new));
        assert_eq!(seconds(&table, section, key), *expected, "{new}");
    }
    // The same scenario written with strings or with integers resolves identically.
    let as_integers = edit(
        &edit(BASE, "max_wait = \"4h\"", "max_wait = 14400"),
        "training = \"30m\"",
        "training = 1800",
    );
    assert_eq!(accept(&as_integers), accept(BASE));
}

#[test]
fn bad_durations_are_rejected_naming_the_key_and_line() {
    // One key per way a duration is read: [job], [workload], [checkpoint] and [market].
    let keys = [
        ("max_wait = \"4h\"", "max_wait"),
        ("max_runtime = \"1h\"", "max_runtime"),
        ("training = \"30m\"", "training"),
        ("provisioning = \"3m\"", "provisioning"),
        ("write = \"40s\"", "write"),
        ("mean_uptime = \"6h\"", "mean_uptime"),
        ("notice = \"2m\"", "notice"),
    ];
    let bad_values = [
        "\"5 parsecs\"",
        "\"-5m\"",
        "\"\"",
        "-5",
        "\"5 m s\"",
        "true",
    ];
    let mut problems = Vec::new();
    for (old, key) in keys {
        for bad in bad_values {
            let text = edit(BASE, old, &format!("{key} = {bad}"));
            if let Some(p) = rejection_problem(&text, &[key], Some(line_of(&text, key))) {
                problems.push(format!("{key} = {bad}: {p}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} bad durations are not rejected as they should be:\n{}",
        problems.len(),
        keys.len() * bad_values.len(),
        problems.join("\n")
    );
}

#[test]
fn values_of_the_wrong_type_are_rejected_naming_the_key_and_line() {
    let cases = [
        (
            "managed_spot = true",
            "managed_spot = \"yes\"",
            "managed_spot",
        ),
        (
            "instance_type = \"ml.p3.2xlarge\"",
            "instance_type = 3",
            "instance_type",
        ),
        (
            "checkpoint_s3_uri = \"s3://bucket/checkpoints\"",
            "checkpoint_s3_uri = true",
            "checkpoint_s3_uri",
        ),
        ("policy = \"none\"", "policy = 5", "policy"),
        ("model = \"exponential\"", "model = 5", "model"),
        ("mean_uptime = \"6h\"", "mean_uptime = [1]", "mean_uptime"),
        (
            "on_demand_per_hour = 3.825",
            "on_demand_per_hour = \"3.825\"",
            "on_demand_per_hour",
        ),
        ("trials = 100", "trials = \"many\"", "trials"),
        ("seed = 1", "seed = 1.5", "seed"),
        (
            "start_time = \"2026-01-01T00:00:00Z\"",
            "start_time = \"yesterday\"",
            "start_time",
        ),
    ];
    let mut problems = Vec::new();
    for (old, new, key) in cases {
        let text = edit(BASE, old, new);
        if let Some(p) = rejection_problem(&text, &[key], Some(line_of(&text, key))) {
            problems.push(format!("{new}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Malformed TOML and unknown keys
// ---------------------------------------------------------------------------------------------

#[test]
fn malformed_toml_gives_the_file_and_the_line() {
    let cases = [
        edit(BASE, "[workload]", "[workload"),
        edit(BASE, "instance_count = 1", "instance_count = 1x"),
        edit(BASE, "max_wait = \"4h\"", "max_wait = 4h"),
        edit(BASE, "name = \"variant\"", "name = \"variant"),
        edit(BASE, "seed = 1", "seed = "),
    ];
    let broken = ["[workload", "instance_count", "max_wait", "name", "seed"];
    for (text, starts) in cases.iter().zip(broken) {
        let (run, path, _written) = validate(text);
        assert_clean_failure(&run, starts);
        let at = format!("{}:{}:", path.display(), line_of(text, starts));
        assert!(
            run.stderr.contains(&at),
            "expected `{at}` in: {}",
            run.stderr
        );
    }
}

#[test]
fn unknown_keys_are_rejected_in_every_section() {
    let policy = format!("{BASE}\n[policy]\nname = \"managed-spot\"\n");
    let windows_market = windows("[[\"0s\", \"24h\"]]");
    let cases: Vec<(String, &str)> = vec![
        (
            add_after(BASE, "name = \"variant\"", "colour = \"red\""),
            "colour",
        ),
        (add_after(BASE, "[job]", "max_wiat = \"4h\""), "max_wiat"),
        (add_after(BASE, "[workload]", "trainng = \"1h\""), "trainng"),
        (
            add_after(BASE, "[checkpoint]", "intervall = \"30m\""),
            "intervall",
        ),
        (
            add_after(BASE, "[market]", "mean_uptim = \"6h\""),
            "mean_uptim",
        ),
        // A key that belongs to another market model is unknown to this one.
        (add_after(BASE, "[market]", "available = []"), "available"),
        (
            add_after(&windows_market, "[market]", "mean_uptime = \"6h\""),
            "mean_uptime",
        ),
        (
            add_after(&windows_market, "[market]", "availble = []"),
            "availble",
        ),
        (
            add_after(BASE, "[pricing]", "spot_price = 1.0"),
            "spot_price",
        ),
        (add_after(&policy, "[policy]", "nme = \"x\""), "nme"),
        (add_after(BASE, "[simulation]", "trails = 10"), "trails"),
        (format!("{BASE}\n[schedule]\nname = \"x\"\n"), "schedule"),
    ];
    let mut problems = Vec::new();
    for (text, key) in &cases {
        let line = if *key == "schedule" {
            line_of(text, "[schedule]")
        } else {
            line_of(text, key)
        };
        if let Some(p) = rejection_problem(text, &[key], Some(line)) {
            problems.push(format!("{key}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The base with a [policy] and the windows base are themselves valid.
    accept(&policy);
    accept(&windows_market);
}

#[test]
fn unknown_names_are_rejected_listing_what_is_expected() {
    let text = edit(BASE, "model = \"exponential\"", "model = \"gaussian\"");
    let stderr = reject(&text, "model", Some(line_of(&text, "model")));
    assert!(
        stderr.contains("gaussian") && stderr.contains("exponential"),
        "{stderr}"
    );

    let text = edit(BASE, "policy = \"none\"", "policy = \"sometimes\"");
    let stderr = reject(&text, "policy", Some(line_of(&text, "policy")));
    assert!(
        stderr.contains("sometimes") && stderr.contains("interval"),
        "{stderr}"
    );

    let text = format!("{BASE}\n[policy]\nname = \"yolo\"\n");
    let stderr = reject(&text, "name", Some(line_of(&text, "name = \"yolo\"")));
    assert!(
        stderr.contains("yolo") && stderr.contains("managed-spot"),
        "{stderr}"
    );

    let text = edit(BASE, "on_notice = \"ignore\"", "on_notice = \"panic\"");
    reject(&text, "on_notice", Some(line_of(&text, "on_notice")));
}

#[test]
fn a_scheduling_policy_that_contradicts_managed_spot_is_rejected() {
    let text = format!("{BASE}\n[policy]\nname = \"on-demand\"\n");
    reject_any(
        &text,
        &["name", "managed_spot"],
        Some(line_of(&text, "name = \"on-demand\"")),
    );
}

// ---------------------------------------------------------------------------------------------
// Windows markets
// ---------------------------------------------------------------------------------------------

#[test]
fn windows_must_be_sorted_disjoint_and_forward() {
    for bad in [
        r#"[["5h", "6h"], ["0s", "1h"]]"#, // unsorted
        r#"[["0s", "2h"], ["1h", "3h"]]"#, // overlapping
        r#"[["2h", "1h"]]"#,               // end before start
        r#"[["1h", "1h"]]"#,               // empty
        r#"[["0s"]]"#,                     // not a pair
        r#"[["0s", "5 parsecs"]]"#,        // bad duration
        r#""always""#,                     // not a list
    ] {
        let text = windows(bad);
        reject(&text, "available", Some(line_of(&text, "available")));
    }
}

#[test]
fn windows_that_touch_are_accepted_and_an_empty_list_is_not() {
    let table = accept(&windows(r#"[["0s", "1h"], ["1h", "2h"], ["3h", "1d"]]"#));
    let available = value(&table, "market", "available");
    let expected: toml::Value =
        toml::from_str::<toml::Table>("v = [[0, 3600], [3600, 7200], [10800, 86400]]")
            .expect("literal")["v"]
            .clone();
    assert_eq!(available, &expected);
    // No window at all: capacity would never come, every trial would wait out MaxWait.
    let text = windows("[]");
    let stderr = reject(&text, "available", Some(line_of(&text, "available")));
    assert!(stderr.contains("empty"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Missing and out-of-range values
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_training_is_rejected() {
    let text = drop_line(BASE, "training = \"30m\"");
    reject(&text, "training", None);
}

#[test]
fn missing_market_for_spot_is_rejected_but_not_for_on_demand() {
    let text = drop_section(BASE, "[market]");
    reject(&text, "market", None);

    let on_demand = drop_line(
        &edit(&text, "managed_spot = true", "managed_spot = false"),
        "max_wait = \"4h\"",
    );
    accept(&on_demand);
}

#[test]
fn missing_pricing_is_rejected() {
    let text = drop_line(BASE, "on_demand_per_hour = 3.825");
    reject(&text, "on_demand_per_hour", None);
    let text = drop_line(BASE, "spot_per_hour = 1.1475");
    reject_any(&text, &["spot_per_hour", "spot_discount", "pricing"], None);
}

#[test]
fn bad_instances_are_rejected() {
    let text = edit(
        BASE,
        "instance_type = \"ml.p3.2xlarge\"",
        "instance_type = \"p3.2xlarge\"",
    );
    let stderr = reject(
        &text,
        "instance_type",
        Some(line_of(&text, "instance_type")),
    );
    assert!(
        stderr.contains("ml.p3.2xlarge"),
        "suggests the right spelling: {stderr}"
    );

    let mut problems = Vec::new();
    for bad in ["0", "-1", "10001", "99999999999999999999", "\"one\""] {
        let text = edit(
            BASE,
            "instance_count = 1",
            &format!("instance_count = {bad}"),
        );
        let line = Some(line_of(&text, "instance_count"));
        if let Some(p) = rejection_problem(&text, &["instance_count"], line) {
            problems.push(format!("instance_count = {bad}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn trials_must_be_at_least_one() {
    for bad in ["0", "-1"] {
        let text = edit(BASE, "trials = 100", &format!("trials = {bad}"));
        reject(&text, "trials", Some(line_of(&text, "trials")));
    }
    let text = edit(BASE, "seed = 1", "seed = -1");
    reject(&text, "seed", Some(line_of(&text, "seed")));
}

#[test]
fn bad_prices_are_rejected() {
    let cases = [
        (
            "on_demand_per_hour = 3.825",
            "on_demand_per_hour = -3.825",
            "on_demand_per_hour",
        ),
        (
            "on_demand_per_hour = 3.825",
            "on_demand_per_hour = 0.0",
            "on_demand_per_hour",
        ),
        (
            "on_demand_per_hour = 3.825",
            "on_demand_per_hour = nan",
            "on_demand_per_hour",
        ),
        (
            "spot_per_hour = 1.1475",
            "spot_per_hour = -1.0",
            "spot_per_hour",
        ),
        (
            "spot_per_hour = 1.1475",
            "spot_per_hour = inf",
            "spot_per_hour",
        ),
        (
            "spot_per_hour = 1.1475",
            "spot_discount = 1.5",
            "spot_discount",
        ),
        (
            "spot_per_hour = 1.1475",
            "spot_discount = 1.0",
            "spot_discount",
        ),
        (
            "spot_per_hour = 1.1475",
            "spot_discount = -0.1",
            "spot_discount",
        ),
    ];
    for (old, new, key) in cases {
        let text = edit(BASE, old, new);
        reject(&text, key, Some(line_of(&text, key)));
    }
}

#[test]
fn spot_price_and_discount_together_are_rejected() {
    let text = add_after(BASE, "spot_per_hour = 1.1475", "spot_discount = 0.7");
    let line_price = line_of(&text, "spot_per_hour");
    let line_discount = line_of(&text, "spot_discount");
    let stderr = reject_any(&text, &["spot_discount", "spot_per_hour"], None);
    assert!(
        stderr.contains(&format!(":{line_price}:"))
            || stderr.contains(&format!(":{line_discount}:")),
        "{stderr}"
    );
}

#[test]
fn spot_discount_resolves_to_a_spot_price() {
    let text = edit(BASE, "spot_per_hour = 1.1475", "spot_discount = 0.7");
    let table = accept(&text);
    let price = value(&table, "pricing", "spot_per_hour")
        .as_float()
        .expect("a price");
    assert!((price - 3.825 * 0.3).abs() < 1e-12, "{price}");
}

// ---------------------------------------------------------------------------------------------
// Files that cannot be read
// ---------------------------------------------------------------------------------------------

#[test]
fn a_missing_scenario_file_is_an_input_error_for_every_command() {
    let dir = TempDir::new().expect("temporary folder");
    let missing = dir.path().join("no-such-scenario.toml");
    for command in ["validate", "simulate", "describe"] {
        let run = spotsim([OsStr::new(command), missing.as_os_str()]);
        assert_clean_failure(&run, command);
        assert!(
            run.stderr.contains(&missing.display().to_string()),
            "{command}: names the file: {}",
            run.stderr
        );
    }
}

#[test]
fn a_directory_given_as_scenario_is_an_input_error() {
    let dir = TempDir::new().expect("temporary folder");
    for command in ["validate", "simulate", "describe"] {
        let run = spotsim([OsStr::new(command), dir.path().as_os_str()]);
        assert_clean_failure(&run, command);
        assert!(
            run.stderr.contains(&dir.path().display().to_string()),
            "{command}: names the folder: {}",
            run.stderr
        );
    }
}

#[test]
fn an_empty_scenario_file_is_rejected_naming_what_is_missing() {
    reject("", "training", None);
}

#[test]
fn invalid_scenarios_are_rejected_by_simulate_and_describe_too() {
    let text = edit(BASE, "managed_spot = true", "managed_spot = false");
    let written = write(&text);
    for command in ["simulate", "describe"] {
        let run = spotsim([OsStr::new(command), written.path.as_os_str()]);
        assert_clean_failure(&run, command);
        assert!(run.stdout.is_empty(), "{command} printed: {}", run.stdout);
        assert!(run.stderr.contains("max_wait"), "{}", run.stderr);
    }
}

// ---------------------------------------------------------------------------------------------
// Command-line values
// ---------------------------------------------------------------------------------------------

/// Asserts that `args` are rejected as invalid input: exit 2, a message naming `mentions`.
fn reject_args(args: &[&str], mentions: &str) {
    let run = spotsim(args);
    assert_eq!(
        run.code,
        Some(2),
        "{args:?}: exit status\nstderr: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
        "{args:?}: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(mentions),
        "{args:?}: expected `{mentions}` in: {}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{args:?}: printed {}", run.stdout);
}

#[test]
fn bad_command_line_values_exit_2() {
    reject_args(&["simulate", "--threads", "0"], "--threads");
    reject_args(&["simulate", "--threads", "-2"], "-2");
    reject_args(&["simulate", "--trials", "0"], "--trials");
    reject_args(&["simulate", "--trials", "many"], "--trials");
    reject_args(&["simulate", "--seed", "-1"], "-1");
    reject_args(&["simulate", "--format", "xml"], "xml");
    reject_args(&["describe", "--trial", "-1"], "-1");
    reject_args(&["frobnicate"], "frobnicate");
    reject_args(&["simulate", "--frobnicate"], "--frobnicate");
    reject_args(&["validate", "--request"], "--request");
    reject_args(
        &["simulate", "--request", "r.json", "--estimator", "e.json"],
        "--estimator",
    );
    reject_args(&["simulate", "--trials", "1e-3"], "--trials");
    reject_args(&["simulate", "--trials", "1.5"], "--trials");
    reject_args(&[], "Usage");
}

#[test]
fn bad_command_line_values_are_rejected_before_any_scenario_is_read() {
    // A valid scenario with an invalid flag is still an argument error.
    let written = write(BASE);
    let path = written.path.to_string_lossy().into_owned();
    reject_args(&["simulate", path.as_str(), "--trials", "0"], "--trials");
    reject_args(&["simulate", path.as_str(), "--threads", "0"], "--threads");
}

/// The file name in messages is the path as given, whatever folder it is in.
#[test]
fn messages_name_the_file_as_given() {
    let written = write(&edit(BASE, "instance_count = 1", "instance_count = 0"));
    let folder = written.path.parent().expect("a folder");
    let run = cargo_bin_cmd!("spotsim")
        .current_dir(folder)
        .args(["validate", "variant.toml"])
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        !stderr.contains(&folder.display().to_string())
            && stderr.contains(&format!(
                "variant.toml:{}:",
                line_of(BASE, "instance_count")
            )),
        "{stderr}"
    );
}
