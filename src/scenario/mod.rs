//! Scenarios: what CreateTrainingJob would say, what the job does on its instances, its
//! checkpoints, the spot market and prices — read from TOML, resolved and validated with the
//! service's own creation-time rules (reference §5).

pub mod echo;
pub mod estimator;
mod pitfalls;
mod raw;
pub mod request;
pub mod source;

use crate::policy::registry::{self, ClockKind};
use crate::tick::clock::{TickAvailability, TickSpec, TickStart};
use crate::tick::policies::TickPolicyChoice;

/// The most ticks a sampled tick-clock window may have (memory and time per trial).
const MAX_SAMPLED_TICKS: usize = 1_000_000;
use crate::error::{InputError, excerpt};
use crate::files::input::{InputKind, read_text};
use crate::market::price::{
    HistoryFilter, PriceAnchor, PriceSteps, SpotPrice, check_price_per_hour, load_price_history,
    price_from_json,
};
use crate::market::trace::StartOffset;
use crate::market::trace_data::Convention;
use crate::market::{self, Market, MarketContext};
use crate::policy::checkpoint::{Objective, daly_interval, optimise_interval, young_interval};
use crate::policy::{CheckpointPolicy, OnNotice, SchedulingPolicy};
use crate::sagemaker::time::{format_utc_millis, parse_utc_millis};
use crate::units::duration;
use crate::units::keys::{self, Keys, locate};
use crate::units::limits::MAX_TRIALS;
use raw::RawScenario;
use std::path::Path;
use std::sync::Arc;

/// The scenario `spotsim` runs when none is given.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// The longest `MaxRuntimeInSeconds` the service accepts (28 days).
pub const MAX_RUNTIME_LIMIT_SECONDS: f64 = 2_419_200.0;
/// `MaxRuntimeInSeconds` when a request leaves it out.
pub const DEFAULT_MAX_RUNTIME_SECONDS: f64 = 86_400.0;
/// Algorithms that cannot checkpoint may wait at most this long on spot (reference §5.5).
pub const NON_CHECKPOINTING_MAX_WAIT_SECONDS: f64 = 3600.0;
/// Longest MaxWait spotsim simulates (one year); AWS publishes no upper bound.
pub const MAX_WAIT_LIMIT_SECONDS: f64 = 365.0 * 86_400.0;

/// What CreateTrainingJob would say.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// `ResourceConfig.InstanceType`.
    pub instance_type: String,
    /// `ResourceConfig.InstanceCount`.
    pub instance_count: u32,
    /// `ResourceConfig.VolumeSizeInGB`.
    pub volume_size_gb: u32,
    /// `EnableManagedSpotTraining`.
    pub managed_spot: bool,
    /// `StoppingCondition.MaxRuntimeInSeconds`.
    pub max_runtime_seconds: f64,
    /// `StoppingCondition.MaxWaitTimeInSeconds` (spot only).
    pub max_wait_seconds: Option<f64>,
    /// `CheckpointConfig.S3Uri`: checkpoints are durable only when it is set.
    pub checkpoint_s3_uri: Option<String>,
    /// `CheckpointConfig.LocalPath`.
    pub checkpoint_local_path: String,
    /// `false` for a built-in or marketplace algorithm that cannot checkpoint.
    pub algorithm_checkpoints: bool,
    /// `RetryStrategy.MaximumRetryAttempts` (0 = no retry strategy).
    pub max_retry_attempts: u32,
    /// `InternalServerError`s per instance-held hour (0 = none): each ends the attempt; the
    /// job retries while RetryStrategy attempts are left, else it ends `Failed`.
    pub internal_error_rate: f64,
    /// What a CreateTrainingJob request (or SDK estimator) said that the simulation does not
    /// use but DescribeTrainingJob echoes (image, role, hyperparameters, channels, …).
    pub echo: request::Echo,
    /// `StoppingCondition.MaxPendingTimeInSeconds`: echoed, not simulated (it bounds waits for
    /// training-plan capacity; MaxWait bounds spot capacity waits).
    pub max_pending_time_seconds: Option<f64>,
}

/// What the job does on its instances, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// Compute needed, uninterrupted.
    pub training_seconds: f64,
    /// Starting, once capacity is there (not billed).
    pub provisioning_seconds: f64,
    /// Downloading input data, every attempt.
    pub download_seconds: f64,
    /// Uploading the model at the end.
    pub upload_seconds: f64,
    /// Stopping, before Stopped.
    pub stopping_seconds: f64,
}

/// Checkpoint policy and costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checkpointing {
    /// When checkpoints are written.
    pub policy: CheckpointPolicy,
    /// Blocking write time of one checkpoint.
    pub write_seconds: f64,
    /// Added to Downloading when a durable checkpoint exists.
    pub restore_seconds: f64,
    /// Reaction to an interruption notice.
    pub on_notice: OnNotice,
}

/// The spot market and its notice lead time.
#[derive(Debug, Clone)]
pub struct MarketSpec {
    /// The capacity model.
    pub model: Arc<dyn Market>,
    /// Interruption notice lead time.
    pub notice_seconds: f64,
}

/// Prices per instance-hour, USD.
#[derive(Debug, Clone, PartialEq)]
pub struct Pricing {
    /// On-demand price.
    pub on_demand_per_hour: f64,
    /// A representative spot price (the constant, or the time-weighted mean of a series).
    pub spot_per_hour: f64,
    /// The spot price over time.
    pub spot: SpotPrice,
    /// The resolved `[pricing]` keys that define the spot price (for `validate`).
    pub spot_source: toml::Table,
}

/// How capacity waits appear in the status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityWaitStatus {
    /// As `Starting`, like AWS's spot page (default).
    Starting,
    /// As a separate `Pending` entry before `Starting`.
    Pending,
}

/// Monte Carlo settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Simulation {
    /// Number of trials.
    pub trials: u64,
    /// Seed of trial randomness.
    pub seed: u64,
    /// Display of capacity waits.
    pub capacity_wait_status: CapacityWaitStatus,
}

/// A resolved, validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name (defaults to the file stem).
    pub name: String,
    /// CreationTime of every trial, ms since the epoch.
    pub start_time_millis: i64,
    /// The training job request.
    pub job: Job,
    /// Phase durations.
    pub workload: Workload,
    /// Checkpoints.
    pub checkpoint: Checkpointing,
    /// Spot market (absent for on-demand jobs without a `[market]`).
    pub market: Option<MarketSpec>,
    /// Prices.
    pub pricing: Pricing,
    /// The clock and its policy.
    pub clock: Clock,
    /// Monte Carlo settings.
    pub simulation: Simulation,
    /// Things that are valid but probably not meant (printed by the CLI).
    pub warnings: Vec<String>,
}

/// The policy `[policy] name` chose, before the clock is built.
enum Chosen {
    Continuous(Arc<dyn SchedulingPolicy>),
    Tick(TickPolicyChoice),
}

/// Which clock runs the scenario's trials, with what it needs to decide (`[simulation] clock`).
#[derive(Debug, Clone)]
pub enum Clock {
    /// The continuous clock under a scheduling policy (`[policy] name`).
    Continuous(Arc<dyn SchedulingPolicy>),
    /// The tick clock: a deadline policy on a trace or sampled market.
    Tick(Arc<TickSpec>),
}

impl Clock {
    /// The policy's name as written in `[policy] name`.
    pub fn policy_name(&self) -> &str {
        match self {
            Clock::Continuous(policy) => policy.name(),
            Clock::Tick(spec) => spec.policy.name,
        }
    }

    /// Whether the (first) job is a managed-spot job. Tick-clock policies decide per tick
    /// between spot and on-demand, starting from a managed-spot request.
    pub fn uses_spot(&self) -> bool {
        match self {
            Clock::Continuous(policy) => policy.uses_spot(),
            Clock::Tick(_) => true,
        }
    }

    /// The tick clock's specification, if it is the tick clock.
    pub fn tick(&self) -> Option<&TickSpec> {
        match self {
            Clock::Continuous(_) => None,
            Clock::Tick(spec) => Some(spec),
        }
    }
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let file = path.display().to_string();
        let source = read_text(path, InputKind::Scenario, &file, "scenario")?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".to_string());
        let base_dir = path.parent().unwrap_or(Path::new("."));
        Self::from_toml_in(&source, &file, &stem, base_dir)
    }

    /// The embedded default scenario.
    pub fn embedded_default() -> Self {
        Self::from_toml(DEFAULT_SCENARIO, "<embedded default>", "default")
            .expect("the embedded default scenario is valid")
    }

    /// Parses and validates scenario text; `file` names it in errors, `stem` is the default name.
    pub fn from_toml(source: &str, file: &str, stem: &str) -> Result<Self, InputError> {
        Self::from_toml_in(source, file, stem, Path::new("."))
    }

    /// Like [`Scenario::from_toml`], resolving relative paths (traces, prices) against `base_dir`.
    pub fn from_toml_in(
        source: &str,
        file: &str,
        stem: &str,
        base_dir: &Path,
    ) -> Result<Self, InputError> {
        Self::from_toml_with_request(source, file, stem, base_dir, None, false)
    }

    /// Reads the scenario at `path` (the embedded default when `None`) with the job taken from
    /// a CreateTrainingJob request body: `request` (from the command line) or the scenario's
    /// `[job] request`. Values the scenario's `[job]` also gives must agree with the request;
    /// the embedded default's `[job]` is replaced instead (the user did not write it).
    pub fn load_with_request(
        path: Option<&Path>,
        request: Option<&Path>,
    ) -> Result<Self, InputError> {
        let request = request
            .map(|r| request::Request::load(r, &r.display().to_string()))
            .transpose()?;
        let text = match path {
            None => source::ScenarioText::embedded_default(),
            Some(path) => source::ScenarioText::read(path)?,
        };
        Self::from_inputs(&text, request.as_ref())
    }

    /// Parses scenario text with a job source (a CreateTrainingJob request or SDK estimator
    /// arguments) that takes the place of the scenario's `[job] request` / `[job] sdk`.
    /// `replace_job`: the scenario's `[job]` is replaced rather than checked against the job
    /// source (the embedded default's, which the user did not write).
    pub(crate) fn from_toml_with_request(
        source: &str,
        file: &str,
        stem: &str,
        base_dir: &Path,
        job_source: Option<&request::Request>,
        replace_job: bool,
    ) -> Result<Self, InputError> {
        let mut raw: RawScenario =
            toml::from_str(source).map_err(|e| toml_error(file, source, &e))?;
        let from_file = match job_source {
            Some(_) => None,
            None => source::job_source_of(&raw.job, file, source, base_dir)?,
        };
        let job_source = job_source.or(from_file.as_ref());
        let replaced = match job_source {
            Some(_) if replace_job => Some(std::mem::take(&mut raw.job)),
            _ => None,
        };
        let provenance = match job_source {
            None => None,
            Some(request) => {
                if let Some(name) = &request.name
                    && (raw.name.is_none() || replace_job)
                {
                    raw.name = Some(name.clone());
                }
                Some(request.apply(&mut raw.job, replace_job, file, source)?)
            }
        };
        let resolver = Resolver {
            file,
            source,
            base_dir,
            request: provenance.as_ref(),
        };
        let runtime_given = raw.job.max_runtime.is_some();
        let max_pending = raw.job.max_pending_time.map(|s| s.0);
        let mut scenario = resolver.resolve(raw, stem)?;
        scenario.job.max_pending_time_seconds = source::max_pending(&resolver, max_pending)?;
        if let Some(request) = job_source {
            scenario.job.echo = request.echo.clone();
            scenario.warnings.extend(request.warnings.iter().cloned());
        }
        // The job's values are the job source's when there is one.
        let job_file = job_source.map_or(file, |r| r.file.as_str());
        if !runtime_given {
            scenario.warnings.push(source::max_runtime_note(job_file));
        }
        scenario
            .warnings
            .extend(pitfalls::warnings(&scenario, job_file));
        if let (Some(default_job), Some(request)) = (replaced, job_source) {
            source::check_inherited(&mut scenario, &default_job, request)?;
        }
        Ok(scenario)
    }

    /// The job's `MaxWaitTimeInSeconds` deadline, or `∞` for on-demand jobs.
    pub fn max_wait_or_infinity(&self) -> f64 {
        self.job.max_wait_seconds.unwrap_or(f64::INFINITY)
    }

    /// The fully resolved scenario as TOML (durations in seconds), for `spotsim validate`: read
    /// back, it resolves to the same scenario and prints the same text.
    pub fn to_toml_string(&self) -> String {
        let table = self.resolved_table();
        toml::to_string(&Printed {
            table: &table,
            seed: self.simulation.seed,
            section: None,
        })
        .unwrap_or_default()
    }

    /// The fully resolved scenario as a TOML table: every key with its effective value, file
    /// paths absolute, durations in seconds (scenario fingerprints hash it). Two values differ
    /// from what [`Scenario::to_toml_string`] prints: a `toml::Value` integer is an i64, so a
    /// seed above `i64::MAX` appears here wrapped to a negative number; and the default
    /// `checkpoint_local_path` is listed even without `checkpoint_s3_uri`, where it is not a
    /// valid input (reference §5, rule 7).
    pub fn resolved_table(&self) -> toml::Table {
        use crate::market::seconds_value as sec;
        use toml::Value;
        let mut root = toml::Table::new();
        root.insert("name".into(), Value::String(self.name.clone()));
        root.insert(
            "start_time".into(),
            Value::String(format_utc_millis(self.start_time_millis)),
        );
        let mut job = toml::Table::new();
        job.insert(
            "instance_type".into(),
            Value::String(self.job.instance_type.clone()),
        );
        job.insert(
            "instance_count".into(),
            Value::Integer(self.job.instance_count.into()),
        );
        job.insert(
            "volume_size_gb".into(),
            Value::Integer(self.job.volume_size_gb.into()),
        );
        job.insert("managed_spot".into(), Value::Boolean(self.job.managed_spot));
        job.insert("max_runtime".into(), sec(self.job.max_runtime_seconds));
        if let Some(w) = self.job.max_wait_seconds {
            job.insert("max_wait".into(), sec(w));
        }
        if let Some(p) = self.job.max_pending_time_seconds {
            job.insert("max_pending_time".into(), sec(p));
        }
        if let Some(uri) = &self.job.checkpoint_s3_uri {
            job.insert("checkpoint_s3_uri".into(), Value::String(uri.clone()));
        }
        job.insert(
            "checkpoint_local_path".into(),
            Value::String(self.job.checkpoint_local_path.clone()),
        );
        job.insert(
            "algorithm_checkpoints".into(),
            Value::Boolean(self.job.algorithm_checkpoints),
        );
        job.insert(
            "max_retry_attempts".into(),
            Value::Integer(self.job.max_retry_attempts.into()),
        );
        // Written when set (like max_wait), so that scenario fingerprints without it stay.
        if self.job.internal_error_rate > 0.0 {
            job.insert(
                "internal_error_rate".into(),
                Value::Float(self.job.internal_error_rate),
            );
        }
        root.insert("job".into(), Value::Table(job));
        let w = &self.workload;
        let mut workload = toml::Table::new();
        for (key, value) in [
            ("training", w.training_seconds),
            ("provisioning", w.provisioning_seconds),
            ("download", w.download_seconds),
            ("upload", w.upload_seconds),
            ("stopping", w.stopping_seconds),
        ] {
            workload.insert(key.into(), sec(value));
        }
        root.insert("workload".into(), Value::Table(workload));
        let c = &self.checkpoint;
        let mut checkpoint = toml::Table::new();
        checkpoint.insert("policy".into(), Value::String(c.policy.name().into()));
        match c.policy {
            CheckpointPolicy::Interval { interval_seconds } => {
                checkpoint.insert("interval".into(), sec(interval_seconds));
            }
            // Computed intervals are recomputed (identically) when the output is read back.
            CheckpointPolicy::Optimal { objective, .. } => {
                checkpoint.insert("objective".into(), Value::String(objective.name().into()));
            }
            CheckpointPolicy::Young { .. }
            | CheckpointPolicy::Daly { .. }
            | CheckpointPolicy::None
            | CheckpointPolicy::OnNotice => {}
        }
        checkpoint.insert("write".into(), sec(c.write_seconds));
        checkpoint.insert("restore".into(), sec(c.restore_seconds));
        let on_notice = match c.on_notice {
            OnNotice::Ignore => "ignore",
            OnNotice::Checkpoint => "checkpoint",
        };
        checkpoint.insert("on_notice".into(), Value::String(on_notice.into()));
        root.insert("checkpoint".into(), Value::Table(checkpoint));
        if let Some(m) = &self.market {
            let mut market = toml::Table::new();
            market.insert("model".into(), Value::String(m.model.model().into()));
            market.extend(m.model.resolved());
            market.insert("notice".into(), sec(m.notice_seconds));
            root.insert("market".into(), Value::Table(market));
        }
        let mut pricing = toml::Table::new();
        pricing.insert(
            "on_demand_per_hour".into(),
            Value::Float(self.pricing.on_demand_per_hour),
        );
        pricing.extend(self.pricing.spot_source.clone());
        root.insert("pricing".into(), Value::Table(pricing));
        let mut policy = toml::Table::new();
        policy.insert(
            "name".into(),
            Value::String(self.clock.policy_name().into()),
        );
        if let Some(tick) = self.clock.tick() {
            policy.insert("deadline".into(), sec(tick.deadline_seconds));
            policy.insert("changeover".into(), sec(tick.overhead_seconds));
        }
        root.insert("policy".into(), Value::Table(policy));
        let mut simulation = toml::Table::new();
        simulation.insert(
            "trials".into(),
            Value::Integer(self.simulation.trials as i64),
        );
        simulation.insert("seed".into(), Value::Integer(self.simulation.seed as i64));
        let shown = match self.simulation.capacity_wait_status {
            CapacityWaitStatus::Starting => "Starting",
            CapacityWaitStatus::Pending => "Pending",
        };
        simulation.insert("show_capacity_wait_as".into(), Value::String(shown.into()));
        let clock = match self.clock {
            Clock::Tick(_) => "tick",
            Clock::Continuous(_) => "continuous",
        };
        simulation.insert("clock".into(), Value::String(clock.into()));
        if let Some(tick) = self.clock.tick()
            && matches!(tick.availability, TickAvailability::Sampled { .. })
        {
            simulation.insert("tick".into(), sec(tick.gap_seconds));
        }
        root.insert("simulation".into(), Value::Table(simulation));
        root
    }
}

/// The resolved table as `validate` prints it, so that the output reads back as the same
/// scenario: `[simulation] seed` as an unsigned integer (TOML parsers, toml's included, read
/// integers up to `u64::MAX` into a u64, but `toml::Value` holds only i64, so a seed above
/// `i64::MAX` would be printed negative), and `[job] checkpoint_local_path` only with
/// `checkpoint_s3_uri` (a LocalPath without an S3Uri is rule 7's error).
struct Printed<'a> {
    table: &'a toml::Table,
    seed: u64,
    /// The section being written (`None` at the top).
    section: Option<&'a str>,
}

impl serde::Serialize for Printed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in self.table {
            match (self.section, key.as_str(), value) {
                (None, "simulation" | "job", toml::Value::Table(table)) => {
                    let section = Printed {
                        table,
                        seed: self.seed,
                        section: Some(key),
                    };
                    map.serialize_entry(key, &section)?;
                }
                (Some("simulation"), "seed", _) => map.serialize_entry(key, &self.seed)?,
                (Some("job"), "checkpoint_local_path", _)
                    if !self.table.contains_key("checkpoint_s3_uri") => {}
                _ => map.serialize_entry(key, value)?,
            }
        }
        map.end()
    }
}

/// Pinned keys and their API/SDK spellings (serde aliases of `[job]`).
const JOB_ALIASES: &[(&str, &[&str])] = &[
    (
        "managed_spot",
        &["enable_managed_spot_training", "use_spot_instances"],
    ),
    ("max_runtime", &["max_runtime_in_seconds", "max_run"]),
    ("max_wait", &["max_wait_time_in_seconds"]),
    ("max_pending_time", &["max_pending_time_in_seconds"]),
    ("checkpoint_s3_uri", &["s3_uri"]),
    ("checkpoint_local_path", &["local_path"]),
    ("max_retry_attempts", &["maximum_retry_attempts"]),
    ("volume_size_gb", &["volume_size_in_gb", "volume_size"]),
];

/// The section header in force at 1-based `line` and the key written on that line, if any.
fn key_at_line(source: &str, line: usize) -> (Option<String>, Option<String>) {
    let lines: Vec<&str> = source.lines().collect();
    let text = lines.get(line.saturating_sub(1)).map_or("", |l| l.trim());
    let key = text
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let section = lines[..line.saturating_sub(1).min(lines.len())]
        .iter()
        .rev()
        .chain(text.starts_with('[').then_some(&text))
        .find_map(|l| {
            let l = l.trim();
            l.strip_prefix('[')
                .map(|h| h.split(']').next().unwrap_or("").trim().to_string())
        });
    (section, key)
}

/// `start_time` as milliseconds since the epoch: a string (`"2026-01-01T00:00:00Z"`, read by
/// [`parse_utc_millis`]) or a native TOML datetime (`2026-01-01T00:00:00Z`). A datetime with an
/// offset is converted to UTC; one without is read as UTC, like a string without a zone.
fn start_time_millis(value: &toml::Value) -> Result<i64, String> {
    let expected =
        "expected a UTC timestamp such as \"2026-01-01T00:00:00Z\" or 2026-01-01T00:00:00Z";
    let datetime = match value {
        toml::Value::String(text) => return parse_utc_millis(text),
        toml::Value::Datetime(datetime) => datetime,
        other => return Err(format!("{expected}, got {}", other.type_str())),
    };
    let (Some(date), Some(time)) = (datetime.date, datetime.time) else {
        return Err(format!(
            "{expected}: a date and a time of day, got {datetime}"
        ));
    };
    let utc = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        date.year,
        date.month,
        date.day,
        time.hour,
        time.minute,
        time.second.unwrap_or(0),
        time.nanosecond.unwrap_or(0)
    );
    let offset_minutes = match datetime.offset {
        None | Some(toml::value::Offset::Z) => 0,
        Some(toml::value::Offset::Custom { minutes }) => i64::from(minutes),
    };
    Ok(parse_utc_millis(&utc)? - offset_minutes * 60_000)
}

/// The longest wall clock a trial of `scenario` can run, in seconds, and how it adds up: a
/// spot job ends by MaxWait (then Stopping); an on-demand job — or the on-demand job
/// `spot-then-on-demand` creates after MaxWait — by MaxRuntime plus one provisioning per
/// attempt (RetryStrategy) and Stopping; the tick clock by its deadline, or by compute and
/// changeover when the deadline cannot be met, plus a tick.
fn longest_wall_clock(scenario: &Scenario) -> (f64, String) {
    let policy = match &scenario.clock {
        Clock::Continuous(policy) => policy,
        Clock::Tick(tick) => {
            let seconds = tick
                .deadline_seconds
                .max(tick.compute_seconds + tick.overhead_seconds);
            return (
                seconds + tick.gap_seconds,
                "the tick clock's deadline and one tick".to_string(),
            );
        }
    };
    let (job, workload) = (&scenario.job, &scenario.workload);
    let attempts = f64::from(job.max_retry_attempts + 1);
    let on_demand = attempts * workload.provisioning_seconds
        + job.max_runtime_seconds
        + workload.stopping_seconds;
    match job.max_wait_seconds {
        Some(max_wait) if policy.on_demand_after_max_wait() => (
            max_wait + workload.stopping_seconds + on_demand,
            "MaxWait and Stopping, then an on-demand job's provisioning, MaxRuntime and Stopping"
                .to_string(),
        ),
        Some(max_wait) => (
            max_wait + workload.stopping_seconds,
            "MaxWait and Stopping".to_string(),
        ),
        None => (
            on_demand,
            "provisioning, MaxRuntime and Stopping".to_string(),
        ),
    }
}

/// M for checkpoint formulas: the market's mean uptime of the whole gang.
fn market_mean_uptime(market: Option<&MarketSpec>) -> Option<f64> {
    market
        .and_then(|m| m.model.mean_uptime_seconds())
        .filter(|m| m.is_finite() && *m > 0.0)
}

/// Turns a TOML/serde error into a one-line error naming the line and, where it can be
/// found, the `[section] key` it is about.
fn toml_error(file: &str, source: &str, error: &toml::de::Error) -> InputError {
    let line = error
        .span()
        .map(|span| source[..span.start.min(source.len())].matches('\n').count() + 1);
    let message = error.message().trim().to_string();
    let mut result = InputError::new(file, message.clone()).at_line(line);
    match keys::explain_structure(source, line, &message, &[]) {
        Some((at, Some(header), explanation)) => {
            return InputError::new(file, explanation)
                .at_line(Some(at))
                .at_key(header);
        }
        Some((_, None, explanation)) => result.message = explanation,
        None => {}
    }
    let Some(line) = line else { return result };
    let (section, key) = key_at_line(source, line);
    // A key given twice under two spellings: serde points at the table; point at the alias.
    if let Some(field) = message
        .strip_prefix("duplicate field `")
        .and_then(|m| m.split('`').next())
        && let Some((pinned, aliases)) = JOB_ALIASES
            .iter()
            .find(|(p, a)| *p == field || a.contains(&field))
    {
        let mut spellings = vec![*pinned];
        spellings.extend_from_slice(aliases);
        let used: Vec<(&str, usize)> = spellings
            .iter()
            .filter_map(|k| locate(source, Some("job"), &[k]).map(|l| (*k, l)))
            .collect();
        if let [(first, _), .., (second, second_line)] = used.as_slice() {
            return InputError::new(
                file,
                format!(
                    "\"{first}\" and \"{second}\" are the same setting ({}); give it once",
                    pinned_note(pinned, aliases)
                ),
            )
            .at_key(format!("[job] {second}"))
            .at_line(Some(*second_line));
        }
    }
    if let Some(key) = key {
        result = result.at_key(match section {
            Some(section) => format!("[{section}] {key}"),
            None => key,
        });
    }
    result
}

fn pinned_note(pinned: &str, aliases: &[&str]) -> String {
    format!(
        "{} {} of {pinned}",
        aliases.join(", "),
        if aliases.len() == 1 {
            "is an alias"
        } else {
            "are aliases"
        }
    )
}

struct Resolver<'a> {
    file: &'a str,
    source: &'a str,
    base_dir: &'a Path,
    /// Where `[job]` values read from a CreateTrainingJob request came from.
    request: Option<&'a request::Provenance>,
}

impl Resolver<'_> {
    /// The request origin of `[job] key`, when a request gave it.
    fn request_origin(&self, key: &str) -> Option<(&request::Provenance, &request::Origin)> {
        self.request
            .and_then(|p| p.origin(key).map(|origin| (p, origin)))
    }

    /// An error about `key` in `[section]`, with the line of the key (or an alias); for a
    /// `[job]` value that came from a request, the request file and its JSON key.
    fn error(&self, section: &str, keys: &[&str], message: impl Into<String>) -> InputError {
        if section == "job"
            && let Some((provenance, origin)) = self.request_origin(keys[0])
        {
            return provenance.error(origin, message);
        }
        let section_name = (!section.is_empty()).then_some(section);
        let label = if section.is_empty() {
            keys[0].to_string()
        } else {
            format!("[{section}] {}", keys[0])
        };
        InputError::new(self.file, message)
            .at_key(label)
            .at_line(locate(self.source, section_name, keys))
    }

    fn resolve(&self, raw: RawScenario, stem: &str) -> Result<Scenario, InputError> {
        let name = raw.name.unwrap_or_else(|| stem.to_string());
        keys::check_name(&name).map_err(|m| self.error("", &["name"], m))?;
        let start_time_millis = match &raw.start_time {
            None => parse_utc_millis("2026-01-01T00:00:00Z").unwrap_or(0),
            Some(value) => {
                start_time_millis(value).map_err(|m| self.error("", &["start_time"], m))?
            }
        };
        let mut warnings = Vec::new();
        let job = self.job(&raw.job)?;
        let workload = self.workload(&raw.workload)?;
        let tick_clock = raw.simulation.clock.as_deref() == Some("tick");
        let default_policy = match (tick_clock, job.managed_spot) {
            (true, _) => "uniform-progress",
            (false, true) => "managed-spot",
            (false, false) => "on-demand",
        };
        let policy_name = raw.policy.name.as_deref().unwrap_or(default_policy);
        // The scheduling policy of the continuous clock, or the tick clock's policy.
        let chosen = if tick_clock {
            let choice = registry::tick(policy_name).ok_or_else(|| {
                self.error(
                    "policy",
                    &["name"],
                    format!(
                        "{} is not a tick-clock policy (expected one of: {})",
                        excerpt(policy_name),
                        registry::names(ClockKind::Tick).join(", ")
                    ),
                )
            })?;
            Chosen::Tick(choice)
        } else {
            let policy = registry::scheduling(policy_name).ok_or_else(|| {
                let hint = if registry::tick(policy_name).is_some() {
                    " — a deadline policy of the tick clock: set [simulation] clock = \"tick\""
                } else {
                    ""
                };
                self.error(
                    "policy",
                    &["name"],
                    format!(
                        "unknown scheduling policy {} (expected one of: {}){hint}",
                        excerpt(policy_name),
                        registry::names(ClockKind::Continuous).join(", ")
                    ),
                )
            })?;
            Chosen::Continuous(policy)
        };
        let uses_spot = match &chosen {
            Chosen::Continuous(policy) => policy.uses_spot(),
            Chosen::Tick(_) => true,
        };
        if let Chosen::Continuous(policy) = &chosen
            && policy.uses_spot() != job.managed_spot
        {
            return Err(self.error(
                "policy",
                &["name"],
                format!(
                    "policy \"{}\" contradicts [job] managed_spot = {} (managed-spot needs managed_spot = true; on-demand needs false)",
                    policy.name(),
                    job.managed_spot
                ),
            ));
        }
        for (key, set) in [
            ("deadline", raw.policy.deadline.is_some()),
            ("changeover", raw.policy.changeover.is_some()),
        ] {
            if set && !tick_clock {
                return Err(self.error("policy", &[key], "deadline and changeover belong to the tick clock ([simulation] clock = \"tick\")"));
            }
        }

        let market = match raw.market {
            Some(table) => Some(self.market(table, &job)?),
            None if uses_spot => {
                return Err(InputError::new(
                    self.file,
                    "a managed-spot job needs a [market] section (e.g. model = \"exponential\")",
                )
                .at_key("[market]"));
            }
            None => None,
        };
        let pricing = self.pricing(
            &raw.pricing,
            uses_spot,
            &job,
            market.as_ref(),
            start_time_millis,
            &mut warnings,
        )?;
        let simulation = self.simulation(&raw.simulation)?;
        let checkpoint = self.checkpoint(&raw.checkpoint, &job, market.as_ref(), &mut warnings)?;
        let clock = match chosen {
            Chosen::Continuous(policy) => Clock::Continuous(policy),
            Chosen::Tick(tick_policy) => Clock::Tick(Arc::new(self.tick_clock(
                &raw.policy,
                raw.simulation.tick.map(|s| s.0),
                &job,
                &workload,
                &checkpoint,
                market.as_ref(),
                &pricing,
                tick_policy,
            )?)),
        };
        let mut scenario = Scenario {
            name,
            start_time_millis,
            job,
            workload,
            checkpoint,
            market,
            pricing,
            clock,
            simulation,
            warnings,
        };
        if let CheckpointPolicy::Optimal { objective, .. } = scenario.checkpoint.policy {
            let mean_uptime = market_mean_uptime(scenario.market.as_ref()).ok_or_else(|| {
                self.error(
                    "checkpoint",
                    &["policy"],
                    "policy \"optimal\" needs a spot market",
                )
            })?;
            let (interval_seconds, _) = optimise_interval(&scenario, mean_uptime, objective);
            scenario.checkpoint.policy = CheckpointPolicy::Optimal {
                interval_seconds,
                objective,
            };
        }
        self.printable_until_the_end(&scenario)?;
        Ok(scenario)
    }

    /// Every timestamp a trial prints (DescribeTrainingJob, ISO-8601) must have a four-digit
    /// year: `start_time` plus the longest wall clock the job can run stays within 9999.
    fn printable_until_the_end(&self, scenario: &Scenario) -> Result<(), InputError> {
        let last_printable = parse_utc_millis("9999-12-31T23:59:59.999Z").unwrap_or(i64::MAX);
        let (longest, parts) = longest_wall_clock(scenario);
        let latest = scenario.start_time_millis as f64 + longest * 1000.0;
        if latest > last_printable as f64 {
            let latest = crate::sagemaker::time::offset_millis(scenario.start_time_millis, longest);
            return Err(self.error(
                "",
                &["start_time"],
                format!(
                    "a trial may end at {} (start_time + {longest} s: {parts}), but timestamps are printed as ISO-8601 with a four-digit year; expected a start_time that leaves the whole run before the year 10000",
                    format_utc_millis(latest)
                ),
            ));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    #[allow(clippy::too_many_arguments)]
    fn tick_clock(
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
        let (spot_prices, spot_per_hour) = match &pricing.spot {
            SpotPrice::Constant(price) => (None, *price),
            SpotPrice::Steps(steps) if steps.follows_trace() => {
                (Some(steps.prices().to_vec()), pricing.spot_per_hour)
            }
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
                    StartOffset::Fixed(seconds) => TickStart::Fixed(seconds / 3600.0),
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
            spot_prices,
            spot_per_hour,
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
    fn tick_fits_the_limits(
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
        // In hours, as the reference's feasibility check (spec §2.5).
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
    fn window_fits(
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
        if let TickStart::Fixed(hours) = start {
            let start_row = if hours > 0.0 {
                (hours * 3600.0 / gap_seconds).ceil() as usize
            } else {
                0
            };
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

    fn whole_seconds(&self, keys: &[&str], what: &str, seconds: f64) -> Result<(), InputError> {
        if seconds.fract() != 0.0 {
            return Err(self.error(
                "job",
                keys,
                format!("{what} must be a whole number of seconds, got {seconds}"),
            ));
        }
        Ok(())
    }

    fn job(&self, raw: &raw::RawJob) -> Result<Job, InputError> {
        const MAX_WAIT: &[&str] = &["max_wait", "max_wait_time_in_seconds"];
        const MAX_RUNTIME: &[&str] = &["max_runtime", "max_runtime_in_seconds", "max_run"];
        let instance_type = raw
            .instance_type
            .clone()
            .unwrap_or_else(|| "ml.p3.2xlarge".to_string());
        if !instance_type.starts_with("ml.") || instance_type.len() < 5 {
            return Err(self.error(
                "job",
                &["instance_type"],
                format!(
                    "expected a SageMaker instance type such as {}, got {}",
                    excerpt(&format!(
                        "ml.{}",
                        if instance_type.is_empty()
                            || instance_type.len() > crate::error::EXCERPT_CHARS
                        {
                            "p3.2xlarge"
                        } else {
                            instance_type.as_str()
                        }
                    )),
                    excerpt(&instance_type)
                ),
            ));
        }
        let instance_count = raw.instance_count.unwrap_or(1);
        if !(1..=10_000).contains(&instance_count) {
            return Err(self.error(
                "job",
                &["instance_count"],
                format!("InstanceCount must be between 1 and 10000, got {instance_count}"),
            ));
        }
        let volume_size_gb = raw.volume_size_gb.unwrap_or(30);
        if !(1..=16_384).contains(&volume_size_gb) {
            return Err(self.error(
                "job",
                &["volume_size_gb"],
                format!("VolumeSizeInGB must be between 1 and 16384, got {volume_size_gb}"),
            ));
        }
        let managed_spot = raw.managed_spot.unwrap_or(false);
        let max_runtime_seconds = raw.max_runtime.map_or(DEFAULT_MAX_RUNTIME_SECONDS, |s| s.0);
        self.whole_seconds(MAX_RUNTIME, "MaxRuntimeInSeconds", max_runtime_seconds)?;
        // Rule 4: 1 … 28 days.
        if !(1.0..=MAX_RUNTIME_LIMIT_SECONDS).contains(&max_runtime_seconds) {
            return Err(self.error(
                "job",
                MAX_RUNTIME,
                format!(
                    "MaxRuntimeInSeconds must be between 1 and 2419200 (28 days), got {max_runtime_seconds}"
                ),
            ));
        }
        let max_wait_seconds = raw.max_wait.map(|s| s.0);
        match (managed_spot, max_wait_seconds) {
            // Rule 1: MaxWait without spot.
            (false, Some(_)) => {
                return Err(self.error(
                    "job",
                    MAX_WAIT,
                    "Invalid MaxWaitTimeInSeconds. It is only supported when EnableManagedSpotTraining is set to true",
                ));
            }
            // Rule 2: spot without MaxWait.
            (true, None) => {
                if let Some((provenance, origin)) = self.request_origin("managed_spot") {
                    return Err(provenance.error(
                        origin,
                        "StoppingCondition.MaxWaitTimeInSeconds is required when EnableManagedSpotTraining is true",
                    ));
                }
                return Err(self.error(
                    "job",
                    MAX_WAIT,
                    "MaxWaitTimeInSeconds is required when EnableManagedSpotTraining is true (set max_wait, e.g. \"48h\")",
                )
                .at_line(locate(self.source, Some("job"), &["managed_spot", "enable_managed_spot_training", "use_spot_instances"])));
            }
            (true, Some(max_wait)) => {
                self.whole_seconds(MAX_WAIT, "MaxWaitTimeInSeconds", max_wait)?;
                // Rule 3: the API model says "equal to or greater than".
                if max_wait < max_runtime_seconds {
                    return Err(self.error(
                        "job",
                        MAX_WAIT,
                        format!(
                            "MaxWaitTimeInSeconds ({max_wait}) must be equal to or greater than MaxRuntimeInSeconds ({max_runtime_seconds})"
                        ),
                    ));
                }
                if max_wait > MAX_WAIT_LIMIT_SECONDS {
                    return Err(self.error(
                        "job",
                        MAX_WAIT,
                        format!("MaxWaitTimeInSeconds of {max_wait} s is more than spotsim simulates (365 days)"),
                    ));
                }
            }
            (false, None) => {}
        }
        let algorithm_checkpoints = raw.algorithm_checkpoints.unwrap_or(true);
        // Rule 5: algorithms that cannot checkpoint are limited to 60 minutes of spot.
        if managed_spot
            && !algorithm_checkpoints
            && max_wait_seconds.is_some_and(|w| w > NON_CHECKPOINTING_MAX_WAIT_SECONDS)
        {
            let algorithm = match self.request_origin("algorithm_checkpoints") {
                Some((provenance, origin)) => format!(
                    "a built-in algorithm that cannot checkpoint ({} = {} in {})",
                    origin.json_key, origin.shown, provenance.file
                ),
                None => "an algorithm that cannot checkpoint (algorithm_checkpoints = false)"
                    .to_string(),
            };
            return Err(self.error(
                "job",
                MAX_WAIT,
                format!(
                    "managed spot training with {algorithm} is limited to 60 minutes: MaxWaitTimeInSeconds must be at most 3600"
                ),
            ));
        }
        // Rule 6: RetryStrategy.MaximumRetryAttempts 1 … 30 (0 = no RetryStrategy).
        let max_retry_attempts = raw.max_retry_attempts.unwrap_or(0);
        if !(0..=30).contains(&max_retry_attempts) {
            return Err(self.error(
                "job",
                &["max_retry_attempts", "maximum_retry_attempts"],
                format!(
                    "RetryStrategy.MaximumRetryAttempts must be between 1 and 30 (0 = no retry strategy), got {max_retry_attempts}"
                ),
            ));
        }
        // Rule 7: CheckpointConfig needs S3Uri.
        let checkpoint_s3_uri = raw.checkpoint_s3_uri.clone();
        if raw.checkpoint_local_path.is_some() && checkpoint_s3_uri.is_none() {
            return Err(self.error(
                "job",
                &["checkpoint_local_path"],
                "CheckpointConfig requires S3Uri: set checkpoint_s3_uri as well",
            ));
        }
        if let Some(uri) = &checkpoint_s3_uri
            && !(uri.starts_with("s3://") || uri.starts_with("https://"))
        {
            return Err(self.error(
                "job",
                &["checkpoint_s3_uri", "s3_uri"],
                format!(
                    "CheckpointConfig.S3Uri must start with s3:// or https://, got {}",
                    excerpt(uri)
                ),
            ));
        }
        let internal_error_rate = raw.internal_error_rate.unwrap_or(0.0);
        if !(internal_error_rate.is_finite() && internal_error_rate >= 0.0) {
            return Err(self.error(
                "job",
                &["internal_error_rate"],
                format!(
                    "expected InternalServerErrors per instance-held hour (a number ≥ 0), got {internal_error_rate}"
                ),
            ));
        }
        Ok(Job {
            echo: request::Echo::default(),
            max_pending_time_seconds: None,
            internal_error_rate,
            instance_type,
            instance_count: instance_count as u32,
            volume_size_gb: volume_size_gb as u32,
            managed_spot,
            max_runtime_seconds,
            max_wait_seconds,
            checkpoint_s3_uri,
            checkpoint_local_path: raw
                .checkpoint_local_path
                .clone()
                .unwrap_or_else(|| "/opt/ml/checkpoints/".to_string()),
            algorithm_checkpoints,
            max_retry_attempts: max_retry_attempts as u32,
        })
    }

    fn workload(&self, raw: &raw::RawWorkload) -> Result<Workload, InputError> {
        let Some(training) = raw.training else {
            return Err(InputError::new(
                self.file,
                "the job needs its training time (uninterrupted compute), e.g. training = \"20h\"",
            )
            .at_key("[workload] training"));
        };
        if training.0 <= 0.0 {
            return Err(self.error("workload", &["training"], "must be greater than zero"));
        }
        let or_zero = |s: Option<duration::Seconds>| s.map_or(0.0, |s| s.0);
        Ok(Workload {
            training_seconds: training.0,
            provisioning_seconds: or_zero(raw.provisioning),
            download_seconds: or_zero(raw.download),
            upload_seconds: or_zero(raw.upload),
            stopping_seconds: or_zero(raw.stopping),
        })
    }

    fn checkpoint(
        &self,
        raw: &raw::RawCheckpoint,
        job: &Job,
        market: Option<&MarketSpec>,
        warnings: &mut Vec<String>,
    ) -> Result<Checkpointing, InputError> {
        // Write and restore times: given, or derived from the checkpoint size and bandwidth.
        if let Some(old) = &raw.bandwidth_mbps {
            return Err(self.error(
                "checkpoint",
                &["bandwidth_mbps"],
                format!(
                    "bandwidth_mbps is now bandwidth_mb_per_s (megabytes per second, as it was always read): write bandwidth_mb_per_s = {old} for MB/s, or {old} / 8 if you meant megabits"
                ),
            ));
        }
        let from_size = match (raw.size_gb, raw.bandwidth_mb_per_s) {
            (Some(size), Some(bandwidth)) => {
                if !(size.is_finite() && size > 0.0) {
                    return Err(self.error(
                        "checkpoint",
                        &["size_gb"],
                        format!("expected a size in GB greater than zero, got {size}"),
                    ));
                }
                if !(bandwidth.is_finite() && bandwidth > 0.0) {
                    return Err(self.error(
                        "checkpoint",
                        &["bandwidth_mb_per_s"],
                        format!("expected MB/s greater than zero, got {bandwidth}"),
                    ));
                }
                Some(size * 1000.0 / bandwidth)
            }
            (Some(_), None) => {
                return Err(self.error(
                    "checkpoint",
                    &["size_gb"],
                    "size_gb needs bandwidth_mb_per_s (S3 megabytes per second) to derive write and restore times",
                ));
            }
            (None, Some(_)) => {
                return Err(self.error(
                    "checkpoint",
                    &["bandwidth_mb_per_s"],
                    "bandwidth_mb_per_s needs size_gb",
                ));
            }
            (None, None) => None,
        };
        let write_seconds = raw.write.map(|s| s.0).or(from_size).unwrap_or(0.0);
        let restore_seconds = raw.restore.map(|s| s.0).or(from_size).unwrap_or(0.0);
        let name = raw.policy.as_deref().unwrap_or(if raw.interval.is_some() {
            "interval"
        } else {
            "none"
        });
        let mean_uptime = || {
            market_mean_uptime(market).ok_or_else(|| {
                self.error(
                    "checkpoint",
                    &["policy"],
                    format!("policy \"{name}\" takes M from the spot market's mean uptime: it needs a [market] with one"),
                )
            })
        };
        let needs_write = |policy: &str| {
            if write_seconds > 0.0 {
                Ok(())
            } else {
                Err(self.error(
                    "checkpoint",
                    &["write"],
                    format!("policy \"{policy}\" balances the write time against lost work: give write (or size_gb and bandwidth_mb_per_s)"),
                ))
            }
        };
        if raw.objective.is_some() && name != "optimal" {
            return Err(self.error(
                "checkpoint",
                &["objective"],
                "objective is used by policy \"optimal\" only",
            ));
        }
        let policy = match name {
            "none" => CheckpointPolicy::None,
            "on_notice" => CheckpointPolicy::OnNotice,
            "interval" => {
                let interval_seconds = raw.interval.map(|s| s.0).ok_or_else(|| {
                    self.error(
                        "checkpoint",
                        &["interval"],
                        "policy \"interval\" needs interval (training time between checkpoints, e.g. \"30m\")",
                    )
                })?;
                if interval_seconds <= 0.0 {
                    return Err(self.error(
                        "checkpoint",
                        &["interval"],
                        "must be greater than zero",
                    ));
                }
                CheckpointPolicy::Interval { interval_seconds }
            }
            "young" => {
                needs_write("young")?;
                let m = mean_uptime()?;
                CheckpointPolicy::Young {
                    interval_seconds: young_interval(write_seconds, m),
                    mean_uptime_seconds: m,
                }
            }
            "daly" => {
                needs_write("daly")?;
                let m = mean_uptime()?;
                CheckpointPolicy::Daly {
                    interval_seconds: daly_interval(write_seconds, m),
                    mean_uptime_seconds: m,
                }
            }
            "optimal" => {
                needs_write("optimal")?;
                let m = mean_uptime()?;
                let objective = match raw.objective.as_deref() {
                    None => Objective::WallClock,
                    Some(text) => Objective::parse(text).ok_or_else(|| {
                        self.error(
                            "checkpoint",
                            &["objective"],
                            format!("expected \"wall_clock\" or \"cost\", got {}", excerpt(text)),
                        )
                    })?,
                };
                // The interval is found once the whole scenario is known (see `resolve`).
                CheckpointPolicy::Optimal {
                    interval_seconds: daly_interval(write_seconds, m),
                    objective,
                }
            }
            other => {
                return Err(self.error(
                    "checkpoint",
                    &["policy"],
                    format!(
                        "unknown checkpoint policy {} (expected one of: {})",
                        excerpt(other),
                        CheckpointPolicy::NAMES.join(", ")
                    ),
                ));
            }
        };
        if raw.interval.is_some()
            && matches!(policy, CheckpointPolicy::None | CheckpointPolicy::OnNotice)
        {
            warnings.push(format!(
                "{}: [checkpoint] interval is not used by policy \"{name}\" (no periodic checkpoints)",
                self.file
            ));
        } else if raw.interval.is_some() && !matches!(policy, CheckpointPolicy::Interval { .. }) {
            return Err(self.error(
                "checkpoint",
                &["interval"],
                format!("policy \"{name}\" chooses its own interval: remove interval, or use policy = \"interval\""),
            ));
        }
        let on_notice = match raw.on_notice.as_deref() {
            None | Some("ignore") => OnNotice::Ignore,
            Some("checkpoint") => OnNotice::Checkpoint,
            Some(other) => {
                return Err(self.error(
                    "checkpoint",
                    &["on_notice"],
                    format!(
                        "expected \"ignore\" or \"checkpoint\", got {}",
                        excerpt(other)
                    ),
                ));
            }
        };
        let on_notice = if policy.checkpoints_on_notice() {
            OnNotice::Checkpoint
        } else {
            on_notice
        };
        let writes = policy != CheckpointPolicy::None || on_notice == OnNotice::Checkpoint;
        if writes && job.checkpoint_s3_uri.is_none() {
            warnings.push(format!(
                "{}: checkpoints are written but [job] checkpoint_s3_uri is not set, so they are not durable: every interruption restarts training from the beginning",
                self.file
            ));
        }
        if writes && !job.algorithm_checkpoints {
            return Err(self.error(
                "checkpoint",
                &["policy"],
                "the algorithm cannot checkpoint ([job] algorithm_checkpoints = false): use policy = \"none\"",
            ));
        }
        Ok(Checkpointing {
            policy,
            write_seconds,
            restore_seconds,
            on_notice,
        })
    }

    fn market(&self, table: toml::Table, job: &Job) -> Result<MarketSpec, InputError> {
        let mut keys = Keys::new(table, "market", self.file, self.source);
        let model = keys.string("model")?.ok_or_else(|| {
            let names: Vec<&str> = market::MODELS.iter().map(|(n, _, _)| *n).collect();
            InputError::new(
                self.file,
                format!("[market] needs model = one of: {}", names.join(", ")),
            )
            .at_key("[market] model")
        })?;
        let notice_seconds = keys.duration("notice")?.unwrap_or(120.0);
        let context = MarketContext {
            instance_count: job.instance_count,
            instance_type: &job.instance_type,
            horizon_seconds: job.max_wait_seconds.unwrap_or(job.max_runtime_seconds),
            base_dir: self.base_dir,
        };
        let (model, known) = market::build(&model, &mut keys, &context)?;
        let mut all_known = vec!["model", "notice"];
        all_known.extend_from_slice(known);
        keys.finish(model.model(), &all_known)?;
        Ok(MarketSpec {
            model: Arc::from(model),
            notice_seconds,
        })
    }

    fn pricing(
        &self,
        raw: &raw::RawPricing,
        uses_spot: bool,
        job: &Job,
        market: Option<&MarketSpec>,
        start_time_millis: i64,
        warnings: &mut Vec<String>,
    ) -> Result<Pricing, InputError> {
        let on_demand_per_hour = raw.on_demand_per_hour.ok_or_else(|| {
            InputError::new(
                self.file,
                "the on-demand price is needed (USD per instance-hour), e.g. on_demand_per_hour = 3.825",
            )
            .at_key("[pricing] on_demand_per_hour")
        })?;
        check_price_per_hour(on_demand_per_hour)
            .and_then(|price| {
                (price > 0.0)
                    .then_some(price)
                    .ok_or_else(|| "expected an on-demand price greater than zero".to_string())
            })
            .map_err(|m| self.error("pricing", &["on_demand_per_hour"], m))?;
        let given: Vec<&str> = [
            ("spot_per_hour", raw.spot_per_hour.is_some()),
            ("spot_discount", raw.spot_discount.is_some()),
            ("spot_prices", raw.spot_prices.is_some()),
            ("spot_price_history", raw.spot_price_history.is_some()),
        ]
        .iter()
        .filter(|(_, set)| *set)
        .map(|(name, _)| *name)
        .collect();
        if given.len() > 1 {
            return Err(self.error(
                "pricing",
                &[given[1]],
                format!("give one spot price source, not {}", given.join(" and ")),
            ));
        }
        let spot = if let Some(price) = raw.spot_per_hour {
            check_price_per_hour(price)
                .map_err(|m| self.error("pricing", &["spot_per_hour"], m))?;
            // Reference §9: managed spot never bills above on-demand.
            if price > on_demand_per_hour {
                return Err(self.error(
                    "pricing",
                    &["spot_per_hour"],
                    format!(
                        "spot_per_hour = {price} is above on_demand_per_hour = {on_demand_per_hour}: SageMaker never bills managed spot above on-demand; expected at most {on_demand_per_hour}"
                    ),
                ));
            }
            SpotPrice::Constant(price)
        } else if let Some(discount) = raw.spot_discount {
            if !(0.0..1.0).contains(&discount) {
                return Err(self.error(
                    "pricing",
                    &["spot_discount"],
                    format!("expected a fraction in [0, 1) (0.7 = 70 % off), got {discount}"),
                ));
            }
            SpotPrice::Constant(on_demand_per_hour * (1.0 - discount))
        } else if let Some(source) = &raw.spot_prices {
            let (file, mut steps, end_seconds) =
                self.per_tick_prices(source, raw.spot_prices_key.as_deref(), market)?;
            if let Some(capped) = steps.cap(on_demand_per_hour, end_seconds) {
                warnings.push(capped.notice(&file, on_demand_per_hour));
            }
            SpotPrice::Steps(Arc::new(steps))
        } else if let Some(path) = &raw.spot_price_history {
            let (file, text) = self.read_price_file("spot_price_history", path)?;
            let filter =
                HistoryFilter {
                    availability_zone: raw.availability_zone.clone(),
                    instance_type: Some(raw.instance_type.clone().unwrap_or_else(|| {
                        job.instance_type.trim_start_matches("ml.").to_string()
                    })),
                    product_description: raw.product_description.clone(),
                };
            let mut steps = load_price_history(&file, &text, &filter, start_time_millis)?;
            // The newest price holds on: the share is of the recorded span.
            let last_seconds = steps.times().last().copied().unwrap_or(0.0);
            if let Some(capped) = steps.cap(on_demand_per_hour, last_seconds) {
                warnings.push(capped.notice(&file, on_demand_per_hour));
            }
            SpotPrice::Steps(Arc::new(steps))
        } else if uses_spot {
            return Err(InputError::new(
                self.file,
                "a managed-spot job needs a spot price: spot_per_hour, spot_discount, spot_prices or spot_price_history",
            )
            .at_key("[pricing]"));
        } else {
            SpotPrice::Constant(on_demand_per_hour)
        };
        let unused = [
            (
                "spot_prices_key",
                raw.spot_prices_key.is_some() && raw.spot_prices.is_none(),
            ),
            (
                "availability_zone",
                raw.availability_zone.is_some() && raw.spot_price_history.is_none(),
            ),
            (
                "instance_type",
                raw.instance_type.is_some() && raw.spot_price_history.is_none(),
            ),
            (
                "product_description",
                raw.product_description.is_some() && raw.spot_price_history.is_none(),
            ),
        ];
        if let Some((key, _)) = unused.iter().find(|(_, unused)| *unused) {
            return Err(self.error(
                "pricing",
                &[key],
                "this key belongs to another spot price source (spot_prices_key goes with spot_prices; availability_zone, instance_type and product_description with spot_price_history)",
            ));
        }
        let mut spot_source = toml::Table::new();
        let absolute = |path: &str| {
            let full = crate::data::resolve(self.base_dir, path)
                .unwrap_or_else(|_| self.base_dir.join(path));
            toml::Value::String(full.canonicalize().unwrap_or(full).display().to_string())
        };
        if let Some(source) = &raw.spot_prices {
            let value = if source == "trace" {
                toml::Value::String(source.clone())
            } else {
                absolute(source)
            };
            spot_source.insert("spot_prices".into(), value);
            if let Some(key) = &raw.spot_prices_key {
                spot_source.insert("spot_prices_key".into(), toml::Value::String(key.clone()));
            }
        } else if let Some(path) = &raw.spot_price_history {
            spot_source.insert("spot_price_history".into(), absolute(path));
            for (key, value) in [
                ("availability_zone", &raw.availability_zone),
                ("instance_type", &raw.instance_type),
                ("product_description", &raw.product_description),
            ] {
                if let Some(value) = value {
                    spot_source.insert(key.into(), toml::Value::String(value.clone()));
                }
            }
        } else {
            spot_source.insert(
                "spot_per_hour".into(),
                toml::Value::Float(spot.mean_per_hour()),
            );
        }
        Ok(Pricing {
            on_demand_per_hour,
            spot_per_hour: spot.mean_per_hour(),
            spot,
            spot_source,
        })
    }

    /// The data file `given` of `[pricing] key`, found in the data lookup order
    /// ([`crate::data`]).
    /// Reads the price file `[pricing] key = "given"` names: a path that is empty, found
    /// nowhere or cannot be opened is an error about the key; what is wrong inside the file is
    /// an error about the file and its line. Returns the file's name and text.
    fn read_price_file(&self, key: &str, given: &str) -> Result<(String, String), InputError> {
        keys::check_path(given).map_err(|m| self.error("pricing", &[key], m))?;
        let full = self.data_file(key, given)?;
        keys::read_keyed_file(&full, InputKind::Prices, "price file", |m| {
            self.error("pricing", &[key], m)
        })
    }

    fn data_file(&self, key: &str, given: &str) -> Result<std::path::PathBuf, InputError> {
        crate::data::resolve(self.base_dir, given).map_err(|missing| {
            self.error(
                "pricing",
                &[key],
                format!("\"{given}\" {}", missing.describe()),
            )
        })
    }

    /// Per-tick prices aligned with the replayed trace: `"trace"` (the trace file's own
    /// `prices`) or a JSON file holding one array per key (`spot_prices_key`). Returns the file
    /// they came from, the series and when its last tick ends.
    fn per_tick_prices(
        &self,
        source: &str,
        key: Option<&str>,
        market: Option<&MarketSpec>,
    ) -> Result<(String, PriceSteps, f64), InputError> {
        let trace = market.and_then(|m| m.model.as_trace()).ok_or_else(|| {
            self.error(
                "pricing",
                &["spot_prices"],
                "per-tick prices align with a replayed trace: they need [market] model = \"trace\"",
            )
        })?;
        let rows = trace.data.times.len();
        let mut from = trace.data.file.clone();
        let prices: Vec<f64> = if source == "trace" {
            trace.data.prices.clone().ok_or_else(|| {
                self.error(
                    "pricing",
                    &["spot_prices"],
                    format!(
                        "spot_prices = \"trace\", but {} has no `prices` array",
                        trace.data.file
                    ),
                )
            })?
        } else {
            let (file, text) = self.read_price_file("spot_prices", source)?;
            let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                InputError::new(&file, format!("not valid JSON: {e}")).at_line(Some(e.line()))
            })?;
            let series = match (&value, key) {
                (serde_json::Value::Array(_), None) => &value,
                (serde_json::Value::Object(map), Some(key)) => map.get(key).ok_or_else(|| {
                    let keys: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
                    self.error(
                        "pricing",
                        &["spot_prices_key"],
                        format!(
                            "{file} has no series \"{key}\" (it has: {})",
                            keys.join(", ")
                        ),
                    )
                })?,
                (serde_json::Value::Object(_), None) => {
                    return Err(self.error(
                        "pricing",
                        &["spot_prices_key"],
                        format!("{file} holds several series: name one with spot_prices_key"),
                    ));
                }
                _ => {
                    return Err(InputError::new(
                        &file,
                        "expected an array of prices or an object of arrays",
                    ));
                }
            };
            let list = series
                .as_array()
                .ok_or_else(|| InputError::new(&file, "expected an array of prices"))?;
            let mut prices = Vec::with_capacity(list.len());
            for (i, p) in list.iter().enumerate() {
                prices.push(
                    price_from_json(p)
                        .map_err(|m| InputError::new(&file, m).at_key(format!("[{i}]")))?,
                );
            }
            from = file;
            prices
        };
        if prices.len() != rows {
            return Err(self.error(
                "pricing",
                &["spot_prices"],
                format!(
                    "{} prices for a trace of {rows} rows: per-tick prices must align one per row",
                    prices.len()
                ),
            ));
        }
        let period = trace.wrap.then_some(trace.duration_seconds);
        let steps = PriceSteps::new(
            trace.data.times.clone(),
            prices,
            period,
            PriceAnchor::TraceOffset,
        );
        Ok((from, steps, trace.duration_seconds))
    }

    fn simulation(&self, raw: &raw::RawSimulation) -> Result<Simulation, InputError> {
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
