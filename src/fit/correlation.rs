//! The common share ρ of a pool's interruptions, from a record of the pool's size over time
//! (an event list `time_ms,add|remove,node`, as [`crate::market::trace_data::TraceData`]
//! counts it).
//!
//! ## Losses
//! A *loss* is a drop of the pool: `k` of the `m` instances alive just before it are
//! reclaimed at once. Drops that follow one another within `window` seconds, with no
//! instance added in between, are one loss (the instances a gang holds are released together
//! on its first loss and re-acquired minutes later, so a second drop inside that time is part
//! of the same interruption of any gang it touches).
//!
//! ## Matching a gang's hazard
//! Real shocks reclaim part of a pool, not all of it, so the common-shock model
//! ([`crate::market::correlation`]) is matched to the gang size a plan needs. For a gang of N
//! instances drawn at random from the m alive, a loss of k of them hits the gang with
//! probability `a = 1 − C(m − k, N)/C(m, N)` and hits one given instance with probability
//! `b = k/m`. Over the record (losses with `m ≥ N`, when such a gang could run), `Σ a` per unit
//! time estimates the gang's hazard and `Σ b` one instance's, so
//!
//! `N_eff(N) = Σ a / Σ b`,   `ρ(N) = (N − N_eff) / (N − 1)`,
//!
//! the ρ whose common-shock gang of N has the measured gang hazard. Independent losses (k = 1
//! each) give exactly `N_eff = N` (a = N/m, b = 1/m), ρ = 0; losses of the whole pool give
//! `N_eff = 1`, ρ = 1. The record's length cancels, and so does any change of the hazard over
//! time that strikes gangs and instances alike.
//!
//! ## Uncertainty
//! Losses are treated as independent events of a compound Poisson process. The ratio of
//! totals `R = A/B` then has the delta-method variance `Σ (aᵢ − R·bᵢ)² / B²`, and
//! `SE(ρ) = SE(R)/(N − 1)`. It does not see slower changes of the market between losses.

use serde::Serialize;

/// A drop of the pool: `lost` of the `alive` instances reclaimed together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PoolLoss {
    /// When the (first) drop happened, seconds from the record's start.
    pub at_seconds: f64,
    /// Instances alive just before.
    pub alive: u32,
    /// Instances reclaimed.
    pub lost: u32,
}

/// The losses of a pool whose size is `counts[i]` from `times[i]` on: drops within
/// `window_seconds` of a loss's first drop, with no increase between, join that loss.
pub fn pool_losses(times: &[f64], counts: &[u32], window_seconds: f64) -> Vec<PoolLoss> {
    let mut losses: Vec<PoolLoss> = Vec::new();
    // Whether the previous row was a drop that a further drop may join.
    let mut open = false;
    for i in 1..counts.len().min(times.len()) {
        let (before, after) = (counts[i - 1], counts[i]);
        if after >= before {
            open = false;
            continue;
        }
        let lost = before - after;
        match losses.last_mut() {
            Some(loss) if open && times[i] - loss.at_seconds <= window_seconds => {
                loss.lost += lost;
            }
            _ => losses.push(PoolLoss {
                at_seconds: times[i],
                alive: before,
                lost,
            }),
        }
        open = true;
    }
    losses
}

/// ρ matched to gangs of one size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GangCorrelation {
    /// N.
    pub instance_count: u32,
    /// Losses with at least N instances alive.
    pub losses: usize,
    /// Instances they reclaimed.
    pub reclaimed: u64,
    /// `N_eff = Σ a / Σ b`.
    pub effective_gang_size: f64,
    /// Its standard error.
    pub effective_gang_size_se: f64,
    /// `ρ = (N − N_eff)/(N − 1)`.
    pub rho: f64,
    /// Its standard error.
    pub rho_se: f64,
}

/// `C(m − k, n) / C(m, n)`: the chance that n instances drawn from m avoid k given ones.
fn avoids(m: u32, k: u32, n: u32) -> f64 {
    (0..n)
        .map(|i| {
            let spared = f64::from(m) - f64::from(k) - f64::from(i);
            (spared.max(0.0)) / (f64::from(m) - f64::from(i))
        })
        .product()
}

/// ρ for gangs of `instance_count` ≥ 2 from `losses`; `None` without a loss with that many
/// alive.
pub fn gang_correlation(losses: &[PoolLoss], instance_count: u32) -> Option<GangCorrelation> {
    if instance_count < 2 {
        return None;
    }
    let n = instance_count;
    let terms: Vec<(f64, f64)> = losses
        .iter()
        .filter(|l| l.alive >= n)
        .map(|l| {
            (
                1.0 - avoids(l.alive, l.lost, n),
                f64::from(l.lost) / f64::from(l.alive),
            )
        })
        .collect();
    let a: f64 = terms.iter().map(|t| t.0).sum();
    let b: f64 = terms.iter().map(|t| t.1).sum();
    if terms.is_empty() || b <= 0.0 {
        return None;
    }
    let ratio = a / b;
    let variance = terms
        .iter()
        .map(|(ai, bi)| (ai - ratio * bi).powi(2))
        .sum::<f64>()
        / (b * b);
    let spread = f64::from(n) - 1.0;
    Some(GangCorrelation {
        instance_count: n,
        losses: terms.len(),
        reclaimed: losses
            .iter()
            .filter(|l| l.alive >= n)
            .map(|l| u64::from(l.lost))
            .sum(),
        effective_gang_size: ratio,
        effective_gang_size_se: variance.sqrt(),
        rho: (f64::from(n) - ratio) / spread,
        rho_se: variance.sqrt() / spread,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_pool() {
        // Four alive; one lost, then all four: for pairs a = 1 − C(3,2)/C(4,2) = 1/2 and 1,
        // b = 1/4 and 1, so N_eff = 1.5/1.25 = 1.2 and ρ = 0.8.
        let losses = [
            PoolLoss {
                at_seconds: 0.0,
                alive: 4,
                lost: 1,
            },
            PoolLoss {
                at_seconds: 60.0,
                alive: 4,
                lost: 4,
            },
        ];
        let c = gang_correlation(&losses, 2).unwrap();
        assert!((c.effective_gang_size - 1.2).abs() < 1e-12);
        assert!((c.rho - 0.8).abs() < 1e-12);
        // SE: residuals 1/2 − 1.2/4 = 0.2 and 1 − 1.2 = −0.2 over B = 1.25.
        assert!((c.rho_se - (0.08f64).sqrt() / 1.25).abs() < 1e-12);
    }

    #[test]
    fn single_losses_are_independent_and_whole_pool_losses_shared() {
        let single: Vec<PoolLoss> = (0..50)
            .map(|i| PoolLoss {
                at_seconds: f64::from(i),
                alive: 20 + i % 7,
                lost: 1,
            })
            .collect();
        for n in [2, 4, 8, 16] {
            let c = gang_correlation(&single, n).unwrap();
            assert!((c.effective_gang_size - f64::from(n)).abs() < 1e-9);
            assert!(c.rho.abs() < 1e-9);
        }
        let whole: Vec<PoolLoss> = (0..10)
            .map(|i| PoolLoss {
                at_seconds: f64::from(i),
                alive: 32,
                lost: 32,
            })
            .collect();
        let c = gang_correlation(&whole, 8).unwrap();
        assert!((c.rho - 1.0).abs() < 1e-12);
    }

    #[test]
    fn drops_within_the_window_are_one_loss() {
        // Pool 10 → 8 (t 100) → 7 (t 160) → 9 (t 190) → 6 (t 400) → 5 (t 700).
        let times = [0.0, 100.0, 160.0, 190.0, 400.0, 700.0];
        let counts = [10, 8, 7, 9, 6, 5];
        let at = |window| pool_losses(&times, &counts, window);
        assert_eq!(at(0.0).len(), 4);
        let joined = at(180.0);
        assert_eq!(joined.len(), 3);
        assert_eq!((joined[0].alive, joined[0].lost), (10, 3));
        // An addition in between splits losses however close they are.
        assert_eq!((joined[1].alive, joined[1].lost), (9, 3));
        assert_eq!((joined[2].alive, joined[2].lost), (6, 1));
    }
}
