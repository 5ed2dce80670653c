//! The extension points: a market model, a scheduling policy, a tick policy and a checkpoint
//! policy, each defined here as the one new file would define it, made from the one line that
//! would register it (a [`ModelEntry`] for [`market::MODELS`], a [`Registration`] for the
//! policy `REGISTRY`, a [`CheckpointRegistration`] for `CHECKPOINT_REGISTRY`), and run through
//! `simulate` with results checked by hand.

use crate::common::load;
use spotsim::Outcome;
use spotsim::error::InputError;
use spotsim::market::{self, Capacity, Market, MarketContext, MarketState, ModelEntry, build_from};
use spotsim::montecarlo::{RunOptions, simulate};
use spotsim::policy::CheckpointPolicy;
use spotsim::policy::checkpoint_registry::{
    CheckpointContext, CheckpointKeyError, CheckpointRegistration,
};
use spotsim::policy::registry::{Constructor, Registration};
use spotsim::policy::{DecisionPoint, Placement, SchedulingPolicy};
use spotsim::random::TrialRng;
use spotsim::scenario::{Clock, MarketSpec};
use spotsim::tick::{Instance, PolicyView, TickPolicy};
use spotsim::units::keys::Keys;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// A market model: capacity at once, never lost.

/// The model's file: a market that grants capacity the moment it is asked and never takes it
/// back.
#[derive(Debug)]
struct Unlimited;

impl Market for Unlimited {
    fn model(&self) -> &'static str {
        "unlimited"
    }
    fn next_capacity(
        &self,
        now_seconds: f64,
        _state: &mut MarketState,
        _rng: &mut TrialRng,
    ) -> Option<Capacity> {
        Some(Capacity {
            acquired_seconds: now_seconds,
            lost_seconds: f64::INFINITY,
        })
    }
    fn mean_uptime_seconds(&self) -> Option<f64> {
        None
    }
    fn resolved(&self) -> toml::Table {
        toml::Table::new()
    }
}

fn build_unlimited(
    _keys: &mut Keys,
    _context: &MarketContext,
) -> Result<Box<dyn Market>, InputError> {
    Ok(Box::new(Unlimited))
}

/// The registration line.
const UNLIMITED: ModelEntry = ("unlimited", build_unlimited, &[]);

#[test]
fn a_market_model_is_one_type_and_one_registration() {
    let mut scenario = load("default.toml");
    let text = "model = \"unlimited\"";
    let mut keys = Keys::new(toml::from_str(text).unwrap(), "market", "test", text);
    let context = MarketContext {
        instance_count: scenario.job.instance_count,
        instance_type: &scenario.job.instance_type,
        horizon_seconds: scenario.max_wait_or_infinity(),
        base_dir: std::path::Path::new("."),
    };
    let (model, known) = build_from(&[UNLIMITED], "unlimited", &mut keys, &context).unwrap();
    assert!(known.is_empty());
    // An unknown name lists the registrations it was looked up in.
    let error = build_from(&[UNLIMITED], "unlimted", &mut keys, &context).unwrap_err();
    assert!(
        error.message.contains("expected one of: unlimited"),
        "{error}"
    );
    assert!(
        market::MODELS
            .iter()
            .all(|(name, _, _)| *name != "unlimited")
    );

    scenario.market = Some(MarketSpec {
        model: Arc::from(model),
        notice_seconds: 120.0,
    });
    let options = RunOptions {
        trials: 200,
        ..RunOptions::from_scenario(&scenario)
    };
    let summary = simulate(&scenario, &options);
    // Never interrupted: every trial completes, and each pays the spot price for exactly the
    // time it held its instances (money = held time × price × instances).
    assert_eq!(summary.probability(Outcome::Completed), 1.0);
    assert_eq!(summary.metrics.interruptions.max, 0.0);
    let m = &summary.metrics;
    let per_second =
        scenario.pricing.spot_per_hour / 3600.0 * f64::from(scenario.job.instance_count);
    assert!(
        (m.cost_usd.mean - m.training_time_seconds.mean * per_second).abs()
            < 1e-9 * m.cost_usd.mean,
        "{} vs {}",
        m.cost_usd.mean,
        m.training_time_seconds.mean * per_second
    );
    // The same uninterrupted job in every trial.
    assert_eq!(m.wall_clock_seconds.min, m.wall_clock_seconds.max);
}

// ---------------------------------------------------------------------------------------------
// A scheduling policy (continuous clock): spot while capacity is there, on-demand after the
// first interruption.

#[derive(Debug)]
struct OneStrike;

impl SchedulingPolicy for OneStrike {
    fn name(&self) -> &str {
        "one-strike"
    }
    fn place(&self, point: &DecisionPoint) -> Placement {
        if point.interruptions >= 1 {
            Placement::OnDemand
        } else {
            Placement::Spot
        }
    }
}

/// The registration line.
const ONE_STRIKE: Registration = Registration {
    name: "one-strike",
    make: Constructor::Scheduling(|| Arc::new(OneStrike)),
};

#[test]
fn a_scheduling_policy_is_one_type_and_one_registration() {
    let mut scenario = load("default.toml");
    let options = RunOptions {
        trials: 2000,
        ..RunOptions::from_scenario(&scenario)
    };
    let policy = ONE_STRIKE.scheduling_policy().unwrap();
    assert!(ONE_STRIKE.tick_choice().is_none());
    assert_eq!(policy.name(), ONE_STRIKE.name);
    scenario.clock = Clock::Continuous(policy);
    let summary = simulate(&scenario, &options);
    // After one interruption the job never waits for spot again: at most one interruption
    // per trial, and on-demand capacity is always there, so every trial completes.
    assert_eq!(summary.metrics.interruptions.max, 1.0);
    assert_eq!(summary.probability(Outcome::Completed), 1.0);
}

// ---------------------------------------------------------------------------------------------
// A tick policy: on-demand from the first tick to the last.

#[derive(Debug)]
struct AllOnDemand;

impl TickPolicy for AllOnDemand {
    fn name(&self) -> &'static str {
        "all-on-demand"
    }
    fn decide(&mut self, view: &PolicyView) -> Instance {
        if view.done_sum >= view.compute {
            Instance::Idle
        } else {
            Instance::OnDemand
        }
    }
}

/// The registration line.
const ALL_ON_DEMAND: Registration = Registration {
    name: "all-on-demand",
    make: Constructor::Tick(|| Box::new(AllOnDemand)),
};

#[test]
fn a_tick_policy_is_one_type_and_one_registration() {
    let mut scenario = load("tick-weibull-gpu.toml");
    let Clock::Tick(spec) = &mut scenario.clock else {
        panic!("a tick scenario");
    };
    let choice = ALL_ON_DEMAND.tick_choice().unwrap();
    assert!(ALL_ON_DEMAND.scheduling_policy().is_none());
    Arc::make_mut(spec).policy = choice;
    let options = RunOptions {
        trials: 50,
        ..RunOptions::from_scenario(&scenario)
    };
    let summary = simulate(&scenario, &options);
    // 48 h of compute after a 0.2 h changeover on 3-minute ticks: 4 ticks of changeover and
    // 960 of progress, each billed in full at $3.06/h: 964 × 0.05 h × 3.06 = $147.492, done at
    // 964 × 180 s = 48.2 h, before the 60 h deadline.
    assert_eq!(summary.probability(Outcome::Completed), 1.0);
    let m = &summary.metrics;
    assert!(
        (m.cost_usd.min - 147.492).abs() < 1e-9,
        "{}",
        m.cost_usd.min
    );
    assert!(
        (m.cost_usd.max - 147.492).abs() < 1e-9,
        "{}",
        m.cost_usd.max
    );
    assert_eq!(m.completion_seconds.max, 964.0 * 180.0);
    // The same schedule as the registered on-demand policy, whatever the market sampled.
    let Clock::Tick(spec) = &mut scenario.clock else {
        unreachable!()
    };
    Arc::make_mut(spec).policy = spotsim::policy::registry::tick("on-demand").unwrap();
    let registered = simulate(&scenario, &options);
    assert_eq!(registered.metrics.cost_usd.mean, m.cost_usd.mean);
}

// ---------------------------------------------------------------------------------------------
// A checkpoint policy: checkpoint every half of the market's mean uptime.

fn half_uptime(context: &CheckpointContext<'_>) -> Result<CheckpointPolicy, CheckpointKeyError> {
    Ok(CheckpointPolicy::Periodic {
        name: "half-uptime",
        interval_seconds: context.needs_mean_uptime()? / 2.0,
    })
}

/// The registration line.
const HALF_UPTIME: CheckpointRegistration = CheckpointRegistration {
    name: "half-uptime",
    reads_interval: false,
    reads_objective: false,
    make: half_uptime,
};

#[test]
fn a_checkpoint_policy_is_one_function_and_one_registration() {
    let mut scenario = load("default.toml");
    let mean_uptime = scenario
        .market
        .as_ref()
        .and_then(|m| m.model.mean_uptime_seconds());
    let context = CheckpointContext {
        name: HALF_UPTIME.name,
        write_seconds: scenario.checkpoint.write_seconds,
        mean_uptime_seconds: mean_uptime,
        interval_seconds: None,
        objective: None,
    };
    let policy = (HALF_UPTIME.make)(&context).unwrap();
    // The default market's gang mean uptime is 4 h: a checkpoint every 2 h of training.
    assert_eq!(mean_uptime, Some(14_400.0));
    assert_eq!(policy.interval_seconds(), 7200.0);
    assert_eq!(policy.name(), "half-uptime");
    assert!(spotsim::policy::checkpoint_registry::checkpoint("half-uptime").is_none());
    // Without a market M it says which key is at fault.
    let without_market = CheckpointContext {
        mean_uptime_seconds: None,
        ..context
    };
    assert_eq!(
        (HALF_UPTIME.make)(&without_market).unwrap_err().key,
        "policy"
    );

    let options = RunOptions {
        trials: 2000,
        ..RunOptions::from_scenario(&scenario)
    };
    let every_30_minutes = simulate(&scenario, &options);
    scenario.checkpoint.policy = policy;
    let custom = simulate(&scenario, &options);
    // The engine runs it as any periodic policy: trial for trial the same as `interval` at
    // 2 h (common random numbers).
    scenario.checkpoint.policy = CheckpointPolicy::Interval {
        interval_seconds: 7200.0,
    };
    let interval = simulate(&scenario, &options);
    assert_eq!(custom.metrics.cost_usd.mean, interval.metrics.cost_usd.mean);
    assert_eq!(
        custom.metrics.wall_clock_seconds.mean,
        interval.metrics.wall_clock_seconds.mean
    );
    // Checkpoints four times sparser than the scenario's 30 min lose more work per interruption.
    assert!(
        custom.metrics.lost_training_seconds.mean
            > every_30_minutes.metrics.lost_training_seconds.mean
    );
}
