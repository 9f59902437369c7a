#!/usr/bin/env bash
# The README's test command: lint, then the whole suite on SQLite, then on PostgreSQL when reachable.
# REQUIRE_POSTGRES=1 (set by .ci/run) turns "PostgreSQL not reachable" into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL_DEFAULT="postgres://postgres@127.0.0.1:5432/rezerva"

echo "== ruff check"
$BIN/ruff check .
DEBUG=true $BIN/python manage.py makemigrations --check --dry-run >/dev/null

# The Playwright journeys need Debian's chromium; REQUIRE_BROWSER=1 (CI) makes its absence fatal.
if ! bash scripts/install_browser.sh; then
  if [[ "${REQUIRE_BROWSER:-0}" == "1" ]]; then
    echo "chromium is required (REQUIRE_BROWSER=1) but could not be installed" >&2
    exit 1
  fi
  echo "== chromium not available: the e2e journeys will be skipped"
fi

ran=()
echo "== pytest on SQLite"
env -u DATABASE_URL $BIN/pytest -q "$@"
ran+=("sqlite")

pg_url="${DATABASE_URL:-}"
if [[ -z "$pg_url" ]] && $BIN/python scripts/pg_ready.py "$PG_URL_DEFAULT"; then
  pg_url="$PG_URL_DEFAULT"
fi
if [[ -n "$pg_url" ]]; then
  echo "== pytest on PostgreSQL ($pg_url)"
  DATABASE_URL="$pg_url" $BIN/pytest -q "$@"
  ran+=("postgresql")
elif [[ "${REQUIRE_POSTGRES:-0}" == "1" ]]; then
  echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but 127.0.0.1:5432 does not answer" >&2
  exit 1
else
  echo "== PostgreSQL not reachable: skipped (set DATABASE_URL to run it)"
fi
echo "== databases that ran the suite: ${ran[*]}"
