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
//! The band comes from one of two places:
//! * `band` = AWS's own label, as the advisor page shows it: `"<5%"`, `"5-10%"`, `"10-15%"`,
//!   `"15-20%"` or `">20%"` (spaces, a missing `%` and an en dash are tolerated). No feed is
//!   read; the edges are those of AWS's feed ([`AWS_BANDS`], the same in every shipped
//!   snapshot);
//! * or a lookup of `region` (required), `instance_type` (default: the job's, without the
//!   `ml.` prefix) and `os` (`"Linux"` default, or `"Windows"`) in a feed snapshot: `path`
//!   (found in [`crate::data`]'s lookup order; default: the newest
//!   `spot-advisor-data.<date>.json` in `spot-advisor/` of the shared data folder). The
//!   snapshot's own edges are used.
//!
//! Which p within the band (`edge`):
//! * band r spans `[max(r−1), max(r)] / 100`, with `max(−1) = 0`: the feed's own edges;
//! * the open top band (`>20%`, feed `max` = 100) would give p = 1, an infinite hazard; its
//!   upper edge is taken as [`OPEN_BAND_UPPER`] = 0.5 (half the fleet reclaimed per month);
//! * `edge = "upper"` (default, the pessimistic end: the feed's `max`), `"mid"` or `"lower"`.
//!   `"lower"` of the `<5%` band is p = 0: capacity, once acquired, is never lost. The older
//!   spelling `band = "upper" | "mid" | "lower"` (with a lookup) still works.
//!
//! `mean_capacity_wait` (duration, default 0): exponential, like `exponential`.
//!
//! The band, the p and the hazard actually used are shown with every result
//! ([`Market::interruption_basis`]): a constant hazard from a fleet-wide monthly figure is a
//! strong assumption, and the user must see which one was made.
//!
//! A gang of N instances is held until the first of N independent exponential uptimes ends:
//! hazard N·λ. Uptimes come from the uptime stream, capacity waits from the capacity-wait
//! stream, one uniform each, by inversion.

use super::exponential::seconds_value;
use super::{Capacity, InterruptionBasis, Market, MarketContext, MarketState};
use crate::error::InputError;
use crate::random::{TrialRng, exponential, unit_open_closed};
use crate::units::keys::{Keys, read_keyed_file};
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
    "edge",
    "mean_capacity_wait",
];

/// Upper edge of the open top band (`>20%`, whose feed `max` is 100): at most half the
/// instances reclaimed per month.
pub const OPEN_BAND_UPPER: f64 = 0.5;

/// Hours in the advisor's month (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// AWS's interruption bands as the advisor labels them, with the feed's `max` (% per month):
/// the `ranges` of every shipped snapshot (a test checks that they agree).
pub const AWS_BANDS: [(&str, f64); 5] = [
    ("<5%", 5.0),
    ("5-10%", 11.0),
    ("10-15%", 16.0),
    ("15-20%", 22.0),
    (">20%", 100.0),
];

/// Which p within a band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// The band's upper edge (pessimistic; the default).
    Upper,
    /// The middle of the band.
    Mid,
    /// The band's lower edge (optimistic).
    Lower,
}

impl Edge {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "upper" => Some(Edge::Upper),
            "mid" => Some(Edge::Mid),
            "lower" => Some(Edge::Lower),
            _ => None,
        }
    }

    /// The key's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Edge::Upper => "upper",
            Edge::Mid => "mid",
            Edge::Lower => "lower",
        }
    }

    /// p for a band spanning `[lower, upper]`.
    fn pick(self, lower: f64, upper: f64) -> f64 {
        match self {
            Edge::Upper => upper,
            Edge::Mid => 0.5 * (lower + upper),
            Edge::Lower => lower,
        }
    }
}

/// The AWS label a user wrote (`"> 20 %"`, `"5–10"` …) as the advisor spells it, if it is one.
pub fn band_label(text: &str) -> Option<&'static str> {
    let normal: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '%')
        .map(|c| if matches!(c, '–' | '—') { '-' } else { c })
        .collect();
    AWS_BANDS
        .iter()
        .map(|(label, _)| *label)
        .find(|label| label.trim_end_matches('%').replace('%', "") == normal)
}

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

/// Where the band came from.
#[derive(Debug, Clone, PartialEq)]
pub enum BandSource {
    /// The scenario gave AWS's label (`band = ">20%"`).
    Given,
    /// Looked up in a feed snapshot.
    Feed {
        /// The snapshot read.
        path: PathBuf,
        /// AWS region.
        region: String,
        /// `Linux` or `Windows`.
        os: String,
        /// EC2 instance type (no `ml.` prefix).
        instance_type: String,
    },
}

/// Constant hazard from the Spot Instance Advisor.
#[derive(Debug, Clone, PartialEq)]
pub struct Advisor {
    /// Where the band came from.
    pub source: BandSource,
    /// Which p within the band.
    pub edge: Edge,
    /// The band's label (e.g. `>20%`).
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

/// The newest snapshot in `spot-advisor/` of the first data folder that has one
/// ([`crate::data::candidates`], in lookup order), or the folders looked in.
fn newest_shipped_snapshot() -> Result<PathBuf, String> {
    let mut looked = Vec::new();
    for candidate in crate::data::candidates() {
        let folder = candidate.folder.join("spot-advisor");
        if let Some(snapshot) = newest_snapshot(&folder) {
            return Ok(snapshot);
        }
        looked.push(format!("{} ({})", folder.display(), candidate.origin));
    }
    Err(looked.join(", "))
}

/// A band: its label and its edges as fractions per month (the open top band capped).
struct Band {
    label: String,
    lower: f64,
    upper: f64,
}

impl Band {
    /// Band `max` with the previous band's `max` as its lower edge, both in % per month.
    fn from_feed_edges(label: &str, lower_percent: f64, max_percent: f64) -> Self {
        Self {
            label: label.to_string(),
            lower: lower_percent / 100.0,
            upper: if max_percent >= 100.0 {
                OPEN_BAND_UPPER
            } else {
                max_percent / 100.0
            },
        }
    }

    /// AWS's band `label` with the edges of [`AWS_BANDS`].
    fn aws(label: &str) -> Self {
        let at = AWS_BANDS.iter().position(|(l, _)| *l == label).unwrap_or(0);
        let lower = if at == 0 { 0.0 } else { AWS_BANDS[at - 1].1 };
        Self::from_feed_edges(label, lower, AWS_BANDS[at].1)
    }
}

/// Looks the band of (region, OS, instance type) up in a feed snapshot.
fn look_up(keys: &mut Keys, context: &MarketContext) -> Result<(Band, BandSource), InputError> {
    let path = match keys.path("path")? {
        Some(given) => crate::data::resolve(context.base_dir, &given).map_err(|missing| {
            keys.error(
                "path",
                format!("Spot Advisor snapshot \"{given}\" {}", missing.describe()),
            )
        })?,
        None => newest_shipped_snapshot().map_err(|looked| {
            keys.error(
                "path",
                format!(
                    "no spot-advisor-data.<date>.json found; looked in {looked} (set {} to the shared data folder, give path = \"…/spot-advisor-data.<date>.json\", or give AWS's band itself, e.g. band = \">20%\")",
                    crate::data::DATA_ENV
                ),
            )
        })?,
    };
    // Absolute, so that `validate` prints a path that works from any folder.
    let path = path.canonicalize().unwrap_or(path);
    let (_, text) = read_keyed_file(
        &path,
        crate::files::input::InputKind::AdvisorFeed,
        "Spot Advisor snapshot",
        |m| keys.error("path", m),
    )?;
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
                "model \"advisor\" needs this key (an AWS region such as \"us-east-1\"; {} has: {}), or AWS's band itself, e.g. band = \">20%\"",
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
        .fold(0.0, f64::max);
    let band = Band::from_feed_edges(&range.label, lower, range.max);
    let source = BandSource::Feed {
        path,
        region,
        os: os.clone(),
        instance_type,
    };
    Ok((band, source))
}

pub(super) fn build(
    keys: &mut Keys,
    context: &MarketContext,
) -> Result<Box<dyn Market>, InputError> {
    let band_text = keys.string("band")?;
    let mut edge_text = keys.string("edge")?;
    // `band` is AWS's label, or (the older spelling) the edge of a looked-up band.
    let label = match band_text.as_deref() {
        None => None,
        Some(text) if Edge::parse(text).is_some() => {
            if edge_text.is_some() {
                return Err(keys.error(
                    "edge",
                    format!("band = \"{text}\" already chooses the edge (the older spelling of edge): give it once"),
                ));
            }
            edge_text = Some(text.to_string());
            None
        }
        Some(text) => Some(band_label(text).ok_or_else(|| {
            keys.error(
                "band",
                format!(
                    "expected AWS's label of a Spot Instance Advisor band ({}) or the edge \"upper\", \"mid\" or \"lower\", got {}",
                    AWS_BANDS.map(|(l, _)| format!("\"{l}\"")).join(", "),
                    crate::error::excerpt(text)
                ),
            )
        })?),
    };
    let edge = match edge_text.as_deref() {
        None => Edge::Upper,
        Some(text) => Edge::parse(text).ok_or_else(|| {
            keys.error(
                "edge",
                format!(
                    "expected \"upper\", \"mid\" or \"lower\", got {}",
                    crate::error::excerpt(text)
                ),
            )
        })?,
    };
    let (band, source) = match label {
        Some(label) => {
            // The label is the band: a lookup key beside it would be silently unused.
            for key in ["region", "instance_type", "os", "path"] {
                if keys.take(key).is_some() {
                    return Err(keys.error(
                        key,
                        format!("band = \"{label}\" is the band itself; {key} is for looking a band up in the feed (region, instance_type, os, path): give one or the other"),
                    ));
                }
            }
            (Band::aws(label), BandSource::Given)
        }
        None => look_up(keys, context)?,
    };
    let monthly_fraction = edge.pick(band.lower, band.upper);
    if !(0.0..1.0).contains(&monthly_fraction) {
        return Err(keys.error(
            "path",
            format!(
                "band \"{}\" gives {:.0}% per month; expected less than 100%",
                band.label,
                monthly_fraction * 100.0
            ),
        ));
    }
    let mean_capacity_wait_seconds = keys.duration("mean_capacity_wait")?.unwrap_or(0.0);
    Ok(Box::new(Advisor {
        source,
        edge,
        band_label: band.label,
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
        match &self.source {
            BandSource::Given => {
                table.insert("band".into(), toml::Value::String(self.band_label.clone()));
            }
            BandSource::Feed {
                path,
                region,
                os,
                instance_type,
            } => {
                table.insert(
                    "path".into(),
                    toml::Value::String(path.display().to_string()),
                );
                table.insert("region".into(), toml::Value::String(region.clone()));
                table.insert("os".into(), toml::Value::String(os.clone()));
                table.insert(
                    "instance_type".into(),
                    toml::Value::String(instance_type.clone()),
                );
            }
        }
        table.insert("edge".into(), toml::Value::String(self.edge.name().into()));
        table.insert(
            "mean_capacity_wait".into(),
            seconds_value(self.mean_capacity_wait_seconds),
        );
        table
    }

    fn interruption_basis(&self) -> Option<InterruptionBasis> {
        let source = match &self.source {
            BandSource::Given => "the scenario's band".to_string(),
            BandSource::Feed {
                path,
                region,
                os,
                instance_type,
            } => format!(
                "{region} {os} {instance_type} in {}",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ),
        };
        Some(InterruptionBasis {
            model: "advisor".into(),
            source,
            band: self.band_label.clone(),
            edge: self.edge.name().into(),
            monthly_interruption_fraction: self.monthly_fraction,
            hazard_per_instance_hour: self.hazard_per_second * 3600.0,
            instance_count: self.instance_count,
            mean_uptime_hours: self.mean_uptime_seconds().map(|s| s / 3600.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_read_as_aws_writes_them_and_as_people_type_them() {
        for (typed, label) in [
            ("<5%", "<5%"),
            ("< 5 %", "<5%"),
            ("5-10%", "5-10%"),
            ("5–10", "5-10%"),
            ("10-15%", "10-15%"),
            ("15-20 %", "15-20%"),
            (">20%", ">20%"),
            ("> 20", ">20%"),
        ] {
            assert_eq!(band_label(typed), Some(label), "{typed}");
        }
        for other in ["20%", "upper", "", "5-11%", ">=20%"] {
            assert_eq!(band_label(other), None, "{other}");
        }
    }

    #[test]
    fn aws_band_edges_follow_the_feed() {
        // "15-20%" spans the feed's max of the band below (16) to its own (22).
        let band = Band::aws("15-20%");
        assert_eq!((band.lower, band.upper), (0.16, 0.22));
        // The open top band is capped at half the fleet per month.
        let top = Band::aws(">20%");
        assert_eq!((top.lower, top.upper), (0.22, OPEN_BAND_UPPER));
        assert_eq!(Band::aws("<5%").lower, 0.0);
    }
}
