//! The second stage: a classifier over whole candidate spans that decides
//! whether a span is a person, an organisation, a place or no name, and how
//! sure it is.
//!
//! Why: the tagger's margin measures doubt about the labelling, but most of
//! its remaining errors on news-like text are confident errors about type
//! or convention ("Cary Towne Center" and "Bobby Morris Playfield" as
//! people, "Hamid Karzai" inside "Hamid Karzai International Airport").
//! Those are visible only when the span is looked at whole: the word after
//! it ("Airport", "Center", "Reservoir"), its first and last words, its
//! length, whether its words are given names. A token tagger with BIO
//! labels sees each of those one token at a time; this stage sees them
//! together, and its score (the best type's score over the best other
//! class, "no name" included) is what the extractor thresholds.
//!
//! Candidates are the tagger's spans (any margin) and, optionally, the
//! maximal runs of capitalised words it left out or cut differently. The
//! classifier is a multiclass averaged perceptron over hashed span
//! features, trained on candidates the tagger produced on text it was not
//! trained on (out-of-fold), so that its inputs (the tagger's type and
//! margin) look as they will at run time.

use std::sync::LazyLock;

use super::features::{finish, flag, mix, DocWords, TokenInfo};
use super::model::Quantiser;
use super::EntityType;

/// Classes: no name, then the three [`EntityType`]s in [`EntityType::ALL`] order.
pub const CLASSES: usize = 4;

/// The "no name" class.
pub const NONE: usize = 0;

/// The class of a type.
pub fn class_of(kind: EntityType) -> usize {
    1 + kind.index()
}

/// The type of a class, `None` for [`NONE`].
pub fn type_of(class: usize) -> Option<EntityType> {
    EntityType::ALL.get(class.wrapping_sub(1)).copied()
}

/// A candidate span: tokens `first..=last` of a sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub first: usize,
    pub last: usize,
    /// What the tagger labelled it (`None`: a capitalised run it did not label).
    pub tagged: Option<EntityType>,
    /// The tagger's margin (0 for a run it did not label).
    pub margin: f32,
}

/// The trained second stage.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanModel {
    /// The feature table has `1 << bits` buckets.
    pub bits: u32,
    pub scale: f32,
    /// Minimum score for a span of each type to be accepted.
    pub thresholds: [f32; 3],
    /// Whether capitalised runs the tagger did not label are candidates.
    pub runs: bool,
    /// `1 << bits` rows of class weights.
    pub weights: Vec<[i16; CLASSES]>,
}

/// Feature templates, hashed with their values.
mod template {
    pub const BIAS: u64 = 101;
    pub const TAGGED: u64 = 102;
    pub const MARGIN: u64 = 103;
    pub const LEN: u64 = 104;
    pub const FIRST: u64 = 105;
    pub const LAST: u64 = 106;
    pub const INNER: u64 = 107;
    pub const BEFORE: u64 = 108;
    pub const BEFORE2: u64 = 109;
    pub const AFTER: u64 = 110;
    pub const AFTER2: u64 = 111;
    pub const FIRST_FLAG: u64 = 112;
    pub const LAST_FLAG: u64 = 113;
    pub const ALL_FLAG: u64 = 114;
    pub const SHAPES: u64 = 115;
    pub const FIRST_DOC: u64 = 116;
    pub const LAST_DOC: u64 = 117;
    pub const PHRASE: u64 = 118;
    pub const AT_START: u64 = 119;
    pub const AFTER_TAGGED: u64 = 120;
    pub const BEFORE_TAGGED: u64 = 121;
    pub const LAST_SUFFIX: u64 = 122;
    pub const AFTER_SHAPE: u64 = 123;
    pub const BEFORE_SHAPE: u64 = 124;
    pub const LEN_TAGGED: u64 = 125;
    pub const LAST_TAGGED: u64 = 126;
    pub const HEAD_LAST: u64 = 127;
    pub const HEAD_AFTER: u64 = 128;
    pub const HEAD_INNER: u64 = 129;
    pub const VOTE_FIRST: u64 = 130;
    pub const VOTE_LAST: u64 = 131;
    pub const VOTE_MAJOR: u64 = 132;
    pub const ACRONYM: u64 = 133;
}

const BOUNDARY: u64 = 0x0bad_5eed_0000_0003;

/// What kind of name a capitalised common noun ends: a place or facility
/// ("Airport", "Reservoir", "Playfield") or an organisation ("University",
/// "Power", "Group"). A name made of a person's name and such a word is a
/// facility or a company named after the person ("Hamid Karzai
/// International Airport", "Bobby Morris Playfield"); the training data
/// holds too few of each word for the classifier to learn them one by one,
/// so it learns one weight per kind of head from these lists.
pub fn head_class(word: &str) -> u64 {
    let mut buf = [0u8; 16];
    if word.len() > buf.len() || !word.is_ascii() {
        return 0;
    }
    for (b, c) in buf.iter_mut().zip(word.bytes()) {
        *b = c.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(&buf[..word.len()]).unwrap_or("");
    // Every span's last words and inner words are looked up, so the lists
    // are searched sorted (a linear search of both was 1.3% of a build).
    static HEADS: LazyLock<Vec<(&'static str, u64)>> = LazyLock::new(|| {
        let mut heads: Vec<(&str, u64)> = ORG_HEADS.iter().map(|&w| (w, 2)).collect();
        // A word on both lists is a place's, as the linear search had it.
        heads.extend(PLACE_HEADS.iter().map(|&w| (w, 1)));
        heads.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
        heads.dedup_by(|later, first| later.0 == first.0);
        heads
    });
    match HEADS.binary_search_by(|(head, _)| head.cmp(&lower)) {
        Ok(i) => HEADS[i].1,
        Err(_) => 0,
    }
}

/// Last words of places and facilities, lower-case.
const PLACE_HEADS: &[&str] = &[
    "airport",
    "airbase",
    "base",
    "stadium",
    "arena",
    "gym",
    "gymnasium",
    "field",
    "playfield",
    "park",
    "square",
    "street",
    "road",
    "avenue",
    "highway",
    "bridge",
    "dam",
    "reservoir",
    "lake",
    "pond",
    "river",
    "brook",
    "creek",
    "valley",
    "mountain",
    "mountains",
    "mount",
    "hill",
    "hills",
    "island",
    "islands",
    "bay",
    "dock",
    "port",
    "harbour",
    "harbor",
    "canal",
    "pass",
    "province",
    "district",
    "county",
    "city",
    "town",
    "village",
    "camp",
    "center",
    "centre",
    "mall",
    "tower",
    "towers",
    "palace",
    "house",
    "hall",
    "castle",
    "mosque",
    "church",
    "cathedral",
    "temple",
    "shrine",
    "station",
    "terminal",
    "border",
    "crossing",
    "desert",
    "plain",
    "plains",
    "gorge",
    "coast",
    "beach",
    "forest",
    "gardens",
    "garden",
    "building",
    "hotel",
    "hospital",
    "prison",
    "checkpoint",
    "corridor",
    "gate",
    "market",
    "bazaar",
    "plaza",
    "heights",
    "springs",
    "falls",
    "peak",
];

/// Last words of organisations, lower-case.
const ORG_HEADS: &[&str] = &[
    "university",
    "college",
    "school",
    "academy",
    "institute",
    "foundation",
    "company",
    "corporation",
    "corp",
    "corp.",
    "inc",
    "inc.",
    "ltd",
    "ltd.",
    "llc",
    "plc",
    "co",
    "co.",
    "group",
    "holding",
    "holdings",
    "bank",
    "air",
    "airlines",
    "airways",
    "power",
    "energy",
    "oil",
    "gas",
    "petroleum",
    "motors",
    "industries",
    "systems",
    "technologies",
    "partners",
    "capital",
    "fund",
    "trust",
    "party",
    "council",
    "committee",
    "commission",
    "ministry",
    "department",
    "agency",
    "authority",
    "association",
    "society",
    "club",
    "union",
    "federation",
    "league",
    "army",
    "forces",
    "force",
    "brigade",
    "battalion",
    "regiment",
    "front",
    "movement",
    "network",
    "press",
    "times",
    "news",
    "post",
    "television",
    "radio",
    "records",
    "band",
    "team",
    "office",
    "organisation",
    "organization",
    "board",
    "court",
    "parliament",
    "assembly",
    "senate",
    "police",
    "guard",
    "services",
    "service",
    "mission",
    "programme",
    "program",
    "bureau",
    "taliban",
    "brothers",
    "media",
];

/// The flags a span's words are described by.
const SPAN_FLAGS: [u16; 9] = [
    flag::GIVEN,
    flag::SURNAME,
    flag::PERSON_WORD,
    flag::ORG_WORD,
    flag::LOWER_SEEN,
    flag::ALL_CAPS,
    flag::DIGIT,
    flag::ROLE,
    flag::CONNECTOR,
];

/// A coarse bucket of the tagger's margin (its scale is the tagger's score
/// units, so the buckets are wide and roughly logarithmic).
fn margin_bucket(margin: f32) -> u64 {
    match margin {
        m if m <= 0.0 => 0,
        m if m < 3.0 => 1,
        m if m < 8.0 => 2,
        m if m < 15.0 => 3,
        m if m < 25.0 => 4,
        m if m < 40.0 => 5,
        m if m < 60.0 => 6,
        m if m < 100.0 => 7,
        _ => 8,
    }
}

/// How many first-stage spans of each type elsewhere in the document hold
/// token `k` of candidate `c`: the document's votes ([`DocWords::votes`])
/// less the candidate's own, when it is itself a first-stage span.
fn votes_elsewhere(info: &[TokenInfo], doc: &DocWords, c: &Candidate, k: usize) -> [u16; 3] {
    let mut v = doc.votes(info[k].hash);
    if let Some(kind) = c.tagged.filter(|_| info[k].flags & flag::CAPITAL != 0) {
        v[kind.index()] = v[kind.index()].saturating_sub(1);
    }
    v
}

/// The feature ids of candidate `c` in the sentence `words` (whose
/// [`TokenInfo`] is `info`) of the document `doc`, below `mask + 1`,
/// appended to `out`.
pub fn span_features(words: &[&str], info: &[TokenInfo], doc: &DocWords, c: &Candidate, mask: u32, out: &mut Vec<u32>) {
    let push = |out: &mut Vec<u32>, t: u64, v: u64| out.push((finish(mix(t, v)) & mask as u64) as u32);
    let tagged = c.tagged.map_or(0, |k| 1 + k.index() as u64);
    let (first, last) = (c.first, c.last);
    let n = last + 1 - first;
    let hash = |k: usize| info[k].hash;
    push(out, template::BIAS, 0);
    push(out, template::TAGGED, tagged);
    push(out, template::MARGIN, mix(tagged, margin_bucket(c.margin)));
    let len = n.min(5) as u64;
    push(out, template::LEN, len);
    push(out, template::LEN_TAGGED, mix(len, tagged));
    push(out, template::FIRST, hash(first));
    push(out, template::LAST, hash(last));
    push(out, template::LAST_TAGGED, mix(hash(last), tagged));
    for k in first + 1..last {
        push(out, template::INNER, hash(k));
    }
    let word_at = |k: isize| -> u64 {
        if k < 0 || k as usize >= info.len() {
            BOUNDARY
        } else {
            info[k as usize].hash
        }
    };
    let shape_at = |k: isize| -> u64 {
        if k < 0 || k as usize >= info.len() {
            BOUNDARY
        } else {
            info[k as usize].shape
        }
    };
    let (f, l) = (first as isize, last as isize);
    push(out, template::BEFORE, word_at(f - 1));
    push(out, template::BEFORE2, mix(word_at(f - 2), word_at(f - 1)));
    push(out, template::AFTER, word_at(l + 1));
    push(out, template::AFTER2, mix(word_at(l + 1), word_at(l + 2)));
    push(out, template::AFTER_TAGGED, mix(word_at(l + 1), tagged));
    push(out, template::BEFORE_TAGGED, mix(word_at(f - 1), tagged));
    push(out, template::AFTER_SHAPE, shape_at(l + 1));
    push(out, template::BEFORE_SHAPE, shape_at(f - 1));
    if first == 0 {
        push(out, template::AT_START, tagged);
    }
    // The span's shape, word by word (runs of one shape written once).
    let mut shapes = 0u64;
    let mut prev = 0u64;
    for t in &info[first..=last] {
        if t.shape != prev {
            shapes = mix(shapes, t.shape);
            prev = t.shape;
        }
    }
    push(out, template::SHAPES, shapes);
    let mut all = u16::MAX;
    for t in &info[first..=last] {
        if t.flags & flag::CONNECTOR == 0 {
            all &= t.flags;
        }
    }
    for bit in SPAN_FLAGS {
        if info[first].flags & bit != 0 {
            push(out, template::FIRST_FLAG, bit as u64);
        }
        if info[last].flags & bit != 0 {
            push(out, template::LAST_FLAG, bit as u64);
        }
        if all & bit != 0 {
            push(out, template::ALL_FLAG, bit as u64);
        }
    }
    for bit in 0..4u64 {
        if info[first].doc & (1 << bit) != 0 {
            push(out, template::FIRST_DOC, bit);
        }
        if info[last].doc & (1 << bit) != 0 {
            push(out, template::LAST_DOC, bit);
        }
        if info[first].phrase_begin & (1 << bit) != 0 {
            push(out, template::PHRASE, bit);
        }
    }
    // A place's or organisation's head word ending the span, right after
    // it ("Hamid Karzai | International Airport"), or inside it.
    let head_last = head_class(words[last]);
    push(out, template::HEAD_LAST, mix(head_last, tagged));
    let after_head = (last + 1..(last + 3).min(words.len()))
        .take_while(|&k| info[k].flags & flag::CAPITAL != 0)
        .map(|k| head_class(words[k]))
        .find(|&h| h != 0)
        .unwrap_or(0);
    push(out, template::HEAD_AFTER, mix(after_head, tagged));
    for w in &words[first..last] {
        let h = head_class(w);
        if h != 0 {
            push(out, template::HEAD_INNER, h);
        }
    }
    // Document-level consistency: what the first stage called the span's
    // first and last words elsewhere in the document ("Caloi" tagged a
    // company twice and a person once). The second stage is trained on
    // out-of-fold candidates, so these votes come from a first stage that
    // did not see the document, as at run time.
    if doc.has_votes() {
        let bucket = |n: u16| n.min(3) as u64;
        let mut total = [0u16; 3];
        for (k, template) in [(first, template::VOTE_FIRST), (last, template::VOTE_LAST)] {
            let v = votes_elsewhere(info, doc, c, k);
            for kind in 0..3 {
                push(out, template, mix(tagged, mix(kind as u64, bucket(v[kind]))));
                total[kind] = total[kind].max(v[kind]);
            }
        }
        // The type most often given elsewhere (0: none), against this one's.
        let major = (0..3)
            .filter(|&k| total[k] > 0)
            .max_by_key(|&k| (total[k], std::cmp::Reverse(k)))
            .map_or(0, |k| 1 + k as u64);
        push(out, template::VOTE_MAJOR, mix(tagged, major));
    }
    // Acronym linking within the document: the span's initials written
    // in capitals elsewhere ("Asian Development Bank" ... "ADB"), or the
    // span a word in capitals that spells the initials of a run elsewhere.
    if doc.abbreviated(&words[first..=last]) {
        push(out, template::ACRONYM, mix(tagged, 1));
    }
    if first == last && info[first].flags & flag::ALL_CAPS != 0 && doc.expands(info[first].hash) {
        push(out, template::ACRONYM, mix(tagged, 2));
    }
    // The ending of the last word ("-stan", "-ville", "-berg", "-ullah").
    let w = words[last];
    let chars: Vec<char> = w.chars().collect();
    if chars.len() > 4 {
        let tail: String = chars[chars.len() - 3..].iter().flat_map(|c| c.to_lowercase()).collect();
        push(out, template::LAST_SUFFIX, super::features::word_hash(&tail));
    }
}

impl SpanModel {
    /// The mask that keeps a feature id within the table.
    pub fn mask(&self) -> u32 {
        ((1u64 << self.bits) - 1) as u32
    }

    /// Each class's score for a candidate with features `feats`.
    pub fn scores(&self, feats: &[u32]) -> [f32; CLASSES] {
        let mut acc = [0i32; CLASSES];
        for &f in feats {
            if let Some(row) = self.weights.get(f as usize) {
                for (a, &w) in acc.iter_mut().zip(row) {
                    *a += w as i32;
                }
            }
        }
        acc.map(|a| a as f32 * self.scale)
    }

    /// The minimum score of a type.
    pub fn threshold(&self, kind: EntityType) -> f32 {
        self.thresholds[kind.index()]
    }
}

/// The best type of a candidate and its score: how far that type's score
/// is above the best other class's, "no name" included (negative when "no
/// name" wins).
pub fn decide(scores: &[f32; CLASSES]) -> (EntityType, f32) {
    let mut best = 1;
    for k in 2..CLASSES {
        if scores[k] > scores[best] {
            best = k;
        }
    }
    let other = (0..CLASSES)
        .filter(|&k| k != best)
        .map(|k| scores[k])
        .fold(f32::NEG_INFINITY, f32::max);
    let kind = type_of(best).unwrap_or(EntityType::Person);
    (kind, scores[best] - other)
}

/// Adds to `out` the maximal runs of capitalised words (joined by
/// connectors, as the tagger's segments are) in `segment` that no tagger
/// span already covers exactly; a lone closed-class word is not a run.
/// (`out[from..]` are the segment's tagger spans).
pub fn add_runs(info: &[TokenInfo], segment: std::ops::Range<usize>, from: usize, out: &mut Vec<Candidate>) {
    let tagged = out.len();
    let capital = |k: usize| info[k].flags & flag::CAPITAL != 0;
    let mut k = segment.start;
    while k < segment.end {
        if !capital(k) {
            k += 1;
            continue;
        }
        let mut j = k;
        while j + 1 < segment.end && capital(j + 1) {
            j += 1;
        }
        let lone_stop = j == k && info[k].flags & flag::STOP != 0;
        let mut first = k;
        // A closed-class word opening a run ("The Bobby Morris ...") is not part of a name.
        if first < j && info[first].flags & flag::STOP != 0 {
            first += 1;
        }
        let known = out[from..tagged].iter().any(|c| (c.first, c.last) == (first, j));
        if !lone_stop && !known {
            out.push(Candidate {
                first,
                last: j,
                tagged: None,
                margin: 0.0,
            });
        }
        k = j + 1;
    }
}

/// Averaged multiclass perceptron training data: each candidate's feature
/// ids and its gold class.
#[derive(Debug, Clone, Default)]
pub struct SpanData {
    pub feats: Vec<u32>,
    pub offsets: Vec<usize>,
    pub gold: Vec<u8>,
}

impl SpanData {
    pub fn push(&mut self, feats: &[u32], gold: usize) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.feats.extend_from_slice(feats);
        self.offsets.push(self.feats.len());
        self.gold.push(gold as u8);
    }

    pub fn len(&self) -> usize {
        self.gold.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gold.is_empty()
    }

    pub fn feats_of(&self, i: usize) -> &[u32] {
        &self.feats[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The candidates `keep` says yes to.
    pub fn subset(&self, keep: impl Fn(usize) -> bool) -> SpanData {
        let mut out = SpanData::default();
        for i in 0..self.len() {
            if keep(i) {
                out.push(self.feats_of(i), self.gold[i] as usize);
            }
        }
        out
    }
}

/// Trains the second stage (averaged multiclass perceptron, candidates in a
/// seeded order each epoch). Same data and seed: identical weights.
pub fn train_spans(data: &SpanData, bits: u32, epochs: usize, seed: u64, runs: bool) -> SpanModel {
    train_spans_bagged(data, bits, epochs, seed, runs, 1)
}

/// As [`train_spans`], averaging the weights of `runs_of` perceptrons
/// trained in different seeded orders (seed, seed + 1, ...). Why: with
/// under two thousand candidates, one perceptron's weights, and so the
/// order of its scores, depend on the order it saw them in about as much
/// as on the features; the model is linear, so the average is one table
/// and costs nothing at run time.
pub fn train_spans_bagged(
    data: &SpanData,
    bits: u32,
    epochs: usize,
    seed: u64,
    runs: bool,
    runs_of: usize,
) -> SpanModel {
    let n = 1usize << bits;
    let runs_of = runs_of.max(1);
    let mut avg = vec![0f32; n * CLASSES];
    for b in 0..runs_of {
        let one = perceptron(data, n, epochs, seed.wrapping_add(b as u64));
        for (a, x) in avg.iter_mut().zip(one) {
            *a += x / runs_of as f32;
        }
    }
    let quantiser = Quantiser::for_weights(avg.iter());
    SpanModel {
        bits,
        scale: quantiser.scale,
        thresholds: [0.0; 3],
        runs,
        weights: quantiser.rows(&avg, CLASSES),
    }
}

/// One averaged multiclass perceptron over `data` (`n` feature rows), its
/// averaged weights row by row.
fn perceptron(data: &SpanData, n: usize, epochs: usize, seed: u64) -> Vec<f32> {
    let mut w = vec![0f32; n * CLASSES];
    let mut u = vec![0f32; n * CLASSES];
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = super::train::Rng::new(seed);
    let mut step = 1.0f32;
    for _ in 0..epochs {
        for k in (1..order.len()).rev() {
            order.swap(k, rng.below(k + 1));
        }
        for &i in &order {
            let feats = data.feats_of(i);
            let mut scores = [0f32; CLASSES];
            for &f in feats {
                for (c, s) in scores.iter_mut().enumerate() {
                    *s += w[f as usize * CLASSES + c];
                }
            }
            let mut pred = 0;
            for c in 1..CLASSES {
                if scores[c] > scores[pred] {
                    pred = c;
                }
            }
            let gold = data.gold[i] as usize;
            if pred != gold {
                for &f in feats {
                    let f = f as usize * CLASSES;
                    w[f + gold] += 1.0;
                    u[f + gold] += step;
                    w[f + pred] -= 1.0;
                    u[f + pred] -= step;
                }
            }
            step += 1.0;
        }
    }
    w.iter().zip(&u).map(|(w, u)| w - u / step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_classes_are_the_lists_in_any_case() {
        for &w in PLACE_HEADS {
            assert_eq!(head_class(w), 1, "{w}");
            assert_eq!(head_class(&w.to_uppercase()), 1, "{w}");
        }
        for &w in ORG_HEADS.iter().filter(|w| !PLACE_HEADS.contains(w)) {
            assert_eq!(head_class(w), 2, "{w}");
        }
        assert_eq!(head_class("Karzai"), 0);
        assert_eq!(head_class(""), 0);
    }

    #[test]
    fn classes_round_trip() {
        for kind in EntityType::ALL {
            assert_eq!(type_of(class_of(kind)), Some(kind));
        }
        assert_eq!(type_of(NONE), None);
    }

    #[test]
    fn decide_scores_against_no_name() {
        let (kind, score) = decide(&[3.0, 1.0, 2.5, 0.0]);
        assert_eq!(kind, EntityType::Org);
        assert!((score + 0.5).abs() < 1e-6, "no name wins by 0.5: {score}");
        let (kind, score) = decide(&[0.0, 4.0, 1.0, 1.5]);
        assert_eq!(kind, EntityType::Person);
        assert!((score - 2.5).abs() < 1e-6);
    }

    #[test]
    fn heads_tell_facilities_and_companies() {
        assert_eq!(head_class("Airport"), 1);
        assert_eq!(head_class("Reservoir"), 1);
        assert_eq!(head_class("Power"), 2);
        assert_eq!(head_class("University"), 2);
        assert_eq!(head_class("Karzai"), 0);
        assert_eq!(head_class("Überlandwerk"), 0);
    }

    #[test]
    fn margins_fall_in_ordered_buckets() {
        let ms = [-1.0, 1.0, 5.0, 10.0, 20.0, 30.0, 50.0, 80.0, 1.0e6];
        let bs: Vec<u64> = ms.iter().map(|&m| margin_bucket(m)).collect();
        assert!(bs.windows(2).all(|w| w[0] < w[1]), "{bs:?}");
    }
}
