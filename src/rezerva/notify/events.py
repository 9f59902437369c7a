"""The one notify hook: domain services announce what happened; delivery happens after commit.

The notifications issue fills `deliver` with emails and calendar data. Until then each event is
logged, so the hook's call sites (and their tests) are already in place.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction

logger = logging.getLogger("rezerva.notify")

BOOKING_CONFIRMED = "booking.confirmed"
BOOKING_CANCELLED = "booking.cancelled"
PURCHASE_CONFIRMED = "purchase.confirmed"
PURCHASE_CANCELLED = "purchase.cancelled"
SESSION_CANCELLED = "session.cancelled"
SESSION_CHANGED = "session.changed"
PLAN_LIMIT_REACHED = "plan.limit_reached"
PAID_WITHOUT_SEAT = "payment.paid_without_seat"
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


def notify(event: DomainEvent) -> None:
    """Announce an event; it is delivered only if the surrounding transaction commits."""
    transaction.on_commit(lambda: deliver(event))


def deliver(event: DomainEvent) -> None:
    """Hand an event to its channels (emails arrive with the notifications issue)."""
    DELIVERED.append(event)
    logger.info(
        "event %s business=%s bookings=%s", event.name, event.business_id, event.booking_ids
    )
