//! Reading every supported format, and every kind of broken file, from the
//! fixtures in `tests/fixtures/formats/` (written for these tests; the PDF,
//! DOCX and ODT files were generated with LibreOffice and reportlab from
//! `tests/fixtures/formats/make_fixtures.py`). Each format is checked
//! through the library (`read_file`) and, for formats that give one brief
//! a file, end to end through `briefs index`, `search` and `show`.

mod common;

use std::path::{Path, PathBuf};

use briefs::corpus::{read_file, BlockKind, Brief, BriefFile, CorpusError, ReadFile};
use common::TestEnv;
use jiff::civil::Date;

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

fn read(name: &str) -> Result<ReadFile, CorpusError> {
    let abs_path = fixture_path(name);
    let size = std::fs::metadata(&abs_path).map(|m| m.len()).unwrap_or(0);
    read_file(&BriefFile {
        rel_path: name.to_string(),
        abs_path,
        size,
        mtime_ns: 0,
    })
}

fn one(name: &str) -> Brief {
    let mut read = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(read.briefs.len(), 1, "{name}");
    assert!(read.problems.is_empty(), "{name}: {:?}", read.problems);
    let source = read.briefs.remove(0);
    assert_eq!(source.key, name);
    assert_eq!(source.id, None);
    source.brief
}

fn body(brief: &Brief) -> String {
    brief
        .blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn headings(brief: &Brief) -> Vec<&str> {
    brief
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Heading)
        .map(|b| b.text.as_str())
        .collect()
}

fn date(y: i16, m: i8, d: i8) -> Option<Date> {
    Some(Date::new(y, m, d).unwrap())
}

fn error_of(name: &str) -> String {
    match read(name) {
        Ok(read) => panic!("{name} was read: {:?}", read.briefs.first().map(|b| &b.brief.blocks)),
        Err(e) => e.to_string(),
    }
}

// ---- HTML

#[test]
fn html_article_without_navigation_share_buttons_or_comments() {
    let brief = one("article.html");
    assert_eq!(brief.title, "Herat rail freight doubles after customs pact");
    assert_eq!(brief.date, date(2024, 10, 14));
    assert_eq!(brief.author.as_deref(), Some("Nadia Karimova"));
    assert_eq!(brief.source.as_deref(), Some("Steppe Ledger"));
    assert_eq!(
        brief.url.as_deref(),
        Some("https://ledger.example/2024/10/herat-rail-freight")
    );
    let text = body(&brief);
    for furniture in [
        "cookies",
        "Accept all",
        "Home",
        "Share on",
        "Photo:",
        "Related",
        "Kandahar airport",
        "inbox",
        "comments",
        "Great news",
        "Copyright",
        "rights reserved",
        "dataLayer",
        "trackPageView",
        "By Nadia",
    ] {
        assert!(!text.contains(furniture), "{furniture:?} leaked into the body:\n{text}");
    }
    assert_eq!(headings(&brief), ["A second line to Mazar"]);
    assert_eq!(brief.blocks.len(), 4, "{text}");
    assert!(brief.blocks[0]
        .text
        .starts_with("Freight trains between Turghundi and Herat"));
    assert!(brief.blocks[1].text.contains("fuel and wheat flour made up"));
    // Lines are the page's source lines.
    let source = std::fs::read_to_string(fixture_path("article.html")).unwrap();
    let line = brief.blocks[0].first_line() as usize;
    assert!(source.lines().nth(line - 1).unwrap().contains("<p>Freight trains"));
}

#[test]
fn html_metadata_from_json_ld() {
    let brief = one("jsonld.html");
    assert_eq!(brief.title, "Wakhan road reaches the Chinese border post");
    assert_eq!(brief.date, date(2023, 8, 21));
    assert_eq!(brief.author.as_deref(), Some("Omid Sadat"));
    assert_eq!(brief.source.as_deref(), Some("Pamir Notes"));
    assert_eq!(brief.blocks.len(), 2);
    assert!(!body(&brief).contains("Tweet"));
}

#[test]
fn truncated_html_keeps_what_is_there() {
    let brief = one("truncated.html");
    assert_eq!(brief.title, "Cut short");
    assert!(body(&brief).contains("The Salang tunnel reopened"));
}

#[test]
fn html_without_text_is_an_error() {
    let e = error_of("no-text.html");
    assert!(e.contains("no-text.html") && e.contains("no text"), "{e}");
}

// ---- Markdown

#[test]
fn markdown_yaml_front_matter_declares_facets_and_syntax_is_not_text() {
    let brief = one("note-yaml.md");
    assert_eq!(brief.title, "Kunar water talks stall over a dam site");
    assert_eq!(brief.date, date(2024, 4, 9));
    assert_eq!(brief.author.as_deref(), Some("Farid Ahmadzai"));
    assert_eq!(brief.source.as_deref(), Some("River Basin Watch"));
    assert_eq!(brief.url.as_deref(), Some("https://basin.example/kunar-talks"));
    assert_eq!(brief.declared.countries, ["Afghanistan", "PK"]);
    assert_eq!(brief.declared.actors, ["Taliban", "Ministry of Energy and Water"]);
    assert_eq!(brief.declared.tags, ["water", "dams"]);
    let text = body(&brief);
    for syntax in [
        "**",
        "*",
        "##",
        "](",
        "https://",
        "`",
        "> ",
        "gauge.png",
        "A gauge station",
        "- The",
    ] {
        assert!(!text.contains(syntax), "{syntax:?} in {text}");
    }
    assert_eq!(
        brief.blocks[0].text,
        "Technical teams met in Jalalabad to discuss a storage dam on the Kunar river, \
         but left without a date for the next round."
    );
    assert_eq!(brief.blocks[0].line_starts, [(0, 14), (78, 15)]);
    assert_eq!(headings(&brief), ["Why the site matters"]);
    assert!(brief.warnings.is_empty(), "{:?}", brief.warnings);
}

#[test]
fn markdown_toml_front_matter() {
    let brief = one("note-toml.md");
    assert_eq!(brief.title, "Chabahar berth handles its first grain ship");
    assert_eq!(brief.date, date(2023, 11, 30));
    assert_eq!(brief.author.as_deref(), Some("Leila Moradi, Ravi Menon"));
    assert_eq!(brief.declared.countries, ["Iran", "India"]);
    assert_eq!(brief.declared.tags, ["ports"]);
    assert_eq!(headings(&brief), ["Cargo"]);
    assert_eq!(brief.blocks[0].first_line(), 9);
}

#[test]
fn invalid_front_matter_is_a_warning_and_the_body_is_read() {
    let brief = one("bad-front-matter.md");
    assert_eq!(brief.warnings.len(), 1);
    assert!(brief.warnings[0].contains("front matter") && brief.warnings[0].contains("does not parse"));
    assert_eq!(
        body(&brief),
        "The Torkham crossing reopened for pedestrians after a week of closures."
    );
    assert_eq!(brief.blocks[0].first_line(), 6);
}

// ---- JSON Lines

#[test]
fn jsonl_gives_one_brief_per_record_keyed_by_id() {
    let read = read("export.jsonl").unwrap();
    let keys: Vec<(&str, Option<&str>)> = read.briefs.iter().map(|b| (b.key.as_str(), b.id.as_deref())).collect();
    assert_eq!(
        keys,
        [
            ("export.jsonl#doc-001", Some("doc-001")),
            ("export.jsonl#doc-002", Some("doc-002")),
            ("export.jsonl#4", Some("4")),
            ("export.jsonl#doc-006", Some("doc-006")),
        ]
    );
    let first = &read.briefs[0].brief;
    assert_eq!(first.title, "Termez river port adds a grain terminal");
    assert_eq!(first.date, date(2024, 2, 12));
    assert_eq!(first.author.as_deref(), Some("Sabina Yusupova"));
    assert_eq!(first.source.as_deref(), Some("Amu Wire"));
    assert_eq!(first.url.as_deref(), Some("https://amu.example/termez-grain"));
    assert_eq!(first.blocks.len(), 2, "paragraphs of the text are blocks");
    assert!(first.blocks.iter().all(|b| b.first_line() == 1));
    assert_eq!(read.briefs[1].brief.date, date(2024, 3, 1));
    assert_eq!(read.briefs[2].brief.date, date(2024, 5, 12));
    assert_eq!(read.briefs[2].brief.blocks[0].first_line(), 5);
    assert_eq!(read.briefs[3].brief.blocks[0].first_line(), 8);

    // The broken line, the duplicate id and the record without text are
    // problems naming their line; the rest was read.
    assert_eq!(read.problems.len(), 3, "{:?}", read.problems);
    assert!(
        read.problems[0].starts_with("line 3: not valid JSON"),
        "{}",
        read.problems[0]
    );
    assert!(read.problems[1].starts_with("line 6: id \"doc-001\" is already used at line 1"));
    assert!(read.problems[2].starts_with("line 7: no `body` or `text`"));
}

#[test]
fn jsonl_hash_covers_only_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.jsonl");
    let read_keys = |content: &str| {
        std::fs::write(&path, content).unwrap();
        let read = read_file(&BriefFile {
            rel_path: "feed.jsonl".into(),
            abs_path: path.clone(),
            size: content.len() as u64,
            mtime_ns: 0,
        })
        .unwrap();
        read.briefs
            .into_iter()
            .map(|b| (b.key, b.hash))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let a = r#"{"id": "a", "text": "The Kabul river rose after rain."}"#;
    let b = r#"{"id": "b", "text": "Grain prices fell in Mazar."}"#;
    let b2 = r#"{"id": "b", "text": "Grain prices fell again in Mazar."}"#;
    let before = read_keys(&format!("{a}\n{b}\n"));
    let edited = read_keys(&format!("{a}\r\n{b2}\n"));
    let reordered = read_keys(&format!("\n{b}\n{a}\n"));
    assert_eq!(
        before["feed.jsonl#a"], edited["feed.jsonl#a"],
        "untouched record keeps its hash"
    );
    assert_ne!(
        before["feed.jsonl#b"], edited["feed.jsonl#b"],
        "edited record changes its hash"
    );
    assert_eq!(before, reordered, "moving records changes neither keys nor hashes");
}

#[test]
fn jsonl_without_ids_keys_records_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.ndjson");
    std::fs::write(&path, "{\"text\": \"One.\"}\n{\"text\": \"Two.\"}\n").unwrap();
    let read = read_file(&BriefFile {
        rel_path: "plain.ndjson".into(),
        abs_path: path,
        size: 0,
        mtime_ns: 0,
    })
    .unwrap();
    let keys: Vec<&str> = read.briefs.iter().map(|b| b.key.as_str()).collect();
    assert_eq!(keys, ["plain.ndjson#line-1", "plain.ndjson#line-2"]);
    assert!(read.briefs.iter().all(|b| b.id.is_none()));
}

// ---- PDF

#[test]
fn pdf_paragraphs_headings_and_pages_from_the_layout() {
    let brief = one("report.pdf");
    assert_eq!(brief.title, "Border Monitor: crossings in the third quarter");
    assert_eq!(brief.author.as_deref(), Some("Border Monitor team"));
    assert_eq!(headings(&brief), ["Torkham", "Islam Qala", "Hairatan"]);
    let text = body(&brief);
    assert!(!text.contains("Quarterly Notes"), "running header kept: {text}");
    assert!(!text.contains("Page 1") && !text.contains("Page 2"), "page number kept");
    let first = &brief.blocks[0];
    assert_eq!(first.page, Some(1));
    assert!(first
        .text
        .starts_with("This note summarises traffic at the main crossings"));
    assert!(first.text.ends_with("interviews with drivers."));
    let torkham: Vec<_> = brief
        .blocks
        .iter()
        .filter(|b| b.text.starts_with("Trucks at Torkham"))
        .collect();
    assert_eq!(torkham.len(), 4, "one paragraph each");
    let last = brief.blocks.last().unwrap();
    assert_eq!(last.page, Some(2));
    assert!(last.text.starts_with("Rail freight through Hairatan"));
    assert!(last.text.contains("governmental transit agreement"));
    assert!(
        last.text.ends_with("Mazar-i-Sharif without reloading."),
        "{}",
        last.text
    );
    assert!(brief.blocks.iter().all(|b| b.page.is_some()));
}

#[test]
fn pdf_from_another_writer() {
    let brief = one("briefing.pdf");
    assert_eq!(brief.title, "Caspian ferry briefing");
    assert_eq!(brief.author.as_deref(), Some("Caspian Desk"));
    assert_eq!(headings(&brief), ["Freight rates"]);
    let weeks: Vec<(u32, Option<u32>)> = brief
        .blocks
        .iter()
        .filter(|b| b.text.starts_with("Week "))
        .map(|b| (b.text.as_bytes()[5] as u32 - '0' as u32, b.page))
        .collect();
    assert_eq!(
        weeks,
        [
            (1, Some(1)),
            (2, Some(1)),
            (3, Some(1)),
            (4, Some(2)),
            (5, Some(2)),
            (6, Some(2))
        ]
    );
}

#[test]
fn pdf_without_text_layer_is_an_error_saying_so() {
    let e = error_of("scan.pdf");
    assert!(e.contains("scan.pdf") && e.contains("no text layer"), "{e}");
}

#[test]
fn corrupt_pdf_is_an_error() {
    let e = error_of("corrupt.pdf");
    assert!(e.contains("corrupt.pdf") && e.contains("PDF"), "{e}");
}

// ---- DOCX and ODT

#[test]
fn docx_structure_and_properties() {
    for name in ["brief.docx", "brief.odt"] {
        let brief = one(name);
        assert_eq!(brief.title, "Kandahar airport resumes cargo flights", "{name}");
        assert_eq!(brief.author.as_deref(), Some("Hamid Noori"), "{name}");
        assert_eq!(headings(&brief), ["Prices at the market"], "{name}");
        let texts: Vec<&str> = brief.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts.len(), 5, "{name}: {texts:?}");
        assert!(texts[0].starts_with("Cargo flights from Kandahar to Dubai"), "{name}");
        assert_eq!(
            texts[3],
            "Pomegranate prices in the Kandahar fruit market rose by a third within two days of the announcement.",
            "{name}: runs of one paragraph are joined"
        );
        assert_eq!(
            texts[4], "Route; Flights a week Kandahar to Dubai; Four",
            "{name}: a table"
        );
        assert_eq!(brief.blocks[4].line_starts.len(), 2, "{name}: a line per row");
    }
}

#[test]
fn corrupt_docx_is_an_error() {
    let e = error_of("corrupt.docx");
    assert!(e.contains("corrupt.docx") && e.contains("DOCX"), "{e}");
}

// ---- Encodings

#[test]
fn legacy_and_utf16_text_is_decoded() {
    let cp1252 = one("cp1252.txt");
    assert_eq!(cp1252.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(cp1252.title, "Caf\u{e9} owners in Kabul\u{2019}s Shahr-e Naw reopen");
    assert!(body(&cp1252).contains("\u{201c}slowly but surely\u{201d}"));
    assert_eq!(cp1252.date, date(2022, 6, 3));

    let le = one("utf16le.txt");
    assert_eq!(le.encoding.as_deref(), Some("UTF-16LE"));
    assert_eq!(le.title, "Dushanbe hosts a water forum");
    assert_eq!(le.blocks[0].first_line(), 4);

    let be = one("utf16be.txt");
    assert_eq!(be.encoding.as_deref(), Some("UTF-16BE"));
    assert!(body(&be).contains("Irkeshtam"));

    let persian = one("persian-1256.txt");
    assert_eq!(persian.encoding.as_deref(), Some("windows-1256"));
    assert!(body(&persian).contains("\u{0627}\u{0641}\u{063a}\u{0627}\u{0646}\u{0633}\u{062a}\u{0627}\u{0646}"));

    assert_eq!(one("note-yaml.md").encoding, None, "UTF-8 is not named");
}

#[test]
fn binary_file_named_txt_is_an_error() {
    let e = error_of("image.txt");
    assert!(
        e.contains("image.txt") && e.contains("binary") && e.contains("PNG"),
        "{e}"
    );
}

// ---- End to end

/// Copies fixtures into a new corpus.
fn env_with(fixtures: &[&str]) -> TestEnv {
    let env = TestEnv::new(&[]);
    for name in fixtures {
        std::fs::copy(fixture_path(name), env.corpus().join(name)).unwrap();
    }
    env
}

fn show(env: &TestEnv, doc: &str) -> serde_json::Value {
    let out = env.cmd(&["show", doc, "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_single_brief_format_is_indexed_searched_and_shown() {
    let cases = [
        (
            "article.html",
            "Turghundi",
            "Herat rail freight doubles after customs pact",
        ),
        ("jsonld.html", "Wakhjir", "Wakhan road reaches the Chinese border post"),
        ("note-yaml.md", "Jalalabad", "Kunar water talks stall over a dam site"),
        (
            "note-toml.md",
            "Beheshti",
            "Chabahar berth handles its first grain ship",
        ),
        (
            "report.pdf",
            "Hairatan",
            "Border Monitor: crossings in the third quarter",
        ),
        ("briefing.pdf", "Turkmenbashi", "Caspian ferry briefing"),
        ("brief.docx", "pomegranates", "Kandahar airport resumes cargo flights"),
        ("brief.odt", "pomegranates", "Kandahar airport resumes cargo flights"),
        (
            "cp1252.txt",
            "curfew",
            "Caf\u{e9} owners in Kabul\u{2019}s Shahr-e Naw reopen",
        ),
        ("utf16le.txt", "Rogun", "Dushanbe hosts a water forum"),
    ];
    let names: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let env = env_with(&names);
    env.index_ok();
    for (name, word, title) in cases {
        // The DOCX and the ODT hold the same brief: near-duplicates, kept.
        let hits = env.search(&[word, "--limit", "50", "--keep-duplicates"]).hits;
        assert!(
            hits.iter().any(|h| h.doc == name && h.title == title),
            "{word} in {name}: {hits:?}"
        );
        let shown = show(&env, name);
        assert_eq!(shown["title"], title, "{name}");
        assert!(!shown["passages"].as_array().unwrap().is_empty(), "{name}");
    }
    // Markup never reaches the index.
    assert!(env.search(&["cookies"]).hits.is_empty());
    assert!(env.search(&["trackPageView"]).hits.is_empty());
    assert!(env.search(&["basin.example"]).hits.is_empty());
    // The PDF's passages keep their lines on the page.
    let hit = env.search(&["Hairatan", "wagons"]).hits.remove(0);
    assert_eq!(hit.doc, "report.pdf");
    assert!(hit.lines[0] >= 1);
    assert_eq!(hit.page, Some(2), "the Hairatan paragraph is on page 2");
}

#[test]
fn broken_files_are_reported_and_the_rest_indexed() {
    let env = env_with(&[
        "article.html",
        "image.txt",
        "corrupt.pdf",
        "corrupt.docx",
        "scan.pdf",
        "no-text.html",
    ]);
    let out = env.cmd(&["index"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (name, reason) in [
        ("image.txt", "binary"),
        ("corrupt.pdf", "PDF"),
        ("corrupt.docx", "zip"),
        ("scan.pdf", "no text layer"),
        ("no-text.html", "no text"),
    ] {
        assert!(
            stderr.lines().any(|l| l.contains(name) && l.contains(reason)),
            "{name}: {reason} not in\n{stderr}"
        );
    }
    assert_eq!(env.docs(&["Turghundi"]), [("article.html".to_string(), 0)]);
}

#[test]
fn briefsignore_and_size_limit() {
    let env = TestEnv::new(&[
        (".briefsignore", "drafts/\n*.tmp.md\n!keep.tmp.md\n"),
        ("a.txt", "Rail note\n\nThe railway reached Herat.\n"),
        ("drafts/b.txt", "Draft\n\nThe railway draft.\n"),
        ("c.tmp.md", "The railway scratch note.\n"),
        ("keep.tmp.md", "The railway kept note.\n"),
        ("sub/.briefsignore", "*.html\n"),
        ("sub/page.html", "<p>The railway page.</p>"),
        ("sub/d.txt", "Sub note\n\nThe railway in a folder.\n"),
        ("big.txt", &format!("Big\n\nThe railway {}\n", "word ".repeat(400))),
    ]);
    let out = env.cmd(&["index", "--max-file-size", "1K"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("big.txt") && stderr.contains("size limit of 1024 bytes"),
        "{stderr}"
    );
    let mut docs: Vec<String> = env.docs(&["railway"]).into_iter().map(|d| d.0).collect();
    docs.sort();
    assert_eq!(docs, ["a.txt", "keep.tmp.md", "sub/d.txt"]);
    // With the default limit the big file is read.
    env.index_ok();
    assert!(env.docs(&["railway"]).iter().any(|d| d.0 == "big.txt"));
}

#[test]
fn strict_stops_at_the_first_broken_file_and_keeps_the_index() {
    let env = env_with(&["article.html"]);
    env.index_ok();
    // A broken file and a good one arrive together.
    std::fs::copy(fixture_path("corrupt.pdf"), env.corpus().join("corrupt.pdf")).unwrap();
    env.write(
        "new.txt",
        "Salang note\n\nThe Salang tunnel reopened to lorries on Monday.\n",
    );
    let out = env.cmd(&["index", "--strict"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--strict") && stderr.contains("corrupt.pdf"),
        "{stderr}"
    );
    // The index is as it was: the good new brief is not in it, the old one is.
    assert!(env.search(&["Salang"]).hits.is_empty());
    assert_eq!(env.docs(&["Turghundi"]), [("article.html".to_string(), 0)]);
    // Without --strict the same corpus is indexed, the broken file reported.
    let out = env.cmd(&["index"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.docs(&["Salang"]), [("new.txt".to_string(), 0)]);
}

#[test]
fn editing_one_jsonl_record_reindexes_that_record_only() {
    let record =
        |id: &str, text: &str| format!("{{\"id\": \"{id}\", \"title\": \"Note {id}\", \"body\": \"{text}\"}}\n");
    let feed = |b_text: &str| {
        record("a", "The Kabul river rose after the spring rain.")
            + &record("b", b_text)
            + &record("c", "Grain prices fell in Mazar-i-Sharif markets.")
    };
    let env = TestEnv::new(&[("feed.jsonl", &feed("Traders in Herat waited for the border to open."))]);
    env.index_ok();
    env.write(
        "feed.jsonl",
        &feed("Traders in Herat crossed at Islam Qala with saffron."),
    );
    let out = env.cmd(&["index", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["mode"], "incremental");
    assert_eq!(report["changed"], serde_json::json!(["feed.jsonl#b"]));
    assert_eq!(report["added"], serde_json::json!([]));
    assert_eq!(report["removed"], serde_json::json!([]));
    assert_eq!(report["unchanged"], 2);
    let hits = env.search(&["saffron"]).hits;
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].doc.as_str(), hits[0].id.as_deref()),
        ("feed.jsonl#b", Some("b"))
    );
    assert!(
        env.search(&["waited"]).hits.is_empty(),
        "the old text of the record is gone"
    );
    // The incremental index answers as a full build of the same file.
    let incremental = env.search(&["Herat", "--any"]);
    env.cmd(&["index", "--rebuild", "--quiet"]).assert().success();
    assert_eq!(env.search(&["Herat", "--any"]), incremental);
}
