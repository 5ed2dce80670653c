//! Integration tests: one test binary, one module per concern.

mod cli;
mod closed_forms;
mod common;
mod determinism;
mod lean_loop;
mod lifecycle;
mod scale;
mod validation;
