"""NUL characters in a request (security review F8): a 400 before any view or query runs, a
problem+json under /api/, a short page elsewhere; nothing is written."""

import pytest
from django.urls import reverse
from django.utils import timezone

from rezerva.booking.models import Booking
from rezerva.catalog.models import Service
from tests import builders
from tests.hub.helpers import book_run_url


@pytest.fixture
def run(business):
    service = builders.make_group_service(business, now=timezone.now())
    return builders.make_session(service, now=timezone.now())


def test_nul_character_in_a_guest_form_post_is_a_400_page_and_nothing_is_booked(client, run):
    response = client.post(
        book_run_url(run), {"name": "Ann\x00", "email": "ann@example.test", "idempotency_key": "k"}
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "invisible NUL character" in response.text
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    ["/lumen/?page=%00", "/lumen%00/", "/dashboard/?x%00=1"],
)
def test_nul_character_in_a_page_path_or_query_is_a_400_page(client, business, path):
    response = client.get(path)

    assert response.status_code == 400
    assert "invisible NUL character" in response.text


def test_nul_character_in_an_owner_page_form_is_refused_before_the_view(owner_client, business):
    response = owner_client.post(reverse("dashboard:service_create"), {"name": "Yo\x00ga"})

    assert response.status_code == 400
    assert Service.objects.filter(business=business).count() == 0


def test_nul_character_in_an_api_query_is_a_400_problem(client, business):
    response = client.get("/api/public/lumen/services?limit=%00")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://rezerva.app/problems/nul_character",
        "title": "The request contains a NUL character (U+0000), which we cannot accept.",
        "status": 400,
        "code": "nul_character",
    }


def test_nul_character_guard_lets_ordinary_requests_through(client, business):
    # JSON bodies are not form data: their "\u0000" is refused field by field (tests/api).
    assert client.get("/api/public/lumen/services?limit=5").status_code == 200
    assert client.get("/lumen/").status_code == 200
