//! Trace fitting (`spotsim::fit`, `spotsim fit`) and the `bootstrap` market.
//!
//! * Maximum-likelihood fits recover known parameters within 3 reported standard errors, with
//!   and without right-censoring, and the reported standard errors match the spread of the
//!   estimates over repeated fits (sample standard deviation within 25 % of the mean SE; with
//!   50 repetitions the standard deviation itself is uncertain by ≈ 1/√98 ≈ 10 %).
//! * `spotsim fit` runs on the nine shared AWS zones, and its `[market]` section validates.
//! * The bootstrap market's uptimes average to the mean of the episodes it resamples.
//! * Bad input exits with status 2.
//!
//! All randomness comes from fixed seeds.

use crate::common::{parse, shared_data};
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use spotsim::fit::{Episode, episodes, fit_exponential, fit_weibull};
use spotsim::market::trace_data::{Convention, TraceData};
use spotsim::market::{MarketState, distribution::weibull_mean};
use spotsim::random::{Stream, TrialRng, stream_rng, unit_open_closed};
use std::path::PathBuf;
use tempfile::TempDir;

const HOUR: f64 = 3600.0;
const SHAPE: f64 = 0.62;
const SCALE: f64 = 1.4 * HOUR;
use spotsim::market::distribution::AWS_P3_ZONES as ZONES;

fn zone_csv(zone: &str) -> PathBuf {
    shared_data()
        .join("traces/aws-p3.2xlarge-2023-02-15")
        .join(format!("{zone}.csv"))
}

/// `n` Weibull(shape, scale) durations by inversion; with `censor_mean`, each is censored at
/// an independent exponential time of that mean (observed = min, censored when the censoring
/// time came first).
fn weibull_sample(seed: u64, n: usize, censor_mean: Option<f64>) -> Vec<Episode> {
    let mut times = stream_rng(seed, 0, Stream::Uptime);
    let mut censoring = stream_rng(seed, 0, Stream::CapacityWait);
    (0..n)
        .map(|_| {
            let t = SCALE * (-unit_open_closed(&mut times).ln()).powf(1.0 / SHAPE);
            match censor_mean {
                Some(mean) => {
                    let c = -mean * unit_open_closed(&mut censoring).ln();
                    if c < t {
                        Episode::censored(c)
                    } else {
                        Episode::complete(t)
                    }
                }
                None => Episode::complete(t),
            }
        })
        .collect()
}

fn exponential_sample(seed: u64, n: usize, mean: f64, censor_mean: Option<f64>) -> Vec<Episode> {
    let mut times = stream_rng(seed, 1, Stream::Uptime);
    let mut censoring = stream_rng(seed, 1, Stream::CapacityWait);
    (0..n)
        .map(|_| {
            let t = -mean * unit_open_closed(&mut times).ln();
            match censor_mean {
                Some(c_mean) => {
                    let c = -c_mean * unit_open_closed(&mut censoring).ln();
                    if c < t {
                        Episode::censored(c)
                    } else {
                        Episode::complete(t)
                    }
                }
                None => Episode::complete(t),
            }
        })
        .collect()
}

pub(crate) fn mean_and_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, variance.sqrt())
}

#[test]
fn weibull_fit_recovers_known_parameters() {
    for (label, censor_mean) in [("uncensored", None), ("censored", Some(3.0 * HOUR))] {
        let sample = weibull_sample(11, 20_000, censor_mean);
        let censored = sample.iter().filter(|e| e.censored).count();
        let fit = fit_weibull(&sample).expect("a fit");
        let z_shape = (fit.shape - SHAPE) / fit.shape_se;
        let z_scale = (fit.scale_seconds - SCALE) / fit.scale_se_seconds;
        println!(
            "{label} ({censored} censored): shape {:.4} ± {:.4} (z {z_shape:+.2}), scale {:.4} ± {:.4} h (z {z_scale:+.2}), KS {:.4}",
            fit.shape,
            fit.shape_se,
            fit.scale_seconds / HOUR,
            fit.scale_se_seconds / HOUR,
            fit.ks
        );
        assert!(z_shape.abs() < 3.0, "{label}: shape z = {z_shape}");
        assert!(z_scale.abs() < 3.0, "{label}: scale z = {z_scale}");
        // Uncensored Weibull MLE: Var(k̂) ≈ 0.608·k²/n (asymptotic information).
        if censor_mean.is_none() {
            let expected = (0.608 * SHAPE * SHAPE / 20_000.0).sqrt();
            assert!(
                (fit.shape_se / expected - 1.0).abs() < 0.05,
                "{}",
                fit.shape_se
            );
        } else {
            assert!(censored > 2_000, "the censoring bites: {censored}");
        }
        // The KS distance to the Kaplan–Meier estimate is small at the true model.
        assert!(fit.ks < 1.63 / (20_000f64).sqrt() * 1.5, "KS {}", fit.ks);
        assert!((fit.mean_seconds - weibull_mean(fit.shape, fit.scale_seconds)).abs() < 1e-6);
        // The Weibull wins on AIC against the exponential.
        let exp = fit_exponential(&sample).unwrap();
        assert!(fit.aic < exp.aic);
    }
}

#[test]
fn weibull_standard_errors_match_the_spread_of_estimates() {
    for (label, censor_mean) in [("uncensored", None), ("censored", Some(3.0 * HOUR))] {
        let fits: Vec<_> = (0..50)
            .map(|r| fit_weibull(&weibull_sample(1_000 + r, 2_000, censor_mean)).unwrap())
            .collect();
        let shapes: Vec<f64> = fits.iter().map(|f| f.shape).collect();
        let scales: Vec<f64> = fits.iter().map(|f| f.scale_seconds).collect();
        let (shape_mean, shape_sd) = mean_and_sd(&shapes);
        let (scale_mean, scale_sd) = mean_and_sd(&scales);
        let shape_se = fits.iter().map(|f| f.shape_se).sum::<f64>() / 50.0;
        let scale_se = fits.iter().map(|f| f.scale_se_seconds).sum::<f64>() / 50.0;
        println!(
            "{label}: shape mean {shape_mean:.4}, sd {shape_sd:.4} vs SE {shape_se:.4}; scale mean {:.4} h, sd {:.4} vs SE {:.4} h",
            scale_mean / HOUR,
            scale_sd / HOUR,
            scale_se / HOUR
        );
        assert!((shape_sd / shape_se - 1.0).abs() < 0.25, "{label} shape");
        assert!((scale_sd / scale_se - 1.0).abs() < 0.25, "{label} scale");
        // No visible bias: the mean of 50 estimates within 3 of its standard errors.
        assert!((shape_mean - SHAPE).abs() < 3.0 * shape_sd / 50f64.sqrt());
        assert!((scale_mean - SCALE).abs() < 3.0 * scale_sd / 50f64.sqrt());
    }
}

#[test]
fn exponential_fit_recovers_the_mean_and_its_standard_error() {
    let mean = 2.0 * HOUR;
    for (label, censor_mean) in [("uncensored", None), ("censored", Some(4.0 * HOUR))] {
        let fit = fit_exponential(&exponential_sample(5, 20_000, mean, censor_mean)).unwrap();
        let z = (fit.mean_seconds - mean) / fit.mean_se_seconds;
        println!(
            "{label}: mean {:.4} ± {:.4} h (z {z:+.2})",
            fit.mean_seconds / HOUR,
            fit.mean_se_seconds / HOUR
        );
        assert!(z.abs() < 3.0, "{label}: z = {z}");
        let fits: Vec<_> = (0..50)
            .map(|r| {
                fit_exponential(&exponential_sample(500 + r, 2_000, mean, censor_mean)).unwrap()
            })
            .collect();
        let (_, sd) = mean_and_sd(&fits.iter().map(|f| f.mean_seconds).collect::<Vec<_>>());
        let se = fits.iter().map(|f| f.mean_se_seconds).sum::<f64>() / 50.0;
        assert!((sd / se - 1.0).abs() < 0.25, "{label}: sd {sd} vs SE {se}");
        // On exponential data, the Weibull shape is 1 within 3 SE.
        let w = fit_weibull(&exponential_sample(5, 20_000, mean, censor_mean)).unwrap();
        assert!(
            (w.shape - 1.0).abs() < 3.0 * w.shape_se,
            "shape {}",
            w.shape
        );
    }
}

fn fit_json(zone: &str) -> Value {
    let output = cargo_bin_cmd!("spotsim")
        .args([
            "fit",
            "--convention",
            "available",
            "--output-format",
            "json",
        ])
        .arg(zone_csv(zone))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{zone}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn scenario_with(market: &str) -> String {
    format!(
        r#"name = "fitted"

[job]
instance_type = "ml.p3.2xlarge"
managed_spot = true
max_runtime = "16h"
max_wait = "24h"
checkpoint_s3_uri = "s3://bucket/checkpoints"

[workload]
training = "8h"
provisioning = "5m"

[checkpoint]
policy = "interval"
interval = "15m"
write = "45s"
restore = "2m"

{market}

[pricing]
on_demand_per_hour = 3.06
spot_per_hour = 0.918

[simulation]
trials = 200
seed = 1
"#
    )
}

#[test]
fn fit_runs_on_the_nine_zones_and_its_market_section_validates() {
    let dir = TempDir::new().unwrap();
    let mut rows = Vec::new();
    for zone in ZONES {
        let report = fit_json(zone);
        for kind in ["uptime", "downtime"] {
            let fit = &report[kind];
            assert!(fit["n"].as_u64().unwrap() > 10, "{zone} {kind}: {fit}");
            assert!(fit["censored"].as_u64().unwrap() <= 2);
            assert!(fit["weibull"]["shape"].as_f64().unwrap() > 0.0);
        }
        let table = cargo_bin_cmd!("spotsim")
            .args(["fit", "--convention", "available"])
            .arg(zone_csv(zone))
            .output()
            .unwrap();
        assert!(table.status.success());
        let output = cargo_bin_cmd!("spotsim")
            .args([
                "fit",
                "--convention",
                "available",
                "--output-format",
                "toml",
            ])
            .arg(zone_csv(zone))
            .output()
            .unwrap();
        assert!(output.status.success(), "{zone}");
        let section = String::from_utf8(output.stdout).unwrap();
        assert!(section.contains("[market]"), "{section}");
        let path = dir.path().join(format!("{zone}.toml"));
        std::fs::write(&path, scenario_with(&section)).unwrap();
        let validated = cargo_bin_cmd!("spotsim")
            .arg("validate")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            validated.status.success(),
            "{zone}: {}\n{section}",
            String::from_utf8_lossy(&validated.stderr)
        );
        // The scenario's market is the model the fit chose.
        let model = report["market"]["model"].as_str().unwrap().to_string();
        assert_eq!(
            parse(&scenario_with(&section))
                .market
                .unwrap()
                .model
                .model(),
            model
        );
        let up = &report["uptime"];
        let down = &report["downtime"];
        rows.push(format!(
            "| {zone} | {} | {:.2} | {:.3} | {:.2} | {:.3} | {:.3} | {} | {:.2} | {:.3} | {:.2} | {:.3} | {:.3} | {model} |",
            up["n"],
            up["exponential"]["mean_seconds"].as_f64().unwrap() / HOUR,
            up["weibull"]["shape"].as_f64().unwrap(),
            up["weibull"]["scale_seconds"].as_f64().unwrap() / HOUR,
            up["exponential"]["ks"].as_f64().unwrap(),
            up["weibull"]["ks"].as_f64().unwrap(),
            down["n"],
            down["exponential"]["mean_seconds"].as_f64().unwrap() / HOUR,
            down["weibull"]["shape"].as_f64().unwrap(),
            down["weibull"]["scale_seconds"].as_f64().unwrap() / HOUR,
            down["exponential"]["ks"].as_f64().unwrap(),
            down["weibull"]["ks"].as_f64().unwrap(),
        ));
    }
    println!(
        "| zone | up n | up exp mean h | up k | up λ h | up KS exp | up KS weib | down n | down exp mean h | down k | down λ h | down KS exp | down KS weib | model |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}

fn bootstrap_section(zone: &str) -> String {
    format!(
        "[market]\nmodel = \"bootstrap\"\npath = \"{}\"\nconvention = \"available\"",
        zone_csv(zone).display()
    )
}

/// Complete (uncensored) episodes of a zone, read independently of the market.
fn complete_episodes(zone: &str) -> (Vec<f64>, Vec<f64>, f64) {
    let data = TraceData::load(&zone_csv(zone), None, 2.0).unwrap();
    let split = episodes(
        &data.availability(Convention::Available, 1),
        data.end_seconds,
    );
    let complete = |e: &[Episode]| -> Vec<f64> {
        e.iter()
            .filter(|e| !e.censored)
            .map(|e| e.duration_seconds)
            .collect()
    };
    let unavailable: f64 = split.downtime.iter().map(|e| e.duration_seconds).sum();
    (
        complete(&split.uptime),
        complete(&split.downtime),
        unavailable / data.end_seconds,
    )
}

#[test]
fn bootstrap_uptimes_average_to_the_episode_mean() {
    for zone in ["us-east-1a", "us-west-2b"] {
        let scenario = parse(&scenario_with(&bootstrap_section(zone)));
        let market = scenario.market.unwrap().model;
        assert_eq!(market.model(), "bootstrap");
        let (ups, downs, unavailable) = complete_episodes(zone);
        let (up_mean, up_sd) = mean_and_sd(&ups);
        let (down_mean, down_sd) = mean_and_sd(&downs);
        assert!((market.mean_uptime_seconds().unwrap() - up_mean).abs() < 1e-6 * up_mean);

        let n = 40_000u64;
        let (mut uptimes, mut first_waits, mut later_waits) = (Vec::new(), Vec::new(), Vec::new());
        for k in 0..n {
            let mut rng = TrialRng::new(3, k);
            let mut state = MarketState::default();
            let first = market.next_capacity(0.0, &mut state, &mut rng).unwrap();
            first_waits.push(first.acquired_seconds);
            uptimes.push(first.lost_seconds - first.acquired_seconds);
            let second = market
                .next_capacity(first.lost_seconds, &mut state, &mut rng)
                .unwrap();
            later_waits.push(second.acquired_seconds - first.lost_seconds);
            uptimes.push(second.lost_seconds - second.acquired_seconds);
        }
        // Every draw is one of the episodes (up to the rounding of `acquired + uptime`).
        let is_one_of = |x: f64, set: &[f64]| set.iter().any(|e| (x - e).abs() < 1e-6);
        assert!(uptimes.iter().all(|&u| is_one_of(u, &ups)));
        assert!(later_waits.iter().all(|&w| is_one_of(w, &downs)));
        let se = up_sd / (uptimes.len() as f64).sqrt();
        let (sample_up, _) = mean_and_sd(&uptimes);
        println!(
            "{zone}: uptime mean {:.6} h vs episodes {:.6} h (z {:+.4})",
            sample_up / HOUR,
            up_mean / HOUR,
            (sample_up - up_mean) / se
        );
        assert!((sample_up - up_mean).abs() < 4.0 * se);
        let (sample_down, _) = mean_and_sd(&later_waits);
        assert!((sample_down - down_mean).abs() < 4.0 * down_sd / (n as f64).sqrt());
        // First wait: inside a downtime with probability p, then the residual of a
        // length-biased episode: mean p·E[D²]/(2·E[D]).
        let second_moment = downs.iter().map(|d| d * d).sum::<f64>() / downs.len() as f64;
        let expected = unavailable * second_moment / (2.0 * down_mean);
        let zero = first_waits.iter().filter(|w| **w == 0.0).count() as f64 / n as f64;
        assert!(
            (zero - (1.0 - unavailable)).abs()
                < 4.0 * (unavailable * (1.0 - unavailable) / n as f64).sqrt()
        );
        let (sample_first, first_sd) = mean_and_sd(&first_waits);
        println!(
            "{zone}: first wait mean {:.4} h vs {:.4} h; P(no wait) {zero:.4} vs {:.4}",
            sample_first / HOUR,
            expected / HOUR,
            1.0 - unavailable
        );
        assert!((sample_first - expected).abs() < 4.0 * first_sd / (n as f64).sqrt());
    }
}

#[test]
fn bootstrap_resolves_and_needs_a_convention() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bootstrap.toml");
    std::fs::write(&path, scenario_with(&bootstrap_section("us-east-2a"))).unwrap();
    let output = cargo_bin_cmd!("spotsim")
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("model = \"bootstrap\""), "{text}");
    assert!(text.contains("convention = \"available\""), "{text}");

    let section = bootstrap_section("us-east-2a").replace("convention = \"available\"", "");
    std::fs::write(&path, scenario_with(&section)).unwrap();
    let output = cargo_bin_cmd!("spotsim")
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("convention"));
}

#[test]
fn bad_input_exits_2() {
    // Missing convention on a 0/1 CSV.
    let output = cargo_bin_cmd!("spotsim")
        .arg("fit")
        .arg(zone_csv("us-east-1a"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--convention") && stderr.contains("never guessed"),
        "{stderr}"
    );
    // Missing file.
    let output = cargo_bin_cmd!("spotsim")
        .args(["fit", "--convention", "available", "no/such/trace.csv"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/trace.csv"));
    // A 0/1 trace read as preempted with a threshold, and a bad --max-gap.
    for args in [
        vec!["--convention", "preempted", "--threshold", "2"],
        vec!["--convention", "available", "--max-gap", "0.5"],
        vec!["--convention", "sometimes"],
    ] {
        let output = cargo_bin_cmd!("spotsim")
            .arg("fit")
            .args(&args)
            .arg(zone_csv("us-east-1a"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn fit_reads_preempted_json_traces() {
    let path = shared_data().join("traces/aws-p3.2xlarge-4node-2023-08/us-east-1f.json");
    let output = cargo_bin_cmd!("spotsim")
        .args(["fit", "--output-format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "a JSON 0/1 trace needs a convention"
    );
    let output = cargo_bin_cmd!("spotsim")
        .args([
            "fit",
            "--convention",
            "preempted",
            "--output-format",
            "json",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["convention"], "preempted");
    assert_eq!(report["format"], "json");
    assert!(report["uptime"]["n"].as_u64().unwrap() > 0);
}
