//! Files: the one door every input comes in by.
//!
//! spotsim runs next to files that matter more than its reports — the trace being replayed,
//! the scenario someone wrote by hand, `/dev/null` — and inside batch systems that stop jobs
//! with SIGTERM and fill disks. Everything it reads or writes therefore goes through this
//! module, so that a few rules hold everywhere instead of wherever someone remembered them:
//!
//! - [`input`]: inputs are read only from regular files (a FIFO would block forever, a device
//!   such as `/dev/zero` never ends), never beyond a documented size ([`input::InputKind`]),
//!   and each one read is remembered by its identity (device and inode).

pub mod input;
