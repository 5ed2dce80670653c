//! # spotsim — SageMaker Managed Spot Training, simulated
//!
//! spotsim answers the questions people ask before they turn on
//! `EnableManagedSpotTraining`: will the job finish within `MaxWaitTimeInSeconds`, how often
//! is it stopped as `MaxWaitTimeExceeded`, and what does it really save? It simulates one
//! training job through the lifecycle AWS documents — Starting, Downloading, Training (with
//! checkpoints), Uploading, Interrupted and back to Starting, Stopping and Stopped — against a
//! model of spot capacity, and repeats that for many Monte Carlo trials.
//!
//! ## A scenario, one trial, a summary
//!
//! ```
//! use spotsim::{Engine, Scenario, Simulator};
//!
//! let scenario = Scenario::from_toml(r#"
//!     [job]
//!     managed_spot = true
//!     max_runtime = "24h"
//!     max_wait = "36h"
//!     checkpoint_s3_uri = "s3://bucket/checkpoints"
//!
//!     [workload]
//!     training = "12h"
//!     provisioning = "3m"
//!     download = "2m"
//!
//!     [checkpoint]
//!     policy = "interval"
//!     interval = "30m"
//!     write = "40s"
//!     restore = "1m"
//!
//!     [market]
//!     model = "exponential"
//!     mean_uptime = "6h"
//!     mean_capacity_wait = "10m"
//!
//!     [pricing]
//!     on_demand_per_hour = 3.825
//!     spot_discount = 0.7
//!
//!     [simulation]
//!     trials = 2000
//!     seed = 7
//! "#, "example.toml", "example").unwrap();
//!
//! // One trial, with its DescribeTrainingJob-style status timeline.
//! let engine = Engine::new(&scenario);
//! let (outcome, timeline) = engine.run_with_timeline(0);
//! assert_eq!(timeline.transitions[0].status.as_str(), "Starting");
//! assert!(outcome.training_time_seconds >= 12.0 * 3600.0 || outcome.outcome != spotsim::Outcome::Completed);
//!
//! // Many trials, in parallel; the result does not depend on the thread count.
//! let summary = spotsim::montecarlo::simulate(&scenario, &spotsim::montecarlo::RunOptions::from_scenario(&scenario));
//! let p = summary.probability(spotsim::Outcome::Completed);
//! assert!(p > 0.9 && p <= 1.0);
//! ```
//!
//! ## Markets
//!
//! A scenario's `[market]` is a capacity model ([`market::Market`]): asked at an instant, it
//! says when capacity comes and when it is reclaimed, drawing from the trial's own random
//! streams, so trial k sees the same market whatever else runs.
//!
//! ```
//! use spotsim::market::MarketState;
//! use spotsim::random::TrialRng;
//!
//! let scenario = spotsim::Scenario::embedded_default();
//! let market = &scenario.market.as_ref().expect("the default is a spot job").model;
//! let (mut state, mut rng) = (MarketState::default(), TrialRng::new(7, 0));
//! let capacity = market.next_capacity(0.0, &mut state, &mut rng).unwrap();
//! assert!(capacity.acquired_seconds >= 0.0);
//! assert!(capacity.lost_seconds > capacity.acquired_seconds);
//! ```
//!
//! ## Policies
//!
//! `[policy] name` is looked up in one registry for both clocks
//! ([`policy::registry`]); a scenario's [`scenario::Clock`] holds the choice. A policy of your
//! own goes straight into a scenario:
//!
//! ```
//! use spotsim::policy::registry::{self, ClockKind};
//! use spotsim::policy::{DecisionPoint, Placement, SchedulingPolicy};
//! use spotsim::scenario::Clock;
//! use spotsim::{Engine, Simulator};
//! use std::sync::Arc;
//!
//! assert!(registry::names(ClockKind::Tick).contains(&"omniscient"));
//!
//! /// On-demand after the second interruption.
//! #[derive(Debug)]
//! struct TwoStrikes;
//! impl SchedulingPolicy for TwoStrikes {
//!     fn name(&self) -> &str { "two-strikes" }
//!     fn place(&self, point: &DecisionPoint) -> Placement {
//!         if point.interruptions >= 2 { Placement::OnDemand } else { Placement::Spot }
//!     }
//! }
//!
//! let mut scenario = spotsim::Scenario::embedded_default();
//! scenario.clock = Clock::Continuous(Arc::new(TwoStrikes));
//! let outcome = Engine::new(&scenario).run(3);
//! assert!(outcome.interruptions <= 2);
//! ```
//!
//! ## The planner
//!
//! [`plan::plan`] runs the same trials at every MaxWait of a grid and recommends the smallest
//! whose completion probability (its lower 95 % bound) reaches the target.
//!
//! ```
//! use spotsim::plan::{PlanOptions, plan};
//!
//! let scenario = spotsim::Scenario::embedded_default();
//! let mut options = PlanOptions::from_scenario(&scenario);
//! options.trials = 400;
//! options.grid.points = Some(5);
//! options.advise = false;
//! options.detail = false;
//! let planned = plan(&scenario, &options, None).unwrap();
//! // Five evenly spaced points from MaxRuntime (AWS's smallest MaxWait), and the scenario's
//! // own MaxWait so that the report can say how it fares.
//! assert_eq!(planned.points.len(), 6);
//! assert_eq!(planned.points[0].max_wait_seconds, scenario.job.max_runtime_seconds);
//! // MaxWait only cuts trials short: completion never falls as MaxWait grows.
//! let p: Vec<f64> = planned.points.iter().map(|x| x.completed.probability).collect();
//! assert!(p.windows(2).all(|w| w[0] <= w[1]));
//! ```
//!
//! Data flows one way, bottom to top: foundation ([`error`], [`units`], [`random`], [`stats`],
//! [`sagemaker`], [`files`], [`data`]) → models ([`market`], [`policy`], [`tick`]) →
//! [`scenario`] → [`engine`] → [`montecarlo`] and [`fit`] → [`plan`] and [`bench`] →
//! [`report`] → [`cli`]; README's "How it is built" has the table, and a test keeps it true.

#![warn(missing_docs, missing_debug_implementations)]

pub mod backtest;
pub mod bench;
pub mod cli;
pub mod data;
pub mod engine;
pub mod error;
pub mod files;
pub mod fit;
pub mod market;
pub mod montecarlo;
pub mod plan;
pub mod policy;
pub mod random;
pub mod report;
pub mod sagemaker;
pub mod scenario;
pub mod stats;
pub mod tick;
pub mod units;

pub use engine::{Engine, Outcome, Simulator, Timeline, TrialLimits, TrialOutcome};
pub use error::InputError;
pub use scenario::Scenario;
