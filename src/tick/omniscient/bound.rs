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
    /// `h[(t·3 + s)·prices.len() + j]` = `h_{prices[j]}(t, s)`.
    h: Vec<f64>,
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
        let mut h = vec![0.0_f64; (t_end + 1) * 3 * n];
        let row = 3 * n;
        let launch_progress = (k * g - lam) as f64;
        let held = |t: usize| if problem.avail[t] { SPOT } else { IDLE };
        for t in (0..t_end).rev() {
            let (done, ahead) = h.split_at_mut((t + 1) * row);
            let here = &mut done[t * row..];
            // Tick t+1, and t+K for the launches (when they finish by the last tick).
            let state = |at: usize, s: usize| &ahead[(at - t - 1) * row + s * n..][..n];
            let (idle_next, spot_next, od_next) = (
                state(t + 1, IDLE),
                state(t + 1, held(t + 1)),
                state(t + 1, OD),
            );
            let launch = (t + k <= t_end).then(|| (state(t + k, OD), state(t + k, held(t + k))));
            let spot_launch = problem.spot_launch[t];
            for (j, mu) in prices.iter().enumerate() {
                let stay = idle_next[j].min(0.0);
                let (launch_od, launch_spot) = match launch {
                    Some((od_k, spot_k)) => (
                        problem.od_launch - mu * launch_progress + od_k[j],
                        spot_launch.map_or(f64::INFINITY, |c| c - mu * launch_progress + spot_k[j]),
                    ),
                    None => (f64::INFINITY, f64::INFINITY),
                };
                let od_on = problem.od_tick - mu * g as f64 + od_next[j];
                let spot_on = problem.spot_cost[t]
                    .map_or(f64::INFINITY, |c| c - mu * g as f64 + spot_next[j]);
                here[IDLE * n + j] = stay.min(launch_od).min(launch_spot);
                here[SPOT * n + j] = stay.min(spot_on).min(launch_od);
                here[OD * n + j] = stay.min(od_on).min(launch_spot);
            }
        }
        // Every `h` and bound sums at most `t_end + 2` terms, each within the dearest schedule
        // plus the dearest price times the most progress.
        let most_progress = ((t_end + 1) * g) as f64;
        let scale = cost_ceiling(&problem.spot_cost[..t_end], problem.od_tick)
            + prices.last().copied().unwrap_or(0.0) * most_progress;
        let slack = rounding_allowance(scale, t_end);
        Self { prices, h, slack }
    }

    /// The bounds of the frontier of state `s` at tick `t`, asked in increasing loss, so with
    /// ever more progress missing: the best price grows with it, and one walk up the grid serves
    /// the whole frontier. The walk stops where the next price does no better; a better price
    /// further up would only have made the bound tighter.
    pub(super) fn walk(&self, t: usize, s: usize) -> BoundWalk<'_> {
        let n = self.prices.len();
        let base = (t * 3 + s) * n;
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
