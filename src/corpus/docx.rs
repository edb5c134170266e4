//! Reading Word (`.docx`) and OpenDocument (`.odt`) documents.
//!
//! Both are zip archives of XML. The body comes from the document
//! structure, not from a text dump: each paragraph (`w:p`, `text:p`) is a
//! line, headings are the paragraphs styled as headings (`Heading1`,
//! `Title`, `text:h`), tables give one line per cell paragraph, and
//! deleted tracked changes, footnote marks and fields' instructions are
//! left out. Title and author come from the document's properties
//! (`docProps/core.xml`, `meta.xml`). A document has no lines: a block's
//! "line" is its paragraph number, from 1.
//!
//! Archives are read with limits (the size of one entry once inflated), so
//! a zip bomb is an error, not an exhausted machine.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::text::{parse_lines, SourceLine};
use super::{Brief, FormatError};

/// Largest XML part read from an archive, once inflated.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a `.docx` file; `path` is only carried into the result.
pub fn read_docx(path: &str, bytes: &[u8]) -> Result<Brief, FormatError> {
    let mut zip = open_archive(bytes, "DOCX")?;
    let document = read_part(&mut zip, "word/document.xml")?
        .ok_or_else(|| FormatError::Broken("no word/document.xml: not a Word document".into()))?;
    let lines = docx_paragraphs(&document)?;
    let mut brief = Brief::new(path);
    if let Some(core) = read_part(&mut zip, "docProps/core.xml")? {
        let props = properties(&core, &["title", "creator"]);
        brief.title = props[0].clone().unwrap_or_default();
        brief.author = props[1].clone();
    }
    finish(brief, lines, "DOCX")
}

/// Reads a `.odt` file; `path` is only carried into the result.
pub fn read_odt(path: &str, bytes: &[u8]) -> Result<Brief, FormatError> {
    let mut zip = open_archive(bytes, "ODT")?;
    let content = read_part(&mut zip, "content.xml")?
        .ok_or_else(|| FormatError::Broken("no content.xml: not an OpenDocument text".into()))?;
    let lines = odt_paragraphs(&content)?;
    let mut brief = Brief::new(path);
    if let Some(meta) = read_part(&mut zip, "meta.xml")? {
        let props = properties(&meta, &["title", "creator", "initial-creator"]);
        brief.title = props[0].clone().unwrap_or_default();
        brief.author = props[1].clone().or_else(|| props[2].clone());
    }
    finish(brief, lines, "ODT")
}

/// The title paragraph (a heading styled `Title`) is the title when the
/// properties give none, and is not body text either way.
fn finish(mut brief: Brief, mut lines: Vec<SourceLine>, format: &str) -> Result<Brief, FormatError> {
    if let Some(at) = lines.iter().position(|l| l.heading == Some(0)) {
        let title = lines.remove(at);
        if brief.title.is_empty() {
            brief.title = title.text;
        }
    }
    if brief.title.trim().is_empty() {
        brief.title.clear();
    }
    parse_lines(&mut brief, &lines);
    if brief.blocks.is_empty() {
        return Err(FormatError::Broken(format!("the {format} document holds no text")));
    }
    Ok(brief)
}

fn open_archive<'a>(bytes: &'a [u8], format: &str) -> Result<zip::ZipArchive<Cursor<&'a [u8]>>, FormatError> {
    zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| FormatError::Broken(format!("not a readable {format} (zip) archive: {e}")))
}

/// One XML part of the archive as text, `None` when it is not there.
fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<String>, FormatError> {
    let entry = match zip.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(FormatError::Broken(format!("{name}: {e}"))),
    };
    let mut bytes = Vec::new();
    entry
        .take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FormatError::Broken(format!("{name}: cannot inflate: {e}")))?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(FormatError::Broken(format!(
            "{name} inflates to more than {MAX_PART_BYTES} bytes; not read"
        )));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| FormatError::Broken(format!("{name}: not UTF-8 XML (byte {})", e.utf8_error().valid_up_to())))
}

/// The local part of an XML name (`w:p` -> `p`).
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn xml_error(part: &str, reader: &Reader<&[u8]>, e: impl std::fmt::Display) -> FormatError {
    FormatError::Broken(format!("{part}: broken XML at byte {}: {e}", reader.buffer_position()))
}

/// The value of attribute `name` (by local name) of an element.
fn attr(e: &quick_xml::events::BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == name)
        .map(|a| a.value.into_owned())
}

/// Text of an event, with XML entities resolved.
fn unescaped(t: &quick_xml::events::BytesText) -> String {
    t.xml10_content().into_owned()
}

/// A general or character reference (`&amp;`, `&#233;`) as text.
fn reference(r: &quick_xml::events::BytesRef) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    quick_xml::escape::resolve_predefined_entity(r)
        .map(str::to_string)
        .unwrap_or_default()
}

/// Heading level of a Word paragraph style: `Title` is 0, `Heading2` is 2.
fn docx_heading(style: &str) -> Option<u8> {
    let lower = style.to_ascii_lowercase();
    if lower == "title" {
        return Some(0);
    }
    let rest = lower.strip_prefix("heading")?.trim_start_matches([' ', '-', '_']);
    Some(rest.parse::<u8>().unwrap_or(1).clamp(1, 9))
}

/// The paragraphs of `word/document.xml`, each a line numbered by its
/// place in the document.
fn docx_paragraphs(xml: &str) -> Result<Vec<SourceLine>, FormatError> {
    let mut reader = Reader::from_str(xml);
    let mut lines = Vec::new();
    let mut paragraph = 0u32;
    let mut text = String::new();
    let mut heading = None;
    let mut in_text = false;
    // Depth inside elements whose text is not content (deleted text,
    // field instructions, footnote bodies referenced elsewhere).
    let mut skip = 0usize;
    let mut table = Table::default();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match local(e.name().as_ref()) {
                "tbl" => table.depth += 1,
                "p" => {
                    text.clear();
                    heading = None;
                }
                "t" => in_text = true,
                "del" | "instrText" | "delText" => skip += 1,
                _ => {}
            },
            Ok(Event::Empty(e)) => match local(e.name().as_ref()) {
                "pStyle" => heading = attr(&e, "val").and_then(|v| docx_heading(&v)),
                "tab" | "br" | "cr" if skip == 0 => text.push(' '),
                "p" => paragraph += 1,
                _ => {}
            },
            Ok(Event::End(e)) => match local(e.name().as_ref()) {
                "p" if table.depth > 0 => {
                    paragraph += 1;
                    table.paragraph(paragraph, &std::mem::take(&mut text));
                }
                "tc" => table.end_cell(),
                "tr" => table.end_row(&mut lines),
                "tbl" => table.end_table(&mut lines),
                "p" => {
                    paragraph += 1;
                    lines.push(SourceLine {
                        number: paragraph,
                        text: std::mem::take(&mut text),
                        heading,
                        page: None,
                    });
                    lines.push(SourceLine::blank(paragraph));
                }
                "t" => in_text = false,
                "del" | "instrText" | "delText" => skip = skip.saturating_sub(1),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text && skip == 0 => text.push_str(&unescaped(&t)),
            Ok(Event::GeneralRef(r)) if in_text && skip == 0 => text.push_str(&reference(&r)),
            Ok(Event::CData(t)) if in_text && skip == 0 => text.push_str(&t),
            Ok(Event::Eof) => break,
            Err(e) => return Err(xml_error("word/document.xml", &reader, e)),
            _ => {}
        }
    }
    Ok(lines)
}

/// A table being read: each row becomes one line (its cells joined by
/// `; `), and the whole table one paragraph.
#[derive(Default)]
struct Table {
    depth: usize,
    /// The first paragraph number of the row being read.
    row_start: Option<u32>,
    cell: String,
    row: Vec<String>,
}

impl Table {
    fn paragraph(&mut self, number: u32, text: &str) {
        self.row_start.get_or_insert(number);
        if !self.cell.is_empty() {
            self.cell.push(' ');
        }
        self.cell.push_str(text.trim());
    }

    fn end_cell(&mut self) {
        let cell = std::mem::take(&mut self.cell);
        if !cell.trim().is_empty() {
            self.row.push(cell.trim().to_string());
        }
    }

    fn end_row(&mut self, lines: &mut Vec<SourceLine>) {
        self.end_cell();
        if let Some(number) = self.row_start.take() {
            if !self.row.is_empty() {
                lines.push(SourceLine::text(number, self.row.join("; ")));
            }
        }
        self.row.clear();
    }

    fn end_table(&mut self, lines: &mut Vec<SourceLine>) {
        self.end_row(lines);
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 {
            lines.push(SourceLine::blank(0));
        }
    }
}

/// The paragraphs and headings of an ODT `content.xml`.
fn odt_paragraphs(xml: &str) -> Result<Vec<SourceLine>, FormatError> {
    let mut reader = Reader::from_str(xml);
    let mut lines = Vec::new();
    let mut paragraph = 0u32;
    // Open `text:p` / `text:h` elements: nested ones (a paragraph inside a
    // frame inside a paragraph) are flushed as their own lines.
    let mut open: Vec<(String, Option<u8>)> = Vec::new();
    let mut in_body = false;
    let mut skip = 0usize;
    let title_style = |style: Option<String>| style.is_some_and(|s| s.eq_ignore_ascii_case("Title"));
    let mut table = Table::default();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "table:table" => table.depth += 1,
            Ok(Event::End(e)) if e.name().as_ref() == "table:table" => table.end_table(&mut lines),
            Ok(Event::End(e)) if e.name().as_ref() == "table:table-cell" => table.end_cell(),
            Ok(Event::End(e)) if e.name().as_ref() == "table:table-row" => table.end_row(&mut lines),
            Ok(Event::Start(e)) => match local(e.name().as_ref()) {
                "text" if e.name().as_ref() == "office:text" => in_body = true,
                "p" | "h" if in_body => {
                    let heading = if local(e.name().as_ref()) == "h" {
                        Some(
                            attr(&e, "outline-level")
                                .and_then(|l| l.parse::<u8>().ok())
                                .unwrap_or(1)
                                .max(1),
                        )
                    } else if title_style(attr(&e, "style-name")) {
                        Some(0)
                    } else {
                        None
                    };
                    open.push((String::new(), heading));
                }
                "note" | "tracked-changes" | "annotation" => skip += 1,
                _ => {}
            },
            Ok(Event::Empty(e)) => match local(e.name().as_ref()) {
                "s" | "tab" | "line-break" if skip == 0 => {
                    if let Some((text, _)) = open.last_mut() {
                        let count = attr(&e, "c").and_then(|c| c.parse::<usize>().ok()).unwrap_or(1).min(8);
                        text.push_str(&" ".repeat(count));
                    }
                }
                "p" | "h" if in_body => paragraph += 1,
                _ => {}
            },
            Ok(Event::End(e)) => match local(e.name().as_ref()) {
                "text" if e.name().as_ref() == "office:text" => in_body = false,
                "p" | "h" if in_body => {
                    if let Some((text, heading)) = open.pop() {
                        paragraph += 1;
                        if table.depth > 0 {
                            table.paragraph(paragraph, &text);
                            continue;
                        }
                        lines.push(SourceLine {
                            number: paragraph,
                            text,
                            heading,
                            page: None,
                        });
                        lines.push(SourceLine::blank(paragraph));
                    }
                }
                "note" | "tracked-changes" | "annotation" => skip = skip.saturating_sub(1),
                _ => {}
            },
            Ok(Event::Text(t)) if skip == 0 => {
                if let Some((text, _)) = open.last_mut() {
                    text.push_str(&unescaped(&t));
                }
            }
            Ok(Event::GeneralRef(r)) if skip == 0 => {
                if let Some((text, _)) = open.last_mut() {
                    text.push_str(&reference(&r));
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(xml_error("content.xml", &reader, e)),
            _ => {}
        }
    }
    Ok(lines)
}

/// The text of the first element with each of `names` (local names) in a
/// properties part (`dc:title`, `dc:creator`, `meta:initial-creator`).
fn properties(xml: &str, names: &[&str]) -> Vec<Option<String>> {
    let mut found: Vec<Option<String>> = vec![None; names.len()];
    let mut reader = Reader::from_str(xml);
    let mut current: Option<usize> = None;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = local(e.name().as_ref()).to_string();
                current = names.iter().position(|n| *n == name);
                text.clear();
            }
            Ok(Event::Text(t)) if current.is_some() => text.push_str(&unescaped(&t)),
            Ok(Event::GeneralRef(r)) if current.is_some() => text.push_str(&reference(&r)),
            Ok(Event::End(_)) => {
                if let Some(i) = current.take() {
                    let value = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if found[i].is_none() && !value.is_empty() {
                        found[i] = Some(value);
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_styles_give_headings() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Grid Deal</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Ministers &amp; envoys </w:t></w:r><w:r><w:t>met.</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>Next</w:t></w:r></w:p>
<w:p><w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:r><w:t>Kept.</w:t></w:r></w:p>
</w:body></w:document>"#;
        let lines: Vec<(u32, String, Option<u8>)> = docx_paragraphs(xml)
            .unwrap()
            .into_iter()
            .filter(|l| !l.text.is_empty())
            .map(|l| (l.number, l.text, l.heading))
            .collect();
        assert_eq!(
            lines,
            [
                (1, "Grid Deal".to_string(), Some(0)),
                (2, "Ministers & envoys met.".to_string(), None),
                (3, "Next".to_string(), Some(2)),
                (4, "Kept.".to_string(), None),
            ]
        );
    }

    #[test]
    fn not_a_zip_is_an_error() {
        assert!(read_docx("x.docx", b"PK\x03\x04broken").is_err());
        assert!(read_odt("x.odt", b"hello").is_err());
    }
}
