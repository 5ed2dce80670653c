//! Partial results of sharded runs, and their merge into exactly the single-run summary.
//!
//! A partial is a versioned JSON document: a header naming the scenario (by a hash of its fully
//! resolved form), the seed, the total trials, the shard and the limits no trial of the
//! scenario exceeds, and the shard's exact aggregate. Because aggregates merge exactly, merging
//! all K shards gives the bytes one run would print.
//!
//! A partial is a file anyone can edit, and a corrupted one must not become an impossible
//! summary: before merging, each partial's aggregate is checked against its own trials and
//! limits ([`Aggregate::validate`], built on the `validate` of each statistics type), the
//! headers must agree, and the merge itself uses checked arithmetic. Any failure names the
//! file and the field (exit 2).

use super::{Aggregate, Shard};
use crate::engine::{Simulator, TrialLimits};
use crate::error::InputError;
use crate::files::input::{InputKind, read_text};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// The `format` field of every partial.
pub const PARTIAL_FORMAT: &str = "spotsim-partial";
/// The version of the partial format this build writes and reads. Version 3 added `limits`;
/// version 4 the exact per-trial sample charts draw from (`aggregate.sample`) and the
/// aggregate's `deadline_seconds` and `completed_by_deadline`.
pub const PARTIAL_VERSION: u32 = 4;

/// A shard's mergeable result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partial {
    /// Always [`PARTIAL_FORMAT`].
    pub format: String,
    /// [`PARTIAL_VERSION`].
    pub version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Hash of the resolved scenario (trials and seed excluded; they are checked separately).
    pub scenario_hash: String,
    /// Seed.
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// Which shard this is.
    pub shard: Shard,
    /// The on-demand reference cost of the scenario.
    pub on_demand_cost_usd: f64,
    /// What no trial of the scenario exceeds (checked against the aggregate's maxima).
    pub limits: TrialLimits,
    /// The shard's aggregate.
    pub aggregate: Aggregate,
    /// What the market's interruption rate was derived from (advisor scenarios), so that the
    /// merged summary shows it as a single run does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<crate::market::InterruptionBasis>,
    /// The interval `optimal` chose (scenarios with that policy), so that the merged summary
    /// states it as a single run does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<super::optimal::CheckpointChoice>,
    /// The on-demand capacity the numbers assume (scenarios that may run on it), so that the
    /// merged summary states it as a single run does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_demand: Option<crate::scenario::OnDemandCapacity>,
}

impl Partial {
    /// The partial of `shard` of a run of `trials` trials of `scenario` (compiled as `engine`,
    /// whose seed it records) that produced `aggregate`.
    pub fn new(
        scenario: &Scenario,
        engine: &impl Simulator,
        trials: u64,
        shard: Shard,
        aggregate: Aggregate,
    ) -> Self {
        Self {
            format: PARTIAL_FORMAT.to_string(),
            version: PARTIAL_VERSION,
            scenario: scenario.name.clone(),
            scenario_hash: scenario_hash(scenario),
            seed: engine.seed(),
            trials,
            shard,
            on_demand_cost_usd: engine.on_demand_cost_usd(scenario.pricing.on_demand_per_hour),
            limits: engine.trial_limits(),
            aggregate,
            market: scenario
                .market
                .as_ref()
                .and_then(|m| m.model.interruption_basis()),
            checkpoint: super::optimal::CheckpointChoice::of(scenario),
            on_demand: scenario.on_demand_assumption(),
        }
    }

    /// Checks that the partial (read from `file`) is one a run can have written: its own
    /// format and version, a shard inside its count, the trials of that shard, a finite
    /// non-negative on-demand cost, positive limits, and an aggregate consistent with them.
    pub fn validate(&self, file: &str) -> Result<(), InputError> {
        if self.format != PARTIAL_FORMAT || self.version != PARTIAL_VERSION {
            return Err(InputError::new(
                file,
                format!(
                    "not a spotsim partial of version {PARTIAL_VERSION} (format \"{}\", version {}){}",
                    self.format,
                    self.version,
                    older_version_hint(self.version)
                ),
            ));
        }
        let edited = |key: String, message: String| {
            InputError::new(file, format!("{message} (an edited or corrupted partial)")).at_key(key)
        };
        if self.shard.index >= self.shard.count {
            return Err(InputError::new(
                file,
                format!(
                    "shard index {} is not below the count {}",
                    self.shard.index, self.shard.count
                ),
            ));
        }
        let expected = self.shard.range(self.trials);
        if self.aggregate.trials != expected.end - expected.start {
            return Err(InputError::new(
                file,
                format!(
                    "shard {}/{} should hold {} trials but holds {} (an incomplete or edited partial)",
                    self.shard.index,
                    self.shard.count,
                    expected.end - expected.start,
                    self.aggregate.trials
                ),
            ));
        }
        if !(self.on_demand_cost_usd.is_finite() && self.on_demand_cost_usd >= 0.0) {
            return Err(edited(
                "on_demand_cost_usd".into(),
                format!("{} is not a cost", self.on_demand_cost_usd),
            ));
        }
        for (name, bound) in self.limits.bounds() {
            if bound.is_some_and(|b| !(b.is_finite() && b > 0.0)) {
                return Err(edited(
                    format!("limits.{name}"),
                    format!("{bound:?} is not a positive duration"),
                ));
            }
        }
        // A shard samples exactly its trials below SAMPLE_TRIALS.
        let sampled = super::sample::sampled_trials(&expected);
        if !self
            .aggregate
            .sample
            .trial
            .iter()
            .copied()
            .eq(sampled.clone())
        {
            return Err(edited(
                "aggregate.sample.trial".into(),
                format!(
                    "the sample should hold trials {}..{} of this shard",
                    sampled.start, sampled.end
                ),
            ));
        }
        self.aggregate
            .validate(&self.limits)
            .map_err(|e| edited(format!("aggregate.{}", e.field), e.message))
    }
}

/// What to do with a partial an older spotsim wrote.
fn older_version_hint(version: u32) -> &'static str {
    if version < PARTIAL_VERSION {
        ": it was written by an older spotsim; run its shards again with this one"
    } else {
        ""
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, 64 bit, continued from `hash`: a stable fingerprint (not a security hash).
fn fnv1a64(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Resolved keys whose string value names an input file (traces, price files, snapshots).
const FILE_KEYS: &[&str] = &["path", "spot_prices", "spot_price_history"];

/// The fingerprint of a file's bytes, read in chunks; `None` when it cannot be read. The files
/// are data files (traces, prices, feeds), which share one size limit.
fn file_fingerprint(path: &std::path::Path) -> Option<u64> {
    use std::io::Read;
    let mut file = crate::files::input::open(path, crate::files::input::InputKind::Trace).ok()?;
    let mut buffer = vec![0u8; 1 << 16];
    let mut hash = FNV_OFFSET;
    loop {
        let n = file.read(&mut buffer).ok()?;
        if n == 0 {
            return Some(hash);
        }
        hash = fnv1a64(hash, &buffer[..n]);
    }
}

/// Replaces every input-file path in `table` by the fingerprint of the file's content, so a
/// scenario is the same wherever its data is mounted (a cluster's nodes, a CI checkout).
fn fingerprint_files(table: &mut toml::Table) {
    for (key, value) in table.iter_mut() {
        match value {
            toml::Value::Table(inner) => fingerprint_files(inner),
            toml::Value::String(text) if FILE_KEYS.contains(&key.as_str()) => {
                let path = std::path::Path::new(text.as_str());
                if path.is_file()
                    && let Some(hash) = file_fingerprint(path)
                {
                    *text = format!("content fnv1a64:{hash:016x}");
                }
            }
            _ => {}
        }
    }
}

/// The input files a scenario reads (traces, price files, snapshots), each with the
/// fingerprint of its content (`fnv1a64:…`, or "unreadable"), in the order the resolved
/// scenario names them: the provenance of a report.
pub fn input_fingerprints(scenario: &Scenario) -> Vec<(String, String)> {
    fn collect(table: &toml::Table, out: &mut Vec<(String, String)>) {
        for (key, value) in table {
            match value {
                toml::Value::Table(inner) => collect(inner, out),
                toml::Value::String(text) if FILE_KEYS.contains(&key.as_str()) => {
                    let path = std::path::Path::new(text.as_str());
                    let fingerprint = file_fingerprint(path)
                        .filter(|_| path.is_file())
                        .map_or("unreadable".to_string(), |h| format!("fnv1a64:{h:016x}"));
                    out.push((text.clone(), fingerprint));
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    collect(&scenario.resolved_table(), &mut out);
    out
}

/// The fingerprint of a scenario's resolved form, ignoring its trials and seed. Input files
/// count by their content, not by where they lie.
pub fn scenario_hash(scenario: &Scenario) -> String {
    let mut normalised = scenario.clone();
    normalised.simulation.trials = 1;
    normalised.simulation.seed = 0;
    let mut table = normalised.resolved_table();
    fingerprint_files(&mut table);
    let text = toml::to_string(&table).unwrap_or_default();
    format!("fnv1a64:{:016x}", fnv1a64(FNV_OFFSET, text.as_bytes()))
}

/// The merged content of a complete set of partials.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// On-demand reference cost.
    pub on_demand_cost_usd: f64,
    /// All trials merged.
    pub aggregate: Aggregate,
    /// The interruption basis of the scenario (advisor scenarios).
    pub market: Option<crate::market::InterruptionBasis>,
    /// The interval `optimal` chose (scenarios with that policy).
    pub checkpoint: Option<super::optimal::CheckpointChoice>,
    /// The on-demand capacity the numbers assume (scenarios that may run on it).
    pub on_demand: Option<crate::scenario::OnDemandCapacity>,
}

/// Checks that `partials` (file name, partial) are all K shards of one run, and merges them.
pub fn merge_partials(partials: &[(String, Partial)]) -> Result<Merged, InputError> {
    let Some((first_file, first)) = partials.first() else {
        return Err(InputError::new(
            "command line",
            "merge needs at least one partial file",
        ));
    };
    // The shards seen, by index (a map: the count is the partial's word, not a size to allocate).
    let mut seen = std::collections::BTreeMap::<u64, &str>::new();
    let mut aggregate = Aggregate::default();
    for (file, p) in partials {
        let differs = |what: &str, mine: String, theirs: String| {
            InputError::new(
                file,
                format!("{mine} here, but {first_file} has {theirs}: partials of different runs cannot be merged"),
            )
            .at_key(what.to_string())
        };
        p.validate(file)?;
        if p.scenario_hash != first.scenario_hash {
            return Err(differs(
                "scenario_hash",
                p.scenario_hash.clone(),
                first.scenario_hash.clone(),
            ));
        }
        if p.seed != first.seed {
            return Err(differs("seed", p.seed.to_string(), first.seed.to_string()));
        }
        if p.trials != first.trials {
            return Err(differs(
                "trials",
                p.trials.to_string(),
                first.trials.to_string(),
            ));
        }
        if p.shard.count != first.shard.count {
            return Err(differs(
                "shard count",
                p.shard.count.to_string(),
                first.shard.count.to_string(),
            ));
        }
        // The same scenario has one on-demand cost and one set of limits: a shard that says
        // otherwise was edited.
        if p.on_demand_cost_usd.to_bits() != first.on_demand_cost_usd.to_bits() {
            return Err(differs(
                "on_demand_cost_usd",
                p.on_demand_cost_usd.to_string(),
                first.on_demand_cost_usd.to_string(),
            ));
        }
        // The scenario hash covers the policy, not the interval its search found: shards that
        // state different choices were edited.
        if p.checkpoint != first.checkpoint {
            let shown = |c: &Option<super::optimal::CheckpointChoice>| {
                c.as_ref()
                    .map_or("none".to_string(), |c| format!("{} s", c.interval_seconds))
            };
            return Err(differs(
                "checkpoint",
                shown(&p.checkpoint),
                shown(&first.checkpoint),
            ));
        }
        // The scenario hash covers `[on_demand]` and the policy: shards that state different
        // on-demand assumptions were edited.
        if p.on_demand != first.on_demand {
            let shown = |o: &Option<crate::scenario::OnDemandCapacity>| match o {
                None => "absent".to_string(),
                Some(o) => o
                    .mean_capacity_wait_seconds
                    .map_or("a mean wait not set".to_string(), |m| {
                        format!("a mean wait of {m} s")
                    }),
            };
            return Err(differs(
                "on_demand",
                shown(&p.on_demand),
                shown(&first.on_demand),
            ));
        }
        // Named field by field, in the partial's own terms (not as a Rust structure).
        for ((name, mine), (_, theirs)) in p.limits.bounds().into_iter().zip(first.limits.bounds())
        {
            if mine.map(f64::to_bits) != theirs.map(f64::to_bits) {
                let shown =
                    |bound: Option<f64>| bound.map_or("null".to_string(), |b| b.to_string());
                return Err(differs(
                    &format!("limits.{name}"),
                    shown(mine),
                    shown(theirs),
                ));
            }
        }
        if let Some(other) = seen.insert(p.shard.index, file) {
            return Err(InputError::new(
                file,
                format!(
                    "shard {}/{} is given twice (also in {other})",
                    p.shard.index, p.shard.count
                ),
            ));
        }
        aggregate.checked_merge(&p.aggregate).map_err(|e| {
            InputError::new(
                file,
                format!("{} (an edited or corrupted partial)", e.message),
            )
            .at_key(format!("aggregate.{}", e.field))
        })?;
    }
    let count = first.shard.count;
    let missing = count - seen.len() as u64;
    if missing > 0 {
        const LISTED: usize = 10;
        let mut listed: Vec<String> = (0..count)
            .filter(|index| !seen.contains_key(index))
            .take(LISTED)
            .map(|index| index.to_string())
            .collect();
        if missing > LISTED as u64 {
            listed.push(format!("… ({missing} in all)"));
        }
        return Err(InputError::new(
            "command line",
            format!(
                "shards missing: {} of {count} (give every partial of the run)",
                listed.join(", ")
            ),
        ));
    }
    // A merge of consistent shards is consistent; the summary rests on it, so it is checked
    // once more.
    aggregate.validate(&first.limits).map_err(|e| {
        InputError::new(
            "command line",
            format!("the merged partials: {}: {}", e.field, e.message),
        )
    })?;
    Ok(Merged {
        scenario: first.scenario.clone(),
        seed: first.seed,
        on_demand_cost_usd: first.on_demand_cost_usd,
        aggregate,
        market: first.market.clone(),
        checkpoint: first.checkpoint.clone(),
        on_demand: first.on_demand,
    })
}

/// Reads a partial file (its consistency is checked when it is merged).
pub fn read_partial(path: &std::path::Path) -> Result<Partial, InputError> {
    let file = path.display().to_string();
    let text = read_text(path, InputKind::Partial, &file, "partial")?;
    let invalid = |e: serde_json::Error| {
        InputError::new(&file, format!("not a valid spotsim partial: {e}")).at_line(Some(e.line()))
    };
    // The version first: another version's fields would only fail as unknown or missing.
    #[derive(Deserialize)]
    struct Header {
        format: Option<serde_json::Value>,
        version: Option<serde_json::Value>,
    }
    let header: Header = serde_json::from_str(&text).map_err(invalid)?;
    if let (Some(serde_json::Value::String(format)), Some(version)) = (
        &header.format,
        header.version.as_ref().and_then(serde_json::Value::as_u64),
    ) && format == PARTIAL_FORMAT
        && version != u64::from(PARTIAL_VERSION)
    {
        return Err(InputError::new(
            &file,
            format!(
                "a spotsim partial of version {version}; this spotsim reads version {PARTIAL_VERSION}{}",
                older_version_hint(u32::try_from(version).unwrap_or(u32::MAX))
            ),
        )
        .at_key("version"));
    }
    serde_json::from_str(&text).map_err(invalid)
}
