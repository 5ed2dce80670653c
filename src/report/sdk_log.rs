//! The log the SageMaker Python SDK prints while it waits for a training job
//! (`estimator.fit()` / `Session.logs_for_job`), for one simulated trial.
//!
//! What the SDK does (sagemaker-python-sdk v2, `session.py` and `utils.py`):
//! * each time DescribeTrainingJob shows a new secondary status (or a new message), it prints
//!   `"{time} {Status} - {StatusMessage}"`, where `{time}` is the description's
//!   `LastModifiedTime` formatted `%Y-%m-%d %H:%M:%S` (UTC, whole seconds);
//! * each poll that shows no change appends one `.` to the current line;
//! * when the job has ended: `Training seconds: N` and `Billable seconds: N` (each the
//!   description's figure × `InstanceCount`) and, for managed spot jobs,
//!   `Managed Spot Training savings: X%` with `X = (1 − billable / training) × 100` formatted
//!   `{:.1f}`. A `Failed` job raises `UnexpectedStatusException` instead of printing them.
//!
//! Decisions (the simulation has no poll loop): a line is printed at its transition's
//! `StartTime` (as if the SDK polled right when the status changed); the dots are the SDK's
//! 30-second DescribeTrainingJob polls during which the line stayed current, capped at three
//! so that a 20-hour Training line stays readable; a job's first line is the SDK's
//! `Starting - Starting the training job` at `CreationTime`.

use super::describe::{DescribeTrainingJob, JobRecord};
use crate::sagemaker::time::offset_millis;
use crate::scenario::Scenario;

/// Seconds between the SDK's DescribeTrainingJob polls while it streams logs.
pub const POLL_SECONDS: f64 = 30.0;
/// Most dots shown after one status line.
pub const MAX_DOTS: usize = 3;
/// The SDK's first status message of a new job.
pub const MESSAGE_STARTING: &str = "Starting the training job";

/// `YYYY-MM-DD HH:MM:SS` (UTC, seconds truncated), the SDK's `%Y-%m-%d %H:%M:%S`.
fn sdk_time(millis: i64) -> String {
    let text = crate::sagemaker::time::format_utc_millis(millis.div_euclid(1000) * 1000);
    // "2026-01-01T00:00:00.000Z" → "2026-01-01 00:00:00"
    format!("{} {}", &text[..10], &text[11..19])
}

/// The SDK log of one trial.
pub fn render(scenario: &Scenario, job: &JobRecord, describe: &DescribeTrainingJob) -> String {
    let origin = scenario.start_time_millis;
    // (seconds since the trial's CreationTime, status, message, terminal)
    let mut lines: Vec<(f64, &str, &str, bool)> = Vec::new();
    lines.push((job.created_seconds, "Starting", MESSAGE_STARTING, false));
    for t in &job.timeline.transitions {
        lines.push((
            t.start_seconds,
            t.status.as_str(),
            t.message,
            t.status.is_terminal(),
        ));
    }
    let mut out = String::new();
    for (i, (at, status, message, terminal)) in lines.iter().enumerate() {
        let next = lines.get(i + 1).map_or(*at, |l| l.0);
        let dots = if *terminal {
            0
        } else {
            (((next - at) / POLL_SECONDS).floor().max(0.0) as usize).min(MAX_DOTS)
        };
        out.push_str(&format!(
            "{} {status} - {message}{}\n",
            sdk_time(offset_millis(origin, *at)),
            ".".repeat(dots)
        ));
    }
    if describe.training_job_status == "Failed" {
        out.push_str(&format!(
            "UnexpectedStatusException: Error for Training job {}: Failed. Reason: {}\n",
            describe.training_job_name,
            describe
                .failure_reason
                .as_deref()
                .unwrap_or("(No reason provided)")
        ));
        return out;
    }
    let count = u64::from(describe.resource_config.instance_count);
    let training = describe.training_time_in_seconds;
    let billable = describe.billable_time_in_seconds;
    if let Some(training) = training {
        out.push_str(&format!("Training seconds: {}\n", training * count));
    }
    if let Some(billable) = billable {
        out.push_str(&format!("Billable seconds: {}\n", billable * count));
        if describe.enable_managed_spot_training
            && let Some(training) = training
        {
            out.push_str(&format!(
                "Managed Spot Training savings: {:.1}%\n",
                savings_percent(training, billable)
            ));
        }
    }
    out
}

/// The SDK's `(1 - float(billable_time) / training_time) * 100`.
pub fn savings_percent(training: u64, billable: u64) -> f64 {
    (1.0 - billable as f64 / training as f64) * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_strftime() {
        // 2026-01-01 is 20,454 days after the epoch.
        let base = 20_454 * 86_400_000;
        assert_eq!(sdk_time(base), "2026-01-01 00:00:00");
        assert_eq!(sdk_time(base + 3_723_999), "2026-01-01 01:02:03");
    }

    #[test]
    fn savings_one_decimal() {
        assert_eq!(format!("{:.1}", savings_percent(500, 100)), "80.0");
        assert_eq!(format!("{:.1}", savings_percent(3, 1)), "66.7");
    }
}
