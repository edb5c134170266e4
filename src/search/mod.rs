//! Ranking passages for a query, with facet filters and facet counts.
//!
//! Everything runs inside tantivy, and the cost follows the answer: the
//! text query, the date range and the facet filters form one query (filters
//! as zero-score clauses); [`collect::TopPassages`] keeps the best passages
//! under the per-brief cap without collecting every match; `total_hits` is
//! counted, not materialised; facet counts come from columns
//! ([`facets::FacetCounter`]); and only the shown hits read stored fields.
//! Scores use the index's exact statistics, so an index updated
//! incrementally ranks exactly like a full build.

pub mod collect;
pub mod explain;
pub mod facets;
pub mod fold;
pub mod highlight;
pub mod query;
pub mod ranking;
pub mod resolve;
pub mod scope;
pub mod seek_union;
pub mod timeline;
pub mod variants;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;

use jiff::civil::Date;
use serde::Serialize;
use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Facet;

use crate::entities::{Actor, ActorKind, RegionPath};
use crate::facet::{self, Dim, FacetValue};
use crate::index::{self, documents::date_seconds, BriefRecord, IndexError, OpenIndex};
use collect::{Order, TopPassages};
use facets::{Counts, FacetCounter};

pub use query::{parse_query, validate_query, ParsedQuery, QUERY_FIELDS};
pub use ranking::Ranking;
pub use resolve::{nearest, FilterResolver};

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
    #[error("--since {since} is after --until {until}: no date can be in both")]
    DateOrder { since: Date, until: Date },
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(err: tantivy::TantivyError) -> SearchError {
        SearchError::Index(IndexError::from(err))
    }
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

/// The order of the hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best score first (newest first when there are no words to score).
    #[default]
    Relevance,
    /// Newest brief first; ties by score, then document, then passage.
    Date,
}

/// A resolved search request (flags already validated).
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    /// Any word may match (plain BM25) instead of all words.
    pub any: bool,
    pub limit: usize,
    /// Hits to skip before the first shown (for paging).
    pub offset: usize,
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
    /// How scores are made.
    pub ranking: Ranking,
    /// Explain each hit's score.
    pub explain: bool,
    pub sort: Sort,
    /// Show near-duplicate passages as hits of their own instead of
    /// folding them into the best of them (see [`fold`]).
    pub keep_duplicates: bool,
    /// Where the user's `actors.toml` and `countries.toml` are, to resolve
    /// `country:` and `actor:` in the query as the flags are resolved;
    /// `None`: the built-in lists only.
    pub corpus: Option<PathBuf>,
}

/// One ranked passage.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub doc: String,
    /// The record's own id, for a brief read from a JSON Lines file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub title: String,
    pub date: Option<String>,
    pub author: Option<String>,
    pub passage: u64,
    pub lines: [u64; 2],
    /// The page, for a brief read from a PDF.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    pub score: f32,
    pub heading: Option<String>,
    pub text: String,
    pub countries: Vec<String>,
    pub actors: Vec<Actor>,
    /// Byte ranges of `text` that match query words.
    pub highlights: Vec<[usize; 2]>,
    /// Near-duplicates of this passage folded into it (the same story
    /// elsewhere), by document then passage.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<fold::AlsoIn>,
    /// Why the hit scored as it did (with `--explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<serde_json::Value>,
}

/// A ranked passage without its stored text: what `briefs eval` needs.
#[derive(Debug, Clone, Serialize)]
pub struct RankedHit {
    pub doc: String,
    /// The record's own id, for a brief read from a JSON Lines file.
    pub id: Option<String>,
    pub passage: u64,
    pub score: f32,
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
    pub count: u64,
    /// Matching passages that have this value.
    pub passages: u64,
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
    pub total_hits: u64,
    pub hits: Vec<Hit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<FacetCounts>,
    /// What the user should know about how the query was read (a pattern
    /// cut at its cap).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SearchRequest {
    fn has_filter(&self) -> bool {
        !self.countries.is_empty() || !self.regions.is_empty() || !self.actors.is_empty()
    }

    /// The filter values of each dimension, as facets.
    pub(crate) fn dims(&self) -> [Vec<Facet>; 3] {
        [
            self.countries.iter().map(|c| facet::country(c)).collect(),
            self.regions.iter().map(|r| facet::region(r)).collect(),
            self.actors.iter().map(facet::actor).collect(),
        ]
    }
}

/// Runs a search.
pub fn search(open: &OpenIndex, request: &SearchRequest) -> Result<SearchResults, SearchError> {
    index::catch_panic(|| run(open, request))
}

/// Parses the request's query and adds the filters it names (`country:`,
/// `actor:`) to the request's own, resolved as the flags are. Spelling
/// variants of names and proximity clauses join the query here.
pub(crate) fn prepare<'r>(
    open: &OpenIndex,
    request: &'r SearchRequest,
) -> Result<(ParsedQuery, Cow<'r, SearchRequest>), SearchError> {
    let ranking = &request.ranking;
    // Mistakes are explained on the query as typed, not as expanded.
    validate_query(&request.query)?;
    let mut parsed = if ranking.variant_weight > 0.0 {
        let expanded = variants::expand(open, &request.query, ranking.variant_weight);
        query::parse_query_ranked(open, &expanded, request.any, ranking)?
    } else {
        query::parse_query_ranked(open, &request.query, request.any, ranking)?
    };
    if let Some(text) = parsed.text.take() {
        let close = ranking::proximity_clauses(open, &request.query, ranking);
        parsed.text = Some(if close.is_empty() {
            text
        } else {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
            clauses.extend(close.into_iter().map(|q| (Occur::Should, q)));
            Box::new(BooleanQuery::new(clauses))
        });
    }
    if parsed.countries.is_empty() && parsed.actors.is_empty() {
        return Ok((parsed, Cow::Borrowed(request)));
    }
    let resolver = match &request.corpus {
        Some(corpus) => FilterResolver::new(open, corpus),
        None => FilterResolver::builtin(open),
    };
    let mut merged = request.clone();
    for value in &parsed.countries {
        let country = resolver.country(value)?;
        if !merged.countries.contains(&country) {
            merged.countries.push(country);
        }
    }
    for value in &parsed.actors {
        let actor = resolver.actor(value)?;
        if !merged.actors.contains(&actor) {
            merged.actors.push(actor);
        }
    }
    Ok((parsed, Cow::Owned(merged)))
}

/// A search's query and its ranked passages (near-duplicates folded unless
/// kept), before stored fields are read.
struct Ranked<'a> {
    query: Box<dyn Query>,
    evidence: Option<ranking::BriefEvidence>,
    kept: Vec<(collect::Ranked, Vec<tantivy::DocAddress>)>,
    folder: fold::Folder<'a>,
    browsing: bool,
    /// Live matches, when the ranking pass counted them.
    total_hits: Option<u64>,
}

fn rank<'a>(open: &'a OpenIndex, request: &SearchRequest, parsed: &ParsedQuery) -> Result<Ranked<'a>, SearchError> {
    let browsing = parsed.text.is_none();
    if browsing && !request.has_filter() && request.since.is_none() && request.until.is_none() {
        return Err(SearchError::EmptyQuery);
    }
    if let (Some(since), Some(until)) = (request.since, request.until) {
        if since > until {
            return Err(SearchError::DateOrder { since, until });
        }
    }
    let text = parsed.text.as_deref();
    let dims = request.dims();
    let clauses = query::Clauses {
        open,
        text,
        dates: (request.since.map(date_seconds), request.until.map(date_seconds)),
        scope: request.scope,
        dims: &dims,
    };
    let query = clauses.all();
    let evidence = match text {
        Some(_) => {
            // The words the query looks for (not those it excludes).
            let mut words = parsed.highlight.terms.clone();
            for phrase in &parsed.highlight.phrases {
                words.extend(phrase.terms.iter().cloned());
            }
            ranking::BriefEvidence::new(open, &words, &request.ranking)?
        }
        None => None,
    };
    let recency = match browsing {
        true => None,
        false => ranking::Recency::of(open, &request.ranking)?,
    };
    let order = match (browsing, request.sort) {
        (true, _) => Order::Newest { scored: false },
        (false, Sort::Date) => Order::Newest { scored: true },
        (false, Sort::Relevance) => Order::Score,
    };
    let statistics = open.statistics();
    // Folding may drop candidates: fetch more than shown, and more again
    // while the kept hits fall short and the index has more to give.
    let want = request.offset + request.limit;
    let mut fetch = if request.keep_duplicates { want } else { want * 2 };
    let mut folder = fold::Folder::new(open);
    // Counted by the first ranking pass when it sees every match anyway.
    let counted = AtomicU64::new(0);
    let mut count_into = match order {
        Order::Score if collect::may_skip(&*query) => None,
        _ => Some(&counted),
    };
    let counting = count_into.is_some();
    let kept = loop {
        let top = TopPassages {
            limit: fetch,
            per_brief: request.per_brief,
            order,
            evidence: evidence.as_ref(),
            recency,
            count_into: count_into.take(),
            open,
        };
        let mut ranked = open
            .searcher
            .search_with_statistics_provider(&*query, &top, &statistics)?;
        collect::settle(&mut ranked, fetch, open)?;
        if request.keep_duplicates {
            break ranked.into_iter().map(|r| (r, Vec::new())).collect::<Vec<_>>();
        }
        let exhausted = ranked.len() < fetch;
        let kept = folder.fold(ranked, want)?;
        if kept.len() >= want || exhausted {
            break kept;
        }
        fetch = fetch.saturating_mul(4);
    };
    let (mut hits, copies): (Vec<_>, Vec<_>) = kept.into_iter().unzip();
    collect::name_briefs(&mut hits, open)?;
    let kept: Vec<_> = hits.into_iter().zip(copies).collect();
    Ok(Ranked {
        query,
        evidence,
        kept,
        folder,
        browsing,
        total_hits: counting.then(|| counted.into_inner()),
    })
}

/// Ranks passages as [`search`] does, reading only each brief's record:
/// no stored text, highlights, facet counts or total. A hit's folded
/// near-duplicates (its `also_in`) follow it, with its score: the reader
/// sees them in the same place.
pub fn rank_only(open: &OpenIndex, request: &SearchRequest) -> Result<Vec<RankedHit>, SearchError> {
    index::catch_panic(|| {
        let (parsed, request) = prepare(open, request)?;
        let request = request.as_ref();
        let ranked = rank(open, request, &parsed)?;
        let mut ids: HashMap<String, Option<String>> = HashMap::new();
        let mut id_of = |key: &str, segment: u32| -> Result<Option<String>, SearchError> {
            if !ids.contains_key(key) {
                let record = brief_record(open, key, segment)?;
                ids.insert(key.to_string(), record.id);
            }
            Ok(ids[key].clone())
        };
        let mut out = Vec::new();
        for (passage, duplicates) in ranked.kept.into_iter().skip(request.offset) {
            let score = if ranked.browsing { 0.0 } else { passage.score };
            out.push(RankedHit {
                id: id_of(&passage.brief, passage.address.segment_ord)?,
                doc: passage.brief,
                passage: passage.ordinal,
                score,
            });
            for address in duplicates {
                for copy in ranked.folder.also_in(&[address])? {
                    out.push(RankedHit {
                        id: id_of(&copy.doc, address.segment_ord)?,
                        doc: copy.doc,
                        passage: copy.passage,
                        score,
                    });
                }
            }
        }
        Ok(out)
    })
}

fn run(open: &OpenIndex, request: &SearchRequest) -> Result<SearchResults, SearchError> {
    let (parsed, request) = prepare(open, request)?;
    let request = request.as_ref();
    let Ranked {
        query,
        evidence,
        kept,
        folder,
        browsing,
        total_hits,
    } = rank(open, request, &parsed)?;
    let dims = request.dims();
    let clauses = query::Clauses {
        open,
        text: parsed.text.as_deref(),
        dates: (request.since.map(date_seconds), request.until.map(date_seconds)),
        scope: request.scope,
        dims: &dims,
    };
    let searcher = &open.searcher;
    let total_hits = match total_hits {
        Some(counted) => counted,
        None => searcher.search(&*query, &Count)? as u64,
    };
    let facets = if request.facets {
        Some(facet_counts(
            count_facets(open, request, &clauses, &dims)?,
            request.facet_limit,
        ))
    } else {
        None
    };
    let explainer = if request.explain && !browsing {
        Some(explain::Explainer::new(
            open,
            &*query,
            evidence.as_ref(),
            ranking::Recency::of(open, &request.ranking)?,
        )?)
    } else {
        None
    };

    let terms = &parsed.highlight;
    let stored = open.stored();
    stored.read_facets_of(kept.iter().skip(request.offset).map(|(ranked, _)| ranked.address))?;
    let mut records: HashMap<String, BriefRecord> = HashMap::new();
    let mut hits = Vec::new();
    for (ranked, duplicates) in kept.into_iter().skip(request.offset) {
        if !records.contains_key(&ranked.brief) {
            let record = brief_record(open, &ranked.brief, ranked.address.segment_ord)?;
            records.insert(ranked.brief.clone(), record);
        }
        let record = &records[&ranked.brief];
        let passage = stored.passage(ranked.address, record)?;
        hits.push(Hit {
            highlights: highlight::highlight(&passage.text, terms),
            doc: passage.doc,
            id: record.id.clone(),
            title: passage.title,
            date: passage.date,
            author: passage.author,
            passage: passage.passage,
            lines: passage.lines,
            page: passage.page,
            score: if browsing { 0.0 } else { ranked.score },
            heading: passage.heading,
            text: passage.text,
            countries: passage.countries,
            actors: passage.actors,
            also_in: folder.also_in(&duplicates)?,
            explanation: match &explainer {
                Some(explainer) => Some(explainer.explain(ranked.address)?),
                None => None,
            },
        });
    }
    Ok(SearchResults {
        query: request.query.clone(),
        total_hits,
        hits,
        facets,
        notes: parsed.notes,
    })
}

/// Multi-select facet counts. A dimension's counts ignore its own filter,
/// so browsing one country (no words, no dates, no other filter) would
/// count that dimension over every passage of the index: those counts are
/// the index's own, read from the term dictionaries, and the other
/// dimensions are counted over the browsed passages only.
fn count_facets(
    open: &OpenIndex,
    request: &SearchRequest,
    clauses: &query::Clauses,
    dims: &[Vec<Facet>; 3],
) -> Result<Vec<(String, Counts)>, SearchError> {
    let filtered: Vec<usize> = (0..3).filter(|&d| !dims[d].is_empty()).collect();
    let whole_index_dim = match filtered.as_slice() {
        [d] if clauses.text.is_none() && clauses.dates == (None, None) && request.scope == Scope::Passage => Some(*d),
        _ => None,
    };
    let mut skip = [false; 3];
    let mut counts = Vec::new();
    if let Some(d) = whole_index_dim {
        skip[d] = true;
        let root = Facet::from_path([Dim::FILTERABLE[d].root()]);
        counts.extend(facets::index_facets(&open.searcher, &root)?);
    }
    let counter = FacetCounter {
        scope: request.scope,
        filters: dims.clone(),
        skip,
        limit: request.facet_limit,
    };
    let relaxed = if whole_index_dim.is_some() {
        clauses.all()
    } else {
        clauses.all_but_one_dim()
    };
    // The two sources count different dimensions: no value is in both.
    counts.extend(open.searcher.search(&*relaxed, &counter)?);
    Ok(counts)
}

/// The record of brief `key`, whose documents are in segment `segment`.
fn brief_record(open: &OpenIndex, key: &str, segment: u32) -> Result<BriefRecord, SearchError> {
    let stored = open.stored();
    let reader = open.searcher.segment_reader(segment);
    for doc in stored.brief_docs(reader, key)? {
        let address = tantivy::DocAddress::new(segment, doc);
        if stored.kind(address)? == Some(index::schema::kind::BRIEF) {
            return Ok(stored.record(address)?);
        }
    }
    Err(IndexError::Corrupt(format!("brief {key:?} has passages but no brief document")).into())
}

/// Sorts and cuts counts into the three dimensions of the output.
///
/// Only the values that can be shown are decoded: per dimension, those
/// counting at least as many briefs as its `limit`-th value (ties at that
/// count are decoded too, since their names decide which are shown). A
/// broad query counts tens of thousands of actors to show ten.
fn facet_counts(counts: Vec<(String, Counts)>, limit: usize) -> FacetCounts {
    let mut by_dim: [Vec<(String, Counts)>; 3] = Default::default();
    for (facet, counts) in counts {
        match FacetValue::dim_of_encoded(&facet) {
            Some(Dim::Country) => by_dim[0].push((facet, counts)),
            Some(Dim::Region) => by_dim[1].push((facet, counts)),
            Some(Dim::Actor) => by_dim[2].push((facet, counts)),
            _ => {}
        }
    }
    let mut out = FacetCounts::default();
    for (values, shown) in by_dim
        .into_iter()
        .zip([&mut out.country, &mut out.region, &mut out.actor])
    {
        for (facet, counts) in at_least_the_top(values, limit) {
            let Some(value) = facet::decode(facet.as_bytes()).and_then(|f| FacetValue::from_facet(&f)) else {
                continue;
            };
            shown.push(FacetCount {
                value: value.display_name().to_string(),
                kind: value.actor_kind(),
                path: value.region_path(),
                count: counts.briefs,
                passages: counts.passages,
            });
        }
        shown.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.value.cmp(&b.value))
                .then_with(|| a.path.cmp(&b.path))
        });
        shown.truncate(limit);
    }
    out
}

/// The values counting at least as many briefs as the `limit`-th most
/// counted one (all of them when there are no more than `limit`).
fn at_least_the_top(mut values: Vec<(String, Counts)>, limit: usize) -> Vec<(String, Counts)> {
    if limit == 0 {
        return Vec::new();
    }
    if let Some(least) = facets::least_shown_briefs(values.iter().map(|(_, c)| c.briefs).collect(), limit) {
        values.retain(|(_, counts)| counts.briefs >= least);
    }
    values
}

/// A facet value of the whole index with its counts, for `briefs facets`.
#[derive(Debug, Clone, Serialize)]
pub struct IndexFacet {
    /// `country`, `region`, `actor` or `tag`.
    pub facet: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ActorKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub briefs: u64,
    pub passages: u64,
}

/// Every facet value of the index with brief and passage counts, most
/// briefs first, from the term dictionaries.
pub fn index_facets(open: &OpenIndex) -> Result<Vec<IndexFacet>, SearchError> {
    let counts = index::catch_panic(|| facets::index_facets(&open.searcher, &Facet::root()))?;
    let out: Vec<IndexFacet> = counts
        .into_iter()
        .filter_map(|(facet, counts)| {
            let value = FacetValue::from_facet(&facet::decode(facet.as_bytes())?)?;
            Some(IndexFacet {
                facet: value.dim().root().to_string(),
                value: value.display_name().to_string(),
                kind: value.actor_kind(),
                path: value.region_path(),
                briefs: counts.briefs,
                passages: counts.passages,
            })
        })
        .collect();
    // The dimension's place is worked out once per value, not per comparison.
    let dim_order = |f: &str| ["country", "region", "actor", "tag"].iter().position(|d| *d == f);
    let mut keyed: Vec<(Option<usize>, IndexFacet)> = out.into_iter().map(|v| (dim_order(&v.facet), v)).collect();
    keyed.sort_unstable_by(|(da, a), (db, b)| {
        da.cmp(db)
            .then(b.briefs.cmp(&a.briefs))
            .then_with(|| a.value.cmp(&b.value))
            .then_with(|| a.path.cmp(&b.path))
            .then(a.kind.cmp(&b.kind))
    });
    Ok(keyed.into_iter().map(|(_, v)| v).collect())
}
