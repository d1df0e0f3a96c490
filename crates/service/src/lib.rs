//! govmedia service crate.
