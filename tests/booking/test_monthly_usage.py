"""P3: the monthly booking limit, counted per local calendar month when a booking is placed."""

import datetime as dt

import pytest

from rezerva.booking.errors import PlanLimitReached
from rezerva.booking.models import Booking, BookingStatus, CancelledBy
from rezerva.booking.services import (
    book_drop_in,
    book_single_run,
    cancel_booking,
    cancel_series_purchase,
    expire_holds,
    purchase_series,
)
from rezerva.catalog.models import PriceType
from rezerva.core import events
from rezerva.core.events import PLAN_LIMIT_REACHED
from rezerva.tenancy.models import MonthlyUsage
from rezerva.tenancy.plans import PLANS, PlanCode
from tests import builders
from tests.booking.helpers import footprint, guest, usage_ticks

MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, price_minor=5000, now=now)


@pytest.fixture
def run(service, now):
    return builders.make_session(service, capacity=50, now=now)


@pytest.fixture
def series(service, now):
    return builders.make_series(service, runs=4, drop_in_enabled=True, now=now)


@pytest.fixture
def limit(business, now) -> int:
    return PLANS[business.plan].monthly_booking_limit


def _count(business, month) -> int:
    row = MonthlyUsage.objects.filter(business=business, month=month).first()
    return row.bookings_count if row else 0


def _at(business, month, count):
    """The month's counter, as if `count` bookings had been placed already."""
    MonthlyUsage.objects.update_or_create(
        business=business, month=month, defaults={"bookings_count": count}
    )


def _limit_events():
    return [e for e in events.DELIVERED if e.name == PLAN_LIMIT_REACHED]


def test_p3_a_series_purchase_counts_as_one_booking(business, series, now):
    purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)

    assert Booking.objects.filter(business=business).count() == 4
    assert _count(business, MARCH) == 1


def test_p3_single_and_drop_in_bookings_count_one_each(business, run, series, now):
    book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    book_drop_in(business=business, session_id=series.sessions.first().pk, guest=guest(), now=now)

    assert _count(business, MARCH) == 2


def test_p3_a_pending_paid_online_booking_counts_and_its_lapsed_hold_does_not_give_it_back(
    business, now
):
    service = builders.make_group_service(
        business, name="Paid", price_type=PriceType.ONLINE, price_minor=7000, now=now
    )
    run = builders.make_session(service, now=now)

    book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    expire_holds(now=now + dt.timedelta(minutes=20))

    assert _count(business, MARCH) == 1


def test_p3_cancellation_does_not_give_the_tick_back(business, run, series, now):
    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)

    cancel_booking(booking=booking, by=CancelledBy.GUEST, now=now)
    cancel_series_purchase(purchase=purchase, by=CancelledBy.GUEST, now=now)

    assert _count(business, MARCH) == 2


def test_p3_the_last_booking_under_the_limit_is_taken(business, run, now, limit):
    _at(business, MARCH, limit - 1)

    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert booking.status == BookingStatus.CONFIRMED
    assert _count(business, MARCH) == limit


@pytest.mark.parametrize("path", ["single", "drop_in", "series"])
def test_p3_at_the_limit_the_guest_gets_plan_limit_reached_and_nothing_is_written(
    business, run, series, now, limit, path, django_capture_on_commit_callbacks
):
    _at(business, MARCH, limit)
    drop_in_run = series.sessions.first()
    place = {
        "single": lambda: book_single_run(
            business=business, session_id=run.pk, guest=guest(), now=now
        ),
        "drop_in": lambda: book_drop_in(
            business=business, session_id=drop_in_run.pk, guest=guest(), now=now
        ),
        "series": lambda: purchase_series(
            business=business, series_id=series.pk, guest=guest(), now=now
        ),
    }[path]
    before = footprint()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PlanLimitReached) as info,
    ):
        place()

    assert info.value.code == "plan_limit_reached"
    assert info.value.message == (
        "This business cannot take more online bookings this month. Please contact them directly."
    )
    after = footprint()
    assert (after.bookings, after.purchases, after.consent_records, after.activity) == (
        before.bookings,
        before.purchases,
        before.consent_records,
        before.activity,
    )
    assert after.statuses == before.statuses
    assert _count(business, MARCH) == limit
    # The owner notice is the only thing that happens.
    assert [(e.name, e.business_id) for e in events.DELIVERED] == [
        (PLAN_LIMIT_REACHED, business.pk)
    ]


def test_p3_owner_hears_about_the_limit_once_per_month(
    business, service, run, now, limit, django_capture_on_commit_callbacks
):
    far_run = builders.make_session(service, days_ahead=60, capacity=50, now=now)
    _at(business, MARCH, limit)
    for minutes in (0, 5, 10):
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(PlanLimitReached),
        ):
            book_single_run(
                business=business,
                session_id=run.pk,
                guest=guest(),
                now=now + dt.timedelta(minutes=minutes),
            )
    assert len(_limit_events()) == 1
    march = MonthlyUsage.objects.get(business=business, month=MARCH)
    assert march.limit_notified_at == now

    in_april = dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC)
    _at(business, APRIL, limit)
    for minutes in (0, 5):
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(PlanLimitReached),
        ):
            book_single_run(
                business=business,
                session_id=far_run.pk,
                guest=guest(),
                now=in_april + dt.timedelta(minutes=minutes),
            )

    assert len(_limit_events()) == 2
    assert Booking.objects.filter(business=business).count() == 0


def test_p3_a_new_month_starts_from_zero(business, service, now, limit):
    _at(business, MARCH, limit)
    far_run = builders.make_session(service, days_ahead=60, now=now)
    in_april = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)

    booking = book_single_run(business=business, session_id=far_run.pk, guest=guest(), now=in_april)

    assert booking.status == BookingStatus.CONFIRMED
    assert (_count(business, MARCH), _count(business, APRIL)) == (limit, 1)


def test_p3_month_boundary_follows_the_business_timezone(business, now):
    # 2026-03-31 23:30 UTC is 2026-04-01 01:30 in Warsaw (CEST since 29 March).
    late_march_utc = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    service = builders.make_group_service(business, now=late_march_utc)
    run = builders.make_session(service, now=late_march_utc)

    book_single_run(business=business, session_id=run.pk, guest=guest(), now=late_march_utc)

    assert (_count(business, MARCH), _count(business, APRIL)) == (0, 1)


def test_p3_month_boundary_counts_the_last_local_evening_in_march(business, now):
    # 2026-03-31 21:30 UTC is still 23:30 on 31 March in Warsaw.
    late_march_utc = dt.datetime(2026, 3, 31, 21, 30, tzinfo=dt.UTC)
    service = builders.make_group_service(business, now=late_march_utc)
    run = builders.make_session(service, now=late_march_utc)

    book_single_run(business=business, session_id=run.pk, guest=guest(), now=late_march_utc)

    assert (_count(business, MARCH), _count(business, APRIL)) == (1, 0)


def test_p3_other_business_usage_is_counted_separately(business, other_business, run, now, limit):
    _at(other_business, MARCH, limit)

    book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert usage_ticks(business) == 1
    assert usage_ticks(other_business) == limit


def test_p2_p3_after_the_trial_ends_existing_runs_stay_bookable_under_the_free_limit(db, now):
    trial = builders.make_business(plan=PlanCode.TRIAL, now=now)
    service = builders.make_group_service(trial, now=now)  # created while the trial lasted
    run = builders.make_session(service, days_ahead=40, capacity=50, now=now)
    after_trial = now + dt.timedelta(days=20)
    month = dt.date(2026, 3, 1)
    free_limit = PLANS[PlanCode.FREE].monthly_booking_limit

    booking = book_single_run(business=trial, session_id=run.pk, guest=guest(), now=after_trial)
    _at(trial, month, free_limit)
    before = footprint()
    with pytest.raises(PlanLimitReached):
        book_single_run(business=trial, session_id=run.pk, guest=guest(), now=after_trial)

    assert booking.status == BookingStatus.CONFIRMED
    assert free_limit < PLANS[PlanCode.TRIAL].monthly_booking_limit
    after = footprint()
    assert (after.bookings, after.purchases, after.activity) == (
        before.bookings,
        before.purchases,
        before.activity,
    )
