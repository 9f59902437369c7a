#!/usr/bin/env bash
# make audit: pip-audit over every requirements/*.lock, for operators with network access.
# CI does not run it (our CI machines cannot reach a vulnerability database).
#
# pip-audit lives in its own venv (.venv/audit-tools), installed on first use at a pinned version:
# it brings about 30 packages of its own (requests, rich, CacheControl, cyclonedx, ...), which
# must not land beside, or move, the pins the app and tests run with. It audits the lock files,
# not an environment, so it needs nothing from the project venv.
#
# Exit status: 0 no known vulnerabilities; 1 vulnerabilities found; 2 the audit could not run
# (database unreachable, packages not found, pip-audit not installable): nothing was checked.
# AUDIT_SERVICE=osv asks OSV (api.osv.dev) instead of PyPI's JSON API.
set -uo pipefail
cd "$(dirname "$0")/.."

PIP_AUDIT_VERSION="2.10.1"
PYTHON="${PYTHON:-python3}"
TOOLS="${AUDIT_TOOLS:-.venv/audit-tools}"  # tests point this at a stub
SERVICE="${AUDIT_SERVICE:-pypi}"
UNREACHABLE='ConnectionError|ConnectTimeout|ReadTimeout|Max retries exceeded|NameResolutionError|Failed to resolve|Failed to establish a new connection|Temporary failure in name resolution|Network is unreachable|SSLError|ProxyError'

if ! "$TOOLS/bin/pip-audit" --version 2>/dev/null | grep -qx "pip-audit $PIP_AUDIT_VERSION"; then
  echo "make audit: installing pip-audit==$PIP_AUDIT_VERSION into $TOOLS"
  if ! { "$PYTHON" -m venv "$TOOLS" && "$TOOLS/bin/python" -m pip install --quiet \
      --disable-pip-version-check "pip-audit==$PIP_AUDIT_VERSION"; }; then
    echo "make audit: could not install pip-audit==$PIP_AUDIT_VERSION (is a package index reachable?); nothing was checked." >&2
    exit 2
  fi
fi

status=0
for lock in requirements/*.lock; do
  echo "== $lock ($SERVICE)"
  # --no-deps --disable-pip: the lock is complete and pinned, audit exactly it, resolve nothing.
  # --strict: a package that cannot be looked up fails the run instead of being skipped silently.
  output="$("$TOOLS/bin/pip-audit" --requirement "$lock" --no-deps --disable-pip --strict \
      --progress-spinner off --vulnerability-service "$SERVICE" 2>&1)"
  rc=$?
  if [ "$rc" -eq 0 ] || ! printf '%s' "$output" | grep -qE "$UNREACHABLE"; then
    printf '%s\n' "$output" | grep -v -e '--no-deps is supported' -e 'pip-compile' || true
  else
    printf '%s\n' "$output" | tail -n 1  # the connection error, without its traceback
  fi
  if [ "$rc" -eq 0 ]; then
    continue
  fi
  if printf '%s' "$output" | grep -qE "$UNREACHABLE"; then
    echo "make audit: the vulnerability database ($SERVICE) could not be reached, so $lock was NOT checked. Run make audit where https://pypi.org (or, with AUDIT_SERVICE=osv, https://api.osv.dev) is reachable." >&2
    status=2
  elif printf '%s' "$output" | grep -q "could not be audited"; then
    echo "make audit: packages in $lock could not be looked up (the index answered 'not found'; a mirror or proxy may stand in for pypi.org), so the audit is inconclusive. Try AUDIT_SERVICE=osv or another network." >&2
    status=2
  else
    echo "make audit: known vulnerabilities in $lock (listed above)." >&2
    [ "$status" -eq 0 ] && status=1
  fi
done
exit "$status"
