//! `spotsim validate`.

use clap::Args;
use std::fmt::Write as _;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario and the job's source.
    #[command(flatten)]
    pub input: super::input::ScenarioInput,
}

pub(super) fn run(args: ValidateArgs) -> anyhow::Result<()> {
    let scenario = args.input.load()?;
    let mut text = format!(
        "# {}: valid. Fully resolved (durations in seconds):\n",
        args.input.label()
    );
    let interval = scenario.checkpoint.policy.interval_seconds();
    if interval.is_finite() {
        let _ = writeln!(
            text,
            "# checkpoint interval ({}): {interval:.1} s",
            scenario.checkpoint.policy.name()
        );
    }
    if let Some(basis) = scenario
        .market
        .as_ref()
        .and_then(|m| m.model.interruption_basis())
    {
        let _ = writeln!(text, "# {}", basis.sentence());
    }
    text.push_str(&scenario.to_toml_string());
    super::print(&text)
}
