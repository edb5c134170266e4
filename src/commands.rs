//! One function per subcommand: resolve flags into library requests, call
//! the library, print. Returns the process exit code.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use briefs::corpus;
use briefs::entities::{Extractor, Gazetteer};
use briefs::index::{self, BuildOptions};
use briefs::output::{self, Style};
use briefs::search::{self, FilterResolver, Scope, SearchRequest, Sort};
use jiff::civil::Date;

use crate::cli::{
    ColorChoice, DocIdsArg, EvalArgs, ExportArgs, FacetsArgs, Format, IndexArgs, Locations, RankingArgs, ScopeArg,
    SearchArgs, ServeArgs, ShowArgs, SortArg, StatsArgs,
};
use briefs::relevance::{self, inputs, DocIds, EvalOptions};
use briefs::search::Ranking;

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
    if args.memory == 0 {
        anyhow::bail!("--memory must be at least 1 (MiB)");
    }
    let options = BuildOptions {
        rebuild: args.rebuild,
        check: args.check,
        verify: args.verify,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        max_file_size: args.max_file_size,
        strict: args.strict,
        threads: args.threads,
        memory: args.memory.saturating_mul(1024 * 1024),
        ..BuildOptions::new(&args.locations.corpus, &args.locations.index)
    };
    let report = match index::build(&options) {
        Ok(report) => report,
        // A broken file is a problem with the input (exit 1), not a failure of briefs.
        Err(e @ index::IndexError::Strict { .. }) => {
            let _ = writeln!(std::io::stderr().lock(), "error: {}", output::sanitize(&e.to_string()));
            return Ok(ExitCode::from(EXIT_PROBLEMS));
        }
        Err(e) => return Err(e.into()),
    };
    let mut out = std::io::stdout().lock();
    if args.format == Format::Text {
        output::print_build_problems(&mut std::io::stderr().lock(), &report);
    }
    match args.format {
        Format::Json => output::write_json(&mut out, &report)?,
        Format::Text if args.quiet => {}
        Format::Text => output::print_build_text(&mut out, &report, auto_style())?,
    }
    let stale = report.up_to_date == Some(false);
    if args.format == Format::Text && !report.damage.is_empty() && args.check {
        let mut err = std::io::stderr().lock();
        for problem in &report.damage {
            let _ = writeln!(err, "damaged: {}", output::sanitize(problem));
        }
        let _ = writeln!(err, "run `briefs index` to repair the index (it is rebuilt)");
    }
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
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "no index at {} yet: building it from {} (once)...",
            locations.index.display(),
            locations.corpus.display()
        );
        let report = index::build(&BuildOptions {
            progress: std::io::stderr().is_terminal(),
            ..BuildOptions::new(&locations.corpus, &locations.index)
        })?;
        output::print_build_problems(&mut err, &report);
        let _ = writeln!(
            err,
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
    if let (Some(since), Some(until)) = (since, until) {
        if since > until {
            anyhow::bail!("--since {since} is after --until {until}: no date can be in both");
        }
    }
    let open = open_or_build(&args.locations)?;
    let resolver = FilterResolver::new(&open, &args.locations.corpus);
    let request = SearchRequest {
        query: args.query.join(" "),
        any: args.any,
        limit: args.limit,
        offset: 0,
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
        ranking: ranking(&args.ranking)?,
        explain: args.explain,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        },
        keep_duplicates: args.keep_duplicates,
        corpus: Some(args.locations.corpus.clone()),
    };
    let results = search::search(&open, &request)?;
    {
        // Never `eprintln!`: it panics when stderr cannot be written.
        let mut err = std::io::stderr().lock();
        for note in &results.notes {
            let _ = writeln!(err, "note: {}", output::sanitize(note));
        }
    }
    let mut out = buffered_stdout();
    match args.format {
        Format::Json => output::print_search_json(&mut out, &results)?,
        Format::Text => output::print_search_text(&mut out, &results, style_for(args.color))?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn facets(args: FacetsArgs) -> Result<ExitCode> {
    let open = index::open(&args.locations.index)?;
    let all = !(args.country || args.actor || args.region);
    let needle = args.match_text.as_deref().map(str::to_lowercase);
    // Aliases are only needed to match --match against them.
    let gazetteer = match &needle {
        Some(_) => Some(Gazetteer::load(Some(&args.locations.corpus)).context("loading the gazetteer")?),
        None => None,
    };
    let mut values: Vec<_> = search::index_facets(&open)?
        .into_iter()
        .filter(|v| {
            all || (args.country && v.facet == "country")
                || (args.actor && v.facet == "actor")
                || (args.region && v.facet == "region")
        })
        .filter(|v| match (&needle, &gazetteer) {
            (Some(n), Some(g)) => {
                v.value.to_lowercase().contains(n)
                    || g.actor_aliases(&v.value).iter().any(|a| a.to_lowercase().contains(n))
            }
            _ => true,
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
    let mut out = buffered_stdout();
    match args.format {
        Format::Json => output::write_json(&mut out, &values)?,
        Format::Text => output::print_facet_values_text(&mut out, &values, auto_style())?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The extractor the index was built with, to explain its facets again;
/// warns when the gazetteer changed since (the explanations may differ
/// until `briefs index` rebuilds).
fn explaining_extractor(open: &index::OpenIndex, corpus: &std::path::Path) -> Result<Extractor> {
    let gazetteer = Gazetteer::load(Some(corpus)).context("loading the gazetteer")?;
    if gazetteer.fingerprint() != open.state.gazetteer {
        let _ = writeln!(
            std::io::stderr().lock(),
            "warning: the gazetteer (data, actors.toml or countries.toml in {}) changed since the index was built; \
             run `briefs index` to bring facets and their explanations up to date",
            corpus.display()
        );
    }
    Ok(Extractor::new(gazetteer))
}

/// Standard output for a command that prints its answer at once. Stdout
/// alone flushes at every line: `briefs facets` at 100k briefs printed
/// 123,000 lines in as many writes, a fifth of its time.
fn buffered_stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

pub fn export(args: ExportArgs) -> Result<ExitCode> {
    let open = index::open(&args.locations.index)?;
    let extractor = explaining_extractor(&open, &args.locations.corpus)?;
    let mut out = buffered_stdout();
    index::for_each_brief(&open, |record, passages| -> Result<()> {
        let mut passages = passages.to_vec();
        let title = index::documents::explain(record, &mut passages, &extractor);
        output::write_json(&mut out, &output::brief_view(record, &passages, &title))?;
        Ok(())
    })?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn show(args: ShowArgs) -> Result<ExitCode> {
    let open = index::open(&args.locations.index)?;
    let path = args.path.trim_start_matches("./");
    let corpus_prefix = format!("{}/", args.locations.corpus.display());
    let path = path.strip_prefix(corpus_prefix.as_str()).unwrap_or(path);
    // A key as search prints it, or a file's path as it is on disk (whose
    // key escapes `#`, backslashes and control characters).
    let mut found = open.stored().brief(path)?;
    if found.is_none() {
        let key = corpus::path_key(Path::new(path));
        if key != path {
            found = open.stored().brief(&key)?;
        }
    }
    let Some((record, mut passages)) = found else {
        let known = index::brief_keys(&open)?;
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
    let extractor = explaining_extractor(&open, &args.locations.corpus)?;
    let title = index::documents::explain(&record, &mut passages, &extractor);
    let view = output::brief_view(&record, &passages, &title);
    let mut out = buffered_stdout();
    match args.format {
        Format::Json => output::write_json(&mut out, &view)?,
        Format::Text => output::print_brief_text(&mut out, &view, auto_style())?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct Stats {
    index: String,
    briefs: u64,
    passages: u64,
    countries: usize,
    regions: usize,
    actors: usize,
    index_bytes: u64,
    segments: usize,
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
        briefs: open.state.briefs,
        passages: open.state.passages,
        countries: count("country"),
        regions: count("region"),
        actors: count("actor"),
        index_bytes: open.size_on_disk(),
        segments: open.searcher.segment_readers().len(),
        built_at: open.state.built_at.clone(),
        build_seconds: open.state.build_seconds,
        schema_version: open.state.schema_version,
        extraction_version: open.state.extraction_version,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => output::write_json(&mut out, &stats)?,
        Format::Text => {
            writeln!(out, "index:          {}", output::sanitize(&stats.index))?;
            writeln!(out, "briefs:         {}", stats.briefs)?;
            writeln!(out, "passages:       {}", stats.passages)?;
            writeln!(out, "countries:      {}", stats.countries)?;
            writeln!(out, "regions:        {}", stats.regions)?;
            writeln!(out, "actors:         {}", stats.actors)?;
            writeln!(
                out,
                "size on disk:   {} bytes in {} segments",
                stats.index_bytes, stats.segments
            )?;
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

pub fn serve(args: ServeArgs) -> Result<ExitCode> {
    // Built first when missing, as for `briefs search`.
    drop(open_or_build(&args.locations)?);
    let server = briefs::serve::Server::start(briefs::serve::ServeOptions {
        index: args.locations.index.clone(),
        corpus: args.locations.corpus.clone(),
        addr: std::net::SocketAddr::new(args.bind, args.port),
        limits: briefs::serve::Limits::default(),
    })?;
    let url = server.url();
    if !args.bind.is_loopback() {
        let _ = writeln!(
            std::io::stderr().lock(),
            "warning: listening on {}, not only on this machine: anyone who can reach it can search and read \
             every brief of the index and its file names, with no login and no encryption (plain HTTP)",
            server.addr()
        );
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "serving {url} (index {}, corpus {}); Ctrl-C stops",
            args.locations.index.display(),
            args.locations.corpus.display()
        )?;
        out.flush()?;
    }
    if args.open {
        open_browser(&url);
    }
    server.wait();
    Ok(ExitCode::SUCCESS)
}

/// Asks the desktop to open `url`; says so and carries on when it cannot.
fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reaped on a thread of its own, so the server never waits for it.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "could not open a browser ({program}: {e}); open {url} yourself"
            );
        }
    }
}

/// The ranking flags over the tuned defaults.
fn ranking(args: &RankingArgs) -> Result<Ranking> {
    let defaults = Ranking::default();
    let check = |flag: &str, value: Option<f32>, default: f32| -> Result<f32> {
        match value {
            Some(v) if !v.is_finite() || v < 0.0 => {
                anyhow::bail!("--{flag} {v}: expected a number of 0 or more")
            }
            Some(v) => Ok(v),
            None => Ok(default),
        }
    };
    Ok(Ranking {
        brief_weight: check("brief-weight", args.brief_weight, defaults.brief_weight)?,
        title_boost: check("title-boost", args.title_boost, defaults.title_boost)?,
        heading_boost: check("heading-boost", args.heading_boost, defaults.heading_boost)?,
        variant_weight: check("variant-weight", args.variant_weight, defaults.variant_weight)?,
        proximity: check("proximity", args.proximity, defaults.proximity)?,
        recency_days: match args.recency {
            Some(days) if !days.is_finite() || days <= 0.0 => {
                anyhow::bail!("--recency {days}: expected a half-life in days, more than 0")
            }
            other => other,
        },
    })
}

pub fn eval(args: EvalArgs) -> Result<ExitCode> {
    if args.per_brief == 0 {
        anyhow::bail!("--per-brief must be at least 1");
    }
    if args.depth == 0 {
        anyhow::bail!("--depth must be at least 1");
    }
    let (queries_path, qrels_path) = match (&args.beir, &args.queries, &args.qrels) {
        (Some(dir), _, _) => (
            Some(dir.join("queries.jsonl")),
            dir.join("qrels").join(format!("{}.tsv", args.split)),
        ),
        (None, queries, Some(qrels)) => (queries.clone(), qrels.clone()),
        (None, _, None) => anyhow::bail!("give the judgments: --beir DIR, or --qrels FILE (with --queries FILE)"),
    };
    let qrels = inputs::read_qrels(&qrels_path)?;
    let queries = match &queries_path {
        Some(path) => inputs::read_queries(path)?,
        None => Vec::new(),
    };
    let report = match &args.measure_run {
        Some(path) => relevance::measure_run(&queries, &inputs::read_run(path)?, &qrels),
        None => {
            if queries.is_empty() {
                anyhow::bail!("give the queries to run: --queries FILE or --beir DIR");
            }
            let options = EvalOptions {
                any: args.any,
                per_brief: args.per_brief,
                depth: args.depth,
                doc_ids: match (args.doc_ids, &args.beir) {
                    (Some(DocIdsArg::Doc), _) => DocIds::Doc,
                    (Some(DocIdsArg::Id), _) | (None, Some(_)) => DocIds::Id,
                    (None, None) => DocIds::Doc,
                },
                ranking: ranking(&args.ranking)?,
                keep_duplicates: args.keep_duplicates,
            };
            let open = open_or_build(&args.locations)?;
            let rankings = relevance::rank(&open, &queries, &options, relevance::judges_passages(&qrels))?;
            if let Some(path) = &args.run {
                let mut file = std::io::BufWriter::new(
                    std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
                );
                inputs::write_run(&mut file, &rankings.briefs, &args.tag)
                    .and_then(|_| file.flush())
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let mut report = relevance::measure(&queries, &rankings.briefs, &rankings.passages, &qrels);
            report.read_as_words = rankings.read_as_words;
            report
        }
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => output::write_json(&mut out, &report)?,
        Format::Text => output::print_eval_text(&mut out, &report, args.per_query)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
