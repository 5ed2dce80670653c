//! Tick-clock replay throughput on the Can't Be Late V100 set-up (us-west-2a, random windows
//! of 59.91 h with C = 39.94 h): windows per second for Uniform Progress (a decision per trace
//! row) and for the omniscient bound (exact dynamic programming over the window).
//!
//! `cargo bench --bench tick` prints criterion's figures and then the windows/s of both.

#[path = "common/mod.rs"]
mod common;

use criterion::{Criterion, Throughput};
use spotsim::montecarlo::run_range;
use spotsim::{Engine, Scenario};
use std::hint::black_box;
use std::path::Path;

const UNIFORM_PROGRESS_WINDOWS: u64 = 200;
const OMNISCIENT_WINDOWS: u64 = 10;

fn v100_engine(policy: &str) -> Engine {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tick-v100-us-west-2a.toml");
    let text = std::fs::read_to_string(&path).expect("the V100 scenario is shipped");
    let text = text.replace(
        "name = \"uniform-progress\"",
        &format!("name = \"{policy}\""),
    );
    let base = path.parent().expect("scenarios/");
    let scenario = Scenario::from_toml_in(&text, "tick-v100-us-west-2a.toml", policy, base)
        .unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&scenario)
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("tick_v100_us_west_2a");
    group.sample_size(10);
    let uniform = v100_engine("uniform-progress");
    group.throughput(Throughput::Elements(UNIFORM_PROGRESS_WINDOWS));
    group.bench_function("uniform_progress", |b| {
        b.iter(|| black_box(run_range(&uniform, 0, UNIFORM_PROGRESS_WINDOWS)))
    });
    let omniscient = v100_engine("omniscient");
    group.throughput(Throughput::Elements(OMNISCIENT_WINDOWS));
    group.bench_function("omniscient", |b| {
        b.iter(|| black_box(run_range(&omniscient, 0, OMNISCIENT_WINDOWS)))
    });
    group.finish();
}

/// Mean time per iteration of a finished benchmark of this group, from criterion's estimates.
fn mean_nanoseconds(bench: &str) -> Option<f64> {
    common::mean_nanoseconds("tick_v100_us_west_2a", bench)
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    if let (Some(uniform), Some(omniscient)) = (
        mean_nanoseconds("uniform_progress"),
        mean_nanoseconds("omniscient"),
    ) {
        let per_second = |ns: f64, windows: u64| windows as f64 / (ns * 1e-9);
        println!(
            "tick clock, V100 us-west-2a windows/s (one thread): uniform-progress {:.0}; omniscient {:.1}",
            per_second(uniform, UNIFORM_PROGRESS_WINDOWS),
            per_second(omniscient, OMNISCIENT_WINDOWS)
        );
    }
}
