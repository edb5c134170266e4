//! The top passages of a query, at most `per_brief` of one brief, without
//! collecting every match.
//!
//! A brief's passages sit together in one segment (they are written as one
//! batch), so matches of one brief arrive one after another. The collector
//! keeps the best `per_brief` of the brief at hand in a small buffer and,
//! when the next brief starts, offers them to a heap of the best `limit`.
//! Memory is `limit + per_brief` entries whatever the number of matches, and
//! with scores the heap's worst entry is a threshold below which tantivy
//! skips documents (block-max WAND for unions of words).
//!
//! Order: score (or date) descending, then score, then brief key, then
//! passage: the same corpus gives the same results in the same order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery, Weight};
use tantivy::{DateTime, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::ranking::{BriefEvidence, Recency, SegmentBriefs};
use super::seek_union::SeekUnion;
use crate::index::OpenIndex;

/// What ranks hits first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// BM25 score, highest first.
    Score,
    /// The brief's date, newest first; undated last. `scored`: the query
    /// has words, whose scores break ties between passages of one date (so
    /// the per-brief cap keeps a brief's best passages); without, scoring
    /// is skipped.
    Newest { scored: bool },
}

/// Collects the best `limit` passages, at most `per_brief` per brief.
pub struct TopPassages<'a> {
    pub limit: usize,
    pub per_brief: usize,
    pub order: Order,
    /// Brief-level evidence added to each passage's score.
    pub evidence: Option<&'a BriefEvidence>,
    /// A boost of recent briefs, multiplying scores by at most 1.
    pub recency: Option<Recency>,
    /// Where to add the number of live matches, counted on the way: the
    /// pass then offers every match to the threshold itself instead of
    /// letting tantivy skip any (see [`may_skip`]).
    pub count_into: Option<&'a AtomicU64>,
    /// The index searched, for its brief key columns.
    pub open: &'a OpenIndex,
}

/// Whether tantivy's pass over `query` may skip matches that cannot enter
/// the top hits (block-max WAND, which only a union of words gets). When
/// it may not, it scores every match anyway and the ranking pass can count
/// them: a second pass only for `total_hits` was a quarter of a two-word
/// search (13.5 M of 45.9 M instructions for `railway refugees` on the
/// benchmark's 100,000 briefs).
pub fn may_skip(query: &dyn Query) -> bool {
    query.is::<TermQuery>()
        || query.downcast_ref::<SeekUnion>().is_some_and(SeekUnion::of_words)
        || query
            .downcast_ref::<BooleanQuery>()
            .is_some_and(|union| union.clauses().iter().all(|(occur, _)| *occur == Occur::Should))
}

/// One ranked passage.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// The score, or the date in seconds for [`Order::Newest`].
    pub rank: f64,
    pub score: Score,
    /// The brief's key; empty until [`settle`] or [`name_briefs`] fills it
    /// (looking a key up in the column's dictionary costs a block scan, so
    /// only hits that are shown or tied across segments pay for it).
    pub brief: String,
    /// The brief key's term ordinal in its segment's `brief` column.
    pub brief_ord: u64,
    pub ordinal: u64,
    pub address: DocAddress,
}

/// A candidate inside one segment: brief keys are term ordinals there,
/// which sort as the keys do.
#[derive(Debug, Clone, Copy)]
struct Entry {
    rank: f64,
    score: Score,
    brief: u64,
    ordinal: u64,
    doc: DocId,
}

impl Entry {
    /// `Less` means better: higher rank, then higher score, then lower
    /// brief, then lower ordinal.
    fn order(&self, other: &Entry) -> Ordering {
        other
            .rank
            .total_cmp(&self.rank)
            .then(other.score.total_cmp(&self.score))
            .then(self.brief.cmp(&other.brief))
            .then(self.ordinal.cmp(&other.ordinal))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.order(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
/// The heap's top is its worst entry.
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order(other)
    }
}

pub struct SegmentTop {
    limit: usize,
    per_brief: usize,
    order: Order,
    segment: SegmentOrdinal,
    briefs: Option<StrColumn>,
    ordinals: Column<u64>,
    dates: Column<DateTime>,
    heap: BinaryHeap<Entry>,
    current: Vec<Entry>,
    evidence: Option<SegmentBriefs>,
    /// The most the evidence adds to a passage's own score.
    bound: Score,
    recency: Option<Recency>,
}

impl SegmentTop {
    fn offer(&mut self, doc: DocId, score: Score) {
        let brief = self
            .briefs
            .as_ref()
            .and_then(|c| c.term_ords(doc).next())
            .unwrap_or(u64::MAX);
        if self.current.first().is_some_and(|e| e.brief != brief) {
            self.flush();
        }
        let mut score = match &mut self.evidence {
            Some(evidence) => score + evidence.score(doc),
            None => score,
        };
        if let (Order::Score, Some(recency)) = (self.order, &self.recency) {
            score *= recency.factor(self.dates.first(doc).map(|d| d.into_timestamp_secs()));
        }
        let rank = match self.order {
            Order::Score => f64::from(score),
            Order::Newest { .. } => self
                .dates
                .first(doc)
                .map_or(f64::MIN, |d| d.into_timestamp_secs() as f64),
        };
        let entry = Entry {
            rank,
            score,
            brief,
            ordinal: self.ordinals.first(doc).unwrap_or(0),
            doc,
        };
        // Keep the brief's best `per_brief`, sorted best first.
        let at = self.current.partition_point(|e| e.order(&entry) == Ordering::Less);
        if at < self.per_brief {
            self.current.insert(at, entry);
            self.current.truncate(self.per_brief);
        }
    }

    /// Offers the finished brief's best passages to the heap.
    fn flush(&mut self) {
        for entry in self.current.drain(..) {
            if self.heap.len() < self.limit {
                self.heap.push(entry);
            } else if self
                .heap
                .peek()
                .is_some_and(|worst| entry.order(worst) == Ordering::Less)
            {
                self.heap.pop();
                self.heap.push(entry);
            }
        }
    }

    /// Scores at or below this cannot enter the results any more. Ties can
    /// still win on the brief key, so the bound is just under the worst.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.limit => (worst.score - self.bound).next_down(),
            _ => Score::MIN,
        }
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Vec<Ranked>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.offer(doc, score);
    }

    fn harvest(mut self) -> Vec<Ranked> {
        self.flush();
        let mut entries = self.heap.into_vec();
        entries.sort();
        entries
            .into_iter()
            .map(|e| Ranked {
                rank: e.rank,
                score: e.score,
                brief: String::new(),
                brief_ord: e.brief,
                ordinal: e.ordinal,
                address: DocAddress::new(self.segment, e.doc),
            })
            .collect()
    }
}

impl Collector for TopPassages<'_> {
    type Fruit = Vec<Ranked>;
    type Child = SegmentTop;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentTop> {
        let fast = reader.fast_fields();
        Ok(SegmentTop {
            limit: self.limit.max(1),
            per_brief: self.per_brief.max(1),
            order: self.order,
            segment,
            briefs: self.open.brief_column(segment)?,
            ordinals: fast.u64("ordinal")?,
            dates: fast.date("date")?,
            heap: BinaryHeap::with_capacity(self.limit + 1),
            current: Vec::with_capacity(self.per_brief + 1),
            evidence: match (self.order, self.evidence) {
                (Order::Score | Order::Newest { scored: true }, Some(evidence)) => Some(evidence.for_segment(reader)?),
                _ => None,
            },
            bound: match (self.order, self.evidence) {
                (Order::Score, Some(evidence)) => evidence.bound(),
                _ => 0.0,
            },
            // A factor of at most 1: the threshold stays a valid bound.
            recency: self.recency,
        })
    }

    fn requires_scoring(&self) -> bool {
        matches!(self.order, Order::Score | Order::Newest { scored: true })
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Ranked>> {
        let mut top = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let mut live = 0u64;
        match (self.order, self.count_into) {
            (Order::Score, None) => weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    top.offer(doc, score);
                }
                top.threshold()
            })?,
            // What tantivy's pruning pass does for a scorer that cannot
            // skip, with the count on the way.
            (Order::Score, Some(_)) => weight.for_each(reader, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    live += 1;
                    if score > top.threshold() {
                        top.offer(doc, score);
                    }
                }
            })?,
            (Order::Newest { scored: true }, _) => weight.for_each(reader, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    live += 1;
                    top.offer(doc, score);
                }
            })?,
            (Order::Newest { scored: false }, _) => weight.for_each_no_score(reader, &mut |docs| {
                for &doc in docs {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        live += 1;
                        top.offer(doc, 0.0);
                    }
                }
            })?,
        }
        if let Some(total) = self.count_into {
            total.fetch_add(live, AtomicOrdering::Relaxed);
        }
        Ok(top.harvest())
    }

    /// Every segment's best, by rank and score; ties across segments are
    /// put in brief-key order by [`settle`], which can read the keys.
    fn merge_fruits(&self, fruits: Vec<Vec<Ranked>>) -> tantivy::Result<Vec<Ranked>> {
        let mut all: Vec<Ranked> = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| by_rank(a, b).then(by_place(a, b)));
        Ok(all)
    }
}

/// Better first: higher rank, then higher score.
fn by_rank(a: &Ranked, b: &Ranked) -> Ordering {
    b.rank.total_cmp(&a.rank).then(b.score.total_cmp(&a.score))
}

/// Segment, then brief key order inside it, then passage.
fn by_place(a: &Ranked, b: &Ranked) -> Ordering {
    a.address
        .segment_ord
        .cmp(&b.address.segment_ord)
        .then(a.brief_ord.cmp(&b.brief_ord))
        .then(a.ordinal.cmp(&b.ordinal))
}

/// Puts what [`TopPassages`] found in its final order and keeps the best
/// `limit`: rank, score, brief key, passage, whatever the segments. Inside
/// one segment term ordinals sort as the keys do, so keys are read only for
/// runs of equal rank and score that span segments and reach into the
/// first `limit` (browsing by date makes long runs of one day; scored
/// queries seldom tie across segments).
pub fn settle(ranked: &mut Vec<Ranked>, limit: usize, open: &OpenIndex) -> tantivy::Result<()> {
    let mut start = 0;
    while start < ranked.len().min(limit) {
        let mut end = start + 1;
        while end < ranked.len() && by_rank(&ranked[start], &ranked[end]) == Ordering::Equal {
            end += 1;
        }
        let run = &mut ranked[start..end];
        if run.iter().any(|r| r.address.segment_ord != run[0].address.segment_ord) {
            name_briefs(run, open)?;
            run.sort_by(|a, b| a.brief.cmp(&b.brief).then(a.ordinal.cmp(&b.ordinal)));
        }
        start = end;
    }
    ranked.truncate(limit);
    Ok(())
}

/// Fills in the brief key of every hit that does not have it yet.
pub fn name_briefs(ranked: &mut [Ranked], open: &OpenIndex) -> tantivy::Result<()> {
    let mut bytes = Vec::new();
    for hit in ranked.iter_mut().filter(|r| r.brief.is_empty()) {
        if let Some(column) = open.brief_column(hit.address.segment_ord)? {
            bytes.clear();
            if column.dictionary().ord_to_term(hit.brief_ord, &mut bytes)? {
                hit.brief = String::from_utf8_lossy(&bytes).into_owned();
            }
        }
    }
    Ok(())
}
