#!/usr/bin/env bash
# Text checker benchmark (issue 4). Not part of the test suite.
#
#   bench/textcheck/run.sh [CORPUS_MB]      # default 100
#
# 1. builds the release scan_bench example;
# 2. generates a deterministic corpus of CORPUS_MB of Chinese text (one ~2 KB doc a line);
# 3. scans it with the default rules + the full stress lexicon, normalisation on,
#    1 thread and 2 threads;
# 4. installs pyahocorasick, ahocorasick-rs and matcher-py into a venv and scans the same
#    corpus with the same terms;
# 5. prints one JSON line per tool and a table.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${SHARED:-$repo/../shared}"
lexicon="$shared/bench-data/sensitive-lexicon/Vocabulary"
mb="${1:-100}"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/govmedia-textcheck-bench}"
mkdir -p "$work"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$work/target}"

echo "== building" >&2
cargo build --release -q -p govmedia-textcheck --example scan_bench --example lm_latency --manifest-path "$repo/Cargo.toml"

corpus="$work/corpus-${mb}mb.txt"
if [ ! -s "$corpus" ]; then
  echo "== generating $corpus" >&2
  python3 "$here/gen_corpus.py" "$shared/seeds" "$lexicon" "$corpus" "$mb"
fi

if [ ! -x "$work/venv/bin/python" ]; then
  echo "== installing peers" >&2
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q pyahocorasick ahocorasick-rs matcher-py
fi

results="$work/results.jsonl"
: > "$results"
# The machine may be shared: every row carries the 1-minute load average before and after
# the run that produced it.
load() { cut -d' ' -f1 /proc/loadavg; }
with_load() {
  local before; before="$(load)"
  local out; out="$("$@")"
  local after; after="$(load)"
  printf '%s\n' "$out" | python3 -c '
import json, sys
for l in sys.stdin:
    if l.strip():
        r = json.loads(l); r["load"] = sys.argv[1]; print(json.dumps(r, ensure_ascii=False))
' "$before→$after"
}
echo "== govmedia-textcheck at $(git -C "$repo" rev-parse --short HEAD)" >&2
with_load "$CARGO_TARGET_DIR/release/examples/scan_bench" "$corpus" "$lexicon" 2 | tee -a "$results"
# With the language model installed, scan_bench adds a row for it; lm_latency gives the
# latency of a 2 KB post with it (first check and best of five).
if "$CARGO_TARGET_DIR/release/examples/lm_latency" "$corpus" 2000 > "$work/lm_latency.json" 2>/dev/null; then
  echo "== language model, 2 KB posts: $(cat "$work/lm_latency.json")" >&2
fi
echo "== peers" >&2
with_load "$work/venv/bin/python" "$here/peers.py" "$corpus" "$lexicon" | tee -a "$results"
"$work/venv/bin/pip" list 2>/dev/null | grep -i -E "^(pyahocorasick|ahocorasick.rs|matcher.py) " >&2 || true

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print()
print("| tool | terms | build s | MB/s 1 thread | MB/s 2 threads | matches | 2 KB p50 µs | 2 KB p99 µs | load before→after |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    print(f"| {r['tool']} | {r['patterns']} | {r['build_s']} | {r['mb_s_1t']} | {r.get('mb_s_2t', '–')} | {r['findings']} | {r['lat2k_us_p50']} | {r['lat2k_us_p99']} | {r.get('load', '?')} |")
PY
