//! URL parameters: the query string of the page and of `/api/search`,
//! checked into [`Params`] (as `cli.rs` flags are checked in `commands.rs`),
//! and turned back into URLs for links, so that every state of the page is
//! a plain GET URL.
//!
//! The parameters are the flags of `briefs search`: `q` (the query),
//! `any`, `limit`, `offset`, `per_brief`, `since`, `until`, `country`,
//! `region`, `actor` (each repeatable), `scope`, `sort`, `facets`,
//! `facet_limit`, plus `timeline`. Empty values count as absent (an empty form field);
//! anything else that does not parse, an unknown name or a value out of
//! bounds is refused with a message that names it (a `400`).

use jiff::civil::Date;

use crate::search::{Scope, Sort};

/// Most passages one request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Deepest page: the collector keeps `offset + limit` candidates.
pub const MAX_OFFSET: usize = 10_000;
/// Most values per facet one request may ask for.
pub const MAX_FACET_LIMIT: usize = 1_000;
/// Most filter values in one request (over all facets).
pub const MAX_FILTERS: usize = 64;

/// The parameter names, in the order URLs list them.
pub const NAMES: &[&str] = &[
    "q",
    "any",
    "scope",
    "sort",
    "since",
    "until",
    "country",
    "region",
    "actor",
    "per_brief",
    "limit",
    "offset",
    "facets",
    "facet_limit",
    "timeline",
];

/// A refused parameter: the message says which and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(pub String);

/// A facet dimension a filter applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FilterDim {
    Country,
    Region,
    Actor,
}

impl FilterDim {
    pub const ALL: [FilterDim; 3] = [FilterDim::Country, FilterDim::Region, FilterDim::Actor];

    pub fn name(self) -> &'static str {
        match self {
            FilterDim::Country => "country",
            FilterDim::Region => "region",
            FilterDim::Actor => "actor",
        }
    }
}

/// Checked parameters of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub q: String,
    pub any: bool,
    pub scope: Scope,
    pub sort: Sort,
    /// As given (for forms and links) and as parsed.
    pub since: Option<(String, Date)>,
    pub until: Option<(String, Date)>,
    /// Filter values as given, in order, without duplicates.
    pub filters: Vec<(FilterDim, String)>,
    pub per_brief: usize,
    pub limit: usize,
    pub offset: usize,
    pub facets: bool,
    pub facet_limit: usize,
    pub timeline: bool,
}

/// Defaults that differ between the page and the API.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    pub limit: usize,
    pub facets: bool,
    pub facet_limit: usize,
    pub timeline: bool,
}

/// The defaults of `briefs search`: what `/api/search` uses.
pub const API_DEFAULTS: Defaults = Defaults {
    limit: 10,
    facets: false,
    facet_limit: 10,
    timeline: false,
};

impl Params {
    /// Parameters with nothing asked.
    pub fn empty(defaults: Defaults) -> Params {
        Params {
            q: String::new(),
            any: false,
            scope: Scope::Passage,
            sort: Sort::Relevance,
            since: None,
            until: None,
            filters: Vec::new(),
            per_brief: 2,
            limit: defaults.limit,
            offset: 0,
            facets: defaults.facets,
            facet_limit: defaults.facet_limit,
            timeline: defaults.timeline,
        }
    }

    /// Parses a raw (still encoded) query string.
    pub fn parse(query: &str, defaults: Defaults) -> Result<Params, ParamError> {
        let mut p = Params::empty(defaults);
        let mut seen: Vec<&'static str> = Vec::new();
        for (key, value) in decode_pairs(query)? {
            let Some(&name) = NAMES.iter().find(|n| **n == key) else {
                return Err(ParamError(format!(
                    "unknown parameter {:?}; parameters are {}",
                    shorten(&key),
                    NAMES.join(", ")
                )));
            };
            let value = value.trim();
            let repeatable = matches!(name, "country" | "region" | "actor");
            if !repeatable {
                if seen.contains(&name) {
                    return Err(ParamError(format!("parameter {name} is given twice")));
                }
                seen.push(name);
            }
            if value.is_empty() {
                continue;
            }
            match name {
                "q" => p.q = value.to_string(),
                "any" => p.any = boolean(name, value)?,
                "facets" => p.facets = boolean(name, value)?,
                "timeline" => p.timeline = boolean(name, value)?,
                "scope" => {
                    p.scope = match value {
                        "passage" => Scope::Passage,
                        "brief" => Scope::Brief,
                        _ => {
                            return Err(ParamError(format!(
                                "scope {:?}: expected passage or brief",
                                shorten(value)
                            )))
                        }
                    }
                }
                "sort" => {
                    p.sort = match value {
                        "relevance" => Sort::Relevance,
                        "date" => Sort::Date,
                        _ => {
                            return Err(ParamError(format!(
                                "sort {:?}: expected relevance or date",
                                shorten(value)
                            )))
                        }
                    }
                }
                "since" => p.since = Some((value.to_string(), date(name, value, false)?)),
                "until" => p.until = Some((value.to_string(), date(name, value, true)?)),
                "per_brief" => p.per_brief = number(name, value, 1, MAX_LIMIT)?,
                "limit" => p.limit = number(name, value, 1, MAX_LIMIT)?,
                "offset" => p.offset = number(name, value, 0, MAX_OFFSET)?,
                "facet_limit" => p.facet_limit = number(name, value, 1, MAX_FACET_LIMIT)?,
                _ => {
                    let dim = match name {
                        "country" => FilterDim::Country,
                        "region" => FilterDim::Region,
                        _ => FilterDim::Actor,
                    };
                    if value.chars().count() > 200 {
                        return Err(ParamError(format!("{name} value is longer than 200 characters")));
                    }
                    let entry = (dim, value.to_string());
                    if !p.filters.contains(&entry) {
                        p.filters.push(entry);
                    }
                    if p.filters.len() > MAX_FILTERS {
                        return Err(ParamError(format!("more than {MAX_FILTERS} filter values")));
                    }
                }
            }
        }
        if let (Some((_, since)), Some((_, until))) = (&p.since, &p.until) {
            if since > until {
                return Err(ParamError(format!(
                    "since {since} is after until {until}: no date can be in both"
                )));
            }
        }
        Ok(p)
    }

    /// True when nothing narrows the index: no query, filter or date.
    pub fn is_blank(&self) -> bool {
        self.q.is_empty() && self.filters.is_empty() && self.since.is_none() && self.until.is_none()
    }

    pub fn values(&self, dim: FilterDim) -> impl Iterator<Item = &str> {
        self.filters
            .iter()
            .filter(move |(d, _)| *d == dim)
            .map(|(_, v)| v.as_str())
    }

    /// The query string of these parameters (without `?`): only values that
    /// differ from `defaults`, in a fixed order, so equal states have equal URLs.
    pub fn to_query(&self, defaults: Defaults) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            out.append_pair("q", &self.q);
        }
        if self.any {
            out.append_pair("any", "1");
        }
        if self.scope == Scope::Brief {
            out.append_pair("scope", "brief");
        }
        if self.sort == Sort::Date {
            out.append_pair("sort", "date");
        }
        if let Some((since, _)) = &self.since {
            out.append_pair("since", since);
        }
        if let Some((until, _)) = &self.until {
            out.append_pair("until", until);
        }
        for dim in FilterDim::ALL {
            for value in self.values(dim) {
                out.append_pair(dim.name(), value);
            }
        }
        if self.per_brief != 2 {
            out.append_pair("per_brief", &self.per_brief.to_string());
        }
        if self.limit != defaults.limit {
            out.append_pair("limit", &self.limit.to_string());
        }
        if self.offset != 0 {
            out.append_pair("offset", &self.offset.to_string());
        }
        if self.facets != defaults.facets {
            out.append_pair("facets", if self.facets { "1" } else { "0" });
        }
        if self.facet_limit != defaults.facet_limit {
            out.append_pair("facet_limit", &self.facet_limit.to_string());
        }
        if self.timeline != defaults.timeline {
            out.append_pair("timeline", if self.timeline { "1" } else { "0" });
        }
        out.finish()
    }

    /// A copy on its first page (any change of what is searched starts over).
    fn first_page(&self) -> Params {
        Params {
            offset: 0,
            ..self.clone()
        }
    }

    /// With `value` added to the filters of `dim`.
    pub fn with_filter(&self, dim: FilterDim, value: &str) -> Params {
        let mut p = self.first_page();
        let entry = (dim, value.to_string());
        if !p.filters.contains(&entry) {
            p.filters.push(entry);
        }
        p
    }

    /// Without the given raw filter values of `dim`.
    pub fn without_filters(&self, dim: FilterDim, values: &[&str]) -> Params {
        let mut p = self.first_page();
        p.filters.retain(|(d, v)| *d != dim || !values.contains(&v.as_str()));
        p
    }

    /// With a date range (either end may be open).
    pub fn with_dates(&self, since: Option<(String, Date)>, until: Option<(String, Date)>) -> Params {
        Params {
            since,
            until,
            ..self.first_page()
        }
    }

    pub fn with_offset(&self, offset: usize) -> Params {
        Params { offset, ..self.clone() }
    }
}

/// Decodes `a=1&b=2` pairs; `+` is a space. Bytes that are not UTF-8 after
/// decoding are refused rather than replaced, so a value is never changed.
pub fn decode_pairs(query: &str) -> Result<Vec<(String, String)>, ParamError> {
    let mut out = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        out.push((decode_component(key)?, decode_component(value)?));
    }
    Ok(out)
}

fn decode_component(raw: &str) -> Result<String, ParamError> {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ParamError("a parameter is not valid UTF-8 once decoded".into()))
}

fn shorten(value: &str) -> String {
    value.chars().take(60).collect()
}

fn boolean(name: &str, value: &str) -> Result<bool, ParamError> {
    match value {
        "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" => Ok(false),
        _ => Err(ParamError(format!(
            "{name} {:?}: expected 1 or 0 (true/false, on/off, yes/no)",
            shorten(value)
        ))),
    }
}

fn number(name: &str, value: &str, min: usize, max: usize) -> Result<usize, ParamError> {
    match value.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ParamError(format!(
            "{name} {:?}: expected a whole number from {min} to {max}",
            shorten(value)
        ))),
    }
}

/// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY` as `briefs search --since`
/// does; `end` picks the last day of a month or year.
pub fn date(name: &str, value: &str, end: bool) -> Result<Date, ParamError> {
    let bad = || {
        ParamError(format!(
            "{name} {:?}: expected a date as YYYY-MM-DD, YYYY-MM or YYYY",
            shorten(value)
        ))
    };
    let parts: Vec<&str> = value.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let year: i16 = match parts.first() {
        Some(y) if digits(y, 4) => y.parse().map_err(|_| bad())?,
        _ => return Err(bad()),
    };
    let part = |i: usize| -> Result<i8, ParamError> {
        match parts.get(i) {
            Some(s) if digits(s, 2) || digits(s, 1) => s.parse().map_err(|_| bad()),
            _ => Err(bad()),
        }
    };
    let parsed = match parts.len() {
        1 => Date::new(year, if end { 12 } else { 1 }, if end { 31 } else { 1 }),
        2 => Date::new(year, part(1)?, 1).map(|first| if end { first.last_of_month() } else { first }),
        3 => Date::new(year, part(1)?, part(2)?),
        _ => return Err(bad()),
    };
    parsed.map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Params, ParamError> {
        Params::parse(q, API_DEFAULTS)
    }

    #[test]
    fn parses_every_parameter() {
        let p = parse("q=gas+pipeline&any=1&scope=brief&since=2021&until=2022-03&country=Iran&country=PK&region=Central%20Asia&actor=Muttaqi&per_brief=3&limit=20&offset=40&facets=on&facet_limit=5&timeline=true").expect("parsed");
        assert_eq!(p.q, "gas pipeline");
        assert!(p.any && p.facets && p.timeline);
        assert_eq!(p.scope, Scope::Brief);
        assert_eq!(p.since.as_ref().map(|s| s.1.to_string()).as_deref(), Some("2021-01-01"));
        assert_eq!(p.until.as_ref().map(|s| s.1.to_string()).as_deref(), Some("2022-03-31"));
        assert_eq!(p.values(FilterDim::Country).collect::<Vec<_>>(), ["Iran", "PK"]);
        assert_eq!(p.values(FilterDim::Region).collect::<Vec<_>>(), ["Central Asia"]);
        assert_eq!((p.per_brief, p.limit, p.offset, p.facet_limit), (3, 20, 40, 5));
    }

    #[test]
    fn empty_values_are_absent() {
        let p = parse("q=&since=&until=&country=&limit=").expect("parsed");
        assert_eq!(p, Params::empty(API_DEFAULTS));
        assert!(p.is_blank());
    }

    #[test]
    fn refuses_with_a_message_naming_the_parameter() {
        for (query, needle) in [
            ("limit=abc", "limit"),
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("offset=99999999999999999999999", "offset"),
            ("since=2021-13-01", "since"),
            ("until=21", "until"),
            ("since=2022&until=2021", "after"),
            ("scope=everything", "scope"),
            ("any=maybe", "any"),
            ("contry=Iran", "unknown parameter"),
            ("q=a&q=b", "twice"),
            ("q=%FF", "UTF-8"),
        ] {
            let err = parse(query).expect_err(query);
            assert!(err.0.contains(needle), "{query}: {}", err.0);
        }
    }

    #[test]
    fn urls_round_trip_in_a_fixed_order() {
        let p = parse("country=Iran&q=gas&until=2024&actor=A%26B&offset=10").expect("parsed");
        let query = p.to_query(API_DEFAULTS);
        assert_eq!(query, "q=gas&until=2024&country=Iran&actor=A%26B&offset=10");
        assert_eq!(parse(&query).expect("parsed again"), p);
        let toggled = p.with_filter(FilterDim::Country, "India");
        assert_eq!(toggled.offset, 0);
        assert_eq!(
            toggled.values(FilterDim::Country).collect::<Vec<_>>(),
            ["Iran", "India"]
        );
        let removed = toggled.without_filters(FilterDim::Country, &["Iran"]);
        assert_eq!(removed.values(FilterDim::Country).collect::<Vec<_>>(), ["India"]);
    }
}
