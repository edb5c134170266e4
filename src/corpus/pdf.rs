//! Reading a PDF report: the text layer, rebuilt into lines, paragraphs
//! and headings from where the characters sit on each page.
//!
//! `pdf-extract` (over `lopdf`, both pure Rust) decodes fonts and gives each
//! character with its position and size; it was preferred to `lopdf`'s own
//! `extract_text`, which gives the text of each drawing operation without
//! positions or sizes, so that paragraphs, headings, running headers and
//! page numbers cannot be told apart (compared on our fixtures with
//! `examples/read_speed.rs --compare-pdf`). From the
//! positions: characters on one baseline make a line, a vertical gap wider
//! than the page's usual line spacing (or a change of font size, or a short
//! line ending a sentence) ends a paragraph, and lines set larger than the
//! body text are headings. Page numbers, and running headers and footers
//! (the same words at the same place on at least half of the pages), are
//! dropped; words hyphenated across lines are joined. Every
//! block carries its page, and its "line" is the line on that page, so a hit
//! can be cited as `report.pdf#page=3`.
//!
//! `pdf-extract` is known to panic on some fonts: the whole reading runs
//! under `catch_unwind`, so a panic is this file's error, never the end of
//! the run. A PDF with no text at all (a scan) is an error saying so.

use std::cell::Cell;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::content::Content;
use pdf_extract::{Dictionary, Document, MediaBox, Object, ObjectId, OutputDev, OutputError, Transform};

use super::text::{parse_date_value, parse_lines, SourceLine};
use super::{Brief, FormatError};

/// Reads a PDF; `path` is only carried into the result.
pub fn read_pdf(path: &str, bytes: &[u8]) -> Result<Brief, FormatError> {
    let extracted = quietly(|| catch_unwind(AssertUnwindSafe(|| extract(bytes))));
    let (info, pages, warnings) = match extracted {
        Ok(result) => result?,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".into());
            return Err(FormatError::Broken(format!(
                "the PDF text extractor failed on this file ({message})"
            )));
        }
    };
    if pages.iter().all(|p| p.iter().all(|g| g.text.trim().is_empty())) {
        return Err(FormatError::Broken(format!(
            "no text layer in {} page(s): the PDF holds only images (a scan?); run OCR on it to index it",
            pages.len()
        )));
    }
    let mut brief = Brief::new(path);
    brief.warnings = warnings;
    if let Some(title) = info.title.filter(|t| !is_junk_title(t)) {
        brief.title = title;
    }
    brief.author = info.author;
    let lines = layout(&pages);
    let title = brief.title.to_lowercase();
    let lines: Vec<SourceLine> = lines
        .into_iter()
        .filter(|l| title.is_empty() || l.heading.is_none() || l.text.to_lowercase() != title)
        .collect();
    parse_lines(&mut brief, &lines);
    // The creation date is when the file was made: a date in the text wins.
    if brief.date.is_none() {
        brief.date = info.date.as_deref().and_then(parse_date_value);
    }
    Ok(brief)
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with panic messages of this thread kept off stderr: a caught
/// panic in the extractor is reported as the file's error instead.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = f();
    QUIET.with(|q| q.set(false));
    result
}

/// The document information dictionary's title, author and creation date.
#[derive(Debug, Default)]
struct Info {
    title: Option<String>,
    author: Option<String>,
    date: Option<String>,
}

/// A character placed on a page: `y` grows downwards from the top.
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

type Extracted = (Info, Vec<Vec<Glyph>>, Vec<String>);

fn extract(bytes: &[u8]) -> Result<Extracted, FormatError> {
    let mut doc = Document::load_mem(bytes).map_err(|e| FormatError::Broken(format!("not a readable PDF: {e}")))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(FormatError::Broken("the PDF is encrypted with a password".into()));
    }
    check_drawings(&doc)?;
    let info = read_info(&doc);
    let page_numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    if page_numbers.is_empty() {
        return Err(FormatError::Broken("the PDF has no pages".into()));
    }
    let mut pages = Vec::new();
    let mut warnings = Vec::new();
    let mut failed = 0;
    for number in page_numbers {
        let mut collector = Collector::default();
        if let Err(e) = pdf_extract::output_doc_page(&doc, &mut collector, number) {
            warnings.push(format!("page {number} could not be read ({e}); left out"));
            failed += 1;
        }
        pages.push(collector.glyphs);
    }
    if failed == pages.len() {
        return Err(FormatError::Broken(format!(
            "no page could be read ({})",
            warnings.first().map_or("", String::as_str)
        )));
    }
    Ok((info, pages, warnings))
}

/// Form drawings (XObjects) drawn inside one another, at most: the
/// extractor follows them by recursion, without a limit of its own.
const MAX_DRAWING_DEPTH: usize = 32;
/// Drawings the extractor may be led into for one page, counting repeats.
const MAX_DRAWINGS_PER_PAGE: u64 = 100_000;

/// Refuses a PDF whose drawings call themselves (the extractor would
/// recurse until the stack overflows, which aborts the process and cannot
/// be caught) or fan out into more drawings than a document has.
fn check_drawings(doc: &Document) -> Result<(), FormatError> {
    let mut memo = HashMap::new();
    for (number, page_id) in doc.get_pages() {
        let Ok((own, inherited)) = doc.get_page_resources(page_id) else {
            continue;
        };
        let resources = own.or_else(|| inherited.first().and_then(|id| doc.get_dictionary(*id).ok()));
        let Some(resources) = resources else { continue };
        let mut total = 0u64;
        for id in xobject_refs(doc, resources).into_values() {
            let mut path = Vec::new();
            let count = drawing_count(doc, id, resources, &mut path, &mut memo)
                .map_err(|why| FormatError::Broken(format!("page {number}: {why}; not read")))?;
            total = total.saturating_add(count);
        }
        if total > MAX_DRAWINGS_PER_PAGE {
            return Err(FormatError::Broken(format!(
                "page {number} draws more than {MAX_DRAWINGS_PER_PAGE} nested drawings; not read"
            )));
        }
    }
    Ok(())
}

/// The XObjects a resource dictionary names, by name, as object ids.
fn xobject_refs(doc: &Document, resources: &Dictionary) -> HashMap<Vec<u8>, ObjectId> {
    let Ok(xobjects) = resources.get(b"XObject").and_then(|o| doc.dereference(o)) else {
        return HashMap::new();
    };
    let Ok(xobjects) = xobjects.1.as_dict() else {
        return HashMap::new();
    };
    xobjects
        .iter()
        .filter_map(|(name, o)| o.as_reference().ok().map(|id| (name.clone(), id)))
        .collect()
}

/// How many drawings drawing `id` leads the extractor into, itself
/// included; an error for a loop or nesting deeper than the limit.
fn drawing_count(
    doc: &Document,
    id: ObjectId,
    parent: &Dictionary,
    path: &mut Vec<ObjectId>,
    memo: &mut HashMap<(ObjectId, usize), u64>,
) -> Result<u64, String> {
    let key = (id, parent as *const Dictionary as usize);
    if let Some(&count) = memo.get(&key) {
        return Ok(count);
    }
    if path.contains(&id) {
        return Err(format!("drawing {} {} draws itself (a loop)", id.0, id.1));
    }
    if path.len() >= MAX_DRAWING_DEPTH {
        return Err(format!("drawings nested more than {MAX_DRAWING_DEPTH} deep"));
    }
    let Ok(Object::Stream(stream)) = doc.get_object(id) else {
        return Ok(1);
    };
    let resources = stream
        .dict
        .get(b"Resources")
        .and_then(|o| doc.dereference(o))
        .ok()
        .and_then(|(_, o)| o.as_dict().ok())
        .unwrap_or(parent);
    let content = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
    let Ok(content) = Content::decode(&content) else {
        return Ok(1);
    };
    let names = xobject_refs(doc, resources);
    path.push(id);
    let mut count = 1u64;
    for op in content.operations.iter().filter(|op| op.operator == "Do") {
        let Some(child) = op
            .operands
            .first()
            .and_then(|o| o.as_name().ok())
            .and_then(|n| names.get(n))
        else {
            continue;
        };
        let child_count = drawing_count(doc, *child, resources, path, memo)?;
        count = count.saturating_add(child_count);
        if count > MAX_DRAWINGS_PER_PAGE {
            break;
        }
    }
    path.pop();
    memo.insert(key, count);
    Ok(count)
}

fn read_info(doc: &Document) -> Info {
    let dict = doc.trailer.get(b"Info").ok().and_then(|o| match o {
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    });
    let Some(dict) = dict else {
        return Info::default();
    };
    let text = |key: &[u8]| match dict.get(key).ok()? {
        Object::String(bytes, _) => {
            let s = pdf_text_string(bytes);
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            (!s.is_empty()).then_some(s)
        }
        _ => None,
    };
    Info {
        title: text(b"Title"),
        author: text(b"Author"),
        date: text(b"CreationDate"),
    }
}

/// A PDF text string: UTF-16BE with a byte-order mark, UTF-8 with one, or
/// PDFDocEncoding (taken as Latin-1, which it matches for letters).
fn pdf_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

/// Titles that writing tools put in by themselves.
fn is_junk_title(title: &str) -> bool {
    let lower = title.to_lowercase();
    lower.starts_with("microsoft word")
        || lower == "untitled"
        || lower.ends_with(".docx")
        || lower.ends_with(".doc")
        || lower.ends_with(".pdf")
        || lower.ends_with(".odt")
}

/// Collects the characters of one page as the extractor draws them.
#[derive(Default)]
struct Collector {
    /// The page's height: PDF `y` grows upwards, ours downwards.
    height: f64,
    glyphs: Vec<Glyph>,
}

/// Characters kept from one page: a page that draws more is hostile.
const MAX_GLYPHS_PER_PAGE: usize = 1_000_000;

impl OutputDev for Collector {
    fn begin_page(&mut self, _: u32, media_box: &MediaBox, _: Option<(f64, f64, f64, f64)>) -> Result<(), OutputError> {
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        if self.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
            return Ok(());
        }
        // The font size through the text matrix: the side of the square
        // with the area of the transformed (size x size) box.
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt();
        let (x, y) = (trm.m31, self.height - trm.m32);
        if !(x.is_finite() && y.is_finite() && size.is_finite()) {
            return Ok(());
        }
        self.glyphs.push(Glyph {
            x,
            y,
            end: x + width * size,
            size,
            text: text.to_string(),
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A line of text on a page.
#[derive(Debug, Clone)]
struct Line {
    /// 1-based line on its page.
    number: u32,
    y: f64,
    x0: f64,
    x1: f64,
    size: f64,
    text: String,
}

/// Characters to lines: a character that sits on the current line's
/// baseline (vertical overlap) and does not jump back left continues it;
/// a gap wider than a fraction of the font size is a space.
fn page_lines(glyphs: &[Glyph]) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for g in glyphs {
        let continues = lines.last().is_some_and(|l| {
            let tolerance = l.size.max(g.size) * 0.6;
            (g.y - l.y).abs() <= tolerance && g.x >= l.x1 - l.size.max(g.size) * 0.5
        });
        if continues {
            if let Some(l) = lines.last_mut() {
                if g.x > l.x1 + g.size.max(1.0) * 0.15 && !l.text.ends_with(' ') && !g.text.starts_with(' ') {
                    l.text.push(' ');
                }
                l.text.push_str(&g.text);
                l.x1 = l.x1.max(g.end);
                if g.text.trim().chars().count() > 0 && g.size > l.size {
                    l.size = g.size;
                }
            }
        } else {
            if lines.last().is_some_and(|l| l.text.trim().is_empty()) {
                lines.pop();
            }
            lines.push(Line {
                number: lines.len() as u32 + 1,
                y: g.y,
                x0: g.x,
                x1: g.end,
                size: g.size,
                text: g.text.clone(),
            });
        }
    }
    lines.retain(|l| !l.text.trim().is_empty());
    for (i, l) in lines.iter_mut().enumerate() {
        l.number = i as u32 + 1;
        l.text = l.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    lines
}

/// A page number alone: `7`, `- 7 -`, `Page 7`, `7 of 12`, `vii`.
fn is_page_number(text: &str) -> bool {
    let lower = text.to_lowercase();
    let bare = lower.trim_matches(|c: char| c == '-' || c == '–' || c.is_whitespace());
    let bare = bare.strip_prefix("page").unwrap_or(bare).trim();
    let digits_only = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if digits_only(bare) {
        return true;
    }
    if let Some((a, b)) = bare.split_once(" of ").or_else(|| bare.split_once('/')) {
        return digits_only(a.trim()) && digits_only(b.trim());
    }
    bare.len() <= 6 && !bare.is_empty() && bare.chars().all(|c| "ivxlc".contains(c))
}

/// A line's text with its digits masked, and its height on the page: a
/// running header or footer recurs at the same place with the same words.
fn running_key(line: &Line) -> String {
    let masked: String = line
        .text
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    format!("{masked}@{}", (line.y / 4.0).round())
}

/// Lines of all pages to source lines: page furniture dropped, paragraphs
/// separated by empty lines, headings marked.
fn layout(pages: &[Vec<Glyph>]) -> Vec<SourceLine> {
    let pages: Vec<Vec<Line>> = pages.iter().map(|g| page_lines(g)).collect();

    // Running headers and footers: the first or last two lines of a page
    // that recur (digits aside) on at least half of the pages, when there are several.
    let mut edge_counts: HashMap<String, usize> = HashMap::new();
    for page in &pages {
        let n = page.len();
        let mut seen = std::collections::HashSet::new();
        for (i, l) in page.iter().enumerate() {
            if (i < 2 || i + 2 >= n) && seen.insert(running_key(l)) {
                *edge_counts.entry(running_key(l)).or_default() += 1;
            }
        }
    }
    let running = |line: &Line| {
        pages.len() >= 2
            && edge_counts
                .get(&running_key(line))
                .is_some_and(|&c| c >= 2 && c * 2 >= pages.len())
    };

    // The body text size: the size most characters are set in.
    let mut sizes: HashMap<i64, usize> = HashMap::new();
    for l in pages.iter().flatten() {
        *sizes.entry((l.size * 2.0).round() as i64).or_default() += l.text.len();
    }
    let body_size = sizes
        .into_iter()
        .max_by_key(|&(size, count)| (count, -size))
        .map_or(10.0, |(size, _)| size as f64 / 2.0)
        .max(1.0);

    let mut out = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        let page_number = index as u32 + 1;
        let edge = |i: usize| i < 2 || i + 2 >= page.len();
        let kept: Vec<&Line> = page
            .iter()
            .enumerate()
            .filter(|(i, l)| !(edge(*i) && (is_page_number(&l.text) || running(l))))
            .map(|(_, l)| l)
            .collect();
        // The usual distance between two lines of body text on this page.
        let mut gaps: Vec<f64> = kept
            .windows(2)
            .map(|w| w[1].y - w[0].y)
            .filter(|&d| d > 0.0 && d < body_size * 3.0)
            .collect();
        gaps.sort_by(f64::total_cmp);
        let spacing = gaps.get(gaps.len() / 2).copied().unwrap_or(body_size * 1.2);
        let width =
            kept.iter().map(|l| l.x1).fold(f64::MIN, f64::max) - kept.iter().map(|l| l.x0).fold(f64::MAX, f64::min);

        let mut block: Vec<&Line> = Vec::new();
        for (i, line) in kept.iter().enumerate() {
            if let Some(prev) = i.checked_sub(1).map(|p| kept[p]) {
                let gap = line.y - prev.y;
                let size_change = (line.size - prev.size).abs() > body_size * 0.1;
                let short_end =
                    prev.x1 - prev.x0 < width * 0.75 && prev.text.ends_with(['.', '!', '?', ':', '"', '\u{201d}']);
                // Lines set larger than the body (a title on two lines) are further apart.
                let usual = spacing.max(prev.size.max(line.size) * 1.25);
                if gap > usual * 1.35 || gap <= 0.0 || size_change || short_end {
                    flush_block(&mut out, &mut block, body_size, page_number);
                }
            }
            block.push(line);
        }
        flush_block(&mut out, &mut block, body_size, page_number);
    }
    out
}

/// Writes one paragraph or heading; lines of a word hyphenated at the line
/// end are joined.
fn flush_block(out: &mut Vec<SourceLine>, block: &mut Vec<&Line>, body_size: f64, page: u32) {
    if block.is_empty() {
        return;
    }
    let size = block.iter().map(|l| l.size).fold(0.0, f64::max);
    let words: usize = block.iter().map(|l| l.text.split_whitespace().count()).sum();
    let heading = (size >= body_size * 1.15 && words <= 25).then_some(if size >= body_size * 1.5 { 1 } else { 2 });
    let mut lines: Vec<SourceLine> = Vec::new();
    for l in block.drain(..) {
        let joins = lines
            .last()
            .is_some_and(|last: &SourceLine| heading.is_some() || ends_with_hyphen_break(&last.text, &l.text));
        match lines.last_mut() {
            Some(last) if joins => {
                if !ends_with_hyphen_break(&last.text, &l.text) {
                    last.text.push(' ');
                } else if !keeps_hyphen(&last.text, &l.text) {
                    last.text.pop();
                }
                last.text.push_str(&l.text);
            }
            _ => lines.push(SourceLine {
                number: l.number,
                text: l.text.clone(),
                heading,
                page: Some(page),
            }),
        }
    }
    out.extend(lines);
    out.push(SourceLine {
        number: 0,
        text: String::new(),
        heading: None,
        page: Some(page),
    });
}

/// `govern-` then `ment`: a word broken at the line end (a soft hyphen, or
/// a hyphen after a lower-case word before a lower-case letter). A name
/// (`Mazar-` `i-Sharif`, `Pakistan-` `linked`) or a compound whose next
/// part has a hyphen of its own keeps its hyphen: see [`keeps_hyphen`].
fn ends_with_hyphen_break(line: &str, next: &str) -> bool {
    let mut rev = line.chars().rev();
    let hyphen = rev.next();
    let before = rev.next();
    let after = next.chars().next();
    match hyphen {
        Some('\u{ad}') => true,
        Some('-') => before.is_some_and(char::is_alphabetic) && after.is_some_and(char::is_lowercase),
        _ => false,
    }
}

/// True when a word broken after a hyphen is a hyphenated word, whose
/// hyphen stays: its first part is capitalised or its next part holds a
/// hyphen too.
fn keeps_hyphen(line: &str, next: &str) -> bool {
    if line.ends_with('\u{ad}') {
        return false;
    }
    let word = line.trim_end_matches('-').rsplit(' ').next().unwrap_or("");
    let next_word = next.split(' ').next().unwrap_or("");
    word.chars().next().is_some_and(char::is_uppercase) || next_word.contains('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(line: &str, x: f64, y: f64, size: f64) -> Vec<Glyph> {
        line.chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                x: x + i as f64 * size * 0.5,
                y,
                end: x + (i + 1) as f64 * size * 0.5,
                size,
                text: c.to_string(),
            })
            .collect()
    }

    #[test]
    fn layout_rebuilds_paragraphs_and_headings() {
        let mut page = Vec::new();
        page.extend(glyphs("Border Report", 50.0, 50.0, 20.0));
        page.extend(glyphs(
            "Trucks waited for two days at the crossing while",
            50.0,
            90.0,
            10.0,
        ));
        page.extend(glyphs(
            "customs officers checked every load of govern-",
            50.0,
            102.0,
            10.0,
        ));
        page.extend(glyphs("ment grain.", 50.0, 114.0, 10.0));
        page.extend(glyphs(
            "A second paragraph starts after a gap here and",
            50.0,
            140.0,
            10.0,
        ));
        page.extend(glyphs("ends.", 50.0, 152.0, 10.0));
        page.extend(glyphs("3", 300.0, 800.0, 10.0));
        let lines = layout(&[page]);
        let texts: Vec<(&str, Option<u8>, u32)> = lines
            .iter()
            .filter(|l| !l.text.is_empty())
            .map(|l| (l.text.as_str(), l.heading, l.number))
            .collect();
        assert_eq!(
            texts,
            [
                ("Border Report", Some(1), 1),
                ("Trucks waited for two days at the crossing while", None, 2),
                ("customs officers checked every load of government grain.", None, 3),
                ("A second paragraph starts after a gap here and", None, 5),
                ("ends.", None, 6),
            ]
        );
    }

    #[test]
    fn hyphens_of_names_and_compounds_stay() {
        assert!(ends_with_hyphen_break("of govern-", "ment grain"));
        assert!(!keeps_hyphen("of govern-", "ment grain"));
        assert!(keeps_hyphen("to Mazar-", "i-Sharif today"));
        assert!(keeps_hyphen("a well-", "to-do family"));
        assert!(!ends_with_hyphen_break("in 2021-", "22 the"));
    }

    /// A one-page PDF whose page draws form `X1`, which draws itself.
    fn self_drawing_pdf() -> Vec<u8> {
        use pdf_extract::Stream;
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let form_id = doc.new_object_id();
        let mut xobjects = Dictionary::new();
        xobjects.set("X1", Object::Reference(form_id));
        let mut resources = Dictionary::new();
        resources.set("XObject", Object::Dictionary(xobjects));
        let mut form = Dictionary::new();
        form.set("Type", Object::Name(b"XObject".to_vec()));
        form.set("Subtype", Object::Name(b"Form".to_vec()));
        form.set("Resources", Object::Dictionary(resources.clone()));
        doc.objects
            .insert(form_id, Object::Stream(Stream::new(form, b"/X1 Do".to_vec())));
        let content_id = doc.add_object(Stream::new(Dictionary::new(), b"/X1 Do".to_vec()));
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference(pages_id));
        page.set("Contents", Object::Reference(content_id));
        page.set("Resources", Object::Dictionary(resources));
        let media_box = [0, 0, 595, 842].iter().map(|&n| Object::Integer(n)).collect();
        page.set("MediaBox", Object::Array(media_box));
        let page_id = doc.add_object(page);
        let mut pages = Dictionary::new();
        pages.set("Type", Object::Name(b"Pages".to_vec()));
        pages.set("Kids", Object::Array(vec![Object::Reference(page_id)]));
        pages.set("Count", Object::Integer(1));
        doc.objects.insert(pages_id, Object::Dictionary(pages));
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(pages_id));
        let catalog_id = doc.add_object(catalog);
        doc.trailer.set("Root", Object::Reference(catalog_id));
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        bytes
    }

    /// Without the check the extractor recursed until the stack overflowed,
    /// which aborts the whole process.
    #[test]
    fn a_drawing_that_draws_itself_is_an_error_not_a_stack_overflow() {
        let e = read_pdf("loop.pdf", &self_drawing_pdf()).unwrap_err();
        assert!(e.to_string().contains("draws itself"), "{e}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_pdf(
            "x.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
        )
        .is_err());
        assert!(read_pdf("x.pdf", b"").is_err());
    }
}
