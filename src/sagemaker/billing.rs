//! Billing rules (reference §4): `TrainingTimeInSeconds`, `BillableTimeInSeconds`, and AWS's
//! savings formula.

/// Seconds as DescribeTrainingJob reports them: rounded to the nearest whole second, at least
/// 1 when any instance was held, absent when none was.
pub fn reported_seconds(exact_seconds: f64, instance_held: bool) -> Option<u64> {
    instance_held.then(|| (exact_seconds.round() as u64).max(1))
}

/// AWS's savings formula: `(1 − BillableTimeInSeconds / TrainingTimeInSeconds) × 100`.
/// Example from the AWS guide: billable 100, training 500 → 80 %.
pub fn aws_savings_percent(training_time_in_seconds: u64, billable_time_in_seconds: u64) -> f64 {
    if training_time_in_seconds == 0 {
        return 0.0;
    }
    (1.0 - billable_time_in_seconds as f64 / training_time_in_seconds as f64) * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_guide_example() {
        assert_eq!(aws_savings_percent(500, 100), 80.0);
    }

    #[test]
    fn rounding_and_minimum() {
        assert_eq!(reported_seconds(0.2, true), Some(1));
        assert_eq!(reported_seconds(10.5, true), Some(11));
        assert_eq!(reported_seconds(10.49, true), Some(10));
        assert_eq!(reported_seconds(0.0, false), None);
    }
}
