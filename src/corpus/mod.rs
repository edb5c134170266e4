//! The corpus: finding brief files in a folder ([`walk`]) and reading each
//! one into [`Brief`]s: metadata plus body blocks with their line numbers.
//!
//! One module per format, all feeding the same line rules of [`text`]
//! (boilerplate, bylines, headline titles, dates), so that a brief reads the
//! same whichever format it was saved in: [`text`] (plain text),
//! [`markdown`] (CommonMark with YAML or TOML front matter), [`html`] (saved
//! web pages), [`pdf`], [`docx`] (Word and OpenDocument text), [`jsonl`]
//! (JSON Lines exports, one brief per record); [`encoding`] decodes the text
//! formats. [`read_file`] picks the reader by extension.
//!
//! A brief is identified by its path relative to the corpus folder, written
//! with [`walk::path_key`]: `/` separators, and bytes that are not UTF-8 or
//! are control characters escaped as `\xNN`, so that two files whose names
//! differ only in such bytes stay two briefs. A JSON Lines record is `FILE#ID`.

pub mod docx;
pub mod encoding;
pub mod html;
pub mod jsonl;
pub mod markdown;
pub mod pdf;
pub mod text;
pub mod walk;

use std::path::{Path, PathBuf};

use jiff::civil::Date;

pub use text::{first_explicit_date, parse_brief};
pub use walk::{
    discover, discover_with, path_key, BriefFile, Discovery, Skipped, WalkOptions, BRIEF_EXTENSIONS,
    DEFAULT_MAX_FILE_SIZE,
};

/// Why a corpus or one brief could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("corpus folder {0} does not exist (pass --corpus DIR, or create it and put briefs in it)")]
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
    /// A text file (`.txt`, `.md`, `.html`, `.jsonl`) whose bytes are not text.
    #[error("{path}: {reason}; not read")]
    Binary { path: PathBuf, reason: String },
    /// A file whose format is broken or holds nothing to index (a corrupt
    /// PDF or DOCX, a PDF without a text layer, a JSON Lines file without
    /// one readable record).
    #[error("{path}: cannot read this {format} file: {reason}")]
    Unreadable {
        path: PathBuf,
        format: &'static str,
        reason: String,
    },
}

impl CorpusError {
    /// True for failures that may pass (an I/O error, a folder that could
    /// not be listed), as opposed to a file whose content is unreadable.
    pub fn is_transient(&self) -> bool {
        matches!(self, CorpusError::Io { .. } | CorpusError::Walk { .. })
    }
}

/// A format's own reason why a file could not be read; [`read_bytes`]
/// adds the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error(transparent)]
    Encoding(#[from] encoding::EncodingError),
    #[error("{0}")]
    Broken(String),
}

/// The formats briefs are read from, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    Pdf,
    Docx,
    Odt,
    JsonLines,
}

impl Format {
    /// The format of a file, from its extension (any case); `None` for
    /// files that are not briefs.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" | "xhtml" => Format::Html,
            "pdf" => Format::Pdf,
            "docx" => Format::Docx,
            "odt" => Format::Odt,
            "jsonl" | "ndjson" => Format::JsonLines,
            _ => return None,
        })
    }

    /// The format's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "Markdown",
            Format::Html => "HTML",
            Format::Pdf => "PDF",
            Format::Docx => "DOCX",
            Format::Odt => "ODT",
            Format::JsonLines => "JSON Lines",
        }
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
    let format = Format::from_path(&file.abs_path).unwrap_or(Format::Text);
    read_bytes(format, &file.rel_path, &bytes).map_err(|e| match e {
        FormatError::Encoding(encoding::EncodingError::Binary(reason)) => CorpusError::Binary {
            path: file.abs_path.clone(),
            reason: format!("binary content, not {} ({reason})", format.name()),
        },
        FormatError::Broken(reason) => CorpusError::Unreadable {
            path: file.abs_path.clone(),
            format: format.name(),
            reason,
        },
    })
}

/// Reads a file's bytes as `format`; `key` is the file's key. This is
/// [`read_file`] without the file system, for tests and fuzzing: it never
/// panics, whatever the bytes.
pub fn read_bytes(format: Format, key: &str, bytes: &[u8]) -> Result<ReadFile, FormatError> {
    let single = |brief: Brief| ReadFile {
        briefs: vec![SourceBrief {
            key: key.to_string(),
            id: None,
            hash: blake3::hash(bytes),
            brief,
        }],
        problems: Vec::new(),
    };
    match format {
        Format::Text => {
            let decoded = encoding::decode(bytes)?;
            let mut brief = parse_brief(key, &decoded.text);
            brief.encoding = decoded.encoding.map(str::to_string);
            Ok(single(brief))
        }
        Format::Markdown => {
            let decoded = encoding::decode(bytes)?;
            let mut brief = markdown::parse_markdown(key, &decoded.text);
            brief.encoding = decoded.encoding.map(str::to_string);
            Ok(single(brief))
        }
        Format::Html => Ok(single(html::read_html(key, bytes)?)),
        Format::Pdf => Ok(single(pdf::read_pdf(key, bytes)?)),
        Format::Docx => Ok(single(docx::read_docx(key, bytes)?)),
        Format::Odt => Ok(single(docx::read_odt(key, bytes)?)),
        Format::JsonLines => jsonl::read_jsonl(key, bytes),
    }
}

/// Reads a brief's text, decoding it from whatever encoding it is in.
pub fn read_text(path: &Path) -> Result<String, CorpusError> {
    let bytes = std::fs::read(path).map_err(|source| CorpusError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    encoding::decode(&bytes)
        .map(|d| d.text)
        .map_err(|encoding::EncodingError::Binary(reason)| CorpusError::Binary {
            path: path.to_path_buf(),
            reason: format!("binary content, not text ({reason})"),
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
