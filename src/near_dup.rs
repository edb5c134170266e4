//! Near-duplicate passages: the same wire story republished by several
//! outlets, with a different headline, a byline or a sentence more.
//!
//! A passage is a set of word shingles (four consecutive folded words, so
//! case and diacritics do not matter). Two passages are
//! near-duplicates when the Jaccard similarity of their shingle sets is at
//! least [`THRESHOLD`]. To find a passage's near-duplicates without
//! comparing it with every other one, each passage is indexed under
//! [`BANDS`] locality-sensitive keys (MinHash, [`ROWS`] hashes per band):
//! passages that share a key are candidates, and the candidates are then
//! checked with the exact Jaccard of their texts. The keys only decide who
//! is compared; the threshold decides who is a duplicate, so a chance
//! collision never makes a wrong answer. Whether a pair is compared depends
//! on the two passages and, for a pair sharing a single key, on how many
//! live passages hold that key ([`worth_comparing`]); never on the order
//! briefs were indexed in, which keeps an incremental index answering like
//! a full build.
//!
//! Why these numbers (measured by `tests/near_dup_pairs.rs` on constructed
//! pairs, and by counting candidates over the 90,293 passages of the
//! benchmark's 10,000 generated briefs): 18 republished copies of three wire
//! paragraphs (dateline, byline, case, a clause cut or added, words changed)
//! share 0.64-1.00 of their shingles, 9 separate reports of the same events
//! none; a threshold of 0.5 separates them with room on both sides.
//! With 8 bands of 3 rows, a pair at Jaccard 0.64 is a candidate with
//! probability 1-(1-0.64^3)^8 = 0.91, at 0.7 0.97, at 0.8 0.997 (0.66 at
//! the threshold itself). Two rows per band were tried and dropped: every
//! passage then had about one unrelated candidate at 10,000 briefs (common
//! phrases make two minima agree by chance), a stored text read per hit
//! that grows with the index; three rows give 0.000 per passage there (and
//! 0.04 with 3-word shingles). The first design, 12 bands of 3-word
//! shingles with 64-bit keys, had its keys take 20 MB of a 76 MB index;
//! these take about 10.
//!
//! A key is the band in its high bits and 32 bits of hash below: the index's
//! term dictionary shares the common high bytes, and at a million briefs
//! (9 million passages) a passage's key in one band is shared by chance
//! with 9e6 / 2^32 = 0.002 unrelated passages: a stored text read now and
//! then, not a wrong answer.
//!
//! Shingle words are folded like search terms (case, diacritics, `U.S.`)
//! but not stemmed: stemming was most of the cost of finding a hit's
//! near-duplicates at search time, and copies of one story use the same
//! inflections.
//!
//! Hand-written rather than a crate: `gaoya` brings its own in-memory index
//! and hashers built for a whole corpus in memory (the index here is
//! tantivy's, on disk), and the simhash crates give one 64-bit fingerprint
//! whose Hamming distance is too noisy on texts of a hundred words. What is
//! needed is twenty lines of hashing with fixed seeds, so the keys written
//! by one build are the keys the next one computes.

use crate::tokenize;

/// Shingles of this many words.
pub const SHINGLE_WORDS: usize = 4;
/// Passages with fewer words are never near-duplicates: a dateline or a
/// byline is the same in every brief of an outlet.
pub const MIN_WORDS: usize = 12;
/// Locality-sensitive keys per passage.
pub const BANDS: usize = 8;
/// MinHash values per key.
pub const ROWS: usize = 3;
/// The least Jaccard similarity of two near-duplicates.
pub const THRESHOLD: f64 = 0.5;
/// A key held by more live passages than this is *common*: see [`worth_comparing`].
pub const COMMON_KEY: usize = 32;

/// Whether a candidate that shares `shared` keys with a passage, the most
/// widely held of them by `widest` live passages, is compared at all (its
/// stored text read, its Jaccard computed).
///
/// A long name or a stock phrase ("the United Nations Office for the
/// Coordination of Humanitarian Affairs") is a fifth of the shingles of a
/// short passage: the three minima of one band then often all fall in it,
/// and every passage that quotes the name shares that one key. On the
/// benchmark's 100,000 briefs one such hit had 661 candidates, none a
/// near-duplicate, and reading their texts was three quarters of a 49 ms
/// search. Copies of one story share several keys (two or more of eight
/// with probability 0.66 at Jaccard 0.64, 0.96 at 0.8); a pair that shares
/// only one is still compared when that key is held by at most
/// [`COMMON_KEY`] passages. What is given up: pairs that share a single key
/// held by more, which takes a story republished more than about a hundred
/// times; the copies of such a story still fold through their other pairs.
/// The rule is symmetric and depends only on the index's live passages,
/// so an incremental index still answers like a full build.
pub fn worth_comparing(shared: usize, widest: usize) -> bool {
    shared >= 2 || widest <= COMMON_KEY
}

/// The hashed shingles of a text, sorted, without repeats; empty when the
/// text is too short to be a near-duplicate of anything.
pub fn shingles(text: &str) -> Vec<u64> {
    let mut words: Vec<u64> = Vec::with_capacity(text.len() / 5);
    tokenize::for_each_folded_word(text, |word| words.push(word_hash(word)));
    shingles_of_words(&words)
}

/// The hash of one folded word, as [`shingles_of_words`] takes them.
pub fn word_hash(folded: &str) -> u64 {
    fnv1a(folded.as_bytes())
}

/// [`shingles`] of a text whose folded words ([`tokenize::for_each_folded_word`])
/// are hashed in `words` ([`word_hash`]): for the indexer, which folds
/// each word while it analyses the passage.
pub fn shingles_of_words(words: &[u64]) -> Vec<u64> {
    if words.len() < MIN_WORDS {
        return Vec::new();
    }
    let mut out: Vec<u64> = words
        .windows(SHINGLE_WORDS)
        .map(|w| w.iter().fold(0x9e37_79b9_7f4a_7c15, |h, &word| mix(h ^ word)))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The locality-sensitive keys of a shingle set (none for an empty set).
/// Each key carries its band, so equal rows in different bands differ.
pub fn band_keys(shingles: &[u64]) -> Vec<u64> {
    if shingles.is_empty() {
        return Vec::new();
    }
    let mut minima = [u32::MAX; BANDS * ROWS];
    for &shingle in shingles {
        for ((min, &a), &b) in minima.iter_mut().zip(&MULTIPLIERS).zip(&INCREMENTS) {
            let h = (shingle.wrapping_mul(a).wrapping_add(b) >> 32) as u32;
            if h < *min {
                *min = h;
            }
        }
    }
    minima
        .chunks(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            let hash = rows
                .iter()
                .fold(mix(band as u64 + 1), |h, &row| mix(h ^ u64::from(row)));
            ((band as u64 + 1) << 32) | (hash & 0xffff_ffff)
        })
        .collect()
}

/// Jaccard similarity of two sorted shingle sets (0 when either is empty).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Whether two texts are near-duplicates.
pub fn near_duplicates(a: &str, b: &str) -> bool {
    jaccard(&shingles(a), &shingles(b)) >= THRESHOLD
}

/// SplitMix64's finaliser: a fixed, well-mixing hash of a 64-bit value.
const fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// FNV-1a: stable across runs and platforms, unlike the std hashers.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The MinHash functions, fixed: multiply-shift hashes (Dietzfelbinger's
/// `(a * x + b) >> 32`, `a` odd), each the top 32 bits of a multiply and
/// an add. Shingles are already well-mixed 64-bit values, so this is
/// enough; hashing each shingle anew with SplitMix64 per function, as
/// before, was half of what near-duplicate keys cost a build (4.7% of
/// its instructions). The candidate counts in the module doc were taken
/// with those functions and not taken again; the answers on the demo
/// corpus and on 10,000 generated briefs, folded copies included, did
/// not change.
const MULTIPLIERS: [u64; BANDS * ROWS] = seeds(0x5eed_0000, 1);
const INCREMENTS: [u64; BANDS * ROWS] = seeds(0x5eed_1000, 0);

const fn seeds(base: u64, set_bits: u64) -> [u64; BANDS * ROWS] {
    let mut seeds = [0u64; BANDS * ROWS];
    let mut i = 0;
    while i < seeds.len() {
        seeds[i] = mix(base + i as u64) | set_bits;
        i += 1;
    }
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "Afghanistan's acting foreign minister Amir Khan Muttaqi met Iranian officials in Tehran \
        on Sunday to discuss water rights on the Helmand river, trade through the Islam Qala crossing and \
        the return of Afghan migrants, the ministry said in a statement.";

    #[test]
    fn a_text_is_its_own_near_duplicate_and_keys_are_stable() {
        let s = shingles(STORY);
        assert!(s.len() > 20);
        assert_eq!(jaccard(&s, &s), 1.0);
        assert_eq!(band_keys(&s), band_keys(&shingles(STORY)));
        assert_eq!(band_keys(&s).len(), BANDS);
    }

    #[test]
    fn case_and_a_byline_do_not_hide_a_copy() {
        let copy = format!("{} Reporting by staff.", STORY.to_uppercase());
        assert!(near_duplicates(STORY, &copy));
        let keys = band_keys(&shingles(STORY));
        let copy_keys = band_keys(&shingles(&copy));
        assert!(keys.iter().zip(&copy_keys).any(|(a, b)| a == b), "shares a band");
    }

    #[test]
    fn the_same_topic_in_other_words_is_not_a_duplicate() {
        let other = "Iran and Afghanistan discussed the Helmand water dispute again this week, as Taliban \
            officials in Kabul said the river's flow had fallen and Tehran's envoy called for a joint survey.";
        assert!(!near_duplicates(STORY, other));
        assert!(jaccard(&shingles(STORY), &shingles(other)) < 0.1);
    }

    #[test]
    fn short_passages_are_never_duplicates() {
        assert!(shingles("KABUL, Jan 10 (Reuters)").is_empty());
        assert!(band_keys(&[]).is_empty());
        assert!(!near_duplicates("KABUL, Jan 10", "KABUL, Jan 10"));
    }
}
