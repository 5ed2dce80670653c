//! Reproducible randomness: trial k of a run draws only from (seed, k), with one independent
//! generator per random process ("stream"), so that changing one model (say, the capacity
//! wait) does not shift the draws of another (the uptimes). This gives common random numbers
//! across scenario variants and makes trial k identical in `simulate`, `describe --trial k`,
//! any thread count and any shard.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// The random processes of a trial; each has its own generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Waits for spot capacity.
    CapacityWait = 1,
    /// Instance uptimes (time from acquiring capacity to interruption).
    Uptime = 2,
    /// Spot prices.
    Price = 3,
    /// Start offsets into replayed traces.
    TraceStart = 4,
    /// Decisions of randomised policies and fault models.
    Policy = 5,
    /// `InternalServerError`s of the RetryStrategy model (seeded only when the rate is > 0).
    InternalError = 6,
    /// Waits for on-demand capacity (seeded only when `[on_demand] mean_capacity_wait` > 0,
    /// so that scenarios without it draw exactly what they drew before).
    OnDemandCapacityWait = 7,
}

/// SplitMix64 finaliser: a bijective mixer of 64-bit words (Steele, Lea & Flood 2014).
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of `stream` for trial `trial` of a run with `seed`.
///
/// The 256-bit state is four chained SplitMix64 outputs of a key that mixes the three inputs,
/// so neighbouring trials and streams start from unrelated states.
pub fn stream_rng(seed: u64, trial: u64, stream: Stream) -> Xoshiro256PlusPlus {
    keyed_stream_rng(trial_key(seed, trial), stream)
}

/// The part of every stream's key that depends on (seed, trial) only: computed once per trial
/// for the streams it seeds up front.
#[inline]
fn trial_key(seed: u64, trial: u64) -> u64 {
    mix64(mix64(seed) ^ trial)
}

/// [`stream_rng`] from the trial's key.
#[inline]
fn keyed_stream_rng(trial_key: u64, stream: Stream) -> Xoshiro256PlusPlus {
    let key = mix64(trial_key ^ (stream as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let mut bytes = [0u8; 32];
    let mut state = key;
    for chunk in bytes.chunks_exact_mut(8) {
        state = mix64(state);
        chunk.copy_from_slice(&state.to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(bytes)
}

/// The generators one trial uses. The two every spot trial needs are seeded up front; the
/// others are seeded on demand from the same (seed, trial), which keeps the hot path lean.
#[derive(Debug, Clone)]
pub struct TrialRng {
    /// Capacity waits.
    pub capacity_wait: Xoshiro256PlusPlus,
    /// Uptimes.
    pub uptime: Xoshiro256PlusPlus,
    seed: u64,
    trial: u64,
}

impl TrialRng {
    /// The generators of trial `trial` under `seed`.
    #[inline]
    pub fn new(seed: u64, trial: u64) -> Self {
        let key = trial_key(seed, trial);
        Self {
            capacity_wait: keyed_stream_rng(key, Stream::CapacityWait),
            uptime: keyed_stream_rng(key, Stream::Uptime),
            seed,
            trial,
        }
    }

    /// A generator of another stream of this trial.
    pub fn stream(&self, stream: Stream) -> Xoshiro256PlusPlus {
        stream_rng(self.seed, self.trial, stream)
    }
}

/// A uniform draw in (0, 1]: 53 random bits, never zero (so `ln` is finite).
#[inline]
pub fn unit_open_closed(rng: &mut Xoshiro256PlusPlus) -> f64 {
    use rand::Rng;
    ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// The largest [`exponential`] draw as a multiple of its mean: `−ln U` for the smallest `U`
/// that [`unit_open_closed`] returns, 2⁻⁵³, is 53·ln 2 ≈ 36.74.
pub const EXPONENTIAL_MAX_MEANS: f64 = 53.0 * std::f64::consts::LN_2;

/// An exponential draw with the given mean, by inversion (`-mean·ln U`). Inversion keeps one
/// uniform per draw, which common random numbers need; `mean = 0` gives 0 without a draw.
#[inline]
pub fn exponential(rng: &mut Xoshiro256PlusPlus, mean: f64) -> f64 {
    if mean == 0.0 {
        return 0.0;
    }
    -mean * unit_open_closed(rng).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a = stream_rng(7, 42, Stream::Uptime).next_u64();
        assert_eq!(a, stream_rng(7, 42, Stream::Uptime).next_u64());
        assert_ne!(a, stream_rng(7, 43, Stream::Uptime).next_u64());
        assert_ne!(a, stream_rng(8, 42, Stream::Uptime).next_u64());
        assert_ne!(a, stream_rng(7, 42, Stream::CapacityWait).next_u64());
    }

    #[test]
    fn exponential_mean_and_variance_match() {
        // Mean m, variance m^2. The standard error of the mean is m/sqrt(n); the fourth
        // central moment is 9 m^4, so the sample variance has standard error sqrt(8) m^2/sqrt(n).
        // Require agreement within 4 standard errors.
        let (n, mean) = (200_000, 3.0);
        let mut rng = stream_rng(1, 0, Stream::Uptime);
        let draws: Vec<f64> = (0..n).map(|_| exponential(&mut rng, mean)).collect();
        let m = draws.iter().sum::<f64>() / n as f64;
        let v = draws.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se_mean = mean / (n as f64).sqrt();
        assert!((m - mean).abs() < 4.0 * se_mean, "mean {m}");
        let se_var = 8.0f64.sqrt() * mean * mean / (n as f64).sqrt();
        assert!((v - mean * mean).abs() < 4.0 * se_var, "variance {v}");
        assert!(draws.iter().all(|x| *x >= 0.0 && x.is_finite()));
        assert!(draws.iter().all(|x| *x <= EXPONENTIAL_MAX_MEANS * mean));
    }

    #[test]
    fn the_largest_exponential_draw_comes_from_the_smallest_uniform() {
        // 2^-53 · 2^53 = 1: the smallest value of `unit_open_closed`, whose −ln is 53 ln 2.
        let smallest = 1.0 / 9_007_199_254_740_992.0_f64;
        assert_eq!(-smallest.ln(), EXPONENTIAL_MAX_MEANS);
    }
}
