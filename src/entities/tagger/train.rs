//! Training and scoring the tagger: reading CoNLL-style files, mapping
//! their tag sets onto ours, the averaged structured perceptron, and
//! mention-level precision and recall.
//!
//! Training decodes exactly what run time decodes: only the segments that
//! can hold a name ([`super::features::active_segments`]), with the tokens
//! around them fixed to `O`. Gold names outside those segments (lower-case
//! names in tweets) cannot be reached at run time, so training sees them as
//! `O`; scoring still counts them as missed.
//!
//! Everything is deterministic: the order of sentences in each epoch comes
//! from a seeded splitmix64, and nothing depends on hash-map order.

use super::decode::{self, Scratch, Transitions};
use super::features::{self, DocWords, Lexicon, Vocab};
use super::model::Model;
use super::{
    begin, inside, is_inside, label_type, last, opens, unit, EntityType, Label, Tagger, TokenSpan, LABELS, OUTSIDE,
};

/// A tokenised sentence with gold labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    pub words: Vec<String>,
    pub labels: Vec<Label>,
}

/// Parses a CoNLL-style file: a token per line with the tag in the last
/// column, blank lines between sentences, `-DOCSTART-` lines between
/// documents. `map` turns a tag's type (`PER`, `Organisation`, `group`) into
/// ours or `None` for `O`. Returns documents; a file without `-DOCSTART-`
/// is one document per sentence. IOB1 (CoNLL-2003: `B-` only between two
/// adjacent names of one type) and IOB2 (`B-` on every first token) read
/// alike: a name starts at a `B-` or at a change of type.
pub fn parse_conll(text: &str, map: impl Fn(&str) -> Option<EntityType>) -> Vec<Vec<Sentence>> {
    let mut docs: Vec<Vec<Sentence>> = Vec::new();
    let mut doc: Vec<Sentence> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut tags: Vec<Option<(bool, EntityType)>> = Vec::new();
    let has_docstart = text.contains("-DOCSTART-");
    let flush = |words: &mut Vec<String>, tags: &mut Vec<Option<(bool, EntityType)>>, doc: &mut Vec<Sentence>| {
        if words.is_empty() {
            return;
        }
        // A name starts at a `B-` or a change of type, and ends where the
        // next token does not continue it; then each token gets its BILOU label.
        let starts: Vec<bool> = (0..tags.len())
            .map(|i| match tags[i] {
                None => false,
                Some((b, kind)) => b || i == 0 || tags[i - 1].map(|t| t.1) != Some(kind),
            })
            .collect();
        let labels: Vec<Label> = (0..tags.len())
            .map(|i| match tags[i] {
                None => OUTSIDE,
                Some((_, kind)) => {
                    let goes_on = i + 1 < tags.len() && !starts[i + 1] && tags[i + 1].map(|t| t.1) == Some(kind);
                    match (starts[i], goes_on) {
                        (true, true) => begin(kind),
                        (true, false) => unit(kind),
                        (false, true) => inside(kind),
                        (false, false) => last(kind),
                    }
                }
            })
            .collect();
        doc.push(Sentence {
            words: std::mem::take(words),
            labels,
        });
        tags.clear();
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.starts_with("-DOCSTART-") {
            flush(&mut words, &mut tags, &mut doc);
            if !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        let mut cols: Vec<&str> = line.split(['\t', ' ']).filter(|c| !c.is_empty()).collect();
        if cols.len() < 2 {
            flush(&mut words, &mut tags, &mut doc);
            if !has_docstart && !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        let tag = cols.pop().unwrap_or("O");
        let word = cols[0];
        let parsed = match tag.split_once('-') {
            Some((bi, kind)) if matches!(bi, "B" | "I") => map(kind).map(|k| (bi == "B", k)),
            _ => None,
        };
        words.push(word.to_string());
        tags.push(parsed);
    }
    flush(&mut words, &mut tags, &mut doc);
    if !doc.is_empty() {
        docs.push(doc);
    }
    docs
}

/// The names of a label sequence, as `(first, last, kind)`. A name runs
/// from its first token while the next token continues it (`I-`/`L-` of the
/// same type after `B-`/`I-`).
pub fn spans_of(labels: &[Label]) -> Vec<(usize, usize, EntityType)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < labels.len() {
        let Some(kind) = label_type(labels[i]) else {
            i += 1;
            continue;
        };
        let mut j = i;
        while j + 1 < labels.len()
            && opens(labels[j])
            && is_inside(labels[j + 1])
            && label_type(labels[j + 1]) == Some(kind)
        {
            j += 1;
        }
        out.push((i, j, kind));
        i = j + 1;
    }
    out
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub epochs: usize,
    pub seed: u64,
    /// The feature table has `1 << bits` buckets.
    pub bits: u32,
    /// Words written in lower case in text like the one to tag (a feature;
    /// empty: none).
    pub vocab: Vocab,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 12,
            seed: 8,
            bits: 18,
            vocab: Vocab::default(),
        }
    }
}

/// A segment of a sentence ready for training: features and gold labels.
struct Example {
    /// Feature ids of each token, flattened; `offsets[k]..offsets[k + 1]` are token k's.
    feats: Vec<u32>,
    offsets: Vec<usize>,
    gold: Vec<Label>,
    at_start: bool,
    at_end: bool,
}

/// Gold labels as run time can produce them: `O` outside the segments, and
/// a name cut by a segment's edge starting afresh (`I-` -> `B-`, `L-` ->
/// `U-`) or ending there (`B-` -> `U-`, `I-` -> `L-`).
fn reachable_gold(labels: &[Label], seg: std::ops::Range<usize>) -> Vec<Label> {
    let mut gold: Vec<Label> = labels[seg].to_vec();
    if let Some(first) = gold.first_mut() {
        if let Some(kind) = label_type(*first).filter(|_| is_inside(*first)) {
            *first = if opens(*first) { begin(kind) } else { unit(kind) };
        }
    }
    if let Some(end) = gold.last_mut() {
        if let Some(kind) = label_type(*end).filter(|_| opens(*end)) {
            *end = if is_inside(*end) { last(kind) } else { unit(kind) };
        }
    }
    gold
}

/// The words of a document, with `tagger`'s first-stage votes over all of
/// its sentences ([`Tagger::vote_sentence`]), as [`Tagger::prepare`] gives
/// them at run time.
pub fn voted_doc_words(tagger: &Tagger, doc: &[Sentence]) -> DocWords {
    let mut words = doc_words(doc);
    for s in doc {
        let w: Vec<&str> = s.words.iter().map(String::as_str).collect();
        tagger.vote_sentence(&w, &mut words);
    }
    words
}

/// The words of a document, for its document features.
pub fn doc_words(doc: &[Sentence]) -> DocWords {
    let mut words = DocWords::default();
    let sentences: Vec<Vec<&str>> = doc
        .iter()
        .map(|s| s.words.iter().map(String::as_str).collect())
        .collect();
    for w in &sentences {
        words.add_capitals(w);
    }
    for w in &sentences {
        words.add_lower(w);
    }
    words
}

fn examples(docs: &[Vec<Sentence>], lexicon: &Lexicon, mask: u32) -> Vec<Example> {
    let mut out = Vec::new();
    let mut sentence = features::Sentence::default();
    for d in docs {
        let doc = doc_words(d);
        for s in d {
            let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
            sentence.analyse(&words, lexicon, &doc);
            let info = &sentence.info;
            for seg in sentence.segments.clone() {
                let mut ex = Example {
                    feats: Vec::new(),
                    offsets: vec![0],
                    gold: reachable_gold(&s.labels, seg.clone()),
                    at_start: seg.start == 0,
                    at_end: seg.end == words.len(),
                };
                for i in seg {
                    features::features(&words, info, i, mask, &mut ex.feats);
                    ex.offsets.push(ex.feats.len());
                }
                out.push(ex);
            }
        }
    }
    out
}

/// splitmix64: a small, well-mixed generator, enough to shuffle.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Float weights with the running sums that averaging needs.
struct Averaged {
    w: Vec<f32>,
    /// Sum over updates of step * delta (the averaging trick of Daumé's thesis).
    u: Vec<f32>,
}

impl Averaged {
    fn new(n: usize) -> Averaged {
        Averaged {
            w: vec![0.0; n],
            u: vec![0.0; n],
        }
    }

    fn add(&mut self, i: usize, delta: f32, step: f32) {
        self.w[i] += delta;
        self.u[i] += step * delta;
    }

    fn average(&self, steps: f32) -> Vec<f32> {
        self.w.iter().zip(&self.u).map(|(w, u)| w - u / steps).collect()
    }
}

/// Trains a model with the averaged structured perceptron on documents
/// (lists of sentences; document features look across a document). The
/// same documents, lexicon and options give byte-identical weights.
pub fn train(docs: &[Vec<Sentence>], lexicon: &Lexicon, options: &TrainOptions, description: String) -> Model {
    train_bagged(docs, lexicon, options, description, 1)
}

/// As [`train`], averaging the weights of `runs` perceptrons trained in
/// different seeded orders (`options.seed`, `+ 1`, ...). Why: one
/// perceptron's weights depend on the order it saw the sentences in, and
/// the thresholded figures moved with the seed more than with most
/// changes; the model is linear, so the average is one table of the same
/// size and costs nothing at run time.
pub fn train_bagged(
    docs: &[Vec<Sentence>],
    lexicon: &Lexicon,
    options: &TrainOptions,
    description: String,
    runs: usize,
) -> Model {
    let mask = ((1u64 << options.bits) - 1) as u32;
    let mut lexicon = lexicon.clone();
    lexicon.vocab = options.vocab.clone();
    let data = examples(docs, &lexicon, mask);
    let runs = runs.max(1);
    let mut sum: [Vec<f32>; 4] = Default::default();
    for r in 0..runs {
        let one = perceptron(&data, options, mask, options.seed.wrapping_add(r as u64));
        for (acc, part) in sum.iter_mut().zip(one) {
            if acc.is_empty() {
                *acc = vec![0.0; part.len()];
            }
            for (a, x) in acc.iter_mut().zip(part) {
                *a += x / runs as f32;
            }
        }
    }
    let [weights, trans, start, end] = sum;
    let mut model = Model::quantise(options.bits, &weights, &trans, &start, &end, description);
    model.vocab = options.vocab.clone();
    model
}

/// One averaged structured perceptron over `data`: its averaged emission
/// weights, transitions, start and end scores.
fn perceptron(data: &[Example], options: &TrainOptions, mask: u32, seed: u64) -> [Vec<f32>; 4] {
    let mut weights = Averaged::new((mask as usize + 1) * LABELS);
    let mut trans = Averaged::new(LABELS * LABELS);
    let mut start = Averaged::new(LABELS);
    let mut end = Averaged::new(LABELS);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = Rng(seed);
    let mut scratch = Scratch::default();
    let mut emissions: Vec<f32> = Vec::new();
    // Steps start at 1 so that the average divides by the number of examples seen.
    let mut step = 1.0f32;
    for _ in 0..options.epochs {
        for k in (1..order.len()).rev() {
            order.swap(k, rng.below(k + 1));
        }
        for &e in &order {
            let ex = &data[e];
            let n = ex.gold.len();
            let t = current_transitions(&trans.w, &start.w, &end.w);
            emissions.clear();
            emissions.resize(n * LABELS, 0.0);
            for i in 0..n {
                for &f in &ex.feats[ex.offsets[i]..ex.offsets[i + 1]] {
                    let row = &weights.w[f as usize * LABELS..f as usize * LABELS + LABELS];
                    for (o, w) in emissions[i * LABELS..(i + 1) * LABELS].iter_mut().zip(row) {
                        *o += w;
                    }
                }
            }
            let pred = decode::viterbi(&t, &emissions, ex.at_start, ex.at_end, &mut scratch);
            if pred != ex.gold {
                for (i, (&g, &p)) in ex.gold.iter().zip(&pred).enumerate() {
                    let (g, p) = (g as usize, p as usize);
                    if g != p {
                        for &f in &ex.feats[ex.offsets[i]..ex.offsets[i + 1]] {
                            weights.add(f as usize * LABELS + g, 1.0, step);
                            weights.add(f as usize * LABELS + p, -1.0, step);
                        }
                    }
                }
                let path = |labels: &[Label]| -> Vec<(u8, usize)> {
                    // (table, index): 0 trans, 1 start, 2 end.
                    let mut out = Vec::with_capacity(labels.len() + 1);
                    let first = labels[0] as usize;
                    if ex.at_start {
                        out.push((1, first));
                    } else {
                        out.push((0, OUTSIDE as usize * LABELS + first));
                    }
                    for w in labels.windows(2) {
                        out.push((0, w[0] as usize * LABELS + w[1] as usize));
                    }
                    let last = labels[labels.len() - 1] as usize;
                    if ex.at_end {
                        out.push((2, last));
                    } else {
                        out.push((0, last * LABELS + OUTSIDE as usize));
                    }
                    out
                };
                for (delta, labels) in [(1.0, &ex.gold), (-1.0, &pred)] {
                    for (table, i) in path(labels) {
                        match table {
                            0 => trans.add(i, delta, step),
                            1 => start.add(i, delta, step),
                            _ => end.add(i, delta, step),
                        }
                    }
                }
            }
            step += 1.0;
        }
    }
    [
        weights.average(step),
        trans.average(step),
        start.average(step),
        end.average(step),
    ]
}

fn current_transitions(trans: &[f32], start: &[f32], end: &[f32]) -> Transitions {
    let mut t = Transitions::forbidding_invalid();
    for a in 0..LABELS {
        for b in 0..LABELS {
            if t.trans[a][b].is_finite() {
                t.trans[a][b] = trans[a * LABELS + b];
            }
        }
        if t.start[a].is_finite() {
            t.start[a] = start[a];
        }
        if t.end[a].is_finite() {
            t.end[a] = end[a];
        }
    }
    t
}

/// Mention counts of one type.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        let found = self.true_positives + self.false_positives;
        if found == 0 {
            1.0
        } else {
            self.true_positives as f64 / found as f64
        }
    }

    pub fn recall(&self) -> f64 {
        let wanted = self.true_positives + self.false_negatives;
        if wanted == 0 {
            1.0
        } else {
            self.true_positives as f64 / wanted as f64
        }
    }

    pub fn add(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }
}

/// A predicted span with its margin and whether it matched a gold name
/// exactly (same tokens, same type).
#[derive(Debug, Clone, Copy)]
pub struct Prediction {
    pub kind: EntityType,
    pub margin: f32,
    pub correct: bool,
}

/// Every prediction of the tagger on `sentences`, and the number of gold
/// names of each type, so that precision and recall can be read at any
/// margin threshold.
pub fn predictions(tagger: &Tagger, docs: &[Vec<Sentence>]) -> (Vec<Prediction>, [usize; 3]) {
    let mut out = Vec::new();
    let mut gold_counts = [0usize; 3];
    for d in docs {
        let doc = voted_doc_words(tagger, d);
        for s in d {
            let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
            let gold = spans_of(&s.labels);
            for &(_, _, kind) in &gold {
                gold_counts[kind.index()] += 1;
            }
            for TokenSpan {
                first,
                last,
                kind,
                score,
                ..
            } in tagger.tag_tokens_in(&words, &doc)
            {
                out.push(Prediction {
                    kind,
                    margin: score,
                    correct: gold.contains(&(first, last, kind)),
                });
            }
        }
    }
    (out, gold_counts)
}

/// Counts of one type at a margin threshold.
pub fn counts_at(predictions: &[Prediction], gold: [usize; 3], kind: EntityType, threshold: f32) -> Counts {
    let mut c = Counts::default();
    for p in predictions.iter().filter(|p| p.kind == kind && p.margin >= threshold) {
        if p.correct {
            c.true_positives += 1;
        } else {
            c.false_positives += 1;
        }
    }
    c.false_negatives = gold[kind.index()] - c.true_positives;
    c
}

/// The lowest margin threshold at which precision reaches `target`,
/// keeping the most recall; `None` when no threshold does.
pub fn threshold_for_precision(predictions: &[Prediction], kind: EntityType, target: f64) -> Option<f32> {
    let mut margins: Vec<f32> = predictions
        .iter()
        .filter(|p| p.kind == kind)
        .map(|p| p.margin)
        .collect();
    margins.sort_by(f32::total_cmp);
    margins.dedup();
    let mut correct_above = 0usize;
    let mut total_above = 0usize;
    let mut sorted: Vec<&Prediction> = predictions.iter().filter(|p| p.kind == kind).collect();
    sorted.sort_by(|a, b| b.margin.total_cmp(&a.margin));
    // Walk from the highest margin down; remember the lowest threshold that keeps the target.
    let mut best = None;
    let mut k = 0;
    for &m in margins.iter().rev() {
        while k < sorted.len() && sorted[k].margin >= m {
            total_above += 1;
            correct_above += sorted[k].correct as usize;
            k += 1;
        }
        if total_above > 0 && correct_above as f64 / total_above as f64 >= target {
            best = Some(m);
        }
    }
    best
}

/// A paragraph of our own labelled set: plain text and its names as byte spans.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkedParagraph {
    /// `file:line` of the paragraph's first line, for messages.
    pub origin: String,
    pub text: String,
    pub names: Vec<(usize, usize, EntityType)>,
}

/// Why a labelled file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct MarkError {
    pub origin: String,
    pub message: String,
}

/// Reads the format of `tests/ner/*.txt`: paragraphs separated by blank
/// lines, names marked `[PER Amir Khan Muttaqi]`, `[ORG ...]` or
/// `[LOC ...]`, lines starting with `#` ignored.
pub fn parse_marked(name: &str, text: &str) -> Result<Vec<MarkedParagraph>, MarkError> {
    let mut out = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    let mut first_line = 0;
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().chain(std::iter::once(&"")).enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            if !block.is_empty() {
                let origin = format!("{name}:{}", first_line + 1);
                out.push(parse_marked_paragraph(&origin, &block.join(" "))?);
                block.clear();
            }
            continue;
        }
        if block.is_empty() {
            first_line = n;
        }
        block.push(line.trim());
    }
    Ok(out)
}

fn parse_marked_paragraph(origin: &str, marked: &str) -> Result<MarkedParagraph, MarkError> {
    let err = |message: String| MarkError {
        origin: origin.to_string(),
        message,
    };
    let mut text = String::with_capacity(marked.len());
    let mut names = Vec::new();
    let mut rest = marked;
    while let Some(open) = rest.find('[') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find(']').ok_or_else(|| err(format!("unclosed [ in {after:?}")))?;
        let inner = &after[..close];
        let (tag, name) = inner
            .split_once(' ')
            .ok_or_else(|| err(format!("[{inner}] needs a tag and a name")))?;
        let kind = match tag {
            "PER" => EntityType::Person,
            "ORG" => EntityType::Org,
            "LOC" => EntityType::Location,
            other => return Err(err(format!("unknown tag {other:?}; use PER, ORG or LOC"))),
        };
        if name.contains('[') {
            return Err(err(format!("nested [ in [{inner}]")));
        }
        let start = text.len();
        text.push_str(name);
        names.push((start, text.len(), kind));
        rest = &after[close + 1..];
    }
    text.push_str(rest);
    Ok(MarkedParagraph {
        origin: origin.to_string(),
        text,
        names,
    })
}

/// Every span the tagger finds in the paragraphs, as predictions against
/// their marked names (exact byte span and type), and the gold counts.
pub fn marked_predictions(tagger: &Tagger, paragraphs: &[MarkedParagraph]) -> (Vec<Prediction>, [usize; 3]) {
    let mut out = Vec::new();
    let mut gold_counts = [0usize; 3];
    for p in paragraphs {
        for &(_, _, kind) in &p.names {
            gold_counts[kind.index()] += 1;
        }
        for span in tagger.tag(&p.text) {
            out.push(Prediction {
                kind: span.kind,
                margin: span.score,
                correct: p.names.contains(&(span.start, span.end, span.kind)),
            });
        }
    }
    (out, gold_counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iob1_and_iob2_read_alike() {
        let iob1 = "Amir I-PER\nKhan I-PER\nmet O\nNATO I-ORG\n\n";
        let iob2 = "Amir\tB-Person\nKhan\tI-Person\nmet\tO\nNATO\tB-Organisation\n\n";
        let map = |t: &str| match t {
            "PER" | "Person" => Some(EntityType::Person),
            "ORG" | "Organisation" => Some(EntityType::Org),
            _ => None,
        };
        let a = parse_conll(iob1, map);
        let b = parse_conll(iob2, map);
        assert_eq!(a, b);
        assert_eq!(
            spans_of(&a[0][0].labels),
            [(0, 1, EntityType::Person), (3, 3, EntityType::Org)]
        );
        let (p, o) = (EntityType::Person, EntityType::Org);
        assert_eq!(a[0][0].labels, [begin(p), last(p), OUTSIDE, unit(o)]);
    }

    #[test]
    fn a_segment_edge_cuts_a_name_into_a_valid_one() {
        let p = EntityType::Person;
        let labels = [begin(p), inside(p), inside(p), last(p)];
        assert_eq!(reachable_gold(&labels, 1..3), [begin(p), last(p)]);
        assert_eq!(reachable_gold(&labels, 2..3), [unit(p)]);
        assert_eq!(reachable_gold(&labels, 0..2), [begin(p), last(p)]);
        assert_eq!(reachable_gold(&labels, 3..4), [unit(p)]);
        assert_eq!(spans_of(&[unit(p), unit(p), begin(p), last(p)]).len(), 3);
    }

    #[test]
    fn docstart_separates_documents() {
        let text = "-DOCSTART- O\n\nA O\n\nB O\n\n-DOCSTART- O\n\nC O\n";
        let docs = parse_conll(text, |_| None);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].len(), 2);
    }

    #[test]
    fn marked_paragraphs_give_byte_spans() {
        let text = "# comment\n[PER Amir Khan Muttaqi] met\nofficials of [ORG NATO].\n\nIn [LOC Herat].\n";
        let ps = parse_marked("t.txt", text).expect("parses");
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].text, "Amir Khan Muttaqi met officials of NATO.");
        assert_eq!(&ps[0].text[ps[0].names[1].0..ps[0].names[1].1], "NATO");
        assert_eq!(ps[1].origin, "t.txt:5");
        assert!(parse_marked("t.txt", "[XYZ a]").is_err());
        assert!(parse_marked("t.txt", "[PER a").is_err());
    }

    #[test]
    fn threshold_keeps_precision() {
        let p = |margin: f32, correct: bool| Prediction {
            kind: EntityType::Person,
            margin,
            correct,
        };
        let preds = [p(5.0, true), p(4.0, true), p(3.0, false), p(2.0, true), p(1.0, false)];
        assert_eq!(threshold_for_precision(&preds, EntityType::Person, 0.75), Some(2.0));
        assert_eq!(threshold_for_precision(&preds, EntityType::Person, 1.0), Some(4.0));
    }
}
