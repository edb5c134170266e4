//! A timeline: how many briefs per month have a passage that matches a
//! request, for the date histogram of `briefs serve`.
//!
//! Like the facet counts ([`super::facets`]) it reads columns, never stored
//! documents, and counts *briefs*, not passages: a brief's passages arrive
//! one after another (they sit together in one segment), so a brief is
//! counted when the brief column changes from one matching passage to the
//! next, and only then is its date read. The cost follows the number of
//! matching passages, with one column read per passage (by blocks, where
//! tantivy hands them over so) and one date per brief.
//!
//! [`timeline`] honours every part of the request, its date range included;
//! a caller that wants the histogram to show what lies outside the chosen
//! range (as a facet's counts ignore that facet's own filter) clears
//! `since` and `until` first. A request without query, filters or dates
//! counts every brief of the index.

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Query;
use tantivy::{DateTime, DocId, SegmentOrdinal, SegmentReader};

use super::query::Clauses;
use super::{SearchError, SearchRequest};
use crate::index::{self, documents::date_seconds, OpenIndex};

/// Briefs per month, oldest month first; months without briefs are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Timeline {
    pub months: Vec<MonthCount>,
    /// Matching briefs without a date (they are in no month).
    pub undated: u64,
}

/// The briefs of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    pub briefs: u64,
}

/// Counts the briefs of a request per month; see the module doc.
pub fn timeline(open: &OpenIndex, request: &SearchRequest) -> Result<Timeline, SearchError> {
    index::catch_panic(|| {
        let (parsed, request) = super::prepare(open, request)?;
        let request = request.as_ref();
        let text: Option<Box<dyn Query>> = parsed.text;
        let dims = request.dims();
        let clauses = Clauses {
            open,
            text: text.as_deref(),
            dates: (request.since.map(date_seconds), request.until.map(date_seconds)),
            scope: request.scope,
            dims: &dims,
        };
        let counts = open.searcher.search(&*clauses.all(), &BriefsPerMonth)?;
        Ok(counts.into_timeline())
    })
}

/// Counts distinct briefs per month over the matching passages.
pub struct BriefsPerMonth;

/// Per-month counts, keyed by `year * 12 + month - 1`.
#[derive(Debug, Default)]
pub struct MonthCounts {
    months: BTreeMap<i64, u64>,
    undated: u64,
}

impl MonthCounts {
    fn into_timeline(self) -> Timeline {
        Timeline {
            months: self
                .months
                .into_iter()
                .map(|(key, briefs)| MonthCount {
                    month: format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1),
                    briefs,
                })
                .collect(),
            undated: self.undated,
        }
    }
}

pub struct SegmentMonths {
    /// The term ordinals of the `brief` column (one per document).
    briefs: Option<Column<u64>>,
    dates: Column<DateTime>,
    /// The brief of the last passage seen: its term ordinal in this segment.
    last_brief: Option<u64>,
    counts: MonthCounts,
    block: Vec<Option<u64>>,
}

impl SegmentMonths {
    /// Counts `doc` when it starts a brief. A passage without a brief key
    /// is counted on its own.
    fn offer(&mut self, doc: DocId, brief: Option<u64>) {
        if brief.is_some() && brief == self.last_brief {
            return;
        }
        self.last_brief = brief;
        match self.dates.first(doc) {
            Some(date) => {
                let days = date.into_timestamp_secs().div_euclid(86_400);
                *self.counts.months.entry(month_key(days)).or_default() += 1;
            }
            None => self.counts.undated += 1,
        }
    }
}

impl SegmentCollector for SegmentMonths {
    type Fruit = MonthCounts;

    fn collect(&mut self, doc: DocId, _score: tantivy::Score) {
        let brief = self.briefs.as_ref().and_then(|c| c.first(doc));
        self.offer(doc, brief);
    }

    /// Blocks of matching documents (segments without deletions): the brief
    /// column is read for the whole block at once.
    fn collect_block(&mut self, docs: &[DocId]) {
        let mut block = std::mem::take(&mut self.block);
        block.clear();
        block.resize(docs.len(), None);
        if let Some(briefs) = &self.briefs {
            briefs.first_vals(docs, &mut block);
        }
        for (&doc, &brief) in docs.iter().zip(&block) {
            self.offer(doc, brief);
        }
        self.block = block;
    }

    fn harvest(self) -> MonthCounts {
        self.counts
    }
}

impl Collector for BriefsPerMonth {
    type Fruit = MonthCounts;
    type Child = SegmentMonths;

    fn for_segment(&self, _segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentMonths> {
        let fast = reader.fast_fields();
        Ok(SegmentMonths {
            briefs: fast.str("brief")?.map(|c: StrColumn| c.ords().clone()),
            dates: fast.date("date")?,
            last_brief: None,
            counts: MonthCounts::default(),
            block: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<MonthCounts>) -> tantivy::Result<MonthCounts> {
        // A brief lives in one segment, so segment counts simply add up.
        let mut all = MonthCounts::default();
        for fruit in fruits {
            for (key, n) in fruit.months {
                *all.months.entry(key).or_default() += n;
            }
            all.undated += fruit.undated;
        }
        Ok(all)
    }
}

/// The month of a day counted from 1970-01-01, as `year * 12 + month - 1`
/// (Howard Hinnant's `civil_from_days`): plain arithmetic, because it runs
/// once per matching brief.
fn month_key(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    year * 12 + month - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{build, BuildOptions};
    use jiff::civil::Date;

    #[test]
    fn month_keys_agree_with_the_calendar() {
        let mut date = Date::new(1899, 12, 1).expect("date");
        let end = Date::new(2101, 3, 1).expect("date");
        while date < end {
            let days = date_seconds(date).div_euclid(86_400);
            let expected = i64::from(date.year()) * 12 + i64::from(date.month()) - 1;
            assert_eq!(month_key(days), expected, "{date}");
            date = date.tomorrow().expect("next day");
        }
    }

    fn write(dir: &std::path::Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).expect("write brief");
    }

    /// Three dated briefs over two months (one with several matching
    /// passages) and an undated one.
    fn small_index() -> (tempfile::TempDir, OpenIndex) {
        let dir = tempfile::tempdir().expect("temp dir");
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).expect("corpus");
        write(
            &corpus,
            "a.txt",
            "Gas talks in Kabul\ndate 2024-01-05\n\nThe gas pipeline reached Herat.\n\nGas prices rose in Kabul.\n\nMore gas came from Turkmenistan.\n",
        );
        write(
            &corpus,
            "b.txt",
            "Gas talks in Tehran\ndate 2024-01-28\n\nIran discussed gas exports in Tehran.\n",
        );
        write(
            &corpus,
            "c.txt",
            "Rail works\ndate 2024-03-02\n\nThe railway to Termez opened; gas was not discussed.\n",
        );
        write(
            &corpus,
            "d.txt",
            "Undated note\n\nA gas meeting took place somewhere.\n",
        );
        let index = dir.path().join("index");
        build(&BuildOptions::new(&corpus, &index)).expect("build");
        let open = index::open(&index).expect("open");
        (dir, open)
    }

    fn months(t: &Timeline) -> Vec<(&str, u64)> {
        t.months.iter().map(|m| (m.month.as_str(), m.briefs)).collect()
    }

    #[test]
    fn counts_briefs_not_passages_per_month() {
        let (_dir, open) = small_index();
        let gas = SearchRequest {
            query: "gas".into(),
            ..SearchRequest::default()
        };
        let t = timeline(&open, &gas).expect("timeline");
        assert_eq!(months(&t), [("2024-01", 2), ("2024-03", 1)]);
        assert_eq!(t.undated, 1);

        let everything = timeline(&open, &SearchRequest::default()).expect("timeline");
        assert_eq!(months(&everything), [("2024-01", 2), ("2024-03", 1)]);
        assert_eq!(everything.undated, 1);
    }

    #[test]
    fn honours_filters_and_dates() {
        let (_dir, open) = small_index();
        let iran = SearchRequest {
            query: "gas".into(),
            countries: vec!["Iran".into()],
            ..SearchRequest::default()
        };
        assert_eq!(months(&timeline(&open, &iran).expect("timeline")), [("2024-01", 1)]);

        let since = SearchRequest {
            query: "gas".into(),
            since: Some(Date::new(2024, 2, 1).expect("date")),
            ..SearchRequest::default()
        };
        let t = timeline(&open, &since).expect("timeline");
        assert_eq!(months(&t), [("2024-03", 1)]);
        assert_eq!(t.undated, 0, "a date range leaves undated briefs out");
    }

    #[test]
    fn agrees_with_the_briefs_a_search_finds() {
        let (_dir, open) = small_index();
        for query in ["gas", "pipeline OR railway", "Kabul", "nothing-matches-this"] {
            let request = SearchRequest {
                query: query.into(),
                limit: 100,
                per_brief: 1,
                ..SearchRequest::default()
            };
            let results = crate::search::search(&open, &request).expect("search");
            let mut expected: BTreeMap<String, u64> = BTreeMap::new();
            let mut undated = 0;
            for hit in &results.hits {
                match &hit.date {
                    Some(d) => *expected.entry(d[..7].to_string()).or_default() += 1,
                    None => undated += 1,
                }
            }
            let t = timeline(&open, &request).expect("timeline");
            let got: BTreeMap<String, u64> = t.months.iter().map(|m| (m.month.clone(), m.briefs)).collect();
            assert_eq!(got, expected, "{query}");
            assert_eq!(t.undated, undated, "{query}");
        }
    }

    #[test]
    fn a_bad_query_is_an_error() {
        let (_dir, open) = small_index();
        let request = SearchRequest {
            query: "\"unclosed".into(),
            ..SearchRequest::default()
        };
        assert!(matches!(timeline(&open, &request), Err(SearchError::Query { .. })));
    }
}
