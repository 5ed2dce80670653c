//! Reading a TOML table key by key, for sections whose keys depend on a chosen model (the
//! `[market]` section): each model takes the keys it knows, and whatever is left is an error,
//! so a typo never passes silently.

use crate::error::InputError;
use crate::units::duration::parse_duration;

/// Checks a name that reaches terminals, SVG, HTML and Markdown as it is (a scenario's, a
/// training job's, a suite's): not empty, and without [control or reordering
/// characters](crate::error::is_unsafe_char), which would move the cursor, recolour a
/// terminal, end a Markdown table row or reverse the text around them.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("must not be empty".to_string());
    }
    if let Some((index, c)) = name
        .chars()
        .enumerate()
        .find(|(_, c)| crate::error::is_unsafe_char(*c))
    {
        return Err(format!(
            "contains the control character U+{:04X} (character {}): a name is printed in terminals, SVG and Markdown as it is; expected printable characters",
            u32::from(c),
            index + 1
        ));
    }
    Ok(())
}

/// Checks a file path as written in an input: an empty path would name the folder of the
/// scenario itself.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.trim().is_empty() {
        Err("expected the path of a file (relative to the scenario), got an empty string".into())
    } else {
        Ok(())
    }
}

/// Finds the 1-based line of `key` (or one of its aliases) inside `[section]` of `source`.
pub fn locate(source: &str, section: Option<&str>, keys: &[&str]) -> Option<usize> {
    let mut current: Option<String> = None;
    for (index, raw) in source.lines().enumerate() {
        let line = raw.trim();
        if let Some(header) = line.strip_prefix('[') {
            let name = header
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('[');
            current = Some(name.to_string());
            continue;
        }
        if current.as_deref() != section {
            continue;
        }
        for key in keys {
            if let Some(rest) = line.strip_prefix(key) {
                let rest = rest.trim_start();
                if rest.starts_with('=') {
                    return Some(index + 1);
                }
            }
        }
    }
    None
}

/// A section header on a line: its name and whether it is `[[name]]` (an array of tables).
fn header(line: &str) -> Option<(String, bool)> {
    let line = line.trim();
    let (inner, array) = match line.strip_prefix("[[") {
        Some(rest) => (rest.split("]]").next()?, true),
        None => (line.strip_prefix('[')?.split(']').next()?, false),
    };
    let name: Vec<String> = inner
        .split('.')
        .map(|part| part.trim().trim_matches('"').to_string())
        .collect();
    Some((name.join("."), array))
}

/// Explains the TOML errors people make with sections, which toml and serde report as
/// "duplicate key" or "invalid type: map, expected …": a `[[name]]` header where the file has
/// one `[name]` (only the sections in `arrays` are lists, e.g. a suite's `[[scenario]]`), a
/// section written twice, and a key given twice. `line` and `message` are the parser's.
/// Returns the line to blame, the section header it holds (`[job]`, when the line is one) and
/// what was expected, or `None` for any other error.
pub fn explain_structure(
    source: &str,
    line: Option<usize>,
    message: &str,
    arrays: &[&str],
) -> Option<(usize, Option<String>, String)> {
    let headers: Vec<(usize, String, bool)> = source
        .lines()
        .enumerate()
        .filter_map(|(i, text)| header(text).map(|(name, array)| (i + 1, name, array)))
        .collect();
    let is_array = |name: &str| arrays.contains(&name.split('.').next().unwrap_or(name));
    if let Some((at, name, _)) = headers
        .iter()
        .find(|(_, name, array)| *array && !is_array(name))
    {
        return Some((
            *at,
            Some(format!("[[{name}]]")),
            format!(
                "[[{name}]] makes \"{name}\" a list of tables, but it is one section: expected [{name}]"
            ),
        ));
    }
    let line = line?;
    if !message.starts_with("duplicate key") {
        return None;
    }
    let text = source.lines().nth(line.checked_sub(1)?)?;
    match header(text) {
        Some((name, false)) => {
            let first = headers
                .iter()
                .find(|(_, other, array)| *other == name && !array)
                .map_or(line, |(at, _, _)| *at);
            Some((
                line,
                Some(format!("[{name}]")),
                format!(
                    "[{name}] is written twice (first at line {first}): expected each section once, with all its keys"
                ),
            ))
        }
        Some((_, true)) => None,
        None => Some((
            line,
            None,
            "this key is given twice in its section: expected each key once".to_string(),
        )),
    }
}

/// A section's keys being consumed.
#[derive(Debug)]
pub struct Keys<'a> {
    table: toml::Table,
    section: &'static str,
    file: &'a str,
    source: &'a str,
}

impl<'a> Keys<'a> {
    /// Wraps the table of `[section]` read from `file` whose text is `source`.
    pub fn new(table: toml::Table, section: &'static str, file: &'a str, source: &'a str) -> Self {
        Self {
            table,
            section,
            file,
            source,
        }
    }

    /// An error about `key` of this section, with its line when it can be found.
    pub fn error(&self, key: &str, message: impl Into<String>) -> InputError {
        InputError::new(self.file, message)
            .at_key(format!("[{}] {key}", self.section))
            .at_line(locate(self.source, Some(self.section), &[key]))
    }

    /// The file name, for errors raised elsewhere.
    pub fn file(&self) -> &str {
        self.file
    }

    /// Removes and returns the raw value of `key`.
    pub fn take(&mut self, key: &str) -> Option<toml::Value> {
        self.table.remove(key)
    }

    /// An optional string.
    pub fn string(&mut self, key: &str) -> Result<Option<String>, InputError> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(self.error(key, format!("expected a string, got {}", other.type_str())))
            }
        }
    }

    /// An optional file path (a non-empty string).
    pub fn path(&mut self, key: &str) -> Result<Option<String>, InputError> {
        let path = self.string(key)?;
        if let Some(text) = &path {
            check_path(text).map_err(|m| self.error(key, m))?;
        }
        Ok(path)
    }

    /// An optional boolean.
    pub fn boolean(&mut self, key: &str) -> Result<Option<bool>, InputError> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(b)),
            Some(other) => Err(self.error(
                key,
                format!("expected true or false, got {}", other.type_str()),
            )),
        }
    }

    /// An optional finite number (integer or float).
    pub fn number(&mut self, key: &str) -> Result<Option<f64>, InputError> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) => Ok(Some(i as f64)),
            Some(toml::Value::Float(x)) if x.is_finite() => Ok(Some(x)),
            Some(toml::Value::Float(x)) => {
                Err(self.error(key, format!("expected a finite number, got {x}")))
            }
            Some(other) => {
                Err(self.error(key, format!("expected a number, got {}", other.type_str())))
            }
        }
    }

    /// An optional duration (seconds or a unit string).
    pub fn duration(&mut self, key: &str) -> Result<Option<f64>, InputError> {
        match self.take(key) {
            None => Ok(None),
            Some(value) => value_to_seconds(&value)
                .map(Some)
                .map_err(|m| self.error(key, m)),
        }
    }

    /// A duration that must be present.
    pub fn required_duration(&mut self, key: &str, model: &str) -> Result<f64, InputError> {
        self.duration(key)?.ok_or_else(|| {
            self.error(
                key,
                format!("model \"{model}\" needs this key (a duration such as \"6h\")"),
            )
        })
    }

    /// Ends reading: any key left over is unknown to the model.
    pub fn finish(self, model: &str, known: &[&str]) -> Result<(), InputError> {
        if let Some(key) = self.table.keys().next() {
            return Err(self.error(
                key,
                format!(
                    "unknown key for market model \"{model}\" (expected one of: {})",
                    known.join(", ")
                ),
            ));
        }
        Ok(())
    }
}

/// Reads the file `full` that a key names, as `what`: when it cannot be opened the error is
/// about the key (`blame`, told the file and why); what is wrong inside the file (bytes that
/// are not UTF-8) is an error about the file and its line. Returns the file's name and text.
pub fn read_keyed_file<E: From<InputError>>(
    full: &std::path::Path,
    kind: crate::files::input::InputKind,
    what: &str,
    blame: impl FnOnce(String) -> E,
) -> Result<(String, String), E> {
    let file = full.display().to_string();
    match crate::files::input::read_text(full, kind, &file, what) {
        Ok(text) => Ok((file, text)),
        Err(e) if e.line.is_none() => Err(blame(format!("{file}: {}", e.message))),
        Err(e) => Err(e.into()),
    }
}

/// Converts a TOML value (integer/float seconds or a unit string) into seconds.
pub fn value_to_seconds(value: &toml::Value) -> Result<f64, String> {
    match value {
        toml::Value::Integer(i) => crate::units::duration::check_seconds(*i as f64),
        toml::Value::Float(x) => parse_duration(&x.to_string()),
        toml::Value::String(s) => parse_duration(s),
        other => Err(format!(
            "expected a duration (seconds or a string such as \"30m\"), got {}",
            other.type_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_control_characters_are_refused() {
        assert!(check_name("bert-large p3 (eu)").is_ok());
        assert!(check_name("日本語").is_ok());
        for bad in [
            "",
            "  ",
            "a\nb",
            "a\u{1b}[31m",
            "a\tb",
            "x\u{202E}y",
            "a\u{7f}",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
