//! Countries and actors: what each passage mentions.
//!
//! Countries come from one aho-corasick pass (leftmost-longest, case-sensitive,
//! on word boundaries) over every name, demonym, capital and city in the
//! gazetteer, with longer traps ("Indian Ocean", "Vienna Convention") as
//! patterns that win and count for nothing. Actors come from a second pass
//! over organisations and known people, plus [`people`]'s cue-based finder
//! for people no list knows, and [`tagger`]'s trained tagger for people and
//! organisations neither knows; names are then joined across the brief (a
//! surname-only mention joins the full name). Every actor mention says how
//! it was found ([`Via`]).

mod data;
mod people;
pub mod tagger;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::corpus::Brief;
use crate::passage::Passage;

pub use data::{USER_ACTORS_FILE, USER_COUNTRIES_FILE};

/// Why the gazetteer could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EntityError {
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// What kind of actor a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    Person,
    Org,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Person => "person",
            ActorKind::Org => "org",
        }
    }
}

/// An actor as it appears in results.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub kind: ActorKind,
}

/// A region path in the UN geoscheme: `["Asia", "Central Asia"]`.
pub type RegionPath = Vec<String>;

/// How an actor mention was found, so that `briefs show` can explain it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// A name or alias in the built-in lists or the user's `actors.toml`.
    List,
    /// A title, role, apposition or speech verb next to the name.
    Cue,
    /// A surname alone, joined to the full name named elsewhere in the brief.
    Surname,
    /// The trained tagger, above its margin.
    Tagger,
    /// Declared by the file itself (Markdown front matter).
    Declared,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::List => "list",
            Via::Cue => "cue",
            Via::Surname => "surname",
            Via::Tagger => "tagger",
            Via::Declared => "declared",
        }
    }
}

/// How sure the tagger is of a mention, in the units of its threshold (the
/// second stage's score when the model has one, else the tagger's margin),
/// rounded to hundredths so that the same text always stores the same number.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Margin(pub f32);

impl Margin {
    fn new(margin: f32) -> Margin {
        Margin((margin * 100.0).round() / 100.0)
    }
}

// Margins are finite numbers (the decoder caps them), so bitwise equality is equality.
impl PartialEq for Margin {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Margin {}

/// One piece of text that made the extractor assign a facet, for `briefs show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// `country`, `region`, `person` or `org`.
    pub facet: String,
    pub value: String,
    /// The text as written in the passage.
    pub text: String,
    /// How an actor (or a country the tagger pointed at) was found; absent
    /// in indexes built before it was recorded, and for gazetteer places.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
    /// The tagger's margin, for mentions it found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin: Option<Margin>,
}

/// The entities of one passage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassageEntities {
    pub countries: Vec<String>,
    pub regions: Vec<RegionPath>,
    pub actors: Vec<Actor>,
    pub mentions: Vec<Mention>,
}

impl PassageEntities {
    /// Records that `text` names the actor `name`, found `via`.
    fn add_actor(&mut self, name: &str, kind: ActorKind, text: String, via: Via, margin: Option<f32>) {
        // Duplicates are removed once, when the passage is finished: a
        // check here would make a passage with many mentions quadratic.
        self.actors.push(Actor {
            name: name.to_string(),
            kind,
        });
        self.mentions.push(Mention {
            facet: kind.as_str().to_string(),
            value: name.to_string(),
            text,
            via: Some(via),
            margin: margin.map(Margin::new),
        });
    }
}

/// The entities of a brief: its title's and each passage's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BriefEntities {
    pub title: PassageEntities,
    pub passages: Vec<PassageEntities>,
}

/// A country of ISO 3166-1 with its place in the UN geoscheme.
#[derive(Debug, Clone)]
pub struct Country {
    pub code: String,
    pub alpha3: String,
    pub name: String,
    pub region: Option<String>,
    pub subregion: Option<String>,
}

impl Country {
    /// The region path of this country: `["Asia", "Southern Asia"]`.
    pub fn region_path(&self) -> Option<RegionPath> {
        let region = self.region.clone()?;
        Some(match &self.subregion {
            Some(sub) => vec![region, sub.clone()],
            None => vec![region],
        })
    }
}

/// A known actor: built in, or from the user's `actors.toml`.
#[derive(Debug, Clone)]
pub struct KnownActor {
    pub name: String,
    pub kind: ActorKind,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlaceTarget {
    Country(usize),
    Region(usize),
    /// A name that must not count (a sea, a treaty, a US state, a newspaper).
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActorTarget {
    Actor(usize),
    Nothing,
}

/// Region names that briefs write, mapped to UN geoscheme paths.
const REGION_MENTIONS: &[(&str, &[&str])] = &[
    ("Central Asia", &["Asia", "Central Asia"]),
    ("Central Asian", &["Asia", "Central Asia"]),
    ("South Asia", &["Asia", "Southern Asia"]),
    ("South Asian", &["Asia", "Southern Asia"]),
    ("Southern Asia", &["Asia", "Southern Asia"]),
    ("Southeast Asia", &["Asia", "South-eastern Asia"]),
    ("South-East Asia", &["Asia", "South-eastern Asia"]),
    ("South East Asia", &["Asia", "South-eastern Asia"]),
    ("East Asia", &["Asia", "Eastern Asia"]),
    ("Eastern Asia", &["Asia", "Eastern Asia"]),
    ("West Asia", &["Asia", "Western Asia"]),
    ("Western Asia", &["Asia", "Western Asia"]),
    ("Middle East", &["Asia", "Western Asia"]),
    ("Asia", &["Asia"]),
    ("Asian", &["Asia"]),
    ("Europe", &["Europe"]),
    ("European", &["Europe"]),
    ("Eastern Europe", &["Europe", "Eastern Europe"]),
    ("Western Europe", &["Europe", "Western Europe"]),
    ("Africa", &["Africa"]),
    ("African", &["Africa"]),
    ("North Africa", &["Africa", "Northern Africa"]),
    ("Americas", &["Americas"]),
    ("Latin America", &["Americas"]),
    ("Oceania", &["Oceania"]),
];

/// Names that contain a country or place name but are not a mention of it.
const NOT_PLACES: &[&str] = &[
    "Indian Ocean",
    "Indian Ocean Rim",
    "Vienna Convention",
    "Vienna Conventions",
    "Geneva Convention",
    "Geneva Conventions",
    "New Mexico",
    "New Jersey",
    "New South Wales",
    "New England",
    "Georgia Tech",
    "state of Georgia",
    "State of Georgia",
    "Atlanta, Georgia",
    "Persian Gulf",
    "Arabian Sea",
    "Arabian Peninsula",
    "Gulf of Oman",
    "Sea of Japan",
    "South China Sea",
    "East China Sea",
    "China Sea",
    "Caspian Sea",
    "Aral Sea",
    "Black Sea",
    "Red Sea",
    "Dead Sea",
    "Gulf of Aden",
    "Gulf of Mexico",
    "Washington Post",
    "Washington Times",
    "Times of India",
    "Tehran Times",
    "Kabul Times",
    "Pakistan Today",
    "Afghanistan International",
    "Iran International",
    "Dubai Expo",
    "Istanbul Convention",
    "Paris Agreement",
    "Minsk Agreements",
    "Astana format",
    "Moscow format",
    "Doha Agreement",
    "Doha agreement",
    "Doha Accord",
    "Tashkent Declaration",
    "Simla Agreement",
    "Shanghai Cooperation Organisation",
    "Shanghai Cooperation Organization",
    "Shanghai Five",
    "Kabul River",
    "Helmand River",
    "Amu Darya",
    "Indus Waters Treaty",
    "Guinea pig",
    "Turkish delight",
    "Panama Canal",
    "Suez Canal",
];

/// First-name-like country names: not a country when they sit in a person's name.
const PERSON_LIKE_COUNTRIES: &[&str] = &["Jordan", "Chad", "Georgia", "Israel", "India", "Kenya", "Salvador"];

/// Words near "Georgia" that mean the US state.
const US_STATE_CONTEXT: &[&str] = &[
    "Atlanta",
    "U.S. state",
    "US state",
    "Savannah",
    "governor",
    "Governor",
    "Peach",
    "California",
    "Texas",
    "Florida",
    "Alabama",
    "Carolina",
    "Tennessee",
    "Virginia",
    "Ohio",
    "New York",
    "Arizona",
    "Michigan",
    "Pennsylvania",
];

/// The gazetteer: every name the extractor knows, ready to match.
pub struct Gazetteer {
    pub countries: Vec<Country>,
    pub regions: Vec<RegionPath>,
    pub actors: Vec<KnownActor>,
    places: AhoCorasick,
    place_targets: Vec<PlaceTarget>,
    actor_matcher: AhoCorasick,
    actor_targets: Vec<ActorTarget>,
    /// Lower-cased name, alias, demonym, city or ISO code to country.
    country_lookup: HashMap<String, usize>,
    /// Lower-cased region name (and mention) to region.
    region_lookup: HashMap<String, usize>,
    /// Lower-cased name or alias to actor.
    actor_lookup: HashMap<String, usize>,
    /// Lower-cased names the user said are not actors.
    suppressed_actors: BTreeSet<String>,
    /// A hash of everything the gazetteer was built from.
    fingerprint: String,
}

fn region_display(slug: &str) -> String {
    match slug {
        "south-eastern-asia" => "South-eastern Asia".to_string(),
        "australia-and-new-zealand" => "Australia and New Zealand".to_string(),
        "latin-america-and-the-caribbean" => "Latin America and the Caribbean".to_string(),
        _ => slug
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Latin-script names only: keshvar lists names in many languages and scripts,
/// and a Japanese or Arabic country name is better kept out than half-matched.
fn usable_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains(['(', ')', ','])
        && name
            .chars()
            .all(|c| c.is_ascii() || ('\u{00c0}'..='\u{024f}').contains(&c))
}

fn build_matcher(patterns: &[String]) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(patterns)
        .expect("gazetteer patterns are plain strings and always build")
}

impl Gazetteer {
    /// Builds the gazetteer from the built-in data and, if `corpus` is given,
    /// the user's `countries.toml` and `actors.toml` in it.
    pub fn load(corpus: Option<&Path>) -> Result<Gazetteer, EntityError> {
        let mut hasher = blake3::Hasher::new();
        for text in [
            data::BUILTIN_COUNTRIES,
            data::BUILTIN_PLACES,
            data::BUILTIN_ORGS,
            data::BUILTIN_PEOPLE,
        ] {
            hasher.update(text.as_bytes());
        }
        // A retrained tagger changes what is extracted: rebuild indexes.
        hasher.update(tagger::Tagger::builtin_weights());
        let names: BTreeMap<String, data::CountryNames> =
            data::parse_builtin("countries.toml", data::BUILTIN_COUNTRIES)?;
        let places: data::Places = data::parse_builtin("places.toml", data::BUILTIN_PLACES)?;
        let orgs: data::OrgFile = data::parse_builtin("orgs.toml", data::BUILTIN_ORGS)?;
        let people_file: data::PeopleFile = data::parse_builtin("people.toml", data::BUILTIN_PEOPLE)?;
        let (user_countries, user_actors) = match corpus {
            Some(dir) => {
                let countries_path = dir.join(data::USER_COUNTRIES_FILE);
                let actors_path = dir.join(data::USER_ACTORS_FILE);
                let (c, ctext): (data::UserCountries, _) = data::read_user_file(&countries_path)?;
                let (a, atext): (data::UserActors, _) = data::read_user_file(&actors_path)?;
                c.check(&countries_path)?;
                a.check(&actors_path)?;
                for text in [ctext, atext].into_iter().flatten() {
                    hasher.update(b"\0user\0");
                    hasher.update(text.as_bytes());
                }
                (Some((countries_path, c)), Some((actors_path, a)))
            }
            None => (None, None),
        };

        // Countries: keshvar's ISO list, named by our data file.
        let mut countries = Vec::new();
        let mut region_set: BTreeSet<RegionPath> = BTreeSet::new();
        let mut place_names: BTreeMap<String, PlaceTarget> = BTreeMap::new();
        let mut country_lookup = HashMap::new();
        let mut ambiguous: BTreeSet<String> = BTreeSet::new();
        for k in keshvar::CountryIterator::new() {
            let code = k.alpha2().to_string();
            let extra = names.get(&code);
            let name = extra
                .and_then(|n| n.name.clone())
                .or_else(|| usable_name(k.iso_short_name()).then(|| k.iso_short_name().to_string()))
                .or_else(|| k.unofficial_name_list().first().map(|s| s.to_string()))
                .unwrap_or_else(|| k.iso_short_name().to_string());
            let country = Country {
                code: code.clone(),
                alpha3: k.alpha3().to_string(),
                name,
                region: k.maybe_region().map(|r| region_display(&r.to_string())),
                subregion: k.maybe_subregion().map(|r| region_display(&r.to_string())),
            };
            if let Some(path) = country.region_path() {
                region_set.insert(path[..1].to_vec());
                region_set.insert(path);
            }
            let idx = countries.len();
            // Names from keshvar first; a name two countries claim is dropped
            // unless our data file gives it to one of them below.
            let mut crate_names: Vec<String> = vec![k.iso_short_name().to_string(), k.iso_long_name().to_string()];
            crate_names.extend(k.unofficial_name_list().iter().map(|s| s.to_string()));
            crate_names.extend(k.maybe_nationality().map(str::to_string));
            for n in crate_names.into_iter().filter(|n| usable_name(n)) {
                match place_names.get(&n) {
                    Some(PlaceTarget::Country(other)) if *other != idx => {
                        ambiguous.insert(n);
                    }
                    _ => {
                        place_names.insert(n, PlaceTarget::Country(idx));
                    }
                }
            }
            for key in [k.iso_short_name(), k.iso_long_name(), code.as_str(), &country.alpha3] {
                country_lookup.insert(key.to_lowercase(), idx);
            }
            countries.push(country);
        }
        for n in &ambiguous {
            place_names.remove(n);
        }
        let by_code: HashMap<String, usize> = countries.iter().enumerate().map(|(i, c)| (c.code.clone(), i)).collect();
        for (code, extra) in &names {
            let Some(&idx) = by_code.get(code) else {
                return Err(EntityError::Invalid {
                    path: PathBuf::from("(built-in) data/countries.toml"),
                    message: format!("unknown ISO code {code}"),
                });
            };
            for n in extra.name.iter().chain(&extra.aliases).chain(&extra.demonyms) {
                place_names.insert(n.clone(), PlaceTarget::Country(idx));
            }
        }
        let mut add_places = |table: &BTreeMap<String, String>, path: &Path| -> Result<(), EntityError> {
            for (place, code) in table {
                let Some(&idx) = by_code.get(&code.to_uppercase()) else {
                    return Err(EntityError::Invalid {
                        path: path.to_path_buf(),
                        message: format!(
                            "place {place:?} names unknown country code {code:?} (use ISO 3166-1 alpha-2, e.g. \"AF\")"
                        ),
                    });
                };
                place_names.insert(place.clone(), PlaceTarget::Country(idx));
            }
            Ok(())
        };
        add_places(&places.places, Path::new("(built-in) data/places.toml"))?;
        if let Some((path, user)) = &user_countries {
            add_places(&user.places, path)?;
        }
        let regions: Vec<RegionPath> = region_set.into_iter().collect();
        let mut region_lookup = HashMap::new();
        for (idx, path) in regions.iter().enumerate() {
            region_lookup.insert(path.last().map(|s| s.to_lowercase()).unwrap_or_default(), idx);
        }
        for (mention, path) in REGION_MENTIONS {
            let path: RegionPath = path.iter().map(|s| s.to_string()).collect();
            if let Some(idx) = regions.iter().position(|r| *r == path) {
                place_names.insert(mention.to_string(), PlaceTarget::Region(idx));
                region_lookup.insert(mention.to_lowercase(), idx);
            }
        }
        for n in NOT_PLACES {
            place_names.insert(n.to_string(), PlaceTarget::Nothing);
        }
        if let Some((_, user)) = &user_countries {
            for n in &user.suppress.names {
                place_names.insert(n.clone(), PlaceTarget::Nothing);
            }
        }
        for (n, target) in &place_names {
            if let PlaceTarget::Country(idx) = target {
                country_lookup.entry(n.to_lowercase()).or_insert(*idx);
            }
        }
        for (idx, c) in countries.iter().enumerate() {
            country_lookup.insert(c.name.to_lowercase(), idx);
        }
        let place_patterns: Vec<String> = place_names.keys().cloned().collect();
        let place_targets: Vec<PlaceTarget> = place_names.values().copied().collect();

        // Actors: organisations, known people, then the user's own.
        let mut actors: Vec<KnownActor> = Vec::new();
        for entry in orgs.org {
            actors.push(KnownActor {
                name: entry.name,
                kind: ActorKind::Org,
                aliases: entry.aliases,
            });
        }
        for entry in people_file.person {
            actors.push(KnownActor {
                name: entry.name,
                kind: ActorKind::Person,
                aliases: entry.aliases,
            });
        }
        let mut suppressed_actors = BTreeSet::new();
        if let Some((path, user)) = user_actors {
            for entry in user.actor {
                let kind = match entry.kind.as_deref().map(str::to_lowercase).as_deref() {
                    Some("person") | None => ActorKind::Person,
                    Some("org") | Some("organisation") | Some("organization") => ActorKind::Org,
                    Some(other) => {
                        return Err(EntityError::Invalid {
                            path,
                            message: format!("actor {:?} has kind {other:?}; use \"person\" or \"org\"", entry.name),
                        })
                    }
                };
                // A user entry replaces a built-in one of the same name.
                actors.retain(|a| a.name != entry.name);
                actors.push(KnownActor {
                    name: entry.name,
                    kind,
                    aliases: entry.aliases,
                });
            }
            suppressed_actors = user.suppress.names.iter().map(|n| n.to_lowercase()).collect();
        }
        let mut actor_names: BTreeMap<String, ActorTarget> = BTreeMap::new();
        let mut actor_lookup = HashMap::new();
        for (idx, actor) in actors.iter().enumerate() {
            for n in std::iter::once(&actor.name).chain(&actor.aliases) {
                actor_names.insert(n.clone(), ActorTarget::Actor(idx));
                actor_lookup.insert(lookup_key(n), idx);
            }
        }
        for n in &suppressed_actors {
            actor_names.retain(|k, _| k.to_lowercase() != *n);
        }
        for n in suppressed_actors.iter() {
            actor_names.insert(n.clone(), ActorTarget::Nothing);
        }
        let actor_patterns: Vec<String> = actor_names.keys().cloned().collect();
        let actor_targets: Vec<ActorTarget> = actor_names.values().copied().collect();

        Ok(Gazetteer {
            countries,
            regions,
            actors,
            places: build_matcher(&place_patterns),
            place_targets,
            actor_matcher: build_matcher(&actor_patterns),
            actor_targets,
            country_lookup,
            region_lookup,
            actor_lookup,
            suppressed_actors,
            fingerprint: hasher.finalize().to_hex().to_string(),
        })
    }

    /// A hash of the data the gazetteer was built from: when it changes, the
    /// index must be rebuilt.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Resolves a user's country value (any name, alias, demonym, city or
    /// ISO code, any case) to the canonical country name.
    pub fn resolve_country(&self, value: &str) -> Option<&Country> {
        self.country_lookup
            .get(&value.trim().to_lowercase())
            .map(|&i| &self.countries[i])
    }

    /// Resolves a user's region value ("Central Asia", "asia", "South Asia").
    pub fn resolve_region(&self, value: &str) -> Option<&RegionPath> {
        self.region_lookup
            .get(&value.trim().to_lowercase())
            .map(|&i| &self.regions[i])
    }

    /// Resolves a known actor by name or alias, any case.
    pub fn resolve_actor(&self, value: &str) -> Option<&KnownActor> {
        self.actor_lookup.get(&lookup_key(value)).map(|&i| &self.actors[i])
    }

    /// Every name a user may type for countries, for suggestions.
    pub fn country_names(&self) -> impl Iterator<Item = &str> {
        self.countries.iter().map(|c| c.name.as_str())
    }

    /// Every region name, for suggestions.
    pub fn region_names(&self) -> impl Iterator<Item = &str> {
        self.regions.iter().filter_map(|r| r.last().map(String::as_str))
    }

    /// The aliases of an actor name, for `briefs facets --match`.
    pub fn actor_aliases(&self, name: &str) -> &[String] {
        self.actors
            .iter()
            .find(|a| a.name == name)
            .map_or(&[], |a| a.aliases.as_slice())
    }

    /// The countries and regions `text` names, from its place matches
    /// (`places`: start, end, pattern), which the caller also keeps.
    fn country_mentions(&self, text: &str, places: &[(usize, usize, usize)]) -> Vec<(usize, usize, PlaceTarget)> {
        let mut out = Vec::new();
        if let Some((start, end, idx)) = self.dateline(text) {
            out.push((start, end, PlaceTarget::Country(idx)));
        }
        for &(start, end, pattern) in places {
            if !on_word_bounds(text, start, end) {
                continue;
            }
            let target = self.place_targets[pattern];
            let matched = &text[start..end];
            if let PlaceTarget::Country(_) = target {
                if PERSON_LIKE_COUNTRIES.contains(&matched) && in_person_name(text, start, end) {
                    continue;
                }
                if matched == "Georgia" && near_any(text, start, end, US_STATE_CONTEXT) {
                    continue;
                }
            }
            out.push((start, end, target));
        }
        out
    }

    /// A wire dateline at the start of a paragraph: `KABUL, Jan 10 (Reuters) -`
    /// or `NEW DELHI -`. Capitals in capitals are not in the gazetteer as such.
    fn dateline(&self, text: &str) -> Option<(usize, usize, usize)> {
        // The dateline ends at the first comma or dash, whichever comes first.
        let end = [text.find([',', '\u{2014}', '\u{2013}']), text.find(" -")]
            .into_iter()
            .flatten()
            .min()?;
        let head = text[..end].trim_end();
        if head.is_empty() || head.len() > 40 || !head.chars().any(|c| c.is_alphabetic()) {
            return None;
        }
        if head.chars().any(|c| c.is_lowercase())
            || !head
                .chars()
                .all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '.')
        {
            return None;
        }
        let idx = *self.country_lookup.get(&head.to_lowercase())?;
        Some((0, head.len(), idx))
    }

    fn actor_mentions(&self, text: &str) -> Vec<(usize, usize, ActorTarget)> {
        self.actor_matcher
            .find_iter(text)
            .filter(|m| on_word_bounds(text, m.start(), m.end()))
            .map(|m| (m.start(), m.end(), self.actor_targets[m.pattern().as_usize()]))
            .collect()
    }

    fn is_suppressed(&self, name: &str) -> bool {
        self.suppressed_actors.contains(&name.to_lowercase())
    }
}

/// How names are compared: case, diacritics, dots and hyphens do not count
/// ("Amir-Abdollāhiān" = "amir abdollahian", "S. Jaishankar" = "S Jaishankar").
pub fn lookup_key(name: &str) -> String {
    crate::tokenize::normalise(&name.replace(['-', '.', '\u{2010}'], " "))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn on_word_bounds(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = text[start..end].chars().next();
    let last = text[start..end].chars().next_back();
    let joins = |a: Option<char>, b: Option<char>| matches!((a, b), (Some(x), Some(y)) if (x.is_alphanumeric() || x == '@') && y.is_alphanumeric());
    !joins(before, first) && !joins(last.map(|c| if c == '.' { ' ' } else { c }), after)
}

/// True when the word at `start..end` sits in a person's name: another
/// capitalised word right before it ("Michael Jordan") or after it
/// ("Chad Smith", "Jordan Peterson").
fn in_person_name(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end_matches(' ');
    let after = text[end..].strip_prefix(' ').unwrap_or("");
    let prev_word = before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    let prev_adjacent = before.len() + 1 == start && before.ends_with(|c: char| c.is_alphanumeric());
    let capital_word =
        |w: &str| w.chars().next().is_some_and(char::is_uppercase) && w.chars().skip(1).any(char::is_lowercase);
    let next_word: String = after.chars().take_while(|c| c.is_alphanumeric()).collect();
    let next_adjacent = text[end..].starts_with(' ');
    const NOT_SURNAME: &[&str] = &[
        "The",
        "In",
        "On",
        "And",
        "But",
        "Foreign",
        "Minister",
        "President",
        "King",
        "Prime",
        "River",
        "Valley",
        "Government",
        "Army",
        "Police",
        "Embassy",
        "Street",
        "Airport",
        "Border",
        "Republic",
    ];
    const NOT_FIRST: &[&str] = &[
        "The",
        "In",
        "On",
        "And",
        "But",
        "Of",
        "From",
        "To",
        "With",
        "Hashemite",
        "Kingdom",
        "Republic",
        "Visit",
        "Neighbouring",
        "Neighboring",
        "Southern",
        "Northern",
        "Eastern",
        "Western",
        "Central",
    ];
    (next_adjacent && capital_word(&next_word) && !NOT_SURNAME.contains(&next_word.as_str()))
        || (prev_adjacent
            && capital_word(prev_word)
            && !NOT_FIRST.contains(&prev_word)
            && !sentence_start(before, prev_word))
}

fn sentence_start(before: &str, prev_word: &str) -> bool {
    let rest = before[..before.len() - prev_word.len()].trim_end();
    rest.is_empty() || rest.ends_with(['.', '!', '?', '"', '\u{201c}', ':'])
}

fn near_any(text: &str, start: usize, end: usize, words: &[&str]) -> bool {
    let from = floor_char(text, start.saturating_sub(80));
    let to = floor_char(text, (end + 80).min(text.len()));
    words.iter().any(|w| text[from..to].contains(w))
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Extracts entities with a gazetteer.
pub struct Extractor {
    pub gazetteer: Gazetteer,
    /// The compiled-in tagger, or one being trained (to score it as the
    /// whole extractor uses it); `None` only to measure what it costs.
    tagger: Option<&'static tagger::Tagger>,
}

/// A person mention before names are joined across the brief.
struct PersonMention {
    passage: usize,
    /// Byte offset in its passage: with the passage, where the name is
    /// first written in the brief.
    start: usize,
    text: String,
    tokens: Vec<String>,
    known: Option<usize>,
    strong: bool,
    via: Via,
    margin: Option<f32>,
}

/// An organisation the tagger found that no list knows.
struct TaggedOrg {
    passage: usize,
    name: String,
    text: String,
    margin: f32,
}

/// How an unlisted organisation's name is kept, so that the same name
/// written in two briefs is one actor: spaces collapsed, typographic
/// apostrophes and hyphens made plain, a leading "the" and a trailing
/// possessive dropped.
pub fn org_display_name(text: &str) -> String {
    let plain: String = text
        .chars()
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' => '\'',
            '\u{2010}' | '\u{2011}' | '\u{2013}' => '-',
            c => c,
        })
        .collect();
    let mut words: Vec<&str> = plain.split_whitespace().collect();
    if words.len() > 1 && words[0].eq_ignore_ascii_case("the") {
        words.remove(0);
    }
    let mut name = words.join(" ");
    if name.ends_with("'s") && name.len() > 2 {
        name.truncate(name.len() - 2);
    }
    name
}

/// Where a longer name ends with the organisation tagged at `start`: the
/// tagger cuts names at "and", so "Ports and Maritime Organization" comes
/// tagged as "Maritime Organization" and "Xinjiang Central Asia Petroleum
/// and Gas Company" as "Gas Company". A run of capitalised words joined to
/// the span by " and " or " & " is the start of its name.
///
/// `None` (the span stays as tagged) when the word before "and" is claimed
/// by something else ("Iran and Gazprom": a country and a company), when
/// anything other than a country or region mention inside the run is
/// claimed, when the run is the tail of an "X of Y" name ("Ministry of
/// Interior and ..."), or when it is one word opening a sentence
/// ("Diplomats and Gas Company staff").
fn coordinated_name_start(
    text: &str,
    start: usize,
    claimed: &[(usize, usize)],
    country_spans: &[(usize, usize)],
) -> Option<usize> {
    let head = text[..start]
        .strip_suffix(" and ")
        .or_else(|| text[..start].strip_suffix(" & "))?;
    let is_capitalised = |word: &str| {
        word.chars().next().is_some_and(char::is_uppercase) && word.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    // Words from the last: `run_start` is where the run begins so far.
    let (mut run_start, mut words) = (head.len(), 0);
    loop {
        let word_end = if words == 0 { head.len() } else { run_start - 1 };
        let word_start = head[..word_end].rfind(' ').map_or(0, |i| i + 1);
        if !is_capitalised(&head[word_start..word_end]) {
            break;
        }
        (run_start, words) = (word_start, words + 1);
        // A comma, a full stop or a line ends the run.
        if word_start == 0 || !head[..word_start - 1].ends_with(|c: char| c.is_alphanumeric()) {
            break;
        }
    }
    if words == 0 {
        return None;
    }
    let before = head[..run_start].trim_end();
    let previous_word = before.rsplit(' ').next().unwrap_or_default();
    if ["of", "for", "on", "de"].contains(&previous_word) {
        return None;
    }
    let opens_sentence = before.is_empty() || before.ends_with(['.', '!', '?', ':', '\n']);
    if words == 1 && opens_sentence {
        return None;
    }
    let last_word = (head.rfind(' ').map_or(0, |i| i + 1), head.len());
    let run = (run_start, head.len());
    let claims_run = |c: &(usize, usize)| overlaps(*c, run) && (overlaps(*c, last_word) || !country_spans.contains(c));
    if claimed.iter().any(claims_run) {
        return None;
    }
    Some(run_start)
}

/// True when the capitalised word right after `end` is the head word of a
/// place's or an organisation's name ("Watson School", "Morris Playfield",
/// "Touma Institute"): the name before it is part of that longer name, not
/// a mention of the person.
fn head_word_after(text: &str, end: usize) -> bool {
    let Some(rest) = text[end..].strip_prefix(' ') else {
        return false;
    };
    let word = rest.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    word.chars().next().is_some_and(char::is_uppercase) && tagger::spans::head_class(word) != 0
}

/// A surname found at `start..end` mentions `owner`: a whole word, not one
/// word of a longer name.
fn surname_at(text: &str, start: usize, end: usize, owner: &str) -> bool {
    on_word_bounds(text, start, end) && !head_word_after(text, end) && !within_longer_name(text, start, end, owner)
}

/// True when the word at `start..end` is one word of a longer capitalised
/// name: a name word right before or after it, with only a space between
/// ("the Stanley Cup", "Cesaroni Design", "Salisbury Dock", "Haqqani
/// Network"). A lone surname there names something called after its
/// owner, not the owner. A title, a role or an abbreviation before it
/// ("President Karzai", "Mr. Karzai"), a sentence-opening closed-class word
/// ("The", "When"), words that are never names ("Monday") and the inner
/// words of `owner`'s own name ("Ismail Khan's" for Mohammad Ismail Khan)
/// do not count. Its first word does: the whole name written out and not
/// found as a person there ("One Nation", "Clarence Dock") is something
/// else's name.
fn within_longer_name(text: &str, start: usize, end: usize, owner: &str) -> bool {
    let joins = |word: &str| {
        word.ends_with(char::is_alphanumeric)
            && people::is_name_word(word)
            && !owner
                .split_whitespace()
                .skip(1)
                .any(|own| own == people::strip_possessive(word))
    };
    let after = text[end..]
        .strip_prefix(' ')
        .and_then(|rest| rest.split(' ').next())
        .map(|w| w.trim_end_matches(|c: char| !c.is_alphanumeric()));
    let before = text[..start].strip_suffix(' ').and_then(|head| head.rsplit(' ').next());
    after.is_some_and(joins) || before.is_some_and(|w| joins(w) && !tagger::features::is_stop(w))
}

/// True when `a` and `b` (byte spans) overlap.
fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// `a` can stand for `b`: equal after folding, or an initial of it.
fn word_compatible(a: &str, b: &str) -> bool {
    let (fa, fb) = (crate::tokenize::normalise(a), crate::tokenize::normalise(b));
    if fa == fb {
        return true;
    }
    (is_initial_word(a) && fb.starts_with(fa.trim_end_matches('.')))
        || (is_initial_word(b) && fa.starts_with(fb.trim_end_matches('.')))
}

/// `short` names the same person as `long`: same last word, and every word
/// of `short` found in order in `long`.
fn name_within(short: &[String], long: &[String]) -> bool {
    if short.len() > long.len() || short.is_empty() {
        return false;
    }
    let (Some(sl), Some(ll)) = (short.last(), long.last()) else {
        return false;
    };
    if !word_compatible(sl, ll) {
        return false;
    }
    let mut k = 0;
    for w in long {
        if k < short.len() && word_compatible(&short[k], w) {
            k += 1;
        }
    }
    k == short.len()
}

/// The distinct full names of a brief's people, indexed by their folded last
/// word, so that finding the fuller forms of a name looks at the few names
/// that can contain it instead of all of them. Each is kept with the words
/// of its canonical form and of every form the brief writes it in ("Serdar
/// Berdimuhamedov" for the listed "Serdar Berdimuhamedow"), so that a
/// surname written as the brief writes it joins the canonical name.
struct FullNames {
    by_last: HashMap<String, Vec<(String, Vec<String>)>>,
    /// Names whose last word is an initial: compatible with many last words.
    by_initial: Vec<(String, Vec<String>)>,
    /// Folded first word of each name of two words or more, to its names.
    by_first: HashMap<String, BTreeSet<String>>,
}

impl FullNames {
    /// `names`: canonical name and the words of one form of it.
    fn new(names: impl Iterator<Item = (String, Vec<String>)>) -> FullNames {
        let distinct: BTreeSet<(String, Vec<String>)> = names.collect();
        let mut full = FullNames {
            by_last: HashMap::new(),
            by_initial: Vec::new(),
            by_first: HashMap::new(),
        };
        for (name, tokens) in distinct {
            let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
                continue;
            };
            if tokens.len() >= 2 && !is_initial_word(first) {
                let key = crate::tokenize::normalise(first);
                full.by_first.entry(key).or_default().insert(name.clone());
            }
            if is_initial_word(last) {
                full.by_initial.push((name, tokens));
            } else {
                let key = crate::tokenize::normalise(last);
                full.by_last.entry(key).or_default().push((name, tokens));
            }
        }
        full
    }

    /// The one name of the brief that `word` opens: a given name written
    /// alone ("Amir" for Amir Khan Muttaqi in a cut title), or a surname
    /// written first ("Wang" for Wang Yi). `None` when no name or two
    /// names open with it.
    fn opened_by(&self, word: &str) -> Option<&String> {
        let names = self.by_first.get(&crate::tokenize::normalise(word))?;
        match names.len() {
            1 => names.iter().next(),
            _ => None,
        }
    }

    /// Names that may contain `tokens` (same folded last word, or an initial).
    fn candidates<'a>(&'a self, tokens: &[String]) -> Box<dyn Iterator<Item = &'a (String, Vec<String>)> + 'a> {
        match tokens.last() {
            Some(last) if !is_initial_word(last) => Box::new(
                self.by_last
                    .get(&crate::tokenize::normalise(last))
                    .into_iter()
                    .flatten()
                    .chain(&self.by_initial),
            ),
            _ => Box::new(self.by_last.values().flatten().chain(&self.by_initial)),
        }
    }
}

fn is_initial_word(word: &str) -> bool {
    word.trim_end_matches('.').chars().count() == 1
}

/// The tagger's spans in `text`, text `pi` of the document `prepared`,
/// leaving out lines that read as headlines (title case, no final
/// punctuation).
fn headline_free_spans(
    tagger: &tagger::Tagger,
    text: &str,
    prepared: &tagger::Prepared,
    pi: usize,
) -> Vec<tagger::TaggedSpan> {
    let toks = prepared.tokens(pi);
    // Sentences never cross a line, so the text is tagged whole and the
    // spans on headline lines are dropped.
    let mut headlines: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let trimmed = line.trim_end();
        let prose = trimmed.ends_with(['.', '!', '?', '"', '\u{201d}', ')', ':', ';']);
        if !prose {
            let (start, end) = (offset, offset + line.len());
            let from = toks.partition_point(|t| t.start < start);
            let to = toks.partition_point(|t| t.start < end);
            let words: Vec<&str> = toks[from..to].iter().map(|t| &text[t.start..t.end]).collect();
            if tagger::title_case(&words) {
                headlines.push((start, end));
            }
        }
        offset += line.len() + 1;
    }
    let mut spans = tagger.tag_prepared(prepared, pi, text);
    spans.retain(|s| !headlines.iter().any(|&(a, b)| a <= s.start && s.end <= b));
    spans
}

/// What the tagger adds to a passage.
enum Tagged {
    Person(PersonMention),
    Org(TaggedOrg),
    /// A place the tagger found that the gazetteer knows under another case
    /// ("KABUL" outside a dateline); the tagger never adds a place the
    /// gazetteer does not know.
    Country {
        name: String,
        region: Option<RegionPath>,
        text: String,
        margin: f32,
    },
}

impl Extractor {
    pub fn new(gazetteer: Gazetteer) -> Extractor {
        Extractor::with_tagger(gazetteer, tagger::Tagger::builtin())
    }

    /// An extractor with another tagger than the compiled-in one (the
    /// training program scores a model it has just trained this way).
    pub fn with_tagger(gazetteer: Gazetteer, tagger: &'static tagger::Tagger) -> Extractor {
        Extractor {
            gazetteer,
            tagger: Some(tagger),
        }
    }

    /// An extractor with lists and cues only: what the benchmark harness
    /// builds with to measure the tagger's share of a build. Its indexes
    /// find fewer actors; nothing records that, so it is not for users.
    pub fn without_tagger(gazetteer: Gazetteer) -> Extractor {
        Extractor {
            gazetteer,
            tagger: None,
        }
    }

    /// The tagger's spans in `text` above their type's margin (none without a tagger).
    fn tagged_spans(&self, text: &str, prepared: Option<&tagger::Prepared>, pi: usize) -> Vec<tagger::TaggedSpan> {
        let (Some(tagger), Some(prepared)) = (self.tagger, prepared) else {
            return Vec::new();
        };
        let mut spans = headline_free_spans(tagger, text, prepared, pi);
        spans.retain(|s| s.score >= tagger.model.threshold(s.kind));
        spans
    }

    /// Of the tagger's `spans` in `text`, those nothing else claimed: lists
    /// and cues win (`claimed`), and so do places, except a place inside a
    /// longer name ("Pakistan Cricket Board"). A country or region mention
    /// (`country_spans`, also in `claimed`) strictly inside an
    /// organisation's span does not block it: "German Air Force" names an
    /// organisation and Germany both (a person's span stays blocked, as
    /// "Michael Jordan" must not make a person of a country trap).
    fn tagged(
        &self,
        pi: usize,
        text: &str,
        spans: Vec<tagger::TaggedSpan>,
        claimed: &[(usize, usize)],
        place_spans: &[(usize, usize)],
        country_spans: &[(usize, usize)],
    ) -> Vec<Tagged> {
        let g = &self.gazetteer;
        let mut out = Vec::new();
        for mut span in spans {
            if span.kind == tagger::EntityType::Org {
                if let Some(start) = coordinated_name_start(text, span.start, claimed, country_spans) {
                    span.start = start;
                }
            }
            let range = (span.start, span.end);
            let inside = |c: &(usize, usize)| range.0 <= c.0 && c.1 <= range.1 && *c != range;
            let blocks = |c: &(usize, usize)| {
                overlaps(*c, range) && !(span.kind == tagger::EntityType::Org && inside(c) && country_spans.contains(c))
            };
            if claimed.iter().any(blocks) {
                continue;
            }
            let place_owns =
                |p: &(usize, usize)| overlaps(*p, range) && !(range.0 <= p.0 && p.1 <= range.1 && range != *p);
            if place_spans.iter().any(place_owns) {
                continue;
            }
            let surface = &text[span.start..span.end];
            match span.kind {
                tagger::EntityType::Location => {
                    if let Some(c) = g.resolve_country(surface) {
                        out.push(Tagged::Country {
                            name: c.name.clone(),
                            region: c.region_path(),
                            text: surface.to_string(),
                            margin: span.score,
                        });
                    }
                }
                tagger::EntityType::Person => {
                    let tokens = people::name_tokens(surface);
                    if !people::plausible_name(&tokens) || head_word_after(text, span.end) {
                        continue;
                    }
                    let known = g
                        .actor_lookup
                        .get(&lookup_key(&tokens.join(" ")))
                        .copied()
                        .filter(|&i| g.actors[i].kind == ActorKind::Person);
                    out.push(Tagged::Person(PersonMention {
                        passage: pi,
                        start: span.start,
                        text: surface.to_string(),
                        tokens,
                        known,
                        // A title or role right before vouches for a lone surname, as for the cue finder.
                        strong: people::role_before(&text[..span.start]),
                        via: Via::Tagger,
                        margin: Some(span.score),
                    }));
                }
                tagger::EntityType::Org => {
                    let mut name = org_display_name(surface);
                    if name.is_empty() || g.resolve_country(&name).is_some() {
                        continue;
                    }
                    match g.resolve_actor(&name) {
                        Some(a) if a.kind == ActorKind::Person => continue,
                        Some(a) => name = a.name.clone(),
                        None => {}
                    }
                    out.push(Tagged::Org(TaggedOrg {
                        passage: pi,
                        name,
                        text: surface.to_string(),
                        margin: span.score,
                    }));
                }
            }
        }
        out
    }

    /// Countries, regions and actors of a brief's title and of each of its
    /// passages. Names are joined across all of them.
    pub fn extract(&self, brief: &Brief, passages: &[Passage]) -> BriefEntities {
        // Text 0 is the title; a heading is read with the first passage it introduces.
        let texts: Vec<String> = std::iter::once(brief.title.clone())
            .chain(passages.iter().map(|p| match &p.heading {
                Some(h) if p.ordinal == 0 || passages[p.ordinal as usize - 1].heading.as_ref() != Some(h) => {
                    format!("{h}\n{}", p.text)
                }
                _ => p.text.clone(),
            }))
            .collect();
        // The brief is the tagger's document: a word capitalised or written
        // in lower case in one passage tells about it in another.
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        match self.tagger {
            Some(tagger) => {
                tagger.with_prepared(&refs, |prepared| self.extract_texts(&texts, passages, Some(prepared)))
            }
            None => self.extract_texts(&texts, passages, None),
        }
    }

    /// [`Extractor::extract`] of the brief's `texts` (title first), with
    /// the tagger's view of them when there is a tagger.
    fn extract_texts(
        &self,
        texts: &[String],
        passages: &[Passage],
        prepared: Option<&tagger::Prepared>,
    ) -> BriefEntities {
        let g = &self.gazetteer;
        let mut results: Vec<PassageEntities> = Vec::with_capacity(passages.len() + 1);
        let mut person_mentions: Vec<PersonMention> = Vec::new();
        let mut org_mentions: Vec<(usize, usize, String)> = Vec::new();
        let mut tagged_orgs: Vec<TaggedOrg> = Vec::new();
        for (pi, text) in texts.iter().enumerate() {
            let mut entities = PassageEntities::default();
            let mut blocked: Vec<(usize, usize)> = Vec::new();
            // Every place match, kept or not ("Jordan" in "Michael Jordan" too):
            // the tagger must not bring back what the traps threw out.
            let mut place_spans: Vec<(usize, usize)> = Vec::new();
            let mut countries = BTreeSet::new();
            let mut regions = BTreeSet::new();
            // One pass of the place automaton serves both.
            let place_matches: Vec<(usize, usize, usize)> = g
                .places
                .find_iter(text.as_str())
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect();
            place_spans.extend(place_matches.iter().map(|&(s, e, _)| (s, e)));
            // Country and region mentions: they block the tagger's spans
            // like any other claim, except an organisation's span they sit
            // strictly inside ("German Air Force").
            let mut country_spans: Vec<(usize, usize)> = Vec::new();
            for (start, end, target) in g.country_mentions(text, &place_matches) {
                blocked.push((start, end));
                country_spans.push((start, end));
                let (facet, value) = match target {
                    PlaceTarget::Country(idx) => {
                        let c = &g.countries[idx];
                        countries.insert(c.name.clone());
                        regions.extend(c.region_path());
                        ("country", c.name.clone())
                    }
                    PlaceTarget::Region(idx) => {
                        regions.insert(g.regions[idx].clone());
                        ("region", g.regions[idx].join(" / "))
                    }
                    PlaceTarget::Nothing => continue,
                };
                entities.mentions.push(Mention {
                    facet: facet.into(),
                    value,
                    text: text[start..end].to_string(),
                    via: None,
                    margin: None,
                });
            }
            for (start, end, target) in g.actor_mentions(text) {
                blocked.push((start, end));
                let ActorTarget::Actor(idx) = target else {
                    continue;
                };
                let actor = &g.actors[idx];
                match actor.kind {
                    ActorKind::Org => org_mentions.push((pi, idx, text[start..end].to_string())),
                    ActorKind::Person => person_mentions.push(PersonMention {
                        passage: pi,
                        start,
                        text: text[start..end].to_string(),
                        tokens: actor.name.split_whitespace().map(str::to_string).collect(),
                        known: Some(idx),
                        strong: true,
                        via: Via::List,
                        margin: None,
                    }),
                }
            }
            let mut claimed = blocked.clone();
            let tagged = self.tagged_spans(text, prepared, pi);
            for candidate in people::detect(text, &blocked) {
                // A second opinion: a name found only by a nearby role or verb
                // that the tagger is sure is an organisation or a place
                // ("the Rapid Support Forces", "Chatham House argued") is not a person.
                let vetoed = !candidate.strong
                    && tagged.iter().any(|s| {
                        s.kind != tagger::EntityType::Person
                            && overlaps((s.start, s.end), (candidate.start, candidate.end))
                    });
                if vetoed {
                    continue;
                }
                let joined = candidate.tokens.join(" ");
                let known = g
                    .actor_lookup
                    .get(&lookup_key(&joined))
                    .copied()
                    .filter(|&i| g.actors[i].kind == ActorKind::Person);
                claimed.push((candidate.start, candidate.end));
                person_mentions.push(PersonMention {
                    passage: pi,
                    start: candidate.start,
                    text: text[candidate.start..candidate.end].to_string(),
                    tokens: candidate.tokens,
                    known,
                    strong: candidate.strong,
                    via: Via::Cue,
                    margin: None,
                });
            }
            for found in self.tagged(pi, text, tagged, &claimed, &place_spans, &country_spans) {
                match found {
                    Tagged::Person(m) => person_mentions.push(m),
                    Tagged::Org(o) => tagged_orgs.push(o),
                    Tagged::Country {
                        name,
                        region,
                        text,
                        margin,
                    } => {
                        if countries.insert(name.clone()) {
                            regions.extend(region);
                            entities.mentions.push(Mention {
                                facet: "country".into(),
                                value: name,
                                text,
                                via: Some(Via::Tagger),
                                margin: Some(Margin::new(margin)),
                            });
                        }
                    }
                }
            }
            entities.countries = countries.into_iter().collect();
            entities.regions = regions.into_iter().collect();
            results.push(entities);
        }

        // Join the names of the brief: the fullest form of a name is its canonical one.
        // Where each name is first written in the brief (passage, offset):
        // a surname two people share goes to the one named first.
        // Each mention's name as written in full: the listed name, or its own words.
        let full_forms: Vec<String> = person_mentions
            .iter()
            .map(|m| match m.known {
                Some(idx) => g.actors[idx].name.clone(),
                None => m.tokens.join(" "),
            })
            .collect();
        let mut first_named: HashMap<&str, (usize, usize)> = HashMap::new();
        for (m, name) in person_mentions.iter().zip(&full_forms) {
            let at = first_named.entry(name).or_insert((m.passage, m.start));
            *at = (*at).min((m.passage, m.start));
        }
        let named_at = |name: &str| first_named.get(name).copied().unwrap_or((usize::MAX, usize::MAX));
        let full_names = FullNames::new(person_mentions.iter().zip(&full_forms).flat_map(|(m, name)| {
            let canonical: Vec<String> = name.split_whitespace().map(str::to_string).collect();
            let written = people::name_tokens(&m.text);
            [(name.clone(), canonical), (name.clone(), written)]
        }));
        let resolve = |tokens: &[String], known: Option<usize>| -> Option<String> {
            if let Some(idx) = known {
                return Some(g.actors[idx].name.clone());
            }
            let fuller: BTreeSet<&String> = full_names
                .candidates(tokens)
                .filter(|(_, long)| long.len() > tokens.len() && name_within(tokens, long))
                .map(|(name, _)| name)
                .collect();
            match fuller.len() {
                0 if tokens.len() == 1 => Some(
                    full_names
                        .opened_by(&tokens[0])
                        .cloned()
                        .unwrap_or_else(|| tokens.join(" ")),
                ),
                0 => Some(tokens.join(" ")),
                1 => fuller.into_iter().next().cloned(),
                // A lone surname that two people of the brief share ("Sharif"
                // after Nawaz and Shehbaz Sharif, or "Stoloff" after Ben and
                // Benjamin Stoloff) names the one the brief introduced first,
                // its subject: a relative named later is named in full again
                // when meant. Longer forms stay unresolved.
                _ if tokens.len() == 1 => fuller.into_iter().min_by_key(|n| named_at(n)).cloned(),
                _ => None,
            }
        };
        // The passages where the tagger accepted each word as a name alone.
        let mut lone_tagged: HashMap<&str, BTreeSet<usize>> = HashMap::new();
        for m in person_mentions.iter().filter(|m| m.via == Via::Tagger) {
            if let [word] = m.tokens.as_slice() {
                lone_tagged.entry(word.as_str()).or_default().insert(m.passage);
            }
        }
        // Each person's mentions: passage, text, how found, tagger margin.
        type Found = Vec<(usize, String, Via, Option<f32>)>;
        let mut persons: BTreeMap<String, Found> = BTreeMap::new();
        for m in &person_mentions {
            let single = m.tokens.len() == 1;
            let Some(name) = resolve(&m.tokens, m.known) else {
                continue;
            };
            // A lone surname stands only if it joined a full name, a cue
            // vouched for it, or the tagger accepted it alone in two passages
            // or more ("Langejans" all through a brief whose one full
            // mention the tagger missed). Once is not enough: "Qasim" in
            // "the ports of Karachi, Gwadar and Qasim" passes the threshold.
            let repeated = || lone_tagged.get(m.tokens[0].as_str()).is_some_and(|p| p.len() >= 2);
            if single && m.known.is_none() && name == m.tokens[0] && !m.strong && !(m.via == Via::Tagger && repeated())
            {
                continue;
            }
            // An unknown name that is a country's or a known organisation's name is not a person.
            if m.known.is_none()
                && (g.resolve_country(&name).is_some()
                    || g.resolve_actor(&name).is_some_and(|a| a.kind == ActorKind::Org))
            {
                continue;
            }
            persons
                .entry(name)
                .or_default()
                .push((m.passage, m.text.clone(), m.via, m.margin));
        }
        // Later surname-only mentions ("Muttaqi") of a person named in full in this brief.
        let surnames: BTreeMap<String, Vec<&String>> = persons.keys().fold(BTreeMap::new(), |mut acc, name| {
            if let Some(last) = name
                .split_whitespace()
                .last()
                .filter(|w| w.chars().count() >= 4 && name.contains(' '))
            {
                acc.entry(last.to_string()).or_default().push(name);
            }
            acc
        });
        // A surname several people share goes to the one named first (as in
        // `resolve`). With it, the passages that name any of its owners in
        // full: there the surname is part of that full name.
        let linkable: Vec<(&String, &String, BTreeSet<usize>)> = surnames
            .iter()
            .filter(|(surname, _)| g.resolve_country(surname).is_none())
            .filter_map(|(surname, owners)| {
                let owner = owners.iter().min_by_key(|o| named_at(o))?;
                let named_in = owners
                    .iter()
                    .flat_map(|o| persons[*o].iter().map(|(p, ..)| *p))
                    .collect();
                Some((surname, *owner, named_in))
            })
            .collect();
        let mut extra: Vec<(String, usize, String)> = Vec::new();
        if !linkable.is_empty() {
            // Many surnames: one automaton pass over each text for all of
            // them; a few (the usual brief): a plain search each, since
            // building an automaton costs more than it saves.
            const AUTOMATON_FROM: usize = 16;
            let matcher = (linkable.len() >= AUTOMATON_FROM)
                .then(|| build_matcher(&linkable.iter().map(|(s, ..)| (*s).clone()).collect::<Vec<_>>()));
            for (pi, text) in texts.iter().enumerate() {
                let mut found: BTreeSet<usize> = BTreeSet::new();
                match &matcher {
                    Some(matcher) => {
                        for m in matcher.find_iter(text.as_str()) {
                            let k = m.pattern().as_usize();
                            if surname_at(text, m.start(), m.end(), linkable[k].1) {
                                found.insert(k);
                            }
                        }
                    }
                    None => {
                        for (k, (surname, owner, _)) in linkable.iter().enumerate() {
                            let mut hits = text.match_indices(surname.as_str());
                            if hits.any(|(s, m)| surname_at(text, s, s + m.len(), owner)) {
                                found.insert(k);
                            }
                        }
                    }
                }
                for k in found {
                    let (surname, owner, named_in) = &linkable[k];
                    // A passage that names the person in full needs no surname mention.
                    if !named_in.contains(&pi) {
                        extra.push((owner.to_string(), pi, surname.to_string()));
                    }
                }
            }
        }
        for (name, pi, text) in extra {
            persons.entry(name).or_default().push((pi, text, Via::Surname, None));
        }

        for (name, mentions) in persons {
            if g.is_suppressed(&name) {
                continue;
            }
            for (pi, text, via, margin) in mentions {
                results[pi].add_actor(&name, ActorKind::Person, text, via, margin);
            }
        }
        for (pi, idx, text) in org_mentions {
            let name = &g.actors[idx].name;
            if !g.is_suppressed(name) {
                results[pi].add_actor(name, ActorKind::Org, text, Via::List, None);
            }
        }
        for org in tagged_orgs {
            if !g.is_suppressed(&org.name) {
                results[org.passage].add_actor(&org.name, ActorKind::Org, org.text, Via::Tagger, Some(org.margin));
            }
        }
        for entities in &mut results {
            entities.actors.sort();
            entities.actors.dedup();
            // One line per text and value; the most reliable way (list first) is kept.
            entities
                .mentions
                .sort_by(|a, b| (&a.facet, &a.value, &a.text, a.via).cmp(&(&b.facet, &b.value, &b.text, b.via)));
            entities
                .mentions
                .dedup_by(|a, b| (&a.facet, &a.value, &a.text) == (&b.facet, &b.value, &b.text));
        }
        let title = results.remove(0);
        BriefEntities {
            title,
            passages: results,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `coordinated_name_start` on `text`, whose tagged span is `tagged`,
    /// with `claimed` and `countries` given as substrings of the text.
    fn extended(text: &str, tagged: &str, claimed: &[&str], countries: &[&str]) -> Option<String> {
        let at = |s: &str| {
            let start = text.find(s).expect("in the text");
            (start, start + s.len())
        };
        let start = at(tagged).0;
        let countries: Vec<(usize, usize)> = countries.iter().map(|c| at(c)).collect();
        let mut claimed: Vec<(usize, usize)> = claimed.iter().map(|c| at(c)).collect();
        claimed.extend(&countries);
        coordinated_name_start(text, start, &claimed, &countries).map(|s| text[s..start + tagged.len()].to_string())
    }

    #[test]
    fn a_name_cut_at_and_is_joined_again() {
        let text = "The deal was signed by Iran's Ports and Maritime Organization on Monday.";
        assert_eq!(
            extended(text, "Maritime Organization", &[], &["Iran"]),
            Some("Ports and Maritime Organization".into())
        );
        // A region inside the name does not stop it.
        let text = "Later the Xinjiang Central Asia Petroleum and Gas Company agreed to it.";
        assert_eq!(
            extended(text, "Gas Company", &[], &["Central Asia"]),
            Some("Xinjiang Central Asia Petroleum and Gas Company".into())
        );
        let text = "Engineers from Halliburton & Oil Field Services met.";
        assert_eq!(
            extended(text, "Oil Field Services", &[], &[]),
            Some("Halliburton & Oil Field Services".into())
        );
    }

    #[test]
    fn a_name_after_and_stays_alone_when_the_words_before_are_another_name() {
        // A country before "and" is a second party, not part of the name.
        let text = "Talks between Iran and Gazprom Neft resumed.";
        assert_eq!(extended(text, "Gazprom Neft", &[], &["Iran"]), None);
        // So is a listed name.
        let text = "Talks between Kabul Bank and Gazprom Neft resumed.";
        assert_eq!(extended(text, "Gazprom Neft", &["Kabul Bank"], &[]), None);
        // The tail of an "X of Y" name.
        let text = "The Ministry of Interior and Federal Investigation Agency said so.";
        assert_eq!(extended(text, "Federal Investigation Agency", &[], &[]), None);
        // One word opening a sentence.
        let text = "Diplomats and Gas Company staff left.";
        assert_eq!(extended(text, "Gas Company", &[], &[]), None);
        // Lower case before "and", or no "and" at all.
        let text = "Traders and the Gas Company met; so did Gas Company staff.";
        assert_eq!(extended(text, "Gas Company", &[], &[]), None);
        let text = "Talks with the Gas Company resumed.";
        assert_eq!(extended(text, "Gas Company", &[], &[]), None);
        // A comma ends the run: only the words after it join.
        let text = "It was said, Oil and Gas Company officials report.";
        assert_eq!(
            extended(text, "Gas Company", &[], &[]),
            Some("Oil and Gas Company".into())
        );
    }

    #[test]
    fn names_join_within() {
        let v = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert!(name_within(&v("Amir Muttaqi"), &v("Amir Khan Muttaqi")));
        assert!(name_within(&v("S. Jaishankar"), &v("Subrahmanyam Jaishankar")));
        assert!(name_within(&v("Muttaqi"), &v("Amir Khan Muttaqi")));
        assert!(!name_within(&v("Amir Khan"), &v("Amir Khan Muttaqi")));
    }

    #[test]
    fn a_lone_word_resolves_to_the_one_name_it_opens() {
        let v = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let names = [
            ("Wang Yi", v("Wang Yi")),
            ("Amir Khan Muttaqi", v("Amir Khan Muttaqi")),
            ("Amir Khan Muttaqi", v("Amir Khan Mottaki")),
        ];
        let full = FullNames::new(names.iter().map(|(n, t)| (n.to_string(), t.clone())));
        assert_eq!(full.opened_by("Wang").map(String::as_str), Some("Wang Yi"));
        assert_eq!(full.opened_by("Amir").map(String::as_str), Some("Amir Khan Muttaqi"));
        assert_eq!(full.opened_by("Yi"), None);
        // A form of a known name as the brief writes it holds its surname.
        let mottaki = full
            .candidates(&v("Mottaki"))
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>();
        assert_eq!(mottaki, ["Amir Khan Muttaqi"]);
        // Two names opened by one word: neither.
        let two = [
            ("Amir Khan Muttaqi", v("Amir Khan Muttaqi")),
            ("Amir Ali", v("Amir Ali")),
        ];
        let full = FullNames::new(two.iter().map(|(n, t)| (n.to_string(), t.clone())));
        assert_eq!(full.opened_by("Amir"), None);
    }

    #[test]
    fn a_name_before_a_head_word_is_part_of_a_longer_name() {
        let text = "the Karimzada Institute and Karimzada said and Karimzada airport";
        let at = |n: usize| {
            let start = text.match_indices("Karimzada").nth(n).map_or(0, |(i, _)| i);
            (start, start + "Karimzada".len())
        };
        let owner = "Farid Karimzada";
        let (s, e) = at(0);
        assert!(!surname_at(text, s, e, owner));
        let (s, e) = at(1);
        assert!(surname_at(text, s, e, owner));
        // Only a capitalised head word makes a longer name.
        let (s, e) = at(2);
        assert!(surname_at(text, s, e, owner));
    }

    #[test]
    fn a_surname_inside_a_longer_capitalised_name_is_not_its_owner() {
        let at = |text: &str| {
            let start = text.find("Haqqani").unwrap_or(0);
            surname_at(text, start, start + "Haqqani".len(), "Sirajuddin Haqqani")
        };
        assert!(!at("attacks by the Haqqani Network rose"));
        assert!(!at("the Jalaluddin Haqqani Trust"));
        assert!(at("Haqqani said on Monday"));
        assert!(at("Interior Minister Haqqani met"));
        assert!(at("when Mr. Haqqani met"));
        assert!(at("The Haqqani family"));
        assert!(at("On Monday Haqqani said"));
        assert!(at("as Haqqani, Karzai and others"));
        assert!(at("Haqqani's NATO talks"));
        // An inner word of the owner's own name before it is the owner;
        // the whole name, not found as a person, is something else's.
        let at_of = |text: &str, owner: &str| {
            let start = text.find("Haqqani").unwrap_or(0);
            surname_at(text, start, start + "Haqqani".len(), owner)
        };
        assert!(at_of("Ismail Haqqani's network", "Mohammad Ismail Haqqani"));
        assert!(!at_of("the Ismail Haqqani Trust", "Mohammad Ismail Haqqani"));
        assert!(!at_of("Mohammad Haqqani's network", "Mohammad Ismail Haqqani"));
        assert!(!at("Jalaluddin Haqqani's network"));
    }

    #[test]
    fn person_like_country_names() {
        assert!(in_person_name("star Michael Jordan scored", 13, 19));
        assert!(in_person_name("with Chad Smith today", 5, 9));
        assert!(!in_person_name("talks with Jordan and Egypt", 11, 17));
        assert!(!in_person_name("The King of Jordan said", 12, 18));
    }
}
