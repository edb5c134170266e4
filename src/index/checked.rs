//! Which of a generation's files have been checked against their checksums.
//!
//! Checking every file reads the whole index: at 100,000 briefs that is
//! 600 MB on every `briefs index` run, time and memory that grow with the
//! index while an incremental run only touches what changed. tantivy never
//! rewrites a segment file in place, so a file whose length and
//! modification time are still the ones recorded when it was last checked
//! (or when this program wrote it) has not been changed since. A plain run
//! checksums only the other files; `briefs index --check` still reads them
//! all, which is how damage that keeps the modification time (a failing
//! disk) is found.
//!
//! The record is `.briefs-checked` in the generation folder, replaced
//! atomically. It is only a shortcut: when it is missing or unreadable,
//! every file is checked.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::corpus::walk::modified_ns;

const RECORD_FILE: &str = ".briefs-checked";
const RECORD_TMP: &str = ".briefs-checked.tmp";

/// Length and modification time of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    len: u64,
    mtime_ns: i128,
}

/// File name (relative to the generation folder) to its stamp.
type Stamps = BTreeMap<String, Stamp>;

fn stamp_of(path: &Path) -> io::Result<Stamp> {
    let meta = fs::metadata(path)?;
    // Without a modification time nothing tells an unchanged file: it is
    // checked every time.
    let mtime_ns = modified_ns(&meta).ok_or_else(|| io::Error::other("no modification time"))?;
    Ok(Stamp {
        len: meta.len(),
        mtime_ns,
    })
}

/// The files of the index's searchable segments (`<segment id>.<component>`), sorted.
fn segment_files(gen_dir: &Path, index: &Index) -> tantivy::Result<Vec<PathBuf>> {
    let ids: HashSet<String> = index
        .searchable_segment_metas()?
        .iter()
        .map(|meta| meta.id().uuid_string())
        .collect();
    let mut files = Vec::new();
    for entry in fs::read_dir(gen_dir)?.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.split_once('.').is_some_and(|(id, _)| ids.contains(id)) {
            files.push(PathBuf::from(name));
        }
    }
    files.sort();
    Ok(files)
}

fn current_stamps(gen_dir: &Path, index: &Index) -> tantivy::Result<Stamps> {
    let mut stamps = Stamps::new();
    for file in segment_files(gen_dir, index)? {
        if let Ok(stamp) = stamp_of(&gen_dir.join(&file)) {
            stamps.insert(file.to_string_lossy().into_owned(), stamp);
        }
    }
    Ok(stamps)
}

fn load(gen_dir: &Path) -> Stamps {
    fs::read(gen_dir.join(RECORD_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The segment files not checked since they last changed, sorted.
pub fn unchecked_files(gen_dir: &Path, index: &Index) -> tantivy::Result<Vec<PathBuf>> {
    let record = load(gen_dir);
    let mut unchecked = Vec::new();
    for file in segment_files(gen_dir, index)? {
        let stamp = stamp_of(&gen_dir.join(&file)).ok();
        if stamp.is_none() || record.get(file.to_string_lossy().as_ref()) != stamp.as_ref() {
            unchecked.push(file);
        }
    }
    Ok(unchecked)
}

/// Records the segment files as they are now, as checked. Called after a
/// run has checked the files it found changed and committed its own. A
/// record that cannot be written costs the next run a check of every file,
/// nothing more; the caller may ignore the error.
pub fn record(gen_dir: &Path, index: &Index) -> io::Result<()> {
    let stamps = current_stamps(gen_dir, index).map_err(io::Error::other)?;
    if stamps == load(gen_dir) {
        return Ok(());
    }
    let json = serde_json::to_vec(&stamps).map_err(io::Error::other)?;
    let tmp = gen_dir.join(RECORD_TMP);
    fs::write(&tmp, json)?;
    fs::rename(&tmp, gen_dir.join(RECORD_FILE))
}
