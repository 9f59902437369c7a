"""Reads for the owner's availability and calendar pages (A2, A3, A9): the week as saved, date
overrides and time off to list, and a calendar of appointments, the group runs each performer
leads and time off, per local day in the business timezone.

Like participants.py it reads several apps' rows (availability, bookings, runs), so it sits in
the dashboard above them. Every read is business-scoped and takes a fixed number of queries
whatever the number of days, performers or entries.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q

from rezerva.availability.models import DateOverride, TimeOff, WeeklyHours
from rezerva.availability.selectors import hours_by_day, hours_on
from rezerva.booking.models import Booking, BookingStatus
from rezerva.catalog.models import Performer, Service
from rezerva.core.holds import seat_holding_filter
from rezerva.core.timezones import local_date_bounds
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import Business

Interval = tuple[dt.time, dt.time]
DASH = "\N{EN DASH}"  # between the two times of a range
Week = dict[int, list[Interval]]


def hours_text(intervals) -> str:
    """Intervals as "09:00-12:00, 13:00-17:00" with en dashes (empty for none)."""
    return ", ".join(f"{s:%H:%M}{DASH}{e:%H:%M}" for s, e in intervals)


# --- Availability page --------------------------------------------------------------------


def week_of(*, business: Business, performer_id: int | None) -> Week:
    """The saved week of one performer (None: the business default), {weekday: intervals};
    an empty dict for a performer means she follows the business hours."""
    week: Week = {}
    for row in WeeklyHours.objects.filter(business=business, performer_id=performer_id).order_by(
        "weekday", "starts"
    ):
        week.setdefault(row.weekday, []).append((row.starts, row.ends))
    return week


def team_weeks(*, business: Business) -> dict[int, Week]:
    """{performer id: her own week} for performers with hours of their own: one query."""
    weeks: dict[int, Week] = defaultdict(dict)
    for row in WeeklyHours.objects.filter(business=business, performer__isnull=False).order_by(
        "weekday", "starts"
    ):
        weeks[row.performer_id].setdefault(row.weekday, []).append((row.starts, row.ends))
    return dict(weeks)


@dataclass(frozen=True)
class OverrideDay:
    """A date with its own hours (empty: closed that day)."""

    date: dt.date
    intervals: tuple[Interval, ...]

    @property
    def is_closed(self) -> bool:
        return not self.intervals


def date_overrides_of(
    *, business: Business, performer_id: int | None, since: dt.date
) -> list[OverrideDay]:
    """Date overrides of one performer (None: the business default) from `since` on."""
    days: dict[dt.date, list[Interval]] = {}
    for row in DateOverride.objects.filter(
        business=business, performer_id=performer_id, date__gte=since
    ).order_by("date", "starts"):
        hours = days.setdefault(row.date, [])
        if not row.is_closed:
            hours.append((row.starts, row.ends))
    return [OverrideDay(day, tuple(hours)) for day, hours in days.items()]


def time_off_of(*, business: Business, performer_id: int | None, since: dt.datetime) -> list:
    """Time off of one performer (None: business closures) that has not ended by `since`."""
    return list(
        TimeOff.objects.filter(
            business=business, performer_id=performer_id, ends_at__gt=since
        ).order_by("starts_at", "pk")
    )


def get_time_off_for_business(*, business: Business, time_off_id: int) -> TimeOff | None:
    """One time off or closure of the business; None for another business's id."""
    return TimeOff.objects.filter(business=business, pk=time_off_id).first()


# --- Calendar -----------------------------------------------------------------------------

APPOINTMENT_STATUS = {
    BookingStatus.CONFIRMED: ("confirmed", "Confirmed"),
    BookingStatus.PAID_NO_SEAT: ("problem", "Paid, no seat"),
    BookingStatus.CANCELLED: ("cancelled", "Cancelled"),
    BookingStatus.EXPIRED: ("cancelled", "Expired"),
}


@dataclass(frozen=True)
class CalendarEntry:
    """One thing on the calendar, in business wall time (naive)."""

    kind: str  # "appointment", "run", "time_off" or "closure"
    starts: dt.datetime
    ends: dt.datetime
    performer_id: int | None
    performer_name: str
    title: str
    detail: str = ""
    status: str = ""
    status_label: str = ""
    target_id: int | None = None  # the booking, run or time off it links to

    def on(self, day: dt.date) -> "DayEntry":
        """This entry as it shows on one local day (a time off over days shows on each)."""
        day_start = dt.datetime.combine(day, dt.time(0))
        day_end = day_start + dt.timedelta(days=1)
        starts, ends = max(self.starts, day_start), min(self.ends, day_end)
        if starts == day_start and ends == day_end:
            label = "All day"
        elif ends == day_end and self.ends > day_end:
            label = f"from {starts:%H:%M}"
        elif starts == day_start and self.starts < day_start:
            label = f"until {ends:%H:%M}"
        else:
            label = f"{starts:%H:%M}{DASH}{ends:%H:%M}"
        return DayEntry(entry=self, sort_key=(starts, self.kind != "closure"), time_label=label)


@dataclass(frozen=True)
class DayEntry:
    entry: CalendarEntry
    sort_key: tuple
    time_label: str


@dataclass
class CalendarColumn:
    """A day (week view) or a performer (day view) with its entries in time order and the
    working hours that apply ("" when several performers share the column)."""

    day: dt.date
    heading: str
    entries: list[DayEntry] = field(default_factory=list)
    hours: list[Interval] | None = None
    performer_id: int | None = None

    @property
    def hours_label(self) -> str:
        if self.hours is None:
            return ""
        if not self.hours:
            return "Not working"
        return hours_text(self.hours)


def _appointment_status(booking: Booking, now: dt.datetime) -> tuple[str, str]:
    if booking.status == BookingStatus.PENDING:
        if booking.hold_is_active(now):
            return "pending", "Awaiting payment"
        return "cancelled", "Hold lapsed"
    return APPOINTMENT_STATUS.get(booking.status, (booking.status, booking.get_status_display()))


def calendar_entries(
    *,
    business: Business,
    performer_ids: list[int] | None,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    show_cancelled: bool = False,
) -> list[CalendarEntry]:
    """A9: appointments, the group runs performers lead, their time off and business closures
    touching local days `start`..`end` (performer_ids None: everyone): three queries."""
    zone = ZoneInfo(business.timezone)
    window_start, _ = local_date_bounds(start, business.timezone)
    _, window_end = local_date_bounds(end, business.timezone)

    def wall(moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(zone).replace(tzinfo=None)

    entries: list[CalendarEntry] = []
    bookings = Booking.objects.filter(
        business=business,
        kind=Booking.Kind.APPOINTMENT,
        session__starts_at__lt=window_end,
        session__ends_at__gt=window_start,
    ).select_related("session__service", "performer")
    if performer_ids is not None:
        bookings = bookings.filter(performer_id__in=performer_ids)
    if not show_cancelled:
        bookings = bookings.filter(seat_holding_filter(now) | Q(status=BookingStatus.PAID_NO_SEAT))
    for booking in bookings.order_by("session__starts_at", "pk"):
        status, label = _appointment_status(booking, now)
        entries.append(
            CalendarEntry(
                kind="appointment",
                starts=wall(booking.session.starts_at),
                ends=wall(booking.session.ends_at),
                performer_id=booking.performer_id,
                performer_name=booking.performer.name,
                title=booking.guest_name,
                detail=booking.session.service.name,
                status=status,
                status_label=label,
                target_id=booking.pk,
            )
        )
    runs = Session.objects.filter(
        business=business,
        service__kind=Service.Kind.GROUP,
        cancelled_at__isnull=True,
        starts_at__lt=window_end,
        ends_at__gt=window_start,
    ).select_related("service", "performer")
    if performer_ids is not None:
        runs = runs.filter(performer_id__in=performer_ids)
    for run in runs.order_by("starts_at", "pk"):
        entries.append(
            CalendarEntry(
                kind="run",
                starts=wall(run.starts_at),
                ends=wall(run.ends_at),
                performer_id=run.performer_id,
                performer_name=run.performer.name if run.performer else "",
                title=run.title or run.service.name,
                detail=run.service.name if run.title else "Group session",
                target_id=run.pk,
            )
        )
    time_off = TimeOff.objects.filter(
        business=business, starts_at__lt=window_end, ends_at__gt=window_start
    ).select_related("performer")
    if performer_ids is not None:
        time_off = time_off.filter(Q(performer__isnull=True) | Q(performer_id__in=performer_ids))
    for row in time_off.order_by("starts_at", "pk"):
        closure = row.performer_id is None
        entries.append(
            CalendarEntry(
                kind="closure" if closure else "time_off",
                starts=wall(row.starts_at),
                ends=wall(row.ends_at),
                performer_id=row.performer_id,
                performer_name="" if closure else row.performer.name,
                title="Business closed" if closure else "Time off",
                detail=row.reason,
                target_id=row.pk,
            )
        )
    return entries


def working_hours(
    *, business: Business, performer_ids: list[int], days: list[dt.date]
) -> dict[tuple[int, dt.date], list[Interval]]:
    """{(performer, day): her hours that day}, overrides and the business default applied
    (A2/A3, read as the slot search reads them): two queries."""
    if not days:
        return {}
    own_hours = set(
        Performer.objects.filter(
            business=business, pk__in=performer_ids, has_own_hours=True
        ).values_list("pk", flat=True)
    )
    weekly, overrides = hours_by_day(business, performer_ids, min(days), max(days), own_hours)
    return {
        (pid, day): hours_on(pid, day, weekly, overrides) for pid in performer_ids for day in days
    }


def _place(columns: list[CalendarColumn], entries: list[CalendarEntry], key) -> None:
    """Put each entry into the columns `key(column)` says it belongs to, day by day."""
    for column in columns:
        column.entries = sorted(
            (e.on(column.day) for e in entries if key(column, e) and _touches(e, column.day)),
            key=lambda d: d.sort_key,
        )


def _touches(entry: CalendarEntry, day: dt.date) -> bool:
    day_start = dt.datetime.combine(day, dt.time(0))
    return entry.starts < day_start + dt.timedelta(days=1) and entry.ends > day_start


def week_columns(
    *,
    business: Business,
    performer: Performer | None,
    days: list[dt.date],
    now: dt.datetime,
    show_cancelled: bool = False,
) -> list[CalendarColumn]:
    """The week view: a column per day, for one performer (with her hours) or everyone."""
    ids = [performer.pk] if performer else None
    entries = calendar_entries(
        business=business,
        performer_ids=ids,
        start=days[0],
        end=days[-1],
        now=now,
        show_cancelled=show_cancelled,
    )
    hours = working_hours(business=business, performer_ids=ids, days=days) if ids else {}
    columns = [
        CalendarColumn(
            day=day,
            heading=f"{day:%a} {day.day} {day:%b}",
            hours=hours.get((performer.pk, day)) if performer else None,
        )
        for day in days
    ]
    _place(columns, entries, lambda column, entry: True)
    return columns


def day_columns(
    *,
    business: Business,
    performers: list[Performer],
    day: dt.date,
    now: dt.datetime,
    show_cancelled: bool = False,
) -> tuple[list[CalendarColumn], list[DayEntry]]:
    """The day view: a column per performer with her hours, plus what belongs to no one
    (closures and runs without an instructor) shown above them."""
    ids = [p.pk for p in performers]
    entries = calendar_entries(
        business=business,
        performer_ids=None,
        start=day,
        end=day,
        now=now,
        show_cancelled=show_cancelled,
    )
    hours = working_hours(business=business, performer_ids=ids, days=[day])
    columns = [
        CalendarColumn(day=day, heading=p.name, hours=hours[(p.pk, day)], performer_id=p.pk)
        for p in performers
    ]
    _place(columns, entries, lambda column, entry: entry.performer_id == column.performer_id)
    shared = sorted(
        (e.on(day) for e in entries if e.performer_id not in ids and _touches(e, day)),
        key=lambda d: d.sort_key,
    )
    return columns, shared
