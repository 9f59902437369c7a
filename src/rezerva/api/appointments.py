"""Public endpoints for one-to-one appointments: performers, free times, booking, moving.

Times go out in the business timezone with their offset; a naive time coming in is read as
business local time (the DST rule of the README applies)."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Header, Router, Status
from ninja.decorators import decorate_view

from rezerva.api import appointment_schemas as schemas
from rezerva.api.public import LIMITED, PROBLEMS, booking_out
from rezerva.api.schemas import BookingOut, Problem
from rezerva.availability.selectors import performers_for
from rezerva.booking import services as booking_services
from rezerva.booking.models import Booking, BookingStatus
from rezerva.booking.selectors import appointment_slots, get_by_manage_token
from rezerva.booking.services.appointments import book_appointment, move_appointment
from rezerva.catalog.models import Service
from rezerva.core.ratelimit import client_address, rate_limited
from rezerva.core.timezones import wall_time_to_utc
from rezerva.payments.services import start_checkout
from rezerva.tenancy.selectors import get_business_by_slug

router = Router(tags=["appointments"])
DEFAULT_DAYS = 31


def _one_to_one(business, service_id: int) -> Service:
    return get_object_or_404(
        Service, business=business, pk=service_id, is_active=True, kind=Service.Kind.ONE_TO_ONE
    )


def as_utc(moment: dt.datetime, business) -> dt.datetime:
    """An incoming time: with an offset as given, naive as business local wall time."""
    if moment.tzinfo is None:
        return wall_time_to_utc(moment, business.timezone)
    return moment.astimezone(dt.UTC)


@router.get(
    "/{slug}/services/{service_id}/performers",
    response={200: list[schemas.PerformerOut], 404: Problem, 422: Problem},
)
def list_performers(request, slug: str, service_id: int):
    """Who offers a one-to-one service (A4); the guest may also choose "any available"."""
    business = get_business_by_slug(slug)
    service = _one_to_one(business, service_id)
    return [
        schemas.PerformerOut(id=p.pk, name=p.name)
        for p in performers_for(business=business, service=service)
    ]


@router.get(
    "/{slug}/services/{service_id}/slots",
    response={200: schemas.SlotsOut, 404: Problem, 422: Problem},
)
def list_slots(
    request,
    slug: str,
    service_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    performer_id: int | None = None,
):
    """A6: free start times from `start` (local day, default today) to `end` (default 30 days
    on; at most 62 days at a time) for `performer_id` or any, and the days that have any (a
    month view's marks). The same search refuses a taken time when booking."""
    # The service and its business in one statement (this list is the busiest read).
    service = get_object_or_404(
        Service.objects.select_related("business"),
        business__slug=slug,
        pk=service_id,
        is_active=True,
        kind=Service.Kind.ONE_TO_ONE,
    )
    business = service.business
    now = timezone.now()
    zone = ZoneInfo(business.timezone)
    start = start or now.astimezone(zone).date()
    end = end or start + dt.timedelta(days=DEFAULT_DAYS - 1)
    slots = appointment_slots(
        business=business,
        service=service,
        performer_id=performer_id,
        start=start,
        end=end,
        now=now,
    )
    length = dt.timedelta(minutes=service.duration_minutes)
    # Built by hand rather than through the schema's validation: a month of "any" times is a
    # thousand entries, and validating each one cost more than the search (the shape is
    # SlotsOut, as documented; tests/api/test_appointments_api.py reads it back through it).
    local: dict[dt.datetime, str] = {}  # an end is usually another slot's start

    def iso(moment: dt.datetime) -> str:
        text = local.get(moment)
        if text is None:
            text = local[moment] = moment.astimezone(zone).isoformat()
        return text

    by_start = slots.performers_by_start()
    body = {
        "timezone": business.timezone,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "dates": sorted({iso(s)[:10] for s in by_start}),
        "slots": [
            {"starts_at": iso(s), "ends_at": iso(s + length), "performer_ids": performer_ids}
            for s, performer_ids in by_start.items()
        ],
    }
    return HttpResponse(json.dumps(body), content_type="application/json")


@router.post(
    "/{slug}/appointments",
    response={201: BookingOut, 403: Problem, **PROBLEMS, **LIMITED},
)
@decorate_view(rate_limited("booking"))
def place_appointment(
    request,
    response: HttpResponse,
    slug: str,
    payload: schemas.AppointmentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Book a one-to-one appointment at a listed start, with a performer or any available
    (A7). Paid online: the answer carries the Checkout URL and the hold. Idempotency-Key as
    for bookings."""
    business = get_business_by_slug(slug)
    booking = book_appointment(
        business=business,
        service_id=payload.service_id,
        performer_id=payload.performer_id,
        starts_at=as_utc(payload.starts_at, business),
        guest=booking_services.GuestDetails(
            payload.name, payload.email, payload.phone, client=client_address(request)
        ),
        agreements=booking_services.Agreements(frozenset(payload.consent_ids)),
        idempotency_key=idempotency_key,
        coupon_code=payload.coupon_code,
        now=timezone.now(),
    )
    if getattr(booking, "is_replay", False):
        response["Idempotent-Replayed"] = "true"
    booking.business = business
    checkout_url = None
    if booking.status == BookingStatus.PENDING:
        checkout_url = start_checkout(target=booking, now=timezone.now()).checkout_url
    return Status(201, booking_out(booking, checkout_url=checkout_url))


@router.post(
    "/{slug}/manage/{token}/reschedule",
    response={200: BookingOut, **PROBLEMS, **LIMITED},
)
@decorate_view(rate_limited("manage"))
def reschedule_appointment(request, slug: str, token: str, payload: schemas.RescheduleIn):
    """A8: the guest moves her appointment to another listed start with the same performer,
    until the notice period; her calendar entry updates."""
    business = get_business_by_slug(slug)
    booking = get_by_manage_token(business=business, token=token)
    if not isinstance(booking, Booking) or booking.kind != Booking.Kind.APPOINTMENT:
        raise Http404
    moved = move_appointment(
        booking=booking, starts_at=as_utc(payload.starts_at, business), now=timezone.now()
    )
    return booking_out(moved)
