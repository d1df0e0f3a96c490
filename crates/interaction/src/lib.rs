//! 政民互动: what the public sends the accounts and how the units answer — one inbox
//! with time limits ([`inbox`]), the public 纠错 and 仿冒 reports ([`public_report`]),
//! and the Q&A knowledge base the replies draw on ([`knowledge`]).
//!
//! An area crate over `govmedia-core` (and the registry): it uses the core's unit of work, audit,
//! scope and time limits, and feeds the one to-do list and the one job runner through
//! [`install`] instead of being listed by them.

pub mod analysis;
pub mod inbox;
mod install;
pub mod knowledge;
pub mod mailbox;
pub mod public_report;
pub use install::{install, install_with};
