"""Owner pages for working hours (A2, A3): the business week and each performer's week as a
grid, special dates (date overrides), time off and business closures.

Members (owners and staff) manage the team's hours and time off; the business default week,
its special dates and closures that close everyone are settings-like, so only owners change
them (staff see them). Views parse the forms and call availability.services.
"""

import datetime as dt
from functools import partial
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from rezerva.availability import services as availability_services
from rezerva.catalog import selectors as catalog_selectors
from rezerva.core.errors import DomainError, NotFound, ValidationFailed
from rezerva.core.forms import add_domain_error
from rezerva.dashboard import schedule
from rezerva.dashboard.access import business_view
from rezerva.dashboard.availability_forms import (
    DateOverrideForm,
    TimeOffForm,
    WeekForm,
    draft_from_data,
    draft_from_week,
    edit_draft,
)
from rezerva.tenancy.models import Membership

OWNER_ONLY = "Only owners change the business hours, its special dates and closures."
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _is_owner(request) -> bool:
    return request.membership.role == Membership.Role.OWNER


def _today(business) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(business.timezone)).date()


def week_summary(week: schedule.Week) -> list[tuple[str, str]]:
    """[(weekday name, its hours or "Closed")] for reading at a glance."""
    return [
        (
            name,
            schedule.hours_text(week.get(d, [])) or "Closed",
        )
        for d, name in enumerate(WEEKDAY_NAMES)
    ]


def _hours_text(intervals) -> str:
    return schedule.hours_text(intervals) or "closed"


def _post_week(request, *, performer=None):
    """Save the week, or apply an edit (add/remove an interval, copy Monday) to what was typed
    and show it again unsaved. Returns a redirect after saving, else the form to show."""
    business = request.business
    performer_id = performer.pk if performer else None
    is_performer = performer is not None
    edit = request.POST.get("edit") or "save"
    if edit != "save":
        draft, note = edit_draft(draft_from_data(request.POST), edit)
        mode = request.POST.get("hours_mode") or "own"
        form = WeekForm(draft=draft, performer=is_performer, initial={"hours_mode": mode})
        form.draft_note = note or "Not saved yet."
        return form
    form = WeekForm(request.POST, performer=is_performer)
    if is_performer and request.POST.get("hours_mode") == "default":
        availability_services.follow_default_hours(
            business=business, actor=request.user, performer_id=performer_id
        )
        messages.success(request, f"{performer.name} follows the business hours again.")
        return redirect("dashboard:performer_availability", performer_id=performer_id)
    if form.is_valid():
        try:
            availability_services.set_weekly_hours(
                business=business,
                actor=request.user,
                performer_id=performer_id,
                week=form.week(),
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Working hours saved.")
            if is_performer:
                return redirect("dashboard:performer_availability", performer_id=performer_id)
            return redirect("dashboard:availability")
    return form


def _post_override(request, *, performer_id: int | None, back):
    form = DateOverrideForm(request.POST, prefix="override")
    if form.is_valid():
        day = form.cleaned_data["date"]
        try:
            availability_services.set_date_override(
                business=request.business,
                actor=request.user,
                performer_id=performer_id,
                date=day,
                intervals=form.intervals(),
            )
        except DomainError as exc:
            add_domain_error(form, exc, {"intervals": "starts_1"})
        else:
            messages.success(
                request, f"{day:%a} {day.day} {day:%b %Y}: {_hours_text(form.intervals())}."
            )
            return back()
    return form


def _post_time_off(request, *, performer_id: int | None, back, prefix: str):
    form = TimeOffForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            starts_at, ends_at = form.moments(request.business.timezone)
            availability_services.add_time_off(
                business=request.business,
                actor=request.user,
                performer_id=performer_id,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_error(form, exc, {"ends_at": form.end_field(), "starts_at": "start_date"})
        else:
            messages.success(
                request,
                "Time off added." if performer_id else "Closure added: nobody is bookable then.",
            )
            return back()
    return form


@business_view
@require_http_methods(["GET", "POST"])
def availability(request):
    """The business week (the default new team members follow), the team at a glance, special
    dates and closures."""
    business = request.business
    now = timezone.now()
    default_week = schedule.week_of(business=business, performer_id=None)
    forms = {
        "week_form": WeekForm(draft=draft_from_week(default_week)),
        "override_form": DateOverrideForm(prefix="override"),
        "closure_form": TimeOffForm(prefix="closure"),
    }
    if request.method == "POST":
        if not _is_owner(request):
            raise PermissionDenied(OWNER_ONLY)
        back = partial(redirect, "dashboard:availability")
        which = request.POST.get("form")
        if which == "week":
            result = _post_week(request)
            key = "week_form"
        elif which == "override":
            result = _post_override(request, performer_id=None, back=back)
            key = "override_form"
        elif which == "closure":
            result = _post_time_off(request, performer_id=None, back=back, prefix="closure")
            key = "closure_form"
        else:
            return back()
        if isinstance(result, HttpResponseBase):
            return result
        forms[key] = result
    performers = list(catalog_selectors.performers_of(business=business, active_only=False))
    own = schedule.team_weeks(business=business)
    return render(
        request,
        "dashboard/availability.html",
        {
            **forms,
            "is_owner": _is_owner(request),
            "default_summary": week_summary(default_week),
            "team": [
                (p, p.has_own_hours, week_summary(own.get(p.pk, {})) if p.has_own_hours else None)
                for p in performers
            ],
            "performers": performers,
            "overrides": schedule.date_overrides_of(
                business=business, performer_id=None, since=_today(business)
            ),
            "closures": schedule.time_off_of(business=business, performer_id=None, since=now),
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def performer_availability(request, performer_id: int):
    """One performer: follow the business hours or her own week, her special dates and time
    off (another business's performer: 404)."""
    business = request.business
    now = timezone.now()
    performer = catalog_selectors.get_performer_for_business(
        business=business, performer_id=performer_id
    )
    own_week = schedule.week_of(business=business, performer_id=performer.pk)
    default_week = schedule.week_of(business=business, performer_id=None)
    # Following the default, the grid starts from it, so "her own hours" begins as a copy (A2);
    # her own week may close every day.
    forms = {
        "week_form": WeekForm(
            draft=draft_from_week(own_week if performer.has_own_hours else default_week),
            performer=True,
            initial={"hours_mode": "own" if performer.has_own_hours else "default"},
        ),
        "override_form": DateOverrideForm(prefix="override"),
        "time_off_form": TimeOffForm(prefix="timeoff"),
    }
    if request.method == "POST":
        back = partial(redirect, "dashboard:performer_availability", performer_id=performer.pk)
        which = request.POST.get("form")
        if which == "week":
            result = _post_week(request, performer=performer)
            key = "week_form"
        elif which == "override":
            result = _post_override(request, performer_id=performer.pk, back=back)
            key = "override_form"
        elif which == "time_off":
            result = _post_time_off(request, performer_id=performer.pk, back=back, prefix="timeoff")
            key = "time_off_form"
        else:
            return back()
        if isinstance(result, HttpResponseBase):
            return result
        forms[key] = result
    return render(
        request,
        "dashboard/performer_availability.html",
        {
            **forms,
            "performer": performer,
            "follows_default": not performer.has_own_hours,
            "default_summary": week_summary(default_week),
            "performers": list(
                catalog_selectors.performers_of(business=business, active_only=False)
            ),
            "overrides": schedule.date_overrides_of(
                business=business, performer_id=performer.pk, since=_today(business)
            ),
            "time_off": schedule.time_off_of(
                business=business, performer_id=performer.pk, since=now
            ),
            "closures": schedule.time_off_of(business=business, performer_id=None, since=now),
        },
    )


@business_view
@require_POST
def override_clear(request, day: str, performer_id: int | None = None):
    """A special date follows the weekly hours again."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("No such date.") from None
    if performer_id is None:
        if not _is_owner(request):
            raise PermissionDenied(OWNER_ONLY)
        target = redirect("dashboard:availability")
    else:
        catalog_selectors.get_performer_for_business(
            business=request.business, performer_id=performer_id
        )
        target = redirect("dashboard:performer_availability", performer_id=performer_id)
    removed = availability_services.clear_date_override(
        business=request.business, actor=request.user, performer_id=performer_id, date=date
    )
    if removed:
        messages.success(
            request, f"{date:%a} {date.day} {date:%b %Y} follows the weekly hours again."
        )
    return target


@business_view
@require_POST
def time_off_delete(request, time_off_id: int):
    """Delete time off, blocked time or (owners) a closure; back where the button was."""
    business = request.business
    row = schedule.get_time_off_for_business(business=business, time_off_id=time_off_id)
    if row is None:
        raise Http404("No such time off.")
    if row.performer_id is None and not _is_owner(request):
        raise PermissionDenied(OWNER_ONLY)
    try:
        availability_services.remove_time_off(
            business=business, actor=request.user, time_off_id=row.pk
        )
    except NotFound:
        raise Http404("No such time off.") from None
    messages.success(
        request, "Closure removed." if row.performer_id is None else "Time off removed."
    )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    if row.performer_id is None:
        return redirect("dashboard:availability")
    return redirect("dashboard:performer_availability", performer_id=row.performer_id)
