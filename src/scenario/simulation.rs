//! `[simulation]` and the tick clock's specification: which clock runs the trials, and a tick
//! scenario's trace or sampled market, prices, deadline and changeover, checked against the
//! job's limits.

use super::model::{
    CapacityWaitStatus, Checkpointing, Job, MarketSpec, Pricing, Simulation, Workload,
};
use super::{Resolver, raw};
use crate::error::{InputError, excerpt};
use crate::market::price::SpotPrice;
use crate::market::trace::StartOffset;
use crate::market::trace_data::Convention;
use crate::tick::clock::{TickAvailability, TickSpec, TickStart, fixed_start_row};
use crate::tick::policies::TickPolicyChoice;
use crate::units::limits::MAX_TRIALS;
use std::sync::Arc;

/// The most ticks a sampled tick-clock window may have (memory and time per trial).
const MAX_SAMPLED_TICKS: usize = 1_000_000;

impl Resolver<'_> {
    #[allow(clippy::too_many_arguments)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn tick_clock(
        &self,
        raw: &raw::RawPolicy,
        tick: Option<f64>,
        job: &Job,
        workload: &Workload,
        checkpoint: &Checkpointing,
        market: Option<&MarketSpec>,
        pricing: &Pricing,
        policy: TickPolicyChoice,
    ) -> Result<TickSpec, InputError> {
        let Some(market) = market else {
            return Err(InputError::new(
                self.file,
                "the tick clock needs spot availability: a [market] (a trace to replay, or a model to sample)",
            )
            .at_key("[market] model"));
        };
        let trace = market.model.as_trace();
        let (preempted, gap_seconds) = match (trace, tick) {
            (Some(_), Some(_)) => {
                return Err(self.error(
                    "simulation",
                    &["tick"],
                    "a replayed trace sets the tick (its row spacing); tick is for sampled markets",
                ));
            }
            (None, None) => {
                return Err(self.error(
                    "simulation",
                    &["clock"],
                    format!(
                        "the tick clock on the \"{}\" market samples availability once per tick: set [simulation] tick to its length (e.g. tick = \"195s\")",
                        market.model.model()
                    ),
                ));
            }
            (None, Some(gap)) if gap <= 0.0 => {
                return Err(self.error("simulation", &["tick"], "must be greater than zero"));
            }
            (None, Some(gap)) => (None, gap),
            (Some(trace), None) => {
                let data = &trace.data;
                let preempted: Vec<bool> = data
                    .values
                    .iter()
                    .map(|&v| match trace.convention {
                        Convention::Available => v < trace.threshold,
                        Convention::Preempted => v != 0,
                    })
                    .collect();
                // The reference treats every row as exactly one gap: the spacing of the first
                // two rows.
                (Some(preempted), data.times[1] - data.times[0])
            }
        };
        // The tick clock reads a series that follows the trace by row (one price per row).
        let spot_price = match &pricing.spot {
            SpotPrice::Constant(_) => pricing.spot.clone(),
            SpotPrice::Steps(steps) if steps.follows_trace() => pricing.spot.clone(),
            SpotPrice::Steps(_) => {
                return Err(InputError::new(
                    self.file,
                    "the tick clock bills per tick: give a constant spot price or per-tick spot_prices aligned with the trace",
                )
                .at_key("[pricing] spot_price_history"));
            }
        };
        let deadline = raw
            .deadline
            .map(|s| s.0)
            .or(job.max_wait_seconds)
            .ok_or_else(|| {
                self.error(
                    "policy",
                    &["deadline"],
                    "the tick clock needs a deadline: [policy] deadline (or [job] max_wait)",
                )
            })?;
        let changeover = raw.changeover.map_or(
            workload.provisioning_seconds + workload.download_seconds + checkpoint.restore_seconds,
            |s| s.0,
        );
        if deadline <= 0.0 {
            return Err(self.error("policy", &["deadline"], "must be greater than zero"));
        }
        self.tick_fits_the_limits(
            raw.deadline.is_some(),
            deadline,
            gap_seconds,
            trace.is_some(),
            workload.training_seconds + changeover,
            job,
        )?;
        let rows_needed = (deadline / gap_seconds).ceil() as usize + 1;
        let (availability, start) = match (preempted, trace) {
            (Some(preempted), Some(trace)) => {
                let start = match trace.start {
                    StartOffset::Random => TickStart::Random,
                    StartOffset::Fixed(seconds) => TickStart::Fixed(seconds),
                };
                self.window_fits(preempted.len(), rows_needed, deadline, gap_seconds, start)?;
                (TickAvailability::Trace(preempted), start)
            }
            _ => {
                if rows_needed > MAX_SAMPLED_TICKS {
                    return Err(self.error(
                        "simulation",
                        &["tick"],
                        format!(
                            "a {deadline} s deadline in ticks of {gap_seconds} s is {rows_needed} ticks; at most {MAX_SAMPLED_TICKS} are sampled per trial (use a longer tick)"
                        ),
                    ));
                }
                let sampled = TickAvailability::Sampled {
                    market: Arc::clone(&market.model),
                    rows: rows_needed,
                };
                (sampled, TickStart::Fixed(0.0))
            }
        };
        Ok(TickSpec {
            availability,
            gap_seconds,
            spot_price,
            on_demand_per_hour: pricing.on_demand_per_hour,
            compute_seconds: workload.training_seconds,
            deadline_seconds: deadline,
            overhead_seconds: changeover,
            start,
            policy,
            instance_count: f64::from(job.instance_count),
        })
    }

    /// Whether the tick clock can keep the job's limits. It observes the job once per tick and
    /// its policies plan against the deadline alone, so a completion is never late only when
    /// the deadline is a whole number of ticks (the job is then observed exactly at it), is
    /// within MaxWait and MaxRuntime (every held tick lies before the deadline), and leaves
    /// room for the training and one changeover (spec §2.5: otherwise no schedule finishes).
    pub(super) fn tick_fits_the_limits(
        &self,
        deadline_given: bool,
        deadline: f64,
        gap_seconds: f64,
        replayed: bool,
        training_and_changeover: f64,
        job: &Job,
    ) -> Result<(), InputError> {
        let (section, key) = if deadline_given {
            ("policy", "deadline")
        } else {
            ("job", "max_wait")
        };
        if job.managed_spot
            && let Some(max_wait) = job.max_wait_seconds
            && deadline > max_wait
        {
            return Err(self.error(
                section,
                &[key],
                format!(
                    "the deadline ({deadline} s) is beyond [job] max_wait ({max_wait} s): SageMaker stops a managed-spot job at MaxWait"
                ),
            ));
        }
        if deadline > job.max_runtime_seconds {
            return Err(self.error(
                section,
                &[key],
                format!(
                    "the deadline ({deadline} s) is beyond [job] max_runtime ({} s): the tick clock's policies plan against the deadline alone and could hold instances for longer than MaxRuntime; set max_runtime to at least the deadline",
                    job.max_runtime_seconds
                ),
            ));
        }
        // Spec §2.5's feasibility check, divided by 3600 as it was when the tick clock took
        // hours: a > b and a/3600 > b/3600 differ when a and b are within a rounding step, and
        // keeping the division keeps which scenarios validate unchanged.
        if training_and_changeover / 3600.0 > deadline / 3600.0 {
            return Err(self.error(
                section,
                &[key],
                format!(
                    "training plus one changeover ({training_and_changeover} s) exceeds the deadline ({deadline} s): not even on-demand from the start finishes in time"
                ),
            ));
        }
        let (tick_section, tick_key, tick_source) = if replayed {
            (section, key, " (the trace's row spacing)")
        } else {
            ("simulation", "tick", "")
        };
        let ticks = deadline / gap_seconds;
        if ticks < 1.0 - 1e-9 {
            return Err(self.error(
                tick_section,
                &[tick_key],
                format!(
                    "a tick of {gap_seconds} s{tick_source} is longer than the deadline ({deadline} s): the tick clock observes the job once per tick, so it could only see it done after the deadline"
                ),
            ));
        }
        let whole = ticks.round();
        if (ticks - whole).abs() > 1e-9 * whole {
            let below = ticks.floor() * gap_seconds;
            let above = ticks.ceil() * gap_seconds;
            return Err(self.error(
                tick_section,
                &[tick_key],
                format!(
                    "the deadline ({deadline} s) is {ticks:.2} ticks of {gap_seconds} s{tick_source}: the tick clock observes the job only at whole ticks, so it could see it done after the deadline; make the deadline a whole number of ticks (e.g. {below} s or {above} s)"
                ),
            ));
        }
        Ok(())
    }

    /// Whether a `deadline` window of `rows_needed` rows fits a trace of `rows` rows from its
    /// start.
    pub(super) fn window_fits(
        &self,
        rows: usize,
        rows_needed: usize,
        deadline: f64,
        gap_seconds: f64,
        start: TickStart,
    ) -> Result<(), InputError> {
        if rows_needed > rows {
            return Err(InputError::new(
                self.file,
                format!("the trace has {rows} rows; a {deadline} s window needs {rows_needed}"),
            )
            .at_key("[policy] deadline"));
        }
        if let TickStart::Fixed(seconds) = start {
            let start_row = fixed_start_row(seconds, gap_seconds);
            if start_row + rows_needed > rows {
                return Err(InputError::new(
                    self.file,
                    format!(
                        "a window from row {start_row} needs {rows_needed} rows; the trace has {rows}"
                    ),
                )
                .at_key("[market] start"));
            }
        }
        Ok(())
    }

    pub(super) fn simulation(&self, raw: &raw::RawSimulation) -> Result<Simulation, InputError> {
        let trials = raw.trials.unwrap_or(10_000);
        if trials < 1 || trials as u64 > MAX_TRIALS {
            return Err(self.error(
                "simulation",
                &["trials"],
                format!("expected between 1 and {MAX_TRIALS} trials, got {trials}"),
            ));
        }
        let capacity_wait_status = match raw.show_capacity_wait_as.as_deref() {
            None | Some("Starting") => CapacityWaitStatus::Starting,
            Some("Pending") => CapacityWaitStatus::Pending,
            Some(other) => {
                return Err(self.error(
                    "simulation",
                    &["show_capacity_wait_as"],
                    format!(
                        "expected \"Starting\" or \"Pending\", got {}",
                        excerpt(other)
                    ),
                ));
            }
        };
        match raw.clock.as_deref() {
            None | Some("continuous") if raw.tick.is_some() => {
                return Err(self.error(
                    "simulation",
                    &["tick"],
                    "tick belongs to the tick clock (clock = \"tick\")",
                ));
            }
            None | Some("continuous") | Some("tick") => {}
            Some(other) => {
                return Err(self.error(
                    "simulation",
                    &["clock"],
                    format!(
                        "expected \"continuous\" or \"tick\", got {}",
                        excerpt(other)
                    ),
                ));
            }
        }
        Ok(Simulation {
            trials: trials as u64,
            seed: raw.seed.unwrap_or(1),
            capacity_wait_status,
        })
    }
}
