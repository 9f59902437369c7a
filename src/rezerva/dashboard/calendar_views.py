"""The owner's calendar (A9): a day or week per performer or everyone, with appointments, the
group runs each leads, time off and closures; previous/next and a date jump; "Block time".

On a wide screen the week is seven columns and the day one column per team member; on a
phone both become a list per day (app.css), so nothing needs JavaScript.
"""

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rezerva.availability import services as availability_services
from rezerva.catalog import selectors as catalog_selectors
from rezerva.core.errors import DomainError, NotFound
from rezerva.core.forms import add_domain_error
from rezerva.dashboard import schedule
from rezerva.dashboard.access import business_view
from rezerva.dashboard.availability_forms import TimeOffForm


def calendar_url(*, view: str, day: dt.date, performer_id: int | None, cancelled: bool = False):
    """The calendar at a view, day and performer (None: everyone)."""
    query = {"view": view, "date": day.isoformat()}
    if performer_id:
        query["performer"] = performer_id
    if cancelled:
        query["cancelled"] = "1"
    return f"{reverse('dashboard:calendar')}?{urlencode(query)}"


def _day_of(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return default


def _performer_of(request):
    """?performer=<id> of this business (another business's id: 404); empty or "all": None."""
    raw = request.GET.get("performer", "")
    if raw in ("", "all"):
        return None
    if not raw.isdigit():
        raise Http404("No such team member.")
    return catalog_selectors.get_performer_for_business(
        business=request.business, performer_id=int(raw)
    )


@business_view
@require_GET
def calendar(request):
    """A9: the week (default) or a day, for one performer or the whole team."""
    business = request.business
    now = timezone.now()
    today = now.astimezone(ZoneInfo(business.timezone)).date()
    view = "day" if request.GET.get("view") == "day" else "week"
    day = _day_of(request.GET.get("date"), today)
    performer = _performer_of(request)
    show_cancelled = request.GET.get("cancelled") == "1"
    team = list(catalog_selectors.performers_of(business=business))
    shared: list = []
    if view == "week":
        first = day - dt.timedelta(days=day.weekday())
        days = [first + dt.timedelta(days=i) for i in range(7)]
        columns = schedule.week_columns(
            business=business,
            performer=performer,
            days=days,
            now=now,
            show_cancelled=show_cancelled,
        )
        step = dt.timedelta(days=7)
        heading = f"Week of {first.day} {first:%b %Y}"
    else:
        days = [day]
        if performer is not None:
            columns = schedule.week_columns(
                business=business,
                performer=performer,
                days=days,
                now=now,
                show_cancelled=show_cancelled,
            )
        else:
            columns, shared = schedule.day_columns(
                business=business, performers=team, day=day, now=now, show_cancelled=show_cancelled
            )
        step = dt.timedelta(days=1)
        heading = f"{day:%A} {day.day} {day:%B %Y}"
    pid = performer.pk if performer else None

    def link(**changes):
        args = {"view": view, "day": day, "performer_id": pid, "cancelled": show_cancelled}
        return calendar_url(**{**args, **changes})

    return render(
        request,
        "dashboard/calendar.html",
        {
            "view": view,
            "day": day,
            "days": days,
            "today": today,
            "heading": heading,
            "columns": [
                (
                    column,
                    link(view="day", day=column.day)
                    if view == "week"
                    else link(performer_id=column.performer_id),
                )
                for column in columns
            ],
            "with_names": view == "week" and performer is None,
            "shared": shared,
            "team": team,
            "performer": performer,
            "show_cancelled": show_cancelled,
            "links": {
                "previous": link(day=day - step),
                "next": link(day=day + step),
                "today": link(day=today),
                "day": link(view="day"),
                "week": link(view="week"),
                "toggle_cancelled": link(cancelled=not show_cancelled),
                "everyone": link(performer_id=None),
            },
            "here": request.get_full_path(),
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def block_time(request):
    """A9: block time for a team member (time off from the calendar); whole days when the
    times are left empty."""
    business = request.business
    performers = list(catalog_selectors.performers_of(business=business))
    initial = {}
    if (raw := request.GET.get("performer", "")).isdigit():
        initial["performer"] = int(raw)
    if raw_day := request.GET.get("date"):
        initial["start_date"] = _day_of(raw_day, None)
    form = TimeOffForm(request.POST or None, performers=performers, initial=initial)
    if request.method == "POST" and form.is_valid():
        performer_id = form.cleaned_data["performer"]
        try:
            starts_at, ends_at = form.moments(business.timezone)
            availability_services.add_time_off(
                business=business,
                actor=request.user,
                performer_id=performer_id,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=form.cleaned_data["reason"],
            )
        except NotFound as exc:
            form.add_error("performer", exc.message)
        except DomainError as exc:
            add_domain_error(form, exc, {"ends_at": form.end_field(), "starts_at": "start_date"})
        else:
            messages.success(request, "Time blocked: guests cannot book that time with them.")
            return redirect(
                calendar_url(
                    view="day", day=form.cleaned_data["start_date"], performer_id=performer_id
                )
            )
    return render(request, "dashboard/block_time.html", {"form": form})
