//! Measuring entity extraction against hand labels.
//!
//! A labels file lists, per brief, the countries (ISO codes), people and
//! organisations a careful reader would list. Extraction is scored per brief
//! (the union of its passages and title) and summed over briefs (micro
//! precision and recall).

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::entities::{lookup_key, ActorKind, Extractor};

#[derive(Debug, Deserialize)]
pub struct LabelFile {
    pub brief: Vec<Label>,
}

/// What a careful reader lists for one brief.
#[derive(Debug, Deserialize)]
pub struct Label {
    pub path: String,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub people: Vec<String>,
    #[serde(default)]
    pub orgs: Vec<String>,
}

/// Counts of one kind of entity.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Score {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        let found = self.true_positives + self.false_positives;
        if found == 0 {
            1.0
        } else {
            self.true_positives as f64 / found as f64
        }
    }

    pub fn recall(&self) -> f64 {
        let wanted = self.true_positives + self.false_negatives;
        if wanted == 0 {
            1.0
        } else {
            self.true_positives as f64 / wanted as f64
        }
    }

    fn add(&mut self, predicted: &BTreeSet<String>, expected: &BTreeSet<String>) {
        self.true_positives += predicted.intersection(expected).count();
        self.false_positives += predicted.difference(expected).count();
        self.false_negatives += expected.difference(predicted).count();
    }
}

/// One brief's differences, for reading what went wrong.
#[derive(Debug, Default, Serialize)]
pub struct Miss {
    pub path: String,
    pub extra: Vec<String>,
    pub missed: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub briefs: usize,
    pub countries: Score,
    pub actors: Score,
    pub people: Score,
    pub orgs: Score,
    pub misses: Vec<Miss>,
}

/// Scores `extractor` on the briefs of `corpus` named in `labels`.
pub fn evaluate(extractor: &Extractor, corpus: &Path, labels: &[Label]) -> Result<Report, crate::corpus::CorpusError> {
    let g = &extractor.gazetteer;
    let mut report = Report::default();
    // A label names an actor by any alias; the gazetteer maps it to its canonical name.
    let canonical = |name: &str| {
        g.resolve_actor(name)
            .map_or_else(|| lookup_key(name), |a| lookup_key(&a.name))
    };
    for label in labels {
        // Read as the index reads it (Markdown through its own reader).
        let file = crate::corpus::BriefFile {
            rel_path: label.path.clone(),
            abs_path: corpus.join(&label.path),
            size: 0,
            mtime_ns: 0,
        };
        let Some(source) = crate::corpus::read_file(&file)?.briefs.into_iter().next() else {
            continue;
        };
        let analysed = crate::analyse::analyse_brief(source.brief, Some(extractor));
        let mut countries = BTreeSet::new();
        let mut people = BTreeSet::new();
        let mut orgs = BTreeSet::new();
        for entities in analysed.all_entities() {
            for c in &entities.countries {
                if let Some(country) = g.resolve_country(c) {
                    countries.insert(country.code.clone());
                }
            }
            for a in &entities.actors {
                match a.kind {
                    ActorKind::Person => people.insert(canonical(&a.name)),
                    ActorKind::Org => orgs.insert(canonical(&a.name)),
                };
            }
        }
        let want_countries: BTreeSet<String> = label.countries.iter().map(|c| c.to_uppercase()).collect();
        let want_people: BTreeSet<String> = label.people.iter().map(|p| canonical(p)).collect();
        let want_orgs: BTreeSet<String> = label.orgs.iter().map(|o| canonical(o)).collect();
        report.countries.add(&countries, &want_countries);
        report.people.add(&people, &want_people);
        report.orgs.add(&orgs, &want_orgs);
        let tag =
            |prefix: &str, set: BTreeSet<&String>| set.into_iter().map(|s| format!("{prefix}:{s}")).collect::<Vec<_>>();
        let mut miss = Miss {
            path: label.path.clone(),
            ..Miss::default()
        };
        miss.extra
            .extend(tag("country", countries.difference(&want_countries).collect()));
        miss.extra
            .extend(tag("person", people.difference(&want_people).collect()));
        miss.extra.extend(tag("org", orgs.difference(&want_orgs).collect()));
        miss.missed
            .extend(tag("country", want_countries.difference(&countries).collect()));
        miss.missed
            .extend(tag("person", want_people.difference(&people).collect()));
        miss.missed.extend(tag("org", want_orgs.difference(&orgs).collect()));
        if !miss.extra.is_empty() || !miss.missed.is_empty() {
            report.misses.push(miss);
        }
        report.briefs += 1;
    }
    for s in [report.people, report.orgs] {
        report.actors.true_positives += s.true_positives;
        report.actors.false_positives += s.false_positives;
        report.actors.false_negatives += s.false_negatives;
    }
    Ok(report)
}
