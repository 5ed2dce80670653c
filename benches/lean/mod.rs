//! The leanest hand-written loop for the reference model (scenarios/reference-model.toml):
//! constants inlined, one generator for all trials, only P(Completed) and the mean wall clock
//! accumulated. It is the baseline spotsim's engine is measured against, and it is checked to
//! agree with spotsim statistically (tests/integration/lean_loop.rs).

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};

const MEAN_UPTIME: f64 = 6.0 * 3600.0;
const MEAN_WAIT: f64 = 600.0;
const PROVISIONING: f64 = 180.0;
const DOWNLOAD: f64 = 120.0;
const WORK: f64 = 24.0 * 3600.0;
const INTERVAL: f64 = 1800.0;
const WRITE: f64 = 60.0;
const DEADLINE: f64 = 30.0 * 3600.0;

#[inline(always)]
fn exp(rng: &mut Xoshiro256PlusPlus, mean: f64) -> f64 {
    -mean * (((rng.next_u64() >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0)).ln()
}

/// One trial: (completed, wall clock seconds).
#[inline(always)]
pub fn trial(rng: &mut Xoshiro256PlusPlus) -> (bool, f64) {
    let mut t = 0.0;
    let mut done = 0.0;
    loop {
        t += exp(rng, MEAN_WAIT);
        if t >= DEADLINE {
            return (false, DEADLINE);
        }
        let lost = t + exp(rng, MEAN_UPTIME);
        let start = t + PROVISIONING;
        if lost.min(DEADLINE) <= start {
            if DEADLINE <= lost {
                return (false, DEADLINE);
            }
            t = lost;
            continue;
        }
        let remaining = WORK - done;
        let writes = (remaining / INTERVAL).ceil() - 1.0;
        let end = start + DOWNLOAD + remaining + writes * WRITE;
        if end <= lost && end <= DEADLINE {
            return (true, end);
        }
        if DEADLINE <= lost {
            return (false, DEADLINE);
        }
        let trained = lost - start - DOWNLOAD;
        if trained > 0.0 {
            done += (trained / (INTERVAL + WRITE)).floor().min(writes) * INTERVAL;
        }
        t = lost;
    }
}

/// Runs `n` trials: (completed count, sum of wall clock, sum of squared wall clock).
pub fn run(n: u64, seed: u64) -> (u64, f64, f64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut completed, mut sum, mut sum_sq) = (0, 0.0, 0.0);
    for _ in 0..n {
        let (ok, wall) = trial(&mut rng);
        completed += u64::from(ok);
        sum += wall;
        sum_sq += wall * wall;
    }
    (completed, sum, sum_sq)
}
