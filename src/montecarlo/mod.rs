//! Monte Carlo: many trials of one scenario, in parallel, deterministically.
//!
//! Trials are cut into fixed-size blocks; each block is run sequentially on one thread into an
//! [`Aggregate`], and blocks are merged. Trial k draws only from (seed, k), and merging is
//! exact, so the summary is identical for any `--threads`.

mod aggregate;
mod summary;

pub use aggregate::Aggregate;
pub use summary::{OutcomeSummary, RunInfo, SimulationSummary};

use crate::engine::Engine;
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::time::Instant;

/// Trials per block: the unit of parallel work.
pub const BLOCK_TRIALS: u64 = 4096;

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Number of trials.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Worker threads (`None` = all cores).
    pub threads: Option<usize>,
}

impl RunOptions {
    /// The scenario's own trials and seed, all cores.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        Self {
            trials: scenario.simulation.trials,
            seed: scenario.simulation.seed,
            threads: None,
        }
    }
}

/// Runs trials `[first, end)` sequentially into one aggregate.
pub fn run_range(engine: &Engine, first: u64, end: u64) -> Aggregate {
    let mut aggregate = Aggregate::default();
    for trial in first..end {
        aggregate.add(&engine.run(trial));
    }
    aggregate
}

/// Runs `trials` trials of `engine` on `threads` threads.
pub fn run_parallel(engine: &Engine, trials: u64, threads: Option<usize>) -> Aggregate {
    let blocks = trials.div_ceil(BLOCK_TRIALS);
    let work = || {
        (0..blocks)
            .into_par_iter()
            .map(|block| {
                let first = block * BLOCK_TRIALS;
                run_range(engine, first, (first + BLOCK_TRIALS).min(trials))
            })
            .reduce(Aggregate::default, |mut a, b| {
                a += &b;
                a
            })
    };
    match threads {
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        },
        None => work(),
    }
}

/// Simulates a scenario and summarises it.
pub fn simulate(scenario: &Scenario, options: &RunOptions) -> SimulationSummary {
    let started = Instant::now();
    let engine = Engine::new(scenario).with_seed(options.seed);
    let aggregate = run_parallel(&engine, options.trials, options.threads);
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    SimulationSummary::new(
        scenario,
        &engine,
        options.seed,
        &aggregate,
        RunInfo::measured(started, threads, options.trials),
    )
}
