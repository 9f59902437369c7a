"""booking.services.update_run: G3 on edits (seats taken, cancelled runs, past starts)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rezerva.booking import services
from rezerva.booking.models import Booking, BookingStatus
from rezerva.booking.services import cancel_session
from rezerva.core.errors import ValidationFailed
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import ActivityLog
from tests import builders

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def run(business, now):
    service = builders.make_group_service(business, now=now)
    return builders.make_session(
        service, starts_local=dt.datetime(2026, 3, 23, 18), capacity=5, now=now
    )


def _book(run, *, status=BookingStatus.CONFIRMED, email="guest@example.test", **extra):
    return Booking.objects.create(
        business=run.business,
        session=run,
        kind=Booking.Kind.SINGLE,
        status=status,
        guest_name="Guest",
        guest_email=email,
        currency="PLN",
        price_type="on_site",
        **extra,
    )


def _update(run, data, now):
    return services.update_run(
        session=run, actor=builders.owner_of(run.business), run=data, now=now
    )


def _row(run):
    return Session.objects.filter(pk=run.pk).values().get()


def test_moving_a_run_across_the_dst_change_keeps_the_wall_time(run, now):
    saved = _update(
        run,
        builders.run_edit(
            run,
            starts_local=dt.datetime(2026, 3, 30, 18),
            ends_local=dt.datetime(2026, 3, 30, 19, 30),
            title="Lesson 2",
            capacity=7,
        ),
        now,
    )

    run.refresh_from_db()
    assert run.starts_at == dt.datetime(2026, 3, 30, 16, tzinfo=dt.UTC)
    assert run.ends_at == dt.datetime(2026, 3, 30, 17, 30, tzinfo=dt.UTC)
    assert (run.title, run.capacity) == ("Lesson 2", 7)
    assert saved.warnings == []
    log = ActivityLog.objects.get(action="session.updated")
    assert log.data == {"time_changed": True, "place_changed": False}


def test_g3_capacity_cannot_drop_below_the_seats_already_taken(run, now):
    _book(run, email="a@example.test")
    _book(run, email="b@example.test")
    _book(
        run,
        status=BookingStatus.PENDING,
        email="c@example.test",
        hold_expires_at=now + dt.timedelta(minutes=10),
    )
    before = _row(run)

    with pytest.raises(ValidationFailed) as caught:
        _update(run, builders.run_edit(run, capacity=2), now)

    assert caught.value.errors == {
        "capacity": "3 seats are already taken; capacity cannot be lower than that."
    }
    assert _row(run) == before
    assert not ActivityLog.objects.filter(action="session.updated").exists()


def test_g3_capacity_may_drop_to_exactly_the_seats_taken(run, now):
    _book(run, email="a@example.test")
    _book(run, email="b@example.test")
    # Neither a cancelled booking nor a lapsed hold takes a seat.
    _book(run, status=BookingStatus.CANCELLED, email="c@example.test")
    _book(
        run,
        status=BookingStatus.PENDING,
        email="d@example.test",
        hold_expires_at=now - dt.timedelta(minutes=1),
    )

    _update(run, builders.run_edit(run, capacity=2), now)

    run.refresh_from_db()
    assert run.capacity == 2


@pytest.mark.parametrize(
    ("_case", "changes", "errors"),
    [
        (
            "end before start",
            {"ends_local": dt.datetime(2026, 3, 23, 17)},
            {"ends_at": "The end must be after the start."},
        ),
        ("capacity 0", {"capacity": 0}, {"capacity": "Capacity must be at least 1."}),
        (
            "meeting url not http(s)",
            {"mode": "online", "meeting_url": "javascript:alert(1)"},
            {"meeting_url": "Enter a meeting link that starts with http:// or https://."},
        ),
        (
            "moved into the past",
            {
                "starts_local": dt.datetime(2026, 3, 1, 18),
                "ends_local": dt.datetime(2026, 3, 1, 19),
            },
            {"starts_at": "The start is in the past; choose a future date and time."},
        ),
        (
            "moved into the spring gap",
            {
                "starts_local": dt.datetime(2026, 3, 29, 2, 30),
                "ends_local": dt.datetime(2026, 3, 29, 4),
            },
            {
                "starts_at": "2026-03-29 02:30 does not exist in Europe/Warsaw: the clocks jump "
                "forward. Pick a time outside the change."
            },
        ),
    ],
)
def test_g3_an_invalid_edit_is_a_field_error_and_the_run_is_unchanged(
    run, now, _case, changes, errors
):
    before = _row(run)

    with pytest.raises(ValidationFailed) as caught:
        _update(run, builders.run_edit(run, **changes), now)

    assert caught.value.errors == errors
    assert _row(run) == before
    assert not ActivityLog.objects.filter(action="session.updated").exists()


def test_g3_an_online_run_within_48_hours_cannot_lose_its_meeting_link(business, now):
    service = builders.make_group_service(business, now=now)
    soon = builders.make_session(
        service, days_ahead=1, mode=Session.Mode.ONLINE, capacity=5, now=now
    )
    before = _row(soon)

    with pytest.raises(ValidationFailed) as caught:
        _update(soon, builders.run_edit(soon, meeting_url=""), now)

    assert caught.value.errors == {
        "meeting_url": "An online session starting within 48 hours needs a meeting link."
    }
    assert _row(soon) == before


def test_g3_an_in_person_run_far_ahead_may_lose_its_address_with_a_warning(run, now):
    saved = _update(run, builders.run_edit(run, address=""), now)

    run.refresh_from_db()
    assert run.address == ""
    assert saved.warnings == ["Add the address before the session starts."]
    assert ActivityLog.objects.get(action="session.updated").data == {
        "time_changed": False,
        "place_changed": True,
    }


def test_g3_editing_a_cancelled_run_is_refused(run, now):
    cancel_session(session=run, actor=builders.owner_of(run.business), reason="ill", now=now)
    run.refresh_from_db()
    before = _row(run)

    with pytest.raises(ValidationFailed) as caught:
        _update(run, builders.run_edit(run, capacity=9, title="Back on"), now)

    assert caught.value.errors == {"__all__": "This session is cancelled and cannot be edited."}
    assert _row(run) == before
    assert not ActivityLog.objects.filter(action="session.updated").exists()


def test_a_run_that_already_started_can_have_its_title_fixed_without_moving_it(run, now):
    later = dt.datetime(2026, 3, 23, 17, 30, tzinfo=dt.UTC)  # 30 minutes into the run

    _update(run, builders.run_edit(run, title="Lesson 1 - syntax"), later)

    run.refresh_from_db()
    assert run.title == "Lesson 1 - syntax"
    assert run.starts_at == dt.datetime(2026, 3, 23, 17, tzinfo=dt.UTC)
