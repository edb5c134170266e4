//! `--explain`: why a hit scored as it did. The passage's own part is
//! tantivy's explanation of the query (BM25 per term and field, with the
//! index's exact statistics); the brief part is the weighted BM25 of the
//! whole brief ([`super::ranking`]). Their sum is the hit's score.

use tantivy::query::{EnableScoring, Explanation, Query, Weight};
use tantivy::DocAddress;

use super::ranking::{BriefEvidence, Recency};
use super::SearchError;
use crate::index::OpenIndex;

/// Explains hits of one query.
pub struct Explainer<'a> {
    open: &'a OpenIndex,
    weight: Box<dyn Weight>,
    evidence: Option<&'a BriefEvidence>,
    recency: Option<Recency>,
}

impl<'a> Explainer<'a> {
    pub fn new(
        open: &'a OpenIndex,
        query: &dyn Query,
        evidence: Option<&'a BriefEvidence>,
        recency: Option<Recency>,
    ) -> Result<Explainer<'a>, SearchError> {
        let statistics = open.statistics();
        let weight = query.weight(EnableScoring::enabled_from_statistics_provider(
            &statistics,
            &open.searcher,
        ))?;
        Ok(Explainer {
            open,
            weight,
            evidence,
            recency,
        })
    }

    /// The explanation of the passage at `address`, as a tree of
    /// `{value, description, details, context}` nodes; a term's node has
    /// the context `FIELD:TERM`.
    pub fn explain(&self, address: DocAddress) -> Result<serde_json::Value, SearchError> {
        let mut tree = serde_json::to_value(self.explain_tantivy(address)?).unwrap_or_default();
        name_terms(&mut tree, &self.open.index.schema());
        Ok(tree)
    }

    fn explain_tantivy(&self, address: DocAddress) -> Result<Explanation, SearchError> {
        let reader = self.open.searcher.segment_reader(address.segment_ord);
        let passage = self.weight.explain(reader, address.doc_id)?;
        let brief = match self.evidence {
            Some(evidence) => Some(evidence.explain(reader, address.doc_id)?),
            None => None,
        };
        let sum = passage.value() + brief.as_ref().map_or(0.0, Explanation::value);
        let factor = match &self.recency {
            Some(recency) => {
                let date = reader.fast_fields().date("date")?.first(address.doc_id);
                Some(recency.factor(date.map(|d| d.into_timestamp_secs())))
            }
            None => None,
        };
        let mut out = match factor {
            Some(f) => Explanation::new("score: (passage + brief) x recency", sum * f),
            None => Explanation::new("score: passage + brief", sum),
        };
        if let Some(f) = factor {
            out.add_const(
                "recency: 1/2 + 1/2 x 2^(-age / half-life), age from the newest brief",
                f,
            );
        }
        let mut own = Explanation::new(
            "passage: BM25 of the passage's title, heading and body",
            passage.value(),
        );
        own.add_detail(passage);
        out.add_detail(own);
        if let Some(brief) = brief {
            out.add_detail(brief);
        }
        Ok(out)
    }
}

/// tantivy names a term `Term=Term(field=6, type=Str, "tapi")`: rewrites
/// it as `title:tapi`.
fn name_terms(node: &mut serde_json::Value, schema: &tantivy::schema::Schema) {
    if let Some(context) = node.get_mut("context").and_then(|c| c.as_array_mut()) {
        for entry in context.iter_mut() {
            if let Some(named) = entry.as_str().and_then(|text| term_name(text, schema)) {
                *entry = serde_json::Value::String(named);
            }
        }
    }
    if let Some(details) = node.get_mut("details").and_then(|d| d.as_array_mut()) {
        for child in details {
            name_terms(child, schema);
        }
    }
}

fn term_name(text: &str, schema: &tantivy::schema::Schema) -> Option<String> {
    let rest = text.split_once("field=")?.1;
    let (id, rest) = rest.split_once(',')?;
    let field = tantivy::schema::Field::from_field_id(id.trim().parse().ok()?);
    let value = rest.split_once('"')?.1.rsplit_once('"')?.0;
    Some(format!("{}:{value}", schema.get_field_name(field)))
}

/// Writes an explanation as an indented tree, one node a line
/// (`12.3  description`); a term's BM25 is one line with its factors.
pub fn write_tree(out: &mut dyn std::io::Write, node: &serde_json::Value, indent: usize) -> std::io::Result<()> {
    let value = node.get("value").and_then(|v| v.as_f64()).unwrap_or(0.0);
    let description = node.get("description").and_then(|v| v.as_str()).unwrap_or("");
    let details: &[serde_json::Value] = node
        .get("details")
        .and_then(|d| d.as_array())
        .map_or(&[], Vec::as_slice);
    let term = node
        .get("context")
        .and_then(|c| c.as_array())
        .and_then(|c| c.iter().find_map(|e| e.as_str().filter(|s| s.contains(':'))));
    if let Some(term) = term {
        let factor = |prefix: &str| -> Option<f64> {
            fn find(nodes: &[serde_json::Value], prefix: &str) -> Option<f64> {
                nodes.iter().find_map(|n| {
                    let d = n.get("description").and_then(|v| v.as_str()).unwrap_or("");
                    if d.starts_with(prefix) {
                        n.get("value").and_then(|v| v.as_f64())
                    } else {
                        find(
                            n.get("details").and_then(|d| d.as_array()).map_or(&[], Vec::as_slice),
                            prefix,
                        )
                    }
                })
            }
            find(details, prefix)
        };
        let show = |v: Option<f64>| v.map_or("?".to_string(), |v| format!("{v:.2}"));
        return writeln!(
            out,
            "{:indent$}{value:.4}  {term}  (idf {}, freq {}, length {}, average {})",
            "",
            show(factor("idf")),
            show(factor("freq,")),
            show(factor("dl,")),
            show(factor("avgdl")),
        );
    }
    writeln!(out, "{:indent$}{value:.4}  {description}", "")?;
    for child in details {
        write_tree(out, child, indent + 2)?;
    }
    Ok(())
}
