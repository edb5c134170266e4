//! The baseline `briefs eval` is compared against: plain BM25 over whole
//! documents. Every brief of a corpus (read by the same readers as
//! `briefs index`) becomes one tantivy document whose only searched field is
//! its title and body; queries are their words, any of which may match
//! (tantivy's default BM25, k1 = 1.2, b = 0.75). Writes a TREC run to
//! stdout, to be measured with `briefs eval --measure-run`.
//!
//! ```sh
//! cargo run --release --example bm25_baseline -- --corpus cran --queries cranfield/queries.jsonl \
//!     --doc-ids id > bm25.run
//! briefs eval --beir cranfield --measure-run bm25.run
//! # the same analyzer as briefs (folding, stemming) instead of tantivy's default tokenizer:
//! cargo run --release --example bm25_baseline -- --corpus corpus --queries tests/relevance/queries.tsv \
//!     --analyzer briefs > bm25-briefs.run
//! ```

use std::path::PathBuf;

use briefs::corpus::{discover, read_file};
use briefs::relevance::inputs::{read_queries, write_run, RunEntry};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING};
use tantivy::{doc, Index, TantivyDocument};

const DEPTH: usize = 100;

fn main() -> anyhow::Result<()> {
    let mut corpus = None;
    let mut queries = None;
    let mut ids = false;
    let mut analyzer = "default".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--corpus" => corpus = args.next().map(PathBuf::from),
            "--queries" => queries = args.next().map(PathBuf::from),
            "--doc-ids" => ids = args.next().as_deref() == Some("id"),
            "--analyzer" => analyzer = args.next().unwrap_or_default(),
            other => anyhow::bail!("unknown argument {other:?}"),
        }
    }
    let (Some(corpus), Some(queries)) = (corpus, queries) else {
        anyhow::bail!(
            "usage: bm25_baseline --corpus DIR --queries FILE [--doc-ids doc|id] [--analyzer default|briefs]"
        );
    };
    let tokenizer = match analyzer.as_str() {
        "default" => "default",
        "briefs" => briefs::tokenize::ANALYZER_NAME,
        other => anyhow::bail!("unknown analyzer {other:?} (default or briefs)"),
    };

    let mut builder = Schema::builder();
    let name = builder.add_text_field("name", STRING | STORED);
    let text = builder.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer)),
    );
    let index = Index::create_in_ram(builder.build());
    briefs::tokenize::register(&index);
    let mut writer = index.writer_with_num_threads(1, 100_000_000)?;
    let mut documents = 0;
    for file in discover(&corpus)?.files {
        let Ok(read) = read_file(&file) else { continue };
        for source in read.briefs {
            let brief = &source.brief;
            let mut body = brief.title.clone();
            for block in &brief.blocks {
                body.push('\n');
                body.push_str(&block.text);
            }
            let key = match (&source.id, ids) {
                (Some(id), true) => id.clone(),
                _ => source.key.clone(),
            };
            writer.add_document(doc!(name => key, text => body))?;
            documents += 1;
        }
    }
    writer.commit()?;
    eprintln!("{documents} documents indexed");

    let searcher = index.reader()?.searcher();
    let parser = QueryParser::for_index(&index, vec![text]);
    let mut run = Vec::new();
    for query in read_queries(&queries)? {
        let words: String = query
            .text
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let parsed = parser.parse_query(&words)?;
        let mut top = searcher.search(&parsed, &TopDocs::with_limit(DEPTH).order_by_score())?;
        // Ties by document name, as briefs breaks them: runs are reproducible.
        let mut named: Vec<(f32, String)> = top
            .drain(..)
            .map(|(score, address)| {
                let stored: TantivyDocument = searcher.doc(address)?;
                let key = stored
                    .get_first(name)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string();
                Ok((score, key))
            })
            .collect::<tantivy::Result<_>>()?;
        named.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let entries = named
            .into_iter()
            .map(|(score, doc)| RunEntry {
                doc,
                score: f64::from(score),
            })
            .collect();
        run.push((query.id, entries));
    }
    write_run(&mut std::io::stdout().lock(), &run, &format!("bm25-whole-{analyzer}"))?;
    Ok(())
}
