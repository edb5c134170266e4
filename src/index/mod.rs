//! The tantivy index of briefs: schema, building (full and incremental,
//! parallel, crash-safe), the manifest, generations, and opening for search.
//!
//! Layout of an index folder (see [`generation`]):
//! - `CURRENT`: the name of the generation folder readers open;
//! - `gen-NNNNNN/`: a tantivy index, with a `.briefs-generation` marker;
//! - `index.lock`: held (an OS lock) by the one `briefs index` that writes.
//!
//! Incremental runs write into the live generation and rely on tantivy's
//! atomic commit: the manifest is part of the index ([`manifest`]), so the
//! manifest and the passages can never disagree. A full build writes a new
//! generation beside the old one and swaps `CURRENT` only when it is
//! complete: a reader sees the old index or the new one, never half of one.

mod build;
mod checked;
pub mod documents;
pub mod generation;
mod in_flight;
pub mod manifest;
pub mod schema;
pub mod stats;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use tantivy::columnar::StrColumn;
use tantivy::{Index, ReloadPolicy, Searcher, SegmentOrdinal};

pub use build::{build, BuildOptions, BuildReport, Extraction, FileProblem};
pub use documents::{BriefRecord, StoredPassage, StoredReader};
pub use generation::{exists, LOCK_FILE};
pub use schema::{schema, Fields};
pub use stats::{ExactStatistics, IndexState};

use crate::corpus::CorpusError;
use crate::entities::EntityError;

/// Why an index could not be built, checked or opened.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {0} (run `briefs index` to build it)")]
    Missing(PathBuf),
    #[error(
        "the index at {path} was built by another version of briefs (schema {found_schema}, extraction {found_extraction}; \
         this briefs uses schema {schema}, extraction {extraction}): run `briefs index` to rebuild it"
    )]
    Version {
        path: PathBuf,
        found_schema: u32,
        found_extraction: u32,
        schema: u32,
        extraction: u32,
    },
    #[error("another `briefs index` is writing to this index (lock {0} is held); wait for it to finish")]
    Locked(PathBuf),
    #[error(
        "the corpus folder {0} holds no briefs; refusing to empty the existing index (pass --rebuild to build an empty index)"
    )]
    EmptyCorpus(PathBuf),
    #[error(
        "the index folder {index} is inside the corpus folder {corpus}: the index would be read as briefs and \
         briefs could be overwritten; choose an --index outside the corpus"
    )]
    InsideCorpus { index: PathBuf, corpus: PathBuf },
    #[error(
        "not publishing a full build: {count} brief(s) of the current index could not be read this time \
         (first: {first}); the current index is kept. Fix the access error and run again"
    )]
    IncompleteCorpus { count: usize, first: String },
    #[error("--strict: stopped at the first file that could not be read: {error}; the index is left as it was")]
    Strict { path: String, error: String },
    #[error("--index {0} is a file, not a folder")]
    NotAFolder(PathBuf),
    #[error("the index at {path} is damaged: {message} (run `briefs index` to repair it)")]
    Damaged { path: PathBuf, message: String },
    #[error("no space left on the device holding {path}; free some space and run `briefs index` again (the previous index is kept)")]
    NoSpace { path: PathBuf },
    #[error("{path}: permission denied ({action})")]
    Permission { path: PathBuf, action: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Entities(#[from] EntityError),
    #[error("the index holds data briefs cannot read: {0} (run `briefs index --rebuild`)")]
    Corrupt(String),
    #[error("index error: {0} (if it happens again, `briefs index --check` tells whether the index is damaged)")]
    Tantivy(String),
    #[error("{0}")]
    Internal(String),
}

impl IndexError {
    /// An I/O error on `path`, with a full disk and a refused permission
    /// said in words, not as an OS error number.
    pub fn io(path: &Path, source: io::Error) -> IndexError {
        if is_no_space(&source) {
            IndexError::NoSpace {
                path: path.to_path_buf(),
            }
        } else if source.kind() == io::ErrorKind::PermissionDenied {
            IndexError::Permission {
                path: path.to_path_buf(),
                action: source.to_string(),
            }
        } else {
            IndexError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }

    /// Names the index folder in errors that came without a path (a full
    /// disk inside tantivy's writer threads).
    fn at(self, dir: &Path) -> IndexError {
        match self {
            IndexError::Tantivy(message) if message.contains("os error 28") || message.contains("No space left") => {
                IndexError::NoSpace {
                    path: dir.to_path_buf(),
                }
            }
            IndexError::Tantivy(message)
                if message.contains("Permission denied") || message.contains("os error 13") =>
            {
                IndexError::Permission {
                    path: dir.to_path_buf(),
                    action: message,
                }
            }
            other => other,
        }
    }
}

fn is_no_space(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::StorageFull || e.raw_os_error() == Some(28)
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(err: tantivy::TantivyError) -> IndexError {
        match err {
            tantivy::TantivyError::DataCorruption(c) => IndexError::Corrupt(format!("{c:?}")),
            other => IndexError::Tantivy(describe(&other)),
        }
    }
}

/// A tantivy error in words: tantivy's own messages print the `Debug` form
/// of nested errors, which says little to a user.
fn describe(err: &tantivy::TantivyError) -> String {
    use tantivy::directory::error::{OpenReadError, OpenWriteError};
    use tantivy::TantivyError as E;
    let io = |path: &Path, e: &io::Error| {
        if e.kind() == io::ErrorKind::InvalidData || e.kind() == io::ErrorKind::UnexpectedEof {
            format!("file {} is truncated or corrupted ({e})", path.display())
        } else {
            format!("{}: {e}", path.display())
        }
    };
    match err {
        E::OpenReadError(OpenReadError::FileDoesNotExist(path)) => format!("file {} is missing", path.display()),
        E::OpenReadError(OpenReadError::IoError { io_error, filepath }) => io(filepath, io_error),
        E::OpenReadError(OpenReadError::IncompatibleIndex(_)) => "it was written by an incompatible version".into(),
        E::OpenWriteError(OpenWriteError::IoError { io_error, filepath }) => io(filepath, io_error),
        E::OpenWriteError(OpenWriteError::FileAlreadyExists(path)) => {
            format!("file {} already exists", path.display())
        }
        E::IoError(e) => e.to_string(),
        E::LockFailure(..) => "another process holds the index's lock".into(),
        other => other.to_string(),
    }
}

impl From<io::Error> for IndexError {
    fn from(err: io::Error) -> IndexError {
        IndexError::Tantivy(err.to_string())
    }
}

/// An index opened for reading.
pub struct OpenIndex {
    pub index: Index,
    pub searcher: Searcher,
    pub fields: Fields,
    pub state: IndexState,
    pub dir: PathBuf,
    pub generation_dir: PathBuf,
    /// Each segment's `brief` key column, opened on first use. Opening a
    /// string column reads its dictionary's index (100-200k instructions
    /// for the key column of a large segment), and every search opened it
    /// for every segment: a tenth of a rare name's search in process on
    /// 100,000 briefs. Kept here, a server or a program that searches the
    /// same open index again opens it once.
    brief_columns: Vec<OnceLock<Option<StrColumn>>>,
}

impl OpenIndex {
    /// The `brief` key column of segment `segment` (`None` when the
    /// segment holds no key, or there is no such segment).
    pub fn brief_column(&self, segment: SegmentOrdinal) -> tantivy::Result<Option<StrColumn>> {
        let Some(cell) = self.brief_columns.get(segment as usize) else {
            return Ok(None);
        };
        if let Some(column) = cell.get() {
            return Ok(column.clone());
        }
        let column = self.searcher.segment_reader(segment).fast_fields().str("brief")?;
        Ok(cell.get_or_init(|| column).clone())
    }

    /// Exact BM25 statistics for this index (see [`stats`]).
    pub fn statistics(&self) -> ExactStatistics<'_> {
        ExactStatistics::new(&self.searcher, self.fields, &self.state)
    }

    /// Reads stored passages and brief records.
    pub fn stored(&self) -> StoredReader<'_> {
        StoredReader::new(&self.searcher, self.fields)
    }

    /// Size of the live generation on disk.
    pub fn size_on_disk(&self) -> u64 {
        dir_size(&self.generation_dir)
    }
}

/// Opens the live generation of the index at `dir` for reading, and checks
/// its versions. Nothing is written and no lock is taken. A generation
/// swapped out while it is being opened is retried on the new one.
pub fn open(dir: &Path) -> Result<OpenIndex, IndexError> {
    let opened = open_for_reading(dir)?;
    check_versions(&opened)?;
    Ok(opened)
}

fn check_versions(opened: &OpenIndex) -> Result<(), IndexError> {
    let state = &opened.state;
    if state.schema_version != crate::SCHEMA_VERSION || state.extraction_version != crate::EXTRACTION_VERSION {
        return Err(IndexError::Version {
            path: opened.dir.clone(),
            found_schema: state.schema_version,
            found_extraction: state.extraction_version,
            schema: crate::SCHEMA_VERSION,
            extraction: crate::EXTRACTION_VERSION,
        });
    }
    Ok(())
}

/// Opens the live generation read-only, whatever its versions.
fn open_for_reading(dir: &Path) -> Result<OpenIndex, IndexError> {
    const ATTEMPTS: u32 = 4;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let Some(name) = generation::current(dir)? else {
            return Err(IndexError::Missing(dir.to_path_buf()));
        };
        match open_generation(dir, &name, true) {
            Ok(opened) => return Ok(opened),
            Err(err) => {
                // A writer may have swapped generations, or collected a
                // segment file, while we were opening: look again.
                let moved = generation::current(dir).ok().flatten().as_deref() != Some(name.as_str());
                let retry = matches!(
                    err,
                    IndexError::Damaged { .. } | IndexError::Io { .. } | IndexError::Tantivy(_)
                );
                if attempt >= ATTEMPTS || !(moved || retry) {
                    return Err(err);
                }
                std::thread::sleep(Duration::from_millis(10 * u64::from(attempt)));
            }
        }
    }
}

/// Opens generation `name` of the index at `dir`. tantivy asserts on some
/// truncated files while it opens them: such a panic is damage too.
fn open_generation(dir: &Path, name: &str, read_only: bool) -> Result<OpenIndex, IndexError> {
    catch_panic(|| open_generation_unguarded(dir, name, read_only)).map_err(|e| match e {
        IndexError::Corrupt(message) => IndexError::Damaged {
            path: dir.to_path_buf(),
            message,
        },
        other => other,
    })
}

/// Size of tantivy's doc store footer: format version (u32), offset of the
/// skip index (u64), compressor id (u8), 15 reserved bytes.
const DOC_STORE_FOOTER_BYTES: usize = 28;

/// Checks the one length in each segment's doc store that tantivy trusts
/// before it allocates: the number of layers at the start of the skip
/// index (`Vec::with_capacity(n)` on opening a searcher). A damaged count
/// asks for gigabytes, and a failed allocation aborts the process, which no
/// `catch_unwind` can turn into an error. Found by fuzzing damaged index
/// files (`fuzz/fuzz_targets/index_files.rs`); it reads a few bytes per
/// segment.
fn check_store_skip_indexes(index: &Index, segments: &[tantivy::index::SegmentMeta]) -> Result<(), String> {
    for meta in segments {
        let path = meta.relative_path(tantivy::index::SegmentComponent::Store);
        let damaged = |what: &str| format!("{}: {what}", path.display());
        let file =
            tantivy::directory::Directory::open_read(index.directory(), &path).map_err(|e| damaged(&e.to_string()))?;
        let len = file.num_bytes().get_bytes() as usize;
        if len < DOC_STORE_FOOTER_BYTES {
            return Err(damaged("shorter than its footer"));
        }
        let footer = file
            .slice_from(len - DOC_STORE_FOOTER_BYTES)
            .read_bytes()
            .map_err(|e| damaged(&e.to_string()))?;
        let mut offset = [0u8; 8];
        offset.copy_from_slice(&footer.as_slice()[4..12]);
        let offset = u64::from_le_bytes(offset);
        let skip_end = (len - DOC_STORE_FOOTER_BYTES) as u64;
        if offset > skip_end {
            return Err(damaged("its skip index starts past its end"));
        }
        let skip = file
            .slice(offset as usize..skip_end as usize)
            .read_bytes()
            .map_err(|e| damaged(&e.to_string()))?;
        let (layers, used) = read_vint(skip.as_slice()).ok_or_else(|| damaged("its skip index has no length"))?;
        // Every layer takes at least one byte after the count.
        if layers > (skip.len() - used) as u64 {
            return Err(damaged("its skip index claims more layers than it has bytes"));
        }
    }
    Ok(())
}

/// tantivy's variable-length integer: 7 bits a byte, least significant
/// first, the last byte marked by its high bit. The value and the bytes it
/// took; `None` when the bytes end first or it overflows 64 bits.
fn read_vint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 != 0 {
            return Some((value, i + 1));
        }
    }
    None
}

fn open_generation_unguarded(dir: &Path, name: &str, read_only: bool) -> Result<OpenIndex, IndexError> {
    let generation_dir = dir.join(name);
    let damaged = |message: String| IndexError::Damaged {
        path: dir.to_path_buf(),
        message,
    };
    if !generation_dir.is_dir() {
        return Err(damaged(format!("CURRENT names {name}, which is missing")));
    }
    let index = if read_only {
        let directory = generation::ReadOnlyDirectory::open(&generation_dir).map_err(|e| damaged(e.to_string()))?;
        Index::open(directory)
    } else {
        Index::open_in_dir(&generation_dir)
    }
    .map_err(|e| open_error(dir, e))?;
    crate::tokenize::register(&index);
    let metas = index.load_metas().map_err(|e| open_error(dir, e))?;
    check_store_skip_indexes(&index, &metas.segments).map_err(damaged)?;
    let payload = metas.payload;
    let state: IndexState = match payload {
        Some(p) => serde_json::from_str(&p).unwrap_or_default(),
        None => IndexState::default(),
    };
    let (expected, fields) = schema::schema();
    if state.schema_version == crate::SCHEMA_VERSION && index.schema() != expected {
        return Err(damaged("its schema does not match its version".into()));
    }
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| open_error(dir, e))?;
    let searcher = reader.searcher();
    let brief_columns = searcher.segment_readers().iter().map(|_| OnceLock::new()).collect();
    Ok(OpenIndex {
        index,
        searcher,
        fields,
        state,
        dir: dir.to_path_buf(),
        generation_dir,
        brief_columns,
    })
}

/// An error opening an index: a refused permission is not damage.
fn open_error(dir: &Path, err: tantivy::TantivyError) -> IndexError {
    let message = describe(&err);
    if message.contains("Permission denied") || message.contains("os error 13") {
        IndexError::Permission {
            path: dir.to_path_buf(),
            action: format!("reading the index: {message}"),
        }
    } else {
        IndexError::Damaged {
            path: dir.to_path_buf(),
            message,
        }
    }
}

/// How much of an index [`integrity_problems`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrityScope {
    /// Checksums of the files changed since they were last checked (see
    /// [`checked`]): what every `briefs index` run does.
    ChangedFiles,
    /// Checksums of every file: `briefs index --check`.
    AllFiles,
    /// Every checksum, then every document, posting list and column: `--check --verify`.
    Everything,
}

/// What is wrong with an index's files: checksums that do not match, and
/// with [`IntegrityScope::Everything`] anything that fails to read.
pub fn integrity_problems(open: &OpenIndex, scope: IntegrityScope) -> Result<Vec<String>, IndexError> {
    // A missing or truncated file already failed the opening; what is
    // left to find is a file whose bytes changed.
    let mut problems = Vec::new();
    let damaged = catch_panic(|| -> Result<Vec<PathBuf>, IndexError> {
        match scope {
            IntegrityScope::ChangedFiles => {
                let mut damaged = Vec::new();
                for file in checked::unchecked_files(&open.generation_dir, &open.index)? {
                    match open.index.directory().validate_checksum(&file) {
                        Ok(true) => {}
                        Ok(false) => damaged.push(file),
                        Err(e) => problems.push(e.to_string()),
                    }
                }
                Ok(damaged)
            }
            IntegrityScope::AllFiles | IntegrityScope::Everything => {
                Ok(open.index.validate_checksum()?.into_iter().collect())
            }
        }
    })?;
    let mut damaged: Vec<String> = damaged
        .into_iter()
        .map(|p| format!("{} does not match its checksum", open.generation_dir.join(p).display()))
        .collect();
    damaged.sort();
    problems.extend(damaged);
    if scope == IntegrityScope::Everything && problems.is_empty() {
        if let Err(e) = catch_panic(|| read_everything(open)) {
            problems.push(format!("reading every document failed: {e}"));
        }
    }
    Ok(problems)
}

/// Records the live segment files of a generation as checked (see [`checked`]).
pub(crate) fn record_checked(generation_dir: &Path, index: &Index) {
    // A record that cannot be written only makes the next run check every
    // file again.
    let _ = checked::record(generation_dir, index);
}

/// Reads every stored document, posting list and column of the index.
fn read_everything(open: &OpenIndex) -> Result<(), IndexError> {
    let schema = open.index.schema();
    for segment in open.searcher.segment_readers() {
        let store = segment.get_store_reader(1)?;
        for doc in segment.doc_ids_alive() {
            let _: tantivy::TantivyDocument = store.get(doc)?;
        }
        for (field, entry) in schema.fields() {
            if entry.is_indexed() {
                let index = segment.inverted_index(field)?;
                let mut terms = index.terms().stream()?;
                while terms.advance() {
                    let info = terms.value().clone();
                    let mut postings =
                        index.read_postings_from_terminfo(&info, tantivy::schema::IndexRecordOption::Basic)?;
                    while tantivy::DocSet::advance(&mut postings) != tantivy::TERMINATED {}
                }
            }
        }
        let fast = segment.fast_fields();
        for name in ["kind", "ordinal", "hash", "passages", "size"] {
            let column = fast.u64(name)?;
            for doc in 0..segment.max_doc() {
                let _ = column.first(doc);
            }
        }
        for name in ["facets", "brief_facets"] {
            let reader = segment.facet_reader(name)?;
            let mut bytes = Vec::new();
            for doc in 0..segment.max_doc() {
                for ord in reader.facet_ords(doc) {
                    reader.facet_dict().ord_to_term(ord, &mut bytes)?;
                }
            }
        }
    }
    Ok(())
}

/// Runs `f`, turning a panic (tantivy asserts on some damaged files) into
/// an error that says the index is damaged.
pub fn catch_panic<T, E: From<IndexError>>(f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a reader stopped on bad data".to_string());
            Err(IndexError::Corrupt(message).into())
        }
    }
}

/// The live documents of `segment` that hold `term`, in document order.
pub(crate) fn live_docs(
    segment: &tantivy::SegmentReader,
    term: &tantivy::Term,
) -> Result<Vec<tantivy::DocId>, IndexError> {
    let index = segment.inverted_index(term.field())?;
    match index.read_postings(term, tantivy::schema::IndexRecordOption::Basic)? {
        Some(postings) => Ok(alive(segment, postings)),
        None => Ok(Vec::new()),
    }
}

/// The documents of `postings` that `segment` has not deleted.
pub(crate) fn alive(segment: &tantivy::SegmentReader, mut postings: impl tantivy::DocSet) -> Vec<tantivy::DocId> {
    let mut out = Vec::new();
    let alive = segment.alive_bitset();
    let mut doc = postings.doc();
    while doc != tantivy::TERMINATED {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            out.push(doc);
        }
        doc = postings.advance();
    }
    out
}

/// Every brief of the index: its key, segment and brief document.
fn brief_locations(open: &OpenIndex) -> Result<Vec<(String, u32, tantivy::DocId)>, IndexError> {
    let mut out = Vec::new();
    let term = tantivy::Term::from_field_u64(open.fields.kind, schema::kind::BRIEF);
    for (ord, segment) in open.searcher.segment_readers().iter().enumerate() {
        let Some(column) = segment.fast_fields().str("brief")? else {
            continue;
        };
        let mut key = String::new();
        for doc in live_docs(segment, &term)? {
            if let Some(term_ord) = column.term_ords(doc).next() {
                key.clear();
                column.ord_to_str(term_ord, &mut key)?;
                out.push((key.clone(), ord as u32, doc));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The keys of every brief of the index, sorted.
pub fn brief_keys(open: &OpenIndex) -> Result<Vec<String>, IndexError> {
    Ok(brief_locations(open)?.into_iter().map(|(key, _, _)| key).collect())
}

/// Calls `f` with every brief's record and passages, in key order.
pub fn for_each_brief<E: From<IndexError>>(
    open: &OpenIndex,
    mut f: impl FnMut(&BriefRecord, &[StoredPassage]) -> Result<(), E>,
) -> Result<(), E> {
    let stored = open.stored();
    for (key, segment, _) in catch_panic(|| brief_locations(open))? {
        let brief = catch_panic(|| stored.brief_in(segment, &key))?;
        if let Some((record, passages)) = brief {
            f(&record, &passages)?;
        }
    }
    Ok(())
}

fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
