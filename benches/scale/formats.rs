//! The same briefs written in every format `briefs` reads, to measure what
//! each reader costs in a whole `briefs index` run.
//!
//! Each generated text brief is read with the library's own text reader
//! (title, date, author, blocks) and written again as Markdown with YAML
//! front matter, a saved web page (navigation, cookie banner and comments
//! around the article, metadata in `<meta>` tags), a DOCX and an ODT
//! document, a PDF (Helvetica, wrapped lines, several pages), records of a
//! JSON Lines export (1000 per file), and as Windows-1252 and UTF-16 text.
//! The words are the same in every folder, so the difference in build time
//! is the reader's.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use briefs::corpus::{read_bytes, BlockKind, Brief, Format};

/// A folder of the same briefs in one format.
pub struct FormatCorpus {
    pub name: &'static str,
    pub dir: PathBuf,
    pub bytes: u64,
}

/// Writes briefs in one format into a folder.
type Writer = fn(&[Brief], &Path);

/// Writes the first `n` text briefs of `corpus` (in path order) in every
/// format under `out`, one folder per format.
pub fn write_all(corpus: &Path, out: &Path, n: usize) -> Vec<FormatCorpus> {
    let briefs = read_text_briefs(corpus, n);
    let writers: [(&'static str, Writer); 9] = [
        ("txt", write_text),
        ("windows-1252", write_windows_1252),
        ("utf-16", write_utf16),
        ("md", write_markdown),
        ("html", write_html),
        ("jsonl", write_jsonl),
        ("docx", write_docx),
        ("odt", write_odt),
        ("pdf", write_pdf),
    ];
    writers
        .into_iter()
        .map(|(name, write)| {
            let dir = out.join(name);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create a format folder");
            write(&briefs, &dir);
            let bytes = crate::measure::dir_size(&dir);
            FormatCorpus { name, dir, bytes }
        })
        .collect()
}

fn read_text_briefs(corpus: &Path, n: usize) -> Vec<Brief> {
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    paths.truncate(n);
    paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).expect("read a generated brief");
            let key = path.to_string_lossy();
            let mut read = read_bytes(Format::Text, &key, &bytes).expect("generated briefs are valid text");
            read.briefs.remove(0).brief
        })
        .collect()
}

fn file_name(i: usize, extension: &str) -> String {
    format!("brief-{i:06}.{extension}")
}

/// Paragraphs of the body as (is heading, text).
fn paragraphs(brief: &Brief) -> impl Iterator<Item = (bool, &str)> {
    brief
        .blocks
        .iter()
        .map(|b| (matches!(b.kind, BlockKind::Heading), b.text.as_str()))
}

/// The brief as the text format writes it: headline, date marker, author, paragraphs.
fn as_text(brief: &Brief) -> String {
    let mut s = format!("{}\n\n", brief.title);
    if let Some(date) = brief.date {
        let _ = writeln!(s, "date {date}\n");
    }
    if let Some(author) = &brief.author {
        let _ = writeln!(s, "Author: {author}\n");
    }
    for (_, text) in paragraphs(brief) {
        let _ = writeln!(s, "{text}\n");
    }
    s
}

fn write_text(briefs: &[Brief], dir: &Path) {
    for (i, brief) in briefs.iter().enumerate() {
        std::fs::write(dir.join(file_name(i, "txt")), as_text(brief)).expect("write txt");
    }
}

fn write_windows_1252(briefs: &[Brief], dir: &Path) {
    for (i, brief) in briefs.iter().enumerate() {
        let text = as_text(brief);
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        std::fs::write(dir.join(file_name(i, "txt")), bytes).expect("write windows-1252");
    }
}

fn write_utf16(briefs: &[Brief], dir: &Path) {
    for (i, brief) in briefs.iter().enumerate() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(as_text(brief).encode_utf16().flat_map(u16::to_le_bytes));
        std::fs::write(dir.join(file_name(i, "txt")), bytes).expect("write utf-16");
    }
}

fn yaml_quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn write_markdown(briefs: &[Brief], dir: &Path) {
    for (i, brief) in briefs.iter().enumerate() {
        let mut s = format!("---\ntitle: {}\n", yaml_quoted(&brief.title));
        if let Some(date) = brief.date {
            let _ = writeln!(s, "date: {date}");
        }
        if let Some(author) = &brief.author {
            let _ = writeln!(s, "author: {}", yaml_quoted(author));
        }
        let _ = write!(s, "tags: [wire]\n---\n\n# {}\n\n", brief.title);
        for (heading, text) in paragraphs(brief) {
            let _ = writeln!(s, "{}{text}\n", if heading { "## " } else { "" });
        }
        std::fs::write(dir.join(file_name(i, "md")), s).expect("write md");
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn write_html(briefs: &[Brief], dir: &Path) {
    for (i, brief) in briefs.iter().enumerate() {
        let title = html_escape(&brief.title);
        let mut s = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>{title} | Regional Desk</title>\
             <meta property=\"og:title\" content=\"{title}\">"
        );
        if let Some(date) = brief.date {
            let _ = write!(
                s,
                "<meta property=\"article:published_time\" content=\"{date}T08:00:00Z\">"
            );
        }
        if let Some(author) = &brief.author {
            let _ = write!(s, "<meta name=\"author\" content=\"{}\">", html_escape(author));
        }
        s.push_str(
            "<script>window.dataLayer = [];</script></head><body>\
             <nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/region\">Region</a></li>\
             <li><a href=\"/opinion\">Opinion</a></li><li><a href=\"/about\">About us</a></li></ul></nav>\
             <div class=\"cookie-banner\">We use cookies to improve your experience. <button>Accept</button></div>\
             <main><article>",
        );
        let _ = write!(s, "<h1>{title}</h1>");
        for (heading, text) in paragraphs(brief) {
            let tag = if heading { "h2" } else { "p" };
            let _ = writeln!(s, "<{tag}>{}</{tag}>", html_escape(text));
        }
        s.push_str(
            "<div class=\"share\"><a href=\"#\">Share</a> <a href=\"#\">Tweet</a></div></article>\
             <section class=\"comments\"><h3>Comments</h3><p>First! Great piece.</p></section></main>\
             <footer><p>Copyright Regional Desk. All rights reserved.</p></footer></body></html>\n",
        );
        std::fs::write(dir.join(file_name(i, "html")), s).expect("write html");
    }
}

fn write_jsonl(briefs: &[Brief], dir: &Path) {
    for (file, chunk) in briefs.chunks(1000).enumerate() {
        let mut s = String::new();
        for (i, brief) in chunk.iter().enumerate() {
            let body: Vec<&str> = paragraphs(brief).map(|(_, t)| t).collect();
            let record = serde_json::json!({
                "id": format!("r{}", file * 1000 + i),
                "title": brief.title,
                "date": brief.date.map(|d| d.to_string()),
                "author": brief.author,
                "body": body.join("\n\n"),
            });
            s.push_str(&record.to_string());
            s.push('\n');
        }
        std::fs::write(dir.join(file_name(file, "jsonl")), s).expect("write jsonl");
    }
}

fn xml_escape(s: &str) -> String {
    html_escape(s)
}

fn zip_file(path: &Path, parts: &[(&str, String)]) {
    let file = std::fs::File::create(path).expect("create a zip");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(*name, options).expect("start a zip part");
        zip.write_all(content.as_bytes()).expect("write a zip part");
    }
    zip.finish().expect("finish a zip");
}

fn write_docx(briefs: &[Brief], dir: &Path) {
    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    for (i, brief) in briefs.iter().enumerate() {
        let mut body = String::new();
        let _ = write!(
            body,
            "<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t>{}</w:t></w:r></w:p>",
            xml_escape(&brief.title)
        );
        if let Some(date) = brief.date {
            let _ = write!(body, "<w:p><w:r><w:t>date {date}</w:t></w:r></w:p>");
        }
        for (heading, text) in paragraphs(brief) {
            let style = if heading {
                "<w:pPr><w:pStyle w:val=\"Heading2\"/></w:pPr>"
            } else {
                ""
            };
            let _ = write!(
                body,
                "<w:p>{style}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                xml_escape(text)
            );
        }
        let document = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"{W}\"><w:body>{body}</w:body></w:document>");
        let core = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><cp:coreProperties \
             xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>",
            xml_escape(&brief.title),
            xml_escape(brief.author.as_deref().unwrap_or("")),
        );
        let types = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                     <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                     <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
        zip_file(
            &dir.join(file_name(i, "docx")),
            &[
                ("[Content_Types].xml", types.to_string()),
                ("word/document.xml", document),
                ("docProps/core.xml", core),
            ],
        );
    }
}

fn write_odt(briefs: &[Brief], dir: &Path) {
    for (i, brief) in briefs.iter().enumerate() {
        let mut body = format!(
            "<text:p text:style-name=\"Title\">{}</text:p>",
            xml_escape(&brief.title)
        );
        if let Some(date) = brief.date {
            let _ = write!(body, "<text:p>date {date}</text:p>");
        }
        for (heading, text) in paragraphs(brief) {
            if heading {
                let _ = write!(body, "<text:h text:outline-level=\"2\">{}</text:h>", xml_escape(text));
            } else {
                let _ = write!(body, "<text:p>{}</text:p>", xml_escape(text));
            }
        }
        let content = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content \
             xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
             xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:text>{body}</office:text></office:body></office:document-content>"
        );
        let meta = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-meta \
             xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\">\
             <office:meta><dc:title>{}</dc:title><dc:creator>{}</dc:creator></office:meta></office:document-meta>",
            xml_escape(&brief.title),
            xml_escape(brief.author.as_deref().unwrap_or("")),
        );
        zip_file(
            &dir.join(file_name(i, "odt")),
            &[
                ("mimetype", "application/vnd.oasis.opendocument.text".to_string()),
                ("content.xml", content),
                ("meta.xml", meta),
            ],
        );
    }
}

/// Words wrapped into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("lines is never empty");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// A string as a PDF literal: Latin-1 bytes (WinAnsi covers them), other
/// characters as `?`, parentheses and backslashes escaped.
fn pdf_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('(');
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x80 => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            _ => out.push('?'),
        }
    }
    out.push(')');
    out
}

/// A PDF of the brief: a 16 pt title, 10 pt body lines 12 pt apart, an
/// empty line between paragraphs, 60 lines to an A4 page.
fn pdf_bytes(brief: &Brief) -> Vec<u8> {
    const LINES_PER_PAGE: usize = 60;
    let mut lines: Vec<(f64, String)> = vec![(16.0, brief.title.clone()), (10.0, String::new())];
    if let Some(date) = brief.date {
        lines.push((10.0, format!("date {date}")));
        lines.push((10.0, String::new()));
    }
    for (heading, text) in paragraphs(brief) {
        let size = if heading { 13.0 } else { 10.0 };
        lines.extend(wrap(text, 95).into_iter().map(|l| (size, l)));
        lines.push((10.0, String::new()));
    }
    let pages: Vec<&[(f64, String)]> = lines.chunks(LINES_PER_PAGE).collect();
    // Objects: 1 catalog, 2 pages, 3 font, 4 info, then per page a page and its content.
    let mut objects: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..pages.len()).map(|p| format!("{} 0 R", 5 + 2 * p)).collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into());
    objects.push(format!(
        "<< /Title {} /Author {} >>",
        pdf_literal(&brief.title),
        pdf_literal(brief.author.as_deref().unwrap_or(""))
    ));
    for (p, page) in pages.iter().enumerate() {
        let mut content = String::from("BT\n");
        let mut y = 800.0;
        for (size, text) in page.iter() {
            y -= size * 1.2;
            if !text.is_empty() {
                let _ = writeln!(content, "/F1 {size} Tf 1 0 0 1 56 {y:.1} Tm {} Tj", pdf_literal(text));
            }
        }
        content.push_str("ET\n");
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            6 + 2 * p
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        let _ = write!(out, "{} 0 obj\n{object}\nendobj\n", i + 1);
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(out, "{offset:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out
}

fn write_pdf(briefs: &[Brief], dir: &Path) {
    for (i, brief) in briefs.iter().enumerate() {
        std::fs::write(dir.join(file_name(i, "pdf")), pdf_bytes(brief)).expect("write pdf");
    }
}
