"""A1, A4-A9 placing and moving one-to-one appointments through the placing core."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rezerva.availability import services as availability
from rezerva.availability.errors import PerformerNotFound, SlotNotAvailable
from rezerva.booking.errors import ServiceNotFound
from rezerva.booking.models import Booking
from rezerva.booking.selectors import appointment_slots
from rezerva.booking.services import cancel_booking
from rezerva.booking.services.appointments import book_appointment, move_appointment
from rezerva.catalog.models import PriceType
from rezerva.notify.models import OutboundEmail
from rezerva.tenancy.plans import PlanCode
from tests import builders
from tests.booking.helpers import footprint, guest, usage_ticks

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = dt.date(2026, 3, 9)


def _at(hhmm, day=MONDAY):
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=WARSAW)


@pytest.fixture
def salon(db, now):
    """Hair by Ola on Starter: two stylists on the default week (Mon-Fri 9-12, 13-17)."""
    business = builders.make_business(name="Hair by Ola", plan=PlanCode.STARTER, now=now)
    builders.set_week(
        business, None, {d: [("09:00", "12:00"), ("13:00", "17:00")] for d in range(5)}
    )
    return business


@pytest.fixture
def ola(salon):
    return builders.make_performer(salon, "Ola")


@pytest.fixture
def ewa(salon):
    return builders.make_performer(salon, "Ewa")


@pytest.fixture
def cut(salon, ola, ewa, now):
    return builders.make_appointment_service(
        salon,
        name="Cut",
        duration_minutes=45,
        slot_interval_minutes=15,
        buffer_after_minutes=15,
        performers=[ola, ewa],
        now=now,
    )


def _book(salon, cut, when, performer=None, now=None, **extra):
    return book_appointment(
        business=salon,
        service_id=cut.pk,
        performer_id=performer.pk if performer else None,
        starts_at=when,
        guest=extra.pop("guest", guest()),
        now=now,
        **extra,
    )


def _free(salon, cut, performer, now, day=MONDAY):
    slots = appointment_slots(
        business=salon, service=cut, performer_id=performer.pk, start=day, end=day, now=now
    )
    return [s.astimezone(WARSAW).strftime("%H:%M") for s in slots.by_performer[performer.pk]]


def test_a1_a_starter_business_sells_an_appointment_and_it_counts_once(salon, cut, ola, now):
    booking = _book(salon, cut, _at("10:00"), ola, now)

    assert (booking.kind, booking.status, booking.performer_id) == (
        "appointment",
        "confirmed",
        ola.pk,
    )
    assert booking.session.starts_at == _at("10:00")
    assert booking.session.ends_at == _at("10:45")
    assert (booking.blocks_from, booking.blocks_until) == (_at("10:00"), _at("11:00"))
    assert usage_ticks(salon) == 1
    assert OutboundEmail.objects.filter(booking=booking, kind="booking_confirmed").exists()


def test_a5_a_booked_slot_and_its_buffer_leave_the_list(salon, cut, ola, now):
    _book(salon, cut, _at("10:00"), ola, now)
    free = _free(salon, cut, ola, now)
    assert "10:00" not in free
    assert "09:00" in free  # 09:00-09:45 plus its own buffer ends as hers starts
    assert "09:15" not in free  # its buffer would run into hers
    assert "10:45" not in free  # her 15-minute buffer runs to 11:00
    assert "11:00" in free


def test_a5_a_taken_time_is_refused_and_nothing_is_written(salon, cut, ola, now):
    _book(salon, cut, _at("10:00"), ola, now)
    before = footprint()

    with pytest.raises(SlotNotAvailable):
        _book(salon, cut, _at("10:30"), ola, now)

    assert footprint() == before


def test_a5_a_live_hold_blocks_and_a_lapsed_one_frees_the_slot_at_once(salon, ola, now):
    paid = builders.make_appointment_service(
        salon,
        name="Colour",
        price_type=PriceType.ONLINE,
        price_minor=20000,
        performers=[ola],
        now=now,
    )
    held = _book(salon, paid, _at("10:00"), ola, now)
    assert held.status == "pending"
    with pytest.raises(SlotNotAvailable):
        _book(salon, paid, _at("10:00"), ola, now + dt.timedelta(minutes=5))

    later = now + dt.timedelta(minutes=salon.hold_minutes + 1)
    again = _book(salon, paid, _at("10:00"), ola, later)

    held.refresh_from_db()
    assert (held.status, again.status) == ("expired", "pending")


@pytest.mark.parametrize(
    ("_case", "when", "message"),
    [
        ("not on the grid", "10:05", "not available"),
        ("during the lunch break", "11:30", "not available"),
        ("in the past", "2026-03-02 08:00", "already passed"),
        ("beyond the horizon", "2026-06-01 10:00", "at most 60 days"),
        ("on a closed day", "2026-03-14 10:00", "not available"),
    ],
)
def test_a6_times_not_offered_are_refused_with_a_clear_reason(
    salon, cut, ola, now, _case, when, message
):
    before = footprint()
    at = _at(when) if len(when) == 5 else dt.datetime.fromisoformat(when).replace(tzinfo=WARSAW)

    with pytest.raises(SlotNotAvailable) as info:
        _book(salon, cut, at, ola, now)

    assert message in info.value.message
    assert footprint() == before


def test_a6_inside_the_minimum_notice_is_refused(salon, ola, now):
    service = builders.make_appointment_service(
        salon, min_notice_minutes=180, performers=[ola], now=now
    )
    builders.set_week(salon, ola, {0: [("09:00", "17:00")]})
    with pytest.raises(SlotNotAvailable, match="3 hour"):
        _book(salon, service, _at("11:00", dt.date(2026, 3, 2)), ola, now)  # now is 10:00


def test_a6_a_start_in_the_dst_gap_is_refused(salon, ola, now):
    builders.set_week(salon, ola, {6: [("00:00", "06:00")]})
    service = builders.make_appointment_service(
        salon, duration_minutes=30, performers=[ola], now=now
    )
    gap = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)  # 02:30 wall time would be here
    assert gap.astimezone(WARSAW).hour == 3  # the wall clock jumped
    with pytest.raises(SlotNotAvailable):
        _book(salon, service, dt.datetime(2026, 3, 29, 2, 30, tzinfo=WARSAW), ola, now)


def test_a6_another_business_performer_or_service_is_refused(salon, cut, other_business, now):
    spy = builders.make_performer(other_business, "Spy")
    theirs = builders.make_appointment_service(other_business, performers=[spy], now=now)
    with pytest.raises(PerformerNotFound):
        _book(salon, cut, _at("10:00"), spy, now)
    with pytest.raises(ServiceNotFound):
        _book(salon, theirs, _at("10:00"), None, now)
    assert Booking.objects.count() == 0


def test_a4_any_available_picks_the_least_busy_then_the_lowest_id(salon, cut, ola, ewa, now):
    _book(salon, cut, _at("09:00"), ola, now)  # Ola has one that day
    first = _book(salon, cut, _at("14:00"), None, now)
    second = _book(salon, cut, _at("14:00"), None, now)

    assert first.performer_id == ewa.pk  # fewer appointments that day
    assert second.performer_id == ola.pk  # Ewa is taken at 14:00 now
    with pytest.raises(SlotNotAvailable):
        _book(salon, cut, _at("14:00"), None, now)


def test_a9_the_owner_books_outside_hours_but_never_double_books(salon, cut, ola, now):
    evening = _book(salon, cut, _at("19:00"), ola, now, on_behalf=True)
    assert evening.status == "confirmed"
    assert evening.added_by_owner  # F6: an address the guest never confirmed herself
    assert not _book(salon, cut, _at("10:00"), ola, now).added_by_owner
    with pytest.raises(SlotNotAvailable):
        _book(salon, cut, _at("19:30"), ola, now, on_behalf=True)


def test_a9_time_off_blocks_guests(salon, cut, ola, now):
    availability.add_time_off(
        business=salon,
        actor=None,
        performer_id=ola.pk,
        starts_at=_at("09:00"),
        ends_at=_at("17:00"),
    )
    with pytest.raises(SlotNotAvailable):
        _book(salon, cut, _at("10:00"), ola, now)


def test_a8_a_guest_moves_her_appointment_to_a_free_slot_with_the_same_stylist(
    salon, cut, ola, now
):
    booking = _book(salon, cut, _at("10:00"), ola, now)
    _book(salon, cut, _at("13:00"), ola, now)

    with pytest.raises(SlotNotAvailable):
        move_appointment(booking=booking, starts_at=_at("13:15"), now=now)
    moved = move_appointment(booking=booking, starts_at=_at("15:00"), now=now)

    assert moved.session.starts_at == _at("15:00")
    assert moved.blocks_until == _at("16:00")
    assert "10:00" in _free(salon, cut, ola, now)
    assert OutboundEmail.objects.filter(booking=booking, kind="run_changed").exists()


def test_a8_moving_or_cancelling_inside_the_notice_period_is_refused_online(salon, cut, ola, now):
    booking = _book(salon, cut, _at("10:00"), ola, now)
    late = _at("09:00") - dt.timedelta(hours=2)
    with pytest.raises(SlotNotAvailable, match="too close"):
        move_appointment(booking=booking, starts_at=_at("15:00"), now=late)
    moved = move_appointment(booking=booking, starts_at=_at("15:00"), now=late, by_owner=True)
    assert moved.session.starts_at == _at("15:00")


def test_a8_a_cancelled_appointment_frees_its_time(salon, cut, ola, now):
    booking = _book(salon, cut, _at("10:00"), ola, now)
    cancel_booking(booking=booking, by="guest", now=now)
    assert "10:00" in _free(salon, cut, ola, now)
    assert _book(salon, cut, _at("10:00"), ola, now).status == "confirmed"


def test_a9_an_online_service_booked_by_the_owner_is_paid_on_site_and_confirmed(salon, ola, now):
    colour = builders.make_appointment_service(
        salon,
        name="Colour",
        price_type=PriceType.ONLINE,
        price_minor=20000,
        performers=[ola],
        now=now,
    )
    booking = _book(salon, colour, _at("10:00"), ola, now, on_behalf=True)
    assert (booking.status, booking.price_type, booking.hold_expires_at) == (
        "confirmed",
        "on_site",
        None,
    )


def test_n3_an_appointment_gets_its_reminder_and_a_moved_one_a_new_one(salon, cut, ola, now):
    from rezerva.notify.services import queue_due_reminders

    booking = _book(salon, cut, _at("10:00"), ola, now)
    queue_due_reminders(now=_at("10:00") - dt.timedelta(hours=23))
    move_appointment(booking=booking, starts_at=_at("15:00"), now=now, by_owner=True)
    queue_due_reminders(now=_at("15:00") - dt.timedelta(hours=23))

    reminders = OutboundEmail.objects.filter(booking=booking, kind="reminder")
    assert sorted(r.run_starts_at for r in reminders) == [_at("10:00"), _at("15:00")]
