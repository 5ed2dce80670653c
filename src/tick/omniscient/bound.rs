//! The omniscient search's lower bound of the cost still to come (see [`super`]), and the
//! allowances for rounding that keep its pruning exact.

use super::{IDLE, OD, Problem, SPOT};

/// Lower bounds of the cost still to come, by Lagrangian relaxation of the progress the job
/// still needs. For a price `μ` per unit of progress, `h_μ(t, s)` is the least of
/// `cost − μ·progress` over every course from state `s` at tick `t` (stopping anywhere, the
/// deadline kept), a backward pass over ticks and states only. Whatever finishes the job from
/// `(t, s)` with `n` units missing makes at least `n` units, so it costs at least
/// `h_μ(t, s) + μ·n`, for every `μ >= 0`; the bound is the best of a grid of prices.
pub(super) struct Lagrangian {
    /// The prices `μ`, USD per grid unit of progress, increasing, and a last entry of no
    /// meaning that pairs with each state's stop.
    prices: Vec<f64>,
    /// `h[((t_end − t)·3 + s)·prices.len() + j]` = `h_{prices[j]}(t, s)`, and −∞ for the last
    /// `j`: a stop that no walk up the grid passes.
    h: Vec<f64>,
    /// The last observation.
    t_end: usize,
    /// An allowance for the rounding of `h` and of a bound, USD.
    pub(super) slack: f64,
}

/// The price grid, as multiples of on-demand's price per unit of progress `ρ`, increasing.
///
/// The bound of a state is the best over the grid of a function concave in the price, whose
/// kinks sit where running pays: at a price level `p` of spot or on-demand, and above it at
/// `p·N·G/(N·G − Λ)` for runs of `N` ticks that pay for a launch. So the grid is fine (steps of
/// [`FINE_STEP`]) from the cheapest spot price to [`FINE_SPAN`] times the dearest and from
/// on-demand to [`FINE_SPAN`] times it, and coarse elsewhere up to twice on-demand. On the
/// bench's V100 windows, a grid fine around those prices let about half the points through
/// that 24 even steps (0.05ρ, and 1.25ρ to 2ρ) did: 663,000 merged a window against 1,246,000,
/// both tested every fourth tick; a uniform grid of 1,001 prices did no better.
pub(super) fn price_multiples(spot_cost: &[Option<f64>], od_tick: f64) -> Vec<f64> {
    let mut multiples: Vec<f64> = (0..=COARSE_STEPS)
        .map(|i| i as f64 * COARSE_TOP / COARSE_STEPS as f64)
        .collect();
    // Within the coarse grid's range, and from a hundredth of on-demand's price up: at most
    // ln(2/0.01)/ln(1.006) ≈ 880 points, whatever the prices (zero, or a free on-demand).
    let mut fine = |from: f64, to: f64| {
        let (mut x, to) = (from.max(0.01), to.min(COARSE_TOP));
        while x <= to {
            multiples.push(x);
            x *= 1.0 + FINE_STEP;
        }
    };
    let (lo, hi) = spot_cost
        .iter()
        .flatten()
        .map(|c| c / od_tick)
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), r| {
            (lo.min(r), hi.max(r))
        });
    fine(lo, hi * FINE_SPAN);
    fine(1.0, FINE_SPAN);
    multiples.sort_by(f64::total_cmp);
    multiples.dedup();
    multiples
}

/// The coarse grid: `COARSE_STEPS` even steps up to `COARSE_TOP` times on-demand's price.
const COARSE_STEPS: usize = 10;
const COARSE_TOP: f64 = 2.0;
/// The fine grid's relative step: steps of 0.4 % and 0.8 % measured alike on V100 windows.
const FINE_STEP: f64 = 0.006;
/// How far above a price level the fine grid goes: runs of about `Λ/(G·(FINE_SPAN − 1))` ticks
/// or more (40 on V100 windows). Up to 1.05 lets 12 % more points through.
const FINE_SPAN: f64 = 1.1;

impl Lagrangian {
    pub(super) fn new(problem: &Problem) -> Self {
        let Problem { k, g, lam, .. } = *problem;
        let t_end = problem.t_end();
        let unit_od = problem.od_tick / g as f64;
        let prices: Vec<f64> = price_multiples(&problem.spot_cost[..t_end], problem.od_tick)
            .iter()
            .map(|m| m * unit_od)
            .collect();
        let n = prices.len();
        // Rows from the last tick back, each pushed once computed (nothing is written twice).
        // Each state's `n` values end with a -∞ that stops a walk up the grid (`BoundWalk`).
        let m = n + 1;
        let row = 3 * m;
        let mut here = vec![0.0; row];
        for s in [IDLE, SPOT, OD] {
            here[s * m + n] = f64::NEG_INFINITY;
        }
        let mut h = Vec::with_capacity((t_end + 1) * row);
        h.extend_from_slice(&here);
        let launch_progress = (k * g - lam) as f64;
        let held = |t: usize| if problem.avail[t] { SPOT } else { IDLE };
        for t in (0..t_end).rev() {
            // Tick t+1, and t+K for the launches (when they finish by the last tick).
            let state = |at: usize, s: usize| &h[(t_end - at) * row + s * m..][..n];
            let (idle_next, spot_next, od_next) = (
                state(t + 1, IDLE),
                state(t + 1, held(t + 1)),
                state(t + 1, OD),
            );
            // An impossible move costs ∞ (every other term is finite, so its sum stays ∞); the
            // least of two is taken without `f64::min`'s care for NaN, which cannot occur here.
            let least = |a: f64, b: f64| if b < a { b } else { a };
            let spot_tick = problem.spot_cost[t].unwrap_or(f64::INFINITY);
            let (idle_here, rest) = here.split_at_mut(m);
            let (spot_here, od_here) = rest.split_at_mut(m);
            let on = |j: usize| {
                let stay = least(idle_next[j], 0.0);
                let mu = prices[j];
                let od_on = problem.od_tick - mu * g as f64 + od_next[j];
                let spot_on = spot_tick - mu * g as f64 + spot_next[j];
                (stay, least(stay, spot_on), least(stay, od_on))
            };
            if t + k <= t_end {
                let (od_k, spot_k) = (state(t + k, OD), state(t + k, held(t + k)));
                let spot_launch = problem.spot_launch[t].unwrap_or(f64::INFINITY);
                for j in 0..n {
                    let (stay, spot, od) = on(j);
                    let mu = prices[j];
                    let launch_od = problem.od_launch - mu * launch_progress + od_k[j];
                    let launch_spot = spot_launch - mu * launch_progress + spot_k[j];
                    idle_here[j] = least(least(stay, launch_od), launch_spot);
                    spot_here[j] = least(spot, launch_od);
                    od_here[j] = least(od, launch_spot);
                }
            } else {
                for j in 0..n {
                    (idle_here[j], spot_here[j], od_here[j]) = on(j);
                }
            }
            h.extend_from_slice(&here);
        }
        // Every `h` and bound sums at most `t_end + 2` terms, each within the dearest schedule
        // plus the dearest price times the most progress.
        let most_progress = ((t_end + 1) * g) as f64;
        let scale = cost_ceiling(&problem.spot_cost[..t_end], problem.od_tick)
            + prices.last().copied().unwrap_or(0.0) * most_progress;
        let slack = rounding_allowance(scale, t_end);
        let mut prices = prices;
        prices.push(0.0);
        Self {
            prices,
            h,
            t_end,
            slack,
        }
    }

    /// The bounds of the frontier of state `s` at tick `t`, asked in increasing loss, so with
    /// ever more progress missing: the best price grows with it, and one walk up the grid serves
    /// the whole frontier. The walk stops where the next price does no better; a better price
    /// further up would only have made the bound tighter. It starts at the price `hint` (the
    /// best at the start of a nearby frontier), and for the first point goes down first if that
    /// does better: any price gives a bound, so where it starts only changes how tight it is.
    pub(super) fn walk(&self, t: usize, s: usize, hint: usize) -> BoundWalk<'_> {
        let m = self.prices.len();
        let base = ((self.t_end - t) * 3 + s) * m;
        let j = hint.min(m - 2);
        BoundWalk {
            prices: &self.prices,
            h: &self.h[base..base + m],
            j,
            first: true,
            start: j,
        }
    }
}

/// A walk up the price grid for missing progress that only grows (see [`Lagrangian::walk`]).
pub(super) struct BoundWalk<'a> {
    /// The prices and the values of the state at each, both ending with a stop (a value of -∞).
    prices: &'a [f64],
    h: &'a [f64],
    j: usize,
    first: bool,
    /// The best price of the first bound asked.
    pub(super) start: usize,
}

impl BoundWalk<'_> {
    /// A lower bound of the cost to come with `missing` units of progress still to make.
    #[inline]
    pub(super) fn bound(&mut self, missing: usize) -> f64 {
        let n = missing as f64;
        let (h, prices) = (self.h, self.prices);
        let value = |j: usize| h[j] + prices[j] * n;
        let mut j = self.j;
        let mut best = value(j);
        if self.first {
            // The first bound: from the hint down while that does better, then up.
            self.first = false;
            while j > 0 {
                let v = value(j - 1);
                if v <= best {
                    break;
                }
                best = v;
                j -= 1;
            }
            loop {
                let v = value(j + 1);
                if v < best {
                    break;
                }
                best = v;
                j += 1;
            }
            self.start = j;
        } else {
            // The climb again: one loop after the branch for both cases measured 2–8 % more
            // instructions a window (callgrind, the bench's ten windows).
            loop {
                let v = value(j + 1);
                if v < best {
                    break;
                }
                best = v;
                j += 1;
            }
        }
        self.j = j;
        best
    }
}

/// No schedule costs more than `ceiling`: the dearer of spot and on-demand, summed over every
/// tick (and one tick more).
pub(super) fn cost_ceiling(spot_cost: &[Option<f64>], od_tick: f64) -> f64 {
    spot_cost
        .iter()
        .map(|c| c.map_or(od_tick, |c| c.max(od_tick)))
        .sum::<f64>()
        + od_tick
}

/// An allowance for the rounding of sums of at most `terms` terms, each partial sum within
/// `scale` in magnitude: each addition rounds by at most half an ulp of `scale`, `ε·scale`.
/// Four times that for two such sums compared, with room to spare.
pub(super) fn rounding_allowance(scale: f64, terms: usize) -> f64 {
    4.0 * scale * f64::EPSILON * (terms + 2) as f64
}
