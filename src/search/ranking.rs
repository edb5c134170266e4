//! What a passage's score is made of beyond its own BM25: evidence from its
//! whole brief, and the weights of the fields.
//!
//! Cutting a brief into passages throws away the evidence spread over the
//! rest of it: a passage that matches two query words in a brief entirely
//! about the query should beat a stray passage elsewhere. So a passage's
//! score adds, weighted, the BM25 of its whole brief (title once, headings
//! and every passage, indexed as `brief_text` on the brief document, with
//! statistics over briefs). The brief score is looked up only for briefs
//! whose passages match (the brief document comes right before its
//! passages, so one forward seek per brief), and an upper bound of it keeps
//! tantivy's pruning of hopeless passages.

use std::collections::BTreeSet;

use serde::Serialize;
use tantivy::columnar::Column;
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, EnableScoring, Explanation, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

use super::seek_union::SeekUnion;
use crate::index::stats::ExactStatistics;
use crate::index::OpenIndex;

/// How scores are made; the defaults are the tuned ones (see RELEVANCE.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// Weight of the brief-level BM25 added to each passage's own; 0 ranks
    /// passages by themselves.
    pub brief_weight: f32,
    /// Boost of a match in the title over one in the body.
    pub title_boost: f32,
    /// Boost of a match in a heading over one in the body.
    pub heading_boost: f32,
    /// Weight of a spelling variant of a name in the query (`Mottaki` for
    /// `Muttaqi`) against the spelling typed; 0 looks for no variant.
    pub variant_weight: f32,
    /// Weight of two neighbouring query words found close together and in
    /// order (within [`PROXIMITY_SLOP`] words) in a passage's body; 0: off.
    pub proximity: f32,
    /// Half-life in days of the recency boost; `None`: no boost.
    pub recency_days: Option<f32>,
}

/// The recency boost: a hit's score times `1/2 + 1/2 * 2^(-age / half_life)`,
/// its age counted from the newest brief of the index (not from today, so
/// that the same index ranks the same tomorrow). The newest brief keeps its
/// score, one a half-life older 75% of it, an undated or very old one half.
#[derive(Debug, Clone, Copy)]
pub struct Recency {
    pub newest_secs: i64,
    pub half_life_secs: f64,
}

impl Recency {
    /// The boost of `ranking` for the index, if asked for and the index has dates.
    pub fn of(open: &OpenIndex, ranking: &Ranking) -> tantivy::Result<Option<Recency>> {
        let Some(days) = ranking.recency_days.filter(|d| *d > 0.0) else {
            return Ok(None);
        };
        let mut newest: Option<i64> = None;
        for reader in open.searcher.segment_readers() {
            // A segment without dates gives its column's default, never
            // newer than a real date.
            let max = reader.fast_fields().date("date")?.max_value().into_timestamp_secs();
            newest = Some(newest.map_or(max, |n| n.max(max)));
        }
        Ok(newest.map(|newest_secs| Recency {
            newest_secs,
            half_life_secs: f64::from(days) * 86_400.0,
        }))
    }

    /// The factor of a brief dated `secs` (`None`: undated).
    pub fn factor(&self, secs: Option<i64>) -> Score {
        match secs {
            Some(secs) => {
                let age = (self.newest_secs - secs).max(0) as f64;
                (0.5 + 0.5 * (-age / self.half_life_secs).exp2()) as Score
            }
            None => 0.5,
        }
    }
}

/// How far apart two neighbouring query words may stand to count as close.
pub const PROXIMITY_SLOP: u32 = 3;

/// Clauses that reward passages where neighbouring words of a plain query
/// (words only: no quotes, fields or operators) stand close together and
/// in order: one sloppy phrase per pair of neighbouring words.
pub fn proximity_clauses(open: &OpenIndex, query: &str, ranking: &Ranking) -> Vec<Box<dyn Query>> {
    if ranking.proximity <= 0.0 || query.contains(['"', ':', '(', ')', '-', '+', '~', '*', '^']) {
        return Vec::new();
    }
    if query.split_whitespace().any(|w| matches!(w, "AND" | "OR" | "NOT")) {
        return Vec::new();
    }
    let terms: Vec<String> = crate::tokenize::analyze(query).into_iter().map(|t| t.text).collect();
    let mut seen = BTreeSet::new();
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    for pair in terms.windows(2) {
        if pair[0] == pair[1] || !seen.insert((pair[0].clone(), pair[1].clone())) {
            continue;
        }
        let mut phrase = tantivy::query::PhraseQuery::new(vec![
            Term::from_field_text(open.fields.body, &pair[0]),
            Term::from_field_text(open.fields.body, &pair[1]),
        ]);
        phrase.set_slop(PROXIMITY_SLOP);
        clauses.push(Box::new(tantivy::query::BoostQuery::new(
            Box::new(phrase),
            ranking.proximity,
        )));
    }
    clauses
}

impl Default for Ranking {
    fn default() -> Ranking {
        Ranking {
            brief_weight: 4.0,
            title_boost: 1.5,
            heading_boost: 1.5,
            variant_weight: 0.5,
            proximity: 0.0,
            recency_days: None,
        }
    }
}

/// The brief-level part of a query's scores.
pub struct BriefEvidence {
    weight: Box<dyn Weight>,
    factor: Score,
    /// No brief scores more than this (weighted).
    bound: Score,
}

impl BriefEvidence {
    /// Brief-level evidence for the analysed `terms` of a query; `None` when
    /// it is switched off or there is no term.
    pub fn new(
        open: &OpenIndex,
        terms: &BTreeSet<String>,
        ranking: &Ranking,
    ) -> tantivy::Result<Option<BriefEvidence>> {
        if ranking.brief_weight <= 0.0 || terms.is_empty() {
            return Ok(None);
        }
        let field = open.fields.brief_text;
        let statistics = ExactStatistics::of_briefs(&open.searcher, open.fields, &open.state);
        let total_docs = statistics.total_num_docs()?;
        let average = statistics.total_num_tokens(field)? as Score / total_docs as Score;
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        let mut bound = 0.0;
        for text in terms {
            let term = Term::from_field_text(field, text);
            let freq = statistics.doc_freq(&term)?;
            bound += Bm25Weight::for_one_term(freq, total_docs, average).max_score();
            clauses.push(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)));
        }
        // Seeked brief by brief, never run as a pass of its own.
        let query = SeekUnion::new(clauses, true);
        let weight = query.weight(EnableScoring::enabled_from_statistics_provider(
            &statistics,
            &open.searcher,
        ))?;
        Ok(Some(BriefEvidence {
            weight,
            factor: ranking.brief_weight,
            bound: bound * ranking.brief_weight,
        }))
    }

    /// The highest weighted brief score any passage can get.
    pub fn bound(&self) -> Score {
        self.bound
    }

    /// A cursor over the brief scores of one segment.
    pub fn for_segment(&self, reader: &SegmentReader) -> tantivy::Result<SegmentBriefs> {
        Ok(SegmentBriefs {
            scorer: self.weight.scorer(reader, 1.0)?,
            ordinals: reader.fast_fields().u64("ordinal")?,
            factor: self.factor,
            last: None,
        })
    }

    /// Why the brief of passage `doc` adds what it adds.
    pub fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let brief = brief_doc(&reader.fast_fields().u64("ordinal")?, doc);
        let mut out = match self.weight.explain(reader, brief) {
            Ok(inner) => {
                let mut out = Explanation::new("brief: weight x BM25 of the whole brief", inner.value() * self.factor);
                out.add_const("weight", self.factor);
                out.add_detail(inner);
                out
            }
            Err(_) => Explanation::new("brief: no query word in the whole brief", 0.0),
        };
        out.add_context(format!("brief document {brief}"));
        Ok(out)
    }
}

/// The brief document of passage `doc`: see `search::scope`.
fn brief_doc(ordinals: &Column<u64>, doc: DocId) -> DocId {
    let ordinal = ordinals.first(doc).unwrap_or(0) as DocId;
    doc.saturating_sub(ordinal + 1)
}

/// Brief scores of one segment, for passages offered in document order.
pub struct SegmentBriefs {
    scorer: Box<dyn Scorer>,
    ordinals: Column<u64>,
    factor: Score,
    /// The last brief looked up, and its weighted score.
    last: Option<(DocId, Score)>,
}

impl SegmentBriefs {
    /// The weighted brief score of passage `doc`'s brief. Passages must come
    /// in increasing document order, as tantivy's scorers give them.
    pub fn score(&mut self, doc: DocId) -> Score {
        let brief = brief_doc(&self.ordinals, doc);
        if let Some((last, score)) = self.last {
            if last == brief {
                return score;
            }
        }
        let mut at = self.scorer.doc();
        if at < brief {
            at = self.scorer.seek(brief);
        }
        let score = if at == brief {
            self.scorer.score() * self.factor
        } else {
            0.0
        };
        self.last = Some((brief, score));
        score
    }
}
