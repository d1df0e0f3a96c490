#!/usr/bin/env bash
# Annual-assessment benchmark (issue 5): generates a province (10,000 units, 100,000
# accounts) with 1,000,000 findings of one year into a fresh SQLite database (or the
# PostgreSQL given as DATABASE_URL, which must be empty), then times, in the same
# process and run, a plain COUNT(*) of the findings table and the annual assessment
# of every unit end to end from the database (median of RUNS).
# Usage: bench/assessment/run.sh [FINDINGS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
FINDINGS="${1:-1000000}"
RUNS="${2:-5}"
YEAR=2026

cargo build --release -q -p govmedia
cargo build --release -q -p govmedia-supervision --example assessment_bench
TARGET="${CARGO_TARGET_DIR:-target}/release"

# KEEP=DIR keeps the generated database in DIR and reuses it on the next run.
if [ -n "${KEEP:-}" ]; then
  WORK="$KEEP"; mkdir -p "$WORK"
else
  WORK="$(mktemp -d /tmp/govmedia-assess.XXXXXX)"
  trap 'rm -rf "$WORK"' EXIT
fi
export GOVMEDIA__DATA_DIR="$WORK"
export GOVMEDIA_PASSWORD="county-load-77"
export GOVMEDIA_LOG=warn
URL="${DATABASE_URL:-sqlite://$WORK/govmedia.db}"

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uptime | sed 's/.*load/load/')"
echo "commit $(git rev-parse --short HEAD); backend $([ -n "${DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite)"

if [ -n "${KEEP:-}" ] && [ -f "$WORK/govmedia.db" ]; then
  echo "== reusing $WORK/govmedia.db"
else
  echo "== generate"
  /usr/bin/time -f "generate: %e s, max RSS %M KB" \
    "$TARGET/govmedia" --database-url "$URL" generate --units 10000 --accounts 100000 \
    --findings "$FINDINGS" --findings-year "$YEAR"
fi

echo "== assessment of every unit vs COUNT(*) of findings (median of $RUNS)"
"$TARGET/examples/assessment_bench" "$URL" "$YEAR" "$RUNS"
echo "load after: $(uptime | sed 's/.*load/load/')"
