//! The tantivy tokenizer for briefs.
//!
//! Words come from Unicode word bounds (UAX #29, made fast for ASCII in
//! [`segment`]), so every script is split into words instead of being
//! dropped. On top of that the tokenizer keeps the tokens analysts search
//! for whole (`J&K`, `IC-814`, `@DrSJaishankar`, `1961`), folds case and
//! Latin diacritics (`Abdollāhiān` = `abdollahian`), normalises Persian and
//! Arabic spellings of the same word (Arabic yeh and kaf to their Persian
//! forms, Eastern digits to ASCII, the zero-width non-joiner kept inside the
//! word), and stems English words (Snowball, the same `frostem` stemmer as
//! tantivy's filter).
//!
//! Turning a word into its term (folding, then stemming) is cached per
//! thread: news text repeats a small vocabulary, and the cache makes most
//! words one hash lookup.

mod segment;

use std::cell::RefCell;
use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;

pub use segment::{count_words, word_segments};

/// Name under which [`analyzer`] is registered on every index.
pub const ANALYZER_NAME: &str = "briefs_en";
/// Name of the analyzer of the index's searched fields, whose values are
/// already terms ([`push_terms`]); see [`TermsTokenizer`].
pub const TERMS_ANALYZER_NAME: &str = "briefs_terms";
/// What separates the terms of a [`push_terms`] string. No term holds it:
/// terms come from UAX #29 word segments, and white space is never inside one.
const TERM_SEPARATOR: u8 = b' ';

/// Tokens longer than this (in bytes) are noise (base64, URLs run together).
const MAX_TOKEN_BYTES: usize = 80;

/// Words the term cache holds per thread before it starts again.
const TERM_CACHE_WORDS: usize = 1 << 18;
/// Bytes of word and term the term cache reserves per word.
const TERM_CACHE_BYTES_PER_WORD: usize = 16;

/// The analyzer used for titles, headings, bodies and authors.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(BriefTokenizer)
}

/// Registers the analyzers on an index; tantivy stores only their names.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ANALYZER_NAME, analyzer());
    index
        .tokenizers()
        .register(TERMS_ANALYZER_NAME, TextAnalyzer::from(TermsTokenizer));
}

/// Runs the analyzer over `text`: the terms a query or a document gets.
pub fn analyze(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for_each_token(text, |t| tokens.push(t.clone()));
    tokens
}

/// [`analyze`] without collecting: `f` sees each token in turn.
pub fn for_each_token(text: &str, mut f: impl FnMut(&Token)) {
    let mut tokenizer = BriefTokenizer;
    let mut stream = tokenizer.token_stream(text);
    stream.process(&mut |t| f(t));
}

/// UAX #29 words, folded and stemmed; see the module doc.
#[derive(Clone, Debug, Default)]
pub struct BriefTokenizer;

/// The terms of one text, produced one at a time into a reused token.
pub struct BriefTokenStream<'a> {
    text: &'a str,
    spans: Vec<(usize, usize)>,
    next: usize,
    token: Token,
}

impl Tokenizer for BriefTokenizer {
    type TokenStream<'a> = BriefTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BriefTokenStream<'a> {
        let mut spans = Vec::with_capacity(text.len() / 6);
        for_each_span(text, |start, end| spans.push((start, end)));
        BriefTokenStream {
            text,
            spans,
            next: 0,
            token: Token {
                position: usize::MAX,
                ..Token::default()
            },
        }
    }
}

impl TokenStream for BriefTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some(&(start, end)) = self.spans.get(self.next) {
            self.next += 1;
            if term_of(&self.text[start..end], &mut self.token.text) {
                next_position(&mut self.token, start, end);
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Moves `token`, whose text is set, to the next position, at bytes
/// `start..end`: both tokenizers give one position per term.
fn next_position(token: &mut Token, start: usize, end: usize) {
    token.offset_from = start;
    token.offset_to = end;
    token.position = token.position.wrapping_add(1);
    token.position_length = 1;
}

/// Appends the terms [`analyzer`] gives for `text` to `out`, each followed
/// by a space, and returns how many there are.
///
/// The indexer analyses each text once, on the threads that read and
/// extract, and gives tantivy these strings, which [`TermsTokenizer`]
/// only splits. One analysis then serves the token counts BM25 needs, a
/// passage's body, its brief's title on every passage (analysed once per
/// brief) and the whole brief's `brief_text` (the passages' strings put
/// end to end); analysing each of them where tantivy indexes it cut the
/// same words into terms three times.
pub fn push_terms(text: &str, out: &mut String) -> usize {
    push_terms_and_folds(text, out, None::<fn(&str)>)
}

/// [`push_terms`], calling `folded` as well with each word folded but not
/// stemmed, as [`for_each_folded_word`] does: a passage's near-duplicate
/// shingles come from the same pass over its words.
pub fn push_terms_folding(text: &str, out: &mut String, folded: impl FnMut(&str)) -> usize {
    push_terms_and_folds(text, out, Some(folded))
}

/// [`push_terms`], folding each word for `folded` only when there is one
/// (titles, headings and authors need no shingles).
fn push_terms_and_folds(text: &str, out: &mut String, mut folded: Option<impl FnMut(&str)>) -> usize {
    let mut count = 0;
    let mut fold = String::new();
    for_each_span(text, |start, end| {
        let word = &text[start..end];
        let before = out.len();
        if push_term(word, out) {
            debug_assert!(!out.as_bytes()[before..].contains(&TERM_SEPARATOR));
            out.push(char::from(TERM_SEPARATOR));
            count += 1;
        }
        if let Some(folded) = folded.as_mut() {
            fold_into(word, &mut fold);
            if !fold.is_empty() && fold.len() <= MAX_TOKEN_BYTES {
                folded(&fold);
            }
        }
    });
    count
}

/// The tokenizer of fields whose values are [`push_terms`] strings: each
/// term is a token, at the next position, as [`BriefTokenizer`] gave it.
#[derive(Clone, Debug, Default)]
pub struct TermsTokenizer;

/// The tokens of a [`push_terms`] string; offsets are into that string.
pub struct TermsTokenStream<'a> {
    terms: &'a str,
    next: usize,
    token: Token,
}

impl Tokenizer for TermsTokenizer {
    type TokenStream<'a> = TermsTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, terms: &'a str) -> TermsTokenStream<'a> {
        TermsTokenStream {
            terms,
            next: 0,
            token: Token {
                position: usize::MAX,
                ..Token::default()
            },
        }
    }
}

impl TokenStream for TermsTokenStream<'_> {
    fn advance(&mut self) -> bool {
        // Terms are short: a byte loop beats setting up `memchr` for each.
        let bytes = self.terms.as_bytes();
        let mut start = self.next;
        while start < bytes.len() && bytes[start] == TERM_SEPARATOR {
            start += 1;
        }
        if start == bytes.len() {
            self.next = start;
            return false;
        }
        let mut end = start;
        while end < bytes.len() && bytes[end] != TERM_SEPARATOR {
            end += 1;
        }
        self.next = end;
        // The separator is ASCII, so `start` and `end` are on char boundaries.
        self.token.text.clear();
        self.token.text.push_str(&self.terms[start..end]);
        next_position(&mut self.token, start, end);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// A thread's memory of words already turned into terms. Words and their
/// terms sit side by side in one buffer and the table holds where: about
/// 25 bytes a word. The map of boxed strings it replaces took about 100
/// (two allocations a word), 26 MB per indexing thread once full.
struct TermCache {
    text: String,
    entries: HashTable<CachedTerm>,
    hasher: FxBuildHasher,
    stemmer: frostem::Stemmer,
}

/// Where a word and its term are in [`TermCache::text`]: the word at
/// `start`, its term right after it.
#[derive(Clone, Copy)]
struct CachedTerm {
    start: u32,
    word_len: u8,
    term_len: u8,
}

impl CachedTerm {
    fn word<'t>(&self, text: &'t str) -> &'t str {
        let start = self.start as usize;
        &text[start..start + usize::from(self.word_len)]
    }

    fn term<'t>(&self, text: &'t str) -> &'t str {
        let start = self.start as usize + usize::from(self.word_len);
        &text[start..start + usize::from(self.term_len)]
    }
}

impl TermCache {
    fn get(&self, word: &str) -> Option<&str> {
        let hash = self.hasher.hash_one(word);
        let text = self.text.as_bytes();
        let word = word.as_bytes();
        let entry = self.entries.find(hash, |e| {
            let start = e.start as usize;
            usize::from(e.word_len) == word.len() && &text[start..start + word.len()] == word
        })?;
        Some(entry.term(&self.text))
    }

    fn insert(&mut self, word: &str, term: &str) {
        let (Ok(word_len), Ok(term_len)) = (u8::try_from(word.len()), u8::try_from(term.len())) else {
            return; // longer than any word worth caching
        };
        if self.entries.len() >= TERM_CACHE_WORDS {
            self.entries.clear();
            self.text.clear();
        }
        if self.text.capacity() == 0 {
            // Room for a full cache at once: growing by copying cost more
            // than the lookups. Untouched pages of it take no memory.
            self.text.reserve(TERM_CACHE_WORDS * TERM_CACHE_BYTES_PER_WORD);
        }
        let entry = CachedTerm {
            start: self.text.len() as u32,
            word_len,
            term_len,
        };
        self.text.push_str(word);
        self.text.push_str(term);
        let TermCache {
            text, entries, hasher, ..
        } = self;
        entries.insert_unique(hasher.hash_one(word), entry, |e| hasher.hash_one(e.word(text)));
    }
}

thread_local! {
    static TERMS: RefCell<TermCache> = RefCell::new(TermCache {
        text: String::new(),
        entries: HashTable::new(),
        hasher: FxBuildHasher,
        stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
    });
}

/// Writes the term of `word` into `out`; false when the word gives no term
/// (nothing left after folding, or longer than [`MAX_TOKEN_BYTES`]).
fn term_of(word: &str, out: &mut String) -> bool {
    out.clear();
    push_term(word, out)
}

/// Appends the term of `word` to `out`; false when the word gives none.
fn push_term(word: &str, out: &mut String) -> bool {
    let before = out.len();
    TERMS.with(|cell| {
        let mut cache = cell.borrow_mut();
        if let Some(term) = cache.get(word) {
            out.push_str(term);
            return;
        }
        let folded = normalise(word);
        if !folded.is_empty() && folded.len() <= MAX_TOKEN_BYTES {
            out.push_str(&cache.stemmer.stem(&folded));
        }
        cache.insert(word, &out[before..]);
    });
    out.len() > before
}

fn is_wordish(segment: &str) -> bool {
    segment.chars().any(char::is_alphanumeric)
}

/// Splits `text` into folded (not stemmed) tokens with byte offsets into
/// `text`: what the analyzer stems.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for_each_span(text, |start, end| {
        let normalised = normalise(&text[start..end]);
        if !normalised.is_empty() && normalised.len() <= MAX_TOKEN_BYTES {
            tokens.push(Token {
                offset_from: start,
                offset_to: end,
                position: tokens.len(),
                text: normalised,
                position_length: 1,
            });
        }
    });
    tokens
}

/// Calls `f` with every word of `text` folded as the analyzer folds it,
/// but not stemmed: near-duplicate shingles need words that compare
/// equal, not search terms, and stemming is most of the analyzer's cost
/// on text it has not seen. ASCII words are folded into one reused buffer.
pub fn for_each_folded_word(text: &str, mut f: impl FnMut(&str)) {
    let mut folded = String::new();
    for_each_span(text, |start, end| {
        fold_into(&text[start..end], &mut folded);
        if !folded.is_empty() && folded.len() <= MAX_TOKEN_BYTES {
            f(&folded);
        }
    });
}

/// Puts [`normalise`] of `word` in `folded`, reusing its buffer for ASCII words.
fn fold_into(word: &str, folded: &mut String) {
    if word.is_ascii() {
        folded.clear();
        push_normalised_ascii(word, folded);
    } else {
        *folded = normalise(word);
    }
}

/// The number of terms the analyzer gives for `text`. (The indexer counts
/// them while it analyses: [`push_terms`].)
pub fn count_tokens(text: &str) -> usize {
    push_terms(text, &mut String::new())
}

/// Calls `f` with the byte span of every word of `text`: UAX #29 words,
/// with `@handle`, `#tag`, `J&K` and `IC-814` joined into one.
fn for_each_span(text: &str, mut f: impl FnMut(usize, usize)) {
    let segments = word_segments(text);
    let mut i = 0;
    while i < segments.len() {
        let (start, segment) = segments[i];
        let mut end = start + segment.len();
        let mut j = i + 1;
        if !is_wordish(segment) {
            // `@handle` and `#tag`: the sign is part of what users type.
            let is_sign = segment == "@" || segment == "#";
            if !(is_sign && segments.get(j).is_some_and(|s| is_wordish(s.1))) {
                i += 1;
                continue;
            }
            end = segments[j].0 + segments[j].1.len();
            j += 1;
        }
        // Join `J&K` (short words around `&`) and `IC-814` (a hyphen next to digits).
        while let (Some(&(_, glue)), Some(&(next_start, next))) = (segments.get(j), segments.get(j + 1)) {
            let left = &text[start..end];
            let joins = match glue {
                "&" => left.chars().count() <= 4 && next.chars().count() <= 4 && is_wordish(next),
                "-" | "\u{2011}" => {
                    is_wordish(next)
                        && (left.chars().any(|c| c.is_ascii_digit()) || next.chars().any(|c| c.is_ascii_digit()))
                }
                _ => false,
            };
            if !joins {
                break;
            }
            end = next_start + next.len();
            j += 2;
        }
        f(start, end);
        i = j;
    }
}

/// Lower-cases and folds one word.
pub fn normalise(word: &str) -> String {
    if word.is_ascii() {
        return normalise_ascii(word);
    }
    let word = word.replace(['\u{2019}', '\u{2018}', '\u{02bc}'], "'");
    let word = word
        .strip_suffix("'s")
        .or_else(|| word.strip_suffix("'S"))
        .or_else(|| word.strip_suffix('\''))
        .unwrap_or(&word);
    let mut out = String::with_capacity(word.len());
    let mut previous_base: Option<char> = None;
    for c in word.nfd() {
        if is_combining_mark(c) {
            let folds = previous_base.is_some_and(|b| (b as u32) < 0x0530) || is_arabic_harakat(c);
            if folds {
                continue;
            }
        }
        previous_base = Some(c);
        match c {
            'ı' => out.push('i'),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'þ' | 'Þ' => out.push_str("th"),
            // Arabic yeh and alef maksura to Persian yeh; Arabic kaf to keheh.
            '\u{064a}' | '\u{0649}' => out.push('\u{06cc}'),
            '\u{0643}' => out.push('\u{06a9}'),
            // Persian and Arabic-Indic digits to ASCII.
            '\u{06f0}'..='\u{06f9}' => out.push(char::from(b'0' + (c as u32 - 0x06f0) as u8)),
            '\u{0660}'..='\u{0669}' => out.push(char::from(b'0' + (c as u32 - 0x0660) as u8)),
            // Tatweel only stretches a word.
            '\u{0640}' => {}
            _ => out.extend(c.to_lowercase()),
        }
    }
    // `U.S.` and `u.s` are one token, `us`; a lone dot is not part of a word.
    if out.contains('.') {
        out.retain(|c| c != '.');
    }
    out.trim_matches('\u{200c}').nfc().collect()
}

/// An ASCII word without its possessive `'s` or trailing apostrophe.
fn strip_possessive(word: &str) -> &str {
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("'S"))
        .or_else(|| word.strip_suffix('\''))
        .unwrap_or(word)
}

/// [`normalise`] for an ASCII word: no decomposition or recomposition to
/// do, which is most words of English text and the indexer's hot path.
fn normalise_ascii(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    push_normalised_ascii(word, &mut out);
    out
}

/// Appends [`normalise_ascii`] of `word` to `out`, for callers that reuse
/// one buffer.
fn push_normalised_ascii(word: &str, out: &mut String) {
    out.extend(
        strip_possessive(word)
            .bytes()
            .filter(|&b| b != b'.')
            .map(|b| b.to_ascii_lowercase() as char),
    );
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036f | 0x1ab0..=0x1aff | 0x1dc0..=0x1dff | 0x064b..=0x065f | 0x0670)
}

fn is_arabic_harakat(c: char) -> bool {
    matches!(c as u32, 0x064b..=0x065f | 0x0670)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    fn term(word: &str) -> String {
        let mut out = String::new();
        term_of(word, &mut out);
        out
    }

    /// The term cache gives the same terms as computing them, across the
    /// point where it is full and starts again, and for words too long to
    /// keep in it.
    #[test]
    fn term_cache_gives_computed_terms_when_full_and_for_long_words() {
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        let computed = |word: &str| stemmer.stem(&normalise(word)).to_string();
        let long = "ab".repeat(200);
        assert_eq!(term("Pipelines"), "pipelin");
        for i in 0..TERM_CACHE_WORDS + 10 {
            let word = format!("talk{i}ed");
            assert_eq!(term(&word), computed(&word));
        }
        assert_eq!(term("Pipelines"), "pipelin");
        assert_eq!(term("Pipelines"), "pipelin");
        assert_eq!(term("talk7ed"), computed("talk7ed"));
        assert_eq!(term("talk7ed"), computed("talk7ed"));
        assert_eq!(term(&long), "");
        assert_eq!(term("Abdollāhiān"), "abdollahian");
        assert_eq!(term("Abdollāhiān"), "abdollahian");
    }

    #[test]
    fn keeps_special_tokens() {
        assert_eq!(words("J&K and IC-814"), ["j&k", "and", "ic-814"]);
        assert_eq!(
            words("(@DrSJaishankar) #TAPI 1961"),
            ["@drsjaishankar", "#tapi", "1961"]
        );
        assert_eq!(
            words("Turkmenistan-Afghanistan-Pakistan"),
            ["turkmenistan", "afghanistan", "pakistan"]
        );
        assert_eq!(words("the U.S.-led invasion"), ["the", "us", "led", "invasion"]);
    }

    #[test]
    fn ascii_and_general_paths_fold_alike() {
        for (ascii, other, folded) in [
            ("U.S.", "U.S.\u{2019}", "us"),
            ("Taliban's", "Taliban\u{2019}s", "taliban"),
            ("O'Neill", "O\u{2019}Neill", "o'neill"),
            ("minister'", "minister\u{2019}", "minister"),
            ("J&K", "J&K", "j&k"),
            ("Erdogan", "Erdo\u{11f}an", "erdogan"),
        ] {
            assert_eq!(normalise(ascii), folded, "{ascii}");
            assert_eq!(normalise(other), folded, "{other}");
        }
    }

    #[test]
    fn count_agrees_with_tokenize() {
        for text in [
            "J&K and IC-814, the U.S.-led talks; Erdoğan’s visit to Türkiye.",
            "@DrSJaishankar #TAPI 1961 ... -- ' 's O'Neill's",
            "Persian: ۱۴۰۲ مذاکرات‌ها كتاب",
            &"x".repeat(81),
            &"é".repeat(50),
            "",
        ] {
            assert_eq!(count_tokens(text), tokenize(text).len(), "{text}");
        }
    }

    /// A text analysed once into a terms string, then split by the
    /// index's tokenizer, gives the terms, positions and count the
    /// analyzer gives, and the folded words near-duplicate shingles read;
    /// strings put end to end give the terms of the texts put end to end
    /// on separate lines (what `brief_text` relies on).
    #[test]
    fn terms_strings_tokenize_as_the_analyzer() {
        let texts = [
            "J&K and IC-814, the U.S.-led talks; Erdoğan’s visit to Türkiye.",
            "@DrSJaishankar #TAPI 1961 ... -- ' 's O'Neill's @",
            "Persian: ۱۴۰۲ مذاکرات‌ها كتاب\u{a0}x\u{202f}y\u{3000}z",
            &"x".repeat(81),
            "",
            "  \n ",
        ];
        let split = |terms: &str| {
            let mut tokens = Vec::new();
            TermsTokenizer
                .token_stream(terms)
                .process(&mut |t| tokens.push((t.text.clone(), t.position)));
            tokens
        };
        let mut all = String::new();
        for text in texts {
            let mut terms = String::new();
            let count = push_terms(text, &mut terms);
            let expected: Vec<(String, usize)> = analyze(text).into_iter().map(|t| (t.text, t.position)).collect();
            assert_eq!(split(&terms), expected, "{text}");
            assert_eq!(count, expected.len(), "{text}");
            let (mut folded, mut alone) = (Vec::new(), Vec::new());
            push_terms_folding(text, &mut String::new(), |w| folded.push(w.to_string()));
            for_each_folded_word(text, |w| alone.push(w.to_string()));
            assert_eq!(folded, alone, "{text}");
            all.push_str(&terms);
        }
        let joined: Vec<String> = analyze(&texts.join("\n")).into_iter().map(|t| t.text).collect();
        let split_all: Vec<String> = split(&all).into_iter().map(|t| t.0).collect();
        assert_eq!(split_all, joined);
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "Erdoğan’s visit";
        let t = tokenize(text);
        assert_eq!(t[0].text, "erdogan");
        assert_eq!(&text[t[0].offset_from..t[0].offset_to], "Erdoğan’s");
    }
}
