//! User-facing input errors: one line naming the file, the line or key, and what was expected.
//!
//! An error quotes what it read only as a short, sanitised excerpt ([`excerpt`]): a value can be
//! 100 KB long, a file named as a trace can be anybody's secret, and control characters in a
//! quoted value would reach the terminal as escape sequences. Messages from parsers that quote
//! input themselves (serde's "invalid type: string …") are cut the same way when shown.

use std::fmt;

/// Invalid input (scenario, trace, request, CLI value). The CLI exits with status 2 on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file the input came from (or a label such as `<embedded default>`).
    pub file: String,
    /// 1-based line in that file, when known.
    pub line: Option<usize>,
    /// The key (e.g. `[job] max_wait`), when known.
    pub key: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl InputError {
    /// An error about `file` as a whole.
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: None,
            key: None,
            message: message.into(),
        }
    }

    /// Adds the key the error is about.
    pub fn at_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Adds the 1-based line the error is about.
    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line.or(self.line);
        self
    }
}

/// Characters that change how the text around them is shown: C0/C1 controls (terminal escape
/// sequences, carriage returns), bidirectional embeddings, overrides and isolates (which
/// reorder a line on screen), and the Unicode line and paragraph separators.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [unsafe character](is_unsafe_char) written as an escape (`\u{1b}`).
fn escape_unsafe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters of input an error quotes at most.
pub const EXCERPT_CHARS: usize = 40;

/// A value read from input, as an error quotes it: in double quotes, unsafe characters escaped,
/// at most [`EXCERPT_CHARS`] characters (then `…` and the full length in bytes).
pub fn excerpt(text: &str) -> String {
    let shown: String = text.chars().take(EXCERPT_CHARS).collect();
    let mut out = format!("\"{}", escape_unsafe(&shown).replace('"', "\\\""));
    if shown.len() < text.len() {
        out.push_str(&format!("…\" ({} bytes)", text.len()));
    } else {
        out.push('"');
    }
    out
}

/// A word of a message longer than this is cut (a pasted value, a parser quoting input).
const LONGEST_WORD_CHARS: usize = 160;
/// A message longer than this keeps its beginning and its end.
const LONGEST_MESSAGE_CHARS: usize = 1000;

/// The message as one safe line of bounded length.
fn one_safe_line(message: &str) -> String {
    let words: Vec<String> = message
        .split_whitespace()
        .map(|word| {
            let count = word.chars().count();
            if count <= LONGEST_WORD_CHARS {
                escape_unsafe(word)
            } else {
                let head: String = word.chars().take(LONGEST_WORD_CHARS / 2).collect();
                format!("{}…[{} bytes]", escape_unsafe(&head), word.len())
            }
        })
        .collect();
    let line = words.join(" ");
    let count = line.chars().count();
    if count <= LONGEST_MESSAGE_CHARS {
        return line;
    }
    let head: String = line.chars().take(LONGEST_MESSAGE_CHARS * 7 / 10).collect();
    let tail: String = line
        .chars()
        .skip(count - LONGEST_MESSAGE_CHARS / 4)
        .collect();
    format!("{head} … {tail}")
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape_unsafe(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "{}: ", one_safe_line(key))?;
        }
        // One line, always: messages from parsers may carry newlines.
        write!(f, "{}", one_safe_line(&self.message))
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_quoted_and_escaped() {
        assert_eq!(excerpt("ml.p3"), "\"ml.p3\"");
        assert_eq!(excerpt("a\u{1b}[31mb"), "\"a\\u{1b}[31mb\"");
        assert_eq!(excerpt("say \"hi\""), "\"say \\\"hi\\\"\"");
        let long = "x".repeat(100_000);
        let quoted = excerpt(&long);
        assert_eq!(quoted, format!("\"{}…\" (100000 bytes)", "x".repeat(40)));
    }

    #[test]
    fn a_message_is_one_bounded_safe_line() {
        let error = InputError::new(
            "f\nile.toml",
            format!("got {} here\n\u{202E}x", "v".repeat(100_000)),
        )
        .at_line(Some(3))
        .at_key("[job] name");
        let shown = error.to_string();
        assert_eq!(shown.lines().count(), 1, "{shown}");
        assert!(shown.len() < 400, "{} bytes", shown.len());
        assert!(
            shown.starts_with("f\\u{a}ile.toml:3: [job] name: got vvvv"),
            "{shown}"
        );
        assert!(shown.ends_with("[100000 bytes] here \\u{202e}x"), "{shown}");
        let many_words = "word ".repeat(10_000);
        let shown = InputError::new("f", many_words).to_string();
        assert!(
            shown.chars().count() <= LONGEST_MESSAGE_CHARS + 10,
            "{}",
            shown.len()
        );
    }
}
