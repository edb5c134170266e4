//! Spelling variants of transliterated names: a query for `Muttaqi` also
//! finds `Mottaki` and `Muttaki`, `Kandahar` finds `Qandahar`, `Mohammad`
//! finds `Muhammad` and `Mohammed`.
//!
//! Names from Persian, Pashto, Arabic and the Turkic languages reach English
//! spelled many ways, and the differences follow a few patterns: the vowels
//! (`o`/`u`, `a`/`e`, `i`/`e`, `y` as a glide), one letter written `q`, `k`,
//! `gh` or `kh`, `zh` for `j`, `dh` for `z`, doubled consonants. [`name_key`]
//! erases exactly those differences. A query word that looks like a name
//! (capitalised, six letters or more, letters only, left alone by the
//! English stemmer) is looked up in the index's term dictionaries through an
//! automaton that accepts a superset of its spellings; the terms with the
//! same key and a spelling close to it (a vowel or two changed, a `y` or `h`
//! more or less) are added to the query as alternatives worth less than the word
//! itself. Common
//! words are spared (measured on the demo corpus's most frequent words, see
//! `tests/relevance.rs`): they are rarely capitalised in a query, seldom
//! escape the stemmer unchanged, and the edit distance tells chance
//! collisions of keys (`summit`, `someth`) from spellings of one name.

use std::collections::BTreeSet;

use tantivy_fst::Regex;

use crate::index::OpenIndex;
use crate::tokenize;

/// Shortest word whose variants are looked for: shorter keys collide too often.
const MIN_LETTERS: usize = 6;
/// Shortest variant accepted.
const MIN_VARIANT_LETTERS: usize = 5;
/// At most this many variants of one word are added.
const MAX_VARIANTS: usize = 8;

/// A term with the letters that stand for one sound written one way (`q`,
/// `kh`, `gh` as `k`; `zh` as `j`; `dh` as `z`; `w` as `v`) and doubled
/// letters single: `Muttaqi` -> `mutaki`. `None` for a term that is not
/// plain ASCII letters.
fn spelling(term: &str) -> Option<String> {
    let letters = term.as_bytes();
    if letters.is_empty() || !letters.iter().all(u8::is_ascii_lowercase) {
        return None;
    }
    let mut out = String::with_capacity(letters.len());
    let mut i = 0;
    while i < letters.len() {
        let (symbol, width) = match letters.get(i..i + 2) {
            Some(b"kh" | b"gh" | b"ck") => ('k', 2),
            Some(b"sh") => ('S', 2),
            Some(b"ch") => ('C', 2),
            Some(b"zh") => ('j', 2),
            Some(b"dh") => ('z', 2),
            Some(b"th") => ('t', 2),
            Some(b"ph") => ('f', 2),
            _ => (
                match letters[i] {
                    b'q' | b'c' | b'k' => 'k',
                    b'w' | b'v' => 'v',
                    other => other as char,
                },
                1,
            ),
        };
        if !out.ends_with(symbol) {
            out.push(symbol);
        }
        i += width;
    }
    Some(out)
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// The key that spellings of one transliterated name share: its
/// [`spelling`] with every run of vowels as one `_`.
pub fn name_key(term: &str) -> Option<String> {
    let mut key = String::new();
    for c in spelling(term)?.chars() {
        let c = if is_vowel(c) { '_' } else { c };
        if !key.ends_with(c) {
            key.push(c);
        }
    }
    Some(key)
}

/// Whether `variant` is a spelling of the name `term`: the same key, at
/// most one letter longer or shorter, and spellings close in
/// [`spelling_distance`] (so that a key shared by chance, `summit` and
/// `someth`, `through` and `truck`, `central` and `control`, does not count).
fn is_variant(term: &str, variant: &str) -> bool {
    match (spelling(term), spelling(variant)) {
        (Some(a), Some(b))
            if term != variant && term.len().abs_diff(variant.len()) <= 1 && name_key(term) == name_key(variant) =>
        {
            // One vowel to a neighbour in 5 letters; two changes from 6.
            let allowed = (a.len().max(b.len()) / 3).max(1);
            spelling_distance(&a, &b) <= allowed
        }
        _ => false,
    }
}

/// An edit distance, in halves, made for transliterations: a vowel for a
/// neighbouring one (`o`/`u`, `a`/`e`, `e`/`i`) costs 1, another letter
/// for another 2, a `y` or `h` coming or going 2 (`Tokayev` / `Toqaev`,
/// a doubled vowel), and any other letter coming or going 6:
/// spellings of one name differ in their vowels, not in their syllables.
fn spelling_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let indel = |c: char| if matches!(c, 'y' | 'h') { 2 } else { 6 };
    let substitution = |x: char, y: char| match (x, y) {
        _ if x == y => 0,
        ('o', 'u') | ('u', 'o') | ('a', 'e') | ('e', 'a') | ('e', 'i') | ('i', 'e') => 1,
        _ => 2,
    };
    let mut previous: Vec<usize> = Vec::with_capacity(b.len() + 1);
    previous.push(0);
    for &c in &b {
        let last = previous[previous.len() - 1];
        previous.push(last + indel(c));
    }
    for &ca in &a {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(previous[0] + indel(ca));
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous[j] + substitution(ca, cb);
            let delete = previous[j + 1] + indel(ca);
            let insert = row[j] + indel(cb);
            row.push(substitute.min(delete).min(insert));
        }
        previous = row;
    }
    previous[b.len()]
}

/// An automaton pattern accepting every spelling whose key is `key` (and
/// some more, filtered out by comparing keys).
fn key_pattern(key: &str) -> String {
    key.chars()
        .map(|symbol| match symbol {
            '_' => "[aeiouy]+".to_string(),
            'k' => "(k|q|c|kh|gh|ck)+".to_string(),
            'S' => "(sh)+".to_string(),
            'C' => "(ch)+".to_string(),
            'j' => "(j|zh)+".to_string(),
            'z' => "(z|dh)+".to_string(),
            't' => "(t|th)+".to_string(),
            'f' => "(f|ph)+".to_string(),
            'v' => "[vw]+".to_string(),
            other => format!("{other}+"),
        })
        .collect()
}

/// Whether a query word looks like a name worth expanding.
fn looks_like_name(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.clone().any(char::is_lowercase)
        && word.chars().count() >= MIN_LETTERS
        && word.chars().all(char::is_alphabetic)
}

/// Other spellings of `word`, if it looks like a name, found in the index,
/// as terms, most frequent first, at most [`MAX_VARIANTS`].
pub fn variants(open: &OpenIndex, word: &str) -> Vec<String> {
    if !looks_like_name(word) {
        return Vec::new();
    }
    let tokens = tokenize::analyze(word);
    let [token] = tokens.as_slice() else {
        return Vec::new();
    };
    let own = token.text.as_str();
    // A word the stemmer changed has an English ending: not a name.
    if own != word.to_lowercase() {
        return Vec::new();
    }
    let Some(key) = name_key(own) else {
        return Vec::new();
    };
    let Ok(automaton) = Regex::new(&key_pattern(&key)) else {
        return Vec::new();
    };
    let mut found: BTreeSet<(std::cmp::Reverse<u32>, String)> = BTreeSet::new();
    for reader in open.searcher.segment_readers() {
        for field in [open.fields.body, open.fields.title] {
            let Ok(index) = reader.inverted_index(field) else {
                continue;
            };
            let Ok(mut stream) = index.terms().search(&automaton).into_stream() else {
                continue;
            };
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if term.len() < MIN_VARIANT_LETTERS || !is_variant(own, term) {
                    continue;
                }
                // A term that the analyzer would not give back as itself
                // cannot be written into a query.
                if tokenize::analyze(term).first().map(|t| t.text.as_str()) != Some(term) {
                    continue;
                }
                let freq = stream.value().doc_freq;
                found.retain(|(_, t)| t != term);
                found.insert((std::cmp::Reverse(freq), term.to_string()));
            }
        }
    }
    found.into_iter().take(MAX_VARIANTS).map(|(_, t)| t).collect()
}

/// Rewrites the query so that each name-like word (outside quotes, not a
/// field value or an excluded word) also matches its spelling variants:
/// `Mottaki Islamabad` becomes `(Mottaki OR muttaqi^0.9) Islamabad`.
/// Returns the query unchanged when no word has a variant.
pub fn expand(open: &OpenIndex, query: &str, weight: f32) -> String {
    let mut out = String::with_capacity(query.len());
    let mut in_quote = false;
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let variants = variants(open, word);
        if variants.is_empty() {
            out.push_str(word);
        } else {
            out.push('(');
            out.push_str(word);
            for variant in variants {
                out.push_str(&format!(" OR {variant}^{weight}"));
            }
            out.push(')');
        }
        word.clear();
    };
    let mut previous = ' ';
    for c in query.chars() {
        if c == '"' {
            flush(&mut word, &mut out);
            in_quote = !in_quote;
            out.push(c);
        } else if in_quote {
            out.push(c);
        } else if c.is_alphabetic() && (!word.is_empty() || matches!(previous, ' ' | '(' | '\t' | '\n')) {
            word.push(c);
        } else if !word.is_empty() && (c.is_whitespace() || matches!(c, ')' | ',' | '?' | '.' | ';' | '!')) {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            // Part of something else (`title:Word`, `-Word`, `Word~1`, `Word*`):
            // written as typed.
            out.push_str(&word);
            word.clear();
            out.push(c);
        }
        previous = c;
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        is_variant(a, b)
    }

    #[test]
    fn spellings_of_one_name_share_a_key() {
        for (a, b) in [
            ("muttaqi", "mottaki"),
            ("muttaqi", "muttaki"),
            ("abdollahian", "abdullahian"),
            ("mohammad", "muhammad"),
            ("mohammad", "mohammed"),
            ("mohammad", "mohamed"),
            ("kandahar", "qandahar"),
            ("araghchi", "araqchi"),
            ("tashkent", "toshkent"),
            ("tokayev", "toqaev"),
            ("mirziyoyev", "mirziyoev"),
            ("japarov", "zhaparov"),
            ("termez", "termiz"),
            ("muhammad", "mohammed"),
        ] {
            assert!(same(a, b), "{a} / {b}: {:?} {:?}", name_key(a), name_key(b));
        }
    }

    #[test]
    fn different_names_keep_different_keys() {
        for (a, b) in [
            ("mohammad", "mahmood"),
            ("muttaqi", "mutahi"),
            ("summit", "someth"),
            ("support", "seaport"),
            ("through", "truck"),
            ("waiter", "water"),
            ("central", "control"),
            ("kandahar", "kunduz"),
            ("hassan", "hussain"),
        ] {
            assert!(!same(a, b), "{a} / {b}");
        }
        assert_eq!(name_key("ic-814"), None);
    }

    #[test]
    fn the_pattern_accepts_every_spelling_of_its_key() {
        let key = name_key("muttaqi").unwrap();
        let regex = regex_matches(&key_pattern(&key));
        for spelling in ["muttaqi", "mottaki", "muttaki", "motaqi", "muttakhi"] {
            assert!(regex(spelling), "{spelling}");
        }
        assert!(!regex("mutahi"));
    }

    /// Whether the automaton accepts a whole word (tantivy-fst regexes are anchored).
    fn regex_matches(pattern: &str) -> impl Fn(&str) -> bool {
        use tantivy_fst::Automaton;
        let regex = Regex::new(pattern).unwrap();
        move |word: &str| {
            let mut state = regex.start();
            for b in word.bytes() {
                state = regex.accept(&state, b);
            }
            regex.is_match(&state)
        }
    }

    #[test]
    fn only_capitalised_long_words_look_like_names() {
        assert!(looks_like_name("Muttaqi"));
        assert!(!looks_like_name("While"));
        assert!(!looks_like_name("muttaqi"));
        assert!(!looks_like_name("TAPI"));
        assert!(!looks_like_name("Iran"));
        assert!(!looks_like_name("IC-814"));
    }
}
