//! The resolved scenario written back (`spotsim validate`): every key with its effective value,
//! in a form that reads back as the same scenario.

use super::model::{CapacityWaitStatus, Clock, Scenario};
use crate::policy::{CheckpointPolicy, OnNotice};
use crate::sagemaker::time::format_utc_millis;
use crate::tick::clock::TickAvailability;

impl Scenario {
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
        if let Some(d) = self.job.deadline_seconds {
            job.insert("deadline".into(), sec(d));
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
            | CheckpointPolicy::OnNotice
            | CheckpointPolicy::Periodic { .. } => {}
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
        // Written when set, so that scenario fingerprints without it stay as they were.
        if let Some(mean) = self.on_demand.mean_capacity_wait_seconds {
            let mut on_demand = toml::Table::new();
            on_demand.insert("mean_capacity_wait".into(), sec(mean));
            root.insert("on_demand".into(), Value::Table(on_demand));
        }
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
