//! One test binary for the crate (linking one binary instead of one per file); each
//! module is one part's tests, on the test county with the business crates installed.

mod audit_chain;
mod common;
mod jobs;
mod textcheck;
mod tokens;
