//! Fuzzes opening, checking and searching a damaged index: the input picks
//! one file of a good index and overwrites or truncates it. Whatever the
//! damage, opening, `--check --verify` and search give an answer or an
//! error, never a panic that escapes or a hang.
//!
//! Input: byte 0 picks the file, byte 1 the damage (even: overwrite at an
//! offset, odd: truncate), bytes 2-5 the offset (little endian), the rest
//! the bytes written.
#![no_main]

mod common;

use std::path::{Path, PathBuf};

use briefs::search::{search, SearchRequest};
use libfuzzer_sys::fuzz_target;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir(dir);
    out.sort();
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for file in files(from) {
        let target = to.join(file.strip_prefix(from).expect("under the template"));
        std::fs::create_dir_all(target.parent().expect("has a parent")).expect("mkdir");
        std::fs::copy(&file, &target).expect("copy an index file");
    }
}

fuzz_target!(|data: &[u8]| {
    common::quiet_caught_panics();
    if data.len() < 6 {
        return;
    }
    let template = common::template_index();
    let work = template.with_file_name("damaged");
    let _ = std::fs::remove_dir_all(&work);
    copy_tree(template, &work);
    let targets: Vec<PathBuf> = files(&work).into_iter().filter(|f| !f.ends_with("index.lock")).collect();
    let victim = &targets[data[0] as usize % targets.len()];
    let offset = u32::from_le_bytes([data[2], data[3], data[4], data[5]]) as u64;
    let payload = &data[6..];
    let mut bytes = std::fs::read(victim).expect("read the victim");
    let offset = (offset % (bytes.len() as u64 + 1)) as usize;
    if data[1] % 2 == 0 {
        let end = (offset + payload.len()).min(bytes.len());
        bytes[offset..end].copy_from_slice(&payload[..end - offset]);
    } else {
        bytes.truncate(offset);
    }
    std::fs::write(victim, &bytes).expect("write the victim");

    // Each of these catches tantivy's panics itself: a panic escaping them is a finding.
    let Ok(open) = briefs::index::open(&work) else {
        return;
    };
    let _ = briefs::index::integrity_problems(&open, true);
    let request = SearchRequest {
        query: "pipeline".into(),
        limit: 10,
        per_brief: 2,
        facets: true,
        facet_limit: 10,
        ..SearchRequest::default()
    };
    let _ = search(&open, &request);
});
