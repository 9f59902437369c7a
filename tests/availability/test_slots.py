"""A2, A4, A6 arithmetic without a database: wall-clock hours, the grid, buffers, DST."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from rezerva.availability.slots import BusyTimes, SlotRules, Span, candidate_starts, free_starts

WARSAW = ZoneInfo("Europe/Warsaw")
NEW_YORK = ZoneInfo("America/New_York")
T = dt.time.fromisoformat
MIN = dt.timedelta(minutes=1)


def _rules(duration=60, step=None, **extra) -> SlotRules:
    return SlotRules(duration=duration * MIN, step=(step or duration) * MIN, **extra)


def _local(starts, zone):
    return [s.astimezone(zone).strftime("%H:%M") for s in starts]


def test_a2_weekly_hours_with_a_break_open_starts_on_the_grid_that_fit():
    day = dt.date(2026, 3, 9)
    starts = candidate_starts(
        day, [(T("09:00"), T("12:00")), (T("13:00"), T("15:30"))], _rules(45, 30), WARSAW
    )
    assert _local(starts, WARSAW) == [
        "09:00", "09:30", "10:00", "10:30", "11:00",  # 11:30 + 45 min passes noon
        "13:00", "13:30", "14:00", "14:30",
    ]  # fmt: skip


def test_a2_dst_spring_forward_gap_start_is_never_offered_in_warsaw():
    sunday = dt.date(2026, 3, 29)  # 02:00 -> 03:00
    starts = candidate_starts(sunday, [(T("01:00"), T("05:00"))], _rules(30), WARSAW)
    assert _local(starts, WARSAW) == ["01:00", "01:30", "03:00", "03:30", "04:00", "04:30"]
    # 01:30 + 30 min ends at 03:00 local (02:00 UTC): real time, still inside the hours.


def test_a2_dst_autumn_repeated_hour_is_offered_once_as_its_first_occurrence_in_warsaw():
    sunday = dt.date(2026, 10, 25)  # 03:00 -> 02:00
    starts = candidate_starts(sunday, [(T("01:00"), T("04:00"))], _rules(60), WARSAW)
    assert _local(starts, WARSAW) == ["01:00", "02:00", "03:00"]
    assert starts[1].utcoffset() == dt.timedelta(0)  # 02:00 CEST = 00:00 UTC (first occurrence)
    assert starts[1] == dt.datetime(2026, 10, 25, 0, 0, tzinfo=dt.UTC)


def test_a2_dst_both_changes_of_a_us_zone_keep_the_wall_clock():
    spring = candidate_starts(dt.date(2026, 3, 8), [(T("01:00"), T("04:00"))], _rules(60), NEW_YORK)
    autumn = candidate_starts(
        dt.date(2026, 11, 1), [(T("01:00"), T("03:00"))], _rules(60), NEW_YORK
    )
    assert _local(spring, NEW_YORK) == ["01:00", "03:00"]  # 02:00 does not exist
    assert _local(autumn, NEW_YORK) == ["01:00", "02:00"]
    assert autumn[0] == dt.datetime(2026, 11, 1, 5, 0, tzinfo=dt.UTC)  # 01:00 EDT, first one
    normal = candidate_starts(dt.date(2026, 3, 9), [(T("09:00"), T("10:00"))], _rules(60), NEW_YORK)
    assert normal[0] == dt.datetime(2026, 3, 9, 13, 0, tzinfo=dt.UTC)  # 09:00 EDT


def test_a4_buffers_block_around_a_busy_appointment_but_never_shift_the_grid():
    day = dt.date(2026, 3, 9)
    rules = _rules(
        60, 30, buffer_before=15 * MIN, buffer_after=15 * MIN, min_notice=dt.timedelta(0)
    )
    taken = dt.datetime(2026, 3, 9, 11, 0, tzinfo=WARSAW)  # an appointment 11:00-12:00
    busy = BusyTimes([Span(taken, taken + 60 * MIN)])
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    starts = free_starts(
        days=[(day, [(T("09:00"), T("14:00"))], 0)], rules=rules, busy=busy, zone=WARSAW, now=now
    )
    # 09:30 ends 10:30, its 15-min buffer reaches 10:45 (free); 10:00 ends 11:00 + buffer: busy.
    assert _local(starts, WARSAW) == ["09:00", "09:30", "12:30", "13:00"]


def test_a4_notice_horizon_and_daily_cap_remove_starts():
    now = dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC)  # 09:00 in Warsaw
    hours = [(T("09:00"), T("12:00"))]
    rules = _rules(60, min_notice=2 * 60 * MIN, horizon_days=1, daily_cap=2)
    days = [
        (dt.date(2026, 3, 9), hours, 0),
        (dt.date(2026, 3, 10), hours, 2),
        (dt.date(2026, 3, 11), hours, 0),
    ]
    starts = free_starts(days=days, rules=rules, busy=BusyTimes([]), zone=WARSAW, now=now)
    assert [s.astimezone(WARSAW).strftime("%d %H:%M") for s in starts] == ["09 11:00"]


def test_busy_times_touching_ends_do_not_overlap():
    a = dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)
    busy = BusyTimes([Span(a, a + 60 * MIN)])
    assert not busy.overlaps(Span(a + 60 * MIN, a + 120 * MIN))
    assert not busy.overlaps(Span(a - 60 * MIN, a))
    assert busy.overlaps(Span(a + 59 * MIN, a + 61 * MIN))


@given(
    spans=st.lists(
        st.tuples(st.integers(0, 1000), st.integers(1, 120)).map(lambda t: (t[0], t[0] + t[1])),
        max_size=30,
    ),
    starts=st.lists(st.integers(0, 1100), max_size=60).map(sorted),
    before=st.integers(0, 30),
    after=st.integers(1, 90),
)
def test_a5_the_walk_through_busy_times_agrees_with_asking_one_start_at_a_time(
    spans, starts, before, after
):
    busy = BusyTimes([(float(a), float(b)) for a, b in spans])
    walked = busy.clear_of([float(s) for s in starts], before, after)
    asked = [float(s) for s in starts if not busy.overlaps_seconds(s - before, s + after)]
    assert walked == asked
