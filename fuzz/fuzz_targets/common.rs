//! A small index built once per fuzzing process, shared by the search-side
//! targets.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Briefs written for the fuzz index: names, places and a phrase, so that
/// queries and filters have something to match.
const BRIEFS: &[(&str, &str)] = &[
    (
        "kabul-water.txt",
        "Water talks in Kabul\n\ndate 2024-03-02\n\nAuthor: Desk\n\nAfghan and Iranian officials met in Kabul on Saturday to discuss the Helmand water treaty.\n\nForeign Minister Amir Khan Muttaqi said the gas pipeline would follow.\n",
    ),
    (
        "tapi/ashgabat.md",
        "# Pipeline section opens\n\ndate 2023-11-20\n\nTurkmenistan opened a section of the TAPI gas pipeline near Herat, officials in Ashgabat said.\n\n## Financing\n\nThe Asian Development Bank and Pakistan discussed the next tranche.\n",
    ),
    (
        "delhi.txt",
        "India and Iran sign port deal\n\ndate 2024-05-13\n\nIndia signed a ten-year agreement for the Chabahar port with Iran in Tehran.\n",
    ),
];

/// Writes the corpus and builds its index in a folder that lives as long as the process.
pub fn template_index() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("briefs-fuzz-{}", std::process::id()));
        let corpus = root.join("corpus");
        let index = root.join("index");
        for (path, text) in BRIEFS {
            let file = corpus.join(path);
            std::fs::create_dir_all(file.parent().expect("a file has a parent")).expect("create corpus");
            std::fs::write(&file, text).expect("write a brief");
        }
        briefs::index::build(&briefs::index::BuildOptions::new(&corpus, &index)).expect("index the fuzz corpus");
        index
    })
}

/// Panics that the library catches itself (tantivy's asserts on damaged
/// files) must not stop the fuzzer: only those that escape are findings,
/// and libfuzzer-sys aborts on those whatever the hook.
pub fn quiet_caught_panics() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| std::panic::set_hook(Box::new(|_| {})));
}
