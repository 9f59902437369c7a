"""Reads about seats: the one place that counts them."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q

from rezerva.booking.models import Booking, BookingStatus


def seat_holding_filter(now: dt.datetime, prefix: str = "") -> Q:
    """Bookings that take a seat: confirmed, or pending with a hold that has not lapsed."""
    return Q(**{f"{prefix}status": BookingStatus.CONFIRMED}) | Q(
        **{f"{prefix}status": BookingStatus.PENDING, f"{prefix}hold_expires_at__gt": now}
    )


def seats_taken(*, session_ids: Iterable[int], now: dt.datetime) -> dict[int, int]:
    """{session_id: seats taken} for the given runs, from one aggregate query."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = (
        Booking.objects.filter(seat_holding_filter(now), session_id__in=ids)
        .values("session_id")
        .annotate(taken=Count("id"))
        .order_by()
    )
    taken = dict.fromkeys(ids, 0)
    for row in rows:
        taken[row["session_id"]] = row["taken"]
    return taken


def active_series_seats_on(*, session_id: int, now: dt.datetime) -> int:
    """Seats on one run held by series buyers."""
    return Booking.objects.filter(
        seat_holding_filter(now), session_id=session_id, kind=Booking.Kind.SERIES
    ).count()
