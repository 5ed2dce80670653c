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
    /// The prices `μ`, USD per grid unit of progress, increasing.
    prices: Vec<f64>,
    /// `h[((t_end − t)·3 + s)·prices.len() + j]` = `h_{prices[j]}(t, s)`.
    h: Vec<f64>,
    /// The last observation.
    t_end: usize,
    /// An allowance for the rounding of `h` and of a bound, USD.
    pub(super) slack: f64,
}

/// The price grid, as multiples of on-demand's price per unit of progress.
const PRICE_MULTIPLES: [f64; 24] = [
    0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8,
    0.85, 0.9, 0.95, 1.0, 1.25, 1.5, 2.0,
];

impl Lagrangian {
    pub(super) fn new(problem: &Problem) -> Self {
        let Problem { k, g, lam, .. } = *problem;
        let t_end = problem.t_end();
        let unit_od = problem.od_tick / g as f64;
        let prices: Vec<f64> = PRICE_MULTIPLES.iter().map(|m| m * unit_od).collect();
        let n = prices.len();
        // Rows from the last tick back, each pushed once computed (nothing is written twice).
        let row = 3 * n;
        let mut h = Vec::with_capacity((t_end + 1) * row);
        h.extend_from_slice(&[0.0; 3 * PRICE_MULTIPLES.len()]);
        let launch_progress = (k * g - lam) as f64;
        let held = |t: usize| if problem.avail[t] { SPOT } else { IDLE };
        for t in (0..t_end).rev() {
            let mut here = [0.0; 3 * PRICE_MULTIPLES.len()];
            // Tick t+1, and t+K for the launches (when they finish by the last tick).
            let state = |at: usize, s: usize| &h[(t_end - at) * row + s * n..][..n];
            let (idle_next, spot_next, od_next) = (
                state(t + 1, IDLE),
                state(t + 1, held(t + 1)),
                state(t + 1, OD),
            );
            // An impossible move costs ∞ (every other term is finite, so its sum stays ∞); the
            // least of two is taken without `f64::min`'s care for NaN, which cannot occur here.
            let least = |a: f64, b: f64| if b < a { b } else { a };
            let spot_tick = problem.spot_cost[t].unwrap_or(f64::INFINITY);
            let (idle_here, rest) = here.split_at_mut(n);
            let (spot_here, od_here) = rest.split_at_mut(n);
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
    /// further up would only have made the bound tighter.
    pub(super) fn walk(&self, t: usize, s: usize) -> BoundWalk<'_> {
        let n = self.prices.len();
        let base = ((self.t_end - t) * 3 + s) * n;
        BoundWalk {
            prices: &self.prices,
            h: &self.h[base..base + n],
            j: 0,
        }
    }
}

/// A walk up the price grid for missing progress that only grows (see [`Lagrangian::walk`]).
pub(super) struct BoundWalk<'a> {
    prices: &'a [f64],
    h: &'a [f64],
    j: usize,
}

impl BoundWalk<'_> {
    /// A lower bound of the cost to come with `missing` units of progress still to make.
    #[inline]
    pub(super) fn bound(&mut self, missing: usize) -> f64 {
        let n = missing as f64;
        let (prices, h) = (self.prices, &self.h[..self.prices.len()]);
        let mut j = self.j;
        let mut best = h[j] + prices[j] * n;
        while let (Some(hj), Some(pj)) = (h.get(j + 1), prices.get(j + 1)) {
            let v = hj + pj * n;
            if v < best {
                break;
            }
            best = v;
            j += 1;
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
