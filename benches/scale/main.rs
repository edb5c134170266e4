//! Scale benchmark: `briefs` against plain tantivy and SQLite FTS5, on one
//! generated news-like corpus, in one run.
//!
//! ```sh
//! cargo bench --bench scale -- --briefs 10000 [--runs 3] [--out scale-10k.md]
//! ```
//!
//! Steps (each build in its own child process, reaped with `wait4` so its
//! CPU time and peak RSS are its own):
//! 1. generate N briefs (`generator.rs`) into `--work DIR/corpus`;
//! 2. full `briefs index` builds (`--runs` times, medians), the same without
//!    entity extraction (library call), `--tagger-pairs` pairs of library
//!    builds with and without the tagger, one after the other, for the
//!    tagger's share; then `briefs export` to hand the very same passages
//!    to the baselines;
//! 3. plain tantivy and FTS5 builds (this binary re-invoked with a hidden
//!    subcommand), `--runs` times each;
//! 4. `briefs index` after editing one brief, and after changing nothing;
//! 5. in-process latency of the query mix (`queries.rs`) for each system;
//! 6. whole-process `briefs search` (plain, with `--facets`) and the plain
//!    tantivy equivalent, `briefs stats`, `briefs facets`;
//! 7. the first `--format-briefs` briefs written in every format
//!    (`formats.rs`), each folder built with `briefs index`;
//! 8. the Markdown report (`report.rs`) on stdout and in `--out`.
//!
//! The `briefs` binary is the one cargo builds for this bench (release
//! profile); `--briefs-bin` points at another one (e.g. another worktree's).

mod formats;
mod fts5;
mod generator;
mod inprocess;
mod measure;
mod passages;
mod plain_tantivy;
mod queries;
mod report;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use measure::Usage;
use queries::Query;
use report::{Build, ProcessRow, Results};

/// Flags of a benchmark run.
struct Options {
    briefs: u64,
    seed: u64,
    runs: usize,
    /// Queries of each kind in the in-process mix.
    queries: usize,
    /// Timed passes over the in-process mix (after one warm-up pass).
    repeat: usize,
    /// Seconds after which no further timed pass starts.
    budget_secs: u64,
    /// Queries of each kind run as whole processes.
    process_queries: usize,
    threads: usize,
    heap_mb: usize,
    work: PathBuf,
    out: Option<PathBuf>,
    briefs_bin: PathBuf,
    keep: bool,
    /// Briefs written in each format for the per-format builds (0: skip).
    format_briefs: usize,
    /// Pairs of builds with and without the tagger, for its share.
    tagger_pairs: usize,
}

const USAGE: &str = "usage: cargo bench --bench scale -- [--briefs N] [--seed N] [--runs N] [--queries N] \
                     [--repeat N] [--budget-secs N] [--process-queries N] [--threads N] [--heap-mb MB] [--work DIR] [--out FILE] \
                     [--briefs-bin PATH] [--format-briefs N] [--tagger-pairs N] [--keep]";

fn parse_options() -> Options {
    let mut o = Options {
        briefs: 10_000,
        seed: 1,
        runs: 3,
        queries: 20,
        repeat: 5,
        budget_secs: 120,
        process_queries: 10,
        threads: 2,
        heap_mb: 256,
        work: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-scale"),
        out: None,
        briefs_bin: PathBuf::from(env!("CARGO_BIN_EXE_briefs")),
        keep: false,
        format_briefs: 2000,
        tagger_pairs: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value\n{USAGE}"));
        let number = |v: String| -> u64 {
            v.replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("not a number: {v}\n{USAGE}"))
        };
        match arg.as_str() {
            "--briefs" => o.briefs = number(value()),
            "--seed" => o.seed = number(value()),
            "--runs" => o.runs = number(value()).max(1) as usize,
            "--queries" => o.queries = number(value()).max(1) as usize,
            "--repeat" => o.repeat = number(value()).max(1) as usize,
            "--budget-secs" => o.budget_secs = number(value()),
            "--process-queries" => o.process_queries = number(value()) as usize,
            "--threads" => o.threads = number(value()).max(1) as usize,
            "--heap-mb" => o.heap_mb = number(value()) as usize,
            "--work" => o.work = PathBuf::from(value()),
            "--out" => o.out = Some(PathBuf::from(value())),
            "--briefs-bin" => o.briefs_bin = PathBuf::from(value()),
            "--keep" => o.keep = true,
            "--format-briefs" => o.format_briefs = number(value()) as usize,
            "--tagger-pairs" => o.tagger_pairs = number(value()).max(1) as usize,
            "--bench" => {} // cargo bench passes it to harness = false benches
            _ => panic!("unknown flag {arg}\n{USAGE}"),
        }
    }
    o
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(sub) = args.get(1).filter(|a| a.starts_with("__")) {
        child(sub, &args[2..]);
        return;
    }
    let o = parse_options();
    run(&o);
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn load_mix(path: &Path) -> Vec<Query> {
    let text = std::fs::read_to_string(path).expect("read the query mix");
    serde_json::from_str(&text).expect("parse the query mix")
}

/// The hidden subcommands: one build or one query set in a process of its own.
fn child(sub: &str, args: &[String]) {
    let arg = |i: usize| args.get(i).unwrap_or_else(|| panic!("{sub}: missing argument {i}"));
    let num = |i: usize| -> usize { arg(i).parse().expect("a number") };
    match sub {
        "__build-tantivy" => plain_tantivy::build(Path::new(arg(0)), Path::new(arg(1)), num(2), num(3)),
        "__build-briefs-less" => inprocess::build_with_less_extraction(arg(0), Path::new(arg(1)), Path::new(arg(2))),
        "__build-fts5" => fts5::build(Path::new(arg(0)), Path::new(arg(1)), num(2)),
        "__query-tantivy" => {
            let mix = load_mix(Path::new(arg(1)));
            plain_tantivy::query_process(Path::new(arg(0)), &mix[num(2)]);
        }
        "__queries" => inprocess_queries(
            arg(0),
            Path::new(arg(1)),
            &load_mix(Path::new(arg(2))),
            num(3),
            num(4) as f64,
        ),
        _ => panic!("unknown subcommand {sub}"),
    }
}

/// Runs the mix in this process and prints `query-number  seconds
/// total-hits` per query: first the first query of each kind untimed (to
/// open what is opened lazily and warm the caches), then up to `repeat`
/// timed passes over the whole mix, stopping early after a round of the
/// kinds once `budget` seconds have gone (at 100k briefs one pass of
/// today's briefs takes many minutes).
fn inprocess_queries(system: &str, index: &Path, mix: &[Query], repeat: usize, budget: f64) {
    let runner: Box<dyn Fn(&Query) -> u64> = match system {
        "briefs" => {
            let b = inprocess::Briefs::open(index);
            Box::new(move |q| b.run(q))
        }
        "tantivy" => {
            let p = plain_tantivy::Plain::open(index);
            Box::new(move |q| p.run(q).0)
        }
        "fts5" => {
            let f = fts5::Fts5::open(index);
            Box::new(move |q| f.run(q))
        }
        _ => panic!("unknown system {system}"),
    };
    for kind in queries::KINDS {
        if let Some(q) = mix.iter().find(|q| q.kind == *kind) {
            std::hint::black_box(runner(q));
        }
    }
    // The mix interleaves the kinds (one of each, then again), so stopping
    // after any complete round leaves every kind with as many samples.
    let started = Instant::now();
    let mut out = String::new();
    'passes: for _ in 0..repeat {
        for (i, q) in mix.iter().enumerate() {
            let start = Instant::now();
            let hits = runner(q);
            let secs = start.elapsed().as_secs_f64();
            out.push_str(&format!("{i}\t{secs}\t{hits}\n"));
            if (i + 1) % queries::KINDS.len() == 0 && started.elapsed().as_secs_f64() > budget {
                break 'passes;
            }
        }
    }
    print!("{out}");
}

fn log(started: Instant, message: &str) {
    eprintln!("[{:>6.1} s] {message}", started.elapsed().as_secs_f64());
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem_gb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(String::new(), |kb| format!(", {:.0} GB RAM", kb / 1048576.0));
    format!("{cores} cores ({cpu}){mem_gb}")
}

/// What a run leaves in the work folder. Only these are ever deleted, so a
/// `--work` pointing at a folder with other things in it loses nothing else.
const WORK_ITEMS: &[&str] = &[
    "corpus",
    "briefs-index",
    "briefs-noextract",
    "tantivy-index",
    "fts5.sqlite",
    "export.jsonl",
    "passages.tsv",
    "mix.json",
    "formats",
    "format-index",
];

fn clean(work: &Path) {
    for item in WORK_ITEMS {
        let path = work.join(item);
        let _ = std::fs::remove_dir_all(&path);
        let _ = std::fs::remove_file(&path);
    }
}

fn run(o: &Options) {
    let started = Instant::now();
    let work = &o.work;
    let corpus = work.join("corpus");
    let briefs_index = work.join("briefs-index");
    let tantivy_index = work.join("tantivy-index");
    let fts5_db = work.join("fts5.sqlite");
    clean(work);
    std::fs::create_dir_all(work).expect("create the work folder");
    let me = std::env::current_exe().expect("path of this benchmark binary");
    let mut r = Results {
        date: jiff::Zoned::now().date().to_string(),
        machine: machine(),
        briefs: o.briefs,
        seed: o.seed,
        runs: o.runs,
        threads: o.threads,
        heap_mb: o.heap_mb,
        ..Results::default()
    };

    // 1. The corpus.
    let gazetteer = generator::Gazetteer::load(&data_dir()).expect("read the gazetteer in data/");
    let gen = generator::Generator::new(o.seed, gazetteer.clone());
    let t = Instant::now();
    r.corpus_bytes = gen.write_corpus(&corpus, o.briefs).expect("write the corpus");
    r.generate_secs = t.elapsed().as_secs_f64();
    log(
        started,
        &format!("generated {} briefs, {:.1} MB", o.briefs, r.corpus_bytes as f64 / 1e6),
    );

    let briefs = |args: &[&str]| {
        let mut cmd = Command::new(&o.briefs_bin);
        cmd.args(args)
            .arg("--index")
            .arg(&briefs_index)
            .arg("--corpus")
            .arg(&corpus)
            .env("NO_COLOR", "1");
        cmd
    };

    // 2. briefs full builds, then the export for the baselines.
    let mut usages = Vec::new();
    for run in 0..o.runs {
        let _ = std::fs::remove_dir_all(&briefs_index);
        let u = measure::run(&mut briefs(&["index", "-q"]), None).usage;
        log(
            started,
            &format!(
                "briefs build {}: {:.2} s, {:.0} MB RSS",
                run + 1,
                u.wall.as_secs_f64(),
                u.max_rss as f64 / 1e6
            ),
        );
        usages.push(u);
    }
    r.briefs_build = Build {
        usage: measure::median_usage(&usages),
        index_bytes: measure::dir_size(&briefs_index),
    };
    // Without extraction, one run: a figure for context, not a target.
    let less_index = work.join("briefs-less");
    let build_less = |what: &str| -> Build {
        let mut cmd = Command::new(&me);
        cmd.arg("__build-briefs-less").arg(what).arg(&corpus).arg(&less_index);
        let build = Build {
            usage: measure::run(&mut cmd, None).usage,
            index_bytes: measure::dir_size(&less_index),
        };
        let _ = std::fs::remove_dir_all(&less_index);
        build
    };
    r.briefs_noextract_build = build_less("off");
    // The tagger's share (issue 8 caps it at a fifth): builds with and
    // without it, the same way and one right after the other, so that
    // each pair meets the same load on a shared machine; the report
    // takes the median pair.
    for _ in 0..o.tagger_pairs {
        let with = build_less("full").usage;
        let without = build_less("no-tagger");
        r.tagger_pairs.push((with, without.usage));
        if r.tagger_pairs.len() == 1 {
            r.briefs_notagger_build = without;
        }
    }
    log(started, "briefs builds without extraction and without the tagger done");
    let export = work.join("export.jsonl");
    let passages_file = work.join("passages.tsv");
    measure::run(&mut briefs(&["export"]), Some(&export));
    r.passages = passages::convert(&export, &passages_file);
    let _ = std::fs::remove_file(&export);
    log(started, &format!("exported {} passages", r.passages));

    // 3. Baseline builds.
    let (threads, heap) = (o.threads.to_string(), o.heap_mb.to_string());
    let baseline = |what: &str, out: &Path, args: &[&str]| -> Build {
        let mut usages = Vec::new();
        for run in 0..o.runs {
            let _ = std::fs::remove_dir_all(out);
            let _ = std::fs::remove_file(out);
            let mut cmd = Command::new(&me);
            cmd.arg(what).arg(&passages_file).arg(out).args(args);
            let u = measure::run(&mut cmd, None).usage;
            log(started, &format!("{what} {}: {:.2} s", run + 1, u.wall.as_secs_f64()));
            usages.push(u);
        }
        let index_bytes = if out.is_dir() {
            measure::dir_size(out)
        } else {
            std::fs::metadata(out).map_or(0, |m| m.len())
        };
        Build {
            usage: measure::median_usage(&usages),
            index_bytes,
        }
    };
    r.tantivy_build = baseline("__build-tantivy", &tantivy_index, &[&threads, &heap]);
    r.fts5_build = baseline("__build-fts5", &fts5_db, &[&heap]);

    // 4. Incremental runs: one brief edited, then nothing changed.
    let (mut one, mut none) = (Vec::new(), Vec::new());
    for run in 0..o.runs as u64 {
        let victim = corpus.join(gen.path((run * 7919 + 17) % o.briefs));
        let mut text = std::fs::read_to_string(&victim).expect("read a brief to edit");
        text.push_str("\n\nAn added paragraph: officials in Herat said the uranium corridor talks would resume.\n");
        std::fs::write(&victim, text).expect("edit a brief");
        one.push(measure::run(&mut briefs(&["index", "-q"]), None).usage);
        none.push(measure::run(&mut briefs(&["index", "-q"]), None).usage);
    }
    r.one_changed = measure::median_usage(&one);
    r.nothing_changed = measure::median_usage(&none);
    log(started, "incremental runs done");

    // 5. In-process query latency.
    let mix = queries::mix(&gazetteer, o.seed, o.queries);
    let mix_file = work.join("mix.json");
    std::fs::write(
        &mix_file,
        serde_json::to_string_pretty(&mix).expect("serialise the mix"),
    )
    .expect("write mix");
    let mut hits_by_query: BTreeMap<&str, BTreeMap<usize, f64>> = BTreeMap::new();
    for (system, index) in [
        ("briefs", &briefs_index),
        ("tantivy", &tantivy_index),
        ("fts5", &fts5_db),
    ] {
        let mut cmd = Command::new(&me);
        cmd.arg("__queries")
            .arg(system)
            .arg(index)
            .arg(&mix_file)
            .arg(o.repeat.to_string())
            .arg(o.budget_secs.to_string());
        let out = measure::run(&mut cmd, None).stdout;
        let mut per_kind: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        let hits = hits_by_query.entry(system).or_default();
        for line in String::from_utf8_lossy(&out).lines() {
            let f: Vec<&str> = line.split('\t').collect();
            let (i, secs, total): (usize, f64, f64) = (
                f[0].parse().expect("query number"),
                f[1].parse().expect("seconds"),
                f[2].parse().expect("hits"),
            );
            per_kind.entry(mix[i].kind.clone()).or_default().push(secs);
            hits.insert(i, total);
        }
        for (kind, secs) in per_kind {
            r.inprocess
                .insert((system.to_string(), kind), (measure::percentiles(&secs), 0.0));
        }
        log(started, &format!("in-process queries: {system}"));
    }
    // Mean hits per kind over the queries every system ran (a system cut
    // short by --budget-secs ran fewer), so the column compares like with like.
    for ((system, kind), (_, mean)) in r.inprocess.iter_mut() {
        let common: Vec<f64> = (0..mix.len())
            .filter(|&i| mix[i].kind == *kind && hits_by_query.values().all(|h| h.contains_key(&i)))
            .map(|i| hits_by_query[system.as_str()][&i])
            .collect();
        *mean = common.iter().sum::<f64>() / common.len().max(1) as f64;
    }

    // 6. Whole processes.
    let process_mix: Vec<(usize, &Query)> = {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        mix.iter()
            .enumerate()
            .filter(|(_, q)| {
                let n = seen.entry(q.kind.as_str()).or_default();
                *n += 1;
                *n <= o.process_queries
            })
            .collect()
    };
    let briefs_search = |q: &Query, facets: bool| -> f64 {
        let text = q.tantivy_text();
        let mut args = vec!["search", text.as_str()];
        if let Some(c) = &q.country {
            args.extend(["--country", c]);
        }
        if let Some(a) = &q.actor {
            args.extend(["--actor", a.name.as_str()]);
        }
        if facets || q.facets {
            args.push("--facets");
        }
        measure::run(&mut briefs(&args), None).usage.wall.as_secs_f64()
    };
    let tantivy_search = |i: usize| -> f64 {
        let mut cmd = Command::new(&me);
        cmd.arg("__query-tantivy")
            .arg(&tantivy_index)
            .arg(&mix_file)
            .arg(i.to_string());
        measure::run(&mut cmd, None).usage.wall.as_secs_f64()
    };
    let mut groups: BTreeMap<bool, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let mut with_facets = Vec::new();
    for &(i, q) in &process_mix {
        let g = groups.entry(queries::has_country_filter(&q.kind)).or_default();
        g.0.push(briefs_search(q, false));
        g.1.push(tantivy_search(i));
        with_facets.push(briefs_search(q, true));
    }
    for (filtered, (b, t)) in &groups {
        r.process.push(ProcessRow {
            label: if *filtered {
                "`briefs search`, country filter (country, country + actor, browse)".into()
            } else {
                "`briefs search`, no filter (one word, two words, phrase, rare name)".into()
            },
            briefs: measure::percentiles(b),
            tantivy: Some(measure::percentiles(t)),
        });
    }
    r.process.push(ProcessRow {
        label: "`briefs search --facets`, whole mix".into(),
        briefs: measure::percentiles(&with_facets),
        tantivy: None,
    });
    log(started, "whole-process searches done");
    let median_of = |args: &[&str]| -> Usage {
        let runs: Vec<Usage> = (0..o.runs.max(3))
            .map(|_| measure::run(&mut briefs(args), None).usage)
            .collect();
        measure::median_usage(&runs)
    };
    r.stats = median_of(&["stats"]);
    r.facets = median_of(&["facets"]);

    // 7. The same briefs in every format.
    if o.format_briefs > 0 {
        let format_index = work.join("format-index");
        for corpus in formats::write_all(&corpus, &work.join("formats"), o.format_briefs) {
            let runs: Vec<Usage> = (0..o.runs)
                .map(|_| {
                    let _ = std::fs::remove_dir_all(&format_index);
                    let mut cmd = Command::new(&o.briefs_bin);
                    cmd.args(["index", "-q", "--index"])
                        .arg(&format_index)
                        .arg("--corpus")
                        .arg(&corpus.dir)
                        .env("NO_COLOR", "1");
                    measure::run(&mut cmd, None).usage
                })
                .collect();
            let usage = measure::median_usage(&runs);
            log(
                started,
                &format!("{} build: {:.2} s", corpus.name, usage.wall.as_secs_f64()),
            );
            r.formats.push(report::FormatBuild {
                name: corpus.name,
                bytes: corpus.bytes,
                usage,
            });
            let _ = std::fs::remove_dir_all(&corpus.dir);
        }
        r.format_briefs = o.format_briefs;
        let _ = std::fs::remove_dir_all(&format_index);
    }
    r.total_secs = started.elapsed().as_secs_f64();

    // 8. Report.
    let report = r.markdown();
    println!("\n{report}");
    if let Some(out) = &o.out {
        std::fs::write(out, &report).expect("write the report");
        log(started, &format!("report written to {}", out.display()));
    }
    if !o.keep {
        clean(work);
        let _ = std::fs::remove_dir(work); // only when nothing else is in it
    }
}
