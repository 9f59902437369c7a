"""The owner's availability pages (A2, A3): the week grid, "follow the business hours",
special dates, time off and closures; field errors write nothing; staff and tenancy limits."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rezerva.availability import services as availability_services
from rezerva.availability.models import DateOverride, TimeOff, WeeklyHours
from rezerva.booking.selectors import appointment_slots
from rezerva.dashboard.schedule import DASH
from rezerva.tenancy.models import ActivityLog
from tests import builders
from tests.dashboard.appointment_helpers import at, next_dst_gap

T = dt.time.fromisoformat
PAGE = "dashboard:availability"
NO_HOURS = "Enter the hours for that day, or tick “Closed all day”."
REQUIRED = "This field is required."


def _week_post(days: dict[int, list[tuple[str, str]]], **extra) -> dict:
    """The grid as posted: listed days open with these intervals, the others closed."""
    data = {"form": "week", "edit": "save"}
    for d in range(7):
        intervals = days.get(d, [])
        if not intervals:
            data[f"d{d}_closed"] = "on"
            data[f"d{d}_0_starts"] = data[f"d{d}_0_ends"] = ""
        for i, (starts, ends) in enumerate(intervals):
            data[f"d{d}_{i}_starts"] = starts
            data[f"d{d}_{i}_ends"] = ends
    return {**data, **extra}


def _rows(business, performer=None) -> list[tuple[int, dt.time, dt.time]]:
    return list(
        WeeklyHours.objects.filter(business=business, performer=performer)
        .order_by("weekday", "starts")
        .values_list("weekday", "starts", "ends")
    )


def _form_data(form) -> dict:
    """What the browser posts back for an unbound grid (its initial values)."""
    data = {"form": "week", "edit": "save"}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name.endswith("_closed"):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def _snapshot():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (WeeklyHours, DateOverride, TimeOff, ActivityLog)
    }


def test_the_availability_page_shows_the_business_week_and_the_team(owner_client, salon):
    builders.set_week(salon.business, salon.ewa, {5: [("10:00", "14:00")]})

    response = owner_client.get(reverse(PAGE))

    assert response.status_code == 200
    form = response.context["week_form"]
    monday = form.days()[0]
    assert [(s.value(), e.value()) for _, s, e in monday.rows] == [
        ("09:00", "12:00"),
        ("13:00", "17:00"),
    ]
    assert [d.closed.value() for d in form.days()] == [False] * 5 + [True] * 2
    team = {p.name: (own, summary) for p, own, summary in response.context["team"]}
    assert team["Ola"] == (False, None)
    assert team["Ewa"][0] is True
    assert team["Ewa"][1][5] == ("Saturday", f"10:00{DASH}14:00")
    assert f"Copy Monday to Tue{DASH}Fri" in response.text
    assert "Follows the business hours." in response.text


def test_owner_saves_a_week_with_a_lunch_break_and_closed_days(owner_client, salon):
    business = salon.business

    response = owner_client.post(
        reverse(PAGE),
        _week_post({0: [("08:00", "12:00"), ("13:00", "18:00")], 2: [("10:00", "14:00")]}),
    )

    assert response.status_code == 302
    assert _rows(business) == [
        (0, T("08:00"), T("12:00")),
        (0, T("13:00"), T("18:00")),
        (2, T("10:00"), T("14:00")),
    ]
    assert ActivityLog.objects.filter(
        business=business, action="availability.weekly_hours"
    ).exists()


def test_a_closed_day_ignores_the_times_left_in_it(owner_client, salon):
    data = _week_post({0: [("09:00", "17:00")], 1: [("09:00", "17:00")]}, d1_closed="on")

    owner_client.post(reverse(PAGE), data)

    assert _rows(salon.business) == [(0, T("09:00"), T("17:00"))]


def test_owner_copies_monday_to_all_weekdays(owner_client, salon):
    business = salon.business
    before = _rows(business)
    data = _week_post(
        {
            0: [("08:00", "12:00"), ("12:30", "16:00")],
            1: [("10:00", "18:00")],
            5: [("10:00", "13:00")],
        }
    )

    copied = owner_client.post(reverse(PAGE), {**data, "edit": "copy-monday"})

    assert copied.status_code == 200
    assert _rows(business) == before  # a draft until saved
    form = copied.context["week_form"]
    assert form.draft_note == "Monday's hours copied to Tuesday to Friday. Save to keep them."
    saved = owner_client.post(reverse(PAGE), _form_data(form))
    assert saved.status_code == 302
    monday = [(T("08:00"), T("12:00")), (T("12:30"), T("16:00"))]
    assert _rows(business) == [
        *[(d, s, e) for d in range(5) for s, e in monday],
        (5, T("10:00"), T("13:00")),
    ]


def test_adding_and_removing_an_interval_shows_the_grid_again_unsaved(owner_client, salon):
    business = salon.business
    before = _snapshot()
    data = _week_post({0: [("09:00", "12:00"), ("13:00", "17:00")], 2: [("09:00", "17:00")]})

    added = owner_client.post(reverse(PAGE), {**data, "edit": "add-2"})
    removed = owner_client.post(reverse(PAGE), {**data, "edit": "remove-0-0"})
    opened = owner_client.post(reverse(PAGE), {**data, "edit": "add-6"})

    wednesday = added.context["week_form"].days()[2]
    assert [(s.value(), e.value()) for _, s, e in wednesday.rows] == [
        ("09:00", "17:00"),
        ("", ""),
    ]
    monday = removed.context["week_form"].days()[0]
    assert [(s.value(), e.value()) for _, s, e in monday.rows] == [("13:00", "17:00")]
    sunday = opened.context["week_form"].days()[6]
    assert sunday.closed.value() is False
    assert removed.context["week_form"].draft_note == (
        "Interval removed from Monday. Save to keep the change."
    )
    assert _snapshot() == before
    assert _rows(business) == [
        (d, T(s), T(e)) for d in range(5) for s, e in (("09:00", "12:00"), ("13:00", "17:00"))
    ]


@pytest.mark.parametrize(
    ("_case", "monday", "message"),
    [
        ("ends before it starts", [("12:00", "09:00")], "12:00-09:00: the end must be later."),
        (
            "two intervals overlap",
            [("09:00", "12:00"), ("11:00", "13:00")],
            "Two intervals overlap; join them or move one.",
        ),
    ],
)
def test_intervals_that_end_early_or_overlap_are_refused_on_their_day(
    owner_client, salon, _case, monday, message
):
    before = _snapshot()

    response = owner_client.post(reverse(PAGE), _week_post({0: monday, 1: [("09:00", "17:00")]}))

    assert response.status_code == 200
    days = response.context["week_form"].days()
    assert days[0].errors == [message]
    assert days[1].errors == []
    assert message in response.text
    assert _snapshot() == before


def test_an_interval_with_one_time_is_a_field_error(owner_client, salon):
    before = _snapshot()
    data = _week_post({0: [("09:00", "17:00")]}, d0_0_ends="")

    response = owner_client.post(reverse(PAGE), data)

    assert response.context["week_form"].errors == {
        "d0_0_ends": ["Enter both times, or clear both."]
    }
    assert _snapshot() == before


def test_a_performer_follows_the_business_hours_or_her_own(owner_client, salon):
    url = reverse("dashboard:performer_availability", args=[salon.ola.pk])

    page = owner_client.get(url)
    own = owner_client.post(url, _week_post({1: [("12:00", "20:00")]}, hours_mode="own"))
    after_own = owner_client.get(url)
    back = owner_client.post(url, {**_week_post({}), "hours_mode": "default"})

    form = page.context["week_form"]
    assert form["hours_mode"].value() == "default"
    # Following the default, the grid starts as a copy of the business week (A2).
    assert form.days()[0].rows[0][1].value() == "09:00"
    assert own.status_code == 302
    assert after_own.context["week_form"]["hours_mode"].value() == "own"
    assert back.status_code == 302
    assert _rows(salon.business, salon.ola) == []
    assert ActivityLog.objects.filter(
        business=salon.business, action="availability.follow_default", target=str(salon.ola.pk)
    ).exists()


def test_a_performer_s_own_week_may_close_every_day(owner_client, salon, monday):
    """A2: her own week with no working day keeps her unbookable (not back on the default)."""
    url = reverse("dashboard:performer_availability", args=[salon.ola.pk])

    response = owner_client.post(url, {**_week_post({}), "hours_mode": "own"}, follow=True)

    salon.ola.refresh_from_db()
    assert response.status_code == 200
    assert salon.ola.has_own_hours
    assert response.context["follows_default"] is False
    slots = appointment_slots(
        business=salon.business,
        service=salon.haircut,
        performer_id=salon.ola.pk,
        start=monday,
        end=monday,
        now=timezone.now(),
    )
    assert slots.by_performer[salon.ola.pk] == []


def test_owner_adds_and_removes_special_dates(owner_client, salon, monday):
    business = salon.business
    saturday = monday + dt.timedelta(days=5)

    closed = owner_client.post(
        reverse(PAGE),
        {"form": "override", "override-date": monday.isoformat(), "override-closed": "on"},
    )
    short = owner_client.post(
        reverse(PAGE),
        {
            "form": "override",
            "override-date": saturday.isoformat(),
            "override-starts_1": "10:00",
            "override-ends_1": "14:00",
        },
    )
    page = owner_client.get(reverse(PAGE))
    cleared = owner_client.post(reverse("dashboard:override_clear", args=[monday.isoformat()]))

    assert (closed.status_code, short.status_code, cleared.status_code) == (302, 302, 302)
    assert [(o.date, o.intervals) for o in page.context["overrides"]] == [
        (monday, ()),
        (saturday, ((T("10:00"), T("14:00")),)),
    ]
    assert list(
        DateOverride.objects.filter(business=business).values_list("date", "starts", "ends")
    ) == [(saturday, T("10:00"), T("14:00"))]


@pytest.mark.parametrize(
    ("_case", "fields", "errors"),
    [
        ("neither hours nor closed", {}, {"starts_1": [NO_HOURS]}),
        ("backwards", {"override-starts_1": "14:00", "override-ends_1": "10:00"},
         {"starts_1": ["14:00-10:00: the end must be later."]}),
        ("no date", {"override-date": "", "override-closed": "on"}, {"date": [REQUIRED]}),
    ],
)  # fmt: skip
def test_a_special_date_without_hours_or_in_the_wrong_order_writes_nothing(
    owner_client, salon, monday, _case, fields, errors
):
    before = _snapshot()

    response = owner_client.post(
        reverse(PAGE), {"form": "override", "override-date": monday.isoformat(), **fields}
    )

    assert response.context["override_form"].errors == errors
    assert _snapshot() == before


def test_owner_adds_time_off_for_whole_days_and_deletes_it(owner_client, salon, monday):
    business = salon.business
    url = reverse("dashboard:performer_availability", args=[salon.ola.pk])
    friday = monday + dt.timedelta(days=4)

    added = owner_client.post(
        url,
        {
            "form": "time_off",
            "timeoff-start_date": monday.isoformat(),
            "timeoff-end_date": friday.isoformat(),
            "timeoff-reason": "Holiday",
        },
    )

    row = TimeOff.objects.get(business=business)
    assert added.status_code == 302
    assert (row.performer_id, row.reason) == (salon.ola.pk, "Holiday")
    assert (row.starts_at, row.ends_at) == (
        at(business, monday, "00:00"),
        at(business, friday + dt.timedelta(days=1), "00:00"),
    )
    page = owner_client.get(url)
    assert [t.pk for t in page.context["time_off"]] == [row.pk]
    deleted = owner_client.post(reverse("dashboard:time_off_delete", args=[row.pk]))
    assert deleted["Location"] == url
    assert not TimeOff.objects.exists()


def test_a_business_closure_closes_everyone_and_is_listed(owner_client, salon, monday):
    response = owner_client.post(
        reverse(PAGE),
        {
            "form": "closure",
            "closure-start_date": monday.isoformat(),
            "closure-start_time": "12:00",
            "closure-end_time": "15:00",
            "closure-reason": "Refit",
        },
    )

    closure = TimeOff.objects.get(business=salon.business)
    assert response.status_code == 302
    assert closure.performer_id is None
    assert (closure.starts_at, closure.ends_at) == (
        at(salon.business, monday, "12:00"),
        at(salon.business, monday, "15:00"),
    )
    assert [c.pk for c in owner_client.get(reverse(PAGE)).context["closures"]] == [closure.pk]


def test_time_off_that_ends_before_it_starts_or_in_the_dst_gap_writes_nothing(
    owner_client, salon, monday, real_now
):
    url = reverse("dashboard:performer_availability", args=[salon.ola.pk])
    gap = next_dst_gap(salon.business.timezone, real_now.date())
    before = _snapshot()

    backwards = owner_client.post(
        url,
        {
            "form": "time_off",
            "timeoff-start_date": monday.isoformat(),
            "timeoff-start_time": "15:00",
            "timeoff-end_time": "11:00",
        },
    )
    in_gap = owner_client.post(
        url,
        {
            "form": "time_off",
            "timeoff-start_date": gap.date().isoformat(),
            "timeoff-start_time": gap.strftime("%H:%M"),
        },
    )

    assert backwards.context["time_off_form"].errors == {
        "end_time": ["The end must be after the start."]
    }
    assert list(in_gap.context["time_off_form"].errors) == ["start_time"]
    assert "the clocks jump forward" in in_gap.text
    assert _snapshot() == before


def test_staff_edit_the_team_hours_but_only_see_the_business_hours(staff_browser, salon, monday):
    before = _snapshot()

    page = staff_browser.get(reverse(PAGE))
    refused = [
        staff_browser.post(reverse(PAGE), _week_post({0: [("06:00", "22:00")]})),
        staff_browser.post(
            reverse(PAGE),
            {"form": "closure", "closure-start_date": monday.isoformat()},
        ),
    ]
    assert page.status_code == 200
    assert page.context["is_owner"] is False
    assert "Only owners change the business hours." in page.text
    assert "Save week" not in page.text
    assert [r.status_code for r in refused] == [403, 403]
    assert _snapshot() == before

    own = staff_browser.post(
        reverse("dashboard:performer_availability", args=[salon.ola.pk]),
        _week_post({0: [("10:00", "18:00")]}, hours_mode="own"),
    )
    assert own.status_code == 302
    assert _rows(salon.business, salon.ola) == [(0, T("10:00"), T("18:00"))]


def test_staff_cannot_delete_a_business_closure(staff_browser, salon, monday):
    closure = availability_services.add_time_off(
        business=salon.business,
        actor=None,
        performer_id=None,
        starts_at=at(salon.business, monday, "00:00"),
        ends_at=at(salon.business, monday, "23:00"),
    )

    response = staff_browser.post(reverse("dashboard:time_off_delete", args=[closure.pk]))

    assert response.status_code == 403
    assert TimeOff.objects.filter(pk=closure.pk).exists()


def test_other_business_performer_id_in_url_is_404(
    owner_client, salon, other_business, monday, real_now
):
    stranger = builders.make_performer(other_business, "Stranger")
    their_time_off = availability_services.add_time_off(
        business=other_business,
        actor=None,
        performer_id=stranger.pk,
        starts_at=real_now + dt.timedelta(days=1),
        ends_at=real_now + dt.timedelta(days=2),
    )
    availability_services.set_date_override(
        business=other_business,
        actor=None,
        performer_id=stranger.pk,
        date=monday,
        intervals=[],
    )
    performer_url = reverse("dashboard:performer_availability", args=[stranger.pk])
    before = _snapshot()

    responses = [
        owner_client.get(performer_url),
        owner_client.post(performer_url, _week_post({0: [("09:00", "10:00")]}, hours_mode="own")),
        owner_client.post(
            reverse("dashboard:performer_override_clear", args=[stranger.pk, monday.isoformat()])
        ),
        owner_client.post(reverse("dashboard:time_off_delete", args=[their_time_off.pk])),
        owner_client.post(reverse("dashboard:override_clear", args=["not-a-date"])),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert _snapshot() == before
