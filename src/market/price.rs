//! Spot prices: constant, or a step function of time — per-tick prices aligned with a replayed
//! trace, or the history `aws ec2 describe-spot-price-history` prints. Billing integrates the
//! price exactly over the seconds an instance is held.

use crate::error::InputError;
use crate::sagemaker::time::parse_utc_millis;
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
        Self {
            times,
            prices,
            cumulative,
            period,
            anchor,
        }
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

    /// For a price history (anchored at CreationTime): when its last step begins, in seconds
    /// since CreationTime, and that step's price — the price assumed from then on.
    pub fn last_history_step(&self) -> Option<(f64, f64)> {
        let PriceAnchor::CreationTime(offset) = self.anchor else {
            return None;
        };
        Some((self.times.last()? - offset, *self.prices.last()?))
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

/// The spot price of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum SpotPrice {
    /// One price, USD per instance-hour.
    Constant(f64),
    /// A step function.
    Steps(Arc<PriceSteps>),
}

impl SpotPrice {
    /// ∫ price dt over trial time [from, to], in USD·s/h per instance (divide by 3600 for USD).
    #[inline]
    pub fn integral(&self, from: f64, to: f64, trace_offset: f64) -> f64 {
        match self {
            SpotPrice::Constant(price) => price * (to - from),
            SpotPrice::Steps(steps) => {
                let shift = match steps.anchor {
                    PriceAnchor::TraceOffset => trace_offset,
                    PriceAnchor::CreationTime(seconds) => seconds,
                };
                steps.antiderivative(to + shift) - steps.antiderivative(from + shift)
            }
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

/// Filters for `describe-spot-price-history` entries.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// `AvailabilityZone` to keep (required when the file has several).
    pub availability_zone: Option<String>,
    /// EC2 `InstanceType` to keep.
    pub instance_type: Option<String>,
    /// `ProductDescription` to keep.
    pub product_description: Option<String>,
}

/// Reads the JSON `aws ec2 describe-spot-price-history` prints (newest first, `Z` or `+00:00`
/// timestamps, prices as strings) into a step function anchored so that trial time 0 is
/// `creation_millis`. Each price holds from its timestamp until the next newer one; the newest
/// holds on.
pub fn load_price_history(
    file: &str,
    text: &str,
    filter: &HistoryFilter,
    creation_millis: i64,
) -> Result<PriceSteps, InputError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        InputError::new(file, format!("not valid JSON: {e}")).at_line(Some(e.line()))
    })?;
    let entries = value
        .get("SpotPriceHistory")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| {
            InputError::new(file, "expected {\"SpotPriceHistory\": [...]}")
                .at_key("SpotPriceHistory")
        })?;
    let mut points: Vec<(i64, f64)> = Vec::new();
    // Zones and products (OS) price the same instance type differently: a series that mixes
    // them is no one's price, so several of either need a choice.
    let mut zones = std::collections::BTreeSet::new();
    let mut products = std::collections::BTreeSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let key = |name: &str| format!("SpotPriceHistory[{i}].{name}");
        let field = |name: &str| -> Result<&str, InputError> {
            entry
                .get(name)
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| {
                    InputError::new(file, format!("expected the string field {name}"))
                        .at_key(key(name))
                })
        };
        let zone = field("AvailabilityZone")?;
        let instance = field("InstanceType")?;
        let product = entry
            .get("ProductDescription")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        if filter
            .instance_type
            .as_deref()
            .is_some_and(|t| t != instance)
        {
            continue;
        }
        let in_zone = filter
            .availability_zone
            .as_deref()
            .is_none_or(|z| z == zone);
        if in_zone {
            products.insert(product.to_string());
        }
        if filter
            .product_description
            .as_deref()
            .is_some_and(|p| p != product)
        {
            continue;
        }
        zones.insert(zone.to_string());
        if !in_zone {
            continue;
        }
        let millis = parse_utc_millis(field("Timestamp")?)
            .map_err(|m| InputError::new(file, m).at_key(key("Timestamp")))?;
        let price_text = field("SpotPrice")?;
        let price: f64 = price_text
            .trim()
            .parse()
            .ok()
            .filter(|p: &f64| {
                p.is_finite() && (0.0..=crate::scenario::MAX_PRICE_PER_HOUR).contains(p)
            })
            .ok_or_else(|| {
                InputError::new(file, format!("expected a price ≥ 0, got \"{price_text}\""))
                    .at_key(key("SpotPrice"))
            })?;
        points.push((millis, price));
    }
    if filter.availability_zone.is_none() && zones.len() > 1 {
        return Err(InputError::new(
            file,
            format!(
                "prices of several availability zones ({}): choose one with [pricing] availability_zone",
                zones.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if filter.product_description.is_none() && products.len() > 1 {
        return Err(InputError::new(
            file,
            format!(
                "prices of several products ({}): choose one with [pricing] product_description",
                products.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )
        .at_key("ProductDescription"));
    }
    if points.is_empty() {
        return Err(InputError::new(
            file,
            "no price entry matches the instance type, zone and product",
        ));
    }
    // The CLI prints newest first; the step function needs oldest first.
    points.sort_by_key(|&(t, _)| t);
    points.dedup_by(|later, earlier| {
        later.0 == earlier.0 && {
            earlier.1 = later.1;
            true
        }
    });
    let first = points[0].0;
    if creation_millis < first {
        return Err(InputError::new(
            file,
            format!(
                "the price history starts at {}, after the job's CreationTime {}: set start_time inside the history",
                crate::sagemaker::time::format_utc_millis(first),
                crate::sagemaker::time::format_utc_millis(creation_millis)
            ),
        ));
    }
    let times = points
        .iter()
        .map(|&(t, _)| (t - first) as f64 / 1000.0)
        .collect();
    let prices = points.iter().map(|&(_, p)| p).collect();
    Ok(PriceSteps::new(
        times,
        prices,
        None,
        PriceAnchor::CreationTime((creation_millis - first) as f64 / 1000.0),
    ))
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
    fn history_is_sorted_filtered_and_anchored() {
        let text = r#"{"SpotPriceHistory": [
            {"Timestamp": "2026-01-01T02:00:00.000Z", "InstanceType": "p3.2xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "3.000000", "AvailabilityZone": "us-east-1a"},
            {"Timestamp": "2026-01-01T01:00:00+00:00", "InstanceType": "p3.2xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "2.000000", "AvailabilityZone": "us-east-1a"},
            {"Timestamp": "2026-01-01T01:00:00.000Z", "InstanceType": "p3.2xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "9.000000", "AvailabilityZone": "us-east-1b"},
            {"Timestamp": "2026-01-01T00:00:00.000Z", "InstanceType": "p3.2xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "1.000000", "AvailabilityZone": "us-east-1a"}
        ]}"#;
        let creation = parse_utc_millis("2026-01-01T00:30:00Z").unwrap();
        let all = HistoryFilter::default();
        assert!(
            load_price_history("h.json", text, &all, creation).is_err(),
            "two zones need a choice"
        );
        let filter = HistoryFilter {
            availability_zone: Some("us-east-1a".into()),
            ..HistoryFilter::default()
        };
        let steps = load_price_history("h.json", text, &filter, creation).unwrap();
        let price = SpotPrice::Steps(Arc::new(steps));
        // Trial time 0 = 00:30; over two hours: 30 min at $1, 60 at $2, 30 at $3.
        assert!((price.integral(0.0, 7200.0, 0.0) - (1800.0 + 7200.0 + 5400.0)).abs() < 1e-9);
        let late = parse_utc_millis("2025-12-31T23:00:00Z").unwrap();
        assert!(load_price_history("h.json", text, &filter, late).is_err());
    }

    #[test]
    fn several_products_need_a_choice() {
        // `describe-spot-price-history` without a product filter lists Linux and Windows rows
        // of the same zone and type; mixed, they once raised the cost by half, silently.
        let text = r#"{"SpotPriceHistory": [
            {"Timestamp": "2026-01-01T01:00:00Z", "InstanceType": "p3.2xlarge", "ProductDescription": "Windows", "SpotPrice": "3.000000", "AvailabilityZone": "us-east-1a"},
            {"Timestamp": "2026-01-01T00:30:00Z", "InstanceType": "p3.2xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "1.000000", "AvailabilityZone": "us-east-1a"},
            {"Timestamp": "2026-01-01T00:00:00Z", "InstanceType": "p3.2xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "1.000000", "AvailabilityZone": "us-east-1a"},
            {"Timestamp": "2026-01-01T00:00:00Z", "InstanceType": "p3.8xlarge", "ProductDescription": "SUSE Linux", "SpotPrice": "9.000000", "AvailabilityZone": "us-east-1a"}
        ]}"#;
        let creation = parse_utc_millis("2026-01-01T00:00:00Z").unwrap();
        let p3 = HistoryFilter {
            instance_type: Some("p3.2xlarge".into()),
            ..HistoryFilter::default()
        };
        let error = load_price_history("h.json", text, &p3, creation).unwrap_err();
        assert!(
            error
                .message
                .contains("several products (Linux/UNIX, Windows)")
                && error.message.contains("[pricing] product_description"),
            "{}",
            error.message
        );
        let linux = HistoryFilter {
            product_description: Some("Linux/UNIX".into()),
            ..p3
        };
        let steps = load_price_history("h.json", text, &linux, creation).unwrap();
        assert_eq!(steps.prices(), [1.0, 1.0], "the Linux rows only");
    }
}
