//! The stochastic market models against their analytic distributions.
//!
//! Every sample is drawn through the model's `next_capacity`, as the engine draws it: sample k
//! is the first capacity period of trial k (`TrialRng::new(seed, k)`, a fresh `MarketState`),
//! so these tests also check that the models use the per-trial streams as the engine does.
//!
//! Tolerances come from standard errors, at fixed seeds:
//! * the sample mean within 4 standard errors, SE = σ/√n;
//! * the sample variance s² within 4 standard errors, where
//!   Var(s²) = μ₄/n − σ⁴(n − 3)/(n(n − 1)) with μ₄ the fourth central moment;
//! * the Kolmogorov–Smirnov distance D = sup |F̂(t) − F(t)| below 1.63/√n (α = 0.01).
//!
//! Raw moments m_r = E[T^r] give the central ones: σ² = m₂ − m₁², and
//! μ₄ = m₄ − 4m₁m₃ + 6m₁²m₂ − 3m₁⁴.

use crate::common::{parse, scenario_path};
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use spotsim::market::distribution::shared_data_dir;
use spotsim::market::{Capacity, Market, MarketState};
use spotsim::random::TrialRng;
use spotsim::{Engine, Scenario};
use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::gamma::gamma;
use std::path::PathBuf;
use std::sync::Arc;
use tempfile::TempDir;

const HOUR: f64 = 3600.0;

/// A managed-spot scenario around a `[market]` section, for `instance_count` instances.
pub(crate) fn scenario_text(market: &str, instance_count: u32) -> String {
    format!(
        r#"name = "markets"

[job]
instance_type = "ml.p3.2xlarge"
instance_count = {instance_count}
managed_spot = true
max_runtime = "16h"
max_wait = "24h"
checkpoint_s3_uri = "s3://bucket/checkpoints"

[workload]
training = "8h"
provisioning = "5m"
download = "3m"
upload = "2m"

[checkpoint]
policy = "interval"
interval = "15m"
write = "45s"
restore = "2m"

{market}

[pricing]
on_demand_per_hour = 3.825
spot_per_hour = 1.1475

[simulation]
trials = 1000
seed = 1
"#
    )
}

/// The market model of a scenario with this `[market]` section.
pub(crate) fn market(section: &str, instance_count: u32) -> Arc<dyn Market> {
    parse(&scenario_text(section, instance_count))
        .market
        .expect("the scenario has a market")
        .model
}

/// The first capacity period of trials 0..n (requested at t = 0).
fn first_periods(model: &dyn Market, n: u64, seed: u64) -> Vec<Capacity> {
    (0..n)
        .map(|k| {
            let mut rng = TrialRng::new(seed, k);
            model
                .next_capacity(0.0, &mut MarketState::default(), &mut rng)
                .expect("capacity comes")
        })
        .collect()
}

/// The uptimes (lost − acquired) of the first capacity period of trials 0..n.
pub(crate) fn uptimes(model: &dyn Market, n: u64, seed: u64) -> Vec<f64> {
    first_periods(model, n, seed)
        .iter()
        .map(|c| c.lost_seconds - c.acquired_seconds)
        .collect()
}

/// Sample mean and unbiased sample variance.
fn mean_and_variance(samples: &[f64]) -> (f64, f64) {
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / n;
    let variance = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, variance)
}

/// Central moments (mean, variance, μ₄) from raw moments m₁…m₄.
fn central(raw: [f64; 4]) -> (f64, f64, f64) {
    let [m1, m2, m3, m4] = raw;
    let variance = m2 - m1 * m1;
    let mu4 = m4 - 4.0 * m1 * m3 + 6.0 * m1 * m1 * m2 - 3.0 * m1.powi(4);
    (m1, variance, mu4)
}

/// Asserts the sample mean and variance within 4 standard errors of the analytic values;
/// returns the two z-scores.
pub(crate) fn assert_moments(label: &str, samples: &[f64], raw: [f64; 4]) -> (f64, f64) {
    let n = samples.len() as f64;
    let (mean, variance, mu4) = central(raw);
    let (sample_mean, sample_variance) = mean_and_variance(samples);
    let se_mean = (variance / n).sqrt();
    let se_variance = (mu4 / n - variance * variance * (n - 3.0) / (n * (n - 1.0))).sqrt();
    let z_mean = (sample_mean - mean) / se_mean;
    let z_variance = (sample_variance - variance) / se_variance;
    println!(
        "{label}: mean {sample_mean:.1} s vs {mean:.1} s (z = {z_mean:+.2}), variance {sample_variance:.4e} vs {variance:.4e} (z = {z_variance:+.2})"
    );
    assert!(z_mean.abs() < 4.0, "{label}: mean z = {z_mean}");
    assert!(z_variance.abs() < 4.0, "{label}: variance z = {z_variance}");
    (z_mean, z_variance)
}

/// Kolmogorov–Smirnov distance between the samples and the CDF `cdf`; asserts it is below
/// the α = 0.01 critical value 1.63/√n.
pub(crate) fn assert_ks(label: &str, samples: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let distance = sorted
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let f = cdf(t);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max);
    let critical = 1.63 / n.sqrt();
    println!("{label}: KS D = {distance:.5} (critical {critical:.5})");
    assert!(
        distance < critical,
        "{label}: KS D = {distance} ≥ {critical}"
    );
    distance
}

/// Raw moments of Weibull(k, λ): m_r = λ^r·Γ(1 + r/k).
pub(crate) fn weibull_raw(shape: f64, scale: f64) -> [f64; 4] {
    [1.0, 2.0, 3.0, 4.0].map(|r| scale.powf(r) * gamma(1.0 + r / shape))
}

/// Raw moments of the minimum of `n` i.i.d. draws with survival `survival`, by quadrature:
/// E[T^r] = ∫₀^∞ r·t^(r−1)·S(t)^n dt = ∫ r·e^(r·x)·S(e^x)^n dx, Simpson's rule over
/// x ∈ [low, high] plus the closed form e^(r·low) of the part below, where S = 1.
fn min_raw_moments(n: u32, survival: impl Fn(f64) -> f64, low: f64, high: f64) -> [f64; 4] {
    let steps = 40_000;
    let h = (high - low) / f64::from(steps);
    [1.0, 2.0, 3.0, 4.0].map(|r: f64| {
        let f = |x: f64| r * (r * x).exp() * survival(x.exp()).powi(n as i32);
        let mut sum = f(low) + f(high);
        for i in 1..steps {
            sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(low + f64::from(i) * h);
        }
        (r * low).exp() + sum * h / 3.0
    })
}

// ---------------------------------------------------------------------------------------------
// weibull

pub(crate) const WEIBULL_GPU: &str = r#"[market]
model = "weibull"
shape = 0.62
scale = "1.4h"
"#;

#[test]
fn weibull_uptimes_follow_the_measured_gpu_distribution() {
    let (shape, scale) = (0.62, 1.4 * HOUR);
    let model = market(WEIBULL_GPU, 1);
    let samples = uptimes(model.as_ref(), 200_000, 11);
    assert_moments("weibull k=0.62 λ=1.4h", &samples, weibull_raw(shape, scale));
    assert_ks("weibull k=0.62 λ=1.4h", &samples, |t| {
        1.0 - (-(t / scale).powf(shape)).exp()
    });
    let mean = scale * gamma(1.0 + 1.0 / shape);
    let reported = model.mean_uptime_seconds().expect("defined");
    assert!(
        (reported / mean - 1.0).abs() < 1e-12,
        "{reported} vs {mean}"
    );
}

#[test]
fn weibull_gang_holds_capacity_for_the_minimum_of_n_uptimes() {
    // min of N i.i.d. Weibull(k, λ) is Weibull(k, λ·N^(−1/k)); check against the survival of
    // one instance raised to the N-th power, not against the model's own shortcut.
    let (shape, scale, n) = (0.62, 1.4 * HOUR, 4);
    let model = market(WEIBULL_GPU, n);
    let samples = uptimes(model.as_ref(), 200_000, 12);
    let gang_scale = scale * f64::from(n).powf(-1.0 / shape);
    assert_moments(
        "weibull gang of 4",
        &samples,
        weibull_raw(shape, gang_scale),
    );
    assert_ks("weibull gang of 4", &samples, |t| {
        1.0 - (-(t / scale).powf(shape)).exp().powi(n as i32)
    });
    let numeric = min_raw_moments(n, |t| (-(t / scale).powf(shape)).exp(), -10.0, 14.0);
    let closed = gang_scale * gamma(1.0 + 1.0 / shape);
    assert!(
        (numeric[0] / closed - 1.0).abs() < 1e-6,
        "{numeric:?} vs {closed}"
    );
    let reported = model.mean_uptime_seconds().expect("defined");
    assert!((reported / closed - 1.0).abs() < 1e-12);
}

#[test]
fn weibull_capacity_waits_are_exponential_and_independent_of_uptimes() {
    let model = market(
        r#"[market]
model = "weibull"
shape = 0.62
scale = "1.4h"
mean_capacity_wait = "10m"
"#,
        1,
    );
    let periods = first_periods(model.as_ref(), 100_000, 13);
    let waits: Vec<f64> = periods.iter().map(|c| c.acquired_seconds).collect();
    let m = 600.0;
    assert_moments(
        "weibull capacity wait",
        &waits,
        [m, 2.0 * m * m, 6.0 * m.powi(3), 24.0 * m.powi(4)],
    );
    // Common random numbers: adding a capacity wait does not change the uptimes.
    let without = uptimes(market(WEIBULL_GPU, 1).as_ref(), 1000, 13);
    for (period, uptime) in periods.iter().zip(&without) {
        let with = period.lost_seconds - period.acquired_seconds;
        assert!((with - uptime).abs() <= 1e-9 * uptime.max(1.0));
    }
}

#[test]
fn weibull_with_shape_one_is_the_exponential_model_trial_for_trial() {
    let exponential = parse(&scenario_text(
        "[market]\nmodel = \"exponential\"\nmean_uptime = \"3h\"\nmean_capacity_wait = \"20m\"",
        1,
    ));
    let weibull = parse(&scenario_text(
        "[market]\nmodel = \"weibull\"\nshape = 1\nscale = \"3h\"\nmean_capacity_wait = \"20m\"",
        1,
    ));
    let (a, b) = (Engine::new(&exponential), Engine::new(&weibull));
    for trial in 0..2000 {
        assert_eq!(a.run(trial), b.run(trial), "trial {trial}");
    }
}

// ---------------------------------------------------------------------------------------------
// lognormal

/// Median 47 min (≈ the measured p3.2xlarge median of 0.78 h), sigma 1.
const LOGNORMAL: &str = r#"[market]
model = "lognormal"
median_uptime = "47m"
sigma = 1.0
"#;

fn lognormal_survival(mu: f64, sigma: f64) -> impl Fn(f64) -> f64 {
    let normal = Normal::standard();
    move |t: f64| {
        if t <= 0.0 {
            1.0
        } else {
            normal.sf((t.ln() - mu) / sigma)
        }
    }
}

#[test]
fn lognormal_uptimes_match_the_analytic_distribution() {
    let (mu, sigma) = ((47.0 * 60.0f64).ln(), 1.0);
    let model = market(LOGNORMAL, 1);
    let samples = uptimes(model.as_ref(), 200_000, 21);
    let raw = [1.0, 2.0, 3.0, 4.0].map(|r: f64| (r * mu + 0.5 * r * r * sigma * sigma).exp());
    assert_moments("lognormal median 47m σ=1", &samples, raw);
    let survival = lognormal_survival(mu, sigma);
    assert_ks("lognormal median 47m σ=1", &samples, |t| 1.0 - survival(t));
    let reported = model.mean_uptime_seconds().expect("defined");
    assert!((reported / raw[0] - 1.0).abs() < 1e-12);
}

#[test]
fn lognormal_gang_holds_capacity_for_the_minimum_of_n_uptimes() {
    let (mu, sigma, n) = ((47.0 * 60.0f64).ln(), 1.0, 3);
    let model = market(LOGNORMAL, n);
    let samples = uptimes(model.as_ref(), 200_000, 22);
    let survival = lognormal_survival(mu, sigma);
    let raw = min_raw_moments(n, &survival, mu - 10.0 * sigma, mu + 10.0 * sigma);
    assert_moments("lognormal gang of 3", &samples, raw);
    assert_ks("lognormal gang of 3", &samples, |t| {
        1.0 - survival(t).powi(n as i32)
    });
    let reported = model.mean_uptime_seconds().expect("defined");
    assert!(
        (reported / raw[0] - 1.0).abs() < 1e-6,
        "{reported} vs {}",
        raw[0]
    );
}

// ---------------------------------------------------------------------------------------------
// markov

/// Follows one trial's two-state process through `cycles` capacity periods, asking again at
/// each loss as the engine does; returns (available sojourns, unavailable sojourns, started
/// available).
fn follow(model: &dyn Market, seed: u64, trial: u64, cycles: usize) -> (Vec<f64>, Vec<f64>, bool) {
    let mut rng = TrialRng::new(seed, trial);
    let mut state = MarketState::default();
    let (mut up, mut down) = (Vec::with_capacity(cycles), Vec::with_capacity(cycles));
    let mut now = 0.0;
    let mut started_available = false;
    for cycle in 0..cycles {
        let capacity = model
            .next_capacity(now, &mut state, &mut rng)
            .expect("capacity comes back");
        if cycle == 0 {
            started_available = capacity.acquired_seconds == 0.0;
        }
        if capacity.acquired_seconds > now || cycle > 0 {
            down.push(capacity.acquired_seconds - now);
        }
        up.push(capacity.lost_seconds - capacity.acquired_seconds);
        now = capacity.lost_seconds;
    }
    (up, down, started_available)
}

/// Runs `trials` trials of `cycles` periods each and checks the sojourns, the long-run
/// fraction of available time and the stationary start.
fn check_markov(label: &str, section: &str, up_raw: [f64; 4], down_raw: [f64; 4], seed: u64) {
    let model = market(section, 1);
    let (mut up, mut down) = (Vec::new(), Vec::new());
    for trial in 0..200 {
        let (u, d, _) = follow(model.as_ref(), seed, trial, 1000);
        up.extend(u);
        down.extend(d);
    }
    assert_moments(&format!("{label}: available"), &up, up_raw);
    assert_moments(&format!("{label}: unavailable"), &down, down_raw);

    // Long-run fraction available = ΣA / (ΣA + ΣU); by the delta method over n cycles its
    // variance is (m_U²·Var A + m_A²·Var U) / (n·(m_A + m_U)⁴).
    let (m_a, var_a, _) = central(up_raw);
    let (m_u, var_u, _) = central(down_raw);
    let expected = m_a / (m_a + m_u);
    let (total_up, total_down) = (up.iter().sum::<f64>(), down.iter().sum::<f64>());
    let fraction = total_up / (total_up + total_down);
    let cycles_seen = up.len().min(down.len()) as f64;
    let se = ((m_u * m_u * var_a + m_a * m_a * var_u) / cycles_seen).sqrt() / (m_a + m_u).powi(2);
    let z = (fraction - expected) / se;
    println!("{label}: fraction available {fraction:.5} vs {expected:.5} (z = {z:+.2})");
    assert!(z.abs() < 4.0, "{label}: fraction available z = {z}");

    // The process starts available with the stationary probability (binomial SE over the
    // first periods of 100,000 trials).
    let starts: Vec<bool> = (0..100_000)
        .map(|k| follow(model.as_ref(), seed + 1, k, 1).2)
        .collect();
    let p_hat = starts.iter().filter(|s| **s).count() as f64 / starts.len() as f64;
    let se_start = (expected * (1.0 - expected) / starts.len() as f64).sqrt();
    let z_start = (p_hat - expected) / se_start;
    println!("{label}: P(start available) {p_hat:.4} vs {expected:.4} (z = {z_start:+.2})");
    assert!(z_start.abs() < 4.0, "{label}: start z = {z_start}");
}

pub(crate) fn exponential_raw(mean: f64) -> [f64; 4] {
    [
        mean,
        2.0 * mean.powi(2),
        6.0 * mean.powi(3),
        24.0 * mean.powi(4),
    ]
}

#[test]
fn markov_exponential_sojourns_and_long_run_availability() {
    check_markov(
        "markov exp(2h)/exp(1h)",
        r#"[market]
model = "markov"
available = { mean = "2h" }
unavailable = { mean = "1h" }
"#,
        exponential_raw(2.0 * HOUR),
        exponential_raw(HOUR),
        31,
    );
}

#[test]
fn markov_weibull_sojourns_and_long_run_availability() {
    // Measured GPU values: lifetimes Weibull(0.62, 1.4 h), downtime mean ≈ 1.2 h (§8).
    let section = r#"[market]
model = "markov"
available = { shape = 0.62, scale = "1.4h" }
unavailable = { mean = "1.2h" }
"#;
    check_markov(
        "markov weibull/exp(1.2h)",
        section,
        weibull_raw(0.62, 1.4 * HOUR),
        exponential_raw(1.2 * HOUR),
        32,
    );
    // The available periods follow the Weibull CDF exactly (first periods of many trials,
    // and later periods alike).
    let model = market(section, 1);
    let (up, _, _) = follow(model.as_ref(), 33, 0, 100_000);
    assert_ks("markov weibull available periods", &up, |t| {
        1.0 - (-(t / (1.4 * HOUR)).powf(0.62)).exp()
    });
}

#[test]
fn markov_models_gang_capacity_not_instances() {
    // The periods are the gang's: the same draws for 1 and 8 instances.
    let section = "[market]\nmodel = \"markov\"\navailable = { mean = \"2h\" }\nunavailable = { mean = \"1h\" }";
    let one = follow(market(section, 1).as_ref(), 34, 0, 100);
    let eight = follow(market(section, 8).as_ref(), 34, 0, 100);
    assert_eq!(one, eight);
}

// ---------------------------------------------------------------------------------------------
// advisor

/// A Spot Advisor snapshot in the shared data (fails clearly when the folder is missing).
fn snapshot(date: &str) -> PathBuf {
    let path = shared_data_dir()
        .join("spot-advisor")
        .join(format!("spot-advisor-data.{date}.json"));
    // Absolute, so that scenarios written to a temporary folder find it too.
    path.canonicalize().unwrap_or_else(|e| {
        panic!(
            "shared data missing: {}: {e} (set SPOTSIM_SHARED_DATA to the shared data folder)",
            path.display()
        )
    })
}

fn advisor_section(path: &std::path::Path, extra: &str) -> String {
    format!(
        "[market]\nmodel = \"advisor\"\npath = \"{}\"\nregion = \"us-east-1\"\n{extra}",
        path.display()
    )
}

fn hazard(monthly_fraction: f64) -> f64 {
    -(1.0 - monthly_fraction).ln() / (730.0 * HOUR)
}

#[test]
fn advisor_band_gives_the_reference_hazard() {
    // 2025-06-28, us-east-1, Linux: g4dn.xlarge is in band 3 ("15-20%", feed max 22), whose
    // lower edge is band 2's max, 16.
    let path = snapshot("2025-06-28");
    for (band, p) in [("upper", 0.22), ("mid", 0.19), ("lower", 0.16)] {
        let section = advisor_section(
            &path,
            &format!("instance_type = \"g4dn.xlarge\"\nband = \"{band}\""),
        );
        let mean = market(&section, 1).mean_uptime_seconds().expect("finite");
        let expected = 1.0 / hazard(p);
        assert!(
            (mean / expected - 1.0).abs() < 1e-12,
            "{band}: {mean} vs {expected}"
        );
    }
    // The open top band (">20%", feed max 100) is capped at 50 % per month; p3.2xlarge is there,
    // and the job's instance type is the default.
    let p3 = market(&advisor_section(&path, ""), 1);
    let expected = 1.0 / hazard(0.5);
    assert!((p3.mean_uptime_seconds().expect("finite") / expected - 1.0).abs() < 1e-12);
    // The lower edge of "<5%" is no interruption at all.
    let never = market(
        &advisor_section(&path, "instance_type = \"c5.xlarge\"\nband = \"lower\""),
        1,
    );
    assert_eq!(never.mean_uptime_seconds(), None);
    let capacity = first_periods(never.as_ref(), 10, 1);
    assert!(capacity.iter().all(|c| c.lost_seconds == f64::INFINITY));
}

#[test]
fn advisor_uptimes_are_exponential_and_a_gang_adds_hazards() {
    // 2021-02-10, us-east-1, Linux: g4dn.xlarge is in band 1 ("5-10%", feed max 11).
    let path = snapshot("2021-02-10");
    let section = advisor_section(&path, "instance_type = \"ml.g4dn.xlarge\"");
    for n in [1, 8] {
        let model = market(&section, n);
        let mean = 1.0 / (f64::from(n) * hazard(0.11));
        let reported = model.mean_uptime_seconds().expect("finite");
        assert!((reported / mean - 1.0).abs() < 1e-12);
        let samples = uptimes(model.as_ref(), 100_000, 40 + u64::from(n));
        assert_moments(
            &format!("advisor gang of {n}"),
            &samples,
            exponential_raw(mean),
        );
        assert_ks(&format!("advisor gang of {n}"), &samples, |t| {
            1.0 - (-t / mean).exp()
        });
    }
}

#[test]
fn advisor_defaults_to_the_newest_snapshot_and_the_jobs_instance_type() {
    let newest = std::fs::read_dir(shared_data_dir().join("spot-advisor"))
        .expect("shared data: spot-advisor/")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("spot-advisor-data.") && name.ends_with(".json"))
        .max()
        .expect("a snapshot");
    let scenario =
        Scenario::load(&scenario_path("advisor-p3.toml")).expect("shipped scenario is valid");
    let resolved = scenario.to_toml_string();
    assert!(resolved.contains(&newest), "{newest}: {resolved}");
    assert!(
        resolved.contains("instance_type = \"p3.2xlarge\""),
        "{resolved}"
    );
}

// ---------------------------------------------------------------------------------------------
// invalid input: exit status 2, one line naming the key

/// Runs `spotsim validate` on `text`; returns (exit code, stderr).
fn validate(text: &str) -> (Option<i32>, String) {
    let dir = TempDir::new().expect("temporary folder");
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, text).expect("write scenario");
    let output = cargo_bin_cmd!("spotsim")
        .arg("validate")
        .arg(&file)
        .output()
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[track_caller]
pub(crate) fn assert_rejected(section: &str, key: &str, mentions: &[&str]) {
    let (code, stderr) = validate(&scenario_text(section, 1));
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert!(stderr.contains("bad.toml"), "names the file: {stderr}");
    assert!(
        stderr.contains(&format!("[market] {key}")),
        "names the key: {stderr}"
    );
    for word in mentions {
        assert!(stderr.contains(word), "mentions {word:?}: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

#[test]
fn advisor_errors_name_the_key_and_valid_choices() {
    let path = snapshot("2025-06-28");
    assert_rejected(
        &advisor_section(&path, "").replace("us-east-1", "us-middle-1"),
        "region",
        &["us-middle-1", "us-east-1"],
    );
    assert_rejected(
        &format!(
            "[market]\nmodel = \"advisor\"\npath = \"{}\"",
            path.display()
        ),
        "region",
        &["needs this key", "us-east-1"],
    );
    assert_rejected(
        &advisor_section(&path, "os = \"BeOS\""),
        "os",
        &["BeOS", "Linux", "Windows"],
    );
    assert_rejected(
        &advisor_section(&path, "instance_type = \"p3.3xlarge\""),
        "instance_type",
        &["p3.3xlarge", "p3.2xlarge"],
    );
    assert_rejected(
        &advisor_section(&path, "band = \"top\""),
        "band",
        &["upper", "mid", "lower"],
    );
    assert_rejected(
        &advisor_section(
            &path.with_file_name("spot-advisor-data.1999-01-01.json"),
            "",
        ),
        "path",
        &["not found", "1999-01-01", "SPOTSIM_DATA"],
    );
}

#[test]
fn stochastic_model_errors_name_the_key() {
    assert_rejected(
        "[market]\nmodel = \"weibull\"\nscale = \"1.4h\"",
        "shape",
        &["needs this key"],
    );
    assert_rejected(
        "[market]\nmodel = \"weibull\"\nshape = -1\nscale = \"1.4h\"",
        "shape",
        &["greater than zero"],
    );
    assert_rejected(
        "[market]\nmodel = \"weibull\"\nshape = 0.62\nscale = \"1.4h\"\nmean_uptime = \"2h\"",
        "mean_uptime",
        &["unknown key", "shape, scale"],
    );
    assert_rejected(
        "[market]\nmodel = \"lognormal\"\nmedian_uptime = \"47m\"",
        "sigma",
        &["needs this key"],
    );
    assert_rejected(
        "[market]\nmodel = \"lognormal\"\nmedian_uptime = \"0s\"\nsigma = 1",
        "median_uptime",
        &["greater than zero"],
    );
    assert_rejected(
        "[market]\nmodel = \"markov\"\navailable = { mean = \"2h\" }",
        "unavailable",
        &["needs this key", "mean"],
    );
    assert_rejected(
        "[market]\nmodel = \"markov\"\navailable = { mean = \"2h\", shape = 0.6 }\nunavailable = { mean = \"1h\" }",
        "available",
        &["either mean alone or shape and scale"],
    );
    assert_rejected(
        "[market]\nmodel = \"markov\"\navailable = { mean = \"2h\" }\nunavailable = { median = \"1h\" }",
        "unavailable",
        &["unknown field \"median\""],
    );
}

// ---------------------------------------------------------------------------------------------
// end to end

#[test]
fn simulate_runs_the_weibull_gpu_scenario() {
    let output = cargo_bin_cmd!("spotsim")
        .arg("simulate")
        .arg(scenario_path("weibull-gpu.toml"))
        .args(["--trials", "4000", "--format", "json"])
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).expect("JSON summary");
    let completed = summary["outcomes"]["Completed"]["probability"]
        .as_f64()
        .expect("P(Completed)");
    let interruptions = summary["metrics"]["interruptions"]["mean"]
        .as_f64()
        .expect("mean interruptions");
    println!("weibull-gpu: P(Completed) = {completed}, interruptions {interruptions}");
    // 8 h of training with 15-minute checkpoints against a ≈ 2 h mean lifetime and a 30-minute
    // mean capacity wait needs ≈ 13 h of wall clock on average: most jobs fit in 18 h, not all,
    // and every job is interrupted several times.
    assert!(
        (0.8..0.99).contains(&completed),
        "P(Completed) = {completed}"
    );
    assert!(interruptions > 3.0, "interruptions = {interruptions}");
    assert_eq!(
        summary["outcomes"]["MaxRuntimeExceeded"]["count"].as_u64(),
        Some(0)
    );
}
