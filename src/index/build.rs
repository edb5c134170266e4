//! `briefs index`: full builds, incremental updates and `--check`.
//!
//! A run compares the corpus with the manifest file by file: a file whose
//! size and modification time are unchanged is not read; a file that is
//! read gives briefs whose content hash decides whether they are indexed
//! again. Reading, passage cutting, entity extraction and tokenizing run in
//! parallel (rayon) on ordered chunks of files, and a single consumer hands
//! each brief to tantivy's writer as one batch (so a brief's documents stay
//! together in one segment), in path order. The writer indexes on its own
//! threads within a memory budget; tantivy's merge policy keeps the number
//! of segments low.
//!
//! Nothing a run cannot read is lost: a file that fails to read keeps what
//! the index held of it (and the run exits 1), a folder that cannot be
//! listed keeps its briefs, and a full build refuses to replace the index
//! when either would lose briefs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use tantivy::indexer::{LogMergePolicy, UserOperation};
use tantivy::{Index, IndexWriter, Term};

use super::documents::{self, short_hash, BriefDocuments};
use super::in_flight::{Gate, QueuedDocument, MAX_BYTES_IN_FLIGHT};
use super::manifest::{FileStamp, Manifest, ManifestBrief};
use super::schema::{self, Fields};
use super::stats::IndexState;
use super::{generation, integrity_problems, open_generation, record_checked, IndexError, IntegrityScope, OpenIndex};
use crate::analyse::analyse_brief;
use crate::corpus::{self, BriefFile, CorpusError, Discovery};
use crate::entities::{Extractor, Gazetteer};

/// The writer's memory budget when none is given: enough for few, large
/// segments, small enough for a laptop (peak memory is about this, plus
/// the writer's own buffers while it writes a segment, plus the documents
/// in flight, which `in_flight` bounds).
pub const DEFAULT_WRITER_MEMORY: usize = 256 * 1024 * 1024;
/// tantivy's lower bound per indexing thread.
const MIN_MEMORY_PER_THREAD: usize = 15 * 1024 * 1024;
/// Files read, analysed and tokenized together before being written.
const CHUNK_FILES: usize = 64;
/// Chunks in flight between the readers and the writer.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Options of one `briefs index` run.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub corpus: PathBuf,
    pub index: PathBuf,
    /// Build everything from scratch into a fresh generation.
    pub rebuild: bool,
    /// Only compare the index with the corpus and check its files; write nothing.
    pub check: bool,
    /// With `check`: also read every document, posting list and column.
    pub verify: bool,
    /// Show a progress bar (only drawn on a terminal).
    pub progress: bool,
    /// What entity extraction runs: all of it, except to measure its cost.
    pub extraction: Extraction,
    /// Threads for reading and for tantivy's writer; 0 for one per core.
    pub threads: usize,
    /// The writer's memory budget in bytes.
    pub memory: usize,
    /// Files larger than this many bytes are skipped with a warning.
    pub max_file_size: u64,
    /// Stop at the first file that cannot be read, leaving the index as it was.
    pub strict: bool,
}

/// How much entity extraction a build runs. Anything but [`Extraction::Full`]
/// is for the benchmark harness, which builds the same corpus each way to
/// measure what extraction and the tagger cost; the index records nothing
/// of it, so a later incremental run would not redo the briefs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extraction {
    /// Lists, cues and the trained tagger: what `briefs index` runs.
    Full,
    /// Lists and cues, no tagger.
    WithoutTagger,
    /// No countries or actors at all.
    Off,
}

impl BuildOptions {
    /// An incremental run of `corpus` into `index` with the defaults.
    pub fn new(corpus: impl Into<PathBuf>, index: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            corpus: corpus.into(),
            index: index.into(),
            rebuild: false,
            check: false,
            verify: false,
            progress: false,
            extraction: Extraction::Full,
            threads: 0,
            memory: DEFAULT_WRITER_MEMORY,
            max_file_size: corpus::DEFAULT_MAX_FILE_SIZE,
            strict: false,
        }
    }

    fn thread_count(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}

/// A brief or file that could not be read, or was read with a warning.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileProblem {
    pub path: String,
    pub error: String,
}

/// What a run did, or for `--check` what it would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildReport {
    pub corpus: String,
    pub index: String,
    /// `full` (a new generation), `incremental` or `check`.
    pub mode: String,
    /// Why a full build was done, when it was not asked for.
    pub reason: Option<String>,
    pub briefs: u64,
    pub passages: u64,
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: u64,
    pub errors: Vec<FileProblem>,
    /// Briefs skipped on purpose (links out of the corpus, FIFOs) or read
    /// with a warning (unclosed front matter).
    pub warnings: Vec<FileProblem>,
    /// Only for `--check`: what is wrong with the index's own files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub damage: Vec<String>,
    pub seconds: f64,
    pub index_bytes: u64,
    /// Only for `--check`: true when the index matches the corpus.
    pub up_to_date: Option<bool>,
}

impl BuildReport {
    /// Under `--strict`, the first problem stops the run.
    fn stop_if_strict(&self, strict: bool) -> Result<(), IndexError> {
        match self.errors.first() {
            Some(first) if strict => Err(IndexError::Strict {
                path: first.path.clone(),
                error: first.error.clone(),
            }),
            _ => Ok(()),
        }
    }

    fn problem(&mut self, path: &str, error: impl std::fmt::Display) {
        self.errors.push(FileProblem {
            path: path.to_string(),
            error: error.to_string(),
        });
    }
}

/// Runs `briefs index`: a full or incremental build, or a `--check`.
pub fn build(options: &BuildOptions) -> Result<BuildReport, IndexError> {
    Run::new(options).and_then(Run::run).map_err(|e| match &e {
        // tantivy's writer threads fail without saying why (a full disk
        // among them): a small write of our own finds out.
        IndexError::Tantivy(_) => probe_writes(&options.index).unwrap_or_else(|| e.at(&options.index)),
        _ => e,
    })
}

/// Writes, syncs and removes a small file in `dir`; the error if it fails.
fn probe_writes(dir: &Path) -> Option<IndexError> {
    use std::io::Write;
    let path = dir.join(".briefs-write-probe");
    let result = (|| {
        let mut file = std::fs::File::create(&path)?;
        file.write_all(&[0u8; 256 * 1024])?;
        file.sync_all()
    })();
    let _ = std::fs::remove_file(&path);
    result.err().map(|e| IndexError::io(dir, e))
}

/// The state of one run, from the walk to the commit.
struct Run<'a> {
    options: &'a BuildOptions,
    started: Instant,
    report: BuildReport,
    discovery: Discovery,
    extractor: Extractor,
    existing: Option<OpenIndex>,
    _lock: Option<generation::WriterLock>,
}

impl<'a> Run<'a> {
    fn new(options: &'a BuildOptions) -> Result<Run<'a>, IndexError> {
        let started = Instant::now();
        check_outside_corpus(&options.index, &options.corpus)?;
        if options.index.exists() && !options.index.is_dir() {
            return Err(IndexError::NotAFolder(options.index.clone()));
        }
        // The lock comes first: a run that committed between our reading the
        // manifest and taking the lock would have its briefs indexed twice.
        let lock = if options.check {
            None
        } else {
            Some(generation::lock(&options.index)?)
        };
        let mut report = BuildReport {
            corpus: options.corpus.display().to_string(),
            index: options.index.display().to_string(),
            ..BuildReport::default()
        };
        let walk = corpus::WalkOptions {
            max_file_size: options.max_file_size,
        };
        let discovery = corpus::discover_with(&options.corpus, &walk)?;
        for e in &discovery.errors {
            let path = match e {
                CorpusError::Walk { path, .. } | CorpusError::Io { path, .. } => path.display().to_string(),
                _ => String::new(),
            };
            report.problem(&path, e);
        }
        for s in &discovery.skipped {
            report.warnings.push(FileProblem {
                path: s.path.clone(),
                error: format!("{}: {}", s.path, s.reason),
            });
        }
        let gazetteer = Gazetteer::load(Some(&options.corpus))?;
        // A build without extraction never runs the extractor: no tagger to load.
        let extractor = match options.extraction {
            Extraction::Full => Extractor::new(gazetteer),
            Extraction::WithoutTagger | Extraction::Off => Extractor::without_tagger(gazetteer),
        };
        Ok(Run {
            options,
            started,
            report,
            discovery,
            extractor,
            existing: None,
            _lock: lock,
        })
    }

    fn run(mut self) -> Result<BuildReport, IndexError> {
        let live = self.open_existing()?;
        if !self.options.check {
            // Orphans of a killed or failed run (a full disk) go before we write.
            generation::remove_stale(&self.options.index, live.as_deref(), None);
        }
        if !self.options.check {
            self.report.stop_if_strict(self.options.strict)?;
        }
        let mut reason = self.full_build_reason()?;
        if self.options.rebuild {
            reason = None;
        }
        let full = self.options.rebuild || reason.is_some();
        self.report.reason = reason.clone();
        if self.options.check {
            self.report.mode = "check".into();
            return self.check(reason.is_none());
        }
        self.report.mode = if full { "full" } else { "incremental" }.into();
        let has_index = self.existing.is_some();
        if self.discovery.files.is_empty() && has_index && !self.options.rebuild && !self.discovery.is_incomplete() {
            return Err(IndexError::EmptyCorpus(self.options.corpus.clone()));
        }
        if full && has_index && self.discovery.is_incomplete() {
            return Err(IndexError::IncompleteCorpus {
                count: self.report.errors.len(),
                first: self.report.errors.first().map(|e| e.path.clone()).unwrap_or_default(),
            });
        }
        if full {
            self.full_build(live)
        } else {
            self.incremental()
        }
    }

    /// Opens the live generation, if any. A damaged one is left for
    /// [`Self::full_build_reason`] to report and replace.
    fn open_existing(&mut self) -> Result<Option<String>, IndexError> {
        let live = match generation::current(&self.options.index) {
            Ok(live) => live,
            Err(IndexError::Damaged { message, .. }) => {
                self.report.damage.push(message);
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if let Some(name) = &live {
            match open_generation(&self.options.index, name, self.options.check) {
                Ok(open) => self.existing = Some(open),
                Err(IndexError::Damaged { message, .. }) | Err(IndexError::Corrupt(message)) => {
                    self.report.damage.push(message);
                }
                Err(e) => return Err(e),
            }
        }
        if let Some(open) = &self.existing {
            let scope = match (self.options.check, self.options.verify) {
                (true, true) => IntegrityScope::Everything,
                (true, false) => IntegrityScope::AllFiles,
                (false, _) => IntegrityScope::ChangedFiles,
            };
            let problems = integrity_problems(open, scope)?;
            if !problems.is_empty() {
                self.report.damage.extend(problems);
                // `--check` still compares with what the index says it
                // holds; a run rebuilds without trusting it.
                if !self.options.check {
                    self.existing = None;
                }
            }
        }
        Ok(live)
    }

    /// Why the index must be built anew, if it must.
    fn full_build_reason(&self) -> Result<Option<String>, IndexError> {
        if let Some(first) = self.report.damage.first() {
            return Ok(Some(format!(
                "the index is damaged ({} problem(s); first: {first}); it is rebuilt",
                self.report.damage.len()
            )));
        }
        let Some(open) = &self.existing else {
            return Ok(Some("there is no index yet".into()));
        };
        let s = &open.state;
        Ok(
            if s.schema_version != crate::SCHEMA_VERSION || s.extraction_version != crate::EXTRACTION_VERSION {
                Some("the index was built by another version of briefs".into())
            } else if s.gazetteer != self.extractor.gazetteer.fingerprint() {
                Some("the gazetteer (built-in data, actors.toml or countries.toml) changed".into())
            } else {
                None
            },
        )
    }

    fn manifest(&self) -> Result<Manifest, IndexError> {
        match &self.existing {
            Some(open) => Manifest::open(&open.searcher, &open.fields),
            None => Ok(Manifest::default()),
        }
    }

    fn thread_pool(&self) -> Result<rayon::ThreadPool, IndexError> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.options.thread_count())
            .build()
            .map_err(|e| IndexError::Internal(format!("starting reader threads: {e}")))
    }

    /// `--check`: what an incremental run would do, reading only the files
    /// whose stamp changed (to hash them), plus the index's own integrity.
    fn check(mut self, versions_match: bool) -> Result<BuildReport, IndexError> {
        if !self.report.damage.is_empty() {
            // What a damaged index says it holds cannot be trusted: the
            // answer is the damage, and the fix is a rebuild.
            self.report.up_to_date = Some(false);
            self.report.seconds = self.started.elapsed().as_secs_f64();
            return Ok(self.report);
        }
        let manifest = self.manifest()?;
        let plan = FilePlan::new(&self.discovery, &manifest)?;
        let pool = self.thread_pool()?;
        let read: Vec<(usize, Result<corpus::ReadFile, CorpusError>)> = pool.install(|| {
            plan.to_read
                .par_iter()
                .map(|planned| (planned.index, read_isolated(&self.discovery.files[planned.index])))
                .collect()
        });
        for (i, result) in read {
            let file = &self.discovery.files[i];
            match result {
                Ok(read) => {
                    let known = manifest.briefs_of(&file.rel_path)?;
                    let mut seen = BTreeSet::new();
                    for source in &read.briefs {
                        seen.insert(source.key.as_str());
                        match find_brief(&known, &source.key) {
                            Some(b) if b.hash == short_hash(&source.hash) => {}
                            Some(_) => self.report.changed.push(source.key.clone()),
                            None => self.report.added.push(source.key.clone()),
                        }
                    }
                    for brief in known {
                        if !seen.contains(brief.key.as_str()) {
                            self.report.removed.push(brief.key);
                        }
                    }
                    for problem in read.problems {
                        self.report
                            .problem(&file.rel_path, format!("{}: {problem}", file.rel_path));
                    }
                }
                // What the index holds of an unreadable file stays as it is.
                Err(e) => self.report.problem(&file.rel_path, e),
            }
        }
        for file in &plan.removed_files {
            self.report
                .removed
                .extend(manifest.briefs_of(file)?.into_iter().map(|b| b.key));
        }
        self.report.added.sort();
        self.report.changed.sort();
        self.report.removed.sort();
        let (briefs, passages) = self
            .existing
            .as_ref()
            .map_or((0, 0), |open| (open.state.briefs, open.state.passages));
        let touched = (self.report.removed.len() + self.report.changed.len()) as u64;
        self.report.unchanged = briefs.saturating_sub(touched);
        self.report.briefs = briefs;
        self.report.passages = passages;
        self.report.up_to_date = Some(
            self.existing.is_some()
                && versions_match
                && self.report.damage.is_empty()
                && self.report.added.is_empty()
                && self.report.changed.is_empty()
                && self.report.removed.is_empty(),
        );
        self.report.index_bytes = self.existing.as_ref().map_or(0, OpenIndex::size_on_disk);
        self.report.seconds = self.started.elapsed().as_secs_f64();
        Ok(self.report)
    }

    /// A full build into a new generation, published when complete.
    fn full_build(mut self, previous: Option<String>) -> Result<BuildReport, IndexError> {
        let old_manifest = self.manifest()?;
        let name = generation::next_name(&self.options.index);
        let gen_dir = generation::create(&self.options.index, &name)?;
        let outcome = (|| {
            let index = Index::builder()
                .schema(schema::schema().0)
                .settings(schema::settings())
                .create_in_dir(&gen_dir)?;
            crate::tokenize::register(&index);
            let empty = Manifest::default();
            let plan = FilePlan::new(&self.discovery, &empty)?;
            let mut writer = Writer::new(&index, self.options, None)?;
            let unread = self.write_files(&mut writer, &plan, &empty)?;
            // Briefs of the old index this build could not read would be lost.
            let mut lost = Vec::new();
            for path in &unread {
                if old_manifest.stamp(path)?.is_some() {
                    lost.push(path);
                }
            }
            if let Some(first) = lost.first() {
                return Err(IndexError::IncompleteCorpus {
                    count: lost.len(),
                    first: first.to_string(),
                });
            }
            writer.commit(&mut self.report, &self.extractor.gazetteer, self.started)?;
            record_checked(&gen_dir, &index);
            Ok(())
        })();
        if let Err(e) = outcome {
            // Nothing of a failed build may stay behind (a full disk would stay full).
            let _ = std::fs::remove_dir_all(&gen_dir);
            return Err(e);
        }
        generation::publish(&self.options.index, &name)?;
        generation::remove_stale(&self.options.index, Some(&name), previous.as_deref());
        self.report.index_bytes = super::dir_size(&gen_dir);
        self.report.seconds = self.started.elapsed().as_secs_f64();
        Ok(self.report)
    }

    /// An incremental run in the live generation.
    fn incremental(mut self) -> Result<BuildReport, IndexError> {
        let manifest = self.manifest()?;
        let plan = FilePlan::new(&self.discovery, &manifest)?;
        let Some(open) = self.existing.take() else {
            return Err(IndexError::Missing(self.options.index.clone()));
        };
        // Reopen the generation writable (it was opened to read the manifest).
        let index = Index::open_in_dir(&open.generation_dir)?;
        crate::tokenize::register(&index);
        let mut writer = Writer::new(&index, self.options, Some(&open.state))?;
        for file in &plan.removed_files {
            for brief in manifest.briefs_of(file)? {
                writer.remove(&brief);
                self.report.removed.push(brief.key);
            }
            writer.delete_stamp(file);
        }
        self.write_files(&mut writer, &plan, &manifest)?;
        if writer.has_changes() {
            writer.commit(&mut self.report, &self.extractor.gazetteer, self.started)?;
        } else {
            writer.report_unchanged(&mut self.report, &open.state);
        }
        // The files this run found changed were checked; the ones it wrote are its own.
        record_checked(&open.generation_dir, &index);
        self.report.index_bytes = open.size_on_disk();
        self.report.seconds = self.started.elapsed().as_secs_f64();
        Ok(self.report)
    }

    /// Reads, analyses and writes the files `plan` lists; returns the keys
    /// of files that failed to read for a reason that may pass.
    fn write_files(
        &mut self,
        writer: &mut Writer,
        plan: &FilePlan,
        manifest: &Manifest,
    ) -> Result<Vec<String>, IndexError> {
        let files = &self.discovery.files;
        let extractor = (self.options.extraction != Extraction::Off).then_some(&self.extractor);
        let fields = writer.fields;
        let pool = self.thread_pool()?;
        let bar = progress_bar(self.options.progress, plan.to_read.len() as u64);
        let mut unread = Vec::new();
        let strict = self.options.strict;
        let report = &mut self.report;
        std::thread::scope(|scope| -> Result<(), IndexError> {
            let (sender, receiver) = mpsc::sync_channel::<Vec<Prepared>>(CHUNKS_IN_FLIGHT);
            let pool = &pool;
            scope.spawn(move || {
                for chunk in plan.to_read.chunks(CHUNK_FILES) {
                    let prepared: Vec<Prepared> = pool.install(|| {
                        chunk
                            .par_iter()
                            .map(|planned| prepare(&files[planned.index], planned.stamp, manifest, extractor, &fields))
                            .collect()
                    });
                    if sender.send(prepared).is_err() {
                        break;
                    }
                }
            });
            for chunk in receiver {
                for prepared in chunk {
                    bar.set_message(prepared.file.rel_path.clone());
                    if let Some(key) = writer.apply(prepared, report)? {
                        unread.push(key);
                    }
                    // Returning drops the receiver, which stops the readers.
                    report.stop_if_strict(strict)?;
                    bar.inc(1);
                }
            }
            Ok(())
        })?;
        bar.finish_and_clear();
        Ok(unread)
    }
}

/// Which files a run reads, and which it removes without reading; the
/// briefs of every other file stay as they are.
struct FilePlan {
    /// The files to read, in path order.
    to_read: Vec<PlannedFile>,
    /// Files of the manifest that are gone from where the walk looked.
    removed_files: Vec<String>,
}

struct PlannedFile {
    /// Index into the discovery's files.
    index: usize,
    /// What the index holds of the file, if it knows it.
    stamp: Option<FileStamp>,
}

impl FilePlan {
    /// Compares the walk with the manifest's stamps, both in path order, in
    /// one pass: its memory is the files to read, not the files known. A
    /// full build passes an empty manifest, so it reads every file.
    fn new(discovery: &Discovery, manifest: &Manifest) -> Result<FilePlan, IndexError> {
        let files = &discovery.files;
        let mut plan = FilePlan {
            to_read: Vec::new(),
            removed_files: Vec::new(),
        };
        let mut next = 0;
        manifest.for_each_stamp(|path, stamp| {
            while files.get(next).is_some_and(|f| f.rel_path.as_str() < path) {
                plan.to_read.push(PlannedFile {
                    index: next,
                    stamp: None,
                });
                next += 1;
            }
            match files.get(next) {
                Some(file) if file.rel_path == path => {
                    if !same_stamp(stamp, file) {
                        plan.to_read.push(PlannedFile {
                            index: next,
                            stamp: Some(stamp),
                        });
                    }
                    next += 1;
                }
                _ if discovery.saw(path) => plan.removed_files.push(path.to_string()),
                // Under a folder that could not be listed: keep what we have.
                _ => {}
            }
        })?;
        plan.to_read
            .extend((next..files.len()).map(|index| PlannedFile { index, stamp: None }));
        Ok(plan)
    }
}

/// True when the file has the size and time the index knows it by.
fn same_stamp(stamp: FileStamp, file: &BriefFile) -> bool {
    stamp.size == file.size && i128::from(stamp.mtime_ns) == file.mtime_ns
}

/// A brief of `known` (sorted by key) by its key.
fn find_brief<'k>(known: &'k [ManifestBrief], key: &str) -> Option<&'k ManifestBrief> {
    known
        .binary_search_by(|b| b.key.as_str().cmp(key))
        .ok()
        .map(|i| &known[i])
}

/// One file, read and analysed, ready to be written.
struct Prepared {
    file: BriefFile,
    /// What the index holds of the file: its stamp and its briefs.
    stamp: Option<FileStamp>,
    known: Result<Vec<ManifestBrief>, IndexError>,
    outcome: Result<PreparedFile, CorpusError>,
}

struct PreparedFile {
    briefs: Vec<PreparedBrief>,
    problems: Vec<String>,
}

enum PreparedBrief {
    /// Same content as indexed: nothing to write.
    Unchanged(String),
    Indexed(BriefDocuments),
}

/// Reads a file, catching a reader's panic as an error of that file: no
/// file, whatever its bytes, stops the run.
fn read_isolated(file: &BriefFile) -> Result<corpus::ReadFile, CorpusError> {
    std::panic::catch_unwind(|| corpus::read_file(file)).unwrap_or_else(|_| {
        Err(CorpusError::Walk {
            path: file.abs_path.clone(),
            message: "the reader stopped on this file's content".into(),
        })
    })
}

fn prepare(
    file: &BriefFile,
    stamp: Option<FileStamp>,
    manifest: &Manifest,
    extractor: Option<&Extractor>,
    fields: &Fields,
) -> Prepared {
    let known = manifest.briefs_of(&file.rel_path);
    // A failed lookup stops the run when this file is applied (the error is
    // kept in `known`); until then the file is read as if the index held none of it.
    let no_briefs = Vec::new();
    let known_briefs = known.as_ref().unwrap_or(&no_briefs);
    let outcome = read_isolated(file).map(|read| {
        let mut seen = BTreeSet::new();
        let mut out = PreparedFile {
            briefs: Vec::with_capacity(read.briefs.len()),
            problems: read.problems,
        };
        for source in read.briefs {
            if !seen.insert(source.key.clone()) {
                out.problems
                    .push(format!("{} appears twice; the first is indexed", source.key));
                continue;
            }
            let hash = short_hash(&source.hash);
            if find_brief(known_briefs, &source.key).is_some_and(|b| b.hash == hash) {
                out.briefs.push(PreparedBrief::Unchanged(source.key));
                continue;
            }
            let key = source.key.clone();
            let id = source.id.clone();
            let analysed =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyse_brief(source.brief, extractor)));
            let Ok(analysed) = analysed else {
                out.problems
                    .push(format!("{key}: analysis stopped on this brief's text; not indexed"));
                continue;
            };
            match documents::brief_documents(fields, &key, &file.rel_path, id.as_deref(), hash, &analysed) {
                Ok(docs) => out.briefs.push(PreparedBrief::Indexed(docs)),
                Err(e) => out.problems.push(format!("{key}: {e}")),
            }
        }
        out
    });
    Prepared {
        file: file.clone(),
        stamp,
        known,
        outcome,
    }
}

/// tantivy's writer, with the counts the commit payload keeps.
struct Writer {
    writer: IndexWriter<QueuedDocument>,
    /// Keeps the writer's queue of documents small (see `in_flight`).
    gate: Gate,
    fields: Fields,
    briefs: u64,
    passages: u64,
    tokens: [u64; 4],
    brief_tokens: u64,
    operations: u64,
}

impl Writer {
    /// A writer whose counts start from `state`, the index's as committed.
    fn new(index: &Index, options: &BuildOptions, state: Option<&IndexState>) -> Result<Writer, IndexError> {
        let threads = options.thread_count();
        let memory = options.memory.max(threads * MIN_MEMORY_PER_THREAD);
        let writer: IndexWriter<QueuedDocument> = index.writer_with_num_threads(threads, memory)?;
        let mut policy = LogMergePolicy::default();
        // Deleted passages are left out of scoring (see `stats`), so deletes
        // only cost space: merge a segment once a good part of it is deleted.
        policy.set_del_docs_ratio_before_merge(0.3);
        writer.set_merge_policy(Box::new(policy));
        // Files of a run that died before its commit go before we write.
        writer.garbage_collect_files().wait()?;
        Ok(Writer {
            writer,
            gate: Gate::new(MAX_BYTES_IN_FLIGHT),
            fields: schema::schema().1,
            briefs: state.map_or(0, |s| s.briefs),
            passages: state.map_or(0, |s| s.passages),
            tokens: state.map_or([0; 4], |s| s.tokens),
            brief_tokens: state.map_or(0, |s| s.brief_tokens),
            operations: 0,
        })
    }

    fn has_changes(&self) -> bool {
        self.operations > 0
    }

    /// Deletes an indexed brief and takes its counts out of the totals.
    fn remove(&mut self, old: &ManifestBrief) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.brief, &old.key));
        self.operations += 1;
        self.briefs = self.briefs.saturating_sub(1);
        self.passages = self.passages.saturating_sub(old.passages);
        self.brief_tokens = self.brief_tokens.saturating_sub(old.brief_tokens);
        for (total, n) in self.tokens.iter_mut().zip(old.tokens) {
            *total = total.saturating_sub(n);
        }
    }

    fn delete_stamp(&mut self, file: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields.stamp, file));
        self.operations += 1;
    }

    /// Writes one prepared file; returns its key when it failed to read for
    /// a reason that may pass.
    fn apply(&mut self, prepared: Prepared, report: &mut BuildReport) -> Result<Option<String>, IndexError> {
        let known = prepared.known?;
        let file = prepared.file;
        let read = match prepared.outcome {
            Ok(read) => read,
            Err(e) => {
                // Never lose what was indexed: its briefs and stamp stay.
                let transient = e.is_transient();
                report.problem(&file.rel_path, e);
                return Ok(transient.then_some(file.rel_path));
            }
        };
        for problem in read.problems {
            report.problem(&file.rel_path, format!("{}: {problem}", file.rel_path));
        }
        let mut seen = BTreeSet::new();
        for brief in read.briefs {
            match brief {
                PreparedBrief::Unchanged(key) => {
                    seen.insert(key);
                }
                PreparedBrief::Indexed(docs) => {
                    for warning in &docs.warnings {
                        report.warnings.push(FileProblem {
                            path: docs.key.clone(),
                            error: format!("{}: {warning}", docs.key),
                        });
                    }
                    if let Some(old) = find_brief(&known, &docs.key) {
                        self.remove(old);
                        report.changed.push(docs.key.clone());
                    } else {
                        report.added.push(docs.key.clone());
                    }
                    seen.insert(docs.key.clone());
                    self.add(docs)?;
                }
            }
        }
        for old in &known {
            if !seen.contains(&old.key) {
                self.remove(old);
                report.removed.push(old.key.clone());
            }
        }
        let stamp = prepared.stamp;
        if !stamp.is_some_and(|s| same_stamp(s, &file)) {
            if stamp.is_some() {
                self.delete_stamp(&file.rel_path);
            }
            let doc = documents::file_document(&self.fields, &file.rel_path, file.size, file.mtime_ns);
            for doc in self.gate.admit(vec![doc]) {
                self.writer.add_document(doc)?;
            }
            self.operations += 1;
        }
        Ok(None)
    }

    /// Adds a brief's documents as one batch: they stay together in one segment.
    fn add(&mut self, docs: BriefDocuments) -> Result<(), IndexError> {
        self.briefs += 1;
        self.passages += docs.passages;
        self.brief_tokens += docs.brief_tokens;
        for (total, n) in self.tokens.iter_mut().zip(docs.tokens) {
            *total += n;
        }
        self.operations += 1;
        let batch: Vec<UserOperation<QueuedDocument>> = self
            .gate
            .admit(docs.documents)
            .into_iter()
            .map(UserOperation::Add)
            .collect();
        self.writer.run(batch)?;
        Ok(())
    }

    fn state(&self, gazetteer: &Gazetteer, started: Instant) -> IndexState {
        IndexState {
            schema_version: crate::SCHEMA_VERSION,
            extraction_version: crate::EXTRACTION_VERSION,
            gazetteer: gazetteer.fingerprint().to_string(),
            built_at: jiff::Timestamp::now()
                .round(jiff::Unit::Second)
                .unwrap_or(jiff::Timestamp::now())
                .to_string(),
            build_seconds: started.elapsed().as_secs_f64(),
            briefs: self.briefs,
            passages: self.passages,
            tokens: self.tokens,
            brief_tokens: self.brief_tokens,
        }
    }

    /// Commits with the state as payload, then waits for merges to end.
    fn commit(mut self, report: &mut BuildReport, gazetteer: &Gazetteer, started: Instant) -> Result<(), IndexError> {
        let state = self.state(gazetteer, started);
        let payload = serde_json::to_string(&state).map_err(|e| IndexError::Internal(e.to_string()))?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.finish_report(report);
        self.writer.wait_merging_threads()?;
        Ok(())
    }

    /// Nothing changed: nothing is written, the report gives the index as it is.
    fn report_unchanged(self, report: &mut BuildReport, state: &IndexState) {
        report.briefs = state.briefs;
        report.passages = state.passages;
        report.unchanged = state.briefs;
    }

    fn finish_report(&self, report: &mut BuildReport) {
        report.briefs = self.briefs;
        report.passages = self.passages;
        // Every brief the index holds now was kept, added or indexed again.
        let written = (report.added.len() + report.changed.len()) as u64;
        report.unchanged = self.briefs.saturating_sub(written);
        report.added.sort();
        report.changed.sort();
        report.removed.sort();
    }
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

fn progress_bar(show: bool, len: u64) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
