//! Highlighting: the byte ranges of a passage whose analysed form is a term
//! of the query. Passages are short, so the whole passage is analysed with
//! the same analyzer as the index, and offsets point into the original text.

use std::collections::BTreeSet;

use tantivy::query::Query;

use crate::tokenize;

/// The analysed words of a query (from any field), for highlighting.
pub fn query_terms(query: &dyn Query) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if let Some(text) = term.value().as_str() {
            terms.insert(text.to_string());
        }
    });
    terms
}

/// Byte ranges of `text` whose analysed form is a query term.
pub fn highlight(text: &str, terms: &BTreeSet<String>) -> Vec<[usize; 2]> {
    if terms.is_empty() {
        return Vec::new();
    }
    tokenize::analyze(text)
        .into_iter()
        .filter(|t| terms.contains(&t.text))
        .map(|t| [t.offset_from, t.offset_to])
        .collect()
}
