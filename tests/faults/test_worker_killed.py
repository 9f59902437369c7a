"""A worker killed (SIGKILL) mid-booking leaves nothing half-written, and the seats stay free.

A child process places the booking against the same (committed) test database and kills itself
right after inserting the bookings, before commit. PostgreSQL then rolls the transaction back.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from rezerva.booking.models import Booking, ConsentRecord, SeriesPurchase
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services import book_single_run, purchase_series
from rezerva.payments.models import Payment
from rezerva.tenancy.models import ActivityLog
from tests import builders
from tests.booking.helpers import guest, usage_ticks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT_S = 60


def _test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test_ database)."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _kill_a_worker_mid_booking(slug: str, kind: str, target_id: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    }
    child = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.faults.killed_worker", slug, kind, str(target_id)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    state = json.loads(child.stdout.strip().splitlines()[-1])
    _wait_until_backend_is_gone(state["backend_pid"])
    return state


def _wait_until_backend_is_gone(pid: int, timeout_s: float = 10) -> None:
    """PostgreSQL notices the dead client, rolls back and releases the row locks."""
    deadline = time.monotonic() + timeout_s
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} of the killed worker is still there")


@pytest.fixture
def service():
    now = timezone.now()
    business = builders.make_business(name="Studio", slug="kill-studio", now=now)
    return builders.make_group_service(business, price_minor=5000, now=now)


def test_a_worker_killed_mid_series_purchase_leaves_no_purchase_and_the_seats_free(service):
    now = timezone.now()
    business = service.business
    series = builders.make_series(service, runs=3, capacity=1, now=now)
    run_ids = sorted(series.sessions.values_list("pk", flat=True))
    activity_before = ActivityLog.objects.count()

    state = _kill_a_worker_mid_booking(business.slug, "series", series.pk)

    assert state["in_transaction"] is True
    assert Booking.objects.count() == 0
    assert SeriesPurchase.objects.count() == 0
    assert Payment.objects.count() == 0
    assert ConsentRecord.objects.count() == 0
    assert usage_ticks(business) == 0
    assert ActivityLog.objects.count() == activity_before
    assert seats_taken(session_ids=run_ids, now=timezone.now()) == dict.fromkeys(run_ids, 0)
    # The next guest gets the last seat of every run: no lock or seat was left behind.
    purchase = purchase_series(
        business=business, series_id=series.pk, guest=guest(), now=timezone.now()
    )
    assert sorted(purchase.bookings.values_list("session_id", flat=True)) == run_ids
    assert usage_ticks(business) == 1


def test_a_worker_killed_mid_single_booking_leaves_no_booking_and_the_seat_free(service):
    now = timezone.now()
    business = service.business
    run = builders.make_session(service, capacity=1, now=now)

    state = _kill_a_worker_mid_booking(business.slug, "single", run.pk)

    assert state["in_transaction"] is True
    assert Booking.objects.count() == 0
    assert usage_ticks(business) == 0
    assert seats_taken(session_ids=[run.pk], now=timezone.now()) == {run.pk: 0}
    booking = book_single_run(
        business=business, session_id=run.pk, guest=guest(), now=timezone.now()
    )
    assert booking.status == "confirmed"
    assert Booking.objects.filter(session=run).count() == 1
