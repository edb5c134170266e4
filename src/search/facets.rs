//! Facet counts from columns, never from stored documents. Values are keyed
//! by their encoded facet path (components separated by a zero byte), which
//! needs no escaping.
//!
//! [`FacetCounter`] counts, over the passages that match a query, how many
//! passages and how many *briefs* have each country, region and actor. The
//! counts are multi-select: a passage counts towards a dimension's values
//! when it passes every filter but that dimension's own. Briefs are counted
//! exactly and cheaply because a brief's passages arrive one after another
//! (they sit together in one segment): a value counts a brief when the
//! brief differs from the last one it counted.
//!
//! [`index_facets`] lists every value of the whole index with its counts from
//! the term dictionaries' document frequencies: its cost follows the number
//! of distinct values, not the number of passages. Its brief counts are the
//! briefs that name a value anywhere (a passage, the title, the front matter).

use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DocId, Searcher, SegmentOrdinal, SegmentReader};

use super::Scope;
use crate::facet::{self, Dim};
use crate::index::IndexError;

/// Counts of one facet value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub briefs: u64,
    pub passages: u64,
}

/// Counts facet values over the matching passages; see the module doc.
pub struct FacetCounter {
    /// Passage scope counts a passage's own facets; brief scope counts its
    /// brief's facets (read on the brief document before the passages).
    pub scope: Scope,
    /// The filter values of each filterable dimension ([`Dim::FILTERABLE`] order).
    pub filters: [Vec<Facet>; 3],
    /// Dimensions not to count (counted another way).
    pub skip: [bool; 3],
}

/// Counts of one value while a segment is counted.
#[derive(Clone, Copy)]
struct Slot {
    counts: Counts,
    last_doc: DocId,
    last_brief: u64,
}

impl Default for Slot {
    fn default() -> Slot {
        Slot {
            counts: Counts::default(),
            last_doc: DocId::MAX,
            last_brief: u64::MAX,
        }
    }
}

impl Slot {
    /// Counts `doc` of `brief` once, however many of its ordinals lead here.
    fn count(&mut self, doc: DocId, brief: u64) {
        if self.last_doc == doc {
            return;
        }
        self.last_doc = doc;
        self.counts.passages += 1;
        if self.last_brief != brief {
            self.last_brief = brief;
            self.counts.briefs += 1;
        }
    }
}

/// Counts one segment. Values are counted by facet ordinal and turned into
/// names only at the end, in one pass over the sorted dictionary: a broad
/// query can touch a hundred thousand distinct actors. A value's dimension
/// follows from its ordinal, since each dimension's values sort together.
pub struct SegmentCounter {
    facets: FacetReader,
    briefs: Option<StrColumn>,
    /// In brief scope, passage ordinals, to find a passage's brief document.
    ordinals: Option<Column<u64>>,
    /// Per dimension: the ordinal ranges of this segment that pass its filter.
    passing: [Option<Vec<(u64, u64)>>; 3],
    /// Per dimension: the ordinals of its values (none for a skipped one).
    dims: [Option<(u64, u64)>; 3],
    /// Countries and actors, by ordinal.
    by_ord: FxHashMap<u64, Slot>,
    /// Regions count for their ancestors too: per region ordinal, the
    /// indexes of its path's slots in `regions`.
    region_paths: FxHashMap<u64, RegionPath>,
    regions: Vec<(String, Slot)>,
    ords: Vec<u64>,
}

impl SegmentCounter {
    fn dim_of(&self, ord: u64) -> Option<usize> {
        self.dims
            .iter()
            .position(|r| r.is_some_and(|(lo, hi)| (lo..hi).contains(&ord)))
    }

    /// The slots of a region's path (`/region/Asia`, `/region/Asia/Central Asia`).
    fn region_path(&mut self, ord: u64) -> RegionPath {
        if let Some(path) = self.region_paths.get(&ord) {
            return *path;
        }
        let mut bytes = Vec::new();
        let mut path = RegionPath::default();
        if let Ok(true) = self.facets.facet_dict().ord_to_term(ord, &mut bytes) {
            let encoded = String::from_utf8_lossy(&bytes).into_owned();
            let parts: Vec<&str> = encoded.split(FACET_SEPARATOR).collect();
            for n in (2..=parts.len()).take(path.slots.len()) {
                let key = parts[..n].join(&FACET_SEPARATOR.to_string());
                let at = match self.regions.iter().position(|(k, _)| *k == key) {
                    Some(at) => at,
                    None => {
                        self.regions.push((key, Slot::default()));
                        self.regions.len() - 1
                    }
                };
                path.slots[path.len] = at;
                path.len += 1;
            }
        }
        self.region_paths.insert(ord, path);
        path
    }
}

/// The slots a region ordinal counts in: the region and its ancestors.
#[derive(Clone, Copy, Default)]
struct RegionPath {
    slots: [usize; 4],
    len: usize,
}

/// The separator of an encoded facet path.
const FACET_SEPARATOR: char = '\u{0}';

impl SegmentCollector for SegmentCounter {
    type Fruit = HashMap<String, Counts>;

    fn collect(&mut self, doc: DocId, _score: tantivy::Score) {
        self.ords.clear();
        let holder = match &self.ordinals {
            // The brief document sits right before its passages.
            Some(ordinals) => doc.saturating_sub(ordinals.first(doc).unwrap_or(0) as DocId + 1),
            None => doc,
        };
        self.ords.extend(self.facets.facet_ords(holder));
        let mut pass = [true; 3];
        for (d, ranges) in self.passing.iter().enumerate() {
            if let Some(ranges) = ranges {
                pass[d] = self
                    .ords
                    .iter()
                    .any(|o| ranges.iter().any(|&(lo, hi)| (lo..hi).contains(o)));
            }
        }
        let failing = pass.iter().filter(|p| !**p).count();
        if failing > 1 {
            return;
        }
        let brief = self
            .briefs
            .as_ref()
            .and_then(|c| c.term_ords(doc).next())
            .unwrap_or(u64::MAX);
        for i in 0..self.ords.len() {
            let ord = self.ords[i];
            // Counts for its dimension when every other filter passes.
            let Some(dim) = self.dim_of(ord) else { continue };
            if failing == 1 && pass[dim] {
                continue;
            }
            if Dim::FILTERABLE[dim] == Dim::Region {
                let path = self.region_path(ord);
                for &slot in &path.slots[..path.len] {
                    self.regions[slot].1.count(doc, brief);
                }
            } else {
                self.by_ord.entry(ord).or_default().count(doc, brief);
            }
        }
    }

    fn harvest(self) -> HashMap<String, Counts> {
        let mut out: HashMap<String, Counts> = HashMap::with_capacity(self.by_ord.len() + self.regions.len());
        let mut ords: Vec<u64> = self.by_ord.keys().copied().collect();
        ords.sort_unstable();
        let mut at = 0;
        let _ = self.facets.facet_dict().sorted_ords_to_term_cb(&ords, |bytes| {
            if let Some(slot) = ords.get(at).and_then(|o| self.by_ord.get(o)) {
                out.insert(String::from_utf8_lossy(bytes).into_owned(), slot.counts);
            }
            at += 1;
        });
        for (key, slot) in self.regions {
            if slot.counts.passages > 0 {
                out.insert(key, slot.counts);
            }
        }
        out
    }
}

impl Collector for FacetCounter {
    type Fruit = HashMap<String, Counts>;
    type Child = SegmentCounter;

    fn for_segment(&self, _segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        let (field, ordinals) = match self.scope {
            Scope::Passage => ("facets", None),
            Scope::Brief => ("brief_facets", Some(reader.fast_fields().u64("ordinal")?)),
        };
        let facets = reader.facet_reader(field)?;
        let mut passing: [Option<Vec<(u64, u64)>>; 3] = Default::default();
        for (d, values) in self.filters.iter().enumerate() {
            if !values.is_empty() {
                let mut ranges = Vec::new();
                for value in values {
                    ranges.extend(ord_range(&facets, value)?);
                }
                passing[d] = Some(ranges);
            }
        }
        let mut dims: [Option<(u64, u64)>; 3] = Default::default();
        for (d, dim) in Dim::FILTERABLE.iter().enumerate() {
            if !self.skip[d] {
                dims[d] = ord_range(&facets, &Facet::from_path([dim.root()]))?;
            }
        }
        Ok(SegmentCounter {
            facets,
            briefs: reader.fast_fields().str("brief")?,
            ordinals,
            passing,
            dims,
            by_ord: FxHashMap::default(),
            region_paths: FxHashMap::default(),
            regions: Vec::new(),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, Counts>>) -> tantivy::Result<HashMap<String, Counts>> {
        let mut all: HashMap<String, Counts> = HashMap::new();
        for fruit in fruits {
            for (facet, counts) in fruit {
                let total = all.entry(facet).or_default();
                total.briefs += counts.briefs;
                total.passages += counts.passages;
            }
        }
        Ok(all)
    }
}

/// The ordinals of a facet and its descendants in a segment's facet
/// dictionary: a half-open range, since a facet's descendants sort right
/// after it (the separator is the zero byte).
fn ord_range(facets: &FacetReader, value: &Facet) -> tantivy::Result<Option<(u64, u64)>> {
    let low = facet::encoded(value).to_vec();
    let mut high = low.clone();
    high.push(1);
    let mut stream = facets.facet_dict().range().ge(&low).lt(&high).into_stream()?;
    let mut range: Option<(u64, u64)> = None;
    while stream.advance() {
        let ord = stream.term_ord();
        range = Some(range.map_or((ord, ord + 1), |(lo, _)| (lo, ord + 1)));
    }
    Ok(range)
}

/// Every facet value of the index under `root` (all values for the root
/// facet) with its counts: passages that have it, and briefs with a passage
/// that has it, the same counts a search counts over every passage.
pub fn index_facets(searcher: &Searcher, root: &Facet) -> Result<BTreeMap<String, Counts>, IndexError> {
    let passages = doc_freqs(searcher, "facets", root)?;
    let briefs = doc_freqs(searcher, "listed_facets", root)?;
    let passages = passages
        .into_iter()
        .map(|(k, n)| (k, Counts { briefs: 0, passages: n }));
    let briefs = briefs.into_iter().map(|(k, n)| (k, Counts { briefs: n, passages: 0 }));
    let all = merge_sorted_runs(passages.chain(briefs).collect(), |sum, c| {
        sum.briefs += c.briefs;
        sum.passages += c.passages;
    });
    // A map built from sorted pairs is built in bulk.
    Ok(all
        .into_iter()
        .filter(|(_, c)| c.passages > 0 || c.briefs > 0)
        .collect())
}

/// Pairs made of a few runs each sorted by key, as one list sorted by key
/// with the values of equal keys added up. A stable sort merges sorted
/// runs in linear time per run; no hashing (at 100,000 briefs the index
/// holds 120,000 values, and hashing and sorting them again was most of
/// `stats`).
fn merge_sorted_runs<T>(mut pairs: Vec<(String, T)>, add: impl Fn(&mut T, T)) -> Vec<(String, T)> {
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(String, T)> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        match out.last_mut() {
            Some(last) if last.0 == key => add(&mut last.1, value),
            _ => out.push((key, value)),
        }
    }
    out
}

/// The number of live documents of each term of a facet field (full values
/// and their ancestors), from the term dictionary, sorted by term; segments
/// with deleted documents are corrected by the facets of those documents.
fn doc_freqs(searcher: &Searcher, field_name: &str, root: &Facet) -> Result<Vec<(String, u64)>, IndexError> {
    let field = searcher
        .schema()
        .get_field(field_name)
        .map_err(|e| IndexError::Internal(e.to_string()))?;
    let low = facet::encoded(root).to_vec();
    let mut high = low.clone();
    high.push(if root.is_root() { 0xff } else { 1 });
    let under_root = |key: &str| root.is_root() || key.as_bytes().starts_with(&low);
    let mut all: Vec<(String, u64)> = Vec::new();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut terms = index.terms().range().ge(&low).lt(&high).into_stream()?;
        let mut counts: Vec<(String, u64)> = Vec::new();
        while terms.advance() {
            if !terms.key().is_empty() {
                let key = String::from_utf8_lossy(terms.key()).into_owned();
                counts.push((key, u64::from(terms.value().doc_freq)));
            }
        }
        if let Some(alive) = segment.alive_bitset() {
            let reader = segment.facet_reader(field_name)?;
            let mut bytes = Vec::new();
            for doc in (0..segment.max_doc()).filter(|&d| alive.is_deleted(d)) {
                let mut prefixes: Vec<String> = Vec::new();
                for ord in reader.facet_ords(doc) {
                    if reader.facet_dict().ord_to_term(ord, &mut bytes)? {
                        let encoded = String::from_utf8_lossy(&bytes).into_owned();
                        let parts: Vec<&str> = encoded.split(FACET_SEPARATOR).collect();
                        prefixes.extend((1..=parts.len()).map(|n| parts[..n].join(&FACET_SEPARATOR.to_string())));
                    }
                }
                prefixes.retain(|p| under_root(p));
                prefixes.sort();
                prefixes.dedup();
                for p in prefixes {
                    if let Ok(at) = counts.binary_search_by(|(key, _)| key.as_str().cmp(&p)) {
                        counts[at].1 = counts[at].1.saturating_sub(1);
                    }
                }
            }
        }
        all.append(&mut counts);
    }
    // One sorted run per segment.
    Ok(merge_sorted_runs(all, |sum, n| *sum += n))
}
