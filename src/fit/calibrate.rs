//! A market from a team's own training jobs: DescribeTrainingJob documents
//! ([`crate::sagemaker::history`]) → censored samples of capacity waits and instance
//! lifetimes → the censored maximum-likelihood fits of [`crate::fit`].
//!
//! ## What a job's transitions say
//! `SecondaryStatusTransitions` is one list for the whole job (reference §2): each attempt is
//! `Starting` (a capacity wait, then provisioning) → `Downloading` → `Training` → `Uploading`,
//! and ends `Interrupted` (the spot capacity was reclaimed), in a retry (`Starting` again
//! after an `InternalServerError`), or with the job (`Stopping`, `Completed`, …). A
//! transition's span runs from its `StartTime` to the next transition's.
//!
//! ## Provisioning and the lifetime of an instance
//! spotsim's uptime clock starts when capacity is **acquired**, at the start of provisioning
//! (reference §3): a lifetime is provisioning + the held time (Downloading, Training,
//! Uploading) until the loss. A `Starting` span mixes the capacity wait W and provisioning P,
//! and nothing in a document separates them, so P must be given (`--provisioning`) or is
//! assumed (and said on stderr). With P:
//! * an attempt that reached Downloading acquired its capacity P before Downloading began:
//!   its capacity wait is `W = Starting − P` (taken as 0, and counted, when the span is
//!   shorter than P — a sign that P is too long), and its instance lifetime is
//!   `U = P + held`: an event when the attempt ends `Interrupted`, right-censored when it
//!   ends another way;
//! * an attempt interrupted while `Starting` lost its capacity during provisioning: U < P, and
//!   where W ends inside the span is unknown. Such lifetimes are left out of the fit and the
//!   fit is made **conditional on surviving provisioning**: every lifetime enters the sample
//!   at P (delayed entry, [`crate::fit::Observation`]), which is the exact likelihood of the
//!   lifetimes that are kept. Their capacity waits are left out too: leaving out by U is
//!   leaving out independently of W, so the waits that remain are an unbiased sample;
//! * an attempt still `Starting` when the job stopped waited at least `Starting − P`
//!   (right-censored; left out when that is 0).
//!
//! With spotsim's `show_capacity_wait_as = "Pending"` a `Pending` span is the capacity wait
//! itself: W is read from it exactly (an event once `Starting` follows, censored when the job
//! stopped while `Pending`), whatever P is.
//!
//! ## Gangs and correlation
//! A gang of N runs until its first loss; under the common-shock model
//! ([`crate::market::correlation`]) its hazard is `N_eff = N − (N − 1)·ρ` times one
//! instance's. The lifetimes of every gang size are fitted together as one instance's
//! lifetime with hazard multipliers `N_eff`. Jobs of one gang size cannot separate ρ from the
//! hazard; with two or more sizes ρ is estimated by maximising the profile likelihood of the
//! Weibull fit over ρ ∈ [0, 1] (a grid of 21 points, then golden-section search), its
//! standard error from the curvature of that profile (a second difference, step 0.005). Both
//! models are then fitted at that ρ.
//!
//! ## What is not used
//! Jobs without managed spot, `Failed` jobs, jobs not yet finished, heterogeneous clusters
//! (`InstanceGroups`), jobs without transitions, statuses spotsim does not model (`Updating`,
//! `Restarting`) and transitions out of the lifecycle's order are listed with the reason and
//! left out; they never stop the run.

use crate::error::InputError;
use crate::fit::{Episode, EpisodeFit, Observation, fit_episodes, fit_episodes_observed};
use crate::market::correlation::effective_gang_size;
use crate::sagemaker::history::{History, LeftOut, TrainingJob};
use serde::Serialize;

/// How calibration treats what the documents do not say.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Provisioning time P (seconds) inside every `Starting` span.
    pub provisioning_seconds: f64,
    /// The common share ρ, when given (otherwise estimated from two or more gang sizes, or 0).
    pub correlation: Option<f64>,
    /// The instance type to calibrate, when the documents hold several.
    pub instance_type: Option<String>,
}

/// The censored samples of the jobs of one gang size.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GangSample {
    /// `InstanceCount`.
    pub instance_count: u32,
    /// Jobs used.
    pub jobs: usize,
    /// Instance lifetimes (provisioning + held), each at least the provisioning time.
    pub uptimes: Vec<Episode>,
    /// Capacity waits.
    pub capacity_waits: Vec<Episode>,
    /// Attempts whose capacity was lost while provisioning (left out of the uptime fit).
    pub provisioning_losses: usize,
    /// `Starting` spans shorter than the provisioning time (their wait taken as 0).
    pub short_starts: usize,
}

/// The samples of all usable jobs of one instance type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    /// The instance type.
    pub instance_type: String,
    /// One sample per gang size, by size.
    pub gangs: Vec<GangSample>,
    /// The jobs left out.
    pub unused: Vec<LeftOut>,
}

/// What a `SecondaryStatus` means for an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Capacity wait shown on its own (`Pending`).
    Pending,
    /// Capacity wait and provisioning.
    Starting,
    /// An instance held: Downloading, Training, Uploading.
    Held,
    /// Capacity reclaimed.
    Interrupted,
    /// The job stops or ends.
    End,
}

fn phase(status: &str) -> Option<Phase> {
    Some(match status {
        "Pending" => Phase::Pending,
        "Starting" | "LaunchingMLInstances" | "PreparingTrainingStack" => Phase::Starting,
        "Downloading" | "DownloadingTrainingImage" | "Training" | "Uploading" => Phase::Held,
        "Interrupted" => Phase::Interrupted,
        "Stopping"
        | "Stopped"
        | "MaxRuntimeExceeded"
        | "MaxWaitTimeExceeded"
        | "Completed"
        | "Failed" => Phase::End,
        _ => return None,
    })
}

/// Where a job's walk through its transitions stands.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// Before the first attempt, or right after an interruption.
    Between,
    /// Waiting for capacity: the `Pending` and `Starting` seconds so far.
    Waiting { pending: f64, starting: f64 },
    /// Holding capacity: held seconds so far.
    Held(f64),
    /// After the job's end.
    Ended,
}

/// One second: spans shorter than P by less than this are rounding, not a short provisioning.
const ROUNDING_SECONDS: f64 = 1.0;

/// The samples one job adds to its gang, or why it cannot be used.
fn walk(job: &TrainingJob, provisioning: f64, gang: &mut GangSample) -> Result<(), String> {
    let mut state = State::Between;
    let mut uptimes = Vec::new();
    let mut waits = Vec::new();
    let (mut losses, mut short) = (0, 0);
    // The capacity wait of an attempt that acquired capacity `starting` seconds before its
    // first held second (or had a Pending span).
    let mut acquired = |pending: f64, starting: f64, waits: &mut Vec<Episode>| {
        if pending > 0.0 {
            waits.push(Episode::complete(pending));
        } else {
            if starting < provisioning - ROUNDING_SECONDS {
                short += 1;
            }
            waits.push(Episode::complete((starting - provisioning).max(0.0)));
        }
    };
    for (i, t) in job.transitions.iter().enumerate() {
        let span = job.transitions.get(i + 1).map_or(0.0, |next| {
            (next.start_millis - t.start_millis) as f64 / 1000.0
        });
        let Some(phase) = phase(t.status) else {
            return Err(format!(
                "status {} (SecondaryStatusTransitions[{i}]) is not part of the lifecycle spotsim models",
                t.status
            ));
        };
        let out_of_order = |what: &str| {
            Err(format!(
                "transitions out of the lifecycle's order: {} (SecondaryStatusTransitions[{i}]) {what}",
                t.status
            ))
        };
        state = match (phase, state) {
            (_, State::Ended) if phase != Phase::End => {
                return out_of_order("after the job's end");
            }
            (_, State::Ended) => State::Ended,
            (Phase::Pending, State::Between) => State::Waiting {
                pending: span,
                starting: 0.0,
            },
            (Phase::Pending, State::Waiting { pending, starting }) if starting == 0.0 => {
                State::Waiting {
                    pending: pending + span,
                    starting,
                }
            }
            (Phase::Pending, State::Waiting { .. }) => {
                return out_of_order("after Starting within one attempt");
            }
            (Phase::Starting, State::Between) => State::Waiting {
                pending: 0.0,
                starting: span,
            },
            (Phase::Starting, State::Waiting { pending, starting }) => State::Waiting {
                pending,
                starting: starting + span,
            },
            (Phase::Pending | Phase::Starting, State::Held(held)) => {
                // A new attempt without an interruption: a retry after an error. The instance
                // was not lost while held.
                uptimes.push(Episode::censored(provisioning + held));
                let pending = if phase == Phase::Pending { span } else { 0.0 };
                State::Waiting {
                    pending,
                    starting: span - pending,
                }
            }
            (Phase::Held, State::Waiting { pending, starting }) => {
                acquired(pending, starting, &mut waits);
                State::Held(span)
            }
            (Phase::Held, State::Held(held)) => State::Held(held + span),
            (Phase::Held, State::Between) => {
                return out_of_order("without a Starting before it");
            }
            (Phase::Interrupted, State::Held(held)) => {
                uptimes.push(Episode::complete(provisioning + held));
                State::Between
            }
            (Phase::Interrupted, State::Waiting { pending, .. }) => {
                // Lost while provisioning: the lifetime is shorter than P and left out.
                losses += 1;
                if pending > 0.0 {
                    waits.push(Episode::complete(pending));
                }
                State::Between
            }
            (Phase::Interrupted, State::Between) => {
                return out_of_order("without capacity held before it");
            }
            (Phase::End, State::Held(held)) => {
                uptimes.push(Episode::censored(provisioning + held));
                State::Ended
            }
            (Phase::End, State::Waiting { pending, starting }) => {
                if pending > 0.0 && starting > 0.0 {
                    waits.push(Episode::complete(pending));
                } else if pending > 0.0 {
                    waits.push(Episode::censored(pending));
                } else if starting - provisioning > 0.0 {
                    waits.push(Episode::censored(starting - provisioning));
                }
                State::Ended
            }
            (Phase::End, State::Between) => State::Ended,
        };
    }
    if state != State::Ended {
        return Err("the transitions do not end with the job's end".into());
    }
    gang.jobs += 1;
    gang.uptimes.extend(uptimes);
    gang.capacity_waits.extend(waits);
    gang.provisioning_losses += losses;
    gang.short_starts += short;
    Ok(())
}

/// Why `job` cannot be calibrated from at all, before its transitions are read.
fn unusable(job: &TrainingJob) -> Option<String> {
    if !job.managed_spot {
        return Some("not a managed spot job (EnableManagedSpotTraining is not true)".into());
    }
    match job.status {
        "Failed" => {
            return Some(format!(
                "Failed ({})",
                job.failure_reason.as_deref().unwrap_or("no FailureReason")
            ));
        }
        "InProgress" | "Stopping" | "Deleting" => {
            return Some(format!(
                "{}: the job has not finished, its last attempt is still open",
                job.status
            ));
        }
        _ => {}
    }
    if job.instance_groups {
        return Some("a heterogeneous cluster (ResourceConfig.InstanceGroups)".into());
    }
    match (&job.instance_type, job.instance_count) {
        (Some(_), Some(count)) if count >= 1 => {}
        _ => {
            return Some(
                "no ResourceConfig.InstanceType and InstanceCount ≥ 1: the gang is unknown".into(),
            );
        }
    }
    if job.transitions.is_empty() {
        return Some("no SecondaryStatusTransitions".into());
    }
    None
}

/// The samples of `history` for the instance type of `settings` (or the only one there is).
pub fn extract(history: &History, settings: &Settings) -> Result<Samples, InputError> {
    let mut unused = Vec::new();
    let leave_out = |job: &TrainingJob, reason: String, unused: &mut Vec<LeftOut>| {
        unused.push(LeftOut::new(job, reason))
    };
    let mut usable = Vec::new();
    for job in &history.jobs {
        match unusable(job) {
            Some(reason) => leave_out(job, reason, &mut unused),
            None => usable.push(job),
        }
    }
    let mut types: Vec<(&str, usize)> = Vec::new();
    for job in &usable {
        let t = job.instance_type.as_deref().unwrap_or_default();
        match types.iter_mut().find(|(name, _)| *name == t) {
            Some((_, count)) => *count += 1,
            None => types.push((t, 1)),
        }
    }
    let listed = || {
        types
            .iter()
            .map(|(t, n)| format!("{t} ({n} jobs)"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let instance_type = match (&settings.instance_type, types.len()) {
        (Some(chosen), _) if types.iter().any(|(t, _)| t == chosen) => chosen.clone(),
        (Some(chosen), 0) => chosen.clone(),
        (Some(chosen), _) => {
            return Err(InputError::new(
                "command line",
                format!(
                    "no usable job runs on {chosen}; the jobs run on {}",
                    listed()
                ),
            )
            .at_key("--instance-type"));
        }
        (None, 0) => String::new(),
        (None, 1) => types[0].0.to_string(),
        (None, _) => {
            return Err(InputError::new(
                "command line",
                format!(
                    "the jobs run on several instance types, {}: a market describes one, choose it with --instance-type",
                    listed()
                ),
            )
            .at_key("--instance-type"));
        }
    };
    let mut gangs: Vec<GangSample> = Vec::new();
    for job in usable {
        if job.instance_type.as_deref() != Some(instance_type.as_str()) {
            let other = job.instance_type.clone().unwrap_or_default();
            leave_out(
                job,
                format!("runs on {other}, not the calibrated {instance_type}"),
                &mut unused,
            );
            continue;
        }
        let count = job.instance_count.unwrap_or(1);
        let index = match gangs.iter().position(|g| g.instance_count == count) {
            Some(i) => i,
            None => {
                gangs.push(GangSample {
                    instance_count: count,
                    ..GangSample::default()
                });
                gangs.len() - 1
            }
        };
        // Walk into a scratch copy so that a job that turns out unusable adds nothing.
        let mut scratch = GangSample::default();
        match walk(job, settings.provisioning_seconds, &mut scratch) {
            Ok(()) => {
                let gang = &mut gangs[index];
                gang.jobs += scratch.jobs;
                gang.uptimes.append(&mut scratch.uptimes);
                gang.capacity_waits.append(&mut scratch.capacity_waits);
                gang.provisioning_losses += scratch.provisioning_losses;
                gang.short_starts += scratch.short_starts;
            }
            Err(reason) => leave_out(job, reason, &mut unused),
        }
    }
    gangs.retain(|g| g.jobs > 0);
    gangs.sort_by_key(|g| g.instance_count);
    Ok(Samples {
        instance_type,
        gangs,
        unused,
    })
}

/// Where the common share ρ came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrelationSource {
    /// Every job ran on one instance: ρ does not matter.
    SingleInstances,
    /// Given by the user.
    Given,
    /// One gang size above 1: ρ cannot be estimated, 0 assumed.
    Assumed,
    /// Estimated from two or more gang sizes.
    Estimated,
}

/// The common share ρ used for the per-instance fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationEstimate {
    /// ρ.
    pub rho: f64,
    /// Its standard error (estimated, inside (0, 1) only).
    pub se: Option<f64>,
    /// Where it came from.
    pub source: CorrelationSource,
}

/// The fits of one gang size, at the gang's own scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GangFit {
    /// `InstanceCount`.
    pub instance_count: u32,
    /// Jobs used.
    pub jobs: usize,
    /// The gang's lifetimes (entry at the provisioning time).
    pub uptime: EpisodeFit,
    /// Its capacity waits.
    pub capacity_wait: EpisodeFit,
    /// Attempts whose capacity was lost while provisioning.
    pub provisioning_losses: usize,
    /// `Starting` spans shorter than the provisioning time.
    pub short_starts: usize,
}

/// A calibrated market.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// The instance type.
    pub instance_type: String,
    /// The provisioning time used (seconds).
    pub provisioning_seconds: f64,
    /// ρ.
    pub correlation: CorrelationEstimate,
    /// One instance's lifetime: every gang size together, hazards × N_eff, entry at P.
    pub uptime: EpisodeFit,
    /// Capacity waits of every gang size together.
    pub capacity_wait: EpisodeFit,
    /// Per gang size.
    pub gangs: Vec<GangFit>,
}

/// All uptimes of `gangs` with their multipliers `N_eff(ρ)`.
fn pooled(gangs: &[GangSample], rho: f64) -> (Vec<Episode>, Vec<f64>) {
    gangs
        .iter()
        .flat_map(|g| {
            let c = effective_gang_size(g.instance_count, rho);
            g.uptimes.iter().map(move |e| (*e, c))
        })
        .unzip()
}

/// The two lifetime models, fitted with their own ρ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    Exponential,
    Weibull,
}

/// The maximised log-likelihood of `model` at ρ.
fn profile_log_likelihood(gangs: &[GangSample], entry: f64, model: Model, rho: f64) -> Option<f64> {
    let (episodes, multipliers) = pooled(gangs, rho);
    let observation = Observation {
        entry_seconds: entry,
        hazard_multipliers: Some(&multipliers),
    };
    match model {
        Model::Exponential => {
            crate::fit::fit_exponential_observed(&episodes, &observation).map(|e| e.log_likelihood)
        }
        Model::Weibull => {
            crate::fit::fit_weibull_observed(&episodes, &observation).map(|w| w.log_likelihood)
        }
    }
}

/// ρ maximising the profile likelihood of `model` over [0, 1].
fn estimate_rho(gangs: &[GangSample], entry: f64, model: Model) -> Option<f64> {
    let ll = |rho: f64| profile_log_likelihood(gangs, entry, model, rho);
    const GRID: usize = 20;
    let grid: Vec<(f64, f64)> = (0..=GRID)
        .filter_map(|i| {
            let rho = i as f64 / GRID as f64;
            ll(rho).map(|v| (rho, v))
        })
        .collect();
    let (best_rho, best_ll) = grid.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let step = 1.0 / GRID as f64;
    let (mut lo, mut hi) = ((best_rho - step).max(0.0), (best_rho + step).min(1.0));
    // Golden-section search for the maximum inside [lo, hi].
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = hi - ratio * (hi - lo);
    let mut b = lo + ratio * (hi - lo);
    let (mut fa, mut fb) = (ll(a)?, ll(b)?);
    while hi - lo > 1e-7 {
        if fa < fb {
            lo = a;
            a = b;
            fa = fb;
            b = lo + ratio * (hi - lo);
            fb = ll(b)?;
        } else {
            hi = b;
            b = a;
            fb = fa;
            a = hi - ratio * (hi - lo);
            fa = ll(a)?;
        }
    }
    let rho = 0.5 * (lo + hi);
    // A grid point at an end of [0, 1] may beat the interior search.
    Some(if best_ll >= ll(rho)? { best_rho } else { rho })
}

/// The inverse of a symmetric positive-definite 3×3 matrix (cofactors), or `None`.
fn inverse3(m: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let cof =
        |r0: usize, r1: usize, c0: usize, c1: usize| m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
    let c = [
        [cof(1, 2, 1, 2), -cof(1, 2, 0, 2), cof(1, 2, 0, 1)],
        [-cof(0, 2, 1, 2), cof(0, 2, 0, 2), -cof(0, 2, 0, 1)],
        [cof(0, 1, 1, 2), -cof(0, 1, 0, 2), cof(0, 1, 0, 1)],
    ];
    let det = m[0][0] * c[0][0] + m[0][1] * c[0][1] + m[0][2] * c[0][2];
    if det.is_nan() || det <= 0.0 {
        return None;
    }
    // The inverse is the transposed cofactor matrix over the determinant (symmetric here).
    Some([0, 1, 2].map(|i| [0, 1, 2].map(|j| c[j][i] / det)))
}

/// One instance's lifetime fitted jointly with ρ: the fit at ρ̂ with standard errors from the
/// full observed information in (parameters, ρ), so that they carry ρ's uncertainty, and the
/// standard error of ρ̂ itself. With `N_eff = N − (N − 1)ρ`, `c' = ∂N_eff/∂ρ = −(N − 1)`:
/// * exponential (rate r): `I_rr = d/r²`, `I_rρ = Σ c'(t − e)`, `I_ρρ = Σ_events (c'/c)²`;
/// * Weibull (k, λ), `z = (t/λ)^k`, `L = ln(t/λ)`, entry terms subtracted as in
///   [`crate::fit::mle`]: `I_kρ = Σ c'(zL − z_e L_e)`, `I_λρ = −(k/λ) Σ c'(z − z_e)`,
///   `I_ρρ = Σ_events (c'/c)²`, and the (k, λ) block of the fixed-ρ fit.
struct JointInformation<'a> {
    episodes: &'a [Episode],
    multipliers: &'a [f64],
    slopes: Vec<f64>,
    entry: f64,
}

impl JointInformation<'_> {
    fn events(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.episodes.len()).filter(|&i| !self.episodes[i].censored)
    }

    fn i_rho_rho(&self) -> f64 {
        self.events()
            .map(|i| (self.slopes[i] / self.multipliers[i]).powi(2))
            .sum()
    }

    /// Widens the exponential fit's standard errors; returns the SE of ρ.
    fn exponential(&self, fit: &mut crate::fit::ExponentialFit) -> Option<f64> {
        let r = fit.rate_per_second;
        let d = self.events().count() as f64;
        let i_rr = d / (r * r);
        let i_r_rho: f64 = self
            .episodes
            .iter()
            .zip(&self.slopes)
            .map(|(e, s)| s * (e.duration_seconds - self.entry))
            .sum();
        let i_rho_rho = self.i_rho_rho();
        let det = i_rr * i_rho_rho - i_r_rho * i_r_rho;
        if det.is_nan() || det <= 0.0 {
            return None;
        }
        fit.rate_se = (i_rho_rho / det).sqrt();
        fit.mean_se_seconds = fit.rate_se / (r * r);
        Some((i_rr / det).sqrt())
    }

    /// Widens the Weibull fit's standard errors; returns the SE of ρ.
    fn weibull(&self, fit: &mut crate::fit::WeibullFit) -> Option<f64> {
        let (k, lambda) = (fit.shape, fit.scale_seconds);
        let d = self.events().count() as f64;
        let term = |t: f64| {
            let l = (t / lambda).ln();
            let z = (k * l).exp();
            (z, z * l, z * l * l)
        };
        let at_entry = if self.entry > 0.0 {
            term(self.entry)
        } else {
            (0.0, 0.0, 0.0)
        };
        let (mut zl2, mut zl, mut s_zl, mut s_z) = (0.0, 0.0, 0.0, 0.0);
        for ((e, c), s) in self.episodes.iter().zip(self.multipliers).zip(&self.slopes) {
            let (z, z_l, z_l2) = term(e.duration_seconds);
            zl2 += c * (z_l2 - at_entry.2);
            zl += c * (z_l - at_entry.1);
            s_zl += s * (z_l - at_entry.1);
            s_z += s * (z - at_entry.0);
        }
        let information = [
            [d / (k * k) + zl2, -(k / lambda) * zl, s_zl],
            [
                -(k / lambda) * zl,
                k * k * d / (lambda * lambda),
                -(k / lambda) * s_z,
            ],
            [s_zl, -(k / lambda) * s_z, self.i_rho_rho()],
        ];
        let inverse = inverse3(information)?;
        let (var_k, var_l, cov) = (inverse[0][0], inverse[1][1], inverse[0][1]);
        fit.shape_se = var_k.sqrt();
        fit.scale_se_seconds = var_l.sqrt();
        fit.correlation = cov / (var_k * var_l).sqrt();
        let gamma = fit.mean_seconds / lambda;
        let dm_dk = -lambda * gamma * statrs::function::gamma::digamma(1.0 + 1.0 / k) / (k * k);
        fit.mean_se_seconds =
            (gamma * gamma * var_l + dm_dk * dm_dk * var_k + 2.0 * gamma * dm_dk * cov)
                .max(0.0)
                .sqrt();
        Some(inverse[2][2].sqrt())
    }
}

/// The pooled uptimes at ρ, their multipliers `N_eff` and slopes `∂N_eff/∂ρ = −(N − 1)`.
fn joint(gangs: &[GangSample], rho: f64) -> (Vec<Episode>, Vec<f64>, Vec<f64>) {
    let (episodes, multipliers) = pooled(gangs, rho);
    let slopes = gangs
        .iter()
        .flat_map(|g| {
            let slope = -(f64::from(g.instance_count) - 1.0);
            g.uptimes.iter().map(move |_| slope)
        })
        .collect();
    (episodes, multipliers, slopes)
}

/// ρ's standard error is meaningful inside (0, 1) only.
fn interior(rho: f64) -> bool {
    rho > 1e-6 && rho < 1.0 - 1e-6
}

/// One instance's lifetime from every gang size: each model at its own ρ (estimated when
/// `estimate`, else `rho`); returns the fits and the (ρ, SE) of the model with the lower AIC.
/// An estimated ρ counts as a parameter in both AICs.
fn fit_uptime(
    gangs: &[GangSample],
    entry: f64,
    rho: f64,
    estimate: bool,
) -> (EpisodeFit, (f64, Option<f64>)) {
    let rho_for = |model| {
        if estimate {
            estimate_rho(gangs, entry, model).unwrap_or(rho)
        } else {
            rho
        }
    };
    let (rho_e, rho_w) = (rho_for(Model::Exponential), rho_for(Model::Weibull));

    let (episodes, multipliers, slopes) = joint(gangs, rho_e);
    let observation = Observation {
        entry_seconds: entry,
        hazard_multipliers: Some(&multipliers),
    };
    let mut exponential = crate::fit::fit_exponential_observed(&episodes, &observation);
    let mut se_e = None;
    if let (Some(e), true) = (exponential.as_mut(), estimate) {
        e.aic += 2.0;
        if interior(rho_e) {
            let information = JointInformation {
                episodes: &episodes,
                multipliers: &multipliers,
                slopes,
                entry,
            };
            se_e = information.exponential(e);
        }
    }

    let (episodes, multipliers, slopes) = joint(gangs, rho_w);
    let observation = Observation {
        entry_seconds: entry,
        hazard_multipliers: Some(&multipliers),
    };
    let mut fit = fit_episodes_observed(&episodes, &observation);
    let mut se_w = None;
    if let (Some(w), true) = (fit.weibull.as_mut(), estimate) {
        w.aic += 2.0;
        if interior(rho_w) {
            let information = JointInformation {
                episodes: &episodes,
                multipliers: &multipliers,
                slopes,
                entry,
            };
            se_w = information.weibull(w);
        }
    }
    fit.exponential = exponential;
    let weibull_wins = match (&fit.exponential, &fit.weibull) {
        (Some(e), Some(w)) => w.aic < e.aic,
        (None, Some(_)) => true,
        _ => false,
    };
    fit.best = match (&fit.exponential, &fit.weibull) {
        (None, None) => None,
        _ if weibull_wins => Some("weibull"),
        _ => Some("exponential"),
    };
    let chosen = if weibull_wins {
        (rho_w, se_w)
    } else {
        (rho_e, se_e)
    };
    (fit, chosen)
}

/// Fits the samples: ρ (given, estimated or assumed), one instance's lifetime, the capacity
/// waits, and each gang size on its own.
pub fn calibrate(samples: &Samples, settings: &Settings) -> Calibration {
    let entry = settings.provisioning_seconds;
    let sizes: Vec<u32> = samples.gangs.iter().map(|g| g.instance_count).collect();
    let source = match settings.correlation {
        Some(_) => CorrelationSource::Given,
        None if sizes.iter().all(|&n| n == 1) => CorrelationSource::SingleInstances,
        None if sizes.len() == 1 => CorrelationSource::Assumed,
        None => CorrelationSource::Estimated,
    };
    let given = settings.correlation.unwrap_or(0.0);
    let (uptime, (rho, se)) = fit_uptime(
        &samples.gangs,
        entry,
        given,
        source == CorrelationSource::Estimated,
    );
    let waits: Vec<Episode> = samples
        .gangs
        .iter()
        .flat_map(|g| g.capacity_waits.iter().copied())
        .collect();
    let gangs = samples
        .gangs
        .iter()
        .map(|g| GangFit {
            instance_count: g.instance_count,
            jobs: g.jobs,
            uptime: fit_episodes_observed(
                &g.uptimes,
                &Observation {
                    entry_seconds: entry,
                    hazard_multipliers: None,
                },
            ),
            capacity_wait: fit_episodes(&g.capacity_waits),
            provisioning_losses: g.provisioning_losses,
            short_starts: g.short_starts,
        })
        .collect();
    Calibration {
        instance_type: samples.instance_type.clone(),
        provisioning_seconds: entry,
        correlation: CorrelationEstimate { rho, se, source },
        uptime,
        capacity_wait: fit_episodes(&waits),
        gangs,
    }
}

#[cfg(test)]
mod tests {
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
        let i_rp =
            -(d2(1.0, 1.0) - d2(1.0, -1.0) - d2(-1.0, 1.0) + d2(-1.0, -1.0)) / (4.0 * hr * hp);
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
}
