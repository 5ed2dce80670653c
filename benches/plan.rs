//! Planner time, the embedded default scenario, without the lever advice or the chart detail
//! run:
//! - the 100-point MaxWait curve at 10^5 trials per point (the same trials at every point),
//!   all cores (`--objective max-wait`);
//! - the full plan `spotsim plan --trials 100000` makes: every purchase option over the
//!   default grid at 10^5 trials per point, on two threads (managed spot and spot-then-on-demand
//!   read off one spot run per trial, only the on-demand fallback job run per switch time where
//!   MaxWait stops the spot job; on-demand run once) — the goal is under 0.05 s.
//!
//! `cargo bench --bench plan` prints criterion's figures and then the seconds per plan.

#[path = "common/mod.rs"]
mod common;

use criterion::Criterion;
use spotsim::Scenario;
use spotsim::plan::{GridSpec, Objective, PlanOptions, plan};
use std::hint::black_box;

const TRIALS: u64 = 100_000;
const POINTS: usize = 100;

fn benches(c: &mut Criterion) {
    let scenario = Scenario::embedded_default();
    let mut options = PlanOptions::from_scenario(&scenario);
    options.trials = TRIALS;
    options.grid = GridSpec {
        points: Some(POINTS),
        ..GridSpec::default()
    };
    options.advise = false;
    options.detail = false;
    options.objective = Objective::MaxWait;
    let mut full = PlanOptions::from_scenario(&scenario);
    full.trials = TRIALS;
    full.advise = false;
    full.detail = false;
    full.threads = Some(2);
    let mut group = c.benchmark_group("plan_default");
    group.sample_size(10);
    group.bench_function("max_wait_curve_100_points_1e5_trials", |b| {
        b.iter(|| black_box(plan(&scenario, &options, None).expect("the default plans")))
    });
    group.bench_function("all_options_default_grid_1e5_trials_two_threads", |b| {
        b.iter(|| black_box(plan(&scenario, &full, None).expect("the default plans")))
    });
    group.finish();
}

/// Mean time per iteration of a finished benchmark of this group, from criterion's estimates.
fn mean_nanoseconds(bench: &str) -> Option<f64> {
    common::mean_nanoseconds("plan_default", bench)
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    if let Some(ns) = mean_nanoseconds("max_wait_curve_100_points_1e5_trials") {
        println!(
            "planner, default scenario, {POINTS}-point MaxWait curve at {TRIALS} trials: {:.3} s per plan ({} threads)",
            ns * 1e-9,
            rayon::current_num_threads()
        );
    }
    if let Some(ns) = mean_nanoseconds("all_options_default_grid_1e5_trials_two_threads") {
        println!(
            "planner, default scenario, every purchase option over the default grid at {TRIALS} trials per point: {:.3} s per plan (2 threads; goal < 0.05 s)",
            ns * 1e-9
        );
    }
}
