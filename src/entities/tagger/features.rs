//! Features of a token, hashed into a fixed table so that the weights stay
//! a few MB whatever the vocabulary: the lower-cased word, its shape
//! (`Xx`, `X.X.`, `x-Xx`), prefixes and suffixes of 2-4 characters (they
//! carry -ullah, -uddin, -zai, -ov, -zada, -stan), the words and shapes two
//! either side, sentence-initial position, membership in our own lists
//! (people, organisations, places, titles and roles, speech verbs), whether
//! the training text writes the word in lower case ([`Vocab`]), and what the
//! rest of the document says about it ([`DocWords`]: a capital at the start
//! of a sentence says nothing, the same word elsewhere does).
//!
//! Everything is computed from characters without allocating: a word's
//! hash is fed its lower-cased characters one by one.

use std::ops::Range;

use rustc_hash::{FxHashMap, FxHashSet};

use super::super::data;
use super::super::people;

/// Odd constant of the multiplicative hash (the golden ratio, as in FxHash).
const K: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
pub(super) fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(K)
}

/// The finaliser of splitmix64: spreads a weak hash over all bits before
/// the top bits pick a bucket.
#[inline]
pub(super) fn finish(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// Calls `f` with each lower-cased character of `word`.
#[inline]
fn lower_chars(word: &str, mut f: impl FnMut(char)) {
    for c in word.chars() {
        if c.is_ascii() {
            f(c.to_ascii_lowercase());
        } else {
            for l in c.to_lowercase() {
                f(l);
            }
        }
    }
}

/// The hash of a word, ignoring case.
pub fn word_hash(word: &str) -> u64 {
    let mut h = WORD_SEED;
    lower_chars(word, |c| h = mix(h, c as u64));
    h
}

/// The first character of `c` lower-cased (affixes use one character per character).
#[inline]
fn lower1(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

const PREFIX_SEED: u64 = 0x2545_f491_4f6c_dd1d;
const SUFFIX_SEED: u64 = 0x6a09_e667_f3bc_c909;

/// The hashes of the first 2, 3, ... `N + 1` lower-cased characters of
/// `word` (one pass; a hash is 0 where the word is too short).
#[inline]
fn prefix_hashes<const N: usize>(word: &str) -> [u64; N] {
    let mut out = [0; N];
    let mut h = PREFIX_SEED;
    for (k, c) in word.chars().take(N + 1).enumerate() {
        h = mix(h, lower1(c) as u64);
        if k >= 1 {
            out[k - 1] = h;
        }
    }
    out
}

/// As [`prefix_hashes`], for the last characters read backwards.
#[inline]
fn suffix_hashes<const N: usize>(word: &str) -> [u64; N] {
    let mut out = [0; N];
    let mut h = SUFFIX_SEED;
    for (k, c) in word.chars().rev().take(N + 1).enumerate() {
        h = mix(h, lower1(c) as u64);
        if k >= 1 {
            out[k - 1] = h;
        }
    }
    out
}

/// The hash of the last `n` lower-cased characters of `word`, if it has them.
#[cfg(test)]
fn suffix_hash(word: &str, n: usize) -> Option<u64> {
    (word.chars().count() >= n).then(|| suffix_hashes::<8>(word)[n - 2])
}

/// The hash of a word's shape: `X` upper, `x` lower, `d` digit, other
/// characters as they are, runs of one class written once.
fn shape_hash(word: &str) -> u64 {
    let mut h = 0x3c6e_f372_fe94_f82b;
    let mut last = '\0';
    for c in word.chars() {
        let class = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else if c.is_alphabetic() {
            // Letters without case (Arabic, Chinese) read as lower-case.
            'x'
        } else {
            c
        };
        if class != last {
            h = mix(h, class as u64);
            last = class;
        }
    }
    h
}

/// Token flags.
pub mod flag {
    /// Has an upper-case letter: can be (part of) a name.
    pub const ACTIVE: u16 = 1;
    /// Can join two name words ("of", "and", "al", "bin", "de", "&").
    pub const CONNECTOR: u16 = 2;
    /// Starts with an upper-case letter.
    pub const CAPITAL: u16 = 4;
    /// Every letter upper-case, two letters or more.
    pub const ALL_CAPS: u16 = 8;
    /// Has a digit.
    pub const DIGIT: u16 = 16;
    /// A word of a person's name in `data/people.toml`.
    pub const PERSON_WORD: u16 = 32;
    /// A title, honorific or role ("minister", "Mawlawi", "spokesman").
    pub const ROLE: u16 = 64;
    /// A speech verb ("said", "told").
    pub const SPEECH: u16 = 128;
    /// A word of an organisation's name in `data/orgs.toml`.
    pub const ORG_WORD: u16 = 256;
    /// A given name in `data/names.txt`.
    pub const GIVEN: u16 = 512;
    /// One of the frequent surnames in `data/names.txt`.
    pub const SURNAME: u16 = 1024;
    /// A capitalised closed-class word ("The", "However"); see [`super::is_stop_word`].
    pub const STOP: u16 = 2048;
    /// A capitalised word that the training text also writes in lower
    /// case ("Laboratory", "Police"): an ordinary word, not a name.
    pub const LOWER_SEEN: u16 = 4096;
}

/// Words seen in lower case in the training text, as a bit table over
/// their hashes (a few KB; a false hit costs one weak feature, no more).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocab {
    bits: u32,
    table: Vec<u64>,
}

impl Vocab {
    /// An empty table of `1 << bits` bits.
    pub fn new(bits: u32) -> Vocab {
        let bits = bits.min(24);
        Vocab {
            bits,
            table: vec![0; if bits == 0 { 0 } else { (1usize << bits).div_ceil(64) }],
        }
    }

    /// From its parts, as stored in the weights file.
    pub fn from_parts(bits: u32, table: Vec<u64>) -> Option<Vocab> {
        let words = if bits == 0 { 0 } else { (1usize << bits).div_ceil(64) };
        (bits <= 24 && table.len() == words).then_some(Vocab { bits, table })
    }

    pub fn bits(&self) -> u32 {
        self.bits
    }

    pub fn table(&self) -> &[u64] {
        &self.table
    }

    fn slot(&self, hash: u64) -> usize {
        (finish(hash) >> (64 - self.bits)) as usize
    }

    /// Records a word by its [`word_hash`].
    pub fn insert(&mut self, hash: u64) {
        if self.bits > 0 {
            let k = self.slot(hash);
            self.table[k / 64] |= 1 << (k % 64);
        }
    }

    pub fn contains(&self, hash: u64) -> bool {
        self.bits > 0 && {
            let k = self.slot(hash);
            self.table[k / 64] & (1 << (k % 64)) != 0
        }
    }

    /// Records every word of `words` written in lower case (letters, at
    /// least two, none upper-case).
    pub fn add_lower_words<'a>(&mut self, words: impl IntoIterator<Item = &'a str>) {
        for w in words {
            let mut letters = 0;
            let mut upper = false;
            for c in w.chars() {
                upper |= c.is_uppercase();
                letters += c.is_lowercase() as usize;
            }
            if !upper && letters >= 2 {
                self.insert(word_hash(w));
            }
        }
    }
}

/// Given names and surnames (see the file's header for where they come from).
const NAMES: &str = include_str!("../../../data/names.txt");

/// Kinds of list entries a phrase can match.
pub mod phrase {
    pub const PERSON: u8 = 1;
    pub const ORG: u8 = 2;
    pub const PLACE: u8 = 4;
    pub const DEMONYM: u8 = 8;
}

/// Words that can join two name words ("of", "and", "al", "bin", "de",
/// "&"), as written in lower case.
fn is_connector(word: &str) -> bool {
    matches!(
        word,
        "of" | "for"
            | "and"
            | "the"
            | "de"
            | "al"
            | "bin"
            | "ibn"
            | "bint"
            | "el"
            | "la"
            | "le"
            | "du"
            | "van"
            | "von"
            | "der"
            | "den"
            | "y"
            | "on"
            | "ul"
            | "ud"
            | "e"
            | "da"
            | "di"
            | "&"
            | "'s"
            | "\u{2019}s"
            | "in"
            | "at"
    )
}

/// What the rest of a document says about a capitalised word, as bits of
/// [`TokenInfo::doc`]. A sentence-initial capital says nothing, but the
/// same word elsewhere does: written in lower case it is an ordinary word
/// ("Police"), capitalised mid-sentence it is a name, and the last word of
/// a longer name ("Watson" after "James D. Watson") is that name's surname.
pub mod doc {
    /// Written in lower case elsewhere in the document.
    pub const LOWER: u8 = 1;
    /// Capitalised in the middle of a sentence elsewhere.
    pub const CAP_MID: u8 = 2;
    /// The last word of a run of two or more capitalised words elsewhere.
    pub const RUN_LAST: u8 = 4;
    /// The first word of such a run elsewhere.
    pub const RUN_FIRST: u8 = 8;
}

/// How often each word of a document occurs in each of the ways [`doc`]
/// names, by [`word_hash`]. Built once per document (a brief, a data set's
/// document) before its sentences are tagged, in two passes: every
/// sentence through [`DocWords::add_capitals`], then every sentence
/// through [`DocWords::add_lower`] (only the capitalised words are asked
/// about, so only their lower-case uses are counted).
#[derive(Debug, Default, Clone)]
pub struct DocWords {
    counts: FxHashMap<u64, [u8; 4]>,
    /// The first stage's spans of each type that hold a capitalised word,
    /// over the whole document ([`DocWords::vote`]): what the second stage
    /// reads as "this word was tagged TYPE elsewhere".
    votes: FxHashMap<u64, [u16; 3]>,
    /// A bit per (first two bytes, length) of the capitalised words, so
    /// that most lower-case words are passed over without being hashed.
    seen: Vec<u64>,
    /// The [`word_hash`] of each word written in capitals ("ADB", "NFP").
    acronyms: FxHashSet<u64>,
    /// The hashes of the initials of every stretch of two or more
    /// capitalised words within a run ("Asian Development Bank": "ad",
    /// "adb", "db"), as [`word_hash`] would hash them.
    initials: FxHashSet<u64>,
}

/// The seed of [`word_hash`], so that initials hash as the word they spell.
const WORD_SEED: u64 = 0x51_7cc1_b727_220a;

/// The longest stretch of capitalised words whose initials are recorded.
const MAX_INITIALS: usize = 10;

/// Where a token sits among capitalised runs: (first of a run of 2+, last of one).
fn run_position(capital: impl Fn(usize) -> bool, n: usize, k: usize) -> (bool, bool) {
    let before = k > 0 && capital(k - 1);
    let after = k + 1 < n && capital(k + 1);
    (!before && after, before && !after)
}

const SEEN_BITS: usize = 4096;

/// The [`DocWords::seen`] slot of a word, ignoring ASCII case.
#[inline]
fn seen_slot(word: &str) -> usize {
    let b = word.as_bytes();
    let (b0, b1) = match b {
        [] => (0, 0),
        [x] => (*x, 0),
        [x, y, ..] => (*x, *y),
    };
    ((b0 | 0x20) as usize * 31 + (b1 | 0x20) as usize) * 7 + b.len() * 131
}

impl DocWords {
    pub fn clear(&mut self) {
        self.counts.clear();
        // Zeroed, not freed: a build clears one per brief.
        self.seen.fill(0);
        self.votes.clear();
        self.acronyms.clear();
        self.initials.clear();
    }

    /// Whether the document writes the initials of the capitalised words
    /// `words` (two or more) as a word in capitals: "Asian Development
    /// Bank" in a document that also says "ADB". An organisation is far
    /// likelier to be abbreviated so than a person.
    pub fn abbreviated(&self, words: &[&str]) -> bool {
        if self.acronyms.is_empty() {
            return false;
        }
        let mut h = WORD_SEED;
        let mut n = 0;
        for w in words {
            match w.chars().next() {
                Some(c) if c.is_ascii_uppercase() => {
                    h = mix(h, c.to_ascii_lowercase() as u64);
                    n += 1;
                }
                Some(c) if c.is_uppercase() => return false,
                _ => {}
            }
        }
        n >= 2 && self.acronyms.contains(&h)
    }

    /// Whether the word whose [`word_hash`] is `hash`, written in capitals,
    /// spells the initials of capitalised words elsewhere in the document
    /// ("ADB" after "Asian Development Bank").
    pub fn expands(&self, hash: u64) -> bool {
        self.initials.contains(&hash)
    }

    /// Records the words in capitals of one sentence, and the initials of
    /// its runs of capitalised words (joined by lower-case connectors).
    fn add_initials(&mut self, words: &[&str]) {
        let mut letters = [0u8; MAX_INITIALS];
        let mut n = 0;
        let flush = |letters: &[u8], initials: &mut FxHashSet<u64>| {
            for i in 0..letters.len() {
                let mut h = mix(WORD_SEED, letters[i] as u64);
                for &c in &letters[i + 1..] {
                    h = mix(h, c as u64);
                    initials.insert(h);
                }
            }
        };
        for w in words {
            let b = w.as_bytes();
            let first = b.first().copied().unwrap_or(0);
            if first.is_ascii_uppercase() {
                if (2..=8).contains(&b.len()) && b.iter().all(u8::is_ascii_uppercase) {
                    self.acronyms.insert(word_hash(w));
                }
                if n == MAX_INITIALS {
                    flush(&letters[..n], &mut self.initials);
                    n = 0;
                }
                letters[n] = first.to_ascii_lowercase();
                n += 1;
            } else if n > 0 && (matches!(*w, "of" | "and" | "for" | "the" | "&")) {
                continue;
            } else {
                if n >= 2 {
                    flush(&letters[..n], &mut self.initials);
                }
                n = 0;
            }
        }
        if n >= 2 {
            flush(&letters[..n], &mut self.initials);
        }
    }

    /// Records that a first-stage span of `kind` holds the word whose
    /// [`TokenInfo::hash`] is `hash`.
    pub fn vote(&mut self, hash: u64, kind: super::EntityType) {
        let v = self.votes.entry(hash).or_default();
        v[kind.index()] = v[kind.index()].saturating_add(1);
    }

    /// How many first-stage spans of each type hold the word `hash`.
    pub fn votes(&self, hash: u64) -> [u16; 3] {
        self.votes.get(&hash).copied().unwrap_or_default()
    }

    /// Whether the first stage's votes were recorded.
    pub fn has_votes(&self) -> bool {
        !self.votes.is_empty()
    }

    /// Both passes over one sentence: a document of one sentence.
    pub fn add_sentence(&mut self, words: &[&str]) {
        self.add_capitals(words);
        self.add_lower(words);
    }

    /// First pass: the capitalised words of one sentence.
    pub fn add_capitals(&mut self, words: &[&str]) {
        let capital = |k: usize| words[k].chars().next().is_some_and(char::is_uppercase);
        if self.seen.is_empty() {
            self.seen = vec![0; SEEN_BITS / 64];
        }
        for (k, w) in words.iter().enumerate() {
            if !capital(k) {
                continue;
            }
            // A sentence-initial word is recorded too: its lower-case uses
            // elsewhere are what tell an ordinary word from a name.
            let (first, last) = run_position(capital, words.len(), k);
            let slot = seen_slot(w) % SEEN_BITS;
            self.seen[slot / 64] |= 1 << (slot % 64);
            let c = self.counts.entry(word_hash(w)).or_default();
            if k > 0 {
                c[1] = c[1].saturating_add(1);
            }
            if last {
                c[2] = c[2].saturating_add(1);
            }
            if first {
                c[3] = c[3].saturating_add(1);
            }
        }
        self.add_initials(words);
    }

    /// Second pass: the lower-case uses of the words the first pass saw.
    pub fn add_lower(&mut self, words: &[&str]) {
        if self.counts.is_empty() {
            return;
        }
        for w in words {
            // The filter ignores ASCII case only: other words are always looked up.
            let slot = seen_slot(w) % SEEN_BITS;
            let ascii = w.is_ascii();
            if ascii && self.seen[slot / 64] & (1 << (slot % 64)) == 0 {
                continue;
            }
            let lower_word = if ascii {
                let b = w.as_bytes();
                !b.iter().any(u8::is_ascii_uppercase) && b.iter().filter(|c| c.is_ascii_lowercase()).count() >= 2
            } else {
                let mut letters = 0;
                let mut upper = false;
                for c in w.chars() {
                    upper |= c.is_uppercase();
                    letters += c.is_lowercase() as usize;
                }
                !upper && letters >= 2
            };
            if lower_word {
                if let Some(c) = self.counts.get_mut(&word_hash(w)) {
                    c[0] = c[0].saturating_add(1);
                }
            }
        }
    }

    /// The [`doc`] bits of token `k` of a sentence, its own occurrence left out.
    fn bits(&self, info: &[TokenInfo], k: usize) -> u8 {
        let Some(c) = self.counts.get(&info[k].hash) else {
            return 0;
        };
        let capital = |j: usize| info[j].flags & flag::CAPITAL != 0;
        let own_mid = (k > 0 && capital(k)) as u8;
        let (first, last) = if capital(k) {
            run_position(capital, info.len(), k)
        } else {
            (false, false)
        };
        let mut bits = 0;
        if c[0] > 0 && capital(k) {
            bits |= doc::LOWER;
        }
        if c[1] > own_mid {
            bits |= doc::CAP_MID;
        }
        if c[2] > last as u8 {
            bits |= doc::RUN_LAST;
        }
        if c[3] > first as u8 {
            bits |= doc::RUN_FIRST;
        }
        bits
    }
}

/// Everything the features need to know about one token.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenInfo {
    pub hash: u64,
    pub shape: u64,
    pub flags: u16,
    /// List kinds ([`phrase`]) of a phrase that starts at this token.
    pub phrase_begin: u8,
    /// List kinds of a phrase that covers this token but does not start at it.
    pub phrase_inside: u8,
    /// Characters, up to 255.
    pub len: u8,
    /// What the rest of the document says about the word ([`doc`] bits).
    pub doc: u8,
}

impl TokenInfo {
    /// The tokens of one sentence. Hashes and list lookups are computed only
    /// around tokens that can be part of a name; the rest only get flags.
    pub fn of_sentence(words: &[&str], lexicon: &Lexicon) -> Vec<TokenInfo> {
        let mut sentence = Sentence::default();
        sentence.analyse(words, lexicon, &DocWords::default());
        sentence.info
    }
}

/// A sentence's tokens as the features see them, and the segments that
/// can hold a name. Reused from sentence to sentence: nothing is
/// allocated once the buffers have grown.
#[derive(Debug, Default)]
pub struct Sentence {
    pub info: Vec<TokenInfo>,
    pub segments: Vec<Range<usize>>,
}

impl Sentence {
    /// Fills `info` and `segments` for `words`, a sentence of the document
    /// `doc` (empty: no document evidence).
    pub fn analyse(&mut self, words: &[&str], lexicon: &Lexicon, doc: &DocWords) {
        self.info.clear();
        self.info.extend(words.iter().map(|w| TokenInfo {
            flags: cheap_flags(w),
            ..TokenInfo::default()
        }));
        active_segments_into(&self.info, &mut self.segments);
        let info = &mut self.info;
        let mut done = 0;
        for seg in &self.segments {
            let from = seg.start.saturating_sub(2).max(done);
            let to = (seg.end + 2).min(words.len());
            for i in from..to {
                fill(&mut info[i], words[i], lexicon);
            }
            done = to;
        }
        if !doc.counts.is_empty() {
            for seg in &self.segments {
                for i in seg.clone() {
                    if info[i].flags & flag::ACTIVE != 0 {
                        info[i].doc = doc.bits(info, i);
                    }
                }
            }
        }
        for seg in &self.segments {
            for i in seg.clone() {
                if info[i].flags & flag::ACTIVE != 0 {
                    lexicon.match_phrases(info, i, seg.end);
                }
            }
        }
    }
}

fn cheap_flags(word: &str) -> u16 {
    let mut flags = 0;
    let mut upper = 0usize;
    let mut lower = 0usize;
    let mut first = true;
    let bytes = word.as_bytes();
    // One branch-free pass: is the word ASCII, has it a capital?
    let (mut any_upper, mut non_ascii) = (false, false);
    for &b in bytes {
        any_upper |= b.is_ascii_uppercase();
        non_ascii |= b >= 0x80;
    }
    if !non_ascii {
        // Most words have no capital: then only "can it join two name
        // words" matters (letter and digit counts serve active tokens only).
        if !any_upper {
            return if word.len() <= 4 && is_connector(word) {
                flag::CONNECTOR
            } else {
                0
            };
        }
        for &b in bytes {
            if b.is_ascii_uppercase() {
                upper += 1;
                if first {
                    flags |= flag::CAPITAL;
                }
            } else if b.is_ascii_lowercase() {
                lower += 1;
            } else if b.is_ascii_digit() {
                flags |= flag::DIGIT;
            }
            first = false;
        }
        return finish_flags(word, flags, upper, lower);
    }
    for c in word.chars() {
        if c.is_uppercase() {
            upper += 1;
            if first {
                flags |= flag::CAPITAL;
            }
        } else if c.is_lowercase() {
            lower += 1;
        } else if c.is_ascii_digit() {
            flags |= flag::DIGIT;
        }
        first = false;
    }
    finish_flags(word, flags, upper, lower)
}

fn finish_flags(word: &str, mut flags: u16, upper: usize, lower: usize) -> u16 {
    if upper > 0 {
        flags |= flag::ACTIVE;
    }
    if upper >= 2 && lower == 0 {
        flags |= flag::ALL_CAPS;
    }
    // Without an upper-case letter, ignoring case is comparing as written.
    if upper == 0 && word.len() <= 4 && is_connector(word) {
        flags |= flag::CONNECTOR;
    }
    if flags & flag::CAPITAL != 0
        && upper == 1
        && word.len() <= 10
        && super::super::people::with_lower(word, is_stop_word)
    {
        flags |= flag::STOP;
    }
    flags
}

/// A capitalised closed-class word ("The", "However") that is never
/// scored alone.
pub fn is_stop(word: &str) -> bool {
    cheap_flags(word) & flag::STOP != 0
}

/// Closed-class words that start sentences ("The", "He", "However"):
/// alone, such a word is never a name, so a segment that is only such a
/// word is not scored (a fifth to a third of all segments in news text).
fn is_stop_word(lower: &str) -> bool {
    matches!(
        lower,
        "the"
            | "a"
            | "an"
            | "in"
            | "on"
            | "at"
            | "as"
            | "by"
            | "for"
            | "from"
            | "to"
            | "of"
            | "and"
            | "but"
            | "or"
            | "with"
            | "after"
            | "before"
            | "during"
            | "since"
            | "until"
            | "while"
            | "when"
            | "where"
            | "why"
            | "how"
            | "what"
            | "who"
            | "which"
            | "this"
            | "that"
            | "these"
            | "those"
            | "it"
            | "its"
            | "he"
            | "she"
            | "they"
            | "we"
            | "i"
            | "you"
            | "his"
            | "her"
            | "their"
            | "our"
            | "my"
            | "your"
            | "there"
            | "here"
            | "if"
            | "then"
            | "however"
            | "meanwhile"
            | "also"
            | "some"
            | "many"
            | "most"
            | "all"
            | "no"
            | "not"
            | "such"
            | "both"
            | "each"
            | "every"
            | "other"
            | "another"
            | "despite"
            | "although"
            | "though"
            | "because"
            | "about"
            | "over"
            | "under"
            | "into"
            | "so"
            | "yet"
            | "still"
            | "even"
            | "only"
            | "now"
            | "earlier"
            | "later"
            | "according"
            | "several"
            | "among"
            | "between"
            | "against"
            | "without"
            | "through"
            | "instead"
            | "once"
    )
}

fn fill(info: &mut TokenInfo, word: &str, lexicon: &Lexicon) {
    info.hash = word_hash(word);
    info.shape = shape_hash(word);
    info.len = word.chars().count().min(255) as u8;
    info.flags |= lexicon.word_flags(info.hash);
    if info.flags & flag::CAPITAL != 0 && lexicon.vocab.contains(info.hash) {
        info.flags |= flag::LOWER_SEEN;
    }
}

/// Military ranks that the role lists leave out (they are common words
/// elsewhere), lower-case.
const RANKS: &[&str] = &[
    "lieutenant",
    "captain",
    "sergeant",
    "major",
    "corporal",
    "lt.",
    "capt.",
    "sgt.",
    "maj.",
    "cpl.",
    "private",
];

/// A title or rank at the head of a person's span, to be cut off.
pub fn is_title(word: &str, info: &TokenInfo) -> bool {
    info.flags & flag::ROLE != 0 || RANKS.iter().any(|r| r.eq_ignore_ascii_case(word))
}

/// Token ranges that can hold a name: runs of capitalised tokens, joined
/// across up to three connectors ("Islamic State of Iraq and the Levant"),
/// except a closed-class word alone ("The", "However").
pub fn active_segments(info: &[TokenInfo]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    active_segments_into(info, &mut out);
    out
}

fn active_segments_into(info: &[TokenInfo], out: &mut Vec<Range<usize>>) {
    out.clear();
    let push = |out: &mut Vec<Range<usize>>, r: Range<usize>| {
        if !(r.len() == 1 && info[r.start].flags & flag::STOP != 0) {
            out.push(r);
        }
    };
    let mut current: Option<Range<usize>> = None;
    let mut connectors = 0;
    for (i, t) in info.iter().enumerate() {
        if t.flags & flag::ACTIVE != 0 {
            current = match current.take() {
                Some(r) if r.end + connectors == i => Some(r.start..i + 1),
                Some(r) => {
                    push(out, r);
                    Some(i..i + 1)
                }
                None => Some(i..i + 1),
            };
            connectors = 0;
        } else if t.flags & flag::CONNECTOR != 0 && current.is_some() && connectors < 3 {
            connectors += 1;
        } else {
            if let Some(r) = current.take() {
                push(out, r);
            }
            connectors = 0;
        }
    }
    if let Some(r) = current {
        push(out, r);
    }
}

/// Our lists, as the features see them.
#[derive(Clone)]
pub struct Lexicon {
    /// Words the training text writes in lower case (set from the model).
    pub vocab: Vocab,
    /// Word hash to [`flag`] bits.
    words: FxHashMap<u64, u16>,
    /// Phrase hash (word hashes mixed in order) to [`phrase`] bits.
    phrases: FxHashMap<u64, u8>,
    /// Hashes of every phrase's first word, to skip most lookups.
    first_words: FxHashSet<u64>,
    max_phrase: usize,
}

fn phrase_hash(hashes: impl Iterator<Item = u64>) -> u64 {
    hashes.fold(0x1f83_d9ab_fb41_bd6b, mix)
}

impl Lexicon {
    /// The lexicon of the built-in lists (not the user's `actors.toml`: the
    /// weights were trained against these lists, and the user's lists reach
    /// the extractor directly).
    pub fn builtin() -> Lexicon {
        let mut lex = Lexicon {
            vocab: Vocab::default(),
            words: FxHashMap::default(),
            phrases: FxHashMap::default(),
            first_words: FxHashSet::default(),
            max_phrase: 1,
        };
        let people: data::PeopleFile = data::parse_builtin("people.toml", data::BUILTIN_PEOPLE).unwrap_or_default();
        for p in &people.person {
            for name in std::iter::once(&p.name).chain(&p.aliases) {
                lex.add_phrase(name, phrase::PERSON, flag::PERSON_WORD);
            }
        }
        let orgs: data::OrgFile = data::parse_builtin("orgs.toml", data::BUILTIN_ORGS).unwrap_or_default();
        for o in &orgs.org {
            for name in std::iter::once(&o.name).chain(&o.aliases) {
                lex.add_phrase(name, phrase::ORG, flag::ORG_WORD);
            }
        }
        let places: data::Places = data::parse_builtin("places.toml", data::BUILTIN_PLACES).unwrap_or_default();
        for name in places.places.keys() {
            lex.add_phrase(name, phrase::PLACE, 0);
        }
        let countries: std::collections::BTreeMap<String, data::CountryNames> =
            data::parse_builtin("countries.toml", data::BUILTIN_COUNTRIES).unwrap_or_default();
        for c in countries.values() {
            for name in c.name.iter().chain(&c.aliases) {
                lex.add_phrase(name, phrase::PLACE, 0);
            }
            for name in &c.demonyms {
                lex.add_phrase(name, phrase::DEMONYM, 0);
            }
        }
        for w in people::HONORIFICS.iter().chain(people::ROLES) {
            *lex.words.entry(word_hash(w.trim_end_matches('.'))).or_default() |= flag::ROLE;
            *lex.words.entry(word_hash(w)).or_default() |= flag::ROLE;
        }
        let mut section = 0;
        for line in NAMES.lines().map(str::trim) {
            match line {
                "" => {}
                "[given]" => section = flag::GIVEN,
                "[surname]" => section = flag::SURNAME,
                _ if line.starts_with('#') => {}
                name => *lex.words.entry(word_hash(name)).or_default() |= section,
            }
        }
        for w in people::SPEECH_VERBS {
            *lex.words.entry(word_hash(w)).or_default() |= flag::SPEECH;
        }
        lex
    }

    fn add_phrase(&mut self, name: &str, kind: u8, word_flag: u16) {
        // Only Latin-script names: the tagger reads English text.
        if !name
            .chars()
            .all(|c| c.is_ascii() || ('\u{00c0}'..='\u{024f}').contains(&c))
        {
            return;
        }
        let toks = super::tokens::tokenize(name);
        let hashes: Vec<u64> = toks.iter().map(|t| word_hash(&name[t.start..t.end])).collect();
        let Some(&first) = hashes.first() else { return };
        self.first_words.insert(first);
        self.max_phrase = self.max_phrase.max(hashes.len()).min(8);
        if hashes.len() <= 8 {
            *self.phrases.entry(phrase_hash(hashes.iter().copied())).or_default() |= kind;
        }
        if word_flag != 0 {
            for t in &toks {
                let w = &name[t.start..t.end];
                if w.chars().next().is_some_and(char::is_uppercase) && w.chars().count() >= 3 {
                    *self.words.entry(word_hash(w)).or_default() |= word_flag;
                }
            }
        }
    }

    fn word_flags(&self, hash: u64) -> u16 {
        self.words.get(&hash).copied().unwrap_or(0)
    }

    /// Marks the longest list phrase of each kind that starts at token `i`
    /// and ends before `end`.
    fn match_phrases(&self, info: &mut [TokenInfo], i: usize, end: usize) {
        if !self.first_words.contains(&info[i].hash) {
            return;
        }
        let mut h = 0x1f83_d9ab_fb41_bd6b;
        let mut seen = 0u8;
        let mut found: [(u8, usize); 8] = [(0, 0); 8];
        let mut n = 0;
        for (j, t) in info.iter().enumerate().take(end.min(i + self.max_phrase)).skip(i) {
            h = mix(h, t.hash);
            if let Some(&kinds) = self.phrases.get(&h) {
                found[n] = (kinds, j);
                n += 1;
            }
        }
        // Longest first: a kind is marked by its longest phrase only.
        for &(kinds, j) in found[..n].iter().rev() {
            let new = kinds & !seen;
            if new == 0 {
                continue;
            }
            seen |= new;
            info[i].phrase_begin |= new;
            for t in &mut info[i + 1..=j] {
                t.phrase_inside |= new;
            }
        }
    }
}

/// Feature templates; each id is hashed with its value.
mod template {
    pub const BIAS: u64 = 1;
    pub const WORD: u64 = 2;
    pub const SHAPE: u64 = 3;
    pub const SHAPE_LEN: u64 = 4;
    pub const PREFIX: u64 = 5;
    pub const SUFFIX: u64 = 8;
    pub const WORD_AT: u64 = 11;
    pub const SHAPE_AT: u64 = 16;
    pub const SHAPES3: u64 = 21;
    pub const BIGRAM_LEFT: u64 = 22;
    pub const BIGRAM_RIGHT: u64 = 23;
    pub const FIRST_SHAPE: u64 = 24;
    pub const FLAG: u64 = 25;
    pub const FLAG_AT: u64 = 26;
    pub const PHRASE_BEGIN: u64 = 31;
    pub const PHRASE_INSIDE: u64 = 32;
    pub const PHRASE_AT: u64 = 33;
    pub const PREV_WORD_SHAPE: u64 = 38;
    pub const SHAPE_NEXT_WORD: u64 = 39;
    pub const DOC: u64 = 40;
    pub const DOC_FIRST: u64 = 41;
    pub const DOC_AT: u64 = 42;
}

const BOUNDARY_LEFT: u64 = 0x0bad_5eed_0000_0001;
const BOUNDARY_RIGHT: u64 = 0x0bad_5eed_0000_0002;

/// The feature ids (bucket numbers below `mask + 1`) of token `i`, appended to `out`.
pub fn features(words: &[&str], info: &[TokenInfo], i: usize, mask: u32, out: &mut Vec<u32>) {
    let push = |out: &mut Vec<u32>, t: u64, v: u64| out.push((finish(mix(t.wrapping_mul(K), v)) & mask as u64) as u32);
    let at = |k: isize| -> Option<&TokenInfo> {
        let j = i as isize + k;
        (j >= 0 && (j as usize) < info.len()).then(|| &info[j as usize])
    };
    let word_or = |k: isize| at(k).map_or(if k < 0 { BOUNDARY_LEFT } else { BOUNDARY_RIGHT }, |t| t.hash);
    let shape_or = |k: isize| at(k).map_or(if k < 0 { BOUNDARY_LEFT } else { BOUNDARY_RIGHT }, |t| t.shape);
    let me = &info[i];
    let word = words[i];
    push(out, template::BIAS, 0);
    push(out, template::WORD, me.hash);
    push(out, template::SHAPE, me.shape);
    let len_bucket = match me.len {
        0..=1 => 1,
        2..=3 => 2,
        4..=6 => 3,
        _ => 4,
    };
    push(out, template::SHAPE_LEN, mix(me.shape, len_bucket));
    if me.len > 2 {
        let (prefixes, suffixes) = (prefix_hashes::<3>(word), suffix_hashes::<3>(word));
        for n in 2..=4 {
            if me.len as usize > n {
                push(out, template::PREFIX + n as u64 - 2, prefixes[n - 2]);
                push(out, template::SUFFIX + n as u64 - 2, suffixes[n - 2]);
            }
        }
    }
    for (slot, k) in [-2isize, -1, 1, 2].into_iter().enumerate() {
        push(out, template::WORD_AT + slot as u64, word_or(k));
    }
    push(out, template::SHAPE_AT, shape_or(-1));
    push(out, template::SHAPE_AT + 1, shape_or(1));
    push(out, template::SHAPES3, mix(mix(shape_or(-1), me.shape), shape_or(1)));
    push(out, template::BIGRAM_LEFT, mix(word_or(-1), me.hash));
    push(out, template::BIGRAM_RIGHT, mix(me.hash, word_or(1)));
    push(out, template::PREV_WORD_SHAPE, mix(word_or(-1), me.shape));
    push(out, template::SHAPE_NEXT_WORD, mix(me.shape, word_or(1)));
    if i == 0 {
        push(out, template::FIRST_SHAPE, me.shape);
    }
    for bit in 0..16u64 {
        if me.flags & (1 << bit) != 0 && (1 << bit) != flag::ACTIVE {
            push(out, template::FLAG, bit);
        }
    }
    for (slot, k) in [-2isize, -1, 1, 2].into_iter().enumerate() {
        if let Some(t) = at(k) {
            for bit in [
                flag::ROLE,
                flag::SPEECH,
                flag::PERSON_WORD,
                flag::CAPITAL,
                flag::CONNECTOR,
                flag::GIVEN,
                flag::SURNAME,
                flag::LOWER_SEEN,
            ] {
                if t.flags & bit != 0 {
                    push(out, template::FLAG_AT + slot as u64, bit as u64);
                }
            }
            if slot == 1 || slot == 2 {
                for bit in 0..4u64 {
                    if (t.phrase_begin | t.phrase_inside) & (1 << bit) != 0 {
                        push(out, template::PHRASE_AT + slot as u64, bit);
                    }
                }
            }
        }
    }
    for bit in 0..4u64 {
        if me.doc & (1 << bit) != 0 {
            push(out, template::DOC, bit);
            if i == 0 {
                push(out, template::DOC_FIRST, bit);
            }
        }
        for (slot, k) in [-1isize, 1].into_iter().enumerate() {
            if at(k).is_some_and(|t| t.doc & (1 << bit) != 0) {
                push(out, template::DOC_AT + slot as u64, bit);
            }
        }
    }
    for bit in 0..4u64 {
        if me.phrase_begin & (1 << bit) != 0 {
            push(out, template::PHRASE_BEGIN, bit);
        }
        if me.phrase_inside & (1 << bit) != 0 {
            push(out, template::PHRASE_INSIDE, bit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_ignore_case_and_shapes_compress() {
        assert_eq!(word_hash("Karzai"), word_hash("KARZAI"));
        assert_ne!(word_hash("Karzai"), word_hash("Karzay"));
        assert_eq!(shape_hash("Karzai"), shape_hash("Muttaqi"));
        assert_ne!(shape_hash("Karzai"), shape_hash("NATO"));
        assert_eq!(shape_hash("U.S."), shape_hash("U.K."));
        assert_eq!(suffix_hash("Rahmatullah", 4), suffix_hash("Hibatullah", 4));
        assert_eq!(suffix_hash("Ab", 3), None);
    }

    #[test]
    fn segments_join_across_connectors_only() {
        let lex = Lexicon::builtin();
        let words = [
            "the", "Islamic", "State", "of", "Iraq", "and", "the", "Levant", "said", "on", "Monday",
        ];
        let info = TokenInfo::of_sentence(&words, &lex);
        assert_eq!(active_segments(&info), vec![1..8, 10..11]);
    }

    #[test]
    fn list_phrases_mark_their_tokens() {
        let lex = Lexicon::builtin();
        let words = ["in", "Mazar-i-Sharif", "with", "Amir", "Khan", "Muttaqi", "said"];
        let info = TokenInfo::of_sentence(&words, &lex);
        assert!(info[4].phrase_inside & phrase::PERSON != 0, "{:?}", info[4]);
        assert!(info[3].phrase_begin & phrase::PERSON != 0);
        assert!(info[6].flags & flag::SPEECH != 0);
    }

    #[test]
    fn features_are_within_the_table_and_stable() {
        let lex = Lexicon::builtin();
        let words = ["Minister", "Rahmatullah", "Nabizada", "said"];
        let info = TokenInfo::of_sentence(&words, &lex);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        features(&words, &info, 1, 0xffff, &mut a);
        features(&words, &info, 1, 0xffff, &mut b);
        assert_eq!(a, b);
        assert!(a.len() > 20 && a.iter().all(|&f| f <= 0xffff));
    }
}
