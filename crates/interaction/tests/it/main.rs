//! One test binary for the crate; each module is one part's tests.

#[macro_use]
extern crate govmedia_fixtures;

mod common;
mod hot;
mod inbox;
mod inbox_send;
mod knowledge;
mod knowledge_index;
mod mailbox;
