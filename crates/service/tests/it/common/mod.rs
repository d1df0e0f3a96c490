//! The service tests' fixtures: the one test county of `govmedia-fixtures`, with the
//! core's services (no area installed).

pub use govmedia_fixtures::county::*;
