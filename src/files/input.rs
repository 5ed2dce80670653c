//! Reading inputs: regular files only, never beyond a size limit, each remembered.
//!
//! Every file spotsim reads — scenarios, CreateTrainingJob requests, suites, partials,
//! baselines, traces, price files, the Spot Advisor feed — is opened by [`open`] (streamed) or
//! [`read_to_string`]. The file is opened without blocking (`O_NONBLOCK`, so a FIFO cannot hang
//! the open) and checked on the open handle: anything but a regular file is refused, and so
//! is a file larger than its kind's limit — both before a byte is read. The limit is enforced
//! again while reading, in case the file grows. The identity of every file opened (device and
//! inode, and the canonical path) is remembered so that [`super::output`] can refuse to
//! overwrite it.

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

/// What an input file is: how it is named in messages and how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A scenario (TOML).
    Scenario,
    /// A CreateTrainingJob request body (JSON).
    Request,
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
}

impl InputKind {
    /// The kind in words, with its article ("a scenario").
    pub fn described(self) -> &'static str {
        match self {
            Self::Scenario => "a scenario",
            Self::Request => "a CreateTrainingJob request",
            Self::Suite => "a suite",
            Self::Partial => "a partial",
            Self::Baseline => "a baseline",
            Self::Trace => "a trace",
            Self::Prices => "a price file",
            Self::AdvisorFeed => "a Spot Advisor feed",
        }
    }

    /// The most bytes a file of this kind may have.
    pub fn limit_bytes(self) -> u64 {
        match self {
            Self::Scenario | Self::Request | Self::Suite | Self::Partial | Self::Baseline => {
                DOCUMENT_LIMIT_BYTES
            }
            Self::Trace | Self::Prices | Self::AdvisorFeed => DATA_LIMIT_BYTES,
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

/// Reads all of `path`, an input of `kind`, as UTF-8 text (see [`open`]).
pub fn read_to_string(path: &Path, kind: InputKind) -> io::Result<String> {
    let mut text = String::new();
    open(path, kind)?.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

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
