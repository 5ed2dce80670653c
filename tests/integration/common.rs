//! Helpers shared by the integration tests.

use spotsim::Scenario;
use std::path::{Path, PathBuf};

/// The crate root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A scenario shipped in `scenarios/`.
pub fn scenario_path(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

/// Loads a shipped scenario.
pub fn load(name: &str) -> Scenario {
    Scenario::load(&scenario_path(name)).expect("shipped scenario is valid")
}

/// Parses scenario text (panics with the error on invalid input).
pub fn parse(text: &str) -> Scenario {
    Scenario::from_toml(text, "test.toml", "test").unwrap_or_else(|e| panic!("{e}"))
}

/// The shared data folder ([`spotsim::market::distribution::shared_data_dir`]), which must
/// exist: CI has `../shared` beside the clone.
pub fn shared_data() -> PathBuf {
    let dir = spotsim::market::distribution::shared_data_dir();
    dir.canonicalize().unwrap_or_else(|e| {
        panic!(
            "shared data missing at {}: {e} (set SPOTSIM_SHARED_DATA to the shared data folder)",
            dir.display()
        )
    })
}

/// The standard output of a run that must have succeeded (its stderr otherwise).
pub fn stdout_of(output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The JSON a run that must have succeeded printed.
pub fn json_of(output: std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout_of(output)).expect("JSON on stdout")
}

/// The Python that has botocore, from `SPOTSIM_BOTOCORE_PYTHON` (`.ci/run` sets it up);
/// `None` (the caller skips) when unset, which under `CI=true` fails instead.
pub fn botocore_python() -> Option<String> {
    let Ok(python) = std::env::var("SPOTSIM_BOTOCORE_PYTHON") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but SPOTSIM_BOTOCORE_PYTHON is unset: .ci/run sets up botocore"
        );
        eprintln!("skipped: set SPOTSIM_BOTOCORE_PYTHON to a python with botocore");
        return None;
    };
    Some(python)
}

/// Writes a suite manifest to `path`: one scenario, the `interval` policy, `trials` trials.
pub fn write_suite(path: &Path, scenario: &Path, trials: u64) {
    std::fs::write(
        path,
        format!(
            "[suite]\nname = \"test\"\ntrials = {trials}\nseed = 1\n\n[policies]\ninterval = {{ checkpoint.policy = \"interval\" }}\n\n[[scenario]]\npath = \"{}\"\npolicies = [\"interval\"]\n",
            scenario.display()
        ),
    )
    .unwrap();
}
