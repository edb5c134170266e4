//! `--scope brief`: passages whose *brief* matches a filter, found through
//! the brief documents (a block join).
//!
//! A brief's facets (its passages', its title's, those it declares) are
//! indexed once, on its brief document, not copied onto every passage. A
//! brief document is always followed by its passages, in order (they are
//! written as one batch, merges keep the order, and a brief is only ever
//! deleted whole), so the passages of brief document `b` are the documents
//! `b + 1 ..= b + passages(b)`, and the brief document of passage `p` is
//! `p - ordinal(p) - 1`. [`BriefScopeQuery`] turns a query over brief
//! documents into the docset of their passages.

use tantivy::columnar::Column;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

use crate::index::schema::kind;

/// Passages of the briefs that `briefs` (a query over brief documents) matches.
#[derive(Debug)]
pub struct BriefScopeQuery {
    briefs: Box<dyn Query>,
}

impl BriefScopeQuery {
    pub fn new(briefs: Box<dyn Query>) -> BriefScopeQuery {
        BriefScopeQuery { briefs }
    }
}

impl Clone for BriefScopeQuery {
    fn clone(&self) -> Self {
        BriefScopeQuery {
            briefs: self.briefs.box_clone(),
        }
    }
}

impl Query for BriefScopeQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // Brief documents are only matched, never scored.
        let disabled = match enable_scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
        };
        Ok(Box::new(BriefScopeWeight {
            briefs: self.briefs.weight(disabled)?,
        }))
    }
}

struct BriefScopeWeight {
    briefs: Box<dyn Weight>,
}

impl Weight for BriefScopeWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let fast = reader.fast_fields();
        let mut scorer = BriefScopeScorer {
            briefs: self.briefs.scorer(reader, 1.0)?,
            passages: fast.u64("passages")?,
            ordinals: fast.u64("ordinal")?,
            kinds: fast.u64("kind")?,
            max_doc: reader.max_doc(),
            doc: 0,
            end: 0,
        };
        scorer.enter_brief();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("passage of a matching brief", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not a passage of a matching brief"
            )))
        }
    }
}

struct BriefScopeScorer {
    /// The matching brief documents.
    briefs: Box<dyn Scorer>,
    passages: Column<u64>,
    ordinals: Column<u64>,
    kinds: Column<u64>,
    max_doc: DocId,
    /// The current passage, or TERMINATED.
    doc: DocId,
    /// One past the last passage of the current brief.
    end: DocId,
}

impl BriefScopeScorer {
    /// Moves to the first passage of the brief the inner docset is on, or
    /// of the next brief with passages.
    fn enter_brief(&mut self) {
        loop {
            let brief = self.briefs.doc();
            if brief == TERMINATED {
                self.doc = TERMINATED;
                return;
            }
            let count = self.passages.first(brief).unwrap_or(0) as DocId;
            if count > 0 {
                self.doc = brief + 1;
                self.end = brief + 1 + count;
                return;
            }
            self.briefs.advance();
        }
    }

    /// The brief document a target document belongs to (itself, for a
    /// brief or file document).
    fn brief_of(&self, target: DocId) -> DocId {
        if self.kinds.first(target) == Some(kind::PASSAGE) {
            let ordinal = self.ordinals.first(target).unwrap_or(0) as DocId;
            target.saturating_sub(ordinal + 1)
        } else {
            target
        }
    }
}

impl DocSet for BriefScopeScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        if self.doc + 1 < self.end {
            self.doc += 1;
            return self.doc;
        }
        self.briefs.advance();
        self.enter_brief();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        loop {
            if self.doc == TERMINATED || self.doc >= target {
                return self.doc;
            }
            if target >= self.max_doc {
                self.doc = TERMINATED;
                return TERMINATED;
            }
            if target < self.end {
                self.doc = target;
                return target;
            }
            // Jump the briefs to the one `target` belongs to (or past it).
            let brief = self.brief_of(target);
            if self.briefs.doc() < brief {
                self.briefs.seek(brief);
            } else {
                self.briefs.advance();
            }
            self.enter_brief();
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.briefs.size_hint().saturating_mul(8)
    }
}

impl Scorer for BriefScopeScorer {
    fn score(&mut self) -> Score {
        0.0
    }
}
