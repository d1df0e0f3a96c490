//! The web crate's integration tests, in one binary (one build and one link
//! instead of one per file), with one harness: `common` builds the test county,
//! the demo, the services and the router every module drives.
//!
//! Each test has a fresh database: SQLite, or PostgreSQL when
//! `GOVMEDIA_TEST_POSTGRES_URL` is set.

use govmedia_fixtures::bombs;
mod common;

mod assessment;
mod audit_chain;
mod browser;
mod browser_manuscript;
mod browser_monitor;
mod browser_push;
mod check;
mod clerk_pages;
mod duties;
mod email;
mod filings;
mod http;
mod import;
mod inbox;
mod inbox_hot;
mod inbox_push;
mod inspection;
mod inspection_api;
mod jobs;
mod knowledge;
mod manuscript_uploads;
mod manuscripts;
mod monitoring;
mod proposals;
mod registry_filing;
mod security;
mod site_feed;
mod todo;
mod words;
