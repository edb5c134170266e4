//! Precision and recall of country and actor extraction on the labelled
//! demo corpus (`tests/quality/labels-*.toml`). The floors are set from what
//! the extractor reaches (see QUALITY.md), so a change that makes extraction
//! worse fails here.

use std::path::Path;

use briefs::entities::{Extractor, Gazetteer};
use briefs::eval::{evaluate, LabelFile};

const COUNTRY_PRECISION: f64 = 0.97;
const COUNTRY_RECALL: f64 = 0.97;
const ACTOR_PRECISION: f64 = 0.95;
const ACTOR_RECALL: f64 = 0.90;

#[test]
fn extraction_meets_quality_floors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("corpus");
    let mut labels = Vec::new();
    for name in ["labels-a.toml", "labels-b.toml"] {
        let text = std::fs::read_to_string(root.join("tests/quality").join(name)).expect("labels file");
        let file: LabelFile = toml::from_str(&text).expect("labels parse");
        labels.extend(file.brief);
    }
    assert!(labels.len() >= 40, "the labelled set must hold at least 40 briefs");
    let extractor = Extractor::new(Gazetteer::load(Some(&corpus)).expect("gazetteer"));
    let report = evaluate(&extractor, &corpus, &labels).expect("evaluation");
    let c = report.countries;
    let a = report.actors;
    println!(
        "briefs {}: countries P {:.3} R {:.3}; actors P {:.3} R {:.3} (people P {:.3} R {:.3}; orgs P {:.3} R {:.3})",
        report.briefs,
        c.precision(),
        c.recall(),
        a.precision(),
        a.recall(),
        report.people.precision(),
        report.people.recall(),
        report.orgs.precision(),
        report.orgs.recall()
    );
    for miss in &report.misses {
        println!("{}: extra {:?} missed {:?}", miss.path, miss.extra, miss.missed);
    }
    assert!(
        c.precision() >= COUNTRY_PRECISION,
        "country precision {:.3}",
        c.precision()
    );
    assert!(c.recall() >= COUNTRY_RECALL, "country recall {:.3}", c.recall());
    assert!(a.precision() >= ACTOR_PRECISION, "actor precision {:.3}", a.precision());
    assert!(a.recall() >= ACTOR_RECALL, "actor recall {:.3}", a.recall());
}
