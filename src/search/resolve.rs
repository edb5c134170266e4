//! Resolving what users type after `--country`, `--region` and `--actor`
//! into index facets: a canonical name, an alias, a demonym, an ISO code, a
//! surname, any case.
//!
//! A value the index holds as it is typed (`--country Iran`) resolves
//! without loading anything. Only other values load the gazetteer, and only
//! actors no list knows are looked up among the index's actors, from the
//! term dictionary (never from stored documents).

use std::cell::OnceCell;
use std::path::PathBuf;

use tantivy::schema::Facet;
use tantivy::Term;

use super::SearchError;
use crate::entities::{Actor, ActorKind, Gazetteer, RegionPath};
use crate::facet;
use crate::index::{IndexError, OpenIndex};

/// Resolves filter values for one index; see the module doc.
pub struct FilterResolver<'a> {
    open: &'a OpenIndex,
    corpus: Option<PathBuf>,
    gazetteer: OnceCell<Gazetteer>,
    index_actors: OnceCell<Vec<Actor>>,
}

impl<'a> FilterResolver<'a> {
    /// `corpus` is where the user's `actors.toml` and `countries.toml` are.
    pub fn new(open: &'a OpenIndex, corpus: impl Into<PathBuf>) -> FilterResolver<'a> {
        FilterResolver {
            open,
            corpus: Some(corpus.into()),
            gazetteer: OnceCell::new(),
            index_actors: OnceCell::new(),
        }
    }

    /// A resolver that knows the built-in lists only, for a caller that
    /// has no corpus folder at hand.
    pub fn builtin(open: &'a OpenIndex) -> FilterResolver<'a> {
        FilterResolver {
            open,
            corpus: None,
            gazetteer: OnceCell::new(),
            index_actors: OnceCell::new(),
        }
    }

    fn gazetteer(&self) -> Result<&Gazetteer, SearchError> {
        if let Some(g) = self.gazetteer.get() {
            return Ok(g);
        }
        let loaded =
            Gazetteer::load(self.corpus.as_deref()).map_err(|e| SearchError::Index(IndexError::Entities(e)))?;
        Ok(self.gazetteer.get_or_init(|| loaded))
    }

    /// True when the index holds `facet` on some brief.
    fn indexed(&self, facet: &Facet) -> bool {
        let term = Term::from_facet(self.open.fields.brief_facets, facet);
        self.open.searcher.doc_freq(&term).is_ok_and(|n| n > 0)
    }

    pub fn country(&self, value: &str) -> Result<String, SearchError> {
        if self.indexed(&facet::country(value)) {
            return Ok(value.to_string());
        }
        let g = self.gazetteer()?;
        g.resolve_country(value)
            .map(|c| c.name.clone())
            .ok_or_else(|| SearchError::UnknownValue {
                facet: "country",
                value: value.to_string(),
                suggestions: nearest(value, g.country_names()),
            })
    }

    pub fn region(&self, value: &str) -> Result<RegionPath, SearchError> {
        let g = self.gazetteer()?;
        g.resolve_region(value)
            .cloned()
            .ok_or_else(|| SearchError::UnknownValue {
                facet: "region",
                value: value.to_string(),
                suggestions: nearest(value, g.region_names()),
            })
    }

    pub fn actor(&self, value: &str) -> Result<Actor, SearchError> {
        for kind in [ActorKind::Person, ActorKind::Org] {
            let actor = Actor {
                name: value.to_string(),
                kind,
            };
            if self.indexed(&facet::actor(&actor)) {
                return Ok(actor);
            }
        }
        let g = self.gazetteer()?;
        if let Some(known) = g.resolve_actor(value) {
            return Ok(Actor {
                name: known.name.clone(),
                kind: known.kind,
            });
        }
        let index_actors = self.index_actors()?;
        let lower = value.trim().to_lowercase();
        if let Some(actor) = index_actors.iter().find(|a| a.name.to_lowercase() == lower) {
            return Ok(actor.clone());
        }
        // A surname alone, when it names one actor of the index.
        let by_last: Vec<&Actor> = index_actors
            .iter()
            .filter(|a| {
                a.name
                    .split_whitespace()
                    .last()
                    .is_some_and(|w| w.to_lowercase() == lower)
            })
            .collect();
        if let [only] = by_last.as_slice() {
            return Ok((*only).clone());
        }
        let names = index_actors
            .iter()
            .map(|a| a.name.as_str())
            .chain(g.actors.iter().map(|a| a.name.as_str()));
        Err(SearchError::UnknownValue {
            facet: "actor",
            value: value.to_string(),
            suggestions: nearest(value, names),
        })
    }

    /// Every actor of the index, from the term dictionary of brief facets.
    fn index_actors(&self) -> Result<&Vec<Actor>, SearchError> {
        if let Some(actors) = self.index_actors.get() {
            return Ok(actors);
        }
        let mut actors = Vec::new();
        let prefix = facet::encoded(&Facet::from_path(["actor"])).to_vec();
        for segment in self.open.searcher.segment_readers() {
            let index = segment
                .inverted_index(self.open.fields.brief_facets)
                .map_err(IndexError::from)?;
            let mut upper = prefix.clone();
            upper.push(1);
            let mut terms = index
                .terms()
                .range()
                .ge(&prefix)
                .lt(&upper)
                .into_stream()
                .map_err(IndexError::from)?;
            while terms.advance() {
                if let Some(facet::FacetValue::Actor(actor)) =
                    facet::decode(terms.key()).and_then(|f| facet::FacetValue::from_facet(&f))
                {
                    actors.push(actor);
                }
            }
        }
        actors.sort();
        actors.dedup();
        Ok(self.index_actors.get_or_init(|| actors))
    }
}

/// Up to three known values closest to `value` (Jaro-Winkler on lower case,
/// plus values that contain it).
pub fn nearest<'a>(value: &str, known: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = value.to_lowercase();
    let mut scored: Vec<(f64, &str)> = known
        .map(|k| {
            let kl = k.to_lowercase();
            let mut score = strsim::jaro_winkler(&lower, &kl);
            if !lower.is_empty() && kl.contains(&lower) {
                score += 0.5;
            }
            (score, k)
        })
        .filter(|(s, _)| *s >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, k) in scored {
        if !out.iter().any(|o| o == k) {
            out.push(k.to_string());
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}
