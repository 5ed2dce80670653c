//! The continuous clock's event loop: one trial of one SageMaker training job, from
//! CreationTime to a terminal status, at the instants the reference defines.
//!
//! A trial is a small state machine. Each pass of the loop is one attempt: ask the market for
//! capacity (Starting), provision, then run the deterministic [`attempt`] plan (Downloading →
//! Training with checkpoint writes → Uploading) until the first of: completion, the MaxWait
//! deadline, MaxRuntime running out, or the capacity being reclaimed (Interrupted → Starting
//! again). Progress between these events is arithmetic, so a 24 h job with 30-minute
//! checkpoints costs a handful of steps per attempt and no allocation. The status timeline is
//! recorded only through a [`Recorder`] that asks for it; [`NoTimeline`] compiles away.
//!
//! Ties at one instant (probability zero with continuous draws; they matter for hand-written
//! `windows` scenarios): work that finishes at the instant capacity is lost counts as finished
//! (a job finishing Uploading exactly then completes; a checkpoint write finishing exactly then
//! is durable), and a phase that would start at that instant does not start. A limit (MaxWait,
//! MaxRuntime) at the same instant as a loss wins; MaxWait wins over MaxRuntime.

use super::attempt::uninterrupted_seconds;
use super::attempt::{Attempt, Progress};
use super::{Outcome, Recorder, Simulator, TrialLimits, TrialOutcome, earlier};
use crate::market::price::SpotPrice;
use crate::market::{Capacity, Exponential, Market, MarketState};
use crate::policy::{DecisionPoint, OnNotice, Placement, SchedulingPolicy};
use crate::random::{Stream, TrialRng, exponential};
use crate::sagemaker::billing;
use crate::sagemaker::status::{
    MESSAGE_INSUFFICIENT_CAPACITY, MESSAGE_INTERNAL_ERROR_FAILED, MESSAGE_PREPARING,
    MESSAGE_RETRYING, SecondaryStatus,
};
use crate::scenario::{CapacityWaitStatus, Scenario};
use rand::rngs::Xoshiro256PlusPlus;
use std::sync::Arc;

mod fallback;

pub use fallback::SpotRecord;

/// Trials per block of parallel work on the continuous clock, whose trials take microseconds.
pub const BLOCK_TRIALS: u64 = 4096;

/// The scenario compiled into the numbers the loop needs.
#[derive(Debug, Clone)]
pub struct ContinuousEngine {
    market: Option<Arc<dyn Market>>,
    /// The market again when it is the memoryless one, called directly on the hot path.
    exponential: Option<Exponential>,
    spot: bool,
    instance_count: f64,
    max_wait: f64,
    max_runtime: f64,
    training: f64,
    provisioning: f64,
    download: f64,
    upload: f64,
    stopping: f64,
    interval: f64,
    write: f64,
    restore: f64,
    durable_checkpoints: bool,
    notice: f64,
    emergency_checkpoints: bool,
    price: SpotPrice,
    on_demand_price: SpotPrice,
    on_demand_per_hour: f64,
    policy: Arc<dyn SchedulingPolicy>,
    /// Whether the policy is asked at every decision point (`false` when it places every
    /// attempt on spot whatever it sees: the answer is resolved once, here).
    asks_policy: bool,
    /// The same job on on-demand instances without interruptions, seconds.
    on_demand_job_seconds: f64,
    pending_status: bool,
    seed: u64,
    /// `InternalServerError`s per instance-held hour (0 = none, no draws).
    internal_error_rate: f64,
    /// `RetryStrategy.MaximumRetryAttempts` (0 = no retry strategy).
    max_retry_attempts: u32,
    /// `[job] deadline` (counted in summaries, stops nothing).
    deadline: Option<f64>,
    /// `[on_demand] mean_capacity_wait` (0 = immediate, no draws).
    on_demand_mean_wait: f64,
}

/// The limits of one training job of a trial.
#[derive(Debug, Clone, Copy)]
struct JobLimits {
    /// Its CreationTime, seconds since the first job's.
    created_seconds: f64,
    /// Its MaxWait deadline, seconds since the first job's CreationTime (∞ on on-demand).
    max_wait_seconds: f64,
    /// Whether it is a managed-spot job.
    spot: bool,
}

/// Per-trial mutable totals.
#[derive(Debug, Clone, Default)]
struct Totals {
    /// The part of `price_seconds` paid at the on-demand price.
    on_demand_price_seconds: f64,
    /// When a fallback on-demand job was created.
    fell_back_at: Option<f64>,
    held: f64,
    /// ∫ price dt over held time, USD·s/h per instance.
    price_seconds: f64,
    interruptions: u32,
    lost: f64,
    writes: u32,
    /// Training saved by durable checkpoints, over every attempt of every job of the trial.
    durable: f64,
    /// Training unsaved when a limit stopped the job (redone, so lost, if a fallback follows).
    unsaved_at_stop: f64,
    capacity_wait: f64,
    training_start: Option<f64>,
    /// Cumulative held seconds at which the next `InternalServerError` strikes (∞ when the
    /// rate is 0). Held time is the fault clock: provisioning and capacity waits do not count.
    next_error_held: f64,
    /// The fault model's own stream, seeded on the first draw.
    error_rng: Option<Xoshiro256PlusPlus>,
    /// The stream of waits for on-demand capacity, seeded on the first draw.
    on_demand_wait_rng: Option<Xoshiro256PlusPlus>,
}

impl ContinuousEngine {
    /// Compiles a scenario whose clock is the continuous one, under `policy`.
    pub fn new(scenario: &Scenario, policy: Arc<dyn SchedulingPolicy>) -> Self {
        let spot = policy.uses_spot();
        let pricing = &scenario.pricing;
        // Held seconds are priced by the second: spot by its (possibly stepped) price,
        // on-demand by the constant on-demand price.
        let price = if spot {
            pricing.spot.clone()
        } else {
            SpotPrice::Constant(pricing.on_demand_per_hour)
        };
        Self {
            market: scenario.market.as_ref().map(|m| m.model.clone()),
            exponential: scenario
                .market
                .as_ref()
                .and_then(|m| m.model.as_exponential().cloned()),
            spot,
            instance_count: f64::from(scenario.job.instance_count),
            max_wait: if spot {
                scenario.max_wait_or_infinity()
            } else {
                f64::INFINITY
            },
            max_runtime: scenario.job.max_runtime_seconds,
            training: scenario.workload.training_seconds,
            provisioning: scenario.workload.provisioning_seconds,
            download: scenario.workload.download_seconds,
            upload: scenario.workload.upload_seconds,
            stopping: scenario.workload.stopping_seconds,
            interval: scenario.checkpoint.policy.interval_seconds(),
            write: scenario.checkpoint.write_seconds,
            restore: scenario.checkpoint.restore_seconds,
            durable_checkpoints: scenario.job.checkpoint_s3_uri.is_some(),
            notice: scenario.market.as_ref().map_or(0.0, |m| m.notice_seconds),
            emergency_checkpoints: scenario.checkpoint.on_notice == OnNotice::Checkpoint
                || scenario.checkpoint.policy.checkpoints_on_notice(),
            price,
            on_demand_price: SpotPrice::Constant(pricing.on_demand_per_hour),
            on_demand_per_hour: pricing.on_demand_per_hour,
            asks_policy: !policy.places_only_on_spot(),
            policy,
            on_demand_job_seconds: uninterrupted_seconds(scenario),
            pending_status: scenario.simulation.capacity_wait_status == CapacityWaitStatus::Pending,
            seed: scenario.simulation.seed,
            internal_error_rate: scenario.job.internal_error_rate,
            max_retry_attempts: scenario.job.max_retry_attempts,
            deadline: scenario.job.deadline_seconds,
            on_demand_mean_wait: scenario.on_demand.mean_wait_seconds(),
        }
    }

    /// Seconds of Stopping before a stopped job's terminal status.
    pub fn stopping_seconds(&self) -> f64 {
        self.stopping
    }
}

impl Simulator for ContinuousEngine {
    fn block_trials(&self) -> u64 {
        BLOCK_TRIALS
    }

    fn path_depends_on_max_wait(&self) -> bool {
        !self.policy.path_independent_of_max_wait()
    }

    /// The same engine with another MaxWait deadline (the planner runs each trial once with the
    /// largest MaxWait of its grid and reads every smaller one off the same path).
    fn with_max_wait(mut self, max_wait_seconds: f64) -> Self {
        if self.spot {
            self.max_wait = max_wait_seconds;
        }
        self
    }

    fn max_wait_stops_trials(&self) -> bool {
        true
    }

    /// A policy that places every attempt on spot without looking at the deadline follows the
    /// same spot path under any MaxWait until MaxWait cuts it.
    fn on_demand_after_truncated_spot(&self) -> bool {
        self.spot && !self.asks_policy && self.policy.on_demand_after_max_wait()
    }

    fn fallbacks(
        &self,
        trial: u64,
        record: &SpotRecord,
        switch_seconds: &[f64],
        each: impl FnMut(usize, TrialOutcome),
    ) -> bool {
        self.rebuild_fallbacks(trial, record, switch_seconds, each)
    }

    fn rebuilds_fallbacks(&self) -> bool {
        self.rebuilds_exactly()
    }

    fn max_wait_seconds(&self) -> f64 {
        self.max_wait
    }

    fn deadline_seconds(&self) -> Option<f64> {
        self.deadline
    }

    fn instance_count(&self) -> f64 {
        self.instance_count
    }

    fn trial_limits(&self) -> TrialLimits {
        if self.spot && self.policy.on_demand_after_max_wait() {
            return TrialLimits {
                wall_clock_seconds: None,
                completion_seconds: None,
                training_time_seconds: Some(2.0 * self.max_runtime),
            };
        }
        let finite = |seconds: f64| seconds.is_finite().then_some(seconds);
        TrialLimits {
            wall_clock_seconds: finite(self.max_wait + self.stopping),
            completion_seconds: finite(self.max_wait),
            training_time_seconds: Some(self.max_runtime),
        }
    }

    fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    /// Download, training with the same checkpoint writes, upload (provisioning is not billed).
    fn on_demand_cost_usd(&self, on_demand_per_hour: f64) -> f64 {
        billing::on_demand_usd(
            self.on_demand_job_seconds,
            on_demand_per_hour,
            self.instance_count,
        )
    }

    /// 1 + MaxWait ÷ mean uptime: a job is interrupted at most as often as capacity is lost.
    fn attempts_per_trial_estimate(&self) -> f64 {
        let horizon = self.max_wait.min(crate::scenario::MAX_WAIT_LIMIT_SECONDS);
        match self.market.as_ref().and_then(|m| m.mean_uptime_seconds()) {
            Some(mean) if mean > 0.0 && self.spot => 1.0 + horizon / mean,
            _ => 1.0,
        }
    }

    /// Always inlined, with [`ContinuousEngine::run_job`], into the runner's trial loop, whose
    /// generators and totals then stay in registers: 9 % less time a trial (README, "Scale").
    #[inline(always)]
    fn run_recorded<R: Recorder>(&self, trial: u64, recorder: &mut R) -> TrialOutcome {
        let mut rng = TrialRng::new(self.seed, trial);
        let mut market_state = MarketState::default();
        let mut totals = Totals::default();
        self.draw_next_error(&rng, &mut totals);
        let first = JobLimits {
            created_seconds: 0.0,
            max_wait_seconds: self.max_wait,
            spot: self.spot,
        };
        let (outcome, at) = if self.plain_spot() {
            self.run_job::<R, true>(first, &mut rng, &mut market_state, &mut totals, recorder)
        } else {
            self.run_job::<R, false>(first, &mut rng, &mut market_state, &mut totals, recorder)
        };
        if matches!(outcome, Outcome::Completed | Outcome::Failed) {
            return self.finish(outcome, at, totals);
        }
        let end = self.stop(at, outcome, recorder);
        if outcome != Outcome::MaxWaitTimeExceeded || !self.policy.on_demand_after_max_wait() {
            return self.finish(outcome, end, totals);
        }
        self.fall_back(end, &mut rng, &mut market_state, totals, recorder)
    }
}

impl ContinuousEngine {
    /// The fallback job of a trial whose spot job MaxWait stopped, Stopping having ended at
    /// `end`: a new CreateTrainingJob on on-demand capacity, created then, with its own
    /// MaxRuntime and no MaxWait, resuming from the newest checkpoint whose write completed in
    /// any attempt of the spot job, the one MaxWait cut short included (reference §9). What
    /// that attempt trained after it is redone.
    fn fall_back<R: Recorder>(
        &self,
        end: f64,
        rng: &mut TrialRng,
        market_state: &mut MarketState,
        mut totals: Totals,
        recorder: &mut R,
    ) -> TrialOutcome {
        totals.fell_back_at = Some(end);
        totals.lost += std::mem::take(&mut totals.unsaved_at_stop);
        let second = JobLimits {
            created_seconds: end,
            max_wait_seconds: f64::INFINITY,
            spot: false,
        };
        let (outcome, at) =
            self.run_job::<R, false>(second, rng, market_state, &mut totals, recorder);
        let end = if matches!(outcome, Outcome::Completed | Outcome::Failed) {
            at
        } else {
            self.stop(at, outcome, recorder)
        };
        self.finish(outcome, end, totals)
    }

    /// Draws when the next `InternalServerError` strikes, in cumulative held seconds.
    fn draw_next_error(&self, rng: &TrialRng, totals: &mut Totals) {
        if self.internal_error_rate <= 0.0 {
            totals.next_error_held = f64::INFINITY;
            return;
        }
        let generator = totals
            .error_rng
            .get_or_insert_with(|| rng.stream(Stream::InternalError));
        totals.next_error_held =
            totals.held + exponential(generator, 3600.0 / self.internal_error_rate);
    }

    /// The wait for on-demand capacity of one request for it: exponential with mean
    /// `[on_demand] mean_capacity_wait` (a decision, README "Semantics": AWS publishes no
    /// distribution), from its own stream; 0 without a draw when the mean is 0, so that no
    /// other draw of the trial moves.
    fn draw_on_demand_wait(&self, rng: &TrialRng, totals: &mut Totals) -> f64 {
        if self.on_demand_mean_wait <= 0.0 {
            return 0.0;
        }
        let generator = totals
            .on_demand_wait_rng
            .get_or_insert_with(|| rng.stream(Stream::OnDemandCapacityWait));
        exponential(generator, self.on_demand_mean_wait)
    }

    /// The restore added to Downloading once `durable` seconds of training are saved.
    #[inline]
    fn restore_seconds(&self, durable: f64) -> f64 {
        if durable > 0.0 { self.restore } else { 0.0 }
    }

    /// The attempt on capacity from `start` until `lost`, after `durable` seconds of training
    /// were saved, with an emergency checkpoint on the notice when `emergency` (the job's
    /// `on_notice` policy): what the job loop runs, and what the planner rebuilds a trial from.
    #[inline]
    fn planned_attempt(&self, start: f64, lost: f64, durable: f64, emergency: bool) -> Attempt {
        let mut attempt = Attempt::new(
            start,
            self.download + self.restore_seconds(durable),
            self.training - durable,
            self.interval,
            self.write,
            self.upload,
        );
        if emergency && lost.is_finite() {
            attempt.plan_emergency(lost - self.notice, lost);
        }
        attempt
    }

    /// Whether the first job of a trial is plain managed spot: every attempt on spot (the
    /// placement resolved once), on the memoryless market, without emergency checkpoints or
    /// `InternalServerError`s. [`ContinuousEngine::run_job`] is then compiled without those
    /// branches (and the values they keep alive), which is most scenarios' hot loop.
    fn plain_spot(&self) -> bool {
        self.spot
            && !self.asks_policy
            && self.exponential.is_some()
            && !self.emergency_checkpoints
            && self.internal_error_rate <= 0.0
    }

    /// Runs one training job from its CreationTime until it completes (returns the completion
    /// instant), a limit stops it (returns the instant Stopping begins) or it fails (returns
    /// the instant of the failure). `PLAIN` says the job is [plain managed
    /// spot](ContinuousEngine::plain_spot): the same steps, with the branches it cannot take
    /// left out.
    #[inline(always)]
    fn run_job<R: Recorder, const PLAIN: bool>(
        &self,
        limits: JobLimits,
        rng: &mut TrialRng,
        market_state: &mut MarketState,
        totals: &mut Totals,
        recorder: &mut R,
    ) -> (Outcome, f64) {
        let deadline = limits.max_wait_seconds;
        let mut held_in_job = 0.0;
        let mut now = limits.created_seconds;
        // InternalServerErrors of this job so far; each one beyond the first uses a retry.
        let mut errors = 0u32;
        // Whether the next Starting is a retry after an InternalServerError.
        let mut retrying = false;
        loop {
            let starting_message = if std::mem::take(&mut retrying) {
                MESSAGE_RETRYING
            } else {
                MESSAGE_PREPARING
            };
            let restore = self.restore_seconds(totals.durable);
            let placement = if PLAIN {
                Placement::Spot
            } else if !limits.spot {
                Placement::OnDemand
            } else if !self.asks_policy {
                Placement::Spot
            } else {
                self.policy.place(&DecisionPoint {
                    now_seconds: now,
                    deadline_seconds: deadline,
                    runtime_left_seconds: self.max_runtime - held_in_job,
                    remaining_training_seconds: self.training - totals.durable,
                    durable_progress_seconds: totals.durable,
                    interruptions: totals.interruptions,
                    restart_seconds: self.provisioning + self.download + restore,
                })
            };
            let on_demand = placement == Placement::OnDemand;
            let capacity = if on_demand {
                // On-demand capacity is never reclaimed; it comes after its own wait (0 unless
                // `[on_demand] mean_capacity_wait` is set), every time the job asks for it.
                Some(Capacity {
                    acquired_seconds: now + self.draw_on_demand_wait(rng, totals),
                    lost_seconds: f64::INFINITY,
                })
            } else if let Some(exponential) = &self.exponential {
                Some(exponential.capacity(now, rng))
            } else {
                match &self.market {
                    Some(market) => market.next_capacity(now, market_state, rng),
                    // A scenario without a market cannot place a job on spot (resolving it
                    // fails); a policy put straight into one gets capacity at once.
                    None => Some(Capacity {
                        acquired_seconds: now,
                        lost_seconds: f64::INFINITY,
                    }),
                }
            };
            // A market with no capacity left: it never comes (and so is never lost).
            let Capacity {
                acquired_seconds: acquired,
                lost_seconds: lost,
            } = capacity.unwrap_or(Capacity {
                acquired_seconds: f64::INFINITY,
                lost_seconds: f64::INFINITY,
            });
            recorder.capacity(now, acquired, lost);
            if acquired >= deadline {
                // Capacity does not come before the deadline (reference §2, case 4).
                let shown = if self.pending_status {
                    SecondaryStatus::Pending
                } else {
                    SecondaryStatus::Starting
                };
                recorder.enter(now, shown, MESSAGE_INSUFFICIENT_CAPACITY);
                totals.capacity_wait += deadline - now;
                return (Outcome::MaxWaitTimeExceeded, deadline);
            }
            if self.pending_status && acquired > now {
                recorder.enter(now, SecondaryStatus::Pending, MESSAGE_INSUFFICIENT_CAPACITY);
                recorder.enter(acquired, SecondaryStatus::Starting, starting_message);
            } else {
                recorder.enter(now, SecondaryStatus::Starting, starting_message);
            }
            totals.capacity_wait += acquired - now;

            // Provisioning: capacity is held (the uptime clock runs) but nothing is billed.
            let start = acquired + self.provisioning;
            if earlier(lost, deadline) <= start {
                if deadline <= lost {
                    return (Outcome::MaxWaitTimeExceeded, deadline);
                }
                now = self.interrupt(lost, totals, recorder);
                continue;
            }

            let attempt = self.planned_attempt(
                start,
                lost,
                totals.durable,
                !PLAIN && self.emergency_checkpoints,
            );
            totals.training_start.get_or_insert(start);
            let end = attempt.end();
            let runtime_left = self.max_runtime - held_in_job;
            let runtime_limit = start + runtime_left;
            let limit = earlier(deadline, runtime_limit);
            // MaxRuntime counts held time: an attempt whose phases fit in what is left
            // completes even when `start + runtime_left` rounds below `end`.
            let within_runtime = end <= runtime_limit || attempt.held_seconds() <= runtime_left;
            let price = if on_demand {
                &self.on_demand_price
            } else {
                &self.price
            };
            let offset = market_state.offset_seconds;
            // An InternalServerError ends the attempt like a loss of capacity (∞ at rate 0, which
            // a plain job has).
            let error_at = start + (totals.next_error_held - totals.held);
            let ends_at = if !PLAIN && error_at < lost {
                error_at
            } else {
                lost
            };

            if end <= ends_at && end <= deadline && within_runtime {
                record_phases(&attempt, end, true, recorder);
                self.hold(&attempt, end, price, offset, on_demand, totals, recorder);
                totals.durable = self.training;
                recorder.enter(
                    end,
                    SecondaryStatus::Completed,
                    SecondaryStatus::Completed.default_message(),
                );
                return (Outcome::Completed, end);
            }
            if limit <= ends_at {
                record_phases(&attempt, limit, false, recorder);
                let progress =
                    self.hold(&attempt, limit, price, offset, on_demand, totals, recorder);
                // The checkpoints this attempt completed before the limit are durable like any
                // other: a fallback job resumes from the newest of them (reference §9) and the
                // trial's progress counts them. The training after it is redone only if a
                // fallback job follows.
                totals.unsaved_at_stop = self.bank(progress, totals);
                let reason = if deadline <= runtime_limit {
                    Outcome::MaxWaitTimeExceeded
                } else {
                    Outcome::MaxRuntimeExceeded
                };
                return (reason, limit);
            }
            record_phases(&attempt, ends_at, false, recorder);
            let progress = self.hold(
                &attempt, ends_at, price, offset, on_demand, totals, recorder,
            );
            held_in_job += ends_at - start;
            totals.lost += self.bank(progress, totals);
            if !PLAIN && ends_at < lost {
                // Not a spot interruption: it uses a RetryStrategy attempt (reference §6).
                errors += 1;
                if errors > self.max_retry_attempts {
                    recorder.enter(
                        ends_at,
                        SecondaryStatus::Failed,
                        MESSAGE_INTERNAL_ERROR_FAILED,
                    );
                    return (Outcome::Failed, ends_at);
                }
                self.draw_next_error(rng, totals);
                retrying = true;
                now = ends_at;
                continue;
            }
            now = self.interrupt(lost, totals, recorder);
        }
    }

    /// Books the instance-held time of `attempt` up to `until` at `price`; returns where the
    /// attempt stands then.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn hold<R: Recorder>(
        &self,
        attempt: &Attempt,
        until: f64,
        price: &SpotPrice,
        trace_offset: f64,
        on_demand: bool,
        totals: &mut Totals,
        recorder: &mut R,
    ) -> Progress {
        let progress = attempt.progress_at(until);
        let price_seconds = price.integral(attempt.start, until, trace_offset);
        recorder.held(attempt.start, until, price_seconds);
        totals.held += until - attempt.start;
        totals.price_seconds += price_seconds;
        if on_demand {
            totals.on_demand_price_seconds += price_seconds;
        }
        totals.writes += progress.writes;
        progress
    }

    /// Makes the checkpoints an attempt completed durable (with a `checkpoint_s3_uri`; without
    /// one nothing survives the attempt) and returns the training it did after the newest of
    /// them, which a later attempt redoes.
    #[inline]
    fn bank(&self, progress: Progress, totals: &mut Totals) -> f64 {
        let saved = if self.durable_checkpoints {
            progress.durable
        } else {
            0.0
        };
        totals.durable += saved;
        progress.trained - saved
    }

    fn interrupt<R: Recorder>(&self, at: f64, totals: &mut Totals, recorder: &mut R) -> f64 {
        totals.interruptions += 1;
        recorder.enter(
            at,
            SecondaryStatus::Interrupted,
            SecondaryStatus::Interrupted.default_message(),
        );
        at
    }

    /// Stopping from `at`, then the terminal status; returns the terminal instant.
    fn stop<R: Recorder>(&self, at: f64, reason: Outcome, recorder: &mut R) -> f64 {
        recorder.enter(
            at,
            SecondaryStatus::Stopping,
            SecondaryStatus::Stopping.default_message(),
        );
        let end = at + self.stopping;
        recorder.enter(end, reason.status(), reason.status().default_message());
        end
    }

    fn finish(&self, outcome: Outcome, end: f64, totals: Totals) -> TrialOutcome {
        TrialOutcome {
            outcome,
            wall_clock_seconds: end,
            training_time_seconds: totals.held,
            billable_time_seconds: billing::billable_seconds(
                totals.price_seconds,
                self.on_demand_per_hour,
            ),
            cost_usd: billing::cost_usd(totals.price_seconds, self.instance_count),
            interruptions: totals.interruptions,
            lost_training_seconds: totals.lost,
            checkpoints_written: totals.writes,
            progress_seconds: totals.durable,
            capacity_wait_seconds: totals.capacity_wait,
            training_start_seconds: totals.training_start,
            on_demand_cost_usd: billing::cost_usd(
                totals.on_demand_price_seconds,
                self.instance_count,
            ),
            fallback_seconds: totals.fell_back_at,
        }
    }
}

/// Reports Downloading, Training and Uploading of `attempt` as far as they start before `until`
/// (all of them when the attempt completes).
fn record_phases<R: Recorder>(attempt: &Attempt, until: f64, completed: bool, recorder: &mut R) {
    recorder.enter(
        attempt.start,
        SecondaryStatus::Downloading,
        SecondaryStatus::Downloading.default_message(),
    );
    if completed || attempt.train_start < until {
        recorder.enter(
            attempt.train_start,
            SecondaryStatus::Training,
            SecondaryStatus::Training.default_message(),
        );
    }
    if completed || attempt.train_end() < until {
        recorder.enter(
            attempt.train_end(),
            SecondaryStatus::Uploading,
            SecondaryStatus::Uploading.default_message(),
        );
    }
}

#[cfg(test)]
mod tests;
