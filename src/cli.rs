//! Command-line flags (clap derive). Raw values are checked and resolved in
//! `commands.rs` before any library call.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "briefs",
    version,
    about = "Full-text search over folders of regional briefs, with country and actor facets",
    long_about = "Full-text search over folders of regional briefs (news items and analyses), ranking \
                  passages and filtering them by the countries and actors they mention.\n\n\
                  Start with `briefs search \"gas pipeline\" --country Turkmenistan`: the index is built \
                  from corpus/ on first use.",
    after_help = "Exit codes: 0 success; 1 stale index (--check) or briefs that could not be read; \
                  2 usage, query or fatal errors."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct Locations {
    /// Folder of briefs (.txt, .md, .html, .pdf, .docx, .odt, .jsonl; searched recursively).
    #[arg(long, value_name = "DIR", default_value = "corpus")]
    pub corpus: PathBuf,
    /// Folder of the index.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    /// The passage itself must mention the value.
    Passage,
    /// Any passage of the passage's brief may mention it.
    Brief,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// Best score first (newest first when browsing without words).
    Relevance,
    /// Newest brief first; ties by score, then document, then passage.
    Date,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build or update the index from the corpus (incremental; only changed briefs are read).
    #[command(
        after_help = "Examples:\n  briefs index\n  briefs index --corpus ~/briefs --index ~/.briefs-index\n  \
                            briefs index --check --format json   # in CI: exit 1 when the index is stale"
    )]
    Index(IndexArgs),
    /// Rank passages for a query, with country, region and actor filters.
    #[command(
        after_help = "Query language: words are all required (use --any for any); \"exact phrase\"; \
                            -word or NOT word excludes; a OR b; (groups); title:word, heading:word, body:word, author:word.\n\n\
                            Examples:\n  briefs search \"gas pipeline\" --country Turkmenistan\n  \
                            briefs search TAPI --facets\n  briefs search '\"Vienna Convention\"' --since 2022-01-01 --format json\n  \
                            briefs search \"\" --actor Muttaqi --region \"Central Asia\"   # browse, newest first\n  \
                            briefs search \"Mottaki Islamabad\" --explain   # finds Muttaqi too; shows why each hit ranks"
    )]
    Search(SearchArgs),
    /// List facet values of the whole index (countries, regions, actors) with counts.
    #[command(after_help = "Examples:\n  briefs facets --country --top 10\n  briefs facets --actor --match jaish")]
    Facets(FacetsArgs),
    /// Write every brief as one JSON object a line: metadata, passages, countries, actors.
    #[command(after_help = "Example:\n  briefs export > briefs.jsonl")]
    Export(ExportArgs),
    /// Show one brief as the index sees it: metadata, passages, and why each facet was assigned.
    #[command(after_help = "Example:\n  briefs show a-muttaqi-tehran-visit.txt")]
    Show(ShowArgs),
    /// Print index statistics: briefs, passages, facet values, size, last build, versions.
    Stats(StatsArgs),
    /// Serve a local web page and JSON API: search, facet filters, a timeline, and each brief.
    #[command(
        after_help = "Listens on 127.0.0.1 only (this machine) unless --bind says otherwise. The index is \
                            reopened when `briefs index` updates it, so it can be rebuilt under a running server.\n\n\
                            Examples:\n  briefs serve --open\n  briefs serve --port 0          # any free port; the URL is printed\n  \
                            curl 'http://127.0.0.1:7700/api/search?q=TAPI&facets=1&timeline=1'"
    )]
    Serve(ServeArgs),
    /// Measure ranking on a judged query set: nDCG@10, MRR@10, Recall@100, MAP.
    #[command(
        after_help = "Query sets: BEIR queries.jsonl, TREC topics (<top> blocks) or `qid<TAB>text` lines. \
                            Judgments: TREC qrels `QID 0 DOC GRADE` (DOC as `briefs search` prints it; \
                            `DOC@N` judges passage N) or BEIR `qrels/test.tsv`.\n\n\
                            Examples:\n  briefs eval --queries tests/relevance/queries.tsv --qrels tests/relevance/qrels.txt\n  \
                            briefs index --corpus beir-corpus --index cran-index   # a folder holding corpus.jsonl\n  \
                            briefs eval --index cran-index --beir cranfield --any --per-query\n  \
                            briefs eval --beir cranfield --measure-run bm25.run   # measure another system's run"
    )]
    Eval(EvalArgs),
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// Build everything from scratch into a fresh folder, swapped in when complete.
    #[arg(long)]
    pub rebuild: bool,
    /// Compare the index with the corpus and check the index's files against their checksums;
    /// exit 1 if it is stale or damaged. Writes nothing.
    #[arg(long)]
    pub check: bool,
    /// With --check: also read every document, posting list and column of the index.
    #[arg(long, requires = "check")]
    pub verify: bool,
    /// Threads for reading briefs and for indexing (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Memory budget of the indexer in MiB; more memory makes fewer, larger segments.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    pub memory: usize,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No progress bar and no summary (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip files larger than this, with a warning (bytes, or with K, M or G: `64M`).
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = parse_size)]
    pub max_file_size: u64,
    /// Stop at the first file that cannot be read and exit 1, leaving the index as it was
    /// (by default such a file is reported and the rest of the corpus is indexed).
    #[arg(long, conflicts_with = "check")]
    pub strict: bool,
}

/// A size in bytes: `1000`, `64K`, `256M`, `2G` (powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size (write 1000, 64K, 256M or 2G)"))?;
    let factor: u64 = match unit.trim().to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (use K, M or G)")),
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (tantivy query language); may be empty ("") when a filter is given.
    #[arg(value_name = "QUERY", num_args = 0.., trailing_var_arg = false)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub locations: Locations,
    /// Number of passages to show.
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// At most N passages of one brief among the results.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub per_brief: usize,
    /// Match passages with any of the words (plain BM25) instead of all of them.
    #[arg(long)]
    pub any: bool,
    /// Only briefs dated on or after DATE (YYYY-MM-DD, YYYY-MM or YYYY).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only briefs dated on or before DATE (YYYY-MM-DD, YYYY-MM or YYYY).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only passages mentioning this country (name, alias, demonym or ISO code); repeat for any of several.
    #[arg(long, value_name = "COUNTRY")]
    pub country: Vec<String>,
    /// Only passages mentioning this actor (person or organisation, any alias); repeat for any of several.
    #[arg(long, value_name = "ACTOR")]
    pub actor: Vec<String>,
    /// Only passages mentioning a country of this UN region ("Central Asia", "Asia"); repeatable.
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,
    /// Apply --country/--actor/--region to the passage or to its whole brief.
    #[arg(long, value_enum, default_value_t = ScopeArg::Passage)]
    pub scope: ScopeArg,
    /// Order of the hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Show near-duplicate passages (the same story republished) as hits of their own
    /// instead of folding them into the best one.
    #[arg(long)]
    pub keep_duplicates: bool,
    /// Add counts of countries, regions and actors over all matching passages.
    #[arg(long)]
    pub facets: bool,
    /// Values of each facet to show with --facets.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub facet_limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// When to colour text output (NO_COLOR is respected with auto).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Show why each hit scored as it did: BM25 per word and field, and the brief's part.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub ranking: RankingArgs,
}

/// How scores are made; the defaults are tuned (see RELEVANCE.md).
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Ranking")]
pub struct RankingArgs {
    /// Weight of the whole brief's BM25 added to each passage's own (0: passages alone).
    #[arg(long, value_name = "W")]
    pub brief_weight: Option<f32>,
    /// Boost of a title match over a body match.
    #[arg(long, value_name = "B")]
    pub title_boost: Option<f32>,
    /// Boost of a heading match over a body match.
    #[arg(long, value_name = "B")]
    pub heading_boost: Option<f32>,
    /// Weight of a spelling variant of a capitalised name (Mottaki for Muttaqi; 0: none).
    #[arg(long, value_name = "W")]
    pub variant_weight: Option<f32>,
    /// Weight of neighbouring query words standing close together and in order (0: off).
    #[arg(long, value_name = "W")]
    pub proximity: Option<f32>,
    /// Favour recent briefs: a brief DAYS older than the newest counts 75%, an undated one half (off by default).
    #[arg(long, value_name = "DAYS")]
    pub recency: Option<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocIdsArg {
    /// The hit's `doc` (path, or FILE#ID for a JSON Lines record).
    Doc,
    /// The record's own id (BEIR's `_id`).
    Id,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// A BEIR folder: queries.jsonl and qrels/SPLIT.tsv (hits named by record id).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["queries", "qrels"])]
    pub beir: Option<PathBuf>,
    /// The split of a BEIR folder whose judgments are used.
    #[arg(long, value_name = "NAME", default_value = "test", requires = "beir")]
    pub split: String,
    /// Query set: BEIR queries.jsonl, TREC topics or `qid<TAB>text` lines.
    #[arg(long, value_name = "FILE", requires = "qrels")]
    pub queries: Option<PathBuf>,
    /// Judgments: TREC qrels or BEIR tsv.
    #[arg(long, value_name = "FILE")]
    pub qrels: Option<PathBuf>,
    /// How hits are named in the judgments (default: doc; id with --beir).
    #[arg(long, value_enum, value_name = "HOW")]
    pub doc_ids: Option<DocIdsArg>,
    /// Match passages with any of the query's words instead of all (as `search --any`).
    #[arg(long)]
    pub any: bool,
    /// Per-brief cap of the passage-level ranking (the brief-level one takes each brief's best passage).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub per_brief: usize,
    /// Hits ranked per query.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub depth: usize,
    /// Rank every copy of a near-duplicate passage instead of folding them (as `search --keep-duplicates`).
    #[arg(long)]
    pub keep_duplicates: bool,
    /// Also print the measures of every query.
    #[arg(long)]
    pub per_query: bool,
    /// Write the brief-level ranking as a TREC run file.
    #[arg(long, value_name = "FILE")]
    pub run: Option<PathBuf>,
    /// Tag of the run file's lines.
    #[arg(long, value_name = "TAG", default_value = "briefs")]
    pub tag: String,
    /// Measure this TREC run file instead of searching (`DOC@N` lines rank passages).
    #[arg(long, value_name = "FILE", conflicts_with = "run")]
    pub measure_run: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub ranking: RankingArgs,
}

#[derive(Debug, Args)]
#[group(id = "which", multiple = true)]
pub struct FacetsArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// Only countries.
    #[arg(long, group = "which")]
    pub country: bool,
    /// Only actors.
    #[arg(long, group = "which")]
    pub actor: bool,
    /// Only regions.
    #[arg(long, group = "which")]
    pub region: bool,
    /// Show the N values with most briefs (all when not given).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Only values whose name or alias contains TEXT (case-insensitive).
    #[arg(long = "match", value_name = "TEXT")]
    pub match_text: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Path of the brief relative to the corpus folder (as search prints it).
    pub path: String,
    #[command(flatten)]
    pub locations: Locations,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// Port to listen on; 0 picks a free port (the URL is printed).
    #[arg(long, value_name = "N", default_value_t = 7700)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address (127.0.0.1, ::1) lets other
    /// machines search and read every brief, without login or encryption.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1", value_parser = parse_bind)]
    pub bind: std::net::IpAddr,
    /// Open the page in a browser (best effort; nothing fails without one).
    #[arg(long)]
    pub open: bool,
}

/// An IP address, or `localhost`.
fn parse_bind(value: &str) -> Result<std::net::IpAddr, String> {
    if value.eq_ignore_ascii_case("localhost") {
        return Ok(std::net::Ipv4Addr::LOCALHOST.into());
    }
    value
        .parse()
        .map_err(|_| format!("{value:?} is not an IP address (such as 127.0.0.1, ::1 or 0.0.0.0)"))
}
