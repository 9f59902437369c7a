"""Seat holds: a lapsed hold stops counting at once (the selector filters on expiry); this sweep
only tidies statuses so lists read right. Correctness never waits for it, and it never waits
for anyone: rows another transaction holds (a late payment, a cancel cascade) are skipped and
tidied on the next sweep, so the sweep can neither block owners nor deadlock with them."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from rezerva.booking.models import Booking, BookingStatus, SeriesPurchase


@dataclass
class ExpiredCounts:
    bookings: int
    purchases: int


def expire_holds(*, now: dt.datetime) -> ExpiredCounts:
    """Mark pending bookings and purchases whose hold lapsed as expired (idempotent)."""
    with transaction.atomic():
        purchases = _expire(SeriesPurchase, now)
        bookings = _expire(Booking, now)
    return ExpiredCounts(bookings=bookings, purchases=purchases)


def _expire(model, now: dt.datetime) -> int:
    lapsed = {"status": BookingStatus.PENDING, "hold_expires_at__lte": now}
    free = list(
        model.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(**lapsed)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Locked by this transaction now, so still pending and lapsed.
    return model.objects.filter(pk__in=free).update(status=BookingStatus.EXPIRED, updated_at=now)
