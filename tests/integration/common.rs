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

/// Loads a shipped scenario and prepares it as the commands do.
pub fn load(name: &str) -> Scenario {
    let mut scenario = Scenario::load(&scenario_path(name)).expect("shipped scenario is valid");
    spotsim::montecarlo::prepare(&mut scenario);
    scenario
}

/// Parses scenario text (panics with the error on invalid input) and prepares it as the
/// commands do.
pub fn parse(text: &str) -> Scenario {
    let mut scenario =
        Scenario::from_toml(text, "test.toml", "test").unwrap_or_else(|e| panic!("{e}"));
    spotsim::montecarlo::prepare(&mut scenario);
    scenario
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
