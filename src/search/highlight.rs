//! Highlighting: the byte ranges of a passage that match the query. A
//! phrase is marked as one span from its first word to its last (the words
//! a slop lets in between included), words and the words that prefix and
//! fuzzy patterns stood for are marked one by one. Passages are short, so
//! the whole passage is analysed with the same analyzer as the index, and
//! offsets point into the original text.

use std::collections::BTreeSet;

use tantivy::tokenizer::Token;

use crate::tokenize;

/// What a query asks to mark, as analysed terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HighlightTerms {
    /// Single words, and the words patterns expanded to.
    pub terms: BTreeSet<String>,
    pub phrases: Vec<PhraseSpec>,
}

/// A phrase of the query.
#[derive(Debug, Clone, PartialEq)]
pub struct PhraseSpec {
    pub terms: Vec<String>,
    /// Positions the words may stand apart in total, as in `"a b"~3`.
    pub slop: u32,
    /// The last word is a prefix, as in `"big bad wo"*`.
    pub prefix_last: bool,
}

impl PhraseSpec {
    /// Whether a token of analysed text `term` can be one of this phrase's words.
    fn may_use(&self, term: &str) -> bool {
        self.terms.iter().any(|w| w == term)
            || (self.prefix_last && self.terms.last().is_some_and(|last| term.starts_with(last.as_str())))
    }
}

impl HighlightTerms {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.phrases.is_empty()
    }
}

/// Byte ranges of `text` that match `wanted`, sorted, overlaps merged.
pub fn highlight(text: &str, wanted: &HighlightTerms) -> Vec<[usize; 2]> {
    if wanted.is_empty() {
        return Vec::new();
    }
    // Only the tokens a phrase can use are kept (with their positions, so
    // slops still count every word): most of a passage is neither.
    let mut spans: Vec<[usize; 2]> = Vec::new();
    let mut phrase_tokens: Vec<Token> = Vec::new();
    tokenize::for_each_token(text, |t| {
        if wanted.terms.contains(&t.text) {
            spans.push([t.offset_from, t.offset_to]);
        }
        if wanted.phrases.iter().any(|p| p.may_use(&t.text)) {
            phrase_tokens.push(t.clone());
        }
    });
    for phrase in &wanted.phrases {
        spans.extend(phrase_spans(&phrase_tokens, phrase));
    }
    spans.sort_unstable();
    let mut merged: Vec<[usize; 2]> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span[0] <= last[1] => last[1] = last[1].max(span[1]),
            _ => merged.push(span),
        }
    }
    merged
}

/// Where `phrase` occurs among `tokens` (the text's tokens, or those of
/// them it [may use](PhraseSpec::may_use)), in order, its words at most
/// `slop` positions apart in total. Taking each next word at its first
/// occurrence keeps the gaps smallest, so no occurrence is missed.
fn phrase_spans(tokens: &[Token], phrase: &PhraseSpec) -> Vec<[usize; 2]> {
    let Some((last, _)) = phrase.terms.split_last() else {
        return Vec::new();
    };
    let matches = |k: usize, token: &Token| {
        if k == phrase.terms.len() - 1 && phrase.prefix_last {
            token.text.starts_with(last.as_str())
        } else {
            token.text == phrase.terms[k]
        }
    };
    let words = phrase.terms.len();
    let mut spans = Vec::new();
    for (i, first) in tokens.iter().enumerate() {
        if !matches(0, first) {
            continue;
        }
        let mut at = i;
        let mut found = 1;
        for k in 1..words {
            let gap_left = phrase.slop as usize + k + first.position;
            let next = tokens[at + 1..]
                .iter()
                .take_while(|t| t.position <= gap_left)
                .position(|t| matches(k, t));
            match next {
                Some(step) => {
                    at += 1 + step;
                    found += 1;
                }
                None => break,
            }
        }
        if found == words {
            spans.push([first.offset_from, tokens[at].offset_to]);
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> HighlightTerms {
        HighlightTerms {
            terms: words.iter().map(|w| w.to_string()).collect(),
            phrases: Vec::new(),
        }
    }

    fn phrase(words: &[&str], slop: u32) -> HighlightTerms {
        HighlightTerms {
            terms: BTreeSet::new(),
            phrases: vec![PhraseSpec {
                terms: words.iter().map(|w| w.to_string()).collect(),
                slop,
                prefix_last: false,
            }],
        }
    }

    fn marked<'a>(text: &'a str, wanted: &HighlightTerms) -> Vec<&'a str> {
        highlight(text, wanted).iter().map(|&[a, b]| &text[a..b]).collect()
    }

    #[test]
    fn a_phrase_is_one_span() {
        let text = "The gas pipeline opened; gas prices and a pipeline of deals.";
        assert_eq!(marked(text, &phrase(&["gas", "pipelin"], 0)), ["gas pipeline"]);
    }

    #[test]
    fn slop_lets_words_in_between_and_no_further() {
        let text = "gas export pipeline, and gas to the old pipeline";
        assert_eq!(marked(text, &phrase(&["gas", "pipelin"], 1)), ["gas export pipeline"]);
        assert_eq!(
            marked(text, &phrase(&["gas", "pipelin"], 3)),
            ["gas export pipeline", "gas to the old pipeline"]
        );
        // Out of order is not a match.
        assert!(marked("pipeline gas", &phrase(&["gas", "pipelin"], 3)).is_empty());
    }

    #[test]
    fn words_and_overlapping_phrases_merge() {
        let mut wanted = phrase(&["gas", "pipelin"], 0);
        wanted.terms.insert("pipelin".into());
        wanted.terms.insert("iran".into());
        let text = "Iran: gas pipeline; a pipeline.";
        assert_eq!(marked(text, &wanted), ["Iran", "gas pipeline", "pipeline"]);
    }

    #[test]
    fn phrase_prefix_marks_the_word_it_completes() {
        let wanted = HighlightTerms {
            terms: BTreeSet::new(),
            phrases: vec![PhraseSpec {
                terms: vec!["gas".into(), "pip".into()],
                slop: 0,
                prefix_last: true,
            }],
        };
        assert_eq!(marked("the gas pipelines", &wanted), ["gas pipelines"]);
    }

    #[test]
    fn nothing_wanted_marks_nothing() {
        assert!(highlight("gas", &HighlightTerms::default()).is_empty());
        assert_eq!(marked("Gas and GAS", &terms(&["gas"])), ["Gas", "GAS"]);
    }
}
