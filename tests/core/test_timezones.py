import datetime as dt

import pytest

from rezerva.core.timezones import NonexistentLocalTime, to_business_time, wall_time_to_utc


@pytest.mark.parametrize(
    ("_case", "local", "expected_utc"),
    [
        ("winter time is UTC+1", dt.datetime(2026, 3, 23, 18), dt.datetime(2026, 3, 23, 17)),
        ("summer time is UTC+2", dt.datetime(2026, 3, 30, 18), dt.datetime(2026, 3, 30, 16)),
        (
            "repeated hour means the first one",
            dt.datetime(2026, 10, 25, 2, 30),
            dt.datetime(2026, 10, 25, 0, 30),
        ),
    ],
)
def test_wall_time_in_warsaw_is_stored_in_utc_with_the_right_offset(_case, local, expected_utc):
    stored = wall_time_to_utc(local, "Europe/Warsaw")
    assert stored == expected_utc.replace(tzinfo=dt.UTC)
    assert to_business_time(stored, "Europe/Warsaw").replace(tzinfo=None) == local


def test_a_local_time_inside_the_spring_gap_is_refused_with_a_clear_message():
    with pytest.raises(NonexistentLocalTime, match="does not exist in Europe/Warsaw"):
        wall_time_to_utc(dt.datetime(2026, 3, 29, 2, 30), "Europe/Warsaw")
