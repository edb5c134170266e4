//! The tantivy index of passages: schema, building, incremental updates,
//! the manifest of what was indexed, locking and crash safety.
//!
//! Layout of an index folder:
//! - `CURRENT`: the name of the generation folder readers open;
//! - `gen-NNNNNN/`: a tantivy index, with a `.briefs-generation` marker file;
//! - `index.lock`: held (an OS lock) by the one `briefs index` that may write.
//!
//! `briefs` deletes only folders it can tell it made: a `gen-*` folder with
//! the marker, or the generation `CURRENT` named before a swap. Anything
//! else in the index folder (a user's `gen-notes/`) is never touched.
//!
//! Incremental runs write into the current generation: tantivy's `commit()`
//! replaces `meta.json` atomically, and the manifest travels in the commit's
//! payload, so the manifest and the passages can never disagree. A full
//! build writes a new generation beside the old one and swaps `CURRENT`
//! (write, fsync, rename) only when it is complete: a reader sees the old
//! index or the new one, never half of one. A killed run leaves the last
//! commit in place; its lock dies with it.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{
    DateOptions, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument, Term};

use crate::corpus::{self, BriefFile, CorpusError, Discovery};
use crate::entities::{Actor, ActorKind, BriefEntities, EntityError, Extractor, Gazetteer, Mention, PassageEntities};
use crate::passage::{self, Passage, MAX_PASSAGE_WORDS};
use crate::tokenize;

/// Name of the pointer file that names the live generation.
const CURRENT_FILE: &str = "CURRENT";
/// Name of the writers' lock file.
pub const LOCK_FILE: &str = "index.lock";
/// The file that marks a generation folder as made by `briefs`.
const GENERATION_MARKER: &str = ".briefs-generation";
/// Briefs per segment in a full build.
const BRIEFS_PER_SEGMENT: usize = 500;
/// Segments with fewer passages than this are merged together after a run.
const SMALL_SEGMENT_DOCS: u32 = 2000;
/// Memory for tantivy's indexing buffer.
const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {0} (run `briefs index` to build it)")]
    Missing(PathBuf),
    #[error(
        "the index at {path} was built by another version of briefs (schema {found_schema}, extraction {found_extraction}; \
         this briefs uses schema {schema}, extraction {extraction}): run `briefs index --rebuild`"
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
    #[error("the index at {path} is damaged: {message} (run `briefs index --rebuild`)")]
    Damaged { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Entities(#[from] EntityError),
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The fields of the schema, by role.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub path: Field,
    pub ordinal: Field,
    pub line_first: Field,
    pub line_last: Field,
    pub title: Field,
    pub heading: Field,
    pub body: Field,
    pub date: Field,
    pub author: Field,
    pub source: Field,
    /// The passage's facets: `/country/..`, `/region/..`, `/actor/person/..`, `/actor/org/..`.
    pub facets: Field,
    /// The union of the brief's passages' facets, for `--scope brief`.
    pub brief_facets: Field,
    /// What text made each facet (JSON), for `briefs show`.
    pub mentions: Field,
}

/// The schema of a passage document.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenize::ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        path: b.add_text_field("path", STRING | STORED | FAST),
        ordinal: b.add_u64_field("ordinal", INDEXED | STORED | FAST),
        line_first: b.add_u64_field("line_first", STORED),
        line_last: b.add_u64_field("line_last", STORED),
        title: b.add_text_field("title", text.clone()),
        heading: b.add_text_field("heading", text.clone()),
        body: b.add_text_field("body", text.clone()),
        date: b.add_date_field("date", DateOptions::default().set_indexed().set_stored().set_fast()),
        author: b.add_text_field("author", text),
        source: b.add_text_field("source", STORED),
        facets: b.add_facet_field("facets", FacetOptions::default().set_stored()),
        brief_facets: b.add_facet_field("brief_facets", FacetOptions::default()),
        mentions: b.add_text_field("mentions", STORED),
    };
    (b.build(), fields)
}

/// What the index knows of one brief, kept in the commit payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub size: u64,
    pub mtime_ns: i128,
    pub hash: String,
    pub passages: u32,
}

/// The commit payload: versions, the gazetteer used, and the manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndexState {
    pub schema_version: u32,
    pub extraction_version: u32,
    pub gazetteer: String,
    /// When the last build finished (RFC 3339).
    pub built_at: String,
    pub build_seconds: f64,
    pub briefs: BTreeMap<String, ManifestEntry>,
}

/// An index opened for reading.
pub struct OpenIndex {
    pub index: Index,
    pub fields: Fields,
    pub state: IndexState,
    pub dir: PathBuf,
    pub generation_dir: PathBuf,
}

/// True when `dir` holds a briefs index (a `CURRENT` pointer).
pub fn exists(dir: &Path) -> bool {
    dir.join(CURRENT_FILE).is_file()
}

fn current_generation(dir: &Path) -> Result<Option<String>, IndexError> {
    let pointer = dir.join(CURRENT_FILE);
    if !pointer.exists() {
        return Ok(None);
    }
    let name = fs::read_to_string(&pointer).map_err(io_err(&pointer))?;
    Ok(Some(name.trim().to_string()))
}

/// Opens the live generation of the index at `dir` and checks its versions.
pub fn open(dir: &Path) -> Result<OpenIndex, IndexError> {
    let opened = open_any_version(dir)?;
    let state = &opened.state;
    if state.schema_version != crate::SCHEMA_VERSION || state.extraction_version != crate::EXTRACTION_VERSION {
        return Err(IndexError::Version {
            path: dir.to_path_buf(),
            found_schema: state.schema_version,
            found_extraction: state.extraction_version,
            schema: crate::SCHEMA_VERSION,
            extraction: crate::EXTRACTION_VERSION,
        });
    }
    Ok(opened)
}

fn open_any_version(dir: &Path) -> Result<OpenIndex, IndexError> {
    let Some(generation) = current_generation(dir)? else {
        return Err(IndexError::Missing(dir.to_path_buf()));
    };
    let generation_dir = dir.join(&generation);
    let damaged = |message: String| IndexError::Damaged {
        path: dir.to_path_buf(),
        message,
    };
    let index = Index::open_in_dir(&generation_dir).map_err(|e| damaged(e.to_string()))?;
    tokenize::register(&index);
    let payload = index.load_metas().map_err(|e| damaged(e.to_string()))?.payload;
    let state: IndexState = match payload {
        Some(p) => serde_json::from_str(&p).map_err(|e| damaged(format!("unreadable manifest: {e}")))?,
        None => IndexState::default(),
    };
    let (expected, fields) = schema();
    if state.schema_version == crate::SCHEMA_VERSION && index.schema() != expected {
        return Err(damaged("schema does not match its version".into()));
    }
    Ok(OpenIndex {
        index,
        fields,
        state,
        dir: dir.to_path_buf(),
        generation_dir,
    })
}

/// Options of one `briefs index` run.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub corpus: PathBuf,
    pub index: PathBuf,
    /// Build everything from scratch into a fresh generation.
    pub rebuild: bool,
    /// Only compare the index with the corpus; write nothing.
    pub check: bool,
    /// Show a progress bar (only drawn on a terminal).
    pub progress: bool,
    /// Run entity extraction (turned off only to measure its cost).
    pub extract: bool,
    /// Files larger than this many bytes are skipped with a warning.
    pub max_file_size: u64,
}

/// A brief that could not be indexed.
#[derive(Debug, Clone, Serialize)]
pub struct FileProblem {
    pub path: String,
    pub error: String,
}

/// A file deliberately not read, or read with a warning.
pub type FileWarning = FileProblem;

/// What a run did, or for `--check` what it would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildReport {
    pub corpus: String,
    pub index: String,
    /// `full` (a new generation) or `incremental`.
    pub mode: String,
    /// Why a full build was done, when it was not asked for.
    pub reason: Option<String>,
    pub briefs: usize,
    pub passages: u64,
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
    pub errors: Vec<FileProblem>,
    /// Briefs skipped on purpose (links out of the corpus, FIFOs) or read
    /// with a warning (unclosed front matter).
    pub warnings: Vec<FileWarning>,
    pub seconds: f64,
    pub index_bytes: u64,
    /// Only for `--check`: true when the index matches the corpus.
    pub up_to_date: Option<bool>,
}

impl BuildReport {
    /// Takes over what a plan found: the lists of changes and the problems.
    fn record(&mut self, plan: Plan) {
        self.unchanged = plan.kept.len();
        self.added = plan.added;
        self.changed = plan.changed;
        self.removed = plan.removed;
        self.errors.extend(plan.errors);
    }
}

/// How the corpus differs from the manifest.
struct Plan {
    /// Briefs to (re)index, with their text already read.
    to_index: Vec<(BriefFile, corpus::SourceBrief, String)>,
    added: Vec<String>,
    changed: Vec<String>,
    removed: Vec<String>,
    /// Manifest entries carried over (file untouched, or only its mtime changed).
    kept: BTreeMap<String, ManifestEntry>,
    errors: Vec<FileProblem>,
    /// Briefs that could not be read for a reason that may pass (I/O).
    unread: Vec<String>,
}

/// Compares the corpus with the manifest. Files whose size and mtime match
/// the manifest are not read at all. A brief is removed only when the walk
/// saw the place where it was and it is not there.
fn plan(discovery: &Discovery, manifest: &BTreeMap<String, ManifestEntry>, full: bool) -> Plan {
    let files = &discovery.files;
    let mut plan = Plan {
        to_index: Vec::new(),
        added: Vec::new(),
        changed: Vec::new(),
        removed: Vec::new(),
        kept: BTreeMap::new(),
        errors: Vec::new(),
        unread: Vec::new(),
    };
    for file in files {
        let previous = if full { None } else { manifest.get(&file.rel_path) };
        if let Some(entry) = previous {
            if entry.size == file.size && entry.mtime_ns == file.mtime_ns {
                plan.kept.insert(file.rel_path.clone(), entry.clone());
                continue;
            }
        }
        let read = corpus::read_file(file).and_then(|mut read| match read.briefs.len() {
            1 => Ok(read.briefs.remove(0)),
            n => Err(CorpusError::Walk {
                path: file.abs_path.clone(),
                message: format!("{n} briefs in one file are not supported yet"),
            }),
        });
        let source = match read {
            Ok(source) => source,
            Err(e) => {
                if e.is_transient() {
                    plan.unread.push(file.rel_path.clone());
                }
                plan.errors.push(FileProblem {
                    path: file.rel_path.clone(),
                    error: e.to_string(),
                });
                // Never lose what was indexed: a brief that became unreadable keeps its passages.
                if let Some(entry) = previous {
                    plan.kept.insert(file.rel_path.clone(), entry.clone());
                }
                continue;
            }
        };
        let hash = source.hash.to_hex().to_string();
        match previous {
            Some(entry) if entry.hash == hash => {
                plan.kept.insert(
                    file.rel_path.clone(),
                    ManifestEntry {
                        size: file.size,
                        mtime_ns: file.mtime_ns,
                        ..entry.clone()
                    },
                );
            }
            Some(_) => {
                plan.changed.push(file.rel_path.clone());
                plan.to_index.push((file.clone(), source, hash));
            }
            None => {
                plan.added.push(file.rel_path.clone());
                plan.to_index.push((file.clone(), source, hash));
            }
        }
    }
    if !full {
        let present: std::collections::BTreeSet<&str> = files.iter().map(|f| f.rel_path.as_str()).collect();
        for (path, entry) in manifest {
            if present.contains(path.as_str()) {
                continue;
            }
            if discovery.saw(path) {
                plan.removed.push(path.clone());
            } else {
                // Under a folder that could not be listed: keep what we have.
                plan.kept.insert(path.clone(), entry.clone());
            }
        }
    }
    plan
}

/// A brief ready to be written: metadata, passages and their entities.
pub struct AnalysedBrief {
    pub brief: corpus::Brief,
    pub passages: Vec<Passage>,
    /// The title's entities count for the brief (`--scope brief`), not for a passage.
    pub title_entities: PassageEntities,
    /// One per passage.
    pub entities: Vec<PassageEntities>,
}

impl AnalysedBrief {
    /// The title's and every passage's entities.
    pub fn all_entities(&self) -> impl Iterator<Item = &PassageEntities> {
        std::iter::once(&self.title_entities).chain(&self.entities)
    }
}

/// Reads, cuts and extracts one brief's text.
pub fn analyse(path: &str, text: &str, extractor: Option<&Extractor>) -> AnalysedBrief {
    analyse_brief(corpus::parse_brief(path, text), extractor)
}

/// Cuts and extracts a brief already read.
pub fn analyse_brief(brief: corpus::Brief, extractor: Option<&Extractor>) -> AnalysedBrief {
    let passages = passage::passages(&brief, MAX_PASSAGE_WORDS);
    let entities = match extractor {
        Some(x) => x.extract(&brief, &passages),
        None => BriefEntities {
            title: PassageEntities::default(),
            passages: vec![PassageEntities::default(); passages.len()],
        },
    };
    AnalysedBrief {
        brief,
        passages,
        title_entities: entities.title,
        entities: entities.passages,
    }
}

/// A calendar date as stored: midnight UTC, in seconds since the epoch.
pub fn date_seconds(date: Date) -> i64 {
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0)
}

fn date_value(date: Date) -> DateTime {
    DateTime::from_timestamp_secs(date_seconds(date))
}

/// Converts a stored date back to a calendar date.
pub fn date_from_value(value: DateTime) -> Option<Date> {
    let ts = jiff::Timestamp::from_second(value.into_timestamp_secs()).ok()?;
    Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// The facet of a country.
pub fn country_facet(name: &str) -> tantivy::schema::Facet {
    tantivy::schema::Facet::from_path(["country", name])
}

/// The facet of a region path.
pub fn region_facet(path: &[String]) -> tantivy::schema::Facet {
    tantivy::schema::Facet::from_path(std::iter::once("region").chain(path.iter().map(String::as_str)))
}

/// The facet of an actor.
pub fn actor_facet(actor: &Actor) -> tantivy::schema::Facet {
    tantivy::schema::Facet::from_path(["actor", actor.kind.as_str(), actor.name.as_str()])
}

fn facets_of(entities: &PassageEntities) -> Vec<tantivy::schema::Facet> {
    let mut out: Vec<_> = entities.countries.iter().map(|c| country_facet(c)).collect();
    out.extend(entities.regions.iter().map(|r| region_facet(r)));
    out.extend(entities.actors.iter().map(actor_facet));
    out
}

fn write_brief(writer: &IndexWriter, f: &Fields, analysed: &AnalysedBrief) -> Result<(), IndexError> {
    let brief = &analysed.brief;
    let mut union: BTreeMap<String, tantivy::schema::Facet> = BTreeMap::new();
    for entities in analysed.all_entities() {
        for facet in facets_of(entities) {
            union.insert(facet.to_string(), facet);
        }
    }
    for (passage, entities) in analysed.passages.iter().zip(&analysed.entities) {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.path, &brief.path);
        doc.add_u64(f.ordinal, passage.ordinal as u64);
        doc.add_u64(f.line_first, passage.lines.0 as u64);
        doc.add_u64(f.line_last, passage.lines.1 as u64);
        doc.add_text(f.title, &brief.title);
        if let Some(heading) = &passage.heading {
            doc.add_text(f.heading, heading);
        }
        doc.add_text(f.body, &passage.text);
        if let Some(date) = brief.date {
            doc.add_date(f.date, date_value(date));
        }
        if let Some(author) = &brief.author {
            doc.add_text(f.author, author);
        }
        if let Some(source) = &brief.source {
            doc.add_text(f.source, source);
        }
        for facet in facets_of(entities) {
            doc.add_facet(f.facets, facet);
        }
        for facet in union.values() {
            doc.add_facet(f.brief_facets, facet.clone());
        }
        let mentions: &Vec<Mention> = &entities.mentions;
        doc.add_text(f.mentions, serde_json::to_string(mentions).unwrap_or_default());
        writer.add_document(doc)?;
    }
    Ok(())
}

/// Holds the writers' lock for as long as it lives.
struct WriterLock {
    _file: File,
}

fn lock(dir: &Path) -> Result<WriterLock, IndexError> {
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
        Err(fs::TryLockError::Error(e)) => Err(IndexError::Io { path, source: e }),
    }
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

/// Refuses an index folder that is, or is inside, the corpus folder.
fn check_outside_corpus(index: &Path, corpus: &Path) -> Result<(), IndexError> {
    let Ok(corpus_abs) = corpus.canonicalize() else {
        return Ok(());
    };
    // The index folder may not exist yet: resolve its nearest existing ancestor.
    let mut existing = index.to_path_buf();
    let mut rest = Vec::new();
    let index_abs = loop {
        if let Ok(abs) = existing.canonicalize() {
            break rest
                .iter()
                .rev()
                .fold(abs, |acc: PathBuf, part: &std::ffi::OsString| acc.join(part));
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return Ok(()),
        }
    };
    if index_abs.starts_with(&corpus_abs) {
        return Err(IndexError::InsideCorpus {
            index: index.to_path_buf(),
            corpus: corpus.to_path_buf(),
        });
    }
    Ok(())
}

fn next_generation_name(dir: &Path) -> String {
    let highest = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("gen-")?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("gen-{:06}", highest + 1)
}

/// Points `CURRENT` at `generation`: write a temporary file, fsync, rename.
fn publish(dir: &Path, generation: &str) -> Result<(), IndexError> {
    let tmp = dir.join("CURRENT.tmp");
    {
        let mut file = File::create(&tmp).map_err(io_err(&tmp))?;
        file.write_all(generation.as_bytes()).map_err(io_err(&tmp))?;
        file.sync_all().map_err(io_err(&tmp))?;
    }
    fs::rename(&tmp, dir.join(CURRENT_FILE)).map_err(io_err(dir))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Creates a new generation folder with the marker that says `briefs` made it.
fn create_generation(dir: &Path, name: &str) -> Result<PathBuf, IndexError> {
    let gen_dir = dir.join(name);
    // `create_dir`, not `create_dir_all`: never write into a folder that exists.
    fs::create_dir(&gen_dir).map_err(io_err(&gen_dir))?;
    let marker = gen_dir.join(GENERATION_MARKER);
    fs::write(&marker, b"made by briefs; this folder is deleted when no longer live\n").map_err(io_err(&marker))?;
    Ok(gen_dir)
}

/// True when `path` is a generation folder that `briefs` made.
fn is_our_generation(path: &Path) -> bool {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("gen-"));
    named && path.join(GENERATION_MARKER).is_file()
}

/// Removes generations other than the live one: left by a killed full
/// build, or replaced by a finished one (`previous`, the generation that
/// was live before a swap, is ours even without a marker). Only folders
/// `briefs` made are removed. Readers that still have an old generation open
/// keep their (unlinked) files until they close them.
fn remove_stale_generations(dir: &Path, live: &str, previous: Option<&str>) {
    for entry in fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == live {
            continue;
        }
        if is_our_generation(&entry.path()) || previous == Some(&*name) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Runs `briefs index`: a full or incremental build, or a `--check`.
pub fn build(options: &BuildOptions) -> Result<BuildReport, IndexError> {
    let started = Instant::now();
    let mut report = BuildReport {
        corpus: options.corpus.display().to_string(),
        index: options.index.display().to_string(),
        ..BuildReport::default()
    };
    check_outside_corpus(&options.index, &options.corpus)?;
    // The lock comes first: a run that committed between our reading the
    // manifest and taking the lock would have its briefs indexed twice.
    let _lock = if options.check {
        None
    } else {
        Some(lock(&options.index)?)
    };
    let walk = corpus::WalkOptions {
        max_file_size: options.max_file_size,
    };
    let discovery = corpus::discover_with(&options.corpus, &walk)?;
    report.errors.extend(discovery.errors.iter().map(|e| FileProblem {
        path: match e {
            CorpusError::Walk { path, .. } => path.display().to_string(),
            _ => String::new(),
        },
        error: e.to_string(),
    }));
    report.warnings.extend(discovery.skipped.iter().map(|s| FileProblem {
        path: s.path.clone(),
        error: format!("{}: {}", s.path, s.reason),
    }));
    let gazetteer = Gazetteer::load(Some(&options.corpus))?;
    let existing = if exists(&options.index) {
        match open_any_version(&options.index) {
            Ok(open) => Some(open),
            Err(IndexError::Damaged { .. }) if options.rebuild => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };

    // Decide between an incremental run and a full build.
    let mut reason = None;
    if let Some(open) = &existing {
        let s = &open.state;
        if s.schema_version != crate::SCHEMA_VERSION || s.extraction_version != crate::EXTRACTION_VERSION {
            reason = Some("the index was built by another version of briefs".to_string());
        } else if s.gazetteer != gazetteer.fingerprint() {
            reason = Some("the gazetteer (built-in data, actors.toml or countries.toml) changed".to_string());
        }
    } else {
        reason = Some("there is no index yet".to_string());
    }
    let full = options.rebuild || reason.is_some();
    if options.rebuild {
        reason = None;
    }
    report.mode = if full { "full" } else { "incremental" }.to_string();
    report.reason = reason.clone();
    let empty = BTreeMap::new();
    let manifest = existing.as_ref().map_or(&empty, |o| &o.state.briefs);

    if options.check {
        // Compare against the manifest even when a full build would be due.
        let plan = plan(&discovery, manifest, false);
        report.briefs = discovery.files.len();
        report.passages = plan.kept.values().map(|e| e.passages as u64).sum();
        report.record(plan);
        report.up_to_date = Some(
            existing.is_some()
                && reason.is_none()
                && report.added.is_empty()
                && report.changed.is_empty()
                && report.removed.is_empty(),
        );
        report.index_bytes = existing.as_ref().map_or(0, |o| dir_size(&o.generation_dir));
        report.seconds = started.elapsed().as_secs_f64();
        return Ok(report);
    }

    if discovery.files.is_empty() && existing.is_some() && !options.rebuild {
        return Err(IndexError::EmptyCorpus(options.corpus.clone()));
    }
    let plan = plan(&discovery, manifest, full);
    if full {
        // A full build replaces the index: what it could not read this time
        // would be lost. Refuse, and keep the current index.
        let old = existing.as_ref().map(|o| &o.state.briefs);
        let mut lost: Vec<String> = plan
            .unread
            .iter()
            .filter(|p| old.is_some_and(|m| m.contains_key(*p)))
            .cloned()
            .collect();
        if let Some(old) = old {
            lost.extend(old.keys().filter(|p| !discovery.saw(p)).cloned());
        }
        if discovery.is_incomplete() && existing.is_some() && lost.is_empty() {
            lost.extend(report.errors.iter().map(|e| e.path.clone()));
        }
        if let Some(first) = lost.first() {
            return Err(IndexError::IncompleteCorpus {
                count: lost.len(),
                first: first.clone(),
            });
        }
    }
    let extractor = Extractor::new(gazetteer);
    let previous_generation = existing
        .as_ref()
        .and_then(|o| o.generation_dir.file_name())
        .map(|n| n.to_string_lossy().to_string());
    let (index, generation) = if full {
        let name = next_generation_name(&options.index);
        let gen_dir = create_generation(&options.index, &name)?;
        let index = Index::create_in_dir(&gen_dir, schema().0)?;
        tokenize::register(&index);
        (index, name)
    } else {
        let open = existing
            .as_ref()
            .ok_or_else(|| IndexError::Missing(options.index.clone()))?;
        let name = open
            .generation_dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        (open.index.clone(), name)
    };
    let fields = schema().1;
    // One indexing thread: documents get the same ids in the same order on every run.
    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_HEAP_BYTES)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));

    let mut state = IndexState {
        schema_version: crate::SCHEMA_VERSION,
        extraction_version: crate::EXTRACTION_VERSION,
        gazetteer: extractor.gazetteer.fingerprint().to_string(),
        built_at: String::new(),
        build_seconds: 0.0,
        briefs: plan.kept.clone(),
    };
    for path in plan.removed.iter().chain(&plan.changed) {
        writer.delete_term(Term::from_field_text(fields.path, path));
    }
    let mut warnings: Vec<FileWarning> = Vec::new();
    let bar = progress_bar(options.progress, plan.to_index.len() as u64);
    for (n, (file, source, hash)) in plan.to_index.iter().enumerate() {
        // A full build goes into an unpublished generation, so intermediate
        // commits are safe there; they cut the index into segments of a
        // bounded size, which keeps later incremental merges small.
        if full && n > 0 && n % BRIEFS_PER_SEGMENT == 0 {
            writer.commit()?;
        }
        bar.set_message(file.rel_path.clone());
        let analysed = analyse_brief(source.brief.clone(), options.extract.then_some(&extractor));
        warnings.extend(analysed.brief.warnings.iter().map(|w| FileProblem {
            path: file.rel_path.clone(),
            error: format!("{}: {w}", file.rel_path),
        }));
        write_brief(&writer, &fields, &analysed)?;
        state.briefs.insert(
            file.rel_path.clone(),
            ManifestEntry {
                size: file.size,
                mtime_ns: file.mtime_ns,
                hash: hash.clone(),
                passages: analysed.passages.len() as u32,
            },
        );
        bar.inc(1);
    }
    bar.finish_and_clear();

    state.built_at = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or(jiff::Timestamp::now())
        .to_string();
    state.build_seconds = started.elapsed().as_secs_f64();
    let payload = serde_json::to_string(&state).map_err(|e| IndexError::Damaged {
        path: options.index.clone(),
        message: e.to_string(),
    })?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    // Merge every segment that has deleted passages (and the small segments
    // incremental runs leave): deleted passages then leave BM25's statistics,
    // so an incremental build scores exactly like a full one, and only the
    // segments touched by the change are rewritten.
    let metas = index.searchable_segment_metas()?;
    let has_deletes = metas.iter().any(|m| m.has_deletes());
    let to_merge: Vec<_> = metas
        .iter()
        .filter(|m| m.has_deletes() || m.num_docs() < SMALL_SEGMENT_DOCS)
        .map(|m| m.id())
        .collect();
    if to_merge.len() > 1 || has_deletes {
        writer.merge(&to_merge).wait()?;
    }
    writer.wait_merging_threads()?;
    if full {
        publish(&options.index, &generation)?;
    }
    remove_stale_generations(&options.index, &generation, previous_generation.as_deref());
    for analysed_warning in &warnings {
        report.warnings.push(analysed_warning.clone());
    }

    report.briefs = state.briefs.len();
    report.passages = state.briefs.values().map(|e| e.passages as u64).sum();
    report.record(plan);
    report.index_bytes = dir_size(&options.index.join(&generation));
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn progress_bar(show: bool, len: u64) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} briefs  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Stored fields of one passage document, as printed and exported.
#[derive(Debug, Clone, Serialize)]
pub struct StoredPassage {
    pub doc: String,
    pub title: String,
    pub date: Option<String>,
    pub author: Option<String>,
    pub source: Option<String>,
    pub passage: u64,
    pub lines: [u64; 2],
    pub heading: Option<String>,
    pub text: String,
    pub countries: Vec<String>,
    pub regions: Vec<String>,
    pub actors: Vec<Actor>,
    #[serde(skip)]
    pub mentions: Vec<Mention>,
}

/// Reads a passage document's stored fields.
pub fn stored_passage(f: &Fields, doc: &TantivyDocument) -> StoredPassage {
    use tantivy::schema::Value;
    let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
    let num = |field: Field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
    let mut countries = Vec::new();
    let mut regions = Vec::new();
    let mut actors = Vec::new();
    for value in doc.get_all(f.facets) {
        let Some(facet) = value.as_facet() else {
            continue;
        };
        let Ok(facet) = tantivy::schema::Facet::from_encoded(facet.as_bytes().to_vec()) else {
            continue;
        };
        let parts: Vec<String> = facet.to_path().into_iter().map(str::to_string).collect();
        match parts.first().map(String::as_str) {
            Some("country") if parts.len() == 2 => countries.push(parts[1].clone()),
            Some("region") => regions.push(parts[1..].join("/")),
            Some("actor") if parts.len() == 3 => actors.push(Actor {
                name: parts[2].clone(),
                kind: if parts[1] == "person" {
                    ActorKind::Person
                } else {
                    ActorKind::Org
                },
            }),
            _ => {}
        }
    }
    countries.sort();
    regions.sort();
    actors.sort();
    let mentions = text(f.mentions)
        .and_then(|m| serde_json::from_str(&m).ok())
        .unwrap_or_default();
    StoredPassage {
        doc: text(f.path).unwrap_or_default(),
        title: text(f.title).unwrap_or_default(),
        date: doc
            .get_first(f.date)
            .and_then(|v| v.as_datetime())
            .and_then(date_from_value)
            .map(|d| d.to_string()),
        author: text(f.author),
        source: text(f.source),
        passage: num(f.ordinal),
        lines: [num(f.line_first), num(f.line_last)],
        heading: text(f.heading),
        text: text(f.body).unwrap_or_default(),
        countries,
        regions,
        actors,
        mentions,
    }
}

/// Every passage of the index, grouped by brief in path order.
pub fn all_passages(open: &OpenIndex) -> Result<BTreeMap<String, Vec<StoredPassage>>, IndexError> {
    let reader = open.index.reader()?;
    let searcher = reader.searcher();
    let mut out: BTreeMap<String, Vec<StoredPassage>> = BTreeMap::new();
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc_id in segment.doc_ids_alive() {
            let doc: TantivyDocument = searcher.doc(tantivy::DocAddress::new(segment_ord as u32, doc_id))?;
            let passage = stored_passage(&open.fields, &doc);
            out.entry(passage.doc.clone()).or_default().push(passage);
        }
    }
    for passages in out.values_mut() {
        passages.sort_by_key(|p| p.passage);
    }
    Ok(out)
}

/// The passages of one brief, in order.
pub fn brief_passages(open: &OpenIndex, path: &str) -> Result<Vec<StoredPassage>, IndexError> {
    let reader = open.index.reader()?;
    let searcher = reader.searcher();
    let query = tantivy::query::TermQuery::new(Term::from_field_text(open.fields.path, path), IndexRecordOption::Basic);
    let addresses = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
    let mut passages = Vec::new();
    for address in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        passages.push(stored_passage(&open.fields, &doc));
    }
    passages.sort_by_key(|p| p.passage);
    Ok(passages)
}

/// Size of the live generation on disk.
pub fn index_size(open: &OpenIndex) -> u64 {
    dir_size(&open.generation_dir)
}
