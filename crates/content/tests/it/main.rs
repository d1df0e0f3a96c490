//! One test binary for the crate; each module is one part's tests.

#[macro_use]
extern crate govmedia_fixtures;

mod common;
mod docx;
mod links;
mod manuscripts;
mod publishing;
mod terms;
