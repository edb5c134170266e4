//! Crash safety: `briefs index` killed with SIGKILL at random moments of
//! incremental runs and full rebuilds. After every kill the last committed
//! index still answers; after the loop, one more run gives exactly the
//! answers of a clean build of the same corpus, and no stray generation
//! is left. Kill moments are drawn from the measured length of a build, so
//! they land inside runs on fast and slow machines alike.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use briefs::index::{self, BuildOptions};
use briefs::search::{self, SearchRequest};
use common::TestEnv;

/// A small deterministic generator (SplitMix64): the loop is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const TOPICS: [&str; 5] = ["zircon", "quartz", "basalt", "garnet", "cobalt"];

fn brief_text(i: usize, version: u64) -> String {
    let topic = TOPICS[i % TOPICS.len()];
    let filler = "Delegations met at the border post about freight, tariffs and visas. ".repeat(12);
    format!("Dossier {i}\ndate 2024-03-{:02}\n\nThe {topic} file {i} revision {version}. {filler}\n\nOfficials from Kabul and Tashkent signed the {topic} annex.\n", i % 28 + 1)
}

fn run_index(env: &TestEnv, extra: &[&str]) -> std::process::Child {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("briefs"));
    cmd.args(["index", "--quiet", "--corpus"])
        .arg(env.corpus())
        .arg("--index")
        .arg(env.index())
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd.spawn().expect("spawn briefs index")
}

/// Every answer of a few searches, scores as bits.
fn answers(index_dir: &Path) -> Vec<(String, u64, u32)> {
    let open = index::open(index_dir).expect("open");
    let mut out = Vec::new();
    for query in TOPICS.iter().chain(&["annex", "revision"]) {
        let request = SearchRequest {
            query: query.to_string(),
            limit: 200,
            per_brief: 2,
            ..SearchRequest::default()
        };
        for hit in search::search(&open, &request).expect("search").hits {
            out.push((hit.doc, hit.passage, hit.score.to_bits()));
        }
    }
    out
}

#[test]
fn kill_9_at_random_moments_never_loses_the_index() {
    let files: Vec<(String, String)> = (0..1200).map(|i| (format!("d/{i:04}.txt"), brief_text(i, 0))).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let env = TestEnv::new(&refs);
    let started = Instant::now();
    env.index_ok();
    let full_build = started.elapsed();
    let mut rng = Rng(7);
    let budget = Instant::now();
    let mut kills = 0;
    let mut version = 0;
    while budget.elapsed() < Duration::from_secs(30) && kills < 24 {
        // Change some briefs, add one, remove one: the next run has work to do.
        version += 1;
        for _ in 0..40 {
            let i = rng.below(1200) as usize;
            env.write(&format!("d/{i:04}.txt"), &brief_text(i, version));
        }
        env.write(
            &format!("extra/{version:04}.txt"),
            &brief_text(5000 + version as usize, version),
        );
        let gone = rng.below(1200) as usize;
        let _ = std::fs::remove_file(env.corpus().join(format!("d/{gone:04}.txt")));

        let rebuild = rng.below(3) == 0;
        let mut child = run_index(&env, if rebuild { &["--rebuild"] } else { &[] });
        let delay = Duration::from_micros(rng.below(full_build.as_micros() as u64 + 1));
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().expect("reap");
        kills += 1;
        // Whatever the moment, the index answers.
        let open = index::open(&env.index()).expect("the index opens after a kill");
        let request = SearchRequest {
            query: "annex".into(),
            limit: 5,
            per_brief: 1,
            ..SearchRequest::default()
        };
        let results = search::search(&open, &request).expect("search after a kill");
        assert!(results.total_hits > 0, "no hits after kill {kills} at {delay:?}");
    }
    assert!(kills >= 5, "only {kills} kills in the time budget");

    // One more run completes the work, and equals a clean build.
    env.index_ok();
    let fresh = env.dir.path().join("fresh");
    index::build(&BuildOptions {
        rebuild: true,
        ..BuildOptions::new(env.corpus(), &fresh)
    })
    .expect("clean build");
    assert_eq!(answers(&env.index()), answers(&fresh));
    let generations = std::fs::read_dir(env.index())
        .expect("index dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .count();
    assert_eq!(generations, 1, "a killed build's generation is cleaned up");
    env.cmd(&["index", "--check"]).assert().success();
}
