//! Reading the files retrieval people exchange: query sets (BEIR
//! `queries.jsonl`, TREC topics, `qid<TAB>text`), judgments (TREC qrels,
//! BEIR `qrels/*.tsv`) and runs (TREC run files), and writing runs.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::measures::Judgments;

/// Why an input file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: no queries found (expected queries.jsonl, TREC topics or `qid<TAB>text` lines)")]
    NoQueries { path: PathBuf },
    #[error(
        "{path}: no judgments found (expected TREC qrels `QID 0 DOC GRADE` or BEIR `query-id<TAB>corpus-id<TAB>score`)"
    )]
    NoJudgments { path: PathBuf },
}

/// One query of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalQuery {
    pub id: String,
    pub text: String,
}

/// Judgments of every query, by query id.
pub type Qrels = BTreeMap<String, Judgments>;

fn read(path: &Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path).map_err(|source| InputError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn parse_error(path: &Path, line: usize, message: impl Into<String>) -> InputError {
    InputError::Parse {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Reads a query set, recognising its format from its content: JSON
/// objects a line (BEIR, `_id` and `text`), TREC topics (`<top>` blocks,
/// the `<title>` is the query), or `qid<TAB>text` lines.
pub fn read_queries(path: &Path) -> Result<Vec<EvalQuery>, InputError> {
    let text = read(path)?;
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim_start();
    let queries = if first.starts_with('{') {
        jsonl_queries(path, &text)?
    } else if text.contains("<top>") {
        trec_topics(&text)
    } else {
        tsv_queries(path, &text)?
    };
    if queries.is_empty() {
        return Err(InputError::NoQueries {
            path: path.to_path_buf(),
        });
    }
    Ok(queries)
}

fn jsonl_queries(path: &Path, text: &str) -> Result<Vec<EvalQuery>, InputError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| parse_error(path, i + 1, format!("not JSON: {e}")))?;
        let field = |name: &str| match value.get(name) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let id = field("_id")
            .or_else(|| field("id"))
            .ok_or_else(|| parse_error(path, i + 1, "the query has no `_id`"))?;
        let text = field("text")
            .or_else(|| field("query"))
            .ok_or_else(|| parse_error(path, i + 1, "the query has no `text`"))?;
        out.push(EvalQuery { id, text });
    }
    Ok(out)
}

/// TREC topics: `<num> Number: 401` and `<title> text`, tags not always closed.
fn trec_topics(text: &str) -> Vec<EvalQuery> {
    let mut out = Vec::new();
    for block in text.split("<top>").skip(1) {
        let block = block.split("</top>").next().unwrap_or(block);
        let field = |tag: &str| -> Option<String> {
            let open = format!("<{tag}>");
            let start = block.find(&open)? + open.len();
            let rest = &block[start..];
            let end = rest.find('<').unwrap_or(rest.len());
            Some(rest[..end].split_whitespace().collect::<Vec<_>>().join(" "))
        };
        let Some(num) = field("num") else { continue };
        let id = num.trim_start_matches("Number:").trim().to_string();
        let title = field("title").unwrap_or_default();
        let title = title.trim_start_matches("Topic:").trim().to_string();
        if !id.is_empty() && !title.is_empty() {
            out.push(EvalQuery { id, text: title });
        }
    }
    out
}

fn tsv_queries(path: &Path, text: &str) -> Result<Vec<EvalQuery>, InputError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, query) = line
            .split_once('\t')
            .ok_or_else(|| parse_error(path, i + 1, "expected `qid<TAB>query text`"))?;
        out.push(EvalQuery {
            id: id.trim().to_string(),
            text: query.trim().to_string(),
        });
    }
    Ok(out)
}

/// Reads judgments: TREC qrels (`QID ITER DOC GRADE`, whitespace-separated)
/// or BEIR's `query-id<TAB>corpus-id<TAB>score` with or without a header.
/// Negative grades (some collections mark junk so) count as 0.
pub fn read_qrels(path: &Path) -> Result<Qrels, InputError> {
    let text = read(path)?;
    let mut qrels = Qrels::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (qid, doc, grade) = match fields.as_slice() {
            [] => continue,
            [q, _, d, g] => (q, d, g),
            [q, d, g] => (q, d, g),
            _ => {
                return Err(parse_error(
                    path,
                    i + 1,
                    "expected `QID 0 DOC GRADE` (TREC) or `QID<TAB>DOC<TAB>GRADE` (BEIR)",
                ))
            }
        };
        let grade: i64 = match grade.parse() {
            Ok(g) => g,
            // BEIR's header line (`query-id corpus-id score`).
            Err(_) if i == 0 && fields.len() == 3 => continue,
            Err(_) => return Err(parse_error(path, i + 1, format!("grade {grade:?} is not a number"))),
        };
        let grade = u32::try_from(grade.max(0)).unwrap_or(u32::MAX);
        qrels.entry(qid.to_string()).or_default().insert(doc.to_string(), grade);
    }
    if qrels.is_empty() {
        return Err(InputError::NoJudgments {
            path: path.to_path_buf(),
        });
    }
    Ok(qrels)
}

/// One line of a run: a document ranked for a query.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEntry {
    pub doc: String,
    pub score: f64,
}

/// A ranking per query id, best first.
pub type Run = BTreeMap<String, Vec<RunEntry>>;

/// Reads a TREC run file (`QID Q0 DOC RANK SCORE TAG`). Documents are
/// ordered by score, then by rank, as `trec_eval` does.
pub fn read_run(path: &Path) -> Result<Run, InputError> {
    let text = read(path)?;
    let mut rows: BTreeMap<String, Vec<(f64, i64, String)>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [qid, _, doc, rank, score, ..] = fields.as_slice() else {
            return Err(parse_error(path, i + 1, "expected `QID Q0 DOC RANK SCORE TAG`"));
        };
        let rank: i64 = rank
            .parse()
            .map_err(|_| parse_error(path, i + 1, format!("rank {rank:?} is not a number")))?;
        let score: f64 = score
            .parse()
            .map_err(|_| parse_error(path, i + 1, format!("score {score:?} is not a number")))?;
        rows.entry(qid.to_string())
            .or_default()
            .push((score, rank, doc.to_string()));
    }
    Ok(rows
        .into_iter()
        .map(|(qid, mut entries)| {
            entries.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let ranked = entries
                .into_iter()
                .map(|(score, _, doc)| RunEntry { doc, score })
                .collect();
            (qid, ranked)
        })
        .collect())
}

/// Writes a TREC run file, queries in the order given.
pub fn write_run(out: &mut dyn Write, queries: &[(String, Vec<RunEntry>)], tag: &str) -> std::io::Result<()> {
    for (qid, entries) in queries {
        for (rank, entry) in entries.iter().enumerate() {
            writeln!(out, "{qid} Q0 {} {} {:.6} {tag}", entry.doc, rank + 1, entry.score)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(content: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(content.as_bytes()).unwrap();
        file
    }

    #[test]
    fn query_formats_are_recognised() {
        let beir = temp("{\"_id\": \"1\", \"text\": \"wing flutter\"}\n{\"_id\": 2, \"text\": \"heat\"}\n");
        let q = read_queries(beir.path()).unwrap();
        assert_eq!(
            q[1],
            EvalQuery {
                id: "2".into(),
                text: "heat".into()
            }
        );
        let trec =
            temp("<top>\n<num> Number: 401\n<title> foreign minorities, Germany\n<desc> Description:\nx\n</top>\n");
        assert_eq!(
            read_queries(trec.path()).unwrap(),
            vec![EvalQuery {
                id: "401".into(),
                text: "foreign minorities, Germany".into()
            }]
        );
        let tsv = temp("q1\tMuttaqi Tehran\n\nq2\tgas pipeline\n");
        assert_eq!(read_queries(tsv.path()).unwrap().len(), 2);
        let bad = temp("q1 no tab here\n");
        assert!(matches!(
            read_queries(bad.path()),
            Err(InputError::Parse { line: 1, .. })
        ));
    }

    #[test]
    fn qrels_formats_are_recognised() {
        let trec = temp("q1 0 a.txt 2\nq1 0 b.txt 0\nq2 0 c.txt -1\n");
        let qrels = read_qrels(trec.path()).unwrap();
        assert_eq!(qrels["q1"]["a.txt"], 2);
        assert_eq!(qrels["q2"]["c.txt"], 0);
        let beir = temp("query-id\tcorpus-id\tscore\n1\t12\t2\n");
        assert_eq!(read_qrels(beir.path()).unwrap()["1"]["12"], 2);
        let bad = temp("q1 0 a.txt high\nq1 0 b 1\n");
        assert!(read_qrels(bad.path()).is_err());
    }

    #[test]
    fn runs_are_ordered_by_score_then_rank() {
        let run = temp("q1 Q0 b 2 1.5 x\nq1 Q0 a 1 1.5 x\nq1 Q0 c 3 9 x\n");
        let run = read_run(run.path()).unwrap();
        let docs: Vec<&str> = run["q1"].iter().map(|e| e.doc.as_str()).collect();
        assert_eq!(docs, ["c", "a", "b"]);
    }
}
