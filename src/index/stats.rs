//! The index's state (the commit payload) and the BM25 statistics search
//! scores with.
//!
//! tantivy's own statistics count deleted documents until a merge removes
//! them, count brief and file documents as documents, and after a merge of
//! segments with deletions only *estimate* the number of tokens of a field.
//! So an index updated incrementally would score a little differently from
//! a full build of the same corpus. [`ExactStatistics`] gives the numbers a
//! full build would have: passages and token totals are counted exactly at
//! indexing time (with the analyzer's own rules) and kept in the payload, and
//! document frequencies leave out deleted passages.

use std::cell::OnceCell;

use serde::{Deserialize, Serialize};
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Searcher, Term, TERMINATED};

use super::schema::{kind, searched_fields, Fields};

/// The commit payload: versions, the gazetteer used, build time, and the
/// statistics of the live passages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexState {
    pub schema_version: u32,
    pub extraction_version: u32,
    /// The fingerprint of the gazetteer the index was built with.
    pub gazetteer: String,
    /// When the last build finished (RFC 3339).
    pub built_at: String,
    pub build_seconds: f64,
    pub briefs: u64,
    pub passages: u64,
    /// Tokens of each searched field over all live passages
    /// (title, heading, body, author).
    pub tokens: [u64; 4],
    /// Tokens of `brief_text` over all live briefs.
    #[serde(default)]
    pub brief_tokens: u64,
}

/// BM25 statistics over live passages only; see the module doc.
pub struct ExactStatistics<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    state: &'a IndexState,
    /// Per segment, the deleted documents of the counted kind, found when first needed.
    deleted: Vec<OnceCell<Vec<DocId>>>,
    /// Which documents count: passages, or (for brief-level scores) briefs.
    counted: u64,
}

impl<'a> ExactStatistics<'a> {
    pub fn new(searcher: &'a Searcher, fields: Fields, state: &'a IndexState) -> ExactStatistics<'a> {
        ExactStatistics {
            searcher,
            fields,
            state,
            deleted: searcher.segment_readers().iter().map(|_| OnceCell::new()).collect(),
            counted: kind::PASSAGE,
        }
    }

    /// Statistics over live brief documents, for the brief-level BM25 of
    /// `brief_text`: a brief is then the document that terms occur in.
    pub fn of_briefs(searcher: &'a Searcher, fields: Fields, state: &'a IndexState) -> ExactStatistics<'a> {
        ExactStatistics {
            counted: kind::BRIEF,
            ..ExactStatistics::new(searcher, fields, state)
        }
    }

    fn document_count(&self) -> u64 {
        if self.counted == kind::BRIEF {
            self.state.briefs
        } else {
            self.state.passages
        }
    }

    fn deleted_counted(&self, segment: usize) -> &[DocId] {
        self.deleted[segment].get_or_init(|| {
            let reader = &self.searcher.segment_readers()[segment];
            let Some(alive) = reader.alive_bitset() else {
                return Vec::new();
            };
            let kinds = reader.fast_fields().u64("kind").ok();
            (0..reader.max_doc())
                .filter(|&doc| alive.is_deleted(doc))
                .filter(|&doc| kinds.as_ref().is_none_or(|k| k.first(doc) == Some(self.counted)))
                .collect()
        })
    }

    /// Deleted counted documents of `segment` that contain `term`.
    fn deleted_with(&self, segment: usize, term: &Term) -> tantivy::Result<u64> {
        let deleted = self.deleted_counted(segment);
        if deleted.is_empty() {
            return Ok(0);
        }
        let reader = &self.searcher.segment_readers()[segment];
        let index = reader.inverted_index(term.field())?;
        let Some(mut postings) = index.read_postings(term, IndexRecordOption::Basic)? else {
            return Ok(0);
        };
        let mut count = 0;
        for &doc in deleted {
            if postings.doc() == TERMINATED {
                break;
            }
            if postings.doc() <= doc && postings.seek(doc) == doc {
                count += 1;
            }
        }
        Ok(count)
    }

    fn searched_position(&self, field: Field) -> Option<usize> {
        searched_fields(&self.fields).iter().position(|f| *f == field)
    }
}

impl Bm25StatisticsProvider for ExactStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if field == self.fields.brief_text {
            return Ok(self.state.brief_tokens);
        }
        match self.searched_position(field) {
            Some(i) => Ok(self.state.tokens[i]),
            None => Bm25StatisticsProvider::total_num_tokens(self.searcher, field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        // BM25 divides by it: an index with no passage still answers (nothing).
        Ok(self.document_count().max(1))
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut freq = self.searcher.doc_freq(term)?;
        for segment in 0..self.searcher.segment_readers().len() {
            freq = freq.saturating_sub(self.deleted_with(segment, term)?);
        }
        Ok(freq.min(self.document_count().max(1)))
    }
}
