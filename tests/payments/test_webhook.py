"""Invariant 5 and B4: verified events applied once, Checkout re-read, late money never lost."""

import pytest

from rezerva.booking.models import Booking
from rezerva.booking.services import GuestDetails, book_run, expire_holds
from rezerva.payments.models import Payment, StripeEvent
from rezerva.payments.selectors import paid_without_seat
from rezerva.payments.services import expire_lapsed_checkouts, start_checkout
from rezerva.tenancy.models import ActivityLog
from tests import builders
from tests.payments.conftest import WEBHOOK, buy_paid_series, later, statuses


def test_paying_confirms_the_booking_once_the_webhook_arrives(stripe_fake, inbox, checkout, now):
    _, booking, payment = checkout

    stripe_fake.pay(payment.stripe_checkout_session_id)
    assert statuses(booking, payment) == ("pending", "pending")  # until the webhook
    (response,) = inbox.flush()

    assert response.status_code == 200
    assert statuses(booking, payment) == ("confirmed", "paid")
    assert payment.stripe_payment_intent_id.startswith("pi_")
    assert booking.hold_expires_at is None
    assert StripeEvent.objects.get().status == "succeeded"


def test_a_replayed_event_is_acknowledged_and_changes_nothing(stripe_fake, inbox, checkout):
    _, booking, payment = checkout
    stripe_fake.pay(payment.stripe_checkout_session_id)
    (payload, headers) = inbox.waiting[0]
    inbox.flush()

    replay = inbox.post(payload, headers)

    assert (replay.status_code, replay.content) == (200, b"duplicate")
    assert StripeEvent.objects.count() == 1
    assert ActivityLog.objects.filter(action="payment.received").count() == 1
    assert statuses(booking, payment) == ("confirmed", "paid")


@pytest.mark.parametrize("_case", ["forged secret", "missing header", "stale timestamp"])
def test_a_bad_signature_is_refused_with_400_and_nothing_changes(
    stripe_fake, inbox, checkout, client, _case
):
    _, booking, payment = checkout
    stripe_fake.pay(payment.stripe_checkout_session_id)
    event = stripe_fake.events_sent[-1]["event"]
    if _case == "forged secret":
        payload, headers = stripe_fake.signed(event, secret="whsec_attacker")
    elif _case == "missing header":
        payload, headers = stripe_fake.signed(event)[0], {}
    else:
        payload, headers = stripe_fake.signed(event, timestamp=1_000_000)

    response = inbox.post(payload, headers)

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    assert statuses(booking, payment) == ("pending", "pending")


def test_an_event_from_another_account_never_touches_this_business(stripe_fake, inbox, checkout):
    _, booking, payment = checkout
    session = stripe_fake.sessions[payment.stripe_checkout_session_id]
    forged = stripe_fake.build_event(
        "checkout.session.completed",
        {**session, "status": "complete", "payment_status": "paid"},
        account="acct_someoneelse",
    )

    response = inbox.post(*stripe_fake.signed(forged))

    assert response.status_code == 200
    assert StripeEvent.objects.get().status == "ignored"
    assert statuses(booking, payment) == ("pending", "pending")


def test_an_event_body_claiming_payment_is_not_trusted_the_session_is_re_read(
    stripe_fake, inbox, checkout
):
    _, booking, payment = checkout
    session = stripe_fake.sessions[payment.stripe_checkout_session_id]
    lying = stripe_fake.build_event(
        "checkout.session.completed",
        {**session, "status": "complete", "payment_status": "paid"},
        account="acct_test123456",
    )

    inbox.post(*stripe_fake.signed(lying))

    assert statuses(booking, payment) == ("pending", "pending")  # Stripe says: still open


def test_b4_payment_after_the_hold_lapsed_confirms_when_the_seat_is_still_free(
    stripe_fake, inbox, checkout, now
):
    _, booking, payment = checkout
    stripe_fake.pay(payment.stripe_checkout_session_id)
    expire_holds(now=later(now, 20))
    booking.refresh_from_db()
    assert booking.status == "expired"

    with_clock = later(now, 21)
    from rezerva.payments import services

    services.handle_stripe_event(event=stripe_fake.events_sent[-1]["event"], now=with_clock)

    assert statuses(booking, payment) == ("confirmed", "paid")


def test_b4_payment_after_the_hold_lapsed_and_the_run_filled_is_paid_no_seat(
    stripe_fake, inbox, checkout, business, now
):
    run, booking, payment = checkout
    stripe_fake.pay(payment.stripe_checkout_session_id)
    # The hold lapsed and somebody else took the only seat before the webhook arrived.
    taker = book_run(
        business=business,
        session_id=run.pk,
        guest=GuestDetails("Jan", "jan@example.com"),
        now=later(now, 20),
    )
    assert taker.status == "pending"
    from rezerva.payments import services

    services.handle_stripe_event(event=stripe_fake.events_sent[-1]["event"], now=later(now, 21))

    assert statuses(booking, payment) == ("paid_no_seat", "paid")
    assert paid_without_seat(business=business) == [payment]
    assert Booking.objects.filter(session=run, status__in=["confirmed", "pending"]).count() == 1


def test_b4_a_lapsed_hold_expires_its_checkout_session_and_frees_the_seat(
    stripe_fake, inbox, checkout, business, now
):
    run, booking, payment = checkout

    closed = expire_lapsed_checkouts(now=later(now, 16))

    assert closed == 1
    assert stripe_fake.sessions[payment.stripe_checkout_session_id]["status"] == "expired"
    assert statuses(booking, payment) == ("expired", "expired")
    again = book_run(
        business=business,
        session_id=run.pk,
        guest=GuestDetails("Jan", "jan@example.com"),
        now=later(now, 17),
    )
    assert again.session_id == run.pk


def test_async_payment_failure_releases_the_seat(stripe_fake, inbox, checkout, now):
    _, booking, payment = checkout
    stripe_fake.pay(payment.stripe_checkout_session_id, async_payment=True)
    inbox.flush()
    assert statuses(booking, payment) == ("pending", "processing")

    stripe_fake.settle_async(payment.stripe_checkout_session_id, succeeded=False)
    inbox.flush()

    assert statuses(booking, payment) == ("expired", "failed")


def test_async_payment_success_confirms(stripe_fake, inbox, checkout):
    _, booking, payment = checkout
    stripe_fake.pay(payment.stripe_checkout_session_id, async_payment=True)
    stripe_fake.settle_async(payment.stripe_checkout_session_id, succeeded=True)
    inbox.flush()

    assert statuses(booking, payment) == ("confirmed", "paid")


def test_s1_a_paid_series_is_confirmed_on_every_run_by_one_payment(
    stripe_fake, inbox, business, paid_service, now
):
    from rezerva.catalog.models import PriceType

    series = builders.make_series(
        paid_service, runs=3, price_type=PriceType.ONLINE, price_minor=12000, now=now
    )
    purchase = buy_paid_series(business, series, now)
    payment = start_checkout(target=purchase, now=now)

    stripe_fake.pay(payment.stripe_checkout_session_id)
    inbox.flush()

    purchase.refresh_from_db()
    assert purchase.status == "confirmed"
    assert sorted(purchase.bookings.values_list("status", flat=True)) == ["confirmed"] * 3
    assert Payment.objects.get(pk=payment.pk).status == "paid"


def test_the_webhook_only_accepts_post(client):
    assert client.get(WEBHOOK).status_code == 405
