//! Working-day calendar (issue 3). Placeholder until implemented.
