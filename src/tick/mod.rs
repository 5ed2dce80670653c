//! # Tick clock: deadline-aware spot policies, as in "Can't Be Late"
//!
//! This module reproduces the tick-based reference simulator of **Can't Be Late** (Z. Wu,
//! W.-L. Chiang, Z. Mao, Z. Yang, E. Friedman, S. Shenker, I. Stoica, *"Can't Be Late:
//! Optimizing Spot Instance Savings under Deadlines"*, NSDI 2024), as specified in
//! `shared/reference/deadline-policies.md` ("the spec" below), to the cent.
//!
//! ## The model (paper §3, spec §2–§4)
//!
//! One job needs `C` seconds of compute before a deadline `R` (seconds after its start). Time
//! advances in ticks of `gap` seconds, one per trace row; at every tick the simulator observes
//! spot availability and one decision is taken for the next interval: run on spot (only if
//! available), on on-demand (always available), or wait (`NONE` in the spec,
//! [`Instance::Idle`] here). Every change to a new non-idle type costs a changeover overhead
//! `d`, consumed over as many ticks as needed, during which no progress is made. Every tick in
//! which an instance is held is billed in full.
//!
//! [`simulate`] follows the spec literally:
//!
//! * pre-checks (§2.5): an infeasible job (`C + d > R`) is not simulated and reports
//!   `P_od·(C + d)`; a trace shorter than `ceil(C/gap)` ticks is [`TickError::TraceTooShort`];
//! * `avail(t)` with the optional `window_max` (§3);
//! * the main loop (§4) and `DECIDE()` (§5) step by step: preemption at the tick boundary,
//!   progress of the interval that just ended (credited even when the spot got preempted at
//!   its end), the policy (§9), `STRONG_GUARANTEE` (§6), `SPOT_UNAVAILABLE_OVERRIDE` (§7) and the
//!   overhead reset on every change to a non-idle type;
//! * billing (§8) with the **+1 price-index offset**: the interval `[k, k+1)` is billed at
//!   `spot_price[start_index + k + 1]`;
//! * f64 throughout, `EPS = 1e-3` s, `floor` for remaining time and `ceil` for needed time
//!   (§1), and the reference's expression shapes.
//!
//! Every duration is in seconds, as everywhere in the library. The spec's inputs are hours
//! (`C_h`, `R_h`, `d_h`, `start_h`, `window_h`) and its first step is `h·3600`: a caller
//! holding the spec's hours passes `h * 3600.0`, which is the reference's own value bit for
//! bit.
//!
//! Policies ([`policies`]): Uniform Progress (§9.1), RC threshold (§9.2), Greedy (§9.3),
//! on-demand only (§9.4). [`omniscient()`] computes the minimum-cost schedule that knows the whole
//! trace, under the same tick rules, by exact dynamic programming: a lower bound for every
//! policy.
//!
//! ## Conventions
//!
//! `preempted[i]` is the spec's internal trace: `true` = spot **not** available at absolute
//! row `i`. Public availability data (1 = available) must be inverted before use (§2.2).
//!
//! ```
//! use spotsim::market::price::SpotPrice;
//! use spotsim::tick::{simulate, TickInput, policies::UniformProgress};
//!
//! // The toy vector of spec §13.
//! let preempted: Vec<bool> = "0 0 1 1 1 0 0 1 0 0 0 0 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
//!     .split(' ').map(|s| s == "1").collect();
//! let prices = SpotPrice::per_row((0..30).map(|i| 1.00 + 0.01 * i as f64).collect(), 600.0);
//! // The spec's inputs are hours: C_h = 2, R_h = 3, d_h = 0.2, start_h = 0.5, window_h = 3.
//! let input = TickInput {
//!     preempted: &preempted,
//!     gap_seconds: 600.0,
//!     spot_price: &prices,
//!     on_demand_price: 3.00,
//!     compute_seconds: 2.0 * 3600.0,
//!     deadline_seconds: 3.0 * 3600.0,
//!     overhead_seconds: 0.2 * 3600.0,
//!     start_seconds: 0.5 * 3600.0,
//!     window_seconds: Some(3.0 * 3600.0),
//! };
//! let result = simulate(&input, &mut UniformProgress, false).unwrap();
//! assert!((result.cost - 6.283333333333333).abs() < 1e-12);
//! assert_eq!(result.ref_ticks, 17);
//! ```

pub mod clock;
pub mod omniscient;
pub mod policies;

pub use omniscient::{OmniscientResult, omniscient};
pub use policies::{PolicyView, TickPolicy};

use crate::market::price::SpotPrice;
use crate::sagemaker::billing;
use std::fmt;

/// The tolerance of the reference simulator, seconds (spec §1).
pub const EPS: f64 = 1e-3;

/// The instance type held during one tick interval (`NONE`, `SPOT`, `OD` in the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Instance {
    /// Nothing held (`NONE`): waiting, free.
    #[default]
    Idle,
    /// A spot instance (`SPOT`).
    Spot,
    /// An on-demand instance (`OD`).
    OnDemand,
}

impl Instance {
    /// The spec's spelling: `NONE`, `SPOT`, `OD`.
    pub fn as_str(self) -> &'static str {
        match self {
            Instance::Idle => "NONE",
            Instance::Spot => "SPOT",
            Instance::OnDemand => "OD",
        }
    }
}

impl fmt::Display for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything one tick-clock run needs (spec §2.1), in seconds (the spec's hours times 3600).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TickInput<'a> {
    /// `preempted[i] == true`: spot is **not** available at absolute row `i`.
    pub preempted: &'a [bool],
    /// Tick length `gap`, seconds.
    pub gap_seconds: f64,
    /// Spot price, $ per hour: a constant, or one price per trace row (spec §2.3;
    /// [`SpotPrice::per_row`]), price `i` belonging to absolute row `i`.
    pub spot_price: &'a SpotPrice,
    /// On-demand price `P_od`, $ per hour.
    pub on_demand_price: f64,
    /// Compute time needed `C`, seconds.
    pub compute_seconds: f64,
    /// Deadline `R`, seconds after the job start.
    pub deadline_seconds: f64,
    /// Changeover overhead `d`, seconds.
    pub overhead_seconds: f64,
    /// Start offset into the trace, seconds (`start_index = ceil(start/gap)`).
    pub start_seconds: f64,
    /// Optional runtime window, seconds (`window_max = ceil(window/gap)`).
    pub window_seconds: Option<f64>,
}

/// Why a tick-clock run could not produce a result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TickError {
    /// A parameter is out of range (non-finite, negative, zero tick length, …).
    #[error("invalid tick-clock input: {0}")]
    InvalidInput(String),
    /// Fewer ticks are left after the start (and within the window) than `ceil(C/gap)`
    /// (spec §2.5).
    #[error("trace too short: the job needs {needed} ticks, only {available} are available")]
    TraceTooShort {
        /// `ceil(C / gap)`.
        needed: usize,
        /// `N - start_index`, capped at `window_max`.
        available: usize,
    },
    /// The job was not done at an observation with `t·gap >= R` (spec §4).
    #[error("deadline exceeded at tick {tick}: {done_seconds} s of {compute_seconds} s done")]
    DeadlineExceeded {
        /// The relative tick of the observation.
        tick: usize,
        /// Work done by then, seconds.
        done_seconds: f64,
        /// Work needed, seconds.
        compute_seconds: f64,
    },
    /// `avail(t)` was asked beyond `window_max` (spec §3).
    #[error("tick {tick} observed beyond the window ({window_max} ticks)")]
    PastWindow {
        /// The relative tick.
        tick: usize,
        /// `window_max`.
        window_max: usize,
    },
    /// `avail(t)` was asked beyond the end of the trace (`start_index + t > N`, spec §3).
    #[error("tick {tick} (row {row}) observed beyond the end of the trace ({len} rows)")]
    PastTrace {
        /// The relative tick.
        tick: usize,
        /// `start_index + t`.
        row: usize,
        /// `N`.
        len: usize,
    },
    /// A spot interval would be billed at a price row past the end of the series (spec §8).
    #[error("spot interval at tick {tick} is billed at price row {row}, but the series has {len}")]
    PriceIndexOutOfRange {
        /// The relative tick of the interval's start.
        tick: usize,
        /// `start_index + tick + 1`.
        row: usize,
        /// Length of the price series.
        len: usize,
    },
    /// The omniscient search found no schedule that completes by the deadline.
    #[error("no schedule completes the job by the deadline")]
    NoFeasibleSchedule,
    /// The omniscient search needs `gap` and the changeover loss on a common exact grid.
    #[error("omniscient: gap {gap} s and changeover loss {loss} s have no common grid")]
    NoCommonGrid {
        /// Tick length, seconds.
        gap: f64,
        /// Progress lost to one changeover, seconds.
        loss: f64,
    },
}

/// One `DECIDE()` of a run (only recorded when asked), columns after step 8 (spec §13).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TickRecord {
    /// Relative tick `t`.
    pub t: usize,
    /// Absolute trace row `start_index + t`.
    pub row: usize,
    /// `avail(t)`.
    pub has_spot: bool,
    /// Type that ran during `[t-1, t)`.
    pub last: Instance,
    /// Type held after a preemption at `t`.
    pub cur: Instance,
    /// Progress credited for `[t-1, t)`, seconds.
    pub credit: f64,
    /// `done_sum` after the credit, seconds.
    pub done_sum: f64,
    /// The policy's proposal (step 5).
    pub proposal: Instance,
    /// The request after §6 and §7 (step 9). Discarded when `done`.
    pub request: Instance,
    /// Remaining overhead after step 8, seconds.
    pub overhead_left: f64,
    /// The job was done at this observation (the finishing tick).
    pub done: bool,
}

/// Outcome of one tick-clock run (spec §10, §11).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TickResult {
    /// Total cost, USD (§8). For an infeasible job, `P_od·(C + d)`.
    pub cost: f64,
    /// Reference tick count `T_done + 1` (0 for an infeasible job).
    pub ref_ticks: usize,
    /// The tick at which completion was observed, `T_done`.
    pub t_done: usize,
    /// Completion time `T_done·gap`, seconds after the job start.
    pub completion_seconds: f64,
    /// Billed on-demand seconds (including changeover ticks and the partial last tick).
    pub billed_od_seconds: f64,
    /// Billed spot seconds.
    pub billed_spot_seconds: f64,
    /// Progress made on on-demand, seconds.
    pub productive_od_seconds: f64,
    /// Progress made on spot, seconds.
    pub productive_spot_seconds: f64,
    /// Absolute trace row of relative tick 0.
    pub start_index: usize,
    /// `window_max`, when a window is set.
    pub window_max: Option<usize>,
    /// The job failed the §2.5 feasibility pre-check and was not simulated.
    pub infeasible: bool,
    /// `hist`: the type held in `[i-1, i)`, `hist[0] = Idle` (empty for an infeasible job).
    pub hist: Vec<Instance>,
    /// Progress credited for `[i-1, i)`, seconds, one per entry of `hist`.
    pub credits: Vec<f64>,
    /// What `[i-1, i)` was billed, USD, one per entry of `hist` (0 when idle); summed in index
    /// order they give `cost`.
    pub tick_costs: Vec<f64>,
    /// The job was not done at the observation `t_done`, the first at or after the deadline:
    /// the run stopped there (only from [`run_to_deadline`]; [`simulate`] reports
    /// [`TickError::DeadlineExceeded`] instead). `completion_seconds` is then that observation.
    pub deadline_exceeded: bool,
    /// Per-tick decisions, when recording was asked.
    pub trace: Option<Vec<TickRecord>>,
}

/// Validated inputs in seconds, shared by the simulator and the omniscient search.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prepared<'a> {
    pub preempted: &'a [bool],
    pub gap: f64,
    pub spot_price: &'a SpotPrice,
    pub od_price: f64,
    pub c: f64,
    pub r: f64,
    pub d: f64,
    pub start_index: usize,
    pub window_max: Option<usize>,
    /// §2.5 check 1 failed.
    pub infeasible: bool,
    /// The cost reported for an infeasible job, `P_od·(C + d)`.
    pub infeasible_cost: f64,
}

fn check_finite(name: &str, v: f64, allow_zero: bool) -> Result<(), TickError> {
    if !v.is_finite() || v < 0.0 || (!allow_zero && v == 0.0) {
        return Err(TickError::InvalidInput(format!(
            "{name} must be finite and {}, got {v}",
            if allow_zero { ">= 0" } else { "> 0" }
        )));
    }
    Ok(())
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(input: &TickInput<'a>) -> Result<Self, TickError> {
        check_finite("gap_seconds", input.gap_seconds, false)?;
        check_finite("on_demand_price", input.on_demand_price, true)?;
        check_finite("compute_seconds", input.compute_seconds, false)?;
        check_finite("deadline_seconds", input.deadline_seconds, false)?;
        check_finite("overhead_seconds", input.overhead_seconds, true)?;
        check_finite("start_seconds", input.start_seconds, true)?;
        if let Some(w) = input.window_seconds {
            check_finite("window_seconds", w, true)?;
        }
        match input.spot_price {
            SpotPrice::Constant(p) => check_finite("spot price", *p, true)?,
            SpotPrice::Steps(steps) => {
                // Checked once when the series was built, not per window.
                if let Some(p) = steps.first_invalid_price() {
                    return Err(TickError::InvalidInput(format!(
                        "per-tick spot prices must be finite and >= 0, got {p}"
                    )));
                }
            }
        }
        let gap = input.gap_seconds;
        let start_index = if input.start_seconds > 0.0 {
            (input.start_seconds / gap).ceil() as usize
        } else {
            0
        };
        let window_max = match input.window_seconds {
            Some(w) if w > 0.0 => Some((w / gap).ceil() as usize),
            _ => None,
        };
        let (c, r, d) = (
            input.compute_seconds,
            input.deadline_seconds,
            input.overhead_seconds,
        );
        let infeasible = c + d > r;
        let p = Prepared {
            preempted: input.preempted,
            gap,
            spot_price: input.spot_price,
            od_price: input.on_demand_price,
            c,
            r,
            d,
            start_index,
            window_max,
            infeasible,
            infeasible_cost: billing::on_demand_usd(c + d, input.on_demand_price, 1.0),
        };
        if !infeasible {
            let mut available = p.preempted.len().saturating_sub(start_index);
            if let Some(w) = window_max {
                available = available.min(w);
            }
            let needed = (p.c / gap).ceil() as usize;
            if needed > available {
                return Err(TickError::TraceTooShort { needed, available });
            }
        }
        Ok(p)
    }

    /// `avail(t)` (spec §3).
    pub(crate) fn avail(&self, t: usize) -> Result<bool, TickError> {
        if let Some(w) = self.window_max {
            if t > w {
                return Err(TickError::PastWindow {
                    tick: t,
                    window_max: w,
                });
            }
            if t == w {
                return Ok(false);
            }
        }
        let a = self.start_index + t;
        let n = self.preempted.len();
        if a > n {
            return Err(TickError::PastTrace {
                tick: t,
                row: a,
                len: n,
            });
        }
        if a == n {
            return Ok(false);
        }
        Ok(!self.preempted[a])
    }

    /// The trace rows of the observations `t < len` that [`Prepared::avail`] answers with
    /// `!rows[t]`: from the start row up to the window's end or the trace's, whichever comes
    /// first (empty when the start lies past the trace). The observations from `len` on are
    /// `avail`'s to decide (unavailable at the end, an error past it).
    pub(crate) fn observable_rows(&self) -> &'a [bool] {
        let rows = self.preempted.get(self.start_index..).unwrap_or(&[]);
        match self.window_max {
            Some(w) => &rows[..w.min(rows.len())],
            None => rows,
        }
    }

    /// The $/h price of a spot interval starting at relative tick `t` (row `start + t + 1`).
    pub(crate) fn spot_price_at(&self, t: usize) -> Result<f64, TickError> {
        let row = self.start_index + t + 1;
        self.spot_price
            .at_row(row)
            .ok_or(TickError::PriceIndexOutOfRange {
                tick: t,
                row,
                len: self.spot_price.prices().len(),
            })
    }

    /// The reported numbers of an infeasible job (§2.5 check 1).
    fn infeasible_result(&self) -> TickResult {
        TickResult {
            cost: self.infeasible_cost,
            ref_ticks: 0,
            t_done: 0,
            completion_seconds: 0.0,
            billed_od_seconds: 0.0,
            billed_spot_seconds: 0.0,
            productive_od_seconds: 0.0,
            productive_spot_seconds: 0.0,
            start_index: self.start_index,
            window_max: self.window_max,
            infeasible: true,
            hist: Vec::new(),
            credits: Vec::new(),
            tick_costs: Vec::new(),
            deadline_exceeded: false,
            trace: None,
        }
    }
}

/// Runs one job through the tick clock under `policy` (spec §2–§10).
///
/// With `record`, the result carries one [`TickRecord`] per `DECIDE()`.
///
/// # Errors
///
/// Invalid parameters, a trace too short for the job (§2.5), a deadline exceeded (§4), an
/// observation past the window or the trace (§3), a spot interval priced past the end of the
/// per-tick series (§8).
pub fn simulate<P: TickPolicy + ?Sized>(
    input: &TickInput<'_>,
    policy: &mut P,
    record: bool,
) -> Result<TickResult, TickError> {
    let result = run_to_deadline(input, policy, record)?;
    if result.deadline_exceeded {
        return Err(TickError::DeadlineExceeded {
            tick: result.t_done,
            done_seconds: result.credits.iter().sum(),
            compute_seconds: input.compute_seconds,
        });
    }
    Ok(result)
}

/// [`simulate`], except that a job not done at the deadline is a result too
/// ([`TickResult::deadline_exceeded`]): what was held, billed and credited until that
/// observation, for a caller that reports a stopped job's cost and progress.
///
/// # Errors
///
/// As [`simulate`], except [`TickError::DeadlineExceeded`].
pub fn run_to_deadline<P: TickPolicy + ?Sized>(
    input: &TickInput<'_>,
    policy: &mut P,
    record: bool,
) -> Result<TickResult, TickError> {
    let mut result = TickResult::default();
    run_to_deadline_into(input, policy, record, &mut result)?;
    Ok(result)
}

/// [`run_to_deadline`] into `result`, whose per-tick vectors (`hist`, `credits`,
/// `tick_costs`) are cleared and refilled: a caller that runs window after window with the
/// same `result` allocates nothing once they are long enough. After an error `result` holds
/// no meaningful run.
///
/// # Errors
///
/// As [`run_to_deadline`].
pub fn run_to_deadline_into<P: TickPolicy + ?Sized>(
    input: &TickInput<'_>,
    policy: &mut P,
    record: bool,
    result: &mut TickResult,
) -> Result<(), TickError> {
    let mut hist = std::mem::take(&mut result.hist);
    let mut progress = std::mem::take(&mut result.credits);
    let mut tick_costs = std::mem::take(&mut result.tick_costs);
    hist.clear();
    progress.clear();
    tick_costs.clear();
    let p = Prepared::new(input)?;
    // §2.5 check 1: an infeasible job is reported, not simulated (check 2 ran in `new`).
    if p.infeasible {
        *result = TickResult {
            hist,
            credits: progress,
            tick_costs,
            ..p.infeasible_result()
        };
        return Ok(());
    }
    let (c, r, d, gap) = (p.c, p.r, p.d, p.gap);
    let ignore_safety_net = policy.ignore_safety_net();
    // The rows every observation before the window's end (or the trace's) reads: `avail(t)`
    // is `!rows[t]` below `rows.len()`, and `Prepared::avail` decides the rest.
    let rows = p.observable_rows();

    let mut t: usize = 0;
    let mut running = Instance::Idle;
    let mut done_sum = 0.0_f64;
    let mut oh = 0.0_f64;
    let mut trace = record.then(Vec::new);
    let is_done = |done_sum: f64| (c - done_sum).max(0.0) <= EPS;
    let mut deadline_exceeded = false;
    // Whether the job is done, as of the latest credit (tested once per observation).
    let mut done = is_done(done_sum);

    while !done {
        // --- DECIDE() (§5) ---
        let elapsed = t as f64 * gap;
        let has_spot = match rows.get(t) {
            Some(&preempted) => !preempted,
            None => p.avail(t)?,
        };
        let last = running;
        hist.push(last);
        if running == Instance::Spot && !has_spot {
            running = Instance::Idle;
        }
        let cur = running;
        let credit = if last == Instance::Idle {
            0.0
        } else {
            let mut x = (gap - oh).max(0.0);
            oh -= gap - x;
            if oh < EPS {
                oh = 0.0;
            }
            let rem = c - done_sum;
            x = x.min(rem);
            x
        };
        progress.push(credit);
        done_sum += credit;

        let view = PolicyView {
            tick: t,
            elapsed,
            done_sum,
            overhead_left: oh,
            has_spot,
            last,
            cur,
            compute: c,
            deadline: r,
            overhead: d,
            gap,
        };
        let proposal = policy.decide(&view);
        let mut req = if ignore_safety_net {
            proposal
        } else {
            strong_guarantee(proposal, last, elapsed, done_sum, oh, &p)
        };
        if req == Instance::Spot && !has_spot {
            req = spot_unavailable_override(elapsed, done_sum, &p);
        }
        if cur != req && req != Instance::Idle {
            oh = d;
        }
        // --- end of DECIDE() ---

        done = is_done(done_sum);
        if let Some(trace) = trace.as_mut() {
            trace.push(TickRecord {
                t,
                row: p.start_index + t,
                has_spot,
                last,
                cur,
                credit,
                done_sum,
                proposal,
                request: req,
                overhead_left: oh,
                done,
            });
        }
        if !done && elapsed >= r {
            deadline_exceeded = true;
            break;
        }
        running = if done { Instance::Idle } else { req };
        t += 1;
    }

    // The observation that ended the run: the one that saw the job done (the loop has moved
    // past it), or the deadline observation.
    let t_done = if deadline_exceeded {
        t
    } else {
        t.saturating_sub(1)
    };
    let mut cost = 0.0_f64;
    let (mut n_od, mut n_spot) = (0usize, 0usize);
    let (mut prod_od, mut prod_spot) = (0.0_f64, 0.0_f64);
    // Every held on-demand tick costs the same, and an idle one nothing (`0·gap/3600`).
    let on_demand_tick_usd = billing::tick_usd(p.od_price, gap);
    for (i, (&kind, &x)) in hist.iter().zip(&progress).enumerate() {
        let tick_cost = match kind {
            Instance::Spot => {
                n_spot += 1;
                prod_spot += x;
                // hist[i] ran in [i-1, i): billed at row start + (i-1) + 1.
                billing::tick_usd(p.spot_price_at(i - 1)?, gap)
            }
            Instance::OnDemand => {
                n_od += 1;
                prod_od += x;
                on_demand_tick_usd
            }
            Instance::Idle => 0.0,
        };
        tick_costs.push(tick_cost);
        cost += tick_cost;
    }
    *result = TickResult {
        cost,
        ref_ticks: t_done + 1,
        t_done,
        completion_seconds: t_done as f64 * gap,
        billed_od_seconds: gap * n_od as f64,
        billed_spot_seconds: gap * n_spot as f64,
        productive_od_seconds: prod_od,
        productive_spot_seconds: prod_spot,
        start_index: p.start_index,
        window_max: p.window_max,
        infeasible: false,
        hist,
        credits: progress,
        tick_costs,
        deadline_exceeded,
        trace,
    };
    Ok(())
}

/// `STRONG_GUARANTEE(prop, last)` (spec §6).
fn strong_guarantee(
    prop: Instance,
    last: Instance,
    elapsed: f64,
    done_sum: f64,
    oh: f64,
    p: &Prepared<'_>,
) -> Instance {
    let remaining_time = ((p.r - elapsed) / p.gap).floor() * p.gap;
    let rem = p.c - done_sum;
    if rem <= EPS {
        return prop;
    }
    let need1 = ((rem + p.d) / p.gap).ceil() * p.gap;
    if need1 >= remaining_time {
        if last == Instance::Spot && oh < EPS {
            return Instance::Spot;
        }
        return Instance::OnDemand;
    }
    prop
}

/// `SPOT_UNAVAILABLE_OVERRIDE()` (spec §7).
fn spot_unavailable_override(elapsed: f64, done_sum: f64, p: &Prepared<'_>) -> Instance {
    let remaining_time = ((p.r - elapsed) / p.gap).floor() * p.gap;
    let rem = p.c - done_sum;
    let need1 = ((rem + p.d) / p.gap).ceil() * p.gap;
    if need1 >= remaining_time && rem > EPS {
        Instance::OnDemand
    } else {
        Instance::Idle
    }
}

#[cfg(test)]
mod tests;
