//! Integration tests: one test binary, one module per concern.

mod cli;
mod closed_forms;
mod common;
mod determinism;
mod lifecycle;
mod validation;
