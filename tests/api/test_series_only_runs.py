"""The owner API and a series-only service (security review item 8): a run outside any series
could never be booked, so it is refused with a problem type; `series_id` creates it in a series."""

import json

import pytest

from rezerva.catalog.models import SalesMode
from rezerva.scheduling.models import Session
from tests import builders

RUN = {
    "starts_at": "2030-03-30T18:00:00",
    "ends_at": "2030-03-30T19:30:00",
    "capacity": 6,
    "address": "Main street 1",
}


@pytest.fixture
def series_only(shop, live_now):
    business = shop[0]
    service = builders.make_group_service(
        business, name="Course", sales_mode=SalesMode.SERIES, now=live_now
    )
    series = builders.make_series(service, runs=1, now=live_now)
    return service, series


def _add_run(client, service, token, **extra):
    return client.post(
        f"/api/owner/services/{service.pk}/runs",
        json.dumps({**RUN, **extra}),
        content_type="application/json",
        **token,
    )


def test_series_only_service_refuses_a_run_outside_any_series_over_the_api(
    client, series_only, owner_token
):
    service, _ = series_only
    before = Session.objects.filter(service=service).count()

    response = _add_run(client, service, owner_token)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["type"], problem["code"]) == (
        "https://rezerva.app/problems/run_needs_series",
        "run_needs_series",
    )
    assert problem["errors"] == {
        "series_id": "This service is sold as series only, so a session outside a series could "
        "never be booked. Create it in one of the service's series (series_id)."
    }
    assert Session.objects.filter(service=service).count() == before


def test_series_only_service_accepts_a_run_created_in_its_series_over_the_api(
    client, series_only, owner_token
):
    service, series = series_only

    response = _add_run(client, service, owner_token, series_id=series.pk)

    assert response.status_code == 201
    (run,) = response.json()
    assert run["series_id"] == series.pk
    assert Session.objects.get(pk=run["id"]).series_id == series.pk


def test_series_only_a_series_of_another_service_is_refused(client, shop, series_only, owner_token):
    _, series = series_only
    other_service = shop[1]
    before = Session.objects.count()

    response = _add_run(client, other_service, owner_token, series_id=series.pk)

    assert response.status_code == 409
    assert response.json()["code"] == "run_not_attachable"
    assert Session.objects.count() == before


def test_series_only_another_business_series_id_is_404(client, series_only, rival, owner_token):
    service, _ = series_only
    rival_series = builders.make_series(rival[1], runs=0, now=rival[2].starts_at)
    before = Session.objects.count()

    response = _add_run(client, service, owner_token, series_id=rival_series.pk)

    assert response.status_code == 404
    assert Session.objects.count() == before


def test_series_only_rule_leaves_single_session_services_alone(client, shop, owner_token):
    service = shop[1]  # sales mode "single"

    response = _add_run(client, service, owner_token)

    assert response.status_code == 201
    assert response.json()[0]["series_id"] is None
