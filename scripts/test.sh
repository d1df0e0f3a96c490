#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, and every test on SQLite and then on
# a throwaway PostgreSQL server owned by this run (started here, removed at exit).
# Needs PostgreSQL server binaries (initdb, pg_ctl); `.ci/run` installs them on Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser test (crates/web/tests/it/browser.rs) must run here, not skip.
export GOVMEDIA_REQUIRE_BROWSER=1
if ! command -v chromedriver >/dev/null 2>&1; then
  echo "chromedriver not found: install Debian's chromium, chromium-driver and fonts-noto-cjk (.ci/run does)" >&2
  exit 1
fi

# The language-model tests (crates/textcheck/tests/it/{kenlm,lm,charlm}.rs) must run here, not
# skip: they need Debian's libime-data-language-model and the char model of
# scripts/install-char-lm.sh (.ci/run installs both).
export GOVMEDIA_REQUIRE_LM=1

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "== tests on SQLite"
cargo test --workspace

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "PostgreSQL server binaries not found (install the 'postgresql' package, or run .ci/run)" >&2
  exit 1
fi
PGDIR="$(mktemp -d /tmp/govmedia-pg.XXXXXX)"
PGPORT="${PGPORT:-55432}"
RUN_AS=()
if [ "$(id -u)" = "0" ]; then
  # initdb refuses to run as root: use the postgres system user.
  chown postgres "$PGDIR"
  RUN_AS=(runuser -u postgres --)
fi
cleanup() { "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT
"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -U govmedia --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" -l "$PGDIR/log" -w start >/dev/null
echo "== tests on PostgreSQL (port $PGPORT)"
GOVMEDIA_TEST_POSTGRES_URL="postgres://govmedia@127.0.0.1:$PGPORT/postgres" cargo test --workspace
echo "== browser screenshots (CI artifacts):"
ls -1 "${CARGO_TARGET_DIR:-target}"/browser-artifacts/*.png
