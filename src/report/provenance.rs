//! Where a report comes from and what it assumed, stated at the top of every HTML and Markdown
//! report: a reader who receives the page alone can tell which build, which command, which
//! inputs (by content), how many trials and which seed produced it, and what job, market,
//! prices and checkpoints the numbers rest on — in words, before any table.
//!
//! The date is confined to these human reports; JSON and CSV outputs stay time-free so that
//! runs compare byte for byte.

use super::html::Block;
use super::numbers::{count, usd_rate};
use crate::montecarlo::{input_fingerprints, scenario_hash};
use crate::policy::CheckpointPolicy;
use crate::scenario::Scenario;
use crate::units::words::hours;
use std::time::{SystemTime, UNIX_EPOCH};

/// spotsim's version and the git commit it was built from ("unknown" outside a checkout).
pub fn version() -> String {
    format!(
        "{} (commit {})",
        env!("CARGO_PKG_VERSION"),
        env!("SPOTSIM_GIT_COMMIT")
    )
}

/// What produced a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// When (UTC, to the minute).
    pub date_utc: String,
    /// The command line, as typed.
    pub command_line: String,
    /// spotsim version and commit.
    pub version: String,
    /// Per scenario: name, hash of the resolved form, input files with their fingerprints.
    pub scenarios: Vec<ScenarioIdentity>,
    /// Trials (per scenario).
    pub trials: u64,
    /// Seed.
    pub seed: u64,
}

/// A scenario as provenance names it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioIdentity {
    /// Its name.
    pub name: String,
    /// [`scenario_hash`]: the resolved scenario, input files by content.
    pub hash: String,
    /// (path, content fingerprint) of every input file.
    pub inputs: Vec<(String, String)>,
}

impl ScenarioIdentity {
    /// The identity of `scenario`.
    pub fn of(scenario: &Scenario) -> Self {
        Self {
            name: scenario.name.clone(),
            hash: scenario_hash(scenario),
            inputs: input_fingerprints(scenario),
        }
    }
}

impl Provenance {
    /// The provenance of a run of `scenarios` with `trials` and `seed`, now, by this process's
    /// command line.
    pub fn now(scenarios: Vec<ScenarioIdentity>, trials: u64, seed: u64) -> Self {
        Self {
            date_utc: utc_now(),
            command_line: command_line(std::env::args()),
            version: version(),
            scenarios,
            trials,
            seed,
        }
    }

    /// (label, value) lines, in the order reports show them.
    pub fn facts(&self) -> Vec<(String, String)> {
        let mut facts = vec![
            ("Date".to_string(), self.date_utc.clone()),
            ("Command".to_string(), self.command_line.clone()),
            ("spotsim".to_string(), self.version.clone()),
            (
                "Trials and seed".to_string(),
                format!("{} trials, seed {}", count(self.trials), self.seed),
            ),
        ];
        for s in &self.scenarios {
            facts.push((format!("Scenario {}", s.name), format!("hash {}", s.hash)));
            for (path, fingerprint) in &s.inputs {
                facts.push(("Input file".to_string(), format!("{path} ({fingerprint})")));
            }
        }
        facts
    }

    /// The HTML block.
    pub fn block(&self) -> Block {
        Block::Facts(self.facts())
    }

    /// Markdown lines ("- **Date:** …").
    pub fn markdown(&self) -> String {
        self.facts()
            .iter()
            .map(|(label, value)| format!("- **{label}:** {value}\n"))
            .collect()
    }
}

/// The command line, each argument quoted when the shell would split or expand it.
pub fn command_line(args: impl IntoIterator<Item = String>) -> String {
    args.into_iter()
        .enumerate()
        .map(|(i, arg)| {
            // The program as its file name: the path it was run from says nothing of the run.
            let arg = if i == 0 {
                std::path::Path::new(&arg)
                    .file_name()
                    .map_or(arg.clone(), |n| n.to_string_lossy().into_owned())
            } else {
                arg
            };
            let plain = !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c));
            if plain {
                arg
            } else {
                format!("'{}'", arg.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Now, as "YYYY-MM-DD HH:MM UTC".
fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_date(seconds)
}

/// Seconds since the Unix epoch as "YYYY-MM-DD HH:MM UTC".
pub fn utc_date(seconds: u64) -> String {
    let (year, month, day) = crate::sagemaker::time::civil_from_days((seconds / 86_400) as i64);
    let minute_of_day = (seconds % 86_400) / 60;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minute_of_day / 60,
        minute_of_day % 60
    )
}

/// The scenario's assumptions in words: the job, the market, the prices, the checkpoints.
pub fn assumptions(scenario: &Scenario) -> Vec<String> {
    let job = &scenario.job;
    let work = &scenario.workload;
    let instances = if job.instance_count == 1 {
        format!("one {}", job.instance_type)
    } else {
        format!("{} × {} (one gang)", job.instance_count, job.instance_type)
    };
    let wait = job.max_wait_seconds.map_or(String::new(), |w| {
        format!(", MaxWaitTimeInSeconds {} ({})", w as u64, hours(w))
    });
    let mut lines = vec![format!(
        "Job: {} of training on {instances}, {} on spot capacity; MaxRuntimeInSeconds {} ({}){wait}.",
        hours(work.training_seconds),
        if job.managed_spot {
            "managed spot training"
        } else {
            "not"
        },
        job.max_runtime_seconds as u64,
        hours(job.max_runtime_seconds),
    )];
    lines.push(match &scenario.market {
        Some(market) => {
            let model = &market.model;
            let uptime = model
                .mean_uptime_seconds()
                .filter(|m| m.is_finite())
                .map_or(String::new(), |m| {
                    format!("; an instance keeps its capacity {} on average", hours(m))
                });
            let parameters: Vec<String> = model
                .resolved()
                .iter()
                .filter(|(key, _)| key.as_str() != "model")
                .map(|(key, value)| format!("{key} = {value}"))
                .collect();
            let basis = model
                .interruption_basis()
                .map_or(String::new(), |b| format!(" {}", b.sentence()));
            format!(
                "Market: the {} model{uptime}; {} s of interruption notice; parameters: {}.{basis}",
                model.model(),
                market.notice_seconds,
                if parameters.is_empty() {
                    "none".to_string()
                } else {
                    parameters.join(", ")
                }
            )
        }
        None => "Market: none (on-demand capacity only).".to_string(),
    });
    let pricing = &scenario.pricing;
    let on_demand = pricing.on_demand_per_hour;
    let spot = pricing.spot_per_hour;
    lines.push(if matches!(pricing.spot, crate::market::price::SpotPrice::Constant(_)) {
        format!(
            "Prices: on-demand {} per instance-hour; spot {} per instance-hour ({:.0} % of on-demand), constant.",
            usd_rate(on_demand),
            usd_rate(spot),
            spot / on_demand * 100.0
        )
    } else {
        let source: Vec<String> = pricing
            .spot_source
            .iter()
            .map(|(key, value)| format!("{key} = {value}"))
            .collect();
        format!(
            "Prices: on-demand {} per instance-hour; spot prices vary over time ({}).",
            usd_rate(on_demand),
            source.join(", ")
        )
    });
    let checkpoint = &scenario.checkpoint;
    let periodic = match checkpoint.policy {
        CheckpointPolicy::None => "no checkpoints (an interruption loses all training)".to_string(),
        CheckpointPolicy::OnNotice => {
            "no periodic checkpoints; one inside each interruption notice when the write fits"
                .to_string()
        }
        policy => format!(
            "a checkpoint every {} of training ({} policy)",
            if policy.is_resolved() {
                hours(policy.interval_seconds())
            } else {
                "(searched)".to_string()
            },
            policy.name()
        ),
    };
    lines.push(format!(
        "Checkpoints: {periodic}; a write takes {}, a restore {}.",
        hours(checkpoint.write_seconds),
        hours(checkpoint.restore_seconds)
    ));
    lines.push(format!(
        "Lifecycle: {} Starting, {} Downloading, {} Uploading per attempt; scheduling policy {}.",
        hours(work.provisioning_seconds),
        hours(work.download_seconds),
        hours(work.upload_seconds),
        scenario.clock.policy_name()
    ));
    // The tick clock prices a switch to on-demand with its changeover instead.
    if scenario.clock.tick().is_none() {
        lines.push(scenario.on_demand.in_words());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(utc_date(0), "1970-01-01 00:00 UTC");
        // 2000-02-29 12:34:56 UTC = 951,827,696 s.
        assert_eq!(utc_date(951_827_696), "2000-02-29 12:34 UTC");
        // 2024-12-31 23:59 UTC and the minute after.
        assert_eq!(utc_date(1_735_689_540), "2024-12-31 23:59 UTC");
        assert_eq!(utc_date(1_735_689_600), "2025-01-01 00:00 UTC");
    }

    #[test]
    fn command_lines_are_quoted_where_a_shell_would_split() {
        let args = [
            "/usr/local/bin/spotsim",
            "simulate",
            "my scenario.toml",
            "--trials",
            "1e4",
            "it's",
        ]
        .map(String::from);
        assert_eq!(
            command_line(args),
            "spotsim simulate 'my scenario.toml' --trials 1e4 'it'\\''s'"
        );
    }

    #[test]
    fn the_default_scenario_in_words() {
        let lines = assumptions(&Scenario::embedded_default());
        let text = lines.join("\n");
        assert!(
            text.contains("Job: 20 h of training on one ml.p3.2xlarge"),
            "{text}"
        );
        assert!(
            text.contains("MaxWaitTimeInSeconds 108000 (30 h)"),
            "{text}"
        );
        assert!(
            text.contains("on-demand $3.825 per instance-hour"),
            "{text}"
        );
        assert!(text.contains("keeps its capacity 4 h on average"), "{text}");
        assert!(
            text.contains("a checkpoint every 30 min of training"),
            "{text}"
        );
        assert!(
            text.contains("a write takes 1 min, a restore 2 min"),
            "{text}"
        );
        assert!(
            text.contains(
                "On-demand capacity is immediate ([on_demand] mean_capacity_wait not set)."
            ),
            "{text}"
        );
        assert!(version().contains("(commit "));
    }
}
