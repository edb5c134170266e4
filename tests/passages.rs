//! Passage cutting never drops, repeats or splits a word: for random
//! paragraphs of random sentences (short and very long), the words of every
//! body are exactly the words of its passages, in order, and every passage
//! keeps to the word and byte bounds.

use briefs::corpus::{parse_brief, BlockKind};
use briefs::passage::{passages, word_count, MAX_PASSAGE_BYTES, MAX_PASSAGE_WORDS};
use proptest::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

fn words(text: &str) -> Vec<&str> {
    text.unicode_words().collect()
}

/// A sentence: a capitalised first word, then lower-case words, then a period.
fn sentence() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z]{1,12}", 1..40).prop_map(|ws| {
        let mut s = String::new();
        for (i, w) in ws.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            if i == 0 {
                s.push_str(&w[..1].to_uppercase());
                s.push_str(&w[1..]);
            } else {
                s.push_str(w);
            }
        }
        s.push('.');
        s
    })
}

/// A paragraph of sentences; some sentences are glued into one very long
/// sentence (no period between them) to exercise the cut inside a sentence.
fn paragraph() -> impl Strategy<Value = String> {
    (prop::collection::vec(sentence(), 1..14), any::<bool>()).prop_map(|(sentences, glue)| {
        if glue {
            sentences
                .iter()
                .map(|s| s.trim_end_matches('.'))
                .collect::<Vec<_>>()
                .join(" and ")
                + "."
        } else {
            sentences.join(" ")
        }
    })
}

fn check_body(paragraphs: &[String], max_words: usize) {
    let text = format!("Weekly Desk Notes\n\n{}\n", paragraphs.join("\n\n"));
    let brief = parse_brief("p.txt", &text);
    let body_words: Vec<&str> = brief
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Paragraph)
        .flat_map(|b| words(&b.text))
        .collect();
    let expected: Vec<&str> = paragraphs.iter().flat_map(|p| words(p)).collect();
    assert_eq!(body_words, expected, "parsing changed the words of the body");
    let cut = passages(&brief, max_words);
    let passage_words: Vec<&str> = cut.iter().flat_map(|p| words(&p.text)).collect();
    assert_eq!(passage_words, expected, "passages lost or added words");
    for p in &cut {
        assert!(
            word_count(&p.text) <= max_words,
            "{} words > {max_words}",
            word_count(&p.text)
        );
        assert!(p.text.len() <= MAX_PASSAGE_BYTES, "{} bytes", p.text.len());
        assert!(!p.text.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn passages_keep_every_word(paragraphs in prop::collection::vec(paragraph(), 1..6), max_words in 5usize..150) {
        check_body(&paragraphs, max_words);
    }
}

/// The paragraph from the audit: sentence lengths 22, 18, 21, 18, 9, 25,
/// 18, 16, 21, 18 (186 words) must give two passages holding every word.
#[test]
fn audit_paragraph_of_186_words_gives_two_passages() {
    let lengths = [22, 18, 21, 18, 9, 25, 18, 16, 21, 18];
    let sentences: Vec<String> = lengths
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let mut ws: Vec<String> = (0..n).map(|k| format!("word{i}x{k}")).collect();
            ws[0] = format!("Opening{i}");
            ws.join(" ") + "."
        })
        .collect();
    let paragraph = sentences.join(" ");
    check_body(std::slice::from_ref(&paragraph), MAX_PASSAGE_WORDS);
    let brief = parse_brief("p.txt", &format!("Weekly Desk Notes\n\n{paragraph}\n"));
    assert_eq!(passages(&brief, MAX_PASSAGE_WORDS).len(), 2);
}

/// A 50,000-word line with no sentence end, and a 20 KB "word", are cut into
/// bounded passages instead of one passage that ranks first for everything.
#[test]
fn huge_sentence_and_huge_word_are_cut_into_bounded_passages() {
    let line = (0..50_000).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
    check_body(std::slice::from_ref(&line), MAX_PASSAGE_WORDS);
    let blob = "Q".repeat(20_000);
    let brief = parse_brief("b.txt", &format!("Weekly Desk Notes\n\nIntro {blob} outro.\n"));
    let cut = passages(&brief, MAX_PASSAGE_WORDS);
    assert!(cut.len() >= 5, "{} passages", cut.len());
    assert!(cut.iter().all(|p| p.text.len() <= MAX_PASSAGE_BYTES));
    let joined: String = cut.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("");
    assert_eq!(joined.replace(' ', ""), format!("Intro{blob}outro."));
}

/// Found by fuzzing the read-cut-extract path: of two subheadings in a row,
/// the first was in no passage, so its words could not be found.
#[test]
fn a_subheading_followed_by_another_keeps_its_words() {
    let text = "Weekly Desk Notes\n\nThe council met in Herat on Monday to discuss the canal.\n\n\
                Water rights\n\nBorder trade\n\nTraders waited at Islam Qala for the gate to open.\n\nLast word\n";
    let brief = parse_brief("p.txt", text);
    let headings: Vec<&str> = brief
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Heading)
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(headings, ["Water rights", "Border trade"]);
    let cut = passages(&brief, MAX_PASSAGE_WORDS);
    let shown: Vec<(Option<&str>, &str)> = cut.iter().map(|p| (p.heading.as_deref(), p.text.as_str())).collect();
    assert_eq!(
        shown,
        [
            (None, "The council met in Herat on Monday to discuss the canal."),
            (None, "Water rights"),
            (
                Some("Border trade"),
                "Traders waited at Islam Qala for the gate to open."
            ),
            (None, "Last word"),
        ]
    );
}
