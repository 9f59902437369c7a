"""A2-A6 through the database, on both engines: the one slot search the guest list, the owner
and placing share (booking.selectors.appointment_slots)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rezerva.availability import services as availability
from rezerva.availability.errors import PerformerNotFound, RangeTooLong
from rezerva.booking.selectors import appointment_slots
from rezerva.booking.services import GuestDetails
from rezerva.booking.services.appointments import book_appointment
from rezerva.catalog import services as catalog_services
from rezerva.core.errors import ValidationFailed
from tests import builders

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = dt.date(2026, 3, 9)  # NOW is Monday 2026-03-02 10:00 in Warsaw


def _times(slots, performer, day=MONDAY):
    return [
        s.astimezone(WARSAW).strftime("%H:%M")
        for s in slots.by_performer[performer.pk]
        if s.astimezone(WARSAW).date() == day
    ]


def _search(business, service, now, performer=None, start=MONDAY, end=MONDAY):
    return appointment_slots(
        business=business,
        service=service,
        performer_id=performer.pk if performer else None,
        start=start,
        end=end,
        now=now,
    )


def _at(day, hhmm):
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=WARSAW)


def test_a2_performers_follow_the_business_default_week_with_its_break(business, haircut, ola, now):
    times = _times(_search(business, haircut, now), ola)
    assert times[:4] == ["09:00", "09:15", "09:30", "09:45"]
    assert "11:15" in times
    assert "11:30" not in times  # would end 12:15, in the break
    assert "13:00" in times
    assert times[-1] == "16:15"
    assert (
        _times(
            _search(business, haircut, now, start=dt.date(2026, 3, 14), end=dt.date(2026, 3, 14)),
            ola,
            dt.date(2026, 3, 14),
        )
        == []
    )  # Saturday


def test_a2_a_performer_with_her_own_week_no_longer_follows_the_default(
    business, haircut, ola, ewa, now
):
    builders.set_week(business, ola, {0: [("14:00", "16:00")]})
    slots = _search(business, haircut, now)
    assert _times(slots, ola) == ["14:00", "14:15", "14:30", "14:45", "15:00", "15:15"]
    assert _times(slots, ewa)[0] == "09:00"


def test_a3_a_date_override_gives_a_day_its_own_hours_or_closes_it(
    business, haircut, ola, ewa, now
):
    availability.set_date_override(
        business=business,
        actor=None,
        performer_id=ola.pk,
        date=MONDAY,
        intervals=[(dt.time(18), dt.time(19))],
    )
    availability.set_date_override(
        business=business, actor=None, performer_id=ewa.pk, date=MONDAY, intervals=[]
    )
    slots = _search(business, haircut, now)
    assert _times(slots, ola) == ["18:00", "18:15"]
    assert _times(slots, ewa) == []


def test_a3_time_off_and_a_business_closure_remove_times(business, haircut, ola, ewa, now):
    availability.add_time_off(
        business=business,
        actor=None,
        performer_id=ola.pk,
        starts_at=_at(MONDAY, "09:00"),
        ends_at=_at(MONDAY, "12:00"),
    )
    availability.add_time_off(
        business=business,
        actor=None,
        performer_id=None,
        starts_at=_at(MONDAY, "15:00"),
        ends_at=_at(MONDAY, "23:00"),
        reason="Staff training",
    )
    slots = _search(business, haircut, now)
    assert _times(slots, ola)[0] == "13:00"
    assert _times(slots, ola)[-1] == "14:15"
    assert _times(slots, ewa)[-1] == "14:15"
    assert _times(slots, ewa)[0] == "09:00"


def test_a5_group_runs_she_leads_block_her_one_to_one_times(business, haircut, ola, ewa, now):
    yoga = builders.make_group_service(business, name="Yoga", now=now)
    builders.make_session(
        yoga, starts_local=dt.datetime(2026, 3, 9, 10, 0), minutes=60, performer=ola, now=now
    )
    slots = _search(business, haircut, now)
    assert "09:15" in _times(slots, ola)  # ends as the run starts
    assert "09:30" not in _times(slots, ola)
    assert "10:00" not in _times(slots, ola)
    assert "11:00" in _times(slots, ola)
    assert "10:00" in _times(slots, ewa)


def test_a4_buffers_notice_horizon_interval_and_daily_cap(business, ola, now):
    builders.set_week(business, ola, {d: [("09:00", "17:00")] for d in range(7)})
    colour = builders.make_appointment_service(
        business,
        name="Colour",
        duration_minutes=120,
        buffer_after_minutes=15,
        min_notice_minutes=24 * 60,
        horizon_days=10,
        daily_cap=1,
        performers=[ola],
        now=now,
    )
    slots = _search(business, colour, now, ola, dt.date(2026, 3, 2), dt.date(2026, 3, 20))
    days = slots.days(WARSAW)
    assert days[0] == dt.date(2026, 3, 3)  # 24 h notice from Monday 10:00
    assert _times(slots, ola, dt.date(2026, 3, 3))[0] == "11:00"  # 09:00 is too soon
    assert days[-1] == dt.date(2026, 3, 12)  # horizon: 10 days
    # Two-hour steps; 15:00 ends at closing time (its buffer may run past it).
    assert _times(slots, ola, MONDAY) == ["09:00", "11:00", "13:00", "15:00"]
    book_appointment(
        business=business,
        service_id=colour.pk,
        performer_id=ola.pk,
        starts_at=_at(MONDAY, "09:00"),
        guest=GuestDetails("Anna", "anna@x.test"),
        now=now,
    )
    assert _times(_search(business, colour, now, ola), ola) == []  # daily cap of 1 reached


def test_a4_the_slot_interval_defaults_to_the_duration(business, ola, now):
    service = builders.make_appointment_service(
        business, duration_minutes=50, performers=[ola], now=now
    )
    builders.set_week(business, None, {0: [("09:00", "12:00")]})
    assert _times(_search(business, service, now), ola) == ["09:00", "09:50", "10:40"]


def test_a4_a_service_offered_by_one_performer_lists_only_her(business, haircut, ola, ewa, now):
    catalog_services.update_appointment_settings(
        service=haircut,
        actor=None,
        settings=catalog_services.AppointmentSettings(duration_minutes=45, performer_ids=(ewa.pk,)),
    )
    slots = _search(business, haircut, now)
    assert list(slots.by_performer) == [ewa.pk]
    with pytest.raises(PerformerNotFound):
        _search(business, haircut, now, ola)


def test_a6_bad_ranges_are_refused(business, haircut, now):
    with pytest.raises(RangeTooLong):
        _search(business, haircut, now, start=MONDAY, end=MONDAY + dt.timedelta(days=62))
    with pytest.raises(ValidationFailed):
        _search(business, haircut, now, start=MONDAY, end=MONDAY - dt.timedelta(days=1))
    assert _search(business, haircut, now, start=MONDAY, end=MONDAY + dt.timedelta(days=61))


def test_a6_another_business_performer_is_not_found(business, other_business, haircut, now):
    theirs = builders.make_performer(other_business, "Spy")
    with pytest.raises(PerformerNotFound):
        _search(business, haircut, now, theirs)


def test_a2_dst_week_in_warsaw_keeps_wall_clock_hours(business, haircut, ola, now):
    builders.set_week(business, ola, {6: [("01:00", "04:00")], 0: [("09:00", "10:00")]})
    sunday, monday = dt.date(2026, 3, 29), dt.date(2026, 3, 30)
    slots = _search(business, haircut, now, ola, sunday, monday)
    # 45-minute appointments every 15 minutes; 02:00-02:59 does not exist that night.
    assert _times(slots, ola, sunday) == ["01:00", "01:15", "01:30", "01:45", "03:00", "03:15"]
    assert slots.by_performer[ola.pk][-1].astimezone(WARSAW).utcoffset() == dt.timedelta(hours=2)


def test_a2_a_performer_s_own_week_may_close_every_day(business, haircut, ola, ewa, now):
    builders.set_week(business, ola, {})
    slots = _search(business, haircut, now)
    assert _times(slots, ola) == []
    assert _times(slots, ewa)[0] == "09:00"
    availability.follow_default_hours(business=business, actor=None, performer_id=ola.pk)
    assert _times(_search(business, haircut, now), ola)[0] == "09:00"


def test_a4_an_inactive_performer_is_not_offered_and_cannot_be_booked(
    business, haircut, ola, ewa, now
):
    ewa.is_active = False
    ewa.save(update_fields=["is_active"])

    slots = _search(business, haircut, now)

    assert list(slots.by_performer) == [ola.pk]
    with pytest.raises(PerformerNotFound):
        _search(business, haircut, now, ewa)
