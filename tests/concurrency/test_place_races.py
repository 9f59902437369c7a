"""Real races on PostgreSQL (CONVENTIONS §6): row locks keep seats within capacity.

Each worker thread has its own database connection (closed in `finally`) and all of them start
together on a barrier. Layers: (1) real races, (2) a control test with the lock switched off that
*does* oversell, proving the harness can see the bug, (3) an SQL assertion on the lock order.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rezerva.booking.errors import BookingBusy, SeriesSoldOut, SessionFull
from rezerva.booking.models import ACTIVE_STATUSES, Booking, SeriesPurchase
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services import (
    book_drop_in,
    book_single_run,
    purchase_series,
)
from rezerva.booking.services import place as place_module
from rezerva.scheduling.models import Session
from tests import builders
from tests.booking.helpers import guest, new_key, usage_ticks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 40
JOIN_TIMEOUT_S = 60


def run_concurrently(count: int, work: Callable[[int], object]) -> list[tuple[str, object]]:
    """Run work(0..count-1) in threads released together; [("ok", value) | ("error", exc)]."""
    barrier = threading.Barrier(count)
    results: list[tuple[str, object]] = [("error", RuntimeError("did not finish"))] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", work(index))
        except Exception as exc:  # the test inspects every outcome
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT_S)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock?)"
    return results


def _outcomes(results) -> Counter:
    return Counter("ok" if kind == "ok" else type(value).__name__ for kind, value in results)


def _unexpected(results, allowed: tuple[type[Exception], ...]) -> list[Exception]:
    return [v for kind, v in results if kind == "error" and not isinstance(v, allowed)]


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, price_minor=5000, now=now)


# --- (1) real races --------------------------------------------------------------------------


def test_forty_guests_racing_for_five_seats_get_exactly_five_bookings(business, service, now):
    run = builders.make_session(service, capacity=5, now=now)

    results = run_concurrently(
        THREADS,
        lambda i: book_single_run(business=business, session_id=run.pk, guest=guest(), now=now).pk,
    )

    outcomes = _outcomes(results)
    assert _unexpected(results, (SessionFull, BookingBusy)) == []
    assert outcomes["ok"] == 5
    assert sum(outcomes.values()) == THREADS
    assert Booking.objects.filter(session=run).count() == 5
    assert seats_taken(session_ids=[run.pk], now=now) == {run.pk: 5}
    assert usage_ticks(business) == 5


def test_series_buyers_and_drop_in_guests_racing_never_exceed_capacity_on_any_run(
    business, service, now
):
    series = builders.make_series(service, runs=3, drop_in_enabled=True, capacity=3, now=now)
    runs = list(series.sessions.order_by("pk"))
    buyers = 10

    def work(i: int):
        if i < buyers:
            return purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
        # Drop-ins spread over the runs, in reverse id order to provoke lock-order bugs.
        target = runs[::-1][i % len(runs)]
        return book_drop_in(business=business, session_id=target.pk, guest=guest(), now=now)

    results = run_concurrently(2 * buyers, work)

    assert _unexpected(results, (SessionFull, BookingBusy)) == []  # SeriesSoldOut is a SessionFull
    taken = seats_taken(session_ids=[r.pk for r in runs], now=now)
    assert all(taken[r.pk] <= r.capacity for r in runs), taken
    # All or nothing: every purchase holds a seat on every run, and no orphan series seats.
    purchases = list(SeriesPurchase.objects.filter(series=series))
    for purchase in purchases:
        assert sorted(purchase.bookings.values_list("session_id", flat=True)) == [
            r.pk for r in runs
        ]
    assert Booking.objects.filter(kind=Booking.Kind.SERIES).count() == 3 * len(purchases)
    winners = _outcomes(results)["ok"]
    assert winners == len(purchases) + Booking.objects.filter(kind=Booking.Kind.DROP_IN).count()
    assert winners >= 1
    assert usage_ticks(business) == winners
    # The capacity was used: a run is full, or someone got BookingBusy and could retry.
    errors = [v for kind, v in results if kind == "error"]
    assert any(taken[r.pk] == r.capacity for r in runs) or any(
        isinstance(e, BookingBusy) for e in errors
    )
    assert all(not isinstance(e, SeriesSoldOut) or e.session_ids for e in errors)


def test_racing_submits_with_one_idempotency_key_create_one_booking(business, service, now):
    run = builders.make_session(service, capacity=50, now=now)
    key = new_key()

    results = run_concurrently(
        10,
        lambda i: (
            book_single_run(
                business=business, session_id=run.pk, guest=guest(), idempotency_key=key, now=now
            ).pk
        ),
    )

    assert _unexpected(results, (BookingBusy,)) == []
    ids = {value for kind, value in results if kind == "ok"}
    assert len(ids) == 1
    assert Booking.objects.filter(business=business).count() == 1
    assert usage_ticks(business) == 1


def test_racing_submits_with_one_idempotency_key_create_one_series_purchase(business, service, now):
    series = builders.make_series(service, runs=3, capacity=50, now=now)
    key = new_key()

    results = run_concurrently(
        10,
        lambda i: (
            purchase_series(
                business=business, series_id=series.pk, guest=guest(), idempotency_key=key, now=now
            ).pk
        ),
    )

    assert _unexpected(results, (BookingBusy,)) == []
    assert len({value for kind, value in results if kind == "ok"}) == 1
    assert SeriesPurchase.objects.count() == 1
    assert Booking.objects.filter(status__in=ACTIVE_STATUSES).count() == 3
    assert usage_ticks(business) == 1


# --- (2) control: without the lock the same harness sees an oversell ------------------------


def test_control_without_the_row_lock_the_same_race_oversells(business, service, now):
    run = builders.make_session(service, capacity=5, now=now)
    real_seats_taken = place_module.seats_taken

    def sessions_without_lock(*, business, session_ids):
        return list(
            Session.objects.filter(business=business, pk__in=sorted(set(session_ids))).order_by(
                "pk"
            )
        )

    def slow_seats_taken(**kwargs):
        taken = real_seats_taken(**kwargs)
        time.sleep(0.05)  # widen the read-then-write window (Saleor's RunAfter)
        return taken

    with (
        mock.patch.object(place_module, "sessions_for_update", sessions_without_lock),
        mock.patch.object(place_module, "seats_taken", slow_seats_taken),
    ):
        results = run_concurrently(
            THREADS,
            lambda i: (
                book_single_run(business=business, session_id=run.pk, guest=guest(), now=now).pk
            ),
        )

    assert _unexpected(results, (SessionFull, BookingBusy)) == []
    assert Booking.objects.filter(session=run).count() > run.capacity


# --- (3) SQL: lock the runs (ordered) before the first write --------------------------------


def _lock_then_insert(queries: list[str]) -> tuple[int, int]:
    lock = next(i for i, sql in enumerate(queries) if "FOR UPDATE" in sql and "ORDER BY" in sql)
    insert = next(i for i, sql in enumerate(queries) if sql.lstrip().upper().startswith("INSERT"))
    return lock, insert


def test_placing_a_booking_locks_the_run_with_order_by_before_its_first_insert(
    business, service, now
):
    run = builders.make_session(service, now=now)

    with CaptureQueriesContext(connection) as ctx:
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    queries = [q["sql"] for q in ctx.captured_queries]
    lock, insert = _lock_then_insert(queries)
    assert lock < insert
    assert '"scheduling_session"' in queries[lock]
    assert 'FOR UPDATE OF "scheduling_session"' in queries[lock]
    assert any("lock_timeout" in sql for sql in queries[:lock])


def test_buying_a_series_locks_every_run_in_one_ordered_statement_before_any_insert(
    business, service, now
):
    series = builders.make_series(service, runs=4, now=now)
    run_ids = sorted(series.sessions.values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as ctx:
        purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)

    queries = [q["sql"] for q in ctx.captured_queries]
    lock, insert = _lock_then_insert(queries)
    assert lock < insert
    assert all(str(pk) in queries[lock] for pk in run_ids)
    assert sum("FOR UPDATE" in sql for sql in queries) == 1
