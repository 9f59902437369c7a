"""scheduling.services.add_runs: G2 wall times in the business zone (DST), G3 validation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rezerva.catalog.errors import ServiceNotGroup
from rezerva.catalog.models import PriceType, Service
from rezerva.catalog.services import create_performer, create_service
from rezerva.core.errors import ValidationFailed
from rezerva.scheduling import services
from rezerva.scheduling.models import Session
from rezerva.scheduling.services import RunInput
from rezerva.tenancy.models import ActivityLog
from tests import builders

WARSAW = ZoneInfo("Europe/Warsaw")
IN_PERSON = Session.Mode.IN_PERSON
ONLINE = Session.Mode.ONLINE


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, name="Python for beginners", now=now)


def _run(starts_local, minutes=120, **extra):
    extra.setdefault("capacity", 8)
    extra.setdefault("mode", IN_PERSON)
    if extra["mode"] == IN_PERSON:
        extra.setdefault("address", "ul. Świętojańska 12, Gdynia")
    return RunInput(
        starts_local=starts_local, ends_local=starts_local + dt.timedelta(minutes=minutes), **extra
    )


def _add(service, run, now, **kwargs):
    return services.add_runs(
        business=service.business,
        service=service,
        actor=builders.owner_of(service.business),
        run=run,
        now=now,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("_case", "local_start", "expected_utc"),
    [
        (
            "winter time, a week before DST starts",
            dt.datetime(2026, 3, 23, 18),
            dt.datetime(2026, 3, 23, 17),
        ),
        (
            "summer time, a day after DST starts",
            dt.datetime(2026, 3, 30, 18),
            dt.datetime(2026, 3, 30, 16),
        ),
    ],
)
def test_g2_a_run_at_18_local_is_stored_with_the_utc_offset_of_its_own_date(
    service, now, _case, local_start, expected_utc
):
    saved = _add(service, _run(local_start), now)

    (run,) = saved.runs
    run.refresh_from_db()
    assert run.starts_at == expected_utc.replace(tzinfo=dt.UTC)
    assert run.ends_at == expected_utc.replace(tzinfo=dt.UTC) + dt.timedelta(hours=2)
    assert run.starts_at.astimezone(WARSAW).time() == dt.time(18, 0)
    assert saved.warnings == []


def test_g2_weekly_repeat_keeps_18_local_across_the_dst_change(service, now):
    saved = _add(service, _run(dt.datetime(2026, 3, 23, 18)), now, repeat_weekly=6)

    stored = list(
        Session.objects.filter(service=service)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    assert [r.pk for r in saved.runs] == list(
        Session.objects.filter(service=service).order_by("starts_at").values_list("pk", flat=True)
    )
    assert stored == [
        dt.datetime(2026, 3, 23, 17, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 30, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 6, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 13, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 20, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 27, 16, tzinfo=dt.UTC),
    ]
    assert {s.astimezone(WARSAW).time() for s in stored} == {dt.time(18, 0)}
    assert ActivityLog.objects.get(action="session.created").data == {
        "session_ids": [r.pk for r in saved.runs]
    }


def test_g2_weekly_repeat_across_the_autumn_change_also_keeps_the_wall_time(service, now):
    _add(service, _run(dt.datetime(2026, 10, 19, 18)), now, repeat_weekly=2)

    stored = list(Session.objects.filter(service=service).values_list("starts_at", flat=True))
    assert stored == [
        dt.datetime(2026, 10, 19, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 26, 17, tzinfo=dt.UTC),
    ]


@pytest.mark.parametrize(
    ("_case", "starts", "ends", "field"),
    [
        (
            "start inside the gap",
            dt.datetime(2026, 3, 29, 2, 30),
            dt.datetime(2026, 3, 29, 4),
            "starts_at",
        ),
        (
            "end inside the gap",
            dt.datetime(2026, 3, 29, 1, 0),
            dt.datetime(2026, 3, 29, 2, 15),
            "ends_at",
        ),
    ],
)
def test_g2_a_time_in_the_spring_forward_gap_is_a_field_error(
    service, now, _case, starts, ends, field
):
    run = RunInput(starts_local=starts, ends_local=ends, capacity=5, address="Main street 1")

    with pytest.raises(ValidationFailed) as caught:
        _add(service, run, now)

    in_gap = starts if field == "starts_at" else ends
    assert caught.value.errors == {
        field: f"{in_gap:%Y-%m-%d %H:%M} does not exist in Europe/Warsaw: the clocks jump "
        "forward. Pick a time outside the change."
    }
    assert Session.objects.count() == 0


def test_g2_a_weekly_repeat_that_lands_in_the_gap_writes_no_run_at_all(service, now):
    # 2026-03-22 02:30 exists; a week later, 2026-03-29 02:30 falls in the gap.
    run = RunInput(
        starts_local=dt.datetime(2026, 3, 22, 2, 30),
        ends_local=dt.datetime(2026, 3, 22, 4, 0),
        capacity=5,
        address="Main street 1",
    )

    with pytest.raises(ValidationFailed) as caught:
        _add(service, run, now, repeat_weekly=3)

    assert list(caught.value.errors) == ["starts_at"]
    assert Session.objects.count() == 0
    assert not ActivityLog.objects.filter(action="session.created").exists()


def test_g2_a_run_keeps_title_capacity_mode_place_and_instructor(business, service, now):
    teacher = create_performer(business=business, actor=builders.owner_of(business), name="Anna")

    saved = _add(
        service,
        _run(
            dt.datetime(2026, 3, 23, 18),
            title=" Lesson 1 - syntax ",
            capacity=12,
            mode=ONLINE,
            meeting_url="https://meet.example.com/py",
            performer=teacher,
        ),
        now,
    )

    run = Session.objects.get(pk=saved.runs[0].pk)
    assert (run.business_id, run.service_id, run.series_id) == (business.pk, service.pk, None)
    assert (run.title, run.capacity, run.mode) == ("Lesson 1 - syntax", 12, ONLINE)
    assert (run.meeting_url, run.address, run.performer_id) == (
        "https://meet.example.com/py",
        "",
        teacher.pk,
    )
    assert run.cancelled_at is None


@pytest.mark.parametrize(
    ("_case", "run_kwargs", "errors"),
    [
        (
            "end equal to start",
            {"minutes": 0},
            {"ends_at": "The end must be after the start."},
        ),
        ("capacity 0", {"capacity": 0}, {"capacity": "Capacity must be at least 1."}),
        (
            "capacity above the maximum",
            {"capacity": 1_000_001},
            {"capacity": "Capacity can be at most 1,000,000."},
        ),
        (
            "ftp meeting url",
            {"mode": ONLINE, "meeting_url": "ftp://x"},
            {"meeting_url": "Enter a meeting link that starts with http:// or https://."},
        ),
        (
            "javascript meeting url",
            {"mode": ONLINE, "meeting_url": "javascript:alert(1)"},
            {"meeting_url": "Enter a meeting link that starts with http:// or https://."},
        ),
        (
            "unknown mode",
            {"mode": "telepathy"},
            {"mode": "Choose online or in person."},
        ),
    ],
)
def test_g3_invalid_run_is_a_field_error_and_nothing_is_written(
    service, now, _case, run_kwargs, errors
):
    with pytest.raises(ValidationFailed) as caught:
        _add(service, _run(dt.datetime(2026, 3, 23, 18), **run_kwargs), now)

    assert caught.value.errors == errors
    assert Session.objects.count() == 0
    assert not ActivityLog.objects.filter(action="session.created").exists()


def test_g3_end_must_be_after_start(service, now):
    run = RunInput(
        starts_local=dt.datetime(2026, 3, 23, 18),
        ends_local=dt.datetime(2026, 3, 23, 17),
        capacity=5,
        address="Main street 1",
    )

    with pytest.raises(ValidationFailed) as caught:
        _add(service, run, now)

    assert caught.value.errors == {"ends_at": "The end must be after the start."}
    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    ("_case", "starts_local"),
    [
        ("yesterday", dt.datetime(2026, 3, 1, 18)),
        ("exactly now", dt.datetime(2026, 3, 2, 10)),  # 10:00 in Warsaw is 09:00 UTC = now
    ],
)
def test_g3_a_start_in_the_past_is_refused(service, now, _case, starts_local):
    with pytest.raises(ValidationFailed) as caught:
        _add(service, _run(starts_local), now)

    assert caught.value.errors == {
        "starts_at": "The start is in the past; choose a future date and time."
    }
    assert Session.objects.count() == 0


def test_g3_an_online_run_within_48_hours_needs_a_meeting_link(service, now):
    # now is 10:00 in Warsaw; a run tomorrow at 18:00 starts in 32 hours.
    with pytest.raises(ValidationFailed) as caught:
        _add(service, _run(dt.datetime(2026, 3, 3, 18), mode=ONLINE), now)

    assert caught.value.errors == {
        "meeting_url": "An online session starting within 48 hours needs a meeting link."
    }
    assert Session.objects.count() == 0


def test_g3_an_online_run_far_ahead_without_a_link_is_saved_with_a_warning(service, now):
    saved = _add(service, _run(dt.datetime(2026, 3, 23, 18), mode=ONLINE), now, repeat_weekly=3)

    assert saved.warnings == ["Add the meeting link before the session starts."]
    assert Session.objects.filter(service=service, meeting_url="").count() == 3


def test_g3_an_in_person_run_within_48_hours_needs_an_address(service, now):
    with pytest.raises(ValidationFailed) as caught:
        _add(service, _run(dt.datetime(2026, 3, 3, 18), address="   "), now)

    assert caught.value.errors == {
        "address": "An in-person session starting within 48 hours needs an address."
    }
    assert Session.objects.count() == 0


def test_g3_an_in_person_run_far_ahead_without_an_address_is_saved_with_a_warning(service, now):
    saved = _add(service, _run(dt.datetime(2026, 3, 23, 18), address=""), now)

    assert saved.warnings == ["Add the address before the session starts."]
    assert Session.objects.get().address == ""


def test_g3_the_48_hour_boundary_is_inclusive(service, now):
    # Exactly 48 hours ahead counts as "soon": the link is required.
    starts_local = (now + dt.timedelta(hours=48)).astimezone(WARSAW).replace(tzinfo=None)

    with pytest.raises(ValidationFailed) as caught:
        _add(service, _run(starts_local, mode=ONLINE), now)

    assert list(caught.value.errors) == ["meeting_url"]


@pytest.mark.parametrize("repeat", [0, 53])
def test_weekly_repeat_out_of_range_is_a_field_error(service, now, repeat):
    with pytest.raises(ValidationFailed) as caught:
        _add(service, _run(dt.datetime(2026, 3, 23, 18)), now, repeat_weekly=repeat)

    assert caught.value.errors == {"repeat_weekly": "Repeat between 1 and 52 weeks."}
    assert Session.objects.count() == 0


def test_g1_a_one_to_one_service_has_no_runs(business, now):
    one_to_one = create_service(
        business=business,
        actor=builders.owner_of(business),
        kind=Service.Kind.ONE_TO_ONE,
        name="Consultation",
        price_type=PriceType.FREE,
        now=now,
    )

    with pytest.raises(ServiceNotGroup):
        _add(one_to_one, _run(dt.datetime(2026, 3, 23, 18)), now)

    assert Session.objects.count() == 0


def test_an_instructor_of_another_business_is_refused(service, other_business, now):
    stranger = create_performer(
        business=other_business, actor=builders.owner_of(other_business), name="Stranger"
    )

    with pytest.raises(ValidationFailed) as caught:
        _add(service, _run(dt.datetime(2026, 3, 23, 18), performer=stranger), now)

    assert caught.value.errors == {"performer": "Choose an instructor from this business."}
    assert Session.objects.filter(business=service.business).count() == 0


def test_p2_runs_can_still_be_added_to_an_existing_group_service_after_a_downgrade(
    business, service, now
):
    business.plan = "starter"
    business.save(update_fields=["plan"])

    saved = _add(service, _run(dt.datetime(2026, 3, 23, 18)), now, repeat_weekly=2)

    assert Session.objects.filter(service=service).count() == 2
    assert [r.starts_at for r in saved.runs] == [
        dt.datetime(2026, 3, 23, 17, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 30, 16, tzinfo=dt.UTC),
    ]
