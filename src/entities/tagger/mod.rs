//! A trained tagger for people, organisations and locations that no list
//! knows: an averaged structured perceptron over tokens with BILOU labels and
//! Viterbi decoding, shipped as compiled-in weights (`data/tagger.bin`).
//!
//! The lists ([`super::Gazetteer`]) are precise and give canonical names, but
//! only know who was written down; the tagger generalises from word shape,
//! affixes (-ullah, -zai, -ov), context words and list membership. Each span
//! it returns carries a *margin*: how much the best labelling's score drops
//! when any token of the span takes another label. The extractor accepts spans above a per-type margin chosen on
//! held-out data for precision.
//!
//! Layout: [`tokens`] cuts text into tokens and sentences the way the
//! training data is tokenised, [`features`] turns tokens into hashed feature
//! ids, [`model`] holds the weights and their file format, [`decode`] runs
//! Viterbi and the margins, [`train`] trains and scores (used by
//! `examples/train_tagger.rs` and the tests).

pub mod decode;
pub mod features;
pub mod model;
pub mod spans;
pub mod tokens;
pub mod train;

use std::cell::RefCell;
use std::sync::OnceLock;
use std::thread::LocalKey;

use serde::{Deserialize, Serialize};

pub use features::{DocWords, Lexicon};
pub use model::{Model, ModelError};

/// The kinds of names the tagger tells apart; everything else is `O`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    Person,
    Org,
    Location,
}

impl EntityType {
    pub const ALL: [EntityType; 3] = [EntityType::Person, EntityType::Org, EntityType::Location];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "person",
            EntityType::Org => "org",
            EntityType::Location => "location",
        }
    }

    pub fn index(self) -> usize {
        match self {
            EntityType::Person => 0,
            EntityType::Org => 1,
            EntityType::Location => 2,
        }
    }
}

/// Number of labels: `O`, then `B-`, `I-`, `L-` and `U-` for each
/// [`EntityType`] (BILOU). A name's last token (`L-`, or `U-` for a name of
/// one token) is a label of its own, so the model learns what ends a name
/// ("Airport" after "Hamid Karzai", a lone surname) apart from what
/// continues one; and a span's margin can be read from its own tokens.
pub const LABELS: usize = 13;

/// A BILOU label, as its index: 0 is `O`, `1 + 4k` is `B-`, `2 + 4k` `I-`,
/// `3 + 4k` `L-` and `4 + 4k` `U-` of the k-th type of [`EntityType::ALL`].
pub type Label = u8;

/// The `O` label.
pub const OUTSIDE: Label = 0;

/// The `B-` label of a type: the first token of a name of two or more.
pub fn begin(kind: EntityType) -> Label {
    1 + 4 * kind.index() as Label
}

/// The `I-` label of a type: a token inside a name, neither first nor last.
pub fn inside(kind: EntityType) -> Label {
    2 + 4 * kind.index() as Label
}

/// The `L-` label of a type: the last token of a name of two or more.
pub fn last(kind: EntityType) -> Label {
    3 + 4 * kind.index() as Label
}

/// The `U-` label of a type: a name of one token.
pub fn unit(kind: EntityType) -> Label {
    4 + 4 * kind.index() as Label
}

/// The type of a non-`O` label.
pub fn label_type(label: Label) -> Option<EntityType> {
    match label {
        1..=4 => Some(EntityType::Person),
        5..=8 => Some(EntityType::Org),
        9..=12 => Some(EntityType::Location),
        _ => None,
    }
}

/// True for `I-` and `L-` labels: the token continues a name begun before it.
pub fn is_inside(label: Label) -> bool {
    label != OUTSIDE && (label - 1) % 4 >= 1 && (label - 1) % 4 <= 2
}

/// True for `B-` and `I-` labels: the name goes on after this token.
pub fn opens(label: Label) -> bool {
    label != OUTSIDE && (label - 1) % 4 <= 1
}

/// A name the tagger found, as byte offsets into the text it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedSpan {
    pub start: usize,
    pub end: usize,
    pub kind: EntityType,
    /// Score drop of the best labelling when the span is labelled otherwise.
    pub margin: f32,
    /// What is thresholded ([`Model::threshold`]): the second stage's score
    /// for `kind` when the model has one, else `margin`.
    pub score: f32,
}

/// A name as token positions `first..last` (inclusive), for scoring on
/// pre-tokenised data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenSpan {
    pub first: usize,
    pub last: usize,
    pub kind: EntityType,
    pub margin: f32,
    /// As [`TaggedSpan::score`].
    pub score: f32,
}

/// The shipped weights, trained by `examples/train_tagger.rs`.
const BUILTIN_WEIGHTS: &[u8] = include_bytes!("../../../data/tagger.bin");

/// The model and lexicon used at run time.
pub struct Tagger {
    pub model: Model,
    pub lexicon: Lexicon,
    /// The model's transitions in score units, computed once.
    transitions: decode::Transitions,
}

static BUILTIN: OnceLock<Tagger> = OnceLock::new();

/// Buffers one thread reuses from call to call, so that tagging a passage
/// of a document whose words are given ([`Tagger::tag_in`]) allocates
/// little once they have grown.
#[derive(Default)]
struct Scratch {
    tokens: Vec<tokens::Token>,
    sentence: features::Sentence,
    feats: Vec<u32>,
    /// Where each token's features end in `feats`.
    bounds: Vec<usize>,
    emissions: Vec<f32>,
    decode: decode::Scratch,
    candidates: Vec<spans::Candidate>,
    /// A sentence's names, as the second stage decided them.
    spans: Vec<TokenSpan>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    /// A brief's tagger buffers, refilled for the next brief this thread reads.
    static PREPARED: RefCell<Prepared> = RefCell::new(Prepared::default());
}

/// Runs `f` with this thread's value of `key`, so that a build's many
/// briefs reuse the buffers the first ones grew (a re-entrant call gets a
/// fresh value: tagging with a [`Tagger::with_prepared`] document borrows
/// the scratch, never the document's buffers again).
fn with_reused<T: Default, R>(key: &'static LocalKey<RefCell<T>>, f: impl FnOnce(&mut T) -> R) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut value) => f(&mut value),
        Err(_) => f(&mut T::default()),
    })
}

/// Runs `f` with this thread's [`Scratch`].
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    with_reused(&SCRATCH, f)
}

impl Tagger {
    /// A tagger with `model`'s weights and our lists.
    pub fn new(model: Model, mut lexicon: Lexicon) -> Tagger {
        let transitions = model.transitions();
        lexicon.vocab = model.vocab.clone();
        Tagger {
            model,
            lexicon,
            transitions,
        }
    }

    /// Replaces the model's margin thresholds.
    pub fn set_thresholds(&mut self, thresholds: [f32; 3]) {
        self.model.thresholds = thresholds;
    }

    /// The compiled-in tagger, loaded once per process.
    pub fn builtin() -> &'static Tagger {
        BUILTIN.get_or_init(|| {
            Tagger::new(
                Model::from_bytes(BUILTIN_WEIGHTS)
                    .expect("data/tagger.bin is written by examples/train_tagger.rs and always parses"),
                Lexicon::builtin(),
            )
        })
    }

    /// The raw bytes of the built-in weights, so that a retrained model
    /// changes the extraction fingerprint.
    pub fn builtin_weights() -> &'static [u8] {
        BUILTIN_WEIGHTS
    }

    /// Names in `text`, with their margins (every span the best labelling
    /// holds; the caller applies [`Model::threshold`]). The text is its own
    /// document (see [`DocWords`]).
    pub fn tag(&self, text: &str) -> Vec<TaggedSpan> {
        // Through `prepare`, so that the vote pass's first stage is reused.
        self.tag_prepared(&self.prepare(&[text]), 0, text)
    }

    /// Names in `text`, a part of the document whose words are `doc`
    /// ([`Tagger::document_words`], with the first stage's votes).
    pub fn tag_in(&self, text: &str, doc: &DocWords) -> Vec<TaggedSpan> {
        let mut out = Vec::new();
        with_scratch(|s| {
            let mut toks = std::mem::take(&mut s.tokens);
            tokens::tokenize_into(text, &mut toks);
            self.tag_tokens_of(text, &toks, doc, s, &mut out);
            s.tokens = toks;
        });
        out
    }

    /// The words of a document made of `texts`, for [`Tagger::tag_in`].
    pub fn document_words<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> DocWords {
        let texts: Vec<&str> = texts.into_iter().collect();
        self.prepare(&texts).doc
    }

    /// The texts of a document cut into tokens, with the document's words,
    /// the first stage's candidates of each sentence and, when the model
    /// has a second stage, the first stage's votes over all of them (a
    /// first pass: see [`Tagger::vote_sentence`]). Tag each text with
    /// [`Tagger::tag_prepared`].
    pub fn prepare(&self, texts: &[&str]) -> Prepared {
        let mut p = Prepared::default();
        self.prepare_into(texts, &mut p);
        p
    }

    /// Runs `f` with `texts` prepared ([`Tagger::prepare`]) in this
    /// thread's [`Prepared`], whose buffers the next document reuses.
    pub fn with_prepared<R>(&self, texts: &[&str], f: impl FnOnce(&Prepared) -> R) -> R {
        with_reused(&PREPARED, |p| {
            self.prepare_into(texts, p);
            f(p)
        })
    }

    /// [`Tagger::prepare`] into `p`, whose buffers are reused: a build
    /// prepares every brief, and a profile of one gave about a tenth of the
    /// tagger's samples to the allocator, much of it growing these buffers
    /// and the document's hash tables again for each brief.
    pub fn prepare_into(&self, texts: &[&str], p: &mut Prepared) {
        p.clear(texts.len());
        // Each text is cut into tokens, words and sentences once, for the
        // document's word counts and for the first stage.
        for (text, toks) in texts.iter().zip(&mut p.tokens) {
            tokens::tokenize_into(text, toks);
        }
        let words: Vec<&str> = texts
            .iter()
            .zip(&p.tokens)
            .flat_map(|(text, toks)| toks.iter().map(move |t| &text[t.start..t.end]))
            .collect();
        // Each text's words in `words`.
        let mut text_words = Vec::with_capacity(texts.len());
        let mut first_word = 0;
        for (text, toks) in texts.iter().zip(&p.tokens) {
            let from = p.sentences.len();
            tokens::for_each_sentence(text, toks, |r| p.sentences.push(r));
            p.text_sentences.push(from..p.sentences.len());
            text_words.push(first_word..first_word + toks.len());
            first_word += toks.len();
        }
        for (text, r) in p.text_sentences.iter().zip(&text_words) {
            let words = &words[r.clone()];
            for sentence in &p.sentences[text.clone()] {
                p.doc.add_capitals(&words[sentence.clone()]);
            }
        }
        for r in &text_words {
            // Sentences do not matter for lower-case uses.
            p.doc.add_lower(&words[r.clone()]);
        }
        let second = self.model.spans.as_ref();
        // The candidates are those `tag_sentence` would find: the first
        // stage does not read the votes, only the capitals and lower-case
        // uses counted above, so they are the same before and after the
        // votes are in.
        let runs = second.is_some_and(|m| m.runs);
        with_scratch(|s| {
            for ((text, r), stages) in p.text_sentences.iter().zip(&text_words).zip(&mut p.stages) {
                let words = &words[r.clone()];
                for sentence in &p.sentences[text.clone()] {
                    if !self.candidates(&words[sentence.clone()], &p.doc, runs, s) || s.candidates.is_empty() {
                        continue;
                    }
                    if second.is_some() {
                        self.vote(&mut p.doc, s);
                    }
                    stages.push(SentenceStage {
                        tokens: sentence.clone(),
                        info: p.info.len(),
                        candidates: p.candidates.len()..p.candidates.len() + s.candidates.len(),
                    });
                    p.info.extend_from_slice(&s.sentence.info);
                    p.candidates.extend_from_slice(&s.candidates);
                }
            }
        });
    }

    /// Names in text `i` of the document `p` was prepared from (`text` is
    /// that text, and `p` comes from this tagger): the second stage over
    /// the candidates [`Tagger::prepare`] kept, without running the first
    /// stage again. The same as [`Tagger::tag_in`] with `p`'s words.
    pub fn tag_prepared(&self, p: &Prepared, i: usize, text: &str) -> Vec<TaggedSpan> {
        let (Some(toks), Some(stages)) = (p.tokens.get(i), p.stages.get(i)) else {
            return Vec::new();
        };
        let words: Vec<&str> = toks.iter().map(|t| &text[t.start..t.end]).collect();
        let mut out = Vec::new();
        with_scratch(|s| {
            for stage in stages {
                let sentence = stage.tokens.clone();
                let info = &p.info[stage.info..stage.info + sentence.len()];
                s.spans.clear();
                self.decide(
                    &words[sentence.clone()],
                    info,
                    &p.doc,
                    &p.candidates[stage.candidates.clone()],
                    &mut s.feats,
                    &mut s.spans,
                );
                push_text_spans(&s.spans, toks, sentence.start, &mut out);
            }
        });
        out
    }

    fn tag_tokens_of(
        &self,
        text: &str,
        toks: &[tokens::Token],
        doc: &DocWords,
        s: &mut Scratch,
        out: &mut Vec<TaggedSpan>,
    ) {
        if toks.is_empty() {
            return;
        }
        let words: Vec<&str> = toks.iter().map(|t| &text[t.start..t.end]).collect();
        let mut spans = Vec::new();
        tokens::for_each_sentence(text, toks, |sentence| {
            spans.clear();
            self.tag_sentence(&words[sentence.clone()], doc, s, &mut spans);
            push_text_spans(&spans, toks, sentence.start, out);
        });
    }

    /// Names in one tokenised sentence, which is its own document. Only
    /// tokens that can be part of a name (capitalised, or a connector such
    /// as "of" between two capitalised tokens) are scored; the rest are `O`
    /// without a look.
    pub fn tag_tokens(&self, words: &[&str]) -> Vec<TokenSpan> {
        let mut doc = DocWords::default();
        doc.add_sentence(words);
        self.vote_sentence(words, &mut doc);
        self.tag_tokens_in(words, &doc)
    }

    /// Names in one tokenised sentence of the document whose words are `doc`.
    pub fn tag_tokens_in(&self, words: &[&str], doc: &DocWords) -> Vec<TokenSpan> {
        let mut out = Vec::new();
        self.tag_sentence(words, doc, &mut Scratch::default(), &mut out);
        out
    }

    /// The candidate spans of one sentence (the tagger's spans, and the
    /// capitalised runs it left out when `runs`), in `s.candidates`, with
    /// the sentence's tokens analysed in `s.sentence`. False when the
    /// sentence cannot hold a name.
    fn candidates(&self, words: &[&str], doc: &DocWords, runs: bool, s: &mut Scratch) -> bool {
        s.candidates.clear();
        // Sentences whose only capital starts them ("The talks went on.")
        // have nothing to tag but that word; a closed-class word alone is
        // never scored (see [`features::active_segments`]).
        let may_name = |w: &&str| w.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80);
        if !words.iter().skip(1).any(may_name) && !words.first().is_some_and(|w| may_name(w) && !features::is_stop(w)) {
            return false;
        }
        s.sentence.analyse(words, &self.lexicon, doc);
        let info = &s.sentence.info;
        for seg in &s.sentence.segments {
            // Every token's features first and their rows asked for
            // together, then the sums: the rows are read at random from a
            // table larger than the processor's caches, and fetched so
            // their waits overlap.
            s.feats.clear();
            s.bounds.clear();
            for i in seg.clone() {
                features::features(words, info, i, self.model.mask(), &mut s.feats);
                s.bounds.push(s.feats.len());
            }
            self.model.prefetch(&s.feats);
            s.emissions.clear();
            let mut from = 0;
            for &to in &s.bounds {
                let base = s.emissions.len();
                s.emissions.resize(base + LABELS, 0.0);
                self.model.score(&s.feats[from..to], &mut s.emissions[base..]);
                from = to;
            }
            let at_start = seg.start == 0;
            let at_end = seg.end == words.len();
            let from = s.candidates.len();
            for sp in decode::decode_spans(&self.transitions, &s.emissions, at_start, at_end, &mut s.decode) {
                let mut first = sp.first + seg.start;
                let last = sp.last + seg.start;
                // Names are written without titles ("Brigadier General Ross
                // Hoyt" is "Ross Hoyt"), as the lists and the labels want them.
                while sp.kind == EntityType::Person && first < last && features::is_title(words[first], &info[first]) {
                    first += 1;
                }
                s.candidates.push(spans::Candidate {
                    first,
                    last,
                    tagged: Some(sp.kind),
                    margin: sp.margin,
                });
            }
            if runs {
                spans::add_runs(info, seg.clone(), from, &mut s.candidates);
            }
        }
        true
    }

    /// The candidate spans of one tokenised sentence of the document whose
    /// words are `doc`, each with its second-stage feature ids (table of
    /// `1 << bits` buckets): what the second stage is trained on.
    pub fn span_candidates(
        &self,
        words: &[&str],
        doc: &DocWords,
        runs: bool,
        bits: u32,
    ) -> Vec<(spans::Candidate, Vec<u32>)> {
        let mut s = Scratch::default();
        if !self.candidates(words, doc, runs, &mut s) {
            return Vec::new();
        }
        let mask = ((1u64 << bits) - 1) as u32;
        s.candidates
            .iter()
            .map(|c| {
                let mut feats = Vec::new();
                spans::span_features(words, &s.sentence.info, doc, c, mask, &mut feats);
                (*c, feats)
            })
            .collect()
    }

    /// The first pass over one tokenised sentence of a document: records in
    /// `doc` the type of each of the first stage's spans for each
    /// capitalised word it holds ([`DocWords::vote`]), which the second
    /// stage reads. Run it over every sentence of the document before
    /// tagging any; the first stage does not read the votes, so the order
    /// does not matter.
    pub fn vote_sentence(&self, words: &[&str], doc: &mut DocWords) {
        let mut s = Scratch::default();
        if self.candidates(words, doc, false, &mut s) {
            self.vote(doc, &s);
        }
    }

    /// Records in `doc` the votes of the first stage's spans in
    /// `s.candidates` (the capitalised runs among them have no type and
    /// do not vote).
    fn vote(&self, doc: &mut DocWords, s: &Scratch) {
        for c in &s.candidates {
            let Some(kind) = c.tagged else { continue };
            for t in &s.sentence.info[c.first..=c.last] {
                if t.flags & features::flag::CAPITAL != 0 {
                    doc.vote(t.hash, kind);
                }
            }
        }
    }

    fn tag_sentence(&self, words: &[&str], doc: &DocWords, s: &mut Scratch, out: &mut Vec<TokenSpan>) {
        let runs = self.model.spans.as_ref().is_some_and(|m| m.runs);
        if self.candidates(words, doc, runs, s) {
            self.decide(words, &s.sentence.info, doc, &s.candidates, &mut s.feats, out);
        }
    }

    /// Names among `candidates`, the first stage's candidates in the
    /// sentence `words` (analysed as `info`) of the document `doc`: the
    /// tagger's spans as they are without a second stage, else each
    /// candidate with the second stage's type and score, the surer of two
    /// overlapping ones kept.
    fn decide(
        &self,
        words: &[&str],
        info: &[features::TokenInfo],
        doc: &DocWords,
        candidates: &[spans::Candidate],
        feats: &mut Vec<u32>,
        out: &mut Vec<TokenSpan>,
    ) {
        let Some(m) = self.model.spans.as_ref() else {
            out.extend(candidates.iter().filter_map(|c| {
                Some(TokenSpan {
                    first: c.first,
                    last: c.last,
                    kind: c.tagged?,
                    margin: c.margin,
                    score: c.margin,
                })
            }));
            return;
        };
        let from = out.len();
        for c in candidates {
            feats.clear();
            spans::span_features(words, info, doc, c, m.mask(), feats);
            let (kind, score) = spans::decide(&m.scores(feats));
            out.push(TokenSpan {
                first: c.first,
                last: c.last,
                kind,
                margin: c.margin,
                score,
            });
        }
        // Candidates may overlap (a tagger span inside a longer capitalised
        // run): the surer one wins.
        if out.len() - from > 1 {
            let mut all: Vec<TokenSpan> = out.drain(from..).collect();
            all.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.first.cmp(&b.first)));
            let mut kept: Vec<TokenSpan> = Vec::with_capacity(all.len());
            for sp in all {
                if !kept.iter().any(|k| k.first <= sp.last && sp.first <= k.last) {
                    kept.push(sp);
                }
            }
            kept.sort_by_key(|k| k.first);
            out.extend(kept);
        }
    }
}

/// Appends `spans`, found in the sentence whose first token is
/// `toks[first_token]`, as byte spans of the text `toks` were cut from.
fn push_text_spans(spans: &[TokenSpan], toks: &[tokens::Token], first_token: usize, out: &mut Vec<TaggedSpan>) {
    out.extend(spans.iter().map(|span| TaggedSpan {
        start: toks[first_token + span.first].start,
        end: toks[first_token + span.last].end,
        kind: span.kind,
        margin: span.margin,
        score: span.score,
    }));
}

/// The texts of a document cut into tokens once, the document's words,
/// and the first stage's candidates of each sentence: what the extractor
/// needs to tag each text of a brief with document evidence without
/// cutting any text, or running the first stage on any sentence, twice.
/// Made by [`Tagger::prepare`], or refilled by [`Tagger::prepare_into`]
/// (which keeps the memory of the largest document it held); it holds one
/// document. Read-only between fills: the candidates were found with these
/// words.
#[derive(Default)]
pub struct Prepared {
    /// Each text's tokens.
    tokens: Vec<Vec<tokens::Token>>,
    /// Every text's sentences, as token ranges in their text, end to end.
    sentences: Vec<std::ops::Range<usize>>,
    /// Each text's sentences in `sentences`.
    text_sentences: Vec<std::ops::Range<usize>>,
    doc: DocWords,
    /// Each text's sentences that have candidates, in order (a sentence
    /// without any has no names).
    stages: Vec<Vec<SentenceStage>>,
    /// The analysed tokens of those sentences, end to end.
    info: Vec<features::TokenInfo>,
    /// Their candidates, end to end.
    candidates: Vec<spans::Candidate>,
}

/// One sentence the first stage found candidates in, as ranges into its
/// text's tokens and into [`Prepared`]'s buffers.
struct SentenceStage {
    /// The sentence's tokens in its text.
    tokens: std::ops::Range<usize>,
    /// Where the sentence's `TokenInfo` starts in [`Prepared::info`] (one
    /// a token).
    info: usize,
    /// Its candidates in [`Prepared::candidates`].
    candidates: std::ops::Range<usize>,
}

impl Prepared {
    /// The tokens of text `i` (none past the last text).
    pub fn tokens(&self, i: usize) -> &[tokens::Token] {
        self.tokens.get(i).map_or(&[], Vec::as_slice)
    }

    /// The document's words, with the first stage's votes when the model
    /// has a second stage.
    pub fn doc(&self) -> &DocWords {
        &self.doc
    }

    /// Empties the buffers for a document of `texts` texts, keeping their memory.
    fn clear(&mut self, texts: usize) {
        self.tokens.resize_with(texts, Vec::new);
        self.stages.resize_with(texts, Vec::new);
        for stages in &mut self.stages {
            stages.clear();
        }
        self.sentences.clear();
        self.text_sentences.clear();
        self.doc.clear();
        self.info.clear();
        self.candidates.clear();
    }
}

/// A headline in title case ("Taliban Minister Meets Iranian Envoy"):
/// capitals there say nothing about names, and the training data has no
/// headlines, so the extractor does not tag such lines. Only for lines
/// without final punctuation: a sentence dense with names is not a headline.
pub fn title_case(words: &[&str]) -> bool {
    let long: Vec<&&str> = words
        .iter()
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        .collect();
    let capitalised = long
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    long.len() >= 3 && capitalised * 10 >= long.len() * 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_are_title_case_and_prose_is_not() {
        assert!(title_case(&[
            "Taliban", "Minister", "Meets", "Iranian", "Envoy", "in", "Tehran"
        ]));
        assert!(!title_case(&[
            "Foreign", "Minister", "Amir", "Khan", "Muttaqi", "met", "the", "envoy", "today"
        ]));
    }

    #[test]
    fn labels_round_trip() {
        for kind in EntityType::ALL {
            for l in [begin(kind), inside(kind), last(kind), unit(kind)] {
                assert_eq!(label_type(l), Some(kind));
            }
            assert!(is_inside(inside(kind)) && is_inside(last(kind)));
            assert!(!is_inside(begin(kind)) && !is_inside(unit(kind)));
            assert!(opens(begin(kind)) && opens(inside(kind)));
            assert!(!opens(last(kind)) && !opens(unit(kind)));
        }
        assert_eq!(label_type(OUTSIDE), None);
        assert!(!is_inside(OUTSIDE) && !opens(OUTSIDE));
        assert_eq!(unit(EntityType::Location) as usize, LABELS - 1);
    }
}
