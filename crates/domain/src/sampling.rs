//! Reproducible spot-check sampling (issue 5). Placeholder until implemented.
