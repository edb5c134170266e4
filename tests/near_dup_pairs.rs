//! The near-duplicate threshold measured on constructed pairs: the same
//! wire paragraph as outlets republish it (a dateline, a byline, case,
//! punctuation, a word changed, a clause cut or added) against separate
//! reports of the same events in other words. Every republished pair must
//! be at or above the threshold and every same-topic pair below it; the
//! similarities are printed (`--nocapture`) for RELEVANCE.md.

use briefs::near_dup::{jaccard, shingles, THRESHOLD};

const STORIES: [&str; 3] = [
    "Afghanistan's acting foreign minister Amir Khan Muttaqi arrived in Tehran on Sunday for two days of \
     talks with Iranian officials on water rights on the Helmand river, trade through the Islam Qala \
     crossing and the return of Afghan migrants, the foreign ministry said in a statement.",
    "Pakistan and Afghanistan reopened the Torkham border crossing on Friday after a nine-day closure that \
     left thousands of trucks stranded on both sides, officials said, after talks between local \
     commanders agreed to remove a disputed checkpoint built by Afghan forces.",
    "Turkmenistan began laying the Afghan section of the TAPI gas pipeline near Herat on Wednesday, \
     officials from both countries said at a ceremony attended by Taliban ministers, describing the \
     project as a way to carry Central Asian gas to Pakistan and India.",
];

/// Ways outlets change a wire paragraph when they republish it.
fn republished(story: &str) -> Vec<String> {
    let words: Vec<&str> = story.split_whitespace().collect();
    let cut = words[..words.len() - 6].join(" ") + ".";
    let swapped = story
        .replacen(" said", " told reporters", 1)
        .replacen(" on ", " this ", 1);
    vec![
        format!("KABUL (Pajhwok) - {story}"),
        format!("{story} Reporting by staff in Kabul; editing by the desk."),
        story.to_uppercase().replace(',', ""),
        cut.clone(),
        swapped,
        format!("{} The talks were the first of their kind this year.", cut),
    ]
}

/// Reports of the same events, written separately.
const SAME_TOPIC: [(usize, &str); 6] = [
    (
        0,
        "Iran and Afghanistan discussed the Helmand water dispute again this week, as Taliban officials in \
         Kabul said the river's flow had fallen and Tehran's envoy called for a joint survey of the dams.",
    ),
    (
        0,
        "While Amir Khan Muttaqi held talks in Tehran, Iranian border guards sent back another four thousand \
         Afghan migrants through Islam Qala, aid groups in Herat said on Sunday.",
    ),
    (
        1,
        "Trucks began crossing at Torkham again on Friday, drivers said, after more than a week in which \
         the border was shut over a checkpoint that Pakistani troops said Afghan forces had built illegally.",
    ),
    (
        1,
        "The closure of the Torkham crossing cost traders on both sides millions of dollars, the Pakistan \
         Afghanistan joint chamber of commerce said, calling for a mechanism to settle disputes.",
    ),
    (
        2,
        "Work on the TAPI pipeline's Afghan stretch started near Herat, Taliban officials said, although \
         financing for the Pakistani and Indian sections remains uncertain after years of delay.",
    ),
    (
        2,
        "A ceremony in Herat marked the start of construction on the Turkmenistan Afghanistan Pakistan India \
         gas pipeline, with Turkmen officials and Taliban ministers promising gas within three years.",
    ),
];

#[test]
fn the_threshold_separates_copies_from_same_topic_reports() {
    let mut copies = Vec::new();
    for story in STORIES {
        for copy in republished(story) {
            copies.push(jaccard(&shingles(story), &shingles(&copy)));
        }
    }
    let mut others = Vec::new();
    for (i, text) in SAME_TOPIC {
        others.push(jaccard(&shingles(STORIES[i]), &shingles(text)));
    }
    for (i, a) in SAME_TOPIC.iter().enumerate() {
        for b in &SAME_TOPIC[i + 1..] {
            if a.0 == b.0 {
                others.push(jaccard(&shingles(a.1), &shingles(b.1)));
            }
        }
    }
    let fmt = |v: &[f64]| v.iter().map(|j| format!("{j:.2}")).collect::<Vec<_>>().join(" ");
    println!("republished pairs ({}): {}", copies.len(), fmt(&copies));
    println!("same-topic pairs ({}): {}", others.len(), fmt(&others));
    let recall = copies.iter().filter(|&&j| j >= THRESHOLD).count();
    let false_positives = others.iter().filter(|&&j| j >= THRESHOLD).count();
    println!(
        "threshold {THRESHOLD}: recall {recall}/{}, false positives {false_positives}/{}",
        copies.len(),
        others.len()
    );
    assert_eq!(recall, copies.len(), "every republished copy is a near-duplicate");
    assert_eq!(false_positives, 0, "no same-topic report is");
    let lowest_copy = copies.iter().copied().fold(f64::MAX, f64::min);
    let highest_other = others.iter().copied().fold(0.0, f64::max);
    assert!(highest_other + 0.2 < lowest_copy, "room on both sides of the threshold");
}
