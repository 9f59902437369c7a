"""Cascades and the hold sweep on PostgreSQL: rows are locked in id order, and the sweep never
waits for a row someone else holds, so owners' cancellations and the sweep cannot deadlock."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from rezerva.booking.models import Booking, BookingStatus
from rezerva.booking.services import book_single_run, cancel_session, expire_holds
from rezerva.catalog.models import PriceType
from tests import builders
from tests.booking.helpers import guest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
AFTER_HOLDS = dt.timedelta(hours=2)


@pytest.fixture
def paid_run(business, now):
    service = builders.make_group_service(
        business, price_type=PriceType.ONLINE, price_minor=7000, now=now
    )
    return builders.make_session(service, capacity=10, now=now)


def _hold_row_lock(booking_id: int, locked: threading.Event, release: threading.Event) -> None:
    """Another transaction (a late payment being applied, say) holds one booking's row."""
    try:
        with transaction.atomic():
            Booking.objects.select_for_update().get(pk=booking_id)
            locked.set()
            release.wait(10)
    finally:
        connections.close_all()


def test_the_hold_sweep_skips_a_booking_that_is_being_paid_and_tidies_it_next_time(
    business, paid_run, now
):
    held, free = (
        book_single_run(business=business, session_id=paid_run.pk, guest=guest(), now=now)
        for _ in range(2)
    )
    locked, release = threading.Event(), threading.Event()
    other = threading.Thread(target=_hold_row_lock, args=(held.pk, locked, release))
    other.start()
    try:
        assert locked.wait(5)
        with connection.cursor() as cursor:  # a sweep that waited would fail here, not hang
            cursor.execute("SET lock_timeout = '2s'")
        first = expire_holds(now=now + AFTER_HOLDS)
    finally:
        release.set()
        other.join(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")

    assert first.bookings == 1
    assert Booking.objects.get(pk=free.pk).status == BookingStatus.EXPIRED
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.PENDING
    assert expire_holds(now=now + AFTER_HOLDS).bookings == 1
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.EXPIRED


def test_cancelling_a_run_locks_its_bookings_in_id_order_before_changing_them(
    business, paid_run, now
):
    for _ in range(3):
        book_single_run(business=business, session_id=paid_run.pk, guest=guest(), now=now)

    with CaptureQueriesContext(connection) as queries:
        result = cancel_session(session=paid_run, actor=None, now=now)

    assert result.bookings_cancelled == 3
    booking_sql = [q["sql"] for q in queries if '"booking_booking"' in q["sql"]]
    lock = next(i for i, sql in enumerate(booking_sql) if "FOR UPDATE" in sql)
    update = next(i for i, sql in enumerate(booking_sql) if sql.startswith("UPDATE"))
    assert lock < update
    # Django orders a values_list by its column position: ORDER BY 1 is the id.
    assert re.search(r'ORDER BY (1|"booking_booking"\."id") ASC FOR UPDATE', booking_sql[lock])
