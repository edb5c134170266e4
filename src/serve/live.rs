//! The live index of a running server: reopened when a `briefs index` run
//! commits, kept when a reopening fails.
//!
//! A run commits in one of two ways: an incremental run replaces the live
//! generation's `meta.json` (tantivy's atomic commit), a full build points
//! `CURRENT` at a new generation. Before each request the server compares
//! a stamp of both files (`CURRENT`'s content; `meta.json`'s size,
//! modification time and inode) with the stamp of the index it has open:
//! two small reads of metadata, no lock and nothing written. When they
//! differ it opens the index again ([`crate::index::open`], which retries
//! while a writer swaps files). If that fails (a damaged `CURRENT`, an
//! index of another version) the last good index keeps serving and the
//! failure is reported once per stamp.
//!
//! Each opened index carries its own caches (filter values resolved through
//! the gazetteer, the index's facet list and timeline for the first page),
//! so they never outlive it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::SystemTime;

use crate::entities::{Gazetteer, RegionPath};
use crate::index::{self, generation, IndexError, OpenIndex};
use crate::search::timeline::{self, Timeline};
use crate::search::{self, IndexFacet, SearchError};

/// What identifies a committed state of the index folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    current: Option<String>,
    meta: Option<(u64, Option<SystemTime>, u64)>,
}

impl Stamp {
    /// Reads the stamp of the index at `dir`.
    pub fn read(dir: &Path) -> Stamp {
        let current = std::fs::read_to_string(dir.join(generation::CURRENT_FILE))
            .ok()
            .map(|s| s.trim().to_string());
        let meta = current.as_deref().and_then(|name| {
            // Only a plain generation name is followed (never `..` or a path).
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return None;
            }
            let m = std::fs::metadata(dir.join(name).join("meta.json")).ok()?;
            Some((m.len(), m.modified().ok(), inode(&m)))
        });
        Stamp { current, meta }
    }
}

#[cfg(unix)]
fn inode(m: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(m)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

/// A resolved filter value, cached per index.
#[derive(Debug, Clone)]
pub enum Resolved {
    Country(String),
    Region(RegionPath),
    Actor(crate::entities::Actor),
}

/// Resolved values kept per index; beyond this the cache starts over.
const RESOLVED_CAP: usize = 4096;

/// One opened index and what the server derived from it.
pub struct Generation {
    pub open: OpenIndex,
    pub stamp: Stamp,
    facets: OnceLock<Result<Vec<IndexFacet>, String>>,
    timeline: OnceLock<Result<Timeline, String>>,
    gazetteer: OnceLock<Result<Gazetteer, String>>,
    resolved: Mutex<HashMap<(u8, String), Resolved>>,
}

impl Generation {
    fn new(open: OpenIndex, stamp: Stamp) -> Generation {
        Generation {
            open,
            stamp,
            facets: OnceLock::new(),
            timeline: OnceLock::new(),
            gazetteer: OnceLock::new(),
            resolved: Mutex::new(HashMap::new()),
        }
    }

    /// Every facet value of the index with its counts (computed once).
    pub fn index_facets(&self) -> Result<&[IndexFacet], SearchError> {
        let facets = self
            .facets
            .get_or_init(|| search::index_facets(&self.open).map_err(|e| e.to_string()));
        facets
            .as_deref()
            .map_err(|message| SearchError::Index(IndexError::Internal(message.clone())))
    }

    /// Briefs per month of the whole index (computed once).
    pub fn index_timeline(&self) -> Result<&Timeline, SearchError> {
        let timeline = self.timeline.get_or_init(|| {
            timeline::timeline(&self.open, &search::SearchRequest::default()).map_err(|e| e.to_string())
        });
        timeline
            .as_ref()
            .map_err(|message| SearchError::Index(IndexError::Internal(message.clone())))
    }

    /// The gazetteer of `corpus` (loaded once per index).
    pub fn gazetteer(&self, corpus: &Path) -> Result<&Gazetteer, SearchError> {
        let loaded = self
            .gazetteer
            .get_or_init(|| Gazetteer::load(Some(corpus)).map_err(|e| e.to_string()));
        loaded
            .as_ref()
            .map_err(|message| SearchError::Index(IndexError::Internal(message.clone())))
    }

    /// A cached resolution of `value` in dimension `dim`.
    pub fn cached(&self, dim: u8, value: &str) -> Option<Resolved> {
        self.resolved.lock().ok()?.get(&(dim, value.to_string())).cloned()
    }

    pub fn remember(&self, dim: u8, value: &str, resolved: Resolved) {
        if let Ok(mut cache) = self.resolved.lock() {
            if cache.len() >= RESOLVED_CAP {
                cache.clear();
            }
            cache.insert((dim, value.to_string()), resolved);
        }
    }
}

/// The index a server reads, reopened when it changes on disk.
pub struct LiveIndex {
    dir: PathBuf,
    current: RwLock<Arc<Generation>>,
    /// Serialises reopening, and remembers the last failure (its stamp and message).
    reload: Mutex<Option<(Stamp, String)>>,
}

impl LiveIndex {
    /// Opens the index at `dir`.
    pub fn open(dir: &Path) -> Result<LiveIndex, IndexError> {
        let stamp = Stamp::read(dir);
        let open = index::open(dir)?;
        Ok(LiveIndex {
            dir: dir.to_path_buf(),
            current: RwLock::new(Arc::new(Generation::new(open, stamp))),
            reload: Mutex::new(None),
        })
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn held(&self) -> Arc<Generation> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The index to answer a request with: the open one, or a newer one
    /// when the folder changed and it opens. The second value is the last
    /// reload failure, while the previous index is still being served.
    pub fn get(&self) -> (Arc<Generation>, Option<String>) {
        let held = self.held();
        let stamp = Stamp::read(&self.dir);
        if stamp == held.stamp {
            return (held, None);
        }
        let Ok(mut failure) = self.reload.lock() else {
            return (held, None);
        };
        // Another request may have reopened it while this one waited.
        let held = self.held();
        if stamp == held.stamp {
            return (held, None);
        }
        if let Some((failed, message)) = failure.as_ref() {
            if *failed == stamp {
                return (held, Some(message.clone()));
            }
        }
        match index::open(&self.dir) {
            Ok(open) => {
                // The stamp read before opening: if a commit landed in
                // between, the next request sees a new stamp and reopens.
                let fresh = Arc::new(Generation::new(open, stamp));
                match self.current.write() {
                    Ok(mut current) => *current = Arc::clone(&fresh),
                    Err(poisoned) => *poisoned.into_inner() = Arc::clone(&fresh),
                }
                *failure = None;
                (fresh, None)
            }
            Err(err) => {
                let message = format!(
                    "the index changed on disk but could not be opened ({err}); serving the index opened before"
                );
                let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("warning: {message}\n").as_bytes());
                *failure = Some((stamp, message.clone()));
                (held, Some(message))
            }
        }
    }
}
