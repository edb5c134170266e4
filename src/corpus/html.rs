//! Reading a saved web page: the article, not the page around it.
//!
//! A saved news page is mostly navigation, share buttons, cookie banners,
//! related links and comments. The metadata comes from what publishers put
//! in the head for search engines and social networks: `og:title`,
//! `article:published_time`, `<meta name="author">`, JSON-LD (`headline`,
//! `datePublished`, `author`, `publisher`), `<link rel="canonical">`; then
//! `<title>`, `<h1>` and `<time datetime>`. The body is the main content
//! element (`itemprop="articleBody"`, else the `<article>` with the most
//! paragraph text, else `<main>`, else `<body>`) with every subtree that is
//! not content left out: scripts, styles, forms, `<nav>`, `<aside>`,
//! `<footer>`, `<figure>`, hidden elements, navigation and dialog roles, and
//! elements whose class or id names boilerplate (`share`, `comments`,
//! `cookie`, `newsletter`, `related`, ...). Paragraphs and headings come
//! from the block elements. Rules of our own over `html5ever` (through
//! `scraper`'s tree) were preferred to a readability port: they are a
//! screen of code, keep every paragraph of short briefs (readability
//! scores drop short texts) and let us record the source line of each
//! block, so hits cite `page.html:42`.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName};
use scraper::{ElementRef, Html, HtmlTreeSink, Node};
use serde_json::Value;

use super::text::{parse_date_value, parse_lines, SourceLine};
use super::{encoding, Brief, FormatError};

type NodeId = <HtmlTreeSink as TreeSink>::Handle;

/// Reads a saved HTML page; `path` is only carried into the result.
pub fn read_html(path: &str, bytes: &[u8]) -> Result<Brief, FormatError> {
    let decoded = decode_html(bytes)?;
    let (html, lines) = parse_with_lines(&decoded.text);
    let mut brief = Brief::new(path);
    brief.encoding = decoded.encoding.map(str::to_string);

    let meta = Meta::collect(&html);
    brief.title = meta.title().unwrap_or_default();
    brief.date = meta.date();
    brief.author = meta.author();
    brief.source = meta
        .first(&["og:site_name", "application-name"])
        .or(meta.ld_publisher.clone());
    brief.url = meta.canonical.clone().or_else(|| meta.first(&["og:url"]));

    let root = main_content(&html);
    let mut blocks = Blocks {
        lines: &lines,
        out: Vec::new(),
        current: None,
        heading: None,
    };
    if let Some(root) = root {
        blocks.walk(root, 0);
    }
    blocks.end_block();
    let mut out = blocks.out;
    // The page's own <h1> repeats the title: it is not body text.
    let title = normalise(&brief.title);
    out.retain(|l| !(l.heading == Some(1) && normalise(&l.text) == title));
    parse_lines(&mut brief, &out);
    if brief.blocks.is_empty() {
        return Err(FormatError::Broken("no text found in the page's main content".into()));
    }
    Ok(brief)
}

/// Decodes a page: a byte-order mark, else the `<meta charset>` it
/// declares, else UTF-8 or a detected legacy encoding.
fn decode_html(bytes: &[u8]) -> Result<encoding::Decoded, FormatError> {
    if encoding_rs::Encoding::for_bom(bytes).is_none() && encoding::binary_signature(bytes).is_none() {
        if let Some(declared) = declared_charset(bytes) {
            if declared != encoding_rs::UTF_8 && declared != encoding_rs::UTF_16LE && declared != encoding_rs::UTF_16BE
            {
                let (text, _) = declared.decode_without_bom_handling(bytes);
                return Ok(encoding::Decoded {
                    text: text.into_owned(),
                    encoding: Some(declared.name()),
                });
            }
        }
    }
    Ok(encoding::decode(bytes)?)
}

/// The encoding named by `charset=` in the first kilobytes of the page.
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let at = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let rest = &head[at..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':' || b == b'.'))
        .unwrap_or(rest.len());
    encoding_rs::Encoding::for_label(&rest[..end])
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Parses the page and records the source line of every element.
fn parse_with_lines(text: &str) -> (Html, HashMap<NodeId, u32>) {
    let sink = LineSink {
        inner: HtmlTreeSink::new(Html::new_document()),
        line: Cell::new(1),
        lines: RefCell::new(HashMap::new()),
    };
    html5ever::parse_document(sink, Default::default()).one(StrTendril::from(text))
}

/// `scraper`'s tree builder, plus the line each element starts on (which
/// the parser announces and `scraper` does not keep).
struct LineSink {
    inner: HtmlTreeSink,
    line: Cell<u64>,
    lines: RefCell<HashMap<NodeId, u32>>,
}

impl TreeSink for LineSink {
    type Handle = NodeId;
    type Output = (Html, HashMap<NodeId, u32>);
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Self::Output {
        (self.inner.finish(), self.lines.into_inner())
    }
    fn parse_error(&self, msg: std::borrow::Cow<'static, str>) {
        self.inner.parse_error(msg)
    }
    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        let id = self.inner.create_element(name, attrs, flags);
        let line = u32::try_from(self.line.get()).unwrap_or(u32::MAX);
        self.lines.borrow_mut().insert(id, line);
        id
    }
    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.inner.append(parent, child)
    }
    fn append_based_on_parent_node(&self, element: &NodeId, prev: &NodeId, child: NodeOrText<NodeId>) {
        self.inner.append_based_on_parent_node(element, prev, child)
    }
    fn append_doctype_to_document(&self, name: StrTendril, public_id: StrTendril, system_id: StrTendril) {
        self.inner.append_doctype_to_document(name, public_id, system_id)
    }
    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node)
    }
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.inner.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent)
    }
    fn set_current_line(&self, line_number: u64) {
        self.line.set(line_number);
    }
}

/// What the page says about itself, gathered in one pass.
#[derive(Default)]
struct Meta {
    /// `<meta>` values by lower-cased `property`, `name` or `itemprop`, first one kept.
    values: HashMap<String, String>,
    title_tag: Option<String>,
    h1: Option<String>,
    canonical: Option<String>,
    time: Option<String>,
    byline: Option<String>,
    ld_headline: Option<String>,
    ld_date: Option<String>,
    ld_author: Option<String>,
    ld_publisher: Option<String>,
}

impl Meta {
    fn collect(html: &Html) -> Meta {
        let mut meta = Meta::default();
        for element in html.root_element().descendants().filter_map(ElementRef::wrap) {
            let e = element.value();
            match e.name() {
                "meta" => {
                    let key = e.attr("property").or(e.attr("name")).or(e.attr("itemprop"));
                    if let (Some(key), Some(content)) = (key, e.attr("content")) {
                        let content = collapse(content);
                        if !content.is_empty() {
                            meta.values.entry(key.to_ascii_lowercase()).or_insert(content);
                        }
                    }
                }
                "title" if meta.title_tag.is_none() => meta.title_tag = non_empty(text_of(element)),
                "h1" if meta.h1.is_none() => meta.h1 = non_empty(text_of(element)),
                "link"
                    if meta.canonical.is_none()
                        && e.attr("rel").is_some_and(|r| r.eq_ignore_ascii_case("canonical")) =>
                {
                    meta.canonical = e.attr("href").map(str::trim).map(str::to_string);
                }
                "time" if meta.time.is_none() => meta.time = e.attr("datetime").map(str::to_string),
                "script"
                    if e.attr("type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) =>
                {
                    if let Ok(value) = serde_json::from_str::<Value>(&element.text().collect::<String>()) {
                        meta.read_json_ld(&value, 0);
                    }
                }
                _ => {}
            }
            if meta.byline.is_none() && (e.attr("rel") == Some("author") || has_word(e.attr("class"), &["byline"])) {
                meta.byline = non_empty(text_of(element));
            }
        }
        meta
    }

    /// Takes headline, date, author and publisher from the first article
    /// object of a JSON-LD block (which may be a list or an `@graph`).
    fn read_json_ld(&mut self, value: &Value, depth: usize) {
        if depth > 8 {
            return;
        }
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.read_json_ld(v, depth + 1)),
            Value::Object(map) => {
                if let Some(graph) = map.get("@graph") {
                    self.read_json_ld(graph, depth + 1);
                }
                let is_article = match map.get("@type") {
                    Some(Value::String(t)) => is_article_type(t),
                    Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is_article_type),
                    _ => false,
                };
                if !is_article {
                    return;
                }
                let text = |v: Option<&Value>| v.and_then(Value::as_str).map(collapse).filter(|s| !s.is_empty());
                self.ld_headline = self.ld_headline.take().or_else(|| text(map.get("headline")));
                self.ld_date = self.ld_date.take().or_else(|| text(map.get("datePublished")));
                self.ld_author = self.ld_author.take().or_else(|| json_ld_names(map.get("author")));
                self.ld_publisher = self.ld_publisher.take().or_else(|| json_ld_names(map.get("publisher")));
            }
            _ => {}
        }
    }

    fn first(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| self.values.get(*k).cloned())
    }

    fn title(&self) -> Option<String> {
        if let Some(title) = self.first(&["og:title", "twitter:title"]).or(self.ld_headline.clone()) {
            return Some(title);
        }
        match (&self.title_tag, &self.h1) {
            // `<title>` often adds the site name: the <h1> inside it is the headline.
            (Some(title), Some(h1)) if normalise(title).contains(&normalise(h1)) => Some(h1.clone()),
            (Some(title), _) => Some(strip_site_suffix(title)),
            (None, h1) => h1.clone(),
        }
    }

    fn date(&self) -> Option<jiff::civil::Date> {
        let keys = [
            "article:published_time",
            "og:published_time",
            "datepublished",
            "date",
            "pubdate",
            "publishdate",
            "dc.date",
            "dc.date.issued",
            "dcterms.created",
        ];
        keys.iter()
            .filter_map(|k| self.values.get(*k))
            .chain(&self.ld_date)
            .chain(&self.time)
            .find_map(|d| parse_date_value(d))
    }

    fn author(&self) -> Option<String> {
        let meta = ["author", "article:author", "dc.creator", "parsely-author"]
            .iter()
            .filter_map(|k| self.values.get(*k))
            .find(|a| !a.starts_with("http"))
            .cloned();
        meta.or_else(|| self.ld_author.clone()).or_else(|| {
            let byline = self.byline.as_deref()?;
            let name = byline
                .strip_prefix("By ")
                .or(byline.strip_prefix("by "))
                .unwrap_or(byline);
            (name.split_whitespace().count() <= 8).then(|| name.trim().to_string())
        })
    }
}

fn is_article_type(t: &str) -> bool {
    matches!(
        t,
        "NewsArticle"
            | "Article"
            | "BlogPosting"
            | "ReportageNewsArticle"
            | "AnalysisNewsArticle"
            | "Report"
            | "WebPage"
    )
}

/// Names from a JSON-LD `author` or `publisher`: a string, an object with
/// `name`, or a list of either.
fn json_ld_names(value: Option<&Value>) -> Option<String> {
    let names: Vec<String> = match value? {
        Value::String(s) => vec![collapse(s)],
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .map(collapse)
            .into_iter()
            .collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(collapse(s)),
                Value::Object(o) => o.get("name").and_then(Value::as_str).map(collapse),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let names: Vec<String> = names.into_iter().filter(|n| !n.is_empty()).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// `Headline | Site` or `Headline - Site`: the headline.
fn strip_site_suffix(title: &str) -> String {
    for sep in [" | ", " – ", " — ", " - ", " :: "] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            if tail.split_whitespace().count() <= 4 && head.split_whitespace().count() >= 2 {
                return head.trim().to_string();
            }
        }
    }
    title.to_string()
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

fn text_of(element: ElementRef) -> String {
    collapse(&element.text().collect::<String>())
}

/// True when a class or id attribute holds one of `words` as a word
/// (`share-buttons` holds `share`; `shadow` does not hold `ad`).
fn has_word(attr: Option<&str>, words: &[&str]) -> bool {
    attr.is_some_and(|a| {
        a.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| words.iter().any(|b| w.eq_ignore_ascii_case(b)))
    })
}

/// Elements never holding article text.
const SKIPPED_TAGS: &[&str] = &[
    "head", "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button", "iframe", "svg",
    "canvas", "select", "input", "textarea", "figure", "picture", "video", "audio", "object", "embed", "dialog",
    "menu", "header", "math",
];

/// Class and id words that mark page furniture.
const BOILERPLATE_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "share",
    "sharing",
    "sharebar",
    "social",
    "comment",
    "comments",
    "disqus",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "banner",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "related",
    "recommended",
    "trending",
    "popular",
    "sidebar",
    "widget",
    "footer",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsored",
    "promo",
    "popup",
    "modal",
    "overlay",
    "paywall",
    "donate",
    "donation",
    "tags",
    "byline",
    "toolbar",
    "skip",
    "visually",
    "sr",
];

const SKIPPED_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "dialog",
    "alertdialog",
    "search",
    "menu",
    "menubar",
    "toolbar",
];

fn is_furniture(element: ElementRef) -> bool {
    let e = element.value();
    SKIPPED_TAGS.contains(&e.name())
        || e.attr("hidden").is_some()
        || e.attr("aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || e.attr("style").is_some_and(|s| {
            let s: String = s
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        })
        || e.attr("role")
            .is_some_and(|r| SKIPPED_ROLES.iter().any(|s| r.eq_ignore_ascii_case(s)))
        || has_word(e.attr("class"), BOILERPLATE_WORDS)
        || has_word(e.attr("id"), BOILERPLATE_WORDS)
}

/// The element holding the article: `itemprop="articleBody"`, else the
/// `<article>` with the most paragraph text, else `<main>` (or
/// `role="main"`), else `<body>`.
fn main_content(html: &Html) -> Option<ElementRef<'_>> {
    let elements: Vec<ElementRef> = html.root_element().descendants().filter_map(ElementRef::wrap).collect();
    let find = |pred: &dyn Fn(ElementRef) -> bool| elements.iter().copied().filter(|e| pred(*e)).collect::<Vec<_>>();
    let body = find(&|e| {
        e.value()
            .attr("itemprop")
            .is_some_and(|p| p.eq_ignore_ascii_case("articleBody"))
    });
    if let Some(first) = body.into_iter().max_by_key(|e| paragraph_text(*e)) {
        return Some(first);
    }
    let articles = find(&|e| e.value().name() == "article");
    if let Some(best) = articles
        .into_iter()
        .filter(|e| paragraph_text(*e) > 0)
        .max_by_key(|e| paragraph_text(*e))
    {
        return Some(best);
    }
    let main = find(&|e| e.value().name() == "main" || e.value().attr("role") == Some("main"));
    if let Some(main) = main.into_iter().next() {
        return Some(main);
    }
    elements
        .iter()
        .copied()
        .find(|e| e.value().name() == "body")
        .or(Some(html.root_element()))
}

/// Characters of `<p>` text under `element`, outside furniture.
fn paragraph_text(element: ElementRef) -> usize {
    fn walk(element: ElementRef, in_p: bool, depth: usize) -> usize {
        if depth > MAX_DEPTH || is_furniture(element) {
            return 0;
        }
        let in_p = in_p || element.value().name() == "p";
        element
            .children()
            .map(|child| match child.value() {
                Node::Text(t) if in_p => t.trim().len(),
                Node::Element(_) => ElementRef::wrap(child).map_or(0, |e| walk(e, in_p, depth + 1)),
                _ => 0,
            })
            .sum()
    }
    walk(element, false, 0)
}

/// Nesting below which a page is not followed (pages nested thousands deep
/// are hostile, not articles; recursion must stay bounded).
const MAX_DEPTH: usize = 256;

/// Elements that start a new block of text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "blockquote"
            | "pre"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "tr"
            | "caption"
            | "address"
            | "hr"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "body"
            | "center"
            | "details"
            | "summary"
    )
}

/// Body text being gathered from the content element, one line per block.
struct Blocks<'a> {
    lines: &'a HashMap<NodeId, u32>,
    out: Vec<SourceLine>,
    /// The block being filled: its source line and text.
    current: Option<(u32, String)>,
    heading: Option<u8>,
}

impl Blocks<'_> {
    fn walk(&mut self, element: ElementRef, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let line = self.lines.get(&element.id()).copied().unwrap_or(0);
        let name = element.value().name();
        let block = is_block(name);
        let heading = match name.as_bytes() {
            [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
            _ => None,
        };
        if block {
            self.end_block();
            if heading.is_some() {
                self.heading = heading;
            }
        }
        if name == "br" {
            self.text(line, " ");
        }
        for child in element.children() {
            match child.value() {
                Node::Text(t) => self.text(line, t),
                Node::Element(_) => {
                    if let Some(e) = ElementRef::wrap(child) {
                        if !is_furniture(e) {
                            self.walk(e, depth + 1);
                        }
                    }
                }
                _ => {}
            }
        }
        if matches!(name, "td" | "th") {
            // Cells of a row stay one line, told apart.
            self.text(line, "; ");
        }
        if block {
            self.end_block();
            if heading.is_some() {
                self.heading = None;
            }
        }
    }

    fn text(&mut self, line: u32, text: &str) {
        let (_, current) = self.current.get_or_insert_with(|| (line, String::new()));
        current.push_str(text);
    }

    fn end_block(&mut self) {
        if let Some((number, text)) = self.current.take() {
            let text = collapse(&text);
            let text = text.trim_end_matches([';', ' ']).to_string();
            if !text.is_empty() {
                self.out.push(SourceLine {
                    number,
                    text,
                    heading: self.heading,
                    page: None,
                });
                self.out.push(SourceLine::blank(number));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_without_furniture() {
        let page = r#"<!doctype html><html><head><title>Dam Deal Signed | Valley Times</title>
<meta property="article:published_time" content="2024-06-01T09:00:00Z">
<meta name="author" content="R. Writer"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<div class="cookie-banner">We use cookies. <button>Accept</button></div>
<article><h1>Dam Deal Signed</h1>
<div class="share-buttons"><a>Share on X</a></div>
<p>Engineers from both countries
signed the dam protocol in Herat.</p>
<h2>What it changes</h2>
<p>Water flows will be <em>measured</em> monthly.</p>
<script>var tracking = 1;</script>
<section id="comments"><p>First comment!</p></section>
</article><footer>Copyright</footer></body></html>"#;
        let brief = read_html("p.html", page.as_bytes()).unwrap();
        assert_eq!(brief.title, "Dam Deal Signed");
        assert_eq!(brief.date, jiff::civil::Date::new(2024, 6, 1).ok());
        assert_eq!(brief.author.as_deref(), Some("R. Writer"));
        let blocks: Vec<(&str, u32)> = brief.blocks.iter().map(|b| (b.text.as_str(), b.first_line())).collect();
        assert_eq!(
            blocks,
            [
                ("Engineers from both countries signed the dam protocol in Herat.", 8),
                ("What it changes", 10),
                ("Water flows will be measured monthly.", 11),
            ]
        );
    }

    #[test]
    fn legacy_charset_is_honoured() {
        let mut page = b"<html><head><meta charset=\"windows-1252\"></head><body><p>Caf".to_vec();
        page.extend_from_slice(b"\xe9 talks in Kabul resumed.</p></body></html>");
        let brief = read_html("c.html", &page).unwrap();
        assert_eq!(brief.encoding.as_deref(), Some("windows-1252"));
        assert!(brief.blocks[0].text.starts_with("Caf\u{e9}"));
    }
}
