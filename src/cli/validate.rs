//! `spotsim validate`.

use clap::Args;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario and the job's source.
    #[command(flatten)]
    pub input: super::input::ScenarioInput,
}

pub(super) fn run(args: ValidateArgs) -> anyhow::Result<()> {
    let scenario = args.input.load()?;
    println!(
        "# {}: valid. Fully resolved (durations in seconds):",
        args.input.label()
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
