//! `spotsim completions SHELL`: the tab-completion script for bash, zsh, fish, PowerShell or
//! elvish, generated from the same clap definitions that parse the command line, so that it
//! can never offer a flag spotsim does not accept.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub(super) fn run(args: CompletionsArgs) -> anyhow::Result<()> {
    // Generated into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut super::Cli::command(),
        "spotsim",
        &mut script,
    );
    super::print(&script)
}
