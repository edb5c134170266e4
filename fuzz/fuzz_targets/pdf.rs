//! Fuzzes the pdf reader: whatever the bytes, reading gives briefs or an error, never a panic.
#![no_main]

use briefs::corpus::{read_bytes, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_bytes(Format::Pdf, "fuzz", data);
});
