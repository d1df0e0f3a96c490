//! govmedia store crate.
