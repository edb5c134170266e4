//! `--explain`: why a hit scored as it did. The passage's own part is
//! tantivy's explanation of the query (BM25 per term and field, with the
//! index's exact statistics); the brief part is the weighted BM25 of the
//! whole brief ([`super::ranking`]). Their sum is the hit's score.

use tantivy::query::{EnableScoring, Explanation, Query, Weight};
use tantivy::DocAddress;

use super::ranking::BriefEvidence;
use super::SearchError;
use crate::index::OpenIndex;

/// Explains hits of one query.
pub struct Explainer<'a> {
    open: &'a OpenIndex,
    weight: Box<dyn Weight>,
    evidence: Option<&'a BriefEvidence>,
}

impl<'a> Explainer<'a> {
    pub fn new(
        open: &'a OpenIndex,
        query: &dyn Query,
        evidence: Option<&'a BriefEvidence>,
    ) -> Result<Explainer<'a>, SearchError> {
        let statistics = open.statistics();
        let weight = query.weight(EnableScoring::enabled_from_statistics_provider(
            &statistics,
            &open.searcher,
        ))?;
        Ok(Explainer { open, weight, evidence })
    }

    /// The explanation of the passage at `address`.
    pub fn explain(&self, address: DocAddress) -> Result<Explanation, SearchError> {
        let reader = self.open.searcher.segment_reader(address.segment_ord);
        let passage = self.weight.explain(reader, address.doc_id)?;
        let brief = match self.evidence {
            Some(evidence) => Some(evidence.explain(reader, address.doc_id)?),
            None => None,
        };
        let total = passage.value() + brief.as_ref().map_or(0.0, Explanation::value);
        let mut out = Explanation::new("score: passage + brief", total);
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

/// Writes an explanation as an indented tree, one node a line:
/// `12.3  description`.
pub fn write_tree(out: &mut dyn std::io::Write, explanation: &Explanation, indent: usize) -> std::io::Result<()> {
    let value = serde_json::to_value(explanation).unwrap_or_default();
    write_node(out, &value, indent)
}

fn write_node(out: &mut dyn std::io::Write, node: &serde_json::Value, indent: usize) -> std::io::Result<()> {
    let value = node.get("value").and_then(|v| v.as_f64()).unwrap_or(0.0);
    let description = node.get("description").and_then(|v| v.as_str()).unwrap_or("");
    writeln!(out, "{:indent$}{value:.4}  {description}", "")?;
    if let Some(details) = node.get("details").and_then(|d| d.as_array()) {
        for child in details {
            write_node(out, child, indent + 2)?;
        }
    }
    Ok(())
}
