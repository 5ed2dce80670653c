//! Bounds on what spotsim accepts. Each is far beyond any real value — its purpose is to turn
//! a typo or an overflow attempt into a clear error instead of a number nobody meant.

/// The longest duration spotsim accepts anywhere (ten years): longer values are typos or
/// overflow attempts, and would make sums of held time lose their seconds.
pub const MAX_DURATION_SECONDS: f64 = 10.0 * 365.25 * 86_400.0;

/// The highest price per instance-hour spotsim accepts (USD): above it a price is a typo (the
/// largest GPU instances cost tens of dollars an hour).
pub const MAX_PRICE_PER_HOUR: f64 = 100_000.0;

/// Most trials one run accepts.
pub const MAX_TRIALS: u64 = 1_000_000_000_000;
