//! Fuzzes query checking, parsing and search: any query text gives hits or
//! an error that says what is wrong, never a panic, a stack overflow or a hang.
#![no_main]

mod common;

use briefs::search::{search, SearchRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::quiet_caught_panics();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let open = match briefs::index::open(common::template_index()) {
        Ok(open) => open,
        Err(e) => panic!("the fuzz index does not open: {e}"),
    };
    for any in [false, true] {
        let request = SearchRequest {
            query: text.to_string(),
            any,
            limit: 10,
            per_brief: 2,
            facets: true,
            facet_limit: 10,
            ..SearchRequest::default()
        };
        let _ = search(&open, &request);
    }
});
