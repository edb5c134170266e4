//! The fixed, seeded query mix that every system answers.
//!
//! Each kind draws its words by *rank* from the generator's vocabulary
//! (which does not depend on the corpus size), so "a word of rank 300" is
//! as common at 10k briefs as at 1M and the mix means the same thing at
//! every N. Ranks are drawn log-uniformly within a range per kind, so
//! frequent and rarer words are both represented.

use serde::{Deserialize, Serialize};

use crate::generator::{self, Gazetteer, Rng};

/// The kinds of query in the mix, in report order.
pub const KINDS: &[&str] = &[
    "one word",
    "two words",
    "phrase",
    "rare name",
    "country filter",
    "country + actor, facets",
    "browse a country by date",
];

/// Kinds whose whole-process figures count as "with a country filter".
pub fn has_country_filter(kind: &str) -> bool {
    matches!(
        kind,
        "country filter" | "country + actor, facets" | "browse a country by date"
    )
}

/// An actor filter value: the gazetteer's canonical name and kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActorFilter {
    pub name: String,
    /// `person` or `org`.
    pub kind: String,
}

/// One query of the mix, in a form every system can translate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Query {
    pub kind: String,
    /// Lower-case words (empty: browse newest first).
    pub words: Vec<String>,
    /// The words are one phrase.
    pub phrase: bool,
    /// A canonical country name (as `briefs facets --country` lists it).
    pub country: Option<String>,
    pub actor: Option<ActorFilter>,
    /// Facet counts (country and actor), multi-select.
    pub facets: bool,
}

impl Query {
    /// Query string in tantivy's language (briefs and plain tantivy).
    pub fn tantivy_text(&self) -> String {
        if self.phrase {
            format!("\"{}\"", self.words.join(" "))
        } else {
            self.words.join(" ")
        }
    }

    /// MATCH expression for FTS5: every word required, or one phrase.
    pub fn fts5_match(&self) -> String {
        if self.phrase {
            format!("\"{}\"", self.words.join(" "))
        } else {
            self.words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

/// `per_kind` queries of every kind, from `seed`.
pub fn mix(gazetteer: &Gazetteer, seed: u64, per_kind: usize) -> Vec<Query> {
    let mut rng = Rng::new(generator::mix64(seed ^ 0x0051_0E41_E5ED));
    let word = |rng: &mut Rng, lo: u64, hi: u64| generator::content_word(rng.log_uniform(lo, hi) - 1);
    let country = |rng: &mut Rng, hi: usize| gazetteer.countries[rng.range(0, hi as u64) as usize].name.clone();
    let plain = |kind: &str, words: Vec<String>| Query {
        kind: kind.to_string(),
        words,
        phrase: false,
        country: None,
        actor: None,
        facets: false,
    };
    let mut out = Vec::new();
    for _ in 0..per_kind {
        out.push(plain(KINDS[0], vec![word(&mut rng, 1, 20_000)]));
        out.push(plain(
            KINDS[1],
            vec![word(&mut rng, 1, 2_000), word(&mut rng, 1, 2_000)],
        ));
        let (a, b) = generator::phrase(rng.log_uniform(1, 400) - 1);
        out.push(Query {
            phrase: true,
            ..plain(KINDS[2], vec![a, b])
        });
        // A surname of an invented person down the popularity list: a few
        // hits at 2k briefs, a few hundred at 100k.
        let person = generator::person(rng.log_uniform(100, 3_000));
        out.push(plain(KINDS[3], vec![person.surname.to_lowercase()]));
        out.push(Query {
            country: Some(country(&mut rng, 40)),
            ..plain(KINDS[4], vec![word(&mut rng, 1, 2_000)])
        });
        let actor = if rng.chance(0.5) {
            let org = &gazetteer.orgs[rng.range(0, 25.min(gazetteer.orgs.len() as u64 - 1)) as usize];
            ActorFilter {
                name: org.name.clone(),
                kind: "org".into(),
            }
        } else {
            let p = &gazetteer.people[rng.range(0, 25.min(gazetteer.people.len() as u64 - 1)) as usize];
            ActorFilter {
                name: p.name.clone(),
                kind: "person".into(),
            }
        };
        out.push(Query {
            country: Some(country(&mut rng, 6)),
            actor: Some(actor),
            facets: true,
            ..plain(KINDS[5], vec![word(&mut rng, 1, 300)])
        });
        out.push(Query {
            country: Some(country(&mut rng, 60)),
            ..plain(KINDS[6], Vec::new())
        });
    }
    out
}
