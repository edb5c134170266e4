//! The retrieval measures `briefs eval` reports, computed as `trec_eval`
//! does for the same names (so that figures compare with published ones):
//! linear gains for nDCG, a document is relevant when its grade is above 0,
//! and a query without any relevant judgment is not measured at all.

use std::collections::HashMap;

use serde::Serialize;

/// Grades of the judged documents of one query.
pub type Judgments = HashMap<String, u32>;

/// Cut-offs of the reported measures.
pub const NDCG_DEPTH: usize = 10;
pub const MRR_DEPTH: usize = 10;
pub const RECALL_DEPTH: usize = 100;

/// The measures of one ranking (of one query, or averaged over queries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Measures {
    pub ndcg_at_10: f64,
    pub mrr_at_10: f64,
    pub recall_at_100: f64,
    /// Average precision over the whole ranking given.
    pub map: f64,
}

impl Measures {
    /// Means over queries; zeros when there are none.
    pub fn mean(all: &[Measures]) -> Measures {
        if all.is_empty() {
            return Measures::default();
        }
        let n = all.len() as f64;
        Measures {
            ndcg_at_10: all.iter().map(|m| m.ndcg_at_10).sum::<f64>() / n,
            mrr_at_10: all.iter().map(|m| m.mrr_at_10).sum::<f64>() / n,
            recall_at_100: all.iter().map(|m| m.recall_at_100).sum::<f64>() / n,
            map: all.iter().map(|m| m.map).sum::<f64>() / n,
        }
    }
}

/// Number of relevant (grade above 0) documents.
pub fn relevant_count(judgments: &Judgments) -> usize {
    judgments.values().filter(|&&g| g > 0).count()
}

/// Measures `ranking` (document ids, best first; a document listed twice
/// counts once, at its first rank) against `judgments`. `None` when the
/// query has no relevant document: it cannot be measured.
pub fn measure(ranking: &[String], judgments: &Judgments) -> Option<Measures> {
    let relevant = relevant_count(judgments);
    if relevant == 0 {
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    let grades: Vec<u32> = ranking
        .iter()
        .filter(|d| seen.insert(d.as_str()))
        .map(|d| judgments.get(d).copied().unwrap_or(0))
        .collect();
    Some(Measures {
        ndcg_at_10: ndcg(&grades, judgments, NDCG_DEPTH),
        mrr_at_10: grades
            .iter()
            .take(MRR_DEPTH)
            .position(|&g| g > 0)
            .map_or(0.0, |i| 1.0 / (i + 1) as f64),
        recall_at_100: grades.iter().take(RECALL_DEPTH).filter(|&&g| g > 0).count() as f64 / relevant as f64,
        map: average_precision(&grades, relevant),
    })
}

/// Discounted cumulative gain of the first `depth` grades.
fn dcg(grades: impl Iterator<Item = u32>, depth: usize) -> f64 {
    grades
        .take(depth)
        .enumerate()
        .map(|(i, g)| f64::from(g) / ((i + 2) as f64).log2())
        .sum()
}

fn ndcg(grades: &[u32], judgments: &Judgments, depth: usize) -> f64 {
    let mut ideal: Vec<u32> = judgments.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(ideal.into_iter(), depth);
    if best == 0.0 {
        0.0
    } else {
        dcg(grades.iter().copied(), depth) / best
    }
}

fn average_precision(grades: &[u32], relevant: usize) -> f64 {
    let mut found = 0usize;
    let mut sum = 0.0;
    for (i, &g) in grades.iter().enumerate() {
        if g > 0 {
            found += 1;
            sum += found as f64 / (i + 1) as f64;
        }
    }
    sum / relevant as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u32)]) -> Judgments {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    fn ranking(docs: &[&str]) -> Vec<String> {
        docs.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn measures_match_hand_computed_values() {
        // Relevant: a (2), b (1), c (1); d judged not relevant.
        let j = judged(&[("a", 2), ("b", 1), ("c", 1), ("d", 0)]);
        let m = measure(&ranking(&["x", "a", "d", "b"]), &j).unwrap();
        // DCG = 2/log2(3) + 1/log2(5); IDCG = 2 + 1/log2(3) + 1/2.
        let dcg = 2.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 2.0 + 1.0 / 3f64.log2() + 0.5;
        assert!((m.ndcg_at_10 - dcg / idcg).abs() < 1e-12, "{m:?}");
        assert_eq!(m.mrr_at_10, 0.5);
        assert!((m.recall_at_100 - 2.0 / 3.0).abs() < 1e-12);
        // AP = (1/2 + 2/4) / 3.
        assert!((m.map - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn a_query_without_relevant_documents_is_not_measured() {
        assert!(measure(&ranking(&["a"]), &judged(&[("a", 0)])).is_none());
        assert!(measure(&ranking(&["a"]), &judged(&[])).is_none());
    }

    #[test]
    fn a_repeated_document_counts_once_at_its_first_rank() {
        let j = judged(&[("a", 1), ("b", 1)]);
        let m = measure(&ranking(&["a", "a", "b"]), &j).unwrap();
        assert_eq!(m.map, 1.0);
        assert_eq!(m.ndcg_at_10, 1.0);
    }

    #[test]
    fn cut_offs_are_respected() {
        let j = judged(&[("r", 1)]);
        let mut docs: Vec<String> = (0..10).map(|i| format!("n{i}")).collect();
        docs.push("r".into());
        let m = measure(&docs, &j).unwrap();
        assert_eq!(m.ndcg_at_10, 0.0);
        assert_eq!(m.mrr_at_10, 0.0);
        assert_eq!(m.recall_at_100, 1.0);
        assert!((m.map - 1.0 / 11.0).abs() < 1e-12);
    }
}
