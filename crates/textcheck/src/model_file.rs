//! What the two model readers share: the load error, reading a model file with a size
//! bound, and the hasher of their tables.
//!
//! The word model ([`crate::kenlm`], KenLM's binary layout) and the char model
//! ([`crate::charlm`], ARPA text) are different formats, but a deployment sees one kind of
//! failure for both (a file missing, too large or not what it claims), and both index their
//! entries by keys that are already well-mixed 64-bit hashes.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Loading a model failed. Every message says what to do.
#[derive(Debug, Error)]
pub enum LmError {
    #[error("无法读取语言模型文件 {path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("语言模型文件 {0} 不是 KenLM 二进制格式")]
    NotKenLm(PathBuf),
    #[error("语言模型文件 {0} 的 KenLM 格式版本不是 5，请用当前版本的 build_binary 重新生成")]
    Version(PathBuf),
    #[error(
        "语言模型文件 {path} 的类型为 {kind}，只支持 QUANT_ARRAY_TRIE（build_binary -q 8 -b 8 -a 22 trie）"
    )]
    Unsupported { path: PathBuf, kind: String },
    #[error("字模型文件 {0} 不是 ARPA 格式（缺少 \\data\\ 段）")]
    NotArpa(PathBuf),
    #[error("语言模型文件 {path} 已损坏：{what}")]
    Corrupt { path: PathBuf, what: String },
}

/// Reads a whole model file, refusing one larger than `max` bytes before reading it.
pub(crate) fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, LmError> {
    let io = |source| LmError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > max {
        return Err(LmError::Corrupt {
            path: path.to_path_buf(),
            what: format!("文件大小 {} MB 超过上限 {} MB", size >> 20, max >> 20),
        });
    }
    std::fs::read(path).map_err(io)
}

/// A hasher for keys that are already hashes: the key is its own hash.
#[derive(Default)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A table keyed by a 64-bit hash.
pub(crate) type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;
