//! Reading inputs: regular files only, never beyond a size limit, each remembered, read as
//! checked text.
//!
//! Every file spotsim reads — scenarios, CreateTrainingJob requests, suites, partials,
//! baselines, traces, price files, the Spot Advisor feed — is opened by [`open`] (streamed, then
//! read by [`lines`]) or read whole by [`read_text`]. The file is opened without blocking
//! (`O_NONBLOCK`, so a FIFO cannot hang the open) and checked on the open handle: anything but
//! a regular file is refused, and so is a file larger than its kind's limit — both before a
//! byte is read. The limit is enforced again while reading, in case the file grows. The
//! identity of every file opened (device and inode, and the canonical path) is remembered so
//! that [`super::output`] can refuse to overwrite it.
//!
//! Text is decoded one way ([`text_of`], [`lines`]): UTF-8, checked where it fails — the first
//! byte that is not UTF-8 is reported with its line and its byte offset in the line and in the
//! file (a file saved as Latin-1 or UTF-16 otherwise gives only "stream did not contain valid
//! UTF-8") — and without a leading byte-order mark. Windows editors write U+FEFF at the start of
//! UTF-8 files; RFC 8259 §8.1 lets a JSON parser ignore it, but serde_json rejects it as
//! "expected value". TOML and CSV were already read through it; JSON now is too.

use crate::error::InputError;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One mebibyte.
const MIB: u64 = 1 << 20;

/// The most bytes of a document written by hand or by spotsim: a scenario, a request, a suite,
/// a partial or a baseline (the largest real ones are tens of kilobytes).
pub const DOCUMENT_LIMIT_BYTES: u64 = 8 * MIB;

/// The most bytes of a data file: a trace, a price file or the Spot Advisor feed (CSV traces
/// are streamed; 1 GiB is about 40 million rows).
pub const DATA_LIMIT_BYTES: u64 = 1024 * MIB;

/// The most bytes of a file of DescribeTrainingJob documents (read whole): about 50,000 jobs.
pub const JOB_HISTORY_LIMIT_BYTES: u64 = 256 * MIB;

/// What an input file is: how it is named in messages and how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A scenario (TOML).
    Scenario,
    /// A CreateTrainingJob request body (JSON).
    Request,
    /// SDK `Estimator(...)` keyword arguments (JSON).
    Estimator,
    /// A benchmark suite manifest (TOML).
    Suite,
    /// A shard's partial result (JSON).
    Partial,
    /// A saved benchmark baseline (JSON).
    Baseline,
    /// An availability trace (CSV, JSON or event list).
    Trace,
    /// Spot prices: per-tick series or a price history (JSON).
    Prices,
    /// The Spot Advisor feed (JSON).
    AdvisorFeed,
    /// DescribeTrainingJob documents of past jobs (JSON).
    JobHistory,
}

impl InputKind {
    /// The kind in words, with its article ("a scenario").
    pub fn described(self) -> &'static str {
        match self {
            Self::Scenario => "a scenario",
            Self::Request => "a CreateTrainingJob request",
            Self::Estimator => "a file of SDK estimator arguments",
            Self::Suite => "a suite",
            Self::Partial => "a partial",
            Self::Baseline => "a baseline",
            Self::Trace => "a trace",
            Self::Prices => "a price file",
            Self::AdvisorFeed => "a Spot Advisor feed",
            Self::JobHistory => "DescribeTrainingJob documents",
        }
    }

    /// The most bytes a file of this kind may have.
    pub fn limit_bytes(self) -> u64 {
        match self {
            Self::Scenario
            | Self::Request
            | Self::Estimator
            | Self::Suite
            | Self::Partial
            | Self::Baseline => DOCUMENT_LIMIT_BYTES,
            Self::Trace | Self::Prices | Self::AdvisorFeed => DATA_LIMIT_BYTES,
            Self::JobHistory => JOB_HISTORY_LIMIT_BYTES,
        }
    }
}

/// A byte count for people: "8 MiB", "1.5 GiB".
fn size_words(bytes: u64) -> String {
    let mib = bytes as f64 / MIB as f64;
    let (value, unit) = if mib >= 1024.0 {
        (mib / 1024.0, "GiB")
    } else {
        (mib, "MiB")
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.trim_end_matches(".0"))
}

fn too_large(kind: InputKind, size_bytes: Option<u64>) -> io::Error {
    let size = size_bytes.map_or_else(|| "more".to_string(), |s| format!("{s} bytes, more"));
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "{size} than the {} {} may have",
            size_words(kind.limit_bytes()),
            kind.described()
        ),
    )
}

/// Which kind of non-regular file `file_type` is, in words.
fn special_kind(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Where a file is and which file it is: two paths name the same file when their devices and
/// inodes agree (hard links, symlinks), or, where there are no inodes, their canonical paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileIdentity {
    /// (device, inode) on Unix.
    device_inode: Option<(u64, u64)>,
    /// The canonical path, when it could be resolved.
    canonical: Option<PathBuf>,
}

impl FileIdentity {
    /// The identity of the file `metadata` describes, found at `path`.
    pub fn of(path: &Path, metadata: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        let device_inode = {
            use std::os::unix::fs::MetadataExt;
            Some((metadata.dev(), metadata.ino()))
        };
        #[cfg(not(unix))]
        let device_inode = {
            let _ = metadata;
            None
        };
        Self {
            device_inode,
            canonical: std::fs::canonicalize(path).ok(),
        }
    }

    /// Whether both name the same file.
    pub fn same_file(&self, other: &Self) -> bool {
        match (self.device_inode, other.device_inode) {
            (Some(mine), Some(theirs)) => mine == theirs,
            _ => self.canonical.is_some() && self.canonical == other.canonical,
        }
    }
}

/// Every input opened by this process: its identity and its path as given.
static READ: Mutex<Vec<(FileIdentity, PathBuf)>> = Mutex::new(Vec::new());

fn remember(identity: FileIdentity, path: &Path) {
    let mut read = READ.lock().unwrap_or_else(|e| e.into_inner());
    // The newest path of a file: an older entry may be a deleted input whose inode was reused.
    read.retain(|(known, _)| !known.same_file(&identity));
    read.push((identity, path.to_path_buf()));
}

/// The input this process read that `identity` names, as its path was given. The input must
/// still be there: an inode freed by a deleted input and reused by a new file is not it.
pub fn read_as(identity: &FileIdentity) -> Option<PathBuf> {
    READ.lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(known, path)| {
            known.same_file(identity)
                && std::fs::metadata(path)
                    .is_ok_and(|now| FileIdentity::of(path, &now).same_file(known))
        })
        .map(|(_, path)| path.clone())
}

/// Reads a file, failing once it has given more than its limit.
#[derive(Debug)]
struct Limited {
    file: File,
    left_bytes: u64,
    kind: InputKind,
}

impl Read for Limited {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buffer)?;
        if n as u64 > self.left_bytes {
            return Err(too_large(self.kind, None));
        }
        self.left_bytes -= n as u64;
        Ok(n)
    }
}

/// An open input: a regular file, buffered, that errs rather than read past its limit.
#[derive(Debug)]
pub struct Input {
    reader: BufReader<Limited>,
}

impl Read for Input {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buffer)
    }
}

impl BufRead for Input {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.reader.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.reader.consume(amount);
    }
}

/// Opens `path` as an input of `kind` (see the module documentation). The errors say what is
/// wrong in words ("a named pipe (FIFO), not a regular file: …"), for the caller to prefix
/// with the file and what it was reading.
pub fn open(path: &Path, kind: InputKind) -> io::Result<Input> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // A FIFO without a writer would block the open itself; regular files ignore the flag.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{}, not a regular file: spotsim reads {} only from a regular file",
                special_kind(metadata.file_type()),
                kind.described()
            ),
        ));
    }
    if metadata.len() > kind.limit_bytes() {
        return Err(too_large(kind, Some(metadata.len())));
    }
    remember(FileIdentity::of(path, &metadata), path);
    Ok(Input {
        reader: BufReader::with_capacity(
            1 << 20,
            Limited {
                file,
                left_bytes: kind.limit_bytes(),
                kind,
            },
        ),
    })
}

/// Reads all of `path`, an input of `kind`, as text (see [`open`] and [`text_of`]); bytes that
/// are not UTF-8 are an [`io::ErrorKind::InvalidData`] error wrapping [`NotUtf8`].
pub fn read_to_string(path: &Path, kind: InputKind) -> io::Result<String> {
    read_rest(open(path, kind)?)
}

/// Reads the rest of `reader` as text (see [`text_of`]).
pub fn read_rest(mut reader: impl Read) -> io::Result<String> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    text_of(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Reads all of `path`, an input of `kind`, as text, for errors about `file` ("cannot read the
/// `what`: …"): a byte that is not UTF-8 is an error at its line.
pub fn read_text(
    path: &Path,
    kind: InputKind,
    file: &str,
    what: &str,
) -> Result<String, InputError> {
    read_to_string(path, kind).map_err(|e| read_error(file, what, e))
}

/// The error reading `file` (a `what`) gave: at its line when a byte is not UTF-8.
pub fn read_error(file: &str, what: &str, error: io::Error) -> InputError {
    let line = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<NotUtf8>())
        .map(|bad| bad.line);
    InputError::new(file, format!("cannot read the {what}: {error}")).at_line(line)
}

/// The UTF-8 encoding of U+FEFF, the byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The first byte of an input that is not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8 {
    /// 1-based line.
    pub line: usize,
    /// 1-based byte in the line.
    pub column: usize,
    /// 1-based byte in the file.
    pub offset: u64,
    /// The byte.
    pub byte: u8,
}

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "not UTF-8 text: byte 0x{:02X} at byte {} of line {} (byte {} of the file); save the file as UTF-8",
            self.byte, self.column, self.line, self.offset
        )
    }
}

impl std::error::Error for NotUtf8 {}

/// `bytes` (a whole input) as text: UTF-8 checked, a leading byte-order mark dropped.
pub fn text_of(bytes: Vec<u8>) -> Result<String, NotUtf8> {
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
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |newline| newline + 1);
            Err(NotUtf8 {
                line: before.iter().filter(|&&b| b == b'\n').count() + 1,
                column: bad - line_start + 1,
                offset: bad as u64 + 1,
                byte: bytes[bad],
            })
        }
    }
}

/// The lines of an input read one at a time (for inputs too large to hold as text): without
/// their `\n` or `\r\n`, the first without a byte-order mark, each checked as UTF-8, errors
/// about `file` at their line. After an error the iterator ends.
#[derive(Debug)]
pub struct Lines<R> {
    reader: R,
    file: String,
    /// What the file is, for "cannot read the …".
    what: String,
    /// The bytes of the current line (reused: one allocation per line, for its text).
    bytes: Vec<u8>,
    /// Lines read so far.
    line: usize,
    /// Bytes read so far.
    offset: u64,
    done: bool,
}

/// [`Lines`] of `reader`, the start of `file` (a `what`).
pub fn lines<R: BufRead>(reader: R, file: &str, what: &str) -> Lines<R> {
    Lines {
        reader,
        file: file.to_string(),
        what: what.to_string(),
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
                return Some(Err(
                    read_error(&self.file, &self.what, e).at_line(Some(self.line + 1))
                ));
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
                let bad = NotUtf8 {
                    line: self.line,
                    column: column + 1,
                    offset: self.offset + column as u64 + 1,
                    byte: bytes[column],
                };
                let error = io::Error::new(io::ErrorKind::InvalidData, bad);
                Err(read_error(&self.file, &self.what, error))
            }
        };
        self.offset += read as u64;
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped_at_the_start_only() {
        assert_eq!(text_of(b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "{}");
        assert_eq!(text_of(b"{}".to_vec()).unwrap(), "{}");
        assert_eq!(text_of(b"a\xEF\xBB\xBF".to_vec()).unwrap(), "a\u{feff}");
    }

    /// Asserts that `error` is at `line` and says `words`.
    fn assert_at(error: &InputError, line: usize, words: &str) {
        assert_eq!(error.line, Some(line), "{}", error.message);
        assert!(error.message.contains(words), "{}", error.message);
    }

    #[test]
    fn bad_bytes_are_located_by_line_and_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        std::fs::write(&path, b"{\n  \"a\": \"\xFF\"\n}").unwrap();
        let error = read_text(&path, InputKind::Request, "f.json", "request").unwrap_err();
        assert_at(
            &error,
            2,
            "cannot read the request: not UTF-8 text: byte 0xFF at byte 9 of line 2 (byte 11 of the file)",
        );
    }

    #[test]
    fn streamed_lines_are_checked_and_located_the_same_way() {
        let text: &[u8] = b"\xEF\xBB\xBFdate,availability\r\nok\n\xC3\x28bad\nnever read\n";
        let mut lines = lines(text, "t.csv", "trace");
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
    fn sizes_read_in_binary_units() {
        assert_eq!(size_words(8 * MIB), "8 MiB");
        assert_eq!(size_words(1024 * MIB), "1 GiB");
        assert_eq!(size_words(1536 * MIB), "1.5 GiB");
        assert_eq!(size_words(MIB / 2), "0.5 MiB");
    }

    #[test]
    fn a_file_over_its_limit_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        // Sparse: no block is written, the size alone must refuse it.
        File::create(&path)
            .unwrap()
            .set_len(DOCUMENT_LIMIT_BYTES + 1)
            .unwrap();
        let error = read_to_string(&path, InputKind::Scenario).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(
            error.to_string(),
            "8388609 bytes, more than the 8 MiB a scenario may have"
        );
        // Exactly the limit is allowed (and is read).
        File::create(&path)
            .unwrap()
            .set_len(DOCUMENT_LIMIT_BYTES)
            .unwrap();
        assert_eq!(
            read_to_string(&path, InputKind::Scenario).unwrap().len() as u64,
            DOCUMENT_LIMIT_BYTES
        );
    }

    #[test]
    fn a_file_growing_past_its_limit_while_read_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("growing.json");
        std::fs::write(&path, b"{}").unwrap();
        let mut input = open(&path, InputKind::Partial).unwrap();
        // The file grows after the size check: the reader still stops at the limit.
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(DOCUMENT_LIMIT_BYTES + 10)
            .unwrap();
        let mut sink = Vec::new();
        let error = input.read_to_end(&mut sink).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert!(sink.len() as u64 <= DOCUMENT_LIMIT_BYTES);
    }

    #[test]
    fn a_folder_is_not_an_input_and_inputs_are_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_to_string(dir.path(), InputKind::Trace).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("a folder, not a regular file"),
            "{error}"
        );
        let path = dir.path().join("scenario.toml");
        std::fs::write(&path, "name = \"x\"\n").unwrap();
        read_to_string(&path, InputKind::Scenario).unwrap();
        let link = dir.path().join("link.toml");
        std::fs::hard_link(&path, &link).unwrap();
        let identity = FileIdentity::of(&link, &std::fs::metadata(&link).unwrap());
        assert_eq!(read_as(&identity), Some(path));
    }
}
