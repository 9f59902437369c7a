"""Cancelling: a run (G5, S6), a series purchase (S3), one booking (B6). None of them refunds."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from rezerva.booking.errors import AlreadyCancelled, CancellationClosed
from rezerva.booking.locks import bookings_for_update, purchase_for_update
from rezerva.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy
from rezerva.booking.selectors import guest_cancel_deadline
from rezerva.core.events import (
    BOOKING_CANCELLED,
    PURCHASE_CANCELLED,
    SESSION_CANCELLED,
    DomainEvent,
    notify,
)
from rezerva.core.locking import lock_timeout
from rezerva.scheduling.errors import SessionAlreadyCancelled
from rezerva.scheduling.locks import sessions_for_update
from rezerva.scheduling.models import Session
from rezerva.tenancy.services import log_activity


@dataclass
class CancelResult:
    bookings_cancelled: int


def _cancel_rows(booking_ids: list[int], *, by: str, now: dt.datetime) -> int:
    """Mark active bookings cancelled; the status filter makes a repeat a no-op.

    Precondition: the caller holds these rows' locks, taken in id order when it read them (a
    bare multi-row UPDATE locks in scan order, and two overlapping cascades could deadlock)."""
    return Booking.objects.filter(pk__in=booking_ids, status__in=ACTIVE_STATUSES).update(
        status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by=by, updated_at=now
    )


def cancel_session(*, session: Session, actor, reason: str = "", now: dt.datetime) -> CancelResult:
    """G5/S6: cancel a run and every active booking on it; notify each guest; never refund."""
    business = session.business
    with transaction.atomic(), lock_timeout():
        (run,) = sessions_for_update(business=business, session_ids=[session.pk])
        if run.is_cancelled:
            raise SessionAlreadyCancelled()
        booking_ids = list(
            Booking.objects.select_for_update(of=("self",))
            .filter(business=business, session=run, status__in=ACTIVE_STATUSES)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        count = _cancel_rows(booking_ids, by=CancelledBy.OWNER, now=now)
        run.cancelled_at = now
        run.cancel_reason = reason
        run.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        log_activity(
            business=business,
            actor=actor,
            action="session.cancelled",
            target=run.pk,
            bookings_cancelled=count,
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
    return CancelResult(bookings_cancelled=count)


def cancel_series_purchase(*, purchase, by: str, actor=None, now: dt.datetime) -> CancelResult:
    """S3: cancel a purchase and its bookings on every run. A guest may do it only before the
    first run, within the notice period (B6); the owner at any time. Never refunds."""
    business = purchase.business
    with transaction.atomic(), lock_timeout():
        locked = purchase_for_update(business=business, purchase_id=purchase.pk)
        if locked.status not in ACTIVE_STATUSES:
            raise AlreadyCancelled("This purchase is already cancelled.")
        bookings = list(
            Booking.objects.select_for_update(of=("self",))
            .filter(purchase=locked)
            .select_related("session")
            .order_by("pk")
        )
        if by == CancelledBy.GUEST:
            deadline = guest_cancel_deadline(
                seats=bookings, notice_hours=business.cancellation_notice_hours
            )
            if deadline is not None and now >= deadline:
                raise CancellationClosed(
                    "A series can be cancelled online only before its first session "
                    f"(at least {business.cancellation_notice_hours} h ahead). "
                    "Please contact the business."
                )
        active_ids = [b.pk for b in bookings if b.status in ACTIVE_STATUSES]
        count = _cancel_rows(active_ids, by=by, now=now)
        locked.status = BookingStatus.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = by
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
        log_activity(
            business=business,
            actor=actor,
            action="purchase.cancelled",
            target=locked.pk,
            by=by,
            bookings_cancelled=count,
        )
        notify(
            DomainEvent(
                PURCHASE_CANCELLED,
                business.pk,
                purchase_id=locked.pk,
                booking_ids=tuple(active_ids),
                data={"by": by},
            )
        )
    purchase.status, purchase.cancelled_at = locked.status, locked.cancelled_at
    return CancelResult(bookings_cancelled=count)


def cancel_booking(*, booking: Booking, by: str, actor=None, now: dt.datetime) -> CancelResult:
    """Cancel one single or drop-in booking; a guest only within the notice period (B6).

    A seat bought with a series is cancelled with its purchase, never alone."""
    business = booking.business
    with transaction.atomic(), lock_timeout():
        (locked,) = bookings_for_update(business=business, booking_ids=[booking.pk])
        if locked.status not in ACTIVE_STATUSES:
            raise AlreadyCancelled("This booking is already cancelled.")
        if locked.kind == Booking.Kind.SERIES:
            raise CancellationClosed(
                "This seat is part of a series purchase; cancel the whole purchase instead."
            )
        deadline = guest_cancel_deadline(
            seats=[locked], notice_hours=business.cancellation_notice_hours
        )
        if by == CancelledBy.GUEST and deadline is not None and now >= deadline:
            raise CancellationClosed(
                f"Online cancellation closes {business.cancellation_notice_hours} h before the "
                "session. Please contact the business."
            )
        count = _cancel_rows([locked.pk], by=by, now=now)
        log_activity(
            business=business, actor=actor, action="booking.cancelled", target=locked.pk, by=by
        )
        notify(
            DomainEvent(
                BOOKING_CANCELLED,
                business.pk,
                booking_ids=(locked.pk,),
                session_id=locked.session_id,
                data={"by": by},
            )
        )
    booking.refresh_from_db(fields=["status", "cancelled_at", "cancelled_by"])
    return CancelResult(bookings_cancelled=count)
