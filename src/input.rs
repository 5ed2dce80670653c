//! Input files as text, read the same way for every input — scenarios, suites, requests,
//! traces, price files, the Spot Advisor feed, partials and baselines:
//!
//! * **Regular files only.** A FIFO blocks until someone writes to it and a device such as
//!   `/dev/zero` never ends; both are refused before they are opened.
//! * **UTF-8, checked where it fails.** The first byte that is not UTF-8 is reported with its
//!   line and its byte offset in the line and in the file (a file saved as Latin-1 or UTF-16
//!   otherwise gives only "stream did not contain valid UTF-8").
//! * **A leading byte-order mark is dropped.** Windows editors write U+FEFF at the start of
//!   UTF-8 files; RFC 8259 §8.1 lets a JSON parser ignore it, but serde_json rejects it as
//!   "expected value". TOML and CSV were already read through it; now JSON is too.
//!
//! It also holds the two checks of text that reaches other people's screens: names
//! ([`check_name`]) and file paths ([`check_path`]).

use crate::error::{InputError, is_unsafe_char};
use std::io::{BufRead, Read};
use std::path::Path;

/// The UTF-8 encoding of U+FEFF.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Opens `path` for reading, refusing anything but a regular file (symbolic links are
/// followed). `file` names it in errors, `what` says what it was meant to be ("trace").
pub fn open(path: &Path, file: &str, what: &str) -> Result<std::fs::File, InputError> {
    let cannot =
        |reason: String| InputError::new(file, format!("cannot read the {what}: {reason}"));
    let kind = |metadata: &std::fs::Metadata| -> Result<(), InputError> {
        if metadata.is_file() {
            Ok(())
        } else if metadata.is_dir() {
            Err(cannot("it is a folder, not a file".into()))
        } else {
            Err(cannot(
                "it is not a regular file (a FIFO, socket or device would block or never end)"
                    .into(),
            ))
        }
    };
    // Checked before opening: opening a FIFO for reading already blocks.
    kind(&std::fs::metadata(path).map_err(|e| cannot(e.to_string()))?)?;
    let opened = std::fs::File::open(path).map_err(|e| cannot(e.to_string()))?;
    kind(&opened.metadata().map_err(|e| cannot(e.to_string()))?)?;
    Ok(opened)
}

/// Reads the regular file `path` as UTF-8 text without a leading byte-order mark.
pub fn read_text(path: &Path, file: &str, what: &str) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    open(path, file, what)?
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::new(file, format!("cannot read the {what}: {e}")))?;
    decode(file, bytes)
}

/// Reads the rest of `reader` (the start of `file`) as UTF-8 text without a leading
/// byte-order mark.
pub fn read_rest(mut reader: impl Read, file: &str, what: &str) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::new(file, format!("cannot read the {what}: {e}")))?;
    decode(file, bytes)
}

/// `bytes` (a whole file) as text: UTF-8 checked, a leading byte-order mark dropped.
pub fn decode(file: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.as_bytes().starts_with(BOM) {
                text.drain(..BOM.len());
            }
            Ok(text)
        }
        Err(error) => {
            let bytes = error.as_bytes();
            let bad = error.utf8_error().valid_up_to();
            let before = &bytes[..bad];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |newline| newline + 1);
            Err(not_utf8(
                file,
                line,
                bad - line_start,
                bad as u64,
                bytes[bad],
            ))
        }
    }
}

/// The error for a byte that is not UTF-8: byte `column` (0-based) of `line` (1-based), byte
/// `offset` (0-based) of the file.
fn not_utf8(file: &str, line: usize, column: usize, offset: u64, byte: u8) -> InputError {
    InputError::new(
        file,
        format!(
            "not UTF-8 text: byte 0x{byte:02X} at byte {} of line {line} (byte {} of the file); save the file as UTF-8",
            column + 1,
            offset + 1
        ),
    )
    .at_line(Some(line))
}

/// The lines of a file read one at a time (for inputs too large to hold as text): without
/// their `\n` or `\r\n`, the first without a byte-order mark, each checked as UTF-8. After an
/// error the iterator ends.
#[derive(Debug)]
pub struct Lines<R> {
    reader: R,
    file: String,
    /// The bytes of the current line (reused: one allocation per line, for its text).
    bytes: Vec<u8>,
    /// Lines read so far.
    line: usize,
    /// Bytes read so far.
    offset: u64,
    done: bool,
}

/// [`Lines`] of `reader`, the start of `file`.
pub fn lines<R: BufRead>(reader: R, file: &str) -> Lines<R> {
    Lines {
        reader,
        file: file.to_string(),
        bytes: Vec::new(),
        line: 0,
        offset: 0,
        done: false,
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<String, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.bytes.clear();
        let read = match self.reader.read_until(b'\n', &mut self.bytes) {
            Ok(0) => {
                self.done = true;
                return None;
            }
            Ok(read) => read,
            Err(e) => {
                self.done = true;
                return Some(Err(InputError::new(
                    &self.file,
                    format!("cannot read the file: {e}"),
                )
                .at_line(Some(self.line + 1))));
            }
        };
        self.line += 1;
        let bytes = &self.bytes;
        let start = if self.line == 1 && bytes.starts_with(BOM) {
            BOM.len()
        } else {
            0
        };
        let mut end = bytes.len();
        if bytes[..end].ends_with(b"\n") {
            end -= 1;
            if bytes[..end].ends_with(b"\r") {
                end -= 1;
            }
        }
        let result = match std::str::from_utf8(&bytes[start..end]) {
            Ok(text) => Ok(text.to_string()),
            Err(error) => {
                self.done = true;
                let column = start + error.valid_up_to();
                Err(not_utf8(
                    &self.file,
                    self.line,
                    column,
                    self.offset + column as u64,
                    bytes[column],
                ))
            }
        };
        self.offset += read as u64;
        Some(result)
    }
}

/// Checks a name that reaches terminals, SVG, HTML and Markdown as it is (a scenario's, a
/// training job's, a suite's): not empty, and without [control or reordering
/// characters](is_unsafe_char), which would move the cursor, recolour a terminal, end a
/// Markdown table row or reverse the text around them.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("must not be empty".to_string());
    }
    if let Some((index, c)) = name.chars().enumerate().find(|(_, c)| is_unsafe_char(*c)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(decode("f", b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "{}");
        assert_eq!(decode("f", b"{}".to_vec()).unwrap(), "{}");
        // Only at the start.
        assert_eq!(decode("f", b"a\xEF\xBB\xBF".to_vec()).unwrap(), "a\u{feff}");
    }

    /// Asserts that `error` is at `line` and says `words`.
    fn assert_at(error: &InputError, line: usize, words: &str) {
        assert_eq!(error.line, Some(line), "{}", error.message);
        assert!(error.message.contains(words), "{}", error.message);
    }

    #[test]
    fn bad_bytes_are_located_by_line_and_offset() {
        let error = decode("f.json", b"{\n  \"a\": \"\xFF\"\n}".to_vec()).unwrap_err();
        assert_at(
            &error,
            2,
            "byte 0xFF at byte 9 of line 2 (byte 11 of the file)",
        );
    }

    #[test]
    fn streamed_lines_are_checked_and_located_the_same_way() {
        let text: &[u8] = b"\xEF\xBB\xBFdate,availability\r\nok\n\xC3\x28bad\nnever read\n";
        let mut lines = lines(text, "t.csv");
        assert_eq!(lines.next().unwrap().unwrap(), "date,availability");
        assert_eq!(lines.next().unwrap().unwrap(), "ok");
        let error = lines.next().unwrap().unwrap_err();
        // Line 3 starts after 3 + 17 + 2 and 3 bytes; 0xC3 0x28 is not a UTF-8 sequence.
        assert_at(
            &error,
            3,
            "byte 0xC3 at byte 1 of line 3 (byte 26 of the file)",
        );
        assert!(lines.next().is_none());
    }

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
