"""Owner pages for runs (sessions): add, edit, cancel; their participants with bulk actions and
exports; the owner cancelling one single or drop-in booking."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rezerva.booking import selectors as booking_selectors
from rezerva.booking import services as booking_services
from rezerva.booking.models import CancelledBy
from rezerva.booking.services import cancel_session
from rezerva.catalog import selectors as catalog_selectors
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error
from rezerva.core.timezones import to_business_time
from rezerva.dashboard import exports, forms, operations_forms, participants
from rezerva.dashboard.access import business_view
from rezerva.dashboard.participants import PAGE_SIZE, PARTICIPANTS_PAGE_SIZE, runs_with_seats
from rezerva.scheduling import selectors as scheduling_selectors
from rezerva.scheduling import services as scheduling_services


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
    runs_with_seats(page.object_list, now)
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
    return status if status in participants.STATUS_FILTERS else "all"


def _render_session_detail(request, run, *, form, action_form, selected=()):
    """The run page: header, participants (one page of them) with bulk actions, edit, cancel."""
    business = request.business
    now = timezone.now()
    status_filter = _status_filter(request)
    page = Paginator(
        participants.participants_query(business=business, session=run, status=status_filter),
        PARTICIPANTS_PAGE_SIZE,
    ).get_page(request.GET.get("page") or request.POST.get("page"))
    rows = [participants.participant_row(b, tz_name=business.timezone) for b in page]
    runs_with_seats([run], now)
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


@business_view
@require_GET
def session_participants_export(request, session_id: int, fmt: str):
    """G6: a run's participants as CSV or XLSX (same rows and filter as the page), streamed."""
    business = request.business
    run = scheduling_selectors.get_session_for_business(business=business, session_id=session_id)
    rows = participants.participant_rows(
        business=business, session=run, status=_status_filter(request)
    )
    starts = to_business_time(run.starts_at, business.timezone)
    return exports.export_response(
        fmt=fmt,
        filename=f"participants-{starts:%Y-%m-%d-%H%M}-session-{run.pk}",
        sheet_title="Participants",
        header=participants.participant_columns(business),
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
