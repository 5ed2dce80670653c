//! SageMaker's vocabulary: statuses, their messages, DescribeTrainingJob, billing rules.

pub mod billing;
pub mod describe;
pub mod history;
pub mod sdk_log;
pub mod status;
pub mod time;
pub mod timeline;

pub use status::{PrimaryStatus, SecondaryStatus};
