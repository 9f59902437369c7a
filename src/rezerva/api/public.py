"""Public endpoints for guests: the hub, bookable runs and series, booking, manage by token."""

from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Header, Router, Status
from ninja.decorators import decorate_view

from rezerva.api import schemas
from rezerva.api.paging import PAGE_LIMIT, PAGE_OFFSET, SERIES_PAGE_LIMIT, page_of
from rezerva.booking import offers
from rezerva.booking import services as booking_services
from rezerva.booking.links import manage_url
from rezerva.booking.models import Booking, BookingStatus, CancelledBy, SeriesPurchase
from rezerva.booking.selectors import get_by_manage_token, purchase_bookings
from rezerva.catalog.models import Service
from rezerva.core.errors import ValidationFailed
from rezerva.core.ratelimit import client_address, rate_limited
from rezerva.coupons.selectors import redemption_of
from rezerva.payments.services import start_checkout
from rezerva.tenancy.selectors import get_business_by_slug

router = Router(tags=["public"])
# 400: a body that is not JSON at all (ninja cannot parse it).
PROBLEMS = {400: schemas.Problem, 404: schemas.Problem, 409: schemas.Problem, 422: schemas.Problem}
# Per-client limits shared with the hub pages (core/ratelimit.py); over them: 429 + Retry-After.
LIMITED = {429: schemas.Problem}


def _service(business, service_id: int) -> Service:
    return get_object_or_404(Service, business=business, pk=service_id, is_active=True)


@router.get(
    "/{slug}/services",
    response={200: list[schemas.ServiceOut], 404: schemas.Problem, 422: schemas.Problem},
)
def list_services(request, slug: str):
    """The business hub: active, visible services with their price label (C2)."""
    business = get_business_by_slug(slug)
    return [
        schemas.ServiceOut(
            id=e.service.pk,
            name=e.service.name,
            description=e.service.description,
            kind=e.service.kind,
            sales_mode=e.service.sales_mode,
            price_type=e.service.price_type,
            price=e.service.price_minor,
            currency=business.currency,
            price_label=e.label.text,
        )
        for e in offers.hub_entries(business=business, now=timezone.now())
    ]


@router.get(
    "/{slug}/services/{service_id}/runs",
    response={200: list[schemas.RunOut], 404: schemas.Problem, 422: schemas.Problem},
)
def list_runs(
    request,
    response: HttpResponse,
    slug: str,
    service_id: int,
    limit: int = PAGE_LIMIT,
    offset: int = PAGE_OFFSET,
):
    """Upcoming runs on the single path (single and drop-in), soonest first, full ones with
    seats_left 0; one page at a time (`Link: rel="next"` while there are more)."""
    business = get_business_by_slug(slug)
    service = _service(business, service_id)
    cards = offers.run_cards(
        business=business, service=service, now=timezone.now(), limit=limit + 1, offset=offset
    )
    cards = page_of(request, response, cards, limit=limit, offset=offset)
    return [
        schemas.RunOut(
            id=c.session.pk,
            starts_at=c.session.starts_at.astimezone(_zone(business)),
            ends_at=c.session.ends_at.astimezone(_zone(business)),
            timezone=business.timezone,
            title=c.session.title,
            mode=c.session.mode,
            capacity=c.session.capacity,
            seats_left=c.seats_left,
            full=c.is_full,
            kind=c.kind,
            price=c.price_minor,
            price_type=c.price_type,
            currency=business.currency,
            part_of_series=c.series is not None,
            series_id=c.series.pk if c.series else None,
        )
        for c in cards
    ]


def _zone(business) -> ZoneInfo:
    return ZoneInfo(business.timezone)


@router.get(
    "/{slug}/services/{service_id}/series",
    response={200: list[schemas.SeriesOut], 404: schemas.Problem, 422: schemas.Problem},
)
def list_series(
    request,
    response: HttpResponse,
    slug: str,
    service_id: int,
    limit: int = SERIES_PAGE_LIMIT,
    offset: int = PAGE_OFFSET,
):
    """Series on sale for a service, soonest next run first, with their remaining runs and the
    tightest seat count; one page at a time (`Link: rel="next"` while there are more)."""
    business = get_business_by_slug(slug)
    service = _service(business, service_id)
    if not service.offers_series:
        return []
    cards = offers.series_cards(
        business=business,
        services=[service],
        now=timezone.now(),
        limit=limit + 1,
        offset=offset,
    )[service.pk]
    cards = page_of(request, response, cards, limit=limit, offset=offset)
    zone = _zone(business)
    return [
        schemas.SeriesOut(
            id=c.series.pk,
            title=c.series.title,
            price=c.series.price_minor,
            price_type=c.series.price_type,
            currency=business.currency,
            seats_left=c.seats_left,
            sold_out=c.sold_out,
            runs=[
                schemas.SeriesRunOut(
                    id=r.pk,
                    starts_at=r.starts_at.astimezone(zone),
                    ends_at=r.ends_at.astimezone(zone),
                    title=r.title,
                    seats_left=max(r.capacity - r.seats_taken, 0),
                )
                for r in c.runs
            ],
        )
        for c in cards
    ]


def booking_out(
    obj: Booking | SeriesPurchase, checkout_url: str | None = None
) -> schemas.BookingOut:
    """The API view of a booking or a series purchase, with its seats."""
    seats = purchase_bookings(purchase=obj) if isinstance(obj, SeriesPurchase) else [obj]
    zone = _zone(obj.business)
    coupon_use = redemption_of(obj)
    return schemas.BookingOut(
        id=obj.pk,
        kind="series" if isinstance(obj, SeriesPurchase) else obj.kind,
        status=obj.status,
        price=obj.price_minor,
        discount=coupon_use.discount_minor if coupon_use else 0,
        price_type=obj.price_type,
        currency=obj.currency,
        hold_expires_at=obj.hold_expires_at.astimezone(zone) if obj.hold_expires_at else None,
        manage_url=manage_url(obj),
        checkout_url=checkout_url,
        seats=[
            schemas.SeatOut(
                booking_id=s.pk,
                session_id=s.session_id,
                starts_at=s.session.starts_at.astimezone(zone),
                ends_at=s.session.ends_at.astimezone(zone),
                status=s.status,
                session_cancelled=s.session.is_cancelled,
            )
            for s in seats
        ],
    )


@router.post(
    "/{slug}/bookings",
    response={201: schemas.BookingOut, 403: schemas.Problem, **PROBLEMS, **LIMITED},
)
@decorate_view(rate_limited("booking"))
def place_booking(
    request,
    response: HttpResponse,
    slug: str,
    payload: schemas.BookingIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Book one run (`session_id`) or a whole series (`series_id`). Retrying with the same
    Idempotency-Key and the same request (target, guest email, coupon, consents) returns the
    same booking with `Idempotent-Replayed: true`; the key with another request is refused with
    409 `idempotency_key_reused`. Keys are kept 24 hours."""
    business = get_business_by_slug(slug)
    if (payload.session_id is None) == (payload.series_id is None):
        raise ValidationFailed({"session_id": "Give exactly one of session_id or series_id."})
    guest = booking_services.GuestDetails(
        payload.name, payload.email, payload.phone, client=client_address(request)
    )
    agreements = booking_services.Agreements(frozenset(payload.consent_ids))
    common = {
        "business": business,
        "guest": guest,
        "agreements": agreements,
        "idempotency_key": idempotency_key,
        "coupon_code": payload.coupon_code,
        "now": timezone.now(),
    }
    if payload.session_id is not None:
        obj = booking_services.book_run(session_id=payload.session_id, **common)
    else:
        obj = booking_services.purchase_series(series_id=payload.series_id, **common)
    if getattr(obj, "is_replay", False):
        response["Idempotent-Replayed"] = "true"
    obj.business = business
    checkout_url = None
    if obj.status == BookingStatus.PENDING:
        # Stripe is called after the booking committed; a failure leaves the hold for a retry.
        checkout_url = start_checkout(target=obj, now=timezone.now()).checkout_url
    return Status(201, booking_out(obj, checkout_url=checkout_url))


def _managed(slug: str, token: str):
    business = get_business_by_slug(slug)
    obj = get_by_manage_token(business=business, token=token)
    if obj is None:
        raise Http404
    return obj


@router.get(
    "/{slug}/manage/{token}",
    response={200: schemas.BookingOut, 404: schemas.Problem, 422: schemas.Problem, **LIMITED},
)
@decorate_view(rate_limited("manage"))
def read_booking(request, slug: str, token: str):
    """A booking or purchase through its signed manage token."""
    return booking_out(_managed(slug, token))


@router.post(
    "/{slug}/manage/{token}/cancel", response={200: schemas.BookingOut, **PROBLEMS, **LIMITED}
)
@decorate_view(rate_limited("manage"))
def cancel_booking(request, slug: str, token: str):
    """The guest cancels (a purchase only as a whole, before its first run; B6)."""
    obj = _managed(slug, token)
    if isinstance(obj, SeriesPurchase):
        booking_services.cancel_series_purchase(
            purchase=obj, by=CancelledBy.GUEST, now=timezone.now()
        )
    else:
        booking_services.cancel_booking(booking=obj, by=CancelledBy.GUEST, now=timezone.now())
    obj.refresh_from_db()
    return booking_out(obj)


@router.post(
    "/{slug}/manage/{token}/move", response={200: schemas.BookingOut, **PROBLEMS, **LIMITED}
)
@decorate_view(rate_limited("manage"))
def move_booking(request, slug: str, token: str, payload: schemas.MoveIn):
    """The guest moves a single or drop-in booking to another run of the same service at the
    same price (B6); the payment stays with the booking."""
    obj = _managed(slug, token)
    if isinstance(obj, SeriesPurchase):
        raise ValidationFailed({"session_id": "A series purchase can't be moved, only cancelled."})
    moved = booking_services.move_booking(
        booking=obj, to_session_id=payload.session_id, now=timezone.now()
    )
    return booking_out(moved)
