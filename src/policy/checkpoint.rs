//! Checkpoint intervals from theory (Young 1974; Daly 2006, "A higher order estimate of the
//! optimum checkpoint interval for restart dumps", FGCS 22); the search by simulation
//! for `optimal` is `crate::montecarlo::optimal`.
//!
//! Notation (see `checkpoint-theory.md`): M = mean time between interruptions while held, δ =
//! checkpoint write time, τ = training time between checkpoints.

/// Young's first-order optimum: τ = √(2δM).
pub fn young_interval(write_seconds: f64, mean_uptime_seconds: f64) -> f64 {
    (2.0 * write_seconds * mean_uptime_seconds).sqrt()
}

/// Daly's higher-order optimum: τ = √(2δM)·[1 + ⅓·√(δ/(2M)) + (1/9)·(δ/(2M))] − δ for
/// δ < 2M, else τ = M.
pub fn daly_interval(write_seconds: f64, mean_uptime_seconds: f64) -> f64 {
    let (delta, m) = (write_seconds, mean_uptime_seconds);
    if delta >= 2.0 * m {
        return m;
    }
    let ratio = delta / (2.0 * m);
    (2.0 * delta * m).sqrt() * (1.0 + ratio.sqrt() / 3.0 + ratio / 9.0) - delta
}

/// The exact minimiser of Daly's complete model T_w(τ) = M e^{R/M}(e^{(τ+δ)/M} − 1)·W/τ:
/// τ* = M·(1 + W₀(−e^{−1−δ/M})), with W₀ the principal branch of Lambert W.
pub fn exact_optimal_interval(write_seconds: f64, mean_uptime_seconds: f64) -> f64 {
    let m = mean_uptime_seconds;
    m * (1.0 + lambert_w0(-(-1.0 - write_seconds / m).exp()))
}

/// Principal branch of Lambert W on [−1/e, ∞), by Halley's iteration.
pub fn lambert_w0(x: f64) -> f64 {
    let branch_point = -(-1.0f64).exp();
    if x <= branch_point {
        return -1.0;
    }
    // Start near the branch point with its series, elsewhere with ln(1 + x).
    let mut w = if x < -0.25 {
        let p = (2.0 * (1.0 + std::f64::consts::E * x)).sqrt();
        -1.0 + p - p * p / 3.0
    } else {
        (1.0 + x).ln()
    };
    for _ in 0..50 {
        let e = w.exp();
        let f = w * e - x;
        let step = f / (e * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0));
        w -= step;
        if step.abs() <= 1e-15 * (1.0 + w.abs()) {
            break;
        }
    }
    w
}

/// What `optimal` minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Mean wall-clock time of a job.
    WallClock,
    /// Mean cost of a job.
    Cost,
}

impl Objective {
    /// Parses `wall_clock` / `cost`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "wall_clock" => Some(Self::WallClock),
            "cost" => Some(Self::Cost),
            _ => None,
        }
    }

    /// The name as written in a scenario.
    pub fn name(self) -> &'static str {
        match self {
            Self::WallClock => "wall_clock",
            Self::Cost => "cost",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_match_hand_values() {
        // δ = 60 s, M = 6 h: √(2·60·21600) = 1609.97 s.
        assert!((young_interval(60.0, 21_600.0) - 1_609.968_944).abs() < 1e-5);
        // Daly: 1609.97·(1 + ⅓·√(60/43200) + (1/9)(60/43200)) − 60.
        let r: f64 = 60.0 / 43_200.0;
        let expected = (2.0f64 * 60.0 * 21_600.0).sqrt() * (1.0 + r.sqrt() / 3.0 + r / 9.0) - 60.0;
        assert_eq!(daly_interval(60.0, 21_600.0), expected);
        assert_eq!(daly_interval(50_000.0, 21_600.0), 21_600.0);
    }

    #[test]
    fn lambert_w_inverts_w_exp_w() {
        for x in [-0.367_879, -0.3, -0.1, 0.0, 0.5, 1.0, 10.0] {
            let w = lambert_w0(x);
            assert!((w * w.exp() - x).abs() < 1e-12, "{x}");
        }
    }

    #[test]
    fn exact_optimum_solves_the_stationarity_equation() {
        // e^{(τ+δ)/M}(τ/M − 1) + 1 = 0 at τ*.
        let (delta, m) = (60.0, 21_600.0);
        let tau = exact_optimal_interval(delta, m);
        let residual = ((tau + delta) / m).exp() * (tau / m - 1.0) + 1.0;
        assert!(residual.abs() < 1e-12, "{residual}");
        // Daly's estimate is close to it for δ ≪ M.
        assert!((daly_interval(delta, m) - tau).abs() / tau < 0.01);
    }
}
