"""booking.services.place.purchase_series: all or nothing (S1, S4, S5, S7, M1, B4, B5)."""

import datetime as dt

import pytest

from rezerva.booking.errors import (
    SeriesNotBookable,
    SeriesNotFound,
    SeriesSoldOut,
    SessionFull,
)
from rezerva.booking.models import (
    Booking,
    BookingStatus,
    ConsentDefinition,
    ConsentRecord,
    SeriesPurchase,
)
from rezerva.booking.services import (
    Agreements,
    GuestDetails,
    book_drop_in,
    cancel_session,
    purchase_series,
)
from rezerva.catalog.models import PriceType, SalesMode
from rezerva.core import events
from rezerva.core.errors import ValidationFailed
from rezerva.scheduling.models import Series
from tests import builders
from tests.booking.helpers import footprint, guest, new_key, usage_ticks


@pytest.fixture
def service(business, now):
    """Mode both, pay on site, PLN 50.00."""
    return builders.make_group_service(business, price_minor=5000, now=now)


@pytest.fixture
def series(service, now):
    """Four weekly runs from a week ahead, 3 seats each, drop-in open; PLN 200.00 on site."""
    return builders.make_series(service, runs=4, drop_in_enabled=True, capacity=3, now=now)


def _runs(series: Series):
    return list(series.sessions.order_by("starts_at"))


def _buy(series, now, **extra):
    extra.setdefault("guest", guest())
    return purchase_series(business=series.business, series_id=series.pk, now=now, **extra)


# --- S1/S4: one purchase, a seat on every upcoming run ---------------------------------------


def test_s4_series_purchase_takes_a_seat_in_every_upcoming_run(
    business, series, now, django_capture_on_commit_callbacks
):
    runs = _runs(series)

    with django_capture_on_commit_callbacks(execute=True):
        purchase = _buy(series, now)

    purchase.refresh_from_db()
    seats = list(Booking.objects.filter(purchase=purchase).order_by("session__starts_at"))
    assert [b.session_id for b in seats] == [r.pk for r in runs]
    assert {(b.kind, b.status, b.price_minor) for b in seats} == {
        (Booking.Kind.SERIES, BookingStatus.CONFIRMED, 0)
    }
    assert (purchase.status, purchase.price_minor, purchase.price_type, purchase.currency) == (
        BookingStatus.CONFIRMED,
        20000,
        PriceType.ON_SITE,
        "PLN",
    )
    assert usage_ticks(business) == 1  # P3: one purchase, one tick
    assert [(e.name, e.purchase_id, set(e.booking_ids)) for e in events.DELIVERED] == [
        ("purchase.confirmed", purchase.pk, {b.pk for b in seats})
    ]


def test_s4_one_full_run_makes_the_series_sold_out_and_nothing_is_written(
    business, series, now, django_capture_on_commit_callbacks
):
    third = _runs(series)[2]
    for _ in range(third.capacity):
        book_drop_in(business=business, session_id=third.pk, guest=guest(), now=now)
    before = footprint()
    ticks = usage_ticks(business)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(SeriesSoldOut) as info,
    ):
        _buy(series, now, idempotency_key=new_key())

    assert info.value.code == "series_sold_out"
    assert info.value.session_ids == [third.pk]
    assert isinstance(info.value, SessionFull)
    assert callbacks == []
    assert footprint() == before
    assert usage_ticks(business) == ticks
    assert not SeriesPurchase.objects.exists()
    assert not Booking.objects.filter(kind=Booking.Kind.SERIES).exists()


def test_s4_last_seat_of_a_series_goes_to_one_buyer_only(business, service, now):
    series = builders.make_series(service, runs=3, capacity=1, now=now)
    _buy(series, now)
    before = footprint()

    with pytest.raises(SeriesSoldOut) as info:
        _buy(series, now)

    assert sorted(info.value.session_ids) == sorted(r.pk for r in _runs(series))
    assert footprint() == before


def test_s4_a_cancelled_run_gets_no_seat_and_the_rest_are_sold(business, series, owner, now):
    runs = _runs(series)
    cancel_session(session=runs[1], actor=owner, now=now)

    purchase = _buy(series, now)

    assert sorted(purchase.bookings.values_list("session_id", flat=True)) == sorted(
        r.pk for r in runs if r.pk != runs[1].pk
    )


def test_s4_a_cancelled_full_run_does_not_make_the_series_sold_out(business, series, owner, now):
    runs = _runs(series)
    for _ in range(runs[0].capacity):
        book_drop_in(business=business, session_id=runs[0].pk, guest=guest(), now=now)
    cancel_session(session=runs[0], actor=owner, now=now)

    # S5: the first *non-cancelled* run has not started, so the series is still on sale.
    purchase = _buy(series, now)

    assert purchase.bookings.count() == 3


# --- S5: on sale until the first run starts --------------------------------------------------


def test_s5_series_is_not_on_sale_after_its_first_run_started(business, series, now):
    first = _runs(series)[0]
    later = first.starts_at + dt.timedelta(minutes=1)
    before = footprint()

    with pytest.raises(SeriesNotBookable):
        _buy(series, later, idempotency_key=new_key())

    assert footprint() == before


def test_s5_series_is_on_sale_until_the_moment_its_first_run_starts(business, series, now):
    first = _runs(series)[0]

    purchase = _buy(series, first.starts_at - dt.timedelta(seconds=1))

    assert purchase.bookings.count() == 4


def test_s5_late_joiner_gets_seats_only_in_the_remaining_runs(business, service, now):
    series = builders.make_series(service, runs=4, allows_late_join=True, now=now)
    runs = _runs(series)
    during_second = runs[1].starts_at + dt.timedelta(minutes=5)

    purchase = _buy(series, during_second)

    assert sorted(purchase.bookings.values_list("session_id", flat=True)) == [
        runs[2].pk,
        runs[3].pk,
    ]
    assert purchase.price_minor == 20000  # no pro-rata price unless configured [beyond]
    assert usage_ticks(business) == 1


def test_s5_late_join_does_not_sell_a_series_whose_runs_are_all_over(business, service, now):
    series = builders.make_series(service, runs=2, allows_late_join=True, now=now)
    after_all = _runs(series)[-1].ends_at + dt.timedelta(hours=1)
    before = footprint()

    with pytest.raises(SeriesNotBookable):
        _buy(series, after_all)

    assert footprint() == before


# --- S7 and M1: who can buy -------------------------------------------------------------------


def test_s7_hidden_series_can_still_be_bought_by_its_id(business, service, now):
    hidden = builders.make_series(service, runs=2, is_visible=False, now=now)

    purchase = _buy(hidden, now)

    assert purchase.series_id == hidden.pk
    assert purchase.bookings.count() == 2


@pytest.mark.parametrize(
    ("_case", "mode", "flags"),
    [
        ("inactive series", SalesMode.BOTH, {"is_active": False}),
        ("inactive and hidden series", SalesMode.BOTH, {"is_active": False, "is_visible": False}),
        ("mode single", SalesMode.SINGLE, {}),
    ],
)
def test_s7_m1_series_not_for_sale_is_refused_and_nothing_is_written(
    business, now, django_capture_on_commit_callbacks, _case, mode, flags
):
    service = builders.make_group_service(business, sales_mode=mode, now=now)
    series = builders.make_series(service, runs=2, now=now, **flags)
    before = footprint()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(SeriesNotBookable),
    ):
        _buy(series, now, idempotency_key=new_key())

    assert callbacks == []
    assert footprint() == before


def test_m1_series_only_service_sells_the_series(business, now):
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=now)
    series = builders.make_series(service, runs=2, now=now)

    purchase = _buy(series, now)

    assert purchase.bookings.count() == 2


# --- B4: status and hold ---------------------------------------------------------------------


def test_b4_paid_online_series_is_pending_and_every_seat_holds_until_the_same_moment(
    business, service, now, django_capture_on_commit_callbacks
):
    series = builders.make_series(
        service, runs=3, price_type=PriceType.ONLINE, price_minor=24000, now=now
    )

    with django_capture_on_commit_callbacks(execute=True):
        purchase = _buy(series, now)

    hold = now + dt.timedelta(minutes=business.hold_minutes)
    assert (purchase.status, purchase.hold_expires_at, purchase.confirmed_at) == (
        BookingStatus.PENDING,
        hold,
        None,
    )
    assert set(purchase.bookings.values_list("status", "hold_expires_at")) == {
        (BookingStatus.PENDING, hold)
    }
    assert events.DELIVERED == []


def test_b4_free_series_is_confirmed_at_once(business, service, now):
    series = builders.make_series(service, runs=2, price_type=PriceType.FREE, now=now)

    purchase = _buy(series, now)

    assert (purchase.status, purchase.price_minor, purchase.hold_expires_at) == (
        BookingStatus.CONFIRMED,
        0,
        None,
    )
    assert set(purchase.bookings.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}


# --- B5: idempotency -------------------------------------------------------------------------


def test_b5_same_idempotency_key_twice_returns_the_same_purchase_and_counts_once(
    business, series, now
):
    key, ola = new_key(), guest()

    first = _buy(series, now, idempotency_key=key, guest=ola)
    second = _buy(series, now, idempotency_key=key, guest=ola)

    assert second.pk == first.pk
    assert SeriesPurchase.objects.count() == 1
    assert Booking.objects.filter(kind=Booking.Kind.SERIES).count() == 4
    assert usage_ticks(business) == 1


# --- bad input -------------------------------------------------------------------------------


def test_unknown_series_id_is_refused_and_nothing_is_written(business, series, now):
    before = footprint()

    with pytest.raises(SeriesNotFound):
        purchase_series(business=business, series_id=987_654_321, guest=guest(), now=now)

    assert footprint() == before


def test_another_business_series_id_is_refused_and_nothing_is_written(
    business, other_business, now
):
    theirs = Series.objects.get(business=other_business)
    before = footprint()

    with pytest.raises(SeriesNotFound):
        purchase_series(business=business, series_id=theirs.pk, guest=guest(), now=now)

    assert footprint() == before


@pytest.mark.parametrize(
    ("_case", "guest_details", "key", "field"),
    [
        ("malformed email", GuestDetails("Anna", "anna@@example.test"), None, "email"),
        ("name over 120 characters", GuestDetails("N" * 121, "a@example.test"), None, "name"),
        ("malformed key", GuestDetails("Anna", "a@example.test"), "no spaces allowed", "idem"),
    ],
)
def test_series_purchase_with_bad_details_writes_nothing(
    business, series, now, _case, guest_details, key, field
):
    before = footprint()

    with pytest.raises(ValidationFailed) as info:
        purchase_series(
            business=business,
            series_id=series.pk,
            guest=guest_details,
            idempotency_key=key,
            now=now,
        )

    assert any(name.startswith(field) for name in info.value.errors)
    assert footprint() == before


def test_series_purchase_without_the_required_terms_writes_nothing(business, series, now):
    terms = ConsentDefinition.objects.create(
        business=business, kind=ConsentDefinition.Kind.TERMS, text="Course rules."
    )
    before = footprint()

    with pytest.raises(ValidationFailed) as info:
        _buy(series, now)

    assert info.value.errors == {f"consent_{terms.pk}": "Accept the terms to continue."}
    assert footprint() == before


def test_b2_series_purchase_records_the_consent_on_the_purchase(business, series, now):
    terms = ConsentDefinition.objects.create(
        business=business, kind=ConsentDefinition.Kind.TERMS, text="Course rules.", version=2
    )

    purchase = _buy(series, now, agreements=Agreements(consent_ids=frozenset({terms.pk})))

    assert list(
        ConsentRecord.objects.values_list(
            "purchase_id", "booking_id", "text", "version", "agreed_at"
        )
    ) == [(purchase.pk, None, "Course rules.", 2, now)]
