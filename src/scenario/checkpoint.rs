//! `[checkpoint]`: the checkpoint policy (interval, Young, Daly, optimal, none, on notice) and
//! its write and restore costs.

use super::model::{Checkpointing, Job, MarketSpec};
use super::{Resolver, market_mean_uptime, raw};
use crate::error::{InputError, excerpt};
use crate::policy::checkpoint::{Objective, daly_interval, young_interval};
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
                // M must exist for the search.
                mean_uptime()?;
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
                // The interval is searched once the whole scenario is known, by the prepare
                // step the commands call (`crate::montecarlo::prepare`).
                CheckpointPolicy::Optimal {
                    interval_seconds: None,
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
}
