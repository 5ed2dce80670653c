//! `spotsim validate`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
}

pub(super) fn run(args: ValidateArgs) -> anyhow::Result<()> {
    let scenario = super::load_scenario(Some(&args.scenario))?;
    println!(
        "# {}: valid. Fully resolved (durations in seconds):",
        args.scenario.display()
    );
    let interval = scenario.checkpoint.policy.interval_seconds();
    if interval.is_finite() {
        println!(
            "# checkpoint interval ({}): {interval:.1} s",
            scenario.checkpoint.policy.name()
        );
    }
    if let Some(basis) = scenario
        .market
        .as_ref()
        .and_then(|m| m.model.interruption_basis())
    {
        println!("# {}", basis.sentence());
    }
    print!("{}", scenario.to_toml_string());
    Ok(())
}
