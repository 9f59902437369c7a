"""Row locks on bookings and purchases (taken after any Session locks; see core/locking.py)."""

from rezerva.booking.models import Booking, SeriesPurchase
from rezerva.tenancy.models import Business


def bookings_for_update(*, business: Business, booking_ids: list[int]) -> list[Booking]:
    """Lock the business's bookings with these ids, ascending by id; returns them evaluated."""
    return list(
        Booking.objects.select_for_update(of=("self",))
        .select_related("session")
        .filter(business=business, pk__in=sorted(set(booking_ids)))
        .order_by("pk")
    )


def purchase_for_update(*, business: Business, purchase_id: int) -> SeriesPurchase:
    """Lock one of the business's series purchases."""
    return SeriesPurchase.objects.select_for_update(of=("self",)).get(
        business=business, pk=purchase_id
    )
