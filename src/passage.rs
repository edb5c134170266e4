//! Cutting a brief's body into passages: the unit that search ranks.
//!
//! A passage is a paragraph, or for a long paragraph a window of whole
//! sentences. Ranking short passages instead of whole briefs lets a hit point
//! at the lines that answer the query, and keeps BM25 from favouring long
//! briefs that mention everything once.

use unicode_segmentation::UnicodeSegmentation;

use crate::corpus::{Block, BlockKind, Brief};

/// The default upper bound of a passage, in words.
pub const MAX_PASSAGE_WORDS: usize = 120;

/// The upper bound of a passage in bytes, whatever its words: a line of
/// 50 MB with no sentence end, or one enormous "word" (base64, a run-together
/// table), must not become one passage that every query ranks and prints.
pub const MAX_PASSAGE_BYTES: usize = 4096;

/// One passage of a brief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Position of the passage in its brief, from 0.
    pub ordinal: u32,
    /// The subheading that introduces the paragraph, if any.
    pub heading: Option<String>,
    pub text: String,
    /// First and last line of the passage in the brief's file (1-based).
    pub lines: (u32, u32),
    /// The page it is on, for paged formats (PDF).
    pub page: Option<u32>,
}

/// Texts already cut into passages, one per line: passage `i` is line
/// `i + 1`. For text that comes cut (the sentences of a labelled data set,
/// paragraphs written for a test), where the brief parser is not wanted.
pub fn one_per_line<S: Into<String>>(texts: impl IntoIterator<Item = S>) -> Vec<Passage> {
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Passage {
            ordinal: i as u32,
            heading: None,
            text: text.into(),
            lines: (i as u32 + 1, i as u32 + 1),
            page: None,
        })
        .collect()
}

/// Cuts `brief` into passages of at most `max_words` words and
/// [`MAX_PASSAGE_BYTES`] bytes. Passages end at sentence ends where they can;
/// a sentence longer than the bound is cut at word bounds, and a word longer
/// than the byte bound at a character bound. Every word of the body is in
/// exactly one passage.
pub fn passages(brief: &Brief, max_words: usize) -> Vec<Passage> {
    let mut out = Vec::new();
    let mut heading: Option<&Block> = None;
    for block in &brief.blocks {
        match block.kind {
            BlockKind::Heading => {
                // A heading with no paragraph after it is still text a user
                // may search for: it becomes a passage of its own.
                if let Some(lone) = heading.replace(block) {
                    push_lone_heading(&mut out, lone);
                }
            }
            BlockKind::Paragraph => {
                for (start, end) in sentence_windows(&block.text, max_words) {
                    out.push(Passage {
                        ordinal: out.len() as u32,
                        heading: heading.map(|h| h.text.clone()),
                        text: block.text[start..end].trim().to_string(),
                        lines: (block.line_at(start), block.line_at(end.saturating_sub(1).max(start))),
                        page: block.page,
                    });
                }
                heading = None;
            }
        }
    }
    if let Some(lone) = heading {
        push_lone_heading(&mut out, lone);
    }
    out
}

fn push_lone_heading(out: &mut Vec<Passage>, block: &Block) {
    out.push(Passage {
        ordinal: out.len() as u32,
        heading: None,
        text: block.text.clone(),
        lines: (block.first_line(), block.last_line()),
        page: block.page,
    });
}

/// Counts words the way users count them (UAX #29 words).
pub fn word_count(text: &str) -> usize {
    crate::tokenize::count_words(text)
}

/// Abbreviations after which UAX #29 sees a sentence end that is not one.
const ABBREVIATIONS: &[&str] = &[
    "Dr.", "Mr.", "Mrs.", "Ms.", "Gen.", "Lt.", "Col.", "Maj.", "Capt.", "Sgt.", "St.", "Prof.", "Sen.", "Rep.",
    "Gov.", "Amb.", "No.", "vs.", "Jan.", "Feb.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.", "e.g.", "i.e.",
];

/// Sentence spans of `text` (byte ranges), merging fragments that end
/// after an honorific or an initial ("Dr. S. Jaishankar").
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut pending: Option<usize> = None;
    for (start, sentence) in sentence_bounds(text) {
        let begin = pending.take().unwrap_or(start);
        let end = start + sentence.len();
        let trimmed = sentence.trim_end();
        let last_word = trimmed.rsplit(char::is_whitespace).next().unwrap_or("");
        let is_initial = last_word.len() == 2 && last_word.starts_with(char::is_uppercase) && last_word.ends_with('.');
        if (ABBREVIATIONS.contains(&last_word) || is_initial) && end < text.len() {
            pending = Some(begin);
            continue;
        }
        spans.push((begin, end));
    }
    if let Some(begin) = pending {
        spans.push((begin, text.len()));
    }
    spans
}

/// Raw sentences of `text` with their offsets. Text in Latin script (the
/// common case, where Unicode's sentence rules cost as much as the rest of
/// the analysis) is cut by the rules that matter there: a sentence ends
/// after `.`, `!` or `?`, closing quotes and brackets, and white space,
/// unless a word in lower case follows ("etc. and", "\"Why?\" she asked"). Other
/// scripts, with their own sentence marks, go through UAX #29.
fn sentence_bounds(text: &str) -> Vec<(usize, &str)> {
    let latin = text
        .chars()
        .all(|c| c.is_ascii() || ('\u{a0}'..='\u{24f}').contains(&c) || ('\u{2010}'..='\u{2027}').contains(&c));
    if !latin {
        return text.split_sentence_bound_indices().collect();
    }
    const CLOSERS: &[char] = &['"', '\'', ')', ']', '\u{201d}', '\u{2019}', '\u{bb}'];
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        while chars
            .next_if(|&(_, d)| CLOSERS.contains(&d) || matches!(d, '.' | '!' | '?'))
            .is_some()
        {}
        if !chars.peek().is_some_and(|&(_, d)| d.is_whitespace()) {
            continue;
        }
        while chars.next_if(|&(_, d)| d.is_whitespace()).is_some() {}
        let Some(&(next, _)) = chars.peek() else {
            break;
        };
        if text[next..]
            .chars()
            .find(|d| d.is_alphabetic())
            .is_some_and(char::is_lowercase)
        {
            continue;
        }
        out.push((start, &text[start..next]));
        start = next;
    }
    if start < text.len() {
        out.push((start, &text[start..]));
    }
    out
}

/// Groups the sentences of a paragraph into windows of at most `max_words`
/// words, balanced so the last window is not a stub; then cuts any window
/// still over the bounds (one huge sentence) at word bounds.
fn sentence_windows(text: &str, max_words: usize) -> Vec<(usize, usize)> {
    let max_words = max_words.max(1);
    let mut out = Vec::new();
    for (start, end, words) in balanced_windows(text, max_words) {
        if words <= max_words && end - start <= MAX_PASSAGE_BYTES {
            out.push((start, end));
        } else {
            cut_oversized(text, start, end, max_words, &mut out);
        }
    }
    out
}

/// Pushes `start..end` into `out`, cut into pieces of at most `max_words`
/// words and [`MAX_PASSAGE_BYTES`] bytes. Pieces start at a word's start, so
/// the text between two words goes with the word before it.
fn cut_oversized(text: &str, start: usize, end: usize, max_words: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[start..end];
    let word_starts: Vec<usize> = piece.unicode_word_indices().map(|(i, _)| start + i).collect();
    // Even pieces: as many as the word bound needs, cut at word starts.
    let pieces = word_starts.len().div_ceil(max_words).max(1);
    let mut cuts: Vec<usize> = (1..pieces)
        .map(|k| word_starts[word_starts.len() * k / pieces])
        .collect();
    cuts.push(end);
    let mut from = start;
    for to in cuts {
        cut_by_bytes(text, from, to, out);
        from = to;
    }
}

/// Cuts `start..end` into pieces of at most [`MAX_PASSAGE_BYTES`] bytes, at
/// the last white space before the bound, or at a character bound in a word
/// with no space in it.
fn cut_by_bytes(text: &str, mut start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    while end - start > MAX_PASSAGE_BYTES {
        let mut limit = start + MAX_PASSAGE_BYTES;
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let cut = text[start..limit]
            .rfind(char::is_whitespace)
            .map(|i| start + i + 1)
            .filter(|&c| c > start && text[start..c].chars().any(|c| !c.is_whitespace()))
            .unwrap_or(limit);
        out.push((start, cut));
        start = cut;
    }
    out.push((start, end));
}

/// Windows of whole sentences, balanced, with their word counts; a window
/// holds one sentence at least.
fn balanced_windows(text: &str, max_words: usize) -> Vec<(usize, usize, usize)> {
    let total = word_count(text);
    if total <= max_words {
        return vec![(0, text.len(), total)];
    }
    // Aim each window boundary at an even share of the words, at the
    // sentence end nearest to it, never past the bound.
    let windows = total.div_ceil(max_words);
    let mut out = Vec::new();
    let mut window: Option<(usize, usize)> = None;
    let (mut words, mut seen, mut k) = (0, 0, 1);
    for (start, end) in sentences(text) {
        let n = word_count(&text[start..end]);
        if let Some((wstart, wend)) = window {
            let goal = total * k / windows;
            let overshoot = (seen + n).saturating_sub(goal);
            let undershoot = goal.saturating_sub(seen);
            let nearer_now = k < windows && seen + n > goal && overshoot > undershoot;
            if words + n > max_words || nearer_now {
                out.push((wstart, wend, words));
                window = None;
                words = 0;
                k += 1;
            }
        }
        window = Some((window.map_or(start, |w| w.0), end));
        words += n;
        seen += n;
    }
    out.extend(window.map(|(start, end)| (start, end, words)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honorifics_and_initials_do_not_end_sentences() {
        let text = "He spoke to Dr. S. Jaishankar on Thursday. Then he left.";
        let spans = sentences(text);
        assert_eq!(spans.len(), 2);
        assert_eq!(
            text[spans[0].0..spans[0].1].trim(),
            "He spoke to Dr. S. Jaishankar on Thursday."
        );
    }

    #[test]
    fn sentence_ends_in_latin_script() {
        let text =
            "He left. \"Why?\" she asked (twice.) Talks resumed, etc. and ended. In 3.5 days the U.S. Army came.";
        let cut: Vec<&str> = sentence_bounds(text).iter().map(|(_, s)| s.trim_end()).collect();
        assert_eq!(
            cut,
            [
                "He left.",
                "\"Why?\" she asked (twice.)",
                "Talks resumed, etc. and ended.",
                "In 3.5 days the U.S.",
                "Army came."
            ]
        );
        let persian = "نشست پایان یافت. گفتگو ادامه دارد؟ بله.";
        assert_eq!(sentence_bounds(persian).len(), 3);
    }

    #[test]
    fn windows_are_balanced_and_bounded() {
        let sentence = "One two three four five six seven eight nine ten. ";
        let text = sentence.repeat(25);
        let windows = sentence_windows(&text, 120);
        assert_eq!(windows.len(), 3);
        for (s, e) in windows {
            let n = word_count(&text[s..e]);
            assert!((80..=120).contains(&n), "window of {n} words");
        }
    }
}
