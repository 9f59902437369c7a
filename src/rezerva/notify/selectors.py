"""Reads for notifications: calendar sequences and the booking behind a manage-page download."""

from rezerva.booking.models import Booking, SeriesPurchase
from rezerva.booking.selectors import get_by_manage_token
from rezerva.notify.models import CalendarEntry
from rezerva.tenancy.models import Business


def calendar_sequence(*, business: Business, booking_id: int, session_id: int) -> int:
    """The current SEQUENCE of a (booking, run); 0 until its calendar data first changes."""
    sequence = (
        CalendarEntry.objects.filter(
            business=business, booking_id=booking_id, session_id=session_id
        )
        .values_list("sequence", flat=True)
        .first()
    )
    return sequence or 0


def booking_on_run_for_token(*, business: Business, token: str, session_id: int) -> Booking | None:
    """The guest's seat on this run behind a manage link; None if forged or not their run."""
    target = get_by_manage_token(business=business, token=token)
    if target is None:
        return None
    seats = Booking.objects.filter(business=business, session_id=session_id).select_related(
        "session", "session__service", "purchase"
    )
    if isinstance(target, SeriesPurchase):
        return seats.filter(purchase=target).first()
    return seats.filter(pk=target.pk).first()
