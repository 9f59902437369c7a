"""Oversized request bodies are refused with 413 before anything reads them, and create nothing."""

import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from rezerva.booking.models import Booking
from tests import builders

LIMIT = 64 * 1024


class UnreadableInput(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def readable(self) -> bool:
        return True

    def read(self, size=-1):
        raise AssertionError("the body was read")

    readinto = read


class CountingInput(io.RawIOBase):
    """An endless body (like a chunked upload) that counts how much of it was read."""

    def __init__(self) -> None:
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"x" * len(buffer)
        self.bytes_read += len(buffer)
        return len(buffer)


@pytest.fixture
def run(db, settings):
    settings.REQUEST_BODY_MAX_BYTES = LIMIT
    now = timezone.now()
    business = builders.make_business(name="Studio", slug="big-studio", now=now)
    service = builders.make_group_service(business, now=now)
    return builders.make_session(service, capacity=10, now=now)


def test_an_api_booking_with_an_oversized_body_is_a_413_problem_and_nothing_is_read_or_booked(
    client, run
):
    response = client.generic(
        "POST",
        "/api/public/big-studio/bookings",
        b"",
        content_type="application/json",
        CONTENT_LENGTH=str(LIMIT + 1),
        **{"wsgi.input": UnreadableInput()},
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["code"]) == (
        "https://rezerva.app/problems/payload_too_large",
        "payload_too_large",
    )
    assert Booking.objects.count() == 0


def test_a_booking_form_with_an_oversized_body_gets_a_413_page_and_books_nothing(client, run):
    padding = "x" * LIMIT
    form = {"name": "Anna", "email": "anna@example.com", "idempotency_key": "k" * 32, "p": padding}

    response = client.post(reverse("hub:book_run", args=["big-studio", run.pk]), form)

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert b"too large" in response.content
    assert Booking.objects.count() == 0


def test_a_body_just_under_the_limit_reaches_the_view(client, run):
    body = {"name": "Anna", "email": "anna@example.com", "session_id": run.pk}
    raw = json.dumps(body)
    raw = raw[:-1] + " " * (LIMIT - len(raw)) + "}"

    response = client.post("/api/public/big-studio/bookings", raw, content_type="application/json")

    assert len(raw) == LIMIT
    assert response.status_code == 201
    assert Booking.objects.count() == 1


def test_the_stripe_webhook_may_carry_more_than_the_form_limit(client, run):
    event = json.dumps({"id": "evt_big", "padding": "x" * (2 * LIMIT)})

    response = client.post(
        reverse("payments:stripe_webhook"),
        event,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=forged",
    )

    # Past the size check, refused on its (forged) signature instead.
    assert response.status_code == 400
    assert response.content == b"invalid signature"


def test_a_chunked_body_without_content_length_is_never_read_past_djangos_cap(
    client, run, settings
):
    endless = CountingInput()

    response = client.generic(
        "POST",
        "/api/public/big-studio/bookings",
        b"",
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": endless},
    )

    assert response.status_code < 500
    assert endless.bytes_read <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    assert Booking.objects.count() == 0
