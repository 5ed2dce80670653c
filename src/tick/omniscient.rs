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
//! grid (4,793 points for the V100 windows).
//!
//! ## Frontiers instead of a table
//!
//! A dense table of `ticks × 3 × loss points` (16 million cells for a V100 window) is mostly
//! wasted: at a tick and state, a loss that costs more than some smaller loss is *dominated* —
//! the smaller loss can make exactly the same moves afterwards, finishes no later and so pays
//! no more — and it can never be on a cheapest schedule. Keeping, per tick and state, only the
//! points `(ℓ, cost)` whose cost is below that of every smaller loss (about 240 per state and
//! tick for V100 instead of 4,793 loss points) leaves about one cell in twelve. Each frontier
//! is a list in increasing loss; the moves of a tick (hold on, idle `+gap`, launch `+λ` over `K`
//! ticks) shift a whole list, and the frontiers of the next tick are merges of shifted lists.
//!
//! The pruning is also bounded by cost: for a price `μ` per unit of progress, a backward pass
//! over ticks and states alone gives the least `cost − μ·progress` from every state, so the
//! cost still to come is at least that plus `μ` times the progress missing (`bound.rs`). The
//! best of a grid of prices, fine where the window's prices bend that bound, comes within a
//! fraction of a percent of the optimum (37.31 against 37.44 USD from the start of the first
//! bench window). A search under a bound `B` drops, at every tick, the states whose cost plus
//! that lower bound exceeds `B`; when it finds a schedule of cost `<= B`, every dropped state
//! was dearer than it and the result is the optimum. `B` is the cost of a schedule found first
//! by a narrow *beam* over the same frontiers (only the states whose cost plus lower bound is
//! within 0.003 % of the least of the same tick): any schedule's cost is at or above the
//! optimum, so one search under it is exact. Within the search, `B` falls to the cheapest
//! completion found so far. Should the beam find nothing, `B` starts 2 % above the root's lower
//! bound and grows, the last attempt unbounded. On the bench's ten V100 windows, both searches
//! together merge 361,000 points a window, where a grid of 24 even prices tested every fourth
//! tick, under a wider beam measured from the tick before, merged 1,246,000.
//!
//! ## The same optimum, to the bit, with the same schedule
//!
//! Costs are summed in the same order along every path as in a plain forward table, so a
//! state's cost is the same float. Dropping a state is safe when every schedule through it
//! costs more than the optimum *after rounding*: a dominated point is dropped only when it is
//! dearer by more than the rounding two sums of the same tick costs can accumulate
//! (`rounding_allowance`), and the cost bound carries a larger allowance for its own sums.
//! The beam's cost is such a sum along one schedule, and rounding is monotone, so the full
//! search's optimum — the least of those sums over every schedule — is never above it: the
//! bound it gives is safe as it is.
//! Several schedules often tie (constant spot prices); the one reported is the one a forward
//! table keeping the first-found best predecessor would report: the earliest completion, then
//! idle, spot, on-demand, then the smallest loss, and backwards from it, at every state, the
//! first move in the forward pass's order whose cost is exactly the state's. The frontiers of
//! every tick are kept for that walk (1.6 MB for a bench window); no predecessor is stored.
//!
//! The result is exact when `gap` and `λ` are exact multiples of `u` (integer seconds, or
//! decimals down to 1 µs); otherwise [`TickError::NoCommonGrid`].

mod bound;
mod frontier;

use super::{EPS, Instance, Prepared, TickError, TickInput, TickPolicy};
use crate::sagemaker::billing;
use bound::{Lagrangian, cost_ceiling, rounding_allowance};
use frontier::{Frontier, History, Moved, Point, cost_at, merge};

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
/// module documentation). With `with_schedule`, the schedule is rebuilt from every tick's
/// frontiers (a few MB for a V100 window) and the cost is billed from it in index order.
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

const PREEMPTED: usize = 3;

fn solve<const TRACK: bool>(p: &Prepared<'_>) -> Result<OmniscientResult, TickError> {
    let gap = p.gap;
    let problem = Problem::new(p)?;
    let c_need = problem.c_need;

    // Searches under a cost bound: a search whose best is within its bound is exact (module
    // documentation); otherwise the bound grows, and the last has none.
    let bounds = Lagrangian::new(&problem);
    let root = bounds.walk(0, IDLE, 0).bound(c_need);
    let mut history = History::default();
    let mut best = None;
    // A narrow first search finds some schedule cheaply: its cost is at or above the optimum,
    // so the search under it finds the optimum at once. Should it find none, the bound grows
    // from just above the lower bound.
    let ceiling = problem
        .search::<false>(&bounds, f64::INFINITY, BEAM * root, &mut history)
        .map(|(cost, ..)| cost);
    for bound in ceiling.into_iter().chain(BOUND_FACTORS.map(|f| f * root)) {
        best = problem.search::<TRACK>(&bounds, bound, f64::INFINITY, &mut history);
        if best.is_some_and(|(cost, ..)| cost <= bound) {
            break;
        }
    }
    let Some((dp_cost, t_done, state, l_done)) = best else {
        return Err(TickError::NoFeasibleSchedule);
    };
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
        let schedule = problem.rebuild(&history, (t_done, state, l_done, dp_cost));
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

/// The cost bounds tried, as multiples of the lower bound of the whole job (the last: no
/// bound). On V100 windows the optimum is within 2 % of that bound for most windows, within 5 %
/// for all but a few.
const BOUND_FACTORS: [f64; 3] = [1.02, 1.05, f64::INFINITY];

/// The width of the first search's beam, as a multiple of the lower bound of the whole job: it
/// keeps only the states whose least total cost (cost so far plus the lower bound of the cost to
/// come) is within this of the least of the same tick. Measured on 40 windows each of two V100
/// zones and the Weibull GPU market, widths from 0 to 10⁻⁴ differ by less than the noise, and
/// 10⁻³ is slower; measured from the tick before instead, a narrow beam lost every state on
/// some Weibull windows and the search fell back to guessed bounds (1.4 times slower there).
const BEAM: f64 = 0.00003;

/// The points of every tick's frontiers reserved for the history: a V100 window keeps 90–190
/// per tick (all states together), a Weibull GPU window fewer; a window that keeps more makes
/// the arena grow as usual. Reserving 128 measured 5 % slower on us-east-1a windows.
const HISTORY_POINTS_PER_TICK: usize = 512;

/// The numbers of one window's search, on the loss grid.
struct Problem {
    /// Ticks of a launch, `K`.
    k: usize,
    /// A tick's progress `G` and a launch's loss `Λ`, in grid units.
    g: usize,
    lam: usize,
    /// Progress needed, grid units.
    c_need: usize,
    /// Loss points `0..width`; observations `0..=t_end` with `t_end = avail.len() - 1`.
    width: usize,
    /// The dominance test's allowance for rounding: two sums of the same tick costs, in the
    /// same order, differ by less after rounding than before ([`rounding_allowance`]).
    slack: f64,
    avail: Vec<bool>,
    /// Cost of holding spot over `[t, t+1)`, when spot is available at `t`.
    spot_cost: Vec<Option<f64>>,
    /// Cost of a spot launch at `t` (its `K` ticks), when spot stays available for them.
    spot_launch: Vec<Option<f64>>,
    od_tick: f64,
    od_launch: f64,
}

impl Problem {
    /// The numbers of the window of `p` on its loss grid.
    fn new(p: &Prepared<'_>) -> Result<Self, TickError> {
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
        let spot_launch: Vec<Option<f64>> = (0..=t_end)
            .map(|t| {
                if t + k > t_end {
                    return None;
                }
                let mut sum = 0.0;
                for c in &spot_cost[t..t + k] {
                    sum += (*c)?;
                }
                Some(sum)
            })
            .collect();
        Ok(Problem {
            k,
            g,
            lam,
            c_need,
            width,
            slack: rounding_allowance(cost_ceiling(&spot_cost[..t_end], od_tick), t_end),
            avail,
            spot_cost,
            spot_launch,
            od_tick,
            od_launch,
        })
    }

    fn t_end(&self) -> usize {
        self.avail.len() - 1
    }

    /// The forward pass under `bound`: states whose cost plus the least cost still to come
    /// exceeds it, or the cheapest completion found so far, are dropped. With a finite `beam`,
    /// a heuristic pass: at every tick, the states whose cost plus that lower bound exceeds the
    /// least of the same tick by more than `beam` are dropped too (the result is then the cost
    /// of some schedule, not necessarily the least). Returns the best `(cost, t, state, loss)`
    /// found, and with `TRACK` leaves every tick's frontiers in `history`.
    #[allow(clippy::too_many_lines)]
    fn search<const TRACK: bool>(
        &self,
        bounds: &Lagrangian,
        bound: f64,
        beam: f64,
        history: &mut History,
    ) -> Option<(f64, usize, usize, usize)> {
        let Self {
            k,
            g,
            lam,
            c_need,
            width,
            slack,
            ..
        } = *self;
        let t_end = self.t_end();
        history.points.clear();
        history.ranges.clear();
        if TRACK {
            // Reserved at once, so that the arena is not copied each time it outgrows itself.
            history
                .points
                .reserve((t_end + 1) * HISTORY_POINTS_PER_TICK);
        }

        // `now`: the frontiers of tick t; `launch_sources[τ % (k + 1)]`: where the launches at
        // τ start from, for spot and for on-demand.
        let mut now: [Frontier; 3] = Default::default();
        let mut next: [Frontier; 3] = Default::default();
        let mut launch_sources: Vec<[Frontier; 2]> = (0..=k).map(|_| Default::default()).collect();
        let (mut scratch, mut preempted) = (Frontier::default(), Frontier::default());
        now[IDLE].set_single(Point { loss: 0, cost: 0.0 });

        let mut best = (f64::INFINITY, 0usize, 0usize, 0usize);
        // Per state, the best price of the first point of its frontier at the tick before, where
        // the walk up the price grid starts (it moves little from tick to tick).
        let mut hints = [0; 3];
        for t in 0..=t_end {
            // Preemption at the tick boundary: a spot held at t-1 is gone.
            if !self.avail[t] && !now[SPOT].is_empty() {
                std::mem::swap(&mut preempted, &mut now[SPOT]);
                now[SPOT].clear();
                std::mem::swap(&mut scratch, &mut now[IDLE]);
                merge(
                    Moved::new(scratch.points(), 0, 0.0),
                    Moved::new(preempted.points(), 0, 0.0),
                    &mut now[IDLE],
                    slack,
                );
            } else {
                preempted.clear();
            }

            // Done at this observation: progress t·G − ℓ >= c_need. The states left go on if
            // the bound allows: no schedule through them may cost less than `bound`, nor than the
            // cheapest completion so far (a schedule that exists, so the optimum is no dearer).
            let done_hi = (t * g).checked_sub(c_need);
            let done_at =
                |points: &[Point]| done_hi.map_or(0, |hi| points.partition_point(|p| p.loss <= hi));
            let ahead = c_need - (t * g).min(c_need);
            let behind = (t * g).saturating_sub(c_need);
            // The beam keeps the states within `beam` of the least bound of this tick.
            let mut floor = f64::INFINITY;
            if beam.is_finite() {
                for (s, points) in now.iter().enumerate() {
                    let points = points.points();
                    let mut walk = bounds.walk(t, s, hints[s]);
                    for q in &points[done_at(points)..] {
                        floor = floor.min(q.cost + walk.bound(q.loss + ahead - behind));
                    }
                }
            }
            for (s, points) in now.iter_mut().enumerate() {
                let done = done_at(points.points());
                for q in &points.points()[..done] {
                    if q.cost < best.0 {
                        best = (q.cost, t, s, q.loss);
                    }
                }
                let mut walk = bounds.walk(t, s, hints[s]);
                let limit = bound.min(best.0).min(floor + beam) + slack + bounds.slack;
                points.drop_front(done);
                if limit.is_finite() {
                    points.retain(|q| q.cost + walk.bound(q.loss + ahead - behind) <= limit);
                }
                hints[s] = walk.start;
            }
            let [idle, spot, od] = [now[IDLE].points(), now[SPOT].points(), now[OD].points()];
            if TRACK {
                let mut ranges = [(0, 0); 4];
                for (range, points) in ranges.iter_mut().zip([idle, spot, od, preempted.points()]) {
                    let start = history.points.len();
                    history.points.extend_from_slice(points);
                    *range = (start, history.points.len());
                }
                history.ranges.push(ranges);
            }
            if t == t_end {
                break;
            }

            // What a launch at t starts from: the cheaper of idle and the other warm type.
            {
                let [to_spot, to_od] = &mut launch_sources[t % (k + 1)];
                merge(
                    Moved::new(idle, 0, 0.0),
                    Moved::new(spot, 0, 0.0),
                    to_od,
                    slack,
                );
                to_spot.clear();
                if self.spot_launch[t].is_some() {
                    merge(
                        Moved::new(idle, 0, 0.0),
                        Moved::new(od, 0, 0.0),
                        to_spot,
                        slack,
                    );
                }
            }

            // Into t+1: an idle tick from any state (idle or spot, then on-demand), spot and
            // on-demand held on, and the launches of t+1−K (K ticks, loss +Λ) arriving.
            let [_, idle_or_spot] = &launch_sources[t % (k + 1)];
            merge(
                Moved::new(idle_or_spot.points(), g, 0.0).within(width),
                Moved::new(od, g, 0.0).within(width),
                &mut next[IDLE],
                slack,
            );
            let (spot_launches, od_launches) = match (t + 1).checked_sub(k) {
                Some(from) => {
                    let [to_spot, to_od] = &launch_sources[from % (k + 1)];
                    let spot_launch = self.spot_launch[from].unwrap_or(0.0);
                    (
                        Moved::new(to_spot.points(), lam, spot_launch).within(width),
                        Moved::new(to_od.points(), lam, self.od_launch).within(width),
                    )
                }
                None => (Moved::new(&[], 0, 0.0), Moved::new(&[], 0, 0.0)),
            };
            let spot_continues = self.spot_cost[t].map_or(&[][..], |_| spot);
            merge(
                Moved::new(spot_continues, 0, self.spot_cost[t].unwrap_or(0.0)),
                spot_launches,
                &mut next[SPOT],
                slack,
            );
            merge(
                Moved::new(od, 0, self.od_tick),
                od_launches,
                &mut next[OD],
                slack,
            );
            std::mem::swap(&mut now, &mut next);
        }
        best.0.is_finite().then_some(best)
    }

    /// The schedule ending at `(t, state, loss)` with `cost`, walked backwards: at every state
    /// the predecessor is the first move, in the order the forward pass applies them, whose
    /// cost is exactly the state's, so that ties resolve as a forward pass keeping the first
    /// best would.
    fn rebuild(
        &self,
        history: &History,
        (t_done, state, l_done, cost_done): (usize, usize, usize, f64),
    ) -> Vec<Instance> {
        let Self { k, g, lam, .. } = *self;
        let kind = |s: usize| match s {
            SPOT => Instance::Spot,
            OD => Instance::OnDemand,
            _ => Instance::Idle,
        };
        let mut schedule = vec![Instance::Idle; t_done];
        let (mut t, mut s, mut l, mut cost) = (t_done, state, l_done, cost_done);
        while !(t == 0 && s == IDLE && l == 0) {
            if s == IDLE {
                // An idle tick from the best of idle, spot, on-demand (ties to the earlier).
                if t >= 1 && l >= g {
                    let at = |w: usize| cost_at(history.get(t - 1, w), l - g);
                    let (i, sp, o) = (at(IDLE), at(SPOT), at(OD));
                    let (v, from) = if sp < i { (sp, SPOT) } else { (i, IDLE) };
                    let (v, from) = if o < v { (o, OD) } else { (v, from) };
                    if v == cost {
                        (t, s, l) = (t - 1, from, l - g);
                        continue;
                    }
                }
                // Otherwise the spot held into t was preempted at t.
                let sp = cost_at(history.get(t, PREEMPTED), l);
                assert!(
                    !self.avail[t] && sp == cost,
                    "omniscient: broken predecessor chain"
                );
                s = SPOT;
                continue;
            }
            let (other, step, launch) = if s == SPOT {
                (
                    OD,
                    self.spot_cost[t - 1],
                    t.checked_sub(k).and_then(|from| self.spot_launch[from]),
                )
            } else {
                (SPOT, Some(self.od_tick), Some(self.od_launch))
            };
            // A launch at t−K from idle or from the other warm type (ties to idle).
            let launch_from = |cost: f64| -> Option<usize> {
                let (from, c, l0) = (t.checked_sub(k)?, launch?, l.checked_sub(lam)?);
                let i = cost_at(history.get(from, IDLE), l0);
                let o = cost_at(history.get(from, other), l0);
                let (v, prev) = if o < i { (o, other) } else { (i, IDLE) };
                (v + c == cost).then_some(prev)
            };
            // The forward pass applies a launch (from t−K) before a continuation (from t−1),
            // except when K = 1: both come from t−1 and the continuation goes first.
            let continued = step
                .map(|c| cost_at(history.get(t - 1, s), l) + c == cost)
                .unwrap_or(false);
            let launched = if k > 1 || !continued {
                launch_from(cost)
            } else {
                None
            };
            if let Some(prev) = launched {
                schedule[t - k..t].fill(kind(s));
                cost = cost_at(history.get(t - k, prev), l - lam);
                (t, s, l) = (t - k, prev, l - lam);
            } else {
                assert!(continued, "omniscient: broken predecessor chain");
                schedule[t - 1] = kind(s);
                cost = cost_at(history.get(t - 1, s), l);
                t -= 1;
            }
        }
        schedule
    }
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
mod tests;
