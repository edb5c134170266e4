//! A deterministic generator of news-like briefs for scale benchmarks.
//!
//! Why not copy the demo briefs: copies repeat the same few thousand word
//! forms, so term dictionaries, postings and facet tables stop growing after
//! the first copies and every figure looks better than it will on a real
//! archive. Real news text has:
//!
//! - a Zipfian vocabulary that keeps growing with the corpus (Heaps' law): new
//!   word forms keep appearing. Words are drawn by rank from a Zipf law over
//!   about 17 million ranks; the top ranks are English news words, the rest
//!   are pseudo-words spelled from syllables (short ones are frequent), so a
//!   corpus of N briefs sees more distinct words the larger N is. Function
//!   words come from their own list so the text reads like prose.
//! - names at the density of news, a few per paragraph: countries, cities,
//!   demonyms, organisations and people from the repository's gazetteer
//!   (`data/*.toml`, read at generation time) and invented people (regional
//!   given names and surnames from syllables) introduced with the cues the
//!   people finder looks for ("Foreign Minister X Y said").
//! - the shape of a brief: headline, `date YYYY-MM-DD`, sometimes `Author:`,
//!   4-12 paragraphs of 40-150 words, wire datelines, `Advertisement` lines.
//!
//! Brief `i` depends only on the seed and `i` (its own PRNG stream), so a
//! corpus of 10k briefs is the first 10k briefs of a corpus of 100k, the
//! briefs can be written in parallel, and the same seed gives the same bytes.
//! The vocabulary (word, phrase and person at a given rank) does not depend
//! on the seed, so a query built from ranks means the same thing for every
//! seed and every N.

#![allow(dead_code)] // shared by the bench and by examples/gen_corpus.rs, which use different parts

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Briefs per sub-folder of a generated corpus.
pub const BRIEFS_PER_FOLDER: u64 = 1000;

/// Why a corpus could not be generated.
#[derive(Debug)]
pub enum GenError {
    Io(PathBuf, std::io::Error),
    Data(PathBuf, String),
}

impl std::fmt::Display for GenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GenError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            GenError::Data(path, message) => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for GenError {}

// ---------------------------------------------------------------------------
// PRNG and Zipf sampling

/// splitmix64: tiny, fast, good enough for text, and identical everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi] (inclusive).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next_u64() as usize % items.len()]
    }

    pub fn pick_str<'a, S: AsRef<str>>(&mut self, items: &'a [S]) -> &'a str {
        self.pick(items).as_ref()
    }

    /// A rank in [0, n) from a Zipf law with exponent `s`.
    pub fn zipf(&mut self, n: u64, s: f64) -> u64 {
        self.zipf_mandelbrot(n, s, 0.0)
    }

    /// A rank in [0, n) with probability proportional to `1 / (rank + 1 + q)^s`
    /// (Zipf-Mandelbrot: `q` flattens the head, as in real word counts, where
    /// the top content words are not an order of magnitude apart). Continuous
    /// inverse-CDF approximation: O(1), no tables.
    pub fn zipf_mandelbrot(&mut self, n: u64, s: f64, q: f64) -> u64 {
        let u = self.unit();
        let (lo, hi) = (1.0 + q, n as f64 + 1.0 + q);
        let x = if (s - 1.0).abs() < 1e-9 {
            (lo.ln() + u * (hi.ln() - lo.ln())).exp()
        } else {
            let a = 1.0 - s;
            (lo.powf(a) + u * (hi.powf(a) - lo.powf(a))).powf(1.0 / a)
        };
        ((x - lo) as u64).min(n - 1)
    }

    /// Log-uniform in [lo, hi]: as many draws per decade of ranks.
    pub fn log_uniform(&mut self, lo: u64, hi: u64) -> u64 {
        let (l, h) = ((lo as f64).ln(), (hi as f64 + 1.0).ln());
        ((l + self.unit() * (h - l)).exp() as u64).clamp(lo, hi)
    }
}

/// The splitmix64 finaliser: a bijective 64-bit mix.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------
// The vocabulary: function words, content words by rank, phrases, people

/// Function words, most frequent first, drawn from their own Zipf law.
const FUNCTION_WORDS: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "that", "is", "was", "for", "on", "with", "as", "by", "at", "from", "it",
    "be", "has", "have", "had", "are", "were", "an", "this", "which", "or", "but", "not", "its", "their", "after",
    "will", "would", "been", "also", "more", "than", "other", "over", "into", "they", "about", "some", "all", "could",
    "his", "her", "he", "she", "we", "there", "when", "while", "during", "against", "between", "under", "since",
    "before", "because", "most", "many", "such", "these", "those", "can", "may", "should", "only", "both", "each",
    "any", "no", "up", "out", "so", "if", "then", "what", "our", "them", "very", "through", "where", "how", "why",
    "who", "whose", "across", "without", "within", "among", "until", "though", "whether", "further", "even",
];

/// The top content ranks: English news words (no role words, honorifics or
/// speech verbs, which would make the people finder see names everywhere).
const NEWS_WORDS: &[&str] = &[
    "government",
    "security",
    "border",
    "officials",
    "people",
    "trade",
    "country",
    "talks",
    "forces",
    "year",
    "water",
    "power",
    "province",
    "economic",
    "region",
    "aid",
    "meeting",
    "political",
    "women",
    "week",
    "report",
    "agreement",
    "gas",
    "military",
    "month",
    "rights",
    "refugees",
    "foreign",
    "local",
    "project",
    "attack",
    "peace",
    "international",
    "regional",
    "national",
    "development",
    "support",
    "deal",
    "years",
    "new",
    "cooperation",
    "humanitarian",
    "market",
    "policy",
    "crisis",
    "pipeline",
    "election",
    "health",
    "education",
    "railway",
    "oil",
    "prices",
    "energy",
    "troops",
    "route",
    "corridor",
    "investment",
    "food",
    "families",
    "workers",
    "children",
    "schools",
    "students",
    "villages",
    "district",
    "capital",
    "visit",
    "delegation",
    "statement",
    "sanctions",
    "relations",
    "conflict",
    "dispute",
    "violence",
    "protest",
    "protests",
    "court",
    "law",
    "ban",
    "decision",
    "plan",
    "budget",
    "funds",
    "loan",
    "bank",
    "currency",
    "exports",
    "imports",
    "goods",
    "transit",
    "trucks",
    "port",
    "highway",
    "airport",
    "flights",
    "station",
    "dam",
    "river",
    "drought",
    "floods",
    "earthquake",
    "migrants",
    "returnees",
    "camp",
    "camps",
    "shelter",
    "clinic",
    "hospital",
    "doctors",
    "vaccine",
    "disease",
    "wheat",
    "rice",
    "cotton",
    "harvest",
    "farmers",
    "land",
    "mine",
    "mines",
    "minerals",
    "copper",
    "lithium",
    "coal",
    "electricity",
    "grid",
    "supply",
    "demand",
    "growth",
    "inflation",
    "unemployment",
    "poverty",
    "debt",
    "tax",
    "customs",
    "smuggling",
    "drugs",
    "opium",
    "poppy",
    "arrest",
    "arrests",
    "prison",
    "detained",
    "released",
    "killed",
    "wounded",
    "bombing",
    "blast",
    "explosion",
    "militants",
    "fighters",
    "group",
    "groups",
    "network",
    "operation",
    "operations",
    "checkpoint",
    "patrol",
    "clashes",
    "ceasefire",
    "negotiations",
    "summit",
    "conference",
    "forum",
    "framework",
    "memorandum",
    "contract",
    "tender",
    "construction",
    "works",
    "road",
    "bridge",
    "tunnel",
    "line",
    "section",
    "phase",
    "stage",
    "capacity",
    "volume",
    "cubic",
    "metres",
    "tonnes",
    "kilometres",
    "percent",
    "million",
    "billion",
    "dollars",
    "figures",
    "data",
    "survey",
    "study",
    "analysts",
    "experts",
    "observers",
    "residents",
    "traders",
    "businessmen",
    "journalists",
    "media",
    "press",
    "television",
    "radio",
    "newspaper",
    "website",
    "internet",
    "access",
    "restrictions",
    "rules",
    "decree",
    "order",
    "orders",
    "officers",
    "police",
    "army",
    "soldiers",
    "guards",
    "commanders",
    "leaders",
    "elders",
    "tribal",
    "religious",
    "clerics",
    "community",
    "communities",
    "ethnic",
    "minority",
    "minorities",
    "language",
    "culture",
    "history",
    "heritage",
    "museum",
    "university",
    "teachers",
    "girls",
    "boys",
    "youth",
    "jobs",
    "salaries",
    "wages",
    "pensions",
    "fuel",
    "diesel",
    "petrol",
    "shortage",
    "shortages",
    "winter",
    "summer",
    "spring",
    "autumn",
    "weather",
    "snow",
    "heat",
    "cold",
    "season",
    "day",
    "days",
    "hours",
    "night",
    "morning",
    "evening",
    "weekend",
    "future",
    "past",
    "recent",
    "major",
    "key",
    "main",
    "large",
    "small",
    "long",
    "short",
    "high",
    "low",
    "public",
    "private",
    "official",
    "joint",
    "bilateral",
    "multilateral",
    "strategic",
    "technical",
    "financial",
    "legal",
    "social",
    "cultural",
    "diplomatic",
    "nuclear",
    "civil",
    "armed",
    "free",
    "open",
    "closed",
    "early",
    "late",
    "former",
    "current",
    "next",
    "previous",
    "further",
    "additional",
    "several",
    "few",
];

/// Two-word collocations at the top phrase ranks.
const NEWS_PHRASES: &[(&str, &str)] = &[
    ("gas", "pipeline"),
    ("security", "forces"),
    ("border", "crossing"),
    ("peace", "talks"),
    ("human", "rights"),
    ("power", "plant"),
    ("trade", "route"),
    ("water", "dispute"),
    ("refugee", "camp"),
    ("central", "bank"),
    ("interim", "government"),
    ("armed", "forces"),
    ("natural", "gas"),
    ("railway", "line"),
    ("food", "prices"),
    ("aid", "agencies"),
    ("border", "guards"),
    ("trade", "volume"),
    ("transit", "corridor"),
    ("customs", "duties"),
    ("joint", "statement"),
    ("working", "group"),
    ("free", "trade"),
    ("civil", "society"),
    ("press", "conference"),
    ("economic", "zone"),
    ("road", "network"),
    ("energy", "supply"),
    ("drug", "trafficking"),
    ("mine", "clearance"),
    ("water", "supply"),
    ("girls", "schools"),
    ("health", "workers"),
    ("polling", "stations"),
    ("cross", "border"),
    ("national", "army"),
    ("local", "residents"),
    ("tribal", "elders"),
    ("high", "level"),
    ("long", "term"),
];

/// Consonants and vowels of pseudo-words: every syllable is one consonant
/// (possibly two letters) and one vowel, so a word spells its digits
/// unambiguously and two ranks of one tier never spell the same word.
const CONSONANTS: &[&str] = &[
    "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh",
];
const VOWELS: &[&str] = &["a", "e", "i", "o"];

/// Pseudo-word tiers: 2, 3 and 4 syllables of 64 kinds; short words take
/// the more frequent ranks, as in real languages.
const TIERS: &[(u32, u64)] = &[(2, 1 << 12), (3, 1 << 18), (4, 1 << 24)];

/// Content ranks: the news words, then every pseudo-word of every tier.
pub const CONTENT_RANKS: u64 = NEWS_WORDS.len() as u64 + (1 << 12) + (1 << 18) + (1 << 24);
/// Zipf exponent of content words. Above the textbook 1 because the ranks
/// here are unbounded: with 1.7 (and the offset below) the distinct content
/// words grow like English news text (Heaps' law, exponent about 0.6): about
/// 110k at 10k briefs, 400k at 100k, 1.5M at 1M, with 1-2% hapaxes.
const CONTENT_ZIPF: f64 = 1.7;
/// Zipf-Mandelbrot offset of content words: the most frequent content word
/// is about 0.35% of them, as "government" is in news, not 8%.
const CONTENT_HEAD: f64 = 200.0;
/// Phrase ranks (the news phrases, then pseudo-word collocations).
pub const PHRASE_RANKS: u64 = 1 << 17;
/// Invented people ranks.
pub const PERSON_RANKS: u64 = 1 << 20;

/// A bijective scramble of `x` within `bits` bits, so that neighbouring
/// ranks do not spell neighbouring words.
fn scramble(mut x: u64, bits: u32) -> u64 {
    let mask = (1u64 << bits) - 1;
    for k in [0x9E37_79B9u64 | 1, 0x85EB_CA6Bu64 | 1] {
        x = x.wrapping_mul(k) & mask;
        x ^= x >> (bits / 2);
    }
    x
}

/// Spells `syllables` syllables from the base-64 digits of `x`.
fn spell(mut x: u64, syllables: u32, out: &mut String) {
    for _ in 0..syllables {
        let d = (x % 64) as usize;
        x /= 64;
        out.push_str(CONSONANTS[d / 4]);
        out.push_str(VOWELS[d % 4]);
    }
}

/// The content word at `rank` (0 = most frequent).
pub fn content_word(rank: u64) -> String {
    if let Some(w) = NEWS_WORDS.get(rank as usize) {
        return (*w).to_string();
    }
    let mut k = rank - NEWS_WORDS.len() as u64;
    let mut out = String::new();
    for &(syllables, size) in TIERS {
        if k < size {
            spell(scramble(k, syllables * 6), syllables, &mut out);
            return out;
        }
        k -= size;
    }
    spell(k, 5, &mut out); // beyond the ranks sampled; kept total
    out
}

/// The two words of the collocation at `rank`.
pub fn phrase(rank: u64) -> (String, String) {
    if let Some((a, b)) = NEWS_PHRASES.get(rank as usize) {
        return ((*a).to_string(), (*b).to_string());
    }
    // Pseudo collocations of mid-frequency words, like "kalo shemi".
    let h = mix64(rank ^ 0x005E_ED0F_C011_0CA7);
    let a = 40 + (h & 0xFFF) % 4000;
    let b = 40 + ((h >> 20) & 0xFFFF) % 20000;
    (content_word(a), content_word(b))
}

/// Regional flavours of invented names: given names and surname endings.
struct Flavour {
    given: &'static [&'static str],
    endings: &'static [&'static str],
}

const FLAVOURS: &[Flavour] = &[
    Flavour {
        given: &[
            "Mohammad",
            "Abdul",
            "Ahmad",
            "Gul",
            "Noor",
            "Hamidullah",
            "Rahmatullah",
            "Sayed",
            "Fazal",
            "Zalmai",
            "Wahid",
            "Nasir",
            "Habib",
            "Karim",
            "Shafiq",
            "Laila",
            "Nargis",
            "Freshta",
            "Mariam",
            "Sharifa",
        ],
        endings: &["zai", "ullah", "yar", "khel", "wal", "i", "zada"],
    },
    Flavour {
        given: &[
            "Reza", "Ali", "Hossein", "Javad", "Mehdi", "Saeed", "Majid", "Hamid", "Zahra", "Maryam", "Fatemeh",
            "Niloufar", "Kourosh", "Bahram", "Parviz", "Shirin",
        ],
        endings: &["i", "pour", "nejad", "zadeh", "far", "ian", "vand"],
    },
    Flavour {
        given: &[
            "Timur", "Rustam", "Bahrom", "Dilnoza", "Zarina", "Nurlan", "Aziz", "Sherzod", "Gulnara", "Murat", "Askar",
            "Aida", "Farrukh", "Jamshid", "Saida", "Daniyar",
        ],
        endings: &["ov", "ova", "bekov", "zoda", "ev", "iyev", "murodov"],
    },
    Flavour {
        given: &[
            "Sanjay", "Priya", "Arjun", "Ravi", "Imran", "Bilal", "Ayesha", "Farhan", "Anil", "Sunita", "Kamran",
            "Rohit", "Meera", "Tariq", "Nadia", "Vikram",
        ],
        endings: &["war", "kar", "ani", "oor", "ari", "esh", "wala"],
    },
];

/// An invented person: given name(s) and a surname.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub given: String,
    pub surname: String,
}

impl Person {
    pub fn full(&self) -> String {
        format!("{} {}", self.given, self.surname)
    }
}

/// The invented person at `rank`.
pub fn person(rank: u64) -> Person {
    let h = mix64(rank ^ 0xB0B5_EED0_0000_0001);
    let flavour = &FLAVOURS[(h % FLAVOURS.len() as u64) as usize];
    let g = (h >> 8) as usize;
    let mut given = flavour.given[g % flavour.given.len()].to_string();
    if (h >> 40).is_multiple_of(5) {
        // A second given name: "Mohammad Nasir ...".
        given.push(' ');
        given.push_str(flavour.given[(g / 31) % flavour.given.len()]);
    }
    let mut surname = String::new();
    spell((h >> 16) & 0xFFF, 2, &mut surname);
    surname.push_str(flavour.endings[((h >> 28) % flavour.endings.len() as u64) as usize]);
    let surname = capitalise(&surname);
    Person { given, surname }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// The gazetteer, read from data/*.toml

/// A country with the forms text uses for it.
#[derive(Debug, Clone)]
pub struct CountryNames {
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub demonyms: Vec<String>,
    /// Cities, provinces and metonyms of the country (data/places.toml).
    pub places: Vec<String>,
}

/// An organisation or a known person from the gazetteer.
#[derive(Debug, Clone)]
pub struct Named {
    pub name: String,
    pub aliases: Vec<String>,
}

/// Country codes in the order of their frequency in generated briefs: the
/// region the briefs follow first, then the powers around it, then the rest
/// in file order.
const FOCUS: &[&str] = &[
    "AF", "IR", "PK", "IN", "TM", "UZ", "TJ", "CN", "RU", "US", "KZ", "KG", "TR", "SA", "AE", "QA", "AZ", "GB", "DE",
    "FR", "UA", "IQ", "BD", "JP", "IL", "EG", "OM", "GE", "AM", "BE",
];

/// Names read from the repository's gazetteer files.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    /// Most frequent first (see [`FOCUS`]).
    pub countries: Vec<CountryNames>,
    /// In file order (which puts the region's own first).
    pub orgs: Vec<Named>,
    pub people: Vec<Named>,
}

fn read_toml(path: &Path) -> Result<toml::Table, GenError> {
    let text = fs::read_to_string(path).map_err(|e| GenError::Io(path.to_path_buf(), e))?;
    text.parse::<toml::Table>()
        .map_err(|e| GenError::Data(path.to_path_buf(), e.to_string()))
}

fn strings(value: Option<&toml::Value>) -> Vec<String> {
    value
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str())
                // Native-script aliases are left to real briefs: the generated
                // text is English.
                .filter(|s| !s.is_empty() && s.is_ascii())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn named_list(path: &Path, key: &str) -> Result<Vec<Named>, GenError> {
    let table = read_toml(path)?;
    let items = table
        .get(key)
        .and_then(|v| v.as_array())
        .ok_or_else(|| GenError::Data(path.to_path_buf(), format!("no [[{key}]] entries")))?;
    Ok(items
        .iter()
        .filter_map(|item| {
            let name = item.get("name")?.as_str()?;
            (!name.is_empty()).then(|| Named {
                name: name.to_string(),
                aliases: strings(item.get("aliases")),
            })
        })
        .collect())
}

impl Gazetteer {
    /// Reads `countries.toml`, `places.toml`, `orgs.toml` and `people.toml`
    /// from `data_dir`.
    pub fn load(data_dir: &Path) -> Result<Gazetteer, GenError> {
        let countries_path = data_dir.join("countries.toml");
        let table = read_toml(&countries_path)?;
        let mut by_code: BTreeMap<String, CountryNames> = BTreeMap::new();
        let mut file_order = Vec::new();
        for (code, entry) in &table {
            let Some(name) = entry.get("name").and_then(|v| v.as_str()).filter(|n| !n.is_empty()) else {
                continue;
            };
            file_order.push(code.clone());
            by_code.insert(
                code.clone(),
                CountryNames {
                    code: code.clone(),
                    name: name.to_string(),
                    aliases: strings(entry.get("aliases")),
                    demonyms: strings(entry.get("demonyms")),
                    places: Vec::new(),
                },
            );
        }
        let places_path = data_dir.join("places.toml");
        let places = read_toml(&places_path)?;
        let places = places
            .get("places")
            .and_then(|v| v.as_table())
            .ok_or_else(|| GenError::Data(places_path.clone(), "no [places] table".into()))?;
        for (place, code) in places {
            if let (Some(code), true) = (code.as_str(), place.is_ascii()) {
                if let Some(country) = by_code.get_mut(code) {
                    country.places.push(place.clone());
                }
            }
        }
        let mut countries = Vec::new();
        for code in FOCUS.iter().map(|c| c.to_string()).chain(file_order) {
            if let Some(country) = by_code.remove(&code) {
                countries.push(country);
            }
        }
        if countries.is_empty() {
            return Err(GenError::Data(countries_path, "no countries".into()));
        }
        let orgs = named_list(&data_dir.join("orgs.toml"), "org")?;
        let people = named_list(&data_dir.join("people.toml"), "person")?;
        if orgs.is_empty() || people.is_empty() {
            return Err(GenError::Data(
                data_dir.to_path_buf(),
                "no organisations or no people".into(),
            ));
        }
        Ok(Gazetteer {
            countries,
            orgs,
            people,
        })
    }
}

// ---------------------------------------------------------------------------
// Briefs

/// Roles that introduce an invented person ("Foreign Minister X Y said").
const ROLES_BEFORE: &[&str] = &[
    "Foreign Minister",
    "Deputy Foreign Minister",
    "Interior Minister",
    "Governor",
    "Ambassador",
    "Mawlawi",
    "Dr.",
    "spokesman",
    "Commander",
    "Deputy Prime Minister",
    "Energy Minister",
    "provincial governor",
    "Mayor",
];
/// Roles in an apposition ("X, the head of Y, said").
const ROLES_AFTER: &[&str] = &[
    "head",
    "spokesman",
    "envoy",
    "director",
    "chairman",
    "representative",
    "adviser",
];
const SPEECH: &[&str] = &[
    "said",
    "told reporters",
    "stressed",
    "warned",
    "added",
    "announced",
    "noted",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SUBHEADINGS: &[&str] = &[
    "What changed",
    "Background",
    "Reactions",
    "The numbers",
    "What comes next",
    "On the ground",
];

/// Generates briefs from a seed and a gazetteer.
pub struct Generator {
    pub seed: u64,
    pub gazetteer: Gazetteer,
}

/// What a generated brief names (the rest is text).
struct BriefState {
    /// Invented people named so far, for later surname-only mentions.
    people: Vec<Person>,
}

impl Generator {
    pub fn new(seed: u64, gazetteer: Gazetteer) -> Generator {
        Generator { seed, gazetteer }
    }

    /// The PRNG stream of brief `i`.
    fn rng(&self, i: u64) -> Rng {
        Rng::new(mix64(self.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ mix64(i)))
    }

    /// The path (relative to the corpus root) of brief `i`.
    pub fn path(&self, i: u64) -> PathBuf {
        let ext = if i % 7 == 3 { "md" } else { "txt" };
        PathBuf::from(format!("part-{:04}", i / BRIEFS_PER_FOLDER)).join(format!("brief-{i:07}.{ext}"))
    }

    fn country(&self, rng: &mut Rng) -> &CountryNames {
        let countries = &self.gazetteer.countries;
        &countries[rng.zipf(countries.len() as u64, 1.2) as usize]
    }

    /// A country as text names it: name, alias, a place in it, or a demonym
    /// with a noun.
    fn country_mention(&self, rng: &mut Rng, out: &mut String) {
        let c = self.country(rng);
        let roll = rng.unit();
        if roll < 0.45 || (roll < 0.75 && c.places.is_empty()) {
            out.push_str(&c.name);
        } else if roll < 0.75 {
            out.push_str(rng.pick_str(&c.places));
        } else if roll < 0.93 && !c.demonyms.is_empty() {
            out.push_str(rng.pick_str(&c.demonyms));
            out.push(' ');
            out.push_str(rng.pick_str(&["officials", "traders", "forces", "authorities", "media", "families"]));
        } else if !c.aliases.is_empty() {
            out.push_str(rng.pick_str(&c.aliases));
        } else {
            out.push_str(&c.name);
        }
    }

    fn named(&self, rng: &mut Rng, list: &[Named], s: f64, out: &mut String) {
        let n = &list[rng.zipf(list.len() as u64, s) as usize];
        if !n.aliases.is_empty() && rng.chance(0.25) {
            out.push_str(rng.pick_str(&n.aliases));
        } else {
            out.push_str(&n.name);
        }
    }

    fn org_mention(&self, rng: &mut Rng, out: &mut String) {
        out.push_str("the ");
        self.named(rng, &self.gazetteer.orgs, 1.0, out);
    }

    /// Plain words: function words, content words by Zipf rank, phrases,
    /// numbers and commas.
    fn words(&self, rng: &mut Rng, n: u64, out: &mut String) {
        for k in 0..n {
            if k > 0 {
                if rng.chance(0.06) {
                    out.push(',');
                }
                out.push(' ');
            }
            let roll = rng.unit();
            if roll < 0.46 {
                out.push_str(FUNCTION_WORDS[rng.zipf(FUNCTION_WORDS.len() as u64, 1.0) as usize]);
            } else if roll < 0.50 {
                let (a, b) = phrase(rng.zipf_mandelbrot(PHRASE_RANKS, 1.1, 10.0));
                out.push_str(&a);
                out.push(' ');
                out.push_str(&b);
            } else if roll < 0.515 {
                let number = if rng.chance(0.4) {
                    rng.range(1990, 2025)
                } else {
                    rng.range(2, 999)
                };
                let _ = write!(out, "{number}");
            } else {
                out.push_str(&content_word(rng.zipf_mandelbrot(
                    CONTENT_RANKS,
                    CONTENT_ZIPF,
                    CONTENT_HEAD,
                )));
            }
        }
    }

    fn invented(&self, rng: &mut Rng, state: &mut BriefState) -> Person {
        let p = person(rng.zipf(PERSON_RANKS, 1.05));
        state.people.push(p.clone());
        p
    }

    /// One sentence: words, with at most one or two names where news has them.
    fn sentence(&self, rng: &mut Rng, state: &mut BriefState, out: &mut String) {
        let start = out.len();
        let len = rng.range(6, 22);
        let roll = rng.unit();
        if roll < 0.10 {
            // "Foreign Minister Gul Kalozai said ..."
            let p = self.invented(rng, state);
            let _ = write!(out, "{} {} {} ", rng.pick(ROLES_BEFORE), p.full(), rng.pick(SPEECH));
            self.words(rng, len, out);
        } else if roll < 0.15 {
            // "Gul Kalozai, the head of the United Nations, said ..."
            let p = self.invented(rng, state);
            let _ = write!(out, "{}, the {} of ", p.full(), rng.pick(ROLES_AFTER));
            if rng.chance(0.5) {
                self.org_mention(rng, out);
            } else {
                out.push_str("the ");
                self.words(rng, 1, out);
                out.push_str(" office");
            }
            let _ = write!(out, ", {} ", rng.pick(SPEECH));
            self.words(rng, len, out);
        } else if roll < 0.19 && !state.people.is_empty() {
            // A later surname-only mention.
            let p = rng.pick(&state.people).clone();
            let _ = write!(out, "{} {} ", p.surname, rng.pick(SPEECH));
            self.words(rng, len, out);
        } else if roll < 0.25 {
            // A known person from the gazetteer.
            self.named(rng, &self.gazetteer.people, 1.1, out);
            let _ = write!(out, " {} ", rng.pick(SPEECH));
            self.words(rng, len, out);
        } else if roll < 0.45 {
            // "... in Herat ..."
            let a = rng.range(2, len);
            self.words(rng, a, out);
            out.push_str(rng.pick_str(&[" in ", " from ", " with ", " and ", " near "]));
            self.country_mention(rng, out);
            out.push(' ');
            self.words(rng, len - a + 1, out);
        } else if roll < 0.57 {
            let a = rng.range(2, len);
            self.words(rng, a, out);
            out.push(' ');
            self.org_mention(rng, out);
            out.push(' ');
            self.words(rng, len - a + 1, out);
        } else if roll < 0.63 {
            // Two countries: "between Iran and Turkmenistan".
            self.words(rng, len / 2, out);
            out.push_str(" between ");
            self.country_mention(rng, out);
            out.push_str(" and ");
            self.country_mention(rng, out);
            out.push(' ');
            self.words(rng, len / 2, out);
        } else {
            self.words(rng, len, out);
        }
        // Sentence case: the first letter upper-cased.
        if let Some(c) = out[start..].chars().next() {
            if c.is_lowercase() {
                let upper: String = c.to_uppercase().collect();
                out.replace_range(start..start + c.len_utf8(), &upper);
            }
        }
        out.push('.');
    }

    fn paragraph(&self, rng: &mut Rng, state: &mut BriefState, dateline: Option<(&str, &str, u64)>, out: &mut String) {
        let target = rng.range(40, 150) as usize;
        if let Some((city, month, day)) = dateline {
            let _ = write!(out, "{}, {month} {day} (Wire) - ", city.to_uppercase());
        }
        let start = out.len();
        let mut first = true;
        while out[start..].split(' ').count() < target {
            if !first {
                out.push(' ');
            }
            first = false;
            self.sentence(rng, state, out);
        }
    }

    /// The text of brief `i`.
    pub fn brief(&self, i: u64) -> String {
        let mut rng = self.rng(i);
        let mut state = BriefState { people: Vec::new() };
        let mut out = String::with_capacity(6000);

        // Headline: sentence case, no final period, a name in most.
        let mut headline = String::new();
        let n = rng.range(4, 9);
        if rng.chance(0.7) {
            self.country_mention(&mut rng, &mut headline);
            headline.push(' ');
        }
        self.words(&mut rng, n, &mut headline);
        let headline = capitalise(headline.trim_end_matches(','));
        if i % 7 == 3 {
            out.push_str("# ");
        }
        out.push_str(&headline);
        out.push_str("\n\n");

        // Dates: 2015-01-01 .. 2025-12-28, days 1-28 so every month has them.
        let (year, month, day) = (rng.range(2015, 2025), rng.range(1, 12), rng.range(1, 28));
        let _ = write!(out, "date {year}-{month:02}-{day:02}\n\n");
        if rng.chance(0.4) {
            let p = person(rng.zipf(PERSON_RANKS, 1.05));
            let _ = write!(out, "Author: {}\n\n", p.full());
        }

        // 4-12 paragraphs, short briefs more common than long ones.
        let paragraphs = 4 + rng.range(0, 8).min(rng.range(0, 8));
        let advert_at = rng.chance(0.3).then(|| rng.range(1, paragraphs - 1));
        let home = self.country(&mut rng).clone();
        let month_name = MONTHS[(month - 1) as usize];
        for k in 0..paragraphs {
            if advert_at == Some(k) {
                out.push_str("Advertisement\n\n");
            }
            if k > 0 && rng.chance(0.08) {
                let _ = write!(out, "{}\n\n", rng.pick(SUBHEADINGS));
            }
            let wire = if k == 0 { rng.chance(0.6) } else { rng.chance(0.04) };
            let city = if !home.places.is_empty() && rng.chance(0.8) {
                rng.pick(&home.places).as_str()
            } else {
                home.name.as_str()
            };
            self.paragraph(&mut rng, &mut state, wire.then_some((city, month_name, day)), &mut out);
            out.push_str("\n\n");
        }
        out.pop();
        out
    }

    /// Writes briefs `0..n` under `out` (sub-folders of [`BRIEFS_PER_FOLDER`]),
    /// on all cores; returns the bytes written.
    pub fn write_corpus(&self, out: &Path, n: u64) -> Result<u64, GenError> {
        let folders = n.div_ceil(BRIEFS_PER_FOLDER);
        let next = AtomicU64::new(0);
        let bytes = AtomicU64::new(0);
        let failure: Mutex<Option<GenError>> = Mutex::new(None);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| loop {
                    let folder = next.fetch_add(1, Ordering::Relaxed);
                    if folder >= folders {
                        return;
                    }
                    let result = (|| -> Result<(), GenError> {
                        let first = folder * BRIEFS_PER_FOLDER;
                        let dir = out.join(self.path(first).parent().unwrap_or(Path::new("")));
                        fs::create_dir_all(&dir).map_err(|e| GenError::Io(dir.clone(), e))?;
                        for i in first..(first + BRIEFS_PER_FOLDER).min(n) {
                            let text = self.brief(i);
                            let path = out.join(self.path(i));
                            fs::write(&path, &text).map_err(|e| GenError::Io(path, e))?;
                            bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
                        }
                        Ok(())
                    })();
                    if let Err(e) = result {
                        if let Ok(mut slot) = failure.lock() {
                            slot.get_or_insert(e);
                        }
                        next.store(folders, Ordering::Relaxed);
                    }
                });
            }
        });
        if let Some(e) = failure.into_inner().ok().flatten() {
            return Err(e);
        }
        Ok(bytes.into_inner())
    }
}
