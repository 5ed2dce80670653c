//! Correlated interruptions of a gang: a common-shock split of each instance's hazard.
//!
//! Measured spot pools lose instances together far more often than independence allows
//! (one published measurement: over 92 % of co-interruptions within 3 minutes). The model:
//! each instance's hazard `h(t)` (cumulative `H(t)`, `S(t) = e^{−H(t)}`) is the sum of a
//! **common** part `ρ·h(t)`, a shock that reclaims the whole gang at once, and an
//! **individual** part `(1 − ρ)·h(t)` that reclaims that instance alone. Every instance keeps
//! the marginal lifetime the market describes (`ρ·H + (1 − ρ)·H = H`), so a single instance is
//! unchanged by ρ; only the gang's lifetime moves.
//!
//! The gang of N runs until the first loss: the common shock or any of the N individual
//! losses. Their hazards add, so the gang's cumulative hazard is
//! `ρ·H(t) + N·(1 − ρ)·H(t) = N_eff·H(t)` with the **effective gang size**
//! `N_eff = N − (N − 1)·ρ`:
//! * ρ = 0: `N_eff = N` — independent instances, the gang lasts the minimum of N lifetimes
//!   (exactly the arithmetic spotsim used before the key existed, so results are bit-identical);
//! * ρ = 1: `N_eff = 1` — one shared lifetime, the gang lasts as long as one instance;
//! * in between the gang's hazard interpolates linearly.
//!
//! For the exponential market (mean M) the gang lasts Exp(M / N_eff); for the Weibull market
//! (shape k, scale λ), `N_eff·(t/λ)^k = (t/λ')^k` with `λ' = λ·N_eff^(−1/k)`, so the gang lasts
//! Weibull(k, λ·N_eff^(−1/k)). The gang's lifetime is therefore still drawn by inversion from
//! one uniform of the trial's uptime stream: no extra stream, and the draws of every other
//! process are unchanged.
//!
//! ρ is the probability that a loss of an instance is the common shock (the hazards are
//! proportional at every age). Jobs of one gang size cannot tell ρ from the hazard itself:
//! `N_eff·h` is all they see. It matters when a market measured on one gang size (single
//! instances, a probe trace, the Spot Advisor's per-instance rates) plans a job of another.

use crate::error::InputError;
use crate::scenario::keys::Keys;

/// The `[market]` key of the common share ρ.
pub const KEY: &str = "correlation";

/// Reads `[market] correlation` (default 0): a number in [0, 1].
pub fn read(keys: &mut Keys) -> Result<f64, InputError> {
    match keys.number(KEY)? {
        None => Ok(0.0),
        Some(rho) if (0.0..=1.0).contains(&rho) => Ok(rho),
        Some(rho) => Err(keys.error(
            KEY,
            format!(
                "the common share of the hazard is a number from 0 (independent instances) to 1 (one shared lifetime), got {rho}"
            ),
        )),
    }
}

/// `N_eff = N − (N − 1)·ρ`: the gang's hazard in units of one instance's. Exactly `N` (as
/// `f64`) when ρ = 0.
#[inline]
pub fn effective_gang_size(instance_count: u32, rho: f64) -> f64 {
    let n = f64::from(instance_count.max(1));
    n - (n - 1.0) * rho
}

/// Adds `correlation` to a resolved `[market]` table when it is not 0 (a table without it
/// resolves, and hashes, exactly as before the key existed).
pub fn insert_resolved(table: &mut toml::Table, rho: f64) {
    if rho != 0.0 {
        table.insert(KEY.into(), toml::Value::Float(rho));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_gang_size_spans_independent_to_shared() {
        assert_eq!(effective_gang_size(8, 0.0).to_bits(), 8f64.to_bits());
        assert_eq!(effective_gang_size(8, 1.0), 1.0);
        assert_eq!(effective_gang_size(8, 0.5), 4.5);
        assert_eq!(effective_gang_size(1, 0.7), 1.0);
    }
}
