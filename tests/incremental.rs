//! Incremental, deterministic and crash-safe index runs: add/change/remove/
//! rename cycles, incremental-versus-full equality, `--check`, the writer
//! lock, version mismatches, empty corpora and `kill -9` mid-run.

mod common;

use std::fs::File;
use std::time::{Duration, Instant};

use common::TestEnv;
use predicates::prelude::*;
use serde_json::Value;

fn brief(i: usize, topic: &str) -> String {
    format!(
        "Brief {i}\ndate 2023-{:02}-{:02}\n\nEnvoys from Kabul and Tashkent discussed the {topic} corridor in round {i}.\n\n\
         The railway and the pipeline were both on the table, said officials in Tehran.\n",
        i % 12 + 1,
        i % 28 + 1
    )
}

fn index_json(env: &TestEnv, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["index", "--format", "json"];
    args.extend_from_slice(extra);
    let out = env.cmd(&args).output().expect("run index");
    let code = out.status.code().unwrap_or(-1);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("index JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (code, json)
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[test]
fn add_change_remove_rename_cycle() {
    let env = TestEnv::new(&[("one.txt", &brief(1, "water")), ("two.txt", &brief(2, "water"))]);
    let (code, first) = index_json(&env, &[]);
    assert_eq!(code, 0);
    assert_eq!(first["mode"], "full");
    assert_eq!(names(&first["added"]).len(), 2);

    env.write("three.txt", &brief(3, "cotton"));
    let (_, added) = index_json(&env, &[]);
    assert_eq!(added["mode"], "incremental");
    assert_eq!(names(&added["added"]), ["three.txt"]);
    assert_eq!(added["unchanged"], 2);
    assert_eq!(env.docs(&["cotton"]), [("three.txt".to_string(), 0)]);

    env.write("one.txt", &brief(1, "uranium"));
    let (_, changed) = index_json(&env, &[]);
    assert_eq!(names(&changed["changed"]), ["one.txt"]);
    assert_eq!(env.search(&["uranium"]).total_hits, 1);
    assert_eq!(env.docs(&["water"]), [("two.txt".to_string(), 0)]);

    env.remove("two.txt");
    let (_, removed) = index_json(&env, &[]);
    assert_eq!(names(&removed["removed"]), ["two.txt"]);
    assert_eq!(env.search(&["water"]).total_hits, 0);

    std::fs::rename(env.corpus().join("three.txt"), env.corpus().join("renamed.txt")).expect("rename");
    let (_, renamed) = index_json(&env, &[]);
    assert_eq!(names(&renamed["added"]), ["renamed.txt"]);
    assert_eq!(names(&renamed["removed"]), ["three.txt"]);
    assert_eq!(env.docs(&["cotton"]), [("renamed.txt".to_string(), 0)]);

    let (_, nothing) = index_json(&env, &[]);
    assert_eq!(nothing["unchanged"], 2);
    assert!(names(&nothing["added"]).is_empty() && names(&nothing["changed"]).is_empty());
    assert_eq!(nothing["passages"], 4);
}

#[test]
fn touching_a_file_without_changing_it_is_not_a_change() {
    let env = TestEnv::new(&[("one.txt", &brief(1, "water"))]);
    env.index_ok();
    let file = File::options()
        .append(true)
        .open(env.corpus().join("one.txt"))
        .expect("open");
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .expect("touch");
    drop(file);
    let (_, run) = index_json(&env, &[]);
    assert!(names(&run["changed"]).is_empty());
    assert_eq!(run["unchanged"], 1);
}

/// Every hit of a set of queries: doc, passage and score.
fn fingerprint(env: &TestEnv) -> Vec<(String, u64, f64)> {
    let mut out = Vec::new();
    for query in [
        "corridor",
        "railway pipeline",
        "\"pipeline were\"",
        "cotton OR uranium",
        "Kabul -water",
    ] {
        // Generated briefs repeat their text: keep near-duplicates so that
        // every passage is compared.
        for hit in env
            .search(&[query, "--limit", "100", "--per-brief", "10", "--keep-duplicates"])
            .hits
        {
            out.push((hit.doc, hit.passage, hit.score));
        }
    }
    out
}

fn assert_same_results(a: &[(String, u64, f64)], b: &[(String, u64, f64)]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!((&x.0, x.1), (&y.0, y.1));
        assert!((x.2 - y.2).abs() < 1e-6, "scores differ: {x:?} vs {y:?}");
    }
}

#[test]
fn incremental_build_equals_full_build() {
    let topics = ["water", "cotton", "uranium", "transit", "power"];
    let files: Vec<(String, String)> = (0..24)
        .map(|i| (format!("b{i:02}.txt"), brief(i, topics[i % topics.len()])))
        .collect();
    let pairs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    let env = TestEnv::new(&pairs);
    env.index_ok();
    // Edit, add and remove, then update incrementally.
    for i in [3, 7, 11] {
        env.write(&format!("b{i:02}.txt"), &brief(i + 100, "transit"));
    }
    env.write("new-a.txt", &brief(200, "power"));
    env.write("new-b.txt", &brief(201, "cotton"));
    env.remove("b05.txt");
    env.remove("b06.txt");
    env.index_ok();
    let incremental = fingerprint(&env);
    assert!(incremental.len() > 20);

    env.cmd(&["index", "--rebuild", "--quiet"]).assert().success();
    let full = fingerprint(&env);
    assert_same_results(&incremental, &full);

    env.cmd(&["index", "--rebuild", "--quiet"]).assert().success();
    assert_same_results(&full, &fingerprint(&env));
}

#[test]
fn check_reports_stale_index_with_exit_1() {
    let env = TestEnv::new(&[("one.txt", &brief(1, "water"))]);
    env.cmd(&["index", "--check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("added"));
    env.index_ok();
    env.cmd(&["index", "--check"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("up to date"));
    env.write("one.txt", &brief(1, "cotton"));
    env.write("two.txt", &brief(2, "cotton"));
    let (code, check) = index_json(&env, &["--check"]);
    assert_eq!(code, 1);
    assert_eq!(check["up_to_date"], false);
    assert_eq!(names(&check["changed"]), ["one.txt"]);
    assert_eq!(names(&check["added"]), ["two.txt"]);
    // --check writes nothing.
    assert_eq!(env.search(&["cotton"]).total_hits, 0);
}

#[test]
fn a_second_writer_fails_at_once_naming_the_lock() {
    let env = TestEnv::new(&[("one.txt", &brief(1, "water"))]);
    env.index_ok();
    let lock = File::options()
        .write(true)
        .open(env.index().join("index.lock"))
        .expect("lock file");
    lock.try_lock().expect("take the lock");
    let started = Instant::now();
    env.cmd(&["index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("index.lock").and(predicate::str::contains("another `briefs index`")));
    assert!(started.elapsed() < Duration::from_secs(10));
    // Readers do not need the lock.
    assert_eq!(env.search(&["water"]).total_hits, 1);
    drop(lock);
    // The lock is free once every copy of its descriptor is closed: a child
    // that another test thread forked while we held it keeps a copy until
    // it execs, which on a loaded machine can take a moment.
    let freed = Instant::now();
    while env
        .cmd(&["index", "--quiet"])
        .output()
        .expect("run briefs")
        .status
        .code()
        == Some(2)
        && freed.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    env.index_ok();
}

#[test]
fn an_index_from_another_version_says_what_to_run() {
    let env = TestEnv::new(&[("one.txt", &brief(1, "water"))]);
    env.index_ok();
    let generation = std::fs::read_to_string(env.index().join("CURRENT")).expect("CURRENT");
    let meta_path = env.index().join(generation.trim()).join("meta.json");
    let mut meta: Value = serde_json::from_str(&std::fs::read_to_string(&meta_path).expect("meta")).expect("json");
    let mut payload: Value = serde_json::from_str(meta["payload"].as_str().expect("payload")).expect("payload json");
    payload["schema_version"] = Value::from(999);
    meta["payload"] = Value::from(payload.to_string());
    std::fs::write(&meta_path, meta.to_string()).expect("write meta");

    env.cmd(&["search", "water"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("another version").and(predicate::str::contains("run `briefs index`")));
    env.cmd(&["index", "--check"]).assert().code(1);
    // A plain index run rebuilds by itself and says why.
    let (code, run) = index_json(&env, &[]);
    assert_eq!(code, 0);
    assert_eq!(run["mode"], "full");
    assert!(run["reason"].as_str().unwrap_or("").contains("another version"));
    assert_eq!(env.search(&["water"]).total_hits, 1);
}

#[test]
fn an_empty_corpus_never_wipes_the_index_without_rebuild() {
    let env = TestEnv::new(&[("one.txt", &brief(1, "water"))]);
    env.index_ok();
    env.remove("one.txt");
    env.cmd(&["index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing"));
    assert_eq!(env.search(&["water"]).total_hits, 1);
    env.cmd(&["index", "--rebuild", "--quiet"]).assert().success();
    assert_eq!(env.search(&["water"]).total_hits, 0);
}

/// A run compares the walk with the index's file stamps as two sorted
/// streams: names whose byte order differs from a folder walk's order
/// (`a.txt` < `a/b.txt` < `a0.txt`), stamps spread over several segments
/// (one commit per run) and deleted stamps must all line up.
#[test]
fn stamps_spread_over_segments_are_compared_in_path_order() {
    let files = ["a0.txt", "a/b.txt", "b/c/d.txt", "z.txt", "a.txt", "b.txt"];
    let env = TestEnv::new(&[(files[0], &brief(0, "water"))]);
    env.index_ok();
    for (i, name) in files.iter().enumerate().skip(1) {
        env.write(name, &brief(i, "water"));
        let (code, run) = index_json(&env, &[]);
        assert_eq!(code, 0);
        assert_eq!(names(&run["added"]), [*name]);
        assert_eq!(run["unchanged"], i as u64);
    }

    env.write("a/b.txt", &brief(1, "uranium"));
    env.remove("a0.txt");
    let (_, run) = index_json(&env, &[]);
    assert_eq!(run["mode"], "incremental");
    assert_eq!(names(&run["changed"]), ["a/b.txt"]);
    assert_eq!(names(&run["removed"]), ["a0.txt"]);
    assert!(names(&run["added"]).is_empty());
    assert_eq!(run["unchanged"], 4);

    let (code, check) = index_json(&env, &["--check"]);
    assert_eq!(code, 0, "{check}");
    assert_eq!(check["unchanged"], 5);
    let (_, nothing) = index_json(&env, &[]);
    assert_eq!(nothing["unchanged"], 5);
    assert!(names(&nothing["added"]).is_empty() && names(&nothing["removed"]).is_empty());
    assert_eq!(env.docs(&["uranium"]), [("a/b.txt".to_string(), 0)]);
}

/// A JSON Lines record is keyed `FILE#ID`; a file whose own name holds
/// that text must not share its key, or removing one brief would remove
/// the other with it.
#[test]
fn a_file_named_like_a_jsonl_record_keeps_its_own_key() {
    let record = r#"{"id": "1.md", "title": "Cotton exports", "date": "2023-03-04", "text": "Tashkent raised its cotton quota for the season."}"#;
    let env = TestEnv::new(&[
        ("b.jsonl", &format!("{record}\n")),
        ("b.jsonl#1.md", &brief(1, "uranium")),
    ]);
    env.index_ok();
    assert_eq!(env.docs(&["cotton"]), [("b.jsonl#1.md".to_string(), 0)]);
    let (file_key, _) = env.docs(&["uranium"]).remove(0);
    assert_eq!(file_key, "b.jsonl\\x231.md");

    // Both are shown, the file by the name it has on disk as well.
    for (asked, says) in [
        ("b.jsonl#1.md", "Cotton exports"),
        ("b.jsonl\\x231.md", "uranium"),
        ("./b.jsonl#1.md", "Cotton exports"),
    ] {
        env.cmd(&["show", asked])
            .assert()
            .success()
            .stdout(predicate::str::contains(says));
    }

    env.remove("b.jsonl#1.md");
    let (code, run) = index_json(&env, &[]);
    assert_eq!(code, 0, "{run}");
    assert_eq!(names(&run["removed"]), ["b.jsonl\\x231.md"]);
    assert_eq!(env.docs(&["cotton"]), [("b.jsonl#1.md".to_string(), 0)]);
    assert!(env.docs(&["uranium"]).is_empty());
}
