"""The only module that talks to Stripe, through the official SDK's StripeClient.

Every call names the business's connected account and carries an idempotency key, so a retry
can never create a second Checkout Session or refund.
"""

import datetime as dt
from dataclasses import dataclass

import stripe
from django.conf import settings

CHECKOUT_LIFETIME = dt.timedelta(minutes=31)  # Stripe's minimum is 30 minutes; holds end sooner


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    status: str  # open | complete | expired
    payment_status: str  # unpaid | paid | no_payment_required
    amount_total: int
    currency: str
    payment_intent: str


def client() -> stripe.StripeClient:
    """A StripeClient for the platform keys (STRIPE_API_BASE points tests at the local fake)."""
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        max_network_retries=2,
        http_client=stripe.new_default_http_client(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def _session(obj) -> CheckoutSession:
    obj = obj.to_dict()
    intent = obj.get("payment_intent") or ""
    if not isinstance(intent, str):
        intent = intent.get("id", "")
    return CheckoutSession(
        id=obj["id"],
        url=obj.get("url") or "",
        status=obj["status"],
        payment_status=obj["payment_status"],
        amount_total=int(obj.get("amount_total") or 0),
        currency=(obj.get("currency") or "").upper(),
        payment_intent=intent,
    )


def create_checkout_session(
    *,
    account: str,
    lines: list[tuple[str, str, int]],
    currency: str,
    metadata: dict[str, str],
    customer_email: str,
    success_url: str,
    cancel_url: str,
    now: dt.datetime,
    idempotency_key: str,
) -> CheckoutSession:
    """One Checkout Session; `lines` are (name, description, unit amount in minor units)."""
    params = {
        "mode": "payment",
        "success_url": success_url,
        "cancel_url": cancel_url,
        "customer_email": customer_email,
        "client_reference_id": metadata.get("payment_id", ""),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "expires_at": int((now + CHECKOUT_LIFETIME).timestamp()),
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": amount,
                    "product_data": {"name": name, **({"description": desc} if desc else {})},
                },
            }
            for name, desc, amount in lines
        ],
    }
    obj = client().v1.checkout.sessions.create(
        params=params, options={"stripe_account": account, "idempotency_key": idempotency_key}
    )
    return _session(obj)


def retrieve_checkout_session(*, account: str, session_id: str) -> CheckoutSession:
    """Re-read a Checkout Session from Stripe (never trust the event body alone)."""
    obj = client().v1.checkout.sessions.retrieve(session_id, options={"stripe_account": account})
    return _session(obj)


def expire_checkout_session(*, account: str, session_id: str) -> CheckoutSession:
    """Close an open Checkout Session so a lapsed hold cannot be paid any more."""
    obj = client().v1.checkout.sessions.expire(session_id, options={"stripe_account": account})
    return _session(obj)


def create_refund(
    *,
    account: str,
    payment_intent: str,
    amount_minor: int,
    metadata: dict[str, str],
    idempotency_key: str,
) -> str:
    """Refund part or all of a payment; returns Stripe's refund id."""
    obj = client().v1.refunds.create(
        params={"payment_intent": payment_intent, "amount": amount_minor, "metadata": metadata},
        options={"stripe_account": account, "idempotency_key": idempotency_key},
    )
    return obj["id"]


def verify_event(payload: bytes, signature: str | None) -> stripe.Event:
    """Verify the Stripe-Signature header (raises stripe.SignatureVerificationError/ValueError)."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
