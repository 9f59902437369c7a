"""booking.services.place: single and drop-in bookings (C1, D1-D3, M1, B2, B4, B5, G4)."""

import datetime as dt

import pytest

from rezerva.booking.errors import SessionFull, SessionNotBookable, SessionNotFound
from rezerva.booking.models import Booking, BookingStatus, ConsentDefinition, ConsentRecord
from rezerva.booking.services import (
    Agreements,
    GuestDetails,
    book_drop_in,
    book_run,
    book_single_run,
    cancel_session,
    purchase_series,
)
from rezerva.booking.services.consents import change_consent_text
from rezerva.catalog.models import PriceType, SalesMode, Service
from rezerva.catalog.services import deactivate_service
from rezerva.core.errors import ValidationFailed
from rezerva.scheduling import services as scheduling_services
from rezerva.scheduling.models import Session
from rezerva.tenancy import services as tenancy_services
from tests import builders
from tests.booking.helpers import event_names, footprint, guest, new_key, usage_ticks


@pytest.fixture
def service(business, now):
    """Mode both, pay on site, PLN 50.00."""
    return builders.make_group_service(business, price_minor=5000, now=now)


@pytest.fixture
def run(service, now):
    """A run in no series, a week ahead, 10 seats."""
    return builders.make_session(service, days_ahead=7, now=now)


@pytest.fixture
def drop_in_series(service, now):
    """A drop-in series priced PLN 30.00 per drop-in seat, three runs of 10 seats."""
    return builders.make_series(
        service, runs=3, drop_in_enabled=True, drop_in_price_minor=3000, first_day=10, now=now
    )


def _first_run(series) -> Session:
    return series.sessions.order_by("starts_at").first()


def _update_series(series, **changes):
    fields = {
        name: getattr(series, name) for name in scheduling_services.SeriesInput.__dataclass_fields__
    }
    return scheduling_services.update_series(
        series=series,
        actor=builders.owner_of(series.business),
        data=scheduling_services.SeriesInput(**{**fields, **changes}),
    )


# --- prices (C1, D2) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "price_type", "price_minor", "expected_minor", "expected_status"),
    [
        ("pay on site", PriceType.ON_SITE, 5000, 5000, BookingStatus.CONFIRMED),
        ("paid online", PriceType.ONLINE, 7000, 7000, BookingStatus.PENDING),
        ("free", PriceType.FREE, 0, 0, BookingStatus.CONFIRMED),
    ],
)
def test_c1_single_booking_is_priced_at_the_service_price(
    business, now, _case, price_type, price_minor, expected_minor, expected_status
):
    service = builders.make_group_service(
        business, price_type=price_type, price_minor=price_minor, now=now
    )
    run = builders.make_session(service, now=now)

    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    booking.refresh_from_db()
    assert (booking.kind, booking.price_minor, booking.price_type, booking.currency) == (
        Booking.Kind.SINGLE,
        expected_minor,
        price_type,
        "PLN",
    )
    assert booking.session_id == run.pk
    assert booking.purchase_id is None
    assert booking.status == expected_status


def test_d2_drop_in_costs_the_drop_in_price_set_on_the_series(business, now, drop_in_series):
    run = _first_run(drop_in_series)

    booking = book_drop_in(business=business, session_id=run.pk, guest=guest(), now=now)

    assert (booking.kind, booking.price_minor, booking.price_type) == (
        Booking.Kind.DROP_IN,
        3000,
        PriceType.ON_SITE,
    )
    assert booking.purchase_id is None


def test_d2_drop_in_falls_back_to_the_service_price_when_the_series_sets_none(
    business, service, now
):
    series = builders.make_series(service, runs=2, drop_in_enabled=True, now=now)
    run = _first_run(series)

    booking = book_drop_in(business=business, session_id=run.pk, guest=guest(), now=now)

    assert (booking.kind, booking.price_minor) == (Booking.Kind.DROP_IN, 5000)


def test_book_run_picks_the_drop_in_path_for_a_series_run_and_single_otherwise(
    business, now, run, drop_in_series
):
    single = book_run(business=business, session_id=run.pk, guest=guest(), now=now)
    drop_in = book_run(
        business=business, session_id=_first_run(drop_in_series).pk, guest=guest(), now=now
    )

    assert (single.kind, single.price_minor) == (Booking.Kind.SINGLE, 5000)
    assert (drop_in.kind, drop_in.price_minor) == (Booking.Kind.DROP_IN, 3000)


def test_d1_drop_in_guests_and_series_buyers_share_one_capacity(business, service, now):
    series = builders.make_series(service, runs=2, drop_in_enabled=True, capacity=2, now=now)
    first = _first_run(series)
    purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    book_drop_in(business=business, session_id=first.pk, guest=guest(), now=now)
    before = footprint()

    with pytest.raises(SessionFull) as info:
        book_drop_in(business=business, session_id=first.pk, guest=guest(), now=now)

    assert info.value.session_ids == [first.pk]
    assert footprint() == before
    assert Booking.objects.filter(session=first, status=BookingStatus.CONFIRMED).count() == 2


# --- paths by series and sales mode (D3, M1) -------------------------------------------------


@pytest.mark.parametrize("place", [book_drop_in, book_single_run, book_run])
def test_d3_run_of_a_series_without_drop_in_is_not_bookable_alone(
    business, service, now, place, django_capture_on_commit_callbacks
):
    series = builders.make_series(service, runs=2, drop_in_enabled=False, now=now)
    run = _first_run(series)
    before = footprint()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(SessionNotBookable),
    ):
        place(business=business, session_id=run.pk, guest=guest(), now=now)

    assert callbacks == []
    assert footprint() == before


def test_d3_series_run_cannot_be_booked_as_a_single_at_the_service_price(
    business, now, drop_in_series
):
    before = footprint()

    with pytest.raises(SessionNotBookable):
        book_single_run(
            business=business, session_id=_first_run(drop_in_series).pk, guest=guest(), now=now
        )

    assert footprint() == before


def test_d3_standalone_run_cannot_be_booked_as_a_drop_in(business, now, run):
    before = footprint()

    with pytest.raises(SessionNotBookable):
        book_drop_in(business=business, session_id=run.pk, guest=guest(), now=now)

    assert footprint() == before


def test_d3_m1_drop_in_is_not_offered_when_sales_mode_is_series(business, now):
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=now)
    series = builders.make_series(service, runs=2, drop_in_enabled=True, now=now)
    before = footprint()

    with pytest.raises(SessionNotBookable):
        book_run(business=business, session_id=_first_run(series).pk, guest=guest(), now=now)

    assert footprint() == before


def test_m1_series_only_service_refuses_the_single_session_path(business, now):
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=now)
    run = builders.make_session(service, now=now)
    before = footprint()

    with pytest.raises(SessionNotBookable):
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert footprint() == before


# --- status and holds (B3, B4) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "price_type", "price_minor"),
    [("free", PriceType.FREE, 0), ("pay on site", PriceType.ON_SITE, 5000)],
)
def test_b4_free_and_pay_on_site_bookings_are_confirmed_at_once(
    business, now, _case, price_type, price_minor, django_capture_on_commit_callbacks
):
    service = builders.make_group_service(
        business, price_type=price_type, price_minor=price_minor, now=now
    )
    run = builders.make_session(service, now=now)

    with django_capture_on_commit_callbacks(execute=True):
        booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert booking.status == BookingStatus.CONFIRMED
    assert booking.confirmed_at == now
    assert booking.hold_expires_at is None
    assert event_names() == ["booking.confirmed"]


def test_b4_paid_online_booking_is_pending_and_holds_its_seat_for_the_business_hold_minutes(
    business, now, django_capture_on_commit_callbacks
):
    tenancy_services.update_business_settings(
        business=business,
        actor=builders.owner_of(business),
        name=business.name,
        timezone=business.timezone,
        currency=business.currency,
        locale=business.locale,
        hold_minutes=20,
        cancellation_notice_hours=24,
        requires_phone=False,
    )
    service = builders.make_group_service(
        business, price_type=PriceType.ONLINE, price_minor=7000, now=now
    )
    run = builders.make_session(service, now=now)

    with django_capture_on_commit_callbacks(execute=True):
        booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING
    assert booking.hold_expires_at == now + dt.timedelta(minutes=20)
    assert booking.confirmed_at is None
    assert event_names() == []  # confirmation waits for the payment


def test_b4_paid_online_drop_in_is_pending_with_the_default_fifteen_minute_hold(business, now):
    service = builders.make_group_service(
        business, price_type=PriceType.ONLINE, price_minor=7000, now=now
    )
    series = builders.make_series(service, runs=2, drop_in_enabled=True, now=now)

    booking = book_drop_in(
        business=business, session_id=_first_run(series).pk, guest=guest(), now=now
    )

    assert booking.status == BookingStatus.PENDING
    assert booking.hold_expires_at == now + dt.timedelta(minutes=15)


def test_last_seat_goes_then_the_next_guest_gets_session_full_with_the_run_id(
    business, service, now
):
    run = builders.make_session(service, capacity=2, now=now)
    book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    before = footprint()

    with pytest.raises(SessionFull) as info:
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert info.value.code == "session_full"
    assert info.value.session_ids == [run.pk]
    assert footprint() == before


# --- idempotency (B5) ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["single", "drop_in"])
def test_b5_same_idempotency_key_twice_returns_the_same_booking_and_counts_once(
    business, now, run, drop_in_series, kind
):
    session_id = run.pk if kind == "single" else _first_run(drop_in_series).pk
    key, anna = new_key(), guest()

    first = book_run(
        business=business, session_id=session_id, guest=anna, idempotency_key=key, now=now
    )
    second = book_run(
        business=business, session_id=session_id, guest=anna, idempotency_key=key, now=now
    )

    assert second.pk == first.pk
    assert second.is_replay
    assert not hasattr(first, "is_replay")
    assert Booking.objects.filter(business=business).count() == 1
    assert usage_ticks(business) == 1


def test_b5_a_retry_after_the_run_filled_or_was_cancelled_still_returns_the_first_booking(
    business, service, now
):
    last_seat = builders.make_session(service, days_ahead=7, capacity=1, now=now)
    cancelled_later = builders.make_session(service, days_ahead=8, now=now)
    keys = {last_seat.pk: new_key(), cancelled_later.pk: new_key()}
    anna = guest()
    first = {
        run_id: book_run(
            business=business, session_id=run_id, guest=anna, idempotency_key=key, now=now
        )
        for run_id, key in keys.items()
    }
    cancel_session(session=cancelled_later, actor=None, now=now)
    before = footprint()

    retried = {
        run_id: book_run(
            business=business, session_id=run_id, guest=anna, idempotency_key=key, now=now
        )
        for run_id, key in keys.items()
    }

    assert {k: b.pk for k, b in retried.items()} == {k: b.pk for k, b in first.items()}
    assert footprint() == before
    with pytest.raises(SessionFull):  # a new guest (new key) is still refused
        book_run(business=business, session_id=last_seat.pk, guest=guest(), now=now)


def test_b5_same_key_in_another_business_is_a_different_booking(business, other_business, now, run):
    other_service = Service.objects.get(business=other_business)
    other_run = builders.make_session(other_service, days_ahead=9, now=now)  # in no series
    key = new_key()

    mine = book_run(
        business=business, session_id=run.pk, guest=guest(), idempotency_key=key, now=now
    )
    theirs = book_run(
        business=other_business,
        session_id=other_run.pk,
        guest=guest(),
        idempotency_key=key,
        now=now,
    )

    assert mine.pk != theirs.pk
    assert (mine.business_id, theirs.business_id) == (business.pk, other_business.pk)


# --- bad input: refused with nothing written (G4, B2) ----------------------------------------


def _unknown_session(ctx):
    return {"session_id": 987_654_321}


def _other_business_session(ctx):
    return {"session_id": Session.objects.filter(business=ctx["other"]).first().pk}


def _past_run(ctx):
    return {"now": ctx["run"].starts_at + dt.timedelta(hours=2)}


def _run_starting_now(ctx):
    return {"now": ctx["run"].starts_at}


def _cancelled_run(ctx):
    cancel_session(session=ctx["run"], actor=builders.owner_of(ctx["business"]), now=ctx["now"])
    return {}


def _closed_series(ctx):
    _update_series(ctx["series"], is_active=False)
    return {"session_id": _first_run(ctx["series"]).pk}


def _drop_in_switched_off(ctx):
    _update_series(ctx["series"], drop_in_enabled=False)
    return {"session_id": _first_run(ctx["series"]).pk}


def _inactive_service(ctx):
    deactivate_service(service=ctx["run"].service, actor=builders.owner_of(ctx["business"]))
    return {}


def _missing_required_consent(ctx):
    ConsentDefinition.objects.create(
        business=ctx["business"], kind=ConsentDefinition.Kind.TERMS, text="I accept the terms."
    )
    return {}


def _malformed_email(ctx):
    return {"guest": GuestDetails(name="Anna", email="anna.example.com")}


def _missing_name(ctx):
    return {"guest": GuestDetails(name="   ", email="anna@example.test")}


def _name_too_long(ctx):
    return {"guest": GuestDetails(name="A" * 121, email="anna@example.test")}


def _phone_required_but_missing(ctx):
    business = ctx["business"]
    tenancy_services.update_business_settings(
        business=business,
        actor=builders.owner_of(business),
        name=business.name,
        timezone=business.timezone,
        currency=business.currency,
        locale=business.locale,
        hold_minutes=business.hold_minutes,
        cancellation_notice_hours=business.cancellation_notice_hours,
        requires_phone=True,
    )
    return {}


def _malformed_phone(ctx):
    return {"guest": GuestDetails(name="Anna", email="anna@example.test", phone="call me")}


def _malformed_key(ctx):
    return {"idempotency_key": "bad key!"}


def _too_short_key(ctx):
    return {"idempotency_key": "short"}


BAD_INPUT = [
    ("unknown session id", _unknown_session, SessionNotFound, None),
    ("another business's session id", _other_business_session, SessionNotFound, None),
    ("past run", _past_run, SessionNotBookable, None),
    ("run starting right now", _run_starting_now, SessionNotBookable, None),
    ("cancelled run", _cancelled_run, SessionNotBookable, None),
    ("closed (inactive) series", _closed_series, SessionNotBookable, None),
    ("series with drop-in switched off", _drop_in_switched_off, SessionNotBookable, None),
    ("inactive service", _inactive_service, SessionNotBookable, None),
    ("missing required consent", _missing_required_consent, ValidationFailed, "consent_"),
    ("malformed email", _malformed_email, ValidationFailed, "email"),
    ("blank name", _missing_name, ValidationFailed, "name"),
    ("name over 120 characters", _name_too_long, ValidationFailed, "name"),
    ("phone required but missing", _phone_required_but_missing, ValidationFailed, "phone"),
    ("malformed phone", _malformed_phone, ValidationFailed, "phone"),
    ("malformed idempotency key", _malformed_key, ValidationFailed, "idempotency_key"),
    ("too short idempotency key", _too_short_key, ValidationFailed, "idempotency_key"),
]


@pytest.mark.parametrize(
    ("_case", "prepare", "error", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_refused_and_nothing_is_written(
    business,
    other_business,
    now,
    run,
    drop_in_series,
    django_capture_on_commit_callbacks,
    _case,
    prepare,
    error,
    field,
):
    ctx = {
        "business": business,
        "other": other_business,
        "run": run,
        "series": drop_in_series,
        "now": now,
    }
    call = {
        "business": business,
        "session_id": run.pk,
        "guest": guest(),
        "idempotency_key": new_key(),
        "now": now,
    }
    call.update(prepare(ctx))
    before = footprint()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(error) as info,
    ):
        book_run(**call)

    if field is not None:
        assert any(name.startswith(field) for name in info.value.errors), info.value.errors
    assert callbacks == []
    assert footprint() == before


def test_a_refused_attempt_does_not_burn_its_idempotency_key(business, now, run):
    """A guest who fixes a typo and resubmits the same form still gets their booking."""
    key = new_key()
    with pytest.raises(ValidationFailed):
        book_run(
            business=business,
            session_id=run.pk,
            guest=GuestDetails(name="Anna", email="anna@"),
            idempotency_key=key,
            now=now,
        )

    booking = book_run(
        business=business,
        session_id=run.pk,
        guest=GuestDetails(name="Anna", email="anna@example.test"),
        idempotency_key=key,
        now=now,
    )

    assert booking.guest_email == "anna@example.test"
    assert Booking.objects.filter(business=business).count() == 1


def test_b2_guest_details_are_stored_trimmed_and_the_email_lowercased(business, now, run):
    booking = book_run(
        business=business,
        session_id=run.pk,
        guest=GuestDetails(
            name="  Anna Nowak ", email=" Anna@Example.TEST ", phone="+48 600 100 200"
        ),
        now=now,
    )

    booking.refresh_from_db()
    assert (booking.guest_name, booking.guest_email, booking.guest_phone) == (
        "Anna Nowak",
        "anna@example.test",
        "+48 600 100 200",
    )


# --- consents (B2) ---------------------------------------------------------------------------


def test_b2_consent_record_keeps_the_exact_text_version_and_time_agreed(business, now, run):
    terms = ConsentDefinition.objects.create(
        business=business,
        kind=ConsentDefinition.Kind.TERMS,
        text="I accept the studio rules (version of March).",
        version=3,
    )
    optional = ConsentDefinition.objects.create(
        business=business, text="Send me the newsletter.", is_required=False
    )
    ConsentDefinition.objects.create(
        business=business, text="Old retired consent.", is_active=False
    )

    booking = book_run(
        business=business,
        session_id=run.pk,
        guest=guest(),
        agreements=Agreements(consent_ids=frozenset({terms.pk})),
        now=now,
    )

    records = list(ConsentRecord.objects.filter(booking=booking))
    assert [(r.definition_id, r.text, r.version, r.agreed_at) for r in records] == [
        (terms.pk, "I accept the studio rules (version of March).", 3, now)
    ]
    assert records[0].business_id == business.pk
    assert records[0].purchase_id is None
    assert not ConsentRecord.objects.filter(definition=optional).exists()


def test_b2_editing_a_consent_afterwards_does_not_change_what_the_guest_agreed_to(
    business, now, run
):
    terms = ConsentDefinition.objects.create(
        business=business, kind=ConsentDefinition.Kind.TERMS, text="Rules v1."
    )
    booking = book_run(
        business=business,
        session_id=run.pk,
        guest=guest(),
        agreements=Agreements(consent_ids=frozenset({terms.pk})),
        now=now,
    )

    change_consent_text(consent=terms, actor=builders.owner_of(business), text="Rules v2.")
    terms.refresh_from_db()

    record = ConsentRecord.objects.get(booking=booking)
    assert (terms.text, terms.version) == ("Rules v2.", 2)
    assert (record.text, record.version, record.agreed_at) == ("Rules v1.", 1, now)


def test_b2_another_business_consents_are_not_asked_for(business, other_business, now, run):
    ConsentDefinition.objects.create(business=other_business, text="Shadow terms.")

    booking = book_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert not ConsentRecord.objects.filter(booking=booking).exists()


def test_b2_ticking_another_business_consent_id_records_nothing(business, other_business, now, run):
    theirs = ConsentDefinition.objects.create(business=other_business, text="Shadow terms.")

    booking = book_run(
        business=business,
        session_id=run.pk,
        guest=guest(),
        agreements=Agreements(consent_ids=frozenset({theirs.pk})),
        now=now,
    )

    assert booking.status == BookingStatus.CONFIRMED
    assert not ConsentRecord.objects.exists()
