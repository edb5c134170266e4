//! `EXTRACTION_VERSION` must change whenever what goes into the index
//! changes: an index built by another extraction is then rebuilt instead of
//! silently mixing two behaviours. This test pins a digest of `briefs
//! export` on the demo corpus to the version. Extraction output that changes
//! under the same version and the same corpus fails, and cannot be recorded
//! until the version is bumped. A new version or a changed demo corpus is
//! recorded with:
//!
//! ```sh
//! BRIEFS_RECORD_DIGEST=1 cargo test --release --test extraction_version
//! ```

mod common;

use std::path::Path;

const RECORD: &str = "tests/fixtures/extraction-digest.txt";

/// A digest of every file of the demo corpus, names and bytes, in order.
fn corpus_digest(corpus: &Path) -> String {
    let mut files: Vec<_> = walkdir::WalkDir::new(corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    let mut hasher = blake3::Hasher::new();
    for file in files {
        hasher.update(file.strip_prefix(corpus).unwrap().to_string_lossy().as_bytes());
        hasher.update(&std::fs::read(&file).unwrap());
    }
    hasher.finalize().to_hex().to_string()
}

#[test]
fn extraction_output_is_pinned_to_the_extraction_version() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("corpus");
    let index = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("briefs"))
            .args(args)
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(index.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    run(&["index", "--quiet"]);
    let export = blake3::hash(&run(&["export"])).to_hex().to_string();
    let now = format!("{} {} {}", briefs::EXTRACTION_VERSION, corpus_digest(&corpus), export);
    let path = root.join(RECORD);
    let recorded = std::fs::read_to_string(&path).unwrap_or_default();
    let recorded = recorded.trim();
    if recorded == now {
        return;
    }
    let parts: Vec<&str> = recorded.split(' ').collect();
    let same_version_and_corpus =
        parts.len() == 3 && parts[0] == briefs::EXTRACTION_VERSION.to_string() && parts[1] == corpus_digest(&corpus);
    if same_version_and_corpus {
        panic!(
            "the extraction output of the demo corpus changed, but EXTRACTION_VERSION is still {}: \
             bump it in src/lib.rs, then record the new digest (see this test's doc)",
            briefs::EXTRACTION_VERSION
        );
    }
    if std::env::var_os("BRIEFS_RECORD_DIGEST").is_some() {
        std::fs::write(&path, format!("{now}\n")).unwrap();
        return;
    }
    panic!(
        "{RECORD} records {recorded:?}; now: {now:?}. The version or the demo corpus changed: \
         record with BRIEFS_RECORD_DIGEST=1 cargo test --release --test extraction_version"
    );
}
