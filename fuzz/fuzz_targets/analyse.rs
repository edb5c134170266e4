//! Fuzzes the whole path from a file's bytes to what the index stores:
//! reading (as text or Markdown, by the first byte), passage cutting and
//! entity extraction. Never a panic or a hang, and cutting never drops
//! text: the characters (but spaces) of the paragraphs, and of subheadings
//! with no paragraph after them, are exactly the passages'.
#![no_main]

use std::sync::OnceLock;

use briefs::analyse::analyse_brief;
use briefs::corpus::{read_bytes, BlockKind, Format};
use briefs::passage::MAX_PASSAGE_BYTES;
use briefs::entities::{Extractor, Gazetteer};
use libfuzzer_sys::fuzz_target;

fn extractor() -> &'static Extractor {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| Extractor::new(Gazetteer::load(None).expect("the built-in gazetteer loads")))
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let format = if choice % 2 == 0 { Format::Text } else { Format::Markdown };
    let Ok(read) = read_bytes(format, "fuzz", bytes) else {
        return;
    };
    for source in read.briefs {
        // A subheading introduces the paragraph after it; one with no
        // paragraph after it is a passage of its own.
        let blocks = &source.brief.blocks;
        let body: String = blocks
            .iter()
            .enumerate()
            .filter(|(i, b)| {
                b.kind == BlockKind::Paragraph || blocks.get(i + 1).is_none_or(|next| next.kind == BlockKind::Heading)
            })
            .flat_map(|(_, b)| b.text.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        let analysed = analyse_brief(source.brief, Some(extractor()));
        let cut: String = analysed
            .passages
            .iter()
            .flat_map(|p| p.text.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        assert_eq!(body, cut, "passage cutting changed the text of the body");
        for passage in &analysed.passages {
            assert!(passage.text.len() <= MAX_PASSAGE_BYTES, "a passage of {} bytes", passage.text.len());
        }
    }
});
