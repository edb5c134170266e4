//! Baseline 2: SQLite FTS5 (bundled SQLite, through rusqlite) over the same
//! passages: what a user with a database at hand would build.
//!
//! Layout: an FTS5 table `fts(text)` (unicode61 tokenizer, no stemming, as
//! tantivy's default), a `meta` table with brief, passage and date per
//! rowid, and side tables `pc(id, country)` and `pa(id, actor)` indexed both
//! ways, so every query kind of the mix is one SQL statement: filters are
//! `rowid IN (...)`, facet counts are `GROUP BY` with `count(DISTINCT brief)`
//! (briefs' semantics), browsing is `ORDER BY date DESC`.
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
        let mut fts = tx.prepare("INSERT INTO fts(rowid, text) VALUES (?1, ?2)").expect("prepare");
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

const IN_COUNTRY: &str = "id IN (SELECT id FROM pc WHERE country = :country)";
const IN_ACTOR: &str = "id IN (SELECT id FROM pa WHERE actor = :actor)";
const IN_MATCH: &str = "id IN (SELECT rowid FROM fts WHERE fts MATCH :match)";

impl Fts5 {
    pub fn open(db: &Path) -> Fts5 {
        Fts5(Connection::open(db).expect("open the SQLite database"))
    }

    /// Runs one query: the top 10 passages (bm25, or newest first when there
    /// are no words) with their text, the total count, and multi-select facet
    /// counts when asked. Returns the count.
    pub fn run(&self, q: &Query) -> u64 {
        let conn = &self.0;
        let m = q.fts5_match();
        let country = q.country.clone().unwrap_or_default();
        let actor = q.actor.as_ref().map(|a| a.name.clone()).unwrap_or_default();
        // Filters on the rowid, as `rowid IN (...)` subqueries.
        let mut filters = Vec::new();
        if q.country.is_some() {
            filters.push(IN_COUNTRY.replace("id IN", "fts.rowid IN"));
        }
        if q.actor.is_some() {
            filters.push(IN_ACTOR.replace("id IN", "fts.rowid IN"));
        }
        let mut named: Vec<(&str, &dyn rusqlite::ToSql)> = Vec::new();
        if q.country.is_some() {
            named.push((":country", &country));
        }
        if q.actor.is_some() {
            named.push((":actor", &actor));
        }
        let (top_sql, count_sql) = if q.words.is_empty() {
            let filters = filters.join(" AND ");
            (
                format!(
                    "SELECT fts.text FROM meta JOIN fts ON fts.rowid = meta.id
                     WHERE {} ORDER BY meta.date DESC, meta.brief, meta.passage LIMIT 10",
                    filters.replace("fts.rowid", "meta.id")
                ),
                format!("SELECT count(*) FROM meta WHERE {}", filters.replace("fts.rowid", "meta.id")),
            )
        } else {
            named.push((":match", &m));
            let mut all = vec!["fts MATCH :match".to_string()];
            all.extend(filters);
            let filters = all.join(" AND ");
            (
                format!("SELECT fts.text FROM fts WHERE {filters} ORDER BY rank LIMIT 10"),
                format!("SELECT count(*) FROM fts WHERE {filters}"),
            )
        };
        let mut top = conn.prepare_cached(&top_sql).expect("prepare the top query");
        let texts: Vec<String> = top
            .query_map(named.as_slice(), |row| row.get(0))
            .expect("run the top query")
            .collect::<Result<_, _>>()
            .expect("read the top rows");
        std::hint::black_box(texts);
        let count: i64 = conn
            .prepare_cached(&count_sql)
            .expect("prepare the count")
            .query_row(named.as_slice(), |row| row.get(0))
            .expect("run the count");
        if q.facets {
            // Multi-select: each facet's counts ignore that facet's own filter.
            for (table, column, own) in [("pc", "country", IN_COUNTRY), ("pa", "actor", IN_ACTOR)] {
                let mut conditions = Vec::new();
                let mut args: Vec<(&str, &dyn rusqlite::ToSql)> = Vec::new();
                if !q.words.is_empty() {
                    conditions.push(IN_MATCH.replace("id IN", "f.id IN"));
                    args.push((":match", &m));
                }
                if q.country.is_some() && own != IN_COUNTRY {
                    conditions.push(IN_COUNTRY.replace("id IN", "f.id IN"));
                    args.push((":country", &country));
                }
                if q.actor.is_some() && own != IN_ACTOR {
                    conditions.push(IN_ACTOR.replace("id IN", "f.id IN"));
                    args.push((":actor", &actor));
                }
                let sql = format!(
                    "SELECT f.{column}, count(DISTINCT meta.brief) AS briefs, count(*) FROM {table} f
                     JOIN meta ON meta.id = f.id WHERE {}
                     GROUP BY f.{column} ORDER BY briefs DESC, f.{column} LIMIT 10",
                    if conditions.is_empty() { "1".to_string() } else { conditions.join(" AND ") }
                );
                let mut stmt = conn.prepare_cached(&sql).expect("prepare facet counts");
                let rows: Vec<(String, i64)> = stmt
                    .query_map(args.as_slice(), |row| Ok((row.get(0)?, row.get(1)?)))
                    .expect("run facet counts")
                    .collect::<Result<_, _>>()
                    .expect("read facet counts");
                std::hint::black_box(rows);
            }
        }
        count as u64
    }
}
