//! Integration tests: one test binary, one module per concern.

mod aws_inputs;
mod bench;
mod cli;
mod closed_forms;
mod common;
mod corpus;
mod determinism;
mod fit;
mod fuzz;
mod interrupt;
mod lean_loop;
mod lifecycle;
mod markets;
mod plan;
mod policies;
mod properties;
mod real_inputs;
mod replay;
mod report;
mod sagemaker;
mod scale;
mod tick;
mod tick_clock;
mod validation;
