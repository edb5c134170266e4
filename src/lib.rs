//! `briefs`: full-text search over folders of regional briefs.
//!
//! The pipeline is: [`corpus`] walks a folder and reads each brief (metadata and
//! body lines), [`passage`] cuts the body into paragraph-sized passages,
//! [`entities`] finds the countries and actors each passage mentions,
//! [`near_dup`] gives each passage keys that find its republished copies,
//! [`index`] writes passages into a tantivy index (incrementally, crash-safe),
//! [`search`] ranks passages for a query with facet filters and counts, and
//! [`output`] prints results for people (text) and tools (JSON); [`serve`]
//! puts the same search behind a local web page and JSON API.
//!
//! The binary (`src/main.rs`) only parses flags and maps errors to exit codes.

pub mod analyse;
pub mod corpus;
pub mod entities;
pub mod eval;
pub mod facet;
pub mod index;
pub mod near_dup;
pub mod output;
pub mod passage;
pub mod relevance;
pub mod search;
pub mod serve;
pub mod tokenize;

/// The extraction version: bump it whenever parsing, passage cutting, the
/// tokenizer or entity extraction changes what goes into the index, so that
/// existing indexes are rebuilt instead of silently mixing two behaviours.
pub const EXTRACTION_VERSION: u32 = 13;

/// The schema version: bump it whenever the tantivy schema changes, or
/// what the index derives for its own use from the same text (the
/// near-duplicate keys of `near_dup`, the briefs' keys of
/// `corpus::path_key`).
pub const SCHEMA_VERSION: u32 = 9;
