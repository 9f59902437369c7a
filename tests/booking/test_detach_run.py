"""booking.services.detach_run_from_series: only upcoming runs without series buyers."""

import datetime as dt

import pytest

from rezerva.booking import services
from rezerva.booking.models import Booking, BookingStatus, SeriesPurchase
from rezerva.scheduling.errors import RunNotDetachable
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import ActivityLog
from tests import builders


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, name="Python for beginners", now=now)


@pytest.fixture
def series(service, now):
    return builders.make_series(service, runs=3, title="Spring course", now=now)


def _runs(series):
    return list(Session.objects.filter(series=series).order_by("starts_at"))


def _purchase(series, *, status=BookingStatus.CONFIRMED, **extra):
    return SeriesPurchase.objects.create(
        business=series.business,
        series=series,
        guest_name="Ewa",
        guest_email="ewa@example.test",
        status=status,
        currency="PLN",
        price_type="on_site",
        price_minor=20000,
        **extra,
    )


def _seat(run, *, kind=Booking.Kind.SERIES, purchase=None, status=BookingStatus.CONFIRMED, **extra):
    return Booking.objects.create(
        business=run.business,
        session=run,
        purchase=purchase,
        kind=kind,
        status=status,
        guest_name="Ewa",
        guest_email="ewa@example.test",
        currency="PLN",
        price_type="on_site",
        **extra,
    )


def _detach(series, run, now):
    return services.detach_run_from_series(
        series=series, session_id=run.pk, actor=builders.owner_of(series.business), now=now
    )


def _refused(series, run, now, message):
    with pytest.raises(RunNotDetachable) as caught:
        _detach(series, run, now)

    assert caught.value.message == message
    assert Session.objects.get(pk=run.pk).series_id == series.pk
    assert not ActivityLog.objects.filter(action="series.run_detached").exists()


def test_s2_an_upcoming_run_without_series_buyers_can_be_detached(series, now):
    first, second, third = _runs(series)

    detached = _detach(series, second, now)

    assert detached.series_id is None
    assert [r.pk for r in _runs(series)] == [first.pk, third.pk]
    assert Session.objects.get(pk=second.pk).series_id is None
    log = ActivityLog.objects.get(action="series.run_detached")
    assert (log.target, log.data) == (str(series.pk), {"session_id": second.pk})


def test_s2_single_and_drop_in_guests_do_not_block_detaching(series, now):
    run = _runs(series)[0]
    _seat(run, kind=Booking.Kind.SINGLE)
    _seat(run, kind=Booking.Kind.DROP_IN)

    _detach(series, run, now)

    assert Session.objects.get(pk=run.pk).series_id is None
    assert Booking.objects.filter(session=run, status=BookingStatus.CONFIRMED).count() == 2


def test_s2_a_run_where_a_series_buyer_holds_a_seat_cannot_be_detached(series, now):
    run = _runs(series)[0]
    purchase = _purchase(series)
    _seat(run, purchase=purchase)

    _refused(
        series,
        run,
        now,
        "Series buyers hold seats on this session. Cancel the session instead, "
        "so they are notified.",
    )
    assert Booking.objects.get(session=run).status == BookingStatus.CONFIRMED


def test_s2_a_pending_series_seat_with_a_live_hold_also_blocks_detaching(series, now):
    run = _runs(series)[0]
    hold = now + dt.timedelta(minutes=10)
    purchase = _purchase(series, status=BookingStatus.PENDING, hold_expires_at=hold)
    _seat(run, purchase=purchase, status=BookingStatus.PENDING, hold_expires_at=hold)

    _refused(
        series,
        run,
        now,
        "Series buyers hold seats on this session. Cancel the session instead, "
        "so they are notified.",
    )


def test_s2_a_cancelled_series_seat_does_not_block_detaching(series, now):
    run = _runs(series)[0]
    purchase = _purchase(series, status=BookingStatus.CANCELLED)
    _seat(run, purchase=purchase, status=BookingStatus.CANCELLED)

    _detach(series, run, now)

    assert Session.objects.get(pk=run.pk).series_id is None


def test_s2_a_past_run_stays_in_the_series_for_its_history(series, now):
    run = _runs(series)[0]

    _refused(
        series,
        run,
        run.starts_at + dt.timedelta(hours=2),
        "Past sessions stay in the series for its history.",
    )


def test_s2_a_run_of_another_series_cannot_be_detached_through_this_one(series, service, now):
    other = builders.make_series(service, runs=1, title="Other course", first_day=40, now=now)
    foreign = _runs(other)[0]

    with pytest.raises(RunNotDetachable) as caught:
        _detach(series, foreign, now)

    assert caught.value.message == "This session is not part of the series."

    assert Session.objects.get(pk=foreign.pk).series_id == other.pk


def test_s2_another_business_run_id_is_not_part_of_the_series(series, other_business, now):
    foreign = Session.objects.filter(business=other_business).order_by("pk").first()
    foreign_series = foreign.series_id

    with pytest.raises(RunNotDetachable) as caught:
        _detach(series, foreign, now)

    assert caught.value.message == "This session is not part of the series."

    assert Session.objects.get(pk=foreign.pk).series_id == foreign_series
