//! The HTML pages: the search page (`/`) and the brief page (`/brief/PATH`).
//!
//! Templates are maud's `html!`, which escapes every value it is given:
//! text from briefs never reaches the page unescaped. `PreEscaped` is not
//! used. Links are built from [`Params`], so each facet value, chip,
//! timeline bar and page number is a plain GET URL of the next state.

use maud::{html, Markup, DOCTYPE};

use super::http::Response;
use super::live::Resolved;
use super::params::{self, decode_pairs, Defaults, FilterDim, Params};
use super::{brief_href, brief_key, find_brief, ActiveFilter, App, Failure, Outcome};
use crate::entities::{Actor, ActorKind};
use crate::output::{brief_view, citation, BriefView};
use crate::search::highlight::highlight;
use crate::search::timeline::Timeline;
use crate::search::{FacetCount, FacetCounts, Hit};

/// What the page asks of a search: facets with room for the "more"
/// expander, and the timeline.
pub const PAGE_DEFAULTS: Defaults = Defaults {
    limit: 10,
    facets: true,
    facet_limit: 100,
    timeline: true,
};

/// Facet values shown before the "more" expander.
const SHOWN: usize = 8;

fn page_url(params: &Params) -> String {
    let query = params.to_query(PAGE_DEFAULTS);
    if query.is_empty() {
        "/".to_string()
    } else {
        format!("/?{query}")
    }
}

fn html_response(status: u16, markup: Markup) -> Response {
    Response::new(status, "text/html; charset=utf-8", markup.into_string())
}

/// The frame of every page.
fn layout(title: &str, params: &Params, body: Markup) -> Markup {
    let version = env!("CARGO_PKG_VERSION");
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href={ "/static/style.css?v=" (version) };
                link rel="icon" type="image/svg+xml" href="/static/favicon.svg";
                script src={ "/static/app.js?v=" (version) } defer {}
            }
            body {
                header.top {
                    a.logo href="/" { "briefs" }
                    (search_form(params))
                }
                (body)
            }
        }
    }
}

/// The search form: the query, dates and options, and the active filters
/// as hidden fields so that a new query keeps them.
fn search_form(params: &Params) -> Markup {
    let since = params.since.as_ref().map(|(s, _)| s.as_str()).unwrap_or("");
    let until = params.until.as_ref().map(|(s, _)| s.as_str()).unwrap_or("");
    html! {
        form.search action="/" method="get" role="search" {
            input type="search" name="q" value=(params.q) aria-label="Query"
                placeholder="words, \"a phrase\", -word, title:word";
            @for (dim, value) in &params.filters {
                input type="hidden" name=(dim.name()) value=(value);
            }
            label.date { "from " input type="text" name="since" value=(since) size="10" placeholder="YYYY-MM-DD" aria-label="From date"; }
            label.date { "to " input type="text" name="until" value=(until) size="10" placeholder="YYYY-MM-DD" aria-label="To date"; }
            @if params.per_brief != 2 {
                input type="hidden" name="per_brief" value=(params.per_brief);
            }
            @if params.limit != PAGE_DEFAULTS.limit {
                input type="hidden" name="limit" value=(params.limit);
            }
            label.option title="Match passages with any of the words instead of all" {
                input type="checkbox" name="any" value="1" checked[params.any]; " any word"
            }
            label.option title="Apply country, region and actor filters to the passage or to its whole brief" {
                "filters apply to "
                select name="scope" {
                    option value="passage" selected[params.scope == crate::search::Scope::Passage] { "the passage" }
                    option value="brief" selected[params.scope == crate::search::Scope::Brief] { "the whole brief" }
                }
            }
            label.option title="Order of the results" {
                "sort by "
                select name="sort" {
                    option value="relevance" selected[params.sort == crate::search::Sort::Relevance] { "relevance" }
                    option value="date" selected[params.sort == crate::search::Sort::Date] { "date" }
                }
            }
            button type="submit" { "Search" }
        }
    }
}

/// `/`: the search page.
pub fn search_page(app: &App, query: &str) -> Response {
    let mut params = match Params::parse(query, PAGE_DEFAULTS) {
        Ok(params) => params,
        Err(err) => {
            let mut fallback = Params::empty(PAGE_DEFAULTS);
            // Keep what was typed in the box, so it can be corrected.
            if let Ok(pairs) = decode_pairs(query) {
                if let Some((_, q)) = pairs.into_iter().find(|(k, _)| k == "q") {
                    fallback.q = q;
                }
            }
            return failure_page(app, &fallback, &Failure::from(err));
        }
    };
    params.facets = true;
    params.timeline = true;
    let (generation, notice) = app.live.get();
    let outcome = if params.is_blank() {
        None
    } else {
        match app.run(&generation, &params) {
            Ok(outcome) => Some(outcome),
            Err(err) => return failure_page(app, &params, &Failure::from(err)),
        }
    };
    let landing = match outcome {
        Some(_) => None,
        None => {
            let timeline = generation.index_timeline().cloned();
            let facets = generation.index_facets().map(index_facet_counts);
            match (timeline, facets) {
                (Ok(t), Ok(f)) => Some((t, f)),
                (Err(e), _) | (_, Err(e)) => return failure_page(app, &params, &Failure::from(e)),
            }
        }
    };
    let state = &generation.open.state;
    let title = if params.q.is_empty() {
        "briefs".to_string()
    } else {
        format!("{} - briefs", params.q)
    };
    let (facets, timeline, filters) = match (&outcome, &landing) {
        (Some(o), _) => (
            o.results.facets.clone().unwrap_or_default(),
            o.timeline.clone().unwrap_or_default(),
            o.filters.as_slice(),
        ),
        (None, Some((t, f))) => (f.clone(), t.clone(), &[][..]),
        (None, None) => (FacetCounts::default(), Timeline::default(), &[][..]),
    };
    let body = html! {
        div.layout {
            aside.sidebar aria-label="Filters" {
                (active_filters(&params, filters))
                (facet_section("Countries", FilterDim::Country, &facets.country, &params, filters))
                (region_section(&facets.region, &params, filters))
                (facet_section("Actors", FilterDim::Actor, &facets.actor, &params, filters))
                @if outcome.is_none() {
                    p.hint { "Counts are briefs in the whole index. Pick a value to browse, or search." }
                }
            }
            main.results {
                @if let Some(notice) = &notice {
                    p.notice role="status" { (notice) }
                }
                (timeline_section(&timeline, &params))
                @match &outcome {
                    Some(outcome) => { (results(outcome, &params)) }
                    None => {
                        p.summary {
                            (state.briefs) " briefs, " (state.passages) " passages. "
                            "Type a query, or pick a country, region or actor to browse the newest first."
                        }
                    }
                }
            }
        }
        (footer(app, &params, state))
    };
    html_response(200, layout(&title, &params, body))
}

/// The whole index's facet values as search facet counts, for the first page.
fn index_facet_counts(values: &[crate::search::IndexFacet]) -> FacetCounts {
    let mut out = FacetCounts::default();
    for v in values {
        let count = FacetCount {
            value: v.value.clone(),
            kind: v.kind,
            path: v.path.clone(),
            count: v.briefs,
            passages: v.passages,
        };
        let list = match v.facet.as_str() {
            "country" => &mut out.country,
            "region" => &mut out.region,
            "actor" => &mut out.actor,
            _ => continue,
        };
        if list.len() < PAGE_DEFAULTS.facet_limit {
            list.push(count);
        }
    }
    out
}

fn footer(app: &App, params: &Params, state: &crate::index::IndexState) -> Markup {
    let api = {
        let mut p = params.clone();
        p.facets = true;
        p.timeline = true;
        format!("/api/search?{}", p.to_query(params::API_DEFAULTS))
    };
    html! {
        footer.bottom {
            "Index: " (state.briefs) " briefs, " (state.passages) " passages, built " (state.built_at) ". "
            @if !params.is_blank() {
                a href=(api) { "This search as JSON" } ". "
            }
            span.muted { "Index folder " (app.live.dir().display()) "." }
        }
    }
}

fn active_filters(params: &Params, filters: &[ActiveFilter]) -> Markup {
    let dates = params.since.is_some() || params.until.is_some();
    if filters.is_empty() && !dates {
        return html! {};
    }
    let mut cleared = Params::empty(PAGE_DEFAULTS);
    cleared.q = params.q.clone();
    cleared.any = params.any;
    html! {
        section.active aria-label="Active filters" {
            h2 { "Filters" }
            ul.chips {
                @for filter in filters {
                    li {
                        a class={ "chip removable " (filter.dim.name()) }
                            href=(page_url(&params.without_filters(filter.dim, &[filter.raw.as_str()])))
                            title="Remove this filter" {
                            span.dim { (filter.dim.name()) } " " (filter.display())
                        }
                    }
                }
                @if dates {
                    li {
                        a.chip.removable.dates href=(page_url(&params.with_dates(None, None))) title="Remove the date range" {
                            span.dim { "dates" } " "
                            (params.since.as_ref().map(|(s, _)| s.as_str()).unwrap_or("…"))
                            " – "
                            (params.until.as_ref().map(|(s, _)| s.as_str()).unwrap_or("…"))
                        }
                    }
                }
            }
            a.clear href=(page_url(&cleared)) { "clear all" }
        }
    }
}

/// The key of a facet value in links and comparisons: a region's path.
fn facet_key(dim: FilterDim, count: &FacetCount) -> String {
    match dim {
        FilterDim::Region => count.path.clone().unwrap_or_else(|| count.value.clone()),
        _ => count.value.clone(),
    }
}

/// The link that toggles a facet value: adds it, or removes it when active.
fn toggle(params: &Params, filters: &[ActiveFilter], dim: FilterDim, key: &str) -> (bool, String) {
    let raws: Vec<&str> = filters
        .iter()
        .filter(|f| f.dim == dim && f.facet_key() == key)
        .map(|f| f.raw.as_str())
        .collect();
    if raws.is_empty() {
        (false, page_url(&params.with_filter(dim, key)))
    } else {
        (true, page_url(&params.without_filters(dim, &raws)))
    }
}

fn facet_value(params: &Params, filters: &[ActiveFilter], dim: FilterDim, count: &FacetCount, label: &str) -> Markup {
    let key = facet_key(dim, count);
    let (active, href) = toggle(params, filters, dim, &key);
    let kind = count.kind.map(|k| k.as_str());
    html! {
        a class=(classes("facet-value", active)) href=(href) aria-current=[active.then_some("true")]
            title={ (count.count) " briefs, " (count.passages) " passages" } {
            span.name { (label) }
            @if let Some(kind) = kind { " " span.kind { (kind) } }
            span.count { (count.count) }
        }
    }
}

fn facet_section(
    title: &str,
    dim: FilterDim,
    counts: &[FacetCount],
    params: &Params,
    filters: &[ActiveFilter],
) -> Markup {
    let (shown, more) = counts.split_at(counts.len().min(SHOWN));
    html! {
        section.facet data-facet=(dim.name()) {
            h2 { (title) }
            @if counts.is_empty() {
                p.none { "none" }
            }
            ul {
                @for count in shown {
                    li { (facet_value(params, filters, dim, count, &count.value)) }
                }
            }
            @if !more.is_empty() {
                details.more {
                    summary { (more.len()) " more" }
                    ul {
                        @for count in more {
                            li { (facet_value(params, filters, dim, count, &count.value)) }
                        }
                    }
                }
            }
        }
    }
}

/// Regions as a tree: each UN region with its sub-regions under it.
fn region_section(counts: &[FacetCount], params: &Params, filters: &[ActiveFilter]) -> Markup {
    let path_of = |c: &FacetCount| c.path.clone().unwrap_or_else(|| c.value.clone());
    let roots: Vec<&FacetCount> = counts.iter().filter(|c| !path_of(c).contains('/')).collect();
    // Sub-regions whose region was cut from the list are shown as roots.
    let orphans: Vec<&FacetCount> = counts
        .iter()
        .filter(|c| {
            let path = path_of(c);
            match path.split_once('/') {
                Some((root, _)) => !roots.iter().any(|r| path_of(r) == root),
                None => false,
            }
        })
        .collect();
    let children = |root: &FacetCount| -> Vec<&FacetCount> {
        let prefix = format!("{}/", path_of(root));
        counts.iter().filter(|c| path_of(c).starts_with(&prefix)).collect()
    };
    html! {
        section.facet.regions data-facet="region" {
            h2 { "Regions" }
            @if counts.is_empty() {
                p.none { "none" }
            }
            ul.tree {
                @for root in roots.iter().chain(orphans.iter()) {
                    li {
                        (facet_value(params, filters, FilterDim::Region, root, &root.value))
                        @let kids = children(root);
                        @if !kids.is_empty() {
                            ul {
                                @for kid in kids {
                                    li { (facet_value(params, filters, FilterDim::Region, kid, &kid.value)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One bar of the timeline: a month, or a year when the span is long.
struct Bucket {
    label: String,
    since: String,
    until: String,
    briefs: u64,
    /// Whether the bucket lies in the chosen date range (`None`: no range).
    selected: Option<bool>,
}

/// Months beyond this span are drawn as years.
const MAX_MONTH_BARS: i64 = 120;

fn buckets(timeline: &Timeline, params: &Params) -> Vec<Bucket> {
    let months: Vec<(i64, u64)> = timeline
        .months
        .iter()
        .filter_map(|m| {
            let (y, mo) = m.month.split_once('-')?;
            Some((y.parse::<i64>().ok()? * 12 + mo.parse::<i64>().ok()? - 1, m.briefs))
        })
        .collect();
    let (Some(first), Some(last)) = (months.first().map(|m| m.0), months.last().map(|m| m.0)) else {
        return Vec::new();
    };
    let by_year = last - first >= MAX_MONTH_BARS;
    let (lo, hi) = if by_year {
        (first / 12, last / 12)
    } else {
        (first, last)
    };
    let mut out: Vec<Bucket> = (lo..=hi)
        .map(|k| {
            let (label, since, until) = if by_year {
                (k.to_string(), k.to_string(), k.to_string())
            } else {
                let month = format!("{:04}-{:02}", k / 12, k % 12 + 1);
                (month.clone(), month.clone(), month)
            };
            Bucket {
                label,
                since,
                until,
                briefs: 0,
                selected: None,
            }
        })
        .collect();
    for (key, briefs) in months {
        let i = if by_year { key / 12 - lo } else { key - lo };
        if let Some(bucket) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
            bucket.briefs += briefs;
        }
    }
    if params.since.is_some() || params.until.is_some() {
        for bucket in &mut out {
            let start = params::date("since", &bucket.since, false).ok();
            let end = params::date("until", &bucket.until, true).ok();
            let after_since = params.since.as_ref().is_none_or(|(_, s)| end.is_some_and(|e| e >= *s));
            let before_until = params
                .until
                .as_ref()
                .is_none_or(|(_, u)| start.is_some_and(|b| b <= *u));
            bucket.selected = Some(after_since && before_until);
        }
    }
    out
}

fn timeline_section(timeline: &Timeline, params: &Params) -> Markup {
    let bars = buckets(timeline, params);
    let by_year = bars.first().is_some_and(|b| !b.label.contains('-'));
    let max = bars.iter().map(|b| b.briefs).max().unwrap_or(0).max(1);
    let (width, height) = (800.0_f64, 80.0_f64);
    let slot = width / bars.len().max(1) as f64;
    let base = page_url(&params.with_dates(None, None));
    let total: u64 = bars.iter().map(|b| b.briefs).sum();
    html! {
        section.timeline aria-label="Briefs per month" {
            h2 {
                @if by_year { "Briefs per year" } @else { "Briefs per month" }
                @if params.since.is_some() || params.until.is_some() {
                    " " a.clear href=(base) { "clear dates" }
                }
            }
            @if bars.is_empty() {
                p.none { "No dated briefs." }
            } @else {
                svg.timeline-chart viewBox="0 0 800 98" data-base=(base) preserveAspectRatio="xMidYMid meet" {
                    @for (i, bar) in bars.iter().enumerate() {
                        @let x = i as f64 * slot;
                        @let h = if bar.briefs == 0 { 0.0 } else { (bar.briefs as f64 / max as f64 * height).max(2.0) };
                        @let link = params.with_dates(
                            params::date("since", &bar.since, false).ok().map(|d| (bar.since.clone(), d)),
                            params::date("until", &bar.until, true).ok().map(|d| (bar.until.clone(), d)),
                        );
                        @let class = match bar.selected { Some(true) => "bar in", Some(false) => "bar out", None => "bar" };
                        a class=(class) href=(page_url(&link)) data-since=(bar.since) data-until=(bar.until)
                            aria-label={ (bar.label) ": " (bar.briefs) " briefs" } draggable="false" {
                            title { (bar.label) ": " (bar.briefs) " briefs" }
                            rect.slot x=(fmt(x)) y="0" width=(fmt(slot)) height=(fmt(height)) {}
                            rect.fill x=(fmt(x + slot * 0.12)) y=(fmt(height - h)) width=(fmt(slot * 0.76)) height=(fmt(h)) {}
                        }
                    }
                    @for (i, label) in axis_labels(&bars, by_year) {
                        text.label x=(fmt(i as f64 * slot + 1.0)) y="94" { (label) }
                    }
                }
                p.timeline-note {
                    (total) " dated briefs"
                    @if timeline.undated > 0 { ", " (timeline.undated) " undated" }
                    ". Click a bar for its " @if by_year { "year" } @else { "month" } "; drag across bars for a range."
                }
            }
        }
    }
}

/// Labels under the bars, at most about ten: every month of a short span,
/// else years (at their January, or every k-th year).
fn axis_labels(bars: &[Bucket], by_year: bool) -> Vec<(usize, String)> {
    let n = bars.len();
    if by_year {
        let step = n.div_ceil(10).max(1);
        return bars
            .iter()
            .enumerate()
            .filter(|(i, _)| i % step == 0)
            .map(|(i, b)| (i, b.label.clone()))
            .collect();
    }
    if n <= 12 {
        return bars.iter().enumerate().map(|(i, b)| (i, b.label.clone())).collect();
    }
    let step = (n / 12 + 1).div_ceil(10).max(1);
    let mut out: Vec<(usize, String)> = bars
        .iter()
        .enumerate()
        .filter(|(_, b)| b.label.ends_with("-01"))
        .filter(|(_, b)| b.label[..4].parse::<usize>().is_ok_and(|y| y % step == 0))
        .map(|(i, b)| (i, b.label[..4].to_string()))
        .collect();
    // The first bar names its month unless a year label follows closely.
    if out.first().is_none_or(|(i, _)| *i > 4 * step) {
        out.insert(0, (0, bars[0].label.clone()));
    }
    out
}

/// A class list with `active` added when it is.
fn classes(base: &str, active: bool) -> String {
    if active {
        format!("{base} active")
    } else {
        base.to_string()
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

fn results(outcome: &Outcome, params: &Params) -> Markup {
    let hits = &outcome.results.hits;
    let first = params.offset + 1;
    let last = params.offset + hits.len();
    let prev = (params.offset > 0).then(|| params.with_offset(params.offset.saturating_sub(params.limit)));
    let next = (hits.len() == params.limit
        && (params.offset + hits.len()) < outcome.results.total_hits as usize
        && params.offset + params.limit <= params::MAX_OFFSET)
        .then(|| params.with_offset(params.offset + params.limit));
    html! {
        p.summary {
            @if hits.is_empty() {
                "No passages match."
            } @else {
                (outcome.results.total_hits) " matching passages; " (first) "–" (last) " shown"
                " (at most " (params.per_brief) " per brief)."
            }
        }
        ol.hits start=(first) {
            @for hit in hits {
                (hit_item(hit, params, &outcome.filters))
            }
        }
        @if prev.is_some() || next.is_some() {
            nav.pager aria-label="Pages" {
                @if let Some(prev) = &prev { a.prev rel="prev" href=(page_url(prev)) { "← previous" } }
                span.page { "page " (params.offset / params.limit + 1) }
                @if let Some(next) = &next { a.next rel="next" href=(page_url(next)) { "next →" } }
            }
        }
    }
}

/// Text with the given byte ranges marked; ranges that do not fall on
/// character bounds, overlap or run past the end are skipped.
fn marked(text: &str, ranges: &[[usize; 2]]) -> Markup {
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    let mut at = 0;
    for &[start, end] in ranges {
        let ok = |i: usize| i <= text.len() && text.is_char_boundary(i);
        if start < at || end <= start || !ok(start) || !ok(end) {
            continue;
        }
        pieces.push((&text[at..start], false));
        pieces.push((&text[start..end], true));
        at = end;
    }
    pieces.push((&text[at..], false));
    html! {
        @for (piece, hit) in pieces {
            @if hit { mark { (piece) } } @else { (piece) }
        }
    }
}

fn chips(
    params: &Params,
    filters: &[ActiveFilter],
    countries: &[String],
    regions: &[String],
    actors: &[Actor],
) -> Markup {
    let actor_kind = |a: &Actor| match a.kind {
        ActorKind::Person => "person",
        ActorKind::Org => "org",
    };
    html! {
        ul.chips {
            @for c in countries {
                @let (active, href) = toggle(params, filters, FilterDim::Country, c);
                li { a class=(classes("chip country", active)) href=(href) title="country: filter by it" { (c) } }
            }
            @for r in regions {
                @let (active, href) = toggle(params, filters, FilterDim::Region, r);
                li { a class=(classes("chip region", active)) href=(href) title="region: filter by it" { (r.rsplit('/').next().unwrap_or(r)) } }
            }
            @for a in actors {
                @let (active, href) = toggle(params, filters, FilterDim::Actor, &a.name);
                li { a class=(classes(&format!("chip actor {}", actor_kind(a)), active)) href=(href) title={ (actor_kind(a)) ": filter by it" } { (a.name) } }
            }
        }
    }
}

fn hit_item(hit: &Hit, params: &Params, filters: &[ActiveFilter]) -> Markup {
    let query = params.to_query(PAGE_DEFAULTS);
    let href = format!(
        "{}{}{}#p{}",
        brief_href(&hit.doc),
        if query.is_empty() { "" } else { "?" },
        query,
        hit.passage
    );
    html! {
        li.hit {
            h3.hit-title { a href=(href) { (hit.title) } }
            div.hit-meta {
                @match &hit.date {
                    Some(date) => { time datetime=(date) { (date) } }
                    None => { span.undated { "undated" } }
                }
                " · " a.cite href=(href) { (citation(&hit.doc, hit.lines[0], hit.page)) }
                @if let Some(author) = &hit.author { " · " span.author { (author) } }
            }
            @if let Some(heading) = &hit.heading {
                p.hit-heading { (heading) }
            }
            p.hit-text { (marked(&hit.text, &hit.highlights)) }
            @if !hit.also_in.is_empty() {
                p.also-in {
                    "also in: "
                    @for (i, also) in hit.also_in.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ (brief_href(&also.doc)) "#p" (also.passage) } {
                            (also.doc) " ¶" (also.passage)
                        }
                        @if let Some(date) = &also.date { " (" (date) ")" }
                    }
                }
            }
            (chips(params, filters, &hit.countries, &[], &hit.actors))
        }
    }
}

/// A page that says what went wrong, with the form to correct it.
fn failure_page(app: &App, params: &Params, failure: &Failure) -> Response {
    let (generation, _) = app.live.get();
    let body = html! {
        div.layout.single {
            main.results {
                section.error role="alert" {
                    h2 { @if failure.status == 404 { "Not found" } @else if failure.status >= 500 { "Error" } @else { "Cannot search that" } }
                    pre { (failure.message) }
                    p { a href="/" { "Start over" } }
                }
            }
        }
        (footer(app, params, &generation.open.state))
    };
    html_response(failure.status, layout("briefs: error", params, body))
}

/// A plain error page (an unknown path).
pub fn error_page(app: &App, failure: &Failure) -> Response {
    failure_page(app, &Params::empty(PAGE_DEFAULTS), failure)
}

/// `/brief/PATH`: one brief with its passages, their facets and the text
/// that produced each facet (as `briefs show`). The search parameters ride
/// along, for highlighting and for the way back.
pub fn brief_page(app: &App, raw_key: &str, query: &str) -> Response {
    let params = match Params::parse(query, PAGE_DEFAULTS) {
        Ok(params) => params,
        Err(err) => return failure_page(app, &Params::empty(PAGE_DEFAULTS), &Failure::from(err)),
    };
    let key = match brief_key(raw_key, true) {
        Ok(key) => key,
        Err(failure) => return failure_page(app, &params, &failure),
    };
    let (generation, notice) = app.live.get();
    let (record, passages, title) = match find_brief(app, &generation, &key) {
        Ok(found) => found,
        Err(failure) => return failure_page(app, &params, &failure),
    };
    let view = brief_view(&record, &passages, &title);
    // Words of the query are marked; a query that does not parse marks nothing.
    let terms = if params.q.is_empty() {
        Default::default()
    } else {
        match crate::search::parse_query(&generation.open, &params.q, params.any) {
            Ok(parsed) => parsed.highlight,
            Err(_) => Default::default(),
        }
    };
    // The search's filters, so that chips toggle them; values that do not
    // resolve (the page only marks with them) stand for themselves.
    let filters: Vec<ActiveFilter> = app.resolve(&generation, &params).unwrap_or_else(|_| {
        params
            .filters
            .iter()
            .map(|(dim, raw)| ActiveFilter {
                dim: *dim,
                raw: raw.clone(),
                resolved: match dim {
                    FilterDim::Country => Resolved::Country(raw.clone()),
                    FilterDim::Region => Resolved::Region(raw.split('/').map(str::to_string).collect()),
                    FilterDim::Actor => Resolved::Actor(Actor {
                        name: raw.clone(),
                        kind: ActorKind::Person,
                    }),
                },
            })
            .collect()
    });
    let back = if params.is_blank() {
        None
    } else {
        Some(page_url(&params))
    };
    let body = html! {
        div.layout.single {
            main.brief {
                @if let Some(notice) = &notice {
                    p.notice role="status" { (notice) }
                }
                @if let Some(back) = &back {
                    nav.back { a href=(back) { "← back to the results" } }
                }
                (brief_header(&view, &params, &filters))
                ol.passages {
                    @for p in &view.passages {
                        @let ranges = highlight(p.text, &terms);
                        li.passage.has-match[!ranges.is_empty()] id={ "p" (p.passage) } {
                            div.passage-head {
                                a.anchor href={ "#p" (p.passage) } { "¶ " (p.passage) }
                                " "
                                span.where {
                                    @match p.page {
                                        Some(page) => { "page " (page) }
                                        None => { "lines " (p.lines[0]) "–" (p.lines[1]) }
                                    }
                                }
                            }
                            @if let Some(heading) = p.heading {
                                h3.passage-heading { (heading) }
                            }
                            p.passage-text { (marked(p.text, &ranges)) }
                            (chips(&params, &filters, p.countries, p.regions, p.actors))
                            (mentions(p.mentions))
                        }
                    }
                }
            }
        }
        (footer(app, &params, &generation.open.state))
    };
    html_response(200, layout(&format!("{} - briefs", view.title), &params, body))
}

fn brief_header(view: &BriefView, params: &Params, filters: &[ActiveFilter]) -> Markup {
    let web_url = view
        .url
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    html! {
        h1 { (view.title) }
        dl.brief-meta {
            dt { "path" } dd { code { (view.doc) } }
            @if let Some(id) = view.id { dt { "id" } dd { (id) } }
            dt { "date" } dd { (view.date.unwrap_or("none")) }
            dt { "author" } dd { (view.author.unwrap_or("none")) }
            dt { "source" } dd { (view.source.unwrap_or("none")) }
            @if let Some(url) = view.url {
                dt { "url" }
                dd {
                    @if let Some(link) = web_url {
                        a href=(link) rel="noopener noreferrer" { (url) }
                    } @else { (url) }
                }
            }
            @if let Some(encoding) = view.encoding { dt { "encoding" } dd { (encoding) } }
            @if !view.tags.is_empty() { dt { "tags" } dd { (view.tags.join(", ")) } }
            dt { "facets" }
            dd { (chips(params, filters, &view.countries, &[], &view.actors)) }
        }
        @if !view.title_mentions.is_empty() {
            section.title-mentions {
                h2 { "From the title and the file" }
                (mentions(view.title_mentions))
            }
        }
    }
}

/// What text made each facet: `country Iran ← "Tehran" (surname)`.
fn mentions(mentions: &[crate::entities::Mention]) -> Markup {
    if mentions.is_empty() {
        return html! {};
    }
    html! {
        ul.mentions {
            @for m in mentions {
                li {
                    span.facet-name { (m.facet) } " "
                    strong { (m.value) }
                    " ← “" (m.text) "”"
                    @if let Some(via) = m.via {
                        " " span.via {
                            "(" (via.as_str())
                            @if let Some(margin) = m.margin { ", margin " (format!("{:.1}", margin.0)) }
                            ")"
                        }
                    }
                }
            }
        }
    }
}
