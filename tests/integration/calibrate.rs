//! `spotsim calibrate`: markets from DescribeTrainingJob documents.
//!
//! * The censored fits with delayed entry and hazard multipliers (what instance lifetimes
//!   behind provisioning and gangs need) recover known parameters within 3 reported standard
//!   errors, and the standard errors match the spread of repeated fits.
//!
//! All randomness comes from fixed seeds.

use spotsim::fit::{Episode, Observation, fit_exponential_observed, fit_weibull_observed};
use spotsim::random::{Stream, stream_rng, unit_open_closed};

const HOUR: f64 = 3600.0;
const SHAPE: f64 = 0.62;
const SCALE: f64 = 1.4 * HOUR;

/// Lifetimes of one instance Weibull(SHAPE, SCALE), seen only once they passed `entry`, in two
/// groups whose hazard is 1 and `gang` times one instance's (alternately), each censored at
/// `entry` + an exponential time of mean 3 h. Drawn by inversion of the conditional survival:
/// `c·(H(T) − H(e)) = −ln U`.
fn observed_sample(seed: u64, n: usize, entry: f64, gang: f64) -> (Vec<Episode>, Vec<f64>) {
    let mut times = stream_rng(seed, 0, Stream::Uptime);
    let mut censoring = stream_rng(seed, 0, Stream::CapacityWait);
    let h_entry = (entry / SCALE).powf(SHAPE);
    (0..n)
        .map(|i| {
            let c = if i % 2 == 0 { 1.0 } else { gang };
            let u = unit_open_closed(&mut times);
            let t = SCALE * (h_entry - u.ln() / c).powf(1.0 / SHAPE);
            let stop = entry - 3.0 * HOUR * unit_open_closed(&mut censoring).ln();
            let episode = if stop < t {
                Episode::censored(stop)
            } else {
                Episode::complete(t)
            };
            (episode, c)
        })
        .unzip()
}

fn mean_and_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, variance.sqrt())
}

#[test]
fn fits_with_delayed_entry_and_gang_multipliers_recover_one_instance() {
    let (episodes, multipliers) = observed_sample(31, 20_000, 300.0, 5.2);
    let observation = Observation {
        entry_seconds: 300.0,
        hazard_multipliers: Some(&multipliers),
    };
    let fit = fit_weibull_observed(&episodes, &observation).expect("a fit");
    let z_shape = (fit.shape - SHAPE) / fit.shape_se;
    let z_scale = (fit.scale_seconds - SCALE) / fit.scale_se_seconds;
    let true_mean = spotsim::market::distribution::weibull_mean(SHAPE, SCALE);
    let z_mean = (fit.mean_seconds - true_mean) / fit.mean_se_seconds;
    println!(
        "shape {:.4} ± {:.4} (z {z_shape:+.2}), scale {:.3} ± {:.3} h (z {z_scale:+.2}), mean z {z_mean:+.2}, KS {:.4}",
        fit.shape,
        fit.shape_se,
        fit.scale_seconds / HOUR,
        fit.scale_se_seconds / HOUR,
        fit.ks
    );
    assert!(z_shape.abs() < 3.0 && z_scale.abs() < 3.0 && z_mean.abs() < 3.0);
    // Each group against its own conditional distribution: KS at the α = 0.01 level of a
    // group of 10,000.
    assert!(fit.ks < 1.63 / 10_000f64.sqrt(), "KS {}", fit.ks);
    // Ignoring the entry and the gang would be far off: the check has teeth.
    let naive = spotsim::fit::fit_weibull(&episodes).unwrap();
    assert!((naive.scale_seconds - SCALE).abs() > 10.0 * naive.scale_se_seconds);

    let fits: Vec<_> = (0..50)
        .map(|r| {
            let (e, m) = observed_sample(2_000 + r, 2_000, 300.0, 5.2);
            let observation = Observation {
                entry_seconds: 300.0,
                hazard_multipliers: Some(&m),
            };
            fit_weibull_observed(&e, &observation).unwrap()
        })
        .collect();
    for (label, estimates, se) in [
        (
            "shape",
            fits.iter().map(|f| f.shape).collect::<Vec<_>>(),
            fits.iter().map(|f| f.shape_se).sum::<f64>() / 50.0,
        ),
        (
            "scale",
            fits.iter().map(|f| f.scale_seconds).collect(),
            fits.iter().map(|f| f.scale_se_seconds).sum::<f64>() / 50.0,
        ),
        (
            "mean",
            fits.iter().map(|f| f.mean_seconds).collect(),
            fits.iter().map(|f| f.mean_se_seconds).sum::<f64>() / 50.0,
        ),
    ] {
        let (_, sd) = mean_and_sd(&estimates);
        println!("{label}: sd of 50 fits {sd:.4} vs mean SE {se:.4}");
        assert!((sd / se - 1.0).abs() < 0.25, "{label}: sd {sd} vs SE {se}");
    }
}

#[test]
fn exponential_fit_with_delayed_entry_is_memoryless() {
    // Exponential lifetimes (mean 2 h) seen after 10 minutes: the rate is events / Σ c(t − e).
    let mean = 2.0 * HOUR;
    let mut times = stream_rng(41, 0, Stream::Uptime);
    let (episodes, multipliers): (Vec<Episode>, Vec<f64>) = (0..20_000)
        .map(|i| {
            let c = if i % 3 == 0 { 3.0 } else { 1.0 };
            let t = 600.0 - mean / c * unit_open_closed(&mut times).ln();
            (Episode::complete(t), c)
        })
        .unzip();
    let observation = Observation {
        entry_seconds: 600.0,
        hazard_multipliers: Some(&multipliers),
    };
    let fit = fit_exponential_observed(&episodes, &observation).unwrap();
    let z = (fit.mean_seconds - mean) / fit.mean_se_seconds;
    println!("mean {:.4} h (z {z:+.2})", fit.mean_seconds / HOUR);
    assert!(z.abs() < 3.0, "z = {z}");
}
