"""Owner pages for one appointment and for booking one on a guest's behalf (A9).

An appointment's page shows the guest, the time, its status and what happened to the money,
with "move" (the owner may ignore hours and notice, never double-book) and "cancel" (after a
confirmation: the guest is emailed, nothing is refunded by itself). Rules are the booking
services'; these views parse dates and times typed in the business timezone and show refusals
on the fields.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rezerva.availability.errors import PerformerNotFound, SlotNotAvailable
from rezerva.booking import selectors as booking_selectors
from rezerva.booking.errors import ServiceNotBookable, ServiceNotFound
from rezerva.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy
from rezerva.booking.services import GuestDetails, cancel_booking
from rezerva.booking.services.appointments import book_appointment, move_appointment
from rezerva.catalog import selectors as catalog_selectors
from rezerva.catalog.models import PriceType, Service
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error, bound_request_key
from rezerva.core.timezones import NonexistentLocalTime, to_business_time
from rezerva.dashboard.access import business_view
from rezerva.dashboard.appointment_forms import BookOnBehalfForm, MoveAppointmentForm
from rezerva.dashboard.calendar_views import calendar_url
from rezerva.dashboard.participants import payment_state
from rezerva.payments.models import Payment
from rezerva.payments.selectors import payment_for

FREE_TIMES_SHOWN = 24


def _appointment(request, booking_id: int) -> Booking:
    """One of the business's appointments; another business's id or a run booking: 404."""
    booking = booking_selectors.get_booking_for_business(
        business=request.business, booking_id=booking_id
    )
    if booking.kind != Booking.Kind.APPOINTMENT:
        raise Http404("No such appointment.")
    return booking


def _free_times(business, booking: Booking, day: dt.date, now: dt.datetime) -> list[dt.datetime]:
    """The performer's free starts of this service on `day` (the slot search guests see, this
    appointment left out): quick picks for moving it."""
    service = booking.session.service
    try:
        slots = booking_selectors.appointment_slots(
            business=business,
            service=service,
            performer_id=booking.performer_id,
            start=day,
            end=day,
            now=now,
            exclude_booking_id=booking.pk,
        )
    except DomainError:
        return []  # she no longer offers it or is inactive: the owner types a time instead
    zone = ZoneInfo(business.timezone)
    starts = slots.by_performer.get(booking.performer_id, [])[:FREE_TIMES_SHOWN]
    return [s.astimezone(zone).replace(tzinfo=None) for s in starts]


@business_view
@require_http_methods(["GET", "POST"])
def appointment_detail(request, booking_id: int):
    """The appointment with its guest, payment and actions; POST moves it."""
    business = request.business
    now = timezone.now()
    booking = _appointment(request, booking_id)
    local_start = to_business_time(booking.session.starts_at, business.timezone)
    form = MoveAppointmentForm(
        request.POST or None,
        initial={
            "date": _date_or(request.GET.get("date"), local_start.date()),
            "time": request.GET.get("time") or local_start.strftime("%H:%M"),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            move_appointment(
                booking=booking,
                starts_at=form.starts_at(business.timezone),
                now=now,
                by_owner=True,
                actor=request.user,
            )
        except (SlotNotAvailable, NonexistentLocalTime) as exc:
            form.add_error("time", exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"Moved. {booking.guest_name} gets an email with the new time."
            )
            return redirect("dashboard:appointment_detail", booking_id=booking.pk)
    pick_day = _date_or(request.GET.get("date"), local_start.date())
    payment = payment_for(booking)
    state, state_label = payment_state(
        payment, price_type=booking.price_type, price_minor=booking.price_minor
    )
    return render(
        request,
        "dashboard/appointment_detail.html",
        {
            "booking": booking,
            "service": booking.session.service,
            "performer": booking.performer,
            "form": form,
            "payment": payment,
            "payment_state": state,
            "payment_label": state_label,
            "can_cancel": booking.status in ACTIVE_STATUSES,
            "can_move": booking.status == BookingStatus.CONFIRMED,
            "pick_day": pick_day,
            "free_times": _free_times(business, booking, pick_day, now)
            if booking.status == BookingStatus.CONFIRMED
            else [],
            "calendar_link": calendar_url(
                view="day", day=local_start.date(), performer_id=booking.performer_id
            ),
        },
    )


def _date_or(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return default


@business_view
@require_http_methods(["GET", "POST"])
def appointment_cancel(request, booking_id: int):
    """A9: cancel after a confirmation that says what happens: the guest is emailed and
    nothing is refunded by itself."""
    booking = _appointment(request, booking_id)
    if request.method == "POST":
        try:
            cancel_booking(
                booking=booking, by=CancelledBy.OWNER, actor=request.user, now=timezone.now()
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"Appointment of {booking.guest_name} cancelled; they get an email. "
                "Nothing was refunded.",
            )
        return redirect("dashboard:appointment_detail", booking_id=booking.pk)
    payment = payment_for(booking)
    return render(
        request,
        "dashboard/appointment_cancel.html",
        {
            "booking": booking,
            "service": booking.session.service,
            "payment": payment,
            "is_paid": payment is not None and payment.status == Payment.Status.PAID,
        },
    )


def _owner_key(request, form_key: str) -> str | None:
    """The form's request key bound to the signed-in user, so only her own resend replays."""
    if not form_key.isalnum():
        return None
    return bound_request_key(scope="owner", holder=request.user.pk, form_key=form_key)


# Where each refusal of book_appointment shows on the form.
_BOOK_ERRORS = {
    ServiceNotFound: "service",
    ServiceNotBookable: "service",
    PerformerNotFound: "performer",
    SlotNotAvailable: "time",
}


@business_view
@require_http_methods(["GET", "POST"])
def appointment_book(request):
    """A9: book a guest in with a team member at a date and time; the owner may ignore hours
    and notice but never double-books. Refusals show on the form and nothing is written."""
    business = request.business
    now = timezone.now()
    services = [
        s
        for s in catalog_selectors.services_of(business=business)
        if s.kind == Service.Kind.ONE_TO_ONE and s.is_active
    ]
    performers = list(catalog_selectors.performers_of(business=business))
    initial = {
        key: request.GET[key]
        for key in ("service", "performer", "date", "time")
        if request.GET.get(key)
    }
    form = BookOnBehalfForm(
        request.POST or None, services=services, performers=performers, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = book_appointment(
                business=business,
                service_id=data["service"],
                performer_id=data["performer"],
                starts_at=form.starts_at(business.timezone),
                guest=GuestDetails(name=data["name"], email=data["email"], phone=data["phone"]),
                idempotency_key=_owner_key(request, data["request_key"]),
                now=now,
                on_behalf=True,
                actor=request.user,
            )
        except DomainError as exc:
            field = next((f for kind, f in _BOOK_ERRORS.items() if isinstance(exc, kind)), None)
            if field is not None:
                form.add_error(field, exc.message)
            else:
                add_domain_error(form, exc)
        else:
            if getattr(booking, "is_replay", False):
                messages.info(request, "This appointment was already booked.")
            else:
                messages.success(
                    request, f"Booked. {booking.guest_name} gets a confirmation email."
                )
            return redirect("dashboard:appointment_detail", booking_id=booking.pk)
    return render(
        request,
        "dashboard/appointment_book.html",
        {
            "form": form,
            "services": services,
            "has_online": any(s.price_type == PriceType.ONLINE for s in services),
        },
    )
