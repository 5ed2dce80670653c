//! Files: the one door every input comes in by and every output goes out by.
//!
//! spotsim runs next to files that matter more than its reports — the trace being replayed,
//! the scenario someone wrote by hand, `/dev/null` — and inside batch systems that stop jobs
//! with SIGTERM and fill disks. Everything it reads or writes therefore goes through this
//! module, so that a few rules hold everywhere instead of wherever someone remembered them:
//!
//! - [`input`]: inputs are read only from regular files (a FIFO would block forever, a device
//!   such as `/dev/zero` never ends), never beyond a documented size ([`input::InputKind`]),
//!   and each one read is remembered by its identity (device and inode);
//! - [`output`]: no output may be one of those inputs (compared by device and inode, so
//!   symlinks and hard links count); a file is replaced by a temporary file renamed over its
//!   real target (symlinks resolved first), or written straight through when the target is
//!   not a regular file (a device, a FIFO, the process's own stdout); a report folder is
//!   written into a staging folder and its files renamed into place together, all or nothing;
//!   temporary files are listed so that a signal handler can remove them.

pub mod input;
pub mod output;
