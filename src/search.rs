//! Ranking passages for a query, with facet filters and facet counts.
//!
//! The query runs once in tantivy and every matching passage is collected
//! with its score, brief, ordinal, date and facets (from fast fields, not the
//! document store). Facet filters and counts are then applied in one pass
//! over those hits, which makes multi-select counts exact: the counts of a
//! facet ignore that facet's own filter but honour all the others.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{AllQuery, Query, QueryParser, QueryParserError};
use tantivy::schema::Facet;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyDocument};

use crate::entities::{Actor, ActorKind, Gazetteer, RegionPath};
use crate::index::{self, OpenIndex, StoredPassage};
use crate::tokenize;

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("bad query: {message}\n  {query}\n  {marker}")]
    Query {
        query: String,
        message: String,
        /// A caret line under the query pointing at the problem.
        marker: String,
    },
    #[error("unknown {facet} {value:?}{}", suggestions_text(.suggestions))]
    UnknownValue {
        facet: &'static str,
        value: String,
        suggestions: Vec<String>,
    },
    #[error("empty query: give words to search for, or a --country, --actor or --region filter to browse")]
    EmptyQuery,
    #[error(transparent)]
    Index(#[from] index::IndexError),
    #[error("search failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

fn suggestions_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(
            "; did you mean {}?",
            suggestions
                .iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// How far a facet filter looks: the passage itself, or its whole brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Passage,
    Brief,
}

/// A resolved search request (flags already validated).
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    /// Any word may match (plain BM25) instead of all words.
    pub any: bool,
    pub limit: usize,
    pub per_brief: usize,
    pub since: Option<Date>,
    pub until: Option<Date>,
    /// Canonical country names; a passage matches if it mentions any.
    pub countries: Vec<String>,
    pub regions: Vec<RegionPath>,
    pub actors: Vec<Actor>,
    pub scope: Scope,
    /// Compute facet counts.
    pub facets: bool,
    /// How many values of each facet to report.
    pub facet_limit: usize,
}

/// One ranked passage.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub doc: String,
    pub title: String,
    pub date: Option<String>,
    pub author: Option<String>,
    pub passage: u64,
    pub lines: [u64; 2],
    pub score: f32,
    pub heading: Option<String>,
    pub text: String,
    pub countries: Vec<String>,
    pub actors: Vec<Actor>,
    /// Byte ranges of `text` that match query words.
    pub highlights: Vec<[usize; 2]>,
}

/// One facet value with the number of briefs and passages it covers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FacetCount {
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ActorKind>,
    /// For regions: the full path, `Asia/Central Asia`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Briefs with at least one matching passage that has this value.
    pub count: usize,
    /// Matching passages that have this value.
    pub passages: usize,
}

/// Facet counts of a search.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct FacetCounts {
    pub country: Vec<FacetCount>,
    pub region: Vec<FacetCount>,
    pub actor: Vec<FacetCount>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    /// Passages that match the query and every filter.
    pub total_hits: usize,
    pub hits: Vec<Hit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<FacetCounts>,
}

/// A matching passage as collected, before filters. Briefs and facets are
/// ids into the tables of [`Collected`], so a broad query costs no string
/// copies per hit.
#[derive(Debug, Clone)]
struct RawHit {
    score: Score,
    address: DocAddress,
    brief: u32,
    ordinal: u64,
    /// The brief's date, in seconds since the epoch.
    date: Option<i64>,
    facets: Vec<u32>,
    brief_facets: Vec<u32>,
}

/// Gives each distinct string an id.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }
}

/// Every matching passage, with the brief paths and facet strings its ids name.
#[derive(Debug, Default)]
struct Collected {
    hits: Vec<RawHit>,
    briefs: Vec<String>,
    facets: Vec<String>,
}

/// Collects every matching passage with what ranking and faceting need.
struct AllHits;

struct SegmentHits {
    segment: SegmentOrdinal,
    path: Option<tantivy::columnar::StrColumn>,
    ordinal: tantivy::columnar::Column<u64>,
    date: tantivy::columnar::Column<tantivy::DateTime>,
    facet_reader: tantivy::fastfield::FacetReader,
    brief_facet_reader: tantivy::fastfield::FacetReader,
    /// Segment term ordinals to local ids.
    path_ids: HashMap<u64, u32>,
    facet_ids: HashMap<u64, u32>,
    brief_facet_ids: HashMap<u64, u32>,
    briefs: Interner,
    facets: Interner,
    hits: Vec<RawHit>,
}

impl Collector for AllHits {
    type Fruit = Collected;
    type Child = SegmentHits;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentHits> {
        let fast = reader.fast_fields();
        Ok(SegmentHits {
            segment,
            path: fast.str("path")?,
            ordinal: fast.u64("ordinal")?,
            date: fast.date("date")?,
            facet_reader: reader.facet_reader("facets")?,
            brief_facet_reader: reader.facet_reader("brief_facets")?,
            path_ids: HashMap::new(),
            facet_ids: HashMap::new(),
            brief_facet_ids: HashMap::new(),
            briefs: Interner::default(),
            facets: Interner::default(),
            hits: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// Re-numbers each segment's local ids into one table.
    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut briefs = Interner::default();
        let mut facets = Interner::default();
        let mut hits = Vec::new();
        for fruit in fruits {
            let brief_map: Vec<u32> = fruit.briefs.iter().map(|b| briefs.id(b)).collect();
            let facet_map: Vec<u32> = fruit.facets.iter().map(|f| facets.id(f)).collect();
            for mut hit in fruit.hits {
                hit.brief = brief_map[hit.brief as usize];
                hit.facets.iter_mut().for_each(|f| *f = facet_map[*f as usize]);
                hit.brief_facets.iter_mut().for_each(|f| *f = facet_map[*f as usize]);
                hits.push(hit);
            }
        }
        Ok(Collected {
            hits,
            briefs: briefs.names,
            facets: facets.names,
        })
    }
}

fn facet_ids(
    reader: &tantivy::fastfield::FacetReader,
    ids: &mut HashMap<u64, u32>,
    names: &mut Interner,
    doc: DocId,
) -> Vec<u32> {
    reader
        .facet_ords(doc)
        .map(|ord| {
            *ids.entry(ord).or_insert_with(|| {
                let mut facet = Facet::root();
                let name = match reader.facet_from_ord(ord, &mut facet) {
                    Ok(()) => facet.to_string(),
                    Err(_) => String::new(),
                };
                names.id(&name)
            })
        })
        .collect()
}

impl SegmentCollector for SegmentHits {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let ord = self
            .path
            .as_ref()
            .and_then(|c| c.term_ords(doc).next())
            .unwrap_or(u64::MAX);
        let (column, briefs) = (&self.path, &mut self.briefs);
        let brief = *self.path_ids.entry(ord).or_insert_with(|| {
            let mut path = String::new();
            if let Some(column) = column {
                let _ = column.ord_to_str(ord, &mut path);
            }
            briefs.id(&path)
        });
        let facets = facet_ids(&self.facet_reader, &mut self.facet_ids, &mut self.facets, doc);
        let brief_facets = facet_ids(
            &self.brief_facet_reader,
            &mut self.brief_facet_ids,
            &mut self.facets,
            doc,
        );
        self.hits.push(RawHit {
            score,
            address: DocAddress::new(self.segment, doc),
            brief,
            ordinal: self.ordinal.first(doc).unwrap_or(0),
            date: self.date.first(doc).map(|d| d.into_timestamp_secs()),
            facets,
            brief_facets,
        });
    }

    fn harvest(self) -> Collected {
        Collected {
            hits: self.hits,
            briefs: self.briefs.names,
            facets: self.facets.names,
        }
    }
}

/// What each facet id of a search means: its dimension (country, region,
/// actor), the keys it counts for (a region counts for its ancestors too),
/// and which filters it satisfies.
struct FacetTable {
    dims: Vec<Option<usize>>,
    keys: Vec<Vec<u32>>,
    key_names: Interner,
    matches: Vec<[bool; 3]>,
}

impl FacetTable {
    fn new(facets: &[String], filters: &[Vec<String>; 3]) -> FacetTable {
        let mut table = FacetTable {
            dims: Vec::with_capacity(facets.len()),
            keys: Vec::with_capacity(facets.len()),
            key_names: Interner::default(),
            matches: Vec::with_capacity(facets.len()),
        };
        for facet in facets {
            let parts = facet_parts(facet);
            let (dim, keys) = match parts.first().map(String::as_str) {
                Some("country") => (Some(0), vec![facet.clone()]),
                Some("region") => (
                    Some(1),
                    (2..=parts.len())
                        .map(|n| Facet::from_path(&parts[..n]).to_string())
                        .collect(),
                ),
                Some("actor") => (Some(2), vec![facet.clone()]),
                _ => (None, Vec::new()),
            };
            table.dims.push(dim);
            table.keys.push(keys.iter().map(|k| table.key_names.id(k)).collect());
            table.matches.push(std::array::from_fn(|d| {
                filters[d].iter().any(|w| facet_matches(facet, w))
            }));
        }
        table
    }

    /// Which facet filters a hit passes: (country, region, actor).
    fn passes(&self, facets: &[u32], filters: &[Vec<String>; 3]) -> [bool; 3] {
        std::array::from_fn(|d| filters[d].is_empty() || facets.iter().any(|&f| self.matches[f as usize][d]))
    }
}
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
    let mut quote_open: Option<usize> = None;
    let mut parens: Vec<usize> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => quote_open = if quote_open.is_some() { None } else { Some(i) },
            '(' if quote_open.is_none() => parens.push(i),
            ')' if quote_open.is_none() && parens.pop().is_none() => {
                return Err(query_error(query, i + 1, "this `)` closes nothing".into()));
            }
            _ => {}
        }
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
    validate_query(text)?;
    let f = &open.fields;
    let mut parser = QueryParser::for_index(&open.index, vec![f.title, f.heading, f.body]);
    parser.set_field_boost(f.title, 2.0);
    parser.set_field_boost(f.heading, 1.5);
    if !any {
        parser.set_conjunction_by_default();
    }
    parser.parse_query(text).map_err(|e| explain_parser_error(text, e))
}

/// Checks a facet value of a hit against a filter value.
fn facet_matches(facet: &str, wanted: &str) -> bool {
    facet == wanted || (facet.starts_with(wanted) && facet[wanted.len()..].starts_with('/'))
}

/// Runs a search.
pub fn search(open: &OpenIndex, request: &SearchRequest) -> Result<SearchResults, SearchError> {
    let has_filter = !request.countries.is_empty() || !request.regions.is_empty() || !request.actors.is_empty();
    let browsing = request.query.trim().is_empty();
    if browsing && !has_filter && request.since.is_none() && request.until.is_none() {
        return Err(SearchError::EmptyQuery);
    }
    let query: Box<dyn Query> = if browsing {
        Box::new(AllQuery)
    } else {
        parse_query(open, &request.query, request.any)?
    };
    let reader = open.index.reader().map_err(index::IndexError::from)?;
    let searcher = reader.searcher();
    let collected = searcher.search(&*query, &AllHits)?;

    let filters: [Vec<String>; 3] = [
        request
            .countries
            .iter()
            .map(|c| index::country_facet(c).to_string())
            .collect(),
        request
            .regions
            .iter()
            .map(|r| index::region_facet(r).to_string())
            .collect(),
        request
            .actors
            .iter()
            .map(|a| index::actor_facet(a).to_string())
            .collect(),
    ];
    let table = FacetTable::new(&collected.facets, &filters);
    let since = request.since.map(index::date_seconds);
    let until = request.until.map(index::date_seconds);
    let in_dates = |hit: &RawHit| match (since, until, hit.date) {
        (None, None, _) => true,
        (_, _, None) => false,
        (since, until, Some(d)) => since.is_none_or(|s| d >= s) && until.is_none_or(|u| d <= u),
    };
    let mut matching: Vec<&RawHit> = Vec::new();
    let mut counting: Vec<(&RawHit, [bool; 3])> = Vec::new();
    for hit in collected.hits.iter().filter(|h| in_dates(h)) {
        let pass = table.passes(scoped(hit, request.scope), &filters);
        if pass.iter().all(|&p| p) {
            matching.push(hit);
        }
        if request.facets && pass.iter().filter(|&&p| !p).count() <= 1 {
            counting.push((hit, pass));
        }
    }
    let facets = request
        .facets
        .then(|| count_facets(&counting, &table, request.scope, request.facet_limit));

    let path = |hit: &RawHit| collected.briefs[hit.brief as usize].as_str();
    if browsing {
        // Newest first; undated last.
        matching.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then_with(|| path(a).cmp(path(b)))
                .then_with(|| a.ordinal.cmp(&b.ordinal))
        });
    } else {
        matching.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| path(a).cmp(path(b)))
                .then_with(|| a.ordinal.cmp(&b.ordinal))
        });
    }
    let mut per_brief: HashMap<u32, usize> = HashMap::new();
    let mut shown = Vec::new();
    for hit in &matching {
        if shown.len() >= request.limit {
            break;
        }
        let n = per_brief.entry(hit.brief).or_insert(0);
        if *n >= request.per_brief {
            continue;
        }
        *n += 1;
        shown.push(*hit);
    }

    let terms = query_terms(&*query);
    let mut hits = Vec::with_capacity(shown.len());
    for raw in shown {
        let doc: TantivyDocument = searcher.doc(raw.address)?;
        let stored = index::stored_passage(&open.fields, &doc);
        hits.push(make_hit(stored, if browsing { 0.0 } else { raw.score }, &terms));
    }
    Ok(SearchResults {
        query: request.query.clone(),
        total_hits: matching.len(),
        hits,
        facets,
    })
}

fn make_hit(stored: StoredPassage, score: f32, terms: &BTreeSet<String>) -> Hit {
    let highlights = highlight(&stored.text, terms);
    Hit {
        doc: stored.doc,
        title: stored.title,
        date: stored.date,
        author: stored.author,
        passage: stored.passage,
        lines: stored.lines,
        score,
        heading: stored.heading,
        text: stored.text,
        countries: stored.countries,
        actors: stored.actors,
        highlights,
    }
}

/// The analysed words of a query (from any field), for highlighting.
fn query_terms(query: &dyn Query) -> BTreeSet<String> {
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

fn scoped(hit: &RawHit, scope: Scope) -> &[u32] {
    match scope {
        Scope::Passage => &hit.facets,
        Scope::Brief => &hit.brief_facets,
    }
}

/// Counts facet values over hits; a hit counts towards a facet when it
/// passes every filter but (maybe) that facet's own.
fn count_facets(hits: &[(&RawHit, [bool; 3])], table: &FacetTable, scope: Scope, limit: usize) -> FacetCounts {
    // Per key: the briefs and the number of passages it covers.
    let mut counts: HashMap<u32, (BTreeSet<u32>, usize)> = HashMap::new();
    let mut keys: Vec<u32> = Vec::new();
    for (hit, pass) in hits {
        keys.clear();
        for &facet in scoped(hit, scope) {
            let Some(dim) = table.dims[facet as usize] else {
                continue;
            };
            if (0..3).filter(|&d| d != dim).all(|d| pass[d]) {
                keys.extend(&table.keys[facet as usize]);
            }
        }
        keys.sort_unstable();
        keys.dedup();
        for &key in &keys {
            let entry = counts.entry(key).or_default();
            entry.0.insert(hit.brief);
            entry.1 += 1;
        }
    }
    let mut out: [Vec<FacetCount>; 3] = Default::default();
    for (key, (briefs, passages)) in counts {
        let parts = facet_parts(&table.key_names.names[key as usize]);
        let dim = match parts.first().map(String::as_str) {
            Some("country") => 0,
            Some("region") => 1,
            Some("actor") => 2,
            _ => continue,
        };
        out[dim].push(FacetCount {
            kind: (dim == 2).then(|| {
                if parts.get(1).map(String::as_str) == Some("person") {
                    ActorKind::Person
                } else {
                    ActorKind::Org
                }
            }),
            path: (dim == 1).then(|| parts[1..].join("/")),
            value: parts.last().cloned().unwrap_or_default(),
            count: briefs.len(),
            passages,
        });
    }
    let [mut country, mut region, mut actor] = out;
    for values in [&mut country, &mut region, &mut actor] {
        values.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.value.cmp(&b.value))
                .then_with(|| a.path.cmp(&b.path))
        });
        values.truncate(limit);
    }
    FacetCounts { country, region, actor }
}

/// The path of a facet's display string: `/region/Asia/Central Asia` -> `[region, Asia, Central Asia]`.
fn facet_parts(display: &str) -> Vec<String> {
    Facet::from_text(display)
        .map(|f| f.to_path().into_iter().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Resolves user filter values to index facets, with suggestions for
/// unknown ones. Actors not in the gazetteer are looked up among the
/// actors the index holds (people found by cues).
pub struct FilterResolver<'a> {
    pub gazetteer: &'a Gazetteer,
    /// Actor facet values of the index.
    pub index_actors: Vec<Actor>,
}

impl FilterResolver<'_> {
    pub fn country(&self, value: &str) -> Result<String, SearchError> {
        self.gazetteer
            .resolve_country(value)
            .map(|c| c.name.clone())
            .ok_or_else(|| SearchError::UnknownValue {
                facet: "country",
                value: value.to_string(),
                suggestions: nearest(value, self.gazetteer.country_names()),
            })
    }

    pub fn region(&self, value: &str) -> Result<RegionPath, SearchError> {
        self.gazetteer
            .resolve_region(value)
            .cloned()
            .ok_or_else(|| SearchError::UnknownValue {
                facet: "region",
                value: value.to_string(),
                suggestions: nearest(value, self.gazetteer.region_names()),
            })
    }

    pub fn actor(&self, value: &str) -> Result<Actor, SearchError> {
        if let Some(known) = self.gazetteer.resolve_actor(value) {
            return Ok(Actor {
                name: known.name.clone(),
                kind: known.kind,
            });
        }
        let lower = value.trim().to_lowercase();
        if let Some(actor) = self.index_actors.iter().find(|a| a.name.to_lowercase() == lower) {
            return Ok(actor.clone());
        }
        // A surname alone, when it names one actor of the index.
        let by_last: Vec<&Actor> = self
            .index_actors
            .iter()
            .filter(|a| {
                a.name
                    .split_whitespace()
                    .last()
                    .is_some_and(|w| w.to_lowercase() == lower)
            })
            .collect();
        if by_last.len() == 1 {
            return Ok(by_last[0].clone());
        }
        let names = self
            .index_actors
            .iter()
            .map(|a| a.name.as_str())
            .chain(self.gazetteer.actors.iter().map(|a| a.name.as_str()));
        Err(SearchError::UnknownValue {
            facet: "actor",
            value: value.to_string(),
            suggestions: nearest(value, names),
        })
    }
}

/// Up to three known values closest to `value` (Jaro-Winkler on lower case,
/// plus values that contain it).
pub fn nearest<'a>(value: &str, known: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = value.to_lowercase();
    let mut scored: Vec<(f64, &str)> = known
        .map(|k| {
            let kl = k.to_lowercase();
            let mut score = strsim::jaro_winkler(&lower, &kl);
            if !lower.is_empty() && kl.contains(&lower) {
                score += 0.5;
            }
            (score, k)
        })
        .filter(|(s, _)| *s >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, k) in scored {
        if !out.iter().any(|o| o == k) {
            out.push(k.to_string());
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

/// Every facet value of the index with brief and passage counts, for
/// `briefs facets` and actor resolution.
#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    /// `country`, `region` or `actor`.
    pub facet: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ActorKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub briefs: usize,
    pub passages: usize,
}

/// Counts every facet value over the whole index.
pub fn index_facets(open: &OpenIndex) -> Result<Vec<FacetValue>, SearchError> {
    let reader = open.index.reader().map_err(index::IndexError::from)?;
    let searcher = reader.searcher();
    let collected = searcher.search(&AllQuery, &AllHits)?;
    let no_filters: [Vec<String>; 3] = Default::default();
    let table = FacetTable::new(&collected.facets, &no_filters);
    let pairs: Vec<(&RawHit, [bool; 3])> = collected.hits.iter().map(|h| (h, [true; 3])).collect();
    let counts = count_facets(&pairs, &table, Scope::Passage, usize::MAX);
    let mut out = Vec::new();
    for (name, values) in [
        ("country", counts.country),
        ("region", counts.region),
        ("actor", counts.actor),
    ] {
        out.extend(values.into_iter().map(|v| FacetValue {
            facet: name.to_string(),
            value: v.value,
            kind: v.kind,
            path: v.path,
            briefs: v.count,
            passages: v.passages,
        }));
    }
    Ok(out)
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
    }

    #[test]
    fn facet_prefixes_respect_segments() {
        assert!(facet_matches("/region/Asia/Central Asia", "/region/Asia"));
        assert!(!facet_matches("/region/Asiana", "/region/Asia"));
    }
}
