//! The one registry of policies that a scenario can name in `[policy] name`, for both clocks.
//!
//! A name is registered once, with the clock it runs on and its constructor; the scenario
//! looks names up here and nowhere else, and an unknown name is an error that lists the
//! names of the scenario's clock — never a fallback to another policy. `on-demand` exists on
//! both clocks (an on-demand job on the continuous clock, the reference's on-demand-only
//! policy on the tick clock), so a name is unique per clock.
//!
//! Adding a policy is one new file with its type and one [`Registration`] in [`REGISTRY`]:
//! `tests/integration/extensions.rs` makes a scheduling policy and a tick policy defined in
//! the test from such a registration and runs them, and `examples/custom_policy.rs` shows a
//! scheduling policy put straight into a scenario.

use super::scheduling::{ManagedSpot, OnDemand, SchedulingPolicy, SpotThenOnDemand};
use crate::tick::TickPolicy;
use crate::tick::omniscient::Omniscient;
use crate::tick::policies::{Greedy, OnDemandOnly, RcThreshold, TickPolicyChoice, UniformProgress};
use std::sync::Arc;

/// The clock a policy decides for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockKind {
    /// The continuous clock: a [`SchedulingPolicy`] asked at every decision point.
    Continuous,
    /// The tick clock: a [`TickPolicy`] asked at every tick.
    Tick,
}

/// Makes a policy.
#[derive(Clone, Copy)]
#[allow(missing_debug_implementations)]
pub enum Constructor {
    /// A scheduling policy of the continuous clock.
    Scheduling(fn() -> Arc<dyn SchedulingPolicy>),
    /// A deadline policy of the tick clock (a fresh one per window: tick policies keep state).
    Tick(fn() -> Box<dyn TickPolicy + Send>),
}

impl Constructor {
    /// The clock the policy decides for.
    pub fn clock(&self) -> ClockKind {
        match self {
            Constructor::Scheduling(_) => ClockKind::Continuous,
            Constructor::Tick(_) => ClockKind::Tick,
        }
    }
}

/// A registered policy: its name in `[policy] name` and its constructor.
#[derive(Clone, Copy)]
pub struct Registration {
    /// The name as written in `[policy] name`.
    pub name: &'static str,
    /// What it makes.
    pub make: Constructor,
}

impl Registration {
    /// The scheduling policy it makes, when it is one (continuous clock).
    pub fn scheduling_policy(&self) -> Option<Arc<dyn SchedulingPolicy>> {
        match self.make {
            Constructor::Scheduling(make) => Some(make()),
            Constructor::Tick(_) => None,
        }
    }

    /// The tick-clock choice it makes, when it is a tick policy.
    pub fn tick_choice(&self) -> Option<TickPolicyChoice> {
        match self.make {
            Constructor::Tick(make) => Some(TickPolicyChoice {
                name: self.name,
                make,
            }),
            Constructor::Scheduling(_) => None,
        }
    }
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({:?} clock)", self.name, self.make.clock())
    }
}

/// Every policy a scenario can name, in the order error messages list them.
pub const REGISTRY: &[Registration] = &[
    Registration {
        name: "managed-spot",
        make: Constructor::Scheduling(|| Arc::new(ManagedSpot)),
    },
    Registration {
        name: "on-demand",
        make: Constructor::Scheduling(|| Arc::new(OnDemand)),
    },
    Registration {
        name: "spot-then-on-demand",
        make: Constructor::Scheduling(|| Arc::new(SpotThenOnDemand)),
    },
    Registration {
        name: "uniform-progress",
        make: Constructor::Tick(|| Box::new(UniformProgress)),
    },
    Registration {
        name: "greedy",
        make: Constructor::Tick(|| Box::new(Greedy)),
    },
    Registration {
        name: "on-demand",
        make: Constructor::Tick(|| Box::new(OnDemandOnly)),
    },
    Registration {
        name: "rc-threshold",
        make: Constructor::Tick(|| {
            Box::new(RcThreshold {
                keep_on_demand: false,
            })
        }),
    },
    Registration {
        name: "rc-threshold-keep-od",
        make: Constructor::Tick(|| {
            Box::new(RcThreshold {
                keep_on_demand: true,
            })
        }),
    },
    Registration {
        name: "omniscient",
        make: Constructor::Tick(|| Box::new(Omniscient::default())),
    },
];

/// The registration of `name` on `clock`.
pub fn find(clock: ClockKind, name: &str) -> Option<&'static Registration> {
    REGISTRY
        .iter()
        .find(|r| r.make.clock() == clock && r.name == name)
}

/// The names registered on `clock`, in registry order.
pub fn names(clock: ClockKind) -> Vec<&'static str> {
    REGISTRY
        .iter()
        .filter(|r| r.make.clock() == clock)
        .map(|r| r.name)
        .collect()
}

/// The scheduling policy called `name` (continuous clock).
pub fn scheduling(name: &str) -> Option<Arc<dyn SchedulingPolicy>> {
    find(ClockKind::Continuous, name)?.scheduling_policy()
}

/// The tick-clock policy called `name`.
pub fn tick(name: &str) -> Option<TickPolicyChoice> {
    find(ClockKind::Tick, name)?.tick_choice()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_clock_and_make_what_they_say() {
        for clock in [ClockKind::Continuous, ClockKind::Tick] {
            let names = names(clock);
            for (i, name) in names.iter().enumerate() {
                assert!(!names[..i].contains(name), "{name} twice on {clock:?}");
            }
        }
        for registration in REGISTRY {
            match registration.make {
                Constructor::Scheduling(make) => assert_eq!(make().name(), registration.name),
                Constructor::Tick(make) => {
                    // The reference's policy names; the registry adds `-keep-od` for
                    // RC threshold's keep_on_demand flag.
                    let made = make().name();
                    assert!(registration.name.starts_with(made), "{made}");
                }
            }
        }
    }

    #[test]
    fn unknown_names_are_not_found() {
        assert!(scheduling("uniform-progress").is_none());
        assert!(tick("managed-spot").is_none());
        assert!(tick("Greedy").is_none());
        assert!(scheduling("on-demand").is_some() && tick("on-demand").is_some());
    }
}
