//! `TrainingJobStatus` and `SecondaryStatus`, with the messages AWS prints (reference §1–2).

use serde::Serialize;

/// `TrainingJobStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum PrimaryStatus {
    /// Starting … Uploading.
    InProgress,
    /// Finished uploading.
    Completed,
    /// A failure other than a stop.
    Failed,
    /// Stopping.
    Stopping,
    /// Stopped (MaxWait, MaxRuntime or a user stop).
    Stopped,
}

impl PrimaryStatus {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "InProgress",
            Self::Completed => "Completed",
            Self::Failed => "Failed",
            Self::Stopping => "Stopping",
            Self::Stopped => "Stopped",
        }
    }
}

/// `SecondaryStatus` values a simulated job passes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SecondaryStatus {
    /// Waiting for capacity, shown only with `show_capacity_wait_as = "Pending"`.
    Pending,
    /// Waiting for capacity and provisioning.
    Starting,
    /// Downloading input data (and restoring a checkpoint).
    Downloading,
    /// Training (checkpoint writes included).
    Training,
    /// Spot capacity reclaimed (instantaneous).
    Interrupted,
    /// Uploading the model.
    Uploading,
    /// Stopping before Stopped.
    Stopping,
    /// Stopped by the user (not simulated yet, listed for completeness).
    Stopped,
    /// Stopped by MaxWaitTimeInSeconds.
    MaxWaitTimeExceeded,
    /// Stopped by MaxRuntimeInSeconds.
    MaxRuntimeExceeded,
    /// Done.
    Completed,
    /// Failed.
    Failed,
}

/// `Starting` while capacity is being acquired and provisioned.
pub const MESSAGE_PREPARING: &str = "Preparing the instances for training";
/// `Starting`/`Pending` while EC2 has no spot capacity.
pub const MESSAGE_INSUFFICIENT_CAPACITY: &str =
    "Insufficient capacity error from EC2 while launching instances, retrying!";

/// `Starting` again after an `InternalServerError`, with a RetryStrategy attempt left.
pub const MESSAGE_RETRYING: &str =
    "Retrying the training job after an internal server error (RetryStrategy)";
/// `FailureReason` of a job whose RetryStrategy attempts are exhausted (or that has none).
pub const FAILURE_REASON_INTERNAL_ERROR: &str =
    "InternalServerError: We encountered an internal error. Please try again.";
/// The `Failed` transition's message for that job.
pub const MESSAGE_INTERNAL_ERROR_FAILED: &str =
    "Training job failed. InternalServerError: We encountered an internal error. Please try again.";

impl SecondaryStatus {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Starting => "Starting",
            Self::Downloading => "Downloading",
            Self::Training => "Training",
            Self::Interrupted => "Interrupted",
            Self::Uploading => "Uploading",
            Self::Stopping => "Stopping",
            Self::Stopped => "Stopped",
            Self::MaxWaitTimeExceeded => "MaxWaitTimeExceeded",
            Self::MaxRuntimeExceeded => "MaxRuntimeExceeded",
            Self::Completed => "Completed",
            Self::Failed => "Failed",
        }
    }

    /// The `TrainingJobStatus` this secondary status belongs to (reference §1).
    pub fn primary(self) -> PrimaryStatus {
        match self {
            Self::Pending
            | Self::Starting
            | Self::Downloading
            | Self::Training
            | Self::Interrupted
            | Self::Uploading => PrimaryStatus::InProgress,
            Self::Stopping => PrimaryStatus::Stopping,
            Self::Stopped | Self::MaxWaitTimeExceeded | Self::MaxRuntimeExceeded => {
                PrimaryStatus::Stopped
            }
            Self::Completed => PrimaryStatus::Completed,
            Self::Failed => PrimaryStatus::Failed,
        }
    }

    /// The status message AWS prints, or the API's enum description where AWS prints none.
    pub fn default_message(self) -> &'static str {
        match self {
            Self::Pending => MESSAGE_INSUFFICIENT_CAPACITY,
            Self::Starting => MESSAGE_PREPARING,
            Self::Downloading => "Downloading input data",
            Self::Training => "Training image download completed. Training in progress.",
            Self::Interrupted => {
                "The job stopped because the managed spot training instances were interrupted."
            }
            Self::Uploading => "Uploading generated training model",
            Self::Stopping => "Stopping the training job",
            Self::Stopped => "Training job stopped",
            Self::MaxWaitTimeExceeded => {
                "The job stopped because it exceeded the maximum allowed wait time."
            }
            Self::MaxRuntimeExceeded => {
                "The job stopped because it exceeded the maximum allowed runtime."
            }
            Self::Completed => "Training job completed",
            Self::Failed => "Training job failed",
        }
    }

    /// Whether the job ends in this status.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Stopped
                | Self::MaxWaitTimeExceeded
                | Self::MaxRuntimeExceeded
                | Self::Completed
                | Self::Failed
        )
    }
}
