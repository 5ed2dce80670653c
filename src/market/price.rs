//! Spot prices: constant, or a step function of time — per-tick prices aligned with a replayed
//! trace, or the history `aws ec2 describe-spot-price-history` prints. Billing integrates the
//! price exactly over the seconds an instance is held.

use crate::error::{InputError, excerpt};
use crate::sagemaker::time::parse_utc_millis;
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
    // (time, price, entry index) of the entries kept.
    let mut points: Vec<(i64, f64, usize)> = Vec::new();
    // Zones and products (OS) price the same instance type differently: a series that mixes
    // them is no one's price, so several of either need a choice.
    let mut zones = std::collections::BTreeSet::new();
    let mut products = std::collections::BTreeSet::new();
    // Every (instance type, zone, product) in the file, to say what exists when nothing matches.
    let mut present = std::collections::BTreeSet::new();
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
        present.insert((instance, zone, product));
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
        let price = match price_text.trim().parse::<f64>() {
            Ok(price) => check_price_per_hour(price),
            Err(_) => Err(format!(
                "expected a price in USD per instance-hour such as \"3.06\", got {}",
                excerpt(price_text)
            )),
        }
        .map_err(|m| InputError::new(file, m).at_key(key("SpotPrice")))?;
        points.push((millis, price, i));
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
        return Err(no_match(file, filter, &present));
    }
    // The CLI prints newest first; the step function needs oldest first.
    points.sort_by_key(|&(t, _, _)| t);
    // One timestamp, one price: the same entry twice (overlapping pages) is kept once, two
    // different prices at one instant are a contradiction nothing could bill.
    if let Some(pair) = points
        .windows(2)
        .find(|w| w[0].0 == w[1].0 && w[0].1 != w[1].1)
    {
        let ((t, first, i), (_, second, j)) = (pair[0], pair[1]);
        return Err(InputError::new(
            file,
            format!(
                "two prices at {}: {first} USD/h (SpotPriceHistory[{i}]) and {second} USD/h; expected one price per timestamp",
                crate::sagemaker::time::format_utc_millis(t)
            ),
        )
        .at_key(format!("SpotPriceHistory[{j}].Timestamp")));
    }
    points.dedup_by_key(|point| point.0);
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
        .map(|&(t, _, _)| (t - first) as f64 / 1000.0)
        .collect();
    let prices = points.iter().map(|&(_, p, _)| p).collect();
    Ok(PriceSteps::new(
        times,
        prices,
        None,
        PriceAnchor::CreationTime((creation_millis - first) as f64 / 1000.0),
    ))
}

/// The error when no entry passes `filter`: what was looked for, and what the file has.
fn no_match(
    file: &str,
    filter: &HistoryFilter,
    present: &std::collections::BTreeSet<(&str, &str, &str)>,
) -> InputError {
    let wanted = |value: &Option<String>| value.as_deref().map_or("any".into(), excerpt);
    const SHOWN: usize = 8;
    let mut has: Vec<String> = present
        .iter()
        .take(SHOWN)
        .map(|(instance, zone, product)| {
            format!(
                "{} in {} ({})",
                excerpt(instance),
                excerpt(zone),
                excerpt(product)
            )
        })
        .collect();
    if present.len() > SHOWN {
        has.push(format!("… ({} in all)", present.len()));
    }
    let has = if has.is_empty() {
        "no entries at all".to_string()
    } else {
        has.join(", ")
    };
    InputError::new(
        file,
        format!(
            "no price entry has instance type {}, zone {} and product {} ([pricing] instance_type, availability_zone, product_description); the file has: {has}",
            wanted(&filter.instance_type),
            wanted(&filter.availability_zone),
            wanted(&filter.product_description),
        ),
    )
    .at_key("SpotPriceHistory")
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

    /// A history of `(timestamp, price, zone)` entries for p3.2xlarge Linux/UNIX.
    fn history(entries: &[(&str, &str, &str)]) -> String {
        let entries: Vec<String> = entries
            .iter()
            .map(|(t, p, z)| format!(r#"{{"Timestamp": "{t}", "InstanceType": "p3.2xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "{p}", "AvailabilityZone": "{z}"}}"#))
            .collect();
        format!(r#"{{"SpotPriceHistory": [{}]}}"#, entries.join(",\n"))
    }

    #[test]
    fn two_prices_at_one_timestamp_are_rejected_and_repeated_entries_kept_once() {
        let creation = parse_utc_millis("2026-01-01T00:30:00Z").unwrap();
        let filter = HistoryFilter::default();
        let two = history(&[
            ("2026-01-01T01:00:00Z", "2.0", "a"),
            ("2026-01-01T00:00:00Z", "1.0", "a"),
            ("2026-01-01T01:00:00+00:00", "2.5", "a"),
        ]);
        let error = load_price_history("h.json", &two, &filter, creation).unwrap_err();
        assert_eq!(error.key.as_deref(), Some("SpotPriceHistory[2].Timestamp"));
        assert!(
            error.message.contains("2026-01-01T01:00:00.000Z"),
            "{}",
            error.message
        );
        assert!(
            error
                .message
                .contains("2 USD/h (SpotPriceHistory[0]) and 2.5 USD/h"),
            "{}",
            error.message
        );
        let repeated = history(&[
            ("2026-01-01T01:00:00Z", "2.0", "a"),
            ("2026-01-01T00:00:00Z", "1.0", "a"),
            ("2026-01-01T01:00:00.000Z", "2.0", "a"),
        ]);
        let steps = load_price_history("h.json", &repeated, &filter, creation).unwrap();
        assert_eq!(steps.prices(), [1.0, 2.0]);
    }

    #[test]
    fn a_filter_that_matches_nothing_says_what_it_sought_and_what_exists() {
        let text = history(&[("2026-01-01T00:00:00Z", "1.0", "us-east-1a")]);
        let filter = HistoryFilter {
            availability_zone: Some("us-west-2b".into()),
            instance_type: Some("p3.8xlarge".into()),
            product_description: None,
        };
        let creation = parse_utc_millis("2026-01-01T00:30:00Z").unwrap();
        let error = load_price_history("h.json", &text, &filter, creation).unwrap_err();
        for words in [
            "instance type \"p3.8xlarge\"",
            "zone \"us-west-2b\"",
            "product any",
            "the file has: \"p3.2xlarge\" in \"us-east-1a\" (\"Linux/UNIX\")",
        ] {
            assert!(error.message.contains(words), "{words}: {}", error.message);
        }
    }

    #[test]
    fn prices_above_the_limit_say_so() {
        let text = history(&[("2026-01-01T00:00:00Z", "250000", "a")]);
        let creation = parse_utc_millis("2026-01-01T00:30:00Z").unwrap();
        let error =
            load_price_history("h.json", &text, &HistoryFilter::default(), creation).unwrap_err();
        assert_eq!(error.key.as_deref(), Some("SpotPriceHistory[0].SpotPrice"));
        assert!(
            error.message.contains("above the limit of 100,000"),
            "{}",
            error.message
        );
        assert!(check_price_per_hour(-1.0).unwrap_err().contains("negative"));
        assert!(check_price_per_hour(f64::NAN).is_err());
        assert_eq!(check_price_per_hour(100_000.0), Ok(100_000.0));
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
