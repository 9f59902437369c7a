"""Stripe's webhook: verify the signature first, then apply each event at most once."""

import logging

import stripe
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rezerva.payments import gateway
from rezerva.payments.services import EventNotApplied, handle_stripe_event

logger = logging.getLogger("rezerva.payments")


@csrf_exempt  # authenticated by the Stripe-Signature header instead
@require_POST
def stripe_webhook(request):
    """Missing, forged or stale signature: 400 and nothing changes. Replays: 200, no effect.
    Stripe unreachable (502) or rows locked (503): the event stays open for Stripe's retry."""
    try:
        event = gateway.verify_event(request.body, request.headers.get("Stripe-Signature"))
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("invalid signature", content_type="text/plain")
    try:
        outcome = handle_stripe_event(event=event, now=timezone.now())
    except EventNotApplied as exc:
        logger.warning("stripe event %s %s not applied: %s", event["id"], event["type"], exc)
        response = HttpResponse(exc.message, status=exc.status, content_type="text/plain")
        if exc.status == 503:
            response["Retry-After"] = "5"
        return response
    logger.info("stripe event %s %s: %s", event["id"], event["type"], outcome)
    return HttpResponse(outcome, content_type="text/plain")
