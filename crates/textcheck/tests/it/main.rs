//! One test binary for the crate (linking one binary instead of one per file); each
//! module is one area's tests.

mod charlm;
mod check;
mod html;
mod kenlm;
mod lm;
mod never_panics;
mod seeds;
mod tampering;
