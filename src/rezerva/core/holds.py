"""What holds a seat: the booking statuses and the one filter that counts seats.

Below booking and coupons, which both count by it (a coupon use counts while its booking holds a
seat), so neither has to import the other's internals.
"""

import datetime as dt

from django.db import models
from django.db.models import Q


class BookingStatus(models.TextChoices):
    PENDING = "pending", "Pending payment"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"
    # B4: the money arrived after the hold lapsed and the seat was gone; the owner resolves it.
    PAID_NO_SEAT = "paid_no_seat", "Paid, no seat"


def seat_holding_filter(now: dt.datetime, prefix: str = "") -> Q:
    """Bookings that take a seat: confirmed, or pending with a hold that has not lapsed."""
    return Q(**{f"{prefix}status": BookingStatus.CONFIRMED}) | Q(
        **{f"{prefix}status": BookingStatus.PENDING, f"{prefix}hold_expires_at__gt": now}
    )
