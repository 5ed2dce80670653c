//! `spotsim compare SCENARIO…`: the same job under several scenarios, side by side on common
//! random numbers (one seed for all), with each scenario's recommended MaxWait.

use crate::engine::{Engine, Simulator};
use crate::files::output::ReportFolder;
use crate::montecarlo::{Observers, RunInfo, SimulationSummary, execute, with_threads};
use crate::plan::options::Objective;
use crate::plan::{PlanError, PlanOptions, plan};
use crate::report::compare::{ComparedScenario, Comparison, compare_files, write_compare_files};
use crate::report::output::ReportContext;
use crate::report::provenance::{Provenance, ScenarioIdentity};
use clap::Args;
use std::time::Instant;

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more scenario files: the same job on different instance types, zones, markets
    /// or policies.
    #[arg(required = true, num_args = 2.., value_name = "SCENARIO")]
    pub scenarios: Vec<String>,
    /// Trials, seed and threads, the same for every scenario (default: the first scenario's
    /// `[simulation] trials` and `seed`).
    #[command(flatten)]
    pub run: super::args::RunArgs,
    /// The deadline counted in every scenario's summary (overrides their `[job] deadline`).
    #[command(flatten)]
    pub deadline: super::args::DeadlineArgs,
    /// `--format` and `--output DIR`.
    #[command(flatten)]
    pub report: super::args::ReportArgs,
}

pub(super) fn run(args: CompareArgs) -> anyhow::Result<()> {
    let cancel = super::interrupt::flag();
    let scenarios = args
        .scenarios
        .iter()
        .map(|path| {
            super::input::ScenarioInput {
                scenario: Some(path.clone()),
                ..Default::default()
            }
            .load()
            .and_then(|mut scenario| {
                args.deadline.apply(&mut scenario)?;
                Ok(scenario)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let first = &scenarios[0];
    let trials = args.run.trials.unwrap_or(first.simulation.trials);
    let seed = args.run.seed.unwrap_or(first.simulation.seed);
    if args.run.trials.is_none() || args.run.seed.is_none() {
        eprintln!(
            "spotsim: comparing on {trials} trials and seed {seed} for every scenario (the first scenario's; --trials and --seed set them)"
        );
    }
    let threads = args.run.threads.map(usize::from);
    let report = args
        .report
        .output
        .as_deref()
        .map(|folder| ReportFolder::new(folder, compare_files(), "--output"))
        .transpose()?;
    let mut compared = Vec::with_capacity(scenarios.len());
    let target = crate::plan::DEFAULT_TARGET;
    for scenario in &scenarios {
        super::interrupt::check()?;
        let started = Instant::now();
        let engine = Engine::new(scenario).with_seed(seed);
        let aggregate = with_threads(threads, || {
            execute(&engine, 0..trials, None, &mut Observers::default())
        })?
        .aggregate;
        let used = threads.unwrap_or_else(rayon::current_num_threads);
        let summary = SimulationSummary::new(
            scenario,
            &engine,
            seed,
            &aggregate,
            RunInfo::measured(started, used, aggregate.trials),
        );
        let mut options = PlanOptions::from_scenario(scenario);
        options.trials = trials;
        options.seed = seed;
        options.threads = threads;
        options.target = target;
        // The column is the smallest MaxWait of each scenario's own policy that meets the
        // target (the same for every scenario, whatever it costs).
        options.objective = Objective::MaxWait;
        options.cancel = crate::montecarlo::Cancel::when(cancel);
        let (recommended, curve, why) = match plan(scenario, &options, None) {
            Ok(planned) => {
                let curve = planned
                    .points
                    .iter()
                    .map(|p| (p.max_wait_seconds / 3600.0, p.completed.probability))
                    .collect();
                let why = planned
                    .recommendation
                    .is_none()
                    .then(|| format!("no MaxWait on the plan's grid reaches the target {target}"));
                (
                    planned
                        .recommendation
                        .map(|r| r.max_wait_seconds.round() as u64),
                    curve,
                    why,
                )
            }
            Err(PlanError::Cancelled) => {
                super::interrupt::check()?;
                anyhow::bail!("cancelled")
            }
            Err(e) => (None, Vec::new(), Some(e.to_string())),
        };
        compared.push(ComparedScenario {
            cost_per_completed_job_usd: summary.cost_per_completed_job_usd(),
            summary,
            recommended_max_wait_seconds: recommended,
            no_recommendation: why,
            completion_curve: curve,
            aggregate,
        });
    }
    let comparison = Comparison {
        trials,
        seed,
        target,
        scenarios: compared,
    };
    let written = report.as_ref().map_or(Ok(()), |set| {
        let context = ReportContext {
            provenance: Provenance::now(
                scenarios.iter().map(ScenarioIdentity::of).collect(),
                trials,
                seed,
            ),
            assumptions: scenarios
                .iter()
                .flat_map(|s| {
                    crate::report::provenance::assumptions(s)
                        .into_iter()
                        .map(move |line| format!("{}: {line}", s.name))
                })
                .collect(),
        };
        super::write_report(set, |folder| {
            write_compare_files(&comparison, folder, &context)
        })
    });
    let text = crate::report::export::exporter(args.report.format()).comparison(&comparison);
    let printed = super::print(text);
    written.and(printed)
}
