"""A task worker killed (SIGKILL) mid-sweep loses no email and sends none twice.

The parent writes ~60 outbox rows (30 confirmed bookings: the guest's confirmation and the
owner's notice each) whose send tasks were lost, and starts a slow SMTP server on loopback. A
child process runs the real `manage.py sweep --once` against the same (committed) test database
and that server. Once the server has received a few messages, the child gets a real SIGKILL:
no `finally`, no rollback, no "sent" update for the message it was waiting on. The parent then
sweeps again with a clock past STUCK_AFTER and checks the outcome against notify/services.py:
every row ends `sent`, every Message-ID arrives, and a Message-ID arrives twice only for a row the
dead worker left in `sending` (the one documented at-least-once window).
"""

import asyncio
import datetime as dt
import email
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from rezerva.core import events
from rezerva.notify import services
from rezerva.notify.models import OutboundEmail
from tests import builders

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
Status = OutboundEmail.Status

BOOKINGS = 30
KILL_AFTER = 3  # messages received before the kill: the sweep is well under way, far from done
SMTP_DELAY_S = 0.15  # per message until the kill, so the kill lands mid-batch
DEADLINE_S = 20
WORKER_APP_NAME = "rezerva-sweep-to-kill"


class SlowInbox:
    """An SMTP handler that records each message as soon as its data is in, then answers late.

    Recording before the 250 reply is what a real server does once it has the whole message: a
    client killed while it waits for the reply has still had its message delivered."""

    def __init__(self) -> None:
        self.delay = SMTP_DELAY_S
        self._lock = threading.Lock()
        self._received: list[tuple[str, tuple[str, ...]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content)
        with self._lock:
            self._received.append((message["Message-ID"], tuple(envelope.rcpt_tos)))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    @property
    def received(self) -> list[tuple[str, tuple[str, ...]]]:
        """(Message-ID, envelope recipients) of every message, in arrival order."""
        with self._lock:
            return list(self._received)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def slow_smtp(settings):
    """The slow SMTP server on 127.0.0.1; this process's email settings point at it too."""
    inbox = SlowInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield inbox, port
    finally:
        controller.stop()


def _test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test_ database)."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _worker_env(smtp_port: int) -> dict[str, str]:
    """The production settings module, on the test database, sending to the test SMTP server."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rezerva.settings",
        "DEBUG": "true",
        "DATABASE_URL": _test_database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "WARNING",
        # libpq names the worker's connection, so the test waits for that one and no other.
        "PGAPPNAME": WORKER_APP_NAME,
    }
    for name in ("REDIS_URL", "CACHE_URL"):  # the sweep needs no cache; keep the shell's out
        env.pop(name, None)
    return env


def _wait_for(condition, what: str, timeout_s: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.01)


def _worker_backends() -> int:
    """The killed worker's connections to this database, until PostgreSQL drops them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [WORKER_APP_NAME],
        )
        return cursor.fetchone()[0]


def _queue_confirmations_whose_tasks_were_lost() -> list[OutboundEmail]:
    now = timezone.now()
    business = builders.make_business(name="Studio", slug="kill-outbox", now=now)
    service = builders.make_group_service(business, now=now)
    run = builders.make_session(service, days_ahead=30, capacity=BOOKINGS, now=now)
    bookings = builders.add_participants(run, BOOKINGS)
    with transaction.atomic():
        # What `events.notify` writes in the booking transaction, without the after-commit task.
        services.record_event(
            events.DomainEvent(
                events.BOOKING_CONFIRMED, business.pk, booking_ids=tuple(b.pk for b in bookings)
            )
        )
    # The tasks never ran (db_worker down): old enough for the sweep to send them as lost.
    OutboundEmail.objects.update(available_at=now - services.LOST_AFTER - dt.timedelta(minutes=1))
    return list(OutboundEmail.objects.order_by("pk"))


def test_a_worker_killed_mid_sweep_loses_no_email_and_resends_only_the_one_in_flight(
    slow_smtp, record_property
):
    inbox, port = slow_smtp
    rows = _queue_confirmations_whose_tasks_were_lost()
    assert len(rows) == 2 * BOOKINGS
    assert {r.status for r in rows} == {Status.QUEUED}
    expected = {r.message_id: r.recipient for r in rows}
    assert len(expected) == len(rows)

    started = time.monotonic()
    with subprocess.Popen(
        [sys.executable, "manage.py", "sweep", "--once"],
        cwd=ROOT,
        env=_worker_env(port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            _wait_for(
                lambda: len(inbox.received) >= KILL_AFTER or child.poll() is not None,
                f"{KILL_AFTER} messages from the sweep",
            )
            assert child.poll() is None, "the sweep ended before it could be killed"
            assert _worker_backends() == 1  # the wait below watches a connection that exists
            os.kill(child.pid, signal.SIGKILL)
            assert child.wait(timeout=DEADLINE_S) == -signal.SIGKILL
        finally:
            if child.poll() is None:
                child.kill()
            _, stderr = child.communicate(timeout=DEADLINE_S)
    killed_at = time.monotonic()
    inbox.delay = 0  # the kill has landed; the recovery need not be slow
    before_kill = len(inbox.received)
    # PostgreSQL notices the dead client; any statement it had sent is finished by then.
    _wait_for(lambda: _worker_backends() == 0, "the killed worker's connection to close")

    at_kill = dict(OutboundEmail.objects.values_list("message_id", "status"))
    by_status = Counter(at_kill.values())
    in_flight = {mid for mid, status in at_kill.items() if status == Status.SENDING}
    assert by_status[Status.QUEUED] > 0, f"the kill came too late: {by_status}"
    assert by_status[Status.SENT] >= KILL_AFTER - 1, (by_status, stderr)
    # One sender, one row at a time: at most the row whose reply it was waiting for.
    assert len(in_flight) <= 1, by_status
    assert services.requeue_stuck(now=timezone.now()) == [], "not stuck yet: it might be alive"

    later = timezone.now() + services.STUCK_AFTER + dt.timedelta(minutes=1)
    for _ in range(3):
        services.sweep_outbox(now=later)
        if not OutboundEmail.objects.exclude(status=Status.SENT).exists():
            break

    # None lost: every row is sent and every Message-ID reached its recipient.
    assert Counter(OutboundEmail.objects.values_list("status", flat=True)) == {
        Status.SENT: len(rows)
    }
    received = inbox.received
    assert len({mid for mid, _ in received}) == len(rows)
    assert dict(received) == {mid: (to,) for mid, to in expected.items()}
    # None twice, except inside the documented window: a row left `sending` by the dead worker.
    duplicates = {mid: n - 1 for mid, n in Counter(mid for mid, _ in received).items() if n > 1}
    assert set(duplicates) <= in_flight
    assert sum(duplicates.values()) <= len(in_flight)
    assert len(received) - len(expected) == sum(duplicates.values())
    for mid in in_flight:
        assert OutboundEmail.objects.get(message_id=mid).attempts == 2
    observed = {
        "received_before_kill": before_kill,
        "rows_at_kill": dict(by_status),
        "duplicates": sum(duplicates.values()),
        "kill_after_s": round(killed_at - started, 2),
        "recovered_after_s": round(time.monotonic() - killed_at, 2),
    }
    for name, value in observed.items():
        record_property(name, value)
    logger.info("worker killed mid-sweep: %s", observed)  # shown with -rP
