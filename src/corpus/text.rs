//! Reading a plain-text or Markdown brief into metadata and body blocks.
//!
//! Briefs come from many sources and carry a lot that is not content: photo
//! credits, `Advertisement` lines, donation appeals, publication lines. This
//! module decides what is metadata, what is boilerplate and what is body, and
//! keeps the line numbers of every body block so a passage can be cited back
//! to its file.

use jiff::civil::Date;

use super::{Block, BlockKind, Brief};

/// Longest first line, in words, that still reads as a headline.
const MAX_HEADLINE_WORDS: usize = 25;
/// Longest line, in words, that reads as a subheading.
const MAX_HEADING_WORDS: usize = 12;
/// Words kept when a title has to be made from the first sentence.
const TITLE_FROM_SENTENCE_WORDS: usize = 12;

struct Line<'a> {
    number: u32,
    text: &'a str,
}

/// One line of a brief as a format reader hands it over: its text with the
/// format's syntax already taken out, its place, and whether the format
/// itself marks it as a heading. An empty line ends a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceLine {
    /// 1-based line in the file (HTML, Markdown, JSON Lines), paragraph
    /// number (DOCX, ODT) or line within the page (PDF).
    pub number: u32,
    pub text: String,
    /// `Some(level)` when the format marks the line as a heading (`#`,
    /// `<h2>`, a Word heading style); plain lines may still read as one.
    pub heading: Option<u8>,
    pub page: Option<u32>,
}

impl SourceLine {
    pub fn text(number: u32, text: impl Into<String>) -> SourceLine {
        SourceLine {
            number,
            text: text.into(),
            heading: None,
            page: None,
        }
    }

    pub fn blank(number: u32) -> SourceLine {
        SourceLine::text(number, "")
    }
}

/// Parses the text of one brief. `path` is only carried into the result.
pub fn parse_brief(path: &str, text: &str) -> Brief {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| Line {
            number: i as u32 + 1,
            text: l.trim(),
        })
        .collect();

    let mut brief = Brief::new(path);
    let body_start = parse_front_matter(&lines, &mut brief);
    let source_lines: Vec<SourceLine> = lines[body_start..]
        .iter()
        .map(|line| match markdown_heading(line.text) {
            Some(heading) => SourceLine {
                number: line.number,
                text: heading.to_string(),
                heading: Some(2),
                page: None,
            },
            None => SourceLine::text(line.number, line.text),
        })
        .collect();
    parse_lines(&mut brief, &source_lines);
    brief
}

/// A paragraph being gathered: its lines, whether the format marks it as
/// a heading, and its page.
struct RawBlock {
    lines: Vec<(u32, String)>,
    heading: bool,
    page: Option<u32>,
}

/// Reads a brief's body from its lines: metadata lines (`By ...`, `Source:`,
/// `date ...`) go to the brief, boilerplate goes, the first line becomes the
/// title when it reads as a headline (and no title is known yet), lines are
/// grouped into paragraphs at empty lines, headings and page changes; then
/// the title and date are taken from the text when nothing gave them.
/// Used by every format reader, so that all formats share the same rules.
pub(crate) fn parse_lines(brief: &mut Brief, lines: &[SourceLine]) {
    let mut title_line_seen = !brief.title.is_empty();

    // Group lines into raw paragraphs, taking metadata and boilerplate lines out.
    let mut paragraphs: Vec<RawBlock> = Vec::new();
    let mut current: Vec<(u32, String)> = Vec::new();
    let mut current_page: Option<u32> = None;
    for line in lines {
        if line.page != current_page {
            flush(&mut paragraphs, &mut current, current_page);
            current_page = line.page;
        }
        let mut content = line.text.trim().to_string();
        if content.is_empty() {
            flush(&mut paragraphs, &mut current, current_page);
            continue;
        }
        if let Some((date, rest)) = take_date_marker(&content) {
            if brief.date.is_none() {
                brief.date = Some(date);
            }
            content = rest;
        }
        if let Some(rest) = strip_prefix_ci(&content, "Related Posts") {
            content = rest.trim().to_string();
        }
        if content.is_empty() || is_boilerplate_line(&content) {
            if let Some(source) = publication_line_source(&content) {
                brief.source.get_or_insert(source);
            }
            flush(&mut paragraphs, &mut current, current_page);
            continue;
        }
        if let Some(author) = author_line(&content) {
            brief.author.get_or_insert(author);
            flush(&mut paragraphs, &mut current, current_page);
            continue;
        }
        if let Some(source) = strip_prefix_ci(&content, "Source:") {
            brief.source.get_or_insert(source.trim().to_string());
            flush(&mut paragraphs, &mut current, current_page);
            continue;
        }
        if !title_line_seen {
            title_line_seen = true;
            let headline = content.strip_prefix("# ").unwrap_or(&content).trim();
            let minor_heading = line.heading.is_some_and(|level| level > 1);
            if line.heading == Some(1) || (!minor_heading && reads_as_headline(headline, MAX_HEADLINE_WORDS)) {
                brief.title = headline.to_string();
                continue;
            }
        }
        if line.heading.is_some() {
            flush(&mut paragraphs, &mut current, current_page);
            paragraphs.push(RawBlock {
                lines: vec![(line.number, content)],
                heading: true,
                page: current_page,
            });
            continue;
        }
        current.push((line.number, content));
    }
    flush(&mut paragraphs, &mut current, current_page);

    let paragraphs: Vec<RawBlock> = paragraphs
        .into_iter()
        .filter(|p| !is_donation_appeal(&p.lines.iter().map(|l| l.1.as_str()).collect::<Vec<_>>().join(" ")))
        .collect();
    let count = paragraphs.len();
    for (i, para) in paragraphs.into_iter().enumerate() {
        let mut text = String::new();
        let mut line_starts = Vec::new();
        for (number, line) in &para.lines {
            if !text.is_empty() {
                text.push(' ');
            }
            line_starts.push((text.len(), *number));
            text.push_str(line);
        }
        let is_last = i + 1 == count;
        let kind = if para.heading || (para.lines.len() == 1 && !is_last && reads_as_heading(&text)) {
            BlockKind::Heading
        } else {
            BlockKind::Paragraph
        };
        brief.blocks.push(Block {
            kind,
            text,
            line_starts,
            page: para.page,
        });
    }

    if brief.title.is_empty() {
        brief.title = brief
            .blocks
            .iter()
            .find(|b| b.kind == BlockKind::Paragraph)
            .map(|b| title_from_sentence(&b.text))
            .unwrap_or_else(|| brief.path.clone());
    }
    if brief.date.is_none() {
        brief.date = brief
            .blocks
            .iter()
            .find(|b| b.kind == BlockKind::Paragraph)
            .and_then(|b| first_explicit_date(&b.text));
    }
}

fn flush(paragraphs: &mut Vec<RawBlock>, current: &mut Vec<(u32, String)>, page: Option<u32>) {
    if !current.is_empty() {
        paragraphs.push(RawBlock {
            lines: std::mem::take(current),
            heading: false,
            page,
        });
    }
}

/// Where `needle` (ASCII) first occurs in `text`, ignoring ASCII case.
fn find_ascii_ci(text: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    text.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// Reads YAML-style front matter (`---` ... `---`) with `title`, `date`,
/// `author` and `source` keys; returns the index of the first body line.
/// What it cannot read is said in the brief's warnings, not ignored.
fn parse_front_matter(lines: &[Line], brief: &mut Brief) -> usize {
    const MAX_FRONT_MATTER_LINES: usize = 60;
    let Some(first) = lines.iter().position(|l| !l.text.is_empty()) else {
        return 0;
    };
    if lines[first].text != "---" {
        return 0;
    }
    let closing = lines[first + 1..]
        .iter()
        .take(MAX_FRONT_MATTER_LINES)
        .position(|l| l.text == "---");
    let Some(end) = closing else {
        brief.warnings.push(format!(
            "front matter opened with `---` at line {} is not closed within {MAX_FRONT_MATTER_LINES} lines; \
             its lines are read as body text",
            lines[first].number
        ));
        return 0;
    };
    let end = first + 1 + end;
    for line in &lines[first + 1..end] {
        if line.text.is_empty() || line.text.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.text.split_once(':') else {
            brief.warnings.push(format!(
                "front matter line {} is not `key: value`; ignored",
                line.number
            ));
            continue;
        };
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        if value.is_empty() {
            continue;
        }
        match key.trim().to_ascii_lowercase().as_str() {
            "title" => brief.title = value.to_string(),
            "date" => {
                brief.date = parse_iso_date(value.get(..10).unwrap_or(value));
                if brief.date.is_none() {
                    brief.warnings.push(format!(
                        "front matter line {}: date {value:?} is not YYYY-MM-DD; the date is taken from the text",
                        line.number
                    ));
                }
            }
            "author" | "authors" | "by" => brief.author = Some(value.to_string()),
            "source" | "publisher" | "publication" => brief.source = Some(value.to_string()),
            _ => {}
        }
    }
    end + 1
}

/// A date written as a metadata value: `2024-11-02`, `2024-11-02T10:00:00Z`,
/// `D:20241102...` (PDF), or spelled out (`November 2, 2024`, `Sat, 02 Nov 2024 ...`).
pub(crate) fn parse_date_value(value: &str) -> Option<Date> {
    let value = value.trim();
    let value = value.strip_prefix("D:").unwrap_or(value);
    if let Some(date) = value.get(..10).and_then(parse_iso_date) {
        return Some(date);
    }
    let digits = value.get(..8).filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
    if let Some(d) = digits {
        if let (Ok(y), Ok(m), Ok(day)) = (d[..4].parse(), d[4..6].parse(), d[6..8].parse()) {
            if let Ok(date) = Date::new(y, m, day) {
                return Some(date);
            }
        }
    }
    first_explicit_date(value)
}

fn parse_iso_date(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '-');
    let year: i16 = parts.next()?.parse().ok()?;
    let month: i8 = parts.next()?.parse().ok()?;
    let day: i8 = parts.next()?.get(..2)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

/// Finds a `date YYYY-MM-DD` marker in a line; returns the date and the line without it.
fn take_date_marker(line: &str) -> Option<(Date, String)> {
    // Most lines have no marker: find out without allocating.
    find_ascii_ci(line, "date ")?;
    let lower = line.to_ascii_lowercase();
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find("date ") {
        let at = search_from + found;
        let at_word_start = at == 0 || !lower[..at].ends_with(|c: char| c.is_alphanumeric());
        let value_start = at + "date ".len();
        if at_word_start {
            if let Some(candidate) = line.get(value_start..value_start + 10) {
                if let Some(date) = parse_iso_date(candidate) {
                    let rest = format!("{} {}", line[..at].trim(), line[value_start + 10..].trim());
                    return Some((date, rest.trim().to_string()));
                }
            }
        }
        search_from = value_start;
    }
    None
}

/// Lines that are never content, whole.
fn is_boilerplate_line(line: &str) -> bool {
    let bare = line.trim_matches(|c: char| !c.is_alphanumeric());
    const WHOLE: &[&str] = &[
        "advertisement",
        "advertisements",
        "sponsored",
        "related posts",
        "related",
        "related articles",
        "also read",
        "read more",
        "share this",
        "share",
        "subscribe",
        "donate now",
        "support us",
        "click here",
    ];
    if WHOLE.iter().any(|w| w.eq_ignore_ascii_case(bare)) {
        return true;
    }
    const CREDIT_MARKS: &[&str] = &["(credits:", "(credit:", "(photo:", "(image:", "(source: "];
    if line.contains('(') && CREDIT_MARKS.iter().any(|m| find_ascii_ci(line, m).is_some()) {
        return true;
    }
    const CREDIT_STARTS: &[&str] = &[
        "photo:",
        "photo credit",
        "photos:",
        "image:",
        "image credit",
        "file photo",
        "credits:",
        "credit:",
        "picture:",
        "featured image",
    ];
    if CREDIT_STARTS.iter().any(|m| strip_prefix_ci(line, m).is_some()) {
        return true;
    }
    publication_line_source(line).is_some()
}

/// A publication line such as `Persian Files ISSN 2975-0598 Volume 5 Issue 1`:
/// boilerplate, but the text before `ISSN` names the source.
fn publication_line_source(line: &str) -> Option<String> {
    let at = line.find("ISSN ")?;
    let code = line.get(at + 5..at + 14)?;
    let bytes = code.as_bytes();
    let looks_like_issn = bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..8].iter().all(u8::is_ascii_digit)
        && (bytes[8].is_ascii_digit() || bytes[8] == b'X');
    if !looks_like_issn {
        return None;
    }
    Some(line[..at].trim().to_string()).filter(|s| !s.is_empty())
}

/// Longest paragraph, in words, that can be a donation appeal: appeals are
/// a few sentences, and a long paragraph that mentions money is news.
const MAX_APPEAL_WORDS: usize = 80;

/// A closing appeal for money is not content. It asks the reader directly:
/// a `DONATE` button, or a word that asks for money together with one that
/// addresses the reader and one that makes it an appeal. News about money
/// ("Qatar donated $50m to support flood relief") has none of these cues
/// together and stays.
fn is_donation_appeal(paragraph: &str) -> bool {
    // Every word that asks for money holds one of these stems: a paragraph
    // without any (nearly all of them) is no appeal, found in one pass.
    static ASK_STEMS: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> = std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["donat", "contribution", "subscri", "patreon", "membership", "gift"])
            .ok()
    });
    if ASK_STEMS.as_ref().is_some_and(|stems| !stems.is_match(paragraph)) {
        return false;
    }
    let words: Vec<&str> = paragraph
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .take(MAX_APPEAL_WORDS + 1)
        .collect();
    if words.len() > MAX_APPEAL_WORDS {
        return false;
    }
    if words.contains(&"DONATE") {
        return true;
    }
    // The cue words are ASCII: compare without lower-casing every word.
    let has = |set: &[&str]| words.iter().any(|w| set.iter().any(|s| s.eq_ignore_ascii_case(w)));
    const ASKS: &[&str] = &[
        "donate",
        "donation",
        "donations",
        "contribution",
        "contributions",
        "subscribe",
        "subscription",
        "patreon",
        "membership",
        "gift",
    ];
    // "us" and "our" also occur in news ("the US", "help us rebuild", a
    // quoted official): they address the reader only beside the outlet's own work.
    const READER: &[&str] = &["you", "your", "readers"];
    const WE: &[&str] = &["us", "our", "we"];
    const OWN_WORK: &[&str] = &["journalism", "reporting", "newsroom", "correspondents", "coverage"];
    const APPEAL: &[&str] = &[
        "please",
        "consider",
        "support",
        "help",
        "keep",
        "today",
        "now",
        "independent",
    ];
    // The rarest cue first: most paragraphs ask for nothing.
    has(ASKS) && has(APPEAL) && (has(READER) || (has(WE) && has(OWN_WORK)))
}

/// `Author: Name` or `By Name` lines.
fn author_line(line: &str) -> Option<String> {
    for prefix in ["Author:", "Authors:", "Written by", "By "] {
        if let Some(rest) = strip_prefix_ci(line, prefix) {
            let name = rest.trim().trim_end_matches('.').trim();
            let words = name.split_whitespace().count();
            let capitalised = name.chars().next().is_some_and(char::is_uppercase);
            if prefix == "By " && (!capitalised || words > 6 || name.contains(',') && words > 4) {
                return None;
            }
            if !name.is_empty() && words <= 10 {
                return Some(name.to_string());
            }
        }
    }
    None
}

fn markdown_heading(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if (2..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
        return Some(line[hashes..].trim());
    }
    None
}

fn ends_like_sentence(text: &str) -> bool {
    text.ends_with([
        '.', '!', '?', ':', ';', ',', '"', '\u{201d}', '\u{2019}', ')', '\u{2026}',
    ])
}

fn reads_as_headline(text: &str, max_words: usize) -> bool {
    let words = text.split_whitespace().count();
    let starts_well = text
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric() || !c.is_ascii());
    starts_well
        && (1..=max_words).contains(&words)
        && !text.ends_with('.')
        && !text.contains('@')
        && !text.starts_with(['\u{2014}', '\u{2013}', '-'])
}

/// A short line with no closing punctuation, before a paragraph: a subheading.
fn reads_as_heading(text: &str) -> bool {
    !ends_like_sentence(text) && reads_as_headline(text, MAX_HEADING_WORDS) && text.split_whitespace().count() >= 2
}

fn title_from_sentence(text: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let sentence = text.split_sentence_bounds().next().unwrap_or(text).trim();
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() <= TITLE_FROM_SENTENCE_WORDS {
        return sentence.trim_end_matches('.').to_string();
    }
    let short = words[..TITLE_FROM_SENTENCE_WORDS].join(" ");
    format!("{}\u{2026}", short.trim_end_matches([',', ';', ':']))
}

const MONTHS: &[(&str, i8)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

fn month_number(word: &str) -> Option<i8> {
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    MONTHS.iter().find(|(name, _)| *name == word).map(|(_, n)| *n)
}

fn day_number(word: &str) -> Option<i8> {
    let digits = word
        .trim_end_matches([',', '.'])
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th");
    let day: i8 = digits.parse().ok()?;
    (1..=31).contains(&day).then_some(day)
}

fn year_number(word: &str) -> Option<i16> {
    let digits = word.trim_end_matches(|c: char| !c.is_ascii_digit());
    if digits.len() != 4 {
        return None;
    }
    let year: i16 = digits.parse().ok()?;
    (1900..=2100).contains(&year).then_some(year)
}

/// The first full date written out in `text`: "January 10th, 2022",
/// "10 January 2022", "Jan. 10, 2022" or "2022-01-10". A date without a year
/// (wire datelines such as "Jan 10") is not a date we can trust.
pub fn first_explicit_date(text: &str) -> Option<Date> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        if let Some(month) = month_number(word) {
            if let (Some(day), Some(year)) = (day_number(next(1)), year_number(next(2))) {
                if let Ok(date) = Date::new(year, month, day) {
                    return Some(date);
                }
            }
        }
        if let Some(day) = day_number(word) {
            if let (Some(month), Some(year)) = (month_number(next(1)), year_number(next(2))) {
                if let Ok(date) = Date::new(year, month, day) {
                    return Some(date);
                }
            }
        }
        if word.len() >= 10 {
            let trimmed = word.trim_matches(|c: char| !c.is_ascii_digit());
            if trimmed.len() == 10 {
                if let Some(date) = parse_iso_date(trimmed) {
                    return Some(date);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_prose() {
        let d = |y, m, d| Date::new(y, m, d).ok();
        assert_eq!(
            first_explicit_date("On January 10th, 2022, the minister"),
            d(2022, 1, 10)
        );
        assert_eq!(first_explicit_date("On 3 March 2023 talks"), d(2023, 3, 3));
        assert_eq!(first_explicit_date("(Sept. 21, 2021) Envoys"), d(2021, 9, 21));
        assert_eq!(first_explicit_date("KABUL, Jan 10 (Reuters) - talks"), None);
        assert_eq!(first_explicit_date("The 2021-08-15 fall"), d(2021, 8, 15));
        assert_eq!(first_explicit_date("May 2025 talks in 1999"), None);
    }

    #[test]
    fn date_marker_is_taken_out_of_the_line() {
        let (date, rest) = take_date_marker("date 2025-05-16 In a step, envoys met.").unwrap();
        assert_eq!(date, Date::new(2025, 5, 16).unwrap());
        assert_eq!(rest, "In a step, envoys met.");
        assert!(take_date_marker("update 2025-05-16").is_none());
    }

    #[test]
    fn publication_line() {
        assert_eq!(
            publication_line_source("Regional Files ISSN 1234-567X Volume 2 Issue 3").as_deref(),
            Some("Regional Files")
        );
        assert!(publication_line_source("ISSN is a code").is_none());
    }
}
