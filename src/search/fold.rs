//! Folding near-duplicate hits: a wire story republished by five outlets
//! is one hit that says where else it appears, not five hits.
//!
//! Hits are taken in ranking order; each hit kept looks up its
//! near-duplicates in the whole index (passages sharing one of its
//! [`near_dup`] keys whose texts pass the Jaccard threshold), and a later
//! hit that is one of them is folded into it. So the kept hit is the first
//! in the order asked for (the best-scored, ties by document then passage),
//! its `also_in` lists every near-duplicate the index holds (including
//! those the query or the filters leave out), and no two shown hits are
//! near-duplicates of each other. Near-duplication is symmetric (shared
//! keys and Jaccard are), so a folded hit can never have been shown above.
//!
//! The cost follows the answer: one key lookup per band and one stored text
//! per kept hit and per candidate; nothing is compared all-pairs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::{DocAddress, InvertedIndexReader, TantivyDocument, Term};

use super::collect::Ranked;
use super::SearchError;
use crate::index::{self, IndexError, OpenIndex};
use crate::near_dup;

/// Where else a folded hit appears.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AlsoIn {
    pub doc: String,
    pub passage: u64,
    /// The brief's date, `YYYY-MM-DD`, or `null`.
    pub date: Option<String>,
}

/// Finds near-duplicates of passages, remembering what it read.
pub struct Folder<'a> {
    open: &'a OpenIndex,
    shingles: HashMap<DocAddress, Vec<u64>>,
    duplicates: HashMap<DocAddress, Vec<DocAddress>>,
    /// Each segment's index of near-duplicate keys, opened at the first lookup.
    key_indexes: Vec<Arc<InvertedIndexReader>>,
}

impl<'a> Folder<'a> {
    pub fn new(open: &'a OpenIndex) -> Folder<'a> {
        Folder {
            open,
            shingles: HashMap::new(),
            duplicates: HashMap::new(),
            key_indexes: Vec::new(),
        }
    }

    fn shingles_of(&mut self, address: DocAddress) -> Result<&[u64], SearchError> {
        if !self.shingles.contains_key(&address) {
            let doc: TantivyDocument = self.open.searcher.doc(address)?;
            let text = doc
                .get_first(self.open.fields.text)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            self.shingles.insert(address, near_dup::shingles(text));
        }
        Ok(self.shingles.get(&address).map(Vec::as_slice).unwrap_or_default())
    }

    /// The live passages of the index that are near-duplicates of the one
    /// at `address`, in index order.
    pub fn near_duplicates(&mut self, address: DocAddress) -> Result<Vec<DocAddress>, SearchError> {
        if let Some(found) = self.duplicates.get(&address) {
            return Ok(found.clone());
        }
        let own = self.shingles_of(address)?.to_vec();
        let keys = near_dup::band_keys(&own);
        let field = self.open.fields.near_dup;
        let readers = self.open.searcher.segment_readers();
        if self.key_indexes.len() != readers.len() {
            self.key_indexes = readers
                .iter()
                .map(|reader| reader.inverted_index(field))
                .collect::<Result<_, _>>()?;
        }
        // Per candidate: how many keys it shares, and the largest number of
        // live passages holding one of them.
        let mut candidates: BTreeMap<DocAddress, (usize, usize)> = BTreeMap::new();
        for &key in &keys {
            let term = Term::from_field_u64(field, key);
            let mut holders = Vec::new();
            for (segment, (reader, keys_index)) in readers.iter().zip(&self.key_indexes).enumerate() {
                let Some(info) = keys_index.get_term_info(&term).map_err(tantivy::TantivyError::from)? else {
                    continue;
                };
                // Most keys are held by this passage alone: the index wrote
                // them from the same text with the same function, so a key
                // of its segment with one holder is this passage, and its
                // postings need not be read.
                if info.doc_freq == 1 && segment as u32 == address.segment_ord {
                    holders.push(address);
                    continue;
                }
                let postings = keys_index
                    .read_postings_from_terminfo(&info, IndexRecordOption::Basic)
                    .map_err(tantivy::TantivyError::from)?;
                let docs = index::alive(reader, postings);
                holders.extend(docs.into_iter().map(|doc| DocAddress::new(segment as u32, doc)));
            }
            for &holder in &holders {
                let (shared, widest) = candidates.entry(holder).or_default();
                *shared += 1;
                *widest = (*widest).max(holders.len());
            }
        }
        candidates.remove(&address);
        let candidates = candidates
            .into_iter()
            .filter(|&(_, (shared, widest))| near_dup::worth_comparing(shared, widest))
            .map(|(candidate, _)| candidate);
        let mut found = Vec::new();
        for candidate in candidates {
            if near_dup::jaccard(&own, self.shingles_of(candidate)?) >= near_dup::THRESHOLD {
                found.push(candidate);
            }
        }
        self.duplicates.insert(address, found.clone());
        Ok(found)
    }

    /// The first `want` hits of `ranked` that are not near-duplicates of a
    /// hit above them, each with its near-duplicates.
    pub fn fold(&mut self, ranked: Vec<Ranked>, want: usize) -> Result<Vec<(Ranked, Vec<DocAddress>)>, SearchError> {
        let mut kept = Vec::new();
        let mut folded: HashSet<DocAddress> = HashSet::new();
        for hit in ranked {
            if kept.len() == want {
                break;
            }
            if folded.contains(&hit.address) {
                continue;
            }
            let duplicates = self.near_duplicates(hit.address)?;
            folded.extend(duplicates.iter().copied());
            kept.push((hit, duplicates));
        }
        Ok(kept)
    }

    /// What a hit's `also_in` says of its near-duplicates: document and
    /// passage from the columns, sorted by document then passage.
    pub fn also_in(&self, duplicates: &[DocAddress]) -> Result<Vec<AlsoIn>, SearchError> {
        let mut out = Vec::with_capacity(duplicates.len());
        for address in duplicates {
            let reader = self.open.searcher.segment_reader(address.segment_ord);
            let fast = reader.fast_fields();
            let mut doc = String::new();
            if let Some(briefs) = fast.str("brief")? {
                if let Some(ord) = briefs.term_ords(address.doc_id).next() {
                    briefs.ord_to_str(ord, &mut doc).map_err(IndexError::from)?;
                }
            }
            let passage = fast.u64("ordinal")?.first(address.doc_id).unwrap_or(0);
            let date = fast.date("date")?.first(address.doc_id).and_then(|d| {
                jiff::Timestamp::from_second(d.into_timestamp_secs())
                    .ok()
                    .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            });
            out.push(AlsoIn { doc, passage, date });
        }
        out.sort_by(|a, b| a.doc.cmp(&b.doc).then(a.passage.cmp(&b.passage)));
        Ok(out)
    }
}
