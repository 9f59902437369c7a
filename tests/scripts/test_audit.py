"""`make audit` (scripts/audit.sh) and the dependency pins (security review check 7): the audit
says clearly whether it checked anything. pip-audit itself is replaced by a stub that answers the
way the real one does in each case (its unreachable and not-found output was seen on this host)."""

import os
import re
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK_LINE = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", re.MULTILINE)

STUB = """#!/usr/bin/env bash
if [ "$1" = "--version" ]; then echo "pip-audit 2.10.1"; exit 0; fi
printf '%s\\n' "$STUB_OUTPUT"
exit "$STUB_RC"
"""
CASES = {
    "clean": (0, "No known vulnerabilities found"),
    "vulnerable": (
        1,
        "Found 1 known vulnerability in 1 package\nName  Version ID             Fix Versions\n"
        "redis 8.1.0   PYSEC-2099-1   8.2.0",
    ),
    "unreachable": (
        1,
        "Traceback (most recent call last):\n  ...\nrequests.exceptions.ConnectionError: "
        "HTTPSConnectionPool(host='api.osv.dev', port=443): Max retries exceeded with url: "
        "/v1/query (Caused by NameResolutionError(...))",
    ),
    "not found": (
        1,
        "ERROR:pip_audit._cli:aiosmtpd: Dependency not found on PyPI and could not be audited: "
        "aiosmtpd (1.4.6)",
    ),
}


def _run_audit(tmp_path: Path, case: str) -> subprocess.CompletedProcess:
    tools = tmp_path / "tools"
    (tools / "bin").mkdir(parents=True)
    stub = tools / "bin" / "pip-audit"
    stub.write_text(STUB)
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    rc, output = CASES[case]
    env = {**os.environ, "AUDIT_TOOLS": str(tools), "STUB_RC": str(rc), "STUB_OUTPUT": output}
    return subprocess.run(  # noqa: S603 - our own script
        ["bash", str(ROOT / "scripts" / "audit.sh")],  # noqa: S607 - bash from PATH
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_audit_with_no_known_vulnerabilities_exits_0(tmp_path):
    done = _run_audit(tmp_path, "clean")

    assert done.returncode == 0, done.stderr
    assert "== requirements/dev.lock (pypi)" in done.stdout
    assert "No known vulnerabilities found" in done.stdout


def test_audit_with_vulnerabilities_exits_1_and_lists_them(tmp_path):
    done = _run_audit(tmp_path, "vulnerable")

    assert done.returncode == 1
    assert "PYSEC-2099-1" in done.stdout
    assert "make audit: known vulnerabilities in requirements/dev.lock" in done.stderr


def test_audit_says_clearly_when_the_vulnerability_database_cannot_be_reached(tmp_path):
    done = _run_audit(tmp_path, "unreachable")

    assert done.returncode == 2
    assert "Traceback" not in done.stdout
    assert (
        "make audit: the vulnerability database (pypi) could not be reached, so "
        "requirements/dev.lock was NOT checked." in done.stderr
    )


def test_audit_calls_packages_it_could_not_look_up_inconclusive_not_clean(tmp_path):
    done = _run_audit(tmp_path, "not found")

    assert done.returncode == 2
    assert "so the audit is inconclusive" in done.stderr


def test_audit_target_is_phony_documented_and_not_run_by_ci():
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^\.PHONY:.*\baudit\b", makefile, re.MULTILINE)
    assert re.search(r"^audit: ## .*pip-audit", makefile, re.MULTILINE)
    assert "audit" not in (ROOT / ".ci" / "run").read_text()
    assert "audit" not in (ROOT / "scripts" / "test.sh").read_text()


@pytest.mark.parametrize("name", ["redis"])
def test_dependency_pins_agree_between_pyproject_and_every_lock(name):
    direct = {
        m.group(1).lower(): m.group(2)
        for dep in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
        if (m := LOCK_LINE.match(dep.replace("[binary,pool]", "").replace("[compat]", "")))
    }
    for lock in sorted((ROOT / "requirements").glob("*.lock")):
        pins = {m.group(1).lower(): m.group(2) for m in LOCK_LINE.finditer(lock.read_text())}
        assert {k: pins.get(k) for k in direct} == direct, lock.name
    assert direct[name] == "8.2.0"
