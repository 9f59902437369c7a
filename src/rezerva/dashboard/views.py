"""Owner pages: thin views that parse input, call one service or selector, and render.

This module holds the business pages (create, switch, home, team). The other areas live beside
it: settings_views (settings, consents), service_views, session_views (runs and their
participants), series_views (series and their buyers), coupon_views, payment_views, token_views.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rezerva.catalog import selectors as catalog_selectors
from rezerva.catalog import services as catalog_services
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error
from rezerva.dashboard import forms
from rezerva.dashboard.access import SESSION_KEY, business_view
from rezerva.dashboard.participants import runs_with_seats
from rezerva.payments import selectors as payment_selectors
from rezerva.scheduling import selectors as scheduling_selectors
from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.selectors import bookings_this_month, memberships_of, plan_of


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
            "upcoming": runs_with_seats(upcoming, now),
            "plan": plan_of(business, now=now),
            "bookings_this_month": bookings_this_month(business, now=now),
            "paid_without_seat": payment_selectors.paid_without_seat(business=business),
            "payment_problems": payment_selectors.payments_with_problems(business=business),
            "memberships": memberships_of(request.user),
            "services_count": catalog_selectors.services_of(business=business).count(),
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
