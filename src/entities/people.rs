//! Finding names of people that no list knows, from the cues briefs use:
//! a title or role before the name ("Foreign Minister Amir Khan Muttaqi",
//! "Mawlawi ..."), a role nearby ("the head of the National Resistance Front
//! Ahmad Massoud"), an apposition ("Ahmad Massoud, the head of ...") or a
//! speech verb after it ("Vepa Khadzhiev said").
//!
//! Precision matters more than recall here: a capitalised run is a name only
//! when a cue says so, and role words, institutions, places and weekdays
//! break a run instead of joining it.

use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

/// A word of the text with its byte span and the text since the previous word.
#[derive(Debug, Clone)]
pub(crate) struct Word<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub gap_before: &'a str,
}

/// A run of name words accepted as a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameCandidate {
    pub start: usize,
    pub end: usize,
    /// Normalised name words ("S." for an initial), honorifics removed.
    pub tokens: Vec<String>,
    /// True when a title, honorific or role directly precedes the name.
    pub strong: bool,
}

/// Splits text into words that keep internal hyphens, apostrophes and the
/// dot of an initial or an abbreviation ("Dr.", "S.", "Amir-Abdollahian").
pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 6 + 1);
    let mut last_end = 0;
    let mut i = 0;
    // Byte by byte for ASCII, a char at a time otherwise.
    let char_at = |at: usize| -> char {
        match bytes[at] {
            b if b < 0x80 => b as char,
            _ => text[at..].chars().next().unwrap_or(' '),
        }
    };
    while i < bytes.len() {
        let c = char_at(i);
        if !c.is_alphanumeric() && c != '@' {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let mut end = i + c.len_utf8();
        while end < bytes.len() {
            let b = bytes[end];
            if b < 0x80 {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'\'' | b'.') {
                    end += 1;
                    continue;
                }
                break;
            }
            let d = char_at(end);
            if d.is_alphanumeric() || matches!(d, '\u{2019}' | '\u{200c}') {
                end += d.len_utf8();
            } else {
                break;
            }
        }
        i = end;
        let mut word = &text[start..end];
        // Trailing punctuation is not part of the word, except the dot of an
        // initial ("S.") or of a known abbreviation ("Dr.").
        while let Some(last) = word.chars().last() {
            let keep_dot =
                last == '.' && (is_initial(word) || cue_bits(word) & HONORIFIC != 0 || NAME_SUFFIXES.contains(&word));
            if matches!(last, '-' | '\'' | '\u{2019}' | '.' | '\u{200c}') && !keep_dot {
                word = &word[..word.len() - last.len_utf8()];
            } else {
                break;
            }
        }
        if word.is_empty() {
            continue;
        }
        out.push(Word {
            start,
            end: start + word.len(),
            text: word,
            gap_before: &text[last_end..start],
        });
        last_end = start + word.len();
    }
    out
}

/// Generational suffixes that end a name with their dot ("Clay Tice Jr."),
/// as the tagger and labelled data write them.
const NAME_SUFFIXES: &[&str] = &["Jr.", "Sr."];

/// Ranks and titles before a name like [`HONORIFICS`] ("Captain Farid
/// Ahmadi" names Farid Ahmadi, "Sheriff Don Eslinger" Don Eslinger), kept
/// out of that list because the tagger's lexicon reads it and its weights
/// were trained on it.
const CUE_TITLES: &[&str] = &[
    "lieutenant",
    "captain",
    "capt.",
    "sergeant",
    "sgt.",
    "coach",
    "sheriff",
    "inspector",
    "detective",
    "constable",
    "reverend",
    "rev.",
    "pastor",
    "imam",
    "rabbi",
];

fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) | (Some(c), None, None) if c.is_uppercase())
}

/// Titles and honorifics that come right before a name (lower-cased, with the dot).
pub(crate) const HONORIFICS: &[&str] = &[
    "dr.",
    "dr",
    "mr.",
    "mr",
    "mrs.",
    "mrs",
    "ms.",
    "ms",
    "mawlawi",
    "maulvi",
    "mawlavi",
    "molvi",
    "molavi",
    "ustad",
    "mullah",
    "mulla",
    "sheikh",
    "shaikh",
    "haji",
    "hajji",
    "qari",
    "sardar",
    "ayatollah",
    "hojatoleslam",
    "gen.",
    "gen",
    "general",
    "lt.",
    "colonel",
    "col.",
    "brigadier",
    "admiral",
    "marshal",
    "sir",
    "prince",
    "king",
    "emir",
    "sultan",
    "queen",
    "syed",
    "sayed",
    "sayyid",
    "hazrat",
    "eng.",
    "prof.",
    "professor",
    "justice",
    "senator",
    "sen.",
    "commander",
];

/// Roles: before a name they make it a person; near a name, too.
pub(crate) const ROLES: &[&str] = &[
    "minister",
    "ministers",
    "president",
    "vice-president",
    "premier",
    "chancellor",
    "envoy",
    "envoys",
    "ambassador",
    "spokesman",
    "spokesperson",
    "spokeswoman",
    "leader",
    "chief",
    "head",
    "commander",
    "secretary",
    "secretary-general",
    "governor",
    "chairman",
    "chairperson",
    "speaker",
    "director",
    "director-general",
    "representative",
    "adviser",
    "advisor",
    "counterpart",
    "founder",
    "negotiator",
    "mayor",
    "diplomat",
    "emir",
    "king",
    "prince",
    "sultan",
    "cleric",
    "mufti",
    "judge",
    "officer",
    "lawmaker",
    "senator",
    "delegate",
    "coordinator",
    "ceo",
    "chairwoman",
    "deputy",
    "official",
    // Occupations that news style puts before a name like a title
    // ("Economist Ayesha Siddiqa said").
    "economist",
    "analyst",
    "researcher",
    "activist",
    "lawyer",
    "journalist",
    "scholar",
    "writer",
    "poet",
    "singer",
    "engineer",
    "trader",
    "teacher",
];

/// Verbs after a full name that make it a person.
pub(crate) const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "wrote",
    "stated",
    "added",
    "noted",
    "posted",
    "tweeted",
    "announced",
    "warned",
    "urged",
    "stressed",
    "insisted",
    "argued",
    "explained",
    "confirmed",
    "denied",
    "claimed",
    "met",
    "visited",
    "thanked",
    "welcomed",
    "emphasised",
    "emphasized",
    "described",
    "called",
    "asked",
    "replied",
];

/// Capitalised words that are never part of a person's name.
const NOT_NAME_WORDS: &[&str] = &[
    // Function words that start sentences.
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "As",
    "By",
    "For",
    "From",
    "To",
    "Of",
    "And",
    "But",
    "Or",
    "Nor",
    "With",
    "Without",
    "During",
    "After",
    "Before",
    "Since",
    "Until",
    "While",
    "When",
    "Where",
    "Why",
    "How",
    "What",
    "Who",
    "Whom",
    "Which",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "Its",
    "He",
    "She",
    "They",
    "We",
    "I",
    "You",
    "His",
    "Her",
    "Their",
    "Our",
    "My",
    "Your",
    "According",
    "Meanwhile",
    "However",
    "Moreover",
    "Furthermore",
    "Additionally",
    "Also",
    "Earlier",
    "Later",
    "Last",
    "Next",
    "Both",
    "Each",
    "Every",
    "Some",
    "Many",
    "Most",
    "All",
    "No",
    "Not",
    "Such",
    "Despite",
    "Although",
    "Though",
    "If",
    "Then",
    "Thus",
    "Therefore",
    "Still",
    "Yet",
    "Even",
    "Only",
    "Just",
    "First",
    "Second",
    "Third",
    "New",
    "Former",
    "Current",
    "Acting",
    "Senior",
    "Top",
    "Speaking",
    "Asked",
    "Separately",
    "Instead",
    "Indeed",
    "Today",
    "Tomorrow",
    "Yesterday",
    "There",
    "Here",
    "Over",
    "Under",
    "Among",
    "Between",
    "Against",
    "Through",
    "Into",
    "Upon",
    "Amid",
    "Within",
    "Across",
    "Along",
    "Around",
    "Behind",
    "Beyond",
    "Toward",
    "Towards",
    "Via",
    "Per",
    "Once",
    "Now",
    "Again",
    "Further",
    "Because",
    "Unlike",
    "Like",
    "Following",
    "Regarding",
    "Given",
    "Asked",
    "Whether",
    "Analysts",
    "Officials",
    "Sources",
    "Observers",
    "Critics",
    "Experts",
    "Reports",
    "Residents",
    "Locals",
    "Members",
    "Leaders",
    "Delegations",
    "Several",
    "Few",
    "Other",
    "Others",
    "Another",
    "More",
    "Less",
    "Much",
    "Any",
    "Same",
    "Own",
    "Very",
    // Roles, titles and institutions.
    "Minister",
    "Ministers",
    "Ministry",
    "Ministries",
    "President",
    "Presidential",
    "Vice",
    "Prime",
    "Premier",
    "Foreign",
    "External",
    "Internal",
    "Interior",
    "Defence",
    "Defense",
    "Affairs",
    "Information",
    "Culture",
    "Deputy",
    "Interim",
    "Caretaker",
    "Supreme",
    "Chief",
    "Head",
    "Leader",
    "Leadership",
    "Envoy",
    "Special",
    "Ambassador",
    "Spokesman",
    "Spokesperson",
    "Spokeswoman",
    "Secretary",
    "General",
    "Governor",
    "Chairman",
    "Speaker",
    "Director",
    "Representative",
    "Adviser",
    "Advisor",
    "National",
    "Security",
    "Government",
    "Governments",
    "Council",
    "Front",
    "Party",
    "Army",
    "Forces",
    "Force",
    "Embassy",
    "Consulate",
    "Republic",
    "Islamic",
    "Emirate",
    "Province",
    "Provincial",
    "Militia",
    "Office",
    "Department",
    "Agency",
    "Committee",
    "Commission",
    "Assembly",
    "Parliament",
    "Senate",
    "Union",
    "Organisation",
    "Organization",
    "Bank",
    "Corporation",
    "Company",
    "Authority",
    "Authorities",
    "Court",
    "Police",
    "University",
    "Institute",
    "College",
    "School",
    "Hospital",
    "Museum",
    "Library",
    "Theatre",
    "Theater",
    "Cathedral",
    "Stadium",
    "Gym",
    "Dock",
    "Docks",
    "Reservoir",
    "Association",
    "Society",
    "Foundation",
    "Confederation",
    "League",
    "Club",
    "Championship",
    "Festival",
    "Orchestra",
    "Records",
    "Constituency",
    "Safety",
    "Centre",
    "Center",
    "Group",
    "Network",
    "Movement",
    "Alliance",
    "Coalition",
    "Convention",
    "Treaty",
    "Agreement",
    "Accord",
    "Accords",
    "Pipeline",
    "Railway",
    "Railways",
    "Corridor",
    "Project",
    "Summit",
    "Meeting",
    "Meetings",
    "Conference",
    "Forum",
    "Talks",
    "Process",
    "Initiative",
    "Programme",
    "Program",
    "Fund",
    "Council",
    "Cabinet",
    "Regime",
    "State",
    "States",
    "Federal",
    "Federation",
    "Kingdom",
    "Emirates",
    "Democratic",
    "People",
    "Peoples",
    "Development",
    "Cooperation",
    "Economic",
    "Trade",
    "Energy",
    "Gas",
    "Oil",
    "Power",
    "Transmission",
    "Line",
    "Port",
    "Airport",
    "Dam",
    "River",
    "Sea",
    "Ocean",
    "Gulf",
    "Strait",
    "Pass",
    "Valley",
    "Mountains",
    "Bridge",
    "Road",
    "Highway",
    "Station",
    "Square",
    "Palace",
    "Hotel",
    "Hall",
    "Street",
    "Border",
    "Crossing",
    "Gate",
    "Lake",
    "Zone",
    "District",
    "City",
    "Region",
    "Regional",
    "Western",
    "Eastern",
    "Northern",
    "Southern",
    "Central",
    "North",
    "South",
    "East",
    "West",
    "Relations",
    "Diplomatic",
    "International",
    "Global",
    "World",
    "Human",
    "Rights",
    "Humanitarian",
    "Operation",
    "Operations",
    "Mission",
    "Delegation",
    "Resolution",
    "Declaration",
    "Statement",
    "Act",
    "Law",
    "Constitution",
    "Strategy",
    "Policy",
    "Dialogue",
    "Framework",
    "Memorandum",
    "Understanding",
    "Joint",
    "Bilateral",
    "Trilateral",
    "Multilateral",
    "Format",
    "Contact",
    "Acting",
    "Mawlawi",
    "Mullah",
    "Sheikh",
    "Dr",
    "Mr",
    "Mrs",
    "Ms",
    "Gen",
    "Haji",
    "Qari",
    "Ayatollah",
    // Calendar.
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
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Eid",
    "Ramadan",
    "Nowruz",
    // Faiths, peoples, languages, media, platforms, boilerplate.
    "Sunni",
    "Shia",
    "Shiite",
    "Muslim",
    "Muslims",
    "Islam",
    "Islamist",
    "Islamists",
    "Jihadist",
    "Hindu",
    "Christian",
    "Pashtun",
    "Pashtuns",
    "Hazara",
    "Hazaras",
    "Baloch",
    "Kurdish",
    "Kurds",
    "Arab",
    "Arabs",
    "Persian",
    "Dari",
    "Pashto",
    "Urdu",
    "Hindi",
    "English",
    "Russian",
    "Chinese",
    "God",
    "Allah",
    "Quran",
    "Sharia",
    "Twitter",
    "Facebook",
    "Telegram",
    "WhatsApp",
    "Instagram",
    "YouTube",
    "News",
    "Post",
    "Posts",
    "Times",
    "Press",
    "Radio",
    "Television",
    "Related",
    "Advertisement",
    "Donate",
    "Credits",
    "Photo",
    "Covid",
    "Internet",
    "Author",
    "Volume",
    "Issue",
    "Brief",
    "Analysis",
    "Report",
    "Update",
    "Breaking",
];

const PARTICLES: &[&str] = &[
    "bin", "ibn", "al", "ul", "ud", "din", "de", "van", "von", "der", "da", "e", "el",
];

/// Bits of [`cue_bits`].
const HONORIFIC: u8 = 1;
const ROLE: u8 = 2;

/// Lower-cased honorifics and roles to their bits, and the capitalised
/// words that are never names. These are asked about every capitalised
/// word of every passage, so they are hash sets with a cheap hash, asked
/// without allocating.
struct WordLists {
    cues: FxHashMap<&'static str, u8>,
    not_names: FxHashSet<&'static str>,
    speech: FxHashSet<&'static str>,
}

fn lists() -> &'static WordLists {
    static LISTS: OnceLock<WordLists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let mut cues: FxHashMap<&'static str, u8> = FxHashMap::default();
        for w in HONORIFICS.iter().chain(CUE_TITLES) {
            *cues.entry(w).or_default() |= HONORIFIC;
        }
        for w in ROLES {
            *cues.entry(w).or_default() |= ROLE;
        }
        WordLists {
            cues,
            not_names: NOT_NAME_WORDS.iter().copied().collect(),
            speech: SPEECH_VERBS.iter().copied().collect(),
        }
    })
}

/// Calls `f` with `word` lower-cased, on the stack for a short ASCII word.
#[inline]
pub(crate) fn with_lower<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 32];
    if word.len() <= buf.len() && word.is_ascii() {
        let lower = &mut buf[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        // Lower-cased ASCII is ASCII, so this always succeeds.
        match std::str::from_utf8(lower) {
            Ok(lower) => f(lower),
            Err(_) => f(&word.to_lowercase()),
        }
    } else {
        f(&word.to_lowercase())
    }
}

/// [`HONORIFIC`] and [`ROLE`] bits of a word, any case.
fn cue_bits(word: &str) -> u8 {
    let cues = &lists().cues;
    with_lower(word, |lower| cues.get(lower).copied().unwrap_or(0))
}

fn is_cue(word: &str) -> bool {
    let cues = &lists().cues;
    with_lower(word, |lower| {
        if cues.get(lower).is_some_and(|&b| b != 0) {
            return true;
        }
        // A plural or possessive role ("ministers'", "envoy's").
        let bare = lower.trim_end_matches(['\'', 's']).trim_end_matches('\u{2019}');
        cues.get(bare).is_some_and(|&b| b & ROLE != 0)
    })
}

pub(crate) fn is_role(word: &str) -> bool {
    cue_bits(word) != 0
}

fn is_speech_verb(word: &str) -> bool {
    lists().speech.contains(word)
}

/// `word` without trailing possessives ("Karzai's" -> "Karzai"). Plain
/// suffix tests: a `&str` pattern to `trim_end_matches` builds a substring
/// searcher per call, which cost 4% of a whole build.
pub(crate) fn strip_possessive(word: &str) -> &str {
    let mut w = word;
    while let Some(rest) = w.strip_suffix("'s") {
        w = rest;
    }
    while let Some(rest) = w.strip_suffix("\u{2019}s") {
        w = rest;
    }
    w
}

/// A word that can be part of a name.
pub(crate) fn is_name_word(word: &str) -> bool {
    // Most words are lower-case: out at the first byte.
    match word.as_bytes().first() {
        Some(b) if b.is_ascii_lowercase() => {
            if !(word.starts_with("al-") || word.starts_with("el-")) {
                return false;
            }
        }
        Some(_) => {}
        None => return false,
    }
    if is_initial(word) {
        return true;
    }
    let bare = strip_possessive(word);
    let mut chars = bare.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let first_ok = first.is_uppercase()
        || (bare.starts_with("al-") && bare[3..].starts_with(char::is_uppercase))
        || (bare.starts_with("el-") && bare[3..].starts_with(char::is_uppercase));
    if !first_ok
        || chars.next().is_none()
        || !bare.chars().any(char::is_lowercase)
        || bare.bytes().any(|b| b.is_ascii_digit())
    {
        return false;
    }
    let not_names = &lists().not_names;
    !not_names.contains(bare) && !not_names.contains(bare.trim_end_matches('.')) && !is_role(bare)
}

fn plain_gap(gap: &str) -> bool {
    gap.chars().all(|c| c == ' ' || c == '\u{a0}')
}

/// Finds people by cues in `text`. Words inside `blocked` byte spans (places,
/// organisations, names already known) end a run.
pub(crate) fn detect(text: &str, blocked: &[(usize, usize)]) -> Vec<NameCandidate> {
    let words = words(text);
    // Each word is judged once: runs look at a word up to three times.
    let name: Vec<bool> = words.iter().map(|w| is_name_word(w.text)).collect();
    let blocked = BlockedSpans::new(blocked);
    let is_blocked = |w: &Word| blocked.overlaps(w.start, w.end);
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !name[i] || is_blocked(&words[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < words.len() && j - i < 5 && plain_gap(words[j].gap_before) && !is_blocked(&words[j]) {
            let w = words[j].text;
            let particle = PARTICLES.contains(&w) && name.get(j + 1).copied().unwrap_or(false);
            if !(name[j] || particle) || words[j - 1].text.ends_with("'s") || words[j - 1].text.ends_with("\u{2019}s") {
                break;
            }
            j += 1;
        }
        let run = &words[i..j];
        // A lone word glued to a known name ("Amir" before "Abdollahian") belongs to it.
        let glued_to_known = j - i == 1 && words.get(j).is_some_and(|n| plain_gap(n.gap_before) && is_blocked(n));
        if glued_to_known {
            i = j;
            continue;
        }
        if let Some(candidate) = judge(&words, i, j, run) {
            out.push(candidate);
        }
        i = j;
    }
    out
}

/// Byte spans that end a name run, sorted so that asking whether a word
/// overlaps one costs a binary search instead of a scan: a passage can hold
/// thousands of known names, and a scan per word made detection quadratic.
struct BlockedSpans {
    /// Spans sorted by start.
    spans: Vec<(usize, usize)>,
    /// For each position in `spans`, the largest end up to it.
    max_end: Vec<usize>,
}

impl BlockedSpans {
    fn new(spans: &[(usize, usize)]) -> BlockedSpans {
        let mut spans = spans.to_vec();
        spans.sort_unstable();
        let max_end = spans
            .iter()
            .scan(0, |max, &(_, end)| {
                *max = end.max(*max);
                Some(*max)
            })
            .collect();
        BlockedSpans { spans, max_end }
    }

    /// True when some span overlaps `start..end`.
    fn overlaps(&self, start: usize, end: usize) -> bool {
        // Spans that start before `end`; one of them overlaps when it also ends after `start`.
        let before_end = self.spans.partition_point(|&(s, _)| s < end);
        before_end > 0 && self.max_end[before_end - 1] > start
    }
}

/// A name's words as names are kept: possessive dropped, initials with a dot.
fn tokens_of(run: &[Word]) -> Vec<String> {
    run.iter()
        .map(|w| {
            let bare = strip_possessive(w.text);
            if is_initial(bare) && !bare.ends_with('.') {
                format!("{bare}.")
            } else {
                bare.to_string()
            }
        })
        .collect()
}

/// The words of a name found elsewhere (the tagger), kept as the cue
/// finder keeps them, so that both give one actor for one name; leading
/// titles and honorifics are dropped.
pub(crate) fn name_tokens(text: &str) -> Vec<String> {
    let words = words(text);
    let first = words.iter().position(|w| !is_role(w.text)).unwrap_or(words.len());
    tokens_of(&words[first..])
}

/// The tagger's person is a name as the cue finder understands names:
/// every word a name word, a particle ("bin", "al") or an initial, and not
/// all initials. This keeps out role phrases ("Foreign Affairs Minister").
pub(crate) fn plausible_name(tokens: &[String]) -> bool {
    tokens.iter().any(|t| !is_initial(t))
        && tokens
            .iter()
            .all(|t| is_name_word(t) || PARTICLES.contains(&t.as_str()) || is_initial(t))
}

/// True when the last word of `before` is a title, honorific or role.
pub(crate) fn role_before(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', '\u{a0}']);
    if trimmed.len() == before.len() && !before.is_empty() {
        return false;
    }
    let last = trimmed.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
    !last.is_empty() && is_cue(last)
}

fn judge(words: &[Word], i: usize, j: usize, run: &[Word]) -> Option<NameCandidate> {
    let tokens = tokens_of(run);
    let full_words = tokens.iter().filter(|t| !is_initial(t)).count();
    if full_words == 0 {
        return None;
    }
    let previous = i.checked_sub(1).map(|k| &words[k]);
    let prev_attached = previous.is_some() && plain_gap(run[0].gap_before);
    let strong = previous.is_some_and(|p| prev_attached && is_cue(p.text));
    let next = words.get(j);
    let multi = full_words >= 2;

    // A role within the same sentence shortly before, with the name right after
    // an institution or place: "the head of the National Resistance Front Ahmad Massoud".
    let role_before = multi && {
        let from = i.saturating_sub(9);
        let mut found = false;
        for k in (from..i).rev() {
            if words[k + 1]
                .gap_before
                .contains(['.', '!', '?', ';', '"', '\u{201c}', '\u{201d}'])
            {
                break;
            }
            if is_role(words[k].text) {
                found = true;
                break;
            }
        }
        found && plain_gap(run[0].gap_before)
    };
    // "Ahmad Massoud, the head of ..."
    let apposition = multi
        && next.is_some_and(|n| n.gap_before.trim() == ",")
        && words[j..words.len().min(j + 6)].iter().any(|w| is_role(w.text))
        && !words[j..words.len().min(j + 6)]
            .iter()
            .take_while(|w| !is_role(w.text))
            .any(|w| w.gap_before.contains(['.', ';']));
    // "Vepa Khadzhiev said"
    let speech = multi && next.is_some_and(|n| plain_gap(n.gap_before) && is_speech_verb(n.text));
    if !(strong || role_before || apposition || speech) {
        return None;
    }
    // A single word after a cue must look like a surname, not a common capitalised word.
    if !multi && tokens.iter().filter(|t| !is_initial(t)).all(|t| t.chars().count() < 3) {
        return None;
    }
    // The mention ends where the name does: "Dr Harthoorn's team" mentions "Harthoorn".
    let last = &run[run.len() - 1];
    Some(NameCandidate {
        start: run[0].start,
        end: last.start + strip_possessive(last.text).len(),
        tokens,
        strong,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        detect(text, &[]).into_iter().map(|c| c.tokens.join(" ")).collect()
    }

    #[test]
    fn titles_make_names() {
        assert_eq!(names("Foreign Minister Amir Khan Muttaqi said"), ["Amir Khan Muttaqi"]);
        assert_eq!(
            names("External Affairs Minister S Jaishankar on Thursday"),
            ["S. Jaishankar"]
        );
        assert_eq!(names("— Dr. S. Jaishankar (@DrSJaishankar)"), ["S. Jaishankar"]);
    }

    #[test]
    fn ranks_are_titles_and_suffixes_keep_their_dot() {
        assert_eq!(names("Captain Farid Ahmadi led the patrol"), ["Farid Ahmadi"]);
        assert_eq!(names("the 2nd Lieutenant Daulet Seitov said"), ["Daulet Seitov"]);
        assert_eq!(names("Colonel Daniyar Seitov Jr. said"), ["Daniyar Seitov Jr."]);
        // Titles the tagger's lexicon does not know, kept out of the names.
        assert_eq!(names("Kunduz Province Sheriff Baz Mohammad said"), ["Baz Mohammad"]);
        assert_eq!(
            names("Coach Dilnoza Yusupova called it a fair draw"),
            ["Dilnoza Yusupova"]
        );
        assert_eq!(names("Imam Khalil Rahimi told worshippers"), ["Khalil Rahimi"]);
    }

    #[test]
    fn a_mention_ends_before_its_possessive() {
        for text in [
            "Dr Sabir Rahimov's team found it",
            "Dr Sabir Rahimov\u{2019}s team found it",
        ] {
            let found = detect(text, &[]);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(&text[found[0].start..found[0].end], "Sabir Rahimov");
            assert_eq!(found[0].tokens, ["Sabir", "Rahimov"]);
        }
    }

    #[test]
    fn roles_and_weekdays_are_not_names() {
        assert!(names("the Foreign Affairs Minister said on Monday").is_empty());
        // Heads of institutions and events end a name: "General" is a title,
        // but "General Meeting" names nobody, nor does "Nadir Shah Stadium".
        assert!(names("at the Extraordinary General Meeting in Herat").is_empty());
        let tokens = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert!(!plausible_name(&tokens("Nadir Shah Stadium")));
        assert!(!plausible_name(&tokens("Davis Gym")));
        assert!(plausible_name(&tokens("Nadir Shah")));
        assert!(names("Related Posts DONATE NOW").is_empty());
    }

    #[test]
    fn blocked_spans_overlap() {
        let blocked = BlockedSpans::new(&[(20, 30), (0, 5), (8, 40)]);
        assert!(blocked.overlaps(3, 6));
        assert!(blocked.overlaps(35, 50));
        assert!(!blocked.overlaps(5, 8));
        assert!(!blocked.overlaps(40, 45));
        assert!(!BlockedSpans::new(&[]).overlaps(0, 10));
    }

    #[test]
    fn apposition_and_speech() {
        assert_eq!(
            names("talks with Ahmad Massoud, the head of the front."),
            ["Ahmad Massoud"]
        );
        assert_eq!(
            names("Later, Vepa Khadzhiev said the line is ready."),
            ["Vepa Khadzhiev"]
        );
    }
}
