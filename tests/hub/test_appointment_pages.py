"""A7, A8 on the hub: a guest picks a person (or any), a day in the month, a time, gives her
details and is booked; she changes the time from her manage link."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rezerva.booking.links import manage_path
from rezerva.booking.models import Booking
from tests import builders
from tests.booking.helpers import new_key

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def salon(db):
    return builders.make_salon(now=timezone.now())


def _tomorrow():
    return timezone.now().astimezone(WARSAW).date() + dt.timedelta(days=1)


def _start(day, hhmm="10:00"):
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=WARSAW)


def test_a7_the_service_link_leads_to_the_appointment_picker(client, salon):
    _, cut, _, _ = salon
    response = client.get(f"/hair-by-ola/services/{cut.pk}/")
    assert response.status_code == 302
    assert response.url == f"/hair-by-ola/appointments/{cut.pk}/"


def test_a7_the_picker_marks_free_days_and_lists_the_day_s_times(client, salon):
    _, cut, ola, _ = salon
    day = _tomorrow()
    page = client.get(
        f"/hair-by-ola/appointments/{cut.pk}/",
        {"performer": ola.pk, "month": day.strftime("%Y-%m"), "day": day.isoformat()},
    ).content.decode()

    assert "Any available" in page
    assert 'aria-current="date"' in page
    assert "09:00" in page
    assert "16:15" in page
    assert "16:30" not in page  # would end after 17:00
    assert "guest_zone.js" in page


def test_a7_a_guest_books_a_time_with_any_available_and_lands_on_her_booking(client, salon):
    business, cut, _, _ = salon
    start = _start(_tomorrow() + dt.timedelta(days=2))
    form = client.get(
        f"/hair-by-ola/appointments/{cut.pk}/book/",
        {"start": start.isoformat(), "performer": "any"},
    )
    assert form.status_code == 200
    assert "With the first available person" in form.content.decode()

    response = client.post(
        f"/hair-by-ola/appointments/{cut.pk}/book/",
        {
            "start": start.isoformat(),
            "performer": "any",
            "name": "Anna Nowak",
            "email": "anna@example.test",
            "idempotency_key": new_key(),
        },
    )

    booking = Booking.objects.get(business=business)
    assert response.status_code == 302
    assert response.url == manage_path(booking) + "?new=1"
    assert (booking.kind, booking.status) == ("appointment", "confirmed")
    manage = client.get(response.url).content.decode()
    assert "You're booked!" in manage
    assert "Choose a new time" in manage


def test_a6_a_time_taken_meanwhile_is_a_form_error_on_the_details_page(client, salon):
    _, cut, ola, _ = salon
    start = _start(_tomorrow())
    data = {"start": start.isoformat(), "performer": ola.pk, "name": "A", "email": "a@x.test"}
    client.post(f"/hair-by-ola/appointments/{cut.pk}/book/", {**data, "idempotency_key": new_key()})

    again = client.post(
        f"/hair-by-ola/appointments/{cut.pk}/book/",
        {**data, "email": "b@x.test", "idempotency_key": new_key()},
    )

    assert again.status_code == 200
    assert "not available" in again.content.decode()
    assert Booking.objects.count() == 1


def test_a7_a_malformed_or_missing_start_goes_back_to_the_picker(client, salon):
    _, cut, _, _ = salon
    response = client.get(f"/hair-by-ola/appointments/{cut.pk}/book/", {"start": "yesterday"})
    assert response.status_code == 302
    assert response.url == f"/hair-by-ola/appointments/{cut.pk}/"


def test_a8_the_guest_moves_her_appointment_from_the_manage_link(client, salon):
    _, cut, ola, _ = salon
    day = _tomorrow() + dt.timedelta(days=2)
    client.post(
        f"/hair-by-ola/appointments/{cut.pk}/book/",
        {
            "start": _start(day).isoformat(),
            "performer": ola.pk,
            "name": "A",
            "email": "a@x.test",
            "idempotency_key": new_key(),
        },
    )
    booking = Booking.objects.get()
    url = manage_path(booking).rstrip("/") + "/reschedule/"
    page = client.get(
        url, {"month": day.strftime("%Y-%m"), "day": day.isoformat()}
    ).content.decode()
    assert re.search(r'name="start" value="[^"]*T1[34]:00:00\+00:00"', page)

    moved = client.post(url, {"start": _start(day, "15:00").isoformat()})

    assert moved.status_code == 302
    booking.refresh_from_db()
    assert booking.session.starts_at == _start(day, "15:00")


def test_a8_a_forged_token_or_a_run_booking_cannot_reschedule(client, salon, business):
    from rezerva.booking.services import GuestDetails, book_run

    now = timezone.now()
    run = builders.make_session(builders.make_group_service(business, now=now), now=now)
    booking = book_run(
        business=business, session_id=run.pk, guest=GuestDetails("A", "a@x.test"), now=now
    )
    assert client.get("/hair-by-ola/manage/bogus-token/reschedule/").status_code == 404
    assert client.get(manage_path(booking).rstrip("/") + "/reschedule/").status_code == 404
