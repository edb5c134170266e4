//! The Markdown report: tables ready to paste into BENCHMARKS.md, with the
//! ratios to the baselines measured in the same run and the targets
//! marked met or missed.
//!
//! Ratios matter more than seconds here: the machines are shared and noisy,
//! but a noisy minute slows briefs and its baselines alike only when they
//! are measured in the same run, on the same corpus, in the same page cache.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::measure::{Percentiles, Usage};
use crate::queries::KINDS;

/// The median build of one system.
#[derive(Debug, Clone, Copy, Default)]
pub struct Build {
    pub usage: Usage,
    pub index_bytes: u64,
}

/// A whole-process latency row, briefs against plain tantivy when it has one.
pub struct ProcessRow {
    pub label: String,
    pub briefs: Percentiles,
    pub tantivy: Option<Percentiles>,
}

/// Everything one run measured.
#[derive(Default)]
pub struct Results {
    pub date: String,
    pub machine: String,
    pub briefs: u64,
    pub seed: u64,
    pub corpus_bytes: u64,
    pub passages: u64,
    pub runs: usize,
    pub threads: usize,
    pub heap_mb: usize,
    pub generate_secs: f64,
    pub briefs_build: Build,
    pub briefs_noextract_build: Build,
    pub briefs_notagger_build: Build,
    /// Library builds with and without the tagger, in pairs run back to back.
    pub tagger_pairs: Vec<(Usage, Usage)>,
    pub tantivy_build: Build,
    pub fts5_build: Build,
    pub one_changed: Usage,
    pub nothing_changed: Usage,
    /// (system, kind) -> latencies and mean total hits.
    pub inprocess: BTreeMap<(String, String), (Percentiles, f64)>,
    pub process: Vec<ProcessRow>,
    pub stats: Usage,
    pub facets: Usage,
    /// Briefs written in each format, and the builds of each format's folder.
    pub format_briefs: usize,
    pub formats: Vec<FormatBuild>,
    pub total_secs: f64,
}

/// A full build of the same briefs written in one format.
#[derive(Default)]
pub struct FormatBuild {
    pub name: &'static str,
    pub bytes: u64,
    pub usage: Usage,
}

pub const SYSTEMS: &[&str] = &["briefs", "tantivy", "fts5"];

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn ms(secs: f64) -> String {
    let v = secs * 1000.0;
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A ratio with two significant digits below 1 (0.0031x, not 0.00x).
fn ratio(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x >= 10.0 {
        format!("{x:.0}x")
    } else if x >= 0.1 || x == 0.0 {
        format!("{x:.2}x")
    } else {
        let decimals = (1.0 - x.log10().floor()) as usize;
        format!("{x:.decimals$}x")
    }
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

impl Results {
    /// The tagger's share of a build, wall and CPU: for each pair, one
    /// minus the build without it over the build with it; the median pair
    /// of each (0 without pairs).
    pub fn tagger_share(&self) -> (f64, f64) {
        let median = |f: &dyn Fn(&Usage) -> f64| {
            let mut shares: Vec<f64> = self.tagger_pairs.iter().map(|(w, wo)| 1.0 - f(wo) / f(w)).collect();
            shares.sort_by(f64::total_cmp);
            shares.get(shares.len() / 2).copied().unwrap_or(0.0)
        };
        (median(&|u| u.wall.as_secs_f64()), median(&|u| u.cpu.as_secs_f64()))
    }

    fn mbps(&self, b: &Build) -> f64 {
        mb(self.corpus_bytes) / b.usage.wall.as_secs_f64()
    }

    fn inproc(&self, system: &str, kind: &str) -> (Percentiles, f64) {
        self.inprocess
            .get(&(system.to_string(), kind.to_string()))
            .copied()
            .unwrap_or_default()
    }

    /// The whole report as Markdown.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let w = &mut s;
        let _ = writeln!(
            w,
            "### {} briefs, {}, {}\n",
            thousands(self.briefs),
            self.date,
            self.machine
        );
        let _ = writeln!(
            w,
            "Corpus: seed {}, {:.1} MB, {} passages (generated in {:.1} s). Builds: median of {} runs; \
             baselines with {} indexing threads and a {} MB budget.\n",
            self.seed,
            mb(self.corpus_bytes),
            thousands(self.passages),
            self.generate_secs,
            self.runs,
            self.threads,
            self.heap_mb
        );

        let _ = writeln!(w, "#### Builds\n");
        let _ = writeln!(
            w,
            "| system | time s | MB/s | CPU s | peak RSS MB | peak anon MB | index MB | index / corpus | briefs MB/s ratio |"
        );
        let _ = writeln!(w, "|---|---|---|---|---|---|---|---|---|");
        let b_mbps = self.mbps(&self.briefs_build);
        for (name, b) in [
            ("briefs (with extraction)", &self.briefs_build),
            ("briefs, extraction off (one run)", &self.briefs_noextract_build),
            ("briefs, tagger off (one run)", &self.briefs_notagger_build),
            ("plain tantivy", &self.tantivy_build),
            ("SQLite FTS5", &self.fts5_build),
        ] {
            let _ = writeln!(
                w,
                "| {name} | {:.2} | {:.1} | {:.1} | {:.0} | {:.0} | {:.1} | {:.2} | {} |",
                b.usage.wall.as_secs_f64(),
                self.mbps(b),
                b.usage.cpu.as_secs_f64(),
                mb(b.usage.max_rss),
                mb(b.usage.max_anon),
                mb(b.index_bytes),
                b.index_bytes as f64 / self.corpus_bytes as f64,
                ratio(b_mbps / self.mbps(b)),
            );
        }
        let full = self.briefs_build.usage.wall.as_secs_f64();
        for (name, u) in [
            ("briefs, one brief changed", &self.one_changed),
            ("briefs, nothing changed", &self.nothing_changed),
        ] {
            let _ = writeln!(
                w,
                "| {name} | {:.3} ({:.2}% of full) | | {:.2} | {:.0} | {:.0} | | | |",
                u.wall.as_secs_f64(),
                100.0 * u.wall.as_secs_f64() / full,
                u.cpu.as_secs_f64(),
                mb(u.max_rss),
                mb(u.max_anon)
            );
        }

        if !self.tagger_pairs.is_empty() {
            let _ = writeln!(
                w,
                "\nThe tagger's share, library builds with and without it run back to back:\n"
            );
            let _ = writeln!(
                w,
                "| pair | with: wall s, CPU s | without: wall s, CPU s | share: wall, CPU |"
            );
            let _ = writeln!(w, "|---|---|---|---|");
            for (k, (with, without)) in self.tagger_pairs.iter().enumerate() {
                let (ww, wc) = (with.wall.as_secs_f64(), with.cpu.as_secs_f64());
                let (ow, oc) = (without.wall.as_secs_f64(), without.cpu.as_secs_f64());
                let _ = writeln!(
                    w,
                    "| {} | {ww:.2}, {wc:.1} | {ow:.2}, {oc:.1} | {:.1}%, {:.1}% |",
                    k + 1,
                    (1.0 - ow / ww) * 100.0,
                    (1.0 - oc / wc) * 100.0
                );
            }
        }
        let _ = writeln!(w, "\n#### In-process query latency, ms (p50 / p95 / p99)\n");
        let _ = writeln!(
            w,
            "| query kind | briefs | plain tantivy | SQLite FTS5 | mean hits b / t / f | samples b / t / f | FTS5 / briefs p50, p99 |"
        );
        let _ = writeln!(w, "|---|---|---|---|---|---|---|");
        for kind in KINDS {
            let cells: Vec<(Percentiles, f64)> = SYSTEMS.iter().map(|sys| self.inproc(sys, kind)).collect();
            let lat = |p: &Percentiles| format!("{} / {} / {}", ms(p.p50), ms(p.p95), ms(p.p99));
            let _ = writeln!(
                w,
                "| {kind} | {} | {} | {} | {:.0} / {:.0} / {:.0} | {} / {} / {} | {}, {} |",
                lat(&cells[0].0),
                lat(&cells[1].0),
                lat(&cells[2].0),
                cells[0].1,
                cells[1].1,
                cells[2].1,
                cells[0].0.samples,
                cells[1].0.samples,
                cells[2].0.samples,
                ratio(cells[2].0.p50 / cells[0].0.p50),
                ratio(cells[2].0.p99 / cells[0].0.p99),
            );
        }

        let _ = writeln!(w, "\n#### Whole process, ms (p50 / p99)\n");
        let _ = writeln!(w, "| command | briefs | plain tantivy | ratio p50, p99 |");
        let _ = writeln!(w, "|---|---|---|---|");
        for row in &self.process {
            let (t, r) = match &row.tantivy {
                Some(t) => (
                    format!("{} / {}", ms(t.p50), ms(t.p99)),
                    format!("{}, {}", ratio(row.briefs.p50 / t.p50), ratio(row.briefs.p99 / t.p99)),
                ),
                None => ("".into(), "".into()),
            };
            let _ = writeln!(
                w,
                "| {} ({} runs) | {} / {} | {t} | {r} |",
                row.label,
                row.briefs.samples,
                ms(row.briefs.p50),
                ms(row.briefs.p99)
            );
        }
        for (name, u) in [("`briefs stats`", &self.stats), ("`briefs facets`", &self.facets)] {
            let _ = writeln!(
                w,
                "| {name} (median) | {} ({:.0} MB RSS) | | |",
                ms(u.wall.as_secs_f64()),
                mb(u.max_rss)
            );
        }

        if let Some(text) = self.formats.first() {
            let _ = writeln!(
                w,
                "\n#### The first {} briefs in each format (full `briefs index`, median of {} runs)\n",
                thousands(self.format_briefs as u64),
                self.runs
            );
            let _ = writeln!(
                w,
                "| format | files MB | time s | MB/s | briefs/s | CPU s | time / txt |"
            );
            let _ = writeln!(w, "|---|---|---|---|---|---|---|");
            let text_secs = text.usage.wall.as_secs_f64();
            for f in &self.formats {
                let secs = f.usage.wall.as_secs_f64();
                let _ = writeln!(
                    w,
                    "| {} | {:.1} | {:.2} | {:.1} | {:.0} | {:.1} | {} |",
                    f.name,
                    mb(f.bytes),
                    secs,
                    mb(f.bytes) / secs,
                    self.format_briefs as f64 / secs,
                    f.usage.cpu.as_secs_f64(),
                    ratio(secs / text_secs),
                );
            }
        }

        let _ = writeln!(w, "\n#### Targets (issue 7, and the tagger's cost from issue 8)\n");
        let _ = writeln!(w, "| target | measured | |");
        let _ = writeln!(w, "|---|---|---|");
        let mut target = |name: &str, value: String, ok: bool| {
            let _ = writeln!(w, "| {name} | {value} | {} |", met(ok));
        };
        let r = b_mbps / self.mbps(&self.tantivy_build);
        target("full build MB/s >= 0.5x plain tantivy", ratio(r), r >= 0.5);
        let rss = mb(self.briefs_build.usage.max_rss);
        let cap = self.heap_mb as f64 + 150.0;
        target(
            &format!("peak RSS <= budget + 150 MB ({cap:.0} MB)"),
            format!("{rss:.0} MB"),
            rss <= cap,
        );
        let anon = mb(self.briefs_build.usage.max_anon);
        target(
            &format!("peak anonymous RSS <= budget + 150 MB ({cap:.0} MB)"),
            format!("{anon:.0} MB"),
            anon <= cap,
        );
        let size = self.briefs_build.index_bytes as f64 / self.corpus_bytes as f64;
        target("index <= 1.3x corpus", ratio(size), size <= 1.3);
        for row in &self.process {
            let Some(t) = &row.tantivy else { continue };
            let (r50, r99) = (row.briefs.p50 / t.p50, row.briefs.p99 / t.p99);
            target(
                &format!("{}: p50 <= 3x plain tantivy", row.label),
                ratio(r50),
                r50 <= 3.0,
            );
            target(
                &format!("{}: p99 <= 5x plain tantivy", row.label),
                ratio(r99),
                r99 <= 5.0,
            );
        }
        if let Some(row) = self.process.iter().find(|r| r.label.contains("--facets")) {
            target(
                "`--facets` p50 < 30 ms",
                format!("{} ms", ms(row.briefs.p50)),
                row.briefs.p50 < 0.030,
            );
            target(
                "`--facets` p99 < 100 ms",
                format!("{} ms", ms(row.briefs.p99)),
                row.briefs.p99 < 0.100,
            );
        }
        for kind in KINDS {
            let (b, f) = (self.inproc("briefs", kind).0, self.inproc("fts5", kind).0);
            let (r50, r99) = (f.p50 / b.p50, f.p99 / b.p99);
            target(
                &format!("in-process {kind}: >= 5x faster than FTS5 (p50, p99)"),
                format!("{}, {}", ratio(r50), ratio(r99)),
                r50 >= 5.0 && r99 >= 5.0,
            );
        }
        for (name, u) in [("`briefs stats`", &self.stats), ("`briefs facets`", &self.facets)] {
            let secs = u.wall.as_secs_f64();
            target(&format!("{name} < 0.5 s"), format!("{secs:.3} s"), secs < 0.5);
        }
        for (name, u) in [
            ("one brief changed", &self.one_changed),
            ("nothing changed", &self.nothing_changed),
        ] {
            let share = u.wall.as_secs_f64() / full;
            target(
                &format!("{name} < 2% of a full build"),
                format!("{:.2}%", share * 100.0),
                share < 0.02,
            );
        }
        // The tagger's share: what a build without it saves, in wall time
        // and in CPU time, the median over the pairs.
        let (wall_share, cpu_share) = self.tagger_share();
        target(
            &format!(
                "the tagger <= a fifth of a full build (issue 8; wall, CPU; median of {} pairs)",
                self.tagger_pairs.len()
            ),
            format!("{:.1}%, {:.1}%", wall_share * 100.0, cpu_share * 100.0),
            wall_share <= 0.2 && cpu_share <= 0.2,
        );
        let _ = writeln!(w, "\nWhole run: {:.0} s.", self.total_secs);
        s
    }
}

/// 100000 -> "100,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
