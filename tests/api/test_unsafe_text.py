"""NUL bytes and disguising characters in API bodies (security review F8, F11): a 422
problem+json naming the field, never a 500, and nothing written."""

import json

import pytest

from rezerva.booking.models import Booking
from rezerva.catalog.models import Service
from rezerva.core.text import NUL_REASON
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import Business


def _post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def _problem(response) -> dict:
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["status"]) == ("validation", 422)
    # Body fields are named as ninja locates them: "payload.<field>".
    return {key.removeprefix("payload."): value for key, value in body["errors"].items()}


@pytest.mark.parametrize("field", ["name", "email", "phone", "coupon_code"])
def test_nul_byte_in_a_public_booking_is_a_422_problem_not_a_500(client, shop, field):
    business, _, lone, _ = shop
    body = {"session_id": lone.pk, "name": "Ann", "email": "ann@example.test", "phone": ""}
    body[field] = "a\u0000b"

    response = _post(client, f"/api/public/{business.slug}/bookings", body)

    assert _problem(response) == {field: NUL_REASON}
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    ("_case", "body", "errors"),
    [
        ("NUL in the name", {"name": "a\u0000b"}, {"name": NUL_REASON}),
        ("NUL in the description", {"name": "Yoga", "description": "x\u0000"},
         {"description": NUL_REASON}),
        ("right-to-left override in the name", {"name": "Yoga \u202egpj.exe"},
         {"name": "Remove the invisible text-direction character (U+202E); "
                  "it changes how the text reads."}),
        ("newline in the name", {"name": "Yoga\nBcc: x"}, {"name": "Keep it on one line."}),
        ("NUL in the kind", {"name": "Yoga", "kind": "group\u0000"}, {"kind": NUL_REASON}),
    ],
)  # fmt: skip
def test_nul_byte_and_unsafe_names_in_the_owner_api_service_are_a_422_problem(
    client, shop, owner_token, _case, body, errors
):
    before = Service.objects.count()

    response = _post(client, "/api/owner/services", body, **owner_token)

    assert _problem(response) == errors
    assert Service.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("title", "Lesson \u2067one\u2069", "Remove the invisible text-direction character "
         "(U+2067); it changes how the text reads."),
        ("title", "Lesson\u0000", NUL_REASON),
        ("address", "Main\u0000street", NUL_REASON),
        ("meeting_url", "https://x.test/\u0000", NUL_REASON),
    ],
)  # fmt: skip
def test_nul_byte_and_unsafe_run_titles_in_the_owner_api_are_a_422_problem(
    client, shop, owner_token, field, value, reason
):
    service = shop[1]
    before = Session.objects.count()
    body = {
        "starts_at": "2030-03-30T18:00:00",
        "ends_at": "2030-03-30T19:00:00",
        "capacity": 5,
        "address": "Main street 1",
        field: value,
    }

    response = _post(client, f"/api/owner/services/{service.pk}/runs", body, **owner_token)

    assert _problem(response) == {field: reason}
    assert Session.objects.count() == before


def test_nul_byte_in_a_run_cancel_reason_is_a_422_problem(client, shop, owner_token):
    lone = shop[2]

    response = _post(
        client, f"/api/owner/runs/{lone.pk}/cancel", {"reason": "Ill\u0000"}, **owner_token
    )

    assert _problem(response) == {"reason": NUL_REASON}
    assert Session.objects.get(pk=lone.pk).cancelled_at is None


def test_nul_byte_in_the_path_is_a_400_problem_before_any_query(client, shop):
    response = client.get("/api/public/api-studio%00/services")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "nul_character"
    assert Business.objects.filter(slug="api-studio").exists()
