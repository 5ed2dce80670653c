//! `spotsim bench`: the policy regression suite.

use crate::bench::compare::{check_compatible, compare, read_baseline};
use crate::bench::render;
use crate::bench::{Comparison, Suite, SuiteResults, Verdict, run_suite};
use crate::report::{Format, json, write_atomic};
use anyhow::Context;
use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Suite manifest (TOML): scenarios × policies (× variants), trials and seed.
    pub suite: PathBuf,
    /// Compare with this saved result; exit 1 when a metric regressed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Save the results as a baseline (versioned JSON) to FILE.
    #[arg(long, value_name = "FILE")]
    pub save_baseline: Option<PathBuf>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long, allow_hyphen_values = true, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write results.{json,csv,md} (and comparison.{json,csv,md}) into this folder.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// No timing line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// A job for every scenario of the suite (values a scenario's [job] also gives must agree).
    #[command(flatten)]
    pub job: super::input::JobInput,
}

#[derive(Serialize)]
struct WithComparison<'a> {
    results: &'a SuiteResults,
    comparison: &'a Comparison,
}

fn render_text(results: &SuiteResults, comparison: Option<&Comparison>, format: Format) -> String {
    match (format, comparison) {
        (Format::Table, None) => render::results_table(results),
        (Format::Table, Some(c)) => format!(
            "{}\n{}",
            render::results_table(results),
            render::comparison_table(c)
        ),
        (Format::Markdown, None) => render::results_markdown(results),
        (Format::Markdown, Some(c)) => format!(
            "{}\n{}",
            render::results_markdown(results),
            render::comparison_markdown(c)
        ),
        (Format::Csv, None) => render::results_csv(results),
        (Format::Csv, Some(c)) => render::comparison_csv(c),
        (Format::Json, None) => json(results),
        (Format::Json, Some(c)) => json(&WithComparison {
            results,
            comparison: c,
        }),
    }
}

fn write_files(
    folder: &Path,
    results: &SuiteResults,
    comparison: Option<&Comparison>,
) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    write_atomic(&folder.join("results.json"), json(results).as_bytes())?;
    write_atomic(
        &folder.join("results.csv"),
        render::results_csv(results).as_bytes(),
    )?;
    write_atomic(
        &folder.join("results.md"),
        render::results_markdown(results).as_bytes(),
    )?;
    if let Some(c) = comparison {
        write_atomic(&folder.join("comparison.json"), json(c).as_bytes())?;
        write_atomic(
            &folder.join("comparison.csv"),
            render::comparison_csv(c).as_bytes(),
        )?;
        write_atomic(
            &folder.join("comparison.md"),
            render::comparison_markdown(c).as_bytes(),
        )?;
    }
    Ok(())
}

pub(super) fn run(args: BenchArgs) -> anyhow::Result<()> {
    let job = args.job.read()?;
    let suite = Suite::load_with_job(&args.suite, job.as_ref())?;
    for warning in &suite.warnings {
        eprintln!("warning: {warning}");
    }
    // Check the baseline before any trial runs: a malformed or mismatched one is exit 2.
    let baseline = match &args.baseline {
        Some(path) => {
            let baseline = read_baseline(path)?;
            let cells: Vec<(String, u64, u64)> = suite
                .cells
                .iter()
                .map(|c| (c.id.clone(), c.trials, c.seed))
                .collect();
            check_compatible(&path.display().to_string(), &baseline, &cells)?;
            Some((path.display().to_string(), baseline))
        }
        None => None,
    };

    let started = Instant::now();
    let results = run_suite(&suite, args.threads.map(usize::from));
    if !args.quiet {
        let trials: u64 = results.cells.iter().map(|c| c.trials).sum();
        eprintln!(
            "{}: {} cells, {} trials in {:.2} s",
            suite.name,
            results.cells.len(),
            trials,
            started.elapsed().as_secs_f64()
        );
    }

    if let Some(path) = &args.save_baseline {
        write_atomic(path, json(&results).as_bytes())
            .with_context(|| format!("could not write the baseline '{}'", path.display()))?;
    }
    let comparison = baseline
        .as_ref()
        .map(|(file, baseline)| compare(file, baseline, &results, &suite.thresholds));
    if let Some(folder) = &args.output {
        write_files(folder, &results, comparison.as_ref())
            .with_context(|| format!("could not write the results into '{}'", folder.display()))?;
    }
    let text = render_text(&results, comparison.as_ref(), args.format);
    std::io::stdout().write_all(text.as_bytes())?;

    if let Some(comparison) = &comparison {
        let regressions: Vec<String> = comparison
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::Regressed)
            .map(|r| format!("{} {}", r.cell, r.metric))
            .collect();
        if !regressions.is_empty() {
            anyhow::bail!(
                "{} regression{} against {}: {}",
                regressions.len(),
                if regressions.len() == 1 { "" } else { "s" },
                comparison.baseline_file,
                regressions.join(", ")
            );
        }
    }
    Ok(())
}
