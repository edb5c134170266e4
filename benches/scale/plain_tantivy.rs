//! Baseline 1: a plain tantivy program over the same passages.
//!
//! What "plain" means: one text field with tantivy's default tokenizer
//! (TEXT | STORED), no extraction, no manifest; facet fields for country and
//! actor and a date fast field only so that every query kind of the mix can
//! be answered (a country filter, facet counts, browsing by date). It is
//! what a competent user would write in an afternoon, and so the bar for
//! what briefs' own work (extraction, per-brief caps, brief-level counts)
//! may cost on top. Built with the same threads and memory budget as briefs.
//!
//! Differences in what is answered, kept on purpose: facet counts are
//! passage counts from tantivy's `FacetCollector` (briefs counts briefs),
//! and there is no per-brief cap.

use std::io::Write;
use std::path::Path;

use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TQuery, QueryParser, TermQuery};
use tantivy::schema::{Facet, FacetOptions, Field, IndexRecordOption, Schema, Value, FAST, INDEXED, STORED, TEXT};
use tantivy::{DocAddress, Index, IndexReader, Order, TantivyDocument, Term};

use crate::passages;
use crate::queries::Query;

struct Fields {
    text: Field,
    country: Field,
    actor: Field,
    date: Field,
    brief: Field,
    passage: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        text: b.add_text_field("text", TEXT | STORED),
        country: b.add_facet_field("country", FacetOptions::default()),
        actor: b.add_facet_field("actor", FacetOptions::default()),
        date: b.add_i64_field("date", INDEXED | FAST),
        brief: b.add_u64_field("brief", FAST | STORED),
        passage: b.add_u64_field("passage", STORED),
    };
    (b.build(), fields)
}

/// Builds the index in `dir` from the passages file.
pub fn build(passages_file: &Path, dir: &Path, threads: usize, heap_mb: usize) {
    let (schema, f) = schema();
    std::fs::create_dir_all(dir).expect("create the tantivy index folder");
    let index = Index::create_in_dir(dir, schema).expect("create the tantivy index");
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(threads, heap_mb * 1024 * 1024)
        .expect("tantivy writer");
    passages::for_each(passages_file, |p| {
        let mut doc = TantivyDocument::new();
        doc.add_text(f.text, p.text);
        doc.add_u64(f.brief, p.brief);
        doc.add_u64(f.passage, p.passage);
        doc.add_i64(f.date, p.date);
        for c in &p.countries {
            doc.add_facet(f.country, Facet::from_path([*c]));
        }
        for a in &p.actors {
            doc.add_facet(f.actor, Facet::from_path([*a]));
        }
        writer.add_document(doc).expect("add a document");
    });
    writer.commit().expect("commit");
    writer.wait_merging_threads().expect("wait for merges");
}

/// An opened plain tantivy index.
pub struct Plain {
    reader: IndexReader,
    fields: Fields,
    parser: QueryParser,
}

fn filter(field: Field, value: &str) -> Box<dyn TQuery> {
    let term = TermQuery::new(
        Term::from_facet(field, &Facet::from_path([value])),
        IndexRecordOption::Basic,
    );
    Box::new(ConstScoreQuery::new(Box::new(term), 0.0))
}

impl Plain {
    pub fn open(dir: &Path) -> Plain {
        let index = Index::open_in_dir(dir).expect("open the tantivy index");
        let (_, fields) = schema();
        let mut parser = QueryParser::for_index(&index, vec![fields.text]);
        parser.set_conjunction_by_default();
        let reader = index.reader().expect("tantivy reader");
        Plain { reader, fields, parser }
    }

    fn query(&self, q: &Query, country: bool, actor: bool) -> Box<dyn TQuery> {
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        if !q.words.is_empty() {
            let parsed = self.parser.parse_query(&q.tantivy_text()).expect("parse the query");
            clauses.push((Occur::Must, parsed));
        }
        if let (true, Some(c)) = (country, &q.country) {
            clauses.push((Occur::Must, filter(self.fields.country, c)));
        }
        if let (true, Some(a)) = (actor, &q.actor) {
            clauses.push((Occur::Must, filter(self.fields.actor, &a.name)));
        }
        if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    }

    /// Runs one query: the top 10 passages with their text, the total
    /// count, and multi-select facet counts when asked. Returns the count
    /// and the texts of the top passages.
    pub fn run(&self, q: &Query) -> (u64, Vec<String>) {
        let searcher = self.reader.searcher();
        let query = self.query(q, true, true);
        let (top, count): (Vec<DocAddress>, usize) = if q.words.is_empty() {
            let collector = (
                TopDocs::with_limit(10).order_by_fast_field::<i64>("date", Order::Desc),
                Count,
            );
            let (top, count) = searcher.search(&query, &collector).expect("search");
            (top.into_iter().map(|(_, a)| a).collect(), count)
        } else {
            let collector = (TopDocs::with_limit(10).order_by_score(), Count);
            let (top, count) = searcher.search(&query, &collector).expect("search");
            (top.into_iter().map(|(_, a)| a).collect(), count)
        };
        let texts = top
            .into_iter()
            .map(|address| {
                let doc: TantivyDocument = searcher.doc(address).expect("stored document");
                doc.get_first(self.fields.text)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        if q.facets {
            // Multi-select: each facet's counts ignore that facet's own filter.
            for (name, country, actor) in [("country", false, true), ("actor", true, false)] {
                let mut collector = FacetCollector::for_field(name);
                collector.add_facet(Facet::root());
                let counts = searcher
                    .search(&self.query(q, country, actor), &collector)
                    .expect("facets");
                std::hint::black_box(counts.top_k(Facet::root(), 10));
            }
        }
        (count as u64, texts)
    }
}

/// The whole-process query: open the index, run one query, print the top
/// passages (what `briefs search` does, minus briefs' own work).
pub fn query_process(dir: &Path, q: &Query) {
    let plain = Plain::open(dir);
    let (count, texts) = plain.run(q);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{count} passages");
    for t in texts {
        let _ = writeln!(out, "{t}\n");
    }
}
