//! The manifest: what the index holds of each file and brief, read from the
//! columns of the brief and file documents.
//!
//! Keeping it in the index (instead of beside it) makes it commit atomically
//! with the passages: after a crash the manifest and the passages can never
//! disagree. Only `briefs index` reads it; search never does.
//!
//! It is never loaded whole. A run streams the file stamps in path order
//! (one sequential read of each segment's `stamp` dictionary, merged) to
//! compare them with the sorted walk, and looks up the briefs of a file
//! only for the files it reads or removes. So a run that finds nothing
//! changed holds a few bytes per file, not a map of every brief.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Searcher, SegmentReader, Term};
use tantivy_sstable::{Streamer, VoidSSTable};

use super::schema::{kind, Fields};
use super::{catch_panic, live_docs, IndexError};

/// What the index knows of a brief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestBrief {
    pub key: String,
    pub hash: u64,
    pub passages: u64,
    /// Tokens of each searched field over the brief's passages.
    pub tokens: [u64; 4],
    /// Tokens of the brief's whole text (`brief_text`).
    pub brief_tokens: u64,
}

/// What the index knows of a file: when its size and modification time are
/// unchanged, it is not read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub mtime_ns: i64,
}

/// The index's manifest, read on demand. Empty when there is no index.
#[derive(Default)]
pub struct Manifest {
    segments: Vec<SegmentManifest>,
}

/// One segment's manifest columns, opened once per run.
struct SegmentManifest {
    reader: SegmentReader,
    fields: Fields,
    kind: Option<Column<u64>>,
    brief: Option<StrColumn>,
    hash: Option<Column<u64>>,
    passages: Option<Column<u64>>,
    tokens: [Option<Column<u64>>; 4],
    brief_tokens: Option<Column<u64>>,
    stamp: Option<StrColumn>,
    size: Option<Column<u64>>,
    mtime: Option<Column<i64>>,
}

impl Manifest {
    /// The manifest of the index `searcher` reads.
    pub fn open(searcher: &Searcher, fields: &Fields) -> Result<Manifest, IndexError> {
        catch_panic(|| {
            let segments = searcher
                .segment_readers()
                .iter()
                .map(|reader| SegmentManifest::open(reader, *fields))
                .collect::<Result<Vec<_>, IndexError>>()?;
            Ok(Manifest { segments })
        })
    }

    /// Calls `visit` with every file stamp, in path order (bytes), each
    /// file once. Memory: four bytes per file stamp of the largest segment.
    pub fn for_each_stamp(&self, mut visit: impl FnMut(&str, FileStamp)) -> Result<(), IndexError> {
        catch_panic(|| {
            let mut sources = Vec::new();
            for segment in &self.segments {
                if let Some(column) = &segment.stamp {
                    sources.push((segment, column, segment.stamp_docs_by_ord(column)?));
                }
            }
            let mut streams = sources
                .iter()
                .map(|(_, column, _)| column.dictionary().stream())
                .collect::<Result<Vec<_>, _>>()?;
            // Each segment's dictionary is sorted: merge them, smallest key first.
            let mut heads = BinaryHeap::new();
            for (i, stream) in streams.iter_mut().enumerate() {
                if advance_to_live(stream, &sources[i].2) {
                    heads.push(Reverse((stream.key().to_vec(), i)));
                }
            }
            let mut last: Option<Vec<u8>> = None;
            while let Some(Reverse((key, i))) = heads.pop() {
                let (segment, _, docs_by_ord) = &sources[i];
                let stream = &mut streams[i];
                let doc = docs_by_ord[stream.term_ord() as usize];
                // A file has one live stamp; should two segments disagree,
                // the first seen wins and the run still sees the file once.
                if last.as_deref() != Some(key.as_slice()) {
                    visit(&String::from_utf8_lossy(&key), segment.file_stamp(doc));
                }
                if advance_to_live(stream, docs_by_ord) {
                    heads.push(Reverse((stream.key().to_vec(), i)));
                }
                last = Some(key);
            }
            Ok(())
        })
    }

    /// The stamp of one file, if the index holds it.
    pub fn stamp(&self, file: &str) -> Result<Option<FileStamp>, IndexError> {
        catch_panic(|| {
            for segment in &self.segments {
                let term = Term::from_field_text(segment.fields.stamp, file);
                if let Some(doc) = live_docs(&segment.reader, &term)?.first() {
                    return Ok(Some(segment.file_stamp(*doc)));
                }
            }
            Ok(None)
        })
    }

    /// The briefs the index holds of one file, sorted by key.
    pub fn briefs_of(&self, file: &str) -> Result<Vec<ManifestBrief>, IndexError> {
        catch_panic(|| {
            let mut out = Vec::new();
            for segment in &self.segments {
                let term = Term::from_field_text(segment.fields.file, file);
                for doc in live_docs(&segment.reader, &term)? {
                    if segment.kind.as_ref().and_then(|c| c.first(doc)) == Some(kind::BRIEF) {
                        out.push(segment.brief(doc)?);
                    }
                }
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
    }
}

impl SegmentManifest {
    fn open(reader: &SegmentReader, fields: Fields) -> Result<SegmentManifest, IndexError> {
        let fast = reader.fast_fields();
        let u64_column = |name: &str| fast.column_opt::<u64>(name);
        Ok(SegmentManifest {
            reader: reader.clone(),
            fields,
            kind: u64_column("kind")?,
            brief: fast.str("brief")?,
            hash: u64_column("hash")?,
            passages: u64_column("passages")?,
            tokens: [
                u64_column("title_tokens")?,
                u64_column("heading_tokens")?,
                u64_column("body_tokens")?,
                u64_column("author_tokens")?,
            ],
            brief_tokens: u64_column("brief_text_tokens")?,
            stamp: fast.str("stamp")?,
            size: u64_column("size")?,
            mtime: fast.column_opt::<i64>("mtime")?,
        })
    }

    /// For each term of the `stamp` column, its live file document
    /// ([`NO_DOC`] for a deleted one): the dictionary gives paths in order,
    /// this gives where each path's size and time are.
    fn stamp_docs_by_ord(&self, column: &StrColumn) -> Result<Vec<DocId>, IndexError> {
        // The count comes from the file: check it before allocating.
        if column.num_terms() > self.reader.max_doc() as usize {
            return Err(IndexError::Corrupt(
                "the stamp column has more terms than documents".into(),
            ));
        }
        let mut docs_by_ord = vec![NO_DOC; column.num_terms()];
        for doc in live_docs(&self.reader, &Term::from_field_u64(self.fields.kind, kind::FILE))? {
            let ord = column.term_ords(doc).next().ok_or_else(|| no_value("stamp", doc))?;
            let slot = docs_by_ord
                .get_mut(ord as usize)
                .ok_or_else(|| IndexError::Corrupt(format!("document {doc} has a stamp outside the dictionary")))?;
            *slot = doc;
        }
        Ok(docs_by_ord)
    }

    fn file_stamp(&self, doc: DocId) -> FileStamp {
        FileStamp {
            size: first(&self.size, doc),
            mtime_ns: self.mtime.as_ref().and_then(|c| c.first(doc)).unwrap_or(0),
        }
    }

    fn brief(&self, doc: DocId) -> Result<ManifestBrief, IndexError> {
        let column = self.brief.as_ref().ok_or_else(|| no_value("brief", doc))?;
        let ord = column.term_ords(doc).next().ok_or_else(|| no_value("brief", doc))?;
        let mut key = String::new();
        if !column.ord_to_str(ord, &mut key)? {
            return Err(no_value("brief", doc));
        }
        Ok(ManifestBrief {
            key,
            hash: first(&self.hash, doc),
            passages: first(&self.passages, doc),
            tokens: std::array::from_fn(|i| first(&self.tokens[i], doc)),
            brief_tokens: first(&self.brief_tokens, doc),
        })
    }
}

/// Marks a `stamp` term whose document is deleted.
const NO_DOC: DocId = DocId::MAX;

/// Moves `stream` to its next term that has a live document.
fn advance_to_live(stream: &mut Streamer<'_, VoidSSTable>, docs_by_ord: &[DocId]) -> bool {
    while stream.advance() {
        if docs_by_ord
            .get(stream.term_ord() as usize)
            .is_some_and(|&d| d != NO_DOC)
        {
            return true;
        }
    }
    false
}

fn first(column: &Option<Column<u64>>, doc: DocId) -> u64 {
    column.as_ref().and_then(|c| c.first(doc)).unwrap_or(0)
}

fn no_value(column: &str, doc: DocId) -> IndexError {
    IndexError::Corrupt(format!("document {doc} has no value in the manifest column {column}"))
}
