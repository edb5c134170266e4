//! One place that turns facet dimensions and values into tantivy facets and
//! back: `/country/Iran`, `/region/Asia/Central Asia`, `/actor/person/Name`,
//! `/actor/org/Name`, `/tag/energy`.
//!
//! A tantivy facet term also matches its descendants (`/region/Asia` finds
//! every passage with a region under Asia), and its doc frequency counts
//! them, which is what region filters and region counts want.

use tantivy::schema::Facet;

use crate::entities::{Actor, ActorKind, RegionPath};

/// A facet dimension: what a filter flag or a facet count is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    Country,
    Region,
    Actor,
    Tag,
}

impl Dim {
    /// The dimensions that search filters and counts, in output order.
    pub const FILTERABLE: [Dim; 3] = [Dim::Country, Dim::Region, Dim::Actor];

    /// The first component of the facet path.
    pub fn root(self) -> &'static str {
        match self {
            Dim::Country => "country",
            Dim::Region => "region",
            Dim::Actor => "actor",
            Dim::Tag => "tag",
        }
    }

    /// The dimension of a facet path's first component.
    pub fn from_root(root: &str) -> Option<Dim> {
        match root {
            "country" => Some(Dim::Country),
            "region" => Some(Dim::Region),
            "actor" => Some(Dim::Actor),
            "tag" => Some(Dim::Tag),
            _ => None,
        }
    }
}

/// A facet value, decoded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FacetValue {
    Country(String),
    Region(RegionPath),
    Actor(Actor),
    Tag(String),
}

impl FacetValue {
    pub fn dim(&self) -> Dim {
        match self {
            FacetValue::Country(_) => Dim::Country,
            FacetValue::Region(_) => Dim::Region,
            FacetValue::Actor(_) => Dim::Actor,
            FacetValue::Tag(_) => Dim::Tag,
        }
    }

    /// The tantivy facet of this value.
    pub fn facet(&self) -> Facet {
        match self {
            FacetValue::Country(name) => country(name),
            FacetValue::Region(path) => region(path),
            FacetValue::Actor(actor) => self::actor(actor),
            FacetValue::Tag(tag) => Facet::from_path(["tag", tag.as_str()]),
        }
    }

    /// Decodes a facet path: `None` for paths that are not a full value
    /// (`/actor/person` alone) or of no known dimension.
    pub fn from_facet(facet: &Facet) -> Option<FacetValue> {
        let parts = facet.to_path();
        let (&root, rest) = parts.split_first()?;
        match (Dim::from_root(root)?, rest) {
            (Dim::Country, [name]) => Some(FacetValue::Country(name.to_string())),
            (Dim::Region, path) if !path.is_empty() => {
                Some(FacetValue::Region(path.iter().map(|s| s.to_string()).collect()))
            }
            (Dim::Actor, [kind, name]) => Some(FacetValue::Actor(Actor {
                name: name.to_string(),
                kind: match *kind {
                    "person" => ActorKind::Person,
                    "org" => ActorKind::Org,
                    _ => return None,
                },
            })),
            (Dim::Tag, [tag]) => Some(FacetValue::Tag(tag.to_string())),
            _ => None,
        }
    }

    /// The dimension of an encoded facet path (components separated by a
    /// zero byte) when [`FacetValue::from_facet`] would decode it to a value,
    /// without decoding it: counting code sorts many values to show a few.
    pub fn dim_of_encoded(encoded: &str) -> Option<Dim> {
        let mut parts = encoded.split('\u{0}');
        let dim = Dim::from_root(parts.next()?)?;
        let first = parts.next();
        let more = parts.count();
        let is_value = match dim {
            Dim::Country | Dim::Tag => first.is_some() && more == 0,
            Dim::Region => first.is_some(),
            Dim::Actor => matches!(first, Some("person" | "org")) && more == 1,
        };
        is_value.then_some(dim)
    }

    /// The kind of an actor (`None` for other values), as facet counts show it.
    pub fn actor_kind(&self) -> Option<ActorKind> {
        match self {
            FacetValue::Actor(a) => Some(a.kind),
            _ => None,
        }
    }

    /// The path of a region, joined by `/` (`None` for other values), as facet counts show it.
    pub fn region_path(&self) -> Option<String> {
        match self {
            FacetValue::Region(path) => Some(path.join("/")),
            _ => None,
        }
    }

    /// The name shown for the value: the country, the last region, the actor, the tag.
    pub fn display_name(&self) -> &str {
        match self {
            FacetValue::Country(name) | FacetValue::Tag(name) => name,
            FacetValue::Region(path) => path.last().map_or("", String::as_str),
            FacetValue::Actor(actor) => &actor.name,
        }
    }
}

/// The facet of a country.
pub fn country(name: &str) -> Facet {
    Facet::from_path(["country", name])
}

/// The facet of a region path.
pub fn region(path: &[String]) -> Facet {
    Facet::from_path(std::iter::once("region").chain(path.iter().map(String::as_str)))
}

/// The facet of an actor.
pub fn actor(actor: &Actor) -> Facet {
    Facet::from_path(["actor", actor.kind.as_str(), actor.name.as_str()])
}

/// The encoded bytes of a facet (components separated by a zero byte), as
/// facet columns and term dictionaries hold them.
pub fn encoded(facet: &Facet) -> &[u8] {
    facet.encoded_str().as_bytes()
}

/// Decodes the bytes of a facet column or term dictionary entry.
pub fn decode(bytes: &[u8]) -> Option<Facet> {
    Facet::from_encoded(bytes.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dimension_of_an_encoded_path_is_that_of_its_decoded_value() {
        let paths: &[&[&str]] = &[
            &["country", "Iran"],
            &["country"],
            &["country", "Iran", "Tehran"],
            &["region", "Asia"],
            &["region", "Asia", "Central Asia"],
            &["region"],
            &["actor", "person", "Hamid Karzai"],
            &["actor", "org", "UNICEF"],
            &["actor", "person"],
            &["actor", "group", "Someone"],
            &["actor", "person", "A", "B"],
            &["tag", "energy"],
            &["tag"],
            &["place", "Kabul"],
        ];
        for path in paths {
            let facet = Facet::from_path(path.iter().copied());
            let decoded = FacetValue::from_facet(&facet).map(|v| v.dim());
            assert_eq!(FacetValue::dim_of_encoded(facet.encoded_str()), decoded, "{path:?}");
        }
        assert_eq!(FacetValue::dim_of_encoded(""), None);
    }

    #[test]
    fn values_round_trip_through_facets() {
        let values = [
            FacetValue::Country("Iran".into()),
            FacetValue::Region(vec!["Asia".into(), "Central Asia".into()]),
            FacetValue::Actor(Actor {
                name: "Amir Khan Muttaqi".into(),
                kind: ActorKind::Person,
            }),
            FacetValue::Actor(Actor {
                name: "A/B Group".into(),
                kind: ActorKind::Org,
            }),
            FacetValue::Tag("energy".into()),
        ];
        for value in values {
            let facet = value.facet();
            assert_eq!(FacetValue::from_facet(&facet), Some(value.clone()));
            assert_eq!(decode(encoded(&facet)), Some(facet));
        }
        assert_eq!(FacetValue::from_facet(&Facet::from_path(["actor", "person"])), None);
    }
}
