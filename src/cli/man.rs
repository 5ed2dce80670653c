//! `spotsim man [COMMAND]`: the manual page, roff on stdout (`spotsim man | man -l -`, or
//! `spotsim man > spotsim.1` for a MANPATH folder). Generated from the clap definitions, like
//! `--help`, plus the sections a man page reader looks for and clap does not know: exit
//! status, environment, files.

use crate::error::InputError;
use clap::{Args, CommandFactory};
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

const DESCRIPTION: &str = "spotsim simulates a SageMaker training job with \
EnableManagedSpotTraining through the lifecycle AWS documents (Starting, Downloading, Training \
with checkpoints, Uploading, Interrupted, Stopping, Stopped) against a model of spot capacity, \
over many Monte Carlo trials. It reports the probability of completing and of \
MaxWaitTimeExceeded, the cost including jobs that end stopped, and the saving; plan recommends \
the MaxWaitTimeInSeconds that reaches a completion target. Without a SCENARIO file, simulate, \
describe and plan use the embedded default scenario.";

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand whose page to print (spotsim-COMMAND(1)); without it, spotsim(1).
    pub command: Option<String>,
}

/// The page `spotsim man [COMMAND]` prints.
pub fn page(command: Option<&str>) -> anyhow::Result<Vec<u8>> {
    // `help` is clap's, with no page of its own; the NAME line reads "spotsim - …".
    let mut cli = super::Cli::command()
        .disable_help_subcommand(true)
        .about("simulator and cost planner for SageMaker Managed Spot Training")
        .long_about(DESCRIPTION);
    cli.build();
    let mut out = Vec::new();
    match command {
        None => {
            Man::new(cli).render(&mut out)?;
            out.extend_from_slice(extra_sections().as_bytes());
        }
        Some(name) => {
            let sub = cli.find_subcommand(name).ok_or_else(|| {
                let names: Vec<&str> = cli.get_subcommands().map(clap::Command::get_name).collect();
                InputError::new(
                    "command line",
                    format!(
                        "no subcommand \"{name}\": expected one of {}",
                        names.join(", ")
                    ),
                )
                .at_key("man")
            })?;
            Man::new(sub.clone()).render(&mut out)?;
        }
    }
    Ok(ascii_roff(&String::from_utf8_lossy(&out)).into_bytes())
}

/// The page with every non-ASCII character as groff's `\[uXXXX]` escape (groff_char(7)): roff
/// input is read as Latin-1 unless a preprocessor converts it, so "≥" or "…" in a help text
/// would come out as garbage under plain `groff -man`.
fn ascii_roff(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for c in page.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out
}

fn extra_sections() -> String {
    let mut roff = Roff::default();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "Success."),
        (
            "1",
            "A failure other than invalid input, and a regression for bench.",
        ),
        (
            "2",
            "Invalid input (scenario, trace, request, partial, suite, arguments): one line on \
             standard error names the file, the line or key, and what was expected.",
        ),
        ("130", "Ctrl-C stopped a run."),
    ] {
        roff.control("TP", [])
            .text([bold(code)])
            .text([roman(meaning)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in [
        (
            "NO_COLOR",
            "When set and not empty, no colour with --color auto (the default).",
        ),
        (
            "SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP, \
             SLURM_ARRAY_TASK_MAX, SLURM_ARRAY_TASK_COUNT",
            "simulate --partial without --shard runs shard (SLURM_ARRAY_TASK_ID - \
             SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP of SLURM_ARRAY_TASK_COUNT (a Slurm \
             job array submitted as --array=A-B[:S][%N]).",
        ),
        (
            "JOB_COMPLETION_INDEX",
            "The same for a Kubernetes Indexed Job, with --shard-count.",
        ),
        (
            "AWS_BATCH_JOB_ARRAY_INDEX, AWS_BATCH_JOB_ARRAY_SIZE",
            "The same for an AWS Batch array job.",
        ),
        (
            "SPOTSIM_SHARED_DATA",
            "The shared data folder (traces, price histories, Spot Advisor data) that market \
             models read by name; default ../shared/data.",
        ),
    ] {
        roff.control("TP", [])
            .text([bold(name)])
            .text([roman(meaning)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "spotsim-simulate(1), spotsim-plan(1) and the other pages printed by spotsim man \
         COMMAND; the README of the spotsim source for the scenario format.",
    )]);
    roff.to_roff()
}

pub(super) fn run(args: ManArgs) -> anyhow::Result<()> {
    super::print(page(args.command.as_deref())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_becomes_groff_unicode_escapes() {
        assert_eq!(ascii_roff("a ≥ b … c\n"), "a \\[u2265] b \\[u2026] c\n");
        assert_eq!(ascii_roff("×"), "\\[u00D7]");
    }

    #[test]
    fn every_page_is_ascii() {
        let mut cli = super::super::Cli::command();
        cli.build();
        let names: Vec<String> = cli
            .get_subcommands()
            .filter(|c| c.get_name() != "help")
            .map(|c| c.get_name().to_string())
            .collect();
        assert!(page(None).unwrap().is_ascii());
        for name in names {
            assert!(page(Some(&name)).unwrap().is_ascii(), "{name}");
        }
    }
}
