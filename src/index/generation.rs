//! The index folder: which generation is live, who may write, and what may
//! be deleted.
//!
//! - `CURRENT` names the live generation folder. It is replaced by write,
//!   fsync, rename, so a reader sees the old name or the new one. Its content
//!   must be a plain `gen-NNNNNN` name: anything else (an absolute path, a
//!   `..`, bytes that are not UTF-8) is a damaged pointer, never followed.
//! - `gen-NNNNNN/` folders hold tantivy indexes; each has a
//!   `.briefs-generation` marker, and only marked folders are ever deleted.
//! - `index.lock` is held with an OS lock by the one process that writes.
//!
//! Readers open a generation through [`ReadOnlyDirectory`]: they create no
//! file and take no lock, so search works on a read-only mount or on an index
//! another user built. A reader that opens a generation at the moment a
//! writer replaces it may find files gone; it then reads `CURRENT` again.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

use super::IndexError;

/// Name of the pointer file that names the live generation.
pub const CURRENT_FILE: &str = "CURRENT";
/// Name of the writers' lock file.
pub const LOCK_FILE: &str = "index.lock";
/// The file that marks a generation folder as made by `briefs`.
const GENERATION_MARKER: &str = ".briefs-generation";
const CURRENT_TMP: &str = "CURRENT.tmp";

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> IndexError + '_ {
    move |source| IndexError::io(path, source)
}

/// True when `dir` holds a briefs index (a `CURRENT` pointer).
pub fn exists(dir: &Path) -> bool {
    dir.join(CURRENT_FILE).is_file()
}

/// True for the names `briefs` gives generations: `gen-` and six or more digits.
fn is_generation_name(name: &str) -> bool {
    name.strip_prefix("gen-")
        .is_some_and(|n| n.len() >= 6 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The live generation's name, or `None` when there is no `CURRENT`.
pub fn current(dir: &Path) -> Result<Option<String>, IndexError> {
    let pointer = dir.join(CURRENT_FILE);
    let bytes = match fs::read(&pointer) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(IndexError::io(&pointer, e)),
    };
    let name = String::from_utf8_lossy(&bytes).trim().to_string();
    if !is_generation_name(&name) {
        return Err(IndexError::Damaged {
            path: dir.to_path_buf(),
            message: format!(
                "{} does not name a generation (it holds {:?}, expected gen-NNNNNN)",
                pointer.display(),
                name.chars().take(60).collect::<String>()
            ),
        });
    }
    Ok(Some(name))
}

/// Holds the writers' lock for as long as it lives.
pub struct WriterLock {
    _file: File,
}

/// Takes the writers' lock of `dir`, creating the folder if needed. Fails
/// at once, naming the lock file, when another process holds it.
pub fn lock(dir: &Path) -> Result<WriterLock, IndexError> {
    if dir.exists() && !dir.is_dir() {
        return Err(IndexError::NotAFolder(dir.to_path_buf()));
    }
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let path = dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_err(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(WriterLock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(IndexError::Locked(path)),
        Err(fs::TryLockError::Error(e)) => Err(IndexError::io(&path, e)),
    }
}

/// The next free generation name: one above the highest in `dir`.
pub fn next_name(dir: &Path) -> String {
    let highest = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("gen-")?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("gen-{:06}", highest + 1)
}

/// Creates a new generation folder with the marker that says `briefs` made it.
pub fn create(dir: &Path, name: &str) -> Result<PathBuf, IndexError> {
    let gen_dir = dir.join(name);
    // `create_dir`, not `create_dir_all`: never write into a folder that exists.
    fs::create_dir(&gen_dir).map_err(io_err(&gen_dir))?;
    let marker = gen_dir.join(GENERATION_MARKER);
    fs::write(&marker, b"made by briefs; deleted when no longer live\n").map_err(io_err(&marker))?;
    Ok(gen_dir)
}

/// True when `path` is a generation folder that `briefs` made.
fn is_ours(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_generation_name)
        && path.join(GENERATION_MARKER).is_file()
}

/// Points `CURRENT` at `generation`: write a temporary file, fsync, rename.
pub fn publish(dir: &Path, generation: &str) -> Result<(), IndexError> {
    let tmp = dir.join(CURRENT_TMP);
    {
        let mut file = File::create(&tmp).map_err(io_err(&tmp))?;
        file.write_all(generation.as_bytes()).map_err(io_err(&tmp))?;
        file.sync_all().map_err(io_err(&tmp))?;
    }
    let current = dir.join(CURRENT_FILE);
    fs::rename(&tmp, &current).map_err(io_err(&current))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes generations other than `live`: left by a killed or failed build
/// (a full disk), or replaced by a finished one. `previous` is the
/// generation that was live before a swap: ours even when an index made by
/// an older `briefs` has no marker. Only folders `briefs` made are removed,
/// and empty generation folders.
pub fn remove_stale(dir: &Path, live: Option<&str>, previous: Option<&str>) {
    for entry in fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if Some(&*name) == live {
            continue;
        }
        let previous_live = previous == Some(&*name) && is_generation_name(&name);
        if is_ours(&entry.path()) || previous_live {
            remove_generation(&entry.path());
        } else if is_generation_name(&name) {
            // A build killed between making its folder and writing the
            // marker leaves an empty folder; `remove_dir` only ever removes
            // an empty one, so nothing anyone put there can go.
            let _ = fs::remove_dir(entry.path());
        }
    }
    let _ = fs::remove_file(dir.join(CURRENT_TMP));
}

/// Removes a generation folder with its marker last, so that a run killed
/// halfway leaves a folder the next run still knows as its own.
fn remove_generation(path: &Path) {
    for entry in fs::read_dir(path).into_iter().flatten().filter_map(Result::ok) {
        if entry.file_name() == GENERATION_MARKER {
            continue;
        }
        let _ = if entry.file_type().is_ok_and(|t| t.is_dir()) {
            fs::remove_dir_all(entry.path())
        } else {
            fs::remove_file(entry.path())
        };
    }
    let _ = fs::remove_file(path.join(GENERATION_MARKER));
    let _ = fs::remove_dir(path);
}

/// A tantivy directory that never writes: readers open the index through it.
#[derive(Clone, Debug)]
pub struct ReadOnlyDirectory {
    inner: MmapDirectory,
}

impl ReadOnlyDirectory {
    pub fn open(path: &Path) -> Result<ReadOnlyDirectory, tantivy::directory::error::OpenDirectoryError> {
        Ok(ReadOnlyDirectory {
            inner: MmapDirectory::open(path)?,
        })
    }
}

fn read_only(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("{} is opened read-only", path.display()),
    )
}

impl Directory for ReadOnlyDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::wrap_io_error(read_only(path), path.to_path_buf()))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(read_only(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    /// Readers take no lock: the writer's garbage collection may remove a
    /// file while a reader opens the index, which the reader answers by
    /// opening the index again (see [`super::open`]).
    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_generation_names_are_followed() {
        for good in ["gen-000001", "gen-1234567"] {
            assert!(is_generation_name(good), "{good}");
        }
        for bad in [
            "gen-notes",
            "/tmp/other/gen-000001",
            "../gen-000001",
            "gen-00001",
            "gen-000001/..",
            "",
        ] {
            assert!(!is_generation_name(bad), "{bad}");
        }
    }
}
