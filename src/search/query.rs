//! The query language: checking a query before tantivy parses it (so that
//! mistakes are explained with a column), parsing it over the searched
//! fields, and the filter clauses that facet and date filters add.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, QueryParserError, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};

use tantivy::Term;

use super::ranking::Ranking;
use super::scope::BriefScopeQuery;
use super::{Scope, SearchError};
use crate::index::schema::kind;
use crate::index::OpenIndex;

/// Deeper nesting than this is refused: tantivy's parser recurses per level
/// and a query of thousands of parentheses overflowed the stack.
pub const MAX_QUERY_DEPTH: usize = 32;
/// Longer queries are refused: no one types them, and they cost memory.
pub const MAX_QUERY_CHARS: usize = 4096;

/// The fields a query may name, for error messages.
pub const QUERY_FIELDS: &[&str] = &["title", "heading", "body", "author"];

fn query_error(query: &str, column: usize, message: String) -> SearchError {
    SearchError::Query {
        query: query.to_string(),
        marker: format!("{}^ at column {}", " ".repeat(column.saturating_sub(1)), column),
        message,
    }
}

/// Checks what tantivy's parser would accept silently or explain poorly:
/// unclosed quotes and brackets, fields without a value, operators without
/// operands, unknown fields. Columns are 1-based characters.
pub fn validate_query(query: &str) -> Result<(), SearchError> {
    let chars: Vec<char> = query.chars().collect();
    if let Some(i) = chars.iter().position(|c| c.is_control() && !c.is_whitespace()) {
        return Err(query_error(
            query,
            i + 1,
            format!(
                "the query holds a control character ({}); remove it",
                chars[i].escape_unicode()
            ),
        ));
    }
    let mut quote_open: Option<usize> = None;
    let mut parens: Vec<usize> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => quote_open = if quote_open.is_some() { None } else { Some(i) },
            '(' if quote_open.is_none() => {
                parens.push(i);
                if parens.len() > MAX_QUERY_DEPTH {
                    return Err(query_error(
                        query,
                        i + 1,
                        format!("more than {MAX_QUERY_DEPTH} nested parentheses; simplify the query"),
                    ));
                }
            }
            ')' if quote_open.is_none() && parens.pop().is_none() => {
                return Err(query_error(query, i + 1, "this `)` closes nothing".into()));
            }
            _ => {}
        }
    }
    if chars.len() > MAX_QUERY_CHARS {
        return Err(query_error(
            query,
            MAX_QUERY_CHARS + 1,
            format!("the query is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    if let Some(i) = quote_open {
        return Err(query_error(
            query,
            i + 1,
            "this quote is never closed; add a closing `\"`".into(),
        ));
    }
    if let Some(&i) = parens.last() {
        return Err(query_error(query, i + 1, "this `(` is never closed; add a `)`".into()));
    }
    // Words outside quotes, with their columns.
    let mut words: Vec<(usize, String)> = Vec::new();
    let mut in_quote = false;
    let mut current: Option<(usize, String)> = None;
    for (i, &c) in chars.iter().enumerate() {
        if c == '"' {
            in_quote = !in_quote;
        }
        if !in_quote && (c.is_whitespace() || c == '(' || c == ')') {
            words.extend(current.take());
            continue;
        }
        current.get_or_insert_with(|| (i, String::new())).1.push(c);
    }
    words.extend(current.take());
    for (k, (col, word)) in words.iter().enumerate() {
        if let Some((field, value)) = word.split_once(':') {
            let field = field.trim_start_matches(['+', '-']);
            let is_field = !field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if is_field {
                if !QUERY_FIELDS.contains(&field) && field != "date" {
                    return Err(query_error(
                        query,
                        col + 1,
                        format!("unknown field `{field}`; fields are {}", QUERY_FIELDS.join(", ")),
                    ));
                }
                if value.is_empty() {
                    return Err(query_error(
                        query,
                        col + 1,
                        format!("field `{field}:` has no value; write `{field}:word`"),
                    ));
                }
            }
        }
        let is_operator = matches!(word.as_str(), "AND" | "OR" | "NOT");
        if is_operator {
            let before = k.checked_sub(1).map(|j| words[j].1.as_str());
            let after = words.get(k + 1).map(|w| w.1.as_str());
            let operand = |w: Option<&str>| w.is_some_and(|w| !matches!(w, "AND" | "OR" | "NOT"));
            let needs_left = word != "NOT";
            if (needs_left && !operand(before)) || !operand(after) {
                let what = if word == "NOT" {
                    "a word after it"
                } else {
                    "a word on both sides"
                };
                return Err(query_error(query, col + 1, format!("operator {word} needs {what}")));
            }
        }
    }
    Ok(())
}

fn explain_parser_error(query: &str, err: QueryParserError) -> SearchError {
    let message = match err {
        QueryParserError::FieldDoesNotExist(field) => {
            format!("unknown field `{field}`; fields are {}", QUERY_FIELDS.join(", "))
        }
        QueryParserError::AllButQueryForbidden => {
            "a query cannot only exclude words; add a word to look for".to_string()
        }
        other => other.to_string(),
    };
    query_error(query, 1, message)
}

/// Parses the user's query with tantivy's query language over title
/// (boosted), heading and body.
pub fn parse_query(open: &OpenIndex, text: &str, any: bool) -> Result<Box<dyn Query>, SearchError> {
    parse_query_ranked(open, text, any, &Ranking::default())
}

/// [`parse_query`] with the field boosts of `ranking`.
pub fn parse_query_ranked(
    open: &OpenIndex,
    text: &str,
    any: bool,
    ranking: &Ranking,
) -> Result<Box<dyn Query>, SearchError> {
    validate_query(text)?;
    let f = &open.fields;
    let mut parser = QueryParser::new(
        open.index.schema(),
        vec![f.title, f.heading, f.body],
        open.index.tokenizers().clone(),
    );
    parser.set_field_boost(f.title, ranking.title_boost);
    parser.set_field_boost(f.heading, ranking.heading_boost);
    if !any {
        parser.set_conjunction_by_default();
    }
    parser.parse_query(text).map_err(|e| explain_parser_error(text, e))
}

/// A filter that matches without changing scores: a zero-score clause.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// Passages having any of `values` in `field`.
fn any_facet(field: Field, values: &[Facet]) -> Box<dyn Query> {
    let terms: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| -> (Occur, Box<dyn Query>) {
            (
                Occur::Should,
                Box::new(TermQuery::new(Term::from_facet(field, v), IndexRecordOption::Basic)),
            )
        })
        .collect();
    Box::new(BooleanQuery::new(terms))
}

/// The clauses of a search: the text query (or every passage, to browse),
/// a date range, and facet filters (any value within a dimension, every
/// dimension). With `at_least`, the facet dimensions need only that many
/// of them to pass (for multi-select facet counts).
pub struct Clauses<'a> {
    pub open: &'a OpenIndex,
    pub text: Option<&'a dyn Query>,
    pub dates: (Option<i64>, Option<i64>),
    /// Whether facet filters apply to the passage or to its whole brief.
    pub scope: Scope,
    pub dims: &'a [Vec<Facet>; 3],
}

impl Clauses<'_> {
    /// Every clause required: the query that finds hits.
    pub fn all(&self) -> Box<dyn Query> {
        self.build(self.dims.iter().filter(|d| !d.is_empty()).count())
    }

    /// Facet dimensions relaxed so that a passage failing one of them still
    /// matches: multi-select counts ignore a dimension's own filter.
    pub fn all_but_one_dim(&self) -> Box<dyn Query> {
        self.build(self.dims.iter().filter(|d| !d.is_empty()).count().saturating_sub(1))
    }

    fn build(&self, dims_required: usize) -> Box<dyn Query> {
        let f = &self.open.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match self.text {
            Some(text) => clauses.push((Occur::Must, text.box_clone())),
            None => clauses.push(filter(Box::new(TermQuery::new(
                Term::from_field_u64(f.kind, kind::PASSAGE),
                IndexRecordOption::Basic,
            )))),
        }
        if self.dates.0.is_some() || self.dates.1.is_some() {
            let bound = |secs: Option<i64>| match secs {
                Some(s) => Bound::Included(Term::from_field_date(f.date, tantivy::DateTime::from_timestamp_secs(s))),
                None => Bound::Unbounded,
            };
            clauses.push(filter(Box::new(RangeQuery::new(
                bound(self.dates.0),
                bound(self.dates.1),
            ))));
        }
        let dims: Vec<Box<dyn Query>> = self
            .dims
            .iter()
            .filter(|d| !d.is_empty())
            .map(|values| -> Box<dyn Query> {
                match self.scope {
                    Scope::Passage => any_facet(f.facets, values),
                    Scope::Brief => Box::new(BriefScopeQuery::new(any_facet(f.brief_facets, values))),
                }
            })
            .collect();
        let total = dims.len();
        if total > 0 && dims_required == total {
            clauses.extend(dims.into_iter().map(filter));
        } else if dims_required > 0 {
            let should: Vec<(Occur, Box<dyn Query>)> = dims.into_iter().map(|q| (Occur::Should, q)).collect();
            clauses.push(filter(Box::new(BooleanQuery::with_minimum_required_clauses(
                should,
                dims_required,
            ))));
        }
        if clauses.len() == 1 && self.text.is_some() {
            // The text query alone: no wrapping, so scores are exactly its own.
            return clauses.remove(0).1;
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column_of(query: &str) -> Option<String> {
        match validate_query(query) {
            Err(SearchError::Query { marker, .. }) => Some(marker),
            _ => None,
        }
    }

    #[test]
    fn bad_queries_point_at_the_problem() {
        assert!(column_of("\"unclosed").unwrap().ends_with("at column 1"));
        assert!(column_of("gas title:").unwrap().ends_with("at column 5"));
        assert!(column_of("AND").is_some());
        assert!(column_of("gas AND").is_some());
        assert!(column_of("(gas").is_some());
        assert!(column_of("nope:gas").is_some());
        assert!(column_of("gas AND pipeline").is_none());
        assert!(column_of("\"gas pipeline\" -Iran").is_none());
        assert!(column_of("NOT gas").is_none());
        assert!(column_of("gas\u{7}").unwrap().ends_with("at column 4"));
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("{}gas{}", "(".repeat(9000), ")".repeat(9000));
        let marker = column_of(&deep).expect("refused");
        assert!(
            marker.ends_with(&format!("at column {}", MAX_QUERY_DEPTH + 1)),
            "{marker}"
        );
        let fine = format!("{}gas{}", "(".repeat(MAX_QUERY_DEPTH), ")".repeat(MAX_QUERY_DEPTH));
        assert!(column_of(&fine).is_none());
    }
}
