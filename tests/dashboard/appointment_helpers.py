"""Helpers for the appointment page tests: local wall times to UTC and appointments booked
through the real service (on the owner's behalf, so hours never get in the way of setup)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from rezerva.booking.services import GuestDetails
from rezerva.booking.services.appointments import book_appointment
from rezerva.core.timezones import wall_time_to_utc
from tests import builders


def at(business, day: dt.date, wall: str) -> dt.datetime:
    """UTC of a wall time ("10:00") on a local day in the business zone."""
    return wall_time_to_utc(
        dt.datetime.combine(day, dt.time.fromisoformat(wall)), business.timezone
    )


def book(salon, performer, day: dt.date, wall: str, name: str = "Anna Nowak", service=None):
    """A confirmed appointment (the haircut is paid on site)."""
    business = salon.business
    return book_appointment(
        business=business,
        service_id=(service or salon.haircut).pk,
        performer_id=performer.pk,
        starts_at=at(business, day, wall),
        guest=GuestDetails(name=name, email=f"{name.split()[0].lower()}@example.test"),
        now=timezone.now(),
        on_behalf=True,
        actor=builders.owner_of(business),
    )


def next_dst_gap(tz_name: str, after: dt.date) -> dt.datetime:
    """A naive wall time in the next spring-forward gap of the zone (e.g. 02:30 in Warsaw)."""
    zone = ZoneInfo(tz_name)
    day = after
    for _ in range(800):
        day += dt.timedelta(days=1)
        before = dt.datetime.combine(day, dt.time(1, 0), tzinfo=zone).utcoffset()
        later = dt.datetime.combine(day, dt.time(4, 0), tzinfo=zone).utcoffset()
        if later > before:
            return dt.datetime.combine(day, dt.time(2, 30))
    raise AssertionError("no DST change found")
