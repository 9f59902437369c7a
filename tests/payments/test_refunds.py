"""S3/G5: refunds happen only when the owner asks, through Stripe, never above what was paid."""

import pytest

from rezerva.booking.models import CancelledBy
from rezerva.booking.services import GuestDetails, book_run, cancel_booking
from rezerva.core.errors import ValidationFailed
from rezerva.payments.errors import RefundNotAllowed, RefundTooLarge
from rezerva.payments.models import Payment, Refund
from rezerva.payments.services import refund_payment, start_checkout
from tests import builders
from tests.payments.conftest import book_paid_run


@pytest.fixture
def paid(stripe_fake, inbox, business, paid_service, now):
    """A booking paid online (50.00 PLN) and confirmed through the webhook."""
    booking = book_paid_run(business, builders.make_session(paid_service, now=now), now)
    payment = start_checkout(target=booking, now=now)
    stripe_fake.pay(payment.stripe_checkout_session_id)
    inbox.flush()
    payment.refresh_from_db()
    assert payment.status == "paid"
    return booking, payment


def test_g5_cancelling_a_paid_booking_refunds_nothing_by_itself(stripe_fake, paid, owner, now):
    booking, payment = paid

    cancel_booking(booking=booking, by=CancelledBy.OWNER, actor=owner, now=now)

    payment.refresh_from_db()
    assert payment.refunded_minor == 0
    assert stripe_fake.refunds == {}
    assert Refund.objects.count() == 0


def test_a_partial_refund_goes_through_stripe_and_is_recorded_with_who_and_why(
    stripe_fake, paid, owner, now
):
    _, payment = paid

    refund = refund_payment(
        payment=payment, amount_minor=2000, reason="Missed one hour", actor=owner, now=now
    )

    payment.refresh_from_db()
    (stripe_refund,) = stripe_fake.refunds.values()
    assert (refund.status, refund.amount_minor, refund.actor, refund.reason) == (
        "succeeded",
        2000,
        owner,
        "Missed one hour",
    )
    assert refund.stripe_refund_id == stripe_refund["id"]
    assert (stripe_refund["amount"], stripe_refund["payment_intent"]) == (
        2000,
        payment.stripe_payment_intent_id,
    )
    assert (payment.refunded_minor, payment.refundable_minor) == (2000, 3000)


def test_a_refund_larger_than_what_is_left_is_refused_and_nothing_is_sent(
    stripe_fake, paid, owner, now
):
    _, payment = paid
    refund_payment(payment=payment, amount_minor=4000, reason="Most of it", actor=owner, now=now)

    with pytest.raises(RefundTooLarge):
        refund_payment(payment=payment, amount_minor=1001, reason="More", actor=owner, now=now)

    payment.refresh_from_db()
    assert payment.refunded_minor == 4000
    assert len(stripe_fake.refunds) == 1
    assert Refund.objects.count() == 1


@pytest.mark.parametrize(("_case", "amount", "reason"), [("zero", 0, "x"), ("no reason", 100, "")])
def test_a_refund_needs_an_amount_and_a_reason(
    stripe_fake, paid, owner, now, _case, amount, reason
):
    _, payment = paid
    with pytest.raises(ValidationFailed):
        refund_payment(payment=payment, amount_minor=amount, reason=reason, actor=owner, now=now)
    assert Refund.objects.count() == 0


def test_an_on_site_payment_cannot_be_refunded_through_stripe(business, owner, now):
    service = builders.make_group_service(business, name="On site", now=now)
    booking = book_run(
        business=business,
        session_id=builders.make_session(service, now=now).pk,
        guest=GuestDetails("A", "a@example.com"),
        now=now,
    )
    cash = Payment.objects.create(
        business=business,
        booking=booking,
        provider="on_site",
        status="paid",
        amount_minor=5000,
        currency="PLN",
    )

    with pytest.raises(RefundNotAllowed):
        refund_payment(payment=cash, amount_minor=50, reason="x", actor=owner, now=now)

    cash.refresh_from_db()
    assert cash.refunded_minor == 0
    assert Refund.objects.count() == 0


def test_the_owner_refunds_from_the_payment_page(stripe_fake, paid, owner_client):
    _, payment = paid

    response = owner_client.post(
        f"/dashboard/payments/{payment.pk}/", {"amount": "50.00", "reason": "Course moved"}
    )

    payment.refresh_from_db()
    assert response.status_code == 302
    assert payment.refunded_minor == 5000
    assert Refund.objects.get().reason == "Course moved"


def test_another_business_payment_page_is_404(stripe_fake, paid, client, other_business):
    _, payment = paid
    intruder = builders.owner_of(other_business)
    client.force_login(intruder)

    response = client.post(f"/dashboard/payments/{payment.pk}/", {"amount": "1", "reason": "x"})

    assert response.status_code == 404
    assert Refund.objects.count() == 0
