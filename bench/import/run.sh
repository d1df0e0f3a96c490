#!/usr/bin/env bash
# Import benchmark (issue 2), narrower than bench/province/run.sh: only the import of a
# 10,000-row inventory sheet into the province-sized registry, next to calamine only
# reading the same file, interleaved so that both see the same machine load.
#
# The province (10,000 units, 100,000 accounts, the sheet) is generated once into
# $KEEP (default /tmp/govmedia-import-bench) and reused by later runs; each import
# runs against a fresh copy of that database, so every run starts from the same state.
# Usage: bench/import/run.sh [ROUNDS]      (KEEP=dir to choose the cache, REGEN=1 to redo)
# With PERF=1 the last round's import runs under `perf record -g` (perf.data in $KEEP).
# Each round also runs bench/import/floor.py: the same rows stored by SQLite alone (no
# govmedia code), the floor under any import of them.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${1:-3}"
KEEP="${KEEP:-/tmp/govmedia-import-bench}"

cargo build --release -q -p govmedia
cargo build --release -q -p govmedia-registry --example xlsx_bare_read
TARGET="${CARGO_TARGET_DIR:-target}/release"
BIN="${BIN:-$TARGET/govmedia}"  # BIN=path times another build (A/B)
export GOVMEDIA_PASSWORD="county-load-77"
export GOVMEDIA_LOG=warn

if [ -n "${REGEN:-}" ] || [ ! -f "$KEEP/pristine/govmedia.db" ]; then
  rm -rf "$KEEP"; mkdir -p "$KEEP/pristine"
  GOVMEDIA__DATA_DIR="$KEEP/pristine" "$BIN" generate --units 10000 --accounts 100000 \
    --xlsx "$KEEP/import.xlsx" --xlsx-rows 10000
  # Fold the WAL into the file so that a copy is the whole database.
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()" "$KEEP/pristine/govmedia.db"
fi

if [ ! -f "$KEEP/imported/govmedia.db" ]; then
  # The rows floor.py stores: what one import writes (not timed).
  rm -rf "$KEEP/imported"; cp -r "$KEEP/pristine" "$KEEP/imported"
  GOVMEDIA__DATA_DIR="$KEEP/imported" "$BIN" import "$KEEP/import.xlsx" --as bench >/dev/null
fi

echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo ' (+ uncommitted changes)'); $(nproc) cores"
for i in $(seq "$ROUNDS"); do
  rm -rf "$KEEP/run"; cp -r "$KEEP/pristine" "$KEEP/run"
  sync
  echo "-- round $i, $(uptime | sed 's/.*load/load/')"
  /usr/bin/time -f "calamine read (whole process): %e s (user %U s, sys %S s)" \
    "$TARGET/examples/xlsx_bare_read" "$KEEP/import.xlsx" >/dev/null
  if [ -n "${PERF:-}" ] && [ "$i" = "$ROUNDS" ]; then
    GOVMEDIA__DATA_DIR="$KEEP/run" perf record -q --call-graph dwarf,16384 -F 2000 -o "$KEEP/perf.data" \
      "$BIN" import "$KEEP/import.xlsx" --as bench >/dev/null
  else
    GOVMEDIA__DATA_DIR="$KEEP/run" /usr/bin/time -f "govmedia import: %e s (user %U s, sys %S s), max RSS %M KB" \
      "$BIN" import "$KEEP/import.xlsx" --as bench >/dev/null
  fi
  echo -n "SQLite alone (floor.py): "; python3 bench/import/floor.py "$KEEP" 1
done
