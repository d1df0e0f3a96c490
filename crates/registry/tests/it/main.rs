//! One test binary for the crate (linking one binary instead of one per file); each
//! module is one part's tests.

mod archive;
mod list_model;
