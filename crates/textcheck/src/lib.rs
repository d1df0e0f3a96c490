//! 错敏信息检测: the Chinese text checker (issue 4). Placeholder until implemented.
