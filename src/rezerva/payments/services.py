"""Writes for money: starting Checkout, applying Stripe events once, late payments, refunds.

Stripe is called outside any row lock (CONVENTIONS §4.9); state changes re-lock and re-check.
"""

import datetime as dt
import logging

import stripe
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q

from rezerva.booking.links import manage_url
from rezerva.booking.models import Booking, BookingStatus, SeriesPurchase
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services.appointments import appointment_still_free
from rezerva.core.errors import ValidationFailed
from rezerva.core.events import (
    BOOKING_CONFIRMED,
    PAID_WITHOUT_SEAT,
    PAYMENT_PROBLEM,
    PURCHASE_CONFIRMED,
    DomainEvent,
    notify,
)
from rezerva.core.locking import is_contention, lock_timeout
from rezerva.payments import gateway
from rezerva.payments.errors import (
    HoldExpired,
    PaymentNotStarted,
    RefundFailed,
    RefundNotAllowed,
    RefundTooLarge,
)
from rezerva.payments.models import Payment, Refund, StripeEvent
from rezerva.scheduling.locks import sessions_for_update
from rezerva.tenancy.services import log_activity

logger = logging.getLogger("rezerva.payments")
Target = Booking | SeriesPurchase
HANDLED_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


def _payment_of(target: Target) -> Payment | None:
    field = "purchase" if isinstance(target, SeriesPurchase) else "booking"
    return Payment.objects.filter(**{field: target}).first()


def _lines(target: Target) -> list[tuple[str, str, int]]:
    """One line per package (S1: the runs listed in the description) or per run."""
    if isinstance(target, SeriesPurchase):
        runs = target.bookings.select_related("session").order_by("session__starts_at")
        dates = ", ".join(f"{b.session.starts_at:%Y-%m-%d %H:%M} UTC" for b in runs)
        return [
            (target.series.title, f"{runs.count()} sessions: {dates}"[:500], target.price_minor)
        ]
    run = target.session
    label = "Drop-in: " if target.kind == Booking.Kind.DROP_IN else ""
    return [
        (f"{label}{run.service.name}", f"{run.starts_at:%Y-%m-%d %H:%M} UTC", target.price_minor)
    ]


def start_checkout(*, target: Target, now: dt.datetime) -> Payment:
    """B3: the one Checkout Session for a pending paid-online booking or purchase (reused)."""
    business = target.business
    if target.status != BookingStatus.PENDING or not target.hold_is_active(now):
        raise HoldExpired()
    field = "purchase" if isinstance(target, SeriesPurchase) else "booking"
    try:
        payment, _ = Payment.objects.get_or_create(
            **{field: target},
            defaults={
                "business": business,
                "provider": Payment.Provider.STRIPE,
                "amount_minor": target.price_minor,
                "currency": target.currency,
                "stripe_account_id": business.stripe_account_id,
            },
        )
    except IntegrityError:
        payment = _payment_of(target)
    if payment.checkout_url and payment.status == Payment.Status.PENDING:
        return payment
    link = manage_url(target)
    try:
        session = gateway.create_checkout_session(
            account=payment.stripe_account_id,
            lines=_lines(target),
            currency=payment.currency,
            metadata={
                "payment_id": str(payment.pk),
                "business_id": str(business.pk),
                f"{field}_id": str(target.pk),
            },
            customer_email=target.guest_email,
            success_url=f"{link}?paid=1",
            cancel_url=f"{link}?cancelled=1",
            now=now,
            # Same key for a double submit: Stripe answers with the same session.
            idempotency_key=f"rezerva-checkout-{payment.pk}-{payment.checkout_attempt + 1}",
        )
    except stripe.StripeError as exc:
        logger.warning("checkout for payment %s failed: %s", payment.pk, exc)
        raise PaymentNotStarted() from exc
    Payment.objects.filter(pk=payment.pk).update(
        stripe_checkout_session_id=session.id,
        checkout_url=session.url,
        checkout_attempt=F("checkout_attempt") + 1,
        updated_at=now,
    )
    payment.refresh_from_db()
    return payment


class EventNotApplied(Exception):
    """A verified event could not be applied now (Stripe unreachable, rows locked): the webhook
    answers `status` and the event stays open, so Stripe's retry runs it again."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _claim_event(event: dict) -> StripeEvent | None:
    """The event's row, new or left open by a failed attempt; None once it was applied or
    ignored (a replay). Seen means processed, never merely received (F1)."""
    record, _ = StripeEvent.objects.get_or_create(
        stripe_event_id=event["id"],
        defaults={
            "type": event["type"],
            "account": event.get("account") or "",
            "payload": event,
        },
    )
    if record.status in (StripeEvent.Status.SUCCEEDED, StripeEvent.Status.IGNORED):
        return None
    StripeEvent.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
    return record


def _event_failed(record: StripeEvent, exc: BaseException) -> None:
    StripeEvent.objects.filter(pk=record.pk).update(
        status=StripeEvent.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
    )


def handle_stripe_event(*, event: stripe.Event | dict, now: dt.datetime) -> str:
    """Apply a verified event at most once; the Checkout Session is re-read before any change.
    Raises EventNotApplied on a transient failure, leaving the event open for Stripe's retry."""
    if not isinstance(event, dict):
        event = event.to_dict()
    record = _claim_event(event)
    if record is None:
        return "duplicate"
    try:
        outcome = _apply(event, record, now)
    except stripe.StripeError as exc:
        _event_failed(record, exc)
        raise EventNotApplied(502, "Stripe could not be read; please retry.") from exc
    except OperationalError as exc:
        _event_failed(record, exc)
        if is_contention(exc):
            raise EventNotApplied(503, "Lock timeout, please try again.") from exc
        raise
    except Exception as exc:
        _event_failed(record, exc)
        raise
    status = (
        StripeEvent.Status.SUCCEEDED
        if outcome.startswith("applied")
        else (StripeEvent.Status.IGNORED)
    )
    StripeEvent.objects.filter(pk=record.pk).update(status=status, error=outcome[:500])
    return outcome


def _apply(event: dict, record: StripeEvent, now: dt.datetime) -> str:
    if event["type"] not in HANDLED_EVENTS:
        return "ignored: not a checkout event"
    session_id = event["data"]["object"]["id"]
    payment = (
        Payment.objects.select_related("business")
        .filter(stripe_checkout_session_id=session_id)
        .first()
    )
    if payment is None:
        return "ignored: unknown checkout session"
    # An event from another connected account never touches this business's payment.
    if (event.get("account") or "") != payment.stripe_account_id:
        return "ignored: account does not own this checkout session"
    StripeEvent.objects.filter(pk=record.pk).update(business=payment.business)
    session = gateway.retrieve_checkout_session(
        account=payment.stripe_account_id, session_id=session_id
    )
    return _apply_session(payment, session, event["type"], now)


def _apply_session(
    payment: Payment, session: gateway.CheckoutSession, event_type: str | None, now: dt.datetime
) -> str:
    """Bring a payment in line with its Checkout Session as Stripe reports it now (the webhook
    and the sweep's reconciliation share this; `event_type` is None for the sweep)."""
    if session.status == "complete" and session.payment_status == "paid":
        if session.amount_total != payment.amount_minor or session.currency != payment.currency:
            return "applied: problem recorded: " + _record_problem(
                payment,
                f"Stripe took {session.amount_total} {session.currency}, the booking expected "
                f"{payment.amount_minor} {payment.currency} (payment {session.payment_intent}).",
                now,
            )
        return "applied: " + apply_payment_received(
            payment=payment, payment_intent=session.payment_intent, now=now
        )
    if session.status == "complete" and event_type == "checkout.session.async_payment_failed":
        return "applied: " + _close_unpaid(payment, Payment.Status.FAILED, now)
    if session.status == "complete":
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
            status=Payment.Status.PROCESSING, updated_at=now
        )
        return "applied: processing"
    if session.status == "expired":
        return "applied: " + _close_unpaid(payment, Payment.Status.EXPIRED, now)
    return "ignored: session still open"


def _record_problem(payment: Payment, problem: str, now: dt.datetime) -> str:
    """Money that does not match is never applied and never dropped silently: the owner sees
    it on the dashboard and gets one email per problem."""
    with transaction.atomic():
        changed = (
            Payment.objects.filter(pk=payment.pk)
            .exclude(problem=problem[:300])
            .update(problem=problem[:300], problem_at=now, updated_at=now)
        )
        if changed:
            log_activity(
                business=payment.business,
                actor=None,
                action="payment.problem",
                target=payment.pk,
                problem=problem[:300],
            )
            target = _target(payment)
            notify(
                DomainEvent(
                    PAYMENT_PROBLEM,
                    payment.business_id,
                    booking_ids=tuple(s.pk for s in _seats_of(target)),
                    data={"payment_id": payment.pk, "problem": problem[:300]},
                )
            )
    return "amount or currency differs from the payment"


def resolve_payment_problem(*, payment: Payment, actor, now: dt.datetime) -> None:
    """The owner dealt with a payment problem (at Stripe or with the guest): clear it."""
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(problem="", problem_at=None, updated_at=now)
        log_activity(
            business=payment.business,
            actor=actor,
            action="payment.problem_resolved",
            target=payment.pk,
        )


def _target(payment: Payment) -> Target:
    return payment.purchase if payment.purchase_id else payment.booking


def _seats_of(target: Target) -> list[Booking]:
    if isinstance(target, SeriesPurchase):
        return list(Booking.objects.filter(purchase=target).order_by("pk"))
    return [target]


def apply_payment_received(*, payment: Payment, payment_intent: str, now: dt.datetime) -> str:
    """B4: money arrived. Confirm if the hold is live or seats are still free (locks and
    recount as in placing); otherwise the booking becomes "paid, no seat". Never twice."""
    target = _target(payment)
    business = payment.business
    seats = _seats_of(target)
    with transaction.atomic(), lock_timeout():
        runs = sessions_for_update(business=business, session_ids=[s.session_id for s in seats])
        locked = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
        if locked.status == Payment.Status.PAID:
            return "already paid"
        target.refresh_from_db()
        live = target.status == BookingStatus.PENDING and target.hold_is_active(now)
        fits = live
        if not live and target.status != BookingStatus.CANCELLED:
            taken = seats_taken(session_ids=[r.pk for r in runs], now=now)
            fits = all(
                not r.is_cancelled and r.is_upcoming(now) and taken[r.pk] < r.capacity for r in runs
            )
            if fits and isinstance(target, Booking) and target.kind == Booking.Kind.APPOINTMENT:
                # The private run is always free; the performer may not be any more (A5).
                fits = appointment_still_free(booking=target, now=now)
        new_status = BookingStatus.CONFIRMED if fits else BookingStatus.PAID_NO_SEAT
        Payment.objects.filter(pk=locked.pk).update(
            status=Payment.Status.PAID,
            stripe_payment_intent_id=payment_intent,
            paid_at=now,
            updated_at=now,
        )
        changes = {"status": new_status, "hold_expires_at": None, "updated_at": now}
        if fits:
            changes["confirmed_at"] = now
        type(target).objects.filter(pk=target.pk).update(**changes)
        if isinstance(target, SeriesPurchase):
            Booking.objects.filter(purchase=target).update(**changes)
        log_activity(
            business=business,
            actor=None,
            action="payment.received",
            target=locked.pk,
            outcome=new_status,
            late=not live,
        )
        booking_ids = tuple(s.pk for s in seats)
        is_purchase = isinstance(target, SeriesPurchase)
        if fits:
            notify(
                DomainEvent(
                    PURCHASE_CONFIRMED if is_purchase else BOOKING_CONFIRMED,
                    business.pk,
                    booking_ids=booking_ids,
                    purchase_id=target.pk if is_purchase else None,
                )
            )
        else:
            notify(
                DomainEvent(
                    PAID_WITHOUT_SEAT,
                    business.pk,
                    booking_ids=booking_ids,
                    data={"payment_id": locked.pk},
                )
            )
    return "confirmed" if fits else "paid, no seat"


def _close_unpaid(payment: Payment, status: str, now: dt.datetime) -> str:
    """Expired or failed checkout: the payment closes; a still-pending booking frees its seats."""
    target = _target(payment)
    with transaction.atomic():
        changed = Payment.objects.filter(
            pk=payment.pk, status__in=[Payment.Status.PENDING, Payment.Status.PROCESSING]
        ).update(status=status, updated_at=now)
        if not changed:
            return "already closed"
        pending = {"status": BookingStatus.PENDING}
        type(target).objects.filter(pk=target.pk, **pending).update(
            status=BookingStatus.EXPIRED, updated_at=now
        )
        if isinstance(target, SeriesPurchase):
            Booking.objects.filter(purchase=target, **pending).update(
                status=BookingStatus.EXPIRED, updated_at=now
            )
    return status


def expire_lapsed_checkouts(*, now: dt.datetime, limit: int = 200) -> int:
    """B4: close the Checkout Session of every lapsed hold, so it can no longer be paid.

    A session Stripe reports as already complete is left alone: its completed event will arrive
    and the late-payment rule applies."""
    lapsing = [BookingStatus.PENDING, BookingStatus.EXPIRED]
    lapsed = (
        Payment.objects.filter(
            status=Payment.Status.PENDING, stripe_checkout_session_id__isnull=False
        )
        .filter(
            Q(booking__status__in=lapsing, booking__hold_expires_at__lte=now)
            | Q(purchase__status__in=lapsing, purchase__hold_expires_at__lte=now)
        )
        .order_by("pk")[:limit]
    )
    closed = 0
    for payment in lapsed:
        try:
            gateway.expire_checkout_session(
                account=payment.stripe_account_id, session_id=payment.stripe_checkout_session_id
            )
        except stripe.InvalidRequestError:
            # Already complete or expired at Stripe: apply what it says now, webhook or not.
            _reconcile(payment, now)
            continue
        except stripe.StripeError as exc:
            logger.warning("expiring checkout %s failed: %s", payment.pk, exc)
            continue
        _close_unpaid(payment, Payment.Status.EXPIRED, now)
        closed += 1
    return closed


RECONCILE_AFTER = dt.timedelta(minutes=5)
RECONCILE_EVERY = dt.timedelta(minutes=10)


def _reconcile(payment: Payment, now: dt.datetime) -> str:
    """Re-read one payment's Checkout Session and apply it; a Stripe error waits for next time."""
    Payment.objects.filter(pk=payment.pk).update(checked_at=now)
    try:
        session = gateway.retrieve_checkout_session(
            account=payment.stripe_account_id, session_id=payment.stripe_checkout_session_id
        )
    except stripe.StripeError as exc:
        logger.warning("reconciling payment %s failed: %s", payment.pk, exc)
        return "not reached"
    return _apply_session(payment, session, None, now)


def reconcile_pending_payments(*, now: dt.datetime, limit: int = 100) -> int:
    """F1: a late or lost webhook never loses money. Payments still awaiting money a few minutes
    after Checkout started are re-read from Stripe (each at most every RECONCILE_EVERY) and
    applied exactly as the webhook would; returns how many changed."""
    due = (
        Payment.objects.select_related("business")
        .filter(
            status__in=[Payment.Status.PENDING, Payment.Status.PROCESSING],
            stripe_checkout_session_id__isnull=False,
            problem="",
            updated_at__lte=now - RECONCILE_AFTER,
        )
        .filter(Q(checked_at__isnull=True) | Q(checked_at__lte=now - RECONCILE_EVERY))
        .order_by("checked_at", "pk")[:limit]
    )
    changed = 0
    for payment in due:
        outcome = _reconcile(payment, now)
        if outcome.startswith("applied") and outcome != "applied: processing":
            changed += 1
    return changed


def refund_payment(
    *, payment: Payment, amount_minor: int, reason: str, actor, now: dt.datetime
) -> Refund:
    """S3/G5: an explicit, owner-chosen refund through Stripe; never more than what is left."""
    reason = (reason or "").strip()
    if amount_minor <= 0:
        raise ValidationFailed({"amount": "Enter an amount above zero."})
    if not reason:
        raise ValidationFailed({"reason": "Say why (the guest and your records will see it)."})
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
        if locked.provider != Payment.Provider.STRIPE or locked.status != Payment.Status.PAID:
            raise RefundNotAllowed("Only payments received through Stripe can be refunded here.")
        if amount_minor > locked.refundable_minor:
            raise RefundTooLarge(
                f"At most {locked.refundable_minor} (minor units) is left to refund."
            )
        # Reserve the amount first, so two refunds racing can never exceed what was paid.
        Payment.objects.filter(pk=locked.pk).update(
            refunded_minor=F("refunded_minor") + amount_minor, updated_at=now
        )
        refund = Refund.objects.create(
            business=locked.business,
            payment=locked,
            amount_minor=amount_minor,
            reason=reason[:300],
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
    try:
        refund_id = gateway.create_refund(
            account=locked.stripe_account_id,
            payment_intent=locked.stripe_payment_intent_id,
            amount_minor=amount_minor,
            metadata={"refund_id": str(refund.pk)},
            idempotency_key=f"rezerva-refund-{refund.pk}",
        )
    except stripe.StripeError as exc:
        with transaction.atomic():
            Payment.objects.filter(pk=locked.pk).update(
                refunded_minor=F("refunded_minor") - amount_minor, updated_at=now
            )
            Refund.objects.filter(pk=refund.pk).update(
                status=Refund.Status.FAILED, error=str(exc)[:500]
            )
        raise RefundFailed(f"Stripe refused the refund: {exc.user_message or exc}") from exc
    with transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(
            status=Refund.Status.SUCCEEDED, stripe_refund_id=refund_id
        )
        log_activity(
            business=locked.business,
            actor=actor,
            action="payment.refunded",
            target=locked.pk,
            amount_minor=amount_minor,
            reason=reason[:300],
        )
    refund.refresh_from_db()
    return refund
