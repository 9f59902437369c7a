"""Seat holds (B4): a lapsed hold stops counting at once; expire_holds only tidies statuses."""

import datetime as dt

import pytest

from rezerva.booking.errors import SeriesSoldOut, SessionFull
from rezerva.booking.models import Booking, BookingStatus, SeriesPurchase
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services import (
    book_drop_in,
    book_single_run,
    expire_holds,
    purchase_series,
)
from rezerva.catalog.models import PriceType
from tests import builders
from tests.booking.helpers import footprint, guest

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def service(business, now):
    """Paid online, PLN 70.00."""
    return builders.make_group_service(
        business, price_type=PriceType.ONLINE, price_minor=7000, now=now
    )


@pytest.fixture
def last_seat_run(service, now):
    return builders.make_session(service, capacity=1, now=now)


def test_b4_a_live_hold_takes_the_seat(business, last_seat_run, now):
    book_single_run(business=business, session_id=last_seat_run.pk, guest=guest(), now=now)
    before = footprint()

    with pytest.raises(SessionFull):
        book_single_run(
            business=business, session_id=last_seat_run.pk, guest=guest(), now=now + 14 * MINUTE
        )

    assert footprint() == before
    assert seats_taken(session_ids=[last_seat_run.pk], now=now + 14 * MINUTE) == {
        last_seat_run.pk: 1
    }


def test_b4_expired_hold_stops_counting_at_once_without_any_sweep(business, last_seat_run, now):
    lapsed = book_single_run(business=business, session_id=last_seat_run.pk, guest=guest(), now=now)
    later = now + 16 * MINUTE

    assert seats_taken(session_ids=[last_seat_run.pk], now=later) == {last_seat_run.pk: 0}
    newcomer = book_single_run(
        business=business, session_id=last_seat_run.pk, guest=guest(), now=later
    )

    lapsed.refresh_from_db()
    assert lapsed.status == BookingStatus.PENDING  # no sweep ran; it just stopped counting
    assert newcomer.status == BookingStatus.PENDING
    assert newcomer.hold_expires_at == later + 15 * MINUTE
    assert seats_taken(session_ids=[last_seat_run.pk], now=later) == {last_seat_run.pk: 1}


def test_b4_hold_ends_exactly_at_hold_expires_at(business, last_seat_run, now):
    held = book_single_run(business=business, session_id=last_seat_run.pk, guest=guest(), now=now)

    assert seats_taken(session_ids=[last_seat_run.pk], now=held.hold_expires_at - MINUTE) == {
        last_seat_run.pk: 1
    }
    assert seats_taken(session_ids=[last_seat_run.pk], now=held.hold_expires_at) == {
        last_seat_run.pk: 0
    }


def test_b4_expired_series_hold_frees_every_run_for_the_next_buyer(business, service, now):
    series = builders.make_series(
        service, runs=3, price_type=PriceType.ONLINE, price_minor=21000, capacity=1, now=now
    )
    first = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    with pytest.raises(SeriesSoldOut):
        purchase_series(business=business, series_id=series.pk, guest=guest(), now=now + 5 * MINUTE)

    second = purchase_series(
        business=business, series_id=series.pk, guest=guest(), now=now + 16 * MINUTE
    )

    assert second.pk != first.pk
    assert second.bookings.count() == 3


def test_b4_expired_drop_in_hold_frees_the_seat_for_a_series_buyer(business, service, now):
    series = builders.make_series(
        service,
        runs=2,
        price_type=PriceType.ONLINE,
        price_minor=12000,
        drop_in_enabled=True,
        capacity=1,
        now=now,
    )
    first_run = series.sessions.order_by("starts_at").first()
    book_drop_in(business=business, session_id=first_run.pk, guest=guest(), now=now)

    purchase = purchase_series(
        business=business, series_id=series.pk, guest=guest(), now=now + 16 * MINUTE
    )

    assert purchase.bookings.count() == 2


def test_expire_holds_marks_lapsed_holds_expired_and_a_second_call_changes_nothing(
    business, service, last_seat_run, now
):
    lapsed = book_single_run(business=business, session_id=last_seat_run.pk, guest=guest(), now=now)
    series = builders.make_series(
        service, runs=2, price_type=PriceType.ONLINE, price_minor=12000, now=now
    )
    lapsed_purchase = purchase_series(
        business=business, series_id=series.pk, guest=guest(), now=now
    )
    other_run = builders.make_session(service, days_ahead=3, now=now)
    still_held = book_single_run(
        business=business, session_id=other_run.pk, guest=guest(), now=now + 10 * MINUTE
    )
    free_service = builders.make_group_service(
        business, name="Open studio", price_type=PriceType.FREE, now=now
    )
    confirmed = book_single_run(
        business=business,
        session_id=builders.make_session(free_service, now=now).pk,
        guest=guest(),
        now=now,
    )

    first = expire_holds(now=now + 16 * MINUTE)
    again = expire_holds(now=now + 16 * MINUTE)

    assert (first.bookings, first.purchases) == (3, 1)  # the single + the purchase's two seats
    assert (again.bookings, again.purchases) == (0, 0)
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses[lapsed.pk] == BookingStatus.EXPIRED
    assert set(lapsed_purchase.bookings.values_list("status", flat=True)) == {BookingStatus.EXPIRED}
    assert SeriesPurchase.objects.get(pk=lapsed_purchase.pk).status == BookingStatus.EXPIRED
    assert statuses[still_held.pk] == BookingStatus.PENDING
    assert statuses[confirmed.pk] == BookingStatus.CONFIRMED


def test_expire_holds_before_any_hold_lapses_changes_nothing(business, last_seat_run, now):
    book_single_run(business=business, session_id=last_seat_run.pk, guest=guest(), now=now)
    before = footprint()

    result = expire_holds(now=now + 14 * MINUTE)

    assert (result.bookings, result.purchases) == (0, 0)
    assert footprint() == before
