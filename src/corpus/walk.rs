//! Finding the brief files of a corpus folder.
//!
//! The walk reports everything it could not look at instead of skipping it:
//! a folder that cannot be listed this time is recorded as *unseen*, so the
//! index keeps what it holds from it (a transient error must never delete
//! data); symbolic links are followed inside the corpus only; links that
//! lead out of it, loops, broken links and files that are not regular files
//! (FIFOs, devices) are reported as skipped, with the reason.

use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use super::CorpusError;

/// File extensions read as briefs.
pub const BRIEF_EXTENSIONS: &[&str] = &["txt", "md"];

/// A brief file found on disk, before its body is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefFile {
    /// Path relative to the corpus folder, as [`path_key`] writes it.
    pub rel_path: String,
    pub abs_path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 when unknown).
    pub mtime_ns: i128,
}

/// A file that looks like a brief but is deliberately not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// The result of walking a corpus: the briefs found, in path order, and
/// what could not be looked at (reported, never silently skipped).
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<BriefFile>,
    /// Folders and files that could not be read this time.
    pub errors: Vec<CorpusError>,
    /// Brief-like entries not read on purpose, with the reason.
    pub skipped: Vec<Skipped>,
    /// Keys ([`path_key`]) of folders or files the walk could not see into;
    /// `""` when the corpus folder itself could not be listed.
    unseen: Vec<String>,
}

impl Discovery {
    /// True when the walk looked at the place where `rel_path` would be: a
    /// brief missing from there is really gone. False under a folder that
    /// could not be listed, where the brief may well still exist.
    pub fn saw(&self, rel_path: &str) -> bool {
        !self.unseen.iter().any(|u| {
            u.is_empty() || rel_path == u || (rel_path.starts_with(u.as_str()) && rel_path[u.len()..].starts_with('/'))
        })
    }

    /// True when some folder or file could not be looked at.
    pub fn is_incomplete(&self) -> bool {
        !self.unseen.is_empty()
    }
}

/// Walks `root` for `.txt` and `.md` briefs, sorted by path so that every run
/// sees the same order. Hidden files and folders (`.git`, editors' swap files)
/// are not briefs.
pub fn discover(root: &Path) -> Result<Discovery, CorpusError> {
    if !root.exists() {
        return Err(CorpusError::Missing(root.to_path_buf()));
    }
    if !root.is_dir() {
        return Err(CorpusError::NotADirectory(root.to_path_buf()));
    }
    let canonical_root = root.canonicalize().map_err(|source| CorpusError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let mut found = Discovery::default();
    let mut walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                let rel = path_key(path.strip_prefix(root).unwrap_or(&path));
                if err.loop_ancestor().is_some() {
                    found.skipped.push(Skipped {
                        path: rel,
                        reason: "symbolic link loop; not followed".into(),
                    });
                } else if path.is_symlink() && !path.exists() {
                    found.skipped.push(Skipped {
                        path: rel,
                        reason: "broken symbolic link".into(),
                    });
                } else {
                    found.unseen.push(if err.depth() == 0 { String::new() } else { rel });
                    found.errors.push(CorpusError::Walk {
                        path,
                        message: err.io_error().map_or_else(|| err.to_string(), |e| e.to_string()),
                    });
                }
                continue;
            }
        };
        let rel_path = path_key(entry.path().strip_prefix(root).unwrap_or(entry.path()));
        if entry.path_is_symlink() && !points_inside(entry.path(), &canonical_root) {
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            if entry.file_type().is_dir() || is_brief_path(entry.path()) {
                found.skipped.push(Skipped {
                    path: rel_path,
                    reason: "symbolic link to a place outside the corpus; not followed".into(),
                });
            }
            continue;
        }
        if entry.file_type().is_dir() || !is_brief_path(entry.path()) {
            continue;
        }
        if !entry.file_type().is_file() {
            found.skipped.push(Skipped {
                path: rel_path,
                reason: "not a regular file (a FIFO, socket or device); not read".into(),
            });
            continue;
        }
        match entry.metadata() {
            Ok(meta) => {
                let mtime_ns = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map(|d| d.as_nanos() as i128)
                    .unwrap_or(0);
                found.files.push(BriefFile {
                    rel_path,
                    abs_path: entry.path().to_path_buf(),
                    size: meta.len(),
                    mtime_ns,
                });
            }
            Err(err) => {
                found.unseen.push(rel_path);
                found.errors.push(CorpusError::Walk {
                    path: entry.path().to_path_buf(),
                    message: err.to_string(),
                });
            }
        }
    }
    found.files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(found)
}

/// True when the symbolic link at `path` resolves to a place inside the corpus.
fn points_inside(path: &Path, canonical_root: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| target.starts_with(canonical_root))
}

fn is_brief_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| BRIEF_EXTENSIONS.iter().any(|b| e.eq_ignore_ascii_case(b)))
}

/// The key of a corpus-relative path: components joined by `/`, with a
/// backslash written `\\`, control characters and bytes that are not UTF-8
/// written `\xNN`. It is lossless (two names give two keys), printable, and
/// the same for the same file on every run.
pub fn path_key(rel: &Path) -> String {
    let mut key = String::new();
    for component in rel.components() {
        let Component::Normal(name) = component else {
            continue;
        };
        if !key.is_empty() {
            key.push('/');
        }
        push_escaped(&mut key, name);
    }
    key
}

#[cfg(unix)]
fn push_escaped(key: &mut String, name: &std::ffi::OsStr) {
    use std::os::unix::ffi::OsStrExt;
    for chunk in name.as_bytes().utf8_chunks() {
        push_escaped_str(key, chunk.valid());
        for byte in chunk.invalid() {
            key.push_str(&format!("\\x{byte:02X}"));
        }
    }
}

#[cfg(not(unix))]
fn push_escaped(key: &mut String, name: &std::ffi::OsStr) {
    push_escaped_str(key, &name.to_string_lossy());
}

fn push_escaped_str(key: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => key.push_str("\\\\"),
            c if c.is_control() => {
                for byte in c.to_string().bytes() {
                    key.push_str(&format!("\\x{byte:02X}"));
                }
            }
            c => key.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_keys_are_lossless_and_printable() {
        assert_eq!(path_key(Path::new("a/b.txt")), "a/b.txt");
        assert_eq!(path_key(Path::new("back\\slash.txt")), "back\\\\slash.txt");
        assert_eq!(path_key(Path::new("bell\u{7}.txt")), "bell\\x07.txt");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let ff = path_key(Path::new(std::ffi::OsStr::from_bytes(b"bad\xffname.txt")));
            let fe = path_key(Path::new(std::ffi::OsStr::from_bytes(b"bad\xfename.txt")));
            assert_eq!(ff, "bad\\xFFname.txt");
            assert_ne!(ff, fe);
            // A valid name spelling the escape is still another file.
            assert_ne!(path_key(Path::new("bad\\xFFname.txt")), ff);
        }
    }

    #[test]
    fn unseen_folders_cover_their_paths_only() {
        let d = Discovery {
            unseen: vec!["north".into()],
            ..Discovery::default()
        };
        assert!(!d.saw("north/a.txt"));
        assert!(!d.saw("north"));
        assert!(d.saw("northern/a.txt"));
        assert!(d.saw("south/a.txt"));
        let root = Discovery {
            unseen: vec![String::new()],
            ..Discovery::default()
        };
        assert!(!root.saw("anything.txt"));
    }
}
