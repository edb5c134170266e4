//! The tagger's weights and their file format.
//!
//! Weights are 16-bit integers with one scale for the whole model: the
//! averaged perceptron's weights span a few orders of magnitude, and 16 bits
//! keep the decisions of the f32 model while halving memory. On disk the
//! table is sparse (most hashed buckets never fired for most labels): pairs
//! of (gap to the previous non-zero entry, value) as LEB128 varints, so the
//! shipped file stays a few MB.
//!
//! Layout (little-endian): `BRTG`, version u32, table bits u32, scale f32,
//! three per-type margin thresholds f32 (person, org, location), a
//! description (u32 length + UTF-8), the lower-case vocabulary (bits u32,
//! u64 count u32, the u64s), transitions `LABELS x LABELS` then start
//! and end (i16 each), the number of non-zero entries u32, the entries;
//! then the second stage ([`SpanModel`]): a byte 1 (0: none), bits u32,
//! scale f32, three score thresholds f32, a byte 1 when capitalised runs
//! are candidates, the number of non-zero entries u32, the entries (as
//! above, [`CLASSES`] per bucket).

use super::decode::Transitions;
use super::features::Vocab;
use super::spans::{SpanModel, CLASSES};
use super::{EntityType, LABELS};

/// Weights per bucket as held in memory: the labels' weights padded to a
/// multiple of 8, so that adding a bucket's row is a few vector operations.
pub const LANES: usize = LABELS.div_ceil(8) * 8;

/// One bucket's weights, a lane per label (the padding lanes stay 0).
///
/// Aligned to its size, so that a row never straddles two cache lines: the
/// table (8 MB) is read at random, a few dozen rows per token, and with
/// the allocator's 16-byte alignment half the rows cost two cache misses.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(C, align(32))]
pub struct Row(pub [i16; LANES]);

impl std::ops::Deref for Row {
    type Target = [i16; LANES];

    fn deref(&self) -> &[i16; LANES] {
        &self.0
    }
}

impl std::ops::DerefMut for Row {
    fn deref_mut(&mut self) -> &mut [i16; LANES] {
        &mut self.0
    }
}

const MAGIC: &[u8; 4] = b"BRTG";
const VERSION: u32 = 4;

/// Why a weights file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a tagger weights file (bad magic)")]
    Magic,
    #[error("tagger weights version {0}, this build reads version {VERSION}")]
    Version(u32),
    #[error("tagger weights file is truncated or corrupt at byte {0}")]
    Corrupt(usize),
}

/// A trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub bits: u32,
    pub scale: f32,
    /// Minimum margin for a span of each type to be accepted, in score units.
    pub thresholds: [f32; 3],
    /// What the model was trained on, for people reading the file.
    pub description: String,
    /// Words the training text writes in lower case (a feature).
    pub vocab: Vocab,
    /// `1 << bits` rows of weights.
    pub weights: Vec<Row>,
    pub transitions: Vec<i16>,
    pub start: Vec<i16>,
    pub end: Vec<i16>,
    /// The second stage, when trained: it decides each span's type and
    /// score, and its thresholds replace [`Model::thresholds`].
    pub spans: Option<SpanModel>,
}

/// Turns float weights into 16-bit ones: the largest absolute weight
/// becomes 32767, and `scale` turns them back into score units. Both
/// stages are stored this way.
pub(crate) struct Quantiser {
    pub scale: f32,
}

impl Quantiser {
    /// The quantiser of these weights.
    pub fn for_weights<'a>(weights: impl Iterator<Item = &'a f32>) -> Quantiser {
        let max = weights.fold(0f32, |m, w| m.max(w.abs()));
        Quantiser {
            scale: if max > 0.0 { max / 32767.0 } else { 1.0 },
        }
    }

    pub fn quantise(&self, weight: f32) -> i16 {
        (weight / self.scale).round().clamp(-32767.0, 32767.0) as i16
    }

    /// `weights` cut in rows of `width`, quantised, each row in an array of
    /// `N` lanes (zero beyond `width`).
    pub fn rows<const N: usize>(&self, weights: &[f32], width: usize) -> Vec<[i16; N]> {
        weights
            .chunks(width)
            .map(|ws| {
                let mut row = [0i16; N];
                for (r, &w) in row.iter_mut().zip(ws) {
                    *r = self.quantise(w);
                }
                row
            })
            .collect()
    }
}

impl Model {
    /// Quantises float weights into a model.
    pub fn quantise(
        bits: u32,
        weights: &[f32],
        transitions: &[f32],
        start: &[f32],
        end: &[f32],
        description: String,
    ) -> Model {
        let quantiser = Quantiser::for_weights(weights.iter().chain(transitions).chain(start).chain(end));
        let q = |ws: &[f32]| -> Vec<i16> { ws.iter().map(|&w| quantiser.quantise(w)).collect() };
        Model {
            bits,
            scale: quantiser.scale,
            thresholds: [0.0; 3],
            description,
            vocab: Vocab::default(),
            weights: quantiser.rows::<LANES>(weights, LABELS).into_iter().map(Row).collect(),
            transitions: q(transitions),
            start: q(start),
            end: q(end),
            spans: None,
        }
    }

    /// How many weights are not zero.
    pub fn nonzero(&self) -> usize {
        self.weights
            .iter()
            .flat_map(|row| row.iter())
            .filter(|&&w| w != 0)
            .count()
    }

    /// The mask that keeps a feature hash within the table.
    pub fn mask(&self) -> u32 {
        ((1u64 << self.bits) - 1) as u32
    }

    /// The score a span of `kind` needs to be accepted: the second
    /// stage's threshold when there is one, else the tagger's margin threshold.
    pub fn threshold(&self, kind: EntityType) -> f32 {
        match &self.spans {
            Some(s) => s.threshold(kind),
            None => self.thresholds[kind.index()],
        }
    }

    /// Asks the processor to fetch the rows of `feats` into its caches
    /// (a hint: it changes no result), so that reading them later waits
    /// once for all instead of once for each.
    #[inline]
    pub fn prefetch(&self, feats: &[u32]) {
        #[cfg(target_arch = "x86_64")]
        for &f in feats {
            if let Some(row) = self.weights.get(f as usize) {
                // SAFETY: a prefetch reads no memory and cannot fault; the
                // address is that of a live row.
                unsafe {
                    std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                        (row as *const Row).cast::<i8>(),
                    );
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = feats;
    }

    /// Adds the emission scores of a token with features `feats` to `out`.
    #[inline]
    pub fn score(&self, feats: &[u32], out: &mut [f32]) {
        let mut acc = [0i32; LANES];
        for &f in feats {
            let Some(row) = self.weights.get(f as usize) else {
                continue;
            };
            for (a, &w) in acc.iter_mut().zip(row.iter()) {
                *a += w as i32;
            }
        }
        for (o, a) in out.iter_mut().zip(acc) {
            *o += a as f32 * self.scale;
        }
    }

    /// Transition scores in score units, with forbidden BILOU moves at minus infinity.
    pub fn transitions(&self) -> Transitions {
        let f = |w: i16| w as f32 * self.scale;
        let mut t = Transitions::forbidding_invalid();
        for a in 0..LABELS {
            for b in 0..LABELS {
                if t.trans[a][b].is_finite() {
                    t.trans[a][b] = f(self.transitions[a * LABELS + b]);
                }
            }
            if t.start[a].is_finite() {
                t.start[a] = f(self.start[a]);
            }
            if t.end[a].is_finite() {
                t.end[a] = f(self.end[a]);
            }
        }
        t
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        for t in self.thresholds {
            out.extend_from_slice(&t.to_le_bytes());
        }
        out.extend_from_slice(&(self.description.len() as u32).to_le_bytes());
        out.extend_from_slice(self.description.as_bytes());
        out.extend_from_slice(&self.vocab.bits().to_le_bytes());
        out.extend_from_slice(&(self.vocab.table().len() as u32).to_le_bytes());
        for w in self.vocab.table() {
            out.extend_from_slice(&w.to_le_bytes());
        }
        for w in self.transitions.iter().chain(&self.start).chain(&self.end) {
            out.extend_from_slice(&w.to_le_bytes());
        }
        let nonzero = self.nonzero() as u32;
        out.extend_from_slice(&nonzero.to_le_bytes());
        // Indexes count labels, not lanes: the file does not depend on the padding.
        let flat = self
            .weights
            .iter()
            .flat_map(|row| row[..LABELS].iter().copied())
            .enumerate();
        put_entries(&mut out, flat);
        match &self.spans {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                out.extend_from_slice(&s.bits.to_le_bytes());
                out.extend_from_slice(&s.scale.to_le_bytes());
                for t in s.thresholds {
                    out.extend_from_slice(&t.to_le_bytes());
                }
                out.push(s.runs as u8);
                let nonzero = s.weights.iter().flatten().filter(|&&w| w != 0).count() as u32;
                out.extend_from_slice(&nonzero.to_le_bytes());
                put_entries(&mut out, s.weights.iter().flatten().copied().enumerate());
            }
        }
        out
    }

    /// Reads a weights file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err(ModelError::Magic);
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(ModelError::Version(version));
        }
        let bits = r.u32()?;
        if !(8..=24).contains(&bits) {
            return Err(ModelError::Corrupt(r.at));
        }
        let scale = r.f32()?;
        let thresholds = [r.f32()?, r.f32()?, r.f32()?];
        let len = r.u32()? as usize;
        let description = String::from_utf8_lossy(r.take(len)?).into_owned();
        let vocab_bits = r.u32()?;
        let vocab_words = r.u32()? as usize;
        let mut table = Vec::with_capacity(vocab_words.min(1 << 18));
        for _ in 0..vocab_words {
            let b = r.take(8)?;
            table.push(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]));
        }
        let vocab = Vocab::from_parts(vocab_bits, table).ok_or(ModelError::Corrupt(r.at))?;
        let mut i16s = |n: usize| -> Result<Vec<i16>, ModelError> {
            (0..n)
                .map(|_| r.take(2).map(|b| i16::from_le_bytes([b[0], b[1]])))
                .collect()
        };
        let transitions = i16s(LABELS * LABELS)?;
        let start = i16s(LABELS)?;
        let end = i16s(LABELS)?;
        let mut weights = vec![Row::default(); 1usize << bits];
        let nonzero = r.u32()?;
        let mut at = 0usize;
        for _ in 0..nonzero {
            at += r.varint()? as usize;
            let w = unzigzag(r.varint()?);
            *weights
                .get_mut(at / LABELS)
                .map(|row| &mut row[at % LABELS])
                .ok_or(ModelError::Corrupt(r.at))? = w;
        }
        let spans = match r.take(1)?[0] {
            0 => None,
            1 => {
                let bits = r.u32()?;
                if !(4..=24).contains(&bits) {
                    return Err(ModelError::Corrupt(r.at));
                }
                let scale = r.f32()?;
                let thresholds = [r.f32()?, r.f32()?, r.f32()?];
                let runs = r.take(1)?[0] != 0;
                let mut weights = vec![[0i16; CLASSES]; 1usize << bits];
                let nonzero = r.u32()?;
                let mut at = 0usize;
                for _ in 0..nonzero {
                    at += r.varint()? as usize;
                    let w = unzigzag(r.varint()?);
                    *weights
                        .get_mut(at / CLASSES)
                        .map(|row| &mut row[at % CLASSES])
                        .ok_or(ModelError::Corrupt(r.at))? = w;
                }
                Some(SpanModel {
                    bits,
                    scale,
                    thresholds,
                    runs,
                    weights,
                })
            }
            _ => return Err(ModelError::Corrupt(r.at)),
        };
        Ok(Model {
            bits,
            scale,
            thresholds,
            description,
            vocab,
            weights,
            transitions,
            start,
            end,
            spans,
        })
    }
}

/// Writes the non-zero `(index, weight)` pairs as (gap, value) varints.
fn put_entries(out: &mut Vec<u8>, entries: impl Iterator<Item = (usize, i16)>) {
    let mut last = 0usize;
    for (i, w) in entries {
        if w != 0 {
            put_varint(out, (i - last) as u64);
            put_varint(out, zigzag(w));
            last = i;
        }
    }
}

fn zigzag(w: i16) -> u64 {
    let w = w as i64;
    ((w << 1) ^ (w >> 63)) as u64
}

fn unzigzag(v: u64) -> i16 {
    ((v >> 1) as i64 ^ -((v & 1) as i64)) as i16
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let slice = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or(ModelError::Corrupt(self.at))?;
        self.at += n;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_bits(self.u32()?))
    }

    fn varint(&mut self) -> Result<u64, ModelError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ModelError::Corrupt(self.at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_rows_never_straddle_two_cache_lines() {
        let model = &super::super::Tagger::builtin().model;
        assert_eq!(std::mem::size_of::<Row>(), 32);
        assert_eq!(model.weights.as_ptr() as usize % 32, 0);
    }

    #[test]
    fn file_round_trips_and_refuses_garbage() {
        let weights: Vec<f32> = (0..(256 * LABELS))
            .map(|i| if i % 5 == 0 { i as f32 - 300.0 } else { 0.0 })
            .collect();
        let mut m = Model::quantise(
            8,
            &weights,
            &[1.0; LABELS * LABELS],
            &[0.5; LABELS],
            &[-0.5; LABELS],
            "t".into(),
        );
        m.thresholds = [1.0, 2.0, 3.0];
        let bytes = m.to_bytes();
        assert_eq!(Model::from_bytes(&bytes).expect("round trip"), m);
        let mut weights = vec![[0i16; CLASSES]; 1 << 6];
        weights[3] = [1, -2, 0, 300];
        weights[60] = [0, 0, 7, 0];
        m.spans = Some(SpanModel {
            bits: 6,
            scale: 0.5,
            thresholds: [4.0, 5.0, 6.0],
            runs: true,
            weights,
        });
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes).expect("round trip with a second stage");
        assert_eq!(back, m);
        assert_eq!(
            back.threshold(EntityType::Org),
            5.0,
            "the second stage's thresholds rule"
        );
        assert!(matches!(Model::from_bytes(b"nope"), Err(ModelError::Magic)));
        assert!(matches!(
            Model::from_bytes(&bytes[..bytes.len() - 3]),
            Err(ModelError::Corrupt(_))
        ));
    }

    #[test]
    fn zigzag_round_trips() {
        for w in [0i16, 1, -1, 300, -32767, 32767] {
            assert_eq!(unzigzag(zigzag(w)), w);
        }
    }
}
