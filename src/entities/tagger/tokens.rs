//! Tokens and sentences of running text, cut the way the training data
//! (CoNLL-style, Penn Treebank-like) is cut, so that features seen in
//! training fire at run time: words keep inner hyphens, apostrophes and
//! dots (`al-Burhan`, `O'Neill`, `U.S.`), a possessive `'s` is its own
//! token, punctuation marks are tokens, and abbreviations and initials keep
//! their dot (`Dr.`, `S.`).

use std::ops::Range;

/// A token as byte offsets into the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

/// Lower-cased words whose final dot belongs to them (CoNLL keeps `Mr.` whole).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "maj", "capt", "cpt", "st", "prof", "sen", "rep", "gov", "jr",
    "sr", "co", "corp", "inc", "ltd", "no", "vs", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "eng", "brig", "adm", "mt", "ft",
];

/// ASCII letters and digits, by byte: the tokeniser's inner loop reads one
/// table entry per byte instead of three range tests.
const ASCII_ALNUM: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

fn inner_mark(c: char) -> bool {
    matches!(c, '-' | '\'' | '\u{2019}' | '.' | '\u{200c}' | '\u{2010}' | '\u{2011}')
}

fn keeps_dot(word: &str) -> bool {
    let mut chars = word.chars();
    let single = matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic());
    if single || word.contains('.') {
        return true;
    }
    word.len() <= 5 && ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
}

/// Cuts `text` into tokens. Whitespace separates; every other
/// non-alphanumeric character is a token of its own unless it sits inside a
/// word.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    tokenize_into(text, &mut out);
    out
}

/// [`tokenize`] into a buffer (cleared first).
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let c = if b.is_ascii() {
            b as char
        } else {
            text[i..].chars().next().unwrap_or(' ')
        };
        let len = c.len_utf8();
        if c.is_whitespace() {
            i += len;
            continue;
        }
        if !c.is_alphanumeric() {
            out.push(Token { start: i, end: i + len });
            i += len;
            continue;
        }
        // A word: alphanumerics, with inner marks followed by an alphanumeric.
        let start = i;
        let mut end = i + len;
        loop {
            // ASCII letters and digits first, without decoding.
            while end < bytes.len() && ASCII_ALNUM[bytes[end] as usize] {
                end += 1;
            }
            // Most words end at a space: nothing to decode or join.
            if bytes.get(end) == Some(&b' ') {
                break;
            }
            let Some(d) = next_char(text, end) else { break };
            let joins = d.is_alphanumeric()
                || (inner_mark(d) && next_char(text, end + d.len_utf8()).is_some_and(char::is_alphanumeric));
            if !joins {
                break;
            }
            end += d.len_utf8();
        }
        if bytes.get(end) == Some(&b'.') && keeps_dot(&text[start..end]) {
            end += 1;
        }
        // "Karzai's" -> "Karzai" "'s", as in the training data.
        let word = &bytes[start..end];
        let n = word.len();
        let possessive = match word {
            [.., b'\'', b's' | b'S'] if n > 2 => 2,
            [.., 0xE2, 0x80, 0x99, b's'] if n > 4 => 4,
            _ => 0,
        };
        if possessive > 0 {
            out.push(Token {
                start,
                end: end - possessive,
            });
            out.push(Token {
                start: end - possessive,
                end,
            });
        } else {
            out.push(Token { start, end });
        }
        i = end;
    }
}

fn next_char(text: &str, at: usize) -> Option<char> {
    let b = *text.as_bytes().get(at)?;
    if b.is_ascii() {
        Some(b as char)
    } else {
        text[at..].chars().next()
    }
}

/// Sentences as token ranges: a break after `.`, `!` or `?` (or a word that
/// kept its dot and is no abbreviation) before a capitalised word, a quote
/// or the end; and at every line break.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for_each_sentence(text, tokens, |r| out.push(r));
    out
}

/// Calls `f` with each sentence of [`sentences`], without collecting them.
pub fn for_each_sentence(text: &str, tokens: &[Token], mut f: impl FnMut(Range<usize>)) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for i in 0..tokens.len() {
        let t = tokens[i];
        let next = tokens.get(i + 1);
        let Some(next) = next else { break };
        // Most tokens are followed by nothing or one space: no search.
        let line_break = match &bytes[t.end..next.start] {
            [] => false,
            [b] => *b == b'\n',
            gap => gap.contains(&b'\n'),
        };
        if line_break {
            f(start..i + 1);
            start = i + 1;
            continue;
        }
        let ends = t.end == t.start + 1 && matches!(bytes[t.start], b'.' | b'!' | b'?');
        if ends {
            let following = next_char(text, next.start).unwrap_or(' ');
            if following.is_uppercase() || matches!(following, '"' | '\u{201c}' | '\'' | '\u{2018}' | '(') {
                f(start..i + 1);
                start = i + 1;
            }
        }
    }
    if start < tokens.len() {
        f(start..tokens.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| &text[t.start..t.end]).collect()
    }

    #[test]
    fn words_keep_inner_marks_and_abbreviation_dots() {
        assert_eq!(
            words("Dr. S. Jaishankar met al-Burhan's envoy in the U.S. on Monday."),
            [
                "Dr.",
                "S.",
                "Jaishankar",
                "met",
                "al-Burhan",
                "'s",
                "envoy",
                "in",
                "the",
                "U.S.",
                "on",
                "Monday",
                "."
            ]
        );
        assert_eq!(
            words("(Amir-Abdollahian, 2024)"),
            ["(", "Amir-Abdollahian", ",", "2024", ")"]
        );
        assert_eq!(words("Kabul’s — “well”"), ["Kabul", "’s", "—", "“", "well", "”"]);
    }

    #[test]
    fn sentences_break_before_capitals_and_at_lines() {
        let text = "He met Mr. Khan. Then he left.\nNext line";
        let toks = tokenize(text);
        let s = sentences(text, &toks);
        let first: Vec<&str> = toks[s[0].clone()].iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(first, ["He", "met", "Mr.", "Khan", "."]);
        assert_eq!(s.len(), 3);
    }
}
