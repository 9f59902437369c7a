"""B3: one Stripe Checkout Session per paid run or whole series, exactly as Stripe receives it."""

import pytest

from rezerva.catalog.models import PriceType
from rezerva.core.errors import ValidationFailed
from rezerva.payments.errors import HoldExpired
from rezerva.payments.models import Payment
from rezerva.payments.services import start_checkout
from rezerva.scheduling.services import SeriesInput, create_series
from tests import builders
from tests.payments.conftest import book_paid_run, buy_paid_series, later


def test_b3_a_paid_run_gets_one_checkout_session_in_minor_units_for_the_connected_account(
    stripe_fake, business, paid_service, now
):
    run = builders.make_session(paid_service, now=now)
    booking = book_paid_run(business, run, now)

    payment = start_checkout(target=booking, now=now)

    session = stripe_fake.sessions[payment.stripe_checkout_session_id]
    (line,) = stripe_fake.line_items[session["id"]]
    create = next(r for r in stripe_fake.requests if r["path"] == "/v1/checkout/sessions")
    assert booking.status == "pending"
    assert (payment.amount_minor, payment.currency, payment.status) == (5000, "PLN", "pending")
    assert (session["amount_total"], session["currency"]) == (5000, "pln")
    assert session["metadata"] == {
        "payment_id": str(payment.pk),
        "business_id": str(business.pk),
        "booking_id": str(booking.pk),
    }
    assert line["price_data"]["unit_amount"] == 5000
    assert create["headers"]["Stripe-Account"] == "acct_test123456"
    assert create["headers"]["Idempotency-Key"] == f"rezerva-checkout-{payment.pk}-1"
    assert payment.checkout_url == session["url"]


def test_b3_starting_checkout_twice_reuses_the_same_session(
    stripe_fake, business, paid_service, now
):
    booking = book_paid_run(business, builders.make_session(paid_service, now=now), now)

    first = start_checkout(target=booking, now=now)
    second = start_checkout(target=booking, now=now)

    assert first.stripe_checkout_session_id == second.stripe_checkout_session_id
    assert len(stripe_fake.sessions) == 1
    assert Payment.objects.count() == 1


def test_s1_a_series_is_one_checkout_with_one_line_listing_its_runs(
    stripe_fake, business, paid_service, now
):
    series = builders.make_series(
        paid_service, runs=3, price_type=PriceType.ONLINE, price_minor=12000, now=now
    )
    purchase = buy_paid_series(business, series, now)

    payment = start_checkout(target=purchase, now=now)

    (line,) = stripe_fake.line_items[payment.stripe_checkout_session_id]
    product = line["price_data"]["product_data"]
    assert purchase.status == "pending"
    assert stripe_fake.sessions[payment.stripe_checkout_session_id]["amount_total"] == 12000
    assert product["name"] == "Spring course"
    assert product["description"].startswith("3 sessions: ")
    assert payment.purchase_id == purchase.pk


def test_b4_no_checkout_once_the_hold_has_lapsed(stripe_fake, business, paid_service, now):
    booking = book_paid_run(business, builders.make_session(paid_service, now=now), now)

    with pytest.raises(HoldExpired):
        start_checkout(target=booking, now=later(now, 16))

    assert stripe_fake.sessions == {}
    assert Payment.objects.count() == 0


def test_a_business_without_stripe_cannot_sell_online_and_is_told_why(db, now):
    business = builders.make_business(stripe_account_id="", now=now)
    service = builders.make_group_service(business, now=now)

    with pytest.raises(ValidationFailed) as caught:
        builders.make_group_service(business, price_type=PriceType.ONLINE, now=now)
    with pytest.raises(ValidationFailed) as caught_series:
        create_series(
            business=business,
            service=service,
            actor=None,
            now=now,
            data=SeriesInput(title="Course", price_type=PriceType.ONLINE, price_minor=100),
        )

    assert "Connect your Stripe account" in caught.value.errors["price_type"]
    assert "Connect your Stripe account" in caught_series.value.errors["price_type"]
    assert business.service_set.count() == 1
