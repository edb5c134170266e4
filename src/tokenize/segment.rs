//! Word bounds (UAX #29) fast: an exact implementation of the rules for
//! ASCII text, and `unicode-segmentation` for the rest.
//!
//! Segmenting words is the single largest cost of tokenizing. Most words of
//! English briefs are ASCII, where the rules reduce to a few character
//! classes. Text is cut into pieces at a space followed by an ASCII
//! character other than a space (always a word bound, since no rule joins a
//! space to what follows unless it is a space or a combining mark); ASCII
//! pieces are segmented here, the others by `unicode-segmentation`. A
//! property test checks that the result equals `unicode-segmentation`'s.

use unicode_segmentation::UnicodeSegmentation;

/// The word-bound segments of `text` with their byte offsets, exactly as
/// `text.split_word_bound_indices()` gives them.
pub fn word_segments(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::with_capacity(text.len() / 3);
    for_each_segment(text, |start, segment| out.push((start, segment)));
    out
}

/// The number of words of `text`: segments with a letter or digit, as
/// `unicode_words()` counts them.
pub fn count_words(text: &str) -> usize {
    if text.is_ascii() {
        return count_ascii_words(text.as_bytes());
    }
    let mut count = 0;
    for_each_segment(text, |_, segment| {
        count += usize::from(segment.chars().any(char::is_alphanumeric));
    });
    count
}

/// [`count_words`] of ASCII text, without cutting out the segments:
/// passage cutting counts the words of every paragraph, and of its
/// sentences when it is long.
fn count_ascii_words(bytes: &[u8]) -> usize {
    let mut count = 0;
    let mut has_alphanumeric = false;
    for i in 0..bytes.len() {
        if i > 0 && is_break(bytes, i) {
            count += usize::from(has_alphanumeric);
            has_alphanumeric = false;
        }
        has_alphanumeric |= bytes[i].is_ascii_alphanumeric();
    }
    count + usize::from(has_alphanumeric)
}

/// Calls `f` with each word-bound segment of `text` and its offset.
pub fn for_each_segment<'a>(text: &'a str, mut f: impl FnMut(usize, &'a str)) {
    // ASCII text is one piece: cutting it at spaces first would only add
    // a pass (every such cut is a bound the rules find anyway).
    if text.is_ascii() {
        ascii_segments(text, 0, &mut f);
        return;
    }
    let bytes = text.as_bytes();
    let mut piece_start = 0;
    for i in 1..bytes.len() {
        if bytes[i - 1] == b' ' && bytes[i] != b' ' && bytes[i].is_ascii() {
            piece(text, piece_start, i, &mut f);
            piece_start = i;
        }
    }
    if piece_start < bytes.len() {
        piece(text, piece_start, bytes.len(), &mut f);
    }
}

fn piece<'a>(text: &'a str, start: usize, end: usize, f: &mut impl FnMut(usize, &'a str)) {
    let piece = &text[start..end];
    if piece.is_ascii() {
        ascii_segments(piece, start, f);
    } else {
        for (i, segment) in piece.split_word_bound_indices() {
            f(start + i, segment);
        }
    }
}

/// Word break classes of ASCII characters (UAX #29, WordBreakProperty).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cr,
    Lf,
    Newline,
    Space,
    Letter,
    Numeric,
    /// `:`
    MidLetter,
    /// `,` `;`
    MidNum,
    /// `.` and `'` (MidNumLet and Single_Quote)
    MidNumLetQ,
    /// `_`
    ExtendNumLet,
    Other,
}

/// The class of every ASCII byte, looked up rather than matched: this
/// runs once per byte of every indexed text.
const CLASSES: [Class; 128] = {
    let mut table = [Class::Other; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = class_of(b as u8);
        b += 1;
    }
    table
};

#[inline(always)]
fn class(b: u8) -> Class {
    CLASSES[(b & 0x7f) as usize]
}

const fn class_of(b: u8) -> Class {
    match b {
        b'\r' => Class::Cr,
        b'\n' => Class::Lf,
        0x0b | 0x0c => Class::Newline,
        b' ' => Class::Space,
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Numeric,
        b':' => Class::MidLetter,
        b',' | b';' => Class::MidNum,
        b'.' | b'\'' => Class::MidNumLetQ,
        b'_' => Class::ExtendNumLet,
        _ => Class::Other,
    }
}

/// Segments an ASCII piece starting at byte `offset` of the text.
fn ascii_segments<'a>(piece: &'a str, offset: usize, f: &mut impl FnMut(usize, &'a str)) {
    let bytes = piece.as_bytes();
    let mut start = 0;
    for i in 1..bytes.len() {
        if is_break(bytes, i) {
            f(offset + start, &piece[start..i]);
            start = i;
        }
    }
    if start < bytes.len() {
        f(offset + start, &piece[start..]);
    }
}

/// Whether there is a word bound between `bytes[i - 1]` and `bytes[i]`.
#[inline(always)]
fn is_break(bytes: &[u8], i: usize) -> bool {
    use Class::*;
    let (a, b) = (class(bytes[i - 1]), class(bytes[i]));
    let before = || i.checked_sub(2).map(|k| class(bytes[k]));
    let after = || bytes.get(i + 1).map(|&x| class(x));
    let mid_letter = |x: Class| x == MidLetter || x == MidNumLetQ;
    let mid_num = |x: Class| x == MidNum || x == MidNumLetQ;
    match (a, b) {
        (Cr, Lf) => false,                                                   // WB3
        (Cr | Lf | Newline, _) | (_, Cr | Lf | Newline) => true,             // WB3a, WB3b
        (Space, Space) => false,                                             // WB3d
        (Letter, Letter) => false,                                           // WB5
        (Letter, m) if mid_letter(m) && after() == Some(Letter) => false,    // WB6
        (m, Letter) if mid_letter(m) && before() == Some(Letter) => false,   // WB7
        (Numeric, Numeric) | (Letter, Numeric) | (Numeric, Letter) => false, // WB8-10
        (m, Numeric) if mid_num(m) && before() == Some(Numeric) => false,    // WB11
        (Numeric, m) if mid_num(m) && after() == Some(Numeric) => false,     // WB12
        (Letter | Numeric | ExtendNumLet, ExtendNumLet) => false,            // WB13a
        (ExtendNumLet, Letter | Numeric) => false,                           // WB13b
        _ => true,                                                           // WB999
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices().collect()
    }

    #[test]
    fn ascii_rules_agree_with_unicode_segmentation() {
        for text in [
            "The U.S.-led talks, on 3.5 days; a:b c'd e_f 1,000.5 x' 'y \"q\" J&K IC-814",
            "  double  spaces\tand\r\nnew\nlines\x0bx\x0cy",
            "end.",
            "a",
            "",
            "3.14.15 a.b.c 1e5 _x_ x__y 4_5",
        ] {
            assert_eq!(word_segments(text), reference(text), "{text:?}");
            assert_eq!(count_words(text), text.unicode_words().count(), "{text:?}");
        }
    }

    #[test]
    fn mixed_text_agrees_with_unicode_segmentation() {
        for text in [
            "Erdoğan’s visit to Türkiye, then Kabul.",
            "Persian: ۱۴۰۲ مذاکرات‌ها كتاب — done",
            "e\u{301} a \u{301}b  \u{301} c\u{a0}d",
        ] {
            assert_eq!(word_segments(text), reference(text), "{text:?}");
        }
    }
}
