//! A union of a few queries scored by the sum of those that match (what a
//! `BooleanQuery` of `Should` clauses computes), with a scorer made for
//! being seeked: one side of an intersection, or a cursor moved forward
//! from brief to brief.
//!
//! Every word of a query is such a union over the fields it is looked for
//! in (title, heading, body), a query of several words intersects them,
//! and the brief-level evidence of `ranking` is a union over the query's
//! words that each hit's brief is looked up in. tantivy runs a union of
//! `Should` clauses as a buffered union, which scores a window of 4,096
//! documents ahead and clears the whole window whenever it is seeked past
//! it. With two common words that clearing was most of the search: on the
//! benchmark's 100,000 briefs, `railway refugees` (10,535 hits) took 61 M
//! instructions in a whole `briefs search` process, 33 M of them in the
//! unions' seeks and 11 M more in counting the hits through the same
//! unions. A union of a few clauses needs no window: the current document
//! is the least of theirs, and a seek moves only the clauses behind it.
//!
//! That scorer is only what a seeking caller gets. When the union is the
//! whole query of a pass over a segment (one word, no filter), the pass
//! goes to tantivy's own union weight, whose block-max WAND skips passages
//! that cannot enter the top hits and counts without scoring: there the
//! window pays off (`railway` alone took 22 M instructions that way and
//! 36 M through this scorer).
//!
//! The sum adds the clauses' scores in the order the clauses are given,
//! starting from zero, as tantivy's union does. An intersection of three
//! words or more may add the words' sums in another order than before (it
//! orders them by cost, which tantivy's union reports after reading ahead),
//! so a score can differ from the one tantivy's union gives in its last
//! bit; the same query on the same index still scores the same.

use tantivy::query::{BooleanQuery, EmptyScorer, EnableScoring, Explanation, Occur, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Documents matching any of the clauses, scored by the sum of the scores
/// of those that match.
#[derive(Debug)]
pub struct SeekUnion {
    clauses: Vec<Box<dyn Query>>,
    of_words: bool,
}

impl Clone for SeekUnion {
    fn clone(&self) -> SeekUnion {
        SeekUnion {
            clauses: self.clauses.iter().map(|query| query.box_clone()).collect(),
            of_words: self.of_words,
        }
    }
}

impl SeekUnion {
    /// `of_words`: every clause is one word (a term, boosted or not), so
    /// that a pass over the union alone can skip with block-max WAND.
    pub fn new(clauses: Vec<Box<dyn Query>>, of_words: bool) -> SeekUnion {
        SeekUnion { clauses, of_words }
    }

    /// Whether every clause is one word.
    pub fn of_words(&self) -> bool {
        self.of_words
    }
}

impl Query for SeekUnion {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|query| query.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let should = self
            .clauses
            .iter()
            .map(|query| (Occur::Should, query.box_clone()))
            .collect();
        let whole_pass = BooleanQuery::new(should).weight(enable_scoring)?;
        Ok(Box::new(SeekUnionWeight { weights, whole_pass }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.clauses {
            query.query_terms(visitor);
        }
    }
}

struct SeekUnionWeight {
    /// One per clause, for the scorer a caller seeks.
    weights: Vec<Box<dyn Weight>>,
    /// tantivy's union of the same clauses, for passes over a whole segment.
    whole_pass: Box<dyn Weight>,
}

impl Weight for SeekUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            // A clause that matches nothing here adds nothing.
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(match scorers.len() {
            0 => Box::new(EmptyScorer),
            1 => scorers.remove(0),
            _ => Box::new(SeekUnionScorer::new(scorers)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document #({doc}) does not match"
            )));
        }
        let mut explanation = Explanation::new("sum of the clauses that match", scorer.score());
        for weight in &self.weights {
            if let Ok(clause) = weight.explain(reader, doc) {
                explanation.add_detail(clause);
            }
        }
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.whole_pass.count(reader)
    }

    fn for_each(&self, reader: &SegmentReader, callback: &mut dyn FnMut(DocId, Score)) -> tantivy::Result<()> {
        self.whole_pass.for_each(reader, callback)
    }

    fn for_each_no_score(&self, reader: &SegmentReader, callback: &mut dyn FnMut(&[DocId])) -> tantivy::Result<()> {
        self.whole_pass.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        self.whole_pass.for_each_pruning(threshold, reader, callback)
    }
}

/// The union of a few scorers, none of them terminated when built. Each
/// scorer's current document is kept beside it, so that finding the least
/// reads an array instead of calling every scorer.
struct SeekUnionScorer {
    scorers: Vec<Box<dyn Scorer>>,
    docs: Vec<DocId>,
    doc: DocId,
}

impl SeekUnionScorer {
    fn new(scorers: Vec<Box<dyn Scorer>>) -> SeekUnionScorer {
        let docs: Vec<DocId> = scorers.iter().map(|s| s.doc()).collect();
        let doc = docs.iter().copied().min().unwrap_or(TERMINATED);
        SeekUnionScorer { scorers, docs, doc }
    }
}

impl DocSet for SeekUnionScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        let mut least = TERMINATED;
        for (scorer, at) in self.scorers.iter_mut().zip(&mut self.docs) {
            if *at == doc {
                *at = scorer.advance();
            }
            least = least.min(*at);
        }
        self.doc = least;
        least
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut least = TERMINATED;
        for (scorer, at) in self.scorers.iter_mut().zip(&mut self.docs) {
            if *at < target {
                *at = scorer.seek(target);
            }
            least = least.min(*at);
        }
        self.doc = least;
        least
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers.iter().map(|s| s.size_hint()).max().unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.scorers.iter().map(|s| s.cost()).sum()
    }
}

impl Scorer for SeekUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut sum: Score = 0.0;
        for (scorer, &at) in self.scorers.iter_mut().zip(&self.docs) {
            if at == doc {
                sum += scorer.score();
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
    use tantivy::schema::{Field, IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, DocAddress, Index, Score, Term};

    use super::SeekUnion;

    /// Three fields, documents whose words fall in them by a fixed pattern,
    /// some deleted: enough for unions, intersections and exclusions to
    /// meet every case of seeking (behind, inside, past the end).
    fn index() -> (Index, [Field; 3]) {
        let mut schema = Schema::builder();
        let fields = [
            schema.add_text_field("title", TEXT),
            schema.add_text_field("heading", TEXT),
            schema.add_text_field("body", TEXT),
        ];
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        let words = ["dam", "river", "border", "trade", "water"];
        for i in 0..3000usize {
            let pick = |salt: usize| {
                let mut text = String::new();
                for (w, word) in words.iter().enumerate() {
                    if (i * 7 + w * 13 + salt * 5).is_multiple_of(w + salt + 3) {
                        text.push_str(word);
                        text.push(' ');
                    }
                }
                text
            };
            writer
                .add_document(doc!(fields[0] => pick(1), fields[1] => pick(2), fields[2] => pick(0) + "and more words"))
                .expect("add");
            if i % 500 == 499 {
                writer.commit().expect("commit");
            }
        }
        writer.delete_term(Term::from_field_text(fields[1], "river"));
        writer.commit().expect("commit");
        (index, fields)
    }

    /// A word over the fields, as tantivy's own union and as a `SeekUnion`.
    fn word(fields: &[Field; 3], text: &str, seek: bool) -> Box<dyn Query> {
        let clauses: Vec<Box<dyn Query>> = fields
            .iter()
            .zip([1.5, 1.5, 1.0])
            .map(|(&field, boost)| -> Box<dyn Query> {
                let term = Box::new(TermQuery::new(
                    Term::from_field_text(field, text),
                    IndexRecordOption::WithFreqs,
                ));
                Box::new(BoostQuery::new(term, boost))
            })
            .collect();
        if seek {
            Box::new(SeekUnion::new(clauses, true))
        } else {
            Box::new(BooleanQuery::new(
                clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
            ))
        }
    }

    /// Count, and every hit with its score, in document order.
    fn hits(index: &Index, query: &dyn Query) -> (usize, Vec<(u32, u32, Score)>) {
        let searcher = index.reader().expect("reader").searcher();
        let top: Vec<(Score, DocAddress)> = searcher
            .search(query, &TopDocs::with_limit(10_000).order_by_score())
            .expect("search");
        let count = searcher.search(query, &Count).expect("count");
        let mut all: Vec<_> = top
            .into_iter()
            .map(|(score, a)| (a.segment_ord, a.doc_id, score))
            .collect();
        all.sort_unstable_by_key(|&(segment, doc, _)| (segment, doc));
        (count, all)
    }

    /// Same documents, same count, same scores up to the order of a sum.
    fn assert_same(seek: (usize, Vec<(u32, u32, Score)>), tantivy: (usize, Vec<(u32, u32, Score)>), what: &str) {
        assert_eq!(seek.0, tantivy.0, "{what}: count");
        assert_eq!(seek.1.len(), tantivy.1.len(), "{what}: hits");
        for (a, b) in seek.1.iter().zip(&tantivy.1) {
            assert_eq!((a.0, a.1), (b.0, b.1), "{what}");
            assert!((a.2 - b.2).abs() <= b.2.abs() * 1e-6, "{what}: {a:?} against {b:?}");
        }
    }

    #[test]
    fn documents_scores_and_counts_are_those_of_tantivys_union() {
        let (index, fields) = index();
        let shapes: [&[(Occur, &str)]; 5] = [
            &[(Occur::Must, "dam")],
            &[(Occur::Must, "dam"), (Occur::Must, "river")],
            &[(Occur::Must, "border"), (Occur::Must, "trade"), (Occur::Must, "water")],
            &[(Occur::Must, "water"), (Occur::MustNot, "trade")],
            &[(Occur::Must, "river"), (Occur::Should, "dam")],
        ];
        for shape in shapes {
            let build = |seek: bool| -> Box<dyn Query> {
                Box::new(BooleanQuery::new(
                    shape
                        .iter()
                        .map(|&(occur, text)| (occur, word(&fields, text, seek && occur != Occur::Should)))
                        .collect(),
                ))
            };
            let expected = hits(&index, &*build(false));
            assert!(
                expected.0 > 0,
                "{shape:?} matches nothing: the test would prove nothing"
            );
            assert_same(hits(&index, &*build(true)), expected, &format!("{shape:?}"));
        }
        // Alone, the union's passes go to tantivy's own.
        let expected = hits(&index, &*word(&fields, "water", false));
        assert!(expected.0 > 0);
        assert_same(hits(&index, &*word(&fields, "water", true)), expected, "water alone");
    }
}
