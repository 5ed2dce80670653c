//! Engine throughput on the reference model against the lean hand-written loop.
//!
//! `cargo bench --bench engine` prints criterion's figures and then the ratio of spotsim's
//! throughput (engine + streaming summary) to the lean loop's on one thread and on two, all
//! measured in this run. On two threads the lean loop runs half the trials on each of two
//! scoped threads (each its own generator); spotsim runs `run_parallel` in a two-thread pool.

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
const TWO_THREADS_TRIALS: u64 = 262_144;

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
    group.throughput(Throughput::Elements(TWO_THREADS_TRIALS));
    group.bench_function("lean_loop_two_threads", |b| {
        b.iter(|| black_box(lean_two_threads(TWO_THREADS_TRIALS)))
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a two-thread pool");
    group.bench_function("spotsim_two_threads", |b| {
        b.iter(|| pool.install(|| black_box(run_parallel(&engine, TWO_THREADS_TRIALS, None))))
    });
    group.finish();
}

/// The lean loop on two threads, half of `trials` each (distinct seeds).
fn lean_two_threads(trials: u64) -> (u64, f64, f64) {
    std::thread::scope(|scope| {
        let halves = [7, 8].map(|seed| scope.spawn(move || lean::run(trials / 2, seed)));
        halves
            .map(|half| half.join().expect("lean loop thread"))
            .into_iter()
            .fold((0, 0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
    })
}

/// Mean time per iteration of a finished benchmark of this group, from criterion's estimates.
fn mean_nanoseconds(bench: &str) -> Option<f64> {
    common::mean_nanoseconds("reference_model", bench)
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    let measured = [
        "lean_loop",
        "spotsim_one_thread",
        "lean_loop_two_threads",
        "spotsim_two_threads",
    ]
    .map(mean_nanoseconds);
    if let [Some(lean), Some(one), Some(lean_two), Some(two)] = measured {
        let per_second = |ns: f64, trials: u64| trials as f64 / (ns * 1e-9);
        let lean_rate = per_second(lean, TRIALS);
        let one_rate = per_second(one, TRIALS);
        let lean_two_rate = per_second(lean_two, TWO_THREADS_TRIALS);
        let two_rate = per_second(two, TWO_THREADS_TRIALS);
        println!(
            "reference model, trials/s: 1 thread: lean loop {lean_rate:.0}, spotsim {one_rate:.0}; 2 threads: lean loop {lean_two_rate:.0}, spotsim {two_rate:.0}"
        );
        println!("ratio spotsim/lean (1 thread): {:.3}", one_rate / lean_rate);
        println!(
            "ratio spotsim/lean (2 threads): {:.3}",
            two_rate / lean_two_rate
        );
    }
}
