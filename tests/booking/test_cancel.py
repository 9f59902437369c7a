"""booking.services.cancel: runs (G5, S6), purchases (S3), single bookings (B6). Never refunds."""

import datetime as dt

import pytest

from rezerva.booking.errors import AlreadyCancelled, CancellationClosed, SessionNotBookable
from rezerva.booking.models import Booking, BookingStatus, CancelledBy, SeriesPurchase
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services import (
    book_drop_in,
    book_run,
    book_single_run,
    cancel_booking,
    cancel_series_purchase,
    cancel_session,
    purchase_series,
)
from rezerva.catalog.models import PriceType
from rezerva.core import events
from rezerva.scheduling.errors import SessionAlreadyCancelled
from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.models import ActivityLog
from tests import builders
from tests.booking.helpers import footprint, guest

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, price_minor=5000, now=now)


@pytest.fixture
def series(service, now):
    """Four weekly runs from a week ahead, drop-in open, 5 seats each."""
    return builders.make_series(service, runs=4, drop_in_enabled=True, capacity=5, now=now)


@pytest.fixture
def runs(series):
    return list(series.sessions.order_by("starts_at"))


def _status(obj) -> str:
    obj.refresh_from_db()
    return obj.status


def _set_notice_hours(business, hours: int):
    tenancy_services.update_business_settings(
        business=business,
        actor=builders.owner_of(business),
        name=business.name,
        timezone=business.timezone,
        currency=business.currency,
        locale=business.locale,
        hold_minutes=business.hold_minutes,
        cancellation_notice_hours=hours,
        requires_phone=business.requires_phone,
    )


# --- cancelling a run (G5, S6) ---------------------------------------------------------------


def test_g5_s6_cancelling_a_series_run_cancels_every_booking_on_it_and_no_other(
    business, owner, series, runs, now, django_capture_on_commit_callbacks
):
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    drop_in = book_drop_in(business=business, session_id=runs[1].pk, guest=guest(), now=now)
    elsewhere = book_drop_in(business=business, session_id=runs[2].pk, guest=guest(), now=now)
    seats = {b.session_id: b for b in purchase.bookings.all()}
    later = now + HOUR

    with django_capture_on_commit_callbacks(execute=True):
        result = cancel_session(session=runs[1], actor=owner, reason="Teacher ill", now=later)

    assert result.bookings_cancelled == 2
    cancelled = Booking.objects.filter(session=runs[1]).values_list(
        "pk", "status", "cancelled_by", "cancelled_at"
    )
    assert sorted(cancelled) == sorted(
        [
            (seats[runs[1].pk].pk, BookingStatus.CANCELLED, CancelledBy.OWNER, later),
            (drop_in.pk, BookingStatus.CANCELLED, CancelledBy.OWNER, later),
        ]
    )
    # S6: the buyer keeps the other runs; the purchase itself stays confirmed.
    assert _status(purchase) == BookingStatus.CONFIRMED
    assert {_status(seats[r.pk]) for r in (runs[0], runs[2], runs[3])} == {BookingStatus.CONFIRMED}
    assert _status(elsewhere) == BookingStatus.CONFIRMED
    runs[1].refresh_from_db()
    assert (runs[1].cancelled_at, runs[1].cancel_reason) == (later, "Teacher ill")
    assert [(e.name, e.session_id, set(e.booking_ids)) for e in events.DELIVERED] == [
        ("session.cancelled", runs[1].pk, {seats[runs[1].pk].pk, drop_in.pk})
    ]


def test_g5_cancelling_a_standalone_run_cancels_confirmed_and_pending_bookings(
    business, owner, now
):
    service = builders.make_group_service(
        business, name="Paid", price_type=PriceType.ONLINE, price_minor=7000, now=now
    )
    run = builders.make_session(service, now=now)
    pending = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    guest_cancelled = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    cancel_booking(booking=guest_cancelled, by=CancelledBy.GUEST, now=now)
    other_run = builders.make_session(service, days_ahead=8, now=now)
    untouched = book_single_run(business=business, session_id=other_run.pk, guest=guest(), now=now)

    result = cancel_session(session=run, actor=owner, now=now + HOUR)

    assert result.bookings_cancelled == 1
    pending.refresh_from_db()
    guest_cancelled.refresh_from_db()
    assert (pending.status, pending.cancelled_by) == (BookingStatus.CANCELLED, CancelledBy.OWNER)
    # An already cancelled booking keeps who cancelled it and when.
    assert (guest_cancelled.cancelled_by, guest_cancelled.cancelled_at) == (CancelledBy.GUEST, now)
    assert _status(untouched) == BookingStatus.PENDING


def test_g5_cancelling_a_run_refunds_nothing_and_keeps_the_prices(
    business, owner, series, runs, now
):
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    drop_in = book_drop_in(business=business, session_id=runs[0].pk, guest=guest(), now=now)

    cancel_session(session=runs[0], actor=owner, now=now)

    drop_in.refresh_from_db()
    purchase.refresh_from_db()
    assert (drop_in.status, drop_in.price_minor) == (BookingStatus.CANCELLED, 5000)
    assert (purchase.status, purchase.price_minor) == (BookingStatus.CONFIRMED, 20000)
    actions = set(ActivityLog.objects.filter(business=business).values_list("action", flat=True))
    assert not {a for a in actions if "refund" in a}


def test_g4_g5_a_cancelled_run_cannot_be_booked(business, owner, service, now):
    run = builders.make_session(service, now=now)
    cancel_session(session=run, actor=owner, now=now)
    before = footprint()

    with pytest.raises(SessionNotBookable):
        book_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert footprint() == before


def test_g5_cancelling_a_run_twice_is_refused_and_changes_nothing(business, owner, runs, now):
    cancel_session(session=runs[0], actor=owner, now=now)
    before = footprint()

    with pytest.raises(SessionAlreadyCancelled):
        cancel_session(session=runs[0], actor=owner, now=now + HOUR)

    runs[0].refresh_from_db()
    assert runs[0].cancelled_at == now
    assert footprint() == before


def test_g5_cancelling_a_run_frees_no_seat_for_newcomers(business, owner, service, now):
    run = builders.make_session(service, capacity=1, now=now)
    book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    cancel_session(session=run, actor=owner, now=now)

    assert seats_taken(session_ids=[run.pk], now=now) == {run.pk: 0}
    with pytest.raises(SessionNotBookable):
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)


# --- cancelling a purchase (S3, B6) ----------------------------------------------------------


def test_s3_cancelling_a_purchase_cancels_its_seat_on_every_run(
    business, owner, series, runs, now, django_capture_on_commit_callbacks
):
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    other_buyer = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    drop_in = book_drop_in(business=business, session_id=runs[0].pk, guest=guest(), now=now)
    seat_ids = set(purchase.bookings.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        result = cancel_series_purchase(
            purchase=purchase, by=CancelledBy.OWNER, actor=owner, now=now
        )

    assert result.bookings_cancelled == 4
    purchase.refresh_from_db()
    assert (purchase.status, purchase.cancelled_by, purchase.cancelled_at) == (
        BookingStatus.CANCELLED,
        CancelledBy.OWNER,
        now,
    )
    assert set(purchase.bookings.values_list("status", "cancelled_by")) == {
        (BookingStatus.CANCELLED, CancelledBy.OWNER)
    }
    assert set(other_buyer.bookings.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}
    assert _status(drop_in) == BookingStatus.CONFIRMED
    assert [(e.name, e.purchase_id, set(e.booking_ids)) for e in events.DELIVERED] == [
        ("purchase.cancelled", purchase.pk, seat_ids)
    ]
    assert seats_taken(session_ids=[r.pk for r in runs], now=now) == {
        runs[0].pk: 2,
        runs[1].pk: 1,
        runs[2].pk: 1,
        runs[3].pk: 1,
    }


def test_s3_owner_may_cancel_a_purchase_after_the_series_started(
    business, owner, series, runs, now
):
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)

    cancel_series_purchase(
        purchase=purchase, by=CancelledBy.OWNER, actor=owner, now=runs[2].starts_at
    )

    assert _status(purchase) == BookingStatus.CANCELLED


def test_s3_purchase_cancel_skips_seats_already_cancelled_with_their_run(
    business, owner, series, runs, now
):
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    cancel_session(session=runs[3], actor=owner, now=now)

    result = cancel_series_purchase(purchase=purchase, by=CancelledBy.GUEST, now=now + HOUR)

    assert result.bookings_cancelled == 3
    seat_on_cancelled_run = purchase.bookings.get(session=runs[3])
    assert (seat_on_cancelled_run.cancelled_by, seat_on_cancelled_run.cancelled_at) == (
        CancelledBy.OWNER,
        now,
    )


def test_b6_guest_may_cancel_a_purchase_before_the_first_run_outside_the_notice_period(
    business, series, runs, now
):
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    last_moment = runs[0].starts_at - 24 * HOUR - dt.timedelta(seconds=1)

    cancel_series_purchase(purchase=purchase, by=CancelledBy.GUEST, now=last_moment)

    purchase.refresh_from_db()
    assert (purchase.status, purchase.cancelled_by) == (BookingStatus.CANCELLED, CancelledBy.GUEST)
    assert set(purchase.bookings.values_list("status", flat=True)) == {BookingStatus.CANCELLED}


@pytest.mark.parametrize(
    ("_case", "hours_before_first_run"),
    [("exactly at the notice limit", 24), ("within the notice period", 23), ("after start", -1)],
)
def test_b6_guest_cannot_cancel_a_purchase_within_the_notice_period(
    business, series, runs, now, _case, hours_before_first_run
):
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    before = footprint()

    with pytest.raises(CancellationClosed):
        cancel_series_purchase(
            purchase=purchase,
            by=CancelledBy.GUEST,
            now=runs[0].starts_at - hours_before_first_run * HOUR,
        )

    assert _status(purchase) == BookingStatus.CONFIRMED
    assert footprint() == before


def test_b6_notice_period_follows_the_business_setting(business, series, runs, now):
    _set_notice_hours(business, 48)
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    before = footprint()

    with pytest.raises(CancellationClosed):
        cancel_series_purchase(
            purchase=purchase, by=CancelledBy.GUEST, now=runs[0].starts_at - 30 * HOUR
        )

    assert footprint() == before


# --- cancelling one booking (B6) -------------------------------------------------------------


def test_b6_guest_may_cancel_a_single_booking_before_the_notice_period_and_the_seat_returns(
    business, service, now, django_capture_on_commit_callbacks
):
    run = builders.make_session(service, capacity=1, now=now)
    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    with django_capture_on_commit_callbacks(execute=True):
        result = cancel_booking(booking=booking, by=CancelledBy.GUEST, now=now + HOUR)

    assert result.bookings_cancelled == 1
    assert (booking.status, booking.cancelled_by, booking.cancelled_at) == (
        BookingStatus.CANCELLED,
        CancelledBy.GUEST,
        now + HOUR,
    )
    assert [(e.name, e.booking_ids) for e in events.DELIVERED] == [
        ("booking.cancelled", (booking.pk,))
    ]
    newcomer = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    assert newcomer.status == BookingStatus.CONFIRMED


def test_b6_guest_cancel_of_a_single_booking_after_the_notice_period_is_refused(
    business, service, now, django_capture_on_commit_callbacks
):
    run = builders.make_session(service, now=now)
    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    before = footprint()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(CancellationClosed),
    ):
        cancel_booking(booking=booking, by=CancelledBy.GUEST, now=run.starts_at - 23 * HOUR)

    assert callbacks == []
    assert _status(booking) == BookingStatus.CONFIRMED
    assert footprint() == before


def test_b6_owner_may_cancel_a_single_booking_at_any_time(business, owner, service, now):
    run = builders.make_session(service, now=now)
    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    cancel_booking(booking=booking, by=CancelledBy.OWNER, actor=owner, now=run.starts_at)

    assert (booking.status, booking.cancelled_by) == (BookingStatus.CANCELLED, CancelledBy.OWNER)


def test_b6_guest_may_cancel_a_drop_in(business, runs, now):
    booking = book_drop_in(business=business, session_id=runs[0].pk, guest=guest(), now=now)

    cancel_booking(booking=booking, by=CancelledBy.GUEST, now=now)

    assert booking.status == BookingStatus.CANCELLED


@pytest.mark.parametrize("by", [CancelledBy.GUEST, CancelledBy.OWNER])
def test_b6_a_series_seat_cannot_be_cancelled_alone(business, series, now, by):
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    seat = purchase.bookings.first()
    before = footprint()

    with pytest.raises(CancellationClosed):
        cancel_booking(booking=seat, by=by, now=now)

    assert _status(seat) == BookingStatus.CONFIRMED
    assert _status(purchase) == BookingStatus.CONFIRMED
    assert footprint() == before


def test_cancelling_a_booking_twice_is_already_cancelled_and_changes_nothing(
    business, service, now
):
    run = builders.make_session(service, now=now)
    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    cancel_booking(booking=booking, by=CancelledBy.GUEST, now=now)
    before = footprint()

    with pytest.raises(AlreadyCancelled):
        cancel_booking(booking=booking, by=CancelledBy.OWNER, now=now + HOUR)

    booking.refresh_from_db()
    assert (booking.cancelled_by, booking.cancelled_at) == (CancelledBy.GUEST, now)
    assert footprint() == before


def test_cancelling_a_purchase_twice_is_already_cancelled_and_changes_nothing(
    business, series, now
):
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    cancel_series_purchase(purchase=purchase, by=CancelledBy.GUEST, now=now)
    before = footprint()

    with pytest.raises(AlreadyCancelled):
        cancel_series_purchase(purchase=purchase, by=CancelledBy.OWNER, now=now + HOUR)

    assert SeriesPurchase.objects.get(pk=purchase.pk).cancelled_by == CancelledBy.GUEST
    assert footprint() == before
