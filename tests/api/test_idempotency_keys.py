"""F2 (security review): an Idempotency-Key is bound to the request that first used it. The same
request replays the first booking (marked as a replay); any other request with that key is
refused and learns nothing about the first booking."""

import datetime as dt
import json

from django.test import Client

from rezerva.booking.models import Booking, IdempotencyKey, SeriesPurchase
from rezerva.booking.services import GuestDetails, book_run
from tests.booking.helpers import new_key

VICTIM = {"name": "Victor Victim", "email": "victor@victim.test", "phone": "+49 170 1234567"}


def _book(client, body, key):
    return client.post(
        "/api/public/api-studio/bookings",
        json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_idempotency_key_borrowed_by_another_guest_is_refused_and_reveals_nothing(client, shop):
    _, _, lone, series = shop
    first = _book(client, {**VICTIM, "session_id": lone.pk}, "widget-order-000777")
    assert first.status_code == 201
    runs = list(series.sessions.order_by("pk"))

    borrowed = _book(
        Client(),
        {"name": "Mallory", "email": "mallory@evil.test", "session_id": runs[0].pk},
        "widget-order-000777",
    )

    assert borrowed.status_code == 409
    assert borrowed.json()["code"] == "idempotency_key_reused"
    text = borrowed.content.decode()
    assert first.json()["manage_url"] not in text
    assert str(first.json()["id"]) not in json.dumps(borrowed.json().get("id", ""))
    assert "victor" not in text.lower()
    assert Booking.objects.filter(guest_email="mallory@evil.test").count() == 0


def test_idempotency_key_with_the_same_target_but_another_email_is_refused(client, shop):
    lone = shop[2]
    _book(client, {**VICTIM, "session_id": lone.pk}, "same-run-key-01")

    other = _book(
        client, {**VICTIM, "email": "eve@x.test", "session_id": lone.pk}, "same-run-key-01"
    )

    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    assert Booking.objects.filter(session=lone).count() == 1


def test_idempotency_key_replayed_with_the_same_request_returns_the_first_booking_marked(
    client, shop
):
    lone = shop[2]
    first = _book(client, {**VICTIM, "session_id": lone.pk}, "retry-key-0042")
    again = _book(client, {**VICTIM, "session_id": lone.pk}, "retry-key-0042")

    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first.headers
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def test_idempotency_key_of_a_series_purchase_cannot_book_a_run(client, shop):
    _, _, lone, series = shop
    bought = _book(client, {**VICTIM, "series_id": series.pk}, "series-key-0001")
    assert bought.status_code == 201

    run = _book(client, {**VICTIM, "session_id": lone.pk}, "series-key-0001")

    assert (run.status_code, run.json()["code"]) == (409, "idempotency_key_reused")
    assert SeriesPurchase.objects.count() == 1
    assert IdempotencyKey.objects.get().purchase_id == bought.json()["id"]


def test_idempotency_key_expires_after_24_hours_and_can_place_a_new_booking(shop, live_now):
    business, _, lone, series = shop
    key = new_key()
    anna = GuestDetails("Anna", "anna@example.test")
    first = book_run(
        business=business, session_id=lone.pk, guest=anna, idempotency_key=key, now=live_now
    )
    run = series.sessions.order_by("pk").first()

    later = book_run(
        business=business,
        session_id=run.pk,
        guest=GuestDetails("Ola", "ola@example.test"),
        idempotency_key=key,
        now=live_now + dt.timedelta(hours=24, minutes=1),
    )

    assert later.pk != first.pk
    assert not getattr(later, "is_replay", False)
    assert IdempotencyKey.objects.get(key=key).booking_id == later.pk
