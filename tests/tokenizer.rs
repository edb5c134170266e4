//! The briefs tokenizer: tokens analysts search for whole, case and
//! diacritic folding, Persian and Arabic spelling normalisation, other
//! scripts kept, offsets into the original text, and English stemming in
//! the full analyzer only.

use briefs::tokenize::{analyze, normalise, tokenize};

fn words(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| t.text).collect()
}

fn terms(text: &str) -> Vec<String> {
    analyze(text).into_iter().map(|t| t.text).collect()
}

// ---- Tokens kept whole

#[test]
fn ampersand_abbreviation_is_one_token() {
    assert_eq!(words("Elections in J&K ended."), ["elections", "in", "j&k", "ended"]);
}

#[test]
fn hyphen_next_to_digits_joins() {
    assert_eq!(words("Flight IC-814 landed"), ["flight", "ic-814", "landed"]);
    assert_eq!(words("the CASA-1000 line"), ["the", "casa-1000", "line"]);
}

#[test]
fn handle_keeps_its_at_sign() {
    assert_eq!(
        words("posted by @DrSJaishankar today"),
        ["posted", "by", "@drsjaishankar", "today"]
    );
}

#[test]
fn acronym_and_year_are_tokens() {
    assert_eq!(words("TAPI since 1961"), ["tapi", "since", "1961"]);
}

#[test]
fn hyphenated_country_chain_splits_into_countries() {
    assert_eq!(
        words("Turkmenistan-Afghanistan-Pakistan"),
        ["turkmenistan", "afghanistan", "pakistan"]
    );
}

#[test]
fn punctuation_alone_is_not_a_token() {
    assert!(words(" — ... ; ( ) - & ").is_empty());
}

// ---- Case and diacritics

#[test]
fn latin_diacritics_fold() {
    assert_eq!(words("Abdollāhiān"), ["abdollahian"]);
    assert_eq!(words("Erdoğan"), ["erdogan"]);
    assert_eq!(words("Türkiye"), ["turkiye"]);
    assert_eq!(normalise("Abdollāhiān"), "abdollahian");
    assert_eq!(normalise("ERDOĞAN"), "erdogan");
}

#[test]
fn folded_and_plain_spellings_are_the_same_term() {
    assert_eq!(terms("Türkiye"), terms("Turkiye"));
    assert_eq!(terms("Abdollāhiān"), terms("Abdollahian"));
}

// ---- Persian and Arabic

#[test]
fn zwnj_word_stays_one_token_with_the_zwnj() {
    let tokens = words("او می\u{200c}خواهد برود");
    assert_eq!(tokens.len(), 3, "{tokens:?}");
    assert_eq!(tokens[1], "می\u{200c}خواهد");
    assert!(tokens[1].contains('\u{200c}'));
}

#[test]
fn arabic_yeh_and_kaf_fold_to_persian_forms() {
    // "Karimi" with Arabic kaf (U+0643) and yeh (U+064A), and with Persian keheh (U+06A9) and yeh (U+06CC).
    let arabic = "\u{0643}\u{0631}\u{064a}\u{0645}\u{064a}";
    let persian = "\u{06a9}\u{0631}\u{06cc}\u{0645}\u{06cc}";
    let a = words(arabic);
    let p = words(persian);
    assert_eq!(a, p);
    assert_eq!(a.len(), 1);
    assert!(!a[0].contains(['\u{0643}', '\u{064a}']), "{:?}", a[0]);
    assert!(a[0].contains('\u{06a9}') && a[0].contains('\u{06cc}'), "{:?}", a[0]);
}

#[test]
fn arabic_and_persian_spellings_of_a_full_name_match() {
    // "Ali Karimi": علي كريمي (Arabic letters) and علی کریمی (Persian letters).
    assert_eq!(words("علي كريمي"), words("علی کریمی"));
    assert_eq!(words("علي كريمي").len(), 2);
}

#[test]
fn eastern_digits_become_ascii() {
    assert_eq!(words("۱۹۶۱"), ["1961"]);
    assert_eq!(words("١٩٦١"), ["1961"]);
    assert_eq!(words("سال ۱۹۶۱"), [String::from("سال"), String::from("1961")]);
}

// ---- Other scripts

#[test]
fn cyrillic_is_lower_cased() {
    assert_eq!(words("Москва"), ["москва"]);
}

#[test]
fn devanagari_words_are_kept() {
    assert_eq!(words("भारत सरकार"), ["भारत", "सरकार"]);
}

#[test]
fn cjk_characters_are_kept() {
    let text = "北京和上海";
    let tokens = words(text);
    assert!(!tokens.is_empty(), "CJK text dropped");
    assert_eq!(tokens.concat(), text, "CJK characters lost: {tokens:?}");
}

// ---- Offsets and positions

#[test]
fn offsets_slice_the_original_words() {
    let text = "Abdollāhiān met Erdoğan in Türkiye on IC-814, J&K and @DrSJaishankar.";
    let tokens = tokenize(text);
    let originals: Vec<&str> = tokens.iter().map(|t| &text[t.offset_from..t.offset_to]).collect();
    assert_eq!(
        originals,
        [
            "Abdollāhiān",
            "met",
            "Erdoğan",
            "in",
            "Türkiye",
            "on",
            "IC-814",
            "J&K",
            "and",
            "@DrSJaishankar"
        ]
    );
    let positions: Vec<usize> = tokens.iter().map(|t| t.position).collect();
    assert_eq!(positions, (0..tokens.len()).collect::<Vec<_>>());
}

#[test]
fn offsets_in_persian_text_slice_the_original_words() {
    let text = "وزیر خارجه می\u{200c}خواهد";
    let originals: Vec<&str> = tokenize(text)
        .iter()
        .map(|t| &text[t.offset_from..t.offset_to])
        .collect();
    assert_eq!(originals, ["وزیر", "خارجه", "می\u{200c}خواهد"]);
}

// ---- Stemming

#[test]
fn analyzer_stems_plurals_to_the_same_term() {
    assert_eq!(terms("pipelines"), terms("pipeline"));
    assert_eq!(terms("pipelines").len(), 1);
}

#[test]
fn tokenize_does_not_stem() {
    assert_eq!(words("pipelines"), ["pipelines"]);
    assert_ne!(words("pipelines"), words("pipeline"));
}

#[test]
fn analyzer_keeps_special_tokens_whole() {
    let t = terms("J&K IC-814 @DrSJaishankar 1961");
    assert_eq!(t.len(), 4, "{t:?}");
    assert!(t.contains(&"j&k".to_string()), "{t:?}");
    assert!(t.contains(&"ic-814".to_string()), "{t:?}");
    assert!(t.contains(&"1961".to_string()), "{t:?}");
}

mod properties {
    use briefs::tokenize::{analyze, count_tokens, count_words, push_terms, tokenize, word_segments, TermsTokenizer};
    use proptest::prelude::*;
    use tantivy::tokenizer::{TokenStream, Tokenizer};
    use unicode_segmentation::UnicodeSegmentation;

    /// Text from the characters the word-bound rules care about: letters,
    /// digits, the mid-word and mid-number signs, spaces and newlines, and a
    /// few non-ASCII characters (curly apostrophe, accented letters, a
    /// combining mark, Persian, the zero-width non-joiner, a no-break space).
    fn text() -> impl Strategy<Value = String> {
        let alphabet: Vec<char> = "aZ09 .,;:'_\"-&@#\t\r\n\u{b}\u{c}’éğ\u{301}م‌\u{a0}".chars().collect();
        prop::collection::vec(prop::sample::select(alphabet), 0..60).prop_map(|v| v.into_iter().collect())
    }

    /// The same, ASCII only: ASCII text takes the fast path whole.
    fn ascii_text() -> impl Strategy<Value = String> {
        let alphabet: Vec<char> = "aZ09 .,;:'_\"-&@#\t\r\n\u{b}\u{c}".chars().collect();
        prop::collection::vec(prop::sample::select(alphabet), 0..60).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_word_bounds_equal_unicode_segmentation(text in text()) {
            let expected: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
            prop_assert_eq!(word_segments(&text), expected);
            prop_assert_eq!(count_words(&text), text.unicode_words().count());
        }

        #[test]
        fn fast_ascii_word_bounds_equal_unicode_segmentation(text in ascii_text()) {
            let expected: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
            prop_assert_eq!(word_segments(&text), expected);
            prop_assert_eq!(count_words(&text), text.unicode_words().count());
        }

        /// What the index is given (a terms string, split by its
        /// tokenizer) is what the analyzer gives, term for term.
        #[test]
        fn terms_strings_split_into_the_analyzers_terms(text in text()) {
            let mut terms = String::new();
            let count = push_terms(&text, &mut terms);
            let mut split = Vec::new();
            TermsTokenizer.token_stream(&terms).process(&mut |t| split.push((t.text.clone(), t.position)));
            let expected: Vec<(String, usize)> = analyze(&text).into_iter().map(|t| (t.text, t.position)).collect();
            prop_assert_eq!(count, expected.len());
            prop_assert_eq!(split, expected);
        }

        #[test]
        fn cached_terms_are_folded_then_stemmed(text in text()) {
            let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
            let expected: Vec<String> = tokenize(&text).iter().map(|t| stemmer.stem(&t.text).into_owned()).collect();
            let terms: Vec<String> = analyze(&text).into_iter().map(|t| t.text).collect();
            prop_assert_eq!(&terms, &expected);
            prop_assert_eq!(count_tokens(&text), expected.len());
        }
    }
}
