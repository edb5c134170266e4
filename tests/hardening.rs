//! Regression tests from the hostile-input and fault-injection audit (issue
//! 12). Each test is named after the point it pins: `briefs` deletes only
//! what it made, keeps distinct files distinct, and never lets a transient
//! read error remove what the index holds.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::TestEnv;
use predicates::prelude::*;

const NOTE: &str = "Border Talks Resume\n\nEnvoys met in Herat to discuss the railway.\n";
const OTHER: &str = "Gas Deal Signed\n\nThe pipeline consortium signed in Ashgabat.\n";

/// Point 1: a user's `gen-notes/` folder in the index folder survives
/// incremental runs, rebuilds and searches.
#[test]
fn index_never_deletes_user_gen_folders() {
    let env = TestEnv::new(&[("a.txt", NOTE)]);
    let notes = env.index().join("gen-notes");
    std::fs::create_dir_all(&notes).unwrap();
    std::fs::write(notes.join("todo.txt"), "keep me").unwrap();
    let numbered = env.index().join("gen-999999");
    std::fs::create_dir_all(&numbered).unwrap();
    std::fs::write(numbered.join("mine.txt"), "keep me too").unwrap();
    env.index_ok();
    env.write("b.txt", OTHER);
    env.index_ok();
    env.cmd(&["index", "--rebuild", "--quiet"]).assert().success();
    env.cmd(&["index", "--rebuild", "--quiet"]).assert().success();
    assert_eq!(env.docs(&["railway"]).len(), 1);
    assert_eq!(std::fs::read_to_string(notes.join("todo.txt")).unwrap(), "keep me");
    assert_eq!(
        std::fs::read_to_string(numbered.join("mine.txt")).unwrap(),
        "keep me too"
    );
}

/// Point 1: with `--index` equal to or inside `--corpus`, corpus folders
/// named `gen-*` were deleted; such an index is now refused.
#[test]
fn index_inside_or_equal_to_corpus_is_refused() {
    let env = TestEnv::new(&[("a.txt", NOTE), ("gen-2024/b.txt", OTHER)]);
    for index in [env.corpus(), env.corpus().join("idx"), env.corpus().join("gen-2024")] {
        let mut cmd = assert_cmd::Command::cargo_bin("briefs").unwrap();
        cmd.args(["index", "--corpus"])
            .arg(env.corpus())
            .arg("--index")
            .arg(&index)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("inside the corpus folder"));
    }
    assert!(env.corpus().join("gen-2024/b.txt").exists());
    assert!(!env.corpus().join("idx").exists());
    assert!(!env.corpus().join("CURRENT").exists());
}

/// Point 3: `bad\xffname.txt` and `bad\xfename.txt` are two briefs, and
/// `--check` finds the index up to date after indexing them.
#[test]
fn file_names_differing_in_non_utf8_bytes_stay_two_briefs() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new(&[]);
    let ff = env.corpus().join(std::ffi::OsStr::from_bytes(b"bad\xffname.txt"));
    let fe = env.corpus().join(std::ffi::OsStr::from_bytes(b"bad\xfename.txt"));
    std::fs::write(&ff, "Rail Link\n\nThe railway reached Mazar on Monday.\n").unwrap();
    std::fs::write(&fe, "Rail Delay\n\nThe railway to Herat was delayed again.\n").unwrap();
    env.index_ok();
    let mut docs: Vec<String> = env.docs(&["railway"]).into_iter().map(|(d, _)| d).collect();
    docs.sort();
    assert_eq!(docs, ["bad\\xFEname.txt", "bad\\xFFname.txt"]);
    env.cmd(&["index", "--check"]).assert().success();
    env.cmd(&["show", "bad\\xFFname.txt"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Mazar"));
}

/// Point 4: a folder that cannot be read this time keeps its briefs in the
/// index; the run says so and exits 1.
#[test]
fn unreadable_folder_keeps_its_briefs() {
    let env = TestEnv::new(&[("north/a.txt", NOTE), ("south/b.txt", OTHER)]);
    env.share_with_everyone();
    env.cmd_unprivileged(&["index", "--quiet"]).assert().success();
    let north = env.corpus().join("north");
    std::fs::set_permissions(&north, std::fs::Permissions::from_mode(0o000)).unwrap();
    let run = env.cmd_unprivileged(&["index"]).output().unwrap();
    std::fs::set_permissions(&north, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("north") && stderr.contains("kept"), "{stderr}");
    assert!(
        String::from_utf8_lossy(&run.stdout).contains(" 0 removed"),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert_eq!(env.docs(&["railway"]), [("north/a.txt".to_string(), 0)]);
    // Readable again: nothing to do.
    env.cmd(&["index", "--check"]).assert().success();
}

/// Point 4: with the corpus folder itself unreadable, `--rebuild` refuses to
/// publish an empty index and the previous one still answers.
#[test]
fn rebuild_refuses_to_publish_when_the_walk_failed() {
    let env = TestEnv::new(&[("north/a.txt", NOTE), ("south/b.txt", OTHER)]);
    env.share_with_everyone();
    env.cmd_unprivileged(&["index", "--quiet"]).assert().success();
    let current = std::fs::read_to_string(env.index().join("CURRENT")).unwrap();
    for locked in [env.corpus(), env.corpus().join("south")] {
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let run = env.cmd_unprivileged(&["index", "--rebuild"]).output().unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("current index is kept"),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(std::fs::read_to_string(env.index().join("CURRENT")).unwrap(), current);
        assert_eq!(env.docs(&["pipeline"]), [("south/b.txt".to_string(), 0)]);
    }
}

/// Point 13: briefs reached through symbolic links inside the corpus are
/// read; a link out of the corpus, a loop and a FIFO are reported, not
/// silently skipped.
#[test]
fn links_loops_and_fifos_are_reported() {
    let env = TestEnv::new(&[("real/a.txt", NOTE)]);
    let outside = env.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), OTHER).unwrap();
    std::os::unix::fs::symlink(env.corpus().join("real/a.txt"), env.corpus().join("linked.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, env.corpus().join("away")).unwrap();
    std::os::unix::fs::symlink(env.corpus(), env.corpus().join("real/loop")).unwrap();
    let fifo = env.corpus().join("pipe.txt");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let run = env.cmd(&["index"]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("away") && stderr.contains("outside the corpus"),
        "{stderr}"
    );
    assert!(
        stderr.contains("pipe.txt") && stderr.contains("not a regular file"),
        "{stderr}"
    );
    assert!(stderr.contains("loop"), "{stderr}");
    let mut docs: Vec<String> = env.docs(&["railway"]).into_iter().map(|(d, _)| d).collect();
    docs.sort();
    assert_eq!(docs, ["linked.txt", "real/a.txt"]);
    assert!(
        env.docs(&["pipeline"]).is_empty(),
        "a brief outside the corpus was read"
    );
}

/// Point 13: front matter that is never closed is reported, and its lines
/// are still indexed as text.
#[test]
fn unclosed_front_matter_is_reported() {
    let env = TestEnv::new(&[("fm.md", "---\ntitle: Caspian Gas\n\nThe pipeline opened in Baku.\n")]);
    let run = env.cmd(&["index"]).output().unwrap();
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("fm.md") && stderr.contains("front matter"), "{stderr}");
    assert_eq!(env.docs(&["pipeline"]).len(), 1);
}
