"""Domain events: what writers announce, below every app that writes or reads them.

Writers (booking, payments, ...) build a `DomainEvent` and call `notify`; they never import the
readers. The notify app, which sits above the writers, registers the recorder in its
`AppConfig.ready()`: it writes the event's outbox rows in the caller's transaction (so a rollback
leaves nothing behind) and queues their delivery only once that transaction commits.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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
# The recorder appends each event once its transaction has committed.
DELIVERED: list[DomainEvent] = []

# recorder(event, *, business, bookings): records the event in the caller's transaction and
# queues its delivery for after commit. Set once at start-up by the notify app.
Recorder = Callable[..., None]
_recorder: Recorder | None = None


def register_recorder(recorder: Recorder) -> None:
    """Install the one recorder (the notify app's `ready()`); registering again replaces it."""
    global _recorder  # one process-wide hook, set at start-up
    _recorder = recorder


def notify(event: DomainEvent, *, business=None, bookings: Sequence = ()) -> None:
    """Announce an event: its emails are written now, in the caller's transaction, and queued
    for sending only if that transaction commits. Pass the business and bookings in hand (with
    their run loaded) to spare re-reading them."""
    if _recorder is None:
        # Never drop an event silently: without the notify app nothing would be sent.
        raise RuntimeError("no event recorder registered: is rezerva.notify in INSTALLED_APPS?")
    _recorder(event, business=business, bookings=bookings)
