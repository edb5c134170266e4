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

use std::collections::{btree_map, BTreeMap};

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DocId, Searcher, SegmentOrdinal, SegmentReader};
use tantivy_sstable::TermOrdHit;

use super::Scope;
use crate::facet::{self, Dim};
use crate::index::IndexError;

/// Counts of one facet value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub briefs: u64,
    pub passages: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.briefs += other.briefs;
        self.passages += other.passages;
    }
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
    /// How many values of each dimension will be shown: countries and
    /// actors are named only as far as needed to find them (see
    /// [`top_values`]); regions, a few dozen, are all named.
    pub limit: usize,
}

/// Counts of one value while a segment is counted: passages, briefs, and
/// the last document and the last brief counted, each plus one (zero
/// before the first count). Plain integers, so that a segment's slots are
/// allocated zeroed: the pages of values no passage touches are never
/// written, and a narrow query does not pay for every actor of the segment.
type Slot = [u64; 4];

/// Counts `doc` of `brief` in `slot` once, however many of its ordinals lead here.
fn count(slot: &mut Slot, doc: DocId, brief: DocId) {
    let [passages, briefs, last_doc, last_brief] = slot;
    let (doc, brief) = (u64::from(doc) + 1, u64::from(brief) + 1);
    if *last_doc == doc {
        return;
    }
    *last_doc = doc;
    *passages += 1;
    if *last_brief != brief {
        *last_brief = brief;
        *briefs += 1;
    }
}

/// What a slot counted.
fn slot_counts(slot: &Slot) -> Counts {
    Counts {
        passages: slot[0],
        briefs: slot[1],
    }
}

/// Counts one segment. Values are counted by facet ordinal and turned into
/// names only at the end, in one pass over the sorted dictionary: a broad
/// query can touch a hundred thousand distinct actors. A value's dimension
/// follows from its ordinal, since each dimension's values sort together.
pub struct SegmentCounter {
    facets: FacetReader,
    /// Passage ordinals: a passage's brief document is the one right
    /// before its first passage, and its document number names the brief.
    ordinals: Column<u64>,
    /// Brief scope counts the facets of the brief document.
    brief_scope: bool,
    /// Per dimension: the ordinal ranges of this segment that pass its filter.
    passing: [Option<Vec<(u64, u64)>>; 3],
    /// Per dimension: the ordinals of its values (none for a skipped one).
    dims: [Option<(u64, u64)>; 3],
    /// Countries and actors: the slot of ordinal `o` is `slots[o - first_ord]`.
    /// A vector, not a map: a broad query counts tens of thousands of values
    /// over tens of thousands of passages, and hashing each was most of
    /// counting.
    slots: Vec<Slot>,
    first_ord: u64,
    /// The ordinals whose slots have counted something, in first-count order.
    touched: Vec<u64>,
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

/// What one segment counted: regions by name; countries and actors by
/// ordinal, named later and only as far as the shown values need.
pub struct SegmentCounts {
    facets: FacetReader,
    /// Per slotted dimension (countries, actors): `(ordinal, counts)`, most
    /// briefs first, then by ordinal.
    ranked: [Vec<(u64, Counts)>; 2],
    /// Every counted `(ordinal, counts)` of both, by ordinal.
    by_ord: Vec<(u64, Counts)>,
    regions: Vec<(String, Counts)>,
}

impl SegmentCounts {
    /// This segment's counts of the value whose encoded path is `name`.
    fn counts_of(&self, name: &str) -> std::io::Result<Counts> {
        let Some(ord) = self.facets.facet_dict().term_ord(name)? else {
            return Ok(Counts::default());
        };
        Ok(self
            .by_ord
            .binary_search_by_key(&ord, |(o, _)| *o)
            .map_or(Counts::default(), |at| self.by_ord[at].1))
    }
}

/// Which of [`SegmentCounts::ranked`] holds a dimension's values.
fn slotted_index(dim: Dim) -> Option<usize> {
    match dim {
        Dim::Country => Some(0),
        Dim::Actor => Some(1),
        _ => None,
    }
}

impl SegmentCollector for SegmentCounter {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: tantivy::Score) {
        self.ords.clear();
        // The brief document sits right before its passages.
        let brief = doc.saturating_sub(self.ordinals.first(doc).unwrap_or(0) as DocId + 1);
        let holder = if self.brief_scope { brief } else { doc };
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
                    count(&mut self.regions[slot].1, doc, brief);
                }
            } else if let Some(slot) = self.slots.get_mut((ord - self.first_ord) as usize) {
                if slot_counts(slot).passages == 0 {
                    self.touched.push(ord);
                }
                count(slot, doc, brief);
            }
        }
    }

    fn harvest(mut self) -> SegmentCounts {
        self.touched.sort_unstable();
        let by_ord: Vec<(u64, Counts)> = self
            .touched
            .iter()
            .filter_map(|&ord| Some((ord, slot_counts(self.slots.get((ord - self.first_ord) as usize)?))))
            .collect();
        let mut ranked: [Vec<(u64, Counts)>; 2] = Default::default();
        for &(ord, counts) in &by_ord {
            if let Some(at) = self.dim_of(ord).and_then(|d| slotted_index(Dim::FILTERABLE[d])) {
                ranked[at].push((ord, counts));
            }
        }
        for values in &mut ranked {
            values.sort_unstable_by(|a, b| b.1.briefs.cmp(&a.1.briefs).then(a.0.cmp(&b.0)));
        }
        let regions = self
            .regions
            .into_iter()
            .map(|(key, slot)| (key, slot_counts(&slot)))
            .filter(|(_, counts)| counts.passages > 0)
            .collect();
        SegmentCounts {
            facets: self.facets,
            ranked,
            by_ord,
            regions,
        }
    }
}

/// The countries or actors (`slotted` of [`SegmentCounts::ranked`]) that
/// can be among the `limit` shown, with their counts over all segments:
/// every value counting at least as many briefs as the `limit`-th most
/// counted one, and maybe a few more.
///
/// Naming every counted value reads most of each segment's facet
/// dictionary for a broad query. Instead, the most counted values of each
/// segment are named, their counts summed over every segment, and the
/// search goes deeper only while a value not yet named could still reach
/// the `limit`-th count: such a value counts, in each segment, at most as
/// many briefs as the first value not yet named there. Counts are summed
/// exactly, since a brief's passages are all in one segment.
fn top_values(fruits: &[SegmentCounts], slotted: usize, limit: usize) -> std::io::Result<Vec<(String, Counts)>> {
    let mut found: BTreeMap<String, Counts> = BTreeMap::new();
    if limit == 0 {
        return Ok(Vec::new());
    }
    let (mut named, mut depth) = (0, limit);
    loop {
        for fruit in fruits {
            let ranked = &fruit.ranked[slotted];
            let mut ords: Vec<u64> = ranked[named.min(ranked.len())..depth.min(ranked.len())]
                .iter()
                .map(|(ord, _)| *ord)
                .collect();
            ords.sort_unstable();
            let mut names = Vec::with_capacity(ords.len());
            fruit
                .facets
                .facet_dict()
                .sorted_ords_to_term_cb(&ords, |bytes| names.push(String::from_utf8_lossy(bytes).into_owned()))?;
            for name in names {
                if let btree_map::Entry::Vacant(unknown) = found.entry(name) {
                    let mut total = Counts::default();
                    for other in fruits {
                        total += other.counts_of(unknown.key())?;
                    }
                    unknown.insert(total);
                }
            }
        }
        if fruits.iter().all(|f| depth >= f.ranked[slotted].len()) {
            break;
        }
        let unnamed_at_most: u64 = fruits
            .iter()
            .map(|f| f.ranked[slotted].get(depth).map_or(0, |(_, counts)| counts.briefs))
            .sum();
        let least_shown = least_shown_briefs(found.values().map(|c| c.briefs).collect(), limit);
        if least_shown.is_some_and(|least| unnamed_at_most < least) {
            break;
        }
        (named, depth) = (depth, depth.saturating_mul(2));
    }
    Ok(found.into_iter().collect())
}

/// The briefs of the `limit`-th most counted of values counting `briefs`;
/// `None` when there are fewer values (or none is shown).
pub(crate) fn least_shown_briefs(mut briefs: Vec<u64>, limit: usize) -> Option<u64> {
    if limit == 0 || briefs.len() < limit {
        return None;
    }
    let (_, least, _) = briefs.select_nth_unstable_by(limit - 1, |a, b| b.cmp(a));
    Some(*least)
}

impl Collector for FacetCounter {
    /// Every region counted, and the countries and actors that can be shown.
    type Fruit = Vec<(String, Counts)>;
    type Child = SegmentCounter;

    fn for_segment(&self, _segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        let field = match self.scope {
            Scope::Passage => "facets",
            Scope::Brief => "brief_facets",
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
        // One slot per ordinal of the dimensions counted in slots.
        let slotted = Dim::FILTERABLE
            .iter()
            .zip(&dims)
            .filter(|(dim, _)| **dim != Dim::Region)
            .filter_map(|(_, range)| *range);
        let (first_ord, end_ord) = slotted.fold((u64::MAX, 0), |(lo, hi), (l, h)| (lo.min(l), hi.max(h)));
        Ok(SegmentCounter {
            facets,
            ordinals: reader.fast_fields().u64("ordinal")?,
            brief_scope: self.scope == Scope::Brief,
            passing,
            dims,
            slots: vec![[0; 4]; end_ord.saturating_sub(first_ord) as usize],
            first_ord: first_ord.min(end_ord),
            touched: Vec::new(),
            region_paths: FxHashMap::default(),
            regions: Vec::new(),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<Vec<(String, Counts)>> {
        let regions = fruits.iter().flat_map(|f| f.regions.iter().cloned()).collect();
        let mut out = merge_sorted_runs(regions);
        for slotted in 0..2 {
            out.extend(top_values(&fruits, slotted, self.limit)?);
        }
        Ok(out)
    }
}

/// The ordinals of a facet and its descendants in a segment's facet
/// dictionary: a half-open range, since a facet's descendants sort right
/// after it (the separator is the zero byte).
///
/// Found with two seeks, never by streaming the range: the range of a
/// whole dimension (every actor) holds tens of thousands of values per
/// segment at 100,000 briefs, and every counting search asks for it.
fn ord_range(facets: &FacetReader, value: &Facet) -> tantivy::Result<Option<(u64, u64)>> {
    let low = facet::encoded(value).to_vec();
    let mut high = low.clone();
    high.push(1);
    let dict = facets.facet_dict();
    let first_at_or_after = |key: &[u8]| -> std::io::Result<u64> {
        let ord = match dict.term_ord_or_next(key)? {
            TermOrdHit::Exact(ord) | TermOrdHit::Next(ord) => ord,
        };
        // Past the last term, the dictionary answers `u64::MAX`.
        Ok(ord.min(dict.num_terms() as u64))
    };
    let (lo, hi) = (first_at_or_after(&low)?, first_at_or_after(&high)?);
    Ok((lo < hi).then_some((lo, hi)))
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
    let all = merge_sorted_runs(passages.chain(briefs).collect());
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
fn merge_sorted_runs<T: std::ops::AddAssign>(mut pairs: Vec<(String, T)>) -> Vec<(String, T)> {
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(String, T)> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        match out.last_mut() {
            Some(last) if last.0 == key => last.1 += value,
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
    Ok(merge_sorted_runs(all))
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{FacetOptions, Schema};
    use tantivy::{doc, Index};

    use super::*;

    /// The ordinals of the range, read by streaming every term in it.
    fn streamed_range(facets: &FacetReader, value: &Facet) -> Option<(u64, u64)> {
        let low = facet::encoded(value).to_vec();
        let mut high = low.clone();
        high.push(1);
        let mut stream = facets.facet_dict().range().ge(&low).lt(&high).into_stream().ok()?;
        let mut range: Option<(u64, u64)> = None;
        while stream.advance() {
            let ord = stream.term_ord();
            range = Some(range.map_or((ord, ord + 1), |(lo, _)| (lo, ord + 1)));
        }
        range
    }

    #[test]
    fn ord_ranges_found_by_seeking_are_the_streamed_ones() {
        let mut builder = Schema::builder();
        let field = builder.add_facet_field("facets", FacetOptions::default());
        let index = Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000).expect("writer");
        // Enough values to fill many dictionary blocks, with dimensions
        // before, between and after each other, and names that share a prefix.
        for i in 0..3_000 {
            writer
                .add_document(doc!(
                    field => Facet::from_path(["actor", "person", &format!("Name {i:04}")]),
                    field => Facet::from_path(["actor", "org", &format!("Org {}", i % 700)]),
                    field => Facet::from_path(["country", &format!("Land {}", i % 250)]),
                    field => Facet::from_path(["region", "Asia", &format!("Part {}", i % 9)]),
                ))
                .expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let facets = searcher.segment_reader(0).facet_reader("facets").expect("facet reader");
        let mut asked: Vec<Facet> = ["actor", "country", "region", "aaa", "zzz", "act", "actorx"]
            .iter()
            .map(|root| Facet::from_path([*root]))
            .collect();
        asked.extend([
            Facet::from_path(["actor", "person"]),
            Facet::from_path(["actor", "org"]),
            Facet::from_path(["actor", "person", "Name 0007"]),
            Facet::from_path(["actor", "person", "Name 2999"]),
            Facet::from_path(["actor", "person", "Name 3000"]),
            Facet::from_path(["actor", "org", "Org 1"]),
            Facet::from_path(["country", "Land 249"]),
            Facet::from_path(["country", "Land 99x"]),
            Facet::from_path(["region", "Asia"]),
            Facet::from_path(["region", "Asia", "Part 8"]),
        ]);
        for value in &asked {
            let found = ord_range(&facets, value).expect("seek");
            assert_eq!(found, streamed_range(&facets, value), "{value}");
        }
        // The column's dictionary holds the values themselves, not their ancestors.
        let actors = ord_range(&facets, &Facet::from_path(["actor"])).expect("seek");
        assert_eq!(actors, Some((0, 3_000 + 700)));
        assert_eq!(ord_range(&facets, &Facet::from_path(["zzz"])).expect("seek"), None);
    }
}
