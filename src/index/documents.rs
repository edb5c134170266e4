//! Turning an analysed brief into tantivy documents, and stored documents
//! back into what hits, `show` and `export` print.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use tantivy::fastfield::FacetReader;
use tantivy::schema::{Facet, Value};
use tantivy::{DocAddress, Searcher, SegmentReader, TantivyDocument, Term};

use super::schema::{kind, Fields};
use super::IndexError;
use crate::analyse::{with_entities, AnalysedBrief};
use crate::corpus::{Brief, Declared};
use crate::entities::{Actor, Extractor, Mention, PassageEntities};
use crate::facet::{self, FacetValue};
use crate::near_dup;
use crate::passage::Passage;
use crate::tokenize;

/// What the index stores of a brief, once, on its brief document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BriefRecord {
    /// The brief's key: its path, or `FILE#ID` for a record of a JSON Lines file.
    pub doc: String,
    /// The key of the file it was read from.
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub title: String,
    pub date: Option<String>,
    pub author: Option<String>,
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Facets the file declares itself (front matter), as written.
    #[serde(default)]
    pub declared: Declared,
}

impl BriefRecord {
    /// The brief as the analysis saw it, without its body: enough, with its
    /// stored passages, to run the analysis again.
    pub fn brief(&self) -> Brief {
        let mut brief = Brief::new(&self.doc);
        brief.title = self.title.clone();
        brief.date = self.date.as_deref().and_then(|d| d.parse().ok());
        brief.author = self.author.clone();
        brief.source = self.source.clone();
        brief.url = self.url.clone();
        brief.encoding = self.encoding.clone();
        brief.declared = self.declared.clone();
        brief
    }
}

/// The first 8 bytes of a content hash, as the manifest column keeps it.
pub fn short_hash(hash: &blake3::Hash) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(bytes)
}

/// A brief's documents, ready for the writer, with its counts.
pub struct BriefDocuments {
    pub key: String,
    pub file: String,
    pub hash: u64,
    pub passages: u64,
    /// Tokens of each searched field over the brief's passages.
    pub tokens: [u64; 4],
    /// Tokens of the brief document's `brief_text`.
    pub brief_tokens: u64,
    /// The brief document first, then its passages in order.
    pub documents: Vec<TantivyDocument>,
    pub warnings: Vec<String>,
}

/// The facets of one passage's (or the title's) entities.
pub fn facets_of(entities: &PassageEntities) -> Vec<Facet> {
    let mut out: Vec<Facet> = entities.countries.iter().map(|c| facet::country(c)).collect();
    out.extend(entities.regions.iter().map(|r| facet::region(r)));
    out.extend(entities.actors.iter().map(facet::actor));
    out
}

/// The terms of `text` ([`tokenize::push_terms`]), what a searched field
/// is given, and how many there are.
fn terms_of(text: &str) -> (String, u64) {
    let mut terms = String::with_capacity(text.len());
    let count = tokenize::push_terms(text, &mut terms);
    (terms, count as u64)
}

/// Builds the documents of an analysed brief: a brief document, then one
/// document per passage, with the exact token counts BM25 needs.
pub fn brief_documents(
    f: &Fields,
    key: &str,
    file: &str,
    id: Option<&str>,
    hash: u64,
    analysed: &AnalysedBrief,
) -> Result<BriefDocuments, IndexError> {
    let brief = &analysed.brief;
    let mut listed: BTreeSet<Facet> = BTreeSet::new();
    for entities in &analysed.entities {
        listed.extend(facets_of(entities));
    }
    let mut union = listed.clone();
    union.extend(facets_of(&analysed.title_entities));
    union.extend(analysed.tags.iter().map(|t| FacetValue::Tag(t.clone()).facet()));
    let date = brief.date.map(date_value);

    // Each text is analysed once (see `tokenize::push_terms`): the title
    // and author once per brief, though every passage carries them.
    let (title_terms, title_tokens) = terms_of(&brief.title);
    let author_terms = brief.author.as_deref().map(terms_of);
    let mut tokens = [0u64; 4];
    let mut passages = Vec::with_capacity(analysed.passages.len());
    // The whole brief's terms: the title once, then each passage's heading and body.
    let mut whole = title_terms.clone();
    let mut brief_tokens = title_tokens;
    // A heading's terms, analysed once for the run of passages under it.
    let mut heading_terms: Option<(&str, String, u64)> = None;
    for (passage, entities) in analysed.passages.iter().zip(&analysed.entities) {
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.kind, kind::PASSAGE);
        doc.add_text(f.brief, key);
        doc.add_u64(f.ordinal, u64::from(passage.ordinal));
        doc.add_u64(f.line_first, u64::from(passage.lines.0));
        doc.add_u64(f.line_last, u64::from(passage.lines.1));
        if let Some(page) = passage.page {
            doc.add_u64(f.page, u64::from(page));
        }
        // Every passage carries its brief's title and author, so that they
        // count for BM25 wherever the passage is ranked.
        doc.add_text(f.title, &title_terms);
        tokens[0] += title_tokens;
        if let Some(heading) = passage.heading.as_deref() {
            if heading_terms.as_ref().is_none_or(|(last, _, _)| *last != heading) {
                let (terms, count) = terms_of(heading);
                heading_terms = Some((heading, terms, count));
            }
            if let Some((_, terms, count)) = &heading_terms {
                whole.push_str(terms);
                brief_tokens += count;
                tokens[1] += count;
                doc.add_text(f.heading, terms);
            }
            doc.add_text(f.heading_text, heading);
        }
        let mut terms = String::with_capacity(passage.text.len());
        let mut words = Vec::with_capacity(passage.text.len() / 5);
        let count =
            tokenize::push_terms_folding(&passage.text, &mut terms, |w| words.push(near_dup::word_hash(w))) as u64;
        whole.push_str(&terms);
        brief_tokens += count;
        tokens[2] += count;
        doc.add_text(f.body, terms);
        if let Some((terms, count)) = &author_terms {
            doc.add_text(f.author, terms);
            tokens[3] += count;
        }
        if let Some(date) = date {
            doc.add_date(f.date, date);
        }
        for facet in facets_of(entities) {
            doc.add_facet(f.facets, facet);
        }
        for key in near_dup::band_keys(&near_dup::shingles_of_words(&words)) {
            doc.add_u64(f.near_dup, key);
        }
        doc.add_text(f.text, &passage.text);
        passages.push(doc);
    }

    let record = BriefRecord {
        doc: key.to_string(),
        file: file.to_string(),
        id: id.map(str::to_string),
        title: brief.title.clone(),
        date: brief.date.map(|d| d.to_string()),
        author: brief.author.clone(),
        source: brief.source.clone(),
        url: brief.url.clone(),
        encoding: brief.encoding.clone(),
        tags: analysed.tags.clone(),
        declared: brief.declared.clone(),
    };
    let mut head = TantivyDocument::default();
    head.add_u64(f.kind, kind::BRIEF);
    head.add_text(f.brief, key);
    head.add_text(f.file, file);
    head.add_u64(f.hash, hash);
    head.add_u64(f.passages, passages.len() as u64);
    for (field, count) in f.token_counts.iter().zip(tokens) {
        head.add_u64(*field, count);
    }
    head.add_text(f.brief_text, whole);
    head.add_u64(f.brief_text_tokens, brief_tokens);
    for facet in union {
        head.add_facet(f.brief_facets, facet);
    }
    for facet in listed {
        head.add_facet(f.listed_facets, facet);
    }
    head.add_text(f.record, json(&record)?);

    let mut documents = Vec::with_capacity(passages.len() + 1);
    documents.push(head);
    let count = passages.len() as u64;
    documents.extend(passages);
    let mut warnings = brief.warnings.clone();
    warnings.extend(analysed.warnings.iter().cloned());
    Ok(BriefDocuments {
        key: key.to_string(),
        file: file.to_string(),
        hash,
        passages: count,
        tokens,
        brief_tokens,
        documents,
        warnings,
    })
}

/// The document that records a file's size and modification time.
pub fn file_document(f: &Fields, file: &str, size: u64, mtime_ns: i128) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_u64(f.kind, kind::FILE);
    doc.add_text(f.stamp, file);
    doc.add_u64(f.size, size);
    doc.add_i64(f.mtime, mtime_ns.clamp(i64::MIN as i128, i64::MAX as i128) as i64);
    doc
}

fn json<T: Serialize>(value: &T) -> Result<String, IndexError> {
    serde_json::to_string(value).map_err(|e| IndexError::Internal(format!("encoding stored JSON: {e}")))
}

/// A calendar date as stored: midnight UTC, in seconds since the epoch.
pub fn date_seconds(date: jiff::civil::Date) -> i64 {
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0)
}

pub fn date_value(date: jiff::civil::Date) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(date_seconds(date))
}

/// One passage as hits, `show` and `export` print it: the passage's own
/// stored fields and facets, with its brief's record.
#[derive(Debug, Clone, Serialize)]
pub struct StoredPassage {
    pub doc: String,
    pub title: String,
    pub date: Option<String>,
    pub author: Option<String>,
    pub source: Option<String>,
    pub passage: u64,
    pub lines: [u64; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    pub heading: Option<String>,
    pub text: String,
    pub countries: Vec<String>,
    pub regions: Vec<String>,
    pub actors: Vec<Actor>,
    /// What made each facet; filled by [`explain`], empty otherwise.
    pub mentions: Vec<Mention>,
}

/// Finds again what text made each facet of an indexed brief: the analysis
/// runs on the stored title and passages with `extractor`, which must be
/// built from the gazetteer the index was built with (the caller compares
/// fingerprints). Fills each passage's mentions and returns the
/// entities of the title and of what the file declares.
pub fn explain(record: &BriefRecord, passages: &mut [StoredPassage], extractor: &Extractor) -> PassageEntities {
    let cut: Vec<Passage> = passages
        .iter()
        .map(|p| Passage {
            ordinal: p.passage as u32,
            heading: p.heading.clone(),
            text: p.text.clone(),
            lines: (p.lines[0] as u32, p.lines[1] as u32),
            page: p.page.map(|n| n as u32),
        })
        .collect();
    let mut analysed = with_entities(record.brief(), cut, Some(extractor));
    for (stored, entities) in passages.iter_mut().zip(analysed.entities.iter_mut()) {
        stored.mentions = std::mem::take(&mut entities.mentions);
    }
    analysed.title_entities
}

/// Reads stored passages and brief records from a searcher.
pub struct StoredReader<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    /// Passage facet values by segment and ordinal, as decoded so far: the
    /// hits of one search share most of theirs (the countries, the person
    /// searched for), and each decoding reads a block of the dictionary.
    facet_names: RefCell<HashMap<(u32, u64), Option<FacetValue>>>,
    /// Each segment's passage facet column, opened once (opening one reads
    /// its dictionary's index).
    facet_readers: RefCell<HashMap<u32, Rc<FacetReader>>>,
}

impl<'a> StoredReader<'a> {
    pub fn new(searcher: &'a Searcher, fields: Fields) -> StoredReader<'a> {
        StoredReader {
            searcher,
            fields,
            facet_names: RefCell::new(HashMap::new()),
            facet_readers: RefCell::new(HashMap::new()),
        }
    }

    /// The passage facet column of `segment`.
    fn facet_reader(&self, segment: u32) -> Result<Rc<FacetReader>, IndexError> {
        if let Some(reader) = self.facet_readers.borrow().get(&segment) {
            return Ok(Rc::clone(reader));
        }
        let reader = Rc::new(self.searcher.segment_reader(segment).facet_reader("facets")?);
        self.facet_readers.borrow_mut().insert(segment, Rc::clone(&reader));
        Ok(reader)
    }

    /// Decodes the passage facet values of the passages at `addresses`
    /// together: one pass over each segment's dictionary for all of them,
    /// where passage by passage would read a block of it per passage (for
    /// the hits a search is about to print).
    pub fn read_facets_of(&self, addresses: impl IntoIterator<Item = DocAddress>) -> Result<(), IndexError> {
        let mut by_segment: HashMap<u32, Vec<u64>> = HashMap::new();
        for address in addresses {
            let reader = self.facet_reader(address.segment_ord)?;
            by_segment
                .entry(address.segment_ord)
                .or_default()
                .extend(reader.facet_ords(address.doc_id));
        }
        for (segment, ords) in by_segment {
            self.decode_facets(segment, &ords)?;
        }
        Ok(())
    }

    /// Decodes the facet ordinals `ords` of `segment` not decoded yet.
    fn decode_facets(&self, segment: u32, ords: &[u64]) -> Result<(), IndexError> {
        let mut names = self.facet_names.borrow_mut();
        let mut ords: Vec<u64> = ords
            .iter()
            .copied()
            .filter(|&o| !names.contains_key(&(segment, o)))
            .collect();
        ords.sort_unstable();
        ords.dedup();
        if ords.is_empty() {
            return Ok(());
        }
        let reader = self.facet_reader(segment)?;
        // One pass over the dictionary for all of them: looking each up
        // alone scans its block from the start every time. Not
        // `facet_from_ord`, which panics on a damaged dictionary.
        let mut next = ords.iter();
        reader.facet_dict().sorted_ords_to_term_cb(&ords, |bytes| {
            if let Some(&ord) = next.next() {
                names.insert(
                    (segment, ord),
                    facet::decode(bytes).and_then(|f| FacetValue::from_facet(&f)),
                );
            }
        })?;
        Ok(())
    }

    /// The facet values of the passage at `address`, from its facet column.
    fn facet_values(&self, address: DocAddress) -> Result<Vec<FacetValue>, IndexError> {
        let reader = self.facet_reader(address.segment_ord)?;
        let mut ords: Vec<u64> = reader.facet_ords(address.doc_id).collect();
        ords.sort_unstable();
        ords.dedup();
        self.decode_facets(address.segment_ord, &ords)?;
        let names = self.facet_names.borrow();
        Ok(ords
            .iter()
            .filter_map(|&o| names.get(&(address.segment_ord, o)).cloned().flatten())
            .collect())
    }

    /// The documents of brief `key` in one segment, in document order: the
    /// brief document, then its passages.
    pub fn brief_docs(&self, segment: &SegmentReader, key: &str) -> Result<Vec<tantivy::DocId>, IndexError> {
        super::live_docs(segment, &Term::from_field_text(self.fields.brief, key))
    }

    /// Where brief `key` lives: its segment and documents (brief document first).
    pub fn find_brief(&self, key: &str) -> Result<Option<(u32, Vec<tantivy::DocId>)>, IndexError> {
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let docs = self.brief_docs(segment, key)?;
            if !docs.is_empty() {
                return Ok(Some((ord as u32, docs)));
            }
        }
        Ok(None)
    }

    /// The record of the brief document at `address`.
    pub fn record(&self, address: DocAddress) -> Result<BriefRecord, IndexError> {
        let doc: TantivyDocument = self.searcher.doc(address)?;
        let text = doc
            .get_first(self.fields.record)
            .and_then(|v| v.as_str())
            .ok_or_else(|| damaged("a brief document has no record"))?;
        serde_json::from_str(text).map_err(|e| damaged(&format!("a brief record does not parse: {e}")))
    }

    /// The kind of the document at `address`.
    pub fn kind(&self, address: DocAddress) -> Result<Option<u64>, IndexError> {
        let segment = self.searcher.segment_reader(address.segment_ord);
        Ok(segment.fast_fields().u64("kind")?.first(address.doc_id))
    }

    /// The passage at `address`, with `record` its brief's.
    pub fn passage(&self, address: DocAddress, record: &BriefRecord) -> Result<StoredPassage, IndexError> {
        let f = &self.fields;
        let doc: TantivyDocument = self.searcher.doc(address)?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
        let num = |field| doc.get_first(field).and_then(|v| v.as_u64());
        let segment = self.searcher.segment_reader(address.segment_ord);
        let ordinal = segment.fast_fields().u64("ordinal")?.first(address.doc_id).unwrap_or(0);
        let mut countries = Vec::new();
        let mut regions = Vec::new();
        let mut actors = Vec::new();
        for value in self.facet_values(address)? {
            match value {
                FacetValue::Country(c) => countries.push(c),
                FacetValue::Region(r) => regions.push(r.join("/")),
                FacetValue::Actor(a) => actors.push(a),
                FacetValue::Tag(_) => {}
            }
        }
        countries.sort();
        regions.sort();
        actors.sort();
        Ok(StoredPassage {
            doc: record.doc.clone(),
            title: record.title.clone(),
            date: record.date.clone(),
            author: record.author.clone(),
            source: record.source.clone(),
            passage: ordinal,
            lines: [num(f.line_first).unwrap_or(0), num(f.line_last).unwrap_or(0)],
            page: num(f.page),
            heading: text(f.heading_text),
            text: text(f.text).unwrap_or_default(),
            countries,
            regions,
            actors,
            mentions: Vec::new(),
        })
    }

    /// A brief's record and passages, in order; `None` when it is not indexed.
    pub fn brief(&self, key: &str) -> Result<Option<(BriefRecord, Vec<StoredPassage>)>, IndexError> {
        match self.find_brief(key)? {
            Some((segment, _)) => self.brief_in(segment, key),
            None => Ok(None),
        }
    }

    /// [`Self::brief`], knowing the segment the brief is in.
    pub fn brief_in(&self, segment: u32, key: &str) -> Result<Option<(BriefRecord, Vec<StoredPassage>)>, IndexError> {
        let docs = self.brief_docs(self.searcher.segment_reader(segment), key)?;
        if docs.is_empty() {
            return Ok(None);
        }
        let mut record = None;
        let mut passages = Vec::new();
        for doc in docs {
            let address = DocAddress::new(segment, doc);
            match self.kind(address)? {
                Some(kind::BRIEF) => record = Some(self.record(address)?),
                Some(kind::PASSAGE) => passages.push(address),
                _ => {}
            }
        }
        let record = record.ok_or_else(|| damaged(&format!("brief {key:?} has passages but no brief document")))?;
        let mut stored = passages
            .into_iter()
            .map(|a| self.passage(a, &record))
            .collect::<Result<Vec<_>, _>>()?;
        stored.sort_by_key(|p| p.passage);
        Ok(Some((record, stored)))
    }
}

fn damaged(message: &str) -> IndexError {
    IndexError::Corrupt(message.to_string())
}
