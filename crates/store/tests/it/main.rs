//! One test binary for the crate (linking one binary instead of one per file); each
//! module is one area's tests.

mod conformance;
mod jobs;
