//! Viterbi decoding over BILOU labels, and the margin of each span found.
//!
//! The margin of a span is the drop from the best labelling's score to the
//! best labelling in which some token of the span has another label. It
//! comes from max-marginals (a forward and a backward max-product pass), so
//! one decode gives every span's margin; it covers "not a name at all",
//! "another type" and "other boundaries" at once, which is what the
//! extractor needs to trust a span. With BILOU a span's own tokens are
//! enough: any labelling that moves its edges changes its first token (no
//! longer `B-`/`U-`) or its last (no longer `L-`/`U-`); with BIO, a name
//! growing by a token changed only the token after it.

use super::{is_inside, label_type, opens, Label, TokenSpan, LABELS, OUTSIDE};

/// Transition scores: `trans[from][to]`, and from the sentence start and to its end.
#[derive(Debug, Clone)]
pub struct Transitions {
    pub trans: [[f32; LABELS]; LABELS],
    pub start: [f32; LABELS],
    pub end: [f32; LABELS],
}

impl Transitions {
    /// Zero scores, with the moves BILOU forbids at minus infinity: after
    /// `B-X` or `I-X` only `I-X` or `L-X`; `I-X` and `L-X` only after
    /// those two, never first; `B-X` and `I-X` never last.
    pub fn forbidding_invalid() -> Transitions {
        let mut t = Transitions {
            trans: [[0.0; LABELS]; LABELS],
            start: [0.0; LABELS],
            end: [0.0; LABELS],
        };
        for a in 0..LABELS as Label {
            if is_inside(a) {
                t.start[a as usize] = f32::NEG_INFINITY;
            }
            if opens(a) {
                t.end[a as usize] = f32::NEG_INFINITY;
            }
            for b in 0..LABELS as Label {
                if !allowed(a, b) {
                    t.trans[a as usize][b as usize] = f32::NEG_INFINITY;
                }
            }
        }
        t
    }

    /// Scores into a segment: from the sentence start, or from an `O` token.
    fn entry(&self, at_start: bool) -> [f32; LABELS] {
        if at_start {
            self.start
        } else {
            self.trans[OUTSIDE as usize]
        }
    }

    /// Scores out of a segment: to the sentence end, or to an `O` token.
    fn exit(&self, at_end: bool) -> [f32; LABELS] {
        if at_end {
            self.end
        } else {
            std::array::from_fn(|y| self.trans[y][OUTSIDE as usize])
        }
    }
}

/// Whether label `b` may follow label `a`.
pub fn allowed(a: Label, b: Label) -> bool {
    if opens(a) {
        is_inside(b) && label_type(a) == label_type(b)
    } else {
        !is_inside(b)
    }
}

/// Buffers reused across segments.
#[derive(Debug, Default)]
pub struct Scratch {
    alpha: Vec<f32>,
    beta: Vec<f32>,
    back: Vec<u8>,
    best: Vec<Label>,
}

/// The best labelling of a segment whose emission scores are `em`
/// (`n * LABELS`, token-major). The tokens before and after the segment are
/// `O` unless it touches the sentence's start (`at_start`) or end (`at_end`).
pub fn viterbi(t: &Transitions, em: &[f32], at_start: bool, at_end: bool, s: &mut Scratch) -> Vec<Label> {
    forward(t, em, at_start, s);
    let n = em.len() / LABELS;
    if n == 0 {
        return Vec::new();
    }
    let exit = t.exit(at_end);
    let last = &s.alpha[(n - 1) * LABELS..n * LABELS];
    let mut y = argmax(&std::array::from_fn::<f32, LABELS, _>(|k| last[k] + exit[k]));
    let mut labels = vec![OUTSIDE; n];
    for i in (0..n).rev() {
        labels[i] = y as Label;
        if i > 0 {
            y = s.back[i * LABELS + y] as usize;
        }
    }
    labels
}

fn argmax(xs: &[f32; LABELS]) -> usize {
    let mut best = 0;
    for k in 1..LABELS {
        if xs[k] > xs[best] {
            best = k;
        }
    }
    best
}

fn forward(t: &Transitions, em: &[f32], at_start: bool, s: &mut Scratch) {
    let n = em.len() / LABELS;
    s.alpha.clear();
    s.alpha.resize(n * LABELS, f32::NEG_INFINITY);
    s.back.clear();
    s.back.resize(n * LABELS, 0);
    if n == 0 {
        return;
    }
    let entry = t.entry(at_start);
    for y in 0..LABELS {
        s.alpha[y] = entry[y] + em[y];
    }
    for i in 1..n {
        for y in 0..LABELS {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0;
            for p in 0..LABELS {
                let v = s.alpha[(i - 1) * LABELS + p] + t.trans[p][y];
                if v > best {
                    best = v;
                    arg = p;
                }
            }
            s.alpha[i * LABELS + y] = best + em[i * LABELS + y];
            s.back[i * LABELS + y] = arg as u8;
        }
    }
}

fn backward(t: &Transitions, em: &[f32], at_end: bool, s: &mut Scratch) {
    let n = em.len() / LABELS;
    s.beta.clear();
    s.beta.resize(n * LABELS, f32::NEG_INFINITY);
    if n == 0 {
        return;
    }
    let exit = t.exit(at_end);
    s.beta[(n - 1) * LABELS..].copy_from_slice(&exit);
    for i in (0..n - 1).rev() {
        for y in 0..LABELS {
            let mut best = f32::NEG_INFINITY;
            for q in 0..LABELS {
                let v = t.trans[y][q] + em[(i + 1) * LABELS + q] + s.beta[(i + 1) * LABELS + q];
                if v > best {
                    best = v;
                }
            }
            s.beta[i * LABELS + y] = best;
        }
    }
}

/// The largest margin reported: a span no other labelling can touch.
pub const MAX_MARGIN: f32 = 1.0e6;

/// The spans of the best labelling of a segment, each with its margin.
pub fn decode_spans(t: &Transitions, em: &[f32], at_start: bool, at_end: bool, s: &mut Scratch) -> Vec<TokenSpan> {
    if em.len() == LABELS {
        return decode_one(t, em, at_start, at_end).into_iter().collect();
    }
    let labels = viterbi(t, em, at_start, at_end, s);
    if labels.iter().all(|&l| l == OUTSIDE) {
        return Vec::new();
    }
    backward(t, em, at_end, s);
    let n = labels.len();
    // Token margins: best score minus the best score with another label here.
    s.best.clear();
    let mut margins = Vec::with_capacity(n);
    for (i, &label) in labels.iter().enumerate() {
        margins.push(margin(label as usize, |y| {
            s.alpha[i * LABELS + y] + s.beta[i * LABELS + y]
        }));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let Some(kind) = label_type(labels[i]) else {
            i += 1;
            continue;
        };
        let mut j = i;
        while j + 1 < n && opens(labels[j]) && is_inside(labels[j + 1]) {
            j += 1;
        }
        let margin = margins[i..=j].iter().copied().fold(MAX_MARGIN, f32::min);
        out.push(TokenSpan {
            first: i,
            last: j,
            kind,
            margin,
            score: margin,
        });
        i = j + 1;
    }
    out
}

/// A token's margin: its `label`'s best score (`score` of a label) over
/// the best score with any other label there.
fn margin(label: usize, score: impl Fn(usize) -> f32) -> f32 {
    let other = (0..LABELS)
        .filter(|&y| y != label)
        .map(&score)
        .fold(f32::NEG_INFINITY, f32::max);
    (score(label) - other).min(MAX_MARGIN)
}

/// [`decode_spans`] for a segment of one token (a lone capitalised word),
/// in closed form: each label's best score is its way in, its emission and
/// its way out, added in the order the passes add them, so the label and
/// the margin are the same to the bit.
fn decode_one(t: &Transitions, em: &[f32], at_start: bool, at_end: bool) -> Option<TokenSpan> {
    let (entry, exit) = (t.entry(at_start), t.exit(at_end));
    let scores: [f32; LABELS] = std::array::from_fn(|y| entry[y] + em[y] + exit[y]);
    let label = argmax(&scores);
    let kind = label_type(label as Label)?;
    let margin = margin(label, |y| scores[y]);
    Some(TokenSpan {
        first: 0,
        last: 0,
        kind,
        margin,
        score: margin,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{begin, inside, last, unit, EntityType};
    use super::*;

    fn emissions(rows: &[[f32; LABELS]]) -> Vec<f32> {
        rows.iter().flatten().copied().collect()
    }

    #[test]
    fn viterbi_respects_bilou_and_finds_the_best_path() {
        let t = Transitions::forbidding_invalid();
        // Token 1 prefers L-PER, but L-PER cannot follow O: the path must
        // make token 0 B-PER (cheap) or token 1 something else.
        let mut a = [0.0; LABELS];
        a[OUTSIDE as usize] = 1.0;
        a[begin(EntityType::Person) as usize] = 0.5;
        let mut b = [0.0; LABELS];
        b[last(EntityType::Person) as usize] = 3.0;
        let labels = viterbi(&t, &emissions(&[a, b]), true, true, &mut Scratch::default());
        assert_eq!(labels, [begin(EntityType::Person), last(EntityType::Person)]);
        // B- may not end a sentence, nor I- follow O.
        let mut c = [0.0; LABELS];
        c[begin(EntityType::Org) as usize] = 5.0;
        c[unit(EntityType::Org) as usize] = 1.0;
        let labels = viterbi(&t, &emissions(&[c]), true, true, &mut Scratch::default());
        assert_eq!(labels, [unit(EntityType::Org)]);
        assert!(!allowed(OUTSIDE, inside(EntityType::Org)));
        assert!(!allowed(begin(EntityType::Org), last(EntityType::Person)));
        assert!(allowed(inside(EntityType::Org), last(EntityType::Org)));
    }

    #[test]
    fn margin_is_the_score_drop_to_the_best_other_labelling() {
        let t = Transitions::forbidding_invalid();
        let mut a = [0.0; LABELS];
        a[unit(EntityType::Org) as usize] = 5.0;
        a[unit(EntityType::Person) as usize] = 3.0;
        let spans = decode_spans(&t, &emissions(&[a]), true, true, &mut Scratch::default());
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].kind, EntityType::Org);
        assert!((spans[0].margin - 2.0).abs() < 1e-6, "{}", spans[0].margin);
    }

    #[test]
    fn one_token_segments_decode_as_the_passes_do() {
        let mut t = Transitions::forbidding_invalid();
        // Uneven transitions, so that the way in and out matter.
        for (a, row) in t.trans.iter_mut().enumerate() {
            for (b, w) in row.iter_mut().enumerate() {
                if w.is_finite() {
                    *w = ((a * 7 + b * 3) % 11) as f32 * 0.37 - 1.5;
                }
            }
        }
        let (mut named, mut outside) = (0, 0);
        for k in 0..200u32 {
            let em: Vec<f32> = (0..LABELS as u32)
                .map(|y| ((k * 31 + y * 17) % 23) as f32 * 0.41 - 4.0)
                .collect();
            for (at_start, at_end) in [(false, false), (true, false), (false, true), (true, true)] {
                let mut s = Scratch::default();
                let labels = viterbi(&t, &em, at_start, at_end, &mut s);
                let general = if labels[0] == OUTSIDE {
                    Vec::new()
                } else {
                    backward(&t, &em, at_end, &mut s);
                    let m = |y: usize| s.alpha[y] + s.beta[y];
                    let other = (0..LABELS)
                        .filter(|&y| y != labels[0] as usize)
                        .map(m)
                        .fold(f32::NEG_INFINITY, f32::max);
                    let margin = (m(labels[0] as usize) - other).min(MAX_MARGIN);
                    vec![(label_type(labels[0]), margin.to_bits())]
                };
                let closed: Vec<_> = decode_spans(&t, &em, at_start, at_end, &mut Scratch::default())
                    .iter()
                    .map(|sp| (Some(sp.kind), sp.margin.to_bits()))
                    .collect();
                assert_eq!(closed, general, "emissions {em:?}, start {at_start}, end {at_end}");
                if closed.is_empty() {
                    outside += 1;
                } else {
                    named += 1;
                }
            }
        }
        // Both outcomes were compared, not only one.
        assert!(named > 50 && outside > 50, "{named} named, {outside} outside");
    }

    #[test]
    fn margin_counts_a_longer_name() {
        let t = Transitions::forbidding_invalid();
        let mut a = [0.0; LABELS];
        a[unit(EntityType::Person) as usize] = 4.0;
        a[begin(EntityType::Person) as usize] = 3.0;
        // The next token nearly joins the name: B-PER L-PER is 0.25 short of U-PER O.
        let mut b = [0.0; LABELS];
        b[OUTSIDE as usize] = 1.0;
        b[last(EntityType::Person) as usize] = 1.75;
        let spans = decode_spans(&t, &emissions(&[a, b]), true, true, &mut Scratch::default());
        assert_eq!((spans[0].first, spans[0].last), (0, 0));
        assert!((spans[0].margin - 0.25).abs() < 1e-6, "{}", spans[0].margin);
    }
}
