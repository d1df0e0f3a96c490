//! One test binary for the crate; each module is one part's tests.

mod bilibili;
mod common;
mod credentials;
mod email;
mod links;
mod looks;
mod monitoring;
mod proposals;
mod runs;
