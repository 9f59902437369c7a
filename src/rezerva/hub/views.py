"""Public guest pages: hub, service page (time selection), details step, confirmation and manage.

Views parse input and call the booking services and offer selectors; they decide nothing.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rezerva.booking import offers
from rezerva.booking import services as booking_services
from rezerva.booking.errors import SessionFull
from rezerva.booking.links import manage_path
from rezerva.booking.models import ACTIVE_STATUSES, BookingStatus, CancelledBy, SeriesPurchase
from rezerva.booking.selectors import (
    consents_of,
    get_by_manage_token,
    guest_cancel_deadline,
    purchase_bookings,
)
from rezerva.catalog.models import Service
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error, bound_request_key
from rezerva.core.ratelimit import client_address
from rezerva.coupons.selectors import accepts_coupons, redemption_of
from rezerva.hub.forms import GuestDetailsForm
from rezerva.payments.selectors import payment_for
from rezerva.payments.services import start_checkout
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy.selectors import get_business_by_slug

MOVE_OPTIONS_SHOWN = 10
NEXT_RUNS_AFTER_FULL = 3
RUNS_ON_PAGE = 60
SERIES_ON_PAGE = 20
MAX_PAGE = 10_000


def _page(request, template: str, business, context: dict):
    context.update({"business": business, "page_lang": business.locale})
    return render(request, template, context)


def business_hub(request, slug: str):
    """The business's active, visible services with their price line (C2)."""
    business = get_business_by_slug(slug)
    entries = offers.hub_entries(business=business, now=timezone.now())
    return _page(request, "hub/business.html", business, {"entries": entries})


def _page_number(request) -> int:
    """?page=N (1-based); anything else is the first page, as guests expect of a list link."""
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


def _one_page(items: list, per_page: int) -> tuple[list, bool]:
    """Items fetched with one extra: (this page, whether a next page exists)."""
    return items[:per_page], len(items) > per_page


def _service_context(business, service: Service, now, view: str | None, page: int) -> dict:
    runs, more_runs = _one_page(
        offers.run_cards(
            business=business,
            service=service,
            now=now,
            limit=RUNS_ON_PAGE + 1,
            offset=(page - 1) * RUNS_ON_PAGE,
        ),
        RUNS_ON_PAGE,
    )
    # Which series are on sale decides the label and the switch: their distinct prices suffice.
    prices = offers.series_prices(business=business, services=[service], now=now)[service.pk]
    has_single = service.offers_single and (bool(runs) or page > 1)
    label = offers.price_label(
        service=service, series_prices=prices, business=business, has_single_runs=has_single
    )
    has_series = service.offers_series and bool(prices)
    # M1: the switch appears only when both paths are actually published.
    if (
        view not in ("single", "series")
        or (view == "single" and not has_single)
        or (view == "series" and not has_series)
    ):
        view = "single" if has_single or not has_series else "series"
    series, more_series = [], False
    if view == "series":
        series, more_series = _one_page(
            offers.series_cards(
                business=business,
                services=[service],
                now=now,
                limit=SERIES_ON_PAGE + 1,
                offset=(page - 1) * SERIES_ON_PAGE,
            )[service.pk],
            SERIES_ON_PAGE,
        )
    more = more_series if view == "series" else more_runs
    return {
        "service": service,
        "runs": runs,
        "series_cards": series,
        "label": label,
        "view": view,
        "show_switch": has_single and has_series,
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if more else None,
    }


def service_page(request, slug: str, service_id: int):
    """Time selection by sales mode (M1, B1): run cards, series packages, or a switch."""
    business = get_business_by_slug(slug)
    service = get_object_or_404(Service, business=business, pk=service_id, is_active=True)
    if not service.is_group:  # a one-to-one service: pick a person, a day and a time (A7)
        return redirect("hub:appointment", slug=business.slug, service_id=service.pk)
    context = _service_context(
        business, service, timezone.now(), request.GET.get("view"), _page_number(request)
    )
    return _page(request, "hub/service.html", business, context)


def series_page(request, slug: str, series_id: int):
    """A series by its direct link; also works for series hidden from the list (S7)."""
    business = get_business_by_slug(slug)
    series = get_object_or_404(
        Series.objects.select_related("service"), business=business, pk=series_id
    )
    now = timezone.now()
    cards = offers.series_cards(
        business=business, services=[series.service], now=now, series_id=series.pk
    )[series.service_id]
    drop_ins = offers.run_cards(
        business=business, service=series.service, now=now, series_id=series.pk
    )
    return _page(
        request,
        "hub/series.html",
        business,
        {
            "series": series,
            "service": series.service,
            "card": cards[0] if cards else None,
            "drop_ins": drop_ins,
        },
    )


def _details_form(request, business):
    return GuestDetailsForm(
        request.POST or None,
        consents=consents_of(business=business),
        requires_phone=business.requires_phone,
        accepts_coupons=accepts_coupons(business=business, now=timezone.now()),
    )


def _guest(request, form) -> tuple[booking_services.GuestDetails, booking_services.Agreements]:
    data = form.cleaned_data
    return (
        booking_services.GuestDetails(
            data["name"], data["email"], data.get("phone", ""), client=client_address(request)
        ),
        booking_services.Agreements(form.agreed_ids()),
    )


def _bound_key(request, form_key: str) -> str:
    """F2: the form's hidden key counts only in the browser it was given to (its CSRF secret)."""
    return bound_request_key(
        scope="hub", holder=request.META.get("CSRF_COOKIE", ""), form_key=form_key
    )


@require_http_methods(["GET", "POST"])
def book_run(request, slug: str, session_id: int):
    """Details step for one run (single or drop-in); the service decides, under its lock."""
    business = get_business_by_slug(slug)
    run = get_object_or_404(
        Session.objects.select_related("service", "series", "performer"),
        business=business,
        pk=session_id,
    )
    now = timezone.now()
    card = next(
        iter(offers.run_cards(business=business, service=run.service, now=now, session_id=run.pk)),
        None,
    )
    form = _details_form(request, business)
    next_runs = []
    if request.method == "POST" and form.is_valid():
        guest, agreements = _guest(request, form)
        try:
            booking = booking_services.book_run(
                business=business,
                session_id=run.pk,
                guest=guest,
                agreements=agreements,
                idempotency_key=_bound_key(request, form.cleaned_data["idempotency_key"]),
                coupon_code=form.cleaned_data.get("coupon_code"),
                now=now,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            if isinstance(exc, SessionFull):
                next_runs = [
                    c
                    for c in offers.run_cards(business=business, service=run.service, now=now)
                    if not c.is_full and c.session.pk != run.pk
                ][:NEXT_RUNS_AFTER_FULL]
        else:
            return _after_placing(request, booking)
    return _page(
        request,
        "hub/book.html",
        business,
        {
            "form": form,
            "run": run,
            "card": card,
            "service": run.service,
            "next_runs": next_runs,
        },
    )


@require_http_methods(["GET", "POST"])
def book_series(request, slug: str, series_id: int):
    """Details step for a whole series (S1, S4)."""
    business = get_business_by_slug(slug)
    series = get_object_or_404(
        Series.objects.select_related("service"), business=business, pk=series_id
    )
    now = timezone.now()
    cards = offers.series_cards(
        business=business, services=[series.service], now=now, series_id=series.pk
    )[series.service_id]
    form = _details_form(request, business)
    if request.method == "POST" and form.is_valid():
        guest, agreements = _guest(request, form)
        try:
            purchase = booking_services.purchase_series(
                business=business,
                series_id=series.pk,
                guest=guest,
                agreements=agreements,
                idempotency_key=_bound_key(request, form.cleaned_data["idempotency_key"]),
                coupon_code=form.cleaned_data.get("coupon_code"),
                now=now,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _after_placing(request, purchase)
    return _page(
        request,
        "hub/book.html",
        business,
        {
            "form": form,
            "series": series,
            "series_card": cards[0] if cards else None,
            "service": series.service,
        },
    )


def _after_placing(request, obj):
    """Paid online: straight to Stripe Checkout. Otherwise (or if Stripe fails): the manage page."""
    if obj.status == BookingStatus.PENDING:
        try:
            payment = start_checkout(target=obj, now=timezone.now())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(payment.checkout_url)
    return redirect(manage_path(obj) + "?new=1")


@require_POST
def manage_pay(request, slug: str, token: str):
    """Pay now: back to the same Checkout Session (or a new one while the hold lasts)."""
    business = get_business_by_slug(slug)
    obj = _managed(business, token)
    try:
        payment = start_checkout(target=obj, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("hub:manage", slug=business.slug, token=token)
    return redirect(payment.checkout_url)


def _managed(business, token: str):
    obj = get_by_manage_token(business=business, token=token)
    if obj is None:
        raise Http404("No such booking")
    return obj


def manage(request, slug: str, token: str):
    """Confirmation and manage page behind the signed link: every run, status, cancel."""
    business = get_business_by_slug(slug)
    obj = _managed(business, token)
    now = timezone.now()
    seats = purchase_bookings(purchase=obj) if isinstance(obj, SeriesPurchase) else [obj]
    deadline = guest_cancel_deadline(seats=seats, notice_hours=business.cancellation_notice_hours)
    # The same deadline the cancel service enforces; the page only decides what to offer.
    can_cancel = obj.status in ACTIVE_STATUSES and deadline is not None and now < deadline
    return _page(
        request,
        "hub/manage.html",
        business,
        {
            "obj": obj,
            "is_purchase": isinstance(obj, SeriesPurchase),
            "seats": seats,
            "token": token,
            "can_cancel": can_cancel,
            "is_new": request.GET.get("new") == "1",
            "service": seats[0].session.service if seats else None,
            "payment": payment_for(obj),
            "coupon_use": redemption_of(obj),
            "returned_from_payment": request.GET.get("paid") == "1",
            "hold_active": obj.hold_is_active(now),
            "move_options": _move_options(obj, deadline, now),
        },
    )


def _move_options(obj, deadline, now) -> list:
    """B6: other dates this booking could move to, while the guest may still change it."""
    if isinstance(obj, SeriesPurchase) or obj.status != BookingStatus.CONFIRMED:
        return []
    if obj.kind == obj.Kind.APPOINTMENT:  # appointments pick a new time instead (A8)
        return []
    if deadline is None or now >= deadline:
        return []
    return offers.move_options(booking=obj, now=now)[:MOVE_OPTIONS_SHOWN]


@require_POST
def manage_move(request, slug: str, token: str):
    """The guest moves a single or drop-in booking to another date (B6)."""
    business = get_business_by_slug(slug)
    obj = _managed(business, token)
    if isinstance(obj, SeriesPurchase):
        raise Http404
    try:
        to_session_id = int(request.POST.get("session_id", ""))
    except ValueError:
        messages.error(request, "Choose a new date.")
        return redirect("hub:manage", slug=business.slug, token=token)
    try:
        booking_services.move_booking(booking=obj, to_session_id=to_session_id, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Moved. Your new date is below; we emailed you the details.")
    return redirect("hub:manage", slug=business.slug, token=token)


@require_POST
def manage_cancel(request, slug: str, token: str):
    """The guest cancels the booking (or the whole purchase) through the manage link."""
    business = get_business_by_slug(slug)
    obj = _managed(business, token)
    try:
        if isinstance(obj, SeriesPurchase):
            booking_services.cancel_series_purchase(
                purchase=obj, by=CancelledBy.GUEST, now=timezone.now()
            )
        else:
            booking_services.cancel_booking(booking=obj, by=CancelledBy.GUEST, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("hub:manage", slug=business.slug, token=token)
