//! `spotsim validate`.

use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
}

pub(super) fn run(args: ValidateArgs) -> anyhow::Result<()> {
    let scenario = super::load_scenario(Some(&args.scenario))?;
    let mut text = format!(
        "# {}: valid. Fully resolved (durations in seconds):\n",
        args.scenario.display()
    );
    let interval = scenario.checkpoint.policy.interval_seconds();
    if interval.is_finite() {
        let _ = writeln!(
            text,
            "# checkpoint interval ({}): {interval:.1} s",
            scenario.checkpoint.policy.name()
        );
    }
    text.push_str(&scenario.to_toml_string());
    super::print(&text)
}
