"""Run operations for owners: bulk cancel, attendance, and messages to selected participants.

Rules shared by every action here:
- Only bookings of this run *and* this business are acted on. Other ids (another run, another
  business, made up) are counted as `ignored` and never locked, read into the result or changed.
- One transaction per action: the run row is locked first, then the selected bookings in id
  order (core/locking.py LOCK ORDER), so a bulk action queues behind a guest placing, moving or
  cancelling on the same run instead of deadlocking with it.
- Every action writes one ActivityLog row and at most one notify event, after commit.
- Series seats are never cancelled one by one (a seat bought with a series goes with its
  purchase): bulk cancel skips them and reports how many (`series_skipped`); the owner cancels
  the purchase on the series page. Nothing here refunds.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rezerva.booking.errors import SessionNotFound
from rezerva.booking.locks import bookings_for_update
from rezerva.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy
from rezerva.core.errors import ValidationFailed
from rezerva.core.events import (
    BOOKING_CANCELLED,
    PARTICIPANTS_MESSAGED,
    DomainEvent,
    notify,
)
from rezerva.core.locking import lock_timeout
from rezerva.core.text import unsafe_text_reason
from rezerva.scheduling.locks import sessions_for_update
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import Business
from rezerva.tenancy.services import log_activity

MESSAGE_SUBJECT_MAX = 200
MESSAGE_BODY_MAX = 5000
ATTENDANCE_CHOICES = (
    Booking.Attendance.ATTENDED,
    Booking.Attendance.NO_SHOW,
    Booking.Attendance.UNKNOWN,
)


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: the ids it changed and why the other selected rows were left."""

    changed_ids: tuple[int, ...] = ()
    unchanged: int = 0  # already in the wanted state (e.g. already cancelled, already attended)
    not_eligible: int = 0  # wrong status for this action (e.g. attendance on a cancelled seat)
    series_skipped: int = 0  # series seats: cancelled only with their purchase
    ignored: int = 0  # not a booking of this run and business: never touched

    @property
    def changed(self) -> int:
        return len(self.changed_ids)


def selected_ids(booking_ids: Iterable[int]) -> list[int]:
    """The ticked ids, each once, ascending (the lock order)."""
    return sorted({int(pk) for pk in booking_ids})


def _lock_run_and_bookings(
    *, business: Business, session: Session, booking_ids: list[int]
) -> tuple[Session, list[Booking]]:
    """Lock the run, then those of the selected bookings that are on it, ascending by id.

    Caller holds the transaction. The run lock comes first so the set of bookings on the run
    cannot change (placing and moving lock the run too) between choosing the ids and locking them.
    """
    locked_runs = sessions_for_update(business=business, session_ids=[session.pk])
    if not locked_runs:
        raise SessionNotFound()
    run = locked_runs[0]
    on_run = list(
        Booking.objects.filter(business=business, session=run, pk__in=booking_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    bookings = bookings_for_update(business=business, booking_ids=on_run) if on_run else []
    # Belt and braces: a row that left the run before we locked it is not ours to touch.
    return run, [b for b in bookings if b.session_id == run.pk]


def cancel_bookings(
    *,
    business: Business,
    session: Session,
    booking_ids: Iterable[int],
    actor,
    now: dt.datetime,
) -> BulkResult:
    """G6: the owner cancels selected single and drop-in seats of one run in one transaction;
    series seats are skipped (cancel the purchase), guests are notified once per seat by the
    notify layer from one event, and nothing is refunded."""
    selected = selected_ids(booking_ids)
    with transaction.atomic(durable=True), lock_timeout():
        run, bookings = _lock_run_and_bookings(
            business=business, session=session, booking_ids=selected
        )
        active = [b for b in bookings if b.status in ACTIVE_STATUSES]
        to_cancel = [b.pk for b in active if b.kind != Booking.Kind.SERIES]
        result = BulkResult(
            changed_ids=tuple(to_cancel),
            unchanged=len(bookings) - len(active),
            series_skipped=len(active) - len(to_cancel),
            ignored=len(selected) - len(bookings),
        )
        if to_cancel:
            # Rows are locked and their status checked above, so this changes exactly them.
            Booking.objects.filter(pk__in=to_cancel).update(
                status=BookingStatus.CANCELLED,
                cancelled_at=now,
                cancelled_by=CancelledBy.OWNER,
                updated_at=now,
            )
        log_activity(
            business=business,
            actor=actor,
            action="bookings.cancelled",
            target=run.pk,
            by=CancelledBy.OWNER,
            booking_ids=list(to_cancel),
            unchanged=result.unchanged,
            series_skipped=result.series_skipped,
            ignored=result.ignored,
        )
        if to_cancel:
            notify(
                DomainEvent(
                    BOOKING_CANCELLED,
                    business.pk,
                    booking_ids=tuple(to_cancel),
                    session_id=run.pk,
                    data={"by": CancelledBy.OWNER.value},
                )
            )
    return result


def mark_attendance(
    *,
    business: Business,
    session: Session,
    booking_ids: Iterable[int],
    attendance: str,
    actor,
    now: dt.datetime | None = None,
) -> BulkResult:
    """G6: mark selected confirmed participants of a run attended, no-show or not marked;
    pending, cancelled and expired seats are left alone (`not_eligible`)."""
    if attendance not in ATTENDANCE_CHOICES:
        raise ValidationFailed({"attendance": "Choose attended, no-show or not marked."})
    now = now or timezone.now()
    selected = selected_ids(booking_ids)
    with transaction.atomic(durable=True), lock_timeout():
        run, bookings = _lock_run_and_bookings(
            business=business, session=session, booking_ids=selected
        )
        return mark_locked_attendance(
            business=business,
            bookings=bookings,
            selected=selected,
            attendance=attendance,
            actor=actor,
            now=now,
            target=run.pk,
        )


def mark_locked_attendance(
    *,
    business: Business,
    bookings: list[Booking],
    selected: list[int],
    attendance: str,
    actor,
    now: dt.datetime,
    target: object,
) -> BulkResult:
    """The marking step G6 shares between a run's participants and the appointments list: the
    confirmed ones of `bookings` (locked by the caller's transaction) take `attendance`, one
    audit row says what changed and why the rest were left."""
    confirmed = [b for b in bookings if b.status == BookingStatus.CONFIRMED]
    to_mark = [b.pk for b in confirmed if b.attendance != attendance]
    result = BulkResult(
        changed_ids=tuple(to_mark),
        unchanged=len(confirmed) - len(to_mark),
        not_eligible=len(bookings) - len(confirmed),
        ignored=len(selected) - len(bookings),
    )
    if to_mark:
        Booking.objects.filter(pk__in=to_mark).update(attendance=attendance, updated_at=now)
    log_activity(
        business=business,
        actor=actor,
        action="bookings.attendance_marked",
        target=target,
        attendance=attendance,
        booking_ids=list(to_mark),
        unchanged=result.unchanged,
        not_eligible=result.not_eligible,
        ignored=result.ignored,
    )
    return result


def message_participants(
    *,
    business: Business,
    session: Session,
    booking_ids: Iterable[int],
    subject: str,
    body: str,
    actor,
) -> BulkResult:
    """G6: email the selected active participants of a run (one event; the notify layer sends
    one email per guest address after commit); cancelled and expired seats are not written to.

    The notify layer refuses the whole batch (notify.errors.MessageLimitReached, nothing
    written) when it would take the business over settings.OWNER_MESSAGES_PER_DAY recipients
    in 24 hours."""
    subject, body = subject.strip(), body.strip()
    errors = {}
    if not subject:
        errors["subject"] = "Write a subject."
    elif len(subject) > MESSAGE_SUBJECT_MAX:
        errors["subject"] = f"Keep the subject under {MESSAGE_SUBJECT_MAX} characters."
    elif reason := unsafe_text_reason(subject):
        errors["subject"] = reason
    if not body:
        errors["body"] = "Write the message."
    elif len(body) > MESSAGE_BODY_MAX:
        errors["body"] = f"Keep the message under {MESSAGE_BODY_MAX} characters."
    elif reason := unsafe_text_reason(body, multiline=True):
        errors["body"] = reason
    if errors:
        raise ValidationFailed(errors)
    selected = selected_ids(booking_ids)
    with transaction.atomic(durable=True), lock_timeout():
        # Locking is not needed to send, but it gives the same "who is on this run" answer as the
        # other actions and keeps the one lock order.
        run, bookings = _lock_run_and_bookings(
            business=business, session=session, booking_ids=selected
        )
        recipients = tuple(b.pk for b in bookings if b.status in ACTIVE_STATUSES)
        result = BulkResult(
            changed_ids=recipients,
            not_eligible=len(bookings) - len(recipients),
            ignored=len(selected) - len(bookings),
        )
        log_activity(
            business=business,
            actor=actor,
            action="bookings.messaged",
            target=run.pk,
            subject=subject,
            booking_ids=list(recipients),
            not_eligible=result.not_eligible,
            ignored=result.ignored,
        )
        if recipients:
            notify(
                DomainEvent(
                    PARTICIPANTS_MESSAGED,
                    business.pk,
                    booking_ids=recipients,
                    session_id=run.pk,
                    data={"subject": subject, "body": body},
                )
            )
    return result
