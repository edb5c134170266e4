//! Writes a generated news-like corpus to a folder, the same one the scale
//! benchmark (`cargo bench --bench scale`) measures, so that it can be
//! inspected, indexed by hand or profiled:
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --briefs 100000 --out /tmp/corpus-100k [--seed 1]
//! ```
//!
//! The generator lives in `benches/scale/generator.rs` (see its module doc
//! for what it imitates and why); the same seed gives the same bytes.

#[path = "../benches/scale/generator.rs"]
mod generator;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn usage() -> ExitCode {
    eprintln!("usage: gen_corpus --briefs N --out DIR [--seed N] [--data DIR]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut briefs: Option<u64> = None;
    let mut out: Option<PathBuf> = None;
    let mut seed = 1u64;
    let mut data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        match (arg.as_str(), value) {
            ("--briefs", Some(v)) => match v.replace('_', "").parse() {
                Ok(n) => briefs = Some(n),
                Err(_) => return usage(),
            },
            ("--seed", Some(v)) => match v.parse() {
                Ok(n) => seed = n,
                Err(_) => return usage(),
            },
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            ("--data", Some(v)) => data = PathBuf::from(v),
            _ => return usage(),
        }
    }
    let (Some(briefs), Some(out)) = (briefs, out) else {
        return usage();
    };
    let started = Instant::now();
    let result = generator::Gazetteer::load(&data)
        .and_then(|gazetteer| generator::Generator::new(seed, gazetteer).write_corpus(&out, briefs));
    match result {
        Ok(bytes) => {
            eprintln!(
                "{briefs} briefs, {:.1} MB, in {} ({:.1} s)",
                bytes as f64 / 1e6,
                out.display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}
