//! Partial results of sharded runs, and their merge into exactly the single-run summary.
//!
//! A partial is a versioned JSON document: a header naming the scenario (by a hash of its fully
//! resolved form), the seed, the total trials and the shard, and the shard's exact aggregate.
//! Because aggregates merge exactly, merging all K shards gives the bytes one run would print.

use super::{Aggregate, Shard};
use crate::error::InputError;
use crate::files::input::{InputKind, read_text};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// The `format` field of every partial.
pub const PARTIAL_FORMAT: &str = "spotsim-partial";
/// The version of the partial format this build writes and reads.
pub const PARTIAL_VERSION: u32 = 2;

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
    /// The shard's aggregate.
    pub aggregate: Aggregate,
    /// What the market's interruption rate was derived from (advisor scenarios), so that the
    /// merged summary shows it as a single run does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<crate::market::InterruptionBasis>,
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
}

/// Checks that `partials` (file name, partial) are all K shards of one run, and merges them.
pub fn merge_partials(partials: &[(String, Partial)]) -> Result<Merged, InputError> {
    let Some((first_file, first)) = partials.first() else {
        return Err(InputError::new(
            "command line",
            "merge needs at least one partial file",
        ));
    };
    let mut seen = vec![None::<&str>; first.shard.count as usize];
    let mut aggregate = Aggregate::default();
    for (file, p) in partials {
        let differs = |what: &str, mine: String, theirs: String| {
            InputError::new(
                file,
                format!("{what} is {mine}, but {first_file} has {theirs}: partials of different runs cannot be merged"),
            )
            .at_key(what.to_string())
        };
        if p.format != PARTIAL_FORMAT || p.version != PARTIAL_VERSION {
            return Err(InputError::new(
                file,
                format!(
                    "not a spotsim partial of version {PARTIAL_VERSION} (format \"{}\", version {})",
                    p.format, p.version
                ),
            ));
        }
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
        if p.shard.index >= p.shard.count {
            return Err(InputError::new(
                file,
                format!(
                    "shard index {} is not below the count {}",
                    p.shard.index, p.shard.count
                ),
            ));
        }
        let expected = p.shard.range(p.trials);
        if p.aggregate.trials != expected.end - expected.start {
            return Err(InputError::new(
                file,
                format!(
                    "shard {}/{} should hold {} trials but holds {} (an incomplete or edited partial)",
                    p.shard.index,
                    p.shard.count,
                    expected.end - expected.start,
                    p.aggregate.trials
                ),
            ));
        }
        if let Some(other) = seen[p.shard.index as usize] {
            return Err(InputError::new(
                file,
                format!(
                    "shard {}/{} is given twice (also in {other})",
                    p.shard.index, p.shard.count
                ),
            ));
        }
        seen[p.shard.index as usize] = Some(file);
        aggregate += &p.aggregate;
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_none())
        .map(|(i, _)| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(InputError::new(
            "command line",
            format!(
                "shards missing: {} of {} (give every partial of the run)",
                missing.join(", "),
                first.shard.count
            ),
        ));
    }
    Ok(Merged {
        scenario: first.scenario.clone(),
        seed: first.seed,
        on_demand_cost_usd: first.on_demand_cost_usd,
        aggregate,
        market: first.market.clone(),
    })
}

/// Reads a partial file.
pub fn read_partial(path: &std::path::Path) -> Result<Partial, InputError> {
    let file = path.display().to_string();
    let text = read_text(path, InputKind::Partial, &file, "partial")?;
    serde_json::from_str(&text).map_err(|e| {
        InputError::new(&file, format!("not a valid spotsim partial: {e}")).at_line(Some(e.line()))
    })
}
