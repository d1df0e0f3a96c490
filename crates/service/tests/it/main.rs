//! One test binary for the crate (linking one binary instead of one per file); each
//! module is one area's tests.

#[macro_use]
mod common;
mod archive;
mod assessment;
mod audit_chain;
mod credentials;
mod duties;
mod email;
mod filings;
mod gongwen;
mod inbox;
mod inbox_send;
mod inspection;
mod jobs;
mod knowledge;
mod list_model;
mod manuscripts;
mod monitoring;
mod support;
mod textcheck;
mod todo;
mod tokens;
