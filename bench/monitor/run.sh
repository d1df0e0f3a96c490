#!/bin/sh
# The monitoring sweep benchmark (issue 16): a mock platform on loopback answering
# every request after LATENCY seconds with a feed of 20 posts, N accounts of the
# synthetic province (`govmedia generate --feeds`), one `govmedia monitor run` of the
# whole province (first look: every post new) and a second (nothing changed).
# Reports accounts/s, posts checked/s, CPU seconds per 1,000 accounts, peak RSS and
# requests per account, from /usr/bin/time and the mock's counts.
#
#   bench/monitor/run.sh [ACCOUNTS=5000] [PARALLEL=8] [LATENCY=0.05]
# PROFILE=dev uses the debug build (default release); BIN=path times that binary as it
# is (no build: A/B of two builds in one session). GOVMEDIA__DATABASE_URL may name an
# empty PostgreSQL database; default a fresh SQLite file.
set -eu
N=${1:-5000}
PARALLEL=${2:-8}
LATENCY=${3:-0.05}
PROFILE=${PROFILE:-release}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
if [ -n "${BIN:-}" ]; then
    :
elif [ "$PROFILE" = release ]; then
    cargo build --release -p govmedia --manifest-path "$ROOT/Cargo.toml"
    BIN=$TARGET/release/govmedia
else
    cargo build -p govmedia --manifest-path "$ROOT/Cargo.toml"
    BIN=$TARGET/debug/govmedia
fi
WORK=$(mktemp -d)
trap 'kill $MOCK 2>/dev/null; rm -rf "$WORK"' EXIT
python3 "$HERE/mock_platform.py" --latency "$LATENCY" --posts 20 >"$WORK/mock.out" &
MOCK=$!
# Python's start takes seconds on a loaded machine: wait for its port.
for _ in $(seq 100); do
    PORT=$(awk '{print $2}' "$WORK/mock.out" 2>/dev/null || true)
    [ -n "$PORT" ] && break
    sleep 0.2
done
[ -n "$PORT" ] || { echo "the mock platform did not start" >&2; exit 1; }
export GOVMEDIA__DATA_DIR="$WORK" GOVMEDIA_PASSWORD=county-load-77 \
    GOVMEDIA__MONITOR_INTERNAL_ADDRESSES=true GOVMEDIA_LOG=warn
UNITS=$((N / 10 > 10 ? N / 10 : 10))
"$BIN" generate --units "$UNITS" --accounts "$N" --feeds "http://127.0.0.1:$PORT/feed/"
stats() { curl -s "http://127.0.0.1:$PORT/stats"; }
for pass in first unchanged; do
    before=$(stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
    start=$(date +%s.%N)
    # The largest the SQLite WAL grew during the pass (sampled every 0.2 s).
    ( max=0; while :; do s=$(stat -c %s "$WORK/govmedia.db-wal" 2>/dev/null || echo 0)
        [ "$s" -gt "$max" ] && max=$s && echo "$max" >"$WORK/wal.max"; sleep 0.2; done ) &
    SAMPLER=$!
    /usr/bin/time -f '%U %S %M' -o "$WORK/time" "$BIN" monitor run --as bench --parallel "$PARALLEL" >"$WORK/run.out"
    end=$(date +%s.%N)
    kill $SAMPLER 2>/dev/null || true
    [ -f "$WORK/wal.max" ] && echo "$pass: largest WAL $(($(cat "$WORK/wal.max") / 1048576)) MiB" && rm "$WORK/wal.max"
    after=$(stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
    tail -1 "$WORK/run.out"
    python3 - "$N" "$start" "$end" "$before" "$after" "$pass" "$(cat "$WORK/time")" <<'PY'
import sys
n, start, end, before, after, name = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
user, system, rss_kb = sys.argv[7].split()
wall = end - start
cpu = float(user) + float(system)
print(f"{name}: {n} accounts in {wall:.1f} s = {n / wall:.1f} accounts/s, "
      f"{20 * n / wall:.0f} posts checked/s, CPU {cpu:.1f} s = {1000 * cpu / n:.2f} CPU s per 1,000 accounts, "
      f"peak RSS {int(rss_kb) / 1024:.0f} MB, {(after - before) / n:.2f} requests per account")
PY
done
uptime
