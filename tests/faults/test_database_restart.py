"""PostgreSQL restarted under booking load: 503s during the outage, recovery without an app restart,
and never more bookings than seats. Also: oversized bodies refused by a real server.

Everything runs against a throwaway cluster (tests/faults/pg_cluster.py) and the production
stack: gunicorn -k gthread with rezerva.settings (DEBUG off). The shared server is not touched.
"""

import itertools
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from tests.faults.pg_cluster import ThrowawayCluster, create_cluster, find_postgres_bin, free_port

# Production settings refuse short or placeholder keys; one random key per run, shared by
# every process this module starts.
SECRET_KEY = secrets.token_urlsafe(50)

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "rezerva_restart"
CAPACITY = 25
LOAD_THREADS = 6
PAUSE_BETWEEN_REQUESTS_S = 0.02
REQUEST_TIMEOUT_S = 15
PHASE_TIMEOUT_S = 30


@pytest.fixture(scope="module")
def cluster() -> Iterator[ThrowawayCluster]:
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        pytest.skip("initdb not found (install PostgreSQL server binaries to run this test)")
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a `postgres` user to own the throwaway cluster")
    cluster = create_cluster(bin_dir)
    try:
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
        yield cluster
    finally:
        cluster.destroy()


def _app_env(cluster: ThrowawayCluster) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DATABASE_URL": cluster.url(DATABASE),
            "DJANGO_SETTINGS_MODULE": "rezerva.settings",
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            # The app is served over plain http on loopback here.
            "SECURE_SSL_REDIRECT": "false",
            "STRIPE_SECRET_KEY": "sk_test_fake",
            "STRIPE_WEBHOOK_SECRET": "whsec_test_fake",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "false",
            # The load comes from one address; the limit itself is tested in tests/core.
            "RATE_LIMIT_BOOKING": "",
            "RATE_LIMIT_MANAGE": "",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        }
    )
    return env


def _run_python(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter, our own modules
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@dataclass
class App:
    base_url: str
    slug: str
    session_id: int
    log_path: Path


@pytest.fixture(scope="module")
def app(cluster: ThrowawayCluster) -> Iterator[App]:
    """The site under gunicorn (gthread) on the throwaway cluster, migrated and seeded."""
    env = _app_env(cluster)
    _run_python(env, "manage.py", "migrate", "--noinput", "-v", "0")
    seeded = json.loads(_run_python(env, "-m", "tests.faults.seed_restart_db", str(CAPACITY)))
    port = free_port()
    log_path = cluster.root / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - the pinned gunicorn from our venv
            [
                str(gunicorn), "-k", "gthread", "--workers", "1", "--threads", "8",
                "--bind", f"127.0.0.1:{port}", "--timeout", "60", "rezerva.wsgi",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base_url, server, log_path)
        yield App(base_url, seeded["slug"], seeded["session_id"], log_path)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_until_serving(base_url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + PHASE_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, log_path.read_text()
        try:
            urllib.request.urlopen(base_url + "/api/openapi.json", timeout=2).close()  # noqa: S310
        except OSError:
            time.sleep(0.2)
        else:
            return
    raise AssertionError("gunicorn did not start:\n" + log_path.read_text())


@dataclass(frozen=True)
class Outcome:
    at: float
    status: int
    content_type: str
    retry_after: str | None
    body: str


def _book(app: App, seq: int) -> Outcome:
    body = json.dumps(
        {"name": f"Guest {seq}", "email": f"guest{seq}@example.test", "session_id": app.session_id}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - our own local server
        f"{app.base_url}/api/public/{app.slug}/bookings",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:  # noqa: S310
            return _outcome(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return _outcome(error.code, error.headers, error.read())


def _outcome(status: int, headers, raw: bytes) -> Outcome:
    return Outcome(
        at=time.monotonic(),
        status=status,
        content_type=headers.get("Content-Type", ""),
        retry_after=headers.get("Retry-After"),
        body=raw.decode(errors="replace"),
    )


@dataclass
class Load:
    """Guests booking the run from several threads until told to stop."""

    app: App
    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, threads: int) -> list[threading.Thread]:
        seq = itertools.count(1)

        def guest() -> None:
            while not self.stop.is_set():
                try:
                    outcome = _book(self.app, next(seq))
                except OSError as exc:  # the app itself must stay up: record, fail below
                    self.failures.append(exc)
                    return
                with self._lock:
                    self.outcomes.append(outcome)
                time.sleep(PAUSE_BETWEEN_REQUESTS_S)

        workers = [threading.Thread(target=guest, daemon=True) for _ in range(threads)]
        for worker in workers:
            worker.start()
        return workers

    def since(self, moment: float, status: int | None = None) -> list[Outcome]:
        with self._lock:
            return [
                o
                for o in self.outcomes
                if o.at >= moment and (status is None or o.status == status)
            ]

    def wait_for(self, description: str, condition) -> None:
        deadline = time.monotonic() + PHASE_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.failures:
                raise AssertionError(f"request failed at transport level: {self.failures[0]!r}")
            if condition():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {description}")


def _seats_taken(cluster: ThrowawayCluster, session_id: int) -> int:
    with psycopg.connect(cluster.url(DATABASE)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM booking_booking WHERE session_id = %s"
            " AND status IN ('confirmed', 'pending')",
            [session_id],
        ).fetchone()
    return row[0]


def test_a_database_restart_under_booking_load_gives_503s_then_recovers_without_overselling(
    cluster, app
):
    load = Load(app)
    workers = load.run(LOAD_THREADS)
    try:
        start = time.monotonic()
        load.wait_for("bookings before the outage", lambda: len(load.since(start, 201)) >= 3)

        outage = time.monotonic()
        cluster.stop(mode="fast")
        load.wait_for("503s during the outage", lambda: len(load.since(outage, 503)) >= 5)
        cluster.start()
        back = time.monotonic()
        load.wait_for("bookings after the restart", lambda: len(load.since(back, 201)) >= 1)
        load.wait_for("the run to fill up", lambda: len(load.since(back, 409)) >= 3)
    finally:
        load.stop.set()
        for worker in workers:
            worker.join(timeout=REQUEST_TIMEOUT_S + 5)

    outcomes = load.outcomes
    statuses = {o.status for o in outcomes}
    unavailable = [o for o in outcomes if o.status == 503]
    assert statuses <= {201, 409, 503}, sorted(statuses)
    assert all(o.content_type == "application/problem+json" for o in unavailable)
    assert all(o.retry_after == "5" for o in unavailable)
    assert {json.loads(o.body)["type"] for o in unavailable} == {
        "https://rezerva.app/problems/service_unavailable"
    }
    assert not [o for o in outcomes if "Traceback" in o.body]
    assert "Traceback" not in app.log_path.read_text()
    # Nothing was oversold, and the run did fill: the app took bookings again by itself.
    booked = _seats_taken(cluster, app.session_id)
    accepted = sum(o.status == 201 for o in outcomes)
    assert booked == CAPACITY
    assert accepted <= booked
    full = [json.loads(o.body)["code"] for o in outcomes if o.status == 409]
    assert set(full) <= {"session_full", "booking_busy"}


def _raw_http(app: App, request: bytes) -> bytes:
    host, port = app.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT_S) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_real_server_refuses_a_huge_declared_body_before_it_arrives(cluster, app):
    before = _seats_taken(cluster, app.session_id)
    head = (
        f"POST /api/public/{app.slug}/bookings HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 104857600\r\nConnection: close\r\n\r\n"
    ).encode()

    # Only the headers are sent (100 MB declared); the answer must not wait for the body.
    response = _raw_http(app, head + b'{"name": "x"')

    status_line, _, rest = response.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), response[:300]
    assert b"application/problem+json" in rest
    assert b"payload_too_large" in rest
    assert _seats_taken(cluster, app.session_id) == before
