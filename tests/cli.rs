//! `briefs search`, `facets`, `show`, `export` and `stats` through the CLI, on
//! small corpora written for each test.

mod common;

use common::{SearchJson, TestEnv};
use predicates::prelude::*;

const GAS_ONE: &str = "Gas news from Herat
date 2020-01-01

The gas pipeline opened in Herat on Monday.

Pipeline repairs delayed the gas deliveries.
";

const GAS_TWO: &str = "---
title: Rail news from Termez
date: 2021-05-05
author: Test Writer
---

The railway opened; gas was not discussed.

Officials discussed the pipeline.
";

fn gas_env() -> TestEnv {
    let env = TestEnv::new(&[("g1.txt", GAS_ONE), ("g2.md", GAS_TWO)]);
    env.index_ok();
    env
}

#[test]
fn phrase_query_needs_adjacent_words() {
    let env = gas_env();
    assert_eq!(env.docs(&["\"gas pipeline\""]), [("g1.txt".to_string(), 0)]);
}

#[test]
fn all_words_are_required_by_default_and_any_relaxes_it() {
    let env = gas_env();
    let mut all = env.docs(&["gas pipeline"]);
    all.sort();
    assert_eq!(all, [("g1.txt".to_string(), 0), ("g1.txt".to_string(), 1)]);
    let any = env.search(&["gas pipeline", "--any", "--per-brief", "5"]);
    assert_eq!(any.total_hits, 4);
}

#[test]
fn minus_excludes_a_word() {
    let env = gas_env();
    assert_eq!(env.docs(&["gas -pipeline"]), [("g2.md".to_string(), 0)]);
    assert_eq!(env.docs(&["gas NOT pipeline"]), [("g2.md".to_string(), 0)]);
}

#[test]
fn date_filters_use_the_brief_date() {
    let env = gas_env();
    assert_eq!(env.docs(&["gas", "--since", "2021-01-01"]), [("g2.md".to_string(), 0)]);
    let early = env.search(&["gas", "--until", "2020-12"]);
    assert!(early.hits.iter().all(|h| h.doc == "g1.txt"));
    assert_eq!(early.total_hits, 2);
    env.cmd(&["search", "gas", "--since", "2021-13-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--since"));
}

#[test]
fn json_hits_carry_metadata_and_citations() {
    let env = gas_env();
    let results = env.search(&["railway"]);
    assert_eq!(results.query, "railway");
    let hit = &results.hits[0];
    assert_eq!(hit.doc, "g2.md");
    assert_eq!(hit.title, "Rail news from Termez");
    assert_eq!(hit.date.as_deref(), Some("2021-05-05"));
    assert_eq!(hit.author.as_deref(), Some("Test Writer"));
    assert_eq!(hit.lines, [7, 7]);
    assert!(hit.score > 0.0);
    let [start, end] = hit.highlights[0];
    assert_eq!(&hit.text[start..end], "railway");
    // Termez is a city of Uzbekistan: the title's country counts for the brief, not the passage.
    assert!(hit.countries.is_empty());
}

#[test]
fn text_output_cites_path_and_line_and_highlights_on_request() {
    let env = gas_env();
    env.cmd(&["search", "railway", "--color", "never"])
        .assert()
        .success()
        .stdout(predicate::str::contains("g2.md:7"))
        .stdout(predicate::str::contains("Rail news from Termez"))
        .stdout(predicate::str::contains("\x1b[").not());
    env.cmd(&["search", "railway", "--color", "always"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b[1;31mrailway\x1b[0m"));
}

#[test]
fn at_most_two_passages_of_a_brief_unless_asked() {
    let para = "The corridor carries freight.\n\n";
    let env = TestEnv::new(&[
        ("cap.txt", &format!("Corridor brief\n\n{}", para.repeat(4))),
        ("other.txt", "Other\n\nA corridor.\n"),
    ]);
    env.index_ok();
    let capped = env.search(&["corridor"]);
    assert_eq!(capped.total_hits, 5);
    assert_eq!(capped.hits.iter().filter(|h| h.doc == "cap.txt").count(), 2);
    assert_eq!(capped.hits.len(), 3);
    let wider = env.search(&["corridor", "--per-brief", "3"]);
    assert_eq!(wider.hits.iter().filter(|h| h.doc == "cap.txt").count(), 3);
    let limited = env.search(&["corridor", "--limit", "1"]);
    assert_eq!(limited.hits.len(), 1);
}

#[test]
fn score_ties_are_broken_by_path_then_passage() {
    let text = "Same brief\n\nThe envoy met the delegation.\n";
    let env = TestEnv::new(&[("tie-b.txt", text), ("tie-a.txt", text), ("tie-c.txt", text)]);
    env.index_ok();
    let results = env.search(&["envoy"]);
    let docs: Vec<&str> = results.hits.iter().map(|h| h.doc.as_str()).collect();
    assert_eq!(docs, ["tie-a.txt", "tie-b.txt", "tie-c.txt"]);
    assert_eq!(results.hits[0].score, results.hits[2].score);
}

#[test]
fn bad_queries_are_explained_with_exit_code_2() {
    let env = gas_env();
    for (query, needle) in [
        ("\"unclosed", "never closed"),
        ("title:", "has no value"),
        ("AND", "operator AND"),
        ("gas OR", "operator OR"),
        ("nope:gas", "unknown field `nope`"),
        ("(gas", "never closed"),
    ] {
        env.cmd(&["search", query])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle))
            .stderr(predicate::str::contains("column"))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn an_empty_query_without_filters_is_an_error() {
    let env = gas_env();
    env.cmd(&["search", ""])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty query"));
}

#[test]
fn missing_corpus_and_index_name_the_path_and_the_fix() {
    let env = TestEnv::new(&[]);
    std::fs::remove_dir(env.corpus()).expect("remove corpus");
    env.cmd(&["index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("corpus").and(predicate::str::contains("does not exist")));
    env.cmd(&["search", "gas"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no index at").and(predicate::str::contains("briefs index")));
    env.cmd(&["stats"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no index at"));
}

#[test]
fn unreadable_briefs_are_reported_and_the_rest_indexed() {
    let env = TestEnv::new(&[("good.txt", "Good\n\nThe pipeline works.\n")]);
    // Bytes that are not UTF-8 are decoded as a legacy encoding; bytes that
    // are not text at all are refused.
    std::fs::write(
        env.corpus().join("bad.txt"),
        [b'o', b'k', 0, 0x01, 0xff, 0xfe, 0, b'\n'],
    )
    .expect("write");
    env.cmd(&["index"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.txt").and(predicate::str::contains("binary content")))
        .stdout(predicate::str::contains("bad.txt").not());
    assert_eq!(env.docs(&["pipeline"]), [("good.txt".to_string(), 0)]);
}

#[test]
fn first_search_builds_the_index() {
    let env = TestEnv::new(&[("g1.txt", GAS_ONE)]);
    env.cmd(&["search", "gas", "--format", "json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("building it"));
    assert!(env.index().join("CURRENT").exists());
    env.cmd(&["search", "gas"])
        .assert()
        .success()
        .stderr(predicate::str::contains("building").not());
}

/// Three briefs whose facets were counted by hand:
/// a.txt: p0 {Afghanistan, Iran}, p1 {Afghanistan, Iran, Pakistan, Taliban};
/// b.txt: p0 {Uzbekistan, Afghanistan, Taliban}; c.txt: p0 {Iran}, p1 {Kazakhstan}.
/// Afghanistan, Iran and Pakistan are in Southern Asia; Uzbekistan and Kazakhstan in Central Asia.
fn facet_env() -> TestEnv {
    let env = TestEnv::new(&[
        (
            "a.txt",
            "Water talks\ndate 2021-03-01\n\nKabul and Tehran discussed the water treaty.\n\nWater flows from Afghanistan to Iran, the Taliban said, and Pakistan watched.\n",
        ),
        ("b.txt", "Tashkent meeting\ndate 2022-03-01\n\nThe Taliban held water talks with Uzbekistan and Afghanistan traders.\n"),
        ("c.txt", "Shortages\ndate 2023-03-01\n\nWater shortages hit Iran.\n\nKazakhstan offered help with the water crisis.\n"),
    ]);
    env.index_ok();
    env
}

#[test]
fn facet_counts_match_a_hand_count() {
    let env = facet_env();
    let results = env.search(&["water", "--facets"]);
    assert_eq!(results.total_hits, 5);
    let f = results.facets.expect("facets");
    assert_eq!(f.country("Afghanistan"), Some((2, 3)));
    assert_eq!(f.country("Iran"), Some((2, 3)));
    assert_eq!(f.country("Pakistan"), Some((1, 1)));
    assert_eq!(f.country("Uzbekistan"), Some((1, 1)));
    assert_eq!(f.country("Kazakhstan"), Some((1, 1)));
    assert_eq!(f.actor("Taliban"), Some((2, 2)));
    assert_eq!(f.region("Southern Asia"), Some((3, 4)));
    assert_eq!(f.region("Central Asia"), Some((2, 2)));
    assert_eq!(f.region("Asia"), Some((3, 5)));
    // Sorted by count, then name.
    let names: Vec<&str> = f.country.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(names, ["Afghanistan", "Iran", "Kazakhstan", "Pakistan", "Uzbekistan"]);
}

#[test]
fn facet_counts_are_multi_select() {
    let env = facet_env();
    let results = env.search(&["water", "--country", "Iran", "--facets"]);
    assert_eq!(results.total_hits, 3);
    let f = results.facets.expect("facets");
    // The country facet ignores its own filter: other countries still show what they would add.
    assert_eq!(f.country("Uzbekistan"), Some((1, 1)));
    assert_eq!(f.country("Kazakhstan"), Some((1, 1)));
    assert_eq!(f.country("Iran"), Some((2, 3)));
    // Other facets honour the country filter.
    assert_eq!(f.region("Central Asia"), None);
    assert_eq!(f.actor("Taliban"), Some((1, 1)));
}

#[test]
fn facet_filters_or_within_and_across() {
    let env = facet_env();
    assert_eq!(
        env.search(&["water", "--country", "iranian", "--country", "UZ"])
            .total_hits,
        4
    );
    assert_eq!(
        env.search(&["water", "--country", "Iran", "--actor", "taliban"])
            .total_hits,
        1
    );
    assert_eq!(env.search(&["water", "--region", "asia"]).total_hits, 5);
    assert_eq!(env.search(&["water", "--region", "Central Asia"]).total_hits, 2);
    assert_eq!(
        env.search(&["water", "--country", "Iran", "--region", "Central Asia"])
            .total_hits,
        0
    );
    let widened = env.search(&[
        "water",
        "--country",
        "Iran",
        "--region",
        "Central Asia",
        "--scope",
        "brief",
    ]);
    let mut docs: Vec<_> = widened.hits.iter().map(|h| (h.doc.as_str(), h.passage)).collect();
    docs.sort();
    assert_eq!(docs, [("c.txt", 0), ("c.txt", 1)]);
}

#[test]
fn empty_query_with_a_filter_browses_newest_first() {
    let env = facet_env();
    let results = env.search(&["", "--country", "Afghanistan"]);
    let docs: Vec<&str> = results.hits.iter().map(|h| h.doc.as_str()).collect();
    assert_eq!(docs, ["b.txt", "a.txt", "a.txt"]);
}

#[test]
fn unknown_facet_values_suggest_known_ones() {
    let env = facet_env();
    env.cmd(&["search", "water", "--country", "Iranm"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown country \"Iranm\"").and(predicate::str::contains("Iran")));
    env.cmd(&["search", "water", "--region", "Central Asai"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Central Asia"));
    env.cmd(&["search", "water", "--actor", "Talibam"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Taliban"));
}

#[test]
fn actors_toml_adds_and_suppresses_on_reindex() {
    let env = TestEnv::new(&[(
        "dube.txt",
        "Visit\n\nDube met Taliban officials in Kabul about the water crisis.\n",
    )]);
    env.index_ok();
    env.cmd(&["search", "water", "--actor", "Dube"]).assert().code(2);
    assert_eq!(env.search(&["water", "--actor", "Taliban"]).total_hits, 1);
    env.write(
        "actors.toml",
        "[[actor]]\nname = \"Xolani Dube\"\nkind = \"person\"\naliases = [\"Dube\"]\n\n[suppress]\nnames = [\"Taliban\"]\n",
    );
    env.index_ok();
    let found = env.search(&["water", "--actor", "dube"]);
    assert_eq!(found.total_hits, 1);
    assert!(found.hits[0]
        .actors
        .iter()
        .any(|a| a.name == "Xolani Dube" && a.kind == "person"));
    assert_eq!(env.search(&["water", "--actor", "Taliban"]).total_hits, 0);
}

#[test]
fn facets_command_lists_counts_and_matches_aliases() {
    let env = facet_env();
    let out = env
        .cmd(&["facets", "--country", "--format", "json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let values: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    let afghanistan = values
        .iter()
        .find(|v| v["value"] == "Afghanistan")
        .expect("Afghanistan");
    assert_eq!(afghanistan["briefs"], 2);
    assert_eq!(afghanistan["passages"], 3);
    assert!(values.iter().all(|v| v["facet"] == "country"));
    // "Islamic Emirate" is an alias of the Taliban.
    env.cmd(&["facets", "--actor", "--match", "islamic emirate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Taliban"));
    let top = env
        .cmd(&["facets", "--country", "--top", "1", "--format", "json"])
        .output()
        .expect("run");
    let top: Vec<serde_json::Value> = serde_json::from_slice(&top.stdout).expect("json");
    assert_eq!(top.len(), 1);
}

#[test]
fn show_explains_why_facets_were_assigned() {
    let env = facet_env();
    let out = env.cmd(&["show", "a.txt", "--format", "json"]).output().expect("run");
    assert!(out.status.success());
    let brief: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(brief["title"], "Water talks");
    assert_eq!(brief["date"], "2021-03-01");
    let mentions = &brief["passages"][0]["mentions"];
    assert!(mentions
        .as_array()
        .expect("mentions")
        .iter()
        .any(|m| m["value"] == "Iran" && m["text"] == "Tehran"));
    env.cmd(&["show", "a.tx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a.txt"));
}

#[test]
fn export_writes_one_brief_a_line() {
    let env = facet_env();
    let out = env.cmd(&["export"]).output().expect("run");
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["doc"], "c.txt");
    assert_eq!(lines[2]["passages"].as_array().map(Vec::len), Some(2));
    assert_eq!(lines[2]["countries"], serde_json::json!(["Iran", "Kazakhstan"]));
}

#[test]
fn stats_report_the_index() {
    let env = facet_env();
    let out = env.cmd(&["stats", "--format", "json"]).output().expect("run");
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(stats["briefs"], 3);
    assert_eq!(stats["passages"], 5);
    assert_eq!(stats["countries"], 5);
    assert!(stats["index_bytes"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn same_corpus_gives_the_same_json() {
    let a = facet_env();
    let b = facet_env();
    let first: SearchJson = a.search(&["water", "--facets", "--any"]);
    let second: SearchJson = b.search(&["water", "--facets", "--any"]);
    assert_eq!(first, second);
}
