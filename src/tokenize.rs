//! The tantivy tokenizer for briefs.
//!
//! Words come from Unicode word bounds (UAX #29), so every script is split
//! into words instead of being dropped. On top of that the tokenizer keeps
//! the tokens analysts search for whole (`J&K`, `IC-814`, `@DrSJaishankar`,
//! `1961`), folds case and Latin diacritics (`Abdollāhiān` = `abdollahian`),
//! and normalises Persian and Arabic spellings of the same word (Arabic yeh
//! and kaf to their Persian forms, Eastern digits to ASCII, the zero-width
//! non-joiner kept inside the word). English stemming is a tantivy filter
//! on top, see [`analyzer`].

use tantivy::tokenizer::{Language, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Name under which [`analyzer`] is registered on every index.
pub const ANALYZER_NAME: &str = "briefs_en";

/// Tokens longer than this (in bytes) are noise (base64, URLs run together).
const MAX_TOKEN_BYTES: usize = 80;

/// The analyzer used for titles, headings and bodies: [`BriefTokenizer`]
/// followed by English stemming.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(BriefTokenizer)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Registers the analyzer on an index; tantivy stores only its name.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ANALYZER_NAME, analyzer());
}

/// Runs the full analyzer over `text`: the terms a query or a document gets.
pub fn analyze(text: &str) -> Vec<Token> {
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(analyzer());
    }
    ANALYZER.with(|cell| {
        let mut analyzer = cell.borrow_mut();
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        stream.process(&mut |t| tokens.push(t.clone()));
        tokens
    })
}

/// `text` analysed up front, for a field indexed from pre-tokenized text:
/// the indexer tokenizes on its own threads, and knows the exact number of
/// tokens of every field (which BM25's statistics are kept from).
pub fn pre_tokenized(text: &str) -> tantivy::tokenizer::PreTokenizedString {
    tantivy::tokenizer::PreTokenizedString {
        text: text.to_string(),
        tokens: analyze(text),
    }
}

/// UAX #29 words, normalised; see the module doc.
#[derive(Clone, Debug, Default)]
pub struct BriefTokenizer;

/// The tokens of one text, computed up front: texts are passages of a few
/// hundred words, and a vector makes the joining rules simple to read.
pub struct BriefTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for BriefTokenizer {
    type TokenStream<'a> = BriefTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BriefTokenStream {
        BriefTokenStream {
            tokens: tokenize(text),
            next: 0,
        }
    }
}

impl TokenStream for BriefTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

fn is_wordish(segment: &str) -> bool {
    segment.chars().any(char::is_alphanumeric)
}

/// Splits `text` into normalised tokens with byte offsets into `text`.
pub fn tokenize(text: &str) -> Vec<Token> {
    let segments: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
    let mut tokens = Vec::new();
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
        i = j;
    }
    tokens
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

/// [`normalise`] for an ASCII word: no decomposition or recomposition to
/// do, which is most words of English text and the indexer's hot path.
fn normalise_ascii(word: &str) -> String {
    let word = word
        .strip_suffix("'s")
        .or_else(|| word.strip_suffix("'S"))
        .or_else(|| word.strip_suffix('\''))
        .unwrap_or(word);
    word.bytes()
        .filter(|&b| b != b'.')
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
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
    fn offsets_point_into_the_original() {
        let text = "Erdoğan’s visit";
        let t = tokenize(text);
        assert_eq!(t[0].text, "erdogan");
        assert_eq!(&text[t[0].offset_from..t[0].offset_to], "Erdoğan’s");
    }
}
