//! Latency of `briefs serve` at scale: a search with facets and timeline,
//! answered over HTTP by an in-process server, on a corpus of N briefs.
//!
//! Run: `cargo run --release --example serve_latency -- --briefs 100000 --dir /tmp/serve-latency`
//! (the corpus and index are kept in `--dir` and reused by later runs).
//!
//! The corpus is made as the benchmark harness makes it (`benches/indexing.rs`):
//! copies of the demo briefs, each with its own reference words. Each request
//! is timed from connecting to the last byte, over loopback, one at a time;
//! the timeline alone is timed in-process too, to show its share. The
//! machines are shared: read the figures as an order of magnitude.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use briefs::index::{self, BuildOptions};
use briefs::search::timeline;
use briefs::search::SearchRequest;
use briefs::serve::{Limits, ServeOptions, Server};

fn make_corpus(dir: &Path, briefs: usize) {
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
    for i in 0..briefs {
        let (name, text) = &sources[i % sources.len()];
        let sub = dir.join(format!("shard-{:03}", i / 500));
        std::fs::create_dir_all(&sub).expect("shard dir");
        let body = format!("{text}\n\nFile reference copy{i} batch{}.\n", i / 100);
        std::fs::write(sub.join(format!("{i:06}-{name}")), body).expect("write brief");
    }
}

fn get(addr: SocketAddr, target: &str) -> (u16, usize) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("send");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read");
    let status = String::from_utf8_lossy(&bytes[..bytes.len().min(12)])
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, bytes.len())
}

fn quantiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.9))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let briefs: usize = value("--briefs").and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let requests: usize = value("--requests").and_then(|v| v.parse().ok()).unwrap_or(100);
    let dir = PathBuf::from(value("--dir").unwrap_or_else(|| format!("/tmp/briefs-serve-latency-{briefs}")));
    let corpus = dir.join("corpus");
    let index_dir = dir.join("index");
    if !corpus.is_dir() {
        eprintln!("writing {briefs} briefs to {}", corpus.display());
        make_corpus(&corpus, briefs);
    }
    let started = Instant::now();
    let report = index::build(&BuildOptions::new(&corpus, &index_dir)).expect("index");
    eprintln!(
        "index: {} briefs, {} passages ({:.1}s)",
        report.briefs,
        report.passages,
        started.elapsed().as_secs_f64()
    );

    let server = Server::start(ServeOptions {
        index: index_dir.clone(),
        corpus: corpus.clone(),
        addr: "127.0.0.1:0".parse().expect("address"),
        limits: Limits::default(),
    })
    .expect("server");
    let addr = server.addr();
    println!("| request ({briefs} briefs) | p50 ms | p90 ms | bytes |");
    println!("|---|---|---|---|");
    for target in [
        "/api/search?q=gas+pipeline&country=Turkmenistan&facets=1&timeline=1",
        "/api/search?q=Taliban&facets=1&timeline=1",
        "/api/search?q=Taliban&country=Iran&since=2023&facets=1&timeline=1",
        "/api/search?q=&region=Central+Asia&facets=1&timeline=1",
        "/api/search?q=Taliban",
        "/?q=Taliban",
        "/?q=gas+pipeline&country=Turkmenistan",
    ] {
        let (status, _) = get(addr, target);
        assert_eq!(status, 200, "{target}");
        let mut bytes = 0;
        let samples: Vec<Duration> = (0..requests)
            .map(|_| {
                let t = Instant::now();
                let (status, n) = get(addr, target);
                assert_eq!(status, 200);
                bytes = n;
                t.elapsed()
            })
            .collect();
        let (p50, p90) = quantiles(samples);
        println!("| `{target}` | {p50:.1} | {p90:.1} | {bytes} |");
    }

    let open = index::open(&index_dir).expect("open");
    for query in ["gas pipeline", "Taliban"] {
        for facets in [false, true] {
            let request = SearchRequest {
                query: query.to_string(),
                limit: 10,
                per_brief: 2,
                facets,
                facet_limit: 10,
                ..SearchRequest::default()
            };
            let samples: Vec<Duration> = (0..requests)
                .map(|_| {
                    let t = Instant::now();
                    briefs::search::search(&open, &request).expect("search");
                    t.elapsed()
                })
                .collect();
            let (p50, p90) = quantiles(samples);
            println!("| search alone, in-process, q={query:?}, facets {facets} | {p50:.1} | {p90:.1} | |");
        }
    }
    for query in ["gas pipeline", "Taliban", ""] {
        let request = SearchRequest {
            query: query.to_string(),
            ..SearchRequest::default()
        };
        let samples: Vec<Duration> = (0..requests)
            .map(|_| {
                let t = Instant::now();
                timeline::timeline(&open, &request).expect("timeline");
                t.elapsed()
            })
            .collect();
        let (p50, p90) = quantiles(samples);
        println!("| timeline alone, in-process, q={query:?} | {p50:.1} | {p90:.1} | |");
    }
    server.stop();
}
