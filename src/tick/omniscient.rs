//! The omniscient schedule: minimum cost knowing the whole trace, under the tick rules.
//!
//! The paper ("Can't Be Late", NSDI 2024, §3) solves an ILP; this module solves the same
//! problem exactly by dynamic programming, under the rules of the tick simulator
//! ([`super::simulate`]):
//!
//! * one request per observed tick `t` for the interval `[t, t+1)`: idle, spot (only when
//!   `avail(t)`) or on-demand; a spot held at `t-1` is lost when `avail(t)` is false;
//! * every change to a non-idle type sets the overhead to `d`, consumed over ticks exactly as in
//!   spec §5 step 4 (a 720 s overhead on 195 s ticks credits 0, 0, 0, 60 s);
//! * per-tick billing with the +1 price-index offset (§8);
//! * the job must be done at the first observation `t` with `t·gap >= R` (§4), within the
//!   window and the trace (§3). The safety nets of §6/§7 are *not* imposed: they are part of
//!   the online policies, not of the problem.
//!
//! ## State space
//!
//! The overhead of a fresh launch credits nothing until the tick `K` at which it runs out, which
//! credits `c_K`; afterwards every tick credits `gap`. A run that stops before its `K`-th tick
//! has made no progress and costs money, so idling instead is never worse: an optimal schedule
//! launches only runs of at least `K` ticks. A launch is therefore one macro step of `K`
//! ticks that loses `λ = K·gap − c_K` seconds of progress (`λ = d` when `d` is not consumed
//! by the `EPS` rounding), and between observations only three states remain: idle, warm spot,
//! warm on-demand. Instead of progress the state tracks the *loss*
//! `ℓ = t·gap − progress`, a non-negative combination of `gap` (idle ticks) and `λ`
//! (launches), on the grid `u = gcd(gap, λ)` (15 s for `gap = 195 s`, `d = 720 s`). A loss
//! above `T·gap − C` (with `T` the last allowed observation) can never finish, which bounds the
//! grid (4,793 points for the V100 windows). The table is `ticks × 3 × loss points`, filled
//! forward with a ring of `K + 1` layers; with `track` a byte per cell records the best
//! predecessor so that the schedule can be rebuilt.
//!
//! The result is exact when `gap` and `λ` are exact multiples of `u` (integer seconds, or
//! decimals down to 1 µs); otherwise [`TickError::NoCommonGrid`].

use super::{EPS, Instance, Prepared, TickError, TickInput, TickPolicy};
use crate::sagemaker::billing;

/// The minimum-cost schedule and its numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct OmniscientResult {
    /// Minimum cost, USD. With a schedule, billed in index order exactly as the simulator would
    /// bill it; without, the dynamic-programming sum (equal up to f64 rounding, ~1e-12).
    pub cost: f64,
    /// The tick at which completion is observed, `T_done`.
    pub t_done: usize,
    /// Reference tick count `T_done + 1` (0 for an infeasible job).
    pub ref_ticks: usize,
    /// Completion time `T_done·gap`, seconds after the job start.
    pub completion_seconds: f64,
    /// Absolute trace row of relative tick 0.
    pub start_index: usize,
    /// The job failed the §2.5 feasibility pre-check (cost `P_od·(C + d)`, zero ticks).
    pub infeasible: bool,
    /// The request per relative tick `0..T_done`, when asked for. Replaying it with
    /// [`super::policies::Scripted`] through [`super::simulate`] reproduces `cost`.
    pub schedule: Option<Vec<Instance>>,
}

const IDLE: usize = 0;
const SPOT: usize = 1;
const OD: usize = 2;

// Predecessor tags (tracked mode).
const TAG_ORIGIN: u8 = 1;
const TAG_PREEMPTED: u8 = 2;
const TAG_CONTINUE: u8 = 3;
const TAG_LAUNCH_FROM_IDLE: u8 = 4;
const TAG_LAUNCH_FROM_OTHER: u8 = 5;
/// `TAG_IDLE_FROM + s`: idle tick from state `s` (idle, warm spot or warm on-demand).
const TAG_IDLE_FROM: u8 = 6;

/// Ticks `K` until a fresh launch is warm, and the credit `c_K` of that tick (spec §5 step 4).
fn launch_profile(d: f64, gap: f64) -> (usize, f64) {
    let mut oh = d;
    let mut k = 0;
    loop {
        k += 1;
        let x = (gap - oh).max(0.0);
        oh -= gap - x;
        if oh < EPS {
            return (k, x);
        }
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `(G, Λ, unit)`: gap and launch loss in grid units, and the unit in seconds.
fn common_grid(gap: f64, loss: f64) -> Result<(usize, usize, f64), TickError> {
    let mut scale = 1.0_f64;
    for _ in 0..=6 {
        let (g, l) = (gap * scale, loss * scale);
        let near = |x: f64| (x - x.round()).abs() <= 1e-9 * x.abs().max(1.0);
        if g < 1e15 && near(g) && near(l) {
            let (g, l) = (g.round() as u64, l.round() as u64);
            let u = gcd(g, l);
            return Ok(((g / u) as usize, (l / u) as usize, u as f64 / scale));
        }
        scale *= 10.0;
    }
    Err(TickError::NoCommonGrid { gap, loss })
}

/// The minimum-cost schedule of the job on this window, knowing the whole trace (see the
/// module documentation). With `with_schedule`, the schedule is rebuilt (one byte per table
/// cell, ~16 MB for a V100 window) and the cost is billed from it in index order.
///
/// # Errors
///
/// The simulator's input errors ([`TickError::InvalidInput`], [`TickError::TraceTooShort`]),
/// [`TickError::NoFeasibleSchedule`] when nothing finishes by the deadline, and
/// [`TickError::NoCommonGrid`] for a tick length and overhead without an exact common grid.
pub fn omniscient(
    input: &TickInput<'_>,
    with_schedule: bool,
) -> Result<OmniscientResult, TickError> {
    let p = Prepared::new(input)?;
    if p.infeasible {
        return Ok(OmniscientResult {
            cost: p.infeasible_cost,
            t_done: 0,
            ref_ticks: 0,
            completion_seconds: 0.0,
            start_index: p.start_index,
            infeasible: true,
            schedule: None,
        });
    }
    if with_schedule {
        solve::<true>(&p)
    } else {
        solve::<false>(&p)
    }
}

#[inline]
fn relax(dst: &mut [f64], src: &[f64], add: f64) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = d.min(*s + add);
    }
}

#[inline]
fn relax2(dst: &mut [f64], a: &[f64], b: &[f64], add: f64) {
    for ((d, x), y) in dst.iter_mut().zip(a).zip(b) {
        *d = d.min(x.min(*y) + add);
    }
}

#[inline]
fn relax3(dst: &mut [f64], a: &[f64], b: &[f64], c: &[f64]) {
    for (((d, x), y), z) in dst.iter_mut().zip(a).zip(b).zip(c) {
        *d = d.min(x.min(*y).min(*z));
    }
}

/// The least value of `values` (∞ when empty), over four independent lanes so that it
/// vectorises.
#[inline]
fn minimum(values: &[f64]) -> f64 {
    let mut lanes = [f64::INFINITY; 4];
    let mut chunks = values.chunks_exact(4);
    for chunk in &mut chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane = lesser(*lane, *v);
        }
    }
    let tail = chunks
        .remainder()
        .iter()
        .fold(f64::INFINITY, |m, v| lesser(m, *v));
    lesser(
        lesser(lesser(lanes[0], lanes[1]), lesser(lanes[2], lanes[3])),
        tail,
    )
}

/// `min` for values that are never NaN, branch-free.
#[inline(always)]
fn lesser(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// [`relax`] recording `tag` where a cell improves (branch-free, so that it vectorises).
#[inline]
fn relax_tracked(dst: &mut [f64], dst_tags: &mut [u8], src: &[f64], add: f64, tag: u8) {
    for ((d, g), s) in dst.iter_mut().zip(dst_tags.iter_mut()).zip(src) {
        let v = *s + add;
        let better = v < *d;
        *d = if better { v } else { *d };
        *g = if better { tag } else { *g };
    }
}

/// An idle tick from the best of idle, warm spot and warm on-demand (ties to the earlier
/// state), recording which.
#[inline]
fn relax_idle_tracked(dst: &mut [f64], dst_tags: &mut [u8], from: [&[f64]; 3]) {
    let [idle, spot, od] = from;
    let sources = idle.iter().zip(spot).zip(od);
    for ((d, g), ((i, s), o)) in dst.iter_mut().zip(dst_tags.iter_mut()).zip(sources) {
        let spot_better = *s < *i;
        let v = if spot_better { *s } else { *i };
        let tag = if spot_better { SPOT as u8 } else { IDLE as u8 };
        let od_better = *o < v;
        let v = if od_better { *o } else { v };
        let tag = TAG_IDLE_FROM + if od_better { OD as u8 } else { tag };
        let better = v < *d;
        *d = if better { v } else { *d };
        *g = if better { tag } else { *g };
    }
}

/// A launch from idle or from the other warm type (ties to idle), recording which.
#[inline]
fn relax_launch_tracked(
    dst: &mut [f64],
    dst_tags: &mut [u8],
    idle: &[f64],
    other: &[f64],
    add: f64,
) {
    let sources = idle.iter().zip(other);
    for ((d, g), (i, o)) in dst.iter_mut().zip(dst_tags.iter_mut()).zip(sources) {
        let from_other = *o < *i;
        let v = if from_other { *o } else { *i } + add;
        let tag = if from_other {
            TAG_LAUNCH_FROM_OTHER
        } else {
            TAG_LAUNCH_FROM_IDLE
        };
        let better = v < *d;
        *d = if better { v } else { *d };
        *g = if better { tag } else { *g };
    }
}

#[allow(clippy::too_many_lines)]
fn solve<const TRACK: bool>(p: &Prepared<'_>) -> Result<OmniscientResult, TickError> {
    let gap = p.gap;
    let (k, c_k) = launch_profile(p.d, gap);
    let loss = k as f64 * gap - c_k;
    let (g, lam, unit) = common_grid(gap, loss)?;

    // Progress units needed: the least n with C - n·unit <= EPS (the simulator's done test).
    let mut c_need = ((p.c - EPS) / unit).ceil().max(0.0) as usize;
    while c_need > 0 && p.c - (c_need - 1) as f64 * unit <= EPS {
        c_need -= 1;
    }
    while p.c - c_need as f64 * unit > EPS {
        c_need += 1;
    }

    // The last allowed observation: the first t with t·gap >= R (§4), within window and trace.
    let mut t_last = (p.r / gap).ceil().max(0.0) as usize;
    while t_last > 0 && (t_last - 1) as f64 * gap >= p.r {
        t_last -= 1;
    }
    while (t_last as f64 * gap) < p.r {
        t_last += 1;
    }
    let mut t_end = t_last.min(p.preempted.len() - p.start_index.min(p.preempted.len()));
    if let Some(w) = p.window_max {
        t_end = t_end.min(w);
    }
    if t_end * g < c_need {
        return Err(TickError::NoFeasibleSchedule);
    }
    let width = t_end * g - c_need + 1; // loss points 0..width

    // Per-tick data for the observations 0..t_end.
    let mut avail = Vec::with_capacity(t_end + 1);
    let mut spot_cost: Vec<Option<f64>> = Vec::with_capacity(t_end + 1);
    for t in 0..=t_end {
        let a = p.avail(t)?;
        avail.push(a);
        let price = p.spot_price.at_row(p.start_index + t + 1);
        spot_cost.push(if a && t < t_end {
            price.map(|c| billing::tick_usd(c, gap))
        } else {
            None
        });
    }
    let od_tick = billing::tick_usd(p.od_price, gap);
    let mut od_launch = 0.0;
    for _ in 0..k {
        od_launch += od_tick;
    }
    let spot_launch = |t: usize| -> Option<f64> {
        if t + k > t_end {
            return None;
        }
        let mut sum = 0.0;
        for c in &spot_cost[t..t + k] {
            sum += (*c)?;
        }
        Some(sum)
    };

    let slots = k + 1;
    let mut ring: Vec<[Vec<f64>; 3]> = (0..slots)
        .map(|_| std::array::from_fn(|_| vec![f64::INFINITY; width]))
        .collect();
    let mut tags: Vec<u8> = if TRACK {
        vec![0; (t_end + 1) * 3 * width]
    } else {
        Vec::new()
    };
    let tag_at = |t: usize, s: usize, l: usize| (t * 3 + s) * width + l;
    ring[0][IDLE][0] = 0.0;
    if TRACK {
        tags[tag_at(0, IDLE, 0)] = TAG_ORIGIN;
    }

    let mut best = (f64::INFINITY, 0usize, 0usize, 0usize); // (cost, t, state, loss)
    for t in 0..=t_end {
        let slot = t % slots;
        let mut cur = std::mem::take(&mut ring[slot]);
        let hi = (t * g).min(width - 1);

        // Preemption at the tick boundary: a spot held at t-1 is gone.
        if !avail[t] {
            let [idle, spot, _] = &mut cur;
            if TRACK {
                let row = tag_at(t, IDLE, 0);
                relax_tracked(
                    &mut idle[..=hi],
                    &mut tags[row..=row + hi],
                    &spot[..=hi],
                    0.0,
                    TAG_PREEMPTED,
                );
            } else {
                relax(&mut idle[..=hi], &spot[..=hi], 0.0);
            }
            spot[..=hi].fill(f64::INFINITY);
        }

        // Done at this observation: progress t·G − ℓ >= c_need.
        let mut lo = 0;
        if t * g >= c_need {
            let done_hi = (t * g - c_need).min(hi);
            for (s, row) in cur.iter_mut().enumerate() {
                let done = &mut row[..=done_hi];
                let least = minimum(done);
                if least < best.0 {
                    let l = done.iter().position(|&v| v == least).unwrap_or(0);
                    best = (least, t, s, l);
                }
                done.fill(f64::INFINITY);
            }
            lo = done_hi + 1;
        }

        if t < t_end && lo <= hi {
            // One-tick moves into t+1: idle, continue spot, continue on-demand.
            let next = &mut ring[(t + 1) % slots];
            let idle_hi = hi.min((width - 1).saturating_sub(g));
            if lo + g < width && lo <= idle_hi {
                if TRACK {
                    let row = tag_at(t + 1, IDLE, 0);
                    relax_idle_tracked(
                        &mut next[IDLE][lo + g..=idle_hi + g],
                        &mut tags[row + lo + g..=row + idle_hi + g],
                        [
                            &cur[IDLE][lo..=idle_hi],
                            &cur[SPOT][lo..=idle_hi],
                            &cur[OD][lo..=idle_hi],
                        ],
                    );
                } else {
                    let [idle, spot, od] = &cur;
                    relax3(
                        &mut next[IDLE][lo + g..=idle_hi + g],
                        &idle[lo..=idle_hi],
                        &spot[lo..=idle_hi],
                        &od[lo..=idle_hi],
                    );
                }
            }
            let mut moves = [(OD, od_tick)].to_vec();
            if let Some(c) = spot_cost[t] {
                moves.push((SPOT, c));
            }
            for (s, c) in moves {
                if TRACK {
                    let row = tag_at(t + 1, s, 0);
                    relax_tracked(
                        &mut next[s][lo..=hi],
                        &mut tags[row + lo..=row + hi],
                        &cur[s][lo..=hi],
                        c,
                        TAG_CONTINUE,
                    );
                } else {
                    relax(&mut next[s][lo..=hi], &cur[s][lo..=hi], c);
                }
            }

            // Launches: K ticks into t+K, loss +Λ.
            let launch_hi = hi.min((width - 1).saturating_sub(lam));
            if t + k <= t_end && lo + lam < width && lo <= launch_hi {
                let target = &mut ring[(t + k) % slots];
                let mut launches = vec![(OD, SPOT, od_launch)];
                if let Some(c) = spot_launch(t) {
                    launches.push((SPOT, OD, c));
                }
                for (s, other, c) in launches {
                    if TRACK {
                        let row = tag_at(t + k, s, 0);
                        relax_launch_tracked(
                            &mut target[s][lo + lam..=launch_hi + lam],
                            &mut tags[row + lo + lam..=row + launch_hi + lam],
                            &cur[IDLE][lo..=launch_hi],
                            &cur[other][lo..=launch_hi],
                            c,
                        );
                    } else {
                        relax2(
                            &mut target[s][lo + lam..=launch_hi + lam],
                            &cur[IDLE][lo..=launch_hi],
                            &cur[other][lo..=launch_hi],
                            c,
                        );
                    }
                }
            }
        }

        for row in &mut cur {
            row[..=hi].fill(f64::INFINITY);
        }
        ring[slot] = cur;
    }

    let (dp_cost, t_done, state, l_done) = best;
    if !dp_cost.is_finite() {
        return Err(TickError::NoFeasibleSchedule);
    }
    let mut result = OmniscientResult {
        cost: dp_cost,
        t_done,
        ref_ticks: t_done + 1,
        completion_seconds: t_done as f64 * gap,
        start_index: p.start_index,
        infeasible: false,
        schedule: None,
    };
    if TRACK {
        let kind = |s: usize| match s {
            SPOT => Instance::Spot,
            OD => Instance::OnDemand,
            _ => Instance::Idle,
        };
        let mut schedule = vec![Instance::Idle; t_done];
        let (mut t, mut s, mut l) = (t_done, state, l_done);
        loop {
            match tags[tag_at(t, s, l)] {
                TAG_ORIGIN => break,
                tag @ TAG_IDLE_FROM.. => {
                    t -= 1;
                    l -= g;
                    s = usize::from(tag - TAG_IDLE_FROM);
                }
                TAG_PREEMPTED => s = SPOT,
                TAG_CONTINUE => {
                    t -= 1;
                    schedule[t] = kind(s);
                }
                tag @ (TAG_LAUNCH_FROM_IDLE | TAG_LAUNCH_FROM_OTHER) => {
                    schedule[t - k..t].fill(kind(s));
                    t -= k;
                    l -= lam;
                    s = if tag == TAG_LAUNCH_FROM_IDLE {
                        IDLE
                    } else if s == SPOT {
                        OD
                    } else {
                        SPOT
                    };
                }
                _ => unreachable!("omniscient: broken predecessor chain"),
            }
        }
        // Bill the schedule as the simulator does: interval [i, i+1) in index order.
        let mut cost = 0.0;
        for (i, kind) in schedule.iter().enumerate() {
            let price = match kind {
                Instance::Spot => p.spot_price_at(i)?,
                Instance::OnDemand => p.od_price,
                Instance::Idle => 0.0,
            };
            cost += billing::tick_usd(price, gap);
        }
        result.cost = cost;
        result.schedule = Some(schedule);
    }
    Ok(result)
}

/// The omniscient lower bound as a tick policy (`omniscient`): it plans the minimum-cost
/// schedule of the whole window ([`omniscient()`]) before the run, then replays it through the
/// simulator like [`super::policies::Scripted`], which bills exactly the omniscient cost and
/// gives the per-tick record a stop needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Omniscient {
    /// The planned schedule, replayed.
    replay: super::policies::Scripted,
}

impl TickPolicy for Omniscient {
    fn name(&self) -> &'static str {
        "omniscient"
    }

    fn decide(&mut self, view: &super::PolicyView) -> Instance {
        self.replay.decide(view)
    }

    /// The schedule is executed as planned (the spot-unavailable override still applies).
    fn ignore_safety_net(&self) -> bool {
        true
    }

    fn prepare(&mut self, input: &TickInput<'_>) -> Result<(), TickError> {
        self.replay.schedule = omniscient(input, true)?.schedule.unwrap_or_default();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_profile_matches_the_spec() {
        // 720 s on 195 s ticks: 0, 0, 0, 60 (spec §5 notes).
        assert_eq!(launch_profile(720.0, 195.0), (4, 60.0));
        // 720 s on 600 s ticks: 0, 480 (spec §13).
        assert_eq!(launch_profile(720.0, 600.0), (2, 480.0));
        assert_eq!(launch_profile(0.0, 600.0), (1, 600.0));
        // An exact multiple warms up on the tick that consumes the last of it.
        assert_eq!(launch_profile(1200.0, 600.0), (2, 0.0));
    }

    #[test]
    fn common_grid_is_the_gcd() {
        assert_eq!(common_grid(195.0, 720.0).unwrap(), (13, 48, 15.0));
        assert_eq!(common_grid(600.0, 0.0).unwrap(), (1, 0, 600.0));
        let (g, l, u) = common_grid(0.5, 0.2).unwrap();
        assert_eq!((g, l), (5, 2));
        assert!((u - 0.1).abs() < 1e-12);
        assert!(matches!(
            common_grid(195.0, std::f64::consts::PI),
            Err(TickError::NoCommonGrid { .. })
        ));
    }
}
