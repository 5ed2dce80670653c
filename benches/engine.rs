//! Engine throughput on the reference model against the lean hand-written loop.
//!
//! `cargo bench --bench engine` prints criterion's figures and then the ratio of spotsim's
//! throughput (engine + streaming summary, one thread) to the lean loop's, both measured in
//! this run.

#[path = "common/mod.rs"]
mod common;

use criterion::{Criterion, Throughput};
use spotsim::montecarlo::{run_parallel, run_range};
use spotsim::{Engine, Scenario, Simulator};
use std::hint::black_box;
use std::path::Path;

#[path = "lean/mod.rs"]
mod lean;

const TRIALS: u64 = 20_000;
const ALL_THREADS_TRIALS: u64 = 262_144;

fn reference_engine() -> Engine {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reference-model.toml");
    Engine::new(&Scenario::load(&path).expect("reference model is valid"))
}

fn benches(c: &mut Criterion) {
    let engine = reference_engine();
    let mut group = c.benchmark_group("reference_model");
    group.throughput(Throughput::Elements(TRIALS));
    group.sample_size(30);
    group.bench_function("lean_loop", |b| b.iter(|| black_box(lean::run(TRIALS, 7))));
    group.bench_function("spotsim_one_thread", |b| {
        b.iter(|| black_box(run_range(&engine, 0, TRIALS)))
    });
    group.bench_function("spotsim_engine_only", |b| {
        b.iter(|| {
            black_box(
                (0..TRIALS)
                    .map(|k| engine.run(k).wall_clock_seconds)
                    .sum::<f64>(),
            )
        })
    });
    group.bench_function("spotsim_all_threads", |b| {
        b.iter(|| black_box(run_parallel(&engine, ALL_THREADS_TRIALS, None)))
    });
    group.finish();
}

/// Mean time per iteration of a finished benchmark of this group, from criterion's estimates.
fn mean_nanoseconds(bench: &str) -> Option<f64> {
    common::mean_nanoseconds("reference_model", bench)
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    if let (Some(lean), Some(one), Some(all)) = (
        mean_nanoseconds("lean_loop"),
        mean_nanoseconds("spotsim_one_thread"),
        mean_nanoseconds("spotsim_all_threads"),
    ) {
        let per_second = |ns: f64, trials: u64| trials as f64 / (ns * 1e-9);
        let lean_rate = per_second(lean, TRIALS);
        let one_rate = per_second(one, TRIALS);
        println!(
            "reference model, trials/s: lean loop {lean_rate:.0}; spotsim 1 thread {one_rate:.0}; spotsim all threads {:.0}",
            per_second(all, ALL_THREADS_TRIALS)
        );
        println!("ratio spotsim/lean (1 thread): {:.3}", one_rate / lean_rate);
    }
}
