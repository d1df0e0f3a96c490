#!/usr/bin/env bash
# Knowledge-base benchmark (issue 18): generates ENTRIES realistic Chinese Q&A
# entries from templates over real topics, loads them through the service's bulk
# load (segmentation, inverted index in the database), and runs searches from
# CLIENTS concurrent clients, SEARCHES each: index build time, rows, file size,
# search p50/p99/max, peak RSS; then builds the server's in-memory index (time, RSS)
# and times the database's search and the index's one after the other in the same
# run (DB_SEARCHES=n: fewer searches a client for the database). SQLite by default; PostgreSQL with
# GOVMEDIA_TEST_POSTGRES_URL. PROFILE=dev runs the debug build (no release build
# at hand); figures for the target come from the release build.
# Usage: bench/knowledge/run.sh [ENTRIES] [CLIENTS] [SEARCHES]
set -euo pipefail
cd "$(dirname "$0")/../.."
ENTRIES="${1:-1000000}"
CLIENTS="${2:-32}"
SEARCHES="${3:-50}"
PROFILE_FLAG="--release"
[ "${PROFILE:-release}" = "dev" ] && PROFILE_FLAG=""
echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uptime | sed 's/.*load/load/')"
echo "commit $(git rev-parse --short HEAD); profile ${PROFILE:-release}"
cargo run -q $PROFILE_FLAG -p govmedia-interaction --example knowledge_bench -- "$ENTRIES" "$CLIENTS" "$SEARCHES"
