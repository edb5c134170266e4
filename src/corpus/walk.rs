//! Finding the brief files of a corpus folder.
//!
//! The walk reports everything it could not look at instead of skipping it:
//! a folder that cannot be listed this time is recorded as *unseen*, so the
//! index keeps what it holds from it (a transient error must never delete
//! data); symbolic links are followed inside the corpus only; links that
//! lead out of it, loops, broken links and files that are not regular files
//! (FIFOs, devices) are reported as skipped, with the reason.
//!
//! Two things keep files out on purpose: a `.briefsignore` file (gitignore
//! syntax, in the corpus folder or any folder below it, read with the
//! `ignore` crate's matcher, so `drafts/`, `*.tmp.md` and `!keep.md` work
//! as in git) and a size limit per file ([`WalkOptions::max_file_size`]): a
//! file over it is reported as skipped, naming the limit, instead of being
//! read into memory.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
use walkdir::WalkDir;

use super::{CorpusError, Format};

/// File extensions read as briefs (any case); [`Format::from_path`] maps each to its reader.
pub const BRIEF_EXTENSIONS: &[&str] = &[
    "txt", "text", "md", "markdown", "html", "htm", "xhtml", "pdf", "docx", "odt", "jsonl", "ndjson",
];

/// The name of the ignore file, in gitignore syntax.
pub const IGNORE_FILE: &str = ".briefsignore";

/// The default [`WalkOptions::max_file_size`]: 256 MiB, far above any
/// brief, below what would strain memory when a whole file is read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// How to walk a corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkOptions {
    /// Files larger than this many bytes are skipped with a warning.
    pub max_file_size: u64,
}

impl Default for WalkOptions {
    fn default() -> WalkOptions {
        WalkOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

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

/// Walks `root` for briefs with the default options; see [`discover_with`].
pub fn discover(root: &Path) -> Result<Discovery, CorpusError> {
    discover_with(root, &WalkOptions::default())
}

/// Walks `root` for briefs (files with one of [`BRIEF_EXTENSIONS`]), sorted
/// by path so that every run sees the same order. Hidden files and folders
/// (`.git`, editors' swap files) are not briefs; paths matched by a
/// `.briefsignore` are left out; files over the size limit are skipped.
pub fn discover_with(root: &Path, options: &WalkOptions) -> Result<Discovery, CorpusError> {
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
    let mut ignores = IgnoreFiles::default();
    // No sorting while walking (comparing names through `Path` was a sixth
    // of a run that finds nothing changed): everything found is sorted at the end.
    let mut walker = WalkDir::new(root)
        .follow_links(true)
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
        let is_dir = entry.file_type().is_dir();
        if entry.depth() > 0 && ignores.is_ignored(root, entry.path(), is_dir, &mut found.skipped) {
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
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
            Ok(meta) if meta.len() > options.max_file_size => {
                found.skipped.push(Skipped {
                    path: rel_path,
                    reason: format!(
                        "{} bytes, over the size limit of {} bytes (--max-file-size); not read",
                        meta.len(),
                        options.max_file_size
                    ),
                });
            }
            Ok(meta) => {
                found.files.push(BriefFile {
                    rel_path,
                    abs_path: entry.path().to_path_buf(),
                    size: meta.len(),
                    mtime_ns: modified_ns(&meta).unwrap_or(0),
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
    found.files.sort_unstable_by(|a, b| a.rel_path.cmp(&b.rel_path));
    found
        .skipped
        .sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
    // Rare: sorting by the message is cheap enough and gives a stable report.
    found.errors.sort_by_cached_key(|e| e.to_string());
    Ok(found)
}

/// The `.briefsignore` files met so far, one per folder (`None` when the
/// folder has none), read when the walk first needs them.
#[derive(Default)]
struct IgnoreFiles {
    by_folder: HashMap<PathBuf, Option<Gitignore>>,
}

impl IgnoreFiles {
    /// True when the `.briefsignore` of a folder between `root` and `path`
    /// ignores `path`; the deepest file that has a say decides, as in git.
    /// Patterns that cannot be read are reported in `skipped`, once.
    fn is_ignored(&mut self, root: &Path, path: &Path, is_dir: bool, skipped: &mut Vec<Skipped>) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        let mut folders: Vec<&Path> = parent.ancestors().take_while(|a| a.starts_with(root)).collect();
        folders.reverse();
        let mut ignored = false;
        for folder in folders {
            if !self.by_folder.contains_key(folder) {
                let loaded = load_ignore_file(root, folder, skipped);
                self.by_folder.insert(folder.to_path_buf(), loaded);
            }
            if let Some(Some(matcher)) = self.by_folder.get(folder) {
                match matcher.matched(path, is_dir) {
                    Match::Ignore(_) => ignored = true,
                    Match::Whitelist(_) => ignored = false,
                    Match::None => {}
                }
            }
        }
        ignored
    }
}

/// Reads `folder/.briefsignore`, if there is one.
fn load_ignore_file(root: &Path, folder: &Path, skipped: &mut Vec<Skipped>) -> Option<Gitignore> {
    let file = folder.join(IGNORE_FILE);
    if !file.is_file() {
        return None;
    }
    let key = path_key(file.strip_prefix(root).unwrap_or(&file));
    let mut builder = GitignoreBuilder::new(folder);
    if let Some(err) = builder.add(&file) {
        skipped.push(Skipped {
            path: key.clone(),
            reason: format!("some lines could not be read and are not applied: {err}"),
        });
    }
    match builder.build() {
        Ok(matcher) => Some(matcher),
        Err(err) => {
            skipped.push(Skipped {
                path: key,
                reason: format!("not applied: {err}"),
            });
            None
        }
    }
}

/// True when the symbolic link at `path` resolves to a place inside the corpus.
fn points_inside(path: &Path, canonical_root: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| target.starts_with(canonical_root))
}

fn is_brief_path(path: &Path) -> bool {
    Format::from_path(path).is_some()
}

/// The key of a corpus-relative path: components joined by `/`, with a
/// backslash written `\\`, control characters, `#` and bytes that are not
/// UTF-8 written `\xNN`. It is lossless (two names give two keys),
/// printable, and the same for the same file on every run. `#` is escaped
/// because a JSON Lines record is keyed `FILE#ID`: a file named
/// `b.jsonl#1.md` would otherwise share the key of record `1.md` of
/// `b.jsonl`, and removing one would remove the other.
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
            '#' => key.push_str("\\x23"),
            c if c.is_control() => {
                for byte in c.to_string().bytes() {
                    key.push_str(&format!("\\x{byte:02X}"));
                }
            }
            c => key.push(c),
        }
    }
}

/// A file's modification time in nanoseconds since 1970, if the system
/// gives one after 1970: with the size, what tells that a file changed
/// without reading it.
pub fn modified_ns(meta: &std::fs::Metadata) -> Option<i128> {
    let since_1970 = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(since_1970.as_nanos() as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_keys_are_lossless_and_printable() {
        assert_eq!(path_key(Path::new("a/b.txt")), "a/b.txt");
        assert_eq!(path_key(Path::new("back\\slash.txt")), "back\\\\slash.txt");
        assert_eq!(path_key(Path::new("bell\u{7}.txt")), "bell\\x07.txt");
        assert_eq!(path_key(Path::new("b.jsonl#1.md")), "b.jsonl\\x231.md");
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
