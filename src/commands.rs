//! One function per subcommand: resolve flags into library requests, call
//! the library, print. Returns the process exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use briefs::entities::Gazetteer;
use briefs::index::{self, BuildOptions};
use briefs::output::{self, Style};
use briefs::search::{self, FilterResolver, Scope, SearchRequest};
use jiff::civil::Date;

use crate::cli::{
    ColorChoice, ExportArgs, FacetsArgs, Format, IndexArgs, Locations, ScopeArg, SearchArgs, ShowArgs, StatsArgs,
};

/// Exit code for a stale index or briefs that could not be read.
pub const EXIT_PROBLEMS: u8 = 1;

fn style_for(choice: ColorChoice) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    Style { color }
}

fn auto_style() -> Style {
    style_for(ColorChoice::Auto)
}

pub fn index(args: IndexArgs) -> Result<ExitCode> {
    let options = BuildOptions {
        corpus: args.locations.corpus.clone(),
        index: args.locations.index.clone(),
        rebuild: args.rebuild,
        check: args.check,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        extract: true,
        max_file_size: args.max_file_size,
    };
    let report = index::build(&options)?;
    let mut out = std::io::stdout().lock();
    if args.format == Format::Text {
        output::print_build_problems(&mut std::io::stderr().lock(), &report)?;
    }
    match args.format {
        Format::Json => output::write_json(&mut out, &report)?,
        Format::Text if args.quiet => {}
        Format::Text => output::print_build_text(&mut out, &report, auto_style())?,
    }
    let stale = report.up_to_date == Some(false);
    Ok(if stale || !report.errors.is_empty() {
        ExitCode::from(EXIT_PROBLEMS)
    } else {
        ExitCode::SUCCESS
    })
}

/// Opens the index, building it first when it does not exist yet but the
/// corpus does, so that a new user's first search works.
fn open_or_build(locations: &Locations) -> Result<index::OpenIndex> {
    if !index::exists(&locations.index) && locations.corpus.is_dir() {
        eprintln!(
            "no index at {} yet: building it from {} (once)...",
            locations.index.display(),
            locations.corpus.display()
        );
        let report = index::build(&BuildOptions {
            corpus: locations.corpus.clone(),
            index: locations.index.clone(),
            rebuild: false,
            check: false,
            progress: std::io::stderr().is_terminal(),
            extract: true,
            max_file_size: briefs::corpus::DEFAULT_MAX_FILE_SIZE,
        })?;
        output::print_build_problems(&mut std::io::stderr().lock(), &report)?;
        eprintln!(
            "indexed {} briefs ({} passages) in {:.2}s",
            report.briefs, report.passages, report.seconds
        );
    }
    Ok(index::open(&locations.index)?)
}

/// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; `end` picks the last day of a month or year.
fn parse_date_flag(flag: &str, value: &str, end: bool) -> Result<Date> {
    let bad = || anyhow::anyhow!("--{flag} {value:?}: expected a date as YYYY-MM-DD, YYYY-MM or YYYY");
    let parts: Vec<&str> = value.trim().split('-').collect();
    let year: i16 = parts.first().and_then(|y| y.parse().ok()).ok_or_else(bad)?;
    let date = match parts.len() {
        1 => Date::new(year, if end { 12 } else { 1 }, if end { 31 } else { 1 }),
        2 => {
            let month: i8 = parts[1].parse().map_err(|_| bad())?;
            let first = Date::new(year, month, 1).map_err(|_| bad())?;
            Ok(if end { first.last_of_month() } else { first })
        }
        3 => Date::new(
            year,
            parts[1].parse().map_err(|_| bad())?,
            parts[2].parse().map_err(|_| bad())?,
        ),
        _ => return Err(bad()),
    };
    date.map_err(|_| bad())
}

pub fn search(args: SearchArgs) -> Result<ExitCode> {
    let since = args
        .since
        .as_deref()
        .map(|v| parse_date_flag("since", v, false))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|v| parse_date_flag("until", v, true))
        .transpose()?;
    if args.limit == 0 {
        anyhow::bail!("--limit must be at least 1");
    }
    if args.per_brief == 0 {
        anyhow::bail!("--per-brief must be at least 1");
    }
    let open = open_or_build(&args.locations)?;
    let gazetteer = Gazetteer::load(Some(&args.locations.corpus)).context("loading the gazetteer")?;
    // Listing the index's actors reads every passage: only do it for values
    // the gazetteer does not know (people found by cues).
    let index_actors = if args.actor.iter().all(|a| gazetteer.resolve_actor(a).is_some()) {
        Vec::new()
    } else {
        search::index_facets(&open)?
            .into_iter()
            .filter(|v| v.facet == "actor")
            .filter_map(|v| v.kind.map(|kind| briefs::entities::Actor { name: v.value, kind }))
            .collect()
    };
    let resolver = FilterResolver {
        gazetteer: &gazetteer,
        index_actors,
    };
    let request = SearchRequest {
        query: args.query.join(" "),
        any: args.any,
        limit: args.limit,
        per_brief: args.per_brief,
        since,
        until,
        countries: args
            .country
            .iter()
            .map(|c| resolver.country(c))
            .collect::<Result<_, _>>()?,
        regions: args
            .region
            .iter()
            .map(|r| resolver.region(r))
            .collect::<Result<_, _>>()?,
        actors: args.actor.iter().map(|a| resolver.actor(a)).collect::<Result<_, _>>()?,
        scope: match args.scope {
            ScopeArg::Passage => Scope::Passage,
            ScopeArg::Brief => Scope::Brief,
        },
        facets: args.facets,
        facet_limit: args.facet_limit,
    };
    let results = search::search(&open, &request)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => output::print_search_json(&mut out, &results)?,
        Format::Text => output::print_search_text(&mut out, &results, style_for(args.color))?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn facets(args: FacetsArgs) -> Result<ExitCode> {
    let open = index::open(&args.locations.index)?;
    let gazetteer = Gazetteer::load(Some(&args.locations.corpus)).context("loading the gazetteer")?;
    let all = !(args.country || args.actor || args.region);
    let needle = args.match_text.as_deref().map(str::to_lowercase);
    let mut values: Vec<_> = search::index_facets(&open)?
        .into_iter()
        .filter(|v| {
            all || (args.country && v.facet == "country")
                || (args.actor && v.facet == "actor")
                || (args.region && v.facet == "region")
        })
        .filter(|v| match &needle {
            None => true,
            Some(n) => {
                v.value.to_lowercase().contains(n)
                    || gazetteer
                        .actor_aliases(&v.value)
                        .iter()
                        .any(|a| a.to_lowercase().contains(n))
            }
        })
        .collect();
    if let Some(top) = args.top {
        // Keep the top N of each facet kind.
        let mut kept = std::collections::HashMap::new();
        values.retain(|v| {
            let n = kept.entry(v.facet.clone()).or_insert(0usize);
            *n += 1;
            *n <= top
        });
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => output::write_json(&mut out, &values)?,
        Format::Text => output::print_facet_values_text(&mut out, &values, auto_style())?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(args: ExportArgs) -> Result<ExitCode> {
    let open = index::open(&args.locations.index)?;
    let all = index::all_passages(&open)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for passages in all.values() {
        if let Some(view) = output::brief_view(passages) {
            output::write_json(&mut out, &view)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn show(args: ShowArgs) -> Result<ExitCode> {
    let open = index::open(&args.locations.index)?;
    let path = args.path.trim_start_matches("./");
    let corpus_prefix = format!("{}/", args.locations.corpus.display());
    let path = path.strip_prefix(corpus_prefix.as_str()).unwrap_or(path);
    let passages = index::brief_passages(&open, path)?;
    let Some(view) = output::brief_view(&passages) else {
        let known: Vec<String> = open.state.briefs.keys().cloned().collect();
        let suggestions = search::nearest(path, known.iter().map(String::as_str));
        anyhow::bail!(
            "no brief {path:?} in the index{}",
            if suggestions.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", suggestions.join(", "))
            }
        );
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => output::write_json(&mut out, &view)?,
        Format::Text => output::print_brief_text(&mut out, &view, auto_style())?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct Stats {
    index: String,
    briefs: usize,
    passages: u64,
    countries: usize,
    regions: usize,
    actors: usize,
    index_bytes: u64,
    built_at: String,
    build_seconds: f64,
    schema_version: u32,
    extraction_version: u32,
}

pub fn stats(args: StatsArgs) -> Result<ExitCode> {
    let open = index::open(&args.locations.index)?;
    let values = search::index_facets(&open)?;
    let count = |facet: &str| values.iter().filter(|v| v.facet == facet).count();
    let stats = Stats {
        index: args.locations.index.display().to_string(),
        briefs: open.state.briefs.len(),
        passages: open.state.briefs.values().map(|e| e.passages as u64).sum(),
        countries: count("country"),
        regions: count("region"),
        actors: count("actor"),
        index_bytes: index::index_size(&open),
        built_at: open.state.built_at.clone(),
        build_seconds: open.state.build_seconds,
        schema_version: open.state.schema_version,
        extraction_version: open.state.extraction_version,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => output::write_json(&mut out, &stats)?,
        Format::Text => {
            writeln!(out, "index:          {}", stats.index)?;
            writeln!(out, "briefs:         {}", stats.briefs)?;
            writeln!(out, "passages:       {}", stats.passages)?;
            writeln!(out, "countries:      {}", stats.countries)?;
            writeln!(out, "regions:        {}", stats.regions)?;
            writeln!(out, "actors:         {}", stats.actors)?;
            writeln!(out, "size on disk:   {} bytes", stats.index_bytes)?;
            writeln!(out, "last build:     {} ({:.2}s)", stats.built_at, stats.build_seconds)?;
            writeln!(
                out,
                "schema version: {} (extraction {})",
                stats.schema_version, stats.extraction_version
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
