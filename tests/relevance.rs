//! Ranking quality under test: `briefs eval` against hand-computed measures
//! on tiny fixtures (tests/fixtures/eval), and the judged set of the demo
//! corpus (tests/relevance) against the floor its nDCG@10 has reached.

mod common;

use std::path::PathBuf;

use common::TestEnv;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Measures {
    ndcg_at_10: f64,
    mrr_at_10: f64,
    recall_at_100: f64,
    map: f64,
}

#[derive(Debug, Deserialize)]
struct QueryMeasures {
    id: String,
    relevant: usize,
    brief: Measures,
    passage: Option<Measures>,
}

#[derive(Debug, Deserialize)]
struct Report {
    queries: usize,
    unjudged: usize,
    read_as_words: Vec<String>,
    brief: Measures,
    passage: Option<Measures>,
    per_query: Vec<QueryMeasures>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    repo().join("tests/fixtures/eval").join(name).display().to_string()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

fn assert_measures(m: &Measures, ndcg: f64, mrr: f64, recall: f64, map: f64) {
    assert!(
        close(m.ndcg_at_10, ndcg) && close(m.mrr_at_10, mrr) && close(m.recall_at_100, recall) && close(m.map, map),
        "{m:?} != nDCG {ndcg} MRR {mrr} R {recall} MAP {map}"
    );
}

/// `zebra` is in `a.txt` three times and once in `b.txt`'s second passage.
fn zoo() -> TestEnv {
    TestEnv::new(&[
        ("a.txt", "Zebra notes\n\nThe zebra zebra zebra.\n"),
        (
            "b.txt",
            "Animals\n\nFirst paragraph, about giraffes and lions.\n\n\
             A zebra was seen once among many other animals of the plains near the river today.\n",
        ),
        ("c.txt", "Okapi\n\nThe okapi lives in the forest.\n"),
    ])
}

fn eval(env: &TestEnv, args: &[&str]) -> Report {
    let mut full = vec!["eval", "--format", "json"];
    full.extend_from_slice(args);
    let out = env.cmd(&full).output().expect("run briefs eval");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("eval JSON")
}

#[test]
fn measures_of_a_query_set_match_hand_computed_values() {
    let env = zoo();
    let report = eval(
        &env,
        &["--queries", &fixture("queries.tsv"), "--qrels", &fixture("qrels.txt")],
    );
    // q3 has no relevant judgment: not measured.
    assert_eq!((report.queries, report.unjudged), (2, 1));
    // q1: ranking a (0), b (2); relevant b and c (1).
    // nDCG = (2/log2 3) / (2 + 1/log2 3); MRR 1/2; recall 1/2; AP (1/2)/2.
    let q1 = report.per_query.iter().find(|q| q.id == "q1").unwrap();
    assert_eq!(q1.relevant, 2);
    let ndcg_q1 = (2.0 / 3f64.log2()) / (2.0 + 1.0 / 3f64.log2());
    assert_measures(&q1.brief, ndcg_q1, 0.5, 0.5, 0.25);
    // q2: c first and only: every measure 1.
    assert_measures(&report.brief, (ndcg_q1 + 1.0) / 2.0, 0.75, 0.75, 0.625);
    assert!(report.passage.is_none(), "no passage is judged");
}

#[test]
fn trec_topics_read_like_the_tsv_query_set() {
    let env = zoo();
    let tsv = eval(
        &env,
        &["--queries", &fixture("queries.tsv"), "--qrels", &fixture("qrels.txt")],
    );
    let trec = eval(
        &env,
        &["--queries", &fixture("topics.trec"), "--qrels", &fixture("qrels.txt")],
    );
    assert_eq!(trec.queries, 2);
    assert_measures(
        &trec.brief,
        tsv.brief.ndcg_at_10,
        tsv.brief.mrr_at_10,
        tsv.brief.recall_at_100,
        tsv.brief.map,
    );
}

#[test]
fn passage_judgments_give_passage_level_measures() {
    let env = zoo();
    let report = eval(
        &env,
        &[
            "--queries",
            &fixture("queries.tsv"),
            "--qrels",
            &fixture("passages.qrels"),
        ],
    );
    assert_eq!(report.queries, 1);
    // Briefs: a, then b (graded 2 through its passage 1).
    let half = 1.0 / 3f64.log2();
    assert_measures(&report.brief, half, 0.5, 1.0, 0.5);
    // Passages: a@0, then b@1; b@0 holds no zebra.
    let passage = report.passage.expect("passage level");
    assert_measures(&passage, half, 0.5, 1.0, 0.5);
    assert!(report.per_query[0].passage.is_some());
}

#[test]
fn beir_folders_name_hits_by_record_id() {
    let corpus = std::fs::read_to_string(fixture("beir/corpus.jsonl")).unwrap();
    let env = TestEnv::new(&[("corpus.jsonl", &corpus)]);
    let report = eval(&env, &["--beir", &fixture("beir"), "--any"]);
    assert_eq!(report.queries, 2);
    // 1 `zebra`: d1, d2 (relevant, 1). 2 `okapi?`: d3 (2), d2 (1), ideal.
    assert_measures(&report.brief, (1.0 / 3f64.log2() + 1.0) / 2.0, 0.75, 1.0, 0.75);
}

#[test]
fn a_written_run_measures_the_same_when_read_back() {
    let env = zoo();
    let run = env.dir.path().join("out.run");
    let run_arg = run.display().to_string();
    let args = ["--queries", &fixture("queries.tsv"), "--qrels", &fixture("qrels.txt")];
    let mut with_run = args.to_vec();
    with_run.extend(["--run", &run_arg, "--tag", "mine"]);
    let searched = eval(&env, &with_run);
    let text = std::fs::read_to_string(&run).unwrap();
    let first = text.lines().next().unwrap();
    let fields: Vec<&str> = first.split_whitespace().collect();
    assert_eq!(fields[..4], ["q1", "Q0", "a.txt", "1"], "{text}");
    assert_eq!(fields[5], "mine");
    let mut measure = args.to_vec();
    measure.extend(["--measure-run", &run_arg]);
    let read_back = eval(&env, &measure);
    assert_measures(
        &read_back.brief,
        searched.brief.ndcg_at_10,
        searched.brief.mrr_at_10,
        searched.brief.recall_at_100,
        searched.brief.map,
    );
}

#[test]
fn bad_eval_inputs_are_explained_not_panicked_on() {
    let env = zoo();
    let out = env
        .cmd(&["eval", "--queries", &fixture("queries.tsv")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = env.cmd(&["eval", "--beir", "/nonexistent-beir"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    let bad = env.dir.path().join("bad.qrels");
    std::fs::write(&bad, "q1 0 a.txt 1\nq1 a.txt\n").unwrap();
    let out = env
        .cmd(&[
            "eval",
            "--queries",
            &fixture("queries.tsv"),
            "--qrels",
            &bad.display().to_string(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.qrels:2"), "{out:?}");
    let out = env
        .cmd(&[
            "eval",
            "--queries",
            &fixture("queries.tsv"),
            "--qrels",
            &fixture("qrels.txt"),
            "--depth",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn text_output_lists_every_query_with_per_query() {
    let env = zoo();
    let out = env
        .cmd(&[
            "eval",
            "--queries",
            &fixture("queries.tsv"),
            "--qrels",
            &fixture("qrels.txt"),
            "--per-query",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("nDCG@10"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("q1 ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("q2 ")), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("q3 ")), "q3 is unjudged: {text}");
}

/// The judged set's brief-level nDCG@10 with `--any` (measured 0.9377 with
/// the tuned defaults and near-duplicates folded; whole-document BM25
/// scores 0.8717 on the same set; see RELEVANCE.md). Raise it as ranking
/// improves.
const JUDGED_SET_FLOOR: f64 = 0.93;

#[test]
fn judged_set_stays_above_its_floor() {
    let env = TestEnv::new(&[]);
    let relevance = repo().join("tests/relevance");
    let out = assert_cmd::Command::cargo_bin("briefs")
        .unwrap()
        .args(["eval", "--format", "json", "--any", "--corpus"])
        .arg(repo().join("corpus"))
        .arg("--index")
        .arg(env.index())
        .arg("--queries")
        .arg(relevance.join("queries.tsv"))
        .arg("--qrels")
        .arg(relevance.join("qrels.txt"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    let judged = std::fs::read_to_string(relevance.join("queries.tsv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(report.queries, judged, "every judged query is measured");
    assert!(report.read_as_words.is_empty(), "{:?}", report.read_as_words);
    assert!(
        report.brief.ndcg_at_10 >= JUDGED_SET_FLOOR,
        "nDCG@10 {:.4} fell below the floor {JUDGED_SET_FLOOR}",
        report.brief.ndcg_at_10
    );
}

/// The demo corpus indexed once for the tests that call the library.
fn demo_index() -> (tempfile::TempDir, briefs::index::OpenIndex) {
    let dir = tempfile::tempdir().unwrap();
    let options = briefs::index::BuildOptions {
        progress: false,
        ..briefs::index::BuildOptions::new(repo().join("corpus"), dir.path().join("index"))
    };
    briefs::index::build(&options).unwrap();
    let open = briefs::index::open(&dir.path().join("index")).unwrap();
    (dir, open)
}

#[test]
fn names_find_their_spelling_variants_and_common_words_find_none() {
    use briefs::search::variants::variants;
    let (_dir, open) = demo_index();
    let found = variants(&open, "Muttaqi");
    assert!(found.iter().any(|v| v == "mottaki"), "{found:?}");
    assert!(found.iter().any(|v| v == "muttaki"), "{found:?}");
    assert!(variants(&open, "Qandahar").iter().any(|v| v == "kandahar"));
    assert!(variants(&open, "Abdollahian").iter().any(|v| v == "abdullahian"));
    assert!(variants(&open, "Araghchi").iter().any(|v| v == "araqchi"));
    // The corpus's most frequent words of five letters or more, capitalised
    // as at the start of a question: none is expanded.
    let mut expanded = Vec::new();
    for word in COMMON_WORDS.split_whitespace() {
        let mut capitalised = word[..1].to_uppercase();
        capitalised.push_str(&word[1..]);
        let found = variants(&open, &capitalised);
        if !found.is_empty() {
            expanded.push(format!("{word}: {found:?}"));
        }
    }
    assert!(expanded.is_empty(), "common words expanded: {expanded:#?}");
}

/// Words of five letters or more among the 150 most frequent of the demo
/// corpus, names left out.
const COMMON_WORDS: &str = "\
officials minister would foreign after which first border through since author president \
advertisement between central about government trade years water their talks security country state \
province power united agreed under signed railway called agreement pipeline could route project \
several prime people against title ministry meeting later still region countries women three \
sanctions other energy while cooperation without group regional killed islamic corridor attack \
administration sides leaders international western summit asian affairs section river joint groups \
embassy world where neighbours across special rights national kilometres dollars within delegation \
transport south october movement ministers before wednesday treaty support relations months million \
largest including electricity digest development traders january spokesman march external earlier \
crossing build august analysts visit";

#[derive(Debug, Deserialize)]
struct Hit {
    doc: String,
    passage: u64,
    score: f64,
    explanation: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Results {
    hits: Vec<Hit>,
}

fn search(env: &TestEnv, args: &[&str]) -> Results {
    let mut full = vec!["search", "--format", "json"];
    full.extend_from_slice(args);
    let out = env.cmd(&full).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `about.txt` is about the canal throughout; `stray.txt` mentions it once,
/// in a passage that matches the query better on its own (shorter); four
/// other briefs mention neither word.
fn canal_corpus() -> TestEnv {
    let mut files = vec![
        (
            "about.txt".to_string(),
            "Qosh Tepa works\n\ndate 2024-01-10\n\n\
             The canal will run across northern Afghanistan; engineers say the canal crosses three provinces.\n\n\
             Downstream, officials in Tashkent, Uzbekistan, worry the canal will cut the flow of the Amu Darya.\n\n\
             The canal is 285 kilometres long, and the canal authority says the canal will open in 2028.\n\n\
             Work on the second phase of the canal began in the spring, and more water was diverted.\n"
                .to_string(),
        ),
        (
            "stray.txt".to_string(),
            "Market prices\n\ndate 2025-06-01\n\nWheat prices rose in Kabul markets this week.\n\n\
             A canal water dispute was mentioned.\n\nTraders expect prices to fall after the harvest.\n\n\
             Flour mills in Herat and Mazar-i-Sharif reported steady demand from bakeries and shops.\n\n\
             Fuel prices were unchanged, while the price of cooking oil rose for a third week in a row.\n\n\
             Money changers said the afghani held its value against the dollar and the rupee.\n"
                .to_string(),
        ),
    ];
    for i in 0..4 {
        files.push((
            format!("other-{i}.txt"),
            format!("Other news {i}\n\nThe ministers met in Doha on day {i} to talk about trade and roads.\n"),
        ));
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    TestEnv::new(&borrowed)
}

#[test]
fn a_passage_of_a_brief_about_the_query_beats_a_stray_mention() {
    let env = canal_corpus();
    let alone = search(&env, &["canal water", "--brief-weight", "0", "--per-brief", "1"]);
    assert_eq!(alone.hits[0].doc, "stray.txt", "{alone:?}");
    let aware = search(&env, &["canal water", "--per-brief", "1"]);
    assert_eq!(aware.hits[0].doc, "about.txt", "{aware:?}");
    // Inside a brief, passages keep their own order: the brief part is the same for all.
    let all = search(&env, &["canal water", "--per-brief", "5", "-n", "10"]);
    let own = search(
        &env,
        &["canal water", "--per-brief", "5", "-n", "10", "--brief-weight", "0"],
    );
    let order = |r: &Results| -> Vec<u64> {
        r.hits
            .iter()
            .filter(|h| h.doc == "about.txt")
            .map(|h| h.passage)
            .collect()
    };
    assert_eq!(order(&all), order(&own));
    // Filters and the cap still hold, in the same order on every run.
    let capped_args = [
        "canal",
        "--per-brief",
        "2",
        "--country",
        "Uzbekistan",
        "--scope",
        "brief",
    ];
    let capped = search(&env, &capped_args);
    assert!(capped.hits.iter().all(|h| h.doc == "about.txt"));
    assert!(capped.hits.len() <= 2);
    let again = search(&env, &capped_args);
    let key = |r: &Results| -> Vec<(String, u64)> { r.hits.iter().map(|h| (h.doc.clone(), h.passage)).collect() };
    assert_eq!(key(&capped), key(&again));
}

#[test]
fn explain_adds_up_to_the_score() {
    let env = canal_corpus();
    let results = search(&env, &["canal water", "--explain", "--any"]);
    for hit in &results.hits {
        let tree = hit.explanation.as_ref().expect("explanation");
        let value = tree["value"].as_f64().unwrap();
        assert!(
            (value - hit.score).abs() < 1e-3 * hit.score.max(1.0),
            "{value} vs {}",
            hit.score
        );
        let details = tree["details"].as_array().unwrap();
        let parts: f64 = details.iter().map(|d| d["value"].as_f64().unwrap()).sum();
        assert!((parts - value).abs() < 1e-3 * value.max(1.0), "{tree}");
        let text = tree.to_string();
        assert!(text.contains("body:canal"), "{text}");
        assert!(text.contains("brief_text:canal"), "{text}");
    }
    let plain = search(&env, &["canal water"]);
    assert!(plain.hits.iter().all(|h| h.explanation.is_none()));
    let out = env
        .cmd(&["search", "canal", "--explain", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("score: passage + brief"), "{text}");
    assert!(text.contains("body:canal  (idf"), "{text}");
}

#[test]
fn recency_favours_the_newer_brief_and_is_off_by_default() {
    let env = TestEnv::new(&[
        (
            "a-old.txt",
            "Border talks\n\ndate 2015-03-01\n\nThe border talks resumed in Kabul.\n",
        ),
        (
            "b-new.txt",
            "Border talks\n\ndate 2025-03-01\n\nThe border talks resumed in Kabul.\n",
        ),
    ]);
    // Same text, same score: the tie goes to the first path.
    let plain = search(&env, &["border talks"]);
    assert_eq!(plain.hits[0].doc, "a-old.txt");
    assert_eq!(plain.hits[0].score, plain.hits[1].score);
    let recent = search(&env, &["border talks", "--recency", "365"]);
    assert_eq!(recent.hits[0].doc, "b-new.txt");
    // The newest keeps its score; one ten half-lives older about half of it.
    assert!((recent.hits[0].score - plain.hits[0].score).abs() < 1e-3);
    assert!(recent.hits[0].score > recent.hits[1].score * 1.9, "{recent:?}");
    let out = env.cmd(&["search", "border", "--recency", "-3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_query_in_one_spelling_finds_the_others() {
    let env = TestEnv::new(&[
        ("a.txt", "Visit\n\nAmir Khan Mottaki arrived in Islamabad.\n"),
        ("b.txt", "Forum\n\nMuttaki spoke at the forum in Kazan.\n"),
        ("c.txt", "Water\n\nThe water was cold.\n"),
    ]);
    let found = search(&env, &["Muttaqi"]);
    let mut docs: Vec<&str> = found.hits.iter().map(|h| h.doc.as_str()).collect();
    docs.sort();
    assert_eq!(docs, ["a.txt", "b.txt"]);
    assert!(search(&env, &["Muttaqi", "--variant-weight", "0"]).hits.is_empty());
    // Lower case is left alone, and a common word has no variant.
    assert!(search(&env, &["muttaqi"]).hits.is_empty());
    assert!(
        search(&env, &["Waiter"]).hits.is_empty(),
        "waiter is not a spelling of water"
    );
}

/// tantivy skips passages that cannot reach the top: with the brief part
/// added, the bound it skips by must still be safe. The top 5 asked for
/// alone are the first 5 of the whole ranking.
#[test]
fn pruning_with_brief_evidence_keeps_the_true_top() {
    use briefs::search::{search, SearchRequest};
    let (_dir, open) = demo_index();
    for query in [
        "TAPI pipeline Herat",
        "Muttaqi Tehran embassy",
        "water treaty Helmand Iran",
        "gas",
    ] {
        for any in [true, false] {
            for per_brief in [1, 2] {
                let request = SearchRequest {
                    query: query.into(),
                    any,
                    limit: 5,
                    per_brief,
                    ..SearchRequest::default()
                };
                let top = search(&open, &request).unwrap();
                let all = search(
                    &open,
                    &SearchRequest {
                        limit: 1000,
                        ..request.clone()
                    },
                )
                .unwrap();
                let key = |h: &briefs::search::Hit| (h.doc.clone(), h.passage, h.score.to_bits());
                let first: Vec<_> = all.hits.iter().take(5).map(key).collect();
                let got: Vec<_> = top.hits.iter().map(key).collect();
                assert_eq!(got, first, "{query:?} any={any} per_brief={per_brief}");
            }
        }
    }
}
