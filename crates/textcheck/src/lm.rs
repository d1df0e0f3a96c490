//! The language-model typo detector.

/// Where Debian's `libime-data-language-model` installs its model.
pub const DEFAULT_MODEL_PATH: &str = "/usr/lib/x86_64-linux-gnu/libime/zh_CN.lm";
