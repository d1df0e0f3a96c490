//! One test binary for the crate (linking one binary instead of one per file); each
//! module is one area's tests.

#[macro_use]
extern crate govmedia_fixtures;

mod archive;
mod assessment;
mod audit_chain;
mod common;
mod duties;
mod filings;
mod gongwen;
mod inspection;
mod jobs;
mod list_model;
mod support;
mod textcheck;
mod todo;
mod tokens;
