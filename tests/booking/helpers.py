"""Booking test helpers: guests, idempotency keys, and a footprint of everything a placement writes.

Shared by tests/booking, tests/hub and tests/concurrency. Setup goes through the real services
(tests/builders.py); these helpers only name guests and count rows.
"""

import itertools
import uuid
from dataclasses import dataclass

from django.db.models import Sum

from rezerva.booking.models import Booking, ConsentRecord, SeriesPurchase
from rezerva.booking.services import GuestDetails
from rezerva.core import events
from rezerva.tenancy.models import ActivityLog, MonthlyUsage

_seq = itertools.count(1)


def guest(name: str | None = None, *, phone: str = "") -> GuestDetails:
    """A distinct, valid guest."""
    n = next(_seq)
    return GuestDetails(name=name or f"Guest {n}", email=f"guest{n}@example.test", phone=phone)


def new_key() -> str:
    """A fresh, well-formed idempotency key (what the guest form puts in its hidden field)."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Footprint:
    """Counts of every row a placement or cancellation may write, across all businesses."""

    bookings: int
    purchases: int
    consent_records: int
    usage_rows: int
    usage_ticks: int
    activity: int
    events: int
    statuses: tuple


def footprint() -> Footprint:
    """What exists right now; compare before/after to prove a refusal wrote nothing."""
    return Footprint(
        bookings=Booking.objects.count(),
        purchases=SeriesPurchase.objects.count(),
        consent_records=ConsentRecord.objects.count(),
        usage_rows=MonthlyUsage.objects.count(),
        usage_ticks=MonthlyUsage.objects.aggregate(n=Sum("bookings_count"))["n"] or 0,
        activity=ActivityLog.objects.count(),
        events=len(events.DELIVERED),
        statuses=tuple(Booking.objects.order_by("pk").values_list("pk", "status"))
        + tuple(SeriesPurchase.objects.order_by("pk").values_list("pk", "status")),
    )


def usage_ticks(business) -> int:
    """Bookings counted for the business over all months (P3)."""
    return (
        MonthlyUsage.objects.filter(business=business).aggregate(n=Sum("bookings_count"))["n"] or 0
    )


def event_names() -> list[str]:
    """Names of the events delivered so far (after commit)."""
    return [e.name for e in events.DELIVERED]
