//! Fitting uptime and downtime distributions to an availability trace.
//!
//! A trace observed over the window `[0, end)` alternates between *uptime episodes* (maximal
//! available periods, as returned by
//! [`TraceData::availability`](crate::market::trace_data::TraceData::availability)) and
//! *downtime episodes* (the gaps between them, and before the first / after the last one).
//!
//! ## Censoring
//!
//! An episode that touches the window start (begins at 0) or the window end (ends at `end`) is
//! **right-censored**: its observed length is a lower bound on its true length.
//! * At the window end this is ordinary right-censoring: the episode was still running when the
//!   observation stopped.
//! * At the window start the episode's true start is unknown. Its observed part is treated the
//!   same way, as a right-censored duration ("the episode lasted at least this long"). That is
//!   a lower bound, so the treatment is conservative; strictly, the first episode is
//!   left-truncated (we see the residual of an episode already in progress), which a
//!   right-censored observation captures exactly for the exponential (memoryless) model and
//!   approximately for the Weibull model.
//! * A trace with a single episode (always or never available) yields one censored episode.
//!
//! Durations are the trace's row spacing apart (≈ 195 s on the shared AWS traces): the fits
//! treat them as exact continuous times.
//!
//! ## Fits
//!
//! Maximum likelihood with right-censoring; `d` = number of uncensored episodes ("events"),
//! `T` = sum of all observed durations (censored ones included):
//! * exponential: rate `d / T` (mean `T / d`), standard error `rate / √d` (mean: `mean / √d`);
//! * Weibull(shape k, scale λ), log-likelihood
//!   `d·ln k − d·k·ln λ + (k − 1)·Σ_events ln tᵢ − Σ_all (tᵢ/λ)^k`. For fixed k the optimum is
//!   `λ^k = Σ_all tᵢ^k / d`; substituting gives the profile equation
//!   `Σ tᵢ^k ln tᵢ / Σ tᵢ^k − 1/k − (1/d)·Σ_events ln tᵢ = 0`, increasing in k, solved by
//!   Newton's method inside a bracket with bisection as fallback ([`mle`]). Standard errors
//!   come from the inverse of the observed information (minus the 2×2 Hessian of the
//!   log-likelihood at the optimum).
//!
//! Log-likelihoods use densities per second. AIC = 2·(parameters) − 2·ln L; the lower wins.
//!
//! ## Goodness of fit
//!
//! The Kolmogorov–Smirnov statistic `D = sup_t |F̂(t) − F(t)|` compares the fitted CDF `F`
//! with the **Kaplan–Meier** estimate `F̂ = 1 − Ŝ` built from all episodes, censored ones
//! included (without censoring it is the empirical CDF, and `D` is the usual statistic). The
//! supremum runs over `[0, longest observed duration]`, where `F̂` is defined ([`km`]). With
//! fitted parameters and censoring the classical KS p-values do not apply; `D` is reported as a
//! distance.

pub mod calibrate;
pub mod correlation;
pub mod km;
pub mod mle;
pub mod source;

pub use km::{kaplan_meier, ks_statistic};
pub use mle::{
    ExponentialFit, Observation, WeibullFit, fit_exponential, fit_exponential_observed,
    fit_weibull, fit_weibull_observed,
};

use serde::Serialize;

/// One observed episode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Episode {
    /// Observed length (seconds), > 0.
    pub duration_seconds: f64,
    /// Whether the true length is only known to be at least `duration_seconds`.
    pub censored: bool,
}

impl Episode {
    /// An uncensored episode.
    pub fn complete(duration_seconds: f64) -> Self {
        Self {
            duration_seconds,
            censored: false,
        }
    }

    /// A right-censored episode.
    pub fn censored(duration_seconds: f64) -> Self {
        Self {
            duration_seconds,
            censored: true,
        }
    }
}

/// The uptime and downtime episodes of a trace, in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Episodes {
    /// Available periods.
    pub uptime: Vec<Episode>,
    /// Unavailable periods.
    pub downtime: Vec<Episode>,
}

/// Splits the window `[0, end)` into uptime episodes (the available `intervals`, clipped to
/// the window) and downtime episodes (the rest). Episodes touching 0 or `end` are censored.
pub fn episodes(intervals: &[(f64, f64)], end: f64) -> Episodes {
    let mut result = Episodes::default();
    let episode = |start: f64, stop: f64| Episode {
        duration_seconds: stop - start,
        censored: start <= 0.0 || stop >= end,
    };
    let mut cursor = 0.0;
    for &(start, stop) in intervals {
        let (start, stop) = (start.max(cursor), stop.min(end));
        if stop <= start {
            continue;
        }
        if start > cursor {
            result.downtime.push(episode(cursor, start));
        }
        result.uptime.push(episode(start, stop));
        cursor = stop;
    }
    if end > cursor {
        result.downtime.push(episode(cursor, end));
    }
    result
}

/// Number of uncensored episodes.
pub fn events(episodes: &[Episode]) -> usize {
    episodes.iter().filter(|e| !e.censored).count()
}

/// The fits of one kind of episode (uptime or downtime).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeFit {
    /// Episodes observed.
    pub n: usize,
    /// Of which right-censored.
    pub censored: usize,
    /// Sum of observed durations (seconds).
    pub total_seconds: f64,
    /// Arithmetic mean of the observed durations, censored ones at their observed length
    /// (seconds); `None` without episodes.
    pub mean_seconds: Option<f64>,
    /// Arithmetic mean of the uncensored durations (seconds).
    pub mean_uncensored_seconds: Option<f64>,
    /// Exponential fit; `None` without an uncensored episode.
    pub exponential: Option<ExponentialFit>,
    /// Weibull fit; `None` without an uncensored episode or when all durations coincide.
    pub weibull: Option<WeibullFit>,
    /// `"weibull"` or `"exponential"`: the lower AIC (when fitted).
    pub best: Option<&'static str>,
}

/// Fits both models to `episodes`.
pub fn fit_episodes(episodes: &[Episode]) -> EpisodeFit {
    fit_episodes_observed(episodes, &Observation::default())
}

/// Fits both models to `episodes` observed as `observation` says (see [`mle`]).
pub fn fit_episodes_observed(episodes: &[Episode], observation: &Observation) -> EpisodeFit {
    let n = episodes.len();
    let censored = n - events(episodes);
    let total_seconds: f64 = episodes.iter().map(|e| e.duration_seconds).sum();
    let complete: Vec<f64> = episodes
        .iter()
        .filter(|e| !e.censored)
        .map(|e| e.duration_seconds)
        .collect();
    let exponential = fit_exponential_observed(episodes, observation);
    let weibull = fit_weibull_observed(episodes, observation);
    let best = match (&exponential, &weibull) {
        (Some(e), Some(w)) => Some(if w.aic < e.aic {
            "weibull"
        } else {
            "exponential"
        }),
        (Some(_), None) => Some("exponential"),
        (None, Some(_)) => Some("weibull"),
        (None, None) => None,
    };
    EpisodeFit {
        n,
        censored,
        total_seconds,
        mean_seconds: (n > 0).then(|| total_seconds / n as f64),
        mean_uncensored_seconds: (!complete.is_empty())
            .then(|| complete.iter().sum::<f64>() / complete.len() as f64),
        exponential,
        weibull,
        best,
    }
}

/// Fits of a whole trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceFit {
    /// Window length (seconds).
    pub window_seconds: f64,
    /// Fraction of the window with capacity.
    pub available_fraction: f64,
    /// Available periods.
    pub uptime: EpisodeFit,
    /// Unavailable periods.
    pub downtime: EpisodeFit,
}

/// Fits uptime and downtime of the available `intervals` within `[0, end)`.
pub fn fit_trace(intervals: &[(f64, f64)], end: f64) -> TraceFit {
    let split = episodes(intervals, end);
    let uptime = fit_episodes(&split.uptime);
    let downtime = fit_episodes(&split.downtime);
    TraceFit {
        window_seconds: end,
        available_fraction: if end > 0.0 {
            uptime.total_seconds / end
        } else {
            0.0
        },
        uptime,
        downtime,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_episodes_are_censored() {
        let split = episodes(&[(0.0, 10.0), (15.0, 20.0), (30.0, 40.0)], 50.0);
        assert_eq!(
            split.uptime,
            [
                Episode::censored(10.0),
                Episode::complete(5.0),
                Episode::complete(10.0)
            ]
        );
        assert_eq!(
            split.downtime,
            [
                Episode::complete(5.0),
                Episode::complete(10.0),
                Episode::censored(10.0)
            ]
        );
        let split = episodes(&[(5.0, 50.0)], 50.0);
        assert_eq!(split.uptime, [Episode::censored(45.0)]);
        assert_eq!(split.downtime, [Episode::censored(5.0)]);
        let split = episodes(&[], 50.0);
        assert!(split.uptime.is_empty());
        assert_eq!(split.downtime, [Episode::censored(50.0)]);
    }

    #[test]
    fn summary_counts_and_means() {
        let fit = fit_trace(&[(0.0, 10.0), (15.0, 20.0), (30.0, 40.0)], 50.0);
        assert_eq!((fit.uptime.n, fit.uptime.censored), (3, 1));
        assert_eq!(fit.uptime.mean_seconds, Some(25.0 / 3.0));
        assert_eq!(fit.uptime.mean_uncensored_seconds, Some(7.5));
        assert!((fit.available_fraction - 0.5).abs() < 1e-12);
        let exp = fit.uptime.exponential.as_ref().unwrap();
        assert!((exp.mean_seconds - 12.5).abs() < 1e-12);
    }
}
