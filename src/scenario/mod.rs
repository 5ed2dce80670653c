//! Scenarios: what CreateTrainingJob would say, what the job does on its instances, its
//! checkpoints, the spot market and prices — read from TOML, resolved and validated with the
//! service's own creation-time rules (reference §5).
//!
//! One file per concern, each importing what it uses by name: [`model`] (the resolved types
//! and service limits), `raw` (the file as written), [`load`] (files, text and request
//! merges), [`source`] (where a scenario and its job come from), [`request`] and [`estimator`]
//! (the two kinds of job source) with [`echo`] (what describe echoes of them), `diagnostics`
//! (TOML errors), [`error`] (errors whose remedy the caller names), `job`, `checkpoint`,
//! `pricing` (market and prices; the files themselves are read in `market/`), `on_demand`
//! (waits for on-demand capacity), `simulation` (the clock), `pitfalls` (warnings),
//! [`resolved`] (write-back for `validate`). This file holds the resolver that ties them
//! together: the policy choice, the order in which sections are resolved, and the checks that
//! span sections.

mod checkpoint;
mod diagnostics;
pub mod echo;
pub mod error;
pub mod estimator;
mod job;
pub use job::{MAX_DEADLINE_SECONDS, check_deadline_seconds};
pub mod load;
pub mod model;
mod on_demand;
mod pitfalls;
mod pricing;
mod raw;
pub mod request;
pub mod resolved;
mod simulation;
pub mod source;

pub use error::{JobSourceKind, ScenarioError};
pub use model::*;

use crate::error::{InputError, excerpt};
use crate::policy::CheckpointPolicy;
use crate::policy::registry::{self, ClockKind};
use crate::random::EXPONENTIAL_MAX_MEANS;
use crate::sagemaker::time::{format_utc_millis, parse_utc_millis};
use crate::units::keys::{self, locate};
use raw::RawScenario;
use std::path::Path;
use std::sync::Arc;

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
/// `spot-then-on-demand` creates after MaxWait — by MaxRuntime plus one provisioning and one
/// wait for on-demand capacity (at most [`EXPONENTIAL_MAX_MEANS`] means) per attempt
/// (RetryStrategy) and Stopping; the tick clock by its deadline, or by compute and changeover
/// when the deadline cannot be met, plus a tick.
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
    let longest_wait = EXPONENTIAL_MAX_MEANS * scenario.on_demand.mean_wait_seconds();
    let on_demand = attempts * (longest_wait + workload.provisioning_seconds)
        + job.max_runtime_seconds
        + workload.stopping_seconds;
    match job.max_wait_seconds {
        Some(max_wait) if policy.on_demand_after_max_wait() => (
            max_wait + workload.stopping_seconds + on_demand,
            "MaxWait and Stopping, then an on-demand job's capacity waits, provisioning, MaxRuntime and Stopping"
                .to_string(),
        ),
        Some(max_wait) => (
            max_wait + workload.stopping_seconds,
            "MaxWait and Stopping".to_string(),
        ),
        None => (
            on_demand,
            "capacity waits, provisioning, MaxRuntime and Stopping".to_string(),
        ),
    }
}

/// M for checkpoint formulas: the market's mean uptime of the whole gang.
fn market_mean_uptime(market: Option<&MarketSpec>) -> Option<f64> {
    market
        .and_then(|m| m.model.mean_uptime_seconds())
        .filter(|m| m.is_finite() && *m > 0.0)
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
        let on_demand = self.on_demand(&raw.on_demand, tick_clock)?;
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
        let scenario = Scenario {
            name,
            start_time_millis,
            job,
            workload,
            checkpoint,
            market,
            pricing,
            on_demand,
            clock,
            simulation,
            warnings,
        };
        if let CheckpointPolicy::Optimal { .. } = scenario.checkpoint.policy
            && market_mean_uptime(scenario.market.as_ref()).is_none()
        {
            return Err(self.error(
                "checkpoint",
                &["policy"],
                "policy \"optimal\" needs a spot market",
            ));
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
}
