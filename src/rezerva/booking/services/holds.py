"""Seat holds: a lapsed hold stops counting at once (the selector filters on expiry); this sweep
only tidies statuses so lists read right. Correctness never waits for it."""

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
    lapsed = {"status": BookingStatus.PENDING, "hold_expires_at__lte": now}
    with transaction.atomic():
        purchases = SeriesPurchase.objects.filter(**lapsed).update(
            status=BookingStatus.EXPIRED, updated_at=now
        )
        bookings = Booking.objects.filter(**lapsed).update(
            status=BookingStatus.EXPIRED, updated_at=now
        )
    return ExpiredCounts(bookings=bookings, purchases=purchases)
