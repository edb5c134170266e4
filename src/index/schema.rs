//! The tantivy schema: one index holds three kinds of document.
//!
//! - A **passage** document per passage: the searched text (title, heading,
//!   body, author), its facets, the brief's date, and stored what a hit
//!   prints of the passage itself.
//! - A **brief** document per brief: what a hit prints of the brief, stored
//!   once instead of per passage (title, date, author, source, ...), the
//!   brief's facets (for `--scope brief`, see `search::scope`), and the
//!   manifest columns incremental runs read (content hash, token counts).
//! - A **file** document per file: its size and modification time, so that
//!   a run skips unchanged files without reading them.
//!
//! A brief and its passages are written in one batch, so they sit together
//! in one segment, brief document first and passages in order; they share
//! the `brief` key, so one delete removes them all.
//!
//! What made each facet (the mentions `briefs show` explains) is not
//! stored: it follows from the stored passages and the gazetteer, whose
//! fingerprint the index records, and is computed again when asked for.

use tantivy::schema::{
    DateOptions, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    STORED, STRING,
};

use crate::tokenize;

/// Values of the `kind` field.
pub mod kind {
    pub const PASSAGE: u64 = 0;
    pub const BRIEF: u64 = 1;
    pub const FILE: u64 = 2;
}

/// The fields of the schema, by role.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// [`kind`] of the document.
    pub kind: Field,
    /// The brief's key (its path, or `FILE#ID`), on brief and passage documents.
    pub brief: Field,

    // Passage documents.
    pub ordinal: Field,
    pub line_first: Field,
    pub line_last: Field,
    pub page: Field,
    /// The searched fields. Their values are the text's terms, analysed by
    /// the indexer (`tokenize::push_terms`); the text itself is stored in
    /// `text` and `heading_text`, and the brief's on its record.
    pub title: Field,
    pub heading: Field,
    pub body: Field,
    pub author: Field,
    /// The brief's date, for date filters and browsing newest first.
    pub date: Field,
    /// The passage's facets: `/country/..`, `/region/..`, `/actor/person/..`, `/actor/org/..`.
    pub facets: Field,
    /// The passage's near-duplicate keys (`crate::near_dup::band_keys`):
    /// passages sharing one are compared when search folds duplicates.
    pub near_dup: Field,
    /// Stored text of the passage and of its heading.
    pub text: Field,
    pub heading_text: Field,

    // Brief documents.
    /// Stored: the brief's metadata as JSON ([`super::documents::BriefRecord`]).
    pub record: Field,
    /// The brief's facets: its passages', its title's, and those it declares.
    pub brief_facets: Field,
    /// The facets of its passages only: their document frequencies count,
    /// for each value, the briefs with a passage that has it, which is what
    /// facet counts report (see `search::facets`).
    pub listed_facets: Field,
    /// The key of the file the brief was read from.
    pub file: Field,
    /// The first 8 bytes of the brief's content hash.
    pub hash: Field,
    /// Number of passages, and tokens of each searched field over them
    /// (in the order of [`searched_fields`]).
    pub passages: Field,
    pub token_counts: [Field; 4],
    /// The whole brief's searched text (title once, headings, passages),
    /// for brief-level BM25: evidence spread over a brief ranks its
    /// passages (see `search::ranking`). Frequencies only, no positions.
    pub brief_text: Field,
    /// Tokens of `brief_text`.
    pub brief_text_tokens: Field,

    // File documents.
    /// The file's key.
    pub stamp: Field,
    pub size: Field,
    pub mtime: Field,
}

/// The schema of an index, and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let searched = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenize::TERMS_ANALYZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let column = NumericOptions::default().set_fast();
    // Keys and filters are matched, never scored: no field norms (tantivy
    // writes a byte per document and field for every indexed field unless
    // told not to; they were 0.6 MB of a 10,000-brief index).
    let key = (STRING | FAST).set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let matched = NumericOptions::default().set_indexed();
    let fields = Fields {
        kind: b.add_u64_field("kind", matched.clone().set_fast()),
        brief: b.add_text_field("brief", key.clone()),
        ordinal: b.add_u64_field("ordinal", column.clone()),
        line_first: b.add_u64_field("line_first", STORED),
        line_last: b.add_u64_field("line_last", STORED),
        page: b.add_u64_field("page", STORED),
        title: b.add_text_field("title", searched.clone()),
        heading: b.add_text_field("heading", searched.clone()),
        body: b.add_text_field("body", searched.clone()),
        author: b.add_text_field("author", searched),
        date: b.add_date_field("date", DateOptions::default().set_indexed().set_fast()),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        near_dup: b.add_u64_field("near_dup", matched),
        text: b.add_text_field("text", STORED),
        heading_text: b.add_text_field("heading_text", STORED),
        record: b.add_text_field("record", STORED),
        brief_facets: b.add_facet_field("brief_facets", FacetOptions::default()),
        listed_facets: b.add_facet_field("listed_facets", FacetOptions::default()),
        file: b.add_text_field("file", key.clone()),
        hash: b.add_u64_field("hash", column.clone()),
        passages: b.add_u64_field("passages", column.clone()),
        token_counts: [
            b.add_u64_field("title_tokens", column.clone()),
            b.add_u64_field("heading_tokens", column.clone()),
            b.add_u64_field("body_tokens", column.clone()),
            b.add_u64_field("author_tokens", column.clone()),
        ],
        brief_text: b.add_text_field(
            "brief_text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenize::TERMS_ANALYZER_NAME)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        brief_text_tokens: b.add_u64_field("brief_text_tokens", column.clone()),
        stamp: b.add_text_field("stamp", key),
        size: b.add_u64_field("size", column),
        mtime: b.add_i64_field("mtime", FAST),
    };
    (b.build(), fields)
}

/// The fields whose text is searched, with their tokens counted for BM25.
pub fn searched_fields(f: &Fields) -> [Field; 4] {
    [f.title, f.heading, f.body, f.author]
}

/// How documents are stored. Measured on 10,000 generated briefs (40 MB):
/// lz4 (tantivy's default) gives a 31.0 MB store, zstd level 3 20.9 MB for
/// 2% more build CPU, level 9 20.3 MB for 18% more. Blocks of 64 KiB save
/// another 10% but every shown hit then decompresses four times as much.
pub fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 16 * 1024,
        ..tantivy::IndexSettings::default()
    }
}
