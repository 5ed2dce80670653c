//! The engine: one trial in, one outcome (and, when asked, its status timeline) out.
//!
//! [`continuous`] is the event loop of the continuous clock, which finds the first of
//! completion, MaxWait, MaxRuntime or a loss of capacity arithmetically per attempt;
//! [`tick_clock`] runs the tick clock's reference simulator on windows of a trace. Both report
//! the same [`TrialOutcome`] and status transitions to a [`Recorder`].

mod attempt;
pub mod continuous;
mod outcome;
pub mod tick_clock;
pub mod timeline;

pub use continuous::Engine;
pub use outcome::{Outcome, TrialLimits, TrialOutcome};
pub use timeline::{HeldPeriod, NoTimeline, Recorder, Timeline, Transition};
