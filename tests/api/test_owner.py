"""The owner API behind a per-business token: same services, same rules, tenant-scoped."""

import json

import pytest

from rezerva.booking.models import Booking
from rezerva.booking.services import GuestDetails, book_run
from rezerva.catalog.models import Service
from rezerva.scheduling.models import Session
from rezerva.tenancy.plans import PlanCode


def test_owner_endpoints_need_a_valid_token(client, shop):
    response = client.get("/api/owner/services", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_owner_lists_services_and_adds_a_run_in_local_time(client, shop, owner_token):
    _, service, _, _ = shop
    assert [s["id"] for s in client.get("/api/owner/services", **owner_token).json()] == [
        service.pk
    ]
    response = client.post(
        f"/api/owner/services/{service.pk}/runs",
        json.dumps(
            {
                "starts_at": "2027-03-30T18:00:00",
                "ends_at": "2027-03-30T19:30:00",
                "capacity": 6,
                "address": "Main street 1",
            }
        ),
        content_type="application/json",
        **owner_token,
    )
    assert response.status_code == 201
    (run,) = response.json()
    assert run["starts_at"] == "2027-03-30T18:00:00+02:00"
    assert Session.objects.get(pk=run["id"]).starts_at.isoformat() == "2027-03-30T16:00:00+00:00"


def test_owner_run_validation_is_a_field_problem(client, shop, owner_token):
    service = shop[1]
    response = client.post(
        f"/api/owner/services/{service.pk}/runs",
        json.dumps(
            {
                "starts_at": "2027-03-30T18:00:00",
                "ends_at": "2027-03-30T17:00:00",
                "capacity": 6,
                "address": "x",
            }
        ),
        content_type="application/json",
        **owner_token,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"ends_at": "The end must be after the start."}


@pytest.mark.parametrize(
    ("_case", "method", "path"),
    [
        ("runs of a rival service", "get", "/api/owner/services/{service}/runs"),
        ("participants of a rival run", "get", "/api/owner/runs/{run}/participants"),
        ("cancel a rival run", "post", "/api/owner/runs/{run}/cancel"),
        ("series of a rival service", "get", "/api/owner/services/{service}/series"),
    ],
)
def test_another_business_ids_answer_404(client, shop, rival, owner_token, _case, method, path):
    _, rival_service, rival_run = rival
    url = path.format(service=rival_service.pk, run=rival_run.pk)
    call = getattr(client, method)
    kwargs = {"content_type": "application/json", "data": "{}"} if method == "post" else {}
    response = call(url, **kwargs, **owner_token)
    assert response.status_code == 404
    rival_run.refresh_from_db()
    assert rival_run.cancelled_at is None


def test_a_starter_business_cannot_create_a_group_service_over_the_api(client, shop, owner_token):
    business = shop[0]
    business.plan = PlanCode.STARTER
    business.save(update_fields=["plan"])
    response = client.post(
        "/api/owner/services",
        json.dumps({"kind": "group", "name": "Yoga"}),
        content_type="application/json",
        **owner_token,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "feature_not_in_plan"
    assert not Service.objects.filter(name="Yoga").exists()


def test_owner_cancels_a_run_and_its_participants_are_cancelled(
    client, shop, owner_token, live_now
):
    business, _, lone, _ = shop
    booking = book_run(
        business=business,
        session_id=lone.pk,
        guest=GuestDetails("Ann", "ann@example.com"),
        now=live_now,
    )
    people = client.get(f"/api/owner/runs/{lone.pk}/participants", **owner_token).json()
    assert [(p["booking_id"], p["kind"], p["status"]) for p in people] == [
        (booking.pk, "single", "confirmed")
    ]
    response = client.post(
        f"/api/owner/runs/{lone.pk}/cancel",
        json.dumps({"reason": "ill"}),
        content_type="application/json",
        **owner_token,
    )
    assert response.json() == {"bookings_cancelled": 1}
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
