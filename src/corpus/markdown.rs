//! Reading a Markdown brief: front matter (YAML between `---` lines or TOML
//! between `+++` lines) for the metadata and the facets the author declares,
//! and the body through a CommonMark parser (`pulldown-cmark`), so that
//! Markdown syntax is never indexed as words: no `##`, no `*emphasis*`
//! marks, no link targets, no image addresses, no raw HTML tags (the words
//! between the tags of raw HTML are kept, scripts and styles are not).
//!
//! The body is handed to the shared line rules of [`super::text`] as lines
//! that keep their line numbers in the file, so hits cite `note.md:12`.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::text::{parse_date_value, parse_lines, SourceLine};
use super::{Brief, Declared};

/// Longest front matter, in lines: a `---` further down is a rule in the text.
const MAX_FRONT_MATTER_LINES: usize = 200;

/// Parses a Markdown brief. `path` is only carried into the result.
pub fn parse_markdown(path: &str, text: &str) -> Brief {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut brief = Brief::new(path);
    let (body_start, first_line) = read_front_matter(text, &mut brief);
    let lines = body_lines(&text[body_start..], first_line);
    parse_lines(&mut brief, &lines);
    brief
}

/// Which language a front matter block is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrontMatter {
    Yaml,
    Toml,
}

/// Finds and reads front matter at the top of `text` (after blank lines);
/// returns the byte offset where the body starts and that line's number.
fn read_front_matter(text: &str, brief: &mut Brief) -> (usize, u32) {
    let mut offset = 0;
    let mut number = 1u32;
    let mut lines = text.split_inclusive('\n');
    let (kind, open_line) = loop {
        let Some(line) = lines.next() else {
            return (0, 1);
        };
        match line.trim() {
            "" => {
                offset += line.len();
                number += 1;
            }
            "---" => break (FrontMatter::Yaml, number),
            "+++" => break (FrontMatter::Toml, number),
            _ => return (0, 1),
        }
    };
    let content_start = offset + text[offset..].find('\n').map_or(text.len() - offset, |i| i + 1);
    let mut end = content_start;
    let mut line_number = open_line;
    for (count, line) in text[content_start..].split_inclusive('\n').enumerate() {
        line_number += 1;
        let closes = match kind {
            FrontMatter::Yaml => matches!(line.trim(), "---" | "..."),
            FrontMatter::Toml => line.trim() == "+++",
        };
        if closes {
            let source = &text[content_start..end];
            apply_front_matter(kind, source, open_line, brief);
            return (end + line.len(), line_number + 1);
        }
        if count >= MAX_FRONT_MATTER_LINES {
            break;
        }
        end += line.len();
    }
    let delimiter = if kind == FrontMatter::Yaml { "---" } else { "+++" };
    brief.warnings.push(format!(
        "front matter opened with `{delimiter}` at line {open_line} is not closed within \
         {MAX_FRONT_MATTER_LINES} lines; its lines are read as body text"
    ));
    (0, 1)
}

/// A front matter value, whichever language it came from.
enum Value {
    Text(String),
    List(Vec<Value>),
    Other,
}

impl Value {
    fn text(&self) -> Option<String> {
        match self {
            Value::Text(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().filter_map(Value::text).collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            }
            _ => None,
        }
    }

    /// The value as a list: a list's items, or a string cut at commas.
    fn list(&self) -> Vec<String> {
        match self {
            Value::Text(s) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            Value::List(items) => items.iter().flat_map(Value::list).collect(),
            Value::Other => Vec::new(),
        }
    }
}

fn from_yaml(value: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::String(s) => Value::Text(s),
        Y::Number(n) => Value::Text(n.to_string()),
        Y::Bool(b) => Value::Text(b.to_string()),
        Y::Sequence(items) => Value::List(items.into_iter().map(from_yaml).collect()),
        Y::Tagged(tagged) => from_yaml(tagged.value),
        Y::Null | Y::Mapping(_) => Value::Other,
    }
}

fn from_toml(value: toml::Value) -> Value {
    use toml::Value as T;
    match value {
        T::String(s) => Value::Text(s),
        T::Integer(n) => Value::Text(n.to_string()),
        T::Float(n) => Value::Text(n.to_string()),
        T::Boolean(b) => Value::Text(b.to_string()),
        T::Datetime(d) => Value::Text(d.to_string()),
        T::Array(items) => Value::List(items.into_iter().map(from_toml).collect()),
        T::Table(_) => Value::Other,
    }
}

/// Parses front matter and sets what it gives on the brief; front matter
/// that does not parse is a warning and gives nothing.
fn apply_front_matter(kind: FrontMatter, source: &str, open_line: u32, brief: &mut Brief) {
    let entries: Vec<(String, Value)> = match kind {
        FrontMatter::Yaml => match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(source) {
            Ok(serde_yaml_ng::Value::Mapping(map)) => map
                .into_iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), from_yaml(v))))
                .collect(),
            Ok(serde_yaml_ng::Value::Null) => Vec::new(),
            Ok(_) => {
                brief.warnings.push(format!(
                    "front matter at line {open_line} is not a list of `key: value` lines; ignored"
                ));
                return;
            }
            Err(e) => {
                brief.warnings.push(format!(
                    "front matter (YAML) at line {open_line} does not parse: {e}; ignored"
                ));
                return;
            }
        },
        FrontMatter::Toml => match source.parse::<toml::Table>() {
            Ok(table) => table.into_iter().map(|(k, v)| (k, from_toml(v))).collect(),
            Err(e) => {
                let reason = e.to_string().lines().next().unwrap_or_default().to_string();
                brief.warnings.push(format!(
                    "front matter (TOML) at line {open_line} does not parse: {reason}; ignored"
                ));
                return;
            }
        },
    };
    let mut declared = Declared::default();
    for (key, value) in entries {
        match key.to_ascii_lowercase().as_str() {
            "title" => {
                if let Some(title) = value.text() {
                    brief.title = title;
                }
            }
            "date" | "published" | "pubdate" | "published_at" => {
                if let Some(text) = value.text() {
                    brief.date = parse_date_value(&text);
                    if brief.date.is_none() {
                        brief.warnings.push(format!(
                            "front matter date {text:?} is not a date; the date is taken from the text"
                        ));
                    }
                }
            }
            "author" | "authors" | "by" => brief.author = value.text(),
            "source" | "publisher" | "publication" => brief.source = value.text(),
            "url" | "link" | "canonical" => brief.url = value.text(),
            "countries" | "country" => declared.countries.extend(value.list()),
            "actors" | "actor" | "people" | "organisations" | "organizations" => declared.actors.extend(value.list()),
            "tags" | "tag" | "keywords" | "categories" => declared.tags.extend(value.list()),
            _ => {}
        }
    }
    brief.declared = declared;
}

/// Renders the Markdown body as plain lines, each with its line number in
/// the file; blocks are separated by empty lines and headings marked.
fn body_lines(body: &str, first_line: u32) -> Vec<SourceLine> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| first_line + line_starts.partition_point(|&s| s <= offset).saturating_sub(1) as u32;

    let mut out = Lines::default();
    let mut skip_depth = 0usize;
    let mut in_raw_element = false;
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Image { .. }) => skip_depth += 1,
            Event::End(TagEnd::Image) => skip_depth = skip_depth.saturating_sub(1),
            _ if skip_depth > 0 => {}
            Event::Start(Tag::Heading { level, .. }) => {
                out.end_block();
                out.heading = Some(heading_level(level));
            }
            Event::End(TagEnd::Heading(_)) => {
                out.end_block();
                out.heading = None;
            }
            Event::Start(Tag::List(_) | Tag::Item | Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::Table(_))
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::List(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::Table
                | TagEnd::FootnoteDefinition
                | TagEnd::HtmlBlock,
            )
            | Event::Rule => out.end_block(),
            Event::End(TagEnd::TableCell) => out.push_separator("; "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => out.end_line(),
            Event::Text(text) | Event::Code(text) => {
                for (i, piece) in text.split('\n').enumerate() {
                    let offset = if text.len() == range.len() {
                        range.start + text.split('\n').take(i).map(|p| p.len() + 1).sum::<usize>()
                    } else {
                        range.start
                    };
                    if i > 0 {
                        out.end_line();
                    }
                    out.push(line_of(offset), piece);
                }
            }
            Event::SoftBreak | Event::HardBreak => out.end_line(),
            // Raw HTML: its tags are not text, the words between them are
            // (except inside scripts and styles).
            Event::Html(html) | Event::InlineHtml(html) => {
                let text = strip_tags(&html, &mut in_raw_element);
                if !text.trim().is_empty() {
                    out.push(line_of(range.start), &text);
                }
                // A line of an HTML block ends with its newline.
                if html.ends_with('\n') {
                    out.end_line();
                }
            }
            _ => {}
        }
    }
    out.end_block();
    out.lines
}

/// The text of a piece of HTML without its tags; `in_raw` carries over
/// whether we are inside a `<script>` or `<style>` element.
fn strip_tags(html: &str, in_raw: &mut bool) -> String {
    let mut text = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        if *in_raw {
            let lower = rest.to_ascii_lowercase();
            match lower.find("</script").or_else(|| lower.find("</style")) {
                Some(at) => {
                    *in_raw = false;
                    rest = &rest[at..];
                }
                None => break,
            }
        }
        match rest.find('<') {
            Some(open) => {
                text.push_str(&rest[..open]);
                let tag_end = rest[open..].find('>').map_or(rest.len(), |e| open + e + 1);
                let tag = rest[open..tag_end].to_ascii_lowercase();
                if tag.starts_with("<script") || tag.starts_with("<style") {
                    *in_raw = true;
                }
                rest = &rest[tag_end..];
            }
            None => {
                text.push_str(rest);
                break;
            }
        }
    }
    text.replace('\n', " ")
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Plain lines being built from parser events.
#[derive(Default)]
struct Lines {
    lines: Vec<SourceLine>,
    /// The line being filled: its number and text.
    current: Option<(u32, String)>,
    heading: Option<u8>,
}

impl Lines {
    fn push(&mut self, number: u32, text: &str) {
        if let Some((n, _)) = &self.current {
            if *n != number {
                self.end_line();
            }
        }
        let (_, line) = self.current.get_or_insert_with(|| (number, String::new()));
        line.push_str(text);
    }

    fn push_separator(&mut self, separator: &str) {
        if let Some((_, line)) = &mut self.current {
            line.push_str(separator);
        }
    }

    fn end_line(&mut self) {
        if let Some((number, text)) = self.current.take() {
            let text = text.trim().trim_end_matches(';').trim_end().to_string();
            if !text.is_empty() {
                self.lines.push(SourceLine {
                    number,
                    text,
                    heading: self.heading,
                    page: None,
                });
            }
        }
    }

    fn end_block(&mut self) {
        self.end_line();
        if self.lines.last().is_some_and(|l| !l.text.is_empty()) {
            self.lines.push(SourceLine::blank(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::BlockKind;

    #[test]
    fn markdown_syntax_is_not_text() {
        let brief = parse_markdown(
            "n.md",
            "# Rail Link Opens\n\nThe *new* line runs from [Termez](https://example.org/termez) \
             to **Mazar**.\n![a photo](pic.jpg)\n\n## Next steps\n\n- Tariffs are `pending`.\n- Freight starts soon.\n",
        );
        assert_eq!(brief.title, "Rail Link Opens");
        let texts: Vec<(&str, BlockKind, u32)> = brief
            .blocks
            .iter()
            .map(|b| (b.text.as_str(), b.kind, b.first_line()))
            .collect();
        assert_eq!(
            texts,
            [
                ("The new line runs from Termez to Mazar.", BlockKind::Paragraph, 3),
                ("Next steps", BlockKind::Heading, 6),
                ("Tariffs are pending.", BlockKind::Paragraph, 8),
                ("Freight starts soon.", BlockKind::Paragraph, 9),
            ]
        );
    }

    #[test]
    fn raw_html_gives_its_text_not_its_tags() {
        let brief = parse_markdown(
            "h.md",
            "Border Note\n\n<div class=\"box\">\n<p>Trucks <b>waited</b> at Torkham.</p>\n</div>\n\n<script>\nvar tracker = 1;\n</script>\n\nAfter the <em>rain</em> the road reopened.\n",
        );
        let texts: Vec<&str> = brief.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Trucks waited at Torkham.", "After the rain the road reopened."]
        );
    }

    #[test]
    fn yaml_and_toml_front_matter() {
        let yaml = parse_markdown(
            "y.md",
            "---\ntitle: Water Talks\ndate: 2024-03-05\nauthors: [A. Writer, B. Writer]\n\
             countries: [Iran, AF]\nactors: Taliban\ntags:\n  - water\n  - Helmand\n---\nThe Helmand flows.\n",
        );
        assert_eq!(yaml.title, "Water Talks");
        assert_eq!(yaml.date, jiff::civil::Date::new(2024, 3, 5).ok());
        assert_eq!(yaml.author.as_deref(), Some("A. Writer, B. Writer"));
        assert_eq!(yaml.declared.countries, ["Iran", "AF"]);
        assert_eq!(yaml.declared.actors, ["Taliban"]);
        assert_eq!(yaml.declared.tags, ["water", "Helmand"]);
        assert_eq!(yaml.blocks[0].first_line(), 11);

        let toml = parse_markdown(
            "t.md",
            "+++\ntitle = \"Water Talks\"\ndate = 2024-03-05\ncountries = [\"Iran\"]\n+++\n\nThe Helmand flows.\n",
        );
        assert_eq!(toml.title, "Water Talks");
        assert_eq!(toml.date, jiff::civil::Date::new(2024, 3, 5).ok());
        assert_eq!(toml.declared.countries, ["Iran"]);
        assert_eq!(toml.blocks[0].first_line(), 7);
    }

    #[test]
    fn broken_front_matter_is_a_warning() {
        let brief = parse_markdown("b.md", "---\ntitle: [unclosed\n---\nThe body stays.\n");
        assert!(brief.warnings[0].contains("does not parse"), "{:?}", brief.warnings);
        assert_eq!(brief.blocks[0].text, "The body stays.");
    }
}
