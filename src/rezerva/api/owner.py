"""Owner endpoints behind a per-business API token; they call the same services as the pages."""

from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Status
from ninja.security import HttpBearer

from rezerva.api import schemas
from rezerva.api.paging import PAGE_LIMIT, PAGE_OFFSET, PEOPLE_PAGE_LIMIT, queryset_page
from rezerva.booking import selectors as booking_selectors
from rezerva.booking import services as booking_services
from rezerva.booking.models import CancelledBy
from rezerva.booking.selectors import seats_taken
from rezerva.catalog import selectors as catalog_selectors
from rezerva.catalog import services as catalog_services
from rezerva.scheduling import selectors as scheduling_selectors
from rezerva.scheduling import services as scheduling_services
from rezerva.tenancy.selectors import active_api_token
from rezerva.tenancy.services import record_api_token_use


class BusinessToken(HttpBearer):
    """Authorization: Bearer <token>; sets request.business. Unknown, revoked and expired
    tokens get 401; a token's last use is noted at most once a minute."""

    def authenticate(self, request, token: str):
        now = timezone.now()
        api_token = active_api_token(token, now=now)
        if api_token is None:
            return None
        record_api_token_use(token=api_token, now=now)
        request.business = api_token.business
        return api_token.business


router = Router(tags=["owner"], auth=BusinessToken())
ERRORS = {
    400: schemas.Problem,  # a body that is not JSON at all
    401: schemas.Problem,
    403: schemas.Problem,
    404: schemas.Problem,
    409: schemas.Problem,
    422: schemas.Problem,
}


def _service_out(service, business) -> schemas.ServiceOut:
    return schemas.ServiceOut(
        id=service.pk,
        name=service.name,
        description=service.description,
        kind=service.kind,
        sales_mode=service.sales_mode,
        price_type=service.price_type,
        price=service.price_minor,
        currency=business.currency,
        price_label="",
    )


def _runs_out(runs, business, warnings=()) -> list[schemas.OwnerRunOut]:
    taken = seats_taken(session_ids=[r.pk for r in runs], now=timezone.now())
    zone = ZoneInfo(business.timezone)
    return [
        schemas.OwnerRunOut(
            id=r.pk,
            service_id=r.service_id,
            series_id=r.series_id,
            starts_at=r.starts_at.astimezone(zone),
            ends_at=r.ends_at.astimezone(zone),
            capacity=r.capacity,
            seats_taken=taken.get(r.pk, 0),
            mode=r.mode,
            title=r.title,
            cancelled=r.is_cancelled,
            warnings=list(warnings),
        )
        for r in runs
    ]


@router.get("/services", response={200: list[schemas.ServiceOut], **ERRORS})
def services(request):
    """All the business's services."""
    return [
        _service_out(s, request.business)
        for s in catalog_selectors.services_of(business=request.business)
    ]


@router.post("/services", response={201: schemas.ServiceOut, **ERRORS})
def create_service(request, payload: schemas.ServiceIn):
    """Create a service (a group service needs Growth or higher, P1)."""
    service = catalog_services.create_service(
        business=request.business,
        actor=None,
        kind=payload.kind,
        name=payload.name,
        description=payload.description,
        price_type=payload.price_type,
        price_minor=payload.price,
        sales_mode=payload.sales_mode,
        now=timezone.now(),
    )
    return Status(201, _service_out(service, request.business))


@router.get("/services/{service_id}/runs", response={200: list[schemas.OwnerRunOut], **ERRORS})
def runs(
    request,
    response: HttpResponse,
    service_id: int,
    past: bool = False,
    limit: int = PAGE_LIMIT,
    offset: int = PAGE_OFFSET,
):
    """A service's upcoming (or past) runs with seats taken, a page at a time."""
    business = request.business
    service = catalog_selectors.get_service_for_business(business=business, service_id=service_id)
    pick = scheduling_selectors.past_runs if past else scheduling_selectors.upcoming_runs
    upcoming_or_past = pick(business=business, service=service, now=timezone.now())
    page = queryset_page(request, response, upcoming_or_past, limit=limit, offset=offset)
    return _runs_out(page, business)


def _wall(moment, business):
    """API times with an offset are converted to the business's wall time; naive ones are local."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(business.timezone)).replace(tzinfo=None)


@router.post("/services/{service_id}/runs", response={201: list[schemas.OwnerRunOut], **ERRORS})
def add_run(request, service_id: int, payload: schemas.RunIn):
    """Publish a run (G2, G3), in a series of the service with `series_id`; a series-only
    service's run must name one (422 run_needs_series), as the API has no attach step."""
    business = request.business
    service = catalog_selectors.get_service_for_business(business=business, service_id=service_id)
    series = None
    if payload.series_id is not None:
        series = scheduling_selectors.get_series_for_business(
            business=business, series_id=payload.series_id
        )
    saved = scheduling_services.add_runs(
        business=business,
        service=service,
        actor=None,
        now=timezone.now(),
        series=series,
        allow_outside_series=False,
        run=scheduling_services.RunInput(
            starts_local=_wall(payload.starts_at, business),
            ends_local=_wall(payload.ends_at, business),
            capacity=payload.capacity,
            mode=payload.mode,
            title=payload.title,
            meeting_url=payload.meeting_url,
            address=payload.address,
        ),
    )
    return Status(201, _runs_out(saved.runs, business, saved.warnings))


@router.post("/runs/{session_id}/cancel", response={200: schemas.CancelOut, **ERRORS})
def cancel_run(request, session_id: int, payload: schemas.CancelIn):
    """G5: cancel a run and its bookings; nothing is refunded."""
    run = scheduling_selectors.get_session_for_business(
        business=request.business, session_id=session_id
    )
    result = booking_services.cancel_session(
        session=run, actor=None, reason=payload.reason, now=timezone.now()
    )
    return schemas.CancelOut(bookings_cancelled=result.bookings_cancelled)


@router.get(
    "/runs/{session_id}/participants", response={200: list[schemas.ParticipantOut], **ERRORS}
)
def participants(
    request,
    response: HttpResponse,
    session_id: int,
    limit: int = PEOPLE_PAGE_LIMIT,
    offset: int = PAGE_OFFSET,
):
    """Everyone booked on a run and how they booked, in booking order, a page at a time."""
    run = scheduling_selectors.get_session_for_business(
        business=request.business, session_id=session_id
    )
    people = booking_selectors.participants_of_session(business=request.business, session=run)
    return [
        schemas.ParticipantOut(
            booking_id=b.pk,
            name=b.guest_name,
            email=b.guest_email,
            phone=b.guest_phone,
            kind=b.kind,
            status=b.status,
            purchase_id=b.purchase_id,
        )
        for b in queryset_page(request, response, people, limit=limit, offset=offset)
    ]


@router.get("/services/{service_id}/series", response={200: list[schemas.OwnerSeriesOut], **ERRORS})
def series(request, service_id: int):
    """A service's series."""
    business = request.business
    service = catalog_selectors.get_service_for_business(business=business, service_id=service_id)
    return [
        schemas.OwnerSeriesOut(
            id=s.pk,
            service_id=s.service_id,
            title=s.title,
            price=s.price_minor,
            price_type=s.price_type,
            is_active=s.is_active,
            is_visible=s.is_visible,
            drop_in_enabled=s.drop_in_enabled,
            drop_in_price=s.drop_in_price_minor,
        )
        for s in scheduling_selectors.series_of_service(business=business, service=service)
    ]


@router.get("/series/{series_id}/purchases", response={200: list[schemas.PurchaseOut], **ERRORS})
def purchases(
    request,
    response: HttpResponse,
    series_id: int,
    limit: int = PEOPLE_PAGE_LIMIT,
    offset: int = PAGE_OFFSET,
):
    """A series' buyers, newest first, a page at a time."""
    business = request.business
    series_obj = scheduling_selectors.get_series_for_business(
        business=business, series_id=series_id
    )
    buyers = booking_selectors.buyers_of_series(business=business, series=series_obj)
    return [
        schemas.PurchaseOut(
            id=p.pk,
            series_id=p.series_id,
            name=p.guest_name,
            email=p.guest_email,
            status=p.status,
            price=p.price_minor,
            currency=p.currency,
            # Every API time carries the business's offset, as run times do.
            created_at=p.created_at.astimezone(ZoneInfo(business.timezone)),
        )
        for p in queryset_page(request, response, buyers, limit=limit, offset=offset)
    ]


@router.post("/purchases/{purchase_id}/cancel", response={200: schemas.CancelOut, **ERRORS})
def cancel_purchase(request, purchase_id: int):
    """S3: cancel a series purchase and its bookings; nothing is refunded."""
    purchase = booking_selectors.get_purchase_for_business(
        business=request.business, purchase_id=purchase_id
    )
    result = booking_services.cancel_series_purchase(
        purchase=purchase, by=CancelledBy.OWNER, now=timezone.now()
    )
    return schemas.CancelOut(bookings_cancelled=result.bookings_cancelled)


@router.post("/bookings/{booking_id}/cancel", response={200: schemas.CancelOut, **ERRORS})
def cancel_booking(request, booking_id: int):
    """Cancel one single or drop-in booking."""
    booking = booking_selectors.get_booking_for_business(
        business=request.business, booking_id=booking_id
    )
    result = booking_services.cancel_booking(
        booking=booking, by=CancelledBy.OWNER, now=timezone.now()
    )
    return schemas.CancelOut(bookings_cancelled=result.bookings_cancelled)
