//! Standard output: everything spotsim prints goes through [`print`] (a test keeps `print!`
//! and `println!` out of `src/`).
//!
//! Rust ignores SIGPIPE, so a reader that stops early (`spotsim validate … | head -3`) makes
//! the next write fail with EPIPE instead of ending the process. That is not an error of
//! spotsim's: like other Unix tools it then stops quietly, with no message and exit status
//! 141 — what a shell reports for a process ended by SIGPIPE (128 + 13), so that
//! `set -o pipefail` scripts see the same status as with `cat` or `seq`. The same holds for a
//! per-trial FIFO whose reader went away. Files already committed stay written.

use std::io::Write;

/// The exit status after a broken pipe: 128 + SIGPIPE (13).
pub const BROKEN_PIPE_EXIT: u8 = 141;

/// Writes `text` (UTF-8 text, or bytes such as a roff page) to standard output and flushes it.
pub(crate) fn print(text: impl AsRef<[u8]>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_ref())
        .and_then(|()| out.flush())
        .map_err(|e| anyhow::Error::new(e).context("could not write to standard output"))
}

/// Whether `error` comes from a pipe whose reader went away.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
