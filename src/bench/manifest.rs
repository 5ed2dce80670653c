//! The suite manifest: scenarios × policies (× parameter variants), trials and seed.
//!
//! ```toml
//! [suite]
//! name = "policies"
//! trials = 20000
//! seed = 1
//!
//! [thresholds]                      # optional; these are the defaults
//! confidence = 0.99                 # two-sided level of the two-sample tests
//! mean_relative_floor = 0.01        # a mean must also move by more than 1 % of the baseline
//! p95_relative_floor = 0.02         # a p95 by more than 2 %
//! probability_floor = 0.005         # a probability by more than 0.5 percentage points
//! savings_floor = 0.5               # true savings by more than 0.5 percentage points
//!
//! [policies]                        # named overrides of scenario keys
//! interval = {}
//! daly = { checkpoint.policy = "daly", unset = ["checkpoint.interval"] }
//!
//! [[scenario]]
//! path = "../../scenarios/default.toml"   # relative to this manifest
//! name = "default-p3"                      # optional; default: the file stem
//! policies = ["interval", "daly"]          # optional; default: the scenario as written
//! trials = 5000                            # optional; default: [suite] trials
//! [scenario.variants]                      # optional parameter variants (the base always runs)
//! max-wait-48h = { job.max_wait = "48h" }
//! ```
//!
//! A policy or variant table holds scenario keys (dotted keys address sections) that are
//! merged into the scenario file, plus an optional `unset = ["section.key", …]` that removes
//! keys first. Each cell is the scenario file with its variant's and then its policy's
//! overrides (the policy has the last word: `on-demand` removes MaxWait whatever the variant
//! set), and `[simulation] trials` and `seed` set from the suite: every cell runs the
//! same trial indices with the same seed (common random numbers).

use crate::error::InputError;
use crate::files::input::{InputKind, read_text};
use crate::montecarlo::scenario_hash;
use crate::scenario::Scenario;
use crate::scenario::request::Request;
use crate::scenario::source::ScenarioText;
use crate::units::keys::{check_name, explain_structure};
use crate::units::limits::MAX_TRIALS;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Sections of a scenario that overrides may address.
const SCENARIO_SECTIONS: &[&str] = &[
    "name",
    "start_time",
    "job",
    "workload",
    "checkpoint",
    "market",
    "pricing",
    "policy",
    "simulation",
];

/// When a difference counts as a regression or an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Two-sided confidence level of the two-sample tests (default 0.99).
    pub confidence: f64,
    /// Means must also differ by more than this fraction of the baseline (default 0.01).
    pub mean_relative_floor: f64,
    /// 95th percentiles must also differ by more than this fraction of the baseline (default 0.02).
    pub p95_relative_floor: f64,
    /// Probabilities must also differ by more than this, absolute (default 0.005).
    pub probability_floor: f64,
    /// True savings must also differ by more than this many percentage points (default 0.5).
    pub savings_floor: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            confidence: 0.99,
            mean_relative_floor: 0.01,
            p95_relative_floor: 0.02,
            probability_floor: 0.005,
            savings_floor: 0.5,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    suite: RawSuite,
    #[serde(default)]
    thresholds: Thresholds,
    #[serde(default)]
    policies: BTreeMap<String, toml::Table>,
    #[serde(default)]
    scenario: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    name: Option<String>,
    trials: u64,
    seed: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    path: String,
    name: Option<String>,
    policies: Option<Vec<String>>,
    trials: Option<u64>,
    #[serde(default)]
    variants: BTreeMap<String, toml::Table>,
}

/// One cell of a suite: a fully resolved scenario variant.
#[derive(Debug, Clone)]
pub struct Cell {
    /// `scenario/policy` or `scenario/policy/variant`: the key baselines are matched by.
    pub id: String,
    /// The scenario's name in the suite.
    pub scenario_name: String,
    /// The policy's name in the suite.
    pub policy: String,
    /// The variant's name, if any.
    pub variant: Option<String>,
    /// The resolved scenario (with the suite's trials and seed).
    pub scenario: Scenario,
    /// Trials of this cell.
    pub trials: u64,
    /// Seed (the suite's).
    pub seed: u64,
    /// Fingerprint of the resolved scenario (trials and seed excluded).
    pub scenario_hash: String,
}

/// A parsed suite with its cells resolved.
#[derive(Debug, Clone)]
pub struct Suite {
    /// Suite name (default: the manifest's file stem).
    pub name: String,
    /// The manifest file.
    pub path: PathBuf,
    /// Default trials per cell.
    pub trials: u64,
    /// Seed of every cell.
    pub seed: u64,
    /// Regression thresholds.
    pub thresholds: Thresholds,
    /// The cells, in manifest order (scenario, then policy, then base and variants).
    pub cells: Vec<Cell>,
    /// Warnings of the resolved scenarios (deduplicated).
    pub warnings: Vec<String>,
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

/// The 1-based line of the first `key =` or `[… key …]` header, for errors after parsing.
fn find_line(source: &str, needle: &str) -> Option<usize> {
    source
        .lines()
        .position(|line| {
            let line = line.trim_start();
            line.starts_with(needle) || (line.starts_with('[') && line.contains(needle))
        })
        .map(|i| i + 1)
}

impl Suite {
    /// Reads a manifest and resolves every cell (scenario paths relative to the manifest).
    pub fn load(path: &Path) -> Result<Self, InputError> {
        Self::load_with_job(path, None)
    }

    /// Reads a manifest whose every scenario takes its job from `job` (a CreateTrainingJob
    /// request or SDK estimator arguments, as `--request` gives it to `simulate`): values a
    /// scenario's `[job]` also gives must agree with it.
    pub fn load_with_job(path: &Path, job: Option<&Request>) -> Result<Self, InputError> {
        let file = path.display().to_string();
        let source = read_text(path, InputKind::Suite, &file, "suite")?;
        Self::from_toml_with_job(&source, path, job)
    }

    /// Parses manifest text as if read from `path`.
    pub fn from_toml(source: &str, path: &Path) -> Result<Self, InputError> {
        Self::from_toml_with_job(source, path, None)
    }

    /// Parses manifest text as if read from `path`, every scenario with the job from `job`.
    pub fn from_toml_with_job(
        source: &str,
        path: &Path,
        job: Option<&Request>,
    ) -> Result<Self, InputError> {
        let file = path.display().to_string();
        let raw: RawManifest = toml::from_str(source).map_err(|e| {
            let line = e.span().map(|span| line_of(source, span.start));
            let message = e.message().trim();
            match explain_structure(source, line, message, &["scenario"]) {
                Some((at, header, explanation)) => {
                    let error = InputError::new(&file, explanation).at_line(Some(at));
                    match header {
                        Some(header) => error.at_key(header),
                        None => error,
                    }
                }
                None => InputError::new(&file, message.to_string()).at_line(line),
            }
        })?;
        let error = |key: &str, message: String| {
            InputError::new(&file, message)
                .at_key(key.to_string())
                .at_line(find_line(source, key.rsplit(' ').next().unwrap_or(key)))
        };
        if !(1..=MAX_TRIALS).contains(&raw.suite.trials) {
            return Err(error(
                "[suite] trials",
                format!("expected 1 … {MAX_TRIALS}, got {}", raw.suite.trials),
            ));
        }
        let t = raw.thresholds;
        if !(t.confidence > 0.5 && t.confidence < 1.0) {
            return Err(error(
                "[thresholds] confidence",
                format!(
                    "expected a level in (0.5, 1), e.g. 0.99, got {}",
                    t.confidence
                ),
            ));
        }
        for (key, value) in [
            ("mean_relative_floor", t.mean_relative_floor),
            ("p95_relative_floor", t.p95_relative_floor),
            ("probability_floor", t.probability_floor),
            ("savings_floor", t.savings_floor),
        ] {
            if !(value >= 0.0 && value.is_finite()) {
                return Err(error(
                    &format!("[thresholds] {key}"),
                    format!("expected a finite number ≥ 0, got {value}"),
                ));
            }
        }
        if let Some(name) = &raw.suite.name {
            check_name(name).map_err(|m| error("[suite] name", m))?;
        }
        if raw.scenario.is_empty() {
            return Err(error(
                "[[scenario]]",
                "the suite lists no scenarios: add [[scenario]] entries with a path".into(),
            ));
        }
        for (name, overrides) in &raw.policies {
            let key = format!("[policies] {name}");
            check_name(name).map_err(|m| error(&key, m))?;
            check_overrides(overrides).map_err(|m| error(&key, m))?;
        }
        let base_dir = path.parent().unwrap_or(Path::new("."));
        let name = raw.suite.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "suite".into())
        });
        let mut cells = Vec::new();
        let mut warnings = Vec::new();
        for entry in &raw.scenario {
            let scenario_path = base_dir.join(&entry.path);
            let scenario_file = scenario_path.display().to_string();
            // Validate the file as written first, so its own errors name its own lines.
            let as_written = Scenario::from_inputs(&ScenarioText::read(&scenario_path)?, job)?;
            let text = read_text(
                &scenario_path,
                InputKind::Scenario,
                &scenario_file,
                "scenario",
            )?;
            let table: toml::Table = toml::from_str(&text).map_err(|e| {
                let line = e.span().map(|span| line_of(&text, span.start));
                let message = e.message().trim();
                // The file is valid on its own; only the merge needs i64 integers.
                let message = if message.contains("u64 value was too large") {
                    "an integer above 9223372036854775807 cannot be merged with the suite's overrides (a seed here is replaced by [suite] seed anyway: remove it)".to_string()
                } else {
                    message.to_string()
                };
                InputError::new(&scenario_file, message).at_line(line)
            })?;
            let stem = scenario_path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".into());
            let scenario_name = entry.name.clone().unwrap_or_else(|| stem.clone());
            check_name(&scenario_name).map_err(|m| error("[[scenario]] name", m))?;
            let trials = entry.trials.unwrap_or(raw.suite.trials);
            if !(1..=MAX_TRIALS).contains(&trials) {
                return Err(error(
                    "[[scenario]] trials",
                    format!("expected 1 … {MAX_TRIALS}, got {trials}"),
                ));
            }
            let empty = toml::Table::new();
            let policies: Vec<(String, &toml::Table)> = match &entry.policies {
                None => vec![(as_written.clock.policy_name().to_string(), &empty)],
                Some(names) if names.is_empty() => {
                    return Err(error(
                        "[[scenario]] policies",
                        format!("scenario \"{scenario_name}\" lists no policies"),
                    ));
                }
                Some(names) => names
                    .iter()
                    .map(|n| {
                        raw.policies.get(n).map(|t| (n.clone(), t)).ok_or_else(|| {
                            error(
                                "[[scenario]] policies",
                                format!(
                                    "scenario \"{scenario_name}\" names policy \"{n}\", which [policies] does not define (defined: {})",
                                    raw.policies.keys().cloned().collect::<Vec<_>>().join(", ")
                                ),
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?,
            };
            for (variant, overrides) in &entry.variants {
                check_name(variant)
                    .map_err(|m| error(&format!("[scenario.variants] {variant}"), m))?;
                check_overrides(overrides).map_err(|m| {
                    error(
                        &format!("[scenario.variants] {variant}"),
                        format!("scenario \"{scenario_name}\": {m}"),
                    )
                })?;
            }
            let variants: Vec<(Option<&String>, &toml::Table)> = std::iter::once((None, &empty))
                .chain(entry.variants.iter().map(|(n, t)| (Some(n), t)))
                .collect();
            for (policy, policy_overrides) in &policies {
                for (variant, variant_overrides) in &variants {
                    let id = match variant {
                        None => format!("{scenario_name}/{policy}"),
                        Some(v) => format!("{scenario_name}/{policy}/{v}"),
                    };
                    if cells.iter().any(|c: &Cell| c.id == id) {
                        return Err(error(
                            "[[scenario]] name",
                            format!(
                                "two cells are both called \"{id}\": give the scenarios distinct names"
                            ),
                        ));
                    }
                    let mut merged = table.clone();
                    apply_overrides(&mut merged, variant_overrides);
                    apply_overrides(&mut merged, policy_overrides);
                    let simulation = merged
                        .entry("simulation")
                        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                    // The seed is set on the resolved scenario below: a u64 seed above
                    // i64::MAX does not fit a toml::Value.
                    if let toml::Value::Table(simulation) = simulation {
                        simulation.insert("trials".into(), toml::Value::Integer(trials as i64));
                    }
                    let merged_text = toml::to_string(&merged)
                        .map_err(|e| InputError::new(&file, format!("cell \"{id}\": {e}")))?;
                    let label = format!("{scenario_file} with the overrides of cell \"{id}\"");
                    let mut scenario = Scenario::from_toml_with_request(
                        &merged_text,
                        &label,
                        &stem,
                        scenario_path.parent().unwrap_or(Path::new(".")),
                        job,
                        false,
                    )
                    .map_err(|inner| {
                        let inner = InputError::from(inner);
                        let what = inner.key.map(|k| format!("{k}: ")).unwrap_or_default();
                        let line = variant
                            .and_then(|v| find_line(source, v))
                            .or_else(|| find_line(source, &format!("{policy} ")))
                            .or_else(|| find_line(source, policy));
                        InputError::new(&file, format!("{what}{}", inner.message))
                            .at_key(format!("cell \"{id}\""))
                            .at_line(line)
                    })?;
                    // `optimal` searches with the scenario file's seed, as a command does.
                    crate::montecarlo::prepare(&mut scenario);
                    scenario.simulation.seed = raw.suite.seed;
                    for warning in &scenario.warnings {
                        if !warnings.contains(warning) {
                            warnings.push(warning.clone());
                        }
                    }
                    cells.push(Cell {
                        id,
                        scenario_name: scenario_name.clone(),
                        policy: policy.clone(),
                        variant: variant.cloned(),
                        scenario_hash: scenario_hash(&scenario),
                        scenario,
                        trials,
                        seed: raw.suite.seed,
                    });
                }
            }
        }
        Ok(Self {
            name,
            path: path.to_path_buf(),
            trials: raw.suite.trials,
            seed: raw.suite.seed,
            thresholds: t,
            cells,
            warnings,
        })
    }
}

/// Checks an override table: known sections, and `unset` a list of `section.key` strings.
fn check_overrides(overrides: &toml::Table) -> Result<(), String> {
    for (key, value) in overrides {
        if key == "unset" {
            let toml::Value::Array(items) = value else {
                return Err("unset must be a list of \"section.key\" strings".into());
            };
            for item in items {
                let Some(text) = item.as_str() else {
                    return Err("unset must be a list of \"section.key\" strings".into());
                };
                let section = text.split('.').next().unwrap_or("");
                if !SCENARIO_SECTIONS.contains(&section) || !text.contains('.') {
                    return Err(format!(
                        "unset \"{text}\": expected \"section.key\" with a section among {}",
                        SCENARIO_SECTIONS[2..].join(", ")
                    ));
                }
            }
        } else if !SCENARIO_SECTIONS.contains(&key.as_str()) {
            return Err(format!(
                "unknown scenario section \"{key}\" (expected one of: {}, or unset)",
                SCENARIO_SECTIONS.join(", ")
            ));
        } else {
            check_override_shape(key, value)?;
        }
    }
    Ok(())
}

/// Checks that an override addresses scenario keys as the scenario has them: `name` and
/// `start_time` are values; every other section is a table of `section.key = value`, whose
/// values are never tables except in `[market]` (the markov model's `{ mean = "2h" }`), whose
/// fields are values. A deeper key (`checkpoint.policy.name`) would otherwise surface as
/// "invalid type: map" from the merged scenario, without the key.
fn check_override_shape(section: &str, value: &toml::Value) -> Result<(), String> {
    let first_table = |table: &toml::Table| {
        table
            .iter()
            .find(|(_, v)| v.is_table())
            .map(|(k, v)| (k.clone(), v.clone()))
    };
    if matches!(section, "name" | "start_time") {
        return match value {
            toml::Value::Table(table) => Err(format!(
                "{section}.{}: {section} is a single value, not a table: expected {section} = …",
                table.keys().next().map_or("", String::as_str)
            )),
            _ => Ok(()),
        };
    }
    let toml::Value::Table(keys) = value else {
        return Err(format!(
            "{section}: expected keys of [{section}] ({section}.key = …), got a {}",
            value.type_str()
        ));
    };
    for (key, value) in keys {
        let toml::Value::Table(fields) = value else {
            continue;
        };
        let nested = fields.keys().next().map_or("", String::as_str);
        if section != "market" {
            return Err(format!(
                "{section}.{key}.{nested}: [{section}] {key} takes a value, not a table: expected {section}.{key} = …"
            ));
        }
        if let Some((field, _)) = first_table(fields) {
            return Err(format!(
                "{section}.{key}.{field}: [market] {key} takes a table of values such as {{ mean = \"2h\" }}, not deeper tables"
            ));
        }
    }
    Ok(())
}

/// Removes the `unset` keys, then merges the overrides into `table` (tables recursively).
fn apply_overrides(table: &mut toml::Table, overrides: &toml::Table) {
    if let Some(toml::Value::Array(items)) = overrides.get("unset") {
        for item in items.iter().filter_map(|i| i.as_str()) {
            let mut parts: Vec<&str> = item.split('.').collect();
            let Some(last) = parts.pop() else { continue };
            remove_path(table, &parts, last);
        }
    }
    merge(table, overrides, true);
}

/// Removes `parts….last` from `table` when every table on the way exists.
fn remove_path(table: &mut toml::Table, parts: &[&str], last: &str) {
    match parts.split_first() {
        None => {
            table.remove(last);
        }
        Some((first, rest)) => {
            if let Some(toml::Value::Table(next)) = table.get_mut(*first) {
                remove_path(next, rest, last);
            }
        }
    }
}

fn merge(table: &mut toml::Table, overrides: &toml::Table, top: bool) {
    for (key, value) in overrides {
        if top && key == "unset" {
            continue;
        }
        match (table.get_mut(key), value) {
            (Some(toml::Value::Table(mine)), toml::Value::Table(theirs)) => {
                merge(mine, theirs, false)
            }
            _ => {
                table.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_merge_recursively_and_unset_first() {
        let mut table: toml::Table = toml::from_str(
            "[checkpoint]\npolicy = \"interval\"\ninterval = \"30m\"\nwrite = \"1m\"",
        )
        .unwrap();
        let overrides: toml::Table =
            toml::from_str("checkpoint.policy = \"daly\"\nunset = [\"checkpoint.interval\"]")
                .unwrap();
        check_overrides(&overrides).unwrap();
        apply_overrides(&mut table, &overrides);
        let checkpoint = table["checkpoint"].as_table().unwrap();
        assert_eq!(checkpoint["policy"].as_str(), Some("daly"));
        assert_eq!(checkpoint["write"].as_str(), Some("1m"));
        assert!(!checkpoint.contains_key("interval"));
    }

    #[test]
    fn unknown_sections_are_rejected() {
        let overrides: toml::Table = toml::from_str("chekpoint.interval = \"5h\"").unwrap();
        assert!(
            check_overrides(&overrides)
                .unwrap_err()
                .contains("chekpoint")
        );
        let overrides: toml::Table = toml::from_str("unset = [\"interval\"]").unwrap();
        assert!(check_overrides(&overrides).is_err());
    }

    #[test]
    fn nested_override_keys_are_named() {
        let check = |text: &str| check_overrides(&toml::from_str(text).unwrap());
        let message = check("checkpoint.policy.name = \"daly\"").unwrap_err();
        assert!(
            message.starts_with("checkpoint.policy.name: [checkpoint] policy takes a value"),
            "{message}"
        );
        let message = check("market.available.mean.x = \"2h\"").unwrap_err();
        assert!(message.starts_with("market.available.mean:"), "{message}");
        assert!(check("name.x = 1").unwrap_err().starts_with("name.x:"));
        assert!(
            check("checkpoint = \"daly\"")
                .unwrap_err()
                .contains("got a string")
        );
        // What scenarios do take.
        assert!(check("market.available = { mean = \"2h\" }").is_ok());
        assert!(check("job.max_wait = \"48h\"\nname = \"x\"").is_ok());
        assert!(check("market.available = [[\"0s\", \"5h\"]]").is_ok());
    }
}
