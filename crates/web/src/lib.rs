//! govmedia web crate.
