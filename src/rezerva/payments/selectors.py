"""Reads about payments."""

from django.db.models import F, Q
from django.shortcuts import get_object_or_404

from rezerva.booking.models import Booking, BookingStatus, SeriesPurchase
from rezerva.payments.models import Payment
from rezerva.tenancy.models import Business


def payment_for(target: Booking | SeriesPurchase) -> Payment | None:
    """The payment of a booking or purchase, if one was started."""
    field = "purchase" if isinstance(target, SeriesPurchase) else "booking"
    return Payment.objects.filter(**{field: target}).first()


def paid_without_seat(*, business: Business) -> list[Payment]:
    """B4: payments whose booking ended "paid, no seat": the owner must resolve them."""
    return list(
        Payment.objects.filter(business=business, status=Payment.Status.PAID)
        .filter(refunded_minor__lt=F("amount_minor"))
        .filter(
            Q(booking__status=BookingStatus.PAID_NO_SEAT)
            | Q(purchase__status=BookingStatus.PAID_NO_SEAT)
        )
        .select_related("booking", "booking__session", "purchase", "purchase__series")
        .order_by("-paid_at")
    )


def get_payment_for_business(*, business: Business, payment_id: int) -> Payment:
    """One of the business's payments, or 404."""
    return get_object_or_404(
        Payment.objects.select_related("booking", "purchase", "booking__session"),
        business=business,
        pk=payment_id,
    )


def payments_with_problems(*, business: Business) -> list[Payment]:
    """Payments Stripe reported differently from the booking (F1): the owner must look."""
    return list(
        Payment.objects.filter(business=business)
        .exclude(problem="")
        .select_related("booking", "booking__session", "purchase", "purchase__series")
        .order_by("-problem_at")
    )
