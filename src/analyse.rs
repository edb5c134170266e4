//! From a brief as read to what the index stores: passages and the entities
//! of the title and of each passage. Shared by the indexer, the quality
//! evaluation and the tests, so that they all see the same analysis.

use crate::corpus::{self, Brief};
use crate::entities::{Actor, ActorKind, BriefEntities, Extractor, Mention, PassageEntities, Via};
use crate::passage::{self, Passage, MAX_PASSAGE_WORDS};

/// A brief ready to be written: metadata, passages and their entities.
#[derive(Debug, Clone)]
pub struct AnalysedBrief {
    pub brief: Brief,
    pub passages: Vec<Passage>,
    /// The title's entities, and the facets the brief declares itself: they
    /// count for the brief (`--scope brief`), not for a passage.
    pub title_entities: PassageEntities,
    /// One per passage.
    pub entities: Vec<PassageEntities>,
    /// Tags the brief declares (Markdown front matter `tags`).
    pub tags: Vec<String>,
    /// Declared values the gazetteer does not know.
    pub warnings: Vec<String>,
}

impl AnalysedBrief {
    /// The title's and every passage's entities.
    pub fn all_entities(&self) -> impl Iterator<Item = &PassageEntities> {
        std::iter::once(&self.title_entities).chain(&self.entities)
    }
}

/// Reads, cuts and extracts one brief's text (plain text or Markdown).
pub fn analyse(path: &str, text: &str, extractor: Option<&Extractor>) -> AnalysedBrief {
    analyse_brief(corpus::parse_brief(path, text), extractor)
}

/// Cuts and extracts a brief already read.
pub fn analyse_brief(brief: Brief, extractor: Option<&Extractor>) -> AnalysedBrief {
    let passages = passage::passages(&brief, MAX_PASSAGE_WORDS);
    with_entities(brief, passages, extractor)
}

/// Extracts the entities of a brief's title and passages, the ones it
/// declares included. The index runs it when it builds, and again from the
/// stored passages when `briefs show` explains where a facet came from.
pub fn with_entities(brief: Brief, passages: Vec<Passage>, extractor: Option<&Extractor>) -> AnalysedBrief {
    let entities = match extractor {
        Some(x) => x.extract(&brief, &passages),
        None => BriefEntities {
            title: PassageEntities::default(),
            passages: vec![PassageEntities::default(); passages.len()],
        },
    };
    let mut analysed = AnalysedBrief {
        tags: brief.declared.tags.clone(),
        brief,
        passages,
        title_entities: entities.title,
        entities: entities.passages,
        warnings: Vec::new(),
    };
    if let Some(x) = extractor {
        add_declared(&mut analysed, x);
    }
    analysed
}

/// Joins the countries and actors a brief declares to its brief-level
/// entities, resolved through the gazetteer like filter values are.
fn add_declared(analysed: &mut AnalysedBrief, x: &Extractor) {
    const SOURCE: &str = "front matter";
    let declared = analysed.brief.declared.clone();
    let title = &mut analysed.title_entities;
    for value in &declared.countries {
        match x.gazetteer.resolve_country(value) {
            Some(country) => {
                title.countries.push(country.name.clone());
                title.regions.extend(country.region_path());
                title.mentions.push(Mention {
                    facet: "country".into(),
                    value: country.name.clone(),
                    text: SOURCE.into(),
                    via: Some(Via::Declared),
                    margin: None,
                });
            }
            None => analysed
                .warnings
                .push(format!("declared country {value:?} is not a known country; ignored")),
        }
    }
    for value in &declared.actors {
        // A name no list knows is taken as a person: the common case for
        // names a writer lists in front matter.
        let actor = match x.gazetteer.resolve_actor(value) {
            Some(known) => Actor {
                name: known.name.clone(),
                kind: known.kind,
            },
            None => Actor {
                name: value.trim().to_string(),
                kind: ActorKind::Person,
            },
        };
        if actor.name.is_empty() {
            continue;
        }
        title.mentions.push(Mention {
            facet: actor.kind.as_str().into(),
            value: actor.name.clone(),
            text: SOURCE.into(),
            via: Some(Via::Declared),
            margin: None,
        });
        title.actors.push(actor);
    }
    title.countries.sort();
    title.countries.dedup();
    title.regions.sort();
    title.regions.dedup();
    title.actors.sort();
    title.actors.dedup();
}
