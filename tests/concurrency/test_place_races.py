"""Real races on PostgreSQL (CONVENTIONS §6): row locks keep seats within capacity.

Each worker thread has its own database connection (closed in `finally`) and all of them start
together on a barrier. Layers: (1) real races, (2) a control test with the lock switched off that
*does* oversell, proving the harness can see the bug, (3) SQL assertions on what the lock covers.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rezerva.booking.errors import (
    BookingBusy,
    IdempotencyKeyReused,
    SeriesNotBookable,
    SeriesSoldOut,
    SessionFull,
    SessionNotBookable,
)
from rezerva.booking.models import ACTIVE_STATUSES, Booking, SeriesPurchase
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services import (
    book_drop_in,
    book_single_run,
    purchase_series,
)
from rezerva.booking.services import place as place_module
from rezerva.booking.services.cancel import cancel_session
from rezerva.catalog.services import deactivate_service
from rezerva.notify.models import OutboundEmail
from rezerva.scheduling.models import Series, Session
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
    key, anna = new_key(), guest()

    results = run_concurrently(
        10,
        lambda i: (
            book_single_run(
                business=business, session_id=run.pk, guest=anna, idempotency_key=key, now=now
            ).pk
        ),
    )

    assert _unexpected(results, (BookingBusy,)) == []
    ids = {value for kind, value in results if kind == "ok"}
    assert len(ids) == 1
    assert Booking.objects.filter(business=business).count() == 1
    assert usage_ticks(business) == 1


def test_idempotency_key_raced_by_different_guests_places_one_and_refuses_the_rest(
    business, service, now
):
    """F2 under contention: the twins wait for the first commit, then see another request."""
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

    assert _unexpected(results, (BookingBusy, IdempotencyKeyReused)) == []
    outcomes = _outcomes(results)
    assert outcomes["ok"] == 1
    assert outcomes["IdempotencyKeyReused"] == 9 - outcomes["BookingBusy"]
    assert Booking.objects.filter(business=business).count() == 1


def test_racing_submits_with_one_idempotency_key_create_one_series_purchase(business, service, now):
    series = builders.make_series(service, runs=3, capacity=50, now=now)
    key, ola = new_key(), guest()

    results = run_concurrently(
        10,
        lambda i: (
            purchase_series(
                business=business, series_id=series.pk, guest=ola, idempotency_key=key, now=now
            ).pk
        ),
    )

    assert _unexpected(results, (BookingBusy,)) == []
    assert len({value for kind, value in results if kind == "ok"}) == 1
    assert SeriesPurchase.objects.count() == 1
    assert Booking.objects.filter(status__in=ACTIVE_STATUSES).count() == 3
    assert usage_ticks(business) == 1


# --- (1b) the owner changes the run after the guest's rows are written, before the lock ------


def _owner_acts_before_the_guest_locks(action: Callable[[], object]):
    """Run `action` in another connection (committed) just before placing takes the run lock."""
    real_lock = place_module.sessions_for_update

    def owner_first(**kwargs):
        outcome = run_concurrently(1, lambda i: action())
        assert outcome[0][0] == "ok", outcome  # the owner never waits for the guest's writes
        return real_lock(**kwargs)

    return mock.patch.object(place_module, "sessions_for_update", owner_first)


def test_a_run_cancelled_while_the_guest_books_refuses_the_booking_and_keeps_nothing(
    business, service, now
):
    run = builders.make_session(service, capacity=5, now=now)
    owner = builders.owner_of(business)
    cancel = partial(cancel_session, session=run, actor=owner, now=now)

    with _owner_acts_before_the_guest_locks(cancel), pytest.raises(SessionNotBookable):
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert Session.objects.get(pk=run.pk).is_cancelled
    assert Booking.objects.filter(session=run).count() == 0
    assert OutboundEmail.objects.filter(business=business).count() == 0
    assert usage_ticks(business) == 0


def test_capacity_lowered_while_the_guest_books_makes_the_run_full(business, service, now):
    run = builders.make_session(service, capacity=5, now=now)
    book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    shrink = partial(Session.objects.filter(pk=run.pk).update, capacity=1)

    with _owner_acts_before_the_guest_locks(shrink), pytest.raises(SessionFull):
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert Booking.objects.filter(session=run).count() == 1
    assert usage_ticks(business) == 1


def test_a_series_run_cancelled_while_a_buyer_pays_refuses_the_purchase(business, service, now):
    series = builders.make_series(service, runs=3, capacity=5, now=now)
    last = series.sessions.order_by("-starts_at").first()
    owner = builders.owner_of(business)
    cancel = partial(cancel_session, session=last, actor=owner, now=now)

    with _owner_acts_before_the_guest_locks(cancel), pytest.raises(BookingBusy):
        purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)

    assert SeriesPurchase.objects.count() == 0
    assert Booking.objects.filter(session__series=series).count() == 0
    assert usage_ticks(business) == 0


def test_a_service_deactivated_while_the_guest_books_refuses_the_booking(business, service, now):
    run = builders.make_session(service, capacity=5, now=now)
    owner = builders.owner_of(business)
    stop_selling = partial(deactivate_service, service=service, actor=owner)

    with _owner_acts_before_the_guest_locks(stop_selling), pytest.raises(SessionNotBookable):
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert Booking.objects.filter(session=run).count() == 0
    assert usage_ticks(business) == 0


def test_drop_ins_closed_while_the_guest_books_refuses_the_drop_in(business, service, now):
    series = builders.make_series(service, runs=2, capacity=5, drop_in_enabled=True, now=now)
    first = series.sessions.order_by("starts_at").first()
    close = partial(Series.objects.filter(pk=series.pk).update, drop_in_enabled=False)

    with _owner_acts_before_the_guest_locks(close), pytest.raises(SessionNotBookable):
        book_drop_in(business=business, session_id=first.pk, guest=guest(), now=now)

    assert Booking.objects.filter(session=first).count() == 0


def test_a_series_taken_off_sale_while_a_buyer_pays_refuses_the_purchase(business, service, now):
    series = builders.make_series(service, runs=3, capacity=5, now=now)
    off_sale = partial(Series.objects.filter(pk=series.pk).update, is_active=False)

    with _owner_acts_before_the_guest_locks(off_sale), pytest.raises(SeriesNotBookable):
        purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)

    assert SeriesPurchase.objects.count() == 0
    assert usage_ticks(business) == 0


# --- (2) control: without the lock the same harness sees an oversell ------------------------


def test_control_without_the_row_lock_the_same_race_oversells(business, service, now):
    run = builders.make_session(service, capacity=5, now=now)
    real_seats_taken = place_module.seats_taken

    def sessions_without_lock(*, business, session_ids, **_):
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


# --- (3) SQL: write first, then one ordered lock held for the recount and the usage tick ----

RUN_LOCK = 'FOR NO KEY UPDATE OF "scheduling_session"'


def _split_at_lock(queries: list[str]) -> tuple[list[str], str, list[str]]:
    """(statements before the run lock, the lock, statements after it); exactly one lock."""
    locks = [i for i, sql in enumerate(queries) if "FOR " in sql and "UPDATE" in sql]
    assert len(locks) == 1, locks
    (lock,) = locks
    return queries[:lock], queries[lock], queries[lock + 1 :]


def _without_after_commit_work():
    """Keep the email task (run at once in tests) out of the captured transaction."""
    return mock.patch("rezerva.notify.delivery.deliver")


def _writes(queries: list[str]) -> list[str]:
    return [sql for sql in queries if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_placing_a_booking_writes_everything_then_locks_the_run_for_the_recount_only(
    business, service, now
):
    run = builders.make_session(service, now=now)

    with _without_after_commit_work(), CaptureQueriesContext(connection) as ctx:
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    before, lock, after = _split_at_lock([q["sql"] for q in ctx.captured_queries])
    assert RUN_LOCK in lock
    assert "ORDER BY" in lock
    assert any("lock_timeout" in sql for sql in before)
    assert any('INSERT INTO "booking_booking"' in sql for sql in before)
    assert any('INSERT INTO "notify_outboundemail"' in sql for sql in before)
    # Held for: the seat count, the usage tick (one upsert), the commit. No other write.
    assert len(after) == 3, after
    assert after[2] == "COMMIT"
    assert "COUNT(" in after[0].upper()
    assert '"booking_booking"' in after[0]
    assert _writes(after) == [after[1]]
    assert "tenancy_monthlyusage" in after[1]


def test_buying_a_series_locks_every_run_in_one_ordered_statement_after_its_inserts(
    business, service, now
):
    series = builders.make_series(service, runs=4, now=now)
    run_ids = sorted(series.sessions.values_list("pk", flat=True))

    with _without_after_commit_work(), CaptureQueriesContext(connection) as ctx:
        purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)

    before, lock, after = _split_at_lock([q["sql"] for q in ctx.captured_queries])
    assert RUN_LOCK in lock
    assert all(str(pk) in lock for pk in run_ids)
    assert any('INSERT INTO "booking_seriespurchase"' in sql for sql in before)
    # Held for: the runs re-listed, the seat count, the usage tick, the commit.
    assert len(after) == 4, after
    assert after[3] == "COMMIT"
    assert _writes(after) == [after[2]]
    assert "tenancy_monthlyusage" in after[2]
