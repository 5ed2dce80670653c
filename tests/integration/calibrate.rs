//! `spotsim calibrate`: markets from DescribeTrainingJob documents.
//!
//! * The censored fits with delayed entry and hazard multipliers (what instance lifetimes
//!   behind provisioning and gangs need) recover known parameters within 3 reported standard
//!   errors, and the standard errors match the spread of repeated fits.
//!
//! All randomness comes from fixed seeds.

use crate::common::{json_of, parse, stdout_of};
use crate::fit::mean_and_sd;
use crate::markets::scenario_text;
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use spotsim::fit::calibrate::{Settings, calibrate, extract};
use spotsim::fit::{Episode, Observation, fit_exponential_observed, fit_weibull_observed};
use spotsim::random::{Stream, stream_rng, unit_open_closed};
use spotsim::sagemaker::describe::DescribeTrainingJob;
use spotsim::sagemaker::history::{History, parse_job};
use spotsim::{Engine, Scenario};
use std::path::PathBuf;
use tempfile::TempDir;

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

// ---------------------------------------------------------------------------------------------
// round trips: `describe` documents of simulated jobs calibrate back to the known market

/// A managed-spot job named `name` on `instance_count` instances of a market `[market]`
/// (8 h of training, MaxWait 24 h, provisioning 5 minutes: the markets tests' job).
fn job_scenario(name: &str, instance_count: u32, market: &str) -> String {
    scenario_text(market, instance_count)
        .replace("name = \"markets\"", &format!("name = \"{name}\""))
}

/// The DescribeTrainingJob documents of `trials` of `scenario`, rendered by the library.
pub(crate) fn history(scenario: &Scenario, trials: std::ops::Range<u64>) -> Vec<Value> {
    let engine = Engine::new(scenario);
    trials
        .map(|k| {
            let (outcome, timeline) = engine.run_with_timeline(k);
            serde_json::to_value(DescribeTrainingJob::new(scenario, k, &outcome, &timeline))
                .expect("a document")
        })
        .collect()
}

/// Writes documents as JSON lines into `dir/name`.
pub(crate) fn write_lines(dir: &TempDir, name: &str, documents: &[Value]) -> PathBuf {
    let path = dir.path().join(name);
    let text: String = documents.iter().map(|d| format!("{d}\n")).collect();
    std::fs::write(&path, text).expect("write the documents");
    path
}

/// `spotsim calibrate ARGS --format json`, which must succeed.
fn calibrate_json(args: &[&std::ffi::OsStr]) -> Value {
    json_of(
        cargo_bin_cmd!("spotsim")
            .arg("calibrate")
            .args(args)
            .args(["--format", "json"])
            .output()
            .expect("the binary runs"),
    )
}

/// `(estimate − truth) / se` of `fit[estimate]` and `fit[se]`, printed.
#[track_caller]
fn z(label: &str, fit: &Value, estimate: &str, se: &str, truth: f64) -> f64 {
    let (value, error) = (fit[estimate].as_f64().unwrap(), fit[se].as_f64().unwrap());
    let z = (value - truth) / error;
    println!("{label}: {estimate} {value:.5} ± {error:.5} vs {truth:.5} (z {z:+.2})");
    z
}

/// The `describe` documents of trials 0..500 of a single-instance job on `market` (written to
/// a temporary folder, kept alive by the returned guard), calibrated with the job's 5 minutes
/// of provisioning.
fn calibrated(name: &str, market: &str) -> (TempDir, PathBuf, Value) {
    let scenario = parse(&job_scenario(name, 1, market));
    let dir = TempDir::new().unwrap();
    let jobs = write_lines(&dir, "jobs.jsonl", &history(&scenario, 0..500));
    let report = calibrate_json(&[jobs.as_os_str(), "--provisioning".as_ref(), "5m".as_ref()]);
    (dir, jobs, report)
}

#[test]
fn describe_documents_of_a_weibull_market_calibrate_back_to_it() {
    let (_dir, jobs, report) = calibrated(
        "weibull-history",
        "[market]\nmodel = \"weibull\"\nshape = 0.62\nscale = \"1.4h\"\nmean_capacity_wait = \"30m\"",
    );
    assert_eq!(report["jobs"]["used"], 500);
    assert_eq!(report["provisioning_seconds"], 300.0);
    let weibull = &report["uptime"]["weibull"];
    let exponential_wait = &report["capacity_wait"]["exponential"];
    for z in [
        z("uptime", weibull, "shape", "shape_se", SHAPE),
        z(
            "uptime",
            weibull,
            "scale_seconds",
            "scale_se_seconds",
            SCALE,
        ),
        z(
            "uptime",
            weibull,
            "mean_seconds",
            "mean_se_seconds",
            spotsim::market::distribution::weibull_mean(SHAPE, SCALE),
        ),
        z(
            "capacity wait",
            exponential_wait,
            "mean_seconds",
            "mean_se_seconds",
            1800.0,
        ),
    ] {
        assert!(z.abs() < 3.0, "z = {z}");
    }
    // A shape of 0.62 loses many instances inside the 5 minutes of provisioning: the fit
    // leaves them out and conditions on surviving provisioning.
    assert!(report["uptime"]["provisioning_losses"].as_u64().unwrap() > 100);
    assert_eq!(report["market"]["model"], "weibull");
    assert!(report["market"].get("correlation").is_none());
    // Reading provisioning as capacity wait (the assumed 0 s) is measurably wrong: the
    // accounting matters.
    let naive = calibrate_json(&[jobs.as_os_str()]);
    let naive_wait = z(
        "capacity wait, provisioning assumed 0",
        &naive["capacity_wait"]["exponential"],
        "mean_seconds",
        "mean_se_seconds",
        1800.0,
    );
    assert!(naive_wait > 5.0, "z = {naive_wait}");
}

#[test]
fn describe_documents_of_an_exponential_market_calibrate_back_to_it() {
    let (_dir, _jobs, report) = calibrated(
        "exponential-history",
        "[market]\nmodel = \"exponential\"\nmean_uptime = \"3h\"\nmean_capacity_wait = \"20m\"",
    );
    let uptime = &report["uptime"];
    for z in [
        z(
            "uptime",
            &uptime["exponential"],
            "mean_seconds",
            "mean_se_seconds",
            3.0 * HOUR,
        ),
        z("uptime", &uptime["weibull"], "shape", "shape_se", 1.0),
        z(
            "capacity wait",
            &report["capacity_wait"]["exponential"],
            "mean_seconds",
            "mean_se_seconds",
            1200.0,
        ),
    ] {
        assert!(z.abs() < 3.0, "z = {z}");
    }
}

#[test]
fn a_correlated_gang_calibrates_back_to_its_common_share() {
    // Gangs of 1 and of 8 on one market: per instance Weibull(0.62, 6 h), ρ = 0.5 (a gang of
    // 8 has N_eff = 4.5 instances' worth of hazard), provisioning 2 minutes.
    let market = "[market]\nmodel = \"weibull\"\nshape = 0.62\nscale = \"6h\"\nmean_capacity_wait = \"20m\"\ncorrelation = 0.5";
    let dir = TempDir::new().unwrap();
    let mut documents = Vec::new();
    for (name, count) in [("single", 1), ("gang-of-8", 8)] {
        let text = job_scenario(name, count, market).replace("\"5m\"", "\"2m\"");
        documents.extend(history(&parse(&text), 0..250));
    }
    let jobs = write_lines(&dir, "jobs.jsonl", &documents);
    let report = calibrate_json(&[jobs.as_os_str(), "--provisioning".as_ref(), "2m".as_ref()]);
    let correlation = &report["correlation"];
    assert_eq!(correlation["source"], "estimated");
    let weibull = &report["uptime"]["weibull"];
    for z in [
        z("correlation", correlation, "rho", "se", 0.5),
        z("uptime", weibull, "shape", "shape_se", SHAPE),
        z(
            "uptime",
            weibull,
            "scale_seconds",
            "scale_se_seconds",
            6.0 * HOUR,
        ),
    ] {
        assert!(z.abs() < 3.0, "z = {z}");
    }
    assert_eq!(report["gangs"].as_array().unwrap().len(), 2);
    assert_eq!(
        report["market"]["correlation"].as_f64().map(|r| r > 0.0),
        Some(true)
    );
}

#[test]
fn the_standard_error_of_the_common_share_matches_its_spread() {
    // 20 histories of 150 single jobs and 150 gangs of 8 (ρ = 0.5), calibrated in-process.
    let market = "[market]\nmodel = \"weibull\"\nshape = 0.62\nscale = \"6h\"\nmean_capacity_wait = \"20m\"\ncorrelation = 0.5";
    let scenarios: Vec<Scenario> = [("single", 1), ("gang-of-8", 8)]
        .iter()
        .map(|(name, count)| parse(&job_scenario(name, *count, market).replace("\"5m\"", "\"2m\"")))
        .collect();
    let settings = Settings {
        provisioning_seconds: 120.0,
        ..Settings::default()
    };
    let estimates: Vec<(f64, f64)> = (0..20)
        .map(|r| {
            let mut jobs = Vec::new();
            for scenario in &scenarios {
                let mut seeded = scenario.clone();
                seeded.simulation.seed = 100 + r;
                for (i, document) in history(&seeded, 0..150).iter().enumerate() {
                    jobs.push(parse_job("history.jsonl", i + 1, document).expect("valid"));
                }
            }
            let history = History {
                jobs,
                duplicates: Vec::new(),
            };
            let calibration = calibrate(&extract(&history, &settings).unwrap(), &settings);
            let c = calibration.correlation;
            (c.rho, c.se.expect("an interior estimate"))
        })
        .collect();
    let rhos: Vec<f64> = estimates.iter().map(|e| e.0).collect();
    let (mean, sd) = mean_and_sd(&rhos);
    let se = estimates.iter().map(|e| e.1).sum::<f64>() / 20.0;
    println!("ρ over 20 histories: mean {mean:.4}, sd {sd:.4} vs mean SE {se:.4}");
    // With 20 repetitions the sample sd is itself uncertain by ≈ 1/√38 ≈ 16 %.
    assert!((sd / se - 1.0).abs() < 0.4, "sd {sd} vs SE {se}");
    assert!((mean - 0.5).abs() < 3.0 * sd / 20f64.sqrt(), "mean {mean}");
}

// ---------------------------------------------------------------------------------------------
// reading: every form a history comes in, what cannot be used, and botocore's rules

/// Rewrites every timestamp string of `document` with `rewrite` (ms since the epoch → JSON).
fn retime(document: &Value, rewrite: &dyn Fn(i64) -> Value) -> Value {
    match document {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let is_time = key.ends_with("Time") && value.is_string();
                    let value = if is_time {
                        let text = value.as_str().unwrap();
                        rewrite(spotsim::sagemaker::time::parse_utc_millis(text).unwrap())
                    } else {
                        retime(value, rewrite)
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| retime(v, rewrite)).collect()),
        other => other.clone(),
    }
}

/// `YYYY-MM-DD HH:MM:SS.ffffff+HH:MM` at `offset_minutes` east of UTC, as Python's
/// `str(datetime)` prints it.
fn python_str(millis: i64, offset_minutes: i64) -> Value {
    let local = spotsim::sagemaker::time::format_utc_millis(millis + offset_minutes * 60_000);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let (h, m) = (offset_minutes.abs() / 60, offset_minutes.abs() % 60);
    Value::String(format!(
        "{} {}000{sign}{h:02}:{m:02}",
        &local[..10],
        &local[11..23]
    ))
}

#[test]
fn every_form_of_history_gives_the_same_calibration() {
    let scenario = crate::common::load("weibull-gpu.toml");
    let documents = history(&scenario, 0..60);
    let dir = TempDir::new().unwrap();
    let reference = calibrate_json(&[
        write_lines(&dir, "lines.jsonl", &documents).as_os_str(),
        "--provisioning".as_ref(),
        "5m".as_ref(),
    ]);
    let array = dir.path().join("array.json");
    std::fs::write(&array, serde_json::to_string_pretty(&documents).unwrap()).unwrap();
    // What `for j in …; do aws sagemaker describe-training-job …; done > all.json` writes.
    let concatenated = dir.path().join("concatenated.json");
    let pretty: Vec<String> = documents
        .iter()
        .map(|d| serde_json::to_string_pretty(d).unwrap())
        .collect();
    std::fs::write(&concatenated, pretty.join("\n")).unwrap();
    // One file per job.
    let singles: Vec<PathBuf> = documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let path = dir.path().join(format!("job-{i}.json"));
            std::fs::write(&path, serde_json::to_string_pretty(d).unwrap()).unwrap();
            path
        })
        .collect();
    let rewritten = |name: &str, rewrite: &dyn Fn(i64) -> Value| {
        let retimed: Vec<Value> = documents.iter().map(|d| retime(d, rewrite)).collect();
        write_lines(&dir, name, &retimed)
    };
    let boto3 = rewritten("boto3.jsonl", &|ms| python_str(ms, 0));
    let berlin = rewritten("offset.jsonl", &|ms| python_str(ms, 120));
    let epoch = rewritten("epoch.jsonl", &|ms| serde_json::json!(ms as f64 / 1000.0));
    let mut variants: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![array.as_os_str()],
        vec![concatenated.as_os_str()],
        vec![boto3.as_os_str()],
        vec![berlin.as_os_str()],
        vec![epoch.as_os_str()],
    ];
    variants.push(singles.iter().map(|p| p.as_os_str()).collect());
    for mut args in variants {
        let label = format!("{:?}", args[0]);
        args.extend([
            std::ffi::OsStr::new("--provisioning"),
            std::ffi::OsStr::new("5m"),
        ]);
        let report = calibrate_json(&args);
        for key in ["uptime", "capacity_wait", "correlation", "gangs", "market"] {
            assert_eq!(report[key], reference[key], "{label}: {key}");
        }
    }
    // Standard input too.
    let output = cargo_bin_cmd!("spotsim")
        .args(["calibrate", "-", "--provisioning", "5m", "--format", "json"])
        .write_stdin(std::fs::read(&array).unwrap())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["uptime"], reference["uptime"]);
}

/// The one-line error of `spotsim calibrate JOBS`, which must exit 2.
#[track_caller]
fn calibrate_rejects(jobs: &std::path::Path) -> String {
    let output = cargo_bin_cmd!("spotsim")
        .arg("calibrate")
        .arg(jobs)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}: {stderr}",
        jobs.display()
    );
    stderr
}

/// A document edited by `edit`.
fn edited(document: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut copy = document.clone();
    edit(&mut copy);
    copy
}

#[test]
fn jobs_that_cannot_be_used_are_named_with_the_reason() {
    let scenario = crate::common::load("weibull-gpu.toml");
    let mut documents = history(&scenario, 0..40);
    let base = documents[0].clone();
    let renamed = |name: &str, mut d: Value| {
        d["TrainingJobName"] = name.into();
        d["TrainingJobArn"] =
            format!("arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}").into();
        d
    };
    documents.push(renamed(
        "on-demand-job",
        edited(&base, |d| d["EnableManagedSpotTraining"] = false.into()),
    ));
    documents.push(renamed(
        "failed-job",
        edited(&base, |d| {
            d["TrainingJobStatus"] = "Failed".into();
            d["SecondaryStatus"] = "Failed".into();
            d["FailureReason"] = "AlgorithmError: out of memory".into();
            let list = d["SecondaryStatusTransitions"].as_array_mut().unwrap();
            list.last_mut().unwrap()["Status"] = "Failed".into();
        }),
    ));
    documents.push(renamed(
        "running-job",
        edited(&base, |d| {
            d["TrainingJobStatus"] = "InProgress".into();
            d["SecondaryStatus"] = "Training".into();
            let list = d["SecondaryStatusTransitions"].as_array_mut().unwrap();
            list.truncate(3);
        }),
    ));
    documents.push(renamed(
        "restarting-job",
        edited(&base, |d| {
            d["SecondaryStatusTransitions"][1]["Status"] = "Restarting".into();
        }),
    ));
    documents.push(renamed(
        "headless-job",
        edited(&base, |d| {
            d["SecondaryStatusTransitions"]
                .as_array_mut()
                .unwrap()
                .remove(0);
        }),
    ));
    documents.push(renamed(
        "other-type-job",
        edited(&base, |d| {
            d["ResourceConfig"]["InstanceType"] = "ml.g5.xlarge".into()
        }),
    ));
    let dir = TempDir::new().unwrap();
    let jobs = write_lines(&dir, "jobs.jsonl", &documents);
    // Two instance types: a market describes one, so spotsim asks which.
    let stderr = calibrate_rejects(&jobs);
    assert!(stderr.contains("--instance-type") && stderr.contains("ml.g5.xlarge (1 jobs)"));

    let stdout = stdout_of(
        cargo_bin_cmd!("spotsim")
            .arg("calibrate")
            .arg(&jobs)
            .args(["--instance-type", "ml.p3.2xlarge", "--provisioning", "5m"])
            .output()
            .unwrap(),
    );
    assert!(
        stdout.contains("46 jobs read, 40 used on ml.p3.2xlarge (6 not used)"),
        "{stdout}"
    );
    for (job, reason) in [
        ("on-demand-job", "not a managed spot job"),
        ("failed-job", "Failed (AlgorithmError: out of memory)"),
        ("running-job", "InProgress: the job has not finished"),
        ("restarting-job", "status Restarting"),
        (
            "headless-job",
            "Downloading (SecondaryStatusTransitions[0]) without a Starting",
        ),
        ("other-type-job", "runs on ml.g5.xlarge"),
    ] {
        let line = stdout
            .lines()
            .find(|l| l.contains(&format!("(job \"{job}\")")))
            .unwrap_or_else(|| panic!("{job} is listed: {stdout}"));
        assert!(
            line.contains("jobs.jsonl:") && line.contains(reason),
            "{line}"
        );
    }
}

#[test]
fn assumptions_are_said_on_stderr() {
    let gang = job_scenario(
        "gang-history",
        4,
        "[market]\nmodel = \"exponential\"\nmean_uptime = \"12h\"\nmean_capacity_wait = \"20m\"",
    );
    let dir = TempDir::new().unwrap();
    let jobs = write_lines(&dir, "jobs.jsonl", &history(&parse(&gang), 0..50));
    let output = cargo_bin_cmd!("spotsim")
        .arg("calibrate")
        .arg(&jobs)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("provisioning: assumed 0 s"), "{stderr}");
    assert!(stderr.contains("assumed ρ = 0"), "{stderr}");
    // Given, nothing is assumed; the market carries the given ρ.
    let output = cargo_bin_cmd!("spotsim")
        .arg("calibrate")
        .arg(&jobs)
        .args([
            "--provisioning",
            "5m",
            "--correlation",
            "0.4",
            "--format",
            "toml",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let section: toml::Table = toml::from_str(&String::from_utf8_lossy(&output.stdout)).unwrap();
    assert_eq!(section["market"]["correlation"].as_float(), Some(0.4));
    // The section is a valid market of a scenario.
    let text = job_scenario("check", 4, &String::from_utf8_lossy(&output.stdout));
    parse(&text);
}

#[test]
fn malformed_and_contradictory_documents_name_the_file_and_the_job() {
    let corpus = crate::common::root().join("tests/corpus");
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Not JSON, or not a job's document: there is no job to name.
        let nameless = ["jobs-not-json.json", "jobs-list-training-jobs-output.json"];
        if !name.starts_with("jobs-") || nameless.contains(&name.as_str()) {
            continue;
        }
        let stderr = calibrate_rejects(&path);
        assert!(stderr.contains(&name), "{name}: {stderr}");
        let job = if name == "jobs-bad-name.json" {
            "bert_spot_7"
        } else {
            "bert-spot-7"
        };
        assert!(stderr.contains(job), "{name} names the job: {stderr}");
    }
}

/// The shape rules are botocore's: documents calibrate rejects for their shape fail
/// `tests/botocore/validate_describe.py` too, and the forms it accepts (offsets, Python's
/// `str(datetime)`) pass it; contradictions are calibrate's own checks on valid shapes.
#[test]
fn shape_rules_agree_with_botocore() {
    let Some(python) = crate::common::botocore_python() else {
        return;
    };
    let validate = |path: &std::path::Path| {
        std::process::Command::new(&python)
            .arg(crate::common::root().join("tests/botocore/validate_describe.py"))
            .arg(path)
            .output()
            .unwrap()
            .status
            .success()
    };
    let corpus = crate::common::root().join("tests/corpus");
    for name in [
        "jobs-missing-creation-time.json",
        "jobs-unknown-status.json",
        "jobs-unknown-transition-status.json",
        "jobs-bad-timestamp.json",
        "jobs-integer-as-string.json",
    ] {
        assert!(!validate(&corpus.join(name)), "botocore accepts {name}");
    }
    for name in [
        "jobs-time-backwards.json",
        "jobs-status-contradiction.json",
        "jobs-billable-above-training.json",
    ] {
        assert!(validate(&corpus.join(name)), "botocore rejects {name}");
    }
    let scenario = crate::common::load("weibull-gpu.toml");
    let dir = TempDir::new().unwrap();
    for (i, document) in history(&scenario, 0..3).iter().enumerate() {
        for (form, rewritten) in [
            ("boto3", retime(document, &|ms| python_str(ms, 0))),
            ("offset", retime(document, &|ms| python_str(ms, -300))),
        ] {
            let path = dir.path().join(format!("{form}-{i}.json"));
            std::fs::write(&path, rewritten.to_string()).unwrap();
            assert!(validate(&path), "{form}-{i}");
            let output = cargo_bin_cmd!("spotsim")
                .arg("calibrate")
                .arg(&path)
                .output()
                .unwrap();
            assert!(output.status.success(), "{form}-{i}");
        }
    }
}
