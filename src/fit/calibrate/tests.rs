use super::*;
use crate::sagemaker::history::Transition;

/// A finished spot job on one instance with these (status, seconds from creation).
fn job(transitions: &[(&'static str, i64)]) -> TrainingJob {
    let last = transitions.last().map_or("Completed", |t| t.0);
    TrainingJob {
        file: "jobs.json".into(),
        line: 1,
        name: "j".into(),
        status: match last {
            "Completed" => "Completed",
            "Failed" => "Failed",
            _ => "Stopped",
        },
        secondary_status: last,
        creation_millis: 0,
        training_end_millis: None,
        instance_type: Some("ml.p3.2xlarge".into()),
        instance_count: Some(1),
        instance_groups: false,
        managed_spot: true,
        max_runtime_seconds: Some(86_400),
        max_wait_seconds: Some(172_800),
        checkpoint_s3_uri: None,
        max_retry_attempts: None,
        training_time_seconds: None,
        billable_time_seconds: None,
        failure_reason: None,
        transitions: transitions
            .iter()
            .map(|&(status, s)| Transition {
                status,
                start_millis: s * 1000,
                end_millis: None,
                message: None,
            })
            .collect(),
    }
}

fn walked(job: &TrainingJob, p: f64) -> Result<GangSample, String> {
    let mut gang = GangSample::default();
    walk(job, p, &mut gang).map(|()| gang)
}

#[test]
fn provisioning_splits_starting_into_wait_and_lifetime() {
    // Starting 0–400 (P = 100: wait 300), held 400–1000, Interrupted at 1000;
    // Starting 1000–1050 (interrupted while provisioning); Starting 1100–1300, held
    // 1300–2000, Completed.
    let j = job(&[
        ("Starting", 0),
        ("Downloading", 400),
        ("Training", 500),
        ("Interrupted", 1000),
        ("Starting", 1000),
        ("Interrupted", 1050),
        ("Starting", 1050),
        ("Downloading", 1300),
        ("Training", 1400),
        ("Uploading", 1900),
        ("Completed", 2000),
    ]);
    let g = walked(&j, 100.0).unwrap();
    assert_eq!(
        g.uptimes,
        [Episode::complete(700.0), Episode::censored(800.0)]
    );
    assert_eq!(
        g.capacity_waits,
        [Episode::complete(300.0), Episode::complete(150.0)]
    );
    assert_eq!((g.provisioning_losses, g.short_starts, g.jobs), (1, 0, 1));
}

#[test]
fn stops_censor_what_was_running() {
    // MaxWait while waiting: the wait lasted at least 500 − P.
    let j = job(&[
        ("Starting", 0),
        ("Stopping", 500),
        ("MaxWaitTimeExceeded", 500),
    ]);
    let g = walked(&j, 60.0).unwrap();
    assert_eq!(g.capacity_waits, [Episode::censored(440.0)]);
    assert!(g.uptimes.is_empty());
    // A retry after an error (Starting straight after Training) censors the lifetime.
    let j = job(&[
        ("Starting", 0),
        ("Training", 60),
        ("Starting", 200),
        ("Training", 230),
        ("Completed", 300),
    ]);
    let g = walked(&j, 60.0).unwrap();
    assert_eq!(
        g.uptimes,
        [Episode::censored(200.0), Episode::censored(130.0)]
    );
    // The second Starting is shorter than P: its wait is 0 and counted.
    assert_eq!(
        g.capacity_waits,
        [Episode::complete(0.0), Episode::complete(0.0)]
    );
    assert_eq!(g.short_starts, 1);
}

#[test]
fn pending_spans_are_the_wait_itself() {
    let j = job(&[
        ("Pending", 0),
        ("Starting", 700),
        ("Downloading", 760),
        ("Interrupted", 900),
        ("Pending", 900),
        ("Starting", 1000),
        ("Interrupted", 1010),
        ("Pending", 1010),
        ("Stopping", 2000),
        ("MaxWaitTimeExceeded", 2000),
    ]);
    let g = walked(&j, 60.0).unwrap();
    assert_eq!(
        g.capacity_waits,
        [
            Episode::complete(700.0),
            Episode::complete(100.0),
            Episode::censored(990.0)
        ]
    );
    assert_eq!(g.uptimes, [Episode::complete(200.0)]);
    assert_eq!(g.provisioning_losses, 1);
}

#[test]
fn joint_information_is_the_curvature_of_the_written_out_likelihood() {
    // Two gang sizes, delayed entry 1: events and censorings by hand.
    let single = [
        (1.5, false),
        (2.5, false),
        (4.0, true),
        (1.2, false),
        (6.0, false),
    ];
    let gang = [
        (1.1, false),
        (1.4, false),
        (2.0, true),
        (1.3, false),
        (1.8, false),
    ];
    let sample = |n: u32, items: &[(f64, bool)]| GangSample {
        instance_count: n,
        jobs: 1,
        uptimes: items
            .iter()
            .map(|&(t, c)| {
                if c {
                    Episode::censored(t)
                } else {
                    Episode::complete(t)
                }
            })
            .collect(),
        ..GangSample::default()
    };
    let gangs = [sample(1, &single), sample(4, &gang)];
    let rho = 0.3;
    let (episodes, multipliers, slopes) = joint(&gangs, rho);
    let observation = Observation {
        entry_seconds: 1.0,
        hazard_multipliers: Some(&multipliers),
    };
    let mut fit = crate::fit::fit_weibull_observed(&episodes, &observation).unwrap();
    let information = JointInformation {
        episodes: &episodes,
        multipliers: &multipliers,
        slopes,
        entry: 1.0,
    };
    let se_rho = information.weibull(&mut fit).unwrap();
    // ln L(k, λ, ρ) written out; its numerical Hessian, inverted.
    let ll = |p: [f64; 3]| -> f64 {
        let [k, lambda, rho] = p;
        let h = |t: f64| (t / lambda).powf(k);
        gangs
            .iter()
            .flat_map(|g| {
                let c = effective_gang_size(g.instance_count, rho);
                g.uptimes.iter().map(move |e| (e, c))
            })
            .map(|(e, c)| {
                let t = e.duration_seconds;
                let survival = -c * (h(t) - h(1.0));
                if e.censored {
                    survival
                } else {
                    c.ln() + k.ln() - lambda.ln() + (k - 1.0) * (t / lambda).ln() + survival
                }
            })
            .sum()
    };
    let at = [fit.shape, fit.scale_seconds, rho];
    let step = [1e-4 * at[0], 1e-4 * at[1], 1e-4];
    let mut hessian = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            let shifted = |si: f64, sj: f64| {
                let mut p = at;
                p[i] += si * step[i];
                p[j] += sj * step[j];
                ll(p)
            };
            hessian[i][j] = -(shifted(1.0, 1.0) - shifted(1.0, -1.0) - shifted(-1.0, 1.0)
                + shifted(-1.0, -1.0))
                / (4.0 * step[i] * step[j]);
        }
    }
    let inverse = inverse3(hessian).unwrap();
    assert!((inverse[0][0].sqrt() / fit.shape_se - 1.0).abs() < 1e-3);
    assert!((inverse[1][1].sqrt() / fit.scale_se_seconds - 1.0).abs() < 1e-3);
    assert!((inverse[2][2].sqrt() / se_rho - 1.0).abs() < 1e-3);
    // The exponential's (rate, ρ) block the same way.
    let mut exp = crate::fit::fit_exponential_observed(&episodes, &observation).unwrap();
    let se_rho = information.exponential(&mut exp).unwrap();
    let ll = |r: f64, rho: f64| -> f64 {
        gangs
            .iter()
            .flat_map(|g| {
                let c = effective_gang_size(g.instance_count, rho);
                g.uptimes.iter().map(move |e| (e, c))
            })
            .map(|(e, c)| {
                let exposure = -c * r * (e.duration_seconds - 1.0);
                if e.censored {
                    exposure
                } else {
                    (c * r).ln() + exposure
                }
            })
            .sum()
    };
    let (r, hr, hp) = (exp.rate_per_second, 1e-4 * exp.rate_per_second, 1e-4);
    let d2 = |a: f64, b: f64| ll(r + a * hr, rho + b * hp);
    let i_rr = -(d2(1.0, 0.0) - 2.0 * d2(0.0, 0.0) + d2(-1.0, 0.0)) / (hr * hr);
    let i_pp = -(d2(0.0, 1.0) - 2.0 * d2(0.0, 0.0) + d2(0.0, -1.0)) / (hp * hp);
    let i_rp = -(d2(1.0, 1.0) - d2(1.0, -1.0) - d2(-1.0, 1.0) + d2(-1.0, -1.0)) / (4.0 * hr * hp);
    let det = i_rr * i_pp - i_rp * i_rp;
    assert!(((i_pp / det).sqrt() / exp.rate_se - 1.0).abs() < 1e-3);
    assert!(((i_rr / det).sqrt() / se_rho - 1.0).abs() < 1e-3);
}

#[test]
fn out_of_order_transitions_are_named() {
    let j = job(&[("Downloading", 0), ("Completed", 10)]);
    assert!(walked(&j, 0.0).unwrap_err().contains("without a Starting"));
    let j = job(&[("Starting", 0), ("Restarting", 10), ("Completed", 20)]);
    assert!(walked(&j, 0.0).unwrap_err().contains("Restarting"));
    let j = job(&[("Interrupted", 0), ("Completed", 10)]);
    assert!(walked(&j, 0.0).unwrap_err().contains("without capacity"));
}
