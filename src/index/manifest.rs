//! The manifest: what the index holds of each file and brief, read from the
//! columns of the brief and file documents.
//!
//! Keeping it in the index (instead of beside it) makes it commit atomically
//! with the passages: after a crash the manifest and the passages can never
//! disagree. Only `briefs index` reads it; search never does.

use rustc_hash::FxHashMap as HashMap;

use tantivy::columnar::StrColumn;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Searcher, SegmentReader, Term, TERMINATED};

use super::schema::{kind, Fields};
use super::IndexError;

/// What the index knows of a brief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestBrief {
    pub file: String,
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

/// The index's manifest.
#[derive(Debug, Default)]
pub struct Manifest {
    pub files: HashMap<String, FileStamp>,
    pub briefs: HashMap<String, ManifestBrief>,
}

impl Manifest {
    /// Brief keys grouped by the file they were read from.
    pub fn by_file(&self) -> HashMap<&str, Vec<&str>> {
        let mut out: HashMap<&str, Vec<&str>> = HashMap::default();
        for (key, brief) in &self.briefs {
            out.entry(brief.file.as_str()).or_default().push(key.as_str());
        }
        out
    }

    /// Passages, tokens, and whole-brief tokens over every brief of the manifest.
    pub fn totals(&self) -> (u64, [u64; 4], u64) {
        let mut tokens = [0u64; 4];
        let mut passages = 0;
        let mut brief_tokens = 0;
        for brief in self.briefs.values() {
            passages += brief.passages;
            brief_tokens += brief.brief_tokens;
            for (total, n) in tokens.iter_mut().zip(brief.tokens) {
                *total += n;
            }
        }
        (passages, tokens, brief_tokens)
    }
}

/// Reads the manifest of an index.
pub fn read(searcher: &Searcher, fields: &Fields) -> Result<Manifest, IndexError> {
    let mut manifest = Manifest::default();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let briefs = docs_of_kind(segment, fields, kind::BRIEF)?;
        if !briefs.is_empty() {
            let keys = all_terms(fast.str("brief")?)?;
            let files = all_terms(fast.str("file")?)?;
            let brief_ords = fast.str("brief")?.ok_or_else(|| missing("brief"))?;
            let file_ords = fast.str("file")?.ok_or_else(|| missing("file"))?;
            let hash = fast.u64("hash")?;
            let passages = fast.u64("passages")?;
            let token_columns = [
                fast.u64("title_tokens")?,
                fast.u64("heading_tokens")?,
                fast.u64("body_tokens")?,
                fast.u64("author_tokens")?,
            ];
            let brief_tokens = fast.u64("brief_text_tokens")?;
            for doc in briefs {
                let key = term_of(&brief_ords, &keys, doc)?;
                let file = term_of(&file_ords, &files, doc)?;
                let tokens = std::array::from_fn(|i| token_columns[i].first(doc).unwrap_or(0));
                manifest.briefs.insert(
                    key,
                    ManifestBrief {
                        file,
                        hash: hash.first(doc).unwrap_or(0),
                        passages: passages.first(doc).unwrap_or(0),
                        tokens,
                        brief_tokens: brief_tokens.first(doc).unwrap_or(0),
                    },
                );
            }
        }
        let stamps = docs_of_kind(segment, fields, kind::FILE)?;
        if !stamps.is_empty() {
            let names = all_terms(fast.str("stamp")?)?;
            let stamp_ords = fast.str("stamp")?.ok_or_else(|| missing("stamp"))?;
            let size = fast.u64("size")?;
            let mtime = fast.i64("mtime")?;
            for doc in stamps {
                manifest.files.insert(
                    term_of(&stamp_ords, &names, doc)?,
                    FileStamp {
                        size: size.first(doc).unwrap_or(0),
                        mtime_ns: mtime.first(doc).unwrap_or(0),
                    },
                );
            }
        }
    }
    Ok(manifest)
}

/// The live documents of one kind in a segment.
fn docs_of_kind(segment: &SegmentReader, fields: &Fields, which: u64) -> Result<Vec<DocId>, IndexError> {
    let term = Term::from_field_u64(fields.kind, which);
    let index = segment.inverted_index(fields.kind)?;
    let mut out = Vec::new();
    if let Some(mut postings) = index.read_postings(&term, IndexRecordOption::Basic)? {
        let alive = segment.alive_bitset();
        while postings.doc() != TERMINATED {
            let doc = postings.doc();
            if alive.is_none_or(|a| a.is_alive(doc)) {
                out.push(doc);
            }
            postings.advance();
        }
    }
    Ok(out)
}

/// Every term of a string column's dictionary, by ordinal: one sequential
/// read, instead of a dictionary lookup per document.
fn all_terms(column: Option<StrColumn>) -> Result<Vec<String>, IndexError> {
    let Some(column) = column else {
        return Ok(Vec::new());
    };
    let mut stream = column.dictionary().stream()?;
    // The count comes from the file: never trust it for an allocation.
    let mut terms = Vec::with_capacity(column.num_terms().min(1 << 16));
    while stream.advance() {
        terms.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(terms)
}

fn term_of(column: &StrColumn, terms: &[String], doc: DocId) -> Result<String, IndexError> {
    column
        .term_ords(doc)
        .next()
        .and_then(|ord| terms.get(ord as usize))
        .cloned()
        .ok_or_else(|| IndexError::Corrupt(format!("document {doc} has no value in a manifest column")))
}

fn missing(column: &str) -> IndexError {
    IndexError::Corrupt(format!("the manifest column {column} is missing"))
}
