"""Owner endpoints for one-to-one appointments and availability (issue 13 item 1 and 6): the
same service functions the dashboard pages call, behind the owner API token."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status

from rezerva.api import appointment_schemas as schemas
from rezerva.api.appointments import as_utc
from rezerva.api.owner import ERRORS, BusinessToken
from rezerva.api.paging import PAGE_LIMIT, PAGE_OFFSET, PEOPLE_PAGE_LIMIT, queryset_page
from rezerva.availability import services as availability
from rezerva.availability.models import TimeOff, WeeklyHours
from rezerva.booking.models import Booking
from rezerva.booking.selectors import appointments_between
from rezerva.booking.services import GuestDetails
from rezerva.booking.services.appointments import book_appointment, move_appointment
from rezerva.catalog import services as catalog_services
from rezerva.catalog.models import Performer, Service
from rezerva.core.errors import NotFound, ValidationFailed

router = Router(tags=["owner: appointments"], auth=BusinessToken())


def _performer_id(request, performer_id: int | None) -> int | None:
    """A performer of this business (another business's id: 404), or None for the default."""
    if (
        performer_id is not None
        and not Performer.objects.filter(business=request.business, pk=performer_id).exists()
    ):
        raise NotFound("This team member does not exist.")
    return performer_id


def _week(intervals) -> dict[int, list[tuple[dt.time, dt.time]]]:
    week: dict[int, list] = {d: [] for d in range(7)}
    for i in intervals:
        week[i.weekday].append((i.starts, i.ends))
    return week


@router.get("/performers", response={200: list[schemas.OwnerPerformerOut], **ERRORS})
def list_performers(request):
    """The team: who can take appointments and lead runs."""
    return [
        schemas.OwnerPerformerOut(id=p.pk, name=p.name, is_active=p.is_active)
        for p in Performer.objects.filter(business=request.business).order_by("pk")
    ]


@router.get("/availability/weekly", response={200: schemas.WeeklyHoursOut, **ERRORS})
def weekly_hours(request, performer_id: int | None = None):
    """A2: a performer's weekly hours (or the business default without `performer_id`)."""
    performer_id = _performer_id(request, performer_id)
    rows = WeeklyHours.objects.filter(business=request.business, performer_id=performer_id)
    follows = performer_id is not None and not (
        Performer.objects.filter(pk=performer_id, has_own_hours=True).exists()
    )
    if follows:
        rows = WeeklyHours.objects.filter(business=request.business, performer__isnull=True)
    return schemas.WeeklyHoursOut(
        performer_id=performer_id,
        follows_default=follows,
        intervals=[
            schemas.WeekdayHoursIn(weekday=r.weekday, starts=r.starts, ends=r.ends)
            for r in rows.order_by("weekday", "starts")
        ],
    )


@router.put("/availability/weekly", response={200: schemas.WeeklyHoursOut, **ERRORS})
def set_weekly_hours(request, payload: schemas.WeeklyHoursIn, performer_id: int | None = None):
    """A2: replace the week (days without intervals are closed)."""
    performer_id = _performer_id(request, performer_id)
    availability.set_weekly_hours(
        business=request.business,
        actor=None,
        performer_id=performer_id,
        week=_week(payload.intervals),
    )
    return weekly_hours(request, performer_id)


@router.put("/availability/overrides", response={204: None, **ERRORS})
def set_override(request, payload: schemas.DateOverrideIn, performer_id: int | None = None):
    """A3: a date with its own hours, or closed (no intervals)."""
    availability.set_date_override(
        business=request.business,
        actor=None,
        performer_id=_performer_id(request, performer_id),
        date=payload.date,
        intervals=[(i.starts, i.ends) for i in payload.intervals],
    )
    return Status(204, None)


@router.delete("/availability/overrides/{date}", response={204: None, **ERRORS})
def clear_override(request, date: dt.date, performer_id: int | None = None):
    """A3: the date follows the weekly hours again."""
    availability.clear_date_override(
        business=request.business,
        actor=None,
        performer_id=_performer_id(request, performer_id),
        date=date,
    )
    return Status(204, None)


def _time_off_out(row: TimeOff, zone: ZoneInfo) -> schemas.TimeOffOut:
    return schemas.TimeOffOut(
        id=row.pk,
        performer_id=row.performer_id,
        starts_at=row.starts_at.astimezone(zone),
        ends_at=row.ends_at.astimezone(zone),
        reason=row.reason,
    )


@router.get("/availability/time-off", response={200: list[schemas.TimeOffOut], **ERRORS})
def list_time_off(
    request, response: HttpResponse, limit: int = PAGE_LIMIT, offset: int = PAGE_OFFSET
):
    """A3: upcoming time off and closures (no performer), soonest first."""
    rows = TimeOff.objects.filter(business=request.business, ends_at__gt=timezone.now())
    page = queryset_page(
        request, response, rows.order_by("starts_at", "pk"), limit=limit, offset=offset
    )
    zone = ZoneInfo(request.business.timezone)
    return [_time_off_out(r, zone) for r in page]


@router.post("/availability/time-off", response={201: schemas.TimeOffOut, **ERRORS})
def add_time_off(request, payload: schemas.TimeOffIn):
    """A3/A9: block a performer's time, or close the business (no performer)."""
    business = request.business
    row = availability.add_time_off(
        business=business,
        actor=None,
        performer_id=_performer_id(request, payload.performer_id),
        starts_at=as_utc(payload.starts_at, business),
        ends_at=as_utc(payload.ends_at, business),
        reason=payload.reason,
    )
    return Status(201, _time_off_out(row, ZoneInfo(business.timezone)))


@router.delete("/availability/time-off/{time_off_id}", response={204: None, **ERRORS})
def remove_time_off(request, time_off_id: int):
    """Delete time off or a closure."""
    availability.remove_time_off(business=request.business, actor=None, time_off_id=time_off_id)
    return Status(204, None)


@router.put("/services/{service_id}/appointment-settings", response={204: None, **ERRORS})
def appointment_settings(request, service_id: int, payload: schemas.AppointmentSettingsIn):
    """A4: duration, slot interval, buffers, notice, horizon, daily cap and performers."""
    service = get_object_or_404(Service, business=request.business, pk=service_id)
    data = payload.dict()
    catalog_services.update_appointment_settings(
        service=service,
        actor=None,
        settings=catalog_services.AppointmentSettings(
            **{**data, "performer_ids": tuple(data["performer_ids"])}
        ),
    )
    return Status(204, None)


def _appointment_out(b: Booking, zone: ZoneInfo) -> schemas.AppointmentOut:
    return schemas.AppointmentOut(
        id=b.pk,
        service_id=b.session.service_id,
        performer_id=b.performer_id,
        starts_at=b.session.starts_at.astimezone(zone),
        ends_at=b.session.ends_at.astimezone(zone),
        status=b.status,
        guest_name=b.guest_name,
        guest_email=b.guest_email,
        guest_phone=b.guest_phone,
        price=b.price_minor,
        price_type=b.price_type,
    )


@router.get("/appointments", response={200: list[schemas.AppointmentOut], **ERRORS})
def list_appointments(
    request,
    response: HttpResponse,
    start: dt.date,
    end: dt.date,
    performer_id: int | None = None,
    limit: int = PEOPLE_PAGE_LIMIT,
    offset: int = PAGE_OFFSET,
):
    """A9: active appointments starting on local days `start`..`end` (at most 62 days)."""
    business = request.business
    if end < start or (end - start).days > 61:
        raise ValidationFailed({"end": "Give an end on or after the start, at most 62 days on."})
    rows = appointments_between(
        business=business,
        start=start,
        end=end,
        performer_id=_performer_id(request, performer_id),
        active_only=True,
    )
    page = queryset_page(request, response, rows, limit=limit, offset=offset)
    zone = ZoneInfo(business.timezone)
    return [_appointment_out(b, zone) for b in page]


@router.post("/appointments", response={201: schemas.AppointmentOut, **ERRORS})
def book_on_behalf(request, payload: schemas.OwnerAppointmentIn):
    """A9: book for a guest (phone, walk-in): hours and notice may be ignored, a double booking
    never."""
    business = request.business
    booking = book_appointment(
        business=business,
        service_id=payload.service_id,
        performer_id=payload.performer_id,
        starts_at=as_utc(payload.starts_at, business),
        guest=GuestDetails(payload.name, payload.email, payload.phone),
        coupon_code=payload.coupon_code,
        now=timezone.now(),
        on_behalf=True,
    )
    return Status(201, _appointment_out(booking, ZoneInfo(business.timezone)))


def _appointment(request, booking_id: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("session", "business"),
        business=request.business,
        pk=booking_id,
        kind=Booking.Kind.APPOINTMENT,
    )


@router.post("/appointments/{booking_id}/move", response={200: schemas.AppointmentOut, **ERRORS})
def move(request, booking_id: int, payload: schemas.RescheduleIn):
    """A9: move an appointment (any time that is not double-booked); the guest is notified."""
    booking = _appointment(request, booking_id)
    moved = move_appointment(
        booking=booking,
        starts_at=as_utc(payload.starts_at, request.business),
        now=timezone.now(),
        by_owner=True,
    )
    return _appointment_out(moved, ZoneInfo(request.business.timezone))
