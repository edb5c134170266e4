//! Country, region and actor extraction: the traps a naive gazetteer falls
//! into (Papua New Guinea, Niger in Nigeria, turkey the bird, Georgia the US
//! state, people named Jordan or Chad, seas and treaties named after
//! places), demonyms, cities and aliases, wire datelines, region paths,
//! organisations by alias, people found by cues and joined across a brief,
//! and the user's own `actors.toml` and `countries.toml`.

use std::collections::BTreeSet;
use std::path::Path;

use briefs::analyse::{analyse, AnalysedBrief};
use briefs::corpus::Brief;
use briefs::entities::{ActorKind, BriefEntities, Extractor, Gazetteer};

/// A neutral headline, so the title adds no entity of its own.
const HEADLINE: &str = "Weekly Desk Notes";

fn extractor() -> Extractor {
    Extractor::new(Gazetteer::load(None).expect("built-in gazetteer loads"))
}

fn extractor_with(dir: &Path) -> Extractor {
    Extractor::new(Gazetteer::load(Some(dir)).expect("gazetteer with user files loads"))
}

/// The canonical name of a country, as the gazetteer resolves `value`.
fn country(x: &Extractor, value: &str) -> String {
    x.gazetteer
        .resolve_country(value)
        .unwrap_or_else(|| panic!("{value:?} does not resolve to a country"))
        .name
        .clone()
}

/// A brief with a neutral headline and `paragraphs` as its body.
fn brief(x: &Extractor, paragraphs: &[&str]) -> AnalysedBrief {
    let text = format!("{HEADLINE}\n\n{}\n", paragraphs.join("\n\n"));
    let analysed = analyse("brief.txt", &text, Some(x));
    assert_eq!(analysed.brief.title, HEADLINE);
    assert_eq!(analysed.passages.len(), paragraphs.len(), "{:?}", analysed.passages);
    analysed
}

fn countries(a: &AnalysedBrief) -> BTreeSet<String> {
    a.all_entities().flat_map(|e| e.countries.iter().cloned()).collect()
}

fn passage_countries(a: &AnalysedBrief, i: usize) -> BTreeSet<String> {
    a.entities[i].countries.iter().cloned().collect()
}

fn actors_of(a: &AnalysedBrief, kind: ActorKind) -> BTreeSet<String> {
    a.all_entities()
        .flat_map(|e| e.actors.iter())
        .filter(|actor| actor.kind == kind)
        .map(|actor| actor.name.clone())
        .collect()
}

fn passage_actors(a: &AnalysedBrief, i: usize, kind: ActorKind) -> BTreeSet<String> {
    a.entities[i]
        .actors
        .iter()
        .filter(|actor| actor.kind == kind)
        .map(|actor| actor.name.clone())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

/// Runs the extractor on raw passage texts, without the brief parser (which
/// would drop boilerplate such as "Related Posts" before extraction).
fn extract_raw(x: &Extractor, texts: &[&str]) -> BriefEntities {
    let brief = Brief::new("raw.txt");
    let passages = briefs::passage::one_per_line(texts.iter().copied());
    x.extract(&brief, &passages)
}

// ---- Country traps

#[test]
fn papua_new_guinea_is_not_guinea() {
    let x = extractor();
    let a = brief(&x, &["Officials from Papua New Guinea attended the fisheries meeting."]);
    assert_eq!(countries(&a), set(&[&country(&x, "PG")]));
    assert!(!countries(&a).contains(&country(&x, "GN")));
}

#[test]
fn niger_is_not_found_inside_nigeria_or_nigerian() {
    let x = extractor();
    let a = brief(&x, &["Nigeria raised tariffs and Nigerian traders protested in Lagos."]);
    let found = countries(&a);
    assert!(found.contains(&country(&x, "NG")), "{found:?}");
    assert!(!found.contains(&country(&x, "NE")), "{found:?}");
}

#[test]
fn guinea_bissau_is_only_guinea_bissau() {
    let x = extractor();
    let a = brief(&x, &["Fishing boats returned to Guinea-Bissau after the storm."]);
    assert_eq!(countries(&a), set(&[&country(&x, "GW")]));
}

#[test]
fn lower_case_turkey_the_bird_is_not_turkey() {
    let x = extractor();
    let a = brief(&x, &["Families ate roast turkey and rice at the harvest dinner."]);
    assert!(countries(&a).is_empty(), "{:?}", countries(&a));
    let b = brief(&x, &["Exports to Turkey rose in the spring."]);
    assert_eq!(countries(&b), set(&[&country(&x, "TR")]));
}

#[test]
fn georgia_near_atlanta_is_not_the_country() {
    let x = extractor();
    let a = brief(
        &x,
        &["Voters in Georgia lined up outside Atlanta polling stations on Tuesday."],
    );
    assert!(!countries(&a).contains(&country(&x, "GE")), "{:?}", countries(&a));
    let b = brief(&x, &["Georgia and Armenia signed a transit deal in Tbilisi."]);
    assert!(countries(&b).contains(&country(&x, "GE")), "{:?}", countries(&b));
}

#[test]
fn people_named_jordan_or_chad_are_not_countries() {
    let x = extractor();
    let a = brief(
        &x,
        &[
            "The podcast host Jordan Peterson spoke for an hour.",
            "Fans compared the rookie to Michael Jordan after the game.",
            "The drummer Chad Smith played a long solo.",
        ],
    );
    let found = countries(&a);
    assert!(!found.contains(&country(&x, "JO")), "{found:?}");
    assert!(!found.contains(&country(&x, "TD")), "{found:?}");
}

#[test]
fn a_person_named_salvador_is_not_el_salvador() {
    let x = extractor();
    let a = brief(
        &x,
        &["The biologist Salvador Mendoza, a professor in Almaty, led the survey."],
    );
    assert!(!countries(&a).contains(&country(&x, "SV")), "{:?}", countries(&a));
}

#[test]
fn jordan_as_a_party_to_talks_is_the_country() {
    let x = extractor();
    let a = brief(&x, &["Officials held talks with Jordan and Egypt on water sharing."]);
    assert_eq!(countries(&a), set(&[&country(&x, "JO"), &country(&x, "EG")]));
}

#[test]
fn indian_ocean_is_not_india() {
    let x = extractor();
    let a = brief(&x, &["Cargo ships crossed the Indian Ocean last week."]);
    assert!(!countries(&a).contains(&country(&x, "IN")), "{:?}", countries(&a));
}

#[test]
fn vienna_convention_is_not_austria() {
    let x = extractor();
    let a = brief(
        &x,
        &["The embassy invoked the 1961 Vienna Convention on Diplomatic Relations."],
    );
    assert!(!countries(&a).contains(&country(&x, "AT")), "{:?}", countries(&a));
}

#[test]
fn new_mexico_is_not_mexico() {
    let x = extractor();
    let a = brief(&x, &["Drought hit ranchers in New Mexico this summer."]);
    assert!(!countries(&a).contains(&country(&x, "MX")), "{:?}", countries(&a));
}

#[test]
fn central_asia_is_a_region_and_no_country() {
    let x = extractor();
    let a = brief(&x, &["Trade across Central Asia grew last year."]);
    assert!(countries(&a).is_empty(), "{:?}", countries(&a));
    assert!(
        a.entities[0].regions.contains(&path(&["Asia", "Central Asia"])),
        "{:?}",
        a.entities[0].regions
    );
}

#[test]
fn wire_dateline_kabul_counts_afghanistan() {
    let x = extractor();
    let a = brief(&x, &["KABUL, Jan 10 (Reuters) - Officials met traders at the market."]);
    assert!(
        passage_countries(&a, 0).contains(&country(&x, "AF")),
        "{:?}",
        a.entities[0]
    );
}

#[test]
fn wire_dateline_new_delhi_counts_india() {
    let x = extractor();
    let a = brief(&x, &["NEW DELHI - The ministry issued a statement on trade."]);
    assert!(
        passage_countries(&a, 0).contains(&country(&x, "IN")),
        "{:?}",
        a.entities[0]
    );
}

/// `Gazetteer::dateline` takes the text up to the first comma anywhere in the
/// paragraph when there is no dash before it, so an ASCII " -" dateline
/// followed by any comma is missed.
#[test]
fn wire_dateline_with_a_later_comma_still_counts() {
    let x = extractor();
    let a = brief(
        &x,
        &["NEW DELHI - The ministry said on Monday that talks would resume, officials confirmed."],
    );
    assert!(
        passage_countries(&a, 0).contains(&country(&x, "IN")),
        "{:?}",
        a.entities[0]
    );
}

// ---- Demonyms, cities, aliases

#[test]
fn demonyms_count_their_country() {
    let x = extractor();
    let a = brief(
        &x,
        &[
            "An Iranian delegation arrived.",
            "The Afghan side asked for more time.",
            "Turkmen engineers inspected the line.",
        ],
    );
    assert_eq!(passage_countries(&a, 0), set(&[&country(&x, "IR")]));
    assert_eq!(passage_countries(&a, 1), set(&[&country(&x, "AF")]));
    assert_eq!(passage_countries(&a, 2), set(&[&country(&x, "TM")]));
}

#[test]
fn capitals_cities_and_provinces_count_their_country() {
    let x = extractor();
    let a = brief(
        &x,
        &[
            "Talks were held in Tehran.",
            "Markets in Herat reopened.",
            "Polls closed in Jammu and Kashmir.",
        ],
    );
    assert_eq!(passage_countries(&a, 0), set(&[&country(&x, "IR")]));
    assert_eq!(passage_countries(&a, 1), set(&[&country(&x, "AF")]));
    assert_eq!(passage_countries(&a, 2), set(&[&country(&x, "IN")]));
}

#[test]
fn turkiye_and_turkey_are_one_country() {
    let x = extractor();
    let a = brief(&x, &["Türkiye hosted the forum.", "Turkey sent a minister."]);
    let canonical = country(&x, "Turkey");
    assert_eq!(country(&x, "Türkiye"), canonical);
    assert_eq!(passage_countries(&a, 0), set(&[&canonical]));
    assert_eq!(passage_countries(&a, 1), set(&[&canonical]));
}

#[test]
fn resolve_country_accepts_code_demonym_and_long_name() {
    let x = extractor();
    let canonical = country(&x, "Iran");
    for value in ["IR", "ir", "iranian", "Iranian", "Islamic Republic of Iran", "  Iran  "] {
        assert_eq!(country(&x, value), canonical, "{value:?}");
    }
    assert!(x.gazetteer.resolve_country("Atlantis").is_none());
}

#[test]
fn resolve_region_accepts_any_case() {
    let x = extractor();
    assert_eq!(
        x.gazetteer.resolve_region("central asia"),
        Some(&path(&["Asia", "Central Asia"]))
    );
    assert_eq!(x.gazetteer.resolve_region("Asia"), Some(&path(&["Asia"])));
    assert!(x.gazetteer.resolve_region("Middle Earth").is_none());
}

#[test]
fn country_mention_gives_its_region_path() {
    let x = extractor();
    let a = brief(&x, &["Turkmenistan opened a new gas field.", "Rain fell on the coast."]);
    assert!(
        a.entities[0].regions.contains(&path(&["Asia", "Central Asia"])),
        "{:?}",
        a.entities[0].regions
    );
    assert!(a.entities[1].regions.is_empty(), "{:?}", a.entities[1].regions);
}

// ---- Organisations

#[test]
fn org_acronym_and_full_name_are_one_actor() {
    let x = extractor();
    let a = brief(
        &x,
        &[
            "The NRF claimed an attack in the valley.",
            "The National Resistance Front denied any losses.",
        ],
    );
    let name = x.gazetteer.resolve_actor("NRF").expect("NRF is known").name.clone();
    assert_eq!(
        x.gazetteer
            .resolve_actor("National Resistance Front")
            .map(|a| a.name.clone()),
        Some(name.clone())
    );
    assert_eq!(passage_actors(&a, 0, ActorKind::Org), set(&[&name]));
    assert_eq!(passage_actors(&a, 1, ActorKind::Org), set(&[&name]));
}

#[test]
fn mea_is_the_ministry_of_external_affairs() {
    let x = extractor();
    let a = brief(&x, &["The MEA issued a travel advisory."]);
    assert!(
        actors_of(&a, ActorKind::Org).contains("Ministry of External Affairs"),
        "{:?}",
        a.entities[0].actors
    );
}

// ---- People

#[test]
fn role_cue_before_a_name_finds_a_person() {
    let x = extractor();
    let a = brief(
        &x,
        &["Deputy Foreign Minister Vepa Khadzhiev said the power line is ready."],
    );
    assert_eq!(passage_actors(&a, 0, ActorKind::Person), set(&["Vepa Khadzhiev"]));
}

#[test]
fn apposition_finds_a_person() {
    let x = extractor();
    let a = brief(
        &x,
        &["Officials welcomed Farida Karimova, the deputy governor of the province, at the airport."],
    );
    assert_eq!(passage_actors(&a, 0, ActorKind::Person), set(&["Farida Karimova"]));
}

#[test]
fn later_surname_mention_tags_its_passage_with_the_full_name() {
    let x = extractor();
    let a = brief(
        &x,
        &[
            "Deputy Foreign Minister Vepa Khadzhiev said the power line is ready.",
            "Tariffs will be set in June, according to Khadzhiev.",
            "Rain delayed the convoy.",
        ],
    );
    assert!(passage_actors(&a, 1, ActorKind::Person).contains("Vepa Khadzhiev"));
    assert!(!passage_actors(&a, 1, ActorKind::Person).contains("Khadzhiev"));
    assert!(passage_actors(&a, 2, ActorKind::Person).is_empty());
}

#[test]
fn lone_surname_without_a_full_name_in_the_brief_is_no_person() {
    let x = extractor();
    let a = brief(&x, &["Tariffs will be set in June, according to Khadzhiev."]);
    assert!(
        actors_of(&a, ActorKind::Person).is_empty(),
        "{:?}",
        a.entities[0].actors
    );
}

#[test]
fn honorific_and_initial_forms_of_jaishankar_are_one_actor() {
    let x = extractor();
    let a = brief(
        &x,
        &[
            "Dr. S. Jaishankar met the envoy on Thursday.",
            "External Affairs Minister S Jaishankar spoke to reporters.",
            "Jaishankar later left for the airport.",
        ],
    );
    let name = x.gazetteer.resolve_actor("Jaishankar").expect("known").name.clone();
    for i in 0..3 {
        assert_eq!(passage_actors(&a, i, ActorKind::Person), set(&[&name]), "passage {i}");
    }
    assert_eq!(actors_of(&a, ActorKind::Person).len(), 1);
}

#[test]
fn muttaqi_name_forms_are_one_actor_across_briefs() {
    let x = extractor();
    let first = brief(&x, &["Mawlawi Amir Khan Muttaqi said the embassy would reopen."]);
    let second = brief(
        &x,
        &[
            "Amir Muttaqi met the envoy in the capital.",
            "Foreign Minister Amir Khan Muttaqi later spoke to reporters.",
        ],
    );
    let mut people = actors_of(&first, ActorKind::Person);
    people.extend(actors_of(&second, ActorKind::Person));
    assert_eq!(people.len(), 1, "{people:?}");
    assert_eq!(passage_actors(&second, 0, ActorKind::Person), people);
    assert_eq!(passage_actors(&second, 1, ActorKind::Person), people);
}

#[test]
fn role_without_name_boilerplate_city_and_project_give_no_person() {
    let x = extractor();
    let texts = [
        "the Foreign Affairs Minister said on Monday that talks would continue.",
        "Related Posts",
        "DONATE NOW",
        "Tehran said it would respond.",
        "Work on the TAPI pipeline resumed.",
    ];
    let raw = extract_raw(&x, &texts);
    for (text, e) in texts.iter().zip(&raw.passages) {
        let people: Vec<_> = e.actors.iter().filter(|a| a.kind == ActorKind::Person).collect();
        assert!(people.is_empty(), "{text:?} gave people {people:?}");
    }
    // And end to end through the parser (which drops the boilerplate lines).
    let a = analyse(
        "brief.txt",
        &format!("{HEADLINE}\n\n{}\n", texts.join("\n\n")),
        Some(&x),
    );
    assert!(!a.passages.is_empty());
    assert!(
        actors_of(&a, ActorKind::Person).is_empty(),
        "{:?}",
        actors_of(&a, ActorKind::Person)
    );
}

// ---- User files

fn temp_corpus(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write user file");
    }
    dir
}

const DUBE: &str = "[[actor]]\nname = \"Xolani Dube\"\nkind = \"person\"\naliases = [\"Dube\"]\n";

#[test]
fn user_actor_alias_makes_an_actor() {
    let text = ["Dube chaired the session on Friday."];
    let plain = brief(&extractor(), &text);
    assert!(!actors_of(&plain, ActorKind::Person).contains("Xolani Dube"));

    let dir = temp_corpus(&[("actors.toml", DUBE)]);
    let x = extractor_with(dir.path());
    let a = brief(&x, &text);
    assert_eq!(passage_actors(&a, 0, ActorKind::Person), set(&["Xolani Dube"]));
    assert_eq!(
        x.gazetteer.resolve_actor("dube").map(|a| a.kind),
        Some(ActorKind::Person)
    );
}

#[test]
fn user_suppress_removes_an_org() {
    let text = ["The Taliban announced a new budget for the provinces."];
    let builtin = extractor();
    let taliban = builtin.gazetteer.resolve_actor("Taliban").expect("known").name.clone();
    assert!(actors_of(&brief(&builtin, &text), ActorKind::Org).contains(&taliban));

    let dir = temp_corpus(&[("actors.toml", "[suppress]\nnames = [\"Taliban\"]\n")]);
    let x = extractor_with(dir.path());
    let a = brief(&x, &text);
    let all: Vec<_> = a.all_entities().flat_map(|e| e.actors.iter()).collect();
    assert!(all.iter().all(|actor| actor.name != taliban), "{all:?}");
}

#[test]
fn user_places_add_countries() {
    let dir = temp_corpus(&[(
        "countries.toml",
        "[places]\n\"Spin Boldak\" = \"AF\"\n\"Qarqin Wharf\" = \"AF\"\n",
    )]);
    let x = extractor_with(dir.path());
    let afghanistan = country(&x, "AF");
    assert_eq!(country(&x, "Spin Boldak"), afghanistan);
    let a = brief(
        &x,
        &[
            "Trucks queued at Spin Boldak on Sunday.",
            "Barges unloaded at Qarqin Wharf.",
        ],
    );
    assert_eq!(passage_countries(&a, 0), set(&[&afghanistan]));
    assert_eq!(passage_countries(&a, 1), set(&[&afghanistan]));

    // Without the user file the invented place counts for nothing.
    let plain = brief(&extractor(), &["Barges unloaded at Qarqin Wharf."]);
    assert!(countries(&plain).is_empty(), "{:?}", countries(&plain));
}

#[test]
fn unknown_actor_kind_is_an_error_naming_the_file() {
    let dir = temp_corpus(&[("actors.toml", "[[actor]]\nname = \"Unit Seven\"\nkind = \"robot\"\n")]);
    let err = match Gazetteer::load(Some(dir.path())) {
        Ok(_) => panic!("kind = \"robot\" was accepted"),
        Err(err) => err.to_string(),
    };
    assert!(err.contains("actors.toml"), "{err}");
    assert!(err.contains("robot"), "{err}");
}

#[test]
fn malformed_user_file_is_an_error_naming_the_file() {
    let dir = temp_corpus(&[("countries.toml", "[places\n\"Spin Boldak\" = \n")]);
    let err = match Gazetteer::load(Some(dir.path())) {
        Ok(_) => panic!("malformed countries.toml was accepted"),
        Err(err) => err.to_string(),
    };
    assert!(err.contains("countries.toml"), "{err}");
}

#[test]
fn fingerprint_changes_when_actors_file_changes() {
    let dir = temp_corpus(&[("actors.toml", DUBE)]);
    let first = Gazetteer::load(Some(dir.path())).unwrap().fingerprint().to_string();
    let again = Gazetteer::load(Some(dir.path())).unwrap().fingerprint().to_string();
    assert_eq!(first, again, "fingerprint is not stable");
    std::fs::write(
        dir.path().join("actors.toml"),
        format!("{DUBE}\n[suppress]\nnames = [\"Taliban\"]\n"),
    )
    .unwrap();
    let changed = Gazetteer::load(Some(dir.path())).unwrap().fingerprint().to_string();
    assert_ne!(first, changed);
    let builtin = Gazetteer::load(None).unwrap().fingerprint().to_string();
    assert_ne!(builtin, first);
}

#[test]
fn empty_names_in_user_files_are_refused() {
    for (file, text) in [
        ("actors.toml", "[[actor]]\nname = \"\"\nkind = \"org\"\n"),
        ("actors.toml", "[[actor]]\nname = \"Unit Seven\"\naliases = [\" \"]\n"),
        ("actors.toml", "[suppress]\nnames = [\"\"]\n"),
        ("countries.toml", "[places]\n\"\" = \"AF\"\n"),
    ] {
        let dir = temp_corpus(&[(file, text)]);
        let err = match Gazetteer::load(Some(dir.path())) {
            Ok(_) => panic!("{file} with an empty name was accepted: {text:?}"),
            Err(err) => err.to_string(),
        };
        assert!(err.contains(file), "{err}");
        assert!(err.contains("no letter or digit"), "{err}");
    }
}

/// Person detection used to compare every word with every known name, and
/// surname linking scanned every passage once per surname: a long passage
/// full of names took minutes. This one has 20,000 mentions of 2,000 people.
#[test]
fn person_detection_is_linear_in_the_passage() {
    let mut text = String::new();
    for i in 0..20_000 {
        let n = i % 2_000;
        let (a, b) = (name_word(n), name_word(n + 7_919));
        text.push_str(&format!("Minister {a} {b} met Taliban envoys in Kabul, {b} said. "));
    }
    // Quadratic joining takes many minutes here; linear, a fraction of a second.
    let analysed = analyse("long.txt", &format!("{HEADLINE}\n\n{text}\n"), Some(&extractor()));
    let people = actors_of(&analysed, ActorKind::Person);
    assert_eq!(people.len(), 2_000, "{:?}", people.iter().take(5).collect::<Vec<_>>());
}

/// A capitalised pseudo-name for `n`, distinct for every n.
fn name_word(n: usize) -> String {
    const SYLLABLES: [&str; 10] = ["ka", "ro", "mi", "ta", "ze", "no", "vu", "li", "sa", "pe"];
    let mut word = String::from("Bo");
    let mut k = n;
    loop {
        word.push_str(SYLLABLES[k % 10]);
        k /= 10;
        if k == 0 {
            break;
        }
    }
    word
}

// ---- Surnames and short forms across a brief (round 8 of the tagger work)

#[test]
fn a_surname_two_people_share_goes_to_the_one_named_first() {
    let x = extractor();
    let a = brief(
        &x,
        &[
            "Foreign Minister Farhod Nazarov opened the talks in Dushanbe on Monday.",
            "His brother, Deputy Finance Minister Rustam Nazarov, attended as well.",
            "Nazarov said the border crossing would reopen next month.",
        ],
    );
    let people = actors_of(&a, ActorKind::Person);
    assert!(
        people.contains("Farhod Nazarov") && people.contains("Rustam Nazarov"),
        "{people:?}"
    );
    assert_eq!(passage_actors(&a, 2, ActorKind::Person), set(&["Farhod Nazarov"]));
    assert!(!people.contains("Nazarov"), "{people:?}");
}

#[test]
fn a_known_name_written_otherwise_joins_its_surname() {
    // The list spells him "Muttaqi" and knows "Amir Khan Mottaki" as an
    // alias; "Mottaki" alone is his, not a person of its own.
    let x = extractor();
    let a = brief(
        &x,
        &[
            "Amir Khan Mottaki arrived in Islamabad on Friday for two days of talks.",
            "Foreign Minister Mottaki then met traders from Peshawar.",
        ],
    );
    assert_eq!(actors_of(&a, ActorKind::Person), set(&["Amir Khan Muttaqi"]));
    assert_eq!(passage_actors(&a, 1, ActorKind::Person), set(&["Amir Khan Muttaqi"]));
}

#[test]
fn a_surname_inside_an_institution_name_is_not_its_owner() {
    let x = extractor();
    let a = brief(
        &x,
        &[
            "Interior Minister Anwar Karimzada visited Herat on Sunday.",
            "Students of the Karimzada Institute of Technology marched through Kabul.",
        ],
    );
    assert!(actors_of(&a, ActorKind::Person).contains("Anwar Karimzada"));
    let second = passage_actors(&a, 1, ActorKind::Person);
    assert!(second.is_empty(), "{second:?} {:?}", a.entities[1].mentions);
}
