"""Notifications through a transactional outbox.

Recording: `record_event` runs inside the transaction that made the change (it is called by
`core.events.notify`, through notify/delivery.py). It writes one `OutboundEmail` row per
recipient email, with a unique `(business, dedupe_key)`, and bumps the calendar SEQUENCE of every
(booking, run) whose calendar data changed. A rollback therefore writes nothing, and a commit can
never lose an email: the row exists whether or not the send task that `notify` enqueues after
commit ever runs.

Sending: `send_outbound_email` claims a row with a conditional UPDATE (queued -> sending; only the
caller that changed exactly one row proceeds), re-reads the booking, skips the email if it no
longer applies (a reminder for a cancelled booking, a confirmation for a booking cancelled before
it went out), renders it in the business's locale, sends it, and marks it sent with the same claim
token. A row claimed twice (two tasks, a task and the sweep) is therefore sent once.

Delivery is AT-LEAST-ONCE, deliberately. Losing a confirmation or a cancellation is worse than a
rare duplicate. The one window for a duplicate: the process dies after the SMTP server accepted the
message but before the row is marked sent (milliseconds). `sweep_outbox` then finds the row stuck
in `sending` after STUCK_AFTER and sends it again. The resend carries the same Message-ID (fixed
when the row is written), so mail systems that de-duplicate on Message-ID show it once and anyone
auditing can recognise it. Everything else (a task lost before it ran, a worker killed before
SMTP, an SMTP error) is retried without any duplicate.

Sweep (`sweep_outbox`, called by `manage.py sweep`): re-queues rows stuck in `sending` (or fails
them after MAX_ATTEMPTS), sends `queued` rows whose task got lost or whose retry is due, and
queues reminders that have come due. Reminders are keyed by booking + run + start time and
re-checked at send time, so a moved run or a moved booking never gets a reminder for its old time.
"""

import datetime as dt
import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from rezerva.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy
from rezerva.core import events
from rezerva.notify.emails import build_message
from rezerva.notify.errors import MessageLimitReached
from rezerva.notify.locks import owner_messages_lock
from rezerva.notify.models import CalendarEntry, OutboundEmail
from rezerva.tenancy.models import Business, Membership

logger = logging.getLogger("rezerva.notify")

MAX_ATTEMPTS = 5
# Longer than any one send can take (EMAIL_TIMEOUT is 30 s), so only a dead sender looks stuck.
STUCK_AFTER = dt.timedelta(minutes=10)
# A queued row older than this has lost its task (tasks normally run within seconds).
LOST_AFTER = dt.timedelta(minutes=2)
RETRY_BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
)
SWEEP_BATCH = 500
# The window of the owner-message cap (settings.OWNER_MESSAGES_PER_DAY).
OWNER_MESSAGES_WINDOW = dt.timedelta(hours=24)
Kind = OutboundEmail.Kind
Status = OutboundEmail.Status


# --- recording (inside the caller's transaction) -------------------------------------------


def record_event(
    event: events.DomainEvent,
    *,
    business: Business | None = None,
    bookings: Sequence[Booking] = (),
) -> list[int]:
    """Write the event's outbox rows and calendar sequence bumps; returns the rows' ids.

    Precondition: called inside the transaction that made the change; outside one it opens its
    own, so the rows stay all-or-nothing. `business` and `bookings` (with their run loaded) are
    what the caller already holds, to save re-reading them."""
    handler = _HANDLERS.get(event.name)
    if handler is None:
        return []
    now = timezone.now()
    known = {b.pk: b for b in bookings}
    # No savepoint: a failure here fails the caller's whole change, which is what we want.
    with transaction.atomic(savepoint=False):
        if business is None or business.pk != event.business_id:
            business = Business.objects.get(pk=event.business_id)
        rows = handler(business, event, known)
        return _insert(business, rows, now)


def _row(kind: str, recipient: str, key: str, **fields) -> OutboundEmail:
    return OutboundEmail(kind=kind, recipient=recipient.strip().lower(), dedupe_key=key, **fields)


def _insert(business: Business, rows: list[OutboundEmail], now: dt.datetime) -> list[int]:
    """Insert rows; a dedupe key already present (a repeated event) is left as it is."""
    if not rows:
        return []
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "rezerva.local"
    for row in rows:
        row.business = business
        row.available_at = now
        row.message_id = f"<{uuid.uuid4().hex}@{domain}>"
    # A repeated event meets its earlier rows: the no-op update (the key onto itself) leaves them
    # as they are but returns their ids too, in one statement. Sending claims only queued rows,
    # so an id already sent sends nothing.
    OutboundEmail.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["business", "dedupe_key"],
        update_fields=["dedupe_key"],
    )
    return sorted(r.pk for r in rows)


def _bookings(business: Business, ids: Iterable[int], known: dict[int, Booking]) -> list[Booking]:
    ids = sorted(set(ids))
    if ids and all(pk in known for pk in ids):
        return [known[pk] for pk in ids]
    return list(
        Booking.objects.filter(business=business, pk__in=ids)
        .select_related("session")
        .order_by("pk")
    )


def _owner_recipients(business: Business) -> list[str]:
    """N3: the business's contact address, or else every owner's login email."""
    if business.contact_email:
        return [business.contact_email]
    return sorted(
        Membership.objects.filter(business=business, role=Membership.Role.OWNER).values_list(
            "user__email", flat=True
        )
    )


def _owner_rows(business: Business, kind: str, key: str, **fields) -> list[OutboundEmail]:
    return [
        _row(kind, email, f"{key}:to:{email.lower()}", **fields)
        for email in _owner_recipients(business)
    ]


def _ensure_entries(business: Business, pairs: list[tuple[int, int]]) -> None:
    """Give each (booking, run) its calendar identity (sequence 0) if it has none yet."""
    CalendarEntry.objects.bulk_create(
        [CalendarEntry(business=business, booking_id=b, session_id=s) for b, s in pairs],
        ignore_conflicts=True,
    )


def _bump_sequences(business: Business, pairs: list[tuple[int, int]]) -> dict[tuple, int]:
    """The calendar data of these (booking, run) pairs changed: raise each SEQUENCE by one."""
    if not pairs:
        return {}
    _ensure_entries(business, pairs)
    by_run: dict[int, list[int]] = defaultdict(list)
    for booking_id, session_id in pairs:
        by_run[session_id].append(booking_id)
    for session_id, booking_ids in by_run.items():
        CalendarEntry.objects.filter(
            business=business, session_id=session_id, booking_id__in=booking_ids
        ).update(sequence=F("sequence") + 1, updated_at=timezone.now())
    match = Q()
    for session_id, booking_ids in by_run.items():
        match |= Q(session_id=session_id, booking_id__in=booking_ids)
    return {
        (b, s): seq
        for b, s, seq in CalendarEntry.objects.filter(match, business=business).values_list(
            "booking_id", "session_id", "sequence"
        )
    }


def _on_booking_confirmed(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    # No CalendarEntry yet: the sequence is 0 until the data first changes (_bump_sequences).
    bookings = _bookings(business, event.booking_ids, known)
    rows: list[OutboundEmail] = []
    for b in bookings:
        ref = {"booking": b, "session_id": b.session_id}
        rows.append(_row(Kind.BOOKING_CONFIRMED, b.guest_email, f"confirmed:booking:{b.pk}", **ref))
        rows += _owner_rows(business, Kind.OWNER_NEW_BOOKING, f"owner-new:booking:{b.pk}", **ref)
    return rows


def _on_purchase_confirmed(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    bookings = list(
        Booking.objects.filter(business=business, purchase_id=event.purchase_id).select_related(
            "purchase"
        )
    )
    if not bookings:
        return []
    purchase = bookings[0].purchase
    key = f"purchase:{purchase.pk}"
    return [
        _row(Kind.PURCHASE_CONFIRMED, purchase.guest_email, f"confirmed:{key}", purchase=purchase),
        *_owner_rows(business, Kind.OWNER_NEW_BOOKING, f"owner-new:{key}", purchase=purchase),
    ]


def _on_booking_cancelled(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    """Per booking (a bulk cancel of 200 is 200 emails); the owner hears of guests' own cancels."""
    run_cancelled = event.name == events.SESSION_CANCELLED
    by = CancelledBy.OWNER if run_cancelled else event.data.get("by", CancelledBy.OWNER)
    bookings = _bookings(business, event.booking_ids, known)
    _bump_sequences(business, [(b.pk, b.session_id) for b in bookings])
    data = {"by": by, "run_cancelled": run_cancelled, "reason": event.data.get("reason", "")}
    rows: list[OutboundEmail] = []
    for b in bookings:
        ref = {"booking": b, "session_id": b.session_id, "data": data}
        key = f"cancelled:booking:{b.pk}"
        rows.append(_row(Kind.BOOKING_CANCELLED, b.guest_email, key, **ref))
        if by != CancelledBy.OWNER:
            rows += _owner_rows(business, Kind.OWNER_CANCELLED, f"owner-{key}", **ref)
    return rows


def _on_purchase_cancelled(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    bookings = list(
        Booking.objects.filter(
            business=business, purchase_id=event.purchase_id, pk__in=list(event.booking_ids)
        ).select_related("purchase")
    )
    purchase = bookings[0].purchase if bookings else None
    if purchase is None:
        return []
    _bump_sequences(business, [(b.pk, b.session_id) for b in bookings])
    by = event.data.get("by", CancelledBy.OWNER)
    data = {"by": by, "booking_ids": [b.pk for b in bookings]}
    key = f"cancelled:purchase:{purchase.pk}"
    rows = [_row(Kind.PURCHASE_CANCELLED, purchase.guest_email, key, purchase=purchase, data=data)]
    if by != CancelledBy.OWNER:
        rows += _owner_rows(
            business, Kind.OWNER_CANCELLED, f"owner-{key}", purchase=purchase, data=data
        )
    return rows


def _on_session_changed(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    """G7: each booked guest gets the new time or place with a higher SEQUENCE."""
    bookings = [
        b for b in _bookings(business, event.booking_ids, known) if b.status in ACTIVE_STATUSES
    ]
    sequences = _bump_sequences(business, [(b.pk, b.session_id) for b in bookings])
    return [
        _row(
            Kind.RUN_CHANGED,
            b.guest_email,
            f"changed:booking:{b.pk}:run:{b.session_id}:seq:{sequences[(b.pk, b.session_id)]}",
            booking=b,
            session_id=b.session_id,
            data=event.data,
        )
        for b in bookings
    ]


def _on_booking_moved(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    """B6 reschedule: CANCEL for the old run's UID and REQUEST for the new run's."""
    old = int(event.data["from_session_id"])
    bookings = _bookings(business, event.booking_ids, known)
    sequences = _bump_sequences(
        business, [pair for b in bookings for pair in ((b.pk, old), (b.pk, b.session_id))]
    )
    return [
        _row(
            Kind.BOOKING_MOVED,
            b.guest_email,
            f"moved:booking:{b.pk}:from:{old}:to:{b.session_id}:seq:{sequences[(b.pk, old)]}",
            booking=b,
            session_id=b.session_id,
            data={"from_session_id": old},
        )
        for b in bookings
    ]


def check_owner_message_cap(
    *, business: Business, recipients: int, now: dt.datetime, added_recipients: int = 0
) -> None:
    """F6: an owner's messages reach at most settings.OWNER_MESSAGES_PER_DAY addresses per
    business in any 24 hours, and of those at most OWNER_MESSAGES_TO_ADDED_PER_DAY guests the
    owner entered herself; a batch that would go over is refused whole (MessageLimitReached).

    Precondition: inside the transaction that writes the batch's rows; on PostgreSQL it waits
    for the business's advisory lock first (notify/locks.py), so concurrent batches count in turn.
    """
    owner_messages_lock(business_id=business.pk)
    cap = settings.OWNER_MESSAGES_PER_DAY
    sent = OutboundEmail.objects.filter(
        business=business, kind=Kind.MESSAGE, created_at__gt=now - OWNER_MESSAGES_WINDOW
    ).count()
    left = max(cap - sent, 0)
    if recipients > left:
        raise MessageLimitReached(cap=cap, left=left)
    # Guests the owner entered herself never confirmed their address: a much smaller cap.
    added_cap = settings.OWNER_MESSAGES_TO_ADDED_PER_DAY
    added_sent = OutboundEmail.objects.filter(
        business=business,
        kind=Kind.MESSAGE,
        booking__added_by_owner=True,
        created_at__gt=now - OWNER_MESSAGES_WINDOW,
    ).count()
    added_left = max(added_cap - added_sent, 0)
    if added_recipients > added_left:
        raise MessageLimitReached(
            cap=added_cap, left=added_left, setting="OWNER_MESSAGES_TO_ADDED_PER_DAY"
        )


def _on_participants_messaged(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    """G6 "email selected": one email per address, however many of its bookings were selected.

    Recipients are guests of this business; those the owner entered herself (an appointment
    booked on a guest's behalf) count against the smaller cap for unconfirmed addresses.
    """
    batch = uuid.uuid4().hex
    data = {"subject": event.data.get("subject", ""), "body": event.data.get("body", "")}
    first_by_email: dict[str, Booking] = {}
    for b in _bookings(business, event.booking_ids, known):
        first_by_email.setdefault(b.guest_email.lower(), b)
    check_owner_message_cap(
        business=business,
        recipients=len(first_by_email),
        added_recipients=sum(b.added_by_owner for b in first_by_email.values()),
        now=timezone.now(),
    )
    return [
        _row(
            Kind.MESSAGE,
            email,
            f"message:{batch}:to:{email}",
            booking=b,
            session_id=b.session_id,
            data=data,
        )
        for email, b in first_by_email.items()
    ]


def _on_plan_limit_reached(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    return _owner_rows(
        business, Kind.OWNER_ALERT, f"plan-limit:{uuid.uuid4().hex}", data={"alert": "plan_limit"}
    )


def _on_paid_without_seat(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    payment_id = event.data.get("payment_id")
    bookings = _bookings(business, event.booking_ids, known)
    first = bookings[0] if bookings else None
    return _owner_rows(
        business,
        Kind.OWNER_ALERT,
        f"paid-no-seat:payment:{payment_id}",
        booking=first,
        purchase_id=first.purchase_id if first else None,
        session_id=first.session_id if first else None,
        data={"alert": "paid_no_seat", "payment_id": payment_id},
    )


def _on_payment_problem(
    business: Business, event: events.DomainEvent, known: dict[int, Booking]
) -> list[OutboundEmail]:
    payment_id = event.data.get("payment_id")
    bookings = _bookings(business, event.booking_ids, known)
    first = bookings[0] if bookings else None
    problem = event.data.get("problem", "")
    return _owner_rows(
        business,
        Kind.OWNER_ALERT,
        f"payment-problem:payment:{payment_id}:{uuid.uuid5(uuid.NAMESPACE_URL, problem).hex}",
        booking=first,
        purchase_id=first.purchase_id if first else None,
        session_id=first.session_id if first else None,
        data={"alert": "payment_problem", "payment_id": payment_id, "problem": problem},
    )


_HANDLERS = {
    events.BOOKING_CONFIRMED: _on_booking_confirmed,
    events.PURCHASE_CONFIRMED: _on_purchase_confirmed,
    events.BOOKING_CANCELLED: _on_booking_cancelled,
    events.SESSION_CANCELLED: _on_booking_cancelled,
    events.PURCHASE_CANCELLED: _on_purchase_cancelled,
    events.SESSION_CHANGED: _on_session_changed,
    events.BOOKING_MOVED: _on_booking_moved,
    events.PARTICIPANTS_MESSAGED: _on_participants_messaged,
    events.PLAN_LIMIT_REACHED: _on_plan_limit_reached,
    events.PAID_WITHOUT_SEAT: _on_paid_without_seat,
    events.PAYMENT_PROBLEM: _on_payment_problem,
}


# --- sending (a task or the sweep, never inside a request's transaction) -------------------


def send_outbound_email(*, outbound_id: int, now: dt.datetime, connection=None) -> str:
    """Claim a queued row, re-check it still applies, send it, mark it sent; at least once."""
    token = uuid.uuid4().hex
    claimed = OutboundEmail.objects.filter(pk=outbound_id, status=Status.QUEUED).update(
        status=Status.SENDING,
        claimed_at=timezone.now(),
        claim_token=token,
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )
    if claimed != 1:
        return "not claimed"  # sent, being sent by someone else, or gone
    row = OutboundEmail.objects.select_related("business").get(pk=outbound_id)
    message = build_message(row, now=now, connection=connection)
    if message is None:
        _finish(row, token, status=Status.SKIPPED)
        return Status.SKIPPED
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        _retry_later(row, token, exc)
        return "retry"
    _finish(row, token, status=Status.SENT, sent_at=timezone.now())
    return Status.SENT


def send_outbound_emails(*, outbound_ids: Iterable[int], now: dt.datetime) -> dict[str, int]:
    """Send several rows over one SMTP connection; each row is claimed on its own."""
    outcomes: dict[str, int] = defaultdict(int)
    connection = get_connection()
    try:
        # Open once for the batch; if the server is down each row records its own failure.
        connection.open()
    except (smtplib.SMTPException, OSError):
        logger.warning("SMTP connection failed; each email will retry on its own")
    try:
        for outbound_id in outbound_ids:
            outcomes[
                send_outbound_email(outbound_id=outbound_id, now=now, connection=connection)
            ] += 1
    finally:
        connection.close()
    return dict(outcomes)


def _finish(row: OutboundEmail, token: str, **changes) -> None:
    changed = OutboundEmail.objects.filter(
        pk=row.pk, status=Status.SENDING, claim_token=token
    ).update(updated_at=timezone.now(), **changes)
    if not changed:
        # The sweep thought we were dead and re-queued the row: it may go out twice (see top).
        logger.warning("outbound email %s was re-claimed while we sent it", row.pk)


def _retry_later(row: OutboundEmail, token: str, exc: Exception) -> None:
    attempts = row.attempts
    if attempts >= MAX_ATTEMPTS:
        changes = {"status": Status.FAILED}
    else:
        delay = RETRY_BACKOFF[min(attempts, len(RETRY_BACKOFF)) - 1]
        changes = {"status": Status.QUEUED, "available_at": timezone.now() + delay}
    logger.warning("outbound email %s attempt %s failed: %s", row.pk, attempts, exc)
    _finish(row, token, last_error=f"{type(exc).__name__}: {exc}"[:500], **changes)


# --- the sweep ------------------------------------------------------------------------------


def requeue_stuck(*, now: dt.datetime) -> list[int]:
    """Rows left in `sending` by a dead sender go back to the queue (or fail after MAX_ATTEMPTS);
    returns the re-queued ids."""
    stuck = {"status": Status.SENDING, "claimed_at__lt": now - STUCK_AFTER}
    OutboundEmail.objects.filter(**stuck, attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, last_error="gave up: the sender died repeatedly", updated_at=now
    )
    ids = list(OutboundEmail.objects.filter(**stuck).values_list("pk", flat=True)[:SWEEP_BATCH])
    # The status filter again: a slow sender that finished meanwhile keeps its `sent`.
    OutboundEmail.objects.filter(pk__in=ids, **stuck).update(
        status=Status.QUEUED, claim_token="", available_at=now, updated_at=now
    )
    return ids


def queue_due_reminders(*, now: dt.datetime) -> list[int]:
    """N3: one reminder row per confirmed booking whose run starts within its business's window."""
    hours_in_use = (
        Business.objects.filter(reminder_hours__gt=0)
        .values_list("reminder_hours", flat=True)
        .distinct()
    )
    rows: dict[int, list[OutboundEmail]] = defaultdict(list)
    for hours in hours_in_use:
        window = dt.timedelta(hours=hours)
        already = OutboundEmail.objects.filter(
            kind=Kind.REMINDER,
            booking=OuterRef("pk"),
            session=OuterRef("session"),
            run_starts_at=OuterRef("session__starts_at"),
        )
        due = (
            Booking.objects.filter(
                business__reminder_hours=hours,
                status=BookingStatus.CONFIRMED,
                session__cancelled_at__isnull=True,
                session__starts_at__gt=now,
                session__starts_at__lte=now + window,
                # Booked inside the window: the confirmation already told them.
                confirmed_at__lte=F("session__starts_at") - window,
            )
            .filter(~Exists(already))
            .select_related("session")
            .order_by("session__starts_at", "pk")[:SWEEP_BATCH]
        )
        for b in due:
            starts = b.session.starts_at
            rows[b.business_id].append(
                _row(
                    Kind.REMINDER,
                    b.guest_email,
                    f"reminder:booking:{b.pk}:run:{b.session_id}:at:{starts:%Y%m%dT%H%M%SZ}",
                    booking=b,
                    session_id=b.session_id,
                    run_starts_at=starts,
                )
            )
    ids: list[int] = []
    businesses = Business.objects.in_bulk(list(rows))
    for business_id, business_rows in rows.items():
        ids += _insert(businesses[business_id], business_rows, now)
    return ids


def sweep_outbox(*, now: dt.datetime) -> dict[str, int]:
    """Housekeeping that makes delivery independent of the task queue (run every minute)."""
    requeued = requeue_stuck(now=now)
    reminders = queue_due_reminders(now=now)
    lost = list(
        OutboundEmail.objects.filter(status=Status.QUEUED, available_at__lte=now - LOST_AFTER)
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    due = sorted({*requeued, *reminders, *lost})
    outcomes = send_outbound_emails(outbound_ids=due, now=now) if due else {}
    return {"requeued": len(requeued), **outcomes}
