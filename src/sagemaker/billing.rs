//! Billing rules (reference §4): what held instances cost, `TrainingTimeInSeconds`,
//! `BillableTimeInSeconds`, and AWS's savings formula.
//!
//! The one place where held periods and prices become money and billable seconds: both clocks
//! and the planner's sweep call these functions, so a trial and the planner's reading of the
//! same trial agree to the bit. A held period priced per second is carried as its price
//! integral, `price_seconds` = ∫ price dt (USD·s/h per instance): divided by 3600 it is USD per
//! instance, divided by the on-demand price it is on-demand-equivalent (billable) seconds —
//! SageMaker bills managed spot as on-demand time after the spot discount.

/// Money for held time whose price integral is `price_seconds` (USD·s/h per instance), on
/// `instances` instances, in USD.
#[inline]
pub fn cost_usd(price_seconds: f64, instances: f64) -> f64 {
    price_seconds * instances / 3600.0
}

/// Billable (on-demand-equivalent) seconds of held time whose price integral is
/// `price_seconds`: the exact value behind `BillableTimeInSeconds`.
#[inline]
pub fn billable_seconds(price_seconds: f64, on_demand_per_hour: f64) -> f64 {
    price_seconds / on_demand_per_hour
}

/// Billable seconds of a bill of `usd_per_instance` (a clock that bills per tick in USD).
#[inline]
pub fn billable_seconds_of_usd(usd_per_instance: f64, on_demand_per_hour: f64) -> f64 {
    usd_per_instance / on_demand_per_hour * 3600.0
}

/// Money for one tick of `tick_seconds` held at `per_hour` USD per instance-hour, per
/// instance: the tick clock bills every held tick in full at its price (`price·gap/3600`,
/// Can't Be Late spec §8).
#[inline]
pub fn tick_usd(per_hour: f64, tick_seconds: f64) -> f64 {
    per_hour * tick_seconds / 3600.0
}

/// Money for `held_seconds` on on-demand capacity at `per_hour` USD per instance-hour, on
/// `instances` instances.
#[inline]
pub fn on_demand_usd(held_seconds: f64, per_hour: f64, instances: f64) -> f64 {
    held_seconds * per_hour * instances / 3600.0
}

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
    fn held_time_adds_up_to_money_and_billable_seconds() {
        // 2 h at $1.1475/h (70 % off $3.825/h) on 4 instances: $9.18; billable 0.6 × 2 h.
        let price_seconds = 1.1475 * 7200.0;
        assert!((cost_usd(price_seconds, 4.0) - 9.18).abs() < 1e-12);
        assert!((billable_seconds(price_seconds, 3.825) - 2160.0).abs() < 1e-9);
        assert!((billable_seconds_of_usd(1.1475 * 2.0, 3.825) - 2160.0).abs() < 1e-9);
        assert!((on_demand_usd(7200.0, 3.825, 4.0) - 30.6).abs() < 1e-12);
        // A 600 s tick at $3/h: $0.50.
        assert_eq!(tick_usd(3.0, 600.0), 0.5);
    }

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
