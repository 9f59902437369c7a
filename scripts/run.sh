#!/usr/bin/env bash
# `make run`: migrate SQLite, load the demo, run the task worker and the housekeeping sweep beside
# the dev server. Emails print to this console unless EMAIL_URL says otherwise (file:///path).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=true
export EMAIL_URL="${EMAIL_URL:-console://}"
# Links in the banner and in emails point at the server this script starts.
export SITE_URL="${SITE_URL:-http://${HOST:-127.0.0.1}:${PORT:-8000}}"
BIN=.venv/bin
$BIN/python manage.py migrate --noinput
$BIN/python manage.py load_demo
$BIN/python manage.py db_worker --no-reload --interval 1 &
worker=$!
$BIN/python manage.py sweep --every 60 &
sweeper=$!
trap 'kill $worker $sweeper 2>/dev/null || true' EXIT
$BIN/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
