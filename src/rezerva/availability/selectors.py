"""Reads for one-to-one availability: who offers a service, their hours, and the slot search.

`open_slots` is the one slot function (A6): the guest's list, the owner's list and placing an
appointment all call it (booking supplies the appointments, which it owns). It reads a fixed
number of queries whatever the number of performers, days or appointments.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import DateField, Exists, IntegerField, OuterRef, Q, Value

from rezerva.availability.errors import PerformerNotFound, RangeTooLong
from rezerva.availability.models import DateOverride, TimeOff, WeeklyHours
from rezerva.availability.slots import BusyTimes, Seconds, SlotRules, Span, free_starts
from rezerva.catalog.models import Performer, Service
from rezerva.core.errors import ValidationFailed
from rezerva.core.expressions import Epoch, fetch_rows
from rezerva.core.timezones import local_date_bounds
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import Business

MAX_RANGE_DAYS = 62


class AppointmentBlock(NamedTuple):
    """An active appointment as availability needs it: who, what it blocks (epoch seconds,
    buffers included), of which service, on which local day (booking.selectors builds these;
    service and day are None when the caller needs no daily cap, and then a plain tuple of
    this shape may stand in for it: read blocks by position)."""

    performer_id: int
    starts: float
    ends: float
    service_id: int | None
    local_day: dt.date | None

    @property
    def span(self) -> Span:
        return Span(
            dt.datetime.fromtimestamp(self.starts, dt.UTC),
            dt.datetime.fromtimestamp(self.ends, dt.UTC),
        )


@dataclass
class OpenSlots:
    """Free starts per performer; `starts()` is the "any available" list."""

    by_performer: dict[int, list[dt.datetime]] = field(default_factory=dict)
    _by_start: dict[dt.datetime, list[int]] | None = field(default=None, repr=False)

    def performers_by_start(self) -> dict[dt.datetime, list[int]]:
        """{start: performers free then (lowest id first)}, soonest first; built once."""
        if self._by_start is None:
            by_start: dict[dt.datetime, list[int]] = defaultdict(list)
            for performer_id in sorted(self.by_performer):
                for start in self.by_performer[performer_id]:
                    by_start[start].append(performer_id)
            self._by_start = dict(sorted(by_start.items()))
        return self._by_start

    def starts(self) -> list[dt.datetime]:
        return list(self.performers_by_start())

    def performers_at(self, start: dt.datetime) -> list[int]:
        return self.performers_by_start().get(start, [])

    def days(self, zone: ZoneInfo) -> list[dt.date]:
        """The local days with at least one free start (the month view's marks)."""
        return sorted({s.astimezone(zone).date() for s in self.starts()})


def rules_of(service: Service) -> SlotRules:
    """A service's A4 settings as slot rules."""
    return SlotRules(
        duration=dt.timedelta(minutes=service.duration_minutes),
        step=dt.timedelta(minutes=service.slot_interval),
        buffer_before=dt.timedelta(minutes=service.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=service.buffer_after_minutes),
        min_notice=dt.timedelta(minutes=service.min_notice_minutes),
        horizon_days=service.horizon_days,
        daily_cap=service.daily_cap,
    )


def performers_for(*, business: Business, service: Service) -> list[Performer]:
    """Active performers offering a service (none chosen: every active one), lowest id first;
    one query (each performer carries whether she was chosen)."""
    chosen = Service.performers.through.objects.filter(service_id=service.pk)
    active = list(
        Performer.objects.filter(business=business, is_active=True)
        .annotate(
            offers=Exists(chosen.filter(performer_id=OuterRef("pk"))),
            anyone_chosen=Exists(chosen),
        )
        .order_by("pk")
    )
    if active and active[0].anyone_chosen:
        return [p for p in active if p.offers]
    return active


def check_range(start: dt.date, end: dt.date) -> None:
    """A date range a guest or owner may ask about: in order and at most MAX_RANGE_DAYS."""
    if end < start:
        raise ValidationFailed({"end": "The end date is before the start date."})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise RangeTooLong(f"Ask for at most {MAX_RANGE_DAYS} days at a time.")


def hours_by_day(
    business: Business,
    performer_ids: list[int],
    start: dt.date,
    end: dt.date,
    own_hours: set[int] = frozenset(),
) -> tuple[dict, dict]:
    """Weekly hours {performer or None: {weekday: [(starts, ends)]}} and date overrides
    {performer or None: {date: [(starts, ends)] (empty: closed)}}: one query. `own_hours`:
    performers with a week of their own (even every day closed); read them with hours_on."""
    weekly: dict = defaultdict(lambda: defaultdict(list))
    for performer_id in own_hours:  # her own week, even with every day closed
        weekly[performer_id] = defaultdict(list)
    of_them = Q(performer__isnull=True) | Q(performer_id__in=performer_ids)
    week_rows = WeeklyHours.objects.filter(of_them, business=business).values_list(
        "performer_id", "weekday", Value(None, output_field=DateField()), "starts", "ends"
    )
    date_rows = DateOverride.objects.filter(
        of_them, business=business, date__range=(start, end)
    ).values_list(
        "performer_id", Value(None, output_field=IntegerField()), "date", "starts", "ends"
    )
    overrides: dict = defaultdict(lambda: defaultdict(list))
    # One round trip for both; intervals in order of their start (a closed day has none).
    rows = week_rows.order_by().union(date_rows.order_by(), all=True)
    for performer_id, weekday, date, starts, ends in sorted(
        rows, key=lambda row: row[3] or dt.time.min
    ):
        if date is None:
            weekly[performer_id][weekday].append((starts, ends))
            continue
        hours = overrides[performer_id][date]
        if starts is not None:  # a row without times closes the day
            hours.append((starts, ends))
    return weekly, overrides


def hours_on(performer_id: int, day: dt.date, weekly: dict, overrides: dict) -> list:
    """A2/A3: a performer's own override, else her weekly hours; a performer without weekly
    hours of her own follows the business default (its overrides included)."""
    if day in overrides.get(performer_id, {}):
        return overrides[performer_id][day]
    if performer_id in weekly:
        return weekly[performer_id].get(day.weekday(), [])
    if day in overrides.get(None, {}):
        return overrides[None][day]
    return weekly.get(None, {}).get(day.weekday(), [])


def busy_spans(
    business: Business, performer_ids: list[int], window: Span, *, with_time_off: bool = True
) -> dict[int | None, list[Seconds]]:
    """The group runs each performer leads, widened by their service's buffers, and (unless
    `with_time_off` is False, as for the owner's own bookings) her time off and the business's
    closures (key None), as epoch seconds: one query."""
    spans: dict[int | None, list[Seconds]] = defaultdict(list)
    time_off = TimeOff.objects.filter(
        Q(performer__isnull=True) | Q(performer_id__in=performer_ids),
        business=business,
        starts_at__lt=window.end,
        ends_at__gt=window.start,
    ).values_list(
        "performer_id",
        Epoch("starts_at"),
        Epoch("ends_at"),
        Value(0, output_field=IntegerField()),
        Value(0, output_field=IntegerField()),
    )
    runs = Session.objects.filter(
        business=business,
        performer_id__in=performer_ids,
        service__kind=Service.Kind.GROUP,
        cancelled_at__isnull=True,
        starts_at__lt=window.end,
        ends_at__gt=window.start,
    ).values_list(
        "performer_id",
        Epoch("starts_at"),
        Epoch("ends_at"),
        "service__buffer_before_minutes",
        "service__buffer_after_minutes",
    )
    # One round trip for both (time off has no buffers).
    rows = time_off.order_by().union(runs.order_by(), all=True) if with_time_off else runs
    for performer_id, starts, ends, before, after in fetch_rows(rows):
        spans[performer_id].append((starts - 60 * before, ends + 60 * after))
    return spans


def search_window(business: Business, start: dt.date, end: dt.date) -> Span:
    """The UTC stretch whose busy times can touch slots on these local days (a day of margin
    covers any buffer)."""
    first, _ = local_date_bounds(start - dt.timedelta(days=1), business.timezone)
    _, last = local_date_bounds(end + dt.timedelta(days=1), business.timezone)
    return Span(first, last)


def open_slots(
    *,
    business: Business,
    service: Service,
    performer_id: int | None,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    appointments: Iterable[AppointmentBlock],
    performers: list[Performer] | None = None,
) -> OpenSlots:
    """A6: free starts of a one-to-one service per performer (one or "any") on local days
    `start`..`end`, from hours, overrides, time off, closures, her group runs and the active
    appointments given (confirmed, or pending with a live hold)."""
    check_range(start, end)
    performers = (
        performers if performers is not None else performers_for(business=business, service=service)
    )
    ids = [p.pk for p in performers]
    if performer_id is not None:
        if performer_id not in ids:
            raise PerformerNotFound()
        ids = [performer_id]
    zone = ZoneInfo(business.timezone)
    rules = rules_of(service)
    own_hours = {p.pk for p in performers if p.has_own_hours}
    weekly, overrides = hours_by_day(business, ids, start, end, own_hours)
    busy = busy_spans(business, ids, search_window(business, start, end))
    booked_per_day: dict[tuple[int, dt.date], int] = defaultdict(int)
    service_pk = service.pk
    for block in appointments:
        # Unpacked by position: a block may be the driver's plain row of the same shape.
        performer_id, starts, ends, service_id, local_day = block
        busy[performer_id].append((starts, ends))
        if service_id == service_pk:
            booked_per_day[(performer_id, local_day)] += 1
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    result = OpenSlots()
    memo: dict = {}  # one grid per day and hours, shared by performers who share them
    for pid in ids:
        result.by_performer[pid] = free_starts(
            days=[
                (day, hours_on(pid, day, weekly, overrides), booked_per_day[(pid, day)])
                for day in days
            ],
            rules=rules,
            busy=BusyTimes([*busy[pid], *busy[None]]),
            zone=zone,
            now=now,
            memo=memo,
        )
    return result
