"""The owner's calendar (A9): day and week per performer or everyone, with appointments, the
runs she leads and time off; navigation; "Block time"; tenancy and a fixed query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rezerva.availability import services as availability_services
from rezerva.availability.models import TimeOff
from rezerva.booking.models import CancelledBy
from rezerva.booking.selectors import appointment_slots
from rezerva.booking.services import cancel_booking
from rezerva.dashboard.schedule import DASH
from rezerva.tenancy.models import ActivityLog
from tests import builders
from tests.dashboard.appointment_helpers import at, book

URL = reverse("dashboard:calendar")


def _entries(column) -> list[tuple]:
    return [
        (d.entry.kind, d.time_label, d.entry.title, d.entry.status_label) for d in column.entries
    ]


@pytest.fixture
def week(salon, monday, real_now):
    """Ola's week: a haircut Monday 10:00, a group run she leads Tuesday 18:00, time off all
    Wednesday, a closure Thursday afternoon; Ewa has a haircut Monday 10:00 too."""
    business = salon.business
    anna = book(salon, salon.ola, monday, "10:00", "Anna Nowak")
    book(salon, salon.ewa, monday, "10:00", "Basia Kowal")
    yoga = builders.make_group_service(business, name="Yoga", now=real_now)
    run = builders.make_session(
        yoga,
        starts_local=dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(18)),
        performer=salon.ola,
        now=real_now,
    )
    wednesday = monday + dt.timedelta(days=2)
    availability_services.add_time_off(
        business=business,
        actor=None,
        performer_id=salon.ola.pk,
        starts_at=at(business, wednesday, "00:00"),
        ends_at=at(business, wednesday + dt.timedelta(days=1), "00:00"),
        reason="Training",
    )
    thursday = monday + dt.timedelta(days=3)
    availability_services.add_time_off(
        business=business,
        actor=None,
        performer_id=None,
        starts_at=at(business, thursday, "14:00"),
        ends_at=at(business, thursday, "17:00"),
        reason="Inventory",
    )
    return anna, run


def test_week_view_shows_her_appointments_runs_time_off_and_hours(
    owner_client, salon, monday, week
):
    anna, run = week

    response = owner_client.get(URL, {"performer": salon.ola.pk, "date": monday.isoformat()})

    assert response.status_code == 200
    columns = [column for column, _ in response.context["columns"]]
    assert [c.day for c in columns] == [monday + dt.timedelta(days=i) for i in range(7)]
    assert _entries(columns[0]) == [("appointment", f"10:00{DASH}10:45", "Anna Nowak", "Confirmed")]
    assert _entries(columns[1]) == [("run", f"18:00{DASH}19:30", "Yoga", "")]
    assert _entries(columns[2]) == [("time_off", "All day", "Time off", "")]
    assert _entries(columns[3]) == [("closure", f"14:00{DASH}17:00", "Business closed", "")]
    assert columns[0].hours_label == f"09:00{DASH}12:00, 13:00{DASH}17:00"
    assert columns[5].hours_label == "Not working"
    assert "Basia" not in response.text
    assert reverse("dashboard:appointment_detail", args=[anna.pk]) in response.text
    assert reverse("dashboard:session_detail", args=[run.pk]) in response.text


def test_day_view_for_everyone_has_a_column_per_team_member(owner_client, salon, monday, week):
    response = owner_client.get(URL, {"view": "day", "date": monday.isoformat()})

    columns = [column for column, _ in response.context["columns"]]
    assert [c.heading for c in columns] == ["Ewa", "Ola"]
    assert _entries(columns[0]) == [
        ("appointment", f"10:00{DASH}10:45", "Basia Kowal", "Confirmed")
    ]
    assert _entries(columns[1]) == [("appointment", f"10:00{DASH}10:45", "Anna Nowak", "Confirmed")]
    assert response.context["heading"] == f"{monday:%A} {monday.day} {monday:%B %Y}"


def test_week_view_for_everyone_names_who_each_entry_is_with(owner_client, salon, monday, week):
    response = owner_client.get(URL, {"date": (monday + dt.timedelta(days=2)).isoformat()})

    monday_column = response.context["columns"][0][0]
    assert [(d.entry.title, d.entry.performer_name) for d in monday_column.entries] == [
        ("Anna Nowak", "Ola"),
        ("Basia Kowal", "Ewa"),
    ]
    assert response.context["with_names"] is True
    assert response.context["columns"][0][0].day == monday  # any day shows its whole week


def test_previous_next_today_and_the_date_jump(owner_client, salon, monday):
    response = owner_client.get(
        URL, {"view": "day", "date": monday.isoformat(), "performer": salon.ola.pk}
    )
    fallback = owner_client.get(URL, {"date": "not-a-date"})

    links = response.context["links"]
    tuesday, sunday = monday + dt.timedelta(days=1), monday - dt.timedelta(days=1)
    assert links["next"] == f"{URL}?view=day&date={tuesday}&performer={salon.ola.pk}"
    assert links["previous"] == f"{URL}?view=day&date={sunday}&performer={salon.ola.pk}"
    assert links["week"] == f"{URL}?view=week&date={monday}&performer={salon.ola.pk}"
    assert links["everyone"] == f"{URL}?view=day&date={monday}"
    assert 'type="date" name="date"' in response.text
    assert fallback.status_code == 200
    assert fallback.context["day"] == fallback.context["today"]


def test_cancelled_appointments_show_only_when_asked(owner_client, salon, monday, owner):
    kept = book(salon, salon.ola, monday, "09:00", "Kept Guest")
    gone = book(salon, salon.ola, monday, "11:00", "Gone Guest")
    cancel_booking(booking=gone, by=CancelledBy.OWNER, actor=owner, now=timezone.now())
    query = {"view": "day", "date": monday.isoformat(), "performer": salon.ola.pk}

    default = owner_client.get(URL, query)
    with_cancelled = owner_client.get(URL, {**query, "cancelled": "1"})

    assert [d.entry.target_id for d in default.context["columns"][0][0].entries] == [kept.pk]
    assert _entries(with_cancelled.context["columns"][0][0])[1] == (
        "appointment",
        f"11:00{DASH}11:45",
        "Gone Guest",
        "Cancelled",
    )


def test_the_calendar_reads_a_fixed_number_of_queries(owner_client, salon, monday):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            owner_client.get(URL, {"date": monday.isoformat()})
        return len(queries)

    book(salon, salon.ola, monday, "09:00")
    one = count()
    for day in range(1, 5):
        book(salon, salon.ewa, monday + dt.timedelta(days=day), "09:00", f"Guest {day}")
        book(salon, salon.ola, monday + dt.timedelta(days=day), "13:00", f"Other {day}")

    assert count() == one


def test_other_business_performer_id_in_calendar_url_is_404(owner_client, salon, other_business):
    stranger = builders.make_performer(other_business, "Stranger")

    responses = [
        owner_client.get(URL, {"performer": stranger.pk}),
        owner_client.get(URL, {"performer": "x1"}),
    ]

    assert [r.status_code for r in responses] == [404, 404]


def test_owner_blocks_time_from_the_calendar(owner_client, salon, monday):
    business = salon.business
    page = owner_client.get(
        reverse("dashboard:block_time"), {"performer": salon.ola.pk, "date": monday.isoformat()}
    )

    response = owner_client.post(
        reverse("dashboard:block_time"),
        {
            "performer": salon.ola.pk,
            "start_date": monday.isoformat(),
            "start_time": "09:00",
            "end_time": "12:00",
            "reason": "Dentist",
        },
    )

    assert page.context["form"]["performer"].value() == salon.ola.pk
    blocked = TimeOff.objects.get(business=business)
    assert (blocked.performer_id, blocked.reason) == (salon.ola.pk, "Dentist")
    assert (blocked.starts_at, blocked.ends_at) == (
        at(business, monday, "09:00"),
        at(business, monday, "12:00"),
    )
    assert response["Location"] == (
        f"{URL}?view=day&date={monday.isoformat()}&performer={salon.ola.pk}"
    )
    slots = appointment_slots(
        business=business,
        service=salon.haircut,
        performer_id=salon.ola.pk,
        start=monday,
        end=monday,
        now=timezone.now(),
    )
    assert min(slots.by_performer[salon.ola.pk]) == at(business, monday, "13:00")
    day = owner_client.get(response["Location"])
    assert _entries(day.context["columns"][0][0]) == [
        ("time_off", f"09:00{DASH}12:00", "Time off", "")
    ]


@pytest.mark.parametrize(
    ("_case", "changes", "errors"),
    [
        ("another business's performer", {"performer": "OTHER"},
         {"performer": ["This team member does not exist."]}),
        ("ends before it starts", {"start_time": "12:00", "end_time": "09:00"},
         {"end_time": ["The end must be after the start."]}),
        ("no date", {"start_date": ""}, {"start_date": ["This field is required."]}),
    ],
)  # fmt: skip
def test_blocking_time_wrongly_writes_nothing(
    owner_client, salon, monday, other_business, _case, changes, errors
):
    stranger = builders.make_performer(other_business, "Stranger")
    data = {
        "performer": salon.ola.pk,
        "start_date": monday.isoformat(),
        "start_time": "09:00",
        "end_time": "12:00",
        **changes,
    }
    if data["performer"] == "OTHER":
        data["performer"] = stranger.pk
    logs = ActivityLog.objects.count()

    response = owner_client.post(reverse("dashboard:block_time"), data)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert not TimeOff.objects.exists()
    assert ActivityLog.objects.count() == logs


def test_staff_see_the_calendar_and_block_time(staff_browser, salon, monday):
    book(salon, salon.ola, monday, "10:00")

    page = staff_browser.get(URL, {"date": monday.isoformat()})
    blocked = staff_browser.post(
        reverse("dashboard:block_time"),
        {"performer": salon.ewa.pk, "start_date": monday.isoformat()},
    )

    assert page.status_code == 200
    assert blocked.status_code == 302
    assert TimeOff.objects.get().performer_id == salon.ewa.pk
