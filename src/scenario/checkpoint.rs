//! `[checkpoint]`: the checkpoint policy (looked up in the checkpoint registry,
//! `crate::policy::checkpoint_registry`) and its write and restore costs.

use super::model::{Checkpointing, Job, MarketSpec};
use super::{Resolver, market_mean_uptime, raw};
use crate::error::{InputError, excerpt};
use crate::policy::checkpoint_registry::{
    self as registry, CHECKPOINT_REGISTRY, CheckpointContext,
};
use crate::policy::{CheckpointPolicy, OnNotice};

impl Resolver<'_> {
    pub(super) fn checkpoint(
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
        let registration = registry::checkpoint(name);
        if raw.objective.is_some() && !registration.is_some_and(|r| r.reads_objective) {
            let readers: Vec<String> = CHECKPOINT_REGISTRY
                .iter()
                .filter(|r| r.reads_objective)
                .map(|r| format!("\"{}\"", r.name))
                .collect();
            return Err(self.error(
                "checkpoint",
                &["objective"],
                format!("objective is used by policy {} only", readers.join(", ")),
            ));
        }
        let registration = registration.ok_or_else(|| {
            self.error(
                "checkpoint",
                &["policy"],
                format!(
                    "unknown checkpoint policy {} (expected one of: {})",
                    excerpt(name),
                    registry::checkpoint_names().join(", ")
                ),
            )
        })?;
        let context = CheckpointContext {
            name,
            write_seconds,
            mean_uptime_seconds: market_mean_uptime(market),
            interval_seconds: raw.interval.map(|s| s.0),
            objective: raw.objective.as_deref(),
        };
        let policy = (registration.make)(&context)
            .map_err(|e| self.error("checkpoint", &[e.key], e.message))?;
        if raw.interval.is_some() && !registration.reads_interval {
            if policy.interval_seconds().is_infinite() {
                warnings.push(format!(
                    "{}: [checkpoint] interval is not used by policy \"{name}\" (no periodic checkpoints)",
                    self.file
                ));
            } else {
                return Err(self.error(
                    "checkpoint",
                    &["interval"],
                    format!("policy \"{name}\" chooses its own interval: remove interval, or use policy = \"interval\""),
                ));
            }
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
}
