//! Baseline 2: SQLite FTS5 (bundled SQLite, through rusqlite) over the same
//! passages: what a user with a database at hand would build.
//!
//! Layout: an FTS5 table `fts(text)` (unicode61 tokenizer, no stemming, as
//! tantivy's default), a `meta` table with brief, passage and date per
//! rowid, and side tables `pc(id, country)` and `pa(id, actor)` indexed both
//! ways, so every query kind of the mix is one SQL statement: filters are
//! `rowid IN (...)`, facet counts are `GROUP BY` with `count(DISTINCT brief)`
//! (briefs' semantics), browsing is `ORDER BY date DESC`. The full-text match
//! is a materialised CTE, so that a filter cannot make SQLite re-run it per
//! candidate row (what a plain `rowid IN (...)` next to `MATCH` led to: 80
//! ms for a country filter on 2k briefs).
//!
//! The build is one transaction with the journal and syncs off (a bulk load
//! into a fresh file), a page cache as large as the writer budget of the
//! other systems, and ends with FTS5's `optimize` (one b-tree per index,
//! FTS5's fastest state for queries; tantivy likewise waits for its merges).

use std::path::Path;

use rusqlite::{params, Connection};

use crate::passages;
use crate::queries::Query;

/// Builds the database file `db` from the passages file.
pub fn build(passages_file: &Path, db: &Path, cache_mb: usize) {
    let _ = std::fs::remove_file(db);
    let mut conn = Connection::open(db).expect("create the SQLite database");
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -{};
         CREATE VIRTUAL TABLE fts USING fts5(text);
         CREATE TABLE meta(id INTEGER PRIMARY KEY, brief INTEGER, passage INTEGER, date INTEGER);
         CREATE TABLE pc(id INTEGER, country TEXT);
         CREATE TABLE pa(id INTEGER, actor TEXT);",
        cache_mb * 1024
    ))
    .expect("create the SQLite schema");
    let tx = conn.transaction().expect("begin");
    {
        let mut fts = tx
            .prepare("INSERT INTO fts(rowid, text) VALUES (?1, ?2)")
            .expect("prepare");
        let mut meta = tx.prepare("INSERT INTO meta VALUES (?1, ?2, ?3, ?4)").expect("prepare");
        let mut pc = tx.prepare("INSERT INTO pc VALUES (?1, ?2)").expect("prepare");
        let mut pa = tx.prepare("INSERT INTO pa VALUES (?1, ?2)").expect("prepare");
        let mut id: i64 = 0;
        passages::for_each(passages_file, |p| {
            id += 1;
            fts.execute(params![id, p.text]).expect("insert text");
            meta.execute(params![id, p.brief as i64, p.passage as i64, p.date])
                .expect("insert meta");
            for c in &p.countries {
                pc.execute(params![id, c]).expect("insert country");
            }
            for a in &p.actors {
                pa.execute(params![id, a]).expect("insert actor");
            }
        });
    }
    tx.execute_batch(
        "CREATE INDEX pc_value ON pc(country, id); CREATE INDEX pc_id ON pc(id);
         CREATE INDEX pa_value ON pa(actor, id); CREATE INDEX pa_id ON pa(id);
         CREATE INDEX meta_date ON meta(date);
         INSERT INTO fts(fts) VALUES ('optimize');",
    )
    .expect("create indexes and optimize");
    tx.commit().expect("commit");
}

/// An opened FTS5 database.
pub struct Fts5(Connection);

/// Filters on a passage id column `{id}`, as `IN (...)` subqueries, which
/// SQLite evaluates once into a temporary b-tree.
fn filters(q: &Query, id: &str, skip: Option<&str>) -> String {
    let mut out = vec!["1".to_string()];
    if q.country.is_some() && skip != Some("country") {
        out.push(format!("{id} IN (SELECT id FROM pc WHERE country = :country)"));
    }
    if q.actor.is_some() && skip != Some("actor") {
        out.push(format!("{id} IN (SELECT id FROM pa WHERE actor = :actor)"));
    }
    out.join(" AND ")
}

/// The matching passage ids as a materialised CTE (the full-text query runs
/// once per statement, then the filters and the sort read the result).
fn matches(q: &Query, with_rank: bool) -> &'static str {
    match (q.words.is_empty(), with_rank) {
        (true, _) => "m AS (SELECT id, 0 AS r FROM meta)",
        (false, true) => "m AS MATERIALIZED (SELECT rowid AS id, rank AS r FROM fts WHERE fts MATCH :match)",
        (false, false) => "m AS MATERIALIZED (SELECT rowid AS id FROM fts WHERE fts MATCH :match)",
    }
}

impl Fts5 {
    pub fn open(db: &Path) -> Fts5 {
        Fts5(Connection::open(db).expect("open the SQLite database"))
    }

    /// Runs one query: the top 10 passages (bm25, or newest first when there
    /// are no words) with their text and the total count in one statement,
    /// then multi-select facet counts when asked. Returns the count.
    pub fn run(&self, q: &Query) -> u64 {
        let m = q.fts5_match();
        let country = q.country.clone().unwrap_or_default();
        let actor = q.actor.as_ref().map(|a| a.name.clone()).unwrap_or_default();
        let args = |sql: &str| -> Vec<(&str, &dyn rusqlite::ToSql)> {
            let mut named: Vec<(&str, &dyn rusqlite::ToSql)> = Vec::new();
            for (name, value) in [(":match", &m), (":country", &country), (":actor", &actor)] {
                if sql.contains(name) {
                    named.push((name, value));
                }
            }
            named
        };
        let (join, order) = if q.words.is_empty() {
            (
                "JOIN meta ON meta.id = hits.id",
                "meta.date DESC, meta.brief, meta.passage",
            )
        } else {
            ("", "hits.r")
        };
        let top = format!(
            "WITH {}, hits AS MATERIALIZED (SELECT m.id, m.r FROM m WHERE {})
             SELECT (SELECT count(*) FROM hits), fts.text
             FROM (SELECT hits.id, hits.r FROM hits {join} ORDER BY {order} LIMIT 10) t
             JOIN fts ON fts.rowid = t.id",
            matches(q, true),
            filters(q, "m.id", None),
        );
        let mut stmt = self.0.prepare_cached(&top).expect("prepare the top query");
        let rows: Vec<(i64, String)> = stmt
            .query_map(args(&top).as_slice(), |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("run the top query")
            .collect::<Result<_, _>>()
            .expect("read the top rows");
        let count = rows.first().map_or(0, |r| r.0);
        std::hint::black_box(rows);
        if q.facets {
            // Multi-select: each facet's counts ignore that facet's own filter.
            for (table, column) in [("pc", "country"), ("pa", "actor")] {
                let sql = format!(
                    "WITH {} SELECT f.{column}, count(DISTINCT meta.brief) AS briefs, count(*)
                     FROM m JOIN {table} f ON f.id = m.id JOIN meta ON meta.id = m.id WHERE {}
                     GROUP BY f.{column} ORDER BY briefs DESC, f.{column} LIMIT 10",
                    matches(q, false),
                    filters(q, "m.id", Some(column)),
                );
                let mut stmt = self.0.prepare_cached(&sql).expect("prepare facet counts");
                let rows: Vec<(String, i64)> = stmt
                    .query_map(args(&sql).as_slice(), |row| Ok((row.get(0)?, row.get(1)?)))
                    .expect("run facet counts")
                    .collect::<Result<_, _>>()
                    .expect("read facet counts");
                std::hint::black_box(rows);
            }
        }
        count as u64
    }
}
