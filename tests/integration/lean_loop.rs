//! The lean hand-written loop of the throughput benchmark and spotsim's engine model the same
//! job: they must agree on P(Completed) and the mean wall clock within their standard errors.

#[path = "../../benches/lean/mod.rs"]
mod lean;

use crate::common::load;
use spotsim::Engine;
use spotsim::montecarlo::run_parallel;

#[test]
fn lean_loop_and_engine_agree_on_the_reference_model() {
    let n = 200_000u64;
    let (completed, sum, sum_sq) = lean::run(n, 99);
    let lean_p = completed as f64 / n as f64;
    let lean_mean = sum / n as f64;
    let lean_var = (sum_sq / n as f64 - lean_mean * lean_mean) * n as f64 / (n - 1) as f64;

    let engine = Engine::new(&load("reference-model.toml"));
    let aggregate = run_parallel(&engine, n, None);
    let p = aggregate.outcome_counts[0] as f64 / n as f64;
    let wall = aggregate.wall_clock_seconds.summary();

    eprintln!(
        "lean loop: P(Completed) {lean_p:.5}, mean wall clock {lean_mean:.1} s; spotsim: {p:.5}, {:.1} ± {:.1} s",
        wall.mean, wall.stderr
    );
    // Two independent estimates: the difference has variance var1/n1 + var2/n2.
    let p_pooled = (lean_p + p) / 2.0;
    let se_p = (p_pooled * (1.0 - p_pooled) * 2.0 / n as f64).sqrt();
    assert!(
        (lean_p - p).abs() < 4.0 * se_p,
        "P(Completed): lean {lean_p}, spotsim {p}, se {se_p}"
    );
    let se_mean = (lean_var / n as f64 + wall.stderr * wall.stderr).sqrt();
    assert!(
        (lean_mean - wall.mean).abs() < 4.0 * se_mean,
        "mean wall clock: lean {lean_mean}, spotsim {}, se {se_mean}",
        wall.mean
    );
    // The model is not degenerate: both outcomes occur.
    assert!(p > 0.05 && p < 0.995, "P(Completed) = {p}");
}
