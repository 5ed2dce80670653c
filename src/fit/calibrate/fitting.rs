//! The fits: the common share ρ of a gang's interruptions (given, estimated by profile
//! likelihood or assumed), one instance's lifetime fitted jointly with it, the capacity waits,
//! and each gang size on its own.

use super::*;

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
pub(super) fn pooled(gangs: &[GangSample], rho: f64) -> (Vec<Episode>, Vec<f64>) {
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
pub(super) enum Model {
    Exponential,
    Weibull,
}

/// The maximised log-likelihood of `model` at ρ.
pub(super) fn profile_log_likelihood(
    gangs: &[GangSample],
    entry: f64,
    model: Model,
    rho: f64,
) -> Option<f64> {
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
pub(super) fn estimate_rho(gangs: &[GangSample], entry: f64, model: Model) -> Option<f64> {
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
pub(super) fn inverse3(m: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
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
pub(super) struct JointInformation<'a> {
    pub(super) episodes: &'a [Episode],
    pub(super) multipliers: &'a [f64],
    pub(super) slopes: Vec<f64>,
    pub(super) entry: f64,
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
    pub(super) fn exponential(&self, fit: &mut crate::fit::ExponentialFit) -> Option<f64> {
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
    pub(super) fn weibull(&self, fit: &mut crate::fit::WeibullFit) -> Option<f64> {
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
pub(super) fn joint(gangs: &[GangSample], rho: f64) -> (Vec<Episode>, Vec<f64>, Vec<f64>) {
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
pub(super) fn interior(rho: f64) -> bool {
    rho > 1e-6 && rho < 1.0 - 1e-6
}

/// One instance's lifetime from every gang size: each model at its own ρ (estimated when
/// `estimate`, else `rho`); returns the fits and the (ρ, SE) of the model with the lower AIC.
/// An estimated ρ counts as a parameter in both AICs.
pub(super) fn fit_uptime(
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
