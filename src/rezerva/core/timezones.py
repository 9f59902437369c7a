"""Wall time in a business timezone <-> UTC, with an explicit DST policy.

Policy: a local time that does not exist (spring-forward gap) is rejected with a clear error;
a local time that happens twice (autumn fold) means its first occurrence.
"""

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

from rezerva.core.errors import DomainError

UTC = dt.UTC


class NonexistentLocalTime(DomainError):
    """This local time does not exist because the clocks jump forward (daylight saving)."""

    code = "nonexistent_local_time"


def is_valid_timezone(name: str) -> bool:
    """True for an IANA zone name that zoneinfo knows."""
    return name in _zone_names()


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


_ZONES: frozenset[str] | None = None


def wall_time_to_utc(local: dt.datetime, tz_name: str) -> dt.datetime:
    """Attach the business zone to a naive wall time and return UTC (gap: error, fold: first)."""
    if local.tzinfo is not None:
        raise ValueError("wall_time_to_utc expects a naive local datetime")
    zone = ZoneInfo(tz_name)
    aware = local.replace(tzinfo=zone, fold=0)
    as_utc = aware.astimezone(UTC)
    # A time in the gap does not survive the round trip back to local wall time.
    if as_utc.astimezone(zone).replace(tzinfo=None) != local:
        raise NonexistentLocalTime(
            f"{local:%Y-%m-%d %H:%M} does not exist in {tz_name}: the clocks jump forward. "
            "Pick a time outside the change."
        )
    return as_utc


def to_business_time(moment: dt.datetime, tz_name: str) -> dt.datetime:
    """An aware moment shown in the business zone."""
    return moment.astimezone(ZoneInfo(tz_name))


def local_date_bounds(day: dt.date, tz_name: str) -> tuple[dt.datetime, dt.datetime]:
    """UTC start and end of a calendar day in the business zone."""
    zone = ZoneInfo(tz_name)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
