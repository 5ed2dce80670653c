//! Deadline-aware policies of the tick clock (spec §9), behind one small trait.
//!
//! A policy is asked once per observed tick, at step 5 of `DECIDE()` (§5), and answers with the
//! instance type it wants for the next interval. The simulator then applies the strong
//! guarantee (§6, unless the policy opts out) and the spot-unavailable override (§7).

use super::{EPS, Instance, TickError, TickInput, TickResult};

/// What a policy sees at one tick (spec §9: `elapsed`, `done_sum`, `oh`, `has_spot`, `last`,
/// `cur` and the job constants). All times are seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolicyView {
    /// Relative tick index `t` (0 at the job start).
    pub tick: usize,
    /// `elapsed = t * gap`, seconds since the job start.
    pub elapsed: f64,
    /// Work credited so far (`done_sum`, left-to-right sum of the per-tick progress), seconds.
    pub done_sum: f64,
    /// Remaining restart overhead `oh`, seconds.
    pub overhead_left: f64,
    /// Whether spot is available at this tick (`avail(t)`).
    pub has_spot: bool,
    /// The type that ran during `[t-1, t)` (pre-preemption, `last`).
    pub last: Instance,
    /// The type held now, after a preemption at the tick boundary (`cur`).
    pub cur: Instance,
    /// Compute time needed `C`, seconds.
    pub compute: f64,
    /// Deadline `R`, seconds after the job start.
    pub deadline: f64,
    /// Changeover overhead `d`, seconds.
    pub overhead: f64,
    /// Tick length `gap`, seconds.
    pub gap: f64,
}

/// A tick-clock policy: one decision per observed tick.
pub trait TickPolicy: std::fmt::Debug {
    /// Short stable name (e.g. `uniform-progress`).
    fn name(&self) -> &'static str;

    /// The proposal for the interval `[t, t+1)` (step 5 of `DECIDE()`).
    fn decide(&mut self, view: &PolicyView) -> Instance;

    /// `true` to skip the strong guarantee (§6, flag `IGNORE_SAFETY_NET`). None of the
    /// published policies do; [`Scripted`] does, so that a fixed schedule is replayed as is.
    fn ignore_safety_net(&self) -> bool {
        false
    }

    /// Called before each window is simulated, with the whole input: an online policy
    /// ignores it; the omniscient bound plans its schedule from it. A thread makes its policy
    /// once and runs every window under it, so whatever a policy keeps from one window must be
    /// reset here.
    fn prepare(&mut self, input: &TickInput<'_>) -> Result<(), TickError> {
        let _ = input;
        Ok(())
    }

    /// Runs one window under this policy into `result` ([`super::run_to_deadline_into`]).
    /// Each implementation gets its own copy of this method, in which `decide` is a direct
    /// call the compiler can inline into the per-tick loop: a policy held as
    /// `dyn TickPolicy` pays one dynamic call per window instead of one per tick.
    fn run_window(
        &mut self,
        input: &TickInput<'_>,
        result: &mut TickResult,
    ) -> Result<(), TickError> {
        super::run_to_deadline_into(input, self, false, result)
    }
}

/// The OD-hysteresis variant of the threshold family (§9.1 vs §9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hysteresis {
    /// Uniform Progress: stay on OD until progress reaches `ep(t + 2d)`.
    UniformProgress,
    /// RC threshold: optionally keep OD while spot is unavailable.
    KeepOnDemand(bool),
}

/// The shared body of §9.1 / §9.2, with the reference's expression shapes.
fn threshold_decide(v: &PolicyView, hysteresis: Hysteresis) -> Instance {
    let (c, r, d, gap, elapsed) = (v.compute, v.deadline, v.overhead, v.gap, v.elapsed);
    let remaining_time = ((r - elapsed) / gap).floor() * gap;
    let rem = c - v.done_sum;
    if rem <= EPS {
        return Instance::Idle;
    }
    let mut req = if v.has_spot {
        Instance::Spot
    } else {
        Instance::Idle
    };

    let behind = (c - rem) - ((elapsed * c) / r);
    if behind < 0.0 {
        req = if v.has_spot {
            Instance::Spot
        } else {
            Instance::OnDemand
        };
    }

    match hysteresis {
        Hysteresis::UniformProgress => {
            if v.cur == Instance::OnDemand {
                let ahead2d = ((elapsed + 2.0 * d) * c) / r - (c - rem);
                if !v.has_spot || ahead2d >= 0.0 {
                    req = Instance::OnDemand;
                }
            }
        }
        Hysteresis::KeepOnDemand(keep) => {
            if keep && v.cur == Instance::OnDemand && !v.has_spot {
                req = Instance::OnDemand;
            }
        }
    }

    let need1 = ((rem + d) / gap).ceil() * gap;
    let need2 = ((rem + 2.0 * d) / gap).ceil() * gap;
    if need2 >= remaining_time && matches!(v.cur, Instance::Idle | Instance::OnDemand) {
        req = Instance::OnDemand;
    }
    if need1 >= remaining_time {
        req = if v.cur == Instance::Spot && v.overhead_left < EPS {
            Instance::Spot
        } else {
            Instance::OnDemand
        };
        if d == 0.0 && v.has_spot {
            req = Instance::Spot;
        }
    }
    req
}

/// Uniform Progress (`uniform-progress`, reference `rc_cr_threshold`, spec §9.1): take spot
/// whenever available; run on-demand when behind the expected progress `t·C/R` and spot is
/// unavailable; once on on-demand, stay until progress reaches `ep(t + 2d)`; safety nets at
/// `2d` and `d`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UniformProgress;

impl TickPolicy for UniformProgress {
    fn name(&self) -> &'static str {
        "uniform-progress"
    }

    fn decide(&mut self, view: &PolicyView) -> Instance {
        threshold_decide(view, Hysteresis::UniformProgress)
    }
}

/// RC threshold (`rc-threshold`, reference `rc_threshold`, spec §9.2): Uniform Progress without
/// the `2d` hysteresis; with `keep_on_demand`, an on-demand instance is kept while spot is
/// unavailable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RcThreshold {
    /// Keep a running on-demand instance while spot is unavailable.
    pub keep_on_demand: bool,
}

impl TickPolicy for RcThreshold {
    fn name(&self) -> &'static str {
        "rc-threshold"
    }

    fn decide(&mut self, view: &PolicyView) -> Instance {
        threshold_decide(view, Hysteresis::KeepOnDemand(self.keep_on_demand))
    }
}

/// Greedy (`greedy`, spec §9.3): spot when available, otherwise wait; on-demand once the
/// remaining ticks only just cover the remaining work plus one changeover (tick counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Greedy;

impl TickPolicy for Greedy {
    fn name(&self) -> &'static str {
        "greedy"
    }

    fn decide(&mut self, v: &PolicyView) -> Instance {
        let rem = v.compute - v.done_sum;
        if rem <= 1e-9 {
            return Instance::Idle;
        }
        let left_ticks = ((v.deadline - v.elapsed) / v.gap).floor().max(0.0);
        let need1 = ((rem + v.overhead) / v.gap).ceil();
        let need2 = ((rem + 2.0 * v.overhead) / v.gap).ceil();
        if need1 >= left_ticks {
            return Instance::OnDemand;
        }
        if need2 >= left_ticks {
            if v.cur == Instance::Spot && v.has_spot {
                return Instance::Spot;
            }
            return Instance::OnDemand;
        }
        if v.has_spot {
            Instance::Spot
        } else {
            Instance::Idle
        }
    }
}

/// On-demand only (`on-demand`, spec §9.4): request on-demand until the job is done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnDemandOnly;

impl TickPolicy for OnDemandOnly {
    fn name(&self) -> &'static str {
        "on-demand"
    }

    fn decide(&mut self, v: &PolicyView) -> Instance {
        if (v.compute - v.done_sum).max(0.0) <= EPS {
            Instance::Idle
        } else {
            Instance::OnDemand
        }
    }
}

/// Replays a fixed schedule: `schedule[t]` is requested at relative tick `t` (idle past its
/// end). It skips the strong guarantee, so a schedule is executed as written (the
/// spot-unavailable override of §7 still applies). Used to check [`super::omniscient()`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scripted {
    /// The request per relative tick.
    pub schedule: Vec<Instance>,
}

impl TickPolicy for Scripted {
    fn name(&self) -> &'static str {
        "scripted"
    }

    fn decide(&mut self, view: &PolicyView) -> Instance {
        self.schedule
            .get(view.tick)
            .copied()
            .unwrap_or(Instance::Idle)
    }

    fn ignore_safety_net(&self) -> bool {
        true
    }
}

/// A tick-clock policy chosen by a scenario: its name in `crate::policy::registry` and its
/// constructor.
#[derive(Clone, Copy)]
pub struct TickPolicyChoice {
    /// The registered name.
    pub name: &'static str,
    /// Makes the policy a thread runs its windows under (prepared for each one).
    pub make: fn() -> Box<dyn TickPolicy + Send>,
}

impl std::fmt::Debug for TickPolicyChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}
