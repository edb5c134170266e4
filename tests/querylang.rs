//! The query language, highlighting, `--sort date` and near-duplicate
//! folding, through the command line, on `tests/fixtures/near_dup/`: one
//! wire story republished by four outlets (other headlines, bylines, a
//! sentence more or less), a report and an analysis of the same events in
//! other words.

mod common;

use common::{SearchJson, TestEnv};
use predicates::str::contains;

const WIRE: [&str; 4] = [
    "wire-ariana-muttaqi-tehran.txt",
    "wire-khaama-muttaqi-tehran.txt",
    "wire-pajhwok-muttaqi-tehran.txt",
    "wire-tolo-muttaqi-tehran.txt",
];

fn fixture() -> TestEnv {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/near_dup");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixture dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        files.push((name, std::fs::read_to_string(&path).expect("read fixture")));
    }
    let pairs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let env = TestEnv::new(&pairs);
    env.index_ok();
    env
}

fn first_passages_of_wire(results: &SearchJson) -> usize {
    results
        .hits
        .iter()
        .filter(|h| WIRE.contains(&h.doc.as_str()) && h.passage == 0)
        .count()
}

#[test]
fn republished_copies_fold_into_the_best_hit_with_also_in() {
    let env = fixture();
    let folded = env.search(&["Muttaqi Tehran talks", "-n", "5"]);
    let kept = env.search(&["Muttaqi Tehran talks", "-n", "5", "--keep-duplicates"]);
    // Without folding the copies take three of the first five slots.
    assert_eq!(first_passages_of_wire(&kept), 3, "{:?}", kept.hits);
    assert_eq!(first_passages_of_wire(&folded), 1);
    let story = folded
        .hits
        .iter()
        .find(|h| WIRE.contains(&h.doc.as_str()) && h.passage == 0)
        .expect("the story");
    // The kept copy is the best-scored one.
    assert_eq!((&kept.hits[0].doc, kept.hits[0].passage), (&story.doc, story.passage));
    let mut others: Vec<&str> = WIRE.iter().copied().filter(|w| *w != story.doc).collect();
    others.sort();
    let also: Vec<&str> = story.also_in.iter().map(|a| a.doc.as_str()).collect();
    assert_eq!(also, others, "sorted by document");
    assert!(story.also_in.iter().all(|a| a.passage == 0 && a.date.is_some()));
    // The same events in other words are not folded.
    assert!(folded.hits.iter().any(|h| h.doc == "report-muttaqi-migrants.txt"));
    assert!(!also.contains(&"report-muttaqi-migrants.txt"));
    // Counts are of matching passages, folded or not.
    assert_eq!(folded.total_hits, kept.total_hits);
}

#[test]
fn text_output_says_where_else_the_story_appears() {
    let env = fixture();
    env.cmd(&["search", "Islam Qala crossing", "--color", "never"])
        .assert()
        .success()
        .stdout(contains("also in: "))
        .stdout(contains("wire-tolo-muttaqi-tehran.txt ¶0 (2024-03-11)"));
}

#[test]
fn no_two_shown_hits_are_near_duplicates() {
    let env = fixture();
    let all = env.search(&["Muttaqi OR Tehran OR migrants", "--any", "-n", "20"]);
    // No two shown hits are near-duplicates: none lists another in also_in.
    for hit in &all.hits {
        for other in &all.hits {
            assert!(
                !hit.also_in
                    .iter()
                    .any(|a| a.doc == other.doc && a.passage == other.passage),
                "{} lists shown {}",
                hit.doc,
                other.doc
            );
        }
    }
    assert_eq!(all.hits.iter().filter(|h| !h.also_in.is_empty()).count(), 1);
}

#[test]
fn sort_date_puts_the_newest_first_and_breaks_ties_by_score() {
    let env = fixture();
    let by_date = env.search(&[
        "Muttaqi OR Helmand OR migrants",
        "--any",
        "--sort",
        "date",
        "-n",
        "20",
        "--keep-duplicates",
    ]);
    let dates: Vec<&str> = by_date.hits.iter().map(|h| h.date.as_deref().unwrap_or("")).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    assert_eq!(dates[0], "2024-03-15");
    for pair in by_date.hits.windows(2) {
        if pair[0].date == pair[1].date {
            assert!(
                pair[0].score > pair[1].score
                    || (pair[0].score == pair[1].score
                        && (&pair[0].doc, pair[0].passage) < (&pair[1].doc, pair[1].passage)),
                "ties by score, then document, then passage: {:?} {:?}",
                (&pair[0].doc, pair[0].score),
                (&pair[1].doc, pair[1].score)
            );
        }
    }
    assert!(by_date.hits.iter().all(|h| h.score > 0.0), "hits keep their scores");
    // The same hits as by relevance, and the same count.
    let by_score = env.search(&[
        "Muttaqi OR Helmand OR migrants",
        "--any",
        "-n",
        "20",
        "--keep-duplicates",
    ]);
    let mut a: Vec<_> = by_date.hits.iter().map(|h| (&h.doc, h.passage)).collect();
    let mut b: Vec<_> = by_score.hits.iter().map(|h| (&h.doc, h.passage)).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(by_date.total_hits, by_score.total_hits);
    // The per-brief cap keeps a brief's best passages by score.
    let capped = env.search(&[
        "Helmand OR Tehran",
        "--any",
        "--sort",
        "date",
        "--per-brief",
        "1",
        "-n",
        "20",
    ]);
    let analysis: Vec<_> = capped
        .hits
        .iter()
        .filter(|h| h.doc == "analysis-helmand-water.txt")
        .collect();
    assert_eq!(analysis.len(), 1);
    assert_eq!(analysis[0].passage, 0, "the passage naming both words");
}

#[test]
fn sort_date_keeps_facet_counts() {
    let env = fixture();
    let a = env.search(&["Muttaqi", "--facets"]);
    let b = env.search(&["Muttaqi", "--facets", "--sort", "date"]);
    assert_eq!(a.facets, b.facets);
    assert!(a.facets.is_some());
}

#[test]
fn fields_in_the_query_filter_like_the_flags() {
    let env = fixture();
    let with_flag = env.search(&["talks", "--country", "Iran", "-n", "20"]);
    let with_field = env.search(&["talks country:Iran", "-n", "20"]);
    let docs = |r: &SearchJson| r.hits.iter().map(|h| (h.doc.clone(), h.passage)).collect::<Vec<_>>();
    assert_eq!(docs(&with_flag), docs(&with_field));
    assert_eq!(with_flag.total_hits, with_field.total_hits);
    // Resolved as the flags are: a demonym, and an actor by full name.
    assert_eq!(
        docs(&env.search(&["talks country:iranian", "-n", "20"])),
        docs(&with_flag)
    );
    let actor = env.search(&["actor:\"Amir Khan Muttaqi\"", "-n", "20", "--keep-duplicates"]);
    assert!(!actor.hits.is_empty());
    assert!(actor
        .hits
        .iter()
        .all(|h| h.actors.iter().any(|a| a.name == "Amir Khan Muttaqi")));
    // A field value that resolves to nothing is an error with suggestions.
    env.cmd(&["search", "talks country:Irann"])
        .assert()
        .code(2)
        .stderr(contains("unknown country \"Irann\""));
}

#[test]
fn bad_patterns_are_explained_with_a_column() {
    let env = fixture();
    for (query, column, words) in [
        ("Tehran a*", 8, "at least 3 letters"),
        ("*", 1, "lone `*`"),
        ("Muttaqi~5", 8, "at most 2 edits"),
        ("\"water rights\"~x", 15, "needs a number"),
        (
            "talks OR country:Iran",
            10,
            "cannot stand inside parentheses or beside OR",
        ),
        ("weather:rain", 1, "unknown field `weather`"),
    ] {
        env.cmd(&["search", query])
            .assert()
            .code(2)
            .stderr(contains(words))
            .stderr(contains(format!("at column {column}")));
    }
}

#[test]
fn prefix_fuzzy_and_phrase_are_highlighted() {
    let env = fixture();
    let marked = |r: &SearchJson| -> Vec<String> {
        r.hits
            .iter()
            .flat_map(|h| h.highlights.iter().map(|&[a, b]| h.text[a..b].to_string()))
            .collect()
    };
    let phrase = env.search(&["\"Islam Qala crossing\"", "--keep-duplicates"]);
    assert!(!phrase.hits.is_empty());
    assert!(
        marked(&phrase).iter().all(|m| m == "Islam Qala crossing"),
        "{:?}",
        marked(&phrase)
    );
    let slop = env.search(&["\"Muttaqi Tehran\"~3", "--keep-duplicates"]);
    assert!(
        marked(&slop).iter().any(|m| m == "Muttaqi arrived in Tehran"),
        "{:?}",
        marked(&slop)
    );
    let prefix = env.search(&["migra*", "--keep-duplicates", "-n", "20"]);
    assert!(marked(&prefix).iter().any(|m| m == "migrants"), "{:?}", marked(&prefix));
    let fuzzy = env.search(&["Mutaqi~1", "--keep-duplicates"]);
    assert!(!fuzzy.hits.is_empty());
    assert!(marked(&fuzzy).iter().all(|m| m == "Muttaqi"), "{:?}", marked(&fuzzy));
}

#[test]
fn serve_api_sorts_by_date_and_the_page_says_also_in() {
    let env = fixture();
    let mut server = std::process::Command::new(assert_cmd::cargo::cargo_bin("briefs"))
        .args(["serve", "--port", "0", "--corpus"])
        .arg(env.corpus())
        .arg("--index")
        .arg(env.index())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let mut first = String::new();
    {
        use std::io::BufRead;
        let stdout = server.stdout.take().expect("stdout");
        std::io::BufReader::new(stdout).read_line(&mut first).expect("url line");
    }
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("url")
        .trim_end_matches('/')
        .to_string();
    let get = |path: &str| -> String {
        let address = url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        use std::io::{Read, Write};
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut body = String::new();
        stream.read_to_string(&mut body).expect("read");
        body
    };
    let api = get("/api/search?q=Muttaqi&sort=date&limit=20");
    let json: serde_json::Value = serde_json::from_str(api.split("\r\n\r\n").nth(1).expect("body")).expect("json");
    let dates: Vec<&str> = json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["date"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert!(get("/api/search?q=Muttaqi&sort=size").contains("expected relevance or date"));
    let page = get("/?q=Islam+Qala+crossing");
    assert!(page.contains("also in: "), "the page lists the copies");
    let _ = server.kill();
    let _ = server.wait();
}

/// Sixty passages that quote one long name (a fifth of their shingles) share
/// near-duplicate keys by chance; they are not copies of each other, and
/// the wire story's copies, which also quote it, still fold.
#[test]
fn a_long_name_quoted_everywhere_neither_folds_strangers_nor_hides_copies() {
    let env = fixture();
    let words = [
        "convoy", "harvest", "ledger", "bridge", "clinic", "quota", "tariff", "ferry", "census", "drought", "uplink",
        "granary", "pylon", "orchard", "tunnel", "vaccine", "north", "south", "upper", "lower", "cotton", "wheat",
        "diesel", "cement", "school", "market", "border", "river", "valley", "permit", "shelter", "ration",
    ];
    let mut seed: u64 = 7;
    for i in 0..60usize {
        let mut own = Vec::new();
        for _ in 0..24 {
            // A fixed pseudo-random sequence: notes share words, not runs of four.
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            own.push(words[(seed >> 33) as usize % words.len()]);
        }
        let text = format!(
            "Field note {i}\ndate 2024-02-{:02}\n\nStaff of the United Nations Office for the Coordination of \
             Humanitarian Affairs logged item {i}: {}.\n",
            i % 28 + 1,
            own.join(" ")
        );
        env.write(&format!("note-{i:02}.txt"), &text);
    }
    env.index_ok();
    let notes = env.search(&["Coordination Humanitarian Affairs", "-n", "100"]);
    let shown = notes.hits.iter().filter(|h| h.doc.starts_with("note-")).count();
    let folded: Vec<(&str, Vec<&str>)> = notes
        .hits
        .iter()
        .filter(|h| !h.also_in.is_empty())
        .map(|h| (h.doc.as_str(), h.also_in.iter().map(|a| a.doc.as_str()).collect()))
        .collect();
    assert_eq!(
        shown, 60,
        "no note folds into another: {folded:?} (total {})",
        notes.total_hits
    );
    let story = env.search(&["Muttaqi Tehran talks", "-n", "5"]);
    let wire = story
        .hits
        .iter()
        .find(|h| WIRE.contains(&h.doc.as_str()) && h.passage == 0)
        .expect("the story");
    assert_eq!(wire.also_in.len(), 3, "{:?}", wire.also_in);
}
