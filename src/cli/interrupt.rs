//! Signals: SIGINT (Ctrl-C), SIGTERM (what Slurm and Kubernetes send before SIGKILL) and
//! SIGHUP stop spotsim the same way.
//!
//! A command that runs long (simulate, plan, bench, merge) *watches* ([`flag`]): the first
//! signal sets a flag that its runs check before every trial — a relaxed load, so the hot path
//! stays free of locks and system calls — and before any output is committed; the run then
//! stops within one trial, writes nothing and exits with 128 + the signal's number (130 for
//! SIGINT, 143 for SIGTERM, 129 for SIGHUP). A run still going [`STOP_GRACE_SECONDS`] after the
//! signal (one trial can take minutes) is ended at once. A second signal, or the first one
//! during a command that does not watch (validate, describe, fit), ends the process at once,
//! after removing the temporary files and staging folders of outputs being written. A signal
//! that was ignored when spotsim started (`nohup`) stays ignored.
//!
//! The handler itself only writes the signal's number into a pipe (`write` is
//! async-signal-safe); a thread reads the pipe and does the rest.

use crate::files::output::exit_removing_temporaries;
use std::io::IsTerminal;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// A signal that stops spotsim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGHUP (1): the terminal went away.
    Hangup,
    /// SIGINT (2): Ctrl-C.
    Interrupt,
    /// SIGTERM (15): a batch system or `kill` asks to stop.
    Terminate,
}

impl Signal {
    /// The POSIX signal number.
    pub fn number(self) -> i32 {
        match self {
            Self::Hangup => 1,
            Self::Interrupt => 2,
            Self::Terminate => 15,
        }
    }

    /// The signal of POSIX number `number`, if it is one spotsim handles.
    pub fn from_number(number: i32) -> Option<Self> {
        [Self::Hangup, Self::Interrupt, Self::Terminate]
            .into_iter()
            .find(|s| s.number() == number)
    }

    /// Its name, e.g. "SIGTERM".
    pub fn name(self) -> &'static str {
        match self {
            Self::Hangup => "SIGHUP",
            Self::Interrupt => "SIGINT",
            Self::Terminate => "SIGTERM",
        }
    }

    /// The exit status of a process it stopped: 128 + its number, as shells report it.
    pub fn exit_code(self) -> u8 {
        128 + self.number() as u8
    }
}

/// Set by the first signal.
static STOP: AtomicBool = AtomicBool::new(false);
/// The number of the first signal (0 before one arrives).
static RECEIVED: AtomicI32 = AtomicI32::new(0);
/// Whether the running command checks [`STOP`].
static WATCHED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// Installs the handlers (once per process); until a command calls [`flag`], a signal ends
/// the process at once.
pub fn install() {
    INSTALL.call_once(|| platform::install(on_signal));
}

/// The flag a long run checks before every trial. Calling it declares that the command watches:
/// from now on the first signal only sets the flag.
pub fn flag() -> &'static AtomicBool {
    install();
    WATCHED.store(true, Ordering::SeqCst);
    &STOP
}

/// The signal that asked to stop, if one did.
pub fn received() -> Option<Signal> {
    if !STOP.load(Ordering::SeqCst) {
        return None;
    }
    Some(Signal::from_number(RECEIVED.load(Ordering::SeqCst)).unwrap_or(Signal::Interrupt))
}

/// `Err` once a signal asked to stop: what commands check before committing any output.
pub fn check() -> Result<(), Interrupted> {
    match received() {
        None => Ok(()),
        Some(_) => Err(stopped()),
    }
}

/// The error of a command a signal stopped (before or between its runs).
pub fn stopped() -> Interrupted {
    Interrupted {
        signal: received().unwrap_or(Signal::Interrupt),
        trials: None,
    }
}

/// What the signal thread does with signal `number`.
fn on_signal(number: i32) {
    let Some(signal) = Signal::from_number(number) else {
        return;
    };
    let first = !STOP.swap(true, Ordering::SeqCst);
    if first {
        RECEIVED.store(number, Ordering::SeqCst);
        if WATCHED.load(Ordering::SeqCst) {
            if std::io::stderr().is_terminal() {
                eprintln!(
                    "\n{}: stopping after the trials running now ({} again to quit at once)",
                    signal.name(),
                    if signal == Signal::Interrupt {
                        "Ctrl-C"
                    } else {
                        "the signal"
                    }
                );
            }
            watchdog(signal);
            return;
        }
        eprintln!(
            "Error: interrupted ({}); no file was written",
            signal.name()
        );
    } else {
        eprintln!(
            "Error: interrupted again ({}): quit at once; no report, partial or per-trial file was written",
            signal.name()
        );
    }
    exit_removing_temporaries(i32::from(signal.exit_code()))
}

/// How long a watching command may take to stop after the first signal before it is ended at
/// once: well inside the 30 s that Kubernetes (`terminationGracePeriodSeconds`) and Slurm
/// (`KillWait`) wait before SIGKILL, which would leave temporary files behind.
pub const STOP_GRACE_SECONDS: u64 = 10;

/// Ends the process [`STOP_GRACE_SECONDS`] after `signal` if it is still running then. Runs stop
/// before their next trial, but a single trial can take minutes (a year of MaxWait on a market
/// that loses capacity every millisecond): the signal must not wait for it.
fn watchdog(signal: Signal) {
    let spawned = std::thread::Builder::new()
        .name("stop-watchdog".into())
        .spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(STOP_GRACE_SECONDS));
            eprintln!(
                "Error: interrupted ({}) and not stopped within {STOP_GRACE_SECONDS} s (a trial still running): quit at once; no report, partial or per-trial file was written",
                signal.name()
            );
            exit_removing_temporaries(i32::from(signal.exit_code()))
        });
    // Without a thread, a second signal still ends the process at once.
    drop(spawned);
}

/// A run stopped by a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted {
    /// The signal.
    pub signal: Signal,
    /// Trials completed and trials asked for, when a run of trials was stopped.
    pub trials: Option<(u64, u64)>,
}

impl Interrupted {
    /// Stopped by the signal received, after `completed` of `requested` trials.
    pub fn after(completed: u64, requested: u64) -> Self {
        Self {
            signal: received().unwrap_or(Signal::Interrupt),
            trials: Some((completed, requested)),
        }
    }
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.trials {
            Some((completed, requested)) => write!(
                f,
                "interrupted after {completed} of {requested} trials ({}); no report, partial or per-trial file was written",
                self.signal.name()
            ),
            None => write!(
                f,
                "interrupted ({}); no report, partial or per-trial file was written",
                self.signal.name()
            ),
        }
    }
}

impl std::error::Error for Interrupted {}

#[cfg(unix)]
mod platform {
    use std::sync::atomic::{AtomicI32, Ordering};

    /// The write end of the pipe the handler writes signal numbers into.
    static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

    /// The calling thread's errno, which the handler must leave as it found it (`None` where
    /// spotsim does not know how to reach it).
    fn errno() -> Option<*mut libc::c_int> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        // SAFETY: returns the calling thread's errno slot; async-signal-safe.
        return Some(unsafe { libc::__errno_location() });
        #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
        // SAFETY: as above.
        return Some(unsafe { libc::__error() });
        #[allow(unreachable_code)]
        None
    }

    extern "C" fn handle(signal: libc::c_int) {
        let slot = errno();
        // SAFETY: reading this thread's errno.
        let saved = slot.map(|errno| unsafe { *errno });
        let byte = signal as u8;
        // SAFETY: write(2) is async-signal-safe; the pipe is non-blocking, so a full pipe (a
        // storm of signals) drops the byte instead of blocking the thread.
        unsafe {
            libc::write(
                PIPE_WRITE.load(Ordering::Relaxed),
                (&raw const byte).cast(),
                1,
            );
        }
        if let (Some(errno), Some(saved)) = (slot, saved) {
            // SAFETY: restoring this thread's errno.
            unsafe { *errno = saved };
        }
    }

    pub(super) fn install(on_signal: fn(i32)) {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: `fds` has room for the two descriptors pipe(2) returns.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return;
        }
        // SAFETY: fcntl on descriptors this function owns.
        unsafe {
            for fd in fds {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
            let flags = libc::fcntl(fds[1], libc::F_GETFL);
            libc::fcntl(fds[1], libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
        PIPE_WRITE.store(fds[1], Ordering::Relaxed);
        let read_end = fds[0];
        let watcher = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                loop {
                    let mut byte = 0u8;
                    // SAFETY: reads one byte into `byte` from the pipe this thread owns.
                    let n = unsafe { libc::read(read_end, (&raw mut byte).cast(), 1) };
                    if n == 1 {
                        on_signal(i32::from(byte));
                    } else if n < 0
                        && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
                    {
                        continue;
                    } else {
                        return;
                    }
                }
            });
        if watcher.is_err() {
            return;
        }
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: sigaction with zero-initialised structs (a valid empty state) and a
            // handler that only calls async-signal-safe functions.
            unsafe {
                let mut previous: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut previous) != 0
                    || previous.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handle as extern "C" fn(libc::c_int) as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(not(unix))]
mod platform {
    /// Ctrl-C only (reported as SIGINT).
    pub(super) fn install(on_signal: fn(i32)) {
        let _ = ctrlc::set_handler(move || on_signal(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_128_plus_the_signal_number() {
        assert_eq!(Signal::Interrupt.exit_code(), 130);
        assert_eq!(Signal::Terminate.exit_code(), 143);
        assert_eq!(Signal::Hangup.exit_code(), 129);
        for signal in [Signal::Hangup, Signal::Interrupt, Signal::Terminate] {
            assert_eq!(Signal::from_number(signal.number()), Some(signal));
        }
        assert_eq!(Signal::from_number(9), None);
    }
}
