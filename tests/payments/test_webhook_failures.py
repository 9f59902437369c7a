"""F1 (security review): a payment is never lost to a transient failure. An event counts as seen
only after it was applied; Stripe's retry runs a failed one again; the sweep re-reads payments
whose webhook is late or never came; a mismatch is shown to the owner, never dropped."""

import threading

import psycopg
import pytest
from django.db import connection

from rezerva.booking.services import expire_holds
from rezerva.notify.models import OutboundEmail
from rezerva.payments.models import Payment, StripeEvent
from rezerva.payments.selectors import payments_with_problems
from rezerva.payments.services import (
    expire_lapsed_checkouts,
    reconcile_pending_payments,
)
from tests.payments.conftest import later, statuses

SESSIONS = "/v1/checkout/sessions/"


def test_paid_but_never_recorded_a_stripe_error_answers_5xx_and_the_retry_confirms(
    stripe_fake, inbox, checkout
):
    _, booking, payment = checkout
    stripe_fake.pay(payment.stripe_checkout_session_id)
    payload, headers = inbox.waiting[0]
    stripe_fake.fail_next("GET", SESSIONS)

    first = inbox.post(payload, headers)

    assert first.status_code == 502
    event = StripeEvent.objects.get()
    assert (event.status, event.attempts) == ("failed", 1)
    assert statuses(booking, payment) == ("pending", "pending")

    retry = inbox.post(*stripe_fake.signed(stripe_fake.events_sent[-1]["event"]))

    assert (retry.status_code, retry.content) == (200, b"applied: confirmed")
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("succeeded", 2)
    assert statuses(booking, payment) == ("confirmed", "paid")
    assert inbox.post(payload, headers).content == b"duplicate"  # now it is seen


def test_paid_but_never_recorded_a_stripe_timeout_leaves_the_event_open(
    stripe_fake, inbox, checkout, settings
):
    _, booking, payment = checkout
    settings.STRIPE_TIMEOUT_SECONDS = 0.3
    stripe_fake.pay(payment.stripe_checkout_session_id)
    payload, headers = inbox.waiting[0]
    stripe_fake.delay_next("GET", SESSIONS, 1.0, times=3)  # the SDK's two retries time out too

    first = inbox.post(payload, headers)

    assert first.status_code == 502
    assert StripeEvent.objects.get().status == "failed"
    assert "Timeout" in StripeEvent.objects.get().error or "timed out" in (
        StripeEvent.objects.get().error
    )
    settings.STRIPE_TIMEOUT_SECONDS = 10
    assert inbox.post(payload, headers).status_code == 200
    assert statuses(booking, payment) == ("confirmed", "paid")


def test_paid_but_never_recorded_the_sweep_confirms_a_payment_whose_webhook_never_came(
    stripe_fake, inbox, checkout, now
):
    _, booking, payment = checkout
    stripe_fake.pay(payment.stripe_checkout_session_id)
    inbox.waiting.clear()  # Stripe's webhook is lost

    assert reconcile_pending_payments(now=later(now, 1)) == 0  # too soon: give it a chance
    assert reconcile_pending_payments(now=later(now, 6)) == 1

    assert statuses(booking, payment) == ("confirmed", "paid")
    assert reconcile_pending_payments(now=later(now, 30)) == 0  # nothing left to do


def test_paid_but_never_recorded_after_the_hold_lapsed_the_sweep_applies_the_late_money(
    stripe_fake, inbox, checkout, now
):
    """The review's reproduction: the webhook failed, the hold lapsed, the sweep ran."""
    _, booking, payment = checkout
    stripe_fake.fail_next("GET", SESSIONS)
    stripe_fake.pay(payment.stripe_checkout_session_id)
    assert inbox.flush()[0].status_code == 502

    expire_holds(now=later(now, 20))
    expire_lapsed_checkouts(now=later(now, 20))  # Stripe refuses: the session is complete

    assert statuses(booking, payment) == ("confirmed", "paid")  # B4: the seat was still free


def test_paid_but_never_recorded_an_event_read_before_stripe_completes_is_caught_by_the_sweep(
    stripe_fake, inbox, checkout, now
):
    """Out of order: the completed event arrives while Stripe still answers "open"."""
    _, booking, payment = checkout
    session = stripe_fake.sessions[payment.stripe_checkout_session_id]
    early = stripe_fake.build_event(
        "checkout.session.completed", dict(session), account=payment.stripe_account_id
    )
    assert inbox.post(*stripe_fake.signed(early)).content == b"ignored: session still open"
    stripe_fake.pay(payment.stripe_checkout_session_id)
    inbox.waiting.clear()

    reconcile_pending_payments(now=later(now, 6))

    assert statuses(booking, payment) == ("confirmed", "paid")


def test_paid_but_never_recorded_an_amount_mismatch_is_shown_to_the_owner_and_emailed(
    stripe_fake, inbox, checkout, business, now, owner_client
):
    _, booking, payment = checkout
    Payment.objects.filter(pk=payment.pk).update(amount_minor=4000)  # Stripe charges 5000
    stripe_fake.pay(payment.stripe_checkout_session_id)

    (response,) = inbox.flush()

    assert response.status_code == 200
    assert b"problem recorded" in response.content
    assert statuses(booking, payment) == ("pending", "pending")
    assert "5000 PLN" in payment.problem
    assert payments_with_problems(business=business) == [payment]
    alert = OutboundEmail.objects.get(kind="owner_alert")
    assert alert.data["alert"] == "payment_problem"
    home = owner_client.get("/dashboard/")
    assert "payments that did not match" in home.content.decode()
    # The sweep does not re-read or re-report it; the owner resolves it.
    assert reconcile_pending_payments(now=later(now, 6)) == 0
    assert OutboundEmail.objects.filter(kind="owner_alert").count() == 1
    owner_client.post(f"/dashboard/payments/{payment.pk}/problem/resolve/")
    assert payments_with_problems(business=business) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_paid_but_never_recorded_a_lock_timeout_answers_503_and_the_retry_confirms(
    stripe_fake, inbox, checkout
):
    run, booking, payment = checkout
    stripe_fake.pay(payment.stripe_checkout_session_id)
    payload, headers = inbox.waiting[0]
    params = connection.get_connection_params()
    held, release = threading.Event(), threading.Event()

    def hold_the_run():
        with psycopg.connect(**params, autocommit=False) as other:
            other.execute("SELECT 1 FROM scheduling_session WHERE id = %s FOR UPDATE", [run.pk])
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_run)
    holder.start()
    held.wait(5)
    try:
        busy = inbox.post(payload, headers)
    finally:
        release.set()
        holder.join()

    assert busy.status_code == 503
    assert busy["Retry-After"]
    assert StripeEvent.objects.get().status == "failed"
    assert inbox.post(payload, headers).status_code == 200
    assert statuses(booking, payment) == ("confirmed", "paid")
