//! A market from a team's own training jobs: DescribeTrainingJob documents
//! ([`crate::sagemaker::history`]) → censored samples of capacity waits and instance
//! lifetimes → the censored maximum-likelihood fits of [`crate::fit`].
//!
//! ## What a job's transitions say
//! `SecondaryStatusTransitions` is one list for the whole job (reference §2): each attempt is
//! `Starting` (a capacity wait, then provisioning) → `Downloading` → `Training` → `Uploading`,
//! and ends `Interrupted` (the spot capacity was reclaimed), in a retry (`Starting` again
//! after an `InternalServerError`), or with the job (`Stopping`, `Completed`, …). A
//! transition's span runs from its `StartTime` to the next transition's.
//!
//! ## Provisioning and the lifetime of an instance
//! spotsim's uptime clock starts when capacity is **acquired**, at the start of provisioning
//! (reference §3): a lifetime is provisioning + the held time (Downloading, Training,
//! Uploading) until the loss. A `Starting` span mixes the capacity wait W and provisioning P,
//! and nothing in a document separates them, so P must be given (`--provisioning`) or is
//! assumed (and said on stderr). With P:
//! * an attempt that reached Downloading acquired its capacity P before Downloading began:
//!   its capacity wait is `W = Starting − P` (taken as 0, and counted, when the span is
//!   shorter than P — a sign that P is too long), and its instance lifetime is
//!   `U = P + held`: an event when the attempt ends `Interrupted`, right-censored when it
//!   ends another way;
//! * an attempt interrupted while `Starting` lost its capacity during provisioning: U < P, and
//!   where W ends inside the span is unknown. Such lifetimes are left out of the fit and the
//!   fit is made **conditional on surviving provisioning**: every lifetime enters the sample
//!   at P (delayed entry, [`crate::fit::Observation`]), which is the exact likelihood of the
//!   lifetimes that are kept. Their capacity waits are left out too: leaving out by U is
//!   leaving out independently of W, so the waits that remain are an unbiased sample;
//! * an attempt still `Starting` when the job stopped waited at least `Starting − P`
//!   (right-censored; left out when that is 0).
//!
//! With spotsim's `show_capacity_wait_as = "Pending"` a `Pending` span is the capacity wait
//! itself: W is read from it exactly (an event once `Starting` follows, censored when the job
//! stopped while `Pending`), whatever P is.
//!
//! ## Gangs and correlation
//! A gang of N runs until its first loss; under the common-shock model
//! ([`crate::market::correlation`]) its hazard is `N_eff = N − (N − 1)·ρ` times one
//! instance's. The lifetimes of every gang size are fitted together as one instance's
//! lifetime with hazard multipliers `N_eff`. Jobs of one gang size cannot separate ρ from the
//! hazard; with two or more sizes ρ is estimated by maximising the profile likelihood of the
//! Weibull fit over ρ ∈ [0, 1] (a grid of 21 points, then golden-section search), its
//! standard error from the curvature of that profile (a second difference, step 0.005). Both
//! models are then fitted at that ρ.
//!
//! ## What is not used
//! Jobs without managed spot, `Failed` jobs, jobs not yet finished, heterogeneous clusters
//! (`InstanceGroups`), jobs without transitions, statuses spotsim does not model (`Updating`,
//! `Restarting`) and transitions out of the lifecycle's order are listed with the reason and
//! left out; they never stop the run.

use crate::fit::{Episode, EpisodeFit, Observation, fit_episodes, fit_episodes_observed};
use crate::market::correlation::effective_gang_size;
use crate::sagemaker::history::{History, LeftOut, TrainingJob};
use serde::Serialize;

mod extract;
mod fitting;

pub use extract::*;
pub use fitting::*;

/// How calibration treats what the documents do not say.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Provisioning time P (seconds) inside every `Starting` span.
    pub provisioning_seconds: f64,
    /// The common share ρ, when given (otherwise estimated from two or more gang sizes, or 0).
    pub correlation: Option<f64>,
    /// The instance type to calibrate, when the documents hold several.
    pub instance_type: Option<String>,
}

/// The censored samples of the jobs of one gang size.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GangSample {
    /// `InstanceCount`.
    pub instance_count: u32,
    /// Jobs used.
    pub jobs: usize,
    /// Instance lifetimes (provisioning + held), each at least the provisioning time.
    pub uptimes: Vec<Episode>,
    /// Capacity waits.
    pub capacity_waits: Vec<Episode>,
    /// Attempts whose capacity was lost while provisioning (left out of the uptime fit).
    pub provisioning_losses: usize,
    /// `Starting` spans shorter than the provisioning time (their wait taken as 0).
    pub short_starts: usize,
}

/// The samples of all usable jobs of one instance type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    /// The instance type.
    pub instance_type: String,
    /// One sample per gang size, by size.
    pub gangs: Vec<GangSample>,
    /// The jobs left out.
    pub unused: Vec<LeftOut>,
}

#[cfg(test)]
mod tests;
