//! Reading a JSON Lines export (`.jsonl`, `.ndjson`): one brief per record.
//!
//! Feed readers, scrapers and retrieval collections (BEIR's `corpus.jsonl`)
//! ship thousands of briefs in one file. Each record is an object with
//! `title`, `body` (or `text`, `content`), `date`, `author`, `source`, `url`
//! and `id` (or BEIR's `_id`); the brief's key is `FILE#ID`, so that the
//! same record keeps its identity when others are added, removed or
//! reordered, and its hash covers only the record's own bytes, so that
//! editing one record re-indexes only that one. A line that does not parse
//! is a problem naming its line; the other records are read.

use serde_json::{Map, Value};

use super::text::{parse_date_value, parse_lines, SourceLine};
use super::{encoding, Brief, FormatError, ReadFile, SourceBrief};

/// Longest line quoted in a problem.
const QUOTE_CHARS: usize = 60;

/// Reads a JSON Lines file; `key` is the file's key.
pub fn read_jsonl(key: &str, bytes: &[u8]) -> Result<ReadFile, FormatError> {
    // JSON is UTF-8, but an export saved by a Windows tool may be UTF-16.
    let decoded;
    let bytes = match encoding_rs::Encoding::for_bom(bytes) {
        Some((enc, _)) if enc != encoding_rs::UTF_8 => {
            decoded = encoding::decode(bytes)?.text;
            decoded.as_bytes()
        }
        Some((_, bom)) => &bytes[bom..],
        None => {
            if let Some(what) = encoding::binary_signature(bytes) {
                return Err(encoding::EncodingError::Binary(what.to_string()).into());
            }
            bytes
        }
    };
    let mut read = ReadFile {
        briefs: Vec::new(),
        problems: Vec::new(),
    };
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = match parse_record(raw) {
            Ok(record) => record,
            Err(reason) => {
                read.problems.push(format!("line {number}: {reason}; record not read"));
                continue;
            }
        };
        let id = record_id(&record);
        let local = id.clone().unwrap_or_else(|| format!("line-{number}"));
        if let Some(first) = seen.insert(local.clone(), number) {
            read.problems.push(format!(
                "line {number}: id {local:?} is already used at line {first}; record not read"
            ));
            seen.insert(local, first);
            continue;
        }
        let brief_key = format!("{key}#{local}");
        match record_brief(&brief_key, &record, number as u32) {
            Ok(brief) => read.briefs.push(SourceBrief {
                key: brief_key,
                id,
                hash: blake3::hash(raw),
                brief,
            }),
            Err(reason) => read.problems.push(format!("line {number}: {reason}; record not read")),
        }
    }
    if read.briefs.is_empty() && !read.problems.is_empty() {
        let first = read.problems.remove(0);
        let more = read.problems.len();
        let reason = if more > 0 {
            format!("no record could be read ({first}, and {more} more)")
        } else {
            format!("no record could be read ({first})")
        };
        return Err(FormatError::Broken(reason));
    }
    Ok(read)
}

/// Parses one line into a JSON object.
fn parse_record(raw: &[u8]) -> Result<Map<String, Value>, String> {
    let text = std::str::from_utf8(raw).map_err(|e| format!("not valid UTF-8 at byte {}", e.valid_up_to()))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("not a JSON object".to_string()),
        Err(e) => {
            let quoted: String = text.chars().take(QUOTE_CHARS).collect();
            let ellipsis = if quoted.len() < text.len() { "..." } else { "" };
            Err(format!("not valid JSON ({e}) in {quoted:?}{ellipsis}"))
        }
    }
}

/// The record's `id` or `_id`, a string or a number.
fn record_id(record: &Map<String, Value>) -> Option<String> {
    ["id", "_id", "doc_id", "docid"]
        .iter()
        .find_map(|k| match record.get(*k)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

/// A field as text: a string, a number, or a list of strings joined.
fn field(record: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|k| {
        let text = match record.get(*k)? {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Array(items) => items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.trim()),
                    Value::Object(o) => o.get("name").and_then(Value::as_str),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(o) => o.get("name").and_then(Value::as_str)?.trim().to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    })
}

/// Builds the brief of one record; every block cites the record's line.
fn record_brief(key: &str, record: &Map<String, Value>, line: u32) -> Result<Brief, String> {
    let body = field(record, &["body", "text", "content", "contents", "article"])
        .ok_or("no `body` or `text` field with text")?;
    let mut brief = Brief::new(key);
    if let Some(title) = field(record, &["title", "headline"]) {
        brief.title = title;
    }
    if let Some(date) = field(
        record,
        &["date", "published", "published_at", "datePublished", "pubDate"],
    ) {
        brief.date = parse_date_value(&date);
        if brief.date.is_none() {
            brief.warnings.push(format!(
                "line {line}: date {date:?} is not a date; the date is taken from the text"
            ));
        }
    }
    brief.author = field(record, &["author", "authors", "byline"]);
    brief.source = field(record, &["source", "publisher", "site", "feed"]);
    brief.url = field(record, &["url", "link"]);
    let lines: Vec<SourceLine> = body.lines().map(|l| SourceLine::text(line, l.trim())).collect();
    parse_lines(&mut brief, &lines);
    Ok(brief)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_bad_lines_and_duplicates() {
        let file = b"{\"_id\": \"a1\", \"title\": \"Dam Talks\", \"text\": \"Envoys met at the dam.\"}\n\
            {not json}\n\
            \n\
            {\"id\": 7, \"body\": \"Second.\\n\\nThird paragraph.\", \"date\": \"2024-02-03T08:00:00Z\"}\n\
            {\"_id\": \"a1\", \"text\": \"dup\"}\n\
            {\"title\": \"no body\"}\n";
        let read = read_jsonl("c.jsonl", file).unwrap();
        let keys: Vec<&str> = read.briefs.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys, ["c.jsonl#a1", "c.jsonl#7"]);
        assert_eq!(read.briefs[1].id.as_deref(), Some("7"));
        assert_eq!(read.briefs[1].brief.blocks.len(), 2);
        assert_eq!(read.briefs[1].brief.blocks[1].first_line(), 4);
        assert_eq!(read.problems.len(), 3, "{:?}", read.problems);
        assert!(read.problems[0].starts_with("line 2: not valid JSON"));
        assert!(read.problems[1].contains("line 5") && read.problems[1].contains("already used at line 1"));
        assert!(read.problems[2].contains("line 6: no `body`"));
    }

    #[test]
    fn nothing_readable_is_an_error() {
        assert!(read_jsonl("x.jsonl", b"garbage\n[1,2]\n").is_err());
        assert!(read_jsonl("x.jsonl", b"").unwrap().briefs.is_empty());
    }
}
