"""Writes for bookings, split by business process: placing, cancelling, expiring holds,
moving, bulk operations, and changing runs that have guests."""

from rezerva.booking.services.cancel import (
    CancelResult,
    cancel_booking,
    cancel_series_purchase,
    cancel_session,
)
from rezerva.booking.services.holds import expire_holds
from rezerva.booking.services.operations import (
    BulkResult,
    cancel_bookings,
    mark_attendance,
    message_participants,
)
from rezerva.booking.services.place import (
    Agreements,
    GuestDetails,
    book_drop_in,
    book_run,
    book_single_run,
    purchase_series,
)
from rezerva.booking.services.reschedule import move_booking
from rezerva.booking.services.runs import detach_run_from_series, update_run

__all__ = [
    "Agreements",
    "BulkResult",
    "CancelResult",
    "GuestDetails",
    "book_drop_in",
    "book_run",
    "book_single_run",
    "cancel_booking",
    "cancel_bookings",
    "cancel_series_purchase",
    "cancel_session",
    "detach_run_from_series",
    "expire_holds",
    "mark_attendance",
    "message_participants",
    "move_booking",
    "purchase_series",
    "update_run",
]
