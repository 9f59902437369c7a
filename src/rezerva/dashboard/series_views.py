"""Owner pages for series: create, edit, attach and detach runs; their buyers and exports; the
owner cancelling a series purchase."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rezerva.booking import selectors as booking_selectors
from rezerva.booking import services as booking_services
from rezerva.booking.models import CancelledBy
from rezerva.catalog import selectors as catalog_selectors
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error
from rezerva.dashboard import exports, forms, participants
from rezerva.dashboard.access import business_view
from rezerva.dashboard.participants import PAGE_SIZE, runs_with_seats
from rezerva.scheduling import selectors as scheduling_selectors
from rezerva.scheduling import services as scheduling_services
from rezerva.tenancy import plans
from rezerva.tenancy.selectors import has_feature, plan_of


def _series_input(data) -> scheduling_services.SeriesInput:
    return scheduling_services.SeriesInput(
        title=data["title"],
        price_type=data["price_type"],
        price_minor=data["price"] or 0,
        is_active=data["is_active"],
        is_visible=data["is_visible"],
        drop_in_enabled=data["drop_in_enabled"],
        drop_in_price_minor=data["drop_in_price"],
        allows_late_join=data["allows_late_join"],
    )


@business_view
@require_http_methods(["GET", "POST"])
def series_list(request, service_id: int):
    """Manage series: the service's series and a form to create one."""
    business = request.business
    now = timezone.now()
    service = catalog_selectors.get_service_for_business(business=business, service_id=service_id)
    form = forms.SeriesForm(request.POST or None, currency=business.currency)
    if request.method == "POST" and form.is_valid():
        try:
            series = scheduling_services.create_series(
                business=business,
                service=service,
                actor=request.user,
                data=_series_input(form.cleaned_data),
                now=now,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Series “{series.title}” created. Now add its sessions.")
            return redirect("dashboard:series_detail", series_id=series.pk)
    return render(
        request,
        "dashboard/series_list.html",
        {
            "service": service,
            "form": form,
            "series_list": scheduling_selectors.series_of_service(
                business=business, service=service
            ),
            "can_series": has_feature(business, plans.SERIES, now=now),
            "series_plan": plans.cheapest_plan_with(plans.SERIES),
            "current_plan_name": plan_of(business, now=now).name,
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def series_detail(request, series_id: int):
    """S3: series overview: its runs (attach, detach) and its buyers with payment and seats."""
    business = request.business
    now = timezone.now()
    series = scheduling_selectors.get_series_for_business(business=business, series_id=series_id)
    attachable = list(scheduling_selectors.attachable_runs(series=series, now=now))
    attach_form = forms.AttachRunsForm(request.POST or None, runs=attachable)
    if request.method == "POST" and attach_form.is_valid():
        try:
            runs = scheduling_services.attach_runs_to_series(
                series=series,
                session_ids=attach_form.cleaned_data["sessions"],
                actor=request.user,
                now=now,
            )
        except DomainError as exc:
            add_domain_error(attach_form, exc)
        else:
            messages.success(request, f"{len(runs)} session(s) added to the series.")
            return redirect("dashboard:series_detail", series_id=series.pk)
    runs = list(scheduling_selectors.runs_of_series(series=series))
    buyers = Paginator(
        participants.buyers_query(business=business, series=series), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/series_detail.html",
        {
            "series": series,
            "runs": runs_with_seats(runs, now),
            "attachable": attachable,
            "attach_form": attach_form,
            "now": now,
            "buyers": buyers,
            "buyer_rows": [participants.buyer_row(p, tz_name=business.timezone) for p in buyers],
        },
    )


@business_view
@require_GET
def series_buyers_export(request, series_id: int, fmt: str):
    """S3: a series' buyers as CSV or XLSX (the rows the series page lists), streamed."""
    business = request.business
    series = scheduling_selectors.get_series_for_business(business=business, series_id=series_id)
    rows = participants.buyer_rows(business=business, series=series)
    return exports.export_response(
        fmt=fmt,
        filename=f"buyers-series-{series.pk}",
        sheet_title="Buyers",
        header=participants.buyer_columns(business),
        rows=(row.cells() for row in rows),
    )


@business_view
@require_http_methods(["GET", "POST"])
def series_edit(request, series_id: int):
    """Edit title, price, flags and drop-in settings."""
    business = request.business
    series = scheduling_selectors.get_series_for_business(business=business, series_id=series_id)
    initial = {
        "title": series.title,
        "price_type": series.price_type,
        "price": series.price_minor,
        "is_active": series.is_active,
        "is_visible": series.is_visible,
        "drop_in_enabled": series.drop_in_enabled,
        "drop_in_price": series.drop_in_price_minor,
        "allows_late_join": series.allows_late_join,
    }
    form = forms.SeriesForm(request.POST or None, initial=initial, currency=business.currency)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling_services.update_series(
                series=series, actor=request.user, data=_series_input(form.cleaned_data)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Series saved.")
            return redirect("dashboard:series_detail", series_id=series.pk)
    return render(request, "dashboard/series_edit.html", {"series": series, "form": form})


@business_view
@require_POST
def series_detach(request, series_id: int, session_id: int):
    """Take an upcoming run out of a series."""
    business = request.business
    series = scheduling_selectors.get_series_for_business(business=business, series_id=series_id)
    scheduling_selectors.get_session_for_business(business=business, session_id=session_id)
    try:
        booking_services.detach_run_from_series(
            series=series, session_id=session_id, actor=request.user, now=timezone.now()
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Session removed from the series.")
    return redirect("dashboard:series_detail", series_id=series.pk)


@business_view
@require_POST
def purchase_cancel(request, purchase_id: int):
    """S3: the owner cancels a series purchase; every run's seat goes, nothing is refunded."""
    purchase = booking_selectors.get_purchase_for_business(
        business=request.business, purchase_id=purchase_id
    )
    try:
        result = booking_services.cancel_series_purchase(
            purchase=purchase, by=CancelledBy.OWNER, actor=request.user, now=timezone.now()
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Purchase of {purchase.guest_name} cancelled ({result.bookings_cancelled} seats).",
        )
    return redirect("dashboard:series_detail", series_id=purchase.series_id)
