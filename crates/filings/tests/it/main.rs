//! One test binary for the crate (linking one binary instead of one per file); each
//! module is one part's tests.

#[macro_use]
extern crate govmedia_fixtures;

mod common;
mod filings;
mod gongwen;
