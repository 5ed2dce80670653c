//! Integration tests: one test binary, one module per concern.

mod cli;
mod closed_forms;
mod common;
mod determinism;
mod fit;
mod lean_loop;
mod lifecycle;
mod markets;
mod policies;
mod replay;
mod scale;
mod tick;
mod validation;
