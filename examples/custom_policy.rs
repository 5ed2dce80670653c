//! A scheduling policy of your own, running through `simulate`.
//!
//! "Give spot three chances": the job waits for spot capacity, but after its third
//! interruption it moves to on-demand capacity and finishes there. Run it with
//! `cargo run --release --example custom_policy`.

use spotsim::montecarlo::{RunOptions, simulate};
use spotsim::policy::{DecisionPoint, Placement, SchedulingPolicy};
use spotsim::scenario::Clock;
use spotsim::{Outcome, Scenario};
use std::sync::Arc;

/// Spot until the job has been interrupted `limit` times, then on-demand.
#[derive(Debug)]
struct ThreeStrikes {
    limit: u32,
}

impl SchedulingPolicy for ThreeStrikes {
    fn name(&self) -> &str {
        "three-strikes"
    }

    fn place(&self, point: &DecisionPoint) -> Placement {
        if point.interruptions >= self.limit {
            Placement::OnDemand
        } else {
            Placement::Spot
        }
    }
}

fn main() {
    let mut scenario = Scenario::embedded_default();
    let options = RunOptions::from_scenario(&scenario);
    let managed_spot = simulate(&scenario, &options);

    scenario.clock = Clock::Continuous(Arc::new(ThreeStrikes { limit: 3 }));
    let three_strikes = simulate(&scenario, &options);

    for (name, summary) in [
        ("managed-spot", &managed_spot),
        ("three-strikes", &three_strikes),
    ] {
        println!(
            "{name:>14}: P(Completed) = {:.4}, mean wall clock {:.2} h, mean cost ${:.2}, max interruptions {}",
            summary.probability(Outcome::Completed),
            summary.metrics.wall_clock_seconds.mean / 3600.0,
            summary.metrics.cost_usd.mean,
            summary.metrics.interruptions.max,
        );
    }
}
