"""Slot arithmetic for one-to-one services (A2-A6): pure functions, no database.

Hours are wall-clock intervals in the business zone; candidate starts step through them in wall
time every slot interval, and each is turned into UTC by the README's DST rule: a start in the
spring-forward gap does not exist and is never offered, a start in the repeated autumn hour
means its first occurrence. Everything after that (notice, horizon, busy times, buffers) is
compared in UTC. `selectors.open_slots` feeds these functions from the database.
"""

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

UTC = dt.UTC


class Span(NamedTuple):
    """A half-open stretch of time [start, end) in UTC (a tuple: cheap to build by the
    thousand, ordered by start)."""

    start: dt.datetime
    end: dt.datetime

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class SlotRules:
    """A service's A4 settings as durations."""

    duration: dt.timedelta
    step: dt.timedelta
    buffer_before: dt.timedelta = dt.timedelta(0)
    buffer_after: dt.timedelta = dt.timedelta(0)
    min_notice: dt.timedelta = dt.timedelta(hours=2)
    horizon_days: int = 60
    daily_cap: int | None = None

    def blocks(self, start: dt.datetime) -> Span:
        """What an appointment starting at `start` keeps the performer from: buffers included."""
        return Span(start - self.buffer_before, start + self.duration + self.buffer_after)


Hours = Sequence[tuple[dt.time, dt.time]]


def local_to_utc(day: dt.date, wall: dt.time, zone: ZoneInfo) -> dt.datetime | None:
    """The UTC moment of a wall time on a day; None in the spring-forward gap; fold: first."""
    naive = dt.datetime.combine(day, wall)
    moment = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return moment


def _end_to_utc(day: dt.date, wall: dt.time, zone: ZoneInfo) -> dt.datetime:
    """An interval's end: a gap time is read as the wall clock jumps (it still closes the day)."""
    return dt.datetime.combine(day, wall).replace(tzinfo=zone, fold=0).astimezone(UTC)


def candidate_seconds(day: dt.date, hours: Hours, rules: SlotRules, zone: ZoneInfo) -> list:
    """Every start on `day` (as epoch seconds) stepping through each working interval in wall
    time, whose whole appointment (not its buffers) fits before the interval ends."""
    step = rules.step.total_seconds()
    length = rules.duration.total_seconds()
    starts: list[float] = []
    for opens, closes in hours:
        close = _end_to_utc(day, closes, zone)
        open_utc = local_to_utc(day, opens, zone)
        if (
            open_utc is not None
            and open_utc.astimezone(zone).utcoffset() == close.astimezone(zone).utcoffset()
        ):
            # No clock change inside the interval (the usual day): wall steps are UTC steps.
            at, last = open_utc.timestamp(), close.timestamp() - length
            while at <= last:
                starts.append(at)
                at += step
            continue
        wall = dt.datetime.combine(day, opens)
        last_wall = dt.datetime.combine(day, closes)
        while wall < last_wall:
            start = local_to_utc(day, wall.time(), zone) if wall.date() == day else None
            if start is not None and start + rules.duration <= close:
                starts.append(start.timestamp())
            wall += rules.step
    return sorted(set(starts))


def candidate_starts(day: dt.date, hours: Hours, rules: SlotRules, zone: ZoneInfo) -> list:
    """`candidate_seconds` as UTC datetimes."""
    return [dt.datetime.fromtimestamp(at, UTC) for at in candidate_seconds(day, hours, rules, zone)]


Seconds = tuple[float, float]  # a stretch of time as epoch seconds [start, end)


class BusyTimes:
    """A performer's busy stretches, merged and sorted as epoch seconds, answering "does this
    stretch overlap any?" by bisection (numbers compare several times faster than aware
    datetimes, and the search asks thousands of times). Takes Spans or (start, end) seconds."""

    def __init__(self, spans: Iterable[Span | Seconds]):
        starts: list[float] = []
        ends: list[float] = []
        for start, end in sorted(map(_seconds, spans)):
            if ends and start <= ends[-1]:
                if end > ends[-1]:
                    ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        self._starts, self._ends = starts, ends

    def overlaps_seconds(self, start: float, end: float) -> bool:
        """True when [start, end) overlaps a busy span (touching ends do not overlap)."""
        i = bisect.bisect_left(self._starts, end)
        return i > 0 and self._ends[i - 1] > start

    def clear_of(self, starts: list[float], before: float, after: float) -> list[float]:
        """The ascending `starts` whose stretch [start - before, start + after) overlaps no
        busy span: one walk through both sorted lists instead of a search per start."""
        busy_starts, busy_ends, n = self._starts, self._ends, len(self._starts)
        i, clear = 0, []
        for at in starts:
            low, high = at - before, at + after
            while i < n and busy_ends[i] <= low:
                i += 1
            if i == n or busy_starts[i] >= high:
                clear.append(at)
        return clear

    def overlaps(self, span: Span) -> bool:
        """True when `span` overlaps a busy span."""
        return self.overlaps_seconds(span.start.timestamp(), span.end.timestamp())


def _seconds(span: Span | Seconds) -> Seconds:
    if isinstance(span[0], dt.datetime):
        return span[0].timestamp(), span[1].timestamp()
    return span


def free_starts(
    *,
    days: Iterable[tuple[dt.date, Hours, int]],
    rules: SlotRules,
    busy: BusyTimes,
    zone: ZoneInfo,
    now: dt.datetime,
    memo: dict | None = None,
) -> list[dt.datetime]:
    """A6: the starts a guest may book, from (day, working hours, appointments already that day)
    triples: on the grid, after the minimum notice, within the horizon, under the daily cap, and
    with the appointment and its buffers clear of every busy span. Pass one `memo` to the calls
    of one search: performers who share hours share their grid and their start datetimes."""
    memo = {} if memo is None else memo
    earliest = (now + rules.min_notice).timestamp()
    last_day = now.astimezone(zone).date() + dt.timedelta(days=rules.horizon_days)
    before = rules.buffer_before.total_seconds()
    after = (rules.duration + rules.buffer_after).total_seconds()
    free: list[dt.datetime] = []
    for day, hours, booked_that_day in days:
        if day > last_day or (rules.daily_cap is not None and booked_that_day >= rules.daily_cap):
            continue
        key = (day, tuple(hours))
        grid = memo.get(key)
        if grid is None:
            grid = memo[key] = [
                at for at in candidate_seconds(day, hours, rules, zone) if at >= earliest
            ]
        for at in busy.clear_of(grid, before, after):
            start = memo.get(at)
            if start is None:
                start = memo[at] = dt.datetime.fromtimestamp(at, UTC)
            free.append(start)
    return free
