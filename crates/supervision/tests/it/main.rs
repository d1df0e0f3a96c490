//! One test binary for the crate (linking one binary instead of one per file); each
//! module is one part's tests.

#[macro_use]
extern crate govmedia_fixtures;

mod assessment;
mod common;
mod duties;
mod inspection;
mod todo;
