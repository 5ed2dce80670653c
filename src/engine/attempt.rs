//! One attempt: from the start of Downloading to the end of Uploading, on capacity the job
//! holds. Everything in an attempt is deterministic once it starts, so its state at any instant
//! is computed arithmetically instead of by stepping through checkpoint events.
//!
//! Layout of an attempt (times absolute, seconds since CreationTime):
//! ```text
//! start ── download (+ restore) ── train_start ── [τ train][δ write] × writes ── last segment ── train_end ── upload ── end
//! ```
//! An optional emergency checkpoint (on an interruption notice) inserts one more write of δ at
//! the notice instant; the rest of the attempt shifts by δ.

use super::{earlier, later};

/// The length of the scenario's job on on-demand instances without interruptions: download,
/// training with the same checkpoint writes, upload (provisioning is not billed). Both clocks
/// price their reports' on-demand reference with it.
pub(crate) fn uninterrupted_seconds(scenario: &crate::scenario::Scenario) -> f64 {
    Attempt::new(
        0.0,
        scenario.workload.download_seconds,
        scenario.workload.training_seconds,
        scenario.checkpoint.policy.interval_seconds(),
        scenario.checkpoint.write_seconds,
        scenario.workload.upload_seconds,
    )
    .end()
}

/// Where an attempt stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Progress {
    /// Training done in the attempt.
    pub trained: f64,
    /// Training saved by completed checkpoints.
    pub durable: f64,
    /// Checkpoint writes completed.
    pub writes: u32,
}

/// The deterministic plan of one attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    /// Start of Downloading.
    pub start: f64,
    /// Start of Training.
    pub train_start: f64,
    /// Downloading (and restore) time.
    download: f64,
    /// Training still needed when the attempt starts.
    work: f64,
    /// Training between periodic checkpoints (∞ = none).
    interval: f64,
    /// Write time of one checkpoint.
    write: f64,
    /// Periodic writes in this attempt (none after the last segment).
    writes: f64,
    /// End of Training, without an emergency write.
    train_end_unshifted: f64,
    /// Upload time.
    upload: f64,
    /// Emergency write: (instant it starts, progress it saves).
    emergency: Option<(f64, f64)>,
}

impl Attempt {
    pub fn new(
        start: f64,
        download: f64,
        work: f64,
        interval: f64,
        write: f64,
        upload: f64,
    ) -> Self {
        let writes = if interval.is_finite() && work > interval {
            (work / interval).ceil() - 1.0
        } else {
            0.0
        };
        let train_start = start + download;
        Self {
            start,
            train_start,
            download,
            work,
            interval,
            write,
            writes,
            train_end_unshifted: train_start + work + writes * write,
            upload,
            emergency: None,
        }
    }

    fn shift(&self) -> f64 {
        if self.emergency.is_some() {
            self.write
        } else {
            0.0
        }
    }

    /// End of Training (start of Uploading).
    pub fn train_end(&self) -> f64 {
        self.train_end_unshifted + self.shift()
    }

    /// End of Uploading: the job completes here if nothing stops it first.
    pub fn end(&self) -> f64 {
        self.train_end() + self.upload
    }

    /// The held seconds of the whole attempt (`end() − start` in exact arithmetic), summed
    /// from the phases alone: compared with the MaxRuntime left, it decides a tie without the
    /// rounding of instants that start at a fractional time (after a drawn capacity wait).
    pub fn held_seconds(&self) -> f64 {
        self.download + self.work + self.writes * self.write + self.shift() + self.upload
    }

    /// Position on the plan without the emergency write: (complete cycles, time into the
    /// current cycle), for an instant `x` of that plan.
    fn cycles_at(&self, x: f64) -> (f64, f64) {
        // `clamp` without its assertion (the span is never negative) and its NaN handling.
        let elapsed = earlier(
            later(x - self.train_start, 0.0),
            self.train_end_unshifted - self.train_start,
        );
        if self.writes == 0.0 {
            return (0.0, elapsed);
        }
        let cycle = self.interval + self.write;
        // A write that completes exactly at `x` counts: the checkpoint is durable at `x`.
        let complete = earlier((elapsed / cycle).floor(), self.writes);
        (complete, elapsed - complete * cycle)
    }

    fn trained_unshifted(&self, x: f64) -> f64 {
        let (complete, into) = self.cycles_at(x);
        if self.writes == 0.0 {
            return earlier(into, self.work);
        }
        earlier(
            complete * self.interval + earlier(into, self.interval),
            self.work,
        )
    }

    fn durable_unshifted(&self, x: f64) -> f64 {
        // Without periodic writes nothing is saved (and `0 × ∞` must not become NaN).
        if self.writes == 0.0 {
            return 0.0;
        }
        self.cycles_at(x).0 * self.interval
    }

    /// Maps an instant of the actual attempt to the plan without the emergency write.
    fn unshifted(&self, x: f64) -> f64 {
        match self.emergency {
            Some((at, _)) if x >= at + self.write => x - self.write,
            Some((at, _)) if x >= at => at,
            _ => x,
        }
    }

    /// Training done, training saved by checkpoints, and writes completed by `x` (inclusive),
    /// from one position lookup (the engine's path: the three are needed together).
    #[inline]
    pub fn progress_at(&self, x: f64) -> Progress {
        let position = self.unshifted(x);
        let (complete, into) = self.cycles_at(position);
        let (mut trained, mut durable) = if self.writes == 0.0 {
            (earlier(into, self.work), 0.0)
        } else {
            let saved = complete * self.interval;
            (
                earlier(saved + earlier(into, self.interval), self.work),
                saved,
            )
        };
        let mut writes = complete as u32;
        if let Some((at, saved)) = self.emergency
            && x >= at + self.write
        {
            durable = later(durable, saved);
            writes += 1;
        }
        trained = later(trained, durable);
        Progress {
            trained,
            durable,
            writes,
        }
    }

    /// Training done in this attempt by `x`.
    #[cfg(test)]
    pub fn trained_at(&self, x: f64) -> f64 {
        self.trained_unshifted(self.unshifted(x))
    }

    /// Training saved by checkpoints completed by `x` (inclusive) in this attempt.
    #[cfg(test)]
    pub fn durable_at(&self, x: f64) -> f64 {
        let periodic = self.durable_unshifted(self.unshifted(x));
        match self.emergency {
            Some((at, saved)) if x >= at + self.write => periodic.max(saved),
            _ => periodic,
        }
    }

    /// Checkpoint writes completed by `x` (inclusive).
    #[cfg(test)]
    pub fn writes_at(&self, x: f64) -> u32 {
        let periodic = self.cycles_at(self.unshifted(x)).0 as u32;
        match self.emergency {
            Some((at, _)) if x >= at + self.write => periodic + 1,
            _ => periodic,
        }
    }

    /// Plans an emergency checkpoint for a notice at `notice_at` of a loss at `lost`: taken
    /// when the job is training (not writing) at the notice and the write completes by `lost`.
    pub fn plan_emergency(&mut self, notice_at: f64, lost: f64) {
        if notice_at < self.train_start
            || notice_at >= self.train_end_unshifted
            || notice_at + self.write > lost
        {
            return;
        }
        let (_, into) = self.cycles_at(notice_at);
        if self.writes > 0.0 && into >= self.interval {
            return; // a periodic write is already under way
        }
        let saved = self.trained_unshifted(notice_at);
        if saved > self.durable_unshifted(notice_at) {
            self.emergency = Some((notice_at, saved));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 10 h of work, 1 h interval, 60 s writes: 9 writes, no write after the last segment.
    fn plan() -> Attempt {
        Attempt::new(100.0, 200.0, 36_000.0, 3600.0, 60.0, 30.0)
    }

    #[test]
    fn progress_at_agrees_with_the_separate_queries() {
        let mut with_emergency = plan();
        with_emergency.plan_emergency(4960.0, 5080.0);
        for a in [
            plan(),
            with_emergency,
            Attempt::new(0.0, 10.0, 3600.0, f64::INFINITY, 60.0, 0.0),
        ] {
            for step in 0..2000 {
                let x = a.start + step as f64 * 20.0;
                let p = a.progress_at(x);
                assert_eq!(p.trained, a.trained_at(x), "{x}");
                assert_eq!(p.durable, a.durable_at(x), "{x}");
                assert_eq!(p.writes, a.writes_at(x), "{x}");
            }
        }
    }

    #[test]
    fn layout_adds_up() {
        let a = plan();
        assert_eq!(a.train_start, 300.0);
        assert_eq!(a.train_end(), 300.0 + 36_000.0 + 9.0 * 60.0);
        assert_eq!(a.end(), a.train_end() + 30.0);
        assert_eq!(a.trained_at(a.train_end()), 36_000.0);
        assert_eq!(a.writes_at(a.end()), 9);
        // 200 s download + 36,000 s training + 9 × 60 s writes + 30 s upload.
        assert_eq!(a.held_seconds(), 36_770.0);
        assert_eq!(a.held_seconds(), a.end() - a.start);
        let mut shifted = plan();
        shifted.plan_emergency(4960.0, 5080.0);
        assert_eq!(shifted.held_seconds(), 36_830.0);
        // From a fractional start the instants round; the phases' sum does not.
        let late = Attempt::new(0.1 + 0.2, 200.0, 36_000.0, 3600.0, 60.0, 30.0);
        assert_eq!(late.held_seconds(), 36_770.0);
    }

    #[test]
    fn durable_only_after_the_write_completes() {
        let a = plan();
        let first_write_done = 300.0 + 3600.0 + 60.0;
        assert_eq!(a.durable_at(first_write_done - 0.001), 0.0);
        assert_eq!(a.durable_at(first_write_done), 3600.0);
        assert_eq!(a.trained_at(first_write_done - 30.0), 3600.0);
        assert_eq!(a.trained_at(first_write_done + 100.0), 3700.0);
    }

    #[test]
    fn emergency_write_saves_progress_and_shifts_the_end() {
        let mut a = plan();
        let end = a.end();
        let notice = 300.0 + 3660.0 + 1000.0; // 1000 s into the second segment
        a.plan_emergency(notice, notice + 120.0);
        assert_eq!(a.end(), end + 60.0);
        assert_eq!(a.durable_at(notice + 59.0), 3600.0);
        assert_eq!(a.durable_at(notice + 60.0), 4600.0);
        assert_eq!(a.trained_at(notice + 120.0), 4660.0);
        assert_eq!(a.writes_at(notice + 60.0), 2);
    }

    #[test]
    fn without_periodic_checkpoints_nothing_is_durable() {
        // Regression: an infinite interval once gave 0 × ∞ = NaN durable progress.
        let a = Attempt::new(0.0, 0.0, 3600.0, f64::INFINITY, 60.0, 0.0);
        assert_eq!(a.durable_at(1000.0), 0.0);
        assert_eq!(a.trained_at(1000.0), 1000.0);
        assert_eq!(a.writes_at(1000.0), 0);
        let mut b = a;
        b.plan_emergency(1000.0, 1120.0);
        assert_eq!(b.durable_at(1060.0), 1000.0);
        assert_eq!(b.durable_at(1059.0), 0.0);
    }

    #[test]
    fn no_emergency_write_when_it_does_not_fit_or_during_a_write() {
        let mut a = plan();
        a.plan_emergency(1000.0, 1059.0);
        assert!(a.emergency.is_none());
        let mut b = plan();
        b.plan_emergency(300.0 + 3600.0 + 10.0, 300.0 + 3600.0 + 200.0);
        assert!(b.emergency.is_none());
    }
}
