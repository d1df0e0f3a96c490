#!/usr/bin/env bash
# Province-sized benchmark (issue 2): generates 10,000 units and 100,000 accounts into
# a fresh SQLite database (or the PostgreSQL given as DATABASE_URL), serves it, and
# measures with wrk on loopback, in the same run:
#   - GET /healthz (the trivial endpoint, the ceiling),
#   - GET /api/v1/accounts filtered and paginated (three queries),
# then the server's resident memory, and the time `govmedia import` takes for a
# 10,000-row inventory sheet next to calamine only reading the same file.
# Needs wrk (apt-get install wrk). Usage: bench/province/run.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN="${1:-20}"
CONNECTIONS="${2:-32}"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }

cargo build --release -q -p govmedia
cargo build --release -q -p govmedia-registry --example xlsx_bare_read
TARGET="${CARGO_TARGET_DIR:-target}/release"
BIN="$TARGET/govmedia"

WORK="$(mktemp -d /tmp/govmedia-bench.XXXXXX)"
export GOVMEDIA__DATA_DIR="$WORK"
export GOVMEDIA_PASSWORD="county-load-77"
export GOVMEDIA_LOG=warn
DB_ARGS=()
if [ -n "${DATABASE_URL:-}" ]; then DB_ARGS=(--database-url "$DATABASE_URL"); fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export GOVMEDIA__LISTEN="127.0.0.1:$PORT"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uptime | sed 's/.*load/load/')"
echo "commit $(git rev-parse --short HEAD); backend ${DATABASE_URL:+PostgreSQL}${DATABASE_URL:-SQLite}"

echo "== generate"
/usr/bin/time -f "generate: %e s, max RSS %M KB" \
  "$BIN" "${DB_ARGS[@]}" generate --units 10000 --accounts 100000 \
  --token-file "$WORK/token" --xlsx "$WORK/import.xlsx" --xlsx-rows 10000
TOKEN="$(cat "$WORK/token")"

echo "== serve"
"$BIN" "${DB_ARGS[@]}" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
BASE="http://127.0.0.1:$PORT"
ROOT_CHILD_UNIT=2  # the first city: a subtree of about 1/13 of the province

# The first list after the start (as the first list after any write) answers from the
# database and starts building the in-memory registry list in the background; once it
# is built (the same list answered by the model), one request alone.
curl -sf -o /dev/null -w "first list (from the database; starts building the model): %{time_total} s\n" \
  -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/accounts?platform=weibo&status=normal&page=20"
sleep 4
curl -sf -o /dev/null -w "one list request alone (from the model): %{time_total} s\n" \
  -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/accounts?platform=weibo&status=normal&page=20"

# Warm up, then measure each URL.
run_wrk() {
  local label="$1" url="$2"
  wrk -t2 -c"$CONNECTIONS" -d3s -H "Authorization: Bearer $TOKEN" "$url" >/dev/null
  echo "-- $label: $url"
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Bearer $TOKEN" "$url" \
    | grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors"
}
echo "== wrk (${SECONDS_PER_RUN}s each, $CONNECTIONS connections, 2 threads)"
run_wrk "health" "$BASE/healthz"
run_wrk "list: platform+status, page 20" "$BASE/api/v1/accounts?platform=weibo&status=normal&page=20"
run_wrk "list: unit subtree, sorted by followers desc, page 3" "$BASE/api/v1/accounts?unit=$ROOT_CHILD_UNIT&sort=followers&dir=desc&page=3"
run_wrk "list: name search" "$BASE/api/v1/accounts?q=%E5%8F%91%E5%B8%83&page=2"
echo "== server memory"
echo "$(uptime | sed 's/.*load/load/') (after the wrk runs)"
grep -E "VmRSS|VmHWM" "/proc/$SERVER_PID/status"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

echo "== import of a 10,000-row sheet (3 runs each)"
for i in 1 2 3; do
  /usr/bin/time -f "calamine read (whole process): %e s" "$TARGET/examples/xlsx_bare_read" "$WORK/import.xlsx"
done
for i in 1 2 3; do
  /usr/bin/time -f "govmedia import: %e s, max RSS %M KB" \
    "$BIN" "${DB_ARGS[@]}" import "$WORK/import.xlsx" --as bench
done
