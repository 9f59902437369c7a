"""Writes for bookings: placing (single, drop-in, series), cancelling, expiring holds."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from rezerva.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy
from rezerva.core.locking import lock_timeout
from rezerva.notify.events import SESSION_CANCELLED, DomainEvent, notify
from rezerva.scheduling.errors import SessionAlreadyCancelled
from rezerva.scheduling.locks import sessions_for_update
from rezerva.scheduling.models import Session
from rezerva.tenancy.services import log_activity


@dataclass
class CancelResult:
    bookings_cancelled: int


def cancel_session(*, session: Session, actor, reason: str = "", now: dt.datetime) -> CancelResult:
    """G5/S6: cancel a run and every active booking on it; notify; never refund."""
    business = session.business
    with transaction.atomic(), lock_timeout():
        (run,) = sessions_for_update(business=business, session_ids=[session.pk])
        if run.is_cancelled:
            raise SessionAlreadyCancelled()
        booking_ids = list(
            Booking.objects.filter(business=business, session=run, status__in=ACTIVE_STATUSES)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Booking.objects.filter(pk__in=booking_ids).update(
            status=BookingStatus.CANCELLED,
            cancelled_at=now,
            cancelled_by=CancelledBy.OWNER,
            updated_at=now,
        )
        run.cancelled_at = now
        run.cancel_reason = reason
        run.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        log_activity(
            business=business,
            actor=actor,
            action="session.cancelled",
            target=run.pk,
            bookings_cancelled=len(booking_ids),
            reason=reason,
        )
        notify(
            DomainEvent(
                SESSION_CANCELLED,
                business.pk,
                booking_ids=tuple(booking_ids),
                session_id=run.pk,
                data={"reason": reason},
            )
        )
    session.cancelled_at, session.cancel_reason = run.cancelled_at, run.cancel_reason
    return CancelResult(bookings_cancelled=len(booking_ids))
