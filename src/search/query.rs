//! The query language: checking a query before it is parsed (so that
//! mistakes are explained with a column), turning it into a tantivy query
//! over the searched fields, and the filter clauses that facet and date
//! filters add.
//!
//! The grammar is tantivy's (`tantivy::query_grammar`), so words, phrases,
//! `+`/`-`, `AND`/`OR`/`NOT`, parentheses and boosts mean what they always
//! did; the leaves are turned into queries here rather than by tantivy's
//! `QueryParser` because the parser has no per-word fuzzy or prefix syntax
//! and no filter fields, and because expanding patterns ourselves lets us
//! cap them deterministically and highlight what they matched:
//!
//! - `"a b"~3`: a phrase whose words may stand up to 3 positions apart;
//! - `pipe*`: any word starting with `pipe` (at least [`MIN_PREFIX_CHARS`]);
//! - `Muttaqi~1`: any word within 1 edit (at most [`MAX_FUZZY_DISTANCE`]);
//! - `country:Iran`, `actor:"Amir Khan Muttaqi"`: filters, exactly like the
//!   `--country` and `--actor` flags.
//!
//! Prefix and fuzzy patterns apply to the index's terms, which are folded
//! and stemmed: a prefix is matched both as typed (folded) and stemmed, and
//! a fuzzy word is folded and stemmed before edits are counted, so that
//! `Muttaqi's~1` and `Muttaqi~1` mean the same. A pattern that matches more
//! than [`MAX_EXPANSIONS`] words searches the most frequent ones (prefix) or
//! the closest, then most frequent ones (fuzzy), and says so in a note.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA};
use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::Term;

use super::highlight::{HighlightTerms, PhraseSpec};
use super::ranking::Ranking;
use super::scope::BriefScopeQuery;
use super::seek_union::SeekUnion;
use super::{Scope, SearchError};
use crate::index::schema::kind;
use crate::index::{IndexError, OpenIndex};
use crate::tokenize;

/// Deeper nesting than this is refused: tantivy's parser recurses per level
/// and a query of thousands of parentheses overflowed the stack.
pub const MAX_QUERY_DEPTH: usize = 32;
/// Longer queries are refused: no one types them, and they cost memory.
pub const MAX_QUERY_CHARS: usize = 4096;
/// Shorter prefixes are refused: `a*` would stand for a good part of the
/// vocabulary, and the cap would then pick words at random for the user.
pub const MIN_PREFIX_CHARS: usize = 3;
/// A prefix or fuzzy word stands for at most this many words of the index.
pub const MAX_EXPANSIONS: usize = 64;
/// More edits than this match nearly any short word.
pub const MAX_FUZZY_DISTANCE: u32 = 2;
/// A larger slop is no longer a phrase; refused so the number is not a typo.
pub const MAX_SLOP: u32 = 100;

/// The fields a query may name: searched text fields, then filter fields.
pub const QUERY_FIELDS: &[&str] = &["title", "heading", "body", "author", "country", "actor"];
/// Fields that filter like their flag instead of matching words.
pub const FILTER_FIELDS: &[&str] = &["country", "actor"];

fn query_error(query: &str, column: usize, message: String) -> SearchError {
    SearchError::Query {
        query: query.to_string(),
        marker: format!("{}^ at column {}", " ".repeat(column.saturating_sub(1)), column),
        message,
    }
}

/// A word of the query outside quotes (a quoted phrase with its field and
/// suffix counts as one word), where it starts (0-based character) and how
/// deep in parentheses.
struct Word {
    col: usize,
    depth: usize,
    text: String,
}

/// Checks what the grammar would accept silently or explain poorly:
/// unclosed quotes and brackets, fields without a value, operators without
/// operands, unknown fields, bad slop and fuzzy numbers, short prefixes, a
/// lone `*`, filter fields where they cannot filter. Columns are 1-based
/// characters.
pub fn validate_query(query: &str) -> Result<(), SearchError> {
    let chars: Vec<char> = query.chars().collect();
    if let Some(i) = chars.iter().position(|c| c.is_control() && !c.is_whitespace()) {
        return Err(query_error(
            query,
            i + 1,
            format!(
                "the query holds a control character ({}); remove it",
                chars[i].escape_unicode()
            ),
        ));
    }
    let mut quote_open: Option<usize> = None;
    let mut parens: Vec<usize> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => quote_open = if quote_open.is_some() { None } else { Some(i) },
            '(' if quote_open.is_none() => {
                parens.push(i);
                if parens.len() > MAX_QUERY_DEPTH {
                    return Err(query_error(
                        query,
                        i + 1,
                        format!("more than {MAX_QUERY_DEPTH} nested parentheses; simplify the query"),
                    ));
                }
            }
            ')' if quote_open.is_none() && parens.pop().is_none() => {
                return Err(query_error(query, i + 1, "this `)` closes nothing".into()));
            }
            _ => {}
        }
    }
    if chars.len() > MAX_QUERY_CHARS {
        return Err(query_error(
            query,
            MAX_QUERY_CHARS + 1,
            format!("the query is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    if let Some(i) = quote_open {
        return Err(query_error(
            query,
            i + 1,
            "this quote is never closed; add a closing `\"`".into(),
        ));
    }
    if let Some(&i) = parens.last() {
        return Err(query_error(query, i + 1, "this `(` is never closed; add a `)`".into()));
    }
    let words = split_words(&chars);
    for k in 0..words.len() {
        let word = words[k].text.as_str();
        let is_operator = matches!(word, "AND" | "OR" | "NOT");
        if is_operator {
            let before = k.checked_sub(1).map(|j| words[j].text.as_str());
            let after = words.get(k + 1).map(|w| w.text.as_str());
            let operand = |w: Option<&str>| w.is_some_and(|w| !matches!(w, "AND" | "OR" | "NOT"));
            let needs_left = word != "NOT";
            if (needs_left && !operand(before)) || !operand(after) {
                let what = if word == "NOT" {
                    "a word after it"
                } else {
                    "a word on both sides"
                };
                return Err(query_error(
                    query,
                    words[k].col + 1,
                    format!("operator {word} needs {what}"),
                ));
            }
        } else {
            check_word(query, &words, k)?;
        }
    }
    Ok(())
}

fn split_words(chars: &[char]) -> Vec<Word> {
    let mut words = Vec::new();
    let mut in_quote = false;
    let mut depth = 0usize;
    let mut current: Option<Word> = None;
    for (i, &c) in chars.iter().enumerate() {
        if c == '"' {
            in_quote = !in_quote;
        }
        if !in_quote && (c.is_whitespace() || c == '(' || c == ')') {
            words.extend(current.take());
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            continue;
        }
        current
            .get_or_insert_with(|| Word {
                col: i,
                depth,
                text: String::new(),
            })
            .text
            .push(c);
    }
    words.extend(current.take());
    words
}

/// Checks one word: its field, and the pattern or slop after it.
fn check_word(query: &str, words: &[Word], k: usize) -> Result<(), SearchError> {
    let word = &words[k];
    let chars: Vec<char> = word.text.chars().collect();
    let err = |offset: usize, message: String| query_error(query, word.col + offset + 1, message);
    let mut at = 0;
    let sign = match chars.first() {
        Some(&c @ ('+' | '-')) => {
            at = 1;
            Some(c)
        }
        _ => None,
    };
    let mut field: Option<String> = None;
    if let Some(colon) = chars[at..].iter().position(|&c| c == ':') {
        let name: String = chars[at..at + colon].iter().collect();
        let is_field = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if is_field {
            if !QUERY_FIELDS.contains(&name.as_str()) {
                let hint = if name == "date" {
                    "; for dates use --since and --until"
                } else {
                    ""
                };
                return Err(err(
                    at,
                    format!("unknown field `{name}`; fields are {}{hint}", QUERY_FIELDS.join(", ")),
                ));
            }
            let value: String = chars[at + colon + 1..].iter().collect();
            if value.is_empty() || value == "\"\"" {
                return Err(err(at, format!("field `{name}:` has no value; write `{name}:word`")));
            }
            at += colon + 1;
            field = Some(name);
        }
    }
    let value = &chars[at..];
    let filter = field.as_deref().filter(|f| FILTER_FIELDS.contains(f));
    if let Some(name) = filter {
        let field_col = at - name.chars().count() - 1;
        let previous = k.checked_sub(1).map(|j| words[j].text.as_str());
        let next = words.get(k + 1).map(|w| w.text.as_str());
        let flag = format!("--{name}");
        if sign == Some('-') || previous == Some("NOT") {
            return Err(err(
                field_col,
                format!("`{name}:` filters like {flag} and cannot exclude; leave it out or search without it"),
            ));
        }
        if word.depth > 0 || previous == Some("OR") || next == Some("OR") {
            return Err(err(
                field_col,
                format!(
                    "`{name}:` filters the whole query like {flag}, so it cannot stand inside parentheses or \
                     beside OR; several `{name}:` values match any of them, as repeated {flag} flags do"
                ),
            ));
        }
    }
    if value.first() == Some(&'"') {
        // A phrase: a slop, a prefix or a boost may follow the closing quote.
        let Some(close) = value[1..].iter().position(|&c| c == '"').map(|p| p + 1) else {
            return Ok(());
        };
        let suffix = &value[close + 1..];
        let suffix_col = at + close + 1;
        if let Some(name) = filter {
            if !suffix.is_empty() && suffix[0] != '^' {
                return Err(err(
                    suffix_col,
                    format!("`{name}:` takes a name, not a pattern or a slop"),
                ));
            }
            return Ok(());
        }
        if suffix.first() == Some(&'~') {
            let digits: String = suffix[1..].iter().take_while(|c| c.is_ascii_digit()).collect();
            match digits.parse::<u32>() {
                Ok(slop) if slop <= MAX_SLOP => {}
                Ok(_) | Err(_) if !digits.is_empty() => {
                    return Err(err(
                        suffix_col,
                        format!("a phrase's slop is at most {MAX_SLOP}: `\"a b\"~3`"),
                    ))
                }
                _ => {
                    return Err(err(
                        suffix_col,
                        "`~` after a phrase needs a number of positions: `\"a b\"~3`".into(),
                    ))
                }
            }
        }
        return Ok(());
    }
    // A bare word: a boost may end it, after a `*` or a `~N`.
    let core_len = value.iter().position(|&c| c == '^').unwrap_or(value.len());
    let core = &value[..core_len];
    if let Some(star) = core.iter().position(|&c| c == '*') {
        if let Some(name) = filter {
            return Err(err(at + star, format!("`{name}:` takes a name, not a pattern")));
        }
        if core.len() == 1 {
            return Err(err(
                at + star,
                "a lone `*` would match every passage; to list passages, leave the query empty and give a filter"
                    .into(),
            ));
        }
        if star + 1 != core.len() {
            return Err(err(at + star, "a `*` can only end a word: `pipe*`".into()));
        }
        let prefix: String = core[..star].iter().collect();
        if prefix.contains('~') {
            return Err(err(
                at,
                "a word is either a prefix (`*`) or fuzzy (`~`), not both".into(),
            ));
        }
        let letters = tokenize::normalise(&prefix).chars().count();
        if letters < MIN_PREFIX_CHARS {
            return Err(err(
                at,
                format!("`{prefix}*`: a prefix needs at least {MIN_PREFIX_CHARS} letters"),
            ));
        }
        return Ok(());
    }
    if let Some(tilde) = core.iter().rposition(|&c| c == '~').filter(|&t| t > 0) {
        if let Some(name) = filter {
            return Err(err(at + tilde, format!("`{name}:` takes a name, not a pattern")));
        }
        let digits: String = core[tilde + 1..].iter().collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(err(
                at + tilde,
                "`~` after a word needs a number of edits: `Muttaqi~1`".into(),
            ));
        }
        if digits.parse::<u32>().map_or(true, |d| d > MAX_FUZZY_DISTANCE) {
            return Err(err(
                at + tilde,
                format!("a fuzzy word allows at most {MAX_FUZZY_DISTANCE} edits: `Muttaqi~2`"),
            ));
        }
        let stem: String = core[..tilde].iter().collect();
        if tokenize::analyze(&stem).len() != 1 {
            return Err(err(
                at,
                format!("`{stem}` is not one word; `~N` after a word makes it fuzzy, after a \"phrase\" sets its slop"),
            ));
        }
    }
    Ok(())
}

/// Where a character offset of the grammar's errors falls, as a column.
fn column_of_byte(query: &str, byte: usize) -> usize {
    query.char_indices().take_while(|(i, _)| *i < byte).count() + 1
}

/// The column of the first of `needles` in `query`, or 1.
fn column_of_any(query: &str, needles: &[char]) -> usize {
    query
        .char_indices()
        .position(|(_, c)| needles.contains(&c))
        .map_or(1, |i| i + 1)
}

/// A parsed query: what its words match, the filter values it names, what
/// to highlight, and notes for the user.
#[derive(Default)]
pub struct ParsedQuery {
    /// `None` when the query has no words: only filter fields, or nothing.
    pub text: Option<Box<dyn Query>>,
    /// Values of `country:` and `actor:`, as typed.
    pub countries: Vec<String>,
    pub actors: Vec<String>,
    pub highlight: HighlightTerms,
    /// Patterns cut at [`MAX_EXPANSIONS`].
    pub notes: Vec<String>,
}

/// Parses the user's query over title (boosted), heading and body; see the
/// module doc. With `any`, words without an operator are optional.
pub fn parse_query(open: &OpenIndex, text: &str, any: bool) -> Result<ParsedQuery, SearchError> {
    parse_query_ranked(open, text, any, &Ranking::default())
}

/// [`parse_query`] with the field boosts of `ranking`.
pub fn parse_query_ranked(
    open: &OpenIndex,
    text: &str,
    any: bool,
    ranking: &Ranking,
) -> Result<ParsedQuery, SearchError> {
    if text.trim().is_empty() {
        return Ok(ParsedQuery::default());
    }
    validate_query(text)?;
    let ast = match tantivy::query_grammar::parse_query(text) {
        Ok(ast) => ast,
        Err(_) => {
            let (_, errors) = tantivy::query_grammar::parse_query_lenient(text);
            return Err(match errors.first() {
                Some(e) => query_error(text, column_of_byte(text, e.pos), e.message.clone()),
                None => query_error(text, 1, "the query does not parse".into()),
            });
        }
    };
    let mut converter = Converter {
        open,
        query: text,
        default_occur: if any { Occur::Should } else { Occur::Must },
        boosts: (ranking.title_boost, ranking.heading_boost),
        negated: 0,
        occur: Occur::Must,
        parsed: ParsedQuery::default(),
    };
    let root = match ast {
        UserInputAst::Clause(clauses) => clauses,
        other => vec![(None, other)],
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (occur, sub) in root {
        if let UserInputAst::Leaf(leaf) = &sub {
            if let UserInputLeaf::Literal(literal) = leaf.as_ref() {
                if converter.take_filter(literal, occur)? {
                    continue;
                }
            }
        }
        let occur = occur.unwrap_or(converter.default_occur);
        if let Some(query) = converter.clause(occur, sub)? {
            clauses.push((occur, query));
        }
    }
    if !clauses.is_empty() && clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
        return Err(query_error(
            text,
            1,
            "a query cannot only exclude words; add a word to look for".into(),
        ));
    }
    let mut parsed = converter.parsed;
    parsed.text = match clauses.len() {
        0 => None,
        1 if clauses[0].0 != Occur::MustNot => Some(clauses.remove(0).1),
        _ => Some(Box::new(BooleanQuery::new(clauses))),
    };
    Ok(parsed)
}

/// The searched fields of a literal, with their boosts.
fn literal_fields(open: &OpenIndex, field: Option<&str>, (title, heading): (f32, f32)) -> Vec<(Field, f32)> {
    let f = &open.fields;
    match field {
        Some("title") => vec![(f.title, title)],
        Some("heading") => vec![(f.heading, heading)],
        Some("body") => vec![(f.body, 1.0)],
        Some("author") => vec![(f.author, 1.0)],
        _ => vec![(f.title, title), (f.heading, heading), (f.body, 1.0)],
    }
}

/// A query over every field of `fields`, each boosted, scored by the sum
/// over the fields that match. A required or excluded word is seeked by
/// the intersection or exclusion it is part of, so it is a [`SeekUnion`]
/// (on the benchmark's 100,000 briefs, `railway refugees` 61.5 -> 45.9 M
/// instructions for a whole process, `railway -refugees` 54.9 -> 56.3 M:
/// the leading word is walked a little slower); a word of `OR` or `--any`
/// is walked through by the union of its siblings, which tantivy's
/// buffered union does best.
fn over_fields(fields: &[(Field, f32)], occur: Occur, mut make: impl FnMut(Field) -> Box<dyn Query>) -> Box<dyn Query> {
    let mut of_words = true;
    let mut queries: Vec<Box<dyn Query>> = fields
        .iter()
        .map(|&(field, boost)| -> Box<dyn Query> {
            let query = make(field);
            of_words &= query.is::<TermQuery>();
            if boost == 1.0 {
                query
            } else {
                Box::new(BoostQuery::new(query, boost))
            }
        })
        .collect();
    match (queries.len(), occur) {
        (1, _) => queries.remove(0),
        (_, Occur::Should) => Box::new(BooleanQuery::new(
            queries.into_iter().map(|query| (Occur::Should, query)).collect(),
        )),
        _ => Box::new(SeekUnion::new(queries, of_words)),
    }
}

/// What a prefix or fuzzy word stands for.
enum Pattern {
    /// Terms starting with any of these.
    Prefix(Vec<String>),
    /// Terms within `distance` edits of `term`.
    Fuzzy { term: String, distance: u8 },
}

/// A Levenshtein automaton walking the term dictionary.
struct Dfa<'a>(&'a DFA);

impl tantivy_fst::Automaton for Dfa<'_> {
    type State = u32;
    fn start(&self) -> u32 {
        self.0.initial_state()
    }
    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }
    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }
    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// Turns the grammar's tree into tantivy queries.
struct Converter<'a> {
    open: &'a OpenIndex,
    query: &'a str,
    default_occur: Occur,
    /// Boosts of title and heading matches.
    boosts: (f32, f32),
    /// Inside a `-` or `NOT`: nothing there is highlighted.
    negated: usize,
    /// How the clause being converted joins its siblings.
    occur: Occur,
    parsed: ParsedQuery,
}

impl Converter<'_> {
    /// Takes a top-level `country:` or `actor:` literal as a filter value.
    fn take_filter(&mut self, literal: &UserInputLiteral, occur: Option<Occur>) -> Result<bool, SearchError> {
        let Some(name) = literal.field_name.as_deref() else {
            return Ok(false);
        };
        let values = match name {
            "country" => &mut self.parsed.countries,
            "actor" => &mut self.parsed.actors,
            _ => return Ok(false),
        };
        if occur == Some(Occur::MustNot) || occur == Some(Occur::Should) {
            return Err(self.misplaced_filter(name));
        }
        let value = literal.phrase.trim().to_string();
        if !values.contains(&value) {
            values.push(value);
        }
        Ok(true)
    }

    fn misplaced_filter(&self, name: &str) -> SearchError {
        let column = self
            .query
            .find(&format!("{name}:"))
            .map_or(1, |b| column_of_byte(self.query, b));
        query_error(
            self.query,
            column,
            format!("`{name}:` filters the whole query; write it outside parentheses, without OR or NOT"),
        )
    }

    fn clause(&mut self, occur: Occur, ast: UserInputAst) -> Result<Option<Box<dyn Query>>, SearchError> {
        let negated = occur == Occur::MustNot;
        self.negated += usize::from(negated);
        let outer = std::mem::replace(&mut self.occur, occur);
        let query = self.ast(ast);
        self.occur = outer;
        self.negated -= usize::from(negated);
        query
    }

    fn ast(&mut self, ast: UserInputAst) -> Result<Option<Box<dyn Query>>, SearchError> {
        match ast {
            UserInputAst::Clause(subs) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (occur, sub) in subs {
                    let occur = occur.unwrap_or(self.default_occur);
                    if let Some(query) = self.clause(occur, sub)? {
                        clauses.push((occur, query));
                    }
                }
                Ok(match clauses.len() {
                    0 => None,
                    1 if clauses[0].0 != Occur::MustNot => Some(clauses.remove(0).1),
                    _ => Some(Box::new(BooleanQuery::new(clauses))),
                })
            }
            UserInputAst::Boost(ast, boost) => Ok(self
                .ast(*ast)?
                .map(|q| -> Box<dyn Query> { Box::new(BoostQuery::new(q, boost.into_inner() as f32)) })),
            UserInputAst::Leaf(leaf) => self.leaf(*leaf),
        }
    }

    fn leaf(&mut self, leaf: UserInputLeaf) -> Result<Option<Box<dyn Query>>, SearchError> {
        match leaf {
            UserInputLeaf::Literal(literal) => self.literal(literal),
            UserInputLeaf::All | UserInputLeaf::Exists { .. } => Err(query_error(
                self.query,
                column_of_any(self.query, &['*']),
                "a lone `*` would match every passage; to list passages, leave the query empty and give a filter"
                    .into(),
            )),
            UserInputLeaf::Range { .. } => Err(query_error(
                self.query,
                column_of_any(self.query, &['[', '{', '<', '>']),
                "ranges are not part of the query language; for dates use --since and --until".into(),
            )),
            UserInputLeaf::Set { .. } => Err(query_error(
                self.query,
                self.query.find(" IN ").map_or(1, |b| column_of_byte(self.query, b + 1)),
                "sets (`IN [...]`) are not part of the query language; write `a OR b`".into(),
            )),
            UserInputLeaf::Regex { .. } => Err(query_error(
                self.query,
                column_of_any(self.query, &['/']),
                "regular expressions are not part of the query language; try a prefix (`pipe*`) or a fuzzy word (`Muttaqi~1`)"
                    .into(),
            )),
        }
    }

    fn literal(&mut self, literal: UserInputLiteral) -> Result<Option<Box<dyn Query>>, SearchError> {
        if let Some(name) = literal.field_name.as_deref() {
            if FILTER_FIELDS.contains(&name) {
                return Err(self.misplaced_filter(name));
            }
        }
        let fields = literal_fields(self.open, literal.field_name.as_deref(), self.boosts);
        let quoted = literal.delimiter != Delimiter::None;
        // The grammar reads `*` and `~N` after a bare word as part of it
        // (they only mean something after a quoted phrase there).
        let mut phrase = literal.phrase.as_str();
        let mut prefix = literal.prefix;
        let mut fuzzy: Option<u32> = None;
        if !quoted {
            if let Some(stripped) = phrase.strip_suffix('*') {
                phrase = stripped;
                prefix = true;
            } else if let Some((word, edits)) = phrase.rsplit_once('~') {
                if !word.is_empty() && !edits.is_empty() && edits.chars().all(|c| c.is_ascii_digit()) {
                    phrase = word;
                    fuzzy = Some(edits.parse::<u32>().unwrap_or(MAX_FUZZY_DISTANCE));
                }
            }
        }
        let tokens = tokenize::analyze(phrase);
        let highlight = self.negated == 0;
        if prefix && tokens.len() <= 1 {
            let mut prefixes = vec![tokenize::normalise(phrase)];
            prefixes.extend(tokens.first().map(|t| t.text.clone()));
            prefixes.retain(|p| !p.is_empty());
            prefixes.sort();
            prefixes.dedup();
            let label = format!("{phrase}*");
            return self.expanded(&fields, Pattern::Prefix(prefixes), &label).map(Some);
        }
        if let Some(edits) = fuzzy {
            let Some(token) = tokens.first() else {
                return Ok(None);
            };
            let distance = edits.min(MAX_FUZZY_DISTANCE) as u8;
            let label = format!("{phrase}~{edits}");
            let pattern = Pattern::Fuzzy {
                term: token.text.clone(),
                distance,
            };
            return self.expanded(&fields, pattern, &label).map(Some);
        }
        match tokens.len() {
            0 => Ok(None),
            1 => {
                let text = tokens[0].text.clone();
                if highlight {
                    self.parsed.highlight.terms.insert(text.clone());
                }
                Ok(Some(over_fields(&fields, self.occur, |field| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, &text),
                        IndexRecordOption::WithFreqs,
                    ))
                })))
            }
            _ => {
                if highlight {
                    self.parsed.highlight.phrases.push(PhraseSpec {
                        terms: tokens.iter().map(|t| t.text.clone()).collect(),
                        slop: literal.slop,
                        prefix_last: prefix,
                    });
                }
                let slop = literal.slop;
                Ok(Some(over_fields(&fields, self.occur, |field| {
                    let terms: Vec<(usize, Term)> = tokens
                        .iter()
                        .map(|t| (t.position, Term::from_field_text(field, &t.text)))
                        .collect();
                    if prefix {
                        Box::new(PhrasePrefixQuery::new_with_offset(terms))
                    } else {
                        Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
                    }
                })))
            }
        }
    }

    /// The words of the index a pattern stands for, as one query; see the
    /// module doc for which words are kept past the cap.
    fn expanded(
        &mut self,
        fields: &[(Field, f32)],
        pattern: Pattern,
        label: &str,
    ) -> Result<Box<dyn Query>, SearchError> {
        let searcher = &self.open.searcher;
        let mut found: BTreeSet<String> = BTreeSet::new();
        let dfa = match &pattern {
            Pattern::Fuzzy { term, distance } => {
                Some(LevenshteinAutomatonBuilder::new(*distance, true).build_dfa(term))
            }
            Pattern::Prefix(_) => None,
        };
        for reader in searcher.segment_readers() {
            for &(field, _) in fields {
                let index = reader.inverted_index(field).map_err(IndexError::from)?;
                let terms = index.terms();
                match (&pattern, &dfa) {
                    (_, Some(dfa)) => {
                        let mut stream = terms.search(Dfa(dfa)).into_stream().map_err(IndexError::from)?;
                        while stream.advance() {
                            if let Ok(word) = std::str::from_utf8(stream.key()) {
                                found.insert(word.to_string());
                            }
                        }
                    }
                    (Pattern::Prefix(prefixes), None) => {
                        for prefix in prefixes {
                            let mut stream = terms
                                .range()
                                .ge(prefix.as_bytes())
                                .into_stream()
                                .map_err(IndexError::from)?;
                            while stream.advance() && stream.key().starts_with(prefix.as_bytes()) {
                                if let Ok(word) = std::str::from_utf8(stream.key()) {
                                    found.insert(word.to_string());
                                }
                            }
                        }
                    }
                    (Pattern::Fuzzy { .. }, None) => {}
                }
            }
        }
        // Document frequencies of live passages only, so that an index
        // updated incrementally picks the same words as a full build.
        let statistics = self.open.statistics();
        let mut ranked: Vec<(usize, u64, String)> = Vec::new();
        for word in found {
            let mut freq = 0;
            for &(field, _) in fields {
                freq += statistics.doc_freq(&Term::from_field_text(field, &word))?;
            }
            if freq == 0 {
                continue;
            }
            let edits = match &pattern {
                Pattern::Fuzzy { term, .. } => strsim::osa_distance(term, &word),
                Pattern::Prefix(_) => 0,
            };
            ranked.push((edits, freq, word));
        }
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(&b.2)));
        if ranked.len() > MAX_EXPANSIONS {
            let which = match pattern {
                Pattern::Prefix(_) => "most frequent",
                Pattern::Fuzzy { .. } => "closest, then most frequent,",
            };
            self.parsed.notes.push(format!(
                "`{label}` matches {} words; the {MAX_EXPANSIONS} {which} are searched",
                ranked.len()
            ));
            ranked.truncate(MAX_EXPANSIONS);
        }
        if ranked.is_empty() {
            return Ok(Box::new(EmptyQuery));
        }
        let words: Vec<String> = ranked.into_iter().map(|(_, _, w)| w).collect();
        if self.negated == 0 {
            self.parsed.highlight.terms.extend(words.iter().cloned());
        }
        let mut by_field: BTreeMap<usize, FieldClauses> = BTreeMap::new();
        for (i, &(field, boost)) in fields.iter().enumerate() {
            for word in &words {
                let query: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, word),
                    IndexRecordOption::WithFreqs,
                ));
                let query: Box<dyn Query> = if boost == 1.0 {
                    query
                } else {
                    Box::new(BoostQuery::new(query, boost))
                };
                by_field.entry(i).or_default().push((Occur::Should, query));
            }
        }
        Ok(Box::new(BooleanQuery::new(by_field.into_values().flatten().collect())))
    }
}

/// A filter that matches without changing scores: a zero-score clause.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// Passages having any of `values` in `field`.
fn any_facet(field: Field, values: &[Facet]) -> Box<dyn Query> {
    let terms: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| -> (Occur, Box<dyn Query>) {
            (
                Occur::Should,
                Box::new(TermQuery::new(Term::from_facet(field, v), IndexRecordOption::Basic)),
            )
        })
        .collect();
    Box::new(BooleanQuery::new(terms))
}

/// The clauses of one field's query, before they are joined.
type FieldClauses = Vec<(Occur, Box<dyn Query>)>;

/// The clauses of a search: the text query (or every passage, to browse),
/// a date range, and facet filters (any value within a dimension, every
/// dimension). With `at_least`, the facet dimensions need only that many
/// of them to pass (for multi-select facet counts).
pub struct Clauses<'a> {
    pub open: &'a OpenIndex,
    pub text: Option<&'a dyn Query>,
    pub dates: (Option<i64>, Option<i64>),
    /// Whether facet filters apply to the passage or to its whole brief.
    pub scope: Scope,
    pub dims: &'a [Vec<Facet>; 3],
}

impl Clauses<'_> {
    /// Every clause required: the query that finds hits.
    pub fn all(&self) -> Box<dyn Query> {
        self.build(self.dims.iter().filter(|d| !d.is_empty()).count())
    }

    /// Facet dimensions relaxed so that a passage failing one of them still
    /// matches: multi-select counts ignore a dimension's own filter.
    pub fn all_but_one_dim(&self) -> Box<dyn Query> {
        self.build(self.dims.iter().filter(|d| !d.is_empty()).count().saturating_sub(1))
    }

    fn build(&self, dims_required: usize) -> Box<dyn Query> {
        let f = &self.open.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match self.text {
            Some(text) => clauses.push((Occur::Must, text.box_clone())),
            None => clauses.push(filter(Box::new(TermQuery::new(
                Term::from_field_u64(f.kind, kind::PASSAGE),
                IndexRecordOption::Basic,
            )))),
        }
        if self.dates.0.is_some() || self.dates.1.is_some() {
            let bound = |secs: Option<i64>| match secs {
                Some(s) => Bound::Included(Term::from_field_date(f.date, tantivy::DateTime::from_timestamp_secs(s))),
                None => Bound::Unbounded,
            };
            clauses.push(filter(Box::new(RangeQuery::new(
                bound(self.dates.0),
                bound(self.dates.1),
            ))));
        }
        let dims: Vec<Box<dyn Query>> = self
            .dims
            .iter()
            .filter(|d| !d.is_empty())
            .map(|values| -> Box<dyn Query> {
                match self.scope {
                    Scope::Passage => any_facet(f.facets, values),
                    Scope::Brief => Box::new(BriefScopeQuery::new(any_facet(f.brief_facets, values))),
                }
            })
            .collect();
        let total = dims.len();
        if total > 0 && dims_required == total {
            clauses.extend(dims.into_iter().map(filter));
        } else if dims_required > 0 {
            let should: Vec<(Occur, Box<dyn Query>)> = dims.into_iter().map(|q| (Occur::Should, q)).collect();
            clauses.push(filter(Box::new(BooleanQuery::with_minimum_required_clauses(
                should,
                dims_required,
            ))));
        }
        if clauses.len() == 1 && self.text.is_some() {
            // The text query alone: no wrapping, so scores are exactly its own.
            return clauses.remove(0).1;
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column_of(query: &str) -> Option<String> {
        match validate_query(query) {
            Err(SearchError::Query { marker, .. }) => Some(marker),
            _ => None,
        }
    }

    #[test]
    fn bad_queries_point_at_the_problem() {
        assert!(column_of("\"unclosed").unwrap().ends_with("at column 1"));
        assert!(column_of("gas title:").unwrap().ends_with("at column 5"));
        assert!(column_of("AND").is_some());
        assert!(column_of("gas AND").is_some());
        assert!(column_of("(gas").is_some());
        assert!(column_of("nope:gas").is_some());
        assert!(column_of("gas AND pipeline").is_none());
        assert!(column_of("\"gas pipeline\" -Iran").is_none());
        assert!(column_of("NOT gas").is_none());
        assert!(column_of("gas\u{7}").unwrap().ends_with("at column 4"));
    }

    #[test]
    fn patterns_and_filter_fields_are_checked_with_columns() {
        let at = |q: &str| column_of(q).map(|m| m.rsplit(' ').next().unwrap_or_default().to_string());
        assert_eq!(at("gas a*").as_deref(), Some("5"), "prefix too short");
        assert_eq!(at("pipe* *").as_deref(), Some("7"), "lone star");
        assert_eq!(at("pi*pe").as_deref(), Some("3"), "star inside a word");
        assert_eq!(at("Muttaqi~3").as_deref(), Some("8"), "fuzzy above 2");
        assert_eq!(at("Muttaqi~x").as_deref(), Some("8"), "fuzzy without a number");
        assert_eq!(at("\"a b\"~101").as_deref(), Some("6"), "slop above the cap");
        assert_eq!(at("\"a b\"~").as_deref(), Some("6"), "slop without a number");
        assert_eq!(at("gas OR country:Iran").as_deref(), Some("8"));
        assert_eq!(at("(gas actor:Muttaqi)").as_deref(), Some("6"));
        assert_eq!(at("gas -country:Iran").as_deref(), Some("6"));
        assert_eq!(at("country:Ir*").as_deref(), Some("11"));
        assert_eq!(at("colour:red").as_deref(), Some("1"));
        for fine in [
            "pipe*",
            "pip*",
            "Muttaqi~1",
            "Muttaqi~2",
            "\"gas pipeline\"~3",
            "\"gas pipe\"*",
            "country:Iran gas",
            "gas +actor:\"Amir Khan Muttaqi\"",
            "country:Iran country:Afghanistan",
            "~Document",
            "title:gas^2",
        ] {
            assert!(column_of(fine).is_none(), "{fine}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("{}gas{}", "(".repeat(9000), ")".repeat(9000));
        let marker = column_of(&deep).expect("refused");
        assert!(
            marker.ends_with(&format!("at column {}", MAX_QUERY_DEPTH + 1)),
            "{marker}"
        );
        let fine = format!("{}gas{}", "(".repeat(MAX_QUERY_DEPTH), ")".repeat(MAX_QUERY_DEPTH));
        assert!(column_of(&fine).is_none());
    }
}

#[cfg(test)]
mod parse_tests {
    use tantivy::collector::DocSetCollector;

    use super::*;
    use crate::index::{self, build, BuildOptions};

    fn small_index() -> (tempfile::TempDir, OpenIndex) {
        let dir = tempfile::tempdir().expect("temp dir");
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).expect("corpus");
        let write = |name: &str, text: &str| std::fs::write(corpus.join(name), text).expect("write");
        write("a.txt", "Pipelines\n\nThe gas pipeline reached Herat.\n");
        write("b.txt", "Rail\n\nThe pipe burst near the gas export terminal.\n");
        write("c.txt", "Visit\n\nMuttaqi met officials in Tehran.\n");
        write("d.txt", "Visit\n\nMottaki spoke in Kabul about gas.\n");
        write(
            "e.txt",
            "Pipes\n\nPiping and pipers and the pipeline to Turkmenistan.\n",
        );
        let index = dir.path().join("index");
        build(&BuildOptions::new(&corpus, &index)).expect("build");
        let open = index::open(&index).expect("open");
        (dir, open)
    }

    /// The briefs a query matches, sorted.
    fn briefs(open: &OpenIndex, text: &str) -> Vec<String> {
        let parsed = parse_query(open, text, false).expect("parses");
        let Some(query) = parsed.text else {
            return Vec::new();
        };
        let docs = open.searcher.search(&*query, &DocSetCollector).expect("search");
        let mut out: Vec<String> = docs
            .into_iter()
            .filter_map(|address| {
                let reader = open.searcher.segment_reader(address.segment_ord);
                let column = reader.fast_fields().str("brief").ok()??;
                let ord = column.term_ords(address.doc_id).next()?;
                let mut key = String::new();
                column.ord_to_str(ord, &mut key).ok()?;
                Some(key)
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn prefix_matches_words_starting_with_it_typed_or_stemmed() {
        let (_dir, open) = small_index();
        assert_eq!(briefs(&open, "pipe*"), ["a.txt", "b.txt", "e.txt"]);
        assert_eq!(briefs(&open, "pipeline*"), ["a.txt", "e.txt"]);
        assert_eq!(briefs(&open, "pipe"), ["b.txt", "e.txt"], "piping is stemmed to pipe");
        let parsed = parse_query(&open, "pipe*", false).expect("parses");
        assert!(parsed.highlight.terms.contains("pipelin"), "{:?}", parsed.highlight);
        assert!(parsed.notes.is_empty());
    }

    #[test]
    fn fuzzy_matches_within_the_edits_asked() {
        let (_dir, open) = small_index();
        assert_eq!(briefs(&open, "Muttaqi"), ["c.txt"]);
        assert_eq!(briefs(&open, "Mutaqi~1"), ["c.txt"]);
        assert!(briefs(&open, "Mottaqi~0").is_empty());
        // muttaqi -> mottaki: two substitutions.
        assert_eq!(briefs(&open, "Muttaqi~1"), ["c.txt"]);
        assert_eq!(briefs(&open, "Muttaqi~2"), ["c.txt", "d.txt"]);
    }

    #[test]
    fn phrase_slop_lets_words_apart() {
        let (_dir, open) = small_index();
        assert_eq!(briefs(&open, "\"gas terminal\""), Vec::<String>::new());
        assert_eq!(briefs(&open, "\"gas terminal\"~1"), ["b.txt"]);
        assert_eq!(briefs(&open, "\"gas pipeline\""), ["a.txt"]);
        let parsed = parse_query(&open, "\"gas terminal\"~1", false).expect("parses");
        assert_eq!(parsed.highlight.phrases[0].slop, 1);
        assert!(parsed.highlight.terms.is_empty(), "a phrase is marked as a phrase");
    }

    #[test]
    fn filter_fields_are_taken_out_of_the_words() {
        let (_dir, open) = small_index();
        let parsed =
            parse_query(&open, "gas country:Iran actor:\"Amir Khan Muttaqi\" country:PK", false).expect("parses");
        assert_eq!(parsed.countries, ["Iran", "PK"]);
        assert_eq!(parsed.actors, ["Amir Khan Muttaqi"]);
        assert_eq!(briefs(&open, "gas country:Iran"), briefs(&open, "gas"));
        let only = parse_query(&open, "country:Iran", false).expect("parses");
        assert!(only.text.is_none(), "no words: browsing");
    }

    #[test]
    fn a_pattern_past_the_cap_keeps_the_most_frequent_words_and_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).expect("corpus");
        // 80 distinct words starting with `zed`; zed0..zed9 appear in two briefs.
        for i in 0..80 {
            let mut text = format!("Note {i}\n\nzedword{i:02}x");
            if i < 10 {
                text.push_str(" zedcommon");
            }
            std::fs::write(corpus.join(format!("{i:02}.txt")), text).expect("write");
        }
        std::fs::write(corpus.join("x.txt"), "More\n\nzedword00x zedword01x zedword02x\n").expect("write");
        let index = dir.path().join("index");
        build(&BuildOptions::new(&corpus, &index)).expect("build");
        let open = index::open(&index).expect("open");
        let parsed = parse_query(&open, "zed*", false).expect("parses");
        assert_eq!(parsed.highlight.terms.len(), MAX_EXPANSIONS);
        assert_eq!(parsed.notes.len(), 1, "{:?}", parsed.notes);
        assert!(parsed.notes[0].contains("81 words"), "{}", parsed.notes[0]);
        for kept in ["zedcommon", "zedword00x", "zedword01x", "zedword02x"] {
            assert!(parsed.highlight.terms.contains(kept), "{kept}");
        }
        // Ties on frequency go alphabetically: the last words are cut.
        assert!(!parsed.highlight.terms.contains("zedword79x"));
    }
}
