//! The gazetteer's data: what the `keshvar` crate knows about countries, the
//! data files built into the binary (`data/*.toml`), and the user's own
//! `countries.toml` and `actors.toml` in the corpus folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::EntityError;

/// `data/countries.toml`: canonical names, aliases and demonyms by ISO code.
#[derive(Debug, Deserialize, Default)]
pub struct CountryNames {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub demonyms: Vec<String>,
}

/// `data/places.toml` and the `[places]` table of a user's `countries.toml`.
#[derive(Debug, Deserialize, Default)]
pub struct Places {
    #[serde(default)]
    pub places: BTreeMap<String, String>,
}

/// The `[suppress]` table of a user's file: names that must not be taken as
/// what the gazetteer thinks they are.
#[derive(Debug, Deserialize, Default)]
pub struct Suppress {
    #[serde(default)]
    pub names: Vec<String>,
}

/// A user's `countries.toml` in the corpus folder.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UserCountries {
    #[serde(default)]
    pub places: BTreeMap<String, String>,
    #[serde(default)]
    pub suppress: Suppress,
}

/// One entry of `data/orgs.toml`, `data/people.toml` or a user's `actors.toml`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ActorEntry {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Only in `actors.toml`: `person` or `organisation` (`org`).
    #[serde(default)]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct OrgFile {
    #[serde(default)]
    pub org: Vec<ActorEntry>,
}

#[derive(Debug, Deserialize, Default)]
pub struct PeopleFile {
    #[serde(default)]
    pub person: Vec<ActorEntry>,
}

/// A user's `actors.toml` in the corpus folder.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UserActors {
    #[serde(default)]
    pub actor: Vec<ActorEntry>,
    #[serde(default)]
    pub suppress: Suppress,
}

pub const BUILTIN_COUNTRIES: &str = include_str!("../../data/countries.toml");
pub const BUILTIN_PLACES: &str = include_str!("../../data/places.toml");
pub const BUILTIN_ORGS: &str = include_str!("../../data/orgs.toml");
pub const BUILTIN_PEOPLE: &str = include_str!("../../data/people.toml");

/// Name of the user's actor file in the corpus folder.
pub const USER_ACTORS_FILE: &str = "actors.toml";
/// Name of the user's places file in the corpus folder.
pub const USER_COUNTRIES_FILE: &str = "countries.toml";

/// A name that a gazetteer matcher can use: it must contain a letter or a
/// digit. An empty pattern matches at every position, so one empty name in
/// a user file would tag every passage with it.
pub fn check_names<'a>(
    path: &Path,
    what: &str,
    names: impl IntoIterator<Item = &'a String>,
) -> Result<(), EntityError> {
    for name in names {
        if !name.chars().any(char::is_alphanumeric) {
            return Err(EntityError::Invalid {
                path: path.to_path_buf(),
                message: format!("{what} {name:?} has no letter or digit; remove it or give the name"),
            });
        }
    }
    Ok(())
}

impl UserActors {
    /// Refuses empty names and aliases, which would match everywhere.
    pub fn check(&self, path: &Path) -> Result<(), EntityError> {
        for entry in &self.actor {
            check_names(path, "actor name", [&entry.name])?;
            check_names(path, &format!("alias of actor {:?}", entry.name), &entry.aliases)?;
        }
        check_names(path, "suppressed name", &self.suppress.names)
    }
}

impl UserCountries {
    /// Refuses empty place names, which would match everywhere.
    pub fn check(&self, path: &Path) -> Result<(), EntityError> {
        check_names(path, "place", self.places.keys())?;
        check_names(path, "suppressed name", &self.suppress.names)
    }
}

pub fn parse_builtin<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T, EntityError> {
    toml::from_str(text).map_err(|e| EntityError::Config {
        path: PathBuf::from(format!("(built-in) data/{name}")),
        message: e.to_string(),
    })
}

/// Reads a user file if it exists; returns its text too, for fingerprinting.
pub fn read_user_file<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<(T, Option<String>), EntityError> {
    if !path.exists() {
        return Ok((T::default(), None));
    }
    let text = std::fs::read_to_string(path).map_err(|e| EntityError::Config {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let parsed = toml::from_str(&text).map_err(|e| EntityError::Config {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok((parsed, Some(text)))
}
