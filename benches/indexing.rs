//! Indexing and search benchmarks, reported as ratios to baselines measured
//! in the same run (the machines are shared and noisy; absolute seconds are
//! printed for context only).
//!
//! Run: `cargo bench --bench indexing` (add `-- --briefs 2000` for a quick run).
//! Results are recorded in BENCHMARKS.md.
//!
//! Scenarios, on a corpus of N briefs made from the demo corpus (each copy
//! gets its own id words so no two briefs are identical):
//! - full build, with and without entity extraction (extraction's cost);
//! - a run after editing one brief, and a run with nothing changed, each as a
//!   ratio to the full build;
//! - a search as a whole process (`briefs search ...`), against starting the
//!   same binary to print `--version`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use briefs::index::{build, BuildOptions};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let value = f();
    (start.elapsed(), value)
}

fn make_corpus(dir: &Path, briefs: usize) -> usize {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut sources: Vec<(String, String)> = std::fs::read_dir(&demo)
        .expect("demo corpus")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt" || x == "md"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            (name, std::fs::read_to_string(e.path()).expect("read demo brief"))
        })
        .collect();
    sources.sort();
    let mut bytes = 0;
    for i in 0..briefs {
        let (name, text) = &sources[i % sources.len()];
        let sub = dir.join(format!("shard-{:03}", i / 500));
        std::fs::create_dir_all(&sub).expect("shard dir");
        let body = format!("{text}\n\nFile reference copy{i} batch{}.\n", i / 100);
        bytes += body.len();
        std::fs::write(sub.join(format!("{i:05}-{name}")), body).expect("write brief");
    }
    bytes
}

fn options(corpus: &Path, index: &Path, rebuild: bool, extract: bool) -> BuildOptions {
    BuildOptions {
        rebuild,
        extract,
        ..BuildOptions::new(corpus, index)
    }
}

fn run_process(args: &[&str], runs: usize) -> Duration {
    let bin = env!("CARGO_BIN_EXE_briefs");
    let samples = (0..runs)
        .map(|_| {
            let (elapsed, out) = time(|| Command::new(bin).args(args).output().expect("run briefs"));
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            elapsed
        })
        .collect();
    median(samples)
}

fn main() {
    let mut briefs = 10_000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--briefs" {
            briefs = args.next().and_then(|n| n.parse().ok()).expect("--briefs N");
        }
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let corpus = tmp.path().join("corpus");
    let index: PathBuf = tmp.path().join("index");
    let bytes = make_corpus(&corpus, briefs);
    println!("corpus: {briefs} briefs, {:.1} MiB", bytes as f64 / 1048576.0);

    // Full builds: extraction off, then on (and on again, to see the noise).
    let (no_extract, _) = time(|| build(&options(&corpus, &index, true, false)).expect("build"));
    let (full, report) = time(|| build(&options(&corpus, &index, true, true)).expect("build"));
    let (full_again, _) = time(|| build(&options(&corpus, &index, true, true)).expect("build"));
    let full = full.min(full_again);

    // Nothing changed: no file body is read.
    let (unchanged, none_report) = time(|| build(&options(&corpus, &index, false, true)).expect("build"));
    assert!(none_report.added.is_empty() && none_report.changed.is_empty());

    // One brief edited.
    let victim = std::fs::read_dir(corpus.join("shard-000"))
        .expect("shard")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .min()
        .expect("a brief");
    let mut text = std::fs::read_to_string(&victim).expect("read");
    text.push_str("\nAn added paragraph about the uranium corridor.\n");
    std::fs::write(&victim, text).expect("edit");
    let (one, one_report) = time(|| build(&options(&corpus, &index, false, true)).expect("build"));
    assert_eq!(one_report.changed.len(), 1);

    let idx = index.to_str().expect("utf-8");
    let cor = corpus.to_str().expect("utf-8");
    let baseline = run_process(&["--version"], 15);
    let search = run_process(
        &[
            "search",
            "gas pipeline",
            "--country",
            "Turkmenistan",
            "--index",
            idx,
            "--corpus",
            cor,
        ],
        15,
    );
    let facets = run_process(&["search", "Taliban", "--facets", "--index", idx, "--corpus", cor], 15);

    let secs = |d: Duration| d.as_secs_f64();
    println!();
    println!("| measure | seconds | ratio |");
    println!("|---|---|---|");
    let row = |label: &str, value: Duration, baseline: Duration| {
        println!("| {label} | {:.4} | {:.4} |", secs(value), secs(value) / secs(baseline));
    };
    row("full build, extraction on (baseline)", full, full);
    row("full build, extraction off", no_extract, full);
    row("one brief changed", one, full);
    row("nothing changed", unchanged, full);
    println!(
        "| throughput with / without extraction (briefs/s) | {:.0} / {:.0} | {:.3} |",
        briefs as f64 / secs(full),
        briefs as f64 / secs(no_extract),
        secs(no_extract) / secs(full)
    );
    row("`briefs --version` process (baseline)", baseline, baseline);
    row(
        "`briefs search \"gas pipeline\" --country Turkmenistan`",
        search,
        baseline,
    );
    row("`briefs search Taliban --facets`", facets, baseline);
    println!();
    println!(
        "index: {} passages, {:.1} MiB on disk",
        report.passages,
        report.index_bytes as f64 / 1048576.0
    );
}
