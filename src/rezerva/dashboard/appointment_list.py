"""Reads for the owner's list of appointments (A9): the rows the page, CSV and XLSX share."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from rezerva.booking.models import ACTIVE_STATUSES, Booking
from rezerva.core.timezones import to_business_time
from rezerva.dashboard.participants import EXPORT_CHUNK_SIZE, payment_state
from rezerva.tenancy.models import Business

MAX_DAYS = 62


@dataclass(frozen=True)
class AppointmentRow:
    """One appointment as the owner sees it in the list and the exports."""

    booking_id: int
    starts_at: dt.datetime  # business wall time, naive
    service: str
    performer: str
    name: str
    email: str
    phone: str
    status: str
    status_label: str
    payment_label: str
    attendance_label: str

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def cells(self) -> tuple:
        return (
            self.starts_at,
            self.service,
            self.performer,
            self.name,
            self.email,
            self.phone,
            self.status_label,
            self.payment_label,
            self.attendance_label,
        )


def appointment_columns(business: Business) -> tuple[str, ...]:
    """Export header; times in the business timezone, named in the header."""
    return (
        f"Starts ({business.timezone})",
        "Service",
        "With",
        "Name",
        "Email",
        "Phone",
        "Status",
        "Payment",
        "Attendance",
    )


def appointment_row(booking: Booking, *, tz_name: str) -> AppointmentRow:
    """One row (the booking with its run, service, performer and payment in hand)."""
    _, payment_label = payment_state(
        getattr(booking, "payment", None),
        price_type=booking.price_type,
        price_minor=booking.price_minor,
    )
    return AppointmentRow(
        booking_id=booking.pk,
        starts_at=to_business_time(booking.session.starts_at, tz_name).replace(tzinfo=None),
        service=booking.session.service.name,
        performer=booking.performer.name if booking.performer else "",
        name=booking.guest_name,
        email=booking.guest_email,
        phone=booking.guest_phone,
        status=booking.status,
        status_label=booking.get_status_display(),
        payment_label=payment_label,
        attendance_label=booking.get_attendance_display(),
    )


def appointment_rows(query: QuerySet[Booking], *, tz_name: str) -> Iterator[AppointmentRow]:
    """Every row of a query, streamed in chunks (for exports)."""
    for booking in query.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield appointment_row(booking, tz_name=tz_name)
