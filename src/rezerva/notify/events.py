"""The one notify hook: domain services announce what happened; delivery happens after commit.

`notify` writes the event's outbox rows in the caller's transaction (notify/services.py), so a
rollback leaves nothing behind, and enqueues their send task only once the transaction commits.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

logger = logging.getLogger("rezerva.notify")

BOOKING_CONFIRMED = "booking.confirmed"
BOOKING_CANCELLED = "booking.cancelled"
PURCHASE_CONFIRMED = "purchase.confirmed"
PURCHASE_CANCELLED = "purchase.cancelled"
SESSION_CANCELLED = "session.cancelled"
SESSION_CHANGED = "session.changed"
PLAN_LIMIT_REACHED = "plan.limit_reached"
PAID_WITHOUT_SEAT = "payment.paid_without_seat"
PAYMENT_PROBLEM = "payment.problem"  # data["payment_id"], data["problem"]: owner must look
BOOKING_MOVED = "booking.moved"  # reschedule: data["from_session_id"] is the run it left
PARTICIPANTS_MESSAGED = "booking.messaged"  # owner's bulk message: data["subject"], data["body"]


@dataclass(frozen=True)
class DomainEvent:
    name: str
    business_id: int
    booking_ids: tuple[int, ...] = ()
    purchase_id: int | None = None
    session_id: int | None = None
    data: dict = field(default_factory=dict)


# Tests read this to see what was announced (cleared by a fixture); bounded by the test run.
DELIVERED: list[DomainEvent] = []


def notify(event: DomainEvent, *, business=None, bookings: Sequence = ()) -> None:
    """Announce an event: its emails are written now, in the caller's transaction, and queued
    for sending only if that transaction commits. Pass the business and bookings in hand (with
    their run loaded) to spare re-reading them."""
    # Imported here: the outbox needs booking models, and booking services import this module.
    from rezerva.notify.services import record_event

    outbound_ids = record_event(event, business=business, bookings=bookings)
    # robust: a failed enqueue must not fail the committed change; the sweep sends the rows.
    transaction.on_commit(lambda: deliver(event, outbound_ids), robust=True)


def deliver(event: DomainEvent, outbound_ids: list[int] | tuple[int, ...] = ()) -> None:
    """After commit: record the event and queue the send task for its outbox rows."""
    DELIVERED.append(event)
    logger.info(
        "event %s business=%s bookings=%s", event.name, event.business_id, event.booking_ids
    )
    if outbound_ids:
        from rezerva.notify.tasks import enqueue_emails

        try:
            enqueue_emails(list(outbound_ids))
        except DatabaseError as exc:
            # The change is committed and its outbox rows with it (the database went away
            # between the two); the sweep sends them after LOST_AFTER. A warning, not a crash.
            logger.warning(
                "send task not queued (%s); the outbox sweep will send rows %s",
                type(exc).__name__,
                list(outbound_ids),
            )
