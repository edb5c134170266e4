//! Facet counts from columns, never from stored documents.
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

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DocId, Searcher, SegmentOrdinal, SegmentReader};

use super::Scope;
use crate::facet::{self, Dim, FacetValue};
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
}

/// Region paths are at most this deep (region, sub-region, and a spare).
const MAX_SLOTS: usize = 4;

/// What one facet ordinal of a segment counts for.
#[derive(Clone, Copy)]
struct OrdSlots {
    /// Index of the dimension in [`Dim::FILTERABLE`], if filterable.
    dim: Option<usize>,
    /// Slots it counts in: the value itself, and a region's ancestors.
    slots: [usize; MAX_SLOTS],
    len: usize,
}

struct Slot {
    facet: String,
    counts: Counts,
    last_doc: DocId,
    last_brief: u64,
}

pub struct SegmentCounter {
    facets: FacetReader,
    briefs: Option<StrColumn>,
    /// In brief scope, passage ordinals, to find a passage's brief document.
    ordinals: Option<Column<u64>>,
    /// Per dimension: the ordinal ranges of this segment that pass its filter.
    passing: [Option<Vec<(u64, u64)>>; 3],
    by_ord: HashMap<u64, OrdSlots>,
    slot_of: HashMap<String, usize>,
    slots: Vec<Slot>,
    ords: Vec<u64>,
}

impl SegmentCounter {
    fn ord_slots(&mut self, ord: u64) -> OrdSlots {
        if let Some(known) = self.by_ord.get(&ord) {
            return *known;
        }
        {
            let mut bytes = Vec::new();
            let decoded = match self.facets.facet_dict().ord_to_term(ord, &mut bytes) {
                Ok(true) => facet::decode(&bytes),
                _ => None,
            };
            let value = decoded.as_ref().and_then(FacetValue::from_facet);
            let dim = value
                .as_ref()
                .and_then(|v| Dim::FILTERABLE.iter().position(|d| *d == v.dim()));
            let mut keys: Vec<String> = Vec::new();
            if let Some(FacetValue::Region(path)) = &value {
                keys.extend((1..=path.len()).map(|n| facet::region(&path[..n]).to_string()));
            } else if let (Some(_), Some(f)) = (dim, &decoded) {
                keys.push(f.to_string());
            }
            let mut slots = OrdSlots {
                dim,
                slots: [0; MAX_SLOTS],
                len: 0,
            };
            for key in keys.into_iter().take(MAX_SLOTS) {
                slots.slots[slots.len] = self.slot(key);
                slots.len += 1;
            }
            self.by_ord.insert(ord, slots);
            slots
        }
    }

    fn slot(&mut self, facet: String) -> usize {
        if let Some(&i) = self.slot_of.get(&facet) {
            return i;
        }
        self.slots.push(Slot {
            facet: facet.clone(),
            counts: Counts::default(),
            last_doc: DocId::MAX,
            last_brief: u64::MAX,
        });
        self.slot_of.insert(facet, self.slots.len() - 1);
        self.slots.len() - 1
    }
}

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
            let slots = self.ord_slots(ord);
            // Counts for its dimension when every other filter passes.
            let Some(dim) = slots.dim else { continue };
            if failing == 1 && pass[dim] {
                continue;
            }
            for &slot in &slots.slots[..slots.len] {
                let slot = &mut self.slots[slot];
                if slot.last_doc == doc {
                    continue;
                }
                slot.last_doc = doc;
                slot.counts.passages += 1;
                if slot.last_brief != brief {
                    slot.last_brief = brief;
                    slot.counts.briefs += 1;
                }
            }
        }
    }

    fn harvest(self) -> HashMap<String, Counts> {
        self.slots
            .into_iter()
            .filter(|s| s.counts.passages > 0)
            .map(|s| (s.facet, s.counts))
            .collect()
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
        Ok(SegmentCounter {
            facets,
            briefs: reader.fast_fields().str("brief")?,
            ordinals,
            passing,
            by_ord: HashMap::new(),
            slot_of: HashMap::new(),
            slots: Vec::new(),
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

/// Every facet value of the index with its brief and passage counts.
pub fn index_facets(searcher: &Searcher) -> Result<BTreeMap<String, Counts>, IndexError> {
    let mut all: BTreeMap<String, Counts> = BTreeMap::new();
    for (field, briefs) in [("facets", false), ("brief_facets", true)] {
        for (facet, n) in doc_freqs(searcher, field)? {
            let counts = all.entry(facet).or_default();
            if briefs {
                counts.briefs += n;
            } else {
                counts.passages += n;
            }
        }
    }
    all.retain(|_, c| c.passages > 0 || c.briefs > 0);
    Ok(all)
}

/// The number of live documents of each term of a facet field (full values
/// and their ancestors), from the term dictionary; segments with deleted
/// documents are corrected by the facets of those documents.
fn doc_freqs(searcher: &Searcher, field_name: &str) -> Result<HashMap<String, u64>, IndexError> {
    let field = searcher
        .schema()
        .get_field(field_name)
        .map_err(|e| IndexError::Internal(e.to_string()))?;
    let mut out: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut terms = index.terms().stream()?;
        while terms.advance() {
            if let Some(facet) = facet::decode(terms.key()) {
                if !facet.is_root() {
                    *out.entry(facet.to_string()).or_default() += u64::from(terms.value().doc_freq);
                }
            }
        }
        if let Some(alive) = segment.alive_bitset() {
            let reader = segment.facet_reader(field_name)?;
            let mut bytes = Vec::new();
            for doc in (0..segment.max_doc()).filter(|&d| alive.is_deleted(d)) {
                let mut prefixes: Vec<String> = Vec::new();
                for ord in reader.facet_ords(doc) {
                    if reader.facet_dict().ord_to_term(ord, &mut bytes)? {
                        if let Some(f) = facet::decode(&bytes) {
                            let parts = f.to_path();
                            prefixes.extend((1..=parts.len()).map(|n| Facet::from_path(&parts[..n]).to_string()));
                        }
                    }
                }
                prefixes.sort();
                prefixes.dedup();
                for p in prefixes {
                    if let Some(n) = out.get_mut(&p) {
                        *n = n.saturating_sub(1);
                    }
                }
            }
        }
    }
    Ok(out)
}
