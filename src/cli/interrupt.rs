//! Ctrl-C: the first SIGINT asks a long run to stop cleanly at the next wave boundary (reports
//! are then not written, so nothing half-done is left); a second one ends the process at once.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

static FLAG: AtomicBool = AtomicBool::new(false);
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// The flag a run watches; installs the SIGINT handler on first use.
pub fn flag() -> &'static AtomicBool {
    INSTALLED.get_or_init(|| {
        ctrlc::set_handler(|| {
            if FLAG.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!(
                "\ninterrupted: stopping at the next block boundary (Ctrl-C again to quit at once)"
            );
        })
        .is_ok()
    });
    &FLAG
}

/// A run stopped by SIGINT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "interrupted after {completed} of {requested} trials; no report or per-trial file was written"
)]
pub struct Interrupted {
    /// Trials completed.
    pub completed: u64,
    /// Trials asked for.
    pub requested: u64,
}
