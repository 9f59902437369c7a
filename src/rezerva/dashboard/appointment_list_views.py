"""The owner's list of appointments (A9, G6 where it makes sense): a date range and a person,
a page at a time, CSV/XLSX of the same range, and bulk cancel or attendance marks."""

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from rezerva.booking.selectors import appointments_between
from rezerva.booking.services.appointments import (
    cancel_appointments,
    mark_appointments_attendance,
)
from rezerva.catalog.models import Performer
from rezerva.core.errors import DomainError
from rezerva.dashboard import exports
from rezerva.dashboard.access import business_view
from rezerva.dashboard.appointment_list import (
    MAX_DAYS,
    appointment_columns,
    appointment_row,
    appointment_rows,
)

PAGE_SIZE = 50
DEFAULT_DAYS = 14
ACTIONS = {
    "attended": "marked attended",
    "no_show": "marked no-show",
    "unknown": "marked not recorded",
    "cancel": "cancelled",
}


def _filters(request) -> dict:
    """?start=&end=&performer= as the list and the export read them: bad dates fall back to
    the next two weeks, a range is cut to MAX_DAYS, another business's performer is a 404."""
    business = request.business
    today = timezone.now().astimezone(ZoneInfo(business.timezone)).date()
    source = request.POST if request.method == "POST" else request.GET
    try:
        start = dt.date.fromisoformat(source.get("start", ""))
    except ValueError:
        start = today
    try:
        end = dt.date.fromisoformat(source.get("end", ""))
    except ValueError:
        end = start + dt.timedelta(days=DEFAULT_DAYS - 1)
    end = min(max(end, start), start + dt.timedelta(days=MAX_DAYS - 1))
    performer_id = None
    raw = source.get("performer", "")
    if raw:
        if not raw.isdigit() or not Performer.objects.filter(business=business, pk=raw).exists():
            raise Http404("No such team member.")
        performer_id = int(raw)
    return {"start": start, "end": end, "performer_id": performer_id}


def _query_string(filters: dict) -> str:
    return urlencode(
        {
            "start": filters["start"].isoformat(),
            "end": filters["end"].isoformat(),
            **({"performer": filters["performer_id"]} if filters["performer_id"] else {}),
        }
    )


@business_view
@require_GET
def appointment_list(request):
    """Appointments in a date range, soonest first, a page at a time."""
    business = request.business
    filters = _filters(request)
    query = appointments_between(business=business, **filters)
    page = Paginator(query, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/appointment_list.html",
        {
            **filters,
            "rows": [appointment_row(b, tz_name=business.timezone) for b in page.object_list],
            "page": page,
            "performers": Performer.objects.filter(business=business).order_by("name"),
            "query_string": _query_string(filters),
        },
    )


@business_view
@require_GET
def appointment_list_export(request, fmt: str):
    """The same range as CSV or XLSX, every row (streamed)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("Export as csv or xlsx.")
    business = request.business
    filters = _filters(request)
    rows = appointment_rows(
        appointments_between(business=business, **filters), tz_name=business.timezone
    )
    return exports.export_response(
        fmt=fmt,
        filename=f"appointments-{filters['start']}-{filters['end']}",
        sheet_title="Appointments",
        header=appointment_columns(business),
        rows=(row.cells() for row in rows),
    )


@business_view
@require_POST
def appointment_list_bulk(request):
    """Cancel (each guest emailed, nothing refunded) or mark attendance of the ticked rows."""
    business = request.business
    filters = _filters(request)
    back = f"{reverse('dashboard:appointment_list')}?{_query_string(filters)}"
    action = request.POST.get("action", "")
    ids = [i for i in request.POST.getlist("booking_ids") if i.isdigit() and len(i) <= 18]
    if action not in ACTIONS:
        messages.error(request, "Choose what to do with the selected appointments.")
        return redirect(back)
    if not ids:
        messages.error(request, "Select at least one appointment.")
        return redirect(back)
    try:
        if action == "cancel":
            result = cancel_appointments(
                business=business, booking_ids=ids, actor=request.user, now=timezone.now()
            )
        else:
            result = mark_appointments_attendance(
                business=business,
                booking_ids=ids,
                attendance=action,
                actor=request.user,
                now=timezone.now(),
            )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    done = result.changed
    text = f"{done} appointment{'s' if done != 1 else ''} {ACTIONS[action]}"
    left = result.unchanged + result.not_eligible
    if left:
        text += f", {left} left as {'it was' if left == 1 else 'they were'}"
    if result.ignored:
        text += f", {result.ignored} not found"
    messages.success(request, text + ".")
    return redirect(back)
