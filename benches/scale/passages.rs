//! The passages the baselines index: exactly the passages `briefs` made,
//! taken from `briefs export` (JSON Lines) and rewritten once into a flat
//! file, so that a baseline's build time is indexing, not JSON parsing.
//!
//! One line per passage, fields separated by tabs:
//! `brief  passage  date  countries  actors  text`, where `brief` is the
//! brief's ordinal in the export, `date` is `YYYYMMDD` (0 when undated),
//! countries and actors are canonical names separated by U+001F, and tabs
//! and line breaks in the text are spaces (the baselines' tokenizers split
//! on both alike).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use serde::Deserialize;

#[derive(Deserialize)]
struct ExportActor {
    name: String,
}

#[derive(Deserialize)]
struct ExportPassage {
    passage: u64,
    text: String,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    actors: Vec<ExportActor>,
}

#[derive(Deserialize)]
struct ExportBrief {
    date: Option<String>,
    passages: Vec<ExportPassage>,
}

/// One passage as the baselines see it.
pub struct Passage<'a> {
    pub brief: u64,
    pub passage: u64,
    pub date: i64,
    pub countries: Vec<&'a str>,
    pub actors: Vec<&'a str>,
    pub text: &'a str,
}

const SEP: char = '\u{1f}';

fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r', SEP], " ")
}

/// Rewrites a `briefs export` file into the flat passages file; returns the
/// number of passages.
pub fn convert(export: &Path, out: &Path) -> u64 {
    let input = BufReader::new(std::fs::File::open(export).expect("open the export"));
    let mut output = BufWriter::new(std::fs::File::create(out).expect("create the passages file"));
    let mut count = 0;
    for (brief, line) in input.lines().enumerate() {
        let line = line.expect("read the export");
        let b: ExportBrief = serde_json::from_str(&line).expect("parse a line of briefs export");
        let date = b
            .date
            .as_deref()
            .and_then(|d| d.replace('-', "").parse::<i64>().ok())
            .unwrap_or(0);
        for p in b.passages {
            let countries: Vec<String> = p.countries.iter().map(|c| clean(c)).collect();
            let actors: Vec<String> = p.actors.iter().map(|a| clean(&a.name)).collect();
            writeln!(
                output,
                "{brief}\t{}\t{date}\t{}\t{}\t{}",
                p.passage,
                countries.join("\u{1f}"),
                actors.join("\u{1f}"),
                clean(&p.text)
            )
            .expect("write the passages file");
            count += 1;
        }
    }
    output.flush().expect("write the passages file");
    count
}

fn list(s: &str) -> Vec<&str> {
    s.split(SEP).filter(|v| !v.is_empty()).collect()
}

/// Streams the flat passages file (one line in memory at a time, so a
/// baseline's peak RSS is its index writer's, not its input's) and calls `f`
/// for every passage.
pub fn for_each(path: &Path, mut f: impl FnMut(Passage<'_>)) {
    let mut input = BufReader::with_capacity(1 << 20, std::fs::File::open(path).expect("open the passages file"));
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line).expect("read the passages file") == 0 {
            break;
        }
        let mut fields = line.trim_end_matches('\n').splitn(6, '\t');
        let mut next = || fields.next().expect("a complete passages line");
        let brief = next().parse().expect("brief ordinal");
        let passage = next().parse().expect("passage ordinal");
        let date = next().parse().expect("date");
        let countries = list(next());
        let actors = list(next());
        let text = next();
        f(Passage {
            brief,
            passage,
            date,
            countries,
            actors,
            text,
        });
    }
}
