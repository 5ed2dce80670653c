//! Reading price files: the per-tick price series that align with a replayed trace (a JSON
//! array, or an object of named arrays) and the history `aws ec2 describe-spot-price-history`
//! prints. What a file holds becomes a [`PriceSteps`]; where the file is comes from the data
//! lookup order ([`crate::data`]). The scenario says which key named the file: errors about the
//! path or the series name come back typed ([`PriceReadError`]) for it to place, errors inside
//! the file name the file and its line or element.

use super::price::{PriceAnchor, PriceSteps, check_price_per_hour, price_from_json};
use crate::error::{InputError, excerpt};
use crate::files::input::InputKind;
use crate::sagemaker::time::parse_utc_millis;
use crate::units::keys::{check_path, read_keyed_file};
use std::path::Path;

/// Why a price file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriceReadError {
    /// The path given is empty, found nowhere, or cannot be opened: an error about the key that
    /// named it.
    #[error("{0}")]
    Path(String),
    /// A file of named series has none called `series`; `has` lists the first names it has.
    #[error("{file} has no series \"{series}\" (it has: {})", has.join(", "))]
    NoSeries {
        /// The file.
        file: String,
        /// The name asked for.
        series: String,
        /// The first twelve names the file holds.
        has: Vec<String>,
    },
    /// A file of named series was read without a name.
    #[error("{file} holds several series")]
    Unnamed {
        /// The file.
        file: String,
    },
    /// What is wrong inside the file, naming the file and its line or element.
    #[error("{0}")]
    File(InputError),
}

impl From<InputError> for PriceReadError {
    fn from(error: InputError) -> Self {
        PriceReadError::File(error)
    }
}

/// Reads the price file `given` (relative to `base_dir`, found in the data lookup order).
/// Returns the file's name and text.
pub fn read_price_file(base_dir: &Path, given: &str) -> Result<(String, String), PriceReadError> {
    check_path(given).map_err(PriceReadError::Path)?;
    let full = crate::data::resolve(base_dir, given)
        .map_err(|missing| PriceReadError::Path(format!("\"{given}\" {}", missing.describe())))?;
    read_keyed_file(&full, InputKind::Prices, "price file", PriceReadError::Path)
}

/// The per-tick prices in `text` (the JSON of `file`): an array of prices, or an object of
/// arrays of which `series` names one. Each price is checked as [`check_price_per_hour`].
pub fn per_tick_prices(
    file: &str,
    text: &str,
    series: Option<&str>,
) -> Result<Vec<f64>, PriceReadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        InputError::new(file, format!("not valid JSON: {e}")).at_line(Some(e.line()))
    })?;
    let list = match (&value, series) {
        (serde_json::Value::Array(_), None) => &value,
        (serde_json::Value::Object(map), Some(name)) => {
            map.get(name).ok_or_else(|| PriceReadError::NoSeries {
                file: file.to_string(),
                series: name.to_string(),
                has: map.keys().take(12).cloned().collect(),
            })?
        }
        (serde_json::Value::Object(_), None) => {
            return Err(PriceReadError::Unnamed {
                file: file.to_string(),
            });
        }
        _ => {
            return Err(InputError::new(
                file,
                "expected an array of prices or an object of arrays",
            )
            .into());
        }
    };
    let list = list
        .as_array()
        .ok_or_else(|| InputError::new(file, "expected an array of prices"))?;
    let mut prices = Vec::with_capacity(list.len());
    for (i, p) in list.iter().enumerate() {
        prices.push(
            price_from_json(p).map_err(|m| InputError::new(file, m).at_key(format!("[{i}]")))?,
        );
    }
    Ok(prices)
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
    use crate::market::price::SpotPrice;
    use std::sync::Arc;

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

    #[test]
    fn per_tick_series_are_read_by_name_and_checked() {
        let named = r#"{"a": [1.0, 2.5], "b": [3.0]}"#;
        assert_eq!(
            per_tick_prices("p.json", named, Some("a")),
            Ok(vec![1.0, 2.5])
        );
        assert_eq!(
            per_tick_prices("p.json", named, Some("c")),
            Err(PriceReadError::NoSeries {
                file: "p.json".into(),
                series: "c".into(),
                has: vec!["a".into(), "b".into()],
            })
        );
        assert_eq!(
            per_tick_prices("p.json", named, None),
            Err(PriceReadError::Unnamed {
                file: "p.json".into()
            })
        );
        assert_eq!(
            per_tick_prices("p.json", "[0.5, 1]", None),
            Ok(vec![0.5, 1.0])
        );
        let Err(PriceReadError::File(error)) = per_tick_prices("p.json", "[0.5, -1]", None) else {
            panic!("a negative price is an error inside the file");
        };
        assert_eq!(error.key.as_deref(), Some("[1]"));
        assert!(error.message.contains("negative"), "{}", error.message);
    }
}
