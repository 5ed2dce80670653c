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
//! the spread of repeated estimates) and read from the shared 32-instance pool trace. `spotsim
//! fit --gang N` is checked end to end on an event list simulated in continuous time from the
//! common-shock model (ρ and one instance's mean lifetime recovered within 3 standard errors,
//! the `[market]` section giving the gang its N_eff), on the shared pool (the figures README
//! quotes) and on the shared 0/1 pool traces, which cannot tell ρ.

use crate::common::{parse, shared_data};
use crate::markets::{
    WEIBULL_GPU, assert_ks, assert_moments, assert_rejected, exponential_raw, market,
    scenario_text, uptimes, weibull_raw,
};
use spotsim::fit::correlation::{PoolLoss, fit_pool, gang_correlation, pool_losses};
use spotsim::market::trace_data::TraceData;
use spotsim::random::{Stream, stream_rng, unit_open_closed};
use spotsim::{Engine, Simulator};
use tempfile::TempDir;

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

// ---------------------------------------------------------------------------------------------
// `spotsim fit --gang N`

/// An event list `time_ms,add|remove,node` of a pool of `size` instances over `hours`, drawn
/// in continuous time from the common-shock model: each alive instance has the hazard
/// `1/mean_hours`, a share ρ of it striking every alive instance at once (rate ρ/mean), the
/// rest each alone (rate (1 − ρ)/mean each). A reclaimed instance is replaced 60 s later.
fn common_shock_events(seed: u64, size: usize, rho: f64, mean_hours: f64, hours: f64) -> String {
    let mut rng = stream_rng(seed, 0, Stream::Uptime);
    let hazard = 1.0 / (mean_hours * HOUR);
    let mut alive: Vec<bool> = vec![true; size];
    let mut replacements: std::collections::VecDeque<(f64, usize)> = Default::default();
    let mut text: String = (0..size).map(|i| format!("0,add,n{i}\n")).collect();
    let ms = |t: f64| (t * 1000.0).round() as u64;
    let mut t = 0.0;
    while t < hours * HOUR {
        let m = alive.iter().filter(|a| **a).count();
        let rate = if m > 0 {
            rho * hazard + m as f64 * (1.0 - rho) * hazard
        } else {
            0.0
        };
        let shock = if rate > 0.0 {
            t - unit_open_closed(&mut rng).ln() / rate
        } else {
            f64::INFINITY
        };
        match replacements.front() {
            Some(&(at, node)) if at <= shock => {
                replacements.pop_front();
                t = at;
                alive[node] = true;
                text += &format!("{},add,n{node}\n", ms(t));
                continue;
            }
            _ => t = shock,
        }
        let common = unit_open_closed(&mut rng) <= rho * hazard / rate;
        let alive_nodes: Vec<usize> = (0..size).filter(|&i| alive[i]).collect();
        let lost: Vec<usize> = if common {
            alive_nodes
        } else {
            let pick = unit_open_closed(&mut rng) * m as f64;
            vec![alive_nodes[(pick.ceil() as usize).clamp(1, m) - 1]]
        };
        for node in lost {
            alive[node] = false;
            text += &format!("{},remove,n{node}\n", ms(t));
            replacements.push_back((t + 60.0, node));
        }
    }
    text
}

/// `spotsim fit ARGS`: (exit code, stdout, stderr).
fn fit(args: &[&str]) -> (Option<i32>, String, String) {
    let out = assert_cmd::cargo::cargo_bin_cmd!("spotsim")
        .arg("fit")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn fit_gang_recovers_the_share_and_one_instances_lifetime_of_a_simulated_pool() {
    let (rho, mean_hours, n) = (0.5, 2.0, 8);
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("pool.csv");
    std::fs::write(&path, common_shock_events(7, 32, rho, mean_hours, 400.0)).unwrap();
    let path = path.to_str().unwrap();
    // Shocks are single events here: nothing to join.
    let gang = n.to_string();
    let args = ["--gang", &gang, "--join-within", "0s", "--output-format"];
    let (code, out, err) = fit(&[&args[..], &["json", path]].concat());
    assert_eq!(code, Some(0), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let pool = &report["pool"];
    let (got, se) = (
        pool["gang"]["rho"].as_f64().unwrap(),
        pool["gang"]["rho_se"].as_f64().unwrap(),
    );
    println!("ρ(8) = {got:.4} ± {se:.4} (z {:+.2})", (got - rho) / se);
    assert!(((got - rho) / se).abs() < 3.0, "ρ {got} ± {se}");
    // One instance's lifetime: every instance alive has the hazard 1/(2 h).
    let (mean, mean_se) = (
        pool["mean_uptime_seconds"].as_f64().unwrap() / HOUR,
        pool["mean_uptime_se_seconds"].as_f64().unwrap() / HOUR,
    );
    println!("mean uptime {mean:.4} ± {mean_se:.4} h");
    assert!(
        ((mean - mean_hours) / mean_se).abs() < 3.0,
        "{mean} ± {mean_se}"
    );
    assert_eq!(
        report["market"]["correlation"].as_f64(),
        Some((got * 1e4).round() / 1e4)
    );
    // The table says ρ with its standard error.
    let (_, table, _) = fit(&[&args[..], &["table", path]].concat());
    assert!(
        table.contains(&format!(
            "correlation for a gang of 8: ρ = {got:.3} ± {se:.3}"
        )),
        "{table}"
    );
    // The [market] section is ready: a gang of 8 under it lasts Exp(mean / N_eff).
    let (_, section, _) = fit(&[&args[..], &["toml", path]].concat());
    assert!(section.contains(&format!("correlation = {}", (got * 1e4).round() / 1e4)));
    let model = parse(&scenario_text(&section, n)).market.unwrap().model;
    let given = |key: &str| -> f64 {
        let value = report["market"][key].as_str().unwrap();
        value.trim_end_matches('h').parse::<f64>().unwrap() * HOUR
    };
    let rounded = report["market"]["correlation"].as_f64().unwrap();
    let n_eff = 8.0 - 7.0 * rounded;
    let gang_mean = model.mean_uptime_seconds().unwrap();
    assert!((gang_mean / (given("mean_uptime") / n_eff) - 1.0).abs() < 1e-12);
}

#[test]
fn pool_standard_errors_match_the_spread_of_repeated_pools() {
    // 40 pools of 400 h: ρ(8) and one instance's mean lifetime, each against its mean SE.
    // Counting every instance reclaimed as its own event would understate the mean's SE
    // about fourfold here (≈ 100 common shocks of ≈ 32 instances against ≈ 3,200 single losses).
    let fits: Vec<_> = (0..40)
        .map(|r| {
            let text = common_shock_events(300 + r, 32, 0.5, 2.0, 400.0);
            let data = TraceData::from_events("pool.csv", &text).unwrap();
            fit_pool(&data.times, &data.values, data.end_seconds, 0.0, 8).unwrap()
        })
        .collect();
    for (what, values, ses) in [
        (
            "ρ(8)",
            fits.iter().map(|f| f.gang.rho).collect::<Vec<_>>(),
            fits.iter().map(|f| f.gang.rho_se).collect::<Vec<_>>(),
        ),
        (
            "mean uptime",
            fits.iter().map(|f| f.mean_uptime_seconds).collect(),
            fits.iter().map(|f| f.mean_uptime_se_seconds).collect(),
        ),
    ] {
        let k = values.len() as f64;
        let mean = values.iter().sum::<f64>() / k;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt();
        let se = ses.iter().sum::<f64>() / k;
        println!("{what}: mean {mean:.4}, sd {sd:.4} vs SE {se:.4}");
        assert!((sd / se - 1.0).abs() < 0.35, "{what}: sd {sd} vs SE {se}");
    }
}

#[test]
fn fit_gang_on_the_shared_pool_gives_the_figures_readme_quotes() {
    let path = shared_data().join("traces/parcae-p3-pool-events/p3trace.csv");
    let path = path.to_str().unwrap();
    // README, "Correlated interruptions, measured": ρ ± SE (N_eff) per gang size, as recorded
    // and with losses joined within 3 minutes.
    for (window, quoted) in [
        (
            "0s",
            [
                (2, 0.07, 0.01, 1.9),
                (4, 0.14, 0.01, 3.6),
                (8, 0.25, 0.02, 6.2),
                (16, 0.44, 0.03, 9.4),
            ],
        ),
        (
            "3m",
            [
                (2, 0.14, 0.02, 1.9),
                (4, 0.25, 0.03, 3.2),
                (8, 0.41, 0.03, 5.1),
                (16, 0.61, 0.03, 6.8),
            ],
        ),
    ] {
        for (n, rho, se, n_eff) in quoted {
            let gang = n.to_string();
            let (code, out, err) = fit(&[
                "--gang",
                &gang,
                "--join-within",
                window,
                "--output-format",
                "json",
                path,
            ]);
            assert_eq!(code, Some(0), "{err}");
            let g =
                serde_json::from_str::<serde_json::Value>(&out).unwrap()["pool"]["gang"].clone();
            let shown = |key: &str, decimals: i32| {
                let scale = 10f64.powi(decimals);
                (g[key].as_f64().unwrap() * scale).round() / scale
            };
            assert_eq!(
                (
                    shown("rho", 2),
                    shown("rho_se", 2),
                    shown("effective_gang_size", 1)
                ),
                (rho, se, n_eff),
                "gang of {n}, joined within {window}"
            );
        }
    }
    // Without --join-within the 3-minute window is used, and said on stderr.
    let (_, out, err) = fit(&["--gang", "16", path]);
    assert!(
        err.contains("within 3m") && err.contains("assumed"),
        "{err}"
    );
    assert!(out.contains("ρ = 0.615 ± 0.034"), "{out}");
    // Without --gang, a hint that the list records a pool.
    let (_, _, err) = fit(&[path]);
    assert!(
        err.contains("pool of up to 32 instances") && err.contains("--gang"),
        "{err}"
    );
}

#[test]
fn fit_gang_refuses_what_cannot_tell_the_share() {
    let traces = shared_data().join("traces");
    // The 4- and 16-node pools record one 0/1 flag per probe for the whole pool.
    for (file, gang) in [
        ("aws-p3.2xlarge-4node-2023-08/us-east-1f.json", "4"),
        ("gcp-a3-h100-16node-2025-10/us-east4-a.json", "16"),
    ] {
        let path = traces.join(file);
        let (code, out, err) = fit(&[
            "--convention",
            "preempted",
            "--gang",
            gang,
            path.to_str().unwrap(),
        ]);
        assert_eq!(code, Some(2), "{err}");
        assert!(out.is_empty());
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            err.contains(file) && err.contains("--gang") && err.contains("ρ cannot be told"),
            "{err}"
        );
    }
    let pool = traces.join("parcae-p3-pool-events/p3trace.csv");
    let pool = pool.to_str().unwrap();
    for (args, words) in [
        (vec!["--gang", "33"], "at most 32"),
        (vec!["--gang", "1"], "at least 2"),
        (
            vec!["--gang", "4", "--join-within", "soon"],
            "--join-within",
        ),
    ] {
        let (code, _, err) = fit(&[&args[..], &[pool]].concat());
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(words), "{args:?}: {err}");
    }
    // A pool that never loses an instance.
    let dir = TempDir::new().unwrap();
    let quiet = dir.path().join("quiet.csv");
    std::fs::write(&quiet, "0,add,a\n0,add,b\n60000,add,c\n").unwrap();
    let (code, _, err) = fit(&["--gang", "2", quiet.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("never loses"), "{err}");
}
