//! User-facing input errors: one line naming the file, the line or key, and what was expected.

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

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        // One line, always: messages from parsers may carry newlines.
        let flat: Vec<&str> = self.message.split_whitespace().collect();
        write!(f, "{}", flat.join(" "))
    }
}

impl std::error::Error for InputError {}
