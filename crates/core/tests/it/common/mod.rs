//! The tests' fixtures: the one test county of `govmedia-fixtures`, with the
//! business crates' services (no area installed).

pub use govmedia_fixtures::county::*;
