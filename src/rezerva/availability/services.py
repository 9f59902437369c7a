"""Writes for availability: weekly hours, date overrides, time off and closures (A2, A3).

Hours already booked are not touched: an appointment stays where it is when the hours around it
change (the owner moves or cancels it if she must); only new slots follow the new hours.
"""

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction

from rezerva.availability.models import DateOverride, TimeOff, WeeklyHours
from rezerva.catalog.models import Performer
from rezerva.core.errors import NotFound, ValidationFailed
from rezerva.tenancy.models import Business
from rezerva.tenancy.services import log_activity

Interval = tuple[dt.time, dt.time]
MAX_TIME_OFF = dt.timedelta(days=366)


def _performer(business: Business, performer_id: int | None) -> Performer | None:
    """The business's performer, None for the business default; another business's id: 404."""
    if performer_id is None:
        return None
    performer = Performer.objects.filter(business=business, pk=performer_id).first()
    if performer is None:
        raise NotFound("This team member does not exist.")
    return performer


def clean_intervals(intervals: Sequence[Interval], field: str) -> list[Interval]:
    """A day's intervals: each ends after it starts, none overlap; sorted."""
    ordered = sorted(intervals)
    for i, (starts, ends) in enumerate(ordered):
        if ends <= starts:
            raise ValidationFailed({field: f"{starts:%H:%M}-{ends:%H:%M}: the end must be later."})
        if i and starts < ordered[i - 1][1]:
            raise ValidationFailed({field: "Two intervals overlap; join them or move one."})
    return ordered


def set_weekly_hours(
    *,
    business: Business,
    actor,
    performer_id: int | None,
    week: Mapping[int, Sequence[Interval]],
) -> list[WeeklyHours]:
    """A2: replace a performer's (or the business default) week; a weekday left out or empty is
    closed. Saving a performer's week gives her hours of her own (no longer the default), even
    when every day is closed."""
    performer = _performer(business, performer_id)
    cleaned = {}
    for weekday, intervals in week.items():
        if weekday not in range(7):
            raise ValidationFailed({"weekday": "Weekdays are 0 (Monday) to 6 (Sunday)."})
        cleaned[weekday] = clean_intervals(intervals, f"day_{weekday}")
    with transaction.atomic():
        WeeklyHours.objects.filter(business=business, performer=performer).delete()
        if performer is not None:
            Performer.objects.filter(pk=performer.pk).update(has_own_hours=True)
        rows = WeeklyHours.objects.bulk_create(
            WeeklyHours(business=business, performer=performer, weekday=d, starts=s, ends=e)
            for d, intervals in sorted(cleaned.items())
            for s, e in intervals
        )
        log_activity(
            business=business,
            actor=actor,
            action="availability.weekly_hours",
            target=performer_id or "default",
            intervals=len(rows),
        )
    return rows


def follow_default_hours(*, business: Business, actor, performer_id: int) -> None:
    """A performer drops her own weekly hours and follows the business default again."""
    performer = _performer(business, performer_id)
    with transaction.atomic():
        WeeklyHours.objects.filter(business=business, performer=performer).delete()
        Performer.objects.filter(pk=performer.pk).update(has_own_hours=False)
        log_activity(
            business=business,
            actor=actor,
            action="availability.follow_default",
            target=performer_id,
        )


def set_date_override(
    *,
    business: Business,
    actor,
    performer_id: int | None,
    date: dt.date,
    intervals: Sequence[Interval],
) -> list[DateOverride]:
    """A3: a date with its own hours; no intervals means closed that day."""
    performer = _performer(business, performer_id)
    cleaned = clean_intervals(intervals, "intervals")
    with transaction.atomic():
        DateOverride.objects.filter(business=business, performer=performer, date=date).delete()
        rows = (
            [DateOverride(business=business, performer=performer, date=date)]
            if not cleaned
            else [
                DateOverride(business=business, performer=performer, date=date, starts=s, ends=e)
                for s, e in cleaned
            ]
        )
        DateOverride.objects.bulk_create(rows)
        log_activity(
            business=business,
            actor=actor,
            action="availability.date_override",
            target=performer_id or "default",
            date=date.isoformat(),
            closed=not cleaned,
        )
    return rows


def clear_date_override(
    *, business: Business, actor, performer_id: int | None, date: dt.date
) -> int:
    """The date follows the weekly hours again."""
    performer = _performer(business, performer_id)
    with transaction.atomic():
        removed, _ = DateOverride.objects.filter(
            business=business, performer=performer, date=date
        ).delete()
        log_activity(
            business=business,
            actor=actor,
            action="availability.override_cleared",
            target=performer_id or "default",
            date=date.isoformat(),
        )
    return removed


def add_time_off(
    *,
    business: Business,
    actor,
    performer_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str = "",
) -> TimeOff:
    """A3/A9: block a performer (time off, blocked time) or, without one, close the business.
    Appointments already inside stay; the owner sees them on the calendar."""
    performer = _performer(business, performer_id)
    if ends_at <= starts_at:
        raise ValidationFailed({"ends_at": "The end must be after the start."})
    if ends_at - starts_at > MAX_TIME_OFF:
        raise ValidationFailed({"ends_at": "Block at most a year at a time."})
    with transaction.atomic():
        row = TimeOff.objects.create(
            business=business,
            performer=performer,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason.strip()[:200],
        )
        log_activity(
            business=business,
            actor=actor,
            action="availability.time_off" if performer else "availability.closure",
            target=row.pk,
        )
    return row


def remove_time_off(*, business: Business, actor, time_off_id: int) -> None:
    """Delete time off or a closure of this business (another business's id: 404)."""
    with transaction.atomic():
        removed, _ = TimeOff.objects.filter(business=business, pk=time_off_id).delete()
        if not removed:
            raise NotFound("This time off does not exist.")
        log_activity(
            business=business,
            actor=actor,
            action="availability.time_off_removed",
            target=time_off_id,
        )
