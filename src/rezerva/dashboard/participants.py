"""Reads for the owner's run and series pages and their exports: one row shape for both.

The page and the CSV/XLSX files build their rows with the same functions, so an export always
says what the page says. Every read is tenant-scoped and N+1-free: the payment of a single or
drop-in seat and of a series purchase come in the same query (select_related), and exports walk
the rows with `.iterator(chunk_size=...)` so 5,000 participants never sit in memory at once.
It reads payments as well as bookings, so it sits above both (it was booking/exports.py).
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from rezerva.booking import selectors as booking_selectors
from rezerva.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, SeriesPurchase
from rezerva.catalog.models import PriceType
from rezerva.core.money import amount_text
from rezerva.core.timezones import to_business_time
from rezerva.payments.models import Payment
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy.models import Business

EXPORT_CHUNK_SIZE = 2000
# Rows per page: runs and buyers, and a run's participants.
PAGE_SIZE = 20
PARTICIPANTS_PAGE_SIZE = 50

# Which participants a list shows: everyone, the ones holding a seat, or the cancelled ones.
STATUS_FILTERS = ("all", "active", "cancelled")
_INACTIVE = (BookingStatus.CANCELLED, BookingStatus.EXPIRED, BookingStatus.PAID_NO_SEAT)


def runs_with_seats(runs, now):
    """Seats taken, and of those the unpaid holds shown apart (F5)."""
    ids = [r.pk for r in runs]
    taken = booking_selectors.seats_taken(session_ids=ids, now=now)
    held = booking_selectors.seats_held(session_ids=ids, now=now)
    for run in runs:
        run.seats_taken = taken.get(run.pk, 0)
        run.seats_held = held.get(run.pk, 0)
    return runs


def _wall_minute(moment: dt.datetime, tz_name: str) -> dt.datetime:
    """Business wall time to the minute: what the page shows, so files and page agree."""
    return to_business_time(moment, tz_name).replace(tzinfo=None, second=0, microsecond=0)


def _no_payment_row_state(price_type: str, price_minor: int) -> tuple[str, str]:
    """Free and pay-on-site seats never get a Payment row; online ones get one at checkout."""
    if price_type == PriceType.FREE or price_minor == 0:
        return "free", "Free"
    if price_type == PriceType.ON_SITE:
        return "on_site", "Pay on site"
    return "not_started", "Checkout not started"


def payment_state(payment: Payment | None, *, price_type: str, price_minor: int) -> tuple[str, str]:
    """(code, label) of what happened to the money for one seat or purchase."""
    if payment is None:
        return _no_payment_row_state(price_type, price_minor)
    if payment.status == Payment.Status.PAID:
        if payment.refunded_minor and payment.refunded_minor >= payment.amount_minor:
            return "refunded", "Refunded"
        if payment.refunded_minor:
            return "partly_refunded", "Partly refunded"
        return "paid", "Paid online"
    labels = {
        Payment.Status.PENDING: ("pending", "Awaiting payment"),
        Payment.Status.PROCESSING: ("pending", "Processing"),
        Payment.Status.FAILED: ("failed", "Payment failed"),
        Payment.Status.EXPIRED: ("expired", "Checkout expired"),
    }
    return labels.get(payment.status, (payment.status, payment.get_status_display()))


@dataclass(frozen=True)
class ParticipantRow:
    """One participant of a run as the owner sees it (page, CSV and XLSX)."""

    booking_id: int
    name: str
    email: str
    phone: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    payment: str
    payment_label: str
    payment_id: int | None
    attendance: str
    attendance_label: str
    booked_at: dt.datetime  # business wall time, naive, to the minute
    purchase_id: int | None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def cells(self) -> tuple:
        """The row in PARTICIPANT_COLUMNS order."""
        return (
            self.name,
            self.email,
            self.phone,
            self.kind_label,
            self.status_label,
            self.payment_label,
            self.attendance_label,
            self.booked_at,
        )


def participant_columns(business: Business) -> tuple[str, ...]:
    """Export header for participants; times are in the business timezone, named in the header."""
    return (
        "Name",
        "Email",
        "Phone",
        "Booked as",
        "Status",
        "Payment",
        "Attendance",
        f"Booked at ({business.timezone})",
    )


def participants_query(
    *, business: Business, session: Session, status: str = "all"
) -> QuerySet[Booking]:
    """A run's participants with their payments (one query), oldest booking first."""
    bookings = Booking.objects.filter(business=business, session=session)
    if status == "active":
        bookings = bookings.filter(status__in=ACTIVE_STATUSES)
    elif status == "cancelled":
        bookings = bookings.filter(status__in=_INACTIVE)
    return bookings.select_related("payment", "purchase", "purchase__payment").order_by(
        "created_at", "pk"
    )


def participant_row(booking: Booking, *, tz_name: str) -> ParticipantRow:
    """Build one row; a series seat shows its purchase's payment (one payment per purchase)."""
    if booking.purchase_id is not None:
        purchase = booking.purchase
        payment = getattr(purchase, "payment", None)
        price_type, price_minor = purchase.price_type, purchase.price_minor
    else:
        payment = getattr(booking, "payment", None)
        price_type, price_minor = booking.price_type, booking.price_minor
    code, label = payment_state(payment, price_type=price_type, price_minor=price_minor)
    return ParticipantRow(
        booking_id=booking.pk,
        name=booking.guest_name,
        email=booking.guest_email,
        phone=booking.guest_phone,
        kind=booking.kind,
        kind_label=booking.get_kind_display(),
        status=booking.status,
        status_label=booking.get_status_display(),
        payment=code,
        payment_label=label,
        payment_id=payment.pk if payment is not None else None,
        attendance=booking.attendance,
        attendance_label=booking.get_attendance_display(),
        booked_at=_wall_minute(booking.created_at, tz_name),
        purchase_id=booking.purchase_id,
    )


def participant_rows(
    *, business: Business, session: Session, status: str = "all"
) -> Iterator[ParticipantRow]:
    """Every participant row of a run, streamed from the database in chunks (for exports)."""
    query = participants_query(business=business, session=session, status=status)
    for booking in query.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield participant_row(booking, tz_name=business.timezone)


@dataclass(frozen=True)
class BuyerRow:
    """One series purchase as the owner sees it (page, CSV and XLSX)."""

    purchase_id: int
    name: str
    email: str
    phone: str
    status: str
    status_label: str
    payment: str
    payment_label: str
    payment_id: int | None
    price: str
    seats: int
    bought_at: dt.datetime  # business wall time, naive, to the minute

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def cells(self) -> tuple:
        """The row in buyer_columns() order."""
        return (
            self.name,
            self.email,
            self.phone,
            self.status_label,
            self.payment_label,
            self.price,
            self.seats,
            self.bought_at,
        )


def buyer_columns(business: Business) -> tuple[str, ...]:
    """Export header for series buyers."""
    return (
        "Name",
        "Email",
        "Phone",
        "Status",
        "Payment",
        f"Price ({business.currency})",
        "Active seats",
        f"Bought at ({business.timezone})",
    )


def buyers_query(*, business: Business, series: Series) -> QuerySet[SeriesPurchase]:
    """A series' purchases, newest first, with payment and active seat count in one query."""
    return (
        SeriesPurchase.objects.filter(business=business, series=series)
        .select_related("payment")
        .annotate(active_seats=Count("bookings", filter=Q(bookings__status__in=ACTIVE_STATUSES)))
        .order_by("-created_at", "-pk")
    )


def buyer_row(purchase: SeriesPurchase, *, tz_name: str) -> BuyerRow:
    """Build one buyer row (needs buyers_query's annotation)."""
    payment = getattr(purchase, "payment", None)
    code, label = payment_state(
        payment, price_type=purchase.price_type, price_minor=purchase.price_minor
    )
    return BuyerRow(
        purchase_id=purchase.pk,
        name=purchase.guest_name,
        email=purchase.guest_email,
        phone=purchase.guest_phone,
        status=purchase.status,
        status_label=purchase.get_status_display(),
        payment=code,
        payment_label=label,
        payment_id=payment.pk if payment is not None else None,
        price=amount_text(purchase.price_minor, purchase.currency),
        seats=purchase.active_seats,
        bought_at=_wall_minute(purchase.created_at, tz_name),
    )


def buyer_rows(*, business: Business, series: Series) -> Iterator[BuyerRow]:
    """Every buyer row of a series, streamed from the database in chunks (for exports)."""
    query = buyers_query(business=business, series=series)
    for purchase in query.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield buyer_row(purchase, tz_name=business.timezone)
