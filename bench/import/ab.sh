#!/usr/bin/env bash
# Interleaved A/B of import binaries (issue 2): each round runs calamine's bare read once,
# then each binary's `govmedia import` on a fresh copy of the province that
# bench/import/run.sh generated into $KEEP; prints per binary the median wall time, the
# median CPU time (user + system) and the median of the rounds' ratios to the bare read.
# Usage: bench/import/ab.sh ROUNDS BIN...   (e.g. a copy of target/release/govmedia
# built at another commit next to the current one)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="$1"; shift
KEEP="${KEEP:-/tmp/govmedia-import-bench}"
TARGET="${CARGO_TARGET_DIR:-target}/release"
[ -f "$KEEP/pristine/govmedia.db" ] || { echo "run bench/import/run.sh first" >&2; exit 2; }
cargo build --release -q -p govmedia-registry --example xlsx_bare_read
export GOVMEDIA_PASSWORD="county-load-77" GOVMEDIA_LOG=warn
OUT=$(mktemp)
for _ in $(seq "$ROUNDS"); do
  read_s=$( { /usr/bin/time -f "%e" "$TARGET/examples/xlsx_bare_read" "$KEEP/import.xlsx" >/dev/null; } 2>&1 | tail -1)
  for bin in "$@"; do
    rm -rf "$KEEP/run"; cp -r "$KEEP/pristine" "$KEEP/run"; sync
    t=$( { GOVMEDIA__DATA_DIR="$KEEP/run" /usr/bin/time -f "%e %U %S" "$bin" import "$KEEP/import.xlsx" --as bench >/dev/null; } 2>&1 | tail -1)
    echo "$bin $read_s $t" >> "$OUT"
  done
done
python3 - "$OUT" <<'PY'
import collections, statistics as st, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, read, wall, user, system = line.split()
    runs[name].append((float(read), float(wall), float(user) + float(system)))
for name, v in runs.items():
    print(f"{name}: {len(v)} rounds, import median {st.median(x[1] for x in v):.3f} s "
          f"(min {min(x[1] for x in v):.3f}), CPU median {st.median(x[2] for x in v):.3f} s, "
          f"ratio to the bare read median {st.median(x[1] / x[0] for x in v):.2f} "
          f"(bare read median {st.median(x[0] for x in v):.3f} s)")
PY
rm -f "$OUT"
