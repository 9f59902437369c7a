"""B6 self-service reschedule: a guest moves a single or drop-in booking to another date."""

import datetime as dt

import pytest

from rezerva.booking.errors import (
    AlreadyCancelled,
    CancellationClosed,
    SessionFull,
    SessionNotBookable,
    SessionNotFound,
)
from rezerva.booking.models import Booking, BookingStatus, CancelledBy
from rezerva.booking.offers import move_options
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services import (
    book_single_run,
    cancel_booking,
    cancel_session,
    move_booking,
    purchase_series,
)
from rezerva.catalog.models import PriceType
from rezerva.core import events
from rezerva.coupons.services import CouponInput, create_coupon
from rezerva.tenancy.models import ActivityLog
from tests import builders
from tests.booking.helpers import footprint, guest, usage_ticks

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, price_minor=5000, now=now)


@pytest.fixture
def monday(service, now):
    return builders.make_session(service, days_ahead=7, capacity=2, now=now)


@pytest.fixture
def thursday(service, now):
    return builders.make_session(service, days_ahead=10, capacity=2, now=now)


def _book(business, run, now):
    return book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)


def test_guest_moves_a_booking_to_another_date_and_the_seat_moves_with_it(
    business, monday, thursday, now, django_capture_on_commit_callbacks
):
    booking = _book(business, monday, now)
    ticks = usage_ticks(business)

    with django_capture_on_commit_callbacks(execute=True):
        moved = move_booking(booking=booking, to_session_id=thursday.pk, now=now)

    assert (moved.pk, moved.session_id, moved.status) == (
        booking.pk,
        thursday.pk,
        BookingStatus.CONFIRMED,
    )
    assert moved.public_id == booking.public_id  # the manage link keeps working
    assert seats_taken(session_ids=[monday.pk, thursday.pk], now=now) == {
        monday.pk: 0,
        thursday.pk: 1,
    }
    assert usage_ticks(business) == ticks  # a move is not a new booking (P3)
    (event,) = [e for e in events.DELIVERED if e.name == events.BOOKING_MOVED]
    assert (event.session_id, event.data["from_session_id"]) == (thursday.pk, monday.pk)
    assert ActivityLog.objects.filter(action="booking.moved", target=str(booking.pk)).exists()


def test_moving_to_a_full_run_is_refused_and_nothing_changes(business, monday, thursday, now):
    booking = _book(business, monday, now)
    _book(business, thursday, now)
    _book(business, thursday, now)
    before = footprint()

    with pytest.raises(SessionFull):
        move_booking(booking=booking, to_session_id=thursday.pk, now=now)

    assert footprint() == before
    assert Booking.objects.get(pk=booking.pk).session_id == monday.pk


def test_a_double_submitted_move_moves_once(
    business, monday, thursday, now, django_capture_on_commit_callbacks
):
    booking = _book(business, monday, now)

    with django_capture_on_commit_callbacks(execute=True):
        move_booking(booking=booking, to_session_id=thursday.pk, now=now)
        again = move_booking(booking=booking, to_session_id=thursday.pk, now=now)

    assert again.session_id == thursday.pk
    assert [e.name for e in events.DELIVERED].count(events.BOOKING_MOVED) == 1


def test_guest_cannot_move_within_the_notice_period_but_the_owner_can(
    business, monday, thursday, now
):
    booking = _book(business, monday, now)
    late = monday.starts_at - dt.timedelta(hours=business.cancellation_notice_hours - 1)

    with pytest.raises(CancellationClosed):
        move_booking(booking=booking, to_session_id=thursday.pk, now=late)

    moved = move_booking(booking=booking, to_session_id=thursday.pk, by=CancelledBy.OWNER, now=late)
    assert moved.session_id == thursday.pk


def test_a_run_of_another_service_is_not_a_valid_new_date(business, monday, now):
    yoga = builders.make_group_service(business, name="Yoga", price_minor=5000, now=now)
    yoga_run = builders.make_session(yoga, days_ahead=8, now=now)
    booking = _book(business, monday, now)

    with pytest.raises(SessionNotBookable, match="same service"):
        move_booking(booking=booking, to_session_id=yoga_run.pk, now=now)


def test_another_business_run_id_is_not_found(business, other_business, monday, now):
    theirs = other_business.session_set.first()
    booking = _book(business, monday, now)

    with pytest.raises(SessionNotFound):
        move_booking(booking=booking, to_session_id=theirs.pk, now=now)


def test_a_cancelled_run_is_not_a_valid_new_date(business, monday, thursday, now):
    booking = _book(business, monday, now)
    cancel_session(session=thursday, actor=None, now=now)

    with pytest.raises(SessionNotBookable, match="cancelled"):
        move_booking(booking=booking, to_session_id=thursday.pk, now=now)


def test_a_drop_in_at_the_same_price_is_a_valid_new_date_and_the_kind_follows(
    business, service, monday, now
):
    series = builders.make_series(
        service, runs=1, drop_in_enabled=True, drop_in_price_minor=5000, first_day=12, now=now
    )
    booking = _book(business, monday, now)

    moved = move_booking(booking=booking, to_session_id=series.sessions.get().pk, now=now)

    assert moved.kind == Booking.Kind.DROP_IN


def test_a_date_with_another_price_is_refused(business, service, monday, now):
    series = builders.make_series(
        service, runs=1, drop_in_enabled=True, drop_in_price_minor=3000, first_day=12, now=now
    )
    booking = _book(business, monday, now)

    with pytest.raises(SessionNotBookable, match="different price"):
        move_booking(booking=booking, to_session_id=series.sessions.get().pk, now=now)
    assert move_options(booking=booking, now=now) == []


def test_a_series_seat_cannot_be_moved_alone(business, service, thursday, now):
    series = builders.make_series(service, runs=2, now=now)
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    seat = purchase.bookings.first()

    with pytest.raises(SessionNotBookable, match="series"):
        move_booking(booking=seat, to_session_id=thursday.pk, now=now)


def test_unpaid_and_cancelled_bookings_cannot_be_moved(business, now):
    online = builders.make_group_service(
        business, name="Online", price_type=PriceType.ONLINE, price_minor=5000, now=now
    )
    first, second = (builders.make_session(online, days_ahead=d, now=now) for d in (7, 8))
    pending = book_single_run(business=business, session_id=first.pk, guest=guest(), now=now)
    with pytest.raises(SessionNotBookable, match="Pay"):
        move_booking(booking=pending, to_session_id=second.pk, now=now)

    cancel_booking(booking=pending, by=CancelledBy.GUEST, now=now)
    with pytest.raises(AlreadyCancelled):
        move_booking(booking=pending, to_session_id=second.pk, now=now)


def test_a_booking_with_a_coupon_compares_the_price_before_the_discount(
    business, monday, thursday, now
):
    create_coupon(
        business=business,
        actor=None,
        data=CouponInput(code="HALF", discount="percent", percent_off=50),
        now=now,
    )
    booking = book_single_run(
        business=business, session_id=monday.pk, guest=guest(), coupon_code="HALF", now=now
    )

    assert [c.session.pk for c in move_options(booking=booking, now=now)] == [thursday.pk]
    moved = move_booking(booking=booking, to_session_id=thursday.pk, now=now)
    assert moved.price_minor == 2500


def test_move_options_list_only_other_dates_with_a_free_seat(business, service, monday, now):
    full = builders.make_session(service, days_ahead=9, capacity=1, now=now)
    free = builders.make_session(service, days_ahead=11, now=now)
    _book(business, full, now)
    booking = _book(business, monday, now)

    options = [c.session.pk for c in move_options(booking=booking, now=now)]

    assert options == [free.pk]
