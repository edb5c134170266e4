//! Printers: text for people, JSON for tools.
//!
//! JSON shapes are a contract (documented in README.md and checked by tests
//! that deserialize them): fields are only ever added, never renamed.

use std::io::{self, Write};

use serde::Serialize;

use crate::entities::{Actor, ActorKind, Mention};
use crate::index::{BuildReport, StoredPassage};
use crate::search::{FacetCount, FacetValue, Hit, SearchResults};

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

/// Writes a value as one line of JSON.
pub fn write_json<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
}

/// The passage text with query words in colour. Without colour the text is
/// printed as it is: markers such as brackets would change what users copy.
fn highlighted(text: &str, ranges: &[[usize; 2]], style: Style) -> String {
    if !style.color || ranges.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + ranges.len() * 12);
    let mut at = 0;
    for &[start, end] in ranges {
        if start < at || end > text.len() {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&style.hit(&text[start..end]));
        at = end;
    }
    out.push_str(&text[at..]);
    out
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
        style.bold(&hit.title),
        style.dim(date),
        style.dim(&format!("score {:.3}", hit.score))
    )?;
    writeln!(out, "    {}", style.path(&format!("{}:{}", hit.doc, hit.lines[0])))?;
    if let Some(heading) = &hit.heading {
        writeln!(out, "    {}", style.bold(heading))?;
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
        writeln!(out, "    {}", style.dim(&tags.join("  |  ")))?;
    }
    writeln!(out)
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
            v.value,
            v.count,
            v.passages,
            style.dim(&kind)
        )?;
    }
    writeln!(out)
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
pub fn print_build_text(out: &mut impl Write, report: &BuildReport, style: Style) -> io::Result<()> {
    for problem in &report.errors {
        writeln!(out, "error: {}", problem.error)?;
    }
    if let Some(up_to_date) = report.up_to_date {
        if up_to_date {
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
pub fn print_facet_values_text(out: &mut impl Write, values: &[FacetValue], style: Style) -> io::Result<()> {
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
            v.value,
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
    pub title: &'a str,
    pub date: Option<&'a str>,
    pub author: Option<&'a str>,
    pub source: Option<&'a str>,
    pub countries: Vec<String>,
    pub actors: Vec<Actor>,
    pub passages: Vec<PassageView<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageView<'a> {
    pub passage: u64,
    pub lines: [u64; 2],
    pub heading: Option<&'a str>,
    pub text: &'a str,
    pub countries: &'a [String],
    pub regions: &'a [String],
    pub actors: &'a [Actor],
    pub mentions: &'a [Mention],
}

/// Builds the view of one brief from its stored passages (in order).
pub fn brief_view(passages: &[StoredPassage]) -> Option<BriefView<'_>> {
    let first = passages.first()?;
    let mut countries: Vec<String> = passages.iter().flat_map(|p| p.countries.iter().cloned()).collect();
    countries.sort();
    countries.dedup();
    let mut actors: Vec<Actor> = passages.iter().flat_map(|p| p.actors.iter().cloned()).collect();
    actors.sort();
    actors.dedup();
    Some(BriefView {
        doc: &first.doc,
        title: &first.title,
        date: first.date.as_deref(),
        author: first.author.as_deref(),
        source: first.source.as_deref(),
        countries,
        actors,
        passages: passages
            .iter()
            .map(|p| PassageView {
                passage: p.passage,
                lines: p.lines,
                heading: p.heading.as_deref(),
                text: &p.text,
                countries: &p.countries,
                regions: &p.regions,
                actors: &p.actors,
                mentions: &p.mentions,
            })
            .collect(),
    })
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
    writeln!(out, "{}", style.bold(view.title))?;
    writeln!(out, "{}", style.path(view.doc))?;
    writeln!(out, "date: {}", view.date.unwrap_or("none"))?;
    writeln!(out, "author: {}", view.author.unwrap_or("none"))?;
    writeln!(out, "source: {}", view.source.unwrap_or("none"))?;
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
    writeln!(out, "people: {}", people.join(", "))?;
    writeln!(out, "organisations: {}", orgs.join(", "))?;
    for p in &view.passages {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.bold(&format!("[{}] lines {}-{}", p.passage, p.lines[0], p.lines[1]))
        )?;
        if let Some(h) = p.heading {
            writeln!(out, "  {}", style.bold(h))?;
        }
        writeln!(out, "  {}", p.text)?;
        for m in p.mentions.iter() {
            writeln!(
                out,
                "  {}",
                style.dim(&format!("{} {} <- {:?}{}", m.facet, m.value, m.text, found_by(m)))
            )?;
        }
    }
    Ok(())
}
