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
    pub blocks: Vec<Block>,
    /// What looked wrong in the file but did not stop it being read
    /// (front matter that is never closed, a date that does not parse).
    pub warnings: Vec<String>,
}
