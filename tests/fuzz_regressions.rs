//! Inputs that once crashed, hung or overflowed a reader (found by the
//! cargo-fuzz targets in `fuzz/`, or by hand), kept in
//! `tests/fixtures/fuzz/<format>/`: each must now read as briefs or as an
//! error, quickly, without a panic.

use std::path::Path;
use std::time::{Duration, Instant};

use briefs::corpus::{read_bytes, Format};

#[test]
fn crash_inputs_read_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let formats = [
        ("text", Format::Text),
        ("markdown", Format::Markdown),
        ("html", Format::Html),
        ("jsonl", Format::JsonLines),
        ("pdf", Format::Pdf),
        ("docx", Format::Docx),
        ("odt", Format::Odt),
    ];
    let mut checked = 0;
    for (folder, format) in formats {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            let start = Instant::now();
            let result = std::panic::catch_unwind(|| read_bytes(format, "crash", &bytes).map(|r| r.briefs.len()));
            assert!(result.is_ok(), "{} panicked", path.display());
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{} took {:?}",
                path.display(),
                start.elapsed()
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no crash inputs found under {}", root.display());
}

/// Inputs of the `analyse` target (first byte: text or Markdown, then the
/// file): cut into passages, they keep every character of the paragraphs
/// and of the subheadings with no paragraph after them.
#[test]
fn analyse_inputs_keep_their_text() {
    use briefs::analyse::analyse_brief;
    use briefs::corpus::BlockKind;

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/analyse");
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no inputs under {}", root.display());
    for path in paths {
        let data = std::fs::read(&path).unwrap();
        let Some((&choice, bytes)) = data.split_first() else {
            continue;
        };
        let format = if choice % 2 == 0 {
            Format::Text
        } else {
            Format::Markdown
        };
        let Ok(read) = read_bytes(format, "crash", bytes) else {
            continue;
        };
        for source in read.briefs {
            let blocks = &source.brief.blocks;
            let expected: String = blocks
                .iter()
                .enumerate()
                .filter(|(i, b)| {
                    b.kind == BlockKind::Paragraph
                        || blocks.get(i + 1).is_none_or(|next| next.kind == BlockKind::Heading)
                })
                .flat_map(|(_, b)| b.text.chars())
                .filter(|c| !c.is_whitespace())
                .collect();
            let analysed = analyse_brief(source.brief, None);
            let cut: String = analysed
                .passages
                .iter()
                .flat_map(|p| p.text.chars())
                .filter(|c| !c.is_whitespace())
                .collect();
            assert_eq!(expected, cut, "{}", path.display());
        }
    }
}
