"""F5 (security review): nobody can hold a paid run's seats without paying. One email or client
address keeps at most HOLD_LIMIT_PER_RUN unpaid seats on a run and HOLD_LIMIT_PER_BUSINESS
unpaid bookings at a business; holds shorten while most seats are held; owners see them apart."""

import datetime as dt

import pytest

from rezerva.booking.errors import TooManyHolds
from rezerva.booking.models import Booking
from rezerva.booking.services import GuestDetails, book_run, purchase_series
from rezerva.catalog.models import PriceType
from tests import builders
from tests.booking.helpers import footprint, guest


@pytest.fixture
def paid(business, now):
    return builders.make_group_service(
        business, price_type=PriceType.ONLINE, price_minor=5000, now=now
    )


def _hold(business, run, now, email="eve@x.test", client="203.0.113.7"):
    return book_run(
        business=business,
        session_id=run.pk,
        guest=GuestDetails("Eve", email, client=client),
        now=now,
    )


def test_seat_hoarding_one_email_holds_at_most_two_unpaid_seats_on_a_run(business, paid, now):
    run = builders.make_session(paid, capacity=10, now=now)
    _hold(business, run, now, client="")
    _hold(business, run, now, client="")
    before = footprint()

    with pytest.raises(TooManyHolds):
        _hold(business, run, now, client="")

    assert footprint() == before
    _hold(business, run, now, email="friend@x.test", client="")  # someone else still can


def test_seat_hoarding_one_address_rotating_emails_is_stopped(business, paid, now):
    run = builders.make_session(paid, capacity=10, now=now)
    _hold(business, run, now, email="a1@x.test")
    _hold(business, run, now, email="a2@x.test")

    with pytest.raises(TooManyHolds):
        _hold(business, run, now, email="a3@x.test")

    other_run = builders.make_session(paid, days_ahead=9, capacity=10, now=now)
    _hold(business, other_run, now, email="a4@x.test")
    _hold(business, other_run, now, email="a5@x.test")
    late_run = builders.make_session(paid, days_ahead=10, capacity=10, now=now)
    _hold(business, late_run, now, email="a6@x.test")  # five unpaid at this business
    with pytest.raises(TooManyHolds):
        _hold(business, late_run, now, email="a7@x.test")
    assert Booking.objects.filter(business=business).count() == 5


def test_seat_hoarding_lapsed_holds_and_paid_or_free_bookings_do_not_count(business, paid, now):
    run = builders.make_session(paid, capacity=10, now=now)
    _hold(business, run, now)
    _hold(business, run, now)
    later = now + dt.timedelta(minutes=business.hold_minutes + 1)

    assert _hold(business, run, later).status == "pending"  # the first two lapsed
    free = builders.make_group_service(business, price_type=PriceType.FREE, now=now)
    free_run = builders.make_session(free, capacity=10, now=now)
    for _ in range(4):
        assert _hold(business, free_run, now).status == "confirmed"


def test_seat_hoarding_a_series_purchase_counts_once_at_the_business(business, paid, now):
    series = builders.make_series(paid, runs=4, capacity=10, price_type=PriceType.ONLINE, now=now)
    purchase = purchase_series(
        business=business,
        series_id=series.pk,
        guest=GuestDetails("Eve", "eve@x.test", client="203.0.113.7"),
        now=now,
    )
    assert purchase.status == "pending"
    for day in range(4):
        run = builders.make_session(paid, days_ahead=20 + day, capacity=10, now=now)
        _hold(business, run, now)  # 1 purchase + 4 bookings = 5

    with pytest.raises(TooManyHolds):
        _hold(business, builders.make_session(paid, days_ahead=30, now=now), now)


def test_seat_hoarding_holds_shorten_while_most_seats_are_held(business, paid, now):
    run = builders.make_session(paid, capacity=4, now=now)
    first = _hold(business, run, now, email="a@x.test", client="")
    second = _hold(business, run, now, email="b@x.test", client="")
    third = _hold(business, run, now, email="c@x.test", client="")

    minutes = [(b.hold_expires_at - now) / dt.timedelta(minutes=1) for b in (first, second, third)]
    assert minutes == [business.hold_minutes, business.hold_minutes, 7]


def test_seat_hoarding_a_one_seat_lesson_keeps_the_full_hold(business, paid, now):
    run = builders.make_session(paid, capacity=1, now=now)
    booking = book_run(business=business, session_id=run.pk, guest=guest(), now=now)
    assert booking.hold_expires_at - now == dt.timedelta(minutes=business.hold_minutes)
