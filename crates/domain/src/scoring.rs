//! Indicator sets and the scoring engine (issue 5). Placeholder until implemented.
