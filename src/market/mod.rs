//! Spot markets: when capacity can be acquired, and when it is lost again.
//!
//! A market answers one question for the engine: "the job asks for capacity at time `now`;
//! when does it get it, and when will it lose it?" ([`Market::next_capacity`]). Times are
//! seconds since the job's `CreationTime`. The engine never asks about the time in between,
//! so a trial costs a few arithmetic steps per attempt, however long the attempt is.
//!
//! Adding a model is one file plus one line in [`MODELS`].

mod advisor;
mod bootstrap;
pub mod distribution;
mod exponential;
mod lognormal;
mod markov;
pub mod price;
pub mod trace;
pub mod trace_data;
mod weibull;
mod windows;

pub use exponential::Exponential;
pub use exponential::seconds_value;
pub use windows::Windows;

use crate::error::InputError;
use crate::random::TrialRng;
use crate::scenario::keys::Keys;
use std::fmt::Debug;

/// A period during which the job holds spot capacity (all instances of a gang).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capacity {
    /// When the capacity is acquired (seconds since CreationTime).
    pub acquired_seconds: f64,
    /// When it is reclaimed (`f64::INFINITY` = never).
    pub lost_seconds: f64,
}

/// Per-trial mutable market state (a cursor into a trace, a start offset).
#[derive(Debug, Clone, Copy, Default)]
pub struct MarketState {
    /// Index of the next interval to consider.
    pub cursor: usize,
    /// Offset into a replayed trace, drawn once per trial.
    pub offset_seconds: f64,
    /// Two-state (`markov`) market: whether the current period has capacity.
    pub period_available: bool,
    /// Two-state (`markov`) market: when the current period ends (seconds since CreationTime).
    pub period_end_seconds: f64,
}

/// A model of spot capacity, shared read-only by all trials.
pub trait Market: Send + Sync + Debug {
    /// The model's name as written in `[market] model`.
    fn model(&self) -> &'static str;

    /// The first capacity period the job can get at or after `now_seconds`, or `None` when
    /// capacity never comes. A model may return an acquisition after the job's deadline; the
    /// engine compares.
    fn next_capacity(
        &self,
        now_seconds: f64,
        state: &mut MarketState,
        rng: &mut TrialRng,
    ) -> Option<Capacity>;

    /// Mean time from acquiring capacity to losing it (M in checkpoint theory), if defined.
    fn mean_uptime_seconds(&self) -> Option<f64>;

    /// The model's resolved parameters, for `spotsim validate`.
    fn resolved(&self) -> toml::Table;

    /// The replayed trace, when the model is one (per-tick prices align with it).
    fn as_trace(&self) -> Option<&trace::Trace> {
        None
    }
}

/// What a market model may need from the rest of the scenario while it is built.
#[derive(Debug, Clone, Copy)]
pub struct MarketContext<'a> {
    /// Instances in the gang: the job holds capacity only while all of them run.
    pub instance_count: u32,
    /// The SageMaker instance type (e.g. `ml.p3.2xlarge`).
    pub instance_type: &'a str,
    /// The longest a trial can run (its MaxWait): a replayed trace must cover it.
    pub horizon_seconds: f64,
    /// The folder of the scenario file: relative paths resolve against it.
    pub base_dir: &'a std::path::Path,
}

/// Builds a market from the keys of `[market]` (the `model` and `notice` keys already taken).
pub type MarketBuilder = fn(&mut Keys, &MarketContext) -> Result<Box<dyn Market>, InputError>;

/// The registry of market models: name, builder, and the keys it accepts.
pub const MODELS: &[(&str, MarketBuilder, &[&str])] = &[
    ("exponential", exponential::build, exponential::KEYS),
    ("windows", windows::build, windows::KEYS),
    ("trace", trace::build, trace::KEYS),
    ("weibull", weibull::build, weibull::KEYS),
    ("lognormal", lognormal::build, lognormal::KEYS),
    ("markov", markov::build, markov::KEYS),
    ("advisor", advisor::build, advisor::KEYS),
    ("bootstrap", bootstrap::build, bootstrap::KEYS),
];

/// Builds the market named `model`.
pub fn build(
    model: &str,
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<(Box<dyn Market>, &'static [&'static str]), InputError> {
    for (name, builder, known) in MODELS {
        if *name == model {
            return Ok((builder(keys, context)?, known));
        }
    }
    let names: Vec<&str> = MODELS.iter().map(|(name, _, _)| *name).collect();
    Err(keys.error(
        "model",
        format!(
            "unknown market model {} (expected one of: {})",
            crate::error::excerpt(model),
            names.join(", ")
        ),
    ))
}
