//! `[market]` and `[pricing]`: the spot market's model and the spot and on-demand prices, from
//! constants, discounts, price files or price history.

use super::model::{Job, MarketSpec, Pricing};
use super::{Resolver, raw};
use crate::error::InputError;
use crate::market::price::{PriceAnchor, PriceSteps, SpotPrice, check_price_per_hour};
use crate::market::price_reading::{
    HistoryFilter, PriceReadError, load_price_history, per_tick_prices, read_price_file,
};
use crate::market::{self, MarketContext};
use crate::units::keys::Keys;
use std::sync::Arc;

impl Resolver<'_> {
    pub(super) fn market(&self, table: toml::Table, job: &Job) -> Result<MarketSpec, InputError> {
        let mut keys = Keys::new(table, "market", self.file, self.source);
        let model = keys.string("model")?.ok_or_else(|| {
            let names: Vec<&str> = market::MODELS.iter().map(|(n, _, _)| *n).collect();
            InputError::new(
                self.file,
                format!("[market] needs model = one of: {}", names.join(", ")),
            )
            .at_key("[market] model")
        })?;
        let notice_seconds = keys.duration("notice")?.unwrap_or(120.0);
        let context = MarketContext {
            instance_count: job.instance_count,
            instance_type: &job.instance_type,
            horizon_seconds: job.max_wait_seconds.unwrap_or(job.max_runtime_seconds),
            base_dir: self.base_dir,
        };
        let (model, known) = market::build(&model, &mut keys, &context)?;
        let mut all_known = vec!["model", "notice"];
        all_known.extend_from_slice(known);
        keys.finish(model.model(), &all_known)?;
        Ok(MarketSpec {
            model: Arc::from(model),
            notice_seconds,
        })
    }

    pub(super) fn pricing(
        &self,
        raw: &raw::RawPricing,
        uses_spot: bool,
        job: &Job,
        market: Option<&MarketSpec>,
        start_time_millis: i64,
        warnings: &mut Vec<String>,
    ) -> Result<Pricing, InputError> {
        let on_demand_per_hour = raw.on_demand_per_hour.ok_or_else(|| {
            InputError::new(
                self.file,
                "the on-demand price is needed (USD per instance-hour), e.g. on_demand_per_hour = 3.825",
            )
            .at_key("[pricing] on_demand_per_hour")
        })?;
        check_price_per_hour(on_demand_per_hour)
            .and_then(|price| {
                (price > 0.0)
                    .then_some(price)
                    .ok_or_else(|| "expected an on-demand price greater than zero".to_string())
            })
            .map_err(|m| self.error("pricing", &["on_demand_per_hour"], m))?;
        let given: Vec<&str> = [
            ("spot_per_hour", raw.spot_per_hour.is_some()),
            ("spot_discount", raw.spot_discount.is_some()),
            ("spot_prices", raw.spot_prices.is_some()),
            ("spot_price_history", raw.spot_price_history.is_some()),
        ]
        .iter()
        .filter(|(_, set)| *set)
        .map(|(name, _)| *name)
        .collect();
        if given.len() > 1 {
            return Err(self.error(
                "pricing",
                &[given[1]],
                format!("give one spot price source, not {}", given.join(" and ")),
            ));
        }
        let spot = if let Some(price) = raw.spot_per_hour {
            check_price_per_hour(price)
                .map_err(|m| self.error("pricing", &["spot_per_hour"], m))?;
            // Reference §9: managed spot never bills above on-demand.
            if price > on_demand_per_hour {
                return Err(self.error(
                    "pricing",
                    &["spot_per_hour"],
                    format!(
                        "spot_per_hour = {price} is above on_demand_per_hour = {on_demand_per_hour}: SageMaker never bills managed spot above on-demand; expected at most {on_demand_per_hour}"
                    ),
                ));
            }
            SpotPrice::Constant(price)
        } else if let Some(discount) = raw.spot_discount {
            if !(0.0..1.0).contains(&discount) {
                return Err(self.error(
                    "pricing",
                    &["spot_discount"],
                    format!("expected a fraction in [0, 1) (0.7 = 70 % off), got {discount}"),
                ));
            }
            SpotPrice::Constant(on_demand_per_hour * (1.0 - discount))
        } else if let Some(source) = &raw.spot_prices {
            let (file, mut steps, end_seconds) =
                self.per_tick_prices(source, raw.spot_prices_key.as_deref(), market)?;
            if let Some(capped) = steps.cap(on_demand_per_hour, end_seconds) {
                warnings.push(capped.notice(&file, on_demand_per_hour));
            }
            SpotPrice::Steps(Arc::new(steps))
        } else if let Some(path) = &raw.spot_price_history {
            let (file, text) = self.price_file("spot_price_history", path)?;
            let filter =
                HistoryFilter {
                    availability_zone: raw.availability_zone.clone(),
                    instance_type: Some(raw.instance_type.clone().unwrap_or_else(|| {
                        job.instance_type.trim_start_matches("ml.").to_string()
                    })),
                    product_description: raw.product_description.clone(),
                };
            let mut steps = load_price_history(&file, &text, &filter, start_time_millis)?;
            // The newest price holds on: the share is of the recorded span.
            let last_seconds = steps.times().last().copied().unwrap_or(0.0);
            if let Some(capped) = steps.cap(on_demand_per_hour, last_seconds) {
                warnings.push(capped.notice(&file, on_demand_per_hour));
            }
            SpotPrice::Steps(Arc::new(steps))
        } else if uses_spot {
            return Err(InputError::new(
                self.file,
                "a managed-spot job needs a spot price: spot_per_hour, spot_discount, spot_prices or spot_price_history",
            )
            .at_key("[pricing]"));
        } else {
            SpotPrice::Constant(on_demand_per_hour)
        };
        let unused = [
            (
                "spot_prices_key",
                raw.spot_prices_key.is_some() && raw.spot_prices.is_none(),
            ),
            (
                "availability_zone",
                raw.availability_zone.is_some() && raw.spot_price_history.is_none(),
            ),
            (
                "instance_type",
                raw.instance_type.is_some() && raw.spot_price_history.is_none(),
            ),
            (
                "product_description",
                raw.product_description.is_some() && raw.spot_price_history.is_none(),
            ),
        ];
        if let Some((key, _)) = unused.iter().find(|(_, unused)| *unused) {
            return Err(self.error(
                "pricing",
                &[key],
                "this key belongs to another spot price source (spot_prices_key goes with spot_prices; availability_zone, instance_type and product_description with spot_price_history)",
            ));
        }
        let mut spot_source = toml::Table::new();
        let absolute = |path: &str| {
            let full = crate::data::resolve(self.base_dir, path)
                .unwrap_or_else(|_| self.base_dir.join(path));
            toml::Value::String(full.canonicalize().unwrap_or(full).display().to_string())
        };
        if let Some(source) = &raw.spot_prices {
            let value = if source == "trace" {
                toml::Value::String(source.clone())
            } else {
                absolute(source)
            };
            spot_source.insert("spot_prices".into(), value);
            if let Some(key) = &raw.spot_prices_key {
                spot_source.insert("spot_prices_key".into(), toml::Value::String(key.clone()));
            }
        } else if let Some(path) = &raw.spot_price_history {
            spot_source.insert("spot_price_history".into(), absolute(path));
            for (key, value) in [
                ("availability_zone", &raw.availability_zone),
                ("instance_type", &raw.instance_type),
                ("product_description", &raw.product_description),
            ] {
                if let Some(value) = value {
                    spot_source.insert(key.into(), toml::Value::String(value.clone()));
                }
            }
        } else {
            spot_source.insert(
                "spot_per_hour".into(),
                toml::Value::Float(spot.mean_per_hour()),
            );
        }
        Ok(Pricing {
            on_demand_per_hour,
            spot_per_hour: spot.mean_per_hour(),
            spot,
            spot_source,
        })
    }

    /// Reads the price file `[pricing] key = "given"` names ([`read_price_file`]): a path that
    /// is empty, found nowhere or cannot be opened is an error about the key; what is wrong
    /// inside the file is an error about the file and its line. Returns the file's name and
    /// text.
    fn price_file(&self, key: &str, given: &str) -> Result<(String, String), InputError> {
        read_price_file(self.base_dir, given).map_err(|e| self.price_error(key, e))
    }

    /// A [`PriceReadError`] of the file `[pricing] key` named, placed on the key it is about.
    fn price_error(&self, key: &str, error: PriceReadError) -> InputError {
        match error {
            PriceReadError::Path(message) => self.error("pricing", &[key], message),
            PriceReadError::NoSeries { .. } => {
                self.error("pricing", &["spot_prices_key"], error.to_string())
            }
            PriceReadError::Unnamed { file } => self.error(
                "pricing",
                &["spot_prices_key"],
                format!("{file} holds several series: name one with spot_prices_key"),
            ),
            PriceReadError::File(error) => error,
        }
    }

    /// Per-tick prices aligned with the replayed trace: `"trace"` (the trace file's own
    /// `prices`) or a JSON file holding one array per key (`spot_prices_key`). Returns the file
    /// they came from, the series and when its last tick ends.
    pub(super) fn per_tick_prices(
        &self,
        source: &str,
        key: Option<&str>,
        market: Option<&MarketSpec>,
    ) -> Result<(String, PriceSteps, f64), InputError> {
        let trace = market.and_then(|m| m.model.as_trace()).ok_or_else(|| {
            self.error(
                "pricing",
                &["spot_prices"],
                "per-tick prices align with a replayed trace: they need [market] model = \"trace\"",
            )
        })?;
        let rows = trace.data.times.len();
        let mut from = trace.data.file.clone();
        let prices: Vec<f64> = if source == "trace" {
            trace.data.prices.clone().ok_or_else(|| {
                self.error(
                    "pricing",
                    &["spot_prices"],
                    format!(
                        "spot_prices = \"trace\", but {} has no `prices` array",
                        trace.data.file
                    ),
                )
            })?
        } else {
            let (file, text) = self.price_file("spot_prices", source)?;
            let prices = per_tick_prices(&file, &text, key)
                .map_err(|e| self.price_error("spot_prices", e))?;
            from = file;
            prices
        };
        if prices.len() != rows {
            return Err(self.error(
                "pricing",
                &["spot_prices"],
                format!(
                    "{} prices for a trace of {rows} rows: per-tick prices must align one per row",
                    prices.len()
                ),
            ));
        }
        let period = trace.wrap.then_some(trace.duration_seconds);
        let steps = PriceSteps::new(
            trace.data.times.clone(),
            prices,
            period,
            PriceAnchor::TraceOffset,
        );
        Ok((from, steps, trace.duration_seconds))
    }
}
