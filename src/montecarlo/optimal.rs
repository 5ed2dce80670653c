//! The prepare step of `[checkpoint] policy = "optimal"`: parsing never simulates, so the
//! interval that minimises the objective on the scenario's actual market is searched here, by
//! simulation with common random numbers, when a command calls [`prepare`] on a loaded
//! scenario. No engine is built for a scenario whose interval is still unknown.

use super::run_parallel;
use crate::engine::Engine;
use crate::policy::CheckpointPolicy;
use crate::policy::checkpoint::{Objective, daly_interval, young_interval};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// Resolves what parsing left to simulation: the interval of `optimal` checkpoints. A scenario
/// without it is returned unchanged; calling it twice does nothing more.
pub fn prepare(scenario: &mut Scenario) {
    let CheckpointPolicy::Optimal {
        interval_seconds: None,
        objective,
    } = scenario.checkpoint.policy
    else {
        return;
    };
    // Parsing rejects `optimal` without a market whose mean uptime is finite and positive.
    let Some(mean_uptime) = scenario
        .market
        .as_ref()
        .and_then(|m| m.model.mean_uptime_seconds())
        .filter(|m| m.is_finite() && *m > 0.0)
    else {
        return;
    };
    let (interval_seconds, _) = optimise_interval(scenario, mean_uptime, objective);
    scenario.checkpoint.policy = CheckpointPolicy::Optimal {
        interval_seconds: Some(interval_seconds),
        objective,
    };
}

/// The interval `optimal` chose, as every report states it: a number the user did not write
/// must say where it came from. Present only for `[checkpoint] policy = "optimal"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointChoice {
    /// Always `optimal` (the policy that chose it).
    pub policy: String,
    /// What it minimised: `wall_clock` or `cost`.
    pub objective: String,
    /// The chosen interval, rounded to whole seconds like every `*_seconds` field (the search
    /// runs on fractional intervals; the rounding moves it by at most 0.5 s).
    pub interval_seconds: u64,
    /// True: the interval was chosen by simulation, not written in the scenario.
    pub chosen_by_optimal: bool,
    /// Trials the candidates were compared on ([`OPTIMISE_TRIALS`]: trials 0 … N−1).
    pub trials: u64,
    /// The seed of those trials (the scenario's own, whatever `--seed` the run uses).
    pub seed: u64,
}

impl CheckpointChoice {
    /// The choice [`prepare`] made for `scenario`; `None` unless its policy is a resolved
    /// `optimal`.
    pub fn of(scenario: &Scenario) -> Option<Self> {
        let CheckpointPolicy::Optimal {
            interval_seconds: Some(interval_seconds),
            objective,
        } = scenario.checkpoint.policy
        else {
            return None;
        };
        Some(Self {
            policy: "optimal".to_string(),
            objective: objective.name().to_string(),
            // A positive interval of at most the training time: no saturation in practice.
            interval_seconds: interval_seconds.round() as u64,
            chosen_by_optimal: true,
            trials: OPTIMISE_TRIALS,
            seed: scenario.simulation.seed,
        })
    }

    /// One line for people: "Checkpoint interval: 1315 s (21.9 min), chosen by `optimal` …".
    /// Built from the whole seconds alone, so a merge of partials prints the same line.
    pub fn sentence(&self) -> String {
        let objective = match self.objective.as_str() {
            "cost" => "mean cost",
            _ => "mean wall clock",
        };
        let seconds = self.interval_seconds as f64;
        let readable = if seconds < 3600.0 {
            format!("{:.1} min", seconds / 60.0)
        } else {
            format!("{:.2} h", seconds / 3600.0)
        };
        format!(
            "Checkpoint interval: {} s ({readable}), chosen by `optimal` (lowest {objective}) \
             over the first {} trials (seed {}).",
            self.interval_seconds, self.trials, self.seed,
        )
    }
}

/// One evaluated interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Training between checkpoints.
    pub interval_seconds: f64,
    /// Mean of the objective over the evaluation trials.
    pub objective: f64,
}

/// Trials on which `optimal` compares intervals (the scenario's first trials, its seed).
pub const OPTIMISE_TRIALS: u64 = 4000;

/// Finds the interval that minimises `objective` for the scenario's actual market, by
/// simulation with common random numbers: every candidate runs the same trials (the scenario's
/// seed, trials 0 … [`OPTIMISE_TRIALS`]−1). Candidates: a geometric grid from Daly's interval
/// ÷ 8 to × 8 (ratio 2^¼), plus Young's and Daly's intervals themselves, so the result is never
/// worse than either on these trials. Returns the best and all candidates, sorted by interval.
pub fn optimise_interval(
    scenario: &Scenario,
    mean_uptime_seconds: f64,
    objective: Objective,
) -> (f64, Vec<Candidate>) {
    let write = scenario.checkpoint.write_seconds.max(1e-3);
    let daly = daly_interval(write, mean_uptime_seconds);
    let mut intervals: Vec<f64> = (-12..=12)
        .map(|k| daly * 2f64.powf(f64::from(k) / 4.0))
        .collect();
    intervals.push(young_interval(write, mean_uptime_seconds));
    intervals.sort_by(f64::total_cmp);
    let training = scenario.workload.training_seconds;
    let mut candidates = Vec::with_capacity(intervals.len());
    for interval_seconds in intervals {
        let interval_seconds = interval_seconds.clamp(1.0, training.max(1.0));
        let mut variant = scenario.clone();
        variant.checkpoint.policy = CheckpointPolicy::Interval { interval_seconds };
        let engine = Engine::new(&variant);
        let aggregate = run_parallel(&engine, OPTIMISE_TRIALS, None);
        let value = match objective {
            Objective::WallClock => aggregate.wall_clock_seconds.summary().mean,
            Objective::Cost => aggregate.cost_usd.summary().mean,
        };
        candidates.push(Candidate {
            interval_seconds,
            objective: value,
        });
    }
    let best = candidates
        .iter()
        .min_by(|a, b| {
            a.objective
                .total_cmp(&b.objective)
                .then(a.interval_seconds.total_cmp(&b.interval_seconds))
        })
        .map_or(daly, |c| c.interval_seconds);
    (best, candidates)
}
