//! `spotsim bench`: the policy regression suite.

use super::color::{Paint, Stream, paint_lines};
use crate::bench::compare::{check_compatible, compare, read_baseline};
use crate::bench::{Comparison, Suite, SuiteResults, Verdict, run_suite_until};
use crate::files::output::{OutputFile, ReportFolder, write_new};
use crate::report::bench as render;
use crate::report::{Format, json};
use clap::Args;
use serde::Serialize;
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
    #[command(flatten)]
    pub format: super::args::FormatArgs,
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

/// The files `--output` may write: results, and the comparison when there is a baseline.
const RESULT_FILES: [&str; 6] = [
    "results.json",
    "results.csv",
    "results.md",
    "comparison.json",
    "comparison.csv",
    "comparison.md",
];

/// Writes the results (and comparison) into `folder`, the set's staging folder.
fn write_files(
    folder: &Path,
    results: &SuiteResults,
    comparison: Option<&Comparison>,
) -> std::io::Result<()> {
    let [
        results_json,
        results_csv,
        results_md,
        comparison_json,
        comparison_csv,
        comparison_md,
    ] = RESULT_FILES;
    write_new(&folder.join(results_json), json(results).as_bytes())?;
    write_new(
        &folder.join(results_csv),
        render::results_csv(results).as_bytes(),
    )?;
    write_new(
        &folder.join(results_md),
        render::results_markdown(results).as_bytes(),
    )?;
    if let Some(c) = comparison {
        write_new(&folder.join(comparison_json), json(c).as_bytes())?;
        write_new(
            &folder.join(comparison_csv),
            render::comparison_csv(c).as_bytes(),
        )?;
        write_new(
            &folder.join(comparison_md),
            render::comparison_markdown(c).as_bytes(),
        )?;
    }
    Ok(())
}

pub(super) fn run(args: BenchArgs) -> anyhow::Result<()> {
    let cancel = super::interrupt::flag();
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
    // So are outputs that would overwrite an input (the suite, its scenarios, the baseline).
    let save = args
        .save_baseline
        .as_deref()
        .map(|path| OutputFile::new(path, "--save-baseline"))
        .transpose()?;
    let report = args
        .output
        .as_deref()
        .map(|folder| ReportFolder::new(folder, RESULT_FILES.map(String::from), "--output"))
        .transpose()?;

    let started = Instant::now();
    let results = run_suite_until(&suite, args.threads.map(usize::from), cancel)
        .ok_or_else(super::interrupt::stopped)?;
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

    let comparison = baseline
        .as_ref()
        .map(|(file, baseline)| compare(file, baseline, &results, &suite.thresholds));
    // Whatever happens to the files, the results are printed.
    let saved = save.as_ref().map_or(Ok(()), |output| {
        super::write_file(output, "the baseline", json(&results).as_bytes())
    });
    let written = report.as_ref().map_or(Ok(()), |set| {
        super::write_report(set, |folder| {
            write_files(folder, &results, comparison.as_ref())
        })
    });
    let text = render_text(&results, comparison.as_ref(), args.format.format());
    // Regressed rows of the comparison table in red on a terminal (see `color`).
    let text = match args.format.format() {
        Format::Table => paint_lines(Stream::Stdout, Paint::Bad, &text, |line| {
            line.trim_end().ends_with(Verdict::Regressed.as_str())
        }),
        _ => text.into(),
    };
    let printed = super::print(text.as_bytes());
    saved.and(written).and(printed)?;

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
