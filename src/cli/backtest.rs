//! `spotsim backtest`: where each real job fell in the distribution spotsim simulates for it,
//! and how often the bands held. Method in [`crate::backtest`].

use super::calibrate::nothing_usable;
use crate::backtest::{Backtest, Base, METRICS, backtest};
use crate::engine::Outcome;
use crate::error::InputError;
use crate::sagemaker::history::read_history;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Output formats of `backtest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BacktestFormat {
    /// A summary for people.
    Table,
    /// Every number, machine-readable.
    Json,
}

/// Arguments of `backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// DescribeTrainingJob documents of past jobs (files with one JSON object, a JSON array or
    /// JSON lines; `-` = standard input).
    #[arg(required = true, value_name = "JOBS")]
    pub jobs: Vec<PathBuf>,
    /// The scenario (workload, checkpoints, market, prices) the jobs are tested against.
    #[arg(long, value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Simulated trials per job configuration (default: the scenario's [simulation] trials);
    /// 1_000_000 and 1e6 work too.
    #[arg(long, value_parser = super::input::parse_trials)]
    pub trials: Option<u64>,
    /// Seed of the simulated trials (default: the scenario's [simulation] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The central band whose coverage is checked.
    #[arg(long, default_value_t = 0.9, value_name = "B")]
    pub band: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BacktestFormat::Table)]
    pub format: BacktestFormat,
}

/// Jobs outside a band listed in the table (all of them are in the JSON).
const MAX_LISTED: usize = 50;

/// Metric labels for people, in [`METRICS`] order.
const LABELS: [&str; 3] = ["wall clock", "TrainingTime", "BillableTime"];

pub(super) fn run(args: BacktestArgs) -> anyhow::Result<()> {
    if !(args.band > 0.0 && args.band < 1.0) {
        return Err(InputError::new(
            "command line",
            format!(
                "expected a band between 0 and 1 (e.g. 0.9), got {}",
                args.band
            ),
        )
        .at_key("--band")
        .into());
    }
    let base = Base::load(&args.scenario)?;
    let scenario = crate::scenario::Scenario::load(&args.scenario)?;
    let trials = args.trials.unwrap_or(scenario.simulation.trials);
    let seed = args.seed.unwrap_or(scenario.simulation.seed);
    let history = read_history(&args.jobs)?;
    let result = backtest(&base, &history.jobs, trials, seed, args.band)?;
    for warning in &result.warnings {
        eprintln!("warning: {warning}");
    }
    for (name, at) in &history.duplicates {
        eprintln!(
            "backtest: job \"{name}\" is given again at {at} with the same document: counted once"
        );
    }
    if result.jobs.is_empty() {
        let error = nothing_usable(
            &args.jobs,
            history.jobs.len(),
            &result.skipped,
            "back-tested",
        );
        return Err(error.into());
    }
    let text = match args.format {
        BacktestFormat::Table => table(&result, &base.file),
        BacktestFormat::Json => crate::report::json(&JsonReport::new(&result, &base.file)),
    };
    super::stdout::print(text)
}

fn percent(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn table(r: &Backtest, scenario: &str) -> String {
    let n = r.jobs.len();
    let mut out = format!(
        "spotsim backtest: {n} jobs against {scenario} ({} trials per job configuration, {} configuration(s), seed {})\n",
        r.trials, r.configurations, r.seed
    );
    let _ = writeln!(
        out,
        "  each job simulated with its own instance type and count, MaxRuntime, MaxWait, checkpoint S3 URI and retry strategy; workload, checkpoints, market and prices from the scenario"
    );
    let _ = writeln!(
        out,
        "  a job's position is its percentile among the simulated trials (a value shared by many trials counts with the share of that step inside the band)"
    );
    let _ = writeln!(out);
    for (m, label) in LABELS.iter().enumerate() {
        let c = r.coverage(m);
        let _ = writeln!(
            out,
            "{label}: {} of your {n} jobs fell inside the central {} band (expected {} ± {} at one standard error); {} not wholly inside",
            percent(c.inside),
            percent(r.band),
            percent(c.expected),
            percent(c.se),
            c.outside
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<22} {:>7} {:>18}",
        "outcome", "actual", "expected ± se"
    );
    for (outcome, check) in Outcome::ALL.iter().zip(r.outcomes()) {
        let _ = writeln!(
            out,
            "{:<22} {:>7} {:>18}",
            outcome.as_str(),
            check.actual,
            format!("{:.1} ± {:.1}", check.expected, check.se)
        );
    }
    let savings = r.savings();
    let show = |x: Option<f64>| x.map_or("n/a".into(), |s| format!("{s:.1} %"));
    let _ = writeln!(
        out,
        "\nSavings as the SDK prints them (1 − Σ billable × instances ÷ Σ training × instances): predicted {}, actual {}",
        show(savings.predicted_percent),
        show(savings.actual_percent)
    );
    let outside: Vec<_> = r
        .jobs
        .iter()
        .filter(|j| j.positions.iter().any(|p| p.inside < 1.0))
        .collect();
    if !outside.is_empty() {
        let _ = writeln!(
            out,
            "\nJobs outside a band (percentile of the actual value; p = simulated probability of its outcome):"
        );
        let shown = outside.len().min(MAX_LISTED);
        for j in &outside[..shown] {
            let positions: Vec<String> = LABELS
                .iter()
                .zip(&j.positions)
                .map(|(label, p)| {
                    let range = if p.at_or_below > p.below {
                        format!("{:.1}–{:.1}", 100.0 * p.below, 100.0 * p.at_or_below)
                    } else {
                        format!("{:.1}", 100.0 * p.below)
                    };
                    let mark = if p.inside < 1.0 { "*" } else { "" };
                    format!("{label} {range}{mark}")
                })
                .collect();
            let _ = writeln!(
                out,
                "  {}:{} (job \"{}\"): {} (p {:.3}); {}",
                j.file,
                j.line,
                j.job,
                j.outcome,
                j.p_outcome(),
                positions.join(", ")
            );
        }
        if outside.len() > shown {
            let _ = writeln!(
                out,
                "  … and {} more (every job is in --format json)",
                outside.len() - shown
            );
        }
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(out, "\nNot used ({}):", r.skipped.len());
        for s in &r.skipped {
            let _ = writeln!(
                out,
                "  {}:{} (job \"{}\"): {}",
                s.file, s.line, s.job, s.reason
            );
        }
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    scenario: &'a str,
    trials: u64,
    seed: u64,
    band: f64,
    configurations: usize,
    jobs: Counts,
    coverage: std::collections::BTreeMap<&'static str, crate::backtest::Coverage>,
    outcomes: std::collections::BTreeMap<&'static str, crate::backtest::OutcomeCheck>,
    savings_percent: crate::backtest::Savings,
    per_job: Vec<JobJson<'a>>,
    not_used: &'a [crate::sagemaker::history::LeftOut],
}

#[derive(Serialize)]
struct Counts {
    used: usize,
    not_used: usize,
}

#[derive(Serialize)]
struct JobJson<'a> {
    file: &'a str,
    line: usize,
    job: &'a str,
    outcome: &'static str,
    p_outcome: f64,
    wall_clock_seconds: crate::backtest::Position,
    training_time_seconds: crate::backtest::Position,
    billable_time_seconds: crate::backtest::Position,
    predicted_training_seconds: f64,
    predicted_billable_seconds: f64,
}

impl<'a> JsonReport<'a> {
    fn new(r: &'a Backtest, scenario: &'a str) -> Self {
        Self {
            scenario,
            trials: r.trials,
            seed: r.seed,
            band: r.band,
            configurations: r.configurations,
            jobs: Counts {
                used: r.jobs.len(),
                not_used: r.skipped.len(),
            },
            coverage: METRICS
                .iter()
                .enumerate()
                .map(|(m, name)| (*name, r.coverage(m)))
                .collect(),
            outcomes: Outcome::ALL
                .iter()
                .zip(r.outcomes())
                .map(|(o, c)| (o.as_str(), c))
                .collect(),
            savings_percent: r.savings(),
            per_job: r
                .jobs
                .iter()
                .map(|j| JobJson {
                    file: &j.file,
                    line: j.line,
                    job: &j.job,
                    outcome: j.outcome,
                    p_outcome: j.p_outcome(),
                    wall_clock_seconds: j.positions[0],
                    training_time_seconds: j.positions[1],
                    billable_time_seconds: j.positions[2],
                    predicted_training_seconds: j.predicted_training_seconds,
                    predicted_billable_seconds: j.predicted_billable_seconds,
                })
                .collect(),
            not_used: &r.skipped,
        }
    }
}
