//! Writing outputs: never over an input, straight through to special files, atomically into
//! regular ones, and report folders all or nothing.
//!
//! - [`refuse_input`] is the one guard: an output path that names a file this process read
//!   (same device and inode: the path itself, a symlink to it, a hard link) is an input error.
//!   [`OutputFile::new`] and [`ReportFolder::new`] apply it before any work starts.
//! - [`OutputFile`] (per-trial rows, a partial, a baseline): when the target is a regular file
//!   or does not exist, symlinks are resolved and the bytes go to a temporary file beside the
//!   real target, synced and renamed over it — a reader never sees half a file, and a symlink
//!   stays a symlink. Anything else — a character device such as `/dev/null`, a FIFO, the
//!   process's own stdout — is written straight through: replacing it would turn a device into
//!   a regular file or swallow the rows a pipe was waiting for.
//! - [`ReportFolder`] (`--output DIR`): the set's files are written into a staging folder inside
//!   `DIR` and, once all of them are written and synced, renamed into `DIR` one after another
//!   (renames write no file data, so a disk that fills while the set is written leaves `DIR` as
//!   it was). Files of `DIR` that are not part of the set are never touched; a folder created
//!   for the set is removed again if the set is not committed.
//! - Temporary files and staging folders are listed while they exist; a signal handler removes
//!   them with [`exit_removing_temporaries`]. Committing holds the same lock, so a signal never
//!   cuts a set's renames in half.

use super::input::{FileIdentity, read_as};
use crate::error::InputError;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A temporary thing on disk, removed if its writer does not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Temporary {
    /// A temporary file, renamed over its target on commit.
    File(PathBuf),
    /// A staging folder and its contents.
    Staging(PathBuf),
    /// A folder created for a report set; removed only if empty.
    Created(PathBuf),
}

impl Temporary {
    fn remove(&self) {
        let _ = match self {
            Self::File(path) => std::fs::remove_file(path),
            Self::Staging(path) => std::fs::remove_dir_all(path),
            Self::Created(path) => std::fs::remove_dir(path),
        };
    }
}

static TEMPORARIES: Mutex<Vec<Temporary>> = Mutex::new(Vec::new());

fn temporaries() -> MutexGuard<'static, Vec<Temporary>> {
    TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner())
}

fn unlist(list: &mut Vec<Temporary>, temporary: &Temporary) {
    list.retain(|t| t != temporary);
}

/// Removes every temporary file and staging folder of this process (newest first, so that a
/// created folder is empty by the time its turn comes) and exits with `code`, holding the lock
/// so that no writer can start or commit meanwhile. For signal handlers.
pub fn exit_removing_temporaries(code: i32) -> ! {
    let list = temporaries();
    for temporary in list.iter().rev() {
        temporary.remove();
    }
    std::process::exit(code)
}

/// The input error for an output `path` (given as `option`, the caller's name for it) that
/// names one of the files this process has read; `Ok` for any other path, existing or not.
/// `what` is what the user should choose instead (`"path"`, or `"folder"` for a report set).
pub fn refuse_input(path: &Path, option: &str, what: &str) -> Result<(), InputError> {
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(());
    };
    match read_as(&FileIdentity::of(path, &metadata)) {
        None => Ok(()),
        Some(input) => Err(InputError::new(
            input.display().to_string(),
            format!(
                "writing '{}' would overwrite this input; choose another {what}",
                path.display(),
            ),
        )
        .at_key(option)),
    }
}

/// Writes a new file `path` (which must not exist yet) and syncs it: what report writers use
/// inside a staging folder.
pub fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = File::options().write(true).create_new(true).open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Where the bytes of an [`OutputFile`] go.
#[derive(Debug)]
enum Destination {
    /// A regular file (or none yet) at this resolved path: a temporary renamed over it.
    Replace(PathBuf),
    /// A file that is not replaced: written straight through this handle.
    Through(File),
}

/// The process's stdout, when `metadata` describes the file it writes to: rows sent there must
/// share its file offset with the summary printed after them.
#[cfg(unix)]
fn standard_output(metadata: &std::fs::Metadata) -> Option<File> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let stdout = File::from(io::stdout().as_fd().try_clone_to_owned().ok()?);
    let own = stdout.metadata().ok()?;
    (own.dev() == metadata.dev() && own.ino() == metadata.ino()).then_some(stdout)
}

#[cfg(not(unix))]
fn standard_output(_: &std::fs::Metadata) -> Option<File> {
    None
}

/// The end of a chain of symlinks that leads nowhere yet (a dangling link is followed, so the
/// file is created where the link points and the link stays).
fn follow_dangling_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // Linux's own limit on symlinks followed in one lookup.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(folder) => folder.join(link),
                    None => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn destination(path: &Path) -> io::Result<Destination> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Destination::Replace(follow_dangling_links(path)?));
        }
        Err(e) => return Err(e),
    };
    if let Some(stdout) = standard_output(&metadata) {
        return Ok(Destination::Through(stdout));
    }
    if metadata.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "a folder, not a file",
        ));
    }
    if !metadata.is_file() {
        // Devices and FIFOs: no truncation (meaningless there), no replacement.
        return Ok(Destination::Through(
            File::options().write(true).open(path)?,
        ));
    }
    match std::fs::canonicalize(path) {
        Ok(real) => Ok(Destination::Replace(real)),
        // A regular file only reachable through a path that does not resolve (a file
        // descriptor link to a deleted file): write into it as it is.
        Err(_) => Ok(Destination::Through(
            File::options().write(true).truncate(true).open(path)?,
        )),
    }
}

/// A hidden temporary file beside `target`, named after it and the process, created new.
fn create_temporary(target: &Path) -> io::Result<(File, PathBuf)> {
    let folder = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pid = std::process::id();
    let mut attempt = 0;
    loop {
        let candidate = match attempt {
            0 => folder.join(format!(".{name}.{pid}.tmp")),
            n => folder.join(format!(".{name}.{pid}.{n}.tmp")),
        };
        match File::options()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => {
                temporaries().push(Temporary::File(candidate.clone()));
                if let Ok(existing) = std::fs::metadata(target) {
                    let _ = file.set_permissions(existing.permissions());
                }
                return Ok((file, candidate));
            }
            // A temporary left by an earlier process with the same id: leave it, pick another.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

/// A single output file, checked against the inputs when it is named and written when the
/// work is done (see the module documentation).
#[derive(Debug, Clone)]
pub struct OutputFile {
    path: PathBuf,
}

impl OutputFile {
    /// The output `path`, given as `option`; an input error if it names one of the inputs.
    pub fn new(path: &Path, option: &str) -> Result<Self, InputError> {
        refuse_input(path, option, "path")?;
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the output for writing: a temporary file beside a regular target, or the special
    /// file itself.
    pub fn create(&self) -> io::Result<Pending> {
        match destination(&self.path)? {
            Destination::Through(file) => Ok(Pending {
                file: Some(file),
                temporary: None,
                target: self.path.clone(),
            }),
            Destination::Replace(target) => {
                let (file, temporary) = create_temporary(&target)?;
                Ok(Pending {
                    file: Some(file),
                    temporary: Some(temporary),
                    target,
                })
            }
        }
    }

    /// Writes `contents` and commits them.
    pub fn write(&self, contents: &[u8]) -> io::Result<()> {
        let mut pending = self.create()?;
        pending.write_all(contents)?;
        pending.commit()
    }
}

/// An output being written; dropped without [`Pending::commit`], its temporary file is removed
/// and the target left as it was.
#[derive(Debug)]
pub struct Pending {
    file: Option<File>,
    temporary: Option<PathBuf>,
    target: PathBuf,
}

impl Pending {
    fn file(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the output was already committed"))
    }

    /// Syncs the temporary file and renames it over the target (a special file has had its
    /// bytes already).
    pub fn commit(mut self) -> io::Result<()> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        let Some(temporary) = self.temporary.clone() else {
            return Ok(());
        };
        file.sync_all()?;
        drop(file);
        let mut list = temporaries();
        std::fs::rename(&temporary, &self.target)?;
        unlist(&mut list, &Temporary::File(temporary));
        self.temporary = None;
        Ok(())
    }
}

impl Write for Pending {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        self.file()?.write(buffer)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(temporary) = self.temporary.take() {
            let temporary = Temporary::File(temporary);
            temporary.remove();
            unlist(&mut temporaries(), &temporary);
        }
    }
}

/// A report folder and the names of the files its set may hold, checked against the inputs
/// when it is named (see the module documentation).
#[derive(Debug, Clone)]
pub struct ReportFolder {
    folder: PathBuf,
    names: Vec<String>,
}

impl ReportFolder {
    /// `folder` (given as `option`) for a set of files named `names`; an input error when the
    /// folder or one of the set's files in it is an input.
    pub fn new(
        folder: &Path,
        names: impl IntoIterator<Item = String>,
        option: &str,
    ) -> Result<Self, InputError> {
        refuse_input(folder, option, "folder")?;
        let names: Vec<String> = names.into_iter().collect();
        for name in &names {
            refuse_input(&folder.join(name), option, "folder")?;
        }
        Ok(Self {
            folder: folder.to_path_buf(),
            names,
        })
    }

    /// The folder as given.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Creates the folder if needed and an empty staging folder inside it.
    pub fn stage(&self) -> io::Result<Staging<'_>> {
        let created = create_folders(&self.folder)?;
        let mut staging = Staging {
            set: self,
            dir: PathBuf::new(),
            created,
            committed: false,
        };
        let pid = std::process::id();
        for attempt in 0..100 {
            let dir = self.folder.join(match attempt {
                0 => format!(".spotsim-staging.{pid}"),
                n => format!(".spotsim-staging.{pid}.{n}"),
            });
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    temporaries().push(Temporary::Staging(dir.clone()));
                    staging.dir = dir;
                    return Ok(staging);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                // `staging` is dropped: folders created for it are removed.
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other(format!(
            "could not create a staging folder in '{}'",
            self.folder.display()
        )))
    }
}

/// Creates `folder` and its missing parents; returns those created, outermost first (each
/// listed as a temporary until the set is committed).
fn create_folders(folder: &Path) -> io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut current = Some(folder);
    while let Some(path) = current.filter(|p| !p.as_os_str().is_empty()) {
        if std::fs::symlink_metadata(path).is_ok() {
            break;
        }
        missing.push(path.to_path_buf());
        current = path.parent();
    }
    let mut created = Vec::new();
    for path in missing.into_iter().rev() {
        match std::fs::create_dir(&path) {
            Ok(()) => {
                temporaries().push(Temporary::Created(path.clone()));
                created.push(path);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(e) => {
                remove_created(&created);
                return Err(e);
            }
        }
    }
    Ok(created)
}

/// Removes the folders `created` (innermost first) if they are empty, and unlists them.
fn remove_created(created: &[PathBuf]) {
    let mut list = temporaries();
    for path in created.iter().rev() {
        let temporary = Temporary::Created(path.clone());
        temporary.remove();
        unlist(&mut list, &temporary);
    }
}

/// A report set being written into its staging folder ([`Staging::path`]); dropped without
/// [`Staging::commit`], the staging folder is removed and the report folder left as it was.
#[derive(Debug)]
pub struct Staging<'a> {
    set: &'a ReportFolder,
    dir: PathBuf,
    created: Vec<PathBuf>,
    committed: bool,
}

impl Staging<'_> {
    /// The folder to write the set's files into.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Renames every staged file into the report folder, replacing the set's files there.
    /// Errs, before renaming anything, if a staged file is not one of the declared names or
    /// its place in the report folder is taken by a folder.
    pub fn commit(mut self) -> io::Result<()> {
        let mut staged = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if !self.set.names.contains(&name) {
                return Err(io::Error::other(format!(
                    "'{name}' is not one of the files declared for this report folder"
                )));
            }
            if self.set.folder.join(&name).is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    format!("'{name}' is a folder in the report folder"),
                ));
            }
            staged.push(name);
        }
        staged.sort();
        let mut list = temporaries();
        for name in &staged {
            std::fs::rename(self.dir.join(name), self.set.folder.join(name))?;
        }
        std::fs::remove_dir(&self.dir)?;
        // The renames themselves are durable once the folder is synced.
        if let Ok(folder) = File::open(&self.set.folder) {
            let _ = folder.sync_all();
        }
        unlist(&mut list, &Temporary::Staging(self.dir.clone()));
        for path in &self.created {
            unlist(&mut list, &Temporary::Created(path.clone()));
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        if !self.dir.as_os_str().is_empty() {
            let staging = Temporary::Staging(self.dir.clone());
            staging.remove();
            unlist(&mut temporaries(), &staging);
        }
        remove_created(&self.created);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_set_replaces_its_files_together_and_leaves_others_alone() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("report");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("a.csv"), "old a").unwrap();
        std::fs::write(folder.join("notes.txt"), "mine").unwrap();
        let set = ReportFolder::new(&folder, ["a.csv".into(), "b.csv".into()], "--output").unwrap();
        let staging = set.stage().unwrap();
        write_new(&staging.path().join("a.csv"), b"new a").unwrap();
        // Until the commit the folder is as it was (the staging folder aside).
        assert_eq!(std::fs::read(folder.join("a.csv")).unwrap(), b"old a");
        write_new(&staging.path().join("b.csv"), b"new b").unwrap();
        staging.commit().unwrap();
        assert_eq!(names(&folder), ["a.csv", "b.csv", "notes.txt"]);
        assert_eq!(std::fs::read(folder.join("a.csv")).unwrap(), b"new a");
        assert_eq!(std::fs::read(folder.join("notes.txt")).unwrap(), b"mine");
    }

    #[test]
    fn an_abandoned_set_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("new/report");
        let set = ReportFolder::new(&folder, ["a.csv".into()], "--output").unwrap();
        {
            let staging = set.stage().unwrap();
            write_new(&staging.path().join("a.csv"), b"a").unwrap();
        }
        // The folders created for the set are gone again.
        assert!(names(dir.path()).is_empty());
        // An undeclared file refuses the whole set.
        let staging = set.stage().unwrap();
        write_new(&staging.path().join("a.csv"), b"a").unwrap();
        write_new(&staging.path().join("x.csv"), b"x").unwrap();
        assert!(staging.commit().is_err());
        assert!(names(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_is_replaced_through_its_symlink_and_never_half_written() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        let output = OutputFile::new(&link, "--per-trial").unwrap();
        let mut pending = output.create().unwrap();
        pending.write_all(b"new").unwrap();
        assert_eq!(std::fs::read(&real).unwrap(), b"old");
        pending.commit().unwrap();
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // A dangling link: the file is created where it points.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("made.csv", &dangling).unwrap();
        OutputFile::new(&dangling, "--partial")
            .unwrap()
            .write(b"made")
            .unwrap();
        assert_eq!(std::fs::read(dir.path().join("made.csv")).unwrap(), b"made");
        // A write given up leaves the target alone and no temporary file.
        let pending = OutputFile::new(&real, "--partial")
            .unwrap()
            .create()
            .unwrap();
        drop(pending);
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert!(names(dir.path()).iter().all(|n| !n.ends_with(".tmp")));
    }

    #[test]
    fn an_input_is_never_an_output() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("plan.csv");
        std::fs::write(&input, "rows").unwrap();
        super::super::input::read_to_string(&input, super::super::input::InputKind::Trace).unwrap();
        let error = OutputFile::new(&input, "--per-trial").unwrap_err();
        assert_eq!(error.key.as_deref(), Some("--per-trial"));
        assert!(error.message.contains("would overwrite this input"));
        let error = ReportFolder::new(dir.path(), ["plan.csv".into()], "--output").unwrap_err();
        assert!(error.message.contains("choose another folder"), "{error}");
        // Another name in the same folder is fine.
        assert!(OutputFile::new(&dir.path().join("rows.csv"), "--per-trial").is_ok());
    }
}
