"""Guest pages for one-to-one appointments (A7, A8): performer or "any", a month with the free
days marked, the day's times, then the usual details, consents, coupon and payment steps; and
changing the time from the manage link. Times are shown in the business timezone (the page adds
the guest's own time beside them when her browser is elsewhere)."""

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rezerva.availability.selectors import performers_for
from rezerva.booking.models import ACTIVE_STATUSES, Booking
from rezerva.booking.selectors import appointment_slots, guest_cancel_deadline
from rezerva.booking.services.appointments import book_appointment, move_appointment
from rezerva.catalog.models import Service
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error
from rezerva.hub.views import _after_placing, _bound_key, _details_form, _guest, _managed, _page
from rezerva.tenancy.selectors import get_business_by_slug


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date | None  # None: a blank cell before the 1st or after the last day
    is_open: bool = False
    is_chosen: bool = False


def _month_of(raw: str | None, today: dt.date) -> dt.date:
    """?month=YYYY-MM (never before this month); anything else is this month."""
    try:
        chosen = dt.date.fromisoformat(f"{raw}-01")
    except (TypeError, ValueError):
        return today.replace(day=1)
    return max(chosen, today.replace(day=1))


def _day_of(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


def _performer_of(raw: str | None, performers) -> int | None:
    """?performer=<id> of someone offering the service; "any" or anything else is None."""
    ids = {p.pk for p in performers}
    return int(raw) if raw and raw.isdigit() and int(raw) in ids else None


def slot_picker(
    request, business, service: Service, *, performer_id: int | None, exclude_booking_id=None
) -> dict:
    """The month grid with free days marked and the chosen day's free times (one search for
    the month, the same function placing uses)."""
    now = timezone.now()
    zone = ZoneInfo(business.timezone)
    today = now.astimezone(zone).date()
    month = _month_of(request.GET.get("month"), today)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    slots = appointment_slots(
        business=business,
        service=service,
        performer_id=performer_id,
        start=max(month, today),
        end=last,
        now=now,
        exclude_booking_id=exclude_booking_id,
    )
    open_days = set(slots.days(zone))
    chosen = _day_of(request.GET.get("day"))
    if chosen not in open_days:
        chosen = min(open_days) if open_days else None
    weeks = []
    for week in calendar.Calendar().monthdatescalendar(month.year, month.month):
        weeks.append(
            [
                CalendarDay(d, d in open_days, d == chosen)
                if d.month == month.month
                else CalendarDay(None)
                for d in week
            ]
        )
    times = [s for s in slots.starts() if s.astimezone(zone).date() == chosen]
    next_month = (last + dt.timedelta(days=1)).strftime("%Y-%m")
    return {
        "weeks": weeks,
        "weekdays": [calendar.day_abbr[i] for i in range(7)],
        "month": month,
        "previous_month": (month - dt.timedelta(days=1)).strftime("%Y-%m")
        if month > today.replace(day=1)
        else None,
        "next_month": next_month
        if month <= today + dt.timedelta(days=service.horizon_days)
        else None,
        "chosen_day": chosen,
        "times": times,
        "performer_param": performer_id or "any",
        "duration": service.duration_minutes,
    }


def appointment_page(request, slug: str, service_id: int):
    """Step 1 for a one-to-one service: who, which day, which time (A7)."""
    business = get_business_by_slug(slug)
    service = get_object_or_404(
        Service, business=business, pk=service_id, is_active=True, kind=Service.Kind.ONE_TO_ONE
    )
    performers = performers_for(business=business, service=service)
    performer_id = _performer_of(request.GET.get("performer"), performers)
    context = slot_picker(request, business, service, performer_id=performer_id)
    context.update(
        {
            "service": service,
            "performers": performers,
            "performer_id": performer_id,
            "book_url": reverse("hub:book_appointment", args=[business.slug, service.pk]),
        }
    )
    return _page(request, "hub/appointment.html", business, context)


def _start_of(raw: str | None) -> dt.datetime | None:
    """?start= an aware ISO time as the times list wrote it."""
    try:
        start = dt.datetime.fromisoformat(raw or "")
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


@require_http_methods(["GET", "POST"])
def book_appointment_page(request, slug: str, service_id: int):
    """Details step for a chosen time; the service refuses a time taken meanwhile (A6)."""
    business = get_business_by_slug(slug)
    service = get_object_or_404(
        Service, business=business, pk=service_id, is_active=True, kind=Service.Kind.ONE_TO_ONE
    )
    performers = performers_for(business=business, service=service)
    source = request.POST if request.method == "POST" else request.GET
    start = _start_of(source.get("start"))
    if start is None:
        messages.error(request, "Choose a time first.")
        return redirect("hub:appointment", slug=business.slug, service_id=service.pk)
    performer_id = _performer_of(source.get("performer"), performers)
    form = _details_form(request, business)
    if request.method == "POST" and form.is_valid():
        guest, agreements = _guest(request, form)
        try:
            booking = book_appointment(
                business=business,
                service_id=service.pk,
                performer_id=performer_id,
                starts_at=start,
                guest=guest,
                agreements=agreements,
                idempotency_key=_bound_key(request, form.cleaned_data["idempotency_key"]),
                coupon_code=form.cleaned_data.get("coupon_code"),
                now=timezone.now(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _after_placing(request, booking)
    zone = ZoneInfo(business.timezone)
    return _page(
        request,
        "hub/book_appointment.html",
        business,
        {
            "form": form,
            "service": service,
            "start": start,
            "local_day": start.astimezone(zone).date(),
            "end": start + dt.timedelta(minutes=service.duration_minutes),
            "performer": next((p for p in performers if p.pk == performer_id), None),
            "performer_param": performer_id or "any",
        },
    )


@require_http_methods(["GET", "POST"])
def manage_reschedule(request, slug: str, token: str):
    """A8: the guest picks another free time with the same performer, until the notice."""
    business = get_business_by_slug(slug)
    booking = _managed(business, token)
    if not isinstance(booking, Booking) or booking.kind != Booking.Kind.APPOINTMENT:
        raise Http404
    manage = reverse("hub:manage", args=[business.slug, token])
    if request.method == "POST":
        start = _start_of(request.POST.get("start"))
        try:
            if start is None:
                raise DomainError("Choose a new time.")
            move_appointment(booking=booking, starts_at=start, now=timezone.now())
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        messages.success(request, "Moved. Your new time is below; we emailed you the details.")
        return redirect(manage)
    now = timezone.now()
    deadline = guest_cancel_deadline(
        seats=[booking], notice_hours=business.cancellation_notice_hours
    )
    can_move = booking.status in ACTIVE_STATUSES and deadline is not None and now < deadline
    service = booking.session.service
    context = {"booking": booking, "service": service, "can_move": can_move, "manage": manage}
    if can_move:
        context.update(
            slot_picker(
                request,
                business,
                service,
                performer_id=booking.performer_id,
                exclude_booking_id=booking.pk,
            )
        )
    return _page(request, "hub/reschedule.html", business, context)
