"""The recorder behind `core.events.notify`, registered by `NotifyConfig.ready()`.

`record_and_queue` writes the event's outbox rows in the caller's transaction (notify/services.py),
so a rollback leaves nothing behind, and enqueues their send task only once the transaction
commits. Modules in this app depend one way: core.events <- services <- tasks <- delivery <- apps.
"""

import logging
from collections.abc import Sequence

from django.db import DatabaseError, transaction

from rezerva.core import events
from rezerva.core.events import DomainEvent
from rezerva.notify import tasks
from rezerva.notify.services import record_event

logger = logging.getLogger("rezerva.notify")


def record_and_queue(event: DomainEvent, *, business=None, bookings: Sequence = ()) -> None:
    """Write the event's emails now, in the caller's transaction; queue them after commit."""
    outbound_ids = record_event(event, business=business, bookings=bookings)
    # robust: a failed enqueue must not fail the committed change; the sweep sends the rows.
    transaction.on_commit(lambda: deliver(event, outbound_ids), robust=True)


def deliver(event: DomainEvent, outbound_ids: list[int] | tuple[int, ...] = ()) -> None:
    """After commit: record the event and queue the send task for its outbox rows."""
    events.DELIVERED.append(event)
    logger.info(
        "event %s business=%s bookings=%s", event.name, event.business_id, event.booking_ids
    )
    if outbound_ids:
        try:
            tasks.enqueue_emails(list(outbound_ids))
        except DatabaseError as exc:
            # The change is committed and its outbox rows with it (the database went away
            # between the two); the sweep sends them after LOST_AFTER. A warning, not a crash.
            logger.warning(
                "send task not queued (%s); the outbox sweep will send rows %s",
                type(exc).__name__,
                list(outbound_ids),
            )
