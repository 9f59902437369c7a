"""Self-service reschedule (B6): a single or drop-in booking moves to another run of its service.

Same shape as placing (CONVENTIONS §4): lock both runs in id order, then the booking, re-check
everything under the locks, recount seats on the new run with the one selector, write, and
announce after commit. The booking keeps its price, its payment and its manage link.
"""

import datetime as dt

from django.db import OperationalError, transaction

from rezerva.booking.errors import (
    AlreadyCancelled,
    BookingBusy,
    CancellationClosed,
    SessionFull,
    SessionNotBookable,
    SessionNotFound,
)
from rezerva.booking.locks import bookings_for_update
from rezerva.booking.models import Booking, BookingStatus, CancelledBy
from rezerva.booking.selectors import guest_cancel_deadline, list_price_of, seats_taken
from rezerva.booking.services.place import _run_offer
from rezerva.catalog.models import Service
from rezerva.core.events import BOOKING_MOVED, DomainEvent, notify
from rezerva.core.locking import is_contention, lock_timeout
from rezerva.scheduling.locks import sessions_for_update
from rezerva.scheduling.models import Series
from rezerva.tenancy.services import log_activity


def _check_movable(locked: Booking, notice_hours: int, by: str, now: dt.datetime) -> None:
    if locked.kind == Booking.Kind.SERIES:
        raise SessionNotBookable(
            "A seat bought with a series can't be moved on its own; the series is one package."
        )
    if locked.status == BookingStatus.PENDING:
        raise SessionNotBookable("Pay for this booking first; then you can change the date.")
    if locked.status != BookingStatus.CONFIRMED:
        raise AlreadyCancelled("This booking is no longer active, so it can't be moved.")
    deadline = guest_cancel_deadline(seats=[locked], notice_hours=notice_hours)
    if by == CancelledBy.GUEST and (deadline is None or now >= deadline):
        raise CancellationClosed(
            f"Online changes close {notice_hours} h before the session. "
            "Please contact the business."
        )


def move_booking(
    *,
    booking: Booking,
    to_session_id: int,
    by: str = CancelledBy.GUEST,
    actor=None,
    now: dt.datetime,
) -> Booking:
    """B6: move a confirmed single or drop-in booking to another upcoming run of the same
    service with a free seat at the same price; a guest only before the notice period.

    Moving to the run it is already on returns it unchanged (a double-submitted form)."""
    business = booking.business
    try:
        with transaction.atomic(durable=True), lock_timeout():
            runs = sessions_for_update(
                business=business, session_ids=[booking.session_id, to_session_id]
            )
            target = next((r for r in runs if r.pk == to_session_id), None)
            (locked,) = bookings_for_update(business=business, booking_ids=[booking.pk])
            if locked.session_id == to_session_id and locked.status == BookingStatus.CONFIRMED:
                return locked
            _check_movable(locked, business.cancellation_notice_hours, by, now)
            if target is None:
                raise SessionNotFound()
            if target.service_id != locked.session.service_id:
                raise SessionNotBookable("Choose another date of the same service.")
            service = Service.objects.get(pk=target.service_id)
            series = Series.objects.get(pk=target.series_id) if target.series_id else None
            kind = Booking.Kind.DROP_IN if series else Booking.Kind.SINGLE
            offer = _run_offer(target, service, series, kind, now)
            if offer.price_type != locked.price_type or offer.price_minor != list_price_of(locked):
                raise SessionNotBookable(
                    "That date has a different price, so it can't be swapped online. "
                    "Cancel and book it instead, or contact the business."
                )
            if seats_taken(session_ids=[target.pk], now=now)[target.pk] >= target.capacity:
                raise SessionFull(session_ids=[target.pk])
            from_session_id = locked.session_id
            Booking.objects.filter(pk=locked.pk).update(session=target, kind=kind, updated_at=now)
            log_activity(
                business=business,
                actor=actor,
                action="booking.moved",
                target=locked.pk,
                by=by,
                from_session_id=from_session_id,
                to_session_id=target.pk,
            )
            notify(
                DomainEvent(
                    BOOKING_MOVED,
                    business.pk,
                    booking_ids=(locked.pk,),
                    session_id=target.pk,
                    data={"from_session_id": from_session_id, "by": by},
                )
            )
    except OperationalError as exc:
        if is_contention(exc):
            raise BookingBusy() from exc
        raise
    booking.refresh_from_db()
    return booking
