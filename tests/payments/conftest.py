"""Payments run the real stripe SDK against tests/fakes' Stripe server; signatures are real."""

import datetime as dt

import pytest
from django.utils import timezone

from rezerva.booking.services import GuestDetails, book_run, purchase_series
from rezerva.catalog.models import PriceType
from tests import builders
from tests.fakes.stripe_server import FakeStripe

WEBHOOK = "/payments/stripe/webhook/"


class Inbox:
    """Collects the fake's signed webhooks so the test thread posts them to the app."""

    def __init__(self, client):
        self.client = client
        self.waiting: list[tuple[bytes, dict]] = []

    def __call__(self, payload: bytes, headers: dict) -> int:
        self.waiting.append((payload, headers))
        return 200

    def post(self, payload: bytes, headers: dict):
        return self.client.post(
            WEBHOOK,
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=headers.get("Stripe-Signature", ""),
        )

    def flush(self) -> list:
        """Post every waiting event to the webhook; returns the responses."""
        sent, self.waiting = self.waiting, []
        return [self.post(payload, headers) for payload, headers in sent]


@pytest.fixture
def now():
    """The webhook view reads the real clock, so payment scenarios are built on it too."""
    return timezone.now()


@pytest.fixture
def inbox(client):
    return Inbox(client)


@pytest.fixture
def stripe_fake(settings, inbox, now):
    """The fake Stripe on a free port, its clock pinned to the tests' `now`."""
    clock = {"now": now}
    with FakeStripe(deliver=inbox, clock=lambda: clock["now"].timestamp()) as fake:
        settings.STRIPE_API_BASE = fake.url
        fake.clock = clock
        yield fake


@pytest.fixture
def paid_service(business, now):
    """A group service paid online at 50.00 PLN, sold single and as series."""
    return builders.make_group_service(
        business, price_type=PriceType.ONLINE, price_minor=5000, now=now
    )


def book_paid_run(business, run, now, email="anna@example.com"):
    """A pending paid-online single booking (the guest is on the way to Stripe)."""
    return book_run(
        business=business, session_id=run.pk, guest=GuestDetails("Anna", email), now=now
    )


def buy_paid_series(business, series, now, email="ola@example.com"):
    return purchase_series(
        business=business, series_id=series.pk, guest=GuestDetails("Ola", email), now=now
    )


def later(now: dt.datetime, minutes: int) -> dt.datetime:
    return now + dt.timedelta(minutes=minutes)


@pytest.fixture
def checkout(stripe_fake, business, paid_service, now):
    """A guest holding the only seat of a paid run, with an open Checkout Session."""
    from rezerva.payments.services import start_checkout

    run = builders.make_session(paid_service, capacity=1, now=now)
    booking = book_paid_run(business, run, now)
    payment = start_checkout(target=booking, now=now)
    return run, booking, payment


def statuses(booking, payment) -> tuple[str, str]:
    """(booking status, payment status) as stored now."""
    booking.refresh_from_db()
    payment.refresh_from_db()
    return booking.status, payment.status
