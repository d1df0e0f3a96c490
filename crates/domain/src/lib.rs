//! The govmedia domain: value types, rules and pure functions over plain data.
//!
//! Everything here is deterministic and free of I/O: no SQL, no HTTP, no clock.
//! Time enters as a parameter, so every rule (deadlines, freshness, scores) can be
//! tested at any date. Storage and the web layer convert to and from these types
//! at their boundaries; the string codes of the enums (`Platform::code`, …) are the
//! stable representation used in the database, the JSON API and data files.

pub mod account;
pub mod approval;
pub mod assessment;
pub mod audit_chain;
pub mod calendar;
pub mod codes;
pub mod duties;
pub mod filing;
pub mod inspection;
pub mod interaction;
pub mod link_check;
pub mod manuscript;
pub mod policy;
pub mod registry_rules;
pub mod role;
pub mod sampling;
pub mod scoring;
pub mod time_limit;
pub mod unit;
pub mod update_clock;
