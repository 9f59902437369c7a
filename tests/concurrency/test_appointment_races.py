"""A5 under real concurrency on PostgreSQL: no performer is ever double-booked, whatever races.
The performer lock serialises placements and the exclusion constraint backs it; overlaps are
checked in SQL afterwards, not only through the app."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from rezerva.availability.errors import SlotNotAvailable
from rezerva.booking.errors import BookingBusy
from rezerva.booking.models import Booking
from rezerva.booking.services.appointments import book_appointment
from rezerva.tenancy.plans import PlanCode
from tests import builders
from tests.booking.helpers import guest
from tests.concurrency.test_place_races import _outcomes, _unexpected, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WARSAW = ZoneInfo("Europe/Warsaw")
TEN = dt.datetime(2026, 3, 9, 10, 0, tzinfo=WARSAW)


def overlapping_pairs() -> int:
    """Pairs of active appointments of one performer whose blocks overlap, counted in SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM booking_booking a JOIN booking_booking b
              ON a.performer_id = b.performer_id AND a.id < b.id
             AND tstzrange(a.blocks_from, a.blocks_until)
                 && tstzrange(b.blocks_from, b.blocks_until)
             WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')
            """
        )
        return cursor.fetchone()[0]


@pytest.fixture
def salon(db, now):
    business = builders.make_business(name="Hair by Ola", plan=PlanCode.STARTER, now=now)
    builders.set_week(business, None, {d: [("08:00", "20:00")] for d in range(7)})
    return business


def _book(salon, service, performer, when, now):
    return book_appointment(
        business=salon,
        service_id=service.pk,
        performer_id=performer.pk if performer else None,
        starts_at=when,
        guest=guest(),
        now=now,
    ).pk


def test_a5_sixty_guests_racing_for_one_slot_end_with_exactly_one(salon, now):
    ola = builders.make_performer(salon, "Ola")
    cut = builders.make_appointment_service(
        salon, duration_minutes=45, slot_interval_minutes=15, performers=[ola], now=now
    )

    results = run_concurrently(60, lambda i: _book(salon, cut, ola, TEN, now))

    assert _unexpected(results, (SlotNotAvailable, BookingBusy)) == []
    assert _outcomes(results)["ok"] == 1
    assert Booking.objects.filter(performer=ola, status="confirmed").count() == 1
    assert overlapping_pairs() == 0


def test_a5_overlapping_requests_of_different_lengths_never_both_succeed(salon, now):
    ola = builders.make_performer(salon, "Ola")
    short = builders.make_appointment_service(
        salon,
        name="Fringe",
        duration_minutes=15,
        slot_interval_minutes=15,
        performers=[ola],
        now=now,
    )
    long = builders.make_appointment_service(
        salon,
        name="Colour",
        duration_minutes=120,
        slot_interval_minutes=15,
        buffer_after_minutes=15,
        performers=[ola],
        now=now,
    )
    starts = [TEN + dt.timedelta(minutes=15 * i) for i in range(8)]

    results = run_concurrently(
        16,
        lambda i: _book(salon, long if i % 2 else short, ola, starts[i // 2], now),
    )

    assert _unexpected(results, (SlotNotAvailable, BookingBusy)) == []
    assert _outcomes(results)["ok"] >= 1
    assert overlapping_pairs() == 0


def test_a4_ten_any_available_bookings_of_a_slot_with_three_performers_end_with_three(salon, now):
    team = [builders.make_performer(salon, name) for name in ("Ola", "Ewa", "Iza")]
    cut = builders.make_appointment_service(
        salon, duration_minutes=45, slot_interval_minutes=15, performers=team, now=now
    )

    results = run_concurrently(10, lambda i: _book(salon, cut, None, TEN, now))

    assert _unexpected(results, (SlotNotAvailable, BookingBusy)) == []
    assert _outcomes(results)["ok"] == 3
    booked = Booking.objects.filter(status="confirmed").values_list("performer_id", flat=True)
    assert sorted(booked) == sorted(p.pk for p in team)
    assert overlapping_pairs() == 0


def test_a5_the_database_itself_refuses_an_overlap_the_app_did_not_check(salon, now):
    """The exclusion constraint is the last line: a row written around the service is refused."""
    from django.db import IntegrityError, transaction

    ola = builders.make_performer(salon, "Ola")
    cut = builders.make_appointment_service(salon, duration_minutes=60, performers=[ola], now=now)
    first = Booking.objects.get(pk=_book(salon, cut, ola, TEN, now))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            business=salon,
            session=first.session,
            kind="appointment",
            status="confirmed",
            currency="PLN",
            price_type="on_site",
            performer=ola,
            blocks_from=TEN + dt.timedelta(minutes=30),
            blocks_until=TEN + dt.timedelta(minutes=90),
            guest_name="X",
            guest_email="x@x.test",
        )
