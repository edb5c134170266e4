//! The search core checked against brute force: on random corpora, every
//! search's total, hits and facet counts are computed again by scanning the
//! stored passages, and must agree exactly. Also: an index updated
//! incrementally ranks exactly (bit for bit) like a full build of the same
//! corpus, and the per-brief cap holds across many segments.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use briefs::index::{self, BuildOptions, OpenIndex};
use briefs::search::{self, Scope, SearchRequest, SearchResults};
use proptest::prelude::*;

const COUNTRIES: [&str; 5] = ["Iran", "Pakistan", "India", "Turkmenistan", "Uzbekistan"];
const WORDS: [&str; 6] = ["zorbal", "quenex", "plimto", "varoch", "dextil", "mubran"];

/// One passage of a generated brief: which words and countries it has.
#[derive(Debug, Clone)]
struct Para {
    words: Vec<usize>,
    countries: Vec<usize>,
}

fn para() -> impl Strategy<Value = Para> {
    (
        prop::collection::vec(0..WORDS.len(), 0..4),
        prop::collection::vec(0..COUNTRIES.len(), 0..3),
    )
        .prop_map(|(words, countries)| Para { words, countries })
}

fn corpus() -> impl Strategy<Value = Vec<Vec<Para>>> {
    prop::collection::vec(prop::collection::vec(para(), 1..5), 1..14)
}

/// A paragraph of neutral filler with the chosen words and countries.
fn paragraph_text(p: &Para, brief: usize, k: usize) -> String {
    let mut text = format!("Officials met on day {k} of round {brief} to review the ledger.");
    for &w in &p.words {
        text.push_str(&format!(" The {} file was read.", WORDS[w]));
    }
    for &c in &p.countries {
        text.push_str(&format!(" Delegates from {} attended.", COUNTRIES[c]));
    }
    text
}

fn write_corpus(dir: &Path, briefs: &[Vec<Para>]) {
    for i in 0..briefs.len() {
        write_brief(dir, briefs, i);
    }
}

fn write_brief(dir: &Path, briefs: &[Vec<Para>], i: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let body: Vec<String> = briefs[i]
        .iter()
        .enumerate()
        .map(|(k, p)| paragraph_text(p, i, k))
        .collect();
    let text = format!(
        "Desk Note Number {i}\ndate 2024-01-{:02}\n\n{}\n",
        i % 28 + 1,
        body.join("\n\n")
    );
    std::fs::write(dir.join(format!("b{i:03}.txt")), text).unwrap();
}

fn build(corpus: &Path, index: &Path, rebuild: bool) {
    let report = index::build(&BuildOptions {
        rebuild,
        ..BuildOptions::new(corpus, index)
    })
    .expect("build");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

/// What the brute force knows of a passage.
struct Known {
    doc: String,
    passage: u64,
    words: BTreeSet<String>,
    countries: BTreeSet<String>,
    brief_countries: BTreeSet<String>,
}

fn known(open: &OpenIndex) -> Vec<Known> {
    let mut all = Vec::new();
    index::for_each_brief(open, |record, passages| -> Result<(), index::IndexError> {
        let brief_countries: BTreeSet<String> = passages.iter().flat_map(|p| p.countries.clone()).collect();
        for p in passages {
            all.push(Known {
                doc: record.doc.clone(),
                passage: p.passage,
                words: p
                    .text
                    .split(|c: char| !c.is_alphanumeric())
                    .map(str::to_lowercase)
                    .collect(),
                countries: p.countries.iter().cloned().collect(),
                brief_countries: brief_countries.clone(),
            });
        }
        Ok(())
    })
    .unwrap();
    all
}

fn request(words: &[usize], countries: &[usize], scope: Scope) -> SearchRequest {
    SearchRequest {
        query: words.iter().map(|&w| WORDS[w]).collect::<Vec<_>>().join(" "),
        limit: 1000,
        per_brief: 1000,
        countries: countries.iter().map(|&c| COUNTRIES[c].to_string()).collect(),
        scope,
        facets: true,
        facet_limit: 1000,
        // Generated passages repeat one template: near-duplicates, which
        // folding would merge; brute force checks the collector.
        keep_duplicates: true,
        ..SearchRequest::default()
    }
}

fn check(open: &OpenIndex, all: &[Known], req: &SearchRequest) {
    let results = search::search(open, req).expect("search");
    let query_words: Vec<String> = req.query.split_whitespace().map(str::to_string).collect();
    let wanted: BTreeSet<&String> = req.countries.iter().collect();
    let scoped = |k: &Known| match req.scope {
        Scope::Passage => k.countries.clone(),
        Scope::Brief => k.brief_countries.clone(),
    };
    // Every word required; no words (browsing) matches every passage.
    let text_ok = |k: &Known| query_words.iter().all(|w| k.words.contains(w));
    let filter_ok = |k: &Known| wanted.is_empty() || scoped(k).iter().any(|c| wanted.contains(c));
    let matching: BTreeSet<(String, u64)> = all
        .iter()
        .filter(|k| text_ok(k) && filter_ok(k))
        .map(|k| (k.doc.clone(), k.passage))
        .collect();
    assert_eq!(results.total_hits, matching.len() as u64, "{req:?}");
    let hits: BTreeSet<(String, u64)> = results.hits.iter().map(|h| (h.doc.clone(), h.passage)).collect();
    assert_eq!(hits, matching, "{req:?}");
    if !query_words.is_empty() {
        assert_sorted(&results);
    }

    // Multi-select counts: a country counts over passages that match the
    // text (the country filter itself is ignored for its own dimension).
    let mut expected: BTreeMap<String, (BTreeSet<String>, u64)> = BTreeMap::new();
    for k in all.iter().filter(|k| text_ok(k)) {
        for c in scoped(k) {
            let entry = expected.entry(c).or_default();
            entry.0.insert(k.doc.clone());
            entry.1 += 1;
        }
    }
    let facets = results.facets.expect("facets asked for");
    let got: BTreeMap<String, (u64, u64)> = facets
        .country
        .iter()
        .map(|c| (c.value.clone(), (c.count, c.passages)))
        .collect();
    let expected: BTreeMap<String, (u64, u64)> = expected
        .into_iter()
        .map(|(c, (briefs, passages))| (c, (briefs.len() as u64, passages)))
        .collect();
    assert_eq!(got, expected, "{req:?}");
}

/// Hits come best first, ties broken by brief, then passage.
fn assert_sorted(results: &SearchResults) {
    for pair in results.hits.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let ordered = a.score > b.score || (a.score == b.score && (&a.doc, a.passage) < (&b.doc, b.passage));
        assert!(
            ordered,
            "{:?} before {:?}",
            (&a.doc, a.passage, a.score),
            (&b.doc, b.passage, b.score)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn totals_hits_and_facet_counts_agree_with_brute_force(
        briefs in corpus(),
        words in prop::collection::vec(0..WORDS.len(), 0..3),
        countries in prop::collection::vec(0..COUNTRIES.len(), 0..3),
    ) {
        // No words and no filter is no search.
        prop_assume!(!words.is_empty() || !countries.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let (corpus_dir, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
        write_corpus(&corpus_dir, &briefs);
        build(&corpus_dir, &index_dir, false);
        let open = index::open(&index_dir).unwrap();
        let all = known(&open);
        for scope in [Scope::Passage, Scope::Brief] {
            check(&open, &all, &request(&words, &countries, scope));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Shown facet values are named only as deep as needed in each segment
    /// (`search::facets::top_values`): with a small `facet_limit` over
    /// several segments, the values shown must still be the brute-force
    /// top, ties broken by name.
    #[test]
    fn the_few_facet_values_shown_are_the_top_of_all_segments(
        briefs in prop::collection::vec(prop::collection::vec(para(), 1..6), 10..30),
        words in prop::collection::vec(0..WORDS.len(), 0..2),
        limit in 1usize..4,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (corpus_dir, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
        // A run per five briefs: several segments (a brief's passages share one).
        for i in 0..briefs.len() {
            write_brief(&corpus_dir, &briefs, i);
            if i % 5 == 4 || i + 1 == briefs.len() {
                build(&corpus_dir, &index_dir, false);
            }
        }
        let open = index::open(&index_dir).unwrap();
        // Runs of five briefs usually leave several segments, not always.
        prop_assume!(open.searcher.segment_readers().len() >= 2);
        let all = known(&open);
        let query_words: Vec<&str> = words.iter().map(|&w| WORDS[w]).collect();
        let mut expected: BTreeMap<String, (BTreeSet<String>, u64)> = BTreeMap::new();
        for k in all.iter().filter(|k| query_words.iter().all(|w| k.words.contains(*w))) {
            for c in &k.countries {
                let entry = expected.entry(c.clone()).or_default();
                entry.0.insert(k.doc.clone());
                entry.1 += 1;
            }
        }
        let mut expected: Vec<(String, u64, u64)> = expected
            .into_iter()
            .map(|(c, (briefs, passages))| (c, briefs.len() as u64, passages))
            .collect();
        expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        expected.truncate(limit);
        let req = SearchRequest {
            query: query_words.join(" "),
            // Browsing with no filter is no search: filter on every country.
            countries: if query_words.is_empty() { COUNTRIES.iter().map(|c| c.to_string()).collect() } else { Vec::new() },
            facets: true,
            facet_limit: limit,
            keep_duplicates: true,
            ..SearchRequest::default()
        };
        let facets = search::search(&open, &req).unwrap().facets.unwrap();
        let got: Vec<(String, u64, u64)> = facets.country.iter().map(|c| (c.value.clone(), c.count, c.passages)).collect();
        prop_assert_eq!(got, expected);
    }
}

/// The one country shown when each of three runs (a segment each) adds
/// `leader_briefs` briefs naming `leaders[run]` and `hidden_briefs` naming
/// `hidden`.
fn first_country_over_three_segments(
    hidden: usize,
    leaders: [usize; 3],
    leader_briefs: usize,
    hidden_briefs: usize,
) -> (String, u64) {
    let dir = tempfile::tempdir().unwrap();
    let (corpus_dir, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    let mut briefs = Vec::new();
    for leader in leaders {
        for k in 0..leader_briefs + hidden_briefs {
            let country = if k < leader_briefs { leader } else { hidden };
            briefs.push(vec![Para {
                words: vec![0],
                countries: vec![country],
            }]);
            write_brief(&corpus_dir, &briefs, briefs.len() - 1);
        }
        build(&corpus_dir, &index_dir, false);
    }
    let open = index::open(&index_dir).unwrap();
    assert!(open.searcher.segment_readers().len() >= 3, "expected a segment per run");
    let req = SearchRequest {
        query: WORDS[0].into(),
        facets: true,
        facet_limit: 1,
        keep_duplicates: true,
        ..SearchRequest::default()
    };
    let facets = search::search(&open, &req).unwrap().facets.unwrap();
    let first = &facets.country[0];
    assert_eq!(facets.country.len(), 1);
    (first.value.clone(), first.count)
}

/// Shown facet values are named only as deep as needed in each segment
/// (`search::facets::top_values`). A value second in every segment can be
/// first over all of them, and a value that ties the first on briefs can
/// come first by name: naming each segment's first value is not enough.
#[test]
fn a_value_second_in_every_segment_can_be_first_over_all() {
    let [iran, pakistan, india, turkmenistan, uzbekistan] = [0, 1, 2, 3, 4];
    // Iran in two briefs of each segment (6); each leader in three of one (3).
    assert_eq!(
        first_country_over_three_segments(iran, [pakistan, india, turkmenistan], 3, 2),
        ("Iran".to_string(), 6)
    );
    // India in one brief of each segment (3), tied with every leader (3),
    // and first by name.
    assert_eq!(
        first_country_over_three_segments(india, [pakistan, turkmenistan, uzbekistan], 3, 1),
        ("India".to_string(), 3)
    );
}

/// Every result of every query, scores as bits: two indexes that answer
/// alike give equal lists.
fn answers(index_dir: &Path) -> Vec<(String, u64, u32)> {
    let open = index::open(index_dir).unwrap();
    let mut out = Vec::new();
    for query in [
        "zorbal",
        "quenex plimto",
        "varoch OR dextil",
        "\"file was read\"",
        "ledger",
    ] {
        let req = SearchRequest {
            query: query.into(),
            any: true,
            limit: 50,
            per_brief: 3,
            // Generated passages repeat one template: near-duplicates,
            // which folding would merge; these tests check the collector.
            keep_duplicates: true,
            ..SearchRequest::default()
        };
        for hit in search::search(&open, &req).unwrap().hits {
            out.push((hit.doc, hit.passage, hit.score.to_bits()));
        }
    }
    // Facet counts of a browse (from term dictionaries) and of a query
    // (from columns), as rows of the same shape.
    for query in ["", "zorbal"] {
        let req = SearchRequest {
            query: query.into(),
            countries: vec![COUNTRIES[0].to_string()],
            facets: true,
            facet_limit: 100,
            limit: 1,
            per_brief: 1,
            // Generated passages repeat one template: near-duplicates,
            // which folding would merge; these tests check the collector.
            keep_duplicates: true,
            ..SearchRequest::default()
        };
        let facets = search::search(&open, &req).unwrap().facets.unwrap();
        for count in facets.country.iter().chain(&facets.region).chain(&facets.actor) {
            out.push((format!("{query}:{}", count.value), count.count, count.passages as u32));
        }
    }
    out
}

/// The audit found scores differing in the 4th decimal after one edit, one
/// addition and one removal: deleted passages counted in BM25 statistics,
/// and tantivy estimates token totals when it merges segments with deletes.
#[test]
fn incremental_run_scores_exactly_like_a_full_build() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus_dir, index_dir, fresh_dir) = (
        dir.path().join("corpus"),
        dir.path().join("index"),
        dir.path().join("fresh"),
    );
    let mut briefs: Vec<Vec<Para>> = (0..300)
        .map(|i| {
            (0..4)
                .map(|k| Para {
                    words: vec![(i + k) % WORDS.len(), (i * 7 + k) % WORDS.len()],
                    countries: vec![(i + k) % COUNTRIES.len()],
                })
                .collect()
        })
        .collect();
    write_corpus(&corpus_dir, &briefs);
    build(&corpus_dir, &index_dir, false);
    // Several runs of changes, each committed separately.
    for round in 0..3 {
        briefs[round * 10][0].words.push(round % WORDS.len());
        briefs.push(vec![Para {
            words: vec![round, round + 1],
            countries: vec![round],
        }]);
        write_corpus(&corpus_dir, &briefs);
        std::fs::remove_file(corpus_dir.join(format!("b{:03}.txt", 100 + round))).unwrap();
        build(&corpus_dir, &index_dir, false);
    }
    build(&corpus_dir, &fresh_dir, true);
    let (incremental, full) = (answers(&index_dir), answers(&fresh_dir));
    assert!(!full.is_empty());
    assert_eq!(incremental, full);
    let (a, b) = (index::open(&index_dir).unwrap(), index::open(&fresh_dir).unwrap());
    assert_eq!(
        (a.state.briefs, a.state.passages, a.state.tokens),
        (b.state.briefs, b.state.passages, b.state.tokens)
    );
}

/// Briefs added over many runs sit in many segments; the cap of passages
/// per brief and the order still hold over all of them.
#[test]
fn per_brief_cap_and_order_hold_across_segments() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus_dir, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    let mut briefs = Vec::new();
    for run in 0..6 {
        for _ in 0..5 {
            let i: usize = briefs.len();
            briefs.push(
                (0..5)
                    .map(|k| Para {
                        words: vec![0; 1 + (i + k + run) % 3],
                        countries: vec![],
                    })
                    .collect(),
            );
            write_brief(&corpus_dir, &briefs, i);
        }
        build(&corpus_dir, &index_dir, false);
    }
    let open = index::open(&index_dir).unwrap();
    assert!(open.searcher.segment_readers().len() > 1, "expected several segments");
    let req = SearchRequest {
        query: WORDS[0].into(),
        limit: 40,
        per_brief: 2,
        keep_duplicates: true,
        ..SearchRequest::default()
    };
    let results = search::search(&open, &req).unwrap();
    assert_eq!(results.total_hits, 150);
    assert_eq!(results.hits.len(), 40);
    let mut per_brief: BTreeMap<&str, usize> = BTreeMap::new();
    for hit in &results.hits {
        *per_brief.entry(&hit.doc).or_default() += 1;
    }
    assert!(per_brief.values().all(|&n| n <= 2), "{per_brief:?}");
    assert_sorted(&results);
    // The capped list is the greedy pick over the full ranking.
    let all = search::search(
        &open,
        &SearchRequest {
            limit: 1000,
            per_brief: 1000,
            ..req.clone()
        },
    )
    .unwrap();
    let mut taken: BTreeMap<&str, usize> = BTreeMap::new();
    let greedy: Vec<(&str, u64)> = all
        .hits
        .iter()
        .filter(|h| {
            let n = taken.entry(&h.doc).or_default();
            *n += 1;
            *n <= 2
        })
        .take(40)
        .map(|h| (h.doc.as_str(), h.passage))
        .collect();
    let capped: Vec<(&str, u64)> = results.hits.iter().map(|h| (h.doc.as_str(), h.passage)).collect();
    assert_eq!(capped, greedy);
}

/// Folded hits, their `also_in`, in both orders: what folding answers.
fn folded_answers(index_dir: &Path) -> Vec<String> {
    let open = index::open(index_dir).unwrap();
    let mut out = Vec::new();
    for (query, sort) in [
        ("Muttaqi Tehran", search::Sort::Relevance),
        ("Islam Qala", search::Sort::Date),
        ("Helmand OR migrants OR Muttaqi", search::Sort::Relevance),
    ] {
        let req = SearchRequest {
            query: query.into(),
            any: true,
            limit: 20,
            per_brief: 2,
            sort,
            ..SearchRequest::default()
        };
        for hit in search::search(&open, &req).unwrap().hits {
            let also: Vec<String> = hit.also_in.iter().map(|a| format!("{}#{}", a.doc, a.passage)).collect();
            out.push(format!(
                "{}#{} {} [{}]",
                hit.doc,
                hit.passage,
                hit.score.to_bits(),
                also.join(" ")
            ));
        }
    }
    out
}

/// Near-duplicates are found through keys of the live passages only: after
/// copies are added, edited and removed over several runs, folding answers
/// exactly as on a full build.
#[test]
fn incremental_run_folds_like_a_full_build() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus_dir, index_dir, fresh_dir) = (
        dir.path().join("corpus"),
        dir.path().join("index"),
        dir.path().join("fresh"),
    );
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/near_dup");
    std::fs::create_dir_all(&corpus_dir).unwrap();
    let copy = |name: &str| std::fs::copy(fixture.join(name), corpus_dir.join(name)).unwrap();
    copy("wire-ariana-muttaqi-tehran.txt");
    copy("wire-tolo-muttaqi-tehran.txt");
    copy("analysis-helmand-water.txt");
    build(&corpus_dir, &index_dir, false);
    let first = folded_answers(&index_dir);
    assert!(first.iter().any(|a| a.contains("[wire-")), "two copies fold: {first:?}");
    // More copies arrive, one copy is rewritten into a different story.
    copy("wire-pajhwok-muttaqi-tehran.txt");
    copy("wire-khaama-muttaqi-tehran.txt");
    copy("report-muttaqi-migrants.txt");
    build(&corpus_dir, &index_dir, false);
    std::fs::write(
        corpus_dir.join("wire-tolo-muttaqi-tehran.txt"),
        "Tolo follow-up\ndate 2024-03-14\n\nMuttaqi left Tehran on Tuesday without an agreement on the \
         Helmand, officials in Kabul said, but both sides promised a technical committee within a month.\n",
    )
    .unwrap();
    std::fs::remove_file(corpus_dir.join("wire-ariana-muttaqi-tehran.txt")).unwrap();
    build(&corpus_dir, &index_dir, false);
    build(&corpus_dir, &fresh_dir, true);
    let (incremental, full) = (folded_answers(&index_dir), folded_answers(&fresh_dir));
    assert_eq!(incremental, full);
    let story = full
        .iter()
        .find(|a| a.contains("[wire-"))
        .expect("the story still folds");
    assert!(!story.contains("ariana") && !story.contains("tolo"), "{story}");
}
