//! The one place the harness calls the `briefs` library (everything else
//! runs the `briefs` binary). Kept small on purpose: when the library's
//! search API is renamed or reshaped, only this file changes.

use std::path::Path;

use briefs::entities::{Actor, ActorKind};
use briefs::index::{Extraction, OpenIndex};
use briefs::search::{search, SearchRequest};

use crate::queries::Query;

/// An opened briefs index.
pub struct Briefs(OpenIndex);

impl Briefs {
    pub fn open(index: &Path) -> Briefs {
        Briefs(briefs::index::open(index).expect("open the briefs index"))
    }

    /// Runs one query as `briefs search` would (10 passages, 2 per brief,
    /// facet counts when asked) and returns its `total_hits`.
    pub fn run(&self, q: &Query) -> u64 {
        let request = SearchRequest {
            query: q.tantivy_text(),
            any: false,
            limit: 10,
            per_brief: 2,
            countries: q.country.iter().cloned().collect(),
            actors: q
                .actor
                .iter()
                .map(|a| Actor {
                    name: a.name.clone(),
                    kind: if a.kind == "org" {
                        ActorKind::Org
                    } else {
                        ActorKind::Person
                    },
                })
                .collect(),
            facets: q.facets,
            facet_limit: 10,
            ..SearchRequest::default()
        };
        let results = search(&self.0, &request).expect("briefs search");
        results.total_hits
    }
}

/// A full build with less entity extraction than `briefs index` runs (a
/// library-only switch), to show what extraction and the tagger cost:
/// `what` is `off` (no extraction) or `no-tagger` (lists and cues only).
/// Drop it here and in `main.rs` if the switch goes.
pub fn build_with_less_extraction(what: &str, corpus: &Path, index: &Path) {
    let extraction = match what {
        "off" => Extraction::Off,
        "no-tagger" => Extraction::WithoutTagger,
        "full" => Extraction::Full,
        other => panic!("unknown extraction {other:?}"),
    };
    let options = briefs::index::BuildOptions {
        rebuild: true,
        extraction,
        ..briefs::index::BuildOptions::new(corpus, index)
    };
    briefs::index::build(&options).expect("briefs build with less extraction");
}
