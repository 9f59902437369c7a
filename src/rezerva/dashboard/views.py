"""Owner pages: thin views that parse input, call one service or selector, and render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rezerva.booking import exports as booking_exports
from rezerva.booking import selectors as booking_selectors
from rezerva.booking import services as booking_services
from rezerva.booking.models import CancelledBy
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services import cancel_session
from rezerva.booking.services import consents as consent_services
from rezerva.catalog import selectors as catalog_selectors
from rezerva.catalog import services as catalog_services
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error
from rezerva.core.timezones import to_business_time
from rezerva.dashboard import exports, forms, operations_forms
from rezerva.dashboard.access import SESSION_KEY, business_view
from rezerva.payments import selectors as payment_selectors
from rezerva.scheduling import selectors as scheduling_selectors
from rezerva.scheduling import services as scheduling_services
from rezerva.tenancy import plans
from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.selectors import (
    api_tokens_of,
    bookings_this_month,
    has_feature,
    memberships_of,
    plan_of,
)

PAGE_SIZE = 20
PARTICIPANTS_PAGE_SIZE = 50
SERVICE_FIELD_MAP = {"price": "price"}


def _runs_with_seats(runs, now):
    """Seats taken, and of those the unpaid holds shown apart (F5)."""
    ids = [r.pk for r in runs]
    taken = seats_taken(session_ids=ids, now=now)
    held = booking_selectors.seats_held(session_ids=ids, now=now)
    for run in runs:
        run.seats_taken = taken.get(run.pk, 0)
        run.seats_held = held.get(run.pk, 0)
    return runs


# --- business -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def business_create(request):
    """Create a business (the first one after sign-up, or another one)."""
    form = forms.BusinessForm(request.POST or None, initial={"timezone": "Europe/Warsaw"})
    if request.method == "POST" and form.is_valid():
        try:
            business = tenancy_services.create_business(
                owner=request.user, now=timezone.now(), **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session[SESSION_KEY] = business.pk
            messages.success(
                request, f"{business.name} is ready. Your trial includes group services."
            )
            return redirect("dashboard:home")
    return render(request, "dashboard/business_create.html", {"form": form})


@login_required
@require_POST
def business_switch(request):
    """Switch to another business the user belongs to."""
    business_id = request.POST.get("business_id", "")
    membership = (
        memberships_of(request.user).filter(business_id=int(business_id or 0)).first()
        if business_id.isdigit()
        else None
    )
    if membership is None:
        messages.error(request, "You are not a member of that business.")
    else:
        request.session[SESSION_KEY] = membership.business_id
    return redirect("dashboard:home")


@business_view
def home(request):
    """Today's and the next runs with seats taken, and the plan in force."""
    now = timezone.now()
    business = request.business
    upcoming = list(scheduling_selectors.next_runs(business=business, now=now, limit=10))
    return render(
        request,
        "dashboard/home.html",
        {
            "upcoming": _runs_with_seats(upcoming, now),
            "plan": plan_of(business, now=now),
            "bookings_this_month": bookings_this_month(business, now=now),
            "paid_without_seat": payment_selectors.paid_without_seat(business=business),
            "payment_problems": payment_selectors.payments_with_problems(business=business),
            "memberships": memberships_of(request.user),
            "services_count": catalog_selectors.services_of(business=business).count(),
        },
    )


@business_view(owner_only=True)
@require_http_methods(["GET", "POST"])
def business_settings(request):
    """Business name, timezone, currency, language, holds and cancellation notice."""
    business = request.business
    initial = {f: getattr(business, f) for f in forms.BusinessSettingsForm.base_fields}
    form = forms.BusinessSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tenancy_services.update_business_settings(
                business=business, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Settings saved.")
            return redirect("dashboard:settings")
    return render(
        request,
        "dashboard/settings.html",
        {
            "form": form,
            "tokens": api_tokens_of(business=business),
            "token_form": forms.ApiTokenForm(),
            "now": timezone.now(),
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def team(request):
    """Members and instructors (performers)."""
    business = request.business
    form = forms.PerformerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            catalog_services.create_performer(
                business=business, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Instructor added.")
            return redirect("dashboard:team")
    return render(
        request,
        "dashboard/team.html",
        {
            "form": form,
            "members": business.memberships.select_related("user").order_by("user__email"),
            "performers": catalog_selectors.performers_of(business=business, active_only=False),
        },
    )


# --- services -------------------------------------------------------------------------------


@business_view
def service_list(request):
    """All services with their kind, price and mode."""
    business = request.business
    now = timezone.now()
    return render(
        request,
        "dashboard/service_list.html",
        {
            "services": catalog_selectors.services_of(business=business),
            "can_group": has_feature(business, plans.GROUP_SERVICES, now=now),
            "group_plan": plans.cheapest_plan_with(plans.GROUP_SERVICES),
            "current_plan_name": plan_of(business, now=now).name,
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def service_create(request):
    """Create a service; a group service is refused (with the upgrade path) below Growth (P1)."""
    business = request.business
    now = timezone.now()
    form = forms.ServiceForm(
        request.POST or None,
        currency=business.currency,
        initial={"kind": request.GET.get("kind", "group"), "sales_mode": "single"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service = catalog_services.create_service(
                business=business,
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                description=data["description"],
                price_type=data["price_type"],
                price_minor=data["price"] or 0,
                sales_mode=data["sales_mode"] or "single",
                is_visible=data["is_visible"],
                now=now,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Service “{service.name}” created.")
            return redirect("dashboard:service_detail", service_id=service.pk)
    return render(
        request,
        "dashboard/service_form.html",
        {
            "form": form,
            "can_group": has_feature(business, plans.GROUP_SERVICES, now=now),
            "group_plan": plans.cheapest_plan_with(plans.GROUP_SERVICES),
            "current_plan_name": plan_of(business, now=now).name,
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def service_detail(request, service_id: int):
    """Edit a service; links to its sessions and series."""
    business = request.business
    service = catalog_selectors.get_service_for_business(business=business, service_id=service_id)
    initial = {
        "name": service.name,
        "description": service.description,
        "price_type": service.price_type,
        "price": service.price_minor,
        "sales_mode": service.sales_mode,
        "is_active": service.is_active,
        "is_visible": service.is_visible,
    }
    form = forms.ServiceForm(
        request.POST or None, initial=initial, currency=business.currency, editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            catalog_services.update_service(
                service=service,
                actor=request.user,
                name=data["name"],
                description=data["description"],
                price_type=data["price_type"],
                price_minor=data["price"] or 0,
                sales_mode=data["sales_mode"] or service.sales_mode,
                is_active=data["is_active"],
                is_visible=data["is_visible"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Service saved.")
            return redirect("dashboard:service_detail", service_id=service.pk)
    return render(request, "dashboard/service_detail.html", {"service": service, "form": form})


@business_view
@require_POST
def service_deactivate(request, service_id: int):
    """Stop selling a service."""
    service = catalog_selectors.get_service_for_business(
        business=request.business, service_id=service_id
    )
    catalog_services.deactivate_service(service=service, actor=request.user)
    messages.success(request, f"“{service.name}” is no longer for sale.")
    return redirect("dashboard:service_detail", service_id=service.pk)


# --- sessions (runs) ------------------------------------------------------------------------


def _run_input(data) -> scheduling_services.RunInput:
    return scheduling_services.RunInput(
        starts_local=data["starts_at"],
        ends_local=data["ends_at"],
        capacity=data["capacity"],
        mode=data["mode"],
        title=data["title"],
        meeting_url=data["meeting_url"].strip(),
        address=data["address"],
        performer=data["performer"],
    )


@business_view
@require_http_methods(["GET", "POST"])
def session_list(request, service_id: int):
    """Manage sessions: add runs; upcoming and past listed separately, paginated."""
    business = request.business
    now = timezone.now()
    service = catalog_selectors.get_service_for_business(business=business, service_id=service_id)
    if not service.is_group:
        messages.info(request, "Sessions exist for group services only.")
        return redirect("dashboard:service_detail", service_id=service.pk)
    performers = catalog_selectors.performers_of(business=business)
    form = forms.RunForm(request.POST or None, performers=performers)
    if request.method == "POST" and form.is_valid():
        try:
            saved = scheduling_services.add_runs(
                business=business,
                service=service,
                actor=request.user,
                run=_run_input(form.cleaned_data),
                repeat_weekly=form.cleaned_data["repeat_weekly"],
                now=now,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            count = len(saved.runs)
            messages.success(request, f"{count} session{'s' if count != 1 else ''} added.")
            for warning in saved.warnings:
                messages.warning(request, warning)
            return redirect("dashboard:session_list", service_id=service.pk)
    show_past = request.GET.get("show") == "past"
    runs_qs = (
        scheduling_selectors.past_runs(business=business, service=service, now=now)
        if show_past
        else scheduling_selectors.upcoming_runs(business=business, service=service, now=now)
    )
    page = Paginator(runs_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _runs_with_seats(page.object_list, now)
    template = (
        "dashboard/partials/run_table.html"
        if request.htmx and request.method == "GET"
        else "dashboard/session_list.html"
    )
    return render(
        request,
        template,
        {"service": service, "form": form, "page": page, "show_past": show_past},
    )


def _run_initial(run, business) -> dict:
    return {
        "starts_at": to_business_time(run.starts_at, business.timezone).replace(tzinfo=None),
        "ends_at": to_business_time(run.ends_at, business.timezone).replace(tzinfo=None),
        "capacity": run.capacity,
        "mode": run.mode,
        "title": run.title,
        "meeting_url": run.meeting_url,
        "address": run.address,
        "performer": run.performer,
    }


def _status_filter(request) -> str:
    status = request.GET.get("status") or request.POST.get("status") or "all"
    return status if status in booking_exports.STATUS_FILTERS else "all"


def _render_session_detail(request, run, *, form, action_form, selected=()):
    """The run page: header, participants (one page of them) with bulk actions, edit, cancel."""
    business = request.business
    now = timezone.now()
    status_filter = _status_filter(request)
    page = Paginator(
        booking_exports.participants_query(business=business, session=run, status=status_filter),
        PARTICIPANTS_PAGE_SIZE,
    ).get_page(request.GET.get("page") or request.POST.get("page"))
    rows = [booking_exports.participant_row(b, tz_name=business.timezone) for b in page]
    _runs_with_seats([run], now)
    context = {
        "run": run,
        "form": form,
        "cancel_form": forms.CancelRunForm(),
        "action_form": action_form,
        "now": now,
        "page": page,
        "participants": rows,
        "status_filter": status_filter,
        "selected": {int(pk) for pk in selected if str(pk).isdigit()},
    }
    template = (
        "dashboard/partials/participants.html"
        if request.htmx and request.method == "GET"
        else "dashboard/session_detail.html"
    )
    return render(request, template, context)


@business_view
@require_http_methods(["GET", "POST"])
def session_detail(request, session_id: int):
    """G6: a run's page: participants (kind, payment, attendance), bulk actions, exports, edit,
    cancel."""
    business = request.business
    now = timezone.now()
    run = scheduling_selectors.get_session_for_business(business=business, session_id=session_id)
    performers = catalog_selectors.performers_of(business=business)
    form = forms.RunForm(
        request.POST or None,
        initial=_run_initial(run, business),
        performers=performers,
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = booking_services.update_run(
                session=run, actor=request.user, run=_run_input(form.cleaned_data), now=now
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Session saved.")
            for warning in saved.warnings:
                messages.warning(request, warning)
            return redirect("dashboard:session_detail", session_id=run.pk)
    return _render_session_detail(
        request, run, form=form, action_form=operations_forms.ParticipantsActionForm()
    )


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _bulk_message(action: str, result: booking_services.BulkResult) -> str:
    """What a bulk action did, in the owner's words ("3 participants cancelled, 1 was ...")."""
    was = "was" if result.unchanged == 1 else "were"
    if action == operations_forms.CANCEL:
        parts = [_count(result.changed, "participant", "participants") + " cancelled"]
        if result.unchanged:
            parts.append(f"{result.unchanged} {was} already cancelled")
        if result.series_skipped:
            parts.append(
                _count(result.series_skipped, "series seat", "series seats")
                + (" left as it is" if result.series_skipped == 1 else " left as they are")
                + " (a series seat is cancelled with its whole purchase, on the series page)"
            )
    elif action == operations_forms.MESSAGE:
        parts = ["Message sent to " + _count(result.changed, "participant", "participants")]
        if result.not_eligible:
            parts.append(f"{result.not_eligible} cancelled or expired, not messaged")
    else:
        label = "attended" if action == operations_forms.ATTENDED else "no-show"
        parts = [_count(result.changed, "participant", "participants") + f" marked {label}"]
        if result.unchanged:
            parts.append(f"{result.unchanged} {was} already marked {label}")
        if result.not_eligible:
            parts.append(f"{result.not_eligible} not confirmed, left unmarked")
    if result.ignored:
        parts.append(f"{result.ignored} not on this session, ignored")
    return ", ".join(parts) + "."


def _back_to_participants(request, run):
    """Back to the same filter and page of the run's participants after a bulk action."""
    query = {"status": _status_filter(request)}
    if (page := request.POST.get("page", "")).isdigit():
        query["page"] = page
    return redirect(
        f"{reverse('dashboard:session_detail', args=[run.pk])}?{urlencode(query)}#participants"
    )


@business_view
@require_POST
def session_participants_bulk(request, session_id: int):
    """G6: cancel, mark attended / no-show, or message the selected participants of a run."""
    business = request.business
    run = scheduling_selectors.get_session_for_business(business=business, session_id=session_id)
    action_form = operations_forms.ParticipantsActionForm(request.POST)
    if action_form.is_valid():
        data = action_form.cleaned_data
        action, ids = data["action"], data["booking_ids"]
        try:
            if action == operations_forms.CANCEL:
                result = booking_services.cancel_bookings(
                    business=business,
                    session=run,
                    booking_ids=ids,
                    actor=request.user,
                    now=timezone.now(),
                )
            elif action == operations_forms.MESSAGE:
                result = booking_services.message_participants(
                    business=business,
                    session=run,
                    booking_ids=ids,
                    subject=data["subject"],
                    body=data["body"],
                    actor=request.user,
                )
            else:
                result = booking_services.mark_attendance(
                    business=business,
                    session=run,
                    booking_ids=ids,
                    attendance=action,
                    actor=request.user,
                    now=timezone.now(),
                )
        except DomainError as exc:
            add_domain_error(action_form, exc)
        else:
            messages.success(request, _bulk_message(action, result))
            return _back_to_participants(request, run)
    # Show the page again with the errors, the typed message and the ticked rows kept.
    performers = catalog_selectors.performers_of(business=business)
    return _render_session_detail(
        request,
        run,
        form=forms.RunForm(
            initial=_run_initial(run, business), performers=performers, editing=True
        ),
        action_form=action_form,
        selected=request.POST.getlist("booking_ids"),
    )


def _export_response(*, fmt: str, filename: str, sheet_title: str, header, rows):
    if fmt == "xlsx":
        return exports.xlsx_response(
            filename=f"{filename}.xlsx", sheet_title=sheet_title, header=header, rows=rows
        )
    return exports.csv_response(filename=f"{filename}.csv", header=header, rows=rows)


@business_view
@require_GET
def session_participants_export(request, session_id: int, fmt: str):
    """G6: a run's participants as CSV or XLSX (same rows and filter as the page), streamed."""
    business = request.business
    run = scheduling_selectors.get_session_for_business(business=business, session_id=session_id)
    rows = booking_exports.participant_rows(
        business=business, session=run, status=_status_filter(request)
    )
    starts = to_business_time(run.starts_at, business.timezone)
    return _export_response(
        fmt=fmt,
        filename=f"participants-{starts:%Y-%m-%d-%H%M}-session-{run.pk}",
        sheet_title="Participants",
        header=booking_exports.participant_columns(business),
        rows=(row.cells() for row in rows),
    )


@business_view
@require_POST
def session_cancel(request, session_id: int):
    """Cancel a run: its active bookings are cancelled and guests notified; nothing is refunded."""
    business = request.business
    run = scheduling_selectors.get_session_for_business(business=business, session_id=session_id)
    form = forms.CancelRunForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        result = cancel_session(session=run, actor=request.user, reason=reason, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Session cancelled. {result.bookings_cancelled} booking(s) cancelled."
        )
    return redirect("dashboard:session_detail", session_id=run.pk)


# --- series ---------------------------------------------------------------------------------


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
        booking_exports.buyers_query(business=business, series=series), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/series_detail.html",
        {
            "series": series,
            "runs": _runs_with_seats(runs, now),
            "attachable": attachable,
            "attach_form": attach_form,
            "now": now,
            "buyers": buyers,
            "buyer_rows": [booking_exports.buyer_row(p, tz_name=business.timezone) for p in buyers],
        },
    )


@business_view
@require_GET
def series_buyers_export(request, series_id: int, fmt: str):
    """S3: a series' buyers as CSV or XLSX (the rows the series page lists), streamed."""
    business = request.business
    series = scheduling_selectors.get_series_for_business(business=business, series_id=series_id)
    rows = booking_exports.buyer_rows(business=business, series=series)
    return _export_response(
        fmt=fmt,
        filename=f"buyers-series-{series.pk}",
        sheet_title="Buyers",
        header=booking_exports.buyer_columns(business),
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


# --- bookings and purchases (owner side) ----------------------------------------------------


@business_view
@require_POST
def booking_cancel(request, booking_id: int):
    """The owner cancels one single or drop-in booking; the guest is notified, nothing refunded."""
    booking = booking_selectors.get_booking_for_business(
        business=request.business, booking_id=booking_id
    )
    try:
        booking_services.cancel_booking(
            booking=booking, by=CancelledBy.OWNER, actor=request.user, now=timezone.now()
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Booking of {booking.guest_name} cancelled.")
    return redirect("dashboard:session_detail", session_id=booking.session_id)


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


@business_view(owner_only=True)
@require_http_methods(["GET", "POST"])
def consents(request):
    """Consents and terms guests agree to when booking."""
    business = request.business
    form = forms.ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_services.add_consent(business=business, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Added to the booking form.")
            return redirect("dashboard:consents")
    return render(
        request,
        "dashboard/consents.html",
        {"form": form, "consents": booking_selectors.all_consents_of(business=business)},
    )


@business_view(owner_only=True)
@require_POST
def consent_deactivate(request, consent_id: int):
    """Stop asking guests for a consent; past agreements stay recorded."""
    consent = booking_selectors.get_consent_for_business(
        business=request.business, consent_id=consent_id
    )
    consent_services.deactivate_consent(consent=consent, actor=request.user)
    messages.success(request, "No longer asked.")
    return redirect("dashboard:consents")
