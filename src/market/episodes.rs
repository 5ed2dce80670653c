//! The uptime and downtime episodes of an availability trace: the maximal available periods
//! and the gaps between them, in time order. The `bootstrap` market resamples them and `fit`
//! fits distributions to them ([`crate::fit`] explains how censored episodes enter the fits).
//!
//! An episode that touches the start or the end of the observed window is **right-censored**:
//! its observed length is only a lower bound on its true length.

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
}
