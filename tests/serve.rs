//! `briefs serve`: the JSON API against the CLI, the page, escaping, paths,
//! bad parameters and requests, live reloading, the command itself, and the
//! page in a real browser (headless Chromium through chromedriver).
//!
//! Servers run in-process on port 0 (`briefs::serve::Server`), except where
//! the command line itself is under test. Requests are written by hand on a
//! TCP stream, so malformed ones can be sent too.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use briefs::serve::{Limits, ServeOptions, Server};
use common::{SearchJson, TestEnv};
use serde_json::Value;

const GAS_HERAT: &str = "Gas news from Herat
date 2020-01-01

The gas pipeline opened in Herat on Monday.

Pipeline repairs delayed the gas deliveries.
";

const RAIL_TERMEZ: &str = "---
title: Rail news from Termez
date: 2021-05-05
author: Test Writer
---

The railway opened; gas was not discussed.

Officials discussed the pipeline.
";

const TEHRAN_GAS: &str = "Tehran gas exports
date 2021-05-20

Iran discussed gas exports in Tehran with Turkmenistan.

The Taliban spokesman Zabihullah Mujahid said the pipeline through Herat was safe.
";

const UNDATED: &str = "Undated gas note

A gas meeting took place in Kabul.
";

/// A brief whose text is markup: it must be shown as text.
const SCRIPTED: &str = "<script>window.pwned = 1</script> Gas headline
date 2022-02-02

A passage with <script>window.pwned = 2</script> and <b>bold</b> & ampersands about gas in Kabul.
";

fn corpus() -> TestEnv {
    let env = TestEnv::new(&[
        ("g1.txt", GAS_HERAT),
        ("g2.md", RAIL_TERMEZ),
        ("g3.txt", TEHRAN_GAS),
        ("notes/g4.txt", UNDATED),
        ("x-script.txt", SCRIPTED),
    ]);
    env.index_ok();
    env
}

fn start(env: &TestEnv, limits: Limits) -> Server {
    Server::start(ServeOptions {
        index: env.index(),
        corpus: env.corpus(),
        addr: "127.0.0.1:0".parse().expect("address"),
        limits,
    })
    .expect("server starts")
}

/// A reply, read until the server closes the connection.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", self.body))
    }
}

fn parse_reply(bytes: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// Sends raw bytes and reads the reply.
fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    // The server may answer (and close) before reading everything sent.
    let _ = stream.write_all(request);
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    parse_reply(&bytes)
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    raw(
        addr,
        format!(
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            addr.port()
        )
        .as_bytes(),
    )
}

/// The raw stdout of `briefs ARGS`.
fn cli(env: &TestEnv, args: &[&str]) -> String {
    let out = env.cmd(args).output().expect("run briefs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn api_search_answers_byte_for_byte_as_the_cli() {
    let env = corpus();
    let server = start(&env, Limits::default());
    let cases: &[(&str, &[&str])] = &[
        ("q=gas", &["gas"]),
        (
            "q=gas+pipeline&any=1&per_brief=5",
            &["gas pipeline", "--any", "--per-brief", "5"],
        ),
        (
            "q=gas&country=Afghanistan&facets=1",
            &["gas", "--country", "Afghanistan", "--facets"],
        ),
        (
            "q=gas&country=iranian&facets=1",
            &["gas", "--country", "iranian", "--facets"],
        ),
        (
            "q=gas&since=2021&until=2021-12",
            &["gas", "--since", "2021", "--until", "2021-12"],
        ),
        ("q=&country=Iran", &["", "--country", "Iran"]),
        (
            "q=pipeline&scope=brief&actor=Taliban&facets=1&facet_limit=3",
            &[
                "pipeline",
                "--scope",
                "brief",
                "--actor",
                "Taliban",
                "--facets",
                "--facet-limit",
                "3",
            ],
        ),
        ("q=%22gas+pipeline%22&limit=1", &["\"gas pipeline\"", "--limit", "1"]),
        (
            "q=gas&region=Central+Asia&facets=1",
            &["gas", "--region", "Central Asia", "--facets"],
        ),
    ];
    for (query, args) in cases {
        let reply = get(server.addr(), &format!("/api/search?{query}"));
        assert_eq!(reply.status, 200, "{query}: {}", reply.body);
        assert_eq!(reply.header("Content-Type"), Some("application/json"));
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        assert_eq!(reply.body, cli(&env, &all), "{query}");
        // And it is the documented shape.
        let _: SearchJson = serde_json::from_str(&reply.body).expect("documented shape");
    }
}

#[test]
fn api_search_pages_with_offset() {
    let env = corpus();
    let server = start(&env, Limits::default());
    let both = get(server.addr(), "/api/search?q=gas&limit=2&per_brief=5").json();
    let second = get(server.addr(), "/api/search?q=gas&limit=1&offset=1&per_brief=5").json();
    assert_eq!(second["hits"][0], both["hits"][1]);
    assert_eq!(second["total_hits"], both["total_hits"]);
}

fn months(timeline: &Value) -> Vec<(String, u64)> {
    timeline["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| {
            (
                m["month"].as_str().expect("month").to_string(),
                m["briefs"].as_u64().expect("briefs"),
            )
        })
        .collect()
}

#[test]
fn api_search_adds_a_timeline_of_briefs_per_month_when_asked() {
    let env = corpus();
    let server = start(&env, Limits::default());
    let plain = get(server.addr(), "/api/search?q=gas").json();
    assert!(plain.get("timeline").is_none(), "only when asked");

    let reply = get(server.addr(), "/api/search?q=gas&timeline=1&per_brief=5").json();
    // g3 has two passages about gas... only one counts: briefs, not passages.
    let expected = [("2020-01", 1), ("2021-05", 2), ("2022-02", 1)].map(|(m, n)| (m.to_string(), n));
    assert_eq!(months(&reply["timeline"]), expected);
    assert_eq!(reply["timeline"]["undated"], 1);
    // The rest of the answer is the CLI's.
    let mut without = reply.clone();
    without.as_object_mut().expect("object").remove("timeline");
    let cli_json: Value =
        serde_json::from_str(&cli(&env, &["search", "gas", "--per-brief", "5", "--format", "json"])).expect("json");
    assert_eq!(without, cli_json);

    // A date range narrows the hits, not the timeline (as a facet's counts ignore its own filter).
    let ranged = get(
        server.addr(),
        "/api/search?q=gas&timeline=1&since=2021-05&until=2021-05",
    )
    .json();
    assert_eq!(months(&ranged["timeline"]), expected);
    assert!(ranged["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .all(|h| h["date"].as_str().is_some_and(|d| d.starts_with("2021-05"))));

    // Filters narrow it.
    let iran = get(server.addr(), "/api/search?q=gas&timeline=1&country=Iran").json();
    assert_eq!(months(&iran["timeline"]), [("2021-05".to_string(), 1)]);
    assert_eq!(iran["timeline"]["undated"], 0);
}

#[test]
fn api_facets_answers_as_briefs_facets() {
    let env = corpus();
    let server = start(&env, Limits::default());
    for (query, args) in [
        ("", vec!["facets", "--format", "json"]),
        (
            "facet=country&top=2",
            vec!["facets", "--country", "--top", "2", "--format", "json"],
        ),
        (
            "facet=actor&facet=region",
            vec!["facets", "--actor", "--region", "--format", "json"],
        ),
        (
            "match=islamic+emirate",
            vec!["facets", "--match", "islamic emirate", "--format", "json"],
        ),
    ] {
        let reply = get(server.addr(), &format!("/api/facets?{query}"));
        assert_eq!(reply.status, 200, "{query}: {}", reply.body);
        assert_eq!(reply.body, cli(&env, &args), "{query}");
    }
    let taliban = get(server.addr(), "/api/facets?match=islamic+emirate").json();
    assert!(taliban
        .as_array()
        .expect("list")
        .iter()
        .any(|v| v["value"] == "Taliban"));
    assert_eq!(get(server.addr(), "/api/facets?facet=tags").status, 400);
    assert_eq!(get(server.addr(), "/api/facets?top=none").status, 400);
}

#[test]
fn api_brief_answers_as_briefs_show() {
    let env = corpus();
    let server = start(&env, Limits::default());
    for path in ["g1.txt", "notes/g4.txt", "x-script.txt"] {
        let reply = get(server.addr(), &format!("/api/brief?path={}", path.replace('/', "%2F")));
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.body, cli(&env, &["show", path, "--format", "json"]), "{path}");
    }
    let missing = get(server.addr(), "/api/brief?path=g1.tx");
    assert_eq!(missing.status, 404);
    let message = missing.json()["error"].as_str().expect("error").to_string();
    assert!(message.contains("g1.txt"), "suggests the nearest: {message}");
    assert_eq!(get(server.addr(), "/api/brief").status, 400);
    assert_eq!(get(server.addr(), "/api/nothing").status, 404);
}

/// The `href`s of elements whose opening tag contains `marker`.
fn hrefs(html: &str, marker: &str) -> Vec<String> {
    html.match_indices(marker)
        .filter_map(|(i, _)| {
            let start = html[..i].rfind('<')?;
            let end = i + html[i..].find('>')?;
            let tag = &html[start..end];
            let href = tag.split("href=\"").nth(1)?.split('"').next()?;
            Some(href.replace("&amp;", "&"))
        })
        .collect()
}

#[test]
fn the_page_shows_results_facets_timeline_and_links_for_every_state() {
    let env = corpus();
    let server = start(&env, Limits::default());
    let addr = server.addr();

    // Before any search: the index's facets and timeline, and a hint.
    let landing = get(addr, "/");
    assert_eq!(landing.status, 200);
    assert_eq!(landing.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert!(landing.body.contains("name=\"q\""));
    assert!(landing.body.contains("svg class=\"timeline-chart\""));
    assert!(landing.body.contains("data-facet=\"country\""));
    assert!(landing.body.contains("5 briefs"), "the index's size");

    let page = get(addr, "/?q=gas");
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("<mark>gas</mark>"), "highlighted words");
    assert!(body.contains("g1.txt:4"), "citations as path:line");
    assert!(body.contains("2020-01-01"));
    let api_hits = get(addr, "/api/search?q=gas").json()["hits"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(api_hits >= 5);
    assert_eq!(body.matches("<li class=\"hit\">").count(), api_hits);
    // Facet values are links that add the value...
    let add_iran = hrefs(body, "class=\"facet-value\"")
        .into_iter()
        .find(|h| h.contains("country=Iran"))
        .expect("a link that adds Iran");
    assert_eq!(add_iran, "/?q=gas&country=Iran");
    // ... and in the filtered page, remove it again; other countries add to it (OR).
    let filtered = get(addr, &add_iran).body;
    assert_eq!(filtered.matches("<li class=\"hit\">").count(), 1);
    let removals = hrefs(&filtered, "chip removable country");
    assert_eq!(removals, ["/?q=gas"]);
    assert!(hrefs(&filtered, "class=\"facet-value active\"").contains(&"/?q=gas".to_string()));
    assert!(hrefs(&filtered, "class=\"facet-value\"")
        .iter()
        .any(|h| h.starts_with("/?q=gas&country=Iran&country=")));
    // Region tree: sub-regions nest under their region, as paths.
    assert!(body.contains("region=Asia%2FSouthern+Asia"), "{body}");
    let south = get(addr, "/?q=gas&region=Asia%2FSouthern+Asia");
    assert_eq!(south.status, 200, "{}", south.body);
    // Chips of a hit add their value too.
    assert!(!hrefs(body, "chip actor person").is_empty());
    // Timeline bars are links to their month; a range marks bars in and out.
    let bars = hrefs(body, "class=\"bar\"");
    assert!(
        bars.contains(&"/?q=gas&since=2021-05&until=2021-05".to_string()),
        "{bars:?}"
    );
    let ranged = get(addr, "/?q=gas&since=2021-05&until=2021-05").body;
    assert!(ranged.contains("class=\"bar in\"") && ranged.contains("class=\"bar out\""));
    assert!(ranged.contains("clear dates"));
    // Paging.
    let first = get(addr, "/?q=gas&limit=2").body;
    assert_eq!(hrefs(&first, "rel=\"next\""), ["/?q=gas&limit=2&offset=2"]);
    let second = get(addr, "/?q=gas&limit=2&offset=2").body;
    assert_eq!(hrefs(&second, "rel=\"prev\""), ["/?q=gas&limit=2"]);
    // Result links open the brief at the passage.
    assert!(body.contains("href=\"/brief/g1.txt?q=gas#p0\""));
    // HEAD gives the headers alone.
    let head = raw(
        addr,
        format!("HEAD /?q=gas HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", addr.port()).as_bytes(),
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // Every asset comes from the binary.
    for asset in ["/static/style.css", "/static/app.js", "/static/favicon.svg"] {
        assert_eq!(get(addr, asset).status, 200, "{asset}");
    }
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "nothing fetched from outside"
    );
}

#[test]
fn the_brief_page_shows_passages_facets_and_what_produced_them() {
    let env = corpus();
    let server = start(&env, Limits::default());
    let page = get(server.addr(), "/brief/g3.txt?q=pipeline&country=Iran");
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("<h1>Tehran gas exports</h1>"));
    assert!(body.contains("id=\"p0\"") && body.contains("id=\"p1\""));
    assert!(body.contains("lines 4–4"));
    // Mentions: what text produced each facet.
    assert!(body.contains("“Tehran”"), "{body}");
    assert!(body.contains("Zabihullah Mujahid"));
    // The query's words are marked and the matching passage flagged.
    assert!(body.contains("<mark>pipeline</mark>"));
    assert!(body.contains("class=\"passage has-match\" id=\"p1\""));
    // The way back keeps the search.
    assert!(body.contains("href=\"/?q=pipeline&amp;country=Iran\""));
    let missing = get(server.addr(), "/brief/g3.tx");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("g3.txt"), "suggests the nearest");
}

#[test]
fn text_from_briefs_is_escaped() {
    let env = corpus();
    let server = start(&env, Limits::default());
    let csp_ok = |reply: &Reply| {
        reply
            .header("Content-Security-Policy")
            .is_some_and(|v| v.contains("script-src 'self'") && !v.contains("unsafe-inline"))
    };
    for target in [
        "/?q=gas",
        "/?q=ampersands",
        "/brief/x-script.txt?q=bold",
        "/?q=%3Cscript%3E",
    ] {
        let reply = get(server.addr(), target);
        assert!(csp_ok(&reply), "{target}");
        let body = &reply.body;
        assert!(!body.contains("<script>window"), "{target}: a brief's script is markup");
        assert!(!body.contains("<b>bold"), "{target}");
        assert_eq!(
            body.matches("<script").count(),
            1,
            "{target}: only the page's own script"
        );
    }
    let brief = get(server.addr(), "/brief/x-script.txt").body;
    assert!(brief.contains("&lt;script&gt;window.pwned = 2&lt;/script&gt;"));
    assert!(brief.contains("&lt;b&gt;bold&lt;/b&gt; &amp; ampersands"));
    assert!(brief.contains("<h1>&lt;script&gt;window.pwned = 1&lt;/script&gt; Gas headline</h1>"));
    // A query is echoed into the form escaped.
    let echoed = get(server.addr(), "/?q=%22%3E%3Cimg+src%3Dx%3E").body;
    assert!(echoed.contains("value=\"&quot;&gt;&lt;img src=x&gt;\""), "{echoed}");
    assert_eq!(
        get(server.addr(), "/api/search?q=gas").header("X-Content-Type-Options"),
        Some("nosniff")
    );
}

#[test]
fn paths_cannot_leave_the_corpus() {
    let env = corpus();
    std::fs::write(env.dir.path().join("secret.txt"), "TOP SECRET outside the corpus").expect("write");
    let server = start(&env, Limits::default());
    for target in [
        "/brief/../secret.txt",
        "/brief/%2e%2e/secret.txt",
        "/brief/%2E%2E%2Fsecret.txt",
        "/brief/..%2f..%2fetc%2fpasswd",
        "/brief//etc/passwd",
        "/brief/%2Fetc%2Fpasswd",
        "/brief/notes/../../secret.txt",
        "/brief/..\\secret.txt",
        "/brief/%00",
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/../../etc/passwd",
        "/api/brief?path=../secret.txt",
        "/api/brief?path=%2Fetc%2Fpasswd",
        "/api/brief?path=notes/../../secret.txt",
    ] {
        let reply = get(server.addr(), target);
        assert!(matches!(reply.status, 400 | 404), "{target}: {}", reply.status);
        assert!(
            !reply.body.contains("TOP SECRET") && !reply.body.contains("root:"),
            "{target}"
        );
    }
    // The corpus's own folders work.
    assert_eq!(get(server.addr(), "/brief/notes/g4.txt").status, 200);
    assert_eq!(get(server.addr(), "/brief/notes%2Fg4.txt").status, 200);
}

#[test]
fn bad_parameters_get_a_400_with_a_message() {
    let env = corpus();
    let server = start(&env, Limits::default());
    for (query, needle) in [
        ("q=gas&limit=abc", "limit"),
        ("q=gas&limit=0", "limit"),
        ("q=gas&limit=100000", "limit"),
        ("q=gas&offset=-1", "offset"),
        ("q=gas&since=2021-13-01", "since"),
        ("q=gas&since=2022&until=2021", "after"),
        ("q=gas&scope=world", "scope"),
        ("q=gas&facets=maybe", "facets"),
        ("q=gas&contry=Iran", "unknown parameter"),
        ("q=gas&q=oil", "twice"),
        ("q=%22unclosed", "never closed"),
        ("q=gas+AND", "AND"),
        ("q=nope%3Agas", "unknown field"),
        ("q=gas&country=Atlantis", "unknown country"),
        ("q=gas&country=Irann", "Iran"),
        ("q=gas&actor=Nobody+Atall", "unknown actor"),
        ("q=gas&region=Atlantis", "unknown region"),
        ("q=", "empty query"),
        ("", "empty query"),
        ("q=%FF", "UTF-8"),
        ("q=gas&per_brief=0", "per_brief"),
    ] {
        let api = get(server.addr(), &format!("/api/search?{query}"));
        assert_eq!(api.status, 400, "{query}: {}", api.body);
        let message = api.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(needle), "{query}: {message}");
        if !query.is_empty() && query != "q=" {
            let page = get(server.addr(), &format!("/?{query}"));
            assert_eq!(page.status, 400, "page {query}");
            assert!(page.body.contains("class=\"error\""), "page {query}");
        }
    }
    let deep = format!("/api/search?q={}gas{}", "(".repeat(200), ")".repeat(200));
    assert_eq!(get(server.addr(), &deep).status, 400);
    let long = format!("/api/search?q={}", "gas+".repeat(1100));
    assert_eq!(get(server.addr(), &long).status, 400);
}

#[test]
fn malformed_slow_and_oversized_requests_are_refused() {
    let env = corpus();
    let limits = Limits {
        head_timeout: Duration::from_millis(400),
        ..Limits::default()
    };
    let server = start(&env, limits);
    let addr = server.addr();
    let post = raw(
        addr,
        b"POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}",
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.header("Allow"), Some("GET, HEAD"));
    assert_eq!(raw(addr, b"garbage\r\n\r\n").status, 400);
    assert_eq!(raw(addr, b"GET /\r\n\r\n").status, 400);
    assert_eq!(raw(addr, b"GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc").status, 400);
    let huge = format!("GET /?q={} HTTP/1.1\r\n\r\n", "a".repeat(40_000));
    assert_eq!(raw(addr, huge.as_bytes()).status, 431);
    let headers: String = (0..100).map(|i| format!("X-H{i}: v\r\n")).collect();
    assert_eq!(
        raw(addr, format!("GET / HTTP/1.1\r\n{headers}\r\n").as_bytes()).status,
        431
    );

    // A client that sends its head too slowly is cut off.
    let started = Instant::now();
    let mut slow = TcpStream::connect(addr).expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\n").expect("write");
    slow.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let mut bytes = Vec::new();
    let _ = slow.read_to_end(&mut bytes);
    assert_eq!(parse_reply(&bytes).status, 408);
    assert!(started.elapsed() < Duration::from_secs(5));
    // And the server still answers.
    assert_eq!(get(addr, "/api/search?q=gas").status, 200);
}

#[test]
fn a_full_queue_answers_503_at_once() {
    let env = corpus();
    let limits = Limits {
        workers: 1,
        queue: 1,
        head_timeout: Duration::from_secs(2),
        ..Limits::default()
    };
    let server = start(&env, limits);
    // Idle connections hold the one worker and the one queue place.
    let mut idle: Vec<TcpStream> = (0..5)
        .map(|_| TcpStream::connect(server.addr()).expect("connect"))
        .collect();
    let mut statuses = Vec::new();
    for stream in &mut idle {
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        statuses.push(parse_reply(&bytes).status);
    }
    assert!(statuses.iter().filter(|s| **s == 503).count() >= 3, "{statuses:?}");
    assert!(statuses.iter().all(|s| matches!(s, 503 | 408)), "{statuses:?}");
}

#[test]
fn other_host_names_are_refused_on_loopback() {
    let env = corpus();
    let server = start(&env, Limits::default());
    let addr = server.addr();
    let with_host = |host: &str| {
        raw(
            addr,
            format!("GET /api/search?q=gas HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
        )
        .status
    };
    let port = addr.port();
    assert_eq!(with_host(&format!("127.0.0.1:{port}")), 200);
    assert_eq!(with_host(&format!("localhost:{port}")), 200);
    assert_eq!(with_host(&format!("[::1]:{port}")), 200);
    // DNS rebinding: a site's own name pointed at 127.0.0.1.
    assert_eq!(with_host(&format!("evil.example:{port}")), 403);
    assert_eq!(with_host("evil.example"), 403);
    assert_eq!(with_host(&format!("127.0.0.1:{}", port.wrapping_add(1))), 403);
}

fn total_hits(addr: SocketAddr, query: &str) -> u64 {
    let reply = get(addr, &format!("/api/search?{query}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["total_hits"].as_u64().expect("total_hits")
}

#[test]
fn a_new_index_run_is_picked_up_and_a_broken_one_is_not() {
    let env = corpus();
    let server = start(&env, Limits::default());
    let addr = server.addr();
    assert_eq!(total_hits(addr, "q=railway"), 1);

    // An incremental run (the live generation's meta.json changes).
    env.write(
        "g5.txt",
        "More rail news\ndate 2023-03-03\n\nA second railway opened.\n",
    );
    env.index_ok();
    assert_eq!(total_hits(addr, "q=railway"), 2);

    // A full build (CURRENT points at a new generation).
    env.remove("g2.md");
    env.cmd(&["index", "--rebuild", "--quiet"]).assert().success();
    assert_eq!(total_hits(addr, "q=railway"), 1);

    // A damaged CURRENT: the last good index keeps serving, and says so.
    let current = env.index().join("CURRENT");
    let good = std::fs::read_to_string(&current).expect("CURRENT");
    std::fs::write(&current, "gen-999999\n").expect("break CURRENT");
    assert_eq!(total_hits(addr, "q=railway"), 1);
    let page = get(addr, "/?q=railway").body;
    assert!(
        page.contains("class=\"notice\""),
        "the page says it serves the previous index"
    );
    assert!(page.contains("could not be opened"));
    std::fs::write(&current, good).expect("restore CURRENT");
    assert!(!get(addr, "/?q=railway").body.contains("class=\"notice\""));
    assert_eq!(total_hits(addr, "q=railway"), 1);
}

/// `briefs serve` as a process: it prints its URL and serves it.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve_process(env: &TestEnv, extra: &[&str]) -> (Child, String, String) {
    use std::io::BufRead;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_briefs"));
    command
        .arg("serve")
        .arg("--corpus")
        .arg(env.corpus())
        .arg("--index")
        .arg(env.index())
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = Child(command.spawn().expect("start briefs serve"));
    let stdout = child.0.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    (child, url, line)
}

fn addr_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("address in the URL")
}

#[test]
fn the_command_builds_the_index_prints_its_url_and_serves() {
    // No index yet: it is built first, as for `briefs search`.
    let env = TestEnv::new(&[("g1.txt", GAS_HERAT), ("g3.txt", TEHRAN_GAS)]);
    let (_child, url, line) = serve_process(&env, &["--port", "0"]);
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let addr = addr_of(&url);
    assert_ne!(addr.port(), 0);
    assert_eq!(get(addr, "/").status, 200);
    // Two passages of each brief (the title \"Gas news\" and \"gas exports\" counts for every passage).
    assert_eq!(get(addr, "/api/search?q=gas").json()["total_hits"], 4);
}

#[test]
fn binding_another_address_says_what_it_exposes() {
    let env = corpus();
    let mut child = {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_briefs"));
        command
            .args(["serve", "--bind", "0.0.0.0", "--port", "0", "--corpus"])
            .arg(env.corpus())
            .arg("--index")
            .arg(env.index())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        Child(command.spawn().expect("start"))
    };
    let mut stderr = child.0.stderr.take().expect("stderr");
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stderr.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let warning = String::from_utf8_lossy(&line);
    assert!(warning.contains("warning: listening on 0.0.0.0"), "{warning}");
    assert!(warning.contains("every brief"), "{warning}");
    drop(child);

    env.cmd(&["serve", "--bind", "example.org"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not an IP address"));
}

#[test]
fn open_without_a_browser_says_so_and_serves() {
    use std::io::BufRead;
    let env = corpus();
    let nothing = env.dir.path().join("no-programs");
    std::fs::create_dir_all(&nothing).expect("empty PATH folder");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_briefs"));
    command
        .args(["serve", "--open", "--port", "0", "--corpus"])
        .arg(env.corpus())
        .arg("--index")
        .arg(env.index())
        .env("PATH", &nothing)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = Child(command.spawn().expect("start"));
    let mut line = String::new();
    let stdout = child.0.stdout.take().expect("stdout");
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("URL")
        .to_string();
    let mut note = String::new();
    let stderr = child.0.stderr.take().expect("stderr");
    std::io::BufReader::new(stderr).read_line(&mut note).expect("note");
    assert!(
        note.contains("could not open a browser") && note.contains(&url),
        "{note}"
    );
    assert_eq!(get(addr_of(&url), "/").status, 200);
}

/// Demo corpus copied beside a scripted brief, indexed: for the browser and
/// the latency figures.
fn demo_env() -> TestEnv {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let env = TestEnv::new(&[("x-script.txt", SCRIPTED)]);
    for entry in std::fs::read_dir(&demo).expect("demo corpus").filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "txt" || x == "md") {
            std::fs::copy(&path, env.corpus().join(entry.file_name())).expect("copy brief");
        }
    }
    env.index_ok();
    env
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

/// Not an assertion (the machine is shared): figures printed for the record.
/// The harness measures the same requests at 100,000 briefs.
#[test]
fn latency_of_searches_with_facets_and_timeline_is_reported() {
    let env = demo_env();
    let briefs = std::fs::read_dir(env.corpus()).expect("corpus").count();
    let server = start(&env, Limits::default());
    for target in [
        "/api/search?q=Taliban&facets=1&timeline=1",
        "/api/search?q=gas+pipeline&country=Turkmenistan&facets=1&timeline=1",
        "/api/search?q=&region=Central+Asia&facets=1&timeline=1",
        "/?q=Taliban",
    ] {
        assert_eq!(get(server.addr(), target).status, 200);
        let mut samples: Vec<Duration> = (0..100)
            .map(|_| {
                let started = Instant::now();
                let reply = get(server.addr(), target);
                assert_eq!(reply.status, 200);
                started.elapsed()
            })
            .collect();
        let p50 = percentile(&mut samples, 0.5);
        let p90 = percentile(&mut samples, 0.9);
        println!(
            "latency {target}: p50 {:.2} ms, p90 {:.2} ms (demo corpus, {briefs} briefs, 100 requests over loopback)",
            p50.as_secs_f64() * 1e3,
            p90.as_secs_f64() * 1e3
        );
    }
}

// ---------------------------------------------------------------------------
// The page in a real browser: headless Chromium driven through chromedriver
// (the W3C WebDriver protocol, spoken over a plain TCP stream).

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.is_file())
}

/// A WebDriver session on a chromedriver this test started.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    shots: PathBuf,
    javascript: bool,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn http_json(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to chromedriver");
    stream.set_read_timeout(Some(Duration::from_secs(90))).expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    // chromedriver may keep the connection open: read the head, then the
    // body by its length (or its chunks).
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 65536];
    let complete = |bytes: &[u8]| -> bool {
        let text = String::from_utf8_lossy(bytes);
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            return false;
        };
        let head = head.to_ascii_lowercase();
        match head.lines().find_map(|l| l.strip_prefix("content-length:")) {
            Some(n) => body.len() >= n.trim().parse::<usize>().unwrap_or(0),
            None => !head.contains("chunked") || body.ends_with("0\r\n\r\n"),
        }
    };
    while !complete(&bytes) {
        let n = stream.read(&mut chunk).expect("read from chromedriver");
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    let reply = parse_reply(&bytes);
    let body = if reply.header("Transfer-Encoding").is_some_and(|v| v.contains("chunked")) {
        dechunk(&reply.body)
    } else {
        reply.body.clone()
    };
    let value: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("chromedriver said {body:?}: {e}"));
    if reply.status >= 400 {
        panic!("{method} {path}: {} {}", reply.status, value);
    }
    value["value"].clone()
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            n |= d << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path, javascript: bool, profile: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Child(
            std::process::Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut options = serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
        });
        if !javascript {
            options["prefs"] = serde_json::json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let capabilities = serde_json::json!({
            "capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
        });
        let session = http_json(port, "POST", "/session", Some(&capabilities))["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        Browser {
            driver,
            port,
            session,
            shots,
            javascript,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        http_json(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(serde_json::json!({ "url": url })));
    }

    fn url(&self) -> String {
        self.call("GET", "/url", None).as_str().expect("url").to_string()
    }

    fn run(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(serde_json::json!({"script": script, "args": []})),
        )
    }

    fn find(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(serde_json::json!({"using": "css selector", "value": css})),
        );
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    fn find_all(&self, css: &str) -> Vec<String> {
        let found = self.call(
            "POST",
            "/elements",
            Some(serde_json::json!({"using": "css selector", "value": css})),
        );
        found
            .as_array()
            .expect("elements")
            .iter()
            .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
            .collect()
    }

    fn attribute(&self, element: &str, name: &str) -> String {
        self.call("GET", &format!("/element/{element}/attribute/{name}"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn text(&self, element: &str) -> String {
        self.call("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Clicks and waits until the page's URL is another.
    fn click_and_wait(&self, element: &str) -> String {
        let before = self.url();
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(serde_json::json!({})),
        );
        self.wait_for_url_change(&before)
    }

    fn wait_for_url_change(&self, before: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let now = self.url();
            let ready = !self.javascript || self.run("return document.readyState").as_str() == Some("complete");
            if now != before && ready {
                return now;
            }
            assert!(Instant::now() < deadline, "the page stayed at {before}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn screenshot(&self, name: &str) {
        let png = self.call("GET", "/screenshot", None);
        let bytes = base64_decode(png.as_str().expect("base64 PNG"));
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("write screenshot");
        println!("screenshot: {}", path.display());
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = std::panic::catch_unwind(|| http_json(self.port, "DELETE", &path, None));
        let _ = &self.driver;
    }
}

/// The query parameter `name` of `url`, decoded.
fn param(url: &str, name: &str) -> Vec<String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| percent_decode(&v.replace('+', " ")))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn browser_programs() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_program("chromium").or_else(|| find_program("chromium-browser"));
    let driver = find_program("chromedriver");
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            let message =
                "chromium or chromedriver is not installed (Debian: apt-get install chromium chromium-driver)";
            // CI installs both (.ci/run): there, their absence is a failure.
            assert!(std::env::var_os("CI").is_none(), "{message}");
            println!("SKIPPED the browser test: {message}");
            None
        }
    }
}

#[test]
fn the_page_works_in_a_browser() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let env = demo_env();
    let server = start(&env, Limits::default());
    let base = server.url();
    let profile = env.dir.path().join("chromium-profile");
    let b = Browser::start(&chromium, &chromedriver, true, &profile);

    // 1. The first page: facets of the whole index and its timeline.
    b.go(&base);
    assert_eq!(b.run("return document.title"), "briefs");
    assert!(b.find_all("section.facet[data-facet=country] a.facet-value").len() >= 8);
    assert!(!b.find_all("svg.timeline-chart a.bar").is_empty());
    b.screenshot("1-landing");

    // 2. A search typed into the box.
    let box_ = b.find("input[name=q]");
    b.call(
        "POST",
        &format!("/element/{box_}/value"),
        Some(serde_json::json!({"text": "pipeline"})),
    );
    let url = b.click_and_wait(&b.find("form.search button[type=submit]"));
    assert_eq!(param(&url, "q"), ["pipeline"]);
    let hits = b.find_all("li.hit");
    assert!(hits.len() >= 3, "{} hits", hits.len());
    assert!(!b.find_all("li.hit mark").is_empty(), "highlighted words");
    b.screenshot("2-search");

    // 3. A country facet clicked in the sidebar: every hit mentions it.
    let facet = b.find("section.facet[data-facet=country] a.facet-value");
    let country = b.text(&b.find("section.facet[data-facet=country] a.facet-value .name"));
    let url = b.click_and_wait(&facet);
    assert_eq!(param(&url, "country"), std::slice::from_ref(&country));
    let chip = b.text(&b.find("section.active a.chip.country"));
    assert!(chip.contains(&country), "{chip}");
    let all_mention = b.run(&format!(
        "return Array.from(document.querySelectorAll('li.hit')).every(h => \
           Array.from(h.querySelectorAll('.chip.country')).some(c => c.textContent.trim() === {country:?}))"
    ));
    assert_eq!(all_mention, Value::Bool(true), "every hit mentions {country}");
    b.screenshot("3-country");

    // 4. A timeline bar clicked: its month becomes the date range.
    let bars = b.find_all("svg.timeline-chart a.bar");
    let (bar, since) = bars
        .iter()
        .map(|bar| {
            (
                bar.clone(),
                b.attribute(bar, "data-since"),
                b.attribute(bar, "aria-label"),
            )
        })
        .find(|(_, _, label)| !label.ends_with(": 0 briefs"))
        .map(|(bar, since, _)| (bar, since))
        .expect("a bar with briefs");
    let url = b.click_and_wait(&bar);
    assert_eq!(param(&url, "since"), std::slice::from_ref(&since));
    assert_eq!(
        param(&url, "country"),
        std::slice::from_ref(&country),
        "the facet stays"
    );
    let dates: Vec<String> = b
        .find_all("li.hit time")
        .iter()
        .map(|t| b.attribute(t, "datetime"))
        .collect();
    assert!(
        !dates.is_empty() && dates.iter().all(|d| d.starts_with(&since)),
        "{dates:?} in {since}"
    );
    assert!(!b.find_all("svg.timeline-chart a.bar.in").is_empty());
    b.screenshot("4-month");

    // 5. Dragging across the timeline picks a range (the script's enhancement).
    let bars = b.find_all("svg.timeline-chart a.bar");
    assert!(bars.len() >= 3, "a timeline to drag over");
    let (first, last) = (bars[0].clone(), bars[bars.len() - 1].clone());
    let (from, to) = (b.attribute(&first, "data-since"), b.attribute(&last, "data-until"));
    let before = b.url();
    let pointer = |element: &str| serde_json::json!({"type": "pointerMove", "duration": 50, "origin": {ELEMENT: element}, "x": 0, "y": 0});
    b.call(
        "POST",
        "/actions",
        Some(serde_json::json!({"actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [
                pointer(&first),
                {"type": "pointerDown", "button": 0},
                pointer(&bars[bars.len() / 2]),
                pointer(&last),
                {"type": "pointerUp", "button": 0},
            ]
        }]})),
    );
    let url = b.wait_for_url_change(&before);
    assert_eq!(
        (param(&url, "since"), param(&url, "until")),
        (vec![from], vec![to]),
        "{url}"
    );
    b.screenshot("5-range");

    // 6. The country chip removed: the filter is gone, the range stays.
    let url = b.click_and_wait(&b.find("section.active a.chip.country"));
    assert!(param(&url, "country").is_empty(), "{url}");
    assert!(!param(&url, "since").is_empty());

    // 7. A result opened: the brief, scrolled to the matching passage.
    let url = b.click_and_wait(&b.find("li.hit h3 a"));
    assert!(url.contains("/brief/"), "{url}");
    let anchor = url.rsplit_once('#').map(|(_, a)| a.to_string()).expect("an anchor");
    let target = b.run(
        "const t = document.querySelector(':target'); if (!t) return null; \
         const r = t.getBoundingClientRect(); return [t.id, r.top >= 0 && r.top < window.innerHeight];",
    );
    assert_eq!(
        target,
        serde_json::json!([anchor, true]),
        "the passage is the target and in view"
    );
    assert!(!b.find_all("li.passage .chip").is_empty(), "passage facets");
    assert!(!b.find_all("ul.mentions li").is_empty(), "what text produced them");
    b.screenshot("6-brief");

    // 8. A brief full of markup shows it as text, and none of it runs.
    b.go(&format!("{base}brief/x-script.txt"));
    assert_eq!(b.run("return typeof window.pwned"), "undefined");
    let text = b.text(&b.find("main.brief"));
    assert!(
        text.contains("<script>window.pwned = 2</script>") && text.contains("<b>bold</b>"),
        "{text}"
    );
    assert_eq!(b.run("return document.scripts.length"), 1);
    b.screenshot("7-escaped");
    drop(b);

    // 9. Without JavaScript, facets and bars are still plain links.
    let profile = env.dir.path().join("chromium-profile-nojs");
    let b = Browser::start(&chromium, &chromedriver, false, &profile);
    b.go(&format!("{base}?q=pipeline"));
    let url = b.click_and_wait(&b.find("section.facet[data-facet=country] a.facet-value"));
    assert_eq!(param(&url, "country").len(), 1);
    let bar = b
        .find_all("svg.timeline-chart a.bar")
        .into_iter()
        .find(|bar| !b.attribute(bar, "aria-label").ends_with(": 0 briefs"))
        .expect("a bar with briefs");
    let url = b.click_and_wait(&bar);
    assert_eq!(param(&url, "since").len(), 1);
    assert!(!b.find_all("li.hit").is_empty());
    b.screenshot("8-no-javascript");
}
