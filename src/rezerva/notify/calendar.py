"""Calendar data (.ics) for bookings: one VEVENT per booked run, in the business time zone.

Identity: each (booking, run) has a stable UID (`event_uid`) and a SEQUENCE kept in
`CalendarEntry`; every change to that pair's calendar data bumps the sequence in the same
transaction as the change (notify.services), so calendar clients replace what they hold (RFC 5546).
Methods: REQUEST for new or changed runs, CANCEL for cancelled runs or bookings, PUBLISH for the
manage page's download.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress

from rezerva.core.text import single_line
from rezerva.tenancy.models import Business

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"
PRODID = "-//Rezerva//Bookings//EN"
# Margin around the runs for the generated VTIMEZONE (it only has to cover the events).
_TZ_MARGIN = dt.timedelta(days=7)


def event_uid(*, public_id: uuid.UUID, session_id: int) -> str:
    """The stable UID of one booking on one run (the random public id keeps it unguessable)."""
    return f"{public_id.hex}-run-{session_id}@rezerva"


@dataclass(frozen=True)
class CalendarItem:
    """One booked run as a calendar event."""

    uid: str
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    description: str
    cancelled: bool
    guest_name: str
    guest_email: str


def build_calendar(*, business: Business, items: list[CalendarItem], method: str) -> bytes:
    """An iCalendar file: the items as VEVENTs with TZID of the business zone and a VTIMEZONE."""
    zone = ZoneInfo(business.timezone)
    # Names go into property parameters (CN=...), which cannot hold a line break at all
    # (icalendar refuses to write one), and into one-line fields: each is made one clean line.
    business_name = single_line(business.name)
    calendar = Calendar.new(method=method, prodid=PRODID, name=business_name)
    organizer_email = business.contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    for item in items:
        cancelled = item.cancelled or method == CANCEL
        event = Event.new(
            uid=item.uid,
            sequence=item.sequence,
            start=item.starts_at.astimezone(zone),
            end=item.ends_at.astimezone(zone),
            summary=single_line(item.summary),
            location=item.location or None,
            description=item.description or None,
            status="CANCELLED" if cancelled else "CONFIRMED",
        )
        organizer = vCalAddress(f"mailto:{organizer_email}")
        organizer.params["CN"] = business_name
        event.add("organizer", organizer)
        if method != PUBLISH:
            attendee = vCalAddress(f"mailto:{item.guest_email}")
            attendee.params["CN"] = single_line(item.guest_name)
            attendee.params["ROLE"] = "REQ-PARTICIPANT"
            attendee.params["PARTSTAT"] = "DECLINED" if cancelled else "ACCEPTED"
            event.add("attendee", attendee)
        calendar.add_component(event)
    if items:
        first = min(i.starts_at for i in items).astimezone(zone).date() - _TZ_MARGIN
        last = max(i.ends_at for i in items).astimezone(zone).date() + _TZ_MARGIN
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
