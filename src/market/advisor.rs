//! Spot market from AWS's Spot Instance Advisor: a constant interruption hazard derived from
//! the advisor's "frequency of interruption" band for an instance type, region and OS.
//!
//! The advisor feed (`spot-advisor-data.<date>.json`, snapshots in
//! `../shared/data/spot-advisor/`) puts each (region, OS, instance type) into a band of
//! "% of instances reclaimed in the trailing month": `<5%`, `5-10%`, `10-15%`, `15-20%`, `>20%`,
//! whose upper edges the feed gives as `max` = 5, 11, 16, 22, 100. A monthly fraction p
//! converts to a constant hazard `λ = −ln(1 − p) / 730 h` (730 h = one month; reference
//! `sagemaker-managed-spot.md` §8): uptimes are exponential with mean `1/λ`. This is a
//! fleet-wide, optimistic figure — measured GPU lifetimes are far shorter (use `weibull` or
//! `markov` for those) — but it is the number AWS publishes for every instance type.
//!
//! Which p within a band (`band`):
//! * band r spans `[max(r−1), max(r)] / 100`, with `max(−1) = 0`: the feed's own edges;
//! * the open top band (`>20%`, feed `max` = 100) would give p = 1, an infinite hazard; its
//!   upper edge is taken as [`OPEN_BAND_UPPER`] = 0.5 (half the fleet reclaimed per month);
//! * `band = "upper"` (default, the pessimistic end: the feed's `max`), `"mid"` or `"lower"`.
//!   `"lower"` of the `<5%` band is p = 0: capacity, once acquired, is never lost.
//!
//! Keys:
//! * `region` (required), e.g. `"us-east-1"`;
//! * `instance_type` (default: the job's, without the `ml.` prefix), e.g. `"p3.2xlarge"`;
//! * `os` = `"Linux"` (default) or `"Windows"`;
//! * `band` = `"upper"` (default) | `"mid"` | `"lower"`;
//! * `path`: the snapshot to read (relative paths resolve against the scenario's folder);
//!   default: the newest `spot-advisor-data.<date>.json` in `spot-advisor/` under
//!   [`shared_data_dir`];
//! * `mean_capacity_wait` (duration, default 0): exponential, like `exponential`.
//!
//! A gang of N instances is held until the first of N independent exponential uptimes ends:
//! hazard N·λ. Uptimes come from the uptime stream, capacity waits from the capacity-wait
//! stream, one uniform each, by inversion.

use super::distribution::shared_data_dir;
use super::exponential::seconds_value;
use super::{Capacity, Market, MarketContext, MarketState};
use crate::error::InputError;
use crate::random::{TrialRng, exponential, unit_open_closed};
use crate::scenario::keys::Keys;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Keys of `[market]` this model reads.
pub const KEYS: &[&str] = &[
    "path",
    "region",
    "os",
    "instance_type",
    "band",
    "mean_capacity_wait",
];

/// Upper edge of the open top band (`>20%`, whose feed `max` is 100): at most half the
/// instances reclaimed per month.
pub const OPEN_BAND_UPPER: f64 = 0.5;

/// Hours in the advisor's month (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// The part of the advisor feed this model reads.
#[derive(Debug, Deserialize)]
struct Feed {
    ranges: Vec<Range>,
    spot_advisor: BTreeMap<String, BTreeMap<String, BTreeMap<String, Entry>>>,
}

/// One interruption band.
#[derive(Debug, Deserialize)]
struct Range {
    index: usize,
    label: String,
    max: f64,
}

/// One (region, OS, instance type) entry: band index `r` and savings `s` (%).
#[derive(Debug, Deserialize)]
struct Entry {
    r: usize,
}

/// Constant hazard from the Spot Instance Advisor.
#[derive(Debug, Clone, PartialEq)]
pub struct Advisor {
    /// The snapshot read.
    pub path: PathBuf,
    /// AWS region.
    pub region: String,
    /// `Linux` or `Windows`.
    pub os: String,
    /// EC2 instance type (no `ml.` prefix).
    pub instance_type: String,
    /// Which end of the band: `upper`, `mid` or `lower`.
    pub band: String,
    /// The band's label in the feed (e.g. `>20%`).
    pub band_label: String,
    /// Fraction of instances reclaimed per month used for the hazard.
    pub monthly_fraction: f64,
    /// Interruption hazard of one instance (per second).
    pub hazard_per_second: f64,
    /// Mean wait for capacity (0 = immediate).
    pub mean_capacity_wait_seconds: f64,
    /// Instances in the gang.
    pub instance_count: u32,
}

/// The constant hazard (per second) of a monthly reclaimed fraction p: `−ln(1 − p) / 730 h`.
pub fn hazard_per_second(monthly_fraction: f64) -> f64 {
    -(-monthly_fraction).ln_1p() / (HOURS_PER_MONTH * 3600.0)
}

/// Up to `limit` of `names`, those sharing the longest prefix with `given` first, with the
/// total when some are left out: "us-middle-1" suggests the us-* regions, "p3.3xlarge" the p3.*
/// types.
fn suggest<'a>(given: &str, names: impl IntoIterator<Item = &'a String>, limit: usize) -> String {
    let common = |name: &str| {
        name.chars()
            .zip(given.chars())
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count()
    };
    let mut names: Vec<&str> = names.into_iter().map(String::as_str).collect();
    names.sort_by_key(|name| (std::cmp::Reverse(common(name)), *name));
    let mut shown = names[..names.len().min(limit)].join(", ");
    if names.len() > limit {
        shown.push_str(&format!(", … ({} in all)", names.len()));
    }
    shown
}

/// The newest `spot-advisor-data.<date>.json` in `folder` (ISO dates sort as text).
fn newest_snapshot(folder: &Path) -> Option<PathBuf> {
    std::fs::read_dir(folder)
        .ok()?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            (name.starts_with("spot-advisor-data.") && name.ends_with(".json")).then_some(name)
        })
        .max()
        .map(|name| folder.join(name))
}

pub(super) fn build(
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<Box<dyn Market>, InputError> {
    let path = match keys.string("path")? {
        Some(given) => context.base_dir.join(given),
        None => {
            let folder = shared_data_dir().join("spot-advisor");
            newest_snapshot(&folder).ok_or_else(|| {
                keys.error(
                    "path",
                    format!(
                        "no spot-advisor-data.<date>.json found in {} (set SPOTSIM_SHARED_DATA to the shared data folder, or give path = \"…/spot-advisor-data.<date>.json\")",
                        folder.display()
                    ),
                )
            })?
        }
    };
    let text =
        crate::files::input::read_to_string(&path, crate::files::input::InputKind::AdvisorFeed)
            .map_err(|e| {
                keys.error(
                    "path",
                    format!(
                        "cannot read the Spot Advisor snapshot {}: {e}",
                        path.display()
                    ),
                )
            })?;
    let feed: Feed = serde_json::from_str(&text).map_err(|e| {
        keys.error(
            "path",
            format!(
                "{} is not a Spot Advisor feed (expected {{\"ranges\": […], \"spot_advisor\": {{region: {{os: {{type: {{\"r\": band}}}}}}}}}}): {e}",
                path.display()
            ),
        )
    })?;

    let Some(region) = keys.string("region")? else {
        return Err(keys.error(
            "region",
            format!(
                "model \"advisor\" needs this key (an AWS region such as \"us-east-1\"; {} has: {})",
                path.display(),
                suggest("us-east-1", feed.spot_advisor.keys(), 8)
            ),
        ));
    };
    let Some(systems) = feed.spot_advisor.get(&region) else {
        return Err(keys.error(
            "region",
            format!(
                "unknown region \"{region}\" in {} (valid: {})",
                path.display(),
                suggest(&region, feed.spot_advisor.keys(), 8)
            ),
        ));
    };

    let os_given = keys.string("os")?.unwrap_or_else(|| "Linux".to_string());
    let Some((os, types)) = systems
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(&os_given))
    else {
        return Err(keys.error(
            "os",
            format!(
                "unknown OS \"{os_given}\" for {region} (valid: {})",
                suggest(&os_given, systems.keys(), 4)
            ),
        ));
    };

    let instance_type = match keys.string("instance_type")? {
        Some(given) => given,
        None => context.instance_type.to_string(),
    };
    let instance_type = instance_type
        .strip_prefix("ml.")
        .unwrap_or(&instance_type)
        .to_string();
    let Some(entry) = types.get(&instance_type) else {
        let suggestions = suggest(&instance_type, types.keys(), 8);
        return Err(keys.error(
            "instance_type",
            format!(
                "instance type \"{instance_type}\" is not in the advisor data for {region}/{os} ({}); valid: {suggestions}",
                path.display()
            ),
        ));
    };

    let band = keys.string("band")?.unwrap_or_else(|| "upper".to_string());
    let Some(range) = feed.ranges.iter().find(|range| range.index == entry.r) else {
        return Err(keys.error(
            "path",
            format!(
                "{} lists {instance_type} in band {} but has no such range",
                path.display(),
                entry.r
            ),
        ));
    };
    let lower = feed
        .ranges
        .iter()
        .filter(|other| other.max < range.max)
        .map(|other| other.max)
        .fold(0.0, f64::max)
        / 100.0;
    let upper = if range.max >= 100.0 {
        OPEN_BAND_UPPER
    } else {
        range.max / 100.0
    };
    let monthly_fraction = match band.as_str() {
        "upper" => upper,
        "mid" => 0.5 * (lower + upper),
        "lower" => lower,
        _ => {
            return Err(keys.error(
                "band",
                format!("expected \"upper\", \"mid\" or \"lower\", got \"{band}\""),
            ));
        }
    };
    if !(0.0..1.0).contains(&monthly_fraction) {
        return Err(keys.error(
            "path",
            format!(
                "band \"{}\" of {} gives {:.0}% per month; expected less than 100%",
                range.label,
                path.display(),
                monthly_fraction * 100.0
            ),
        ));
    }
    let mean_capacity_wait_seconds = keys.duration("mean_capacity_wait")?.unwrap_or(0.0);
    Ok(Box::new(Advisor {
        path,
        region,
        os: os.clone(),
        instance_type,
        band,
        band_label: range.label.clone(),
        monthly_fraction,
        hazard_per_second: hazard_per_second(monthly_fraction),
        mean_capacity_wait_seconds,
        instance_count: context.instance_count.max(1),
    }))
}

impl Market for Advisor {
    fn model(&self) -> &'static str {
        "advisor"
    }

    #[inline]
    fn next_capacity(&self, now: f64, _: &mut MarketState, rng: &mut TrialRng) -> Option<Capacity> {
        let acquired_seconds =
            now + exponential(&mut rng.capacity_wait, self.mean_capacity_wait_seconds);
        let gang_hazard = self.hazard_per_second * f64::from(self.instance_count);
        // One uniform per acquisition even when the hazard is 0, so draws stay aligned.
        let u = unit_open_closed(&mut rng.uptime);
        let lost_seconds = if gang_hazard > 0.0 {
            acquired_seconds - u.ln() / gang_hazard
        } else {
            f64::INFINITY
        };
        Some(Capacity {
            acquired_seconds,
            lost_seconds,
        })
    }

    fn mean_uptime_seconds(&self) -> Option<f64> {
        let gang_hazard = self.hazard_per_second * f64::from(self.instance_count);
        (gang_hazard > 0.0).then(|| 1.0 / gang_hazard)
    }

    fn resolved(&self) -> toml::Table {
        let mut table = toml::Table::new();
        table.insert(
            "path".into(),
            toml::Value::String(self.path.display().to_string()),
        );
        table.insert("region".into(), toml::Value::String(self.region.clone()));
        table.insert("os".into(), toml::Value::String(self.os.clone()));
        table.insert(
            "instance_type".into(),
            toml::Value::String(self.instance_type.clone()),
        );
        table.insert("band".into(), toml::Value::String(self.band.clone()));
        table.insert(
            "mean_capacity_wait".into(),
            seconds_value(self.mean_capacity_wait_seconds),
        );
        table
    }
}
