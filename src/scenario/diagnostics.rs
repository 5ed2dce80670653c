//! TOML diagnostics: a serde/TOML error turned into one line naming the file, the line and the
//! key, with the API spellings of pinned keys.

use crate::error::InputError;
use crate::units::keys::{self, locate};

/// Pinned keys and their API/SDK spellings (serde aliases of `[job]`).
pub(super) const JOB_ALIASES: &[(&str, &[&str])] = &[
    (
        "managed_spot",
        &["enable_managed_spot_training", "use_spot_instances"],
    ),
    ("max_runtime", &["max_runtime_in_seconds", "max_run"]),
    ("max_wait", &["max_wait_time_in_seconds"]),
    ("max_pending_time", &["max_pending_time_in_seconds"]),
    ("checkpoint_s3_uri", &["s3_uri"]),
    ("checkpoint_local_path", &["local_path"]),
    ("max_retry_attempts", &["maximum_retry_attempts"]),
    ("volume_size_gb", &["volume_size_in_gb", "volume_size"]),
];

/// The section header in force at 1-based `line` and the key written on that line, if any.
pub(super) fn key_at_line(source: &str, line: usize) -> (Option<String>, Option<String>) {
    let lines: Vec<&str> = source.lines().collect();
    let text = lines.get(line.saturating_sub(1)).map_or("", |l| l.trim());
    let key = text
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let section = lines[..line.saturating_sub(1).min(lines.len())]
        .iter()
        .rev()
        .chain(text.starts_with('[').then_some(&text))
        .find_map(|l| {
            let l = l.trim();
            l.strip_prefix('[')
                .map(|h| h.split(']').next().unwrap_or("").trim().to_string())
        });
    (section, key)
}

/// Turns a TOML/serde error into a one-line error naming the line and, where it can be
/// found, the `[section] key` it is about.
pub(super) fn toml_error(file: &str, source: &str, error: &toml::de::Error) -> InputError {
    let line = error
        .span()
        .map(|span| source[..span.start.min(source.len())].matches('\n').count() + 1);
    let message = error.message().trim().to_string();
    let mut result = InputError::new(file, message.clone()).at_line(line);
    match keys::explain_structure(source, line, &message, &[]) {
        Some((at, Some(header), explanation)) => {
            return InputError::new(file, explanation)
                .at_line(Some(at))
                .at_key(header);
        }
        Some((_, None, explanation)) => result.message = explanation,
        None => {}
    }
    let Some(line) = line else { return result };
    let (section, key) = key_at_line(source, line);
    // A key given twice under two spellings: serde points at the table; point at the alias.
    if let Some(field) = message
        .strip_prefix("duplicate field `")
        .and_then(|m| m.split('`').next())
        && let Some((pinned, aliases)) = JOB_ALIASES
            .iter()
            .find(|(p, a)| *p == field || a.contains(&field))
    {
        let mut spellings = vec![*pinned];
        spellings.extend_from_slice(aliases);
        let used: Vec<(&str, usize)> = spellings
            .iter()
            .filter_map(|k| locate(source, Some("job"), &[k]).map(|l| (*k, l)))
            .collect();
        if let [(first, _), .., (second, second_line)] = used.as_slice() {
            return InputError::new(
                file,
                format!(
                    "\"{first}\" and \"{second}\" are the same setting ({}); give it once",
                    pinned_note(pinned, aliases)
                ),
            )
            .at_key(format!("[job] {second}"))
            .at_line(Some(*second_line));
        }
    }
    if let Some(key) = key {
        result = result.at_key(match section {
            Some(section) => format!("[{section}] {key}"),
            None => key,
        });
    }
    result
}

pub(super) fn pinned_note(pinned: &str, aliases: &[&str]) -> String {
    format!(
        "{} {} of {pinned}",
        aliases.join(", "),
        if aliases.len() == 1 {
            "is an alias"
        } else {
            "are aliases"
        }
    )
}
