//! The fallback job of `spot-then-on-demand` at every switch time, from one run of the trial.
//!
//! The spot job places only on spot and never looks at its deadline, so under switch time `w`
//! (its MaxWait) it makes the same requests for capacity, and gets the same capacity, as the
//! trial's run with the grid's cap, until `w` stops it. A [`SpotRecord`] keeps those requests
//! (when each was made, when capacity came, when it was lost: everything the market drew). The
//! state of the trial when `w` stops the spot job follows by arithmetic, the engine's own:
//! every request that ended before `w` ended in a loss of capacity (the planner reads the
//! trials whose spot job completed, failed or exceeded MaxRuntime by `w` off the cap run), so
//! it is booked as [`ContinuousEngine::run_job`] books an interruption — the wait, the held
//! period, the training lost after the newest durable checkpoint; the request running at `w` is
//! booked as `run_job` books MaxWait: waiting (the wait up to `w`), provisioning (nothing
//! held), or an attempt held up to `w` whose checkpoints completed by then are durable. From
//! there the engine's own [`ContinuousEngine::fall_back`] runs the on-demand job, which draws
//! only from its own streams (on-demand capacity waits).
//!
//! The trial is then the one a run with MaxWait = `w` gives, field for field: the same sums in
//! the same order. Two things a record cannot rebuild exactly make the planner run the trial at
//! `w` instead: a stepped spot price (the price of a period depends on the trace offset the
//! market drew, which the record does not keep) and `InternalServerError`s (the error stream's
//! position depends on the whole path).

use super::{ContinuousEngine, Totals};
use crate::engine::{NoTimeline, Outcome, Recorder, Simulator, TrialOutcome};
use crate::market::MarketState;
use crate::market::price::SpotPrice;
use crate::random::TrialRng;
use crate::sagemaker::status::SecondaryStatus;

/// One request of the spot job for capacity.
#[derive(Debug, Clone, Copy)]
struct Request {
    requested_seconds: f64,
    /// ∞ when capacity never comes.
    acquired_seconds: f64,
    /// ∞ when it is never lost.
    lost_seconds: f64,
}

/// A trial's requests for capacity and the instant it (first) entered `Stopping`: what the
/// planner keeps of a run with the grid's cap (one buffer per block of trials).
#[derive(Debug, Default)]
pub struct SpotRecord {
    requests: Vec<Request>,
    stopping_at: Option<f64>,
}

impl SpotRecord {
    /// Empties the record for the next trial (keeping its buffer).
    pub fn clear(&mut self) {
        self.requests.clear();
        self.stopping_at = None;
    }

    /// When the trial first entered `Stopping` (its spot job's, if a limit stopped it).
    pub fn stopping_at(&self) -> Option<f64> {
        self.stopping_at
    }
}

impl Recorder for SpotRecord {
    #[inline]
    fn enter(&mut self, at_seconds: f64, status: SecondaryStatus, _: &'static str) {
        if status == SecondaryStatus::Stopping && self.stopping_at.is_none() {
            self.stopping_at = Some(at_seconds);
        }
    }

    #[inline]
    fn capacity(&mut self, requested_seconds: f64, acquired_seconds: f64, lost_seconds: f64) {
        self.requests.push(Request {
            requested_seconds,
            acquired_seconds,
            lost_seconds,
        });
    }
}

impl ContinuousEngine {
    /// Whether [`Self::rebuild_fallbacks`] rebuilds trials exactly (see the module doc).
    pub(super) fn rebuilds_exactly(&self) -> bool {
        self.on_demand_after_truncated_spot()
            && self.internal_error_rate <= 0.0
            && matches!(self.price, SpotPrice::Constant(_))
    }

    /// Trial `trial` at each switch time of `switch_seconds` (ascending, all before its spot
    /// job completed, failed or exceeded MaxRuntime in the run `record` kept, so MaxWait stops
    /// the spot job at each), reported to `each` with the switch time's index. `false`, with
    /// nothing reported, when the trial cannot be rebuilt exactly.
    pub(crate) fn rebuild_fallbacks(
        &self,
        trial: u64,
        record: &SpotRecord,
        switch_seconds: &[f64],
        mut each: impl FnMut(usize, TrialOutcome),
    ) -> bool {
        if !self.rebuilds_exactly() {
            return false;
        }
        let rng = TrialRng::new(self.seed, trial);
        let mut totals = Totals::default();
        self.draw_next_error(&rng, &mut totals);
        // The requests before `next` ended (in a loss of capacity) before the switch time.
        let mut next = 0;
        for (i, &w) in switch_seconds.iter().enumerate() {
            while record
                .requests
                .get(next + 1)
                .is_some_and(|r| r.requested_seconds < w)
            {
                self.book_interrupted(record.requests[next], &mut totals);
                next += 1;
            }
            let Some(&running) = record.requests.get(next) else {
                // Every run requests capacity at CreationTime; an empty record is not this
                // engine's. Nothing was reported yet only if this is the first switch time.
                debug_assert!(false, "a spot run without a request for capacity");
                return false;
            };
            each(i, self.switched_at(w, running, &totals, &rng));
        }
        true
    }

    /// Books a request whose capacity came and was lost before the switch time, as `run_job`
    /// books an interruption (during provisioning, or of an attempt).
    fn book_interrupted(&self, request: Request, totals: &mut Totals) {
        let Request {
            requested_seconds: now,
            acquired_seconds: acquired,
            lost_seconds: lost,
        } = request;
        totals.capacity_wait += acquired - now;
        let start = acquired + self.provisioning;
        if lost > start {
            let attempt =
                self.planned_attempt(start, lost, totals.durable, self.emergency_checkpoints);
            totals.training_start.get_or_insert(start);
            let progress = self.hold(
                &attempt,
                lost,
                &self.price,
                0.0,
                false,
                totals,
                &mut NoTimeline,
            );
            totals.lost += self.bank(progress, totals);
        }
        self.interrupt(lost, totals, &mut NoTimeline);
    }

    /// The trial when MaxWait `w` stops its spot job during `running` (the request made before
    /// `w` whose capacity is not lost before it), then its fallback job.
    fn switched_at(
        &self,
        w: f64,
        running: Request,
        before: &Totals,
        rng: &TrialRng,
    ) -> TrialOutcome {
        let mut totals = before.clone();
        let Request {
            requested_seconds: now,
            acquired_seconds: acquired,
            lost_seconds: lost,
        } = running;
        if acquired >= w {
            // Capacity does not come before the deadline.
            totals.capacity_wait += w - now;
        } else {
            totals.capacity_wait += acquired - now;
            let start = acquired + self.provisioning;
            // Stopped while provisioning (nothing held), or during the attempt.
            if lost.min(w) > start {
                let attempt =
                    self.planned_attempt(start, lost, totals.durable, self.emergency_checkpoints);
                totals.training_start.get_or_insert(start);
                let progress = self.hold(
                    &attempt,
                    w,
                    &self.price,
                    0.0,
                    false,
                    &mut totals,
                    &mut NoTimeline,
                );
                totals.unsaved_at_stop = self.bank(progress, &mut totals);
            }
        }
        let end = self.stop(w, Outcome::MaxWaitTimeExceeded, &mut NoTimeline);
        let mut rng = rng.clone();
        self.fall_back(
            end,
            &mut rng,
            &mut MarketState::default(),
            totals,
            &mut NoTimeline,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Simulator;
    use crate::policy::scheduling::SpotThenOnDemand;
    use crate::scenario::Scenario;
    use std::sync::Arc;

    /// Spot capacity in [0, 50 min), [3 h, 3 h 30 min) and from 10 h on; 90 min of training
    /// with free durable checkpoints every 25 min, no provisioning, download or upload. By hand:
    /// the first attempt checkpoints at 25 and 50 min (the second write completes as capacity
    /// is lost: durable); the second trains from 3 h, checkpoints at 3 h 25 min and loses 5 min
    /// at 3 h 30 min; the third completes the last 15 min at 10 h 15 min. Switch times on whole
    /// half hours fall on the instants capacity comes (3 h, 10 h) and goes (3 h 30 min).
    const WINDOWS: &str = r#"
name = "windows-fallback"
[job]
managed_spot = true
max_runtime = "2h"
max_wait = "30h"
checkpoint_s3_uri = "s3://bucket/ckpt"
[workload]
training = "90m"
[checkpoint]
policy = "interval"
interval = "25m"
write = "0s"
restore = "0s"
[market]
model = "windows"
available = [["0s", "50m"], ["3h", "210m"], ["10h", "100h"]]
[pricing]
on_demand_per_hour = 4.0
spot_per_hour = 1.0
"#;

    fn default_with(edits: &[(&str, &str)], extra: &str) -> Scenario {
        let mut text = include_str!("../../../scenarios/default.toml").to_string();
        for (from, to) in edits {
            assert!(text.contains(from), "the default scenario says {from}");
            text = text.replacen(from, to, 1);
        }
        text.push_str(extra);
        Scenario::from_toml(&text, "test.toml", "test").unwrap()
    }

    fn fallback_engine(scenario: &Scenario) -> ContinuousEngine {
        ContinuousEngine::new(scenario, Arc::new(SpotThenOnDemand))
    }

    /// Every trial of `trials` at every switch time of `grid` where MaxWait stops its spot job:
    /// the rebuilt trial equals a run with that MaxWait in every field (`{:?}` writes the
    /// shortest digits that read back to the same bits). Returns the switch times rebuilt.
    fn assert_rebuilt_exactly(scenario: &Scenario, grid: &[f64], trials: u64) -> usize {
        let cap = grid[grid.len() - 1];
        let engine = fallback_engine(scenario).with_max_wait(cap);
        let mut record = SpotRecord::default();
        let mut rebuilt_points = 0;
        for trial in 0..trials {
            let direct: Vec<TrialOutcome> = grid
                .iter()
                .map(|&w| engine.clone().with_max_wait(w).run(trial))
                .collect();
            // The switch times MaxWait stops the spot job at are the first ones.
            let stopped = direct
                .iter()
                .take_while(|o| o.fallback_seconds.is_some())
                .count();
            assert!(
                direct[stopped..]
                    .iter()
                    .all(|o| o.fallback_seconds.is_none())
            );
            record.clear();
            engine.run_recorded(trial, &mut record);
            let mut rebuilt = vec![None; stopped];
            assert!(
                engine.rebuild_fallbacks(trial, &record, &grid[..stopped], |i, o| {
                    rebuilt[i] = Some(o);
                })
            );
            for (i, outcome) in rebuilt.into_iter().enumerate() {
                let outcome = outcome.expect("every switch time is reported");
                assert_eq!(
                    format!("{outcome:?}"),
                    format!("{:?}", direct[i]),
                    "trial {trial} at switch time {} s",
                    grid[i]
                );
                rebuilt_points += 1;
            }
        }
        rebuilt_points
    }

    fn grid(from_seconds: f64, step_seconds: f64, points: usize) -> Vec<f64> {
        (0..points)
            .map(|i| from_seconds + step_seconds * i as f64)
            .collect()
    }

    #[test]
    fn the_default_fallback_is_rebuilt_exactly() {
        let scenario = Scenario::embedded_default();
        let rebuilt = assert_rebuilt_exactly(&scenario, &grid(100_800.0, 1800.0, 40), 400);
        assert!(rebuilt > 100, "{rebuilt}");
    }

    #[test]
    fn deadlines_on_demand_waits_pending_and_emergency_checkpoints_are_rebuilt_exactly() {
        let scenario = default_with(
            &[
                (
                    "max_wait = \"30h\"",
                    "max_wait = \"30h\"\ndeadline = \"31h\"",
                ),
                (
                    "restore = \"2m\"",
                    "restore = \"2m\"\non_notice = \"checkpoint\"",
                ),
                ("seed = 1", "seed = 1\nshow_capacity_wait_as = \"Pending\""),
            ],
            "\n[on_demand]\nmean_capacity_wait = \"30m\"\n",
        );
        let rebuilt = assert_rebuilt_exactly(&scenario, &grid(100_800.0, 1800.0, 40), 3000);
        assert!(rebuilt > 30, "{rebuilt}");
    }

    #[test]
    fn jobs_without_durable_checkpoints_are_rebuilt_exactly() {
        let scenario = default_with(
            &[(
                "checkpoint_s3_uri = \"s3://my-bucket/checkpoints/bert-large\"\n",
                "",
            )],
            "",
        );
        assert!(assert_rebuilt_exactly(&scenario, &grid(100_800.0, 1800.0, 40), 300) > 100);
    }

    #[test]
    fn a_weibull_market_is_rebuilt_exactly() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/weibull-gpu.toml");
        let scenario = Scenario::load(&path).unwrap();
        assert!(assert_rebuilt_exactly(&scenario, &grid(57_600.0, 1800.0, 40), 300) > 100);
    }

    /// A replayed trace (a random offset per trial, a cursor into it) at a constant price: the
    /// record holds the capacity the trace gave, whatever the market's state.
    #[test]
    fn a_replayed_trace_is_rebuilt_exactly() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/replay-aws-p3-us-west-2a.toml");
        let mut scenario = Scenario::load(&path).unwrap();
        scenario.pricing.spot = SpotPrice::Constant(0.918);
        assert!(assert_rebuilt_exactly(&scenario, &grid(86_400.0, 3600.0, 49), 200) > 100);
    }

    #[test]
    fn switch_times_on_the_instants_capacity_comes_and_goes_are_rebuilt_exactly() {
        let scenario = Scenario::from_toml(WINDOWS, "test.toml", "test").unwrap();
        // From 2 h (MaxRuntime) every half hour to 24 h: MaxWait stops the spot job from 2 h
        // to 10 h (17 switch times); from 10.5 h it completes at 10 h 15 min.
        let rebuilt = assert_rebuilt_exactly(&scenario, &grid(7200.0, 1800.0, 45), 2);
        assert_eq!(rebuilt, 2 * 17);
    }

    #[test]
    fn internal_errors_and_stepped_prices_are_not_rebuilt() {
        let errors = default_with(
            &[(
                "max_wait = \"30h\"",
                "max_wait = \"30h\"\ninternal_error_rate = 0.05",
            )],
            "",
        );
        let mut stepped = Scenario::embedded_default();
        stepped.pricing.spot = SpotPrice::Steps(Arc::new(crate::market::price::PriceSteps::new(
            vec![0.0, 3600.0],
            vec![1.0, 2.0],
            None,
            crate::market::price::PriceAnchor::CreationTime(0.0),
        )));
        for scenario in [errors, stepped] {
            let engine = fallback_engine(&scenario).with_max_wait(200_000.0);
            let mut record = SpotRecord::default();
            engine.run_recorded(0, &mut record);
            assert!(!engine.rebuild_fallbacks(0, &record, &[100_800.0], |_, _| {
                panic!("nothing is reported")
            }));
        }
    }
}
