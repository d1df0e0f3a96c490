#!/usr/bin/env bash
# Typo detection on an outside test set the project does not tune on: SIGHAN-2015 as
# distributed inside the pycorrector wheel (PyPI). Not part of the test suite.
#   bench/textcheck/typo_eval.sh [--lm] [--pairs]   # --lm: with the language model (and the
#   char model when installed, scripts/install-char-lm.sh; --no-char-lm: without it)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/govmedia-textcheck-bench}"
mkdir -p "$work/pycorrector"
tsv="$work/pycorrector/pycorrector/data/sighan2015_test.tsv"
if [ ! -s "$tsv" ]; then
  (cd "$work/pycorrector" && pip download -q --no-deps pycorrector -d . && unzip -o -q pycorrector-*.whl 'pycorrector/data/sighan2015_test.tsv')
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$work/target}"
cargo run --release -q -p govmedia-textcheck --example sighan_eval --manifest-path "$repo/Cargo.toml" -- "$tsv" "$@"
