"""Owner session pages: add runs (G2, G3, DST), list upcoming/past with paging, edit, cancel."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from rezerva.booking.models import Booking, BookingStatus
from rezerva.catalog.services import create_service
from rezerva.scheduling import services as scheduling_services
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import ActivityLog
from tests import builders

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, name="Python for beginners", now=now)


def _form(starts, ends, **extra):
    data = {
        "starts_at": starts,
        "ends_at": ends,
        "capacity": "8",
        "mode": "in_person",
        "title": "",
        "meeting_url": "",
        "address": "ul. Świętojańska 12, Gdynia",
        "repeat_weekly": "1",
    }
    return {**data, **extra}


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _next_spring_forward(after: dt.date) -> dt.date:
    """The next date on which Warsaw clocks jump forward."""
    day = after
    while True:
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=WARSAW)
        next_noon = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12), tzinfo=WARSAW)
        if next_noon.utcoffset() > noon.utcoffset():
            return day + dt.timedelta(days=1)
        day += dt.timedelta(days=1)


def test_g2_runs_on_both_sides_of_dst_are_shown_at_18_00_on_the_session_list(
    owner_client, service, now
):
    # Created with the pinned clock (2026-03-02); by the pages' clock they are past runs.
    winter = builders.make_session(service, starts_local=dt.datetime(2026, 3, 23, 18), now=now)
    summer = builders.make_session(service, starts_local=dt.datetime(2026, 3, 30, 18), now=now)
    assert winter.starts_at == dt.datetime(2026, 3, 23, 17, tzinfo=dt.UTC)
    assert summer.starts_at == dt.datetime(2026, 3, 30, 16, tzinfo=dt.UTC)

    response = owner_client.get(
        reverse("dashboard:session_list", args=[service.pk]), {"show": "past"}
    )

    assert response.status_code == 200
    assert [r.pk for r in response.context["page"].object_list] == [summer.pk, winter.pk]
    assert "Mon 30 Mar 2026, 18:00</a>\u201319:30" in response.text
    assert "Mon 23 Mar 2026, 18:00</a>\u201319:30" in response.text
    assert "Times are in Europe/Warsaw." in response.text


def test_g2_the_edit_form_shows_the_local_wall_time_of_a_summer_run(owner_client, service, now):
    summer = builders.make_session(service, starts_local=dt.datetime(2026, 3, 30, 18), now=now)

    response = owner_client.get(reverse("dashboard:session_detail", args=[summer.pk]))

    assert response.context["form"].initial["starts_at"] == dt.datetime(2026, 3, 30, 18)
    assert 'value="2026-03-30T18:00"' in response.text
    assert 'value="2026-03-30T19:30"' in response.text


def test_g2_the_run_page_heading_shows_the_local_wall_time(owner_client, service, now):
    summer = builders.make_session(service, starts_local=dt.datetime(2026, 3, 30, 18), now=now)

    response = owner_client.get(reverse("dashboard:session_detail", args=[summer.pk]))

    assert "<h1>Monday 30 March 2026, 18:00\u201319:30</h1>" in response.text


def test_g2_a_time_in_the_spring_forward_gap_is_a_field_error_on_the_form(owner_client, service):
    response = owner_client.post(
        reverse("dashboard:session_list", args=[service.pk]),
        _form("2026-03-29T02:30", "2026-03-29T04:00"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "starts_at": [
            "2026-03-29 02:30 does not exist in Europe/Warsaw: the clocks jump forward. "
            "Pick a time outside the change."
        ]
    }
    assert Session.objects.filter(service=service).count() == 0


def test_g2_weekly_repeat_from_the_page_keeps_18_00_across_the_next_dst_change(
    owner_client, service, real_now
):
    change = _next_spring_forward(real_now.astimezone(WARSAW).date() + dt.timedelta(days=8))
    first = change - dt.timedelta(days=6)  # the Monday before the Sunday change

    response = owner_client.post(
        reverse("dashboard:session_list", args=[service.pk]),
        _form(f"{first:%Y-%m-%d}T18:00", f"{first:%Y-%m-%d}T19:30", repeat_weekly="2"),
    )

    assert response.status_code == 302
    assert _messages(response) == ["2 sessions added."]
    starts = list(
        Session.objects.filter(service=service)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    assert starts == [
        dt.datetime.combine(first, dt.time(17), tzinfo=dt.UTC),
        dt.datetime.combine(first + dt.timedelta(days=7), dt.time(16), tzinfo=dt.UTC),
    ]


def _wall(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M}"


@pytest.mark.parametrize(
    ("_case", "extra_of", "errors"),
    [
        (
            "end before start",
            lambda starts: {"ends_at": _wall(starts - dt.timedelta(hours=1))},
            {"ends_at": ["The end must be after the start."]},
        ),
        (
            "meeting url not http(s)",
            lambda starts: {"mode": "online", "meeting_url": "javascript:alert(1)", "address": ""},
            {"meeting_url": ["Enter a meeting link that starts with http:// or https://."]},
        ),
        (
            "capacity 0",
            lambda starts: {"capacity": "0"},
            {"capacity": ["Ensure this value is greater than or equal to 1."]},
        ),
    ],
)
def test_g3_a_refused_run_is_a_message_on_its_field_and_nothing_is_written(
    owner_client, service, real_now, _case, extra_of, errors
):
    day = real_now.astimezone(WARSAW).date() + dt.timedelta(days=10)
    starts = dt.datetime.combine(day, dt.time(18))
    data = _form(_wall(starts), _wall(starts + dt.timedelta(hours=1)), **extra_of(starts))

    response = owner_client.post(reverse("dashboard:session_list", args=[service.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Session.objects.filter(service=service).count() == 0


def test_g3_a_start_in_the_past_is_refused_on_the_page(owner_client, service, real_now):
    yesterday = real_now.astimezone(WARSAW).date() - dt.timedelta(days=1)

    response = owner_client.post(
        reverse("dashboard:session_list", args=[service.pk]),
        _form(f"{yesterday:%Y-%m-%d}T18:00", f"{yesterday:%Y-%m-%d}T19:00"),
    )

    assert response.context["form"].errors == {
        "starts_at": ["The start is in the past; choose a future date and time."]
    }
    assert Session.objects.filter(service=service).count() == 0


def test_g3_an_online_run_far_ahead_without_a_link_is_added_with_a_warning(
    owner_client, service, real_now
):
    day = real_now.astimezone(WARSAW).date() + dt.timedelta(days=10)

    response = owner_client.post(
        reverse("dashboard:session_list", args=[service.pk]),
        _form(f"{day:%Y-%m-%d}T18:00", f"{day:%Y-%m-%d}T19:00", mode="online", address=""),
    )

    assert response.status_code == 302
    assert _messages(response) == [
        "1 session added.",
        "Add the meeting link before the session starts.",
    ]
    assert Session.objects.get(service=service).meeting_url == ""


def test_the_session_list_pages_25_upcoming_runs_into_two_pages(owner_client, service, real_now):
    day = real_now.astimezone(WARSAW).date() + dt.timedelta(days=1)
    scheduling_services.add_runs(
        business=service.business,
        service=service,
        actor=builders.owner_of(service.business),
        now=real_now,
        repeat_weekly=25,
        run=scheduling_services.RunInput(
            starts_local=dt.datetime.combine(day, dt.time(18)),
            ends_local=dt.datetime.combine(day, dt.time(19)),
            capacity=5,
            address="Main street 1",
        ),
    )
    url = reverse("dashboard:session_list", args=[service.pk])
    all_runs = list(Session.objects.filter(service=service).order_by("starts_at"))

    first = owner_client.get(url)
    second = owner_client.get(url, {"show": "upcoming", "page": "2"})

    assert [r.pk for r in first.context["page"].object_list] == [r.pk for r in all_runs[:20]]
    assert "Page 1 of 2" in first.text
    assert second.context["page"].number == 2
    assert [r.pk for r in second.context["page"].object_list] == [r.pk for r in all_runs[20:]]
    assert "Page 2 of 2" in second.text


def test_upcoming_and_past_tabs_split_the_runs(owner_client, service, now, real_now):
    past = builders.make_session(service, starts_local=dt.datetime(2026, 3, 23, 18), now=now)
    upcoming = builders.make_session(service, days_ahead=3, now=real_now)
    url = reverse("dashboard:session_list", args=[service.pk])

    upcoming_tab = owner_client.get(url)
    past_tab = owner_client.get(url, {"show": "past"})

    assert [r.pk for r in upcoming_tab.context["page"].object_list] == [upcoming.pk]
    assert upcoming_tab.context["show_past"] is False
    assert [r.pk for r in past_tab.context["page"].object_list] == [past.pk]
    assert past_tab.context["show_past"] is True


def test_an_htmx_tab_request_gets_only_the_run_table(owner_client, service, real_now):
    builders.make_session(service, days_ahead=3, now=real_now)

    response = owner_client.get(
        reverse("dashboard:session_list", args=[service.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<table>" in response.text


def test_sessions_of_a_one_to_one_service_redirect_to_the_service(owner_client, business, now):
    consultation = create_service(
        business=business,
        actor=builders.owner_of(business),
        kind="one_to_one",
        name="Consultation",
        now=now,
    )

    response = owner_client.get(reverse("dashboard:session_list", args=[consultation.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:service_detail", args=[consultation.pk])
    assert _messages(response) == ["Sessions exist for group services only."]


def test_the_owner_edits_a_run_on_its_page(owner_client, service, real_now):
    run = builders.make_session(service, days_ahead=10, now=real_now)
    local = run.starts_at.astimezone(WARSAW)

    response = owner_client.post(
        reverse("dashboard:session_detail", args=[run.pk]),
        {
            "starts_at": f"{local:%Y-%m-%dT%H:%M}",
            "ends_at": f"{local + dt.timedelta(hours=2):%Y-%m-%dT%H:%M}",
            "capacity": "4",
            "mode": "online",
            "title": "Lesson 1 - syntax",
            "meeting_url": " https://meet.example.com/py ",
            "address": "",
        },
    )

    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.capacity, run.mode, run.title, run.meeting_url) == (
        4,
        "online",
        "Lesson 1 - syntax",
        "https://meet.example.com/py",
    )
    assert run.ends_at - run.starts_at == dt.timedelta(hours=2)


def test_g3_the_run_page_refuses_capacity_below_seats_taken(owner_client, service, real_now):
    run = builders.make_session(service, days_ahead=10, capacity=5, now=real_now)
    for email in ("a@example.test", "b@example.test"):
        Booking.objects.create(
            business=run.business,
            session=run,
            kind="single",
            status="confirmed",
            guest_name="Guest",
            guest_email=email,
            currency="PLN",
            price_type="on_site",
        )
    local = run.starts_at.astimezone(WARSAW)

    response = owner_client.post(
        reverse("dashboard:session_detail", args=[run.pk]),
        {
            "starts_at": f"{local:%Y-%m-%dT%H:%M}",
            "ends_at": f"{run.ends_at.astimezone(WARSAW):%Y-%m-%dT%H:%M}",
            "capacity": "1",
            "mode": "in_person",
            "address": run.address,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "capacity": ["2 seats are already taken; capacity cannot be lower than that."]
    }
    run.refresh_from_db()
    assert run.capacity == 5


def test_g5_cancelling_a_run_from_its_page_cancels_its_bookings(owner_client, service, real_now):
    run = builders.make_session(service, days_ahead=10, now=real_now)
    booking = Booking.objects.create(
        business=run.business,
        session=run,
        kind="single",
        status="confirmed",
        guest_name="Guest",
        guest_email="g@example.test",
        currency="PLN",
        price_type="on_site",
    )

    response = owner_client.post(
        reverse("dashboard:session_cancel", args=[run.pk]),
        {"reason": "Teacher is ill"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("dashboard:session_detail", args=[run.pk]), 302)]
    assert "Session cancelled. 1 booking(s) cancelled." in response.text
    again = owner_client.post(reverse("dashboard:session_cancel", args=[run.pk]), {})

    assert _messages(again) == ["This session is already cancelled."]
    run.refresh_from_db()
    booking.refresh_from_db()
    assert (run.cancel_reason, run.cancelled_at is not None) == ("Teacher is ill", True)
    assert booking.status == BookingStatus.CANCELLED
    assert ActivityLog.objects.filter(action="session.cancelled").count() == 1
