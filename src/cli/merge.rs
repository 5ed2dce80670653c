//! `spotsim merge`: all partials of a sharded run → exactly the single-run summary.

use crate::files::output::ReportFolder;
use crate::montecarlo::{RunInfo, SimulationSummary, merge_partials, read_partial};
use crate::report::output::{ReportContext, simulation_files, write_simulation_report};
use crate::report::provenance::{Provenance, ScenarioIdentity};
use crate::report::{render_summary, write_summary_files};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial files of every shard (any order).
    #[arg(required = true)]
    pub partials: Vec<PathBuf>,
    /// `--format` and `--output DIR`.
    #[command(flatten)]
    pub report: super::args::ReportArgs,
}

pub(super) fn run(args: MergeArgs) -> anyhow::Result<()> {
    super::interrupt::flag();
    let started = Instant::now();
    let mut partials = Vec::with_capacity(args.partials.len());
    for path in &args.partials {
        // Thousands of partials take a while: a signal stops between two of them.
        super::interrupt::check()?;
        partials.push((path.display().to_string(), read_partial(path)?));
    }
    // Never overwrite an input: the partials must not be among the files about to be written.
    let report = args
        .report
        .output
        .as_deref()
        .map(|folder| ReportFolder::new(folder, simulation_files(), "--output"))
        .transpose()?;
    let merged = merge_partials(&partials)?;
    let run = RunInfo::measured(started, 1, merged.aggregate.trials);
    let mut summary = SimulationSummary::from_parts(
        &merged.scenario,
        merged.seed,
        merged.on_demand_cost_usd,
        &merged.aggregate,
        run,
    );
    summary.market = merged.market.clone();
    summary.checkpoint = merged.checkpoint.clone();
    summary.on_demand = merged.on_demand;
    // Partials name their scenario by hash only: the report states that and the run's
    // trials and seed; it has no assumptions in words, no resolved scenario and no sample
    // trials' timelines (the charts of distributions come from the merged sample).
    let context = ReportContext {
        provenance: Provenance::now(
            vec![ScenarioIdentity {
                name: merged.scenario.clone(),
                hash: partials
                    .first()
                    .map_or(String::new(), |(_, p)| p.scenario_hash.clone()),
                inputs: Vec::new(),
            }],
            merged.aggregate.trials,
            merged.seed,
        ),
        assumptions: Vec::new(),
    };
    // Whatever happens to the files, the summary is printed.
    let written = report.as_ref().map_or(Ok(()), |set| {
        super::write_report(set, |folder| {
            write_summary_files(&summary, folder)?;
            write_simulation_report(
                folder,
                &summary,
                &merged.aggregate,
                None,
                None,
                "",
                &context,
            )
        })
    });
    let printed = super::print(render_summary(&summary, args.report.format()));
    written.and(printed)
}
