//! The corpus: finding brief files in a folder ([`walk`]) and reading each
//! one into a [`Brief`]: metadata plus body blocks with their line numbers
//! ([`text`] for plain text and Markdown).
//!
//! A brief is identified by its path relative to the corpus folder, written
//! with [`walk::path_key`]: `/` separators, and bytes that are not UTF-8 or
//! are control characters escaped as `\xNN`, so that two files whose names
//! differ only in such bytes stay two briefs.

pub mod text;
pub mod walk;

use std::path::{Path, PathBuf};

use jiff::civil::Date;

pub use text::{first_explicit_date, parse_brief};
pub use walk::{discover, path_key, BriefFile, Discovery, Skipped, BRIEF_EXTENSIONS};

/// Why a corpus or one brief could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("corpus folder {0} does not exist (pass --corpus DIR, or create it and put .txt or .md briefs in it)")]
    Missing(PathBuf),
    #[error("{0} is not a folder")]
    NotADirectory(PathBuf),
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot look into this folder or file: {message}; what the index holds from it is kept")]
    Walk { path: PathBuf, message: String },
    #[error("{path}: not valid UTF-8 (byte {offset}); convert it to UTF-8 to index it")]
    NotUtf8 { path: PathBuf, offset: usize },
}

impl CorpusError {
    /// True for failures that may pass (an I/O error, a folder that could
    /// not be listed), as opposed to a file whose content is unreadable.
    pub fn is_transient(&self) -> bool {
        matches!(self, CorpusError::Io { .. } | CorpusError::Walk { .. })
    }
}

/// What reading one file gives: its briefs (one for most formats, one per
/// record for JSON Lines) and the problems met in parts of it (a record
/// that does not parse) that did not stop the rest from being read.
#[derive(Debug, Clone)]
pub struct ReadFile {
    pub briefs: Vec<SourceBrief>,
    pub problems: Vec<String>,
}

/// One brief read from a file, with what incremental runs need to know.
#[derive(Debug, Clone)]
pub struct SourceBrief {
    /// The brief's identity in the index: the file's key, or `FILE#ID` for
    /// a record of a JSON Lines file.
    pub key: String,
    /// The record's own id (JSON Lines `id` or `_id`), when it has one.
    pub id: Option<String>,
    /// A hash of the bytes this brief was read from (the record, or the
    /// whole file): when it is unchanged the brief is not indexed again.
    pub hash: blake3::Hash,
    pub brief: Brief,
}

/// Reads one brief file: detects its format by extension and gives its briefs.
/// A file that cannot be read at all is an error; a part of it that cannot
/// be read is a problem in [`ReadFile::problems`].
pub fn read_file(file: &BriefFile) -> Result<ReadFile, CorpusError> {
    let bytes = std::fs::read(&file.abs_path).map_err(|source| CorpusError::Io {
        path: file.abs_path.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| CorpusError::NotUtf8 {
        path: file.abs_path.clone(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let brief = parse_brief(&file.rel_path, &text);
    Ok(ReadFile {
        briefs: vec![SourceBrief {
            key: file.rel_path.clone(),
            id: None,
            hash: blake3::hash(text.as_bytes()),
            brief,
        }],
        problems: Vec::new(),
    })
}

/// Reads a brief's bytes and checks they are UTF-8.
pub fn read_text(path: &Path) -> Result<String, CorpusError> {
    let bytes = std::fs::read(path).map_err(|source| CorpusError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| CorpusError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// What a body block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading,
}

/// A paragraph or subheading of the body, with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The block's lines joined by single spaces.
    pub text: String,
    /// For each line of the block: where it starts in `text` and its 1-based line number.
    pub line_starts: Vec<(usize, u32)>,
    /// The page the block is on, for paged formats (PDF), from 1.
    pub page: Option<u32>,
}

impl Block {
    pub fn first_line(&self) -> u32 {
        self.line_starts.first().map_or(0, |l| l.1)
    }

    pub fn last_line(&self) -> u32 {
        self.line_starts.last().map_or(0, |l| l.1)
    }

    /// The file line that holds byte `offset` of `text`.
    pub fn line_at(&self, offset: usize) -> u32 {
        let idx = self.line_starts.partition_point(|(start, _)| *start <= offset);
        self.line_starts.get(idx.saturating_sub(1)).map_or(0, |l| l.1)
    }
}

/// A brief as read: metadata plus body blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brief {
    pub path: String,
    pub title: String,
    pub date: Option<Date>,
    pub author: Option<String>,
    pub source: Option<String>,
    /// Where the brief was published, when the file says (HTML, JSON Lines).
    pub url: Option<String>,
    /// The text encoding the file was decoded from, when it was not UTF-8.
    pub encoding: Option<String>,
    /// Facets the file declares itself (Markdown front matter `countries`,
    /// `actors`, `tags`), joined to the extracted ones.
    pub declared: Declared,
    pub blocks: Vec<Block>,
    /// What looked wrong in the file but did not stop it being read
    /// (front matter that is never closed, a date that does not parse).
    pub warnings: Vec<String>,
}

impl Brief {
    /// A brief with no title, metadata or body yet.
    pub fn new(path: &str) -> Brief {
        Brief {
            path: path.to_string(),
            title: String::new(),
            date: None,
            author: None,
            source: None,
            url: None,
            encoding: None,
            declared: Declared::default(),
            blocks: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Facet values a brief declares about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Declared {
    /// Country names, aliases or ISO codes, resolved through the gazetteer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Actor names; a known alias resolves to its actor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}
