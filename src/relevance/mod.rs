//! Measuring ranking quality: `briefs eval` runs a judged query set against
//! an index and reports nDCG@10, MRR@10, Recall@100 and MAP, for briefs (a
//! brief ranks at its best passage) and, when the judgments name passages
//! (`DOC@N`, N the passage number search prints), for passages.
//!
//! (`crate::eval` measures entity extraction; this module measures search.)

pub mod inputs;
pub mod measures;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::index::OpenIndex;
use crate::search::{self, Ranking, SearchError, SearchRequest};
use inputs::{EvalQuery, Qrels, Run, RunEntry};
use measures::{Judgments, Measures};

/// How a hit is named in the judgments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocIds {
    /// The hit's `doc`, as `briefs search` prints it.
    #[default]
    Doc,
    /// The record's own id (BEIR's `_id`), for briefs read from JSON Lines.
    Id,
}

/// The search options the queries run with: the same as `briefs search`'s.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    pub any: bool,
    /// The per-brief cap of the passage-level ranking (the brief-level
    /// ranking takes each brief's best passage).
    pub per_brief: usize,
    /// Hits ranked per query.
    pub depth: usize,
    pub doc_ids: DocIds,
    pub ranking: Ranking,
    /// Rank every copy of a near-duplicate instead of folding them (as
    /// `search --keep-duplicates`).
    pub keep_duplicates: bool,
}

/// The measures of one query.
#[derive(Debug, Clone, Serialize)]
pub struct QueryMeasures {
    pub id: String,
    pub query: String,
    /// Judged relevant briefs.
    pub relevant: usize,
    pub brief: Measures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage: Option<Measures>,
}

/// The answer of `briefs eval`.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Queries with at least one relevant judgment: the ones measured.
    pub queries: usize,
    /// Queries of the set that no judgment covers (not measured).
    pub unjudged: usize,
    /// Queries that the query language refused, run as plain words instead.
    pub read_as_words: Vec<String>,
    pub brief: Measures,
    /// Passage-level measures, when the judgments name passages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage: Option<Measures>,
    pub per_query: Vec<QueryMeasures>,
}

/// Separator of a passage judgment: `DOC@N`.
const PASSAGE_MARK: char = '@';

/// Splits `DOC@N` into the brief and the passage number.
fn passage_id(id: &str) -> Option<(&str, u64)> {
    let (doc, n) = id.rsplit_once(PASSAGE_MARK)?;
    Some((doc, n.parse().ok()?))
}

/// Brief-level grades: a brief judged through its passages takes its best
/// passage's grade (and a brief-level judgment, if any, wins).
fn brief_judgments(judgments: &Judgments) -> Judgments {
    let mut out = Judgments::new();
    for (id, &grade) in judgments {
        if let Some((doc, _)) = passage_id(id) {
            let entry = out.entry(doc.to_string()).or_insert(0);
            *entry = (*entry).max(grade);
        }
    }
    for (id, &grade) in judgments {
        if passage_id(id).is_none() {
            out.insert(id.clone(), grade);
        }
    }
    out
}

fn passage_judgments(judgments: &Judgments) -> Judgments {
    judgments
        .iter()
        .filter(|(id, _)| passage_id(id).is_some())
        .map(|(id, &g)| (id.clone(), g))
        .collect()
}

/// Replaces the query language's special characters by spaces, for a
/// query written as prose (`what is the lift of a wing?`).
fn as_words(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || c.is_whitespace() {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `queries` and returns each query's brief ranking and, when asked,
/// its passage ranking (`DOC@N` ids), with the queries read as plain words.
pub struct Rankings {
    pub briefs: Vec<(String, Vec<RunEntry>)>,
    pub passages: Vec<(String, Vec<RunEntry>)>,
    pub read_as_words: Vec<String>,
}

/// Ranks every query of the set against the index.
pub fn rank(
    open: &OpenIndex,
    queries: &[EvalQuery],
    options: &EvalOptions,
    with_passages: bool,
) -> Result<Rankings, SearchError> {
    let mut out = Rankings {
        briefs: Vec::new(),
        passages: Vec::new(),
        read_as_words: Vec::new(),
    };
    for query in queries {
        let mut request = SearchRequest {
            query: query.text.clone(),
            any: options.any,
            limit: options.depth.max(1),
            per_brief: 1,
            ranking: options.ranking.clone(),
            keep_duplicates: options.keep_duplicates,
            ..SearchRequest::default()
        };
        let briefs = match search::rank_only(open, &request) {
            Err(SearchError::Query { .. }) => {
                out.read_as_words.push(query.id.clone());
                request.query = as_words(&query.text);
                search::rank_only(open, &request)?
            }
            other => other?,
        };
        let name = |hit: &search::RankedHit| match (options.doc_ids, &hit.id) {
            (DocIds::Id, Some(id)) => id.clone(),
            _ => hit.doc.clone(),
        };
        out.briefs.push((
            query.id.clone(),
            briefs
                .iter()
                .map(|h| RunEntry {
                    doc: name(h),
                    score: f64::from(h.score),
                })
                .collect(),
        ));
        if with_passages {
            request.per_brief = options.per_brief.max(1);
            let passages = search::rank_only(open, &request)?;
            out.passages.push((
                query.id.clone(),
                passages
                    .iter()
                    .map(|h| RunEntry {
                        doc: format!("{}{PASSAGE_MARK}{}", name(h), h.passage),
                        score: f64::from(h.score),
                    })
                    .collect(),
            ));
        }
    }
    Ok(out)
}

/// Whether any judgment names a passage.
pub fn judges_passages(qrels: &Qrels) -> bool {
    qrels.values().any(|j| j.keys().any(|id| passage_id(id).is_some()))
}

/// Measures rankings against judgments. `passages` may be empty (brief
/// level only). Queries are reported in the order of `briefs`.
pub fn measure(
    queries: &[EvalQuery],
    briefs: &[(String, Vec<RunEntry>)],
    passages: &[(String, Vec<RunEntry>)],
    qrels: &Qrels,
) -> EvalReport {
    let texts: BTreeMap<&str, &str> = queries.iter().map(|q| (q.id.as_str(), q.text.as_str())).collect();
    let passage_runs: BTreeMap<&str, &Vec<RunEntry>> = passages.iter().map(|(q, r)| (q.as_str(), r)).collect();
    let judge_passages = judges_passages(qrels);
    let empty = Judgments::new();
    let mut per_query = Vec::new();
    let mut unjudged = 0;
    for (qid, ranking) in briefs {
        let judgments = qrels.get(qid).unwrap_or(&empty);
        let by_brief = brief_judgments(judgments);
        let docs: Vec<String> = ranking.iter().map(|e| e.doc.clone()).collect();
        let Some(brief) = measures::measure(&docs, &by_brief) else {
            unjudged += 1;
            continue;
        };
        let passage = if judge_passages {
            let ranked: Vec<String> = passage_runs
                .get(qid.as_str())
                .map(|r| r.iter().map(|e| e.doc.clone()).collect())
                .unwrap_or_default();
            Some(measures::measure(&ranked, &passage_judgments(judgments)).unwrap_or_default())
        } else {
            None
        };
        per_query.push(QueryMeasures {
            id: qid.clone(),
            query: texts.get(qid.as_str()).map(|t| t.to_string()).unwrap_or_default(),
            relevant: measures::relevant_count(&by_brief),
            brief,
            passage,
        });
    }
    let brief = Measures::mean(&per_query.iter().map(|q| q.brief).collect::<Vec<_>>());
    let passage =
        judge_passages.then(|| Measures::mean(&per_query.iter().filter_map(|q| q.passage).collect::<Vec<_>>()));
    EvalReport {
        queries: per_query.len(),
        unjudged,
        read_as_words: Vec::new(),
        brief,
        passage,
        per_query,
    }
}

/// Measures a run read from a file (another system's, or an earlier one).
pub fn measure_run(queries: &[EvalQuery], run: &Run, qrels: &Qrels) -> EvalReport {
    let order: Vec<(String, Vec<RunEntry>)> = if queries.is_empty() {
        qrels
            .keys()
            .map(|q| (q.clone(), run.get(q).cloned().unwrap_or_default()))
            .collect()
    } else {
        queries
            .iter()
            .map(|q| (q.id.clone(), run.get(&q.id).cloned().unwrap_or_default()))
            .collect()
    };
    // A run of passages (`DOC@N`) also ranks briefs, each at its best passage.
    let briefs: Vec<(String, Vec<RunEntry>)> = order
        .iter()
        .map(|(q, entries)| {
            let docs = entries
                .iter()
                .map(|e| RunEntry {
                    doc: passage_id(&e.doc).map_or(e.doc.as_str(), |(d, _)| d).to_string(),
                    score: e.score,
                })
                .collect();
            (q.clone(), docs)
        })
        .collect();
    measure(queries, &briefs, &order, qrels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passage_judgments_grade_their_brief() {
        let mut j = Judgments::new();
        j.insert("a.txt@0".into(), 1);
        j.insert("a.txt@3".into(), 2);
        j.insert("b.txt".into(), 1);
        let b = brief_judgments(&j);
        assert_eq!(b["a.txt"], 2);
        assert_eq!(b["b.txt"], 1);
        assert_eq!(passage_judgments(&j).len(), 2);
        assert_eq!(passage_id("x@y.txt"), None);
    }

    #[test]
    fn prose_queries_become_plain_words() {
        assert_eq!(
            as_words("what is (the) lift: of a wing ?"),
            "what is the lift of a wing"
        );
    }
}
