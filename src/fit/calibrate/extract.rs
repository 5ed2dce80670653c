//! What the history says about capacity: each usable job's walk through its transitions,
//! turned into censored uptime and capacity-wait samples of its gang size.

use super::*;

/// What a `SecondaryStatus` means for an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Capacity wait shown on its own (`Pending`).
    Pending,
    /// Capacity wait and provisioning.
    Starting,
    /// An instance held: Downloading, Training, Uploading.
    Held,
    /// Capacity reclaimed.
    Interrupted,
    /// The job stops or ends.
    End,
}

pub(super) fn phase(status: &str) -> Option<Phase> {
    Some(match status {
        "Pending" => Phase::Pending,
        "Starting" | "LaunchingMLInstances" | "PreparingTrainingStack" => Phase::Starting,
        "Downloading" | "DownloadingTrainingImage" | "Training" | "Uploading" => Phase::Held,
        "Interrupted" => Phase::Interrupted,
        "Stopping"
        | "Stopped"
        | "MaxRuntimeExceeded"
        | "MaxWaitTimeExceeded"
        | "Completed"
        | "Failed" => Phase::End,
        _ => return None,
    })
}

/// Where a job's walk through its transitions stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum State {
    /// Before the first attempt, or right after an interruption.
    Between,
    /// Waiting for capacity: the `Pending` and `Starting` seconds so far.
    Waiting { pending: f64, starting: f64 },
    /// Holding capacity: held seconds so far.
    Held(f64),
    /// After the job's end.
    Ended,
}

/// One second: spans shorter than P by less than this are rounding, not a short provisioning.
pub(super) const ROUNDING_SECONDS: f64 = 1.0;

/// The samples one job adds to its gang, or why it cannot be used.
pub(super) fn walk(
    job: &TrainingJob,
    provisioning: f64,
    gang: &mut GangSample,
) -> Result<(), String> {
    let mut state = State::Between;
    let mut uptimes = Vec::new();
    let mut waits = Vec::new();
    let (mut losses, mut short) = (0, 0);
    // The capacity wait of an attempt that acquired capacity `starting` seconds before its
    // first held second (or had a Pending span).
    let mut acquired = |pending: f64, starting: f64, waits: &mut Vec<Episode>| {
        if pending > 0.0 {
            waits.push(Episode::complete(pending));
        } else {
            if starting < provisioning - ROUNDING_SECONDS {
                short += 1;
            }
            waits.push(Episode::complete((starting - provisioning).max(0.0)));
        }
    };
    for (i, t) in job.transitions.iter().enumerate() {
        let span = job.transitions.get(i + 1).map_or(0.0, |next| {
            (next.start_millis - t.start_millis) as f64 / 1000.0
        });
        let Some(phase) = phase(t.status) else {
            return Err(format!(
                "status {} (SecondaryStatusTransitions[{i}]) is not part of the lifecycle spotsim models",
                t.status
            ));
        };
        let out_of_order = |what: &str| {
            Err(format!(
                "transitions out of the lifecycle's order: {} (SecondaryStatusTransitions[{i}]) {what}",
                t.status
            ))
        };
        state = match (phase, state) {
            (_, State::Ended) if phase != Phase::End => {
                return out_of_order("after the job's end");
            }
            (_, State::Ended) => State::Ended,
            (Phase::Pending, State::Between) => State::Waiting {
                pending: span,
                starting: 0.0,
            },
            (Phase::Pending, State::Waiting { pending, starting }) if starting == 0.0 => {
                State::Waiting {
                    pending: pending + span,
                    starting,
                }
            }
            (Phase::Pending, State::Waiting { .. }) => {
                return out_of_order("after Starting within one attempt");
            }
            (Phase::Starting, State::Between) => State::Waiting {
                pending: 0.0,
                starting: span,
            },
            (Phase::Starting, State::Waiting { pending, starting }) => State::Waiting {
                pending,
                starting: starting + span,
            },
            (Phase::Pending | Phase::Starting, State::Held(held)) => {
                // A new attempt without an interruption: a retry after an error. The instance
                // was not lost while held.
                uptimes.push(Episode::censored(provisioning + held));
                let pending = if phase == Phase::Pending { span } else { 0.0 };
                State::Waiting {
                    pending,
                    starting: span - pending,
                }
            }
            (Phase::Held, State::Waiting { pending, starting }) => {
                acquired(pending, starting, &mut waits);
                State::Held(span)
            }
            (Phase::Held, State::Held(held)) => State::Held(held + span),
            (Phase::Held, State::Between) => {
                return out_of_order("without a Starting before it");
            }
            (Phase::Interrupted, State::Held(held)) => {
                uptimes.push(Episode::complete(provisioning + held));
                State::Between
            }
            (Phase::Interrupted, State::Waiting { pending, .. }) => {
                // Lost while provisioning: the lifetime is shorter than P and left out.
                losses += 1;
                if pending > 0.0 {
                    waits.push(Episode::complete(pending));
                }
                State::Between
            }
            (Phase::Interrupted, State::Between) => {
                return out_of_order("without capacity held before it");
            }
            (Phase::End, State::Held(held)) => {
                uptimes.push(Episode::censored(provisioning + held));
                State::Ended
            }
            (Phase::End, State::Waiting { pending, starting }) => {
                if pending > 0.0 && starting > 0.0 {
                    waits.push(Episode::complete(pending));
                } else if pending > 0.0 {
                    waits.push(Episode::censored(pending));
                } else if starting - provisioning > 0.0 {
                    waits.push(Episode::censored(starting - provisioning));
                }
                State::Ended
            }
            (Phase::End, State::Between) => State::Ended,
        };
    }
    if state != State::Ended {
        return Err("the transitions do not end with the job's end".into());
    }
    gang.jobs += 1;
    gang.uptimes.extend(uptimes);
    gang.capacity_waits.extend(waits);
    gang.provisioning_losses += losses;
    gang.short_starts += short;
    Ok(())
}

/// Why `job` cannot be calibrated from at all, before its transitions are read.
pub(super) fn unusable(job: &TrainingJob) -> Option<String> {
    if !job.managed_spot {
        return Some("not a managed spot job (EnableManagedSpotTraining is not true)".into());
    }
    match job.status {
        "Failed" => {
            return Some(format!(
                "Failed ({})",
                job.failure_reason.as_deref().unwrap_or("no FailureReason")
            ));
        }
        "InProgress" | "Stopping" | "Deleting" => {
            return Some(format!(
                "{}: the job has not finished, its last attempt is still open",
                job.status
            ));
        }
        _ => {}
    }
    if job.instance_groups {
        return Some("a heterogeneous cluster (ResourceConfig.InstanceGroups)".into());
    }
    match (&job.instance_type, job.instance_count) {
        (Some(_), Some(count)) if count >= 1 => {}
        _ => {
            return Some(
                "no ResourceConfig.InstanceType and InstanceCount ≥ 1: the gang is unknown".into(),
            );
        }
    }
    if job.transitions.is_empty() {
        return Some("no SecondaryStatusTransitions".into());
    }
    None
}

/// Why no instance type can be calibrated: the errors are about [`Settings::instance_type`],
/// which the caller names its own way (the command line: its option).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstanceTypeError {
    /// The chosen type is none a usable job runs on; `types` lists theirs with their counts.
    #[error("no usable job runs on {chosen}; the jobs run on {types}")]
    NotRun {
        /// The chosen instance type.
        chosen: String,
        /// The types the usable jobs run on, with their counts.
        types: String,
    },
    /// The usable jobs run on several types and none was chosen.
    #[error("the jobs run on several instance types, {types}: a market describes one, choose it")]
    NotChosen {
        /// The types the usable jobs run on, with their counts.
        types: String,
    },
}

/// The samples of `history` for the instance type of `settings` (or the only one there is).
pub fn extract(history: &History, settings: &Settings) -> Result<Samples, InstanceTypeError> {
    let mut unused = Vec::new();
    let leave_out = |job: &TrainingJob, reason: String, unused: &mut Vec<LeftOut>| {
        unused.push(LeftOut::new(job, reason))
    };
    let mut usable = Vec::new();
    for job in &history.jobs {
        match unusable(job) {
            Some(reason) => leave_out(job, reason, &mut unused),
            None => usable.push(job),
        }
    }
    let mut types: Vec<(&str, usize)> = Vec::new();
    for job in &usable {
        let t = job.instance_type.as_deref().unwrap_or_default();
        match types.iter_mut().find(|(name, _)| *name == t) {
            Some((_, count)) => *count += 1,
            None => types.push((t, 1)),
        }
    }
    let listed = || {
        types
            .iter()
            .map(|(t, n)| format!("{t} ({n} jobs)"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let instance_type = match (&settings.instance_type, types.len()) {
        (Some(chosen), _) if types.iter().any(|(t, _)| t == chosen) => chosen.clone(),
        (Some(chosen), 0) => chosen.clone(),
        (Some(chosen), _) => {
            return Err(InstanceTypeError::NotRun {
                chosen: chosen.clone(),
                types: listed(),
            });
        }
        (None, 0) => String::new(),
        (None, 1) => types[0].0.to_string(),
        (None, _) => {
            return Err(InstanceTypeError::NotChosen { types: listed() });
        }
    };
    let mut gangs: Vec<GangSample> = Vec::new();
    for job in usable {
        if job.instance_type.as_deref() != Some(instance_type.as_str()) {
            let other = job.instance_type.clone().unwrap_or_default();
            leave_out(
                job,
                format!("runs on {other}, not the calibrated {instance_type}"),
                &mut unused,
            );
            continue;
        }
        let count = job.instance_count.unwrap_or(1);
        let index = match gangs.iter().position(|g| g.instance_count == count) {
            Some(i) => i,
            None => {
                gangs.push(GangSample {
                    instance_count: count,
                    ..GangSample::default()
                });
                gangs.len() - 1
            }
        };
        // Walk into a scratch copy so that a job that turns out unusable adds nothing.
        let mut scratch = GangSample::default();
        match walk(job, settings.provisioning_seconds, &mut scratch) {
            Ok(()) => {
                let gang = &mut gangs[index];
                gang.jobs += scratch.jobs;
                gang.uptimes.append(&mut scratch.uptimes);
                gang.capacity_waits.append(&mut scratch.capacity_waits);
                gang.provisioning_losses += scratch.provisioning_losses;
                gang.short_starts += scratch.short_starts;
            }
            Err(reason) => leave_out(job, reason, &mut unused),
        }
    }
    gangs.retain(|g| g.jobs > 0);
    gangs.sort_by_key(|g| g.instance_count);
    Ok(Samples {
        instance_type,
        gangs,
        unused,
    })
}
