//! A test environment: a temporary corpus built from (path, content) pairs,
//! an index folder beside it, and the built `briefs` binary to run on them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde::Deserialize;

pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new(files: &[(&str, &str)]) -> TestEnv {
        let env = TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        std::fs::create_dir_all(env.corpus()).expect("corpus dir");
        for (path, content) in files {
            env.write(path, content);
        }
        env
    }

    pub fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    pub fn write(&self, path: &str, content: &str) {
        let full = self.corpus().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("parent dir");
        }
        std::fs::write(full, content).expect("write brief");
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.corpus().join(path)).expect("remove brief");
    }

    /// `briefs ARGS --corpus C --index I`, run in the temp dir.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("briefs").expect("binary");
        cmd.current_dir(self.dir.path())
            .args(args)
            .arg("--corpus")
            .arg(self.corpus())
            .arg("--index")
            .arg(self.index())
            .env_remove("NO_COLOR");
        cmd
    }

    /// [`Self::cmd`] as a plain `std::process::Command`, for tests that
    /// wire its standard streams themselves.
    pub fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("briefs"));
        cmd.current_dir(self.dir.path())
            .args(args)
            .arg("--corpus")
            .arg(self.corpus())
            .arg("--index")
            .arg(self.index())
            .env_remove("NO_COLOR");
        cmd
    }

    /// Opens the temporary folder to every user, for [`Self::cmd_unprivileged`].
    /// Call it before taking permissions away from part of the corpus.
    pub fn share_with_everyone(&self) {
        open_to_everyone(self.dir.path());
    }

    /// `briefs ARGS --corpus C --index I` as an unprivileged user, so that
    /// file permissions apply even when the tests run as root (in CI
    /// containers): as root it runs through `setpriv` as `nobody` (call
    /// [`Self::share_with_everyone`] first).
    pub fn cmd_unprivileged(&self, args: &[&str]) -> Command {
        if !running_as_root() {
            return self.cmd(args);
        }
        let mut cmd = Command::new("setpriv");
        cmd.current_dir(self.dir.path())
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(assert_cmd::cargo::cargo_bin("briefs"))
            .args(args)
            .arg("--corpus")
            .arg(self.corpus())
            .arg("--index")
            .arg(self.index())
            .env_remove("NO_COLOR");
        cmd
    }

    pub fn index_ok(&self) {
        self.cmd(&["index", "--quiet"]).assert().success();
    }

    /// Runs a search with `--format json` and parses the answer.
    pub fn search(&self, args: &[&str]) -> SearchJson {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let out = self.cmd(&all).output().expect("run briefs");
        assert!(
            out.status.success(),
            "search {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("search JSON matches the documented shape")
    }

    pub fn docs(&self, args: &[&str]) -> Vec<(String, u64)> {
        self.search(args).hits.into_iter().map(|h| (h.doc, h.passage)).collect()
    }
}

pub fn running_as_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Makes every folder and file under `dir` readable and writable by all,
/// so an unprivileged process can use a test's temporary folder.
fn open_to_everyone(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        let mode = if entry.file_type().is_dir() { 0o777 } else { 0o666 };
        let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode));
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The documented JSON shape of `briefs search --format json`.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SearchJson {
    pub query: String,
    pub total_hits: usize,
    pub hits: Vec<HitJson>,
    #[serde(default)]
    pub facets: Option<FacetsJson>,
    /// How the query was read (a pattern cut at its cap).
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HitJson {
    pub doc: String,
    pub title: String,
    pub date: Option<String>,
    pub author: Option<String>,
    pub passage: u64,
    pub lines: [u64; 2],
    pub score: f64,
    pub heading: Option<String>,
    pub text: String,
    pub countries: Vec<String>,
    pub actors: Vec<ActorJson>,
    pub highlights: Vec<[usize; 2]>,
    /// The page of a passage of a paged format (PDF).
    #[serde(default)]
    pub page: Option<u64>,
    /// The record id of a brief read from a JSON Lines record.
    #[serde(default)]
    pub id: Option<String>,
    /// Near-duplicates folded into this hit.
    #[serde(default)]
    pub also_in: Vec<AlsoInJson>,
}

#[derive(Debug, Deserialize, PartialEq, Clone)]
#[serde(deny_unknown_fields)]
pub struct AlsoInJson {
    pub doc: String,
    pub passage: u64,
    pub date: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq, Clone)]
#[serde(deny_unknown_fields)]
pub struct ActorJson {
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FacetsJson {
    pub country: Vec<FacetCountJson>,
    pub region: Vec<FacetCountJson>,
    pub actor: Vec<FacetCountJson>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FacetCountJson {
    pub value: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub count: usize,
    pub passages: usize,
}

impl FacetsJson {
    pub fn country(&self, name: &str) -> Option<(usize, usize)> {
        self.country
            .iter()
            .find(|c| c.value == name)
            .map(|c| (c.count, c.passages))
    }
    pub fn actor(&self, name: &str) -> Option<(usize, usize)> {
        self.actor
            .iter()
            .find(|c| c.value == name)
            .map(|c| (c.count, c.passages))
    }
    pub fn region(&self, name: &str) -> Option<(usize, usize)> {
        self.region
            .iter()
            .find(|c| c.value == name)
            .map(|c| (c.count, c.passages))
    }
}
