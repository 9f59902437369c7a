"""The public appointment API (A6, A7, A8): performers, free times with offsets, booking,
rescheduling by token, and every bad input as a problem type with nothing written."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from rezerva.api.appointment_schemas import SlotsOut
from rezerva.booking.models import Booking
from rezerva.tenancy.plans import PlanCode
from tests import builders

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def salon(db, live_now):
    """Hair by Ola (Starter): Ola and Ewa, every day 09:00-17:00, a 45-minute cut every 15."""
    return builders.make_salon(now=live_now)


def _day(live_now, days=3):
    return live_now.astimezone(WARSAW).date() + dt.timedelta(days=days)


def _slots(client, cut, **params):
    return client.get(f"/api/public/hair-by-ola/services/{cut.pk}/slots", params)


def _book(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/public/hair-by-ola/appointments",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


def _problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_a7_a_guest_lists_performers_and_free_times_with_offsets(client, salon, live_now):
    _, cut, ola, ewa = salon
    performers = client.get(f"/api/public/hair-by-ola/services/{cut.pk}/performers").json()
    day = _day(live_now)
    body = _slots(client, cut, start=day.isoformat(), end=day.isoformat()).json()

    assert [p["name"] for p in performers] == ["Ola", "Ewa"]
    assert body["timezone"] == "Europe/Warsaw"
    assert body["dates"] == [day.isoformat()]
    first = body["slots"][0]
    assert first["starts_at"].startswith(f"{day.isoformat()}T09:00:00+0")
    assert first["ends_at"].startswith(f"{day.isoformat()}T09:45:00+0")
    assert first["performer_ids"] == [ola.pk, ewa.pk]
    assert len(body["slots"]) == 30  # 09:00 .. 16:15
    SlotsOut.model_validate(body)  # the documented shape


def test_a7_booking_an_appointment_over_the_api_and_moving_it_by_token(client, salon, live_now):
    _, cut, ola, _ = salon
    day = _day(live_now)
    start = f"{day.isoformat()}T10:00:00"  # naive: business local time
    created = _book(
        client,
        {
            "service_id": cut.pk,
            "performer_id": ola.pk,
            "starts_at": start,
            "name": "Anna",
            "email": "anna@example.test",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["status"]) == ("appointment", "confirmed")
    assert body["seats"][0]["starts_at"].startswith(f"{day.isoformat()}T10:00:00+0")
    left = _slots(client, cut, start=day.isoformat(), end=day.isoformat(), performer_id=ola.pk)
    assert all("T10:00" not in s["starts_at"] for s in left.json()["slots"])

    token = body["manage_url"].rstrip("/").split("/")[-1]
    moved = client.post(
        f"/api/public/hair-by-ola/manage/{token}/reschedule",
        json.dumps({"starts_at": f"{day.isoformat()}T14:00:00+01:00"}),
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert Booking.objects.get(pk=body["id"]).session.starts_at.astimezone(WARSAW).hour in (14, 15)


def test_a4_any_available_assigns_a_performer(client, salon, live_now):
    _, cut, ola, ewa = salon
    day = _day(live_now)
    base = {"service_id": cut.pk, "starts_at": f"{day.isoformat()}T11:00:00", "name": "A"}
    first = _book(client, {**base, "email": "a@x.test"}).json()
    second = _book(client, {**base, "email": "b@x.test"}).json()
    third = _book(client, {**base, "email": "c@x.test"})

    performers = {Booking.objects.get(pk=b["id"]).performer_id for b in (first, second)}
    assert performers == {ola.pk, ewa.pk}
    _problem(third, 409, "slot_not_available")


@pytest.mark.parametrize(
    ("_case", "change", "status", "code"),
    [
        ("not on the grid", {"starts_at": "T10:05:00"}, 409, "slot_not_available"),
        ("in the past", {"starts_at": "past"}, 409, "slot_not_available"),
        ("beyond the horizon", {"starts_at": "far"}, 409, "slot_not_available"),
        ("malformed time", {"starts_at": "tomorrow at ten"}, 422, "validation"),
        ("unknown service", {"service_id": 999_999}, 404, "service_not_found"),
    ],
)
def test_a6_bad_appointment_requests_are_problems_and_write_nothing(
    client, salon, live_now, _case, change, status, code
):
    _, cut, ola, _ = salon
    day = _day(live_now)
    body = {
        "service_id": cut.pk,
        "performer_id": ola.pk,
        "name": "A",
        "email": "a@x.test",
        "starts_at": f"{day.isoformat()}T10:00:00",
    }
    value = change.get("starts_at")
    if value == "past":
        change = {"starts_at": (live_now - dt.timedelta(days=1)).isoformat()}
    elif value == "far":
        change = {"starts_at": f"{(day + dt.timedelta(days=90)).isoformat()}T10:00:00"}
    elif value and value.startswith("T"):
        change = {"starts_at": f"{day.isoformat()}{value}"}
    _problem(_book(client, {**body, **change}), status, code)
    assert Booking.objects.count() == 0


def test_a6_another_business_performer_or_service_is_404(client, salon, live_now):
    _, cut, _, _ = salon
    rival = builders.make_business(name="Rival", slug="rival", plan=PlanCode.STARTER, now=live_now)
    spy = builders.make_performer(rival, "Spy")
    theirs = builders.make_appointment_service(rival, performers=[spy], now=live_now)
    day = _day(live_now)
    body = {"name": "A", "email": "a@x.test", "starts_at": f"{day.isoformat()}T10:00:00"}

    _problem(
        _book(client, {**body, "service_id": cut.pk, "performer_id": spy.pk}),
        404,
        "performer_not_found",
    )
    _problem(_book(client, {**body, "service_id": theirs.pk}), 404, "service_not_found")
    assert client.get(f"/api/public/hair-by-ola/services/{theirs.pk}/slots").status_code == 404
    _problem(_slots(client, cut, performer_id=spy.pk), 404, "performer_not_found")
    assert Booking.objects.count() == 0


def test_a6_slot_ranges_are_checked(client, salon, live_now):
    _, cut, _, _ = salon
    day = _day(live_now)
    too_long = _slots(
        client, cut, start=day.isoformat(), end=(day + dt.timedelta(days=62)).isoformat()
    )
    backwards = _slots(
        client, cut, start=day.isoformat(), end=(day - dt.timedelta(days=1)).isoformat()
    )
    malformed = _slots(client, cut, start="2026-02-30")

    _problem(too_long, 422, "range_too_long")
    _problem(backwards, 422, "validation")
    assert malformed.status_code == 422


def test_a6_a_naive_time_in_the_dst_gap_is_refused(client, salon):
    _, cut, ola, _ = salon
    response = _book(
        client,
        {
            "service_id": cut.pk,
            "performer_id": ola.pk,
            "name": "A",
            "email": "a@x.test",
            "starts_at": "2027-03-28T02:30:00",
        },
    )
    _problem(response, 422, "nonexistent_local_time")


def test_group_run_lists_are_empty_for_an_appointment_service(client, salon):
    _, cut, _, _ = salon
    assert client.get(f"/api/public/hair-by-ola/services/{cut.pk}/runs").json() == []
