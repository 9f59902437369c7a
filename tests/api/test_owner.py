"""The owner API behind a per-business token: same services, same rules, tenant-scoped."""

import json

import pytest

from rezerva.booking.models import Booking
from rezerva.booking.services import GuestDetails, book_run
from rezerva.catalog.models import Service
from rezerva.scheduling.models import Session
from rezerva.tenancy.plans import PlanCode
from tests import builders
from tests.api.pages import walk_pages


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


def test_owner_run_list_comes_in_pages_in_date_order(client, shop, owner_token, live_now):
    service = shop[1]
    for day in range(10, 15):
        builders.make_session(service, days_ahead=day, now=live_now)
    url = f"/api/owner/services/{service.pk}/runs"
    everything = client.get(url, **owner_token).json()

    pages = walk_pages(client, f"{url}?limit=2", **owner_token)

    assert len(everything) == 8  # the lone run, two series runs and five more
    assert [len(p) for p in pages] == [2, 2, 2, 2]
    assert [r["id"] for p in pages for r in p] == [r["id"] for r in everything]


def test_a_run_with_many_participants_is_listed_page_by_page(client, shop, owner_token):
    lone = shop[2]
    booked = builders.add_participants(lone, 7)
    url = f"/api/owner/runs/{lone.pk}/participants"

    pages = walk_pages(client, f"{url}?limit=3", **owner_token)

    assert [len(p) for p in pages] == [3, 3, 1]
    assert [b["booking_id"] for p in pages for b in p] == [b.pk for b in booked]
    assert "Link" not in client.get(url, **owner_token).headers  # 7 fit the default page


def test_series_buyers_come_newest_first_page_by_page(client, shop, owner_token):
    series = shop[3]
    bought = builders.add_series_buyers(series, 5)

    pages = walk_pages(client, f"/api/owner/series/{series.pk}/purchases?limit=2", **owner_token)

    assert [len(p) for p in pages] == [2, 2, 1]
    assert [b["id"] for p in pages for b in p] == [b.pk for b in reversed(bought)]


@pytest.mark.parametrize("query", ["limit=0", "limit=5001", "offset=-1"])
def test_a_bad_page_of_participants_is_a_clear_422(client, shop, owner_token, query):
    lone = shop[2]
    response = client.get(f"/api/owner/runs/{lone.pk}/participants?{query}", **owner_token)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
