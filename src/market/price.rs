//! Spot prices: constant, or a step function of time — per-tick prices aligned with a replayed
//! trace, or the history `aws ec2 describe-spot-price-history` prints. Billing integrates the
//! price exactly over the seconds an instance is held. Reading price files is
//! [`super::price_reading`]'s.

use crate::error::excerpt;
use crate::units::limits::MAX_PRICE_PER_HOUR;
use std::sync::Arc;

/// How a price series is placed on a trial's clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PriceAnchor {
    /// Series time = trial time + the trial's offset into the replayed trace (per-tick prices).
    TraceOffset,
    /// Series time = trial time + this many seconds (price history: CreationTime is
    /// `start_time`, that many seconds after the first price).
    CreationTime(f64),
}

/// A piecewise-constant price: `prices[i]` USD/h from `times[i]` until `times[i+1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceSteps {
    times: Vec<f64>,
    prices: Vec<f64>,
    /// ∫ price dt from `times[0]` to `times[i]`, in USD·s/h.
    cumulative: Vec<f64>,
    /// The first price that is negative or not finite, if any: found once here, so that a
    /// caller that checks the series per trial (the tick clock, once per window) reads it
    /// instead of scanning every step again.
    first_invalid_price: Option<f64>,
    /// Repeat with this period (a wrapped trace), if any.
    period: Option<f64>,
    anchor: PriceAnchor,
}

impl PriceSteps {
    /// A step function from sorted `times` (first 0) and `prices`.
    pub fn new(
        times: Vec<f64>,
        prices: Vec<f64>,
        period: Option<f64>,
        anchor: PriceAnchor,
    ) -> Self {
        let mut cumulative = Vec::with_capacity(times.len());
        let mut total = 0.0;
        for i in 0..times.len() {
            cumulative.push(total);
            if let Some(next) = times.get(i + 1) {
                total += prices[i] * (next - times[i]);
            }
        }
        let first_invalid_price = prices.iter().copied().find(|p| !p.is_finite() || *p < 0.0);
        Self {
            times,
            prices,
            cumulative,
            first_invalid_price,
            period,
            anchor,
        }
    }

    /// ∫ price dt over trial time [from, to] ([`SpotPrice::integral`] of a series).
    #[inline(never)]
    fn integral(&self, from: f64, to: f64, trace_offset: f64) -> f64 {
        let shift = match self.anchor {
            PriceAnchor::TraceOffset => trace_offset,
            PriceAnchor::CreationTime(seconds) => seconds,
        };
        self.antiderivative(to + shift) - self.antiderivative(from + shift)
    }

    /// ∫ price dt from series time 0 to `x` (the last price holds beyond the last step).
    fn antiderivative(&self, x: f64) -> f64 {
        if let Some(period) = self.period {
            let cycles = (x / period).floor();
            let within = x - cycles * period;
            return cycles * self.antiderivative_once(period) + self.antiderivative_once(within);
        }
        self.antiderivative_once(x)
    }

    fn antiderivative_once(&self, x: f64) -> f64 {
        let i = self.times.partition_point(|&t| t <= x).saturating_sub(1);
        self.cumulative[i] + self.prices[i] * (x - self.times[i])
    }

    /// The price of each step, USD/h.
    pub fn prices(&self) -> &[f64] {
        &self.prices
    }

    /// The first price that is negative or not finite (NaN, ±∞), if any.
    pub fn first_invalid_price(&self) -> Option<f64> {
        self.first_invalid_price
    }

    /// For a price history (anchored at CreationTime): when its last step begins, in seconds
    /// since CreationTime, and that step's price — the price assumed from then on.
    pub fn last_history_step(&self) -> Option<(f64, f64)> {
        let PriceAnchor::CreationTime(offset) = self.anchor else {
            return None;
        };
        Some((self.times.last()? - offset, *self.prices.last()?))
    }

    /// When each step starts (series time, seconds; the first is 0).
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// Lowers every price above `ceiling_per_hour` to it, and says how much of the series that
    /// was (the last step is taken to last until `end_seconds`). SageMaker managed spot never
    /// bills more than on-demand (reference §9), so a series is billed at
    /// min(price, on-demand). `None` when nothing was above.
    pub fn cap(&mut self, ceiling_per_hour: f64, end_seconds: f64) -> Option<Capped> {
        let mut capped = Capped {
            steps: 0,
            of_steps: self.prices.len(),
            time_fraction: 0.0,
            highest_per_hour: 0.0,
        };
        let mut capped_seconds = 0.0;
        for i in 0..self.prices.len() {
            if self.prices[i] <= ceiling_per_hour {
                continue;
            }
            let until = self.times.get(i + 1).copied().unwrap_or(end_seconds);
            capped.steps += 1;
            capped_seconds += (until - self.times[i]).max(0.0);
            capped.highest_per_hour = capped.highest_per_hour.max(self.prices[i]);
            self.prices[i] = ceiling_per_hour;
        }
        if capped.steps == 0 {
            return None;
        }
        let span = end_seconds - self.times[0];
        capped.time_fraction = if span > 0.0 {
            capped_seconds / span
        } else {
            capped.steps as f64 / capped.of_steps as f64
        };
        *self = Self::new(
            std::mem::take(&mut self.times),
            std::mem::take(&mut self.prices),
            self.period,
            self.anchor,
        );
        Some(capped)
    }

    /// Whether the series follows the replayed trace (per-tick prices).
    pub fn follows_trace(&self) -> bool {
        self.anchor == PriceAnchor::TraceOffset
    }

    /// Time-weighted mean price over the series.
    pub fn mean_per_hour(&self) -> f64 {
        let (Some(&first), Some(&last)) = (self.times.first(), self.times.last()) else {
            return 0.0;
        };
        if last <= first {
            return self.prices[0];
        }
        self.antiderivative_once(last) / (last - first)
    }
}

/// How much of a price series [`PriceSteps::cap`] lowered to the on-demand price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capped {
    /// Steps whose price was above on-demand.
    pub steps: usize,
    /// Steps in the series.
    pub of_steps: usize,
    /// Their share of the series' time span (0 … 1).
    pub time_fraction: f64,
    /// The highest price before capping, USD/h.
    pub highest_per_hour: f64,
}

impl Capped {
    /// The notice spotsim prints on stderr, for the series read from `file`.
    pub fn notice(&self, file: &str, on_demand_per_hour: f64) -> String {
        format!(
            "{file}: {} of {} spot prices ({:.2} % of the series' time, up to {} USD/h) are above on_demand_per_hour = {on_demand_per_hour}; they are billed at {on_demand_per_hour}, as SageMaker never bills managed spot above on-demand",
            self.steps,
            self.of_steps,
            100.0 * self.time_fraction,
            self.highest_per_hour
        )
    }
}

/// Checks a price read from input, USD per instance-hour: finite, not negative, and at most
/// [`MAX_PRICE_PER_HOUR`] (above it a price is a typo: the largest GPU instances cost tens of
/// dollars an hour).
pub fn check_price_per_hour(price: f64) -> Result<f64, String> {
    let problem = if !price.is_finite() {
        "not a finite number"
    } else if price < 0.0 {
        "a price cannot be negative"
    } else if price > MAX_PRICE_PER_HOUR {
        "above the limit of 100,000 USD per instance-hour (a typo?)"
    } else {
        return Ok(price);
    };
    Err(format!(
        "expected a price from 0 to {MAX_PRICE_PER_HOUR} USD per instance-hour, got {price}: {problem}"
    ))
}

/// A price given as a JSON number (per-tick price arrays), checked as [`check_price_per_hour`].
pub fn price_from_json(value: &serde_json::Value) -> Result<f64, String> {
    match value.as_f64() {
        Some(price) => check_price_per_hour(price),
        None => Err(format!(
            "expected a price (a number), got {}",
            excerpt(&value.to_string())
        )),
    }
}

/// The spot price of a scenario, for both clocks: the continuous clock integrates it over the
/// seconds an instance is held ([`SpotPrice::integral`]); the tick clock reads the price of a
/// trace row ([`SpotPrice::at_row`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SpotPrice {
    /// One price, USD per instance-hour.
    Constant(f64),
    /// A step function.
    Steps(Arc<PriceSteps>),
}

impl SpotPrice {
    /// One price per trace row, USD per instance-hour: `prices[i]` holds from `i·row_seconds`
    /// of the replayed trace (per-tick prices, spec §2.3 of the tick clock).
    pub fn per_row(prices: Vec<f64>, row_seconds: f64) -> Self {
        let times = (0..prices.len()).map(|i| i as f64 * row_seconds).collect();
        SpotPrice::Steps(Arc::new(PriceSteps::new(
            times,
            prices,
            None,
            PriceAnchor::TraceOffset,
        )))
    }

    /// The price of step `row` (a trace row, for a series that follows the trace), USD per
    /// instance-hour; the constant for every row; `None` past the end of the series.
    #[inline]
    pub fn at_row(&self, row: usize) -> Option<f64> {
        match self {
            SpotPrice::Constant(price) => Some(*price),
            SpotPrice::Steps(steps) => steps.prices.get(row).copied(),
        }
    }

    /// Every price the series can take, USD per instance-hour (the constant alone).
    pub fn prices(&self) -> &[f64] {
        match self {
            SpotPrice::Constant(price) => std::slice::from_ref(price),
            SpotPrice::Steps(steps) => &steps.prices,
        }
    }

    /// ∫ price dt over trial time [from, to], in USD·s/h per instance (divide by 3600 for USD).
    ///
    /// The constant case is one product, inlined into the engine's attempt loop; the series'
    /// lookups stay out of line, so that the loop does not spill its registers around a call
    /// on every attempt of a constant-price run.
    #[inline(always)]
    pub fn integral(&self, from: f64, to: f64, trace_offset: f64) -> f64 {
        match self {
            SpotPrice::Constant(price) => price * (to - from),
            SpotPrice::Steps(steps) => steps.integral(from, to, trace_offset),
        }
    }

    /// A representative price (the constant, or the time-weighted mean of the series).
    pub fn mean_per_hour(&self) -> f64 {
        match self {
            SpotPrice::Constant(price) => *price,
            SpotPrice::Steps(steps) => steps.mean_per_hour(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_of_a_stepped_price_is_exact() {
        // $1/h for 600 s, $2/h for 600 s, $4/h after.
        let steps = PriceSteps::new(
            vec![0.0, 600.0, 1200.0],
            vec![1.0, 2.0, 4.0],
            None,
            PriceAnchor::TraceOffset,
        );
        let price = SpotPrice::Steps(Arc::new(steps));
        assert_eq!(price.integral(0.0, 600.0, 0.0), 600.0);
        assert_eq!(price.integral(300.0, 900.0, 0.0), 300.0 + 600.0);
        assert_eq!(price.integral(0.0, 1500.0, 0.0), 600.0 + 1200.0 + 1200.0);
        // The trial's trace offset shifts the series.
        assert_eq!(price.integral(0.0, 300.0, 600.0), 600.0);
    }

    #[test]
    fn the_first_invalid_price_is_found_when_built_and_after_capping() {
        let steps = |prices: Vec<f64>| {
            let times = (0..prices.len()).map(|i| i as f64 * 600.0).collect();
            PriceSteps::new(times, prices, None, PriceAnchor::TraceOffset)
        };
        assert_eq!(steps(vec![0.0, 1.0, 2.0]).first_invalid_price(), None);
        assert_eq!(
            steps(vec![1.0, -2.0, f64::INFINITY]).first_invalid_price(),
            Some(-2.0)
        );
        assert!(
            steps(vec![1.0, f64::NAN])
                .first_invalid_price()
                .unwrap()
                .is_nan()
        );
        // Capping at $3/h lowers +∞ to the ceiling; the negative price stays.
        let mut capped = steps(vec![1.0, f64::INFINITY, -1.0]);
        assert!(capped.cap(3.0, 1800.0).is_some());
        assert_eq!(capped.first_invalid_price(), Some(-1.0));
        let mut capped = steps(vec![1.0, f64::INFINITY]);
        assert!(capped.cap(3.0, 1200.0).is_some());
        assert_eq!(capped.first_invalid_price(), None);
    }

    #[test]
    fn per_row_prices_are_read_by_row_and_integrated_by_time() {
        let price = SpotPrice::per_row(vec![1.0, 2.0, 4.0], 600.0);
        assert_eq!(price.at_row(1), Some(2.0));
        assert_eq!(price.at_row(3), None);
        assert_eq!(price.prices(), [1.0, 2.0, 4.0]);
        // 600 s at $1/h, 600 s at $2/h, 300 s at $4/h.
        assert_eq!(price.integral(0.0, 1500.0, 0.0), 600.0 + 1200.0 + 1200.0);
        assert_eq!(SpotPrice::Constant(0.9).at_row(7), Some(0.9));
    }

    #[test]
    fn periodic_series_repeat() {
        let steps = PriceSteps::new(
            vec![0.0, 10.0],
            vec![1.0, 3.0],
            Some(20.0),
            PriceAnchor::TraceOffset,
        );
        let price = SpotPrice::Steps(Arc::new(steps));
        assert_eq!(price.integral(0.0, 20.0, 0.0), 40.0);
        assert_eq!(price.integral(15.0, 25.0, 0.0), 15.0 + 5.0);
    }

    #[test]
    fn capping_bills_at_most_the_ceiling_and_measures_what_it_cut() {
        // $1/h for 600 s, $5/h for 300 s, $2/h for 300 s, $6/h for the last 600 s (to 1800 s).
        let mut steps = PriceSteps::new(
            vec![0.0, 600.0, 900.0, 1200.0],
            vec![1.0, 5.0, 2.0, 6.0],
            None,
            PriceAnchor::TraceOffset,
        );
        let capped = steps.cap(3.0, 1800.0).unwrap();
        assert_eq!(capped.steps, 2);
        assert_eq!(capped.of_steps, 4);
        assert_eq!(capped.time_fraction, 900.0 / 1800.0);
        assert_eq!(capped.highest_per_hour, 6.0);
        assert_eq!(steps.prices(), [1.0, 3.0, 2.0, 3.0]);
        // The integral follows the capped prices: 600·1 + 300·3 + 300·2 + 600·3.
        let price = SpotPrice::Steps(Arc::new(steps.clone()));
        assert_eq!(
            price.integral(0.0, 1800.0, 0.0),
            600.0 + 900.0 + 600.0 + 1800.0
        );
        assert!(steps.cap(3.0, 1800.0).is_none(), "nothing left above");
    }
}
