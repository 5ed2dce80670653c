//! SageMaker's vocabulary: statuses and their messages, timestamps, billing rules.

pub mod billing;
pub mod history;
pub mod status;
pub mod time;

pub use status::{PrimaryStatus, SecondaryStatus};
