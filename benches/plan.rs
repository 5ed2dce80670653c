//! Planner time: the 100-point MaxWait curve of the embedded default scenario at 10^5 trials
//! per point (the same trials at every point), all cores, without the lever advice or the
//! chart detail run.
//!
//! `cargo bench --bench plan` prints criterion's figures and then the seconds per plan.

#[path = "common/mod.rs"]
mod common;

use criterion::Criterion;
use spotsim::Scenario;
use spotsim::plan::{GridSpec, PlanOptions, plan};
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
    let mut group = c.benchmark_group("plan_default");
    group.sample_size(10);
    group.bench_function("max_wait_curve_100_points_1e5_trials", |b| {
        b.iter(|| black_box(plan(&scenario, &options, None).expect("the default plans")))
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
}
