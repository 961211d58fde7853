//! Shipshape's cross-crate acceptance tests live in `tests/` next to this file: golden
//! transcripts of `shipshape run` and determinism checks across seeds and runs. This
//! library is empty; it exists because Cargo needs a target to hang the tests on.
