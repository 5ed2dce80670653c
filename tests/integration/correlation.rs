//! Correlated gangs (`[market] correlation = ρ`): a share ρ of each instance's hazard strikes
//! the whole gang at once.
//!
//! The gang lasts until the first of the common shock (cumulative hazard ρ·H) and N individual
//! losses (each (1 − ρ)·H). The tests compare the gang's uptimes with that product of
//! survivals, `S(t) = e^{−ρH(t)}·(e^{−(1−ρ)H(t)})^N`, written out here rather than through the
//! model's effective gang size; ρ = 0 must leave every result bit-identical and ρ = 1 must be
//! one shared lifetime, trial for trial.
//!
//! ρ from a pool's losses ([`spotsim::fit::correlation`]) is checked on pools drawn from the
//! exact common-shock model (ρ recovered within 3 standard errors, the standard error equal to
//! the spread of repeated estimates) and read from the shared 32-instance pool trace.

use crate::common::parse;
use crate::markets::{
    WEIBULL_GPU, assert_ks, assert_moments, assert_rejected, exponential_raw, market,
    scenario_text, uptimes, weibull_raw,
};
use spotsim::Engine;
use spotsim::fit::correlation::{PoolLoss, gang_correlation, pool_losses};
use spotsim::market::trace_data::TraceData;
use spotsim::random::{Stream, stream_rng, unit_open_closed};

const HOUR: f64 = 3600.0;

/// Survival of a gang of `n` under the common-shock split of the cumulative hazard `h`.
fn common_shock_survival(h: f64, rho: f64, n: u32) -> f64 {
    (-rho * h).exp() * (-(1.0 - rho) * h).exp().powi(n as i32)
}

#[test]
fn weibull_gang_survives_the_common_shock_and_every_individual_loss() {
    let (shape, scale, n, rho) = (0.62, 1.4 * HOUR, 8, 0.4);
    let model = market(&format!("{WEIBULL_GPU}correlation = {rho}\n"), n);
    let samples = uptimes(model.as_ref(), 200_000, 21);
    assert_ks("weibull gang of 8, ρ = 0.4", &samples, |t| {
        1.0 - common_shock_survival((t / scale).powf(shape), rho, n)
    });
    // N_eff = 8 − 7·0.4 = 5.2 instances' worth of hazard: Weibull(k, λ·5.2^(−1/k)).
    let gang_scale = scale * 5.2f64.powf(-1.0 / shape);
    assert_moments(
        "weibull gang of 8, ρ = 0.4",
        &samples,
        weibull_raw(shape, gang_scale),
    );
    let reported = model.mean_uptime_seconds().expect("defined");
    let mean = weibull_raw(shape, gang_scale)[0];
    assert!(
        (reported / mean - 1.0).abs() < 1e-12,
        "{reported} vs {mean}"
    );
}

#[test]
fn exponential_gang_survives_the_common_shock_and_every_individual_loss() {
    let (mean, n, rho) = (6.0 * HOUR, 16, 0.7);
    let model = market(
        &format!("[market]\nmodel = \"exponential\"\nmean_uptime = \"6h\"\ncorrelation = {rho}\n"),
        n,
    );
    let samples = uptimes(model.as_ref(), 200_000, 22);
    assert_ks("exponential gang of 16, ρ = 0.7", &samples, |t| {
        1.0 - common_shock_survival(t / mean, rho, n)
    });
    // N_eff = 16 − 15·0.7 = 5.5: the gang lasts 6 h / 5.5 on average.
    assert_moments(
        "exponential gang of 16, ρ = 0.7",
        &samples,
        exponential_raw(mean / 5.5),
    );
}

#[test]
fn full_correlation_is_one_shared_lifetime_trial_for_trial() {
    for market_section in [
        format!("{WEIBULL_GPU}mean_capacity_wait = \"20m\"\n"),
        "[market]\nmodel = \"exponential\"\nmean_uptime = \"3h\"\nmean_capacity_wait = \"20m\"\n"
            .to_string(),
    ] {
        let one = Engine::new(&parse(&scenario_text(&market_section, 1)));
        let gang = Engine::new(&parse(&scenario_text(
            &format!("{market_section}correlation = 1\n"),
            8,
        )));
        for trial in 0..500 {
            let (a, b) = (one.run(trial), gang.run(trial));
            assert_eq!(a.interruptions, b.interruptions, "trial {trial}");
            assert_eq!(a.wall_clock_seconds, b.wall_clock_seconds, "trial {trial}");
            assert_eq!(a.outcome, b.outcome, "trial {trial}");
            // Eight instances are held for the same seconds: eight times the money.
            assert!((b.cost_usd - 8.0 * a.cost_usd).abs() <= 1e-9 * b.cost_usd.max(1.0));
        }
    }
}

#[test]
fn zero_correlation_is_bit_identical_to_no_key() {
    for market_section in [
        WEIBULL_GPU.to_string(),
        "[market]\nmodel = \"exponential\"\nmean_uptime = \"3h\"\n".to_string(),
    ] {
        let without = parse(&scenario_text(&market_section, 4));
        let with = parse(&scenario_text(
            &format!("{market_section}correlation = 0.0\n"),
            4,
        ));
        assert_eq!(without.to_toml_string(), with.to_toml_string());
        let (a, b) = (Engine::new(&without), Engine::new(&with));
        for trial in 0..2000 {
            assert_eq!(a.run(trial), b.run(trial), "trial {trial}");
        }
    }
}

#[test]
fn correlation_outside_zero_to_one_exits_2_naming_the_key() {
    for bad in ["1.5", "-0.1"] {
        assert_rejected(
            &format!("{WEIBULL_GPU}correlation = {bad}\n"),
            "correlation",
            &["from 0", "to 1", bad],
        );
    }
    assert_rejected(
        &format!("{WEIBULL_GPU}correlation = \"high\"\n"),
        "correlation",
        &["expected a number"],
    );
    // Only the exponential and Weibull markets split their hazard.
    assert_rejected(
        "[market]\nmodel = \"lognormal\"\nmedian_uptime = \"47m\"\nsigma = 1\ncorrelation = 0.5",
        "correlation",
        &["unknown key"],
    );
}

// ---------------------------------------------------------------------------------------------
// ρ from a pool's losses

/// Losses of a pool of 32 kept full, under the exact common-shock model: each loss is the
/// common shock (all 32) with probability ρ/(ρ + 32(1 − ρ)) — the common hazard ρh against
/// the individual hazards 32(1 − ρ)h — else one instance.
fn common_shock_pool(seed: u64, losses: usize, rho: f64) -> Vec<PoolLoss> {
    let mut rng = stream_rng(seed, 0, Stream::Uptime);
    let common = rho / (rho + 32.0 * (1.0 - rho));
    (0..losses)
        .map(|i| PoolLoss {
            at_seconds: i as f64 * 600.0,
            alive: 32,
            lost: if unit_open_closed(&mut rng) <= common {
                32
            } else {
                1
            },
        })
        .collect()
}

#[test]
fn pool_losses_of_the_common_shock_model_give_back_its_share() {
    for n in [2, 8, 16] {
        let c = gang_correlation(&common_shock_pool(5, 4000, 0.6), n).unwrap();
        let z = (c.rho - 0.6) / c.rho_se;
        println!(
            "gang of {n}: ρ = {:.4} ± {:.4} (z {z:+.2})",
            c.rho, c.rho_se
        );
        assert!(z.abs() < 3.0, "z = {z}");
    }
    // The standard error matches the spread of 40 estimates (each from 300 losses).
    let estimates: Vec<(f64, f64)> = (0..40)
        .map(|r| {
            let c = gang_correlation(&common_shock_pool(100 + r, 300, 0.6), 8).unwrap();
            (c.rho, c.rho_se)
        })
        .collect();
    let mean = estimates.iter().map(|e| e.0).sum::<f64>() / 40.0;
    let sd = (estimates.iter().map(|e| (e.0 - mean).powi(2)).sum::<f64>() / 39.0).sqrt();
    let se = estimates.iter().map(|e| e.1).sum::<f64>() / 40.0;
    println!("40 pools: mean ρ {mean:.4}, sd {sd:.4} vs SE {se:.4}");
    assert!((sd / se - 1.0).abs() < 0.35, "sd {sd} vs SE {se}");
}

#[test]
fn the_shared_pool_trace_reads_into_losses() {
    // The 32-instance p3.2xlarge pool: 167 removals; read through the trace loader.
    let path = crate::common::shared_data().join("traces/parcae-p3-pool-events/p3trace.csv");
    let data = TraceData::load(&path, None, 2.0).expect("the event list reads");
    let losses = pool_losses(&data.times, &data.values, 0.0);
    assert_eq!(losses.iter().map(|l| l.lost).sum::<u32>(), 167);
    // Joining drops within 3 minutes leaves fewer, larger losses and the same removals.
    let joined = pool_losses(&data.times, &data.values, 180.0);
    assert!(joined.len() < losses.len());
    assert_eq!(joined.iter().map(|l| l.lost).sum::<u32>(), 167);
    // Co-interruption is real: matched to any gang size, ρ is well above 0.
    for n in [2, 4, 8, 16] {
        let c = gang_correlation(&joined, n).unwrap();
        assert!(c.rho > 3.0 * c.rho_se, "gang of {n}: {c:?}");
    }
}
