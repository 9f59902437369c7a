#!/usr/bin/env bash
# `make run`: migrate SQLite, load the demo, run the housekeeping sweep beside the dev server.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=true
BIN=.venv/bin
$BIN/python manage.py migrate --noinput
$BIN/python manage.py load_demo
$BIN/python manage.py sweep --every 60 &
sweeper=$!
trap 'kill $sweeper 2>/dev/null || true' EXIT
$BIN/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
