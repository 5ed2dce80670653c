//! Episode bootstrap (`model = "bootstrap"`): uptimes and capacity waits resampled from the
//! whole episodes of a recorded availability trace.
//!
//! Keys, read as by the `trace` model: `path` (required, relative to the scenario), `format`
//! (`"csv"`, `"json"` or `"events"`; default guessed from the file), `convention`
//! (`"available"` / `"preempted"`; required for CSV and JSON 0/1 traces, never guessed;
//! event lists default to `"available"`), `threshold` (count traces; event lists default to
//! `instance_count`) and `max_gap` (CSV hole detection, default 2).
//!
//! The trace is split into uptime episodes (available periods) and downtime episodes
//! (unavailable periods) by [`super::episodes`]. **Only complete episodes are resampled**: the
//! episodes touching the window start or end are censored (their observed length is a lower
//! bound), so they are left out; a trace with no complete uptime episode is an error, and so
//! is one whose downtime episodes are all censored. A trace that is never unavailable gives
//! capacity at once.
//!
//! * Each acquisition draws an uptime uniformly from the complete uptime episodes, one uniform
//!   from the uptime stream read as a survival probability (a larger uniform picks a shorter
//!   episode, as in the other models). The uptime clock starts when capacity is acquired.
//! * Each capacity wait after an interruption draws a downtime uniformly from the complete
//!   downtime episodes, one uniform from the capacity-wait stream (same direction).
//! * The first capacity wait of a trial is the stationary one: the job is created at a random
//!   moment of the trace, which is inside a downtime with probability `p` = fraction of the
//!   window unavailable. Then it waits the *remaining* part of that downtime: an episode
//!   picked with probability proportional to its length (a random moment falls in long
//!   episodes more often), and a uniform fraction of it. Otherwise capacity comes at once.
//!   Three uniforms are drawn from the capacity-wait stream for it, always.
//!
//! Gang: the trace records the availability of what the job needs (for count traces, the
//! threshold is the gang size), so episodes are resampled as they are, not rescaled by
//! `instance_count`.

use super::trace_data::{Convention, TraceFormat};
use super::{Capacity, Market, MarketContext, MarketState};
use crate::error::InputError;
use crate::random::{TrialRng, unit_open_closed};
use crate::units::keys::Keys;

/// Keys of `[market]` this model reads.
pub const KEYS: &[&str] = &["path", "format", "convention", "threshold", "max_gap"];

/// Episodes resampled from a trace.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    /// Complete uptime episodes (seconds), ascending.
    pub uptimes: Vec<f64>,
    /// Complete downtime episodes (seconds), ascending.
    pub downtimes: Vec<f64>,
    /// Running sums of `downtimes` (for length-biased picks).
    cumulative_downtime: Vec<f64>,
    /// Fraction of the trace window without capacity.
    pub unavailable_fraction: f64,
    path_text: String,
    format: TraceFormat,
    convention: Convention,
    threshold: u32,
    max_gap: f64,
}

pub(super) fn build(
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<Box<dyn Market>, InputError> {
    let (reading, path_text) = super::trace::read_keyed_trace(keys, context, "bootstrap")?;
    let file = reading.data.file.clone();
    let end = reading.data.end_seconds;
    let split = crate::market::episodes::episodes(&reading.intervals, end);
    let complete = |episodes: &[crate::market::episodes::Episode]| -> Vec<f64> {
        let mut durations: Vec<f64> = episodes
            .iter()
            .filter(|e| !e.censored)
            .map(|e| e.duration_seconds)
            .collect();
        durations.sort_by(f64::total_cmp);
        durations
    };
    let uptimes = complete(&split.uptime);
    let downtimes = complete(&split.downtime);
    let meaning = format!(
        "convention \"{}\", threshold {}",
        reading.convention.name(),
        reading.threshold
    );
    if uptimes.is_empty() {
        return Err(keys.error(
            "path",
            format!(
                "{file} has no complete uptime episode to resample under {meaning} ({} available period(s), all touching the start or end of the trace)",
                split.uptime.len()
            ),
        ));
    }
    if downtimes.is_empty() && !split.downtime.is_empty() {
        return Err(keys.error(
            "path",
            format!(
                "{file} has no complete downtime episode to resample under {meaning} (its unavailable periods all touch the start or end of the trace)"
            ),
        ));
    }
    let unavailable: f64 = split.downtime.iter().map(|e| e.duration_seconds).sum();
    let mut running = 0.0;
    let cumulative_downtime = downtimes
        .iter()
        .map(|d| {
            running += d;
            running
        })
        .collect();
    Ok(Box::new(Bootstrap {
        uptimes,
        downtimes,
        cumulative_downtime,
        unavailable_fraction: if end > 0.0 { unavailable / end } else { 0.0 },
        path_text,
        format: reading.format,
        convention: reading.convention,
        threshold: reading.threshold,
        max_gap: reading.max_gap_factor,
    }))
}

/// The element of ascending `sorted` at survival probability `u ∈ (0, 1]`: each element with
/// probability 1/n, a larger `u` giving a shorter one.
fn pick(sorted: &[f64], u: f64) -> f64 {
    let n = sorted.len();
    let index = (((1.0 - u) * n as f64) as usize).min(n - 1);
    sorted[index]
}

impl Bootstrap {
    /// The first wait of a trial (three uniforms from the capacity-wait stream).
    fn first_wait(&self, rng: &mut TrialRng) -> f64 {
        let inside = unit_open_closed(&mut rng.capacity_wait);
        let which = unit_open_closed(&mut rng.capacity_wait);
        let fraction = unit_open_closed(&mut rng.capacity_wait);
        if self.downtimes.is_empty() || inside > self.unavailable_fraction {
            return 0.0;
        }
        let total = *self.cumulative_downtime.last().unwrap_or(&0.0);
        let target = (1.0 - which) * total;
        let index = self
            .cumulative_downtime
            .partition_point(|&c| c <= target)
            .min(self.downtimes.len() - 1);
        fraction * self.downtimes[index]
    }
}

impl Market for Bootstrap {
    fn model(&self) -> &'static str {
        "bootstrap"
    }

    fn next_capacity(
        &self,
        now: f64,
        state: &mut MarketState,
        rng: &mut TrialRng,
    ) -> Option<Capacity> {
        let wait = if state.cursor == 0 {
            self.first_wait(rng)
        } else if self.downtimes.is_empty() {
            0.0
        } else {
            pick(&self.downtimes, unit_open_closed(&mut rng.capacity_wait))
        };
        state.cursor += 1;
        let acquired_seconds = now + wait;
        let uptime = pick(&self.uptimes, unit_open_closed(&mut rng.uptime));
        Some(Capacity {
            acquired_seconds,
            lost_seconds: acquired_seconds + uptime,
        })
    }

    fn mean_uptime_seconds(&self) -> Option<f64> {
        Some(self.uptimes.iter().sum::<f64>() / self.uptimes.len() as f64)
    }

    fn resolved(&self) -> toml::Table {
        super::trace::source_table(
            &self.path_text,
            self.format,
            self.convention,
            self.threshold,
            self.max_gap,
        )
    }
}
