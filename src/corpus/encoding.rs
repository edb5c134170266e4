//! Turning a text file's bytes into a `String`, whatever encoding it was saved in.
//!
//! Briefs kept for years come in UTF-8 (with or without a byte-order mark),
//! UTF-16 from Windows tools, and legacy single-byte code pages such as
//! Windows-1252 or Windows-1256. A byte-order mark decides; otherwise valid
//! UTF-8 is UTF-8; otherwise the encoding is guessed with `chardetng` (the
//! detector Firefox uses) and decoded with `encoding_rs`. Bytes that are not
//! text at all (a PDF or an image saved with a `.txt` name, a file of NULs)
//! are refused with a reason instead of being indexed as noise.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Text decoded from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The encoding's name (`windows-1252`, `UTF-16LE`) when it was not plain UTF-8.
    pub encoding: Option<&'static str>,
}

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodingError {
    /// The bytes are not text; the message says what they look like.
    #[error("binary content, not text ({0})")]
    Binary(String),
}

/// How many bytes the encoding detector is given.
const DETECT_BYTES: usize = 64 * 1024;

/// How much of the start of a file is looked at to tell text from binary.
const SNIFF_BYTES: usize = 8192;

/// Decodes a text file's bytes: BOM first, then UTF-8, then a detected
/// legacy encoding. Never fails on text; fails on binary content.
pub fn decode(bytes: &[u8]) -> Result<Decoded, EncodingError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        let name = (encoding != UTF_8).then(|| encoding.name());
        return check_text(text.into_owned(), name);
    }
    if let Some(what) = binary_signature(bytes) {
        return Err(EncodingError::Binary(what.to_string()));
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return check_text(text.into_owned(), Some(encoding.name()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return check_text(text.to_string(), None);
    }
    if bytes.iter().take(SNIFF_BYTES).any(|&b| b == 0) {
        return Err(EncodingError::Binary("it holds NUL bytes".into()));
    }
    // The detector reads every byte it is given: from the first non-ASCII
    // byte on, a few tens of kilobytes tell the encoding of a brief.
    let first = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    let sample = &bytes[first..bytes.len().min(first + DETECT_BYTES)];
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, sample.len() == bytes.len() - first);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    check_text(text.into_owned(), Some(encoding.name()))
}

/// Refuses decoded text that is mostly control characters: such "text" is
/// a binary file that happened to decode.
fn check_text(text: String, encoding: Option<&'static str>) -> Result<Decoded, EncodingError> {
    let mut chars = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(SNIFF_BYTES) {
        chars += 1;
        if c == '\0' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')) {
            control += 1;
        }
    }
    if control > 0 && control * 10 > chars {
        return Err(EncodingError::Binary(format!(
            "{control} control characters in its first {chars} characters"
        )));
    }
    Ok(Decoded { text, encoding })
}

/// What a binary file looks like, from its first bytes.
pub fn binary_signature(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF-", "it looks like a PDF; name it .pdf"),
        (b"PK\x03\x04", "it looks like a zip archive, such as a .docx or .odt"),
        (b"\x89PNG", "it looks like a PNG image"),
        (b"\xff\xd8\xff", "it looks like a JPEG image"),
        (b"GIF8", "it looks like a GIF image"),
        (b"\x7fELF", "it looks like a program"),
        (b"\x1f\x8b", "it looks like a gzip archive"),
        (b"\xd0\xcf\x11\xe0", "it looks like an old Office document (.doc)"),
        (b"{\\rtf", "it looks like an RTF document"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, what)| *what)
}

/// UTF-16 saved without a byte-order mark: in Latin-script text every
/// other byte is zero. Only taken when the pattern is overwhelming.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(SNIFF_BYTES) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_zero = sample.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd_zero * 10 >= pairs * 9 && even_zero * 10 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 >= pairs * 9 && odd_zero * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode("Kabul – Herat".as_bytes()).unwrap();
        assert_eq!(plain.text, "Kabul – Herat");
        assert_eq!(plain.encoding, None);
        let bom = decode("\u{feff}Kabul".as_bytes()).unwrap();
        assert_eq!(bom.text, "Kabul");
        assert_eq!(bom.encoding, None);
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        let text = "Envoys met in Tashkent.";
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap().text, text);
        assert_eq!(decode(&le).unwrap().encoding, Some("UTF-16LE"));
        assert_eq!(decode(&be).unwrap().text, text);
        assert_eq!(decode(&be).unwrap().encoding, Some("UTF-16BE"));
        // Without the mark, the zero bytes give it away.
        assert_eq!(decode(&le[2..]).unwrap().encoding, Some("UTF-16LE"));
    }

    #[test]
    fn windows_1252_is_detected() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
            "The minister\u{2019}s caf\u{e9} talks \u{2014} in Herat \u{201c}went well\u{201d}, officials said.",
        );
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, Some("windows-1252"));
        assert!(decoded.text.contains("caf\u{e9}"));
    }

    #[test]
    fn binary_is_refused() {
        assert!(decode(b"%PDF-1.7\n...").is_err());
        assert!(decode(&[0u8, 1, 2, 3, 0, 0, 7, 8, 200, 201, 0, 0]).is_err());
        assert!(decode(&[0x01u8; 100]).is_err());
    }
}
