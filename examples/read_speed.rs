//! How fast each format reader turns files into briefs, and what it reads.
//!
//! ```sh
//! cargo run --release --example read_speed -- tests/fixtures/formats/*   # MB/s per file
//! cargo run --release --example read_speed -- --show report.pdf          # the brief as read
//! cargo run --release --example read_speed -- --compare-pdf report.pdf   # pdf-extract vs lopdf
//! cargo run --release --example read_speed -- --as=pdf --show fuzz/corpus/pdf/*  # files without extension
//! ```
//!
//! Speed is the file's size over the time [`briefs::corpus::read_bytes`]
//! takes on it (best of several runs, from memory, so the disk is not
//! measured): the reader's own cost, before passages and entities.

use std::path::Path;
use std::time::{Duration, Instant};

use briefs::corpus::{read_bytes, Format};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--show");
    let compare = args.iter().any(|a| a == "--compare-pdf");
    let forced = args
        .iter()
        .find_map(|a| a.strip_prefix("--as="))
        .map(|f| Format::from_path(Path::new(&format!("x.{f}"))).unwrap_or_else(|| panic!("unknown format {f}")));
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let Ok(bytes) = std::fs::read(path) else {
            eprintln!("{path}: cannot read");
            continue;
        };
        let format = forced.unwrap_or_else(|| Format::from_path(Path::new(path)).unwrap_or(Format::Text));
        if compare {
            compare_pdf(path, &bytes);
            continue;
        }
        let result = read_bytes(format, path, &bytes);
        if show {
            match &result {
                Ok(read) => {
                    for b in &read.briefs {
                        let brief = &b.brief;
                        println!("== {} (id {:?})", b.key, b.id);
                        println!("title: {}", brief.title);
                        println!(
                            "date: {:?}  author: {:?}  source: {:?}  url: {:?}  encoding: {:?}",
                            brief.date, brief.author, brief.source, brief.url, brief.encoding
                        );
                        println!("declared: {:?}", brief.declared);
                        for block in &brief.blocks {
                            println!(
                                "  [{:?} line {} page {:?}] {}",
                                block.kind,
                                block.first_line(),
                                block.page,
                                block.text
                            );
                        }
                        for w in &brief.warnings {
                            println!("  warning: {w}");
                        }
                    }
                    for p in &read.problems {
                        println!("problem: {p}");
                    }
                }
                Err(e) => println!("== {path}: error: {e}"),
            }
            continue;
        }
        let runs = (2_000_000 / bytes.len().max(1)).clamp(3, 200);
        let mut best = Duration::MAX;
        for _ in 0..runs {
            let start = Instant::now();
            let _ = std::hint::black_box(read_bytes(format, path, &bytes));
            best = best.min(start.elapsed());
        }
        let mb = bytes.len() as f64 / 1e6;
        let text: usize = result
            .as_ref()
            .map(|r| {
                r.briefs
                    .iter()
                    .flat_map(|b| &b.brief.blocks)
                    .map(|b| b.text.len())
                    .sum()
            })
            .unwrap_or(0);
        println!(
            "{path}: {:>9} bytes, {:>8} bytes of text, {:>8.3} ms, {:>8.1} MB/s of file, {:>7.1} MB/s of text{}",
            bytes.len(),
            text,
            best.as_secs_f64() * 1e3,
            mb / best.as_secs_f64(),
            text as f64 / 1e6 / best.as_secs_f64(),
            if result.is_err() { "  (error)" } else { "" }
        );
    }
}

/// The same PDF through `lopdf`'s own `extract_text` and through our
/// reader (pdf-extract with layout), with times, to compare the two.
fn compare_pdf(path: &str, bytes: &[u8]) {
    let start = Instant::now();
    let lopdf_text = pdf_extract::Document::load_mem(bytes).and_then(|doc| {
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        doc.extract_text(&pages)
    });
    let lopdf_time = start.elapsed();
    let start = Instant::now();
    let ours = read_bytes(Format::Pdf, path, bytes);
    let our_time = start.elapsed();
    println!(
        "== {path}: lopdf extract_text ({:.2} ms)",
        lopdf_time.as_secs_f64() * 1e3
    );
    match lopdf_text {
        Ok(text) => println!("{text}"),
        Err(e) => println!("error: {e}"),
    }
    println!("== {path}: briefs pdf reader ({:.2} ms)", our_time.as_secs_f64() * 1e3);
    match ours {
        Ok(read) => {
            for block in read.briefs.iter().flat_map(|b| &b.brief.blocks) {
                println!(
                    "[{:?} p{:?} l{}] {}",
                    block.kind,
                    block.page,
                    block.first_line(),
                    block.text
                );
            }
        }
        Err(e) => println!("error: {e}"),
    }
}
