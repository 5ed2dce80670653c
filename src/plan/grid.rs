//! The MaxWait grid: whole seconds from MaxRuntime (AWS requires `MaxWaitTimeInSeconds ≥
//! MaxRuntimeInSeconds`) up to a cap, on a step people can type.

use crate::error::InputError;
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

fn cli_error(key: &str, message: impl Into<String>) -> InputError {
    InputError::new("command line", message).at_key(key)
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
pub fn build_grid(scenario: &Scenario, spec: &GridSpec) -> Result<Vec<f64>, InputError> {
    let runtime = scenario.job.max_runtime_seconds.ceil();
    let cap = match spec.cap_seconds {
        Some(cap) => {
            let cap = cap.round();
            if cap < runtime {
                return Err(cli_error(
                    "--max-wait-cap",
                    format!(
                        "the cap ({cap} s) is below MaxRuntime ({runtime} s); AWS requires \
                         MaxWaitTimeInSeconds ≥ MaxRuntimeInSeconds"
                    ),
                ));
            }
            if cap > MAX_WAIT_LIMIT_SECONDS {
                return Err(cli_error(
                    "--max-wait-cap",
                    format!("expected at most a year ({MAX_WAIT_LIMIT_SECONDS} s), got {cap} s"),
                ));
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
            return Err(cli_error(
                "--points",
                "give either --points or --grid-step, not both",
            ));
        }
        if !(2..=MAX_GRID_POINTS).contains(&points) {
            return Err(cli_error(
                "--points",
                format!("expected 2 … {MAX_GRID_POINTS} grid points, got {points}"),
            ));
        }
        (0..points)
            .map(|k| (runtime + span * k as f64 / (points - 1) as f64).round())
            .collect()
    } else {
        let step = match spec.step_seconds {
            Some(step) => {
                let step = step.round();
                if step < 1.0 {
                    return Err(cli_error(
                        "--grid-step",
                        "expected a step of at least 1 second",
                    ));
                }
                step
            }
            None => nice_step(span / (DEFAULT_GRID_POINTS - 1) as f64),
        };
        let count = (span / step).ceil() as usize + 1;
        if count > MAX_GRID_POINTS {
            return Err(cli_error(
                "--grid-step",
                format!(
                    "{count} grid points from {runtime} s to {cap} s; at most {MAX_GRID_POINTS} \
                     (use a larger step or a smaller --max-wait-cap)"
                ),
            ));
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
        assert!(error.to_string().contains("--max-wait-cap"), "{error}");
    }
}
