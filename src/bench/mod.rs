//! Policy regression benchmarks: a fixed suite of scenarios × policies (× parameter variants),
//! run deterministically with common random numbers, summarised with confidence intervals and
//! compared with a saved baseline.
//!
//! - [`manifest`]: the suite manifest (TOML) and its resolved cells;
//! - [`results`]: running the cells and the per-cell statistics a baseline keeps;
//! - [`compare`]: the regression rule (two-sample tests at 99 % plus practical floors).
//!
//! Their tables, CSV and Markdown are rendered by [`crate::report::bench`].
//!
//! ```no_run
//! use spotsim::bench::{Suite, compare, run_suite};
//! use std::path::Path;
//!
//! let suite = Suite::load(Path::new("benches/policies/suite.toml")).unwrap();
//! let current = run_suite(&suite, None);
//! let baseline = compare::read_baseline(Path::new("benches/policies/baseline.json")).unwrap();
//! let diff = compare::compare("baseline.json", &baseline, &current, &suite.thresholds);
//! assert_eq!(diff.regressions().count(), 0);
//! ```

pub mod compare;
pub mod manifest;
pub mod results;

pub use compare::{Comparison, MetricDiff, Verdict};
pub use manifest::{Cell, Suite, Thresholds};
pub use results::{CellResult, SuiteResults, run_cell, run_suite, run_suite_until};
