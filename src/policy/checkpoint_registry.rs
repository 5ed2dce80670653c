//! The registry of checkpoint policies a scenario can name in `[checkpoint] policy`, in the
//! shape of the scheduling policies' [`super::registry`]: a name, once, with its constructor;
//! the scenario looks names up here and nowhere else, and an unknown name is an error that
//! lists them.
//!
//! A constructor turns what the scenario knows — the write time δ, the market's mean uptime M,
//! the `interval` and `objective` keys — into the [`CheckpointPolicy`] the engine runs, or says
//! which key is missing or wrong. Adding a policy is one new file with its constructor and one
//! [`CheckpointRegistration`] in [`CHECKPOINT_REGISTRY`]; a policy with an interval rule of its
//! own makes a [`CheckpointPolicy::Periodic`]. `tests/integration/extensions.rs` makes a policy
//! defined in the test from such a registration and runs it.

use super::CheckpointPolicy;
use super::checkpoint::{Objective, daly_interval, young_interval};
use crate::error::excerpt;

/// What a checkpoint policy may read while the scenario is resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckpointContext<'a> {
    /// The policy's name as written (for messages).
    pub name: &'a str,
    /// δ: the checkpoint write time, seconds (0 when not given).
    pub write_seconds: f64,
    /// M: the market's mean uptime, seconds, when it has one.
    pub mean_uptime_seconds: Option<f64>,
    /// `[checkpoint] interval`, seconds, when given.
    pub interval_seconds: Option<f64>,
    /// `[checkpoint] objective`, when given.
    pub objective: Option<&'a str>,
}

/// Why a policy cannot be made: the `[checkpoint]` key at fault and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[checkpoint] {key}: {message}")]
pub struct CheckpointKeyError {
    /// The key (`interval`, `write`, `objective`, `policy`).
    pub key: &'static str,
    /// What is wrong and what was expected.
    pub message: String,
}

fn key_error(key: &'static str, message: impl Into<String>) -> CheckpointKeyError {
    CheckpointKeyError {
        key,
        message: message.into(),
    }
}

/// Makes a checkpoint policy from what the scenario knows.
pub type CheckpointConstructor =
    fn(&CheckpointContext<'_>) -> Result<CheckpointPolicy, CheckpointKeyError>;

/// A registered checkpoint policy.
#[derive(Clone, Copy)]
pub struct CheckpointRegistration {
    /// The name as written in `[checkpoint] policy`.
    pub name: &'static str,
    /// Whether it reads `[checkpoint] interval` (other policies that checkpoint periodically
    /// choose their own interval, and a given one is an error).
    pub reads_interval: bool,
    /// Whether it reads `[checkpoint] objective`.
    pub reads_objective: bool,
    /// What makes it.
    pub make: CheckpointConstructor,
}

impl std::fmt::Debug for CheckpointRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (checkpoint policy)", self.name)
    }
}

impl CheckpointContext<'_> {
    /// δ, or the error of a policy that balances it against lost work.
    pub fn needs_write(&self) -> Result<f64, CheckpointKeyError> {
        if self.write_seconds > 0.0 {
            Ok(self.write_seconds)
        } else {
            Err(key_error(
                "write",
                format!(
                    "policy \"{}\" balances the write time against lost work: give write (or size_gb and bandwidth_mb_per_s)",
                    self.name
                ),
            ))
        }
    }

    /// M, or the error of a policy that takes it from the market.
    pub fn needs_mean_uptime(&self) -> Result<f64, CheckpointKeyError> {
        self.mean_uptime_seconds.ok_or_else(|| {
            key_error(
                "policy",
                format!(
                    "policy \"{}\" takes M from the spot market's mean uptime: it needs a [market] with one",
                    self.name
                ),
            )
        })
    }
}

fn interval(context: &CheckpointContext<'_>) -> Result<CheckpointPolicy, CheckpointKeyError> {
    let interval_seconds = context.interval_seconds.ok_or_else(|| {
        key_error(
            "interval",
            "policy \"interval\" needs interval (training time between checkpoints, e.g. \"30m\")",
        )
    })?;
    if interval_seconds <= 0.0 {
        return Err(key_error("interval", "must be greater than zero"));
    }
    Ok(CheckpointPolicy::Interval { interval_seconds })
}

/// δ and M, for the formulas that balance one against the other (in that order of errors).
fn write_and_uptime(context: &CheckpointContext<'_>) -> Result<(f64, f64), CheckpointKeyError> {
    Ok((context.needs_write()?, context.needs_mean_uptime()?))
}

fn young(context: &CheckpointContext<'_>) -> Result<CheckpointPolicy, CheckpointKeyError> {
    let (delta, m) = write_and_uptime(context)?;
    let interval_seconds = young_interval(delta, m);
    Ok(CheckpointPolicy::Young {
        interval_seconds,
        mean_uptime_seconds: m,
    })
}

fn daly(context: &CheckpointContext<'_>) -> Result<CheckpointPolicy, CheckpointKeyError> {
    let (delta, m) = write_and_uptime(context)?;
    let interval_seconds = daly_interval(delta, m);
    Ok(CheckpointPolicy::Daly {
        interval_seconds,
        mean_uptime_seconds: m,
    })
}

fn optimal(context: &CheckpointContext<'_>) -> Result<CheckpointPolicy, CheckpointKeyError> {
    // δ, and M for the search.
    write_and_uptime(context)?;
    let objective = match context.objective {
        None => Objective::WallClock,
        Some(text) => Objective::parse(text).ok_or_else(|| {
            key_error(
                "objective",
                format!("expected \"wall_clock\" or \"cost\", got {}", excerpt(text)),
            )
        })?,
    };
    // The interval is searched once the whole scenario is known, by the prepare step the
    // commands call (`crate::montecarlo::prepare`).
    Ok(CheckpointPolicy::Optimal {
        interval_seconds: None,
        objective,
    })
}

/// Every checkpoint policy a scenario can name, in the order error messages list them.
pub const CHECKPOINT_REGISTRY: &[CheckpointRegistration] = &[
    CheckpointRegistration {
        name: "none",
        reads_interval: false,
        reads_objective: false,
        make: |_| Ok(CheckpointPolicy::None),
    },
    CheckpointRegistration {
        name: "interval",
        reads_interval: true,
        reads_objective: false,
        make: interval,
    },
    CheckpointRegistration {
        name: "young",
        reads_interval: false,
        reads_objective: false,
        make: young,
    },
    CheckpointRegistration {
        name: "daly",
        reads_interval: false,
        reads_objective: false,
        make: daly,
    },
    CheckpointRegistration {
        name: "optimal",
        reads_interval: false,
        reads_objective: true,
        make: optimal,
    },
    CheckpointRegistration {
        name: "on_notice",
        reads_interval: false,
        reads_objective: false,
        make: |_| Ok(CheckpointPolicy::OnNotice),
    },
];

/// The checkpoint policy registered as `name`.
pub fn checkpoint(name: &str) -> Option<&'static CheckpointRegistration> {
    CHECKPOINT_REGISTRY.iter().find(|r| r.name == name)
}

/// The registered names, in registry order.
pub fn checkpoint_names() -> Vec<&'static str> {
    CHECKPOINT_REGISTRY.iter().map(|r| r.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registration_makes_the_policy_of_its_name() {
        assert_eq!(checkpoint_names(), CheckpointPolicy::NAMES);
        let context = CheckpointContext {
            name: "",
            write_seconds: 60.0,
            mean_uptime_seconds: Some(3600.0),
            interval_seconds: Some(900.0),
            objective: None,
        };
        for registration in CHECKPOINT_REGISTRY {
            let context = CheckpointContext {
                name: registration.name,
                ..context
            };
            let policy = (registration.make)(&context).unwrap();
            assert_eq!(policy.name(), registration.name);
        }
        // Young's τ = √(2δM) = √(2·60·3600) s.
        let young = (checkpoint("young").unwrap().make)(&context).unwrap();
        assert_eq!(young.interval_seconds(), (2.0f64 * 60.0 * 3600.0).sqrt());
        let no_write = CheckpointContext {
            write_seconds: 0.0,
            ..context
        };
        assert_eq!(
            (checkpoint("daly").unwrap().make)(&no_write)
                .unwrap_err()
                .key,
            "write"
        );
        assert!(checkpoint("hourly").is_none());
    }
}
