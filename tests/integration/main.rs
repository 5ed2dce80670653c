//! Integration tests: one test binary, one module per concern.

mod cli;
mod closed_forms;
mod common;
mod corpus;
mod determinism;
mod fit;
mod lean_loop;
mod lifecycle;
mod markets;
mod plan;
mod policies;
mod replay;
mod report;
mod scale;
mod tick;
mod tick_clock;
mod validation;
