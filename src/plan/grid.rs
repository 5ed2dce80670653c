//! The MaxWait grid: whole seconds from MaxRuntime (AWS requires `MaxWaitTimeInSeconds ≥
//! MaxRuntimeInSeconds`) up to a cap, on a step people can type.

use crate::scenario::{MAX_WAIT_LIMIT_SECONDS, Scenario};

/// The most grid points a plan evaluates (memory and run time grow with it).
pub const MAX_GRID_POINTS: usize = 5000;

/// About this many points when the user gives neither a step nor a count.
pub const DEFAULT_GRID_POINTS: usize = 100;

/// Steps the default grid chooses from: round numbers of minutes and hours.
const NICE_STEPS_SECONDS: &[f64] = &[
    1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 3600.0, 7200.0,
    10_800.0, 21_600.0, 43_200.0, 86_400.0, 172_800.0, 604_800.0,
];

/// How the user asked for the grid.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GridSpec {
    /// Largest MaxWait evaluated (default: the larger of 3 × MaxRuntime and the scenario's MaxWait).
    pub cap_seconds: Option<f64>,
    /// Distance between grid points (whole seconds).
    pub step_seconds: Option<f64>,
    /// Number of grid points, evenly spaced (rounded to whole seconds).
    pub points: Option<usize>,
}

/// The grid setting an error is about (the command line maps it to its option).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridSetting {
    /// [`GridSpec::cap_seconds`].
    Cap,
    /// [`GridSpec::step_seconds`].
    Step,
    /// [`GridSpec::points`].
    Points,
}

/// Why a grid cannot be built. The messages name settings, not command-line options.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    /// The cap is below MaxRuntime.
    #[error(
        "the cap ({cap_seconds} s) is below MaxRuntime ({runtime_seconds} s); AWS requires \
         MaxWaitTimeInSeconds ≥ MaxRuntimeInSeconds"
    )]
    CapBelowMaxRuntime {
        /// The cap, rounded.
        cap_seconds: f64,
        /// MaxRuntime, rounded up.
        runtime_seconds: f64,
    },
    /// The cap is above the longest MaxWait.
    #[error("expected at most a year ({MAX_WAIT_LIMIT_SECONDS} s), got {cap_seconds} s")]
    CapAboveLimit {
        /// The cap, rounded.
        cap_seconds: f64,
    },
    /// Both a point count and a step.
    #[error("give either a point count or a step, not both")]
    PointsAndStep,
    /// A point count outside 2 … [`MAX_GRID_POINTS`].
    #[error("expected 2 … {MAX_GRID_POINTS} grid points, got {points}")]
    PointsOutOfRange {
        /// The count given.
        points: usize,
    },
    /// A step under a second.
    #[error("expected a step of at least 1 second")]
    StepTooSmall,
    /// A step that gives more than [`MAX_GRID_POINTS`] points.
    #[error(
        "{count} grid points from {runtime_seconds} s to {cap_seconds} s; at most \
         {MAX_GRID_POINTS} (use a larger step or a smaller cap)"
    )]
    TooManyPoints {
        /// Points the step gives.
        count: usize,
        /// The first point (MaxRuntime).
        runtime_seconds: f64,
        /// The last point (the cap).
        cap_seconds: f64,
    },
}

impl GridError {
    /// The setting the error is about.
    pub fn setting(&self) -> GridSetting {
        match self {
            GridError::CapBelowMaxRuntime { .. } | GridError::CapAboveLimit { .. } => {
                GridSetting::Cap
            }
            GridError::PointsAndStep | GridError::PointsOutOfRange { .. } => GridSetting::Points,
            GridError::StepTooSmall | GridError::TooManyPoints { .. } => GridSetting::Step,
        }
    }
}

/// The default cap: three times MaxRuntime, or the scenario's own MaxWait if that is larger.
pub fn default_cap_seconds(scenario: &Scenario) -> f64 {
    let runtime = scenario.job.max_runtime_seconds;
    let own = scenario.job.max_wait_seconds.unwrap_or(0.0);
    (3.0 * runtime).max(own).min(MAX_WAIT_LIMIT_SECONDS)
}

/// The grid of MaxWait values (sorted, distinct, whole seconds, first = MaxRuntime, last = the
/// cap). The scenario's own MaxWait is included when it lies in range, so the report can say
/// how the current setting fares.
pub fn build_grid(scenario: &Scenario, spec: &GridSpec) -> Result<Vec<f64>, GridError> {
    let runtime = scenario.job.max_runtime_seconds.ceil();
    let cap = match spec.cap_seconds {
        Some(cap) => {
            let cap = cap.round();
            if cap < runtime {
                return Err(GridError::CapBelowMaxRuntime {
                    cap_seconds: cap,
                    runtime_seconds: runtime,
                });
            }
            if cap > MAX_WAIT_LIMIT_SECONDS {
                return Err(GridError::CapAboveLimit { cap_seconds: cap });
            }
            cap
        }
        None => default_cap_seconds(scenario).ceil(),
    };
    let span = cap - runtime;
    let mut grid = if span <= 0.0 {
        vec![runtime]
    } else if let Some(points) = spec.points {
        if spec.step_seconds.is_some() {
            return Err(GridError::PointsAndStep);
        }
        if !(2..=MAX_GRID_POINTS).contains(&points) {
            return Err(GridError::PointsOutOfRange { points });
        }
        (0..points)
            .map(|k| (runtime + span * k as f64 / (points - 1) as f64).round())
            .collect()
    } else {
        let step = match spec.step_seconds {
            Some(step) => {
                let step = step.round();
                if step < 1.0 {
                    return Err(GridError::StepTooSmall);
                }
                step
            }
            None => nice_step(span / (DEFAULT_GRID_POINTS - 1) as f64),
        };
        let count = (span / step).ceil() as usize + 1;
        if count > MAX_GRID_POINTS {
            return Err(GridError::TooManyPoints {
                count,
                runtime_seconds: runtime,
                cap_seconds: cap,
            });
        }
        let mut grid: Vec<f64> = (0..count)
            .map(|k| runtime + step * k as f64)
            .filter(|&w| w < cap)
            .collect();
        grid.push(cap);
        grid
    };
    if let Some(own) = scenario.job.max_wait_seconds
        && own >= runtime
        && own <= cap
    {
        grid.push(own.round());
    }
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    Ok(grid)
}

/// The round step closest (in ratio) to `ideal`.
fn nice_step(ideal: f64) -> f64 {
    NICE_STEPS_SECONDS
        .iter()
        .copied()
        .min_by(|a, b| {
            let ra = (a / ideal).ln().abs();
            let rb = (b / ideal).ln().abs();
            ra.total_cmp(&rb)
        })
        .unwrap_or(3600.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_grid_of_the_embedded_scenario() {
        let scenario = Scenario::embedded_default();
        let grid = build_grid(&scenario, &GridSpec::default()).unwrap();
        // 28 h … 84 h every 30 min (MaxWait 30 h is on it).
        assert_eq!(grid.first(), Some(&(28.0 * 3600.0)));
        assert_eq!(grid.last(), Some(&(84.0 * 3600.0)));
        assert_eq!(grid.len(), 113);
        assert!(grid.windows(2).all(|w| w[1] - w[0] == 1800.0));
        assert!(grid.iter().all(|w| w.fract() == 0.0));
    }

    #[test]
    fn explicit_points_step_and_cap() {
        let scenario = Scenario::embedded_default();
        let spec = GridSpec {
            cap_seconds: Some(40.0 * 3600.0),
            points: Some(5),
            ..GridSpec::default()
        };
        let grid = build_grid(&scenario, &spec).unwrap();
        let hours: Vec<f64> = grid.iter().map(|w| w / 3600.0).collect();
        assert_eq!(hours, vec![28.0, 30.0, 31.0, 34.0, 37.0, 40.0]);
        let spec = GridSpec {
            cap_seconds: Some(31.0 * 3600.0),
            step_seconds: Some(7200.0),
            ..GridSpec::default()
        };
        let hours: Vec<f64> = build_grid(&scenario, &spec)
            .unwrap()
            .iter()
            .map(|w| w / 3600.0)
            .collect();
        assert_eq!(hours, vec![28.0, 30.0, 31.0]);
    }

    #[test]
    fn cap_below_runtime_is_an_error() {
        let scenario = Scenario::embedded_default();
        let spec = GridSpec {
            cap_seconds: Some(3600.0),
            ..GridSpec::default()
        };
        let error = build_grid(&scenario, &spec).unwrap_err();
        assert_eq!(
            error,
            GridError::CapBelowMaxRuntime {
                cap_seconds: 3600.0,
                runtime_seconds: 100_800.0
            }
        );
        assert_eq!(error.setting(), GridSetting::Cap);
    }
}

/// Why the MaxWait search ended where it did: a plan extends its grid (× 4 each round) while
/// no MaxWait reaches the target, so that no answer hides just past a default cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SearchStop {
    /// A MaxWait of the grid reaches the target.
    TargetMet,
    /// The user's cap (`--max-wait-cap`): the grid is not extended past it.
    Cap,
    /// Every trial ended before the cap (no `MaxWaitTimeExceeded`): a longer MaxWait changes
    /// no trial.
    EveryTrialEnded,
    /// The longest MaxWait spotsim simulates (365 days; the API sets no lower bound on it).
    MaxWaitLimit,
    /// The user's step would need more than [`MAX_GRID_POINTS`] points.
    GridPoints,
}

/// The next cap of an extended search (× 4, at most the MaxWait limit).
pub fn extended_cap_seconds(cap_seconds: f64) -> f64 {
    (cap_seconds * 4.0).min(MAX_WAIT_LIMIT_SECONDS)
}
