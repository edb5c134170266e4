//! Printers: text for people, JSON for tools.
//!
//! JSON shapes are a contract (documented in README.md and checked by tests
//! that deserialize them): fields are only ever added, never renamed.

use std::io::{self, Write};

use serde::Serialize;

use crate::entities::{Actor, ActorKind, Mention, PassageEntities};
use crate::index::{BriefRecord, BuildReport, StoredPassage};
use crate::search::{FacetCount, Hit, IndexFacet, SearchResults};

/// ANSI styles, or nothing when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
    fn path(&self, text: &str) -> String {
        self.wrap("35", text)
    }
    fn hit(&self, text: &str) -> String {
        self.wrap("1;31", text)
    }
}

/// Writes a value as one line of JSON. The line is encoded first and then
/// written, so a closed pipe (`briefs export | head -1`) comes back as the
/// plain I/O error it is, which the binary answers by exiting quietly.
pub fn write_json<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let mut line = serde_json::to_vec(value).map_err(io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// The passage text with query words in colour. Without colour the text is
/// printed as it is: markers such as brackets would change what users copy.
/// Control characters in the text are escaped piece by piece, so the
/// colour codes added here are the only ones that reach the terminal.
fn highlighted(text: &str, ranges: &[[usize; 2]], style: Style) -> String {
    if !style.color || ranges.is_empty() {
        return sanitize(text).into_owned();
    }
    let mut out = String::with_capacity(text.len() + ranges.len() * 12);
    let mut at = 0;
    for &[start, end] in ranges {
        let in_text = |i: usize| i <= text.len() && text.is_char_boundary(i);
        if start < at || end < start || !in_text(start) || !in_text(end) {
            continue;
        }
        out.push_str(&sanitize(&text[at..start]));
        out.push_str(&style.hit(&sanitize(&text[start..end])));
        at = end;
    }
    out.push_str(&sanitize(&text[at..]));
    out
}

/// Where a passage is: `path:line`, or `path#page=3` for a paged format.
pub fn citation(doc: &str, line: u64, page: Option<u64>) -> String {
    match page {
        Some(page) => format!("{doc}#page={page}"),
        None => format!("{doc}:{line}"),
    }
}

fn actor_names(actors: &[Actor]) -> String {
    actors.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// Prints search results for a person.
pub fn print_search_text(out: &mut impl Write, results: &SearchResults, style: Style) -> io::Result<()> {
    if results.hits.is_empty() {
        writeln!(out, "no passages match")?;
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        print_hit(out, rank + 1, hit, style)?;
    }
    let shown = results.hits.len();
    writeln!(
        out,
        "{}",
        style.dim(&format!("{shown} of {} matching passages shown", results.total_hits))
    )?;
    if let Some(facets) = &results.facets {
        writeln!(out)?;
        print_facet_table(out, "Countries", &facets.country, style)?;
        print_facet_table(out, "Regions", &facets.region, style)?;
        print_facet_table(out, "Actors", &facets.actor, style)?;
    }
    Ok(())
}

fn print_hit(out: &mut impl Write, rank: usize, hit: &Hit, style: Style) -> io::Result<()> {
    let date = hit.date.as_deref().unwrap_or("undated");
    writeln!(
        out,
        "{:>2}. {}  {}  {}",
        rank,
        style.bold(&sanitize(&hit.title)),
        style.dim(date),
        style.dim(&format!("score {:.3}", hit.score))
    )?;
    writeln!(
        out,
        "    {}",
        style.path(&sanitize(&citation(&hit.doc, hit.lines[0], hit.page)))
    )?;
    if let Some(heading) = &hit.heading {
        writeln!(out, "    {}", style.bold(&sanitize(heading)))?;
    }
    writeln!(out, "    {}", highlighted(&hit.text, &hit.highlights, style))?;
    let mut tags = Vec::new();
    if !hit.countries.is_empty() {
        tags.push(format!("countries: {}", hit.countries.join(", ")));
    }
    if !hit.actors.is_empty() {
        tags.push(format!("actors: {}", actor_names(&hit.actors)));
    }
    if !tags.is_empty() {
        writeln!(out, "    {}", style.dim(&sanitize(&tags.join("  |  "))))?;
    }
    if !hit.also_in.is_empty() {
        let places: Vec<String> = hit
            .also_in
            .iter()
            .map(|a| {
                let date = a.date.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
                format!("{} ¶{}{date}", a.doc, a.passage)
            })
            .collect();
        writeln!(
            out,
            "    {}",
            style.dim(&sanitize(&format!("also in: {}", places.join(", "))))
        )?;
    }
    if let Some(explanation) = &hit.explanation {
        let mut tree = Vec::new();
        crate::search::explain::write_tree(&mut tree, explanation, 4)?;
        write!(out, "{}", sanitize_lines(&String::from_utf8_lossy(&tree)))?;
    }
    writeln!(out)
}

/// [`sanitize`] line by line, keeping the line breaks.
fn sanitize_lines(text: &str) -> String {
    text.lines().map(|l| sanitize(l) + "\n").collect()
}

fn print_facet_table(out: &mut impl Write, name: &str, values: &[FacetCount], style: Style) -> io::Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", style.bold(&format!("{name} (briefs / passages)")))?;
    let width = values
        .iter()
        .map(|v| v.value.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for v in values {
        let kind = v.kind.map(|k| format!("  {}", k.as_str())).unwrap_or_default();
        writeln!(
            out,
            "  {:<width$}  {:>4}  {:>5}{}",
            sanitize(&v.value),
            v.count,
            v.passages,
            style.dim(&kind)
        )?;
    }
    writeln!(out)
}

/// Prints an index run's errors and warnings, one a line, for stderr. A
/// stderr that cannot be written (closed, a full disk) is not a reason to
/// fail the run: the report still decides the exit code.
pub fn print_build_problems(err: &mut impl Write, report: &BuildReport) {
    for problem in &report.errors {
        let _ = writeln!(err, "error: {}", sanitize(&problem.error));
    }
    for warning in &report.warnings {
        let _ = writeln!(err, "warning: {}", sanitize(&warning.error));
    }
}

/// Text from briefs and file names as it may be shown on a terminal: control
/// characters (escape sequences that could move the cursor or retitle the
/// window) are written as `\u{1b}` instead of being sent.
pub fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() && c != '\t' {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// JSON of a search, the documented contract.
pub fn print_search_json(out: &mut impl Write, results: &SearchResults) -> io::Result<()> {
    write_json(out, results)
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: &[&str] = &["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Prints the summary of `briefs index`.
/// Prints the summary of an index run (errors and warnings go to stderr,
/// through [`print_build_problems`]).
pub fn print_build_text(out: &mut impl Write, report: &BuildReport, style: Style) -> io::Result<()> {
    if let Some(up_to_date) = report.up_to_date {
        if up_to_date && !report.errors.is_empty() {
            writeln!(
                out,
                "index {} matches {} ({} briefs), but {} brief(s) could not be read (see the errors)",
                report.index,
                report.corpus,
                report.briefs,
                report.errors.len()
            )?;
        } else if up_to_date {
            writeln!(
                out,
                "index {} is up to date with {} ({} briefs)",
                report.index, report.corpus, report.briefs
            )?;
        } else {
            writeln!(out, "index {} is stale:", report.index)?;
            if let Some(reason) = &report.reason {
                writeln!(out, "  {reason}")?;
            }
            for (label, paths) in [
                ("added", &report.added),
                ("changed", &report.changed),
                ("removed", &report.removed),
            ] {
                for path in paths.iter() {
                    writeln!(out, "  {label:<8} {path}")?;
                }
            }
        }
        return Ok(());
    }
    let what = if report.mode == "full" { "built" } else { "updated" };
    writeln!(
        out,
        "{} {}: {} briefs, {} passages in {:.2}s, {} on disk",
        style.bold(what),
        report.index,
        report.briefs,
        report.passages,
        report.seconds,
        human_bytes(report.index_bytes)
    )?;
    writeln!(
        out,
        "  {} added, {} changed, {} removed, {} unchanged{}",
        report.added.len(),
        report.changed.len(),
        report.removed.len(),
        report.unchanged,
        report
            .reason
            .as_ref()
            .map(|r| format!(" (full build: {r})"))
            .unwrap_or_default()
    )?;
    if !report.errors.is_empty() {
        writeln!(
            out,
            "  {} briefs could not be read (see errors above)",
            report.errors.len()
        )?;
    }
    Ok(())
}

/// Prints `briefs facets`.
pub fn print_facet_values_text(out: &mut impl Write, values: &[IndexFacet], style: Style) -> io::Result<()> {
    if values.is_empty() {
        return writeln!(out, "no facet values");
    }
    let width = values
        .iter()
        .map(|v| v.value.chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    writeln!(
        out,
        "{}",
        style.dim(&format!("{:<8} {:<width$}  briefs  passages", "facet", "value"))
    )?;
    for v in values {
        let extra = v
            .kind
            .map(|k| k.as_str().to_string())
            .or_else(|| v.path.clone())
            .unwrap_or_default();
        writeln!(
            out,
            "{:<8} {:<width$}  {:>6}  {:>8}  {}",
            v.facet,
            sanitize(&v.value),
            v.briefs,
            v.passages,
            style.dim(&extra)
        )?;
    }
    Ok(())
}

/// One brief as the index sees it, for `show` and `export`.
#[derive(Debug, Clone, Serialize)]
pub struct BriefView<'a> {
    pub doc: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    pub title: &'a str,
    pub date: Option<&'a str>,
    pub author: Option<&'a str>,
    pub source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    /// The encoding the file was decoded from, when it was not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub tags: &'a [String],
    /// The brief's countries and actors: its passages', its title's and
    /// those the file declares.
    pub countries: Vec<String>,
    pub actors: Vec<Actor>,
    /// What made the brief-level facets of the title and the file itself.
    #[serde(skip_serializing_if = "<[Mention]>::is_empty")]
    pub title_mentions: &'a [Mention],
    pub passages: Vec<PassageView<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageView<'a> {
    pub passage: u64,
    pub lines: [u64; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    pub heading: Option<&'a str>,
    pub text: &'a str,
    pub countries: &'a [String],
    pub regions: &'a [String],
    pub actors: &'a [Actor],
    pub mentions: &'a [Mention],
}

/// Builds the view of one brief from its record, stored passages (in
/// order, with their mentions found again by `index::documents::explain`)
/// and the entities of its title and front matter.
pub fn brief_view<'a>(
    record: &'a BriefRecord,
    passages: &'a [StoredPassage],
    title: &'a PassageEntities,
) -> BriefView<'a> {
    let mut countries: Vec<String> = passages
        .iter()
        .flat_map(|p| p.countries.iter())
        .chain(&title.countries)
        .cloned()
        .collect();
    countries.sort();
    countries.dedup();
    let mut actors: Vec<Actor> = passages
        .iter()
        .flat_map(|p| p.actors.iter())
        .chain(&title.actors)
        .cloned()
        .collect();
    actors.sort();
    actors.dedup();
    BriefView {
        doc: &record.doc,
        id: record.id.as_deref(),
        title: &record.title,
        date: record.date.as_deref(),
        author: record.author.as_deref(),
        source: record.source.as_deref(),
        url: record.url.as_deref(),
        encoding: record.encoding.as_deref(),
        tags: &record.tags,
        countries,
        actors,
        title_mentions: &title.mentions,
        passages: passages
            .iter()
            .map(|p| PassageView {
                passage: p.passage,
                lines: p.lines,
                page: p.page,
                heading: p.heading.as_deref(),
                text: &p.text,
                countries: &p.countries,
                regions: &p.regions,
                actors: &p.actors,
                mentions: &p.mentions,
            })
            .collect(),
    }
}

/// How a mention was found, for `briefs show`: ` (surname)`, ` (tagger, margin 52.3)`.
fn found_by(m: &Mention) -> String {
    match (m.via, m.margin) {
        (Some(via), Some(margin)) => format!(" ({}, margin {:.1})", via.as_str(), margin.0),
        (Some(via), None) => format!(" ({})", via.as_str()),
        (None, _) => String::new(),
    }
}

/// Prints `briefs show` for a person.
pub fn print_brief_text(out: &mut impl Write, view: &BriefView, style: Style) -> io::Result<()> {
    writeln!(out, "{}", style.bold(&sanitize(view.title)))?;
    writeln!(out, "{}", style.path(&sanitize(view.doc)))?;
    if let Some(id) = view.id {
        writeln!(out, "id: {}", sanitize(id))?;
    }
    writeln!(out, "date: {}", view.date.unwrap_or("none"))?;
    writeln!(out, "author: {}", sanitize(view.author.unwrap_or("none")))?;
    writeln!(out, "source: {}", sanitize(view.source.unwrap_or("none")))?;
    if let Some(url) = view.url {
        writeln!(out, "url: {}", sanitize(url))?;
    }
    if let Some(encoding) = view.encoding {
        writeln!(out, "encoding: {encoding}")?;
    }
    if !view.tags.is_empty() {
        writeln!(out, "tags: {}", sanitize(&view.tags.join(", ")))?;
    }
    writeln!(out, "countries: {}", view.countries.join(", "))?;
    let people: Vec<&str> = view
        .actors
        .iter()
        .filter(|a| a.kind == ActorKind::Person)
        .map(|a| a.name.as_str())
        .collect();
    let orgs: Vec<&str> = view
        .actors
        .iter()
        .filter(|a| a.kind == ActorKind::Org)
        .map(|a| a.name.as_str())
        .collect();
    writeln!(out, "people: {}", sanitize(&people.join(", ")))?;
    writeln!(out, "organisations: {}", sanitize(&orgs.join(", ")))?;
    print_mentions(out, view.title_mentions, style)?;
    for p in &view.passages {
        writeln!(out)?;
        let place = match p.page {
            Some(page) => format!("page {page}"),
            None => format!("lines {}-{}", p.lines[0], p.lines[1]),
        };
        writeln!(out, "{}", style.bold(&format!("[{}] {place}", p.passage)))?;
        if let Some(h) = p.heading {
            writeln!(out, "  {}", style.bold(&sanitize(h)))?;
        }
        writeln!(out, "  {}", sanitize(p.text))?;
        print_mentions(out, p.mentions, style)?;
    }
    Ok(())
}

/// One line per facet a text produced: `country Iran <- "Tehran"`.
fn print_mentions(out: &mut impl Write, mentions: &[Mention], style: Style) -> io::Result<()> {
    for m in mentions {
        let line = format!("{} {} <- {:?}{}", m.facet, m.value, m.text, found_by(m));
        writeln!(out, "  {}", style.dim(&sanitize(&line)))?;
    }
    Ok(())
}

/// `briefs eval` for people: the measures, then (with `per_query`) one line a query.
pub fn print_eval_text(out: &mut impl Write, report: &crate::relevance::EvalReport, per_query: bool) -> io::Result<()> {
    use crate::relevance::measures::Measures;
    let row = |out: &mut dyn Write, name: &str, m: &Measures| {
        writeln!(
            out,
            "{name:<10} {:>8.4} {:>8.4} {:>10.4} {:>8.4}",
            m.ndcg_at_10, m.mrr_at_10, m.recall_at_100, m.map
        )
    };
    writeln!(
        out,
        "{} queries measured ({} without a relevant judgment left out)",
        report.queries, report.unjudged
    )?;
    if !report.read_as_words.is_empty() {
        writeln!(
            out,
            "{} queries the query language refused were run as plain words: {}",
            report.read_as_words.len(),
            sanitize(&report.read_as_words.join(", "))
        )?;
    }
    writeln!(
        out,
        "{:<10} {:>8} {:>8} {:>10} {:>8}",
        "level", "nDCG@10", "MRR@10", "Recall@100", "MAP"
    )?;
    row(out, "brief", &report.brief)?;
    if let Some(passage) = &report.passage {
        row(out, "passage", passage)?;
    }
    if per_query {
        writeln!(out)?;
        writeln!(
            out,
            "{:<10} {:>8} {:>8} {:>10} {:>8}  {:>4}  query",
            "query", "nDCG@10", "MRR@10", "Recall@100", "MAP", "rel"
        )?;
        for q in &report.per_query {
            let m = &q.brief;
            writeln!(
                out,
                "{:<10} {:>8.4} {:>8.4} {:>10.4} {:>8.4}  {:>4}  {}",
                sanitize(&q.id),
                m.ndcg_at_10,
                m.mrr_at_10,
                m.recall_at_100,
                m.map,
                q.relevant,
                sanitize(&q.query)
            )?;
        }
    }
    Ok(())
}
