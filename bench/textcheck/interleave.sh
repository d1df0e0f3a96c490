#!/usr/bin/env bash
# Same-moment comparison on a shared, loaded machine (not part of the test suite):
#
#   bench/textcheck/interleave.sh [ROUNDS] [CORPUS_MB]     # defaults 5, 100
#
# Alternates, ROUNDS times, our scan_bench (all its rows) with matcher-py (`process`, the
# fastest peer of run.sh) over the same corpus and terms, and prints every round with its
# 1-minute load average, then the best MB/s of each (the least disturbed run). Needs what
# run.sh leaves in BENCH_DIR (the corpus and the peers' venv): run run.sh first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${SHARED:-$repo/../shared}"
lexicon="$shared/bench-data/sensitive-lexicon/Vocabulary"
rounds="${1:-5}"
mb="${2:-100}"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/govmedia-textcheck-bench}"
corpus="$work/corpus-${mb}mb.txt"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$work/target}"
cargo build --release -q -p govmedia-textcheck --example scan_bench --manifest-path "$repo/Cargo.toml"
load() { cut -d' ' -f1 /proc/loadavg; }
out="$work/interleave.jsonl"
: > "$out"
for r in $(seq "$rounds"); do
  l="$(load)"
  rows="$("$CARGO_TARGET_DIR/release/examples/scan_bench" "$corpus" "$lexicon" 2)"
  printf '%s\n' "$rows" | sed -n 1p \
    | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); r["round"]=int(sys.argv[1]); r["load"]=sys.argv[2]; print(json.dumps(r, ensure_ascii=False))' "$r" "$l" \
    | tee -a "$out"
  l="$(load)"
  "$work/venv/bin/python" - "$corpus" "$lexicon" "$r" "$l" <<'PY' | tee -a "$out"
import glob, json, os, sys, time
from matcher_py import ProcessType, SimpleMatcher
corpus, lexicon, rnd, load = sys.argv[1:5]
docs = [d for d in open(corpus, encoding="utf-8").read().split("\n") if d]
mb = sum(len(d.encode("utf-8")) + 1 for d in docs) / 1e6
terms = []
for p in sorted(glob.glob(os.path.join(lexicon, "*.txt"))):
    terms += [t.strip() for t in open(p, encoding="utf-8") if t.strip()]
terms = sorted(set(terms))
words = {i: t for i, t in enumerate(terms) if not any(c in t for c in "&~|\\")}
m = SimpleMatcher.from_dict({int(ProcessType.NONE): words})
t = time.perf_counter()
n = sum(len(m.process(d)) for d in docs)
s = time.perf_counter() - t
print(json.dumps({"tool": "matcher-py", "round": int(rnd), "load": load, "mb_s_1t": round(mb / s, 1), "findings": n}))
PY
done
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
best = {}
for r in rows:
    best[r["tool"]] = max(best.get(r["tool"], 0), r["mb_s_1t"])
for tool, v in best.items():
    print(f"best of {sum(1 for r in rows if r['tool'] == tool)}: {tool} {v} MB/s")
PY
