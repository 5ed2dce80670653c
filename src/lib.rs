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
//! use spotsim::{Engine, Scenario};
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
//! Data flows one way: [`scenario`] → [`market`] + [`policy`] → [`engine`] → [`montecarlo`]
//! aggregates ([`stats`]) → [`report`].

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

pub use engine::{Engine, Outcome, Timeline, TrialLimits, TrialOutcome};
pub use error::InputError;
pub use scenario::Scenario;
