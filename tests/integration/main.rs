//! Integration tests: one test binary, one module per concern.

mod accepted;
mod architecture;
mod aws_inputs;
mod backtest;
mod bench;
mod calibrate;
mod cli;
mod closed_forms;
mod common;
mod corpus;
mod correlation;
mod deadline;
mod determinism;
#[cfg(unix)]
mod files;
mod fit;
mod fuzz;
mod golden;
mod interrupt;
mod lean_loop;
mod lifecycle;
mod markets;
mod plan;
mod plan_answers;
mod policies;
mod properties;
mod real_inputs;
mod recipes;
mod replay;
mod report;
mod sagemaker;
mod scale;
mod shell;
mod tick;
mod tick_clock;
mod validation;
