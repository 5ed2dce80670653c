//! Spot markets: when capacity can be acquired, and when it is lost again.
//!
//! A market answers one question for the engine: "the job asks for capacity at time `now`;
//! when does it get it, and when will it lose it?" ([`Market::next_capacity`]). Times are
//! seconds since the job's `CreationTime`. The engine never asks about the time in between,
//! so a trial costs a few arithmetic steps per attempt, however long the attempt is.
//!
//! Adding a model is one file (a [`Market`] and its [`MarketBuilder`]) plus one line in
//! [`MODELS`]; `tests/integration/extensions.rs` builds a model defined in the test from such a
//! line and runs it.

pub mod advisor;
mod bootstrap;
pub mod correlation;
pub mod distribution;
pub mod episodes;
mod exponential;
mod lognormal;
mod markov;
pub mod price;
pub mod price_reading;
pub mod trace;
pub mod trace_data;
pub mod trace_reading;
mod weibull;
mod windows;

pub use exponential::Exponential;
pub use exponential::seconds_value;
pub use windows::Windows;

use crate::error::InputError;
use crate::random::TrialRng;
use crate::units::keys::Keys;
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

    /// The memoryless model, when the model is one: the engine calls it directly (inlined)
    /// instead of through the trait object on every attempt.
    fn as_exponential(&self) -> Option<&exponential::Exponential> {
        None
    }

    /// The published figure the interruption rate was derived from, when the model derives it
    /// (the Spot Instance Advisor's band): shown with every result.
    fn interruption_basis(&self) -> Option<InterruptionBasis> {
        None
    }
}

/// The figure an interruption rate was derived from, and the rate: printed beside every
/// summary and plan (table, JSON, Markdown, HTML) so that no result rests on a band or hazard
/// the user did not see.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterruptionBasis {
    /// The market model (`advisor`).
    pub model: String,
    /// Where the band came from (`us-east-1 Linux p3.2xlarge in spot-advisor-data.….json`, or
    /// `the scenario's band`).
    pub source: String,
    /// AWS's label of the band (`>20%`).
    pub band: String,
    /// Which p within the band (`upper`, `mid`, `lower`).
    pub edge: String,
    /// p: the fraction of instances reclaimed per month that was used.
    pub monthly_interruption_fraction: f64,
    /// λ = −ln(1 − p) / 730 h, per instance.
    pub hazard_per_instance_hour: f64,
    /// Instances in the gang (the gang's hazard is N·λ).
    pub instance_count: u32,
    /// 1 / (N·λ), the gang's mean uptime (`null` when λ = 0: capacity is never lost).
    pub mean_uptime_hours: Option<f64>,
}

impl InterruptionBasis {
    /// One sentence for people: the band, p, λ and the mean uptime.
    pub fn sentence(&self) -> String {
        let uptime = match self.mean_uptime_hours {
            Some(hours) => format!("mean uptime {hours:.1} h"),
            None => "capacity is never lost once acquired".to_string(),
        };
        let gang = if self.instance_count > 1 {
            format!(" (× {} instances for the gang)", self.instance_count)
        } else {
            String::new()
        };
        format!(
            "Interruptions: Spot Instance Advisor band {} ({}), {} edge p = {} of instances reclaimed per month → hazard −ln(1 − p)/730 h = {:.6} per instance-hour{gang}, {uptime}.",
            self.band,
            self.source,
            self.edge,
            self.monthly_interruption_fraction,
            self.hazard_per_instance_hour,
        )
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

/// One market model's registration: its name in `[market] model`, its builder, and the keys
/// it accepts.
pub type ModelEntry = (&'static str, MarketBuilder, &'static [&'static str]);

/// The registry of market models: name, builder, and the keys it accepts.
pub const MODELS: &[ModelEntry] = &[
    ("exponential", exponential::build, exponential::KEYS),
    ("windows", windows::build, windows::KEYS),
    ("trace", trace::build, trace::KEYS),
    ("weibull", weibull::build, weibull::KEYS),
    ("lognormal", lognormal::build, lognormal::KEYS),
    ("markov", markov::build, markov::KEYS),
    ("advisor", advisor::build, advisor::KEYS),
    ("bootstrap", bootstrap::build, bootstrap::KEYS),
];

/// Builds the market named `model` from [`MODELS`].
pub fn build(
    model: &str,
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<(Box<dyn Market>, &'static [&'static str]), InputError> {
    build_from(MODELS, model, keys, context)
}

/// Builds the market named `model` from the registrations `models` ([`build`] uses
/// [`MODELS`]; a test or a program can check a new entry before it joins them).
pub fn build_from(
    models: &[ModelEntry],
    model: &str,
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<(Box<dyn Market>, &'static [&'static str]), InputError> {
    for (name, builder, known) in models {
        if *name == model {
            return Ok((builder(keys, context)?, known));
        }
    }
    let names: Vec<&str> = models.iter().map(|(name, _, _)| *name).collect();
    Err(keys.error(
        "model",
        format!(
            "unknown market model {} (expected one of: {})",
            crate::error::excerpt(model),
            names.join(", ")
        ),
    ))
}
