"""The owner API for availability and appointments (issue 13 items 1 and 6): the same services
as the pages, scoped to the token's business; refusals are problem types, nothing written."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from rezerva.availability.models import DateOverride, TimeOff, WeeklyHours
from rezerva.booking.models import Booking
from rezerva.tenancy.plans import PlanCode
from rezerva.tenancy.services import create_api_token
from tests import builders

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def salon(db, live_now):
    business = builders.make_business(
        name="Hair by Ola", slug="hair-by-ola", plan=PlanCode.STARTER, now=live_now
    )
    builders.set_week(business, None, {d: [("09:00", "17:00")] for d in range(7)})
    ola = builders.make_performer(business, "Ola")
    cut = builders.make_appointment_service(
        business,
        name="Cut",
        duration_minutes=45,
        slot_interval_minutes=15,
        performers=[ola],
        now=live_now,
    )
    _, raw = create_api_token(business=business, actor=None, name="tests")
    return business, cut, ola, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _call(client, method, path, auth, body=None):
    return getattr(client, method)(
        f"/api/owner{path}",
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        **auth,
    )


def _day(live_now, days=3):
    return live_now.astimezone(WARSAW).date() + dt.timedelta(days=days)


def test_a2_owner_sets_a_performer_week_with_a_break_over_the_api(client, salon):
    _business, _, ola, auth = salon
    week = {
        "intervals": [
            {"weekday": 0, "starts": "09:00", "ends": "12:00"},
            {"weekday": 0, "starts": "13:00", "ends": "17:00"},
        ]
    }
    before = _call(client, "get", f"/availability/weekly?performer_id={ola.pk}", auth).json()
    saved = _call(client, "put", f"/availability/weekly?performer_id={ola.pk}", auth, week)

    assert before["follows_default"] is True
    assert saved.status_code == 200
    assert saved.json()["follows_default"] is False
    assert len(saved.json()["intervals"]) == 2
    assert WeeklyHours.objects.filter(performer=ola).count() == 2


def test_a2_overlapping_intervals_are_refused_and_the_old_week_stays(client, salon):
    _, _, _ola, auth = salon
    bad = {
        "intervals": [
            {"weekday": 1, "starts": "09:00", "ends": "12:00"},
            {"weekday": 1, "starts": "11:00", "ends": "13:00"},
        ]
    }
    response = _call(client, "put", "/availability/weekly", auth, bad)
    assert response.status_code == 422
    assert WeeklyHours.objects.filter(performer__isnull=True).count() == 7


def test_a3_overrides_time_off_and_closures_over_the_api(client, salon, live_now):
    _business, _, ola, auth = salon
    day = _day(live_now)
    closed = _call(
        client,
        "put",
        f"/availability/overrides?performer_id={ola.pk}",
        auth,
        {"date": day.isoformat(), "intervals": []},
    )
    off = _call(
        client,
        "post",
        "/availability/time-off",
        auth,
        {"performer_id": ola.pk, "starts_at": f"{day}T09:00:00", "ends_at": f"{day}T12:00:00"},
    )
    closure = _call(
        client,
        "post",
        "/availability/time-off",
        auth,
        {"starts_at": f"{day}T13:00:00", "ends_at": f"{day}T18:00:00", "reason": "Training"},
    )
    listed = _call(client, "get", "/availability/time-off", auth).json()

    assert closed.status_code == 204
    assert DateOverride.objects.get(performer=ola).is_closed
    assert (off.status_code, closure.status_code) == (201, 201)
    assert [t["performer_id"] for t in listed] == [ola.pk, None]
    assert listed[0]["starts_at"].startswith(f"{day}T09:00:00+0")
    assert (
        _call(client, "delete", f"/availability/time-off/{off.json()['id']}", auth).status_code
        == 204
    )
    assert TimeOff.objects.count() == 1


def test_a9_owner_books_on_behalf_lists_moves_and_cancels(client, salon, live_now):
    _, cut, ola, auth = salon
    day = _day(live_now)
    body = {
        "service_id": cut.pk,
        "performer_id": ola.pk,
        "starts_at": f"{day}T19:00:00",
        "name": "Walk-in",
        "email": "walk@x.test",
    }
    created = _call(client, "post", "/appointments", auth, body)
    twice = _call(client, "post", "/appointments", auth, {**body, "starts_at": f"{day}T19:30:00"})
    listed = _call(client, "get", f"/appointments?start={day}&end={day}", auth).json()
    moved = _call(
        client,
        "post",
        f"/appointments/{created.json()['id']}/move",
        auth,
        {"starts_at": f"{day}T08:00:00"},
    )
    cancelled = _call(client, "post", f"/bookings/{created.json()['id']}/cancel", auth)

    assert created.status_code == 201, created.content
    assert created.json()["starts_at"].startswith(f"{day}T19:00:00+0")
    assert (twice.status_code, twice.json()["code"]) == (409, "slot_not_available")
    assert [a["guest_name"] for a in listed] == ["Walk-in"]
    assert moved.json()["starts_at"].startswith(f"{day}T08:00:00+0")
    assert cancelled.status_code == 200
    assert Booking.objects.get().status == "cancelled"


def test_a4_owner_sets_appointment_settings_and_bad_values_are_field_errors(client, salon):
    _, cut, ola, auth = salon
    ok = _call(
        client,
        "put",
        f"/services/{cut.pk}/appointment-settings",
        auth,
        {"duration_minutes": 30, "buffer_after_minutes": 10, "performer_ids": [ola.pk]},
    )
    bad = _call(
        client,
        "put",
        f"/services/{cut.pk}/appointment-settings",
        auth,
        {"duration_minutes": 2, "horizon_days": 0},
    )
    cut.refresh_from_db()

    assert ok.status_code == 204
    assert bad.status_code == 422
    assert (cut.duration_minutes, cut.buffer_after_minutes) == (30, 10)


def test_another_business_ids_are_404_on_the_owner_api(client, salon, live_now):
    _, cut, _, auth = salon
    rival = builders.make_business(name="Rival", slug="rival", plan=PlanCode.STARTER, now=live_now)
    spy = builders.make_performer(rival, "Spy")
    theirs = builders.make_appointment_service(rival, performers=[spy], now=live_now)
    off = TimeOff.objects.create(
        business=rival, performer=spy, starts_at=live_now, ends_at=live_now + dt.timedelta(hours=1)
    )
    day = _day(live_now)

    assert (
        _call(client, "get", f"/availability/weekly?performer_id={spy.pk}", auth).status_code == 404
    )
    assert _call(client, "delete", f"/availability/time-off/{off.pk}", auth).status_code == 404
    assert (
        _call(client, "put", f"/services/{theirs.pk}/appointment-settings", auth, {}).status_code
        == 404
    )
    booked = _call(
        client,
        "post",
        "/appointments",
        auth,
        {
            "service_id": cut.pk,
            "performer_id": spy.pk,
            "starts_at": f"{day}T10:00:00",
            "name": "X",
            "email": "x@x.test",
        },
    )
    assert booked.status_code == 404
    assert TimeOff.objects.filter(pk=off.pk).exists()
    assert Booking.objects.count() == 0


def test_the_owner_api_needs_a_token(client, salon):
    assert client.get("/api/owner/availability/weekly").status_code == 401
