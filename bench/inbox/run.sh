#!/usr/bin/env bash
# Inbox benchmark (issue 18): a synthetic province (13 cities, 104 counties, 1,040
# departments) with ITEMS inbox items, then the inbox's reads from one client and from
# CLIENTS concurrent ones (READS each): a department's and a county's open list by
# time left, the province office's overdue list, a county's open count, a county's
# text search; with the query plans. SQLite by default; PostgreSQL with
# GOVMEDIA_TEST_POSTGRES_URL. PROFILE=dev runs the debug build.
# Usage: bench/inbox/run.sh [ITEMS] [CLIENTS] [READS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ITEMS="${1:-1000000}"
CLIENTS="${2:-32}"
READS="${3:-20}"
PROFILE_FLAG="--release"
[ "${PROFILE:-release}" = "dev" ] && PROFILE_FLAG=""
echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uptime | sed 's/.*load/load/')"
echo "commit $(git rev-parse --short HEAD); profile ${PROFILE:-release}"
cargo run -q $PROFILE_FLAG -p govmedia-interaction --example inbox_bench -- "$ITEMS" "$CLIENTS" "$READS"
