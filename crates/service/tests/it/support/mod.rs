//! Shared by the tests: zip bombs made by hand.

pub mod bombs;
