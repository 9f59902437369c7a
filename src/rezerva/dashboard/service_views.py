"""Owner pages for services: list, create, edit, stop selling."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rezerva.catalog import selectors as catalog_selectors
from rezerva.catalog import services as catalog_services
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error
from rezerva.dashboard import forms
from rezerva.dashboard.access import business_view
from rezerva.dashboard.appointment_forms import AppointmentSettingsForm, add_settings_errors
from rezerva.tenancy import plans
from rezerva.tenancy.selectors import has_feature, plan_of


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
    can_group = has_feature(business, plans.GROUP_SERVICES, now=now)
    # A business without group services (Starter, Free) starts from a one-to-one service (A1).
    kind = request.GET.get("kind") or ("group" if can_group else "one_to_one")
    form = forms.ServiceForm(
        request.POST or None,
        currency=business.currency,
        initial={"kind": kind, "sales_mode": "single"},
    )
    settings_form = AppointmentSettingsForm(
        request.POST or None,
        performers=catalog_selectors.performers_of(business=business),
    )
    one_to_one = request.POST.get("kind") == "one_to_one"
    if (
        request.method == "POST"
        and form.is_valid()
        and (not one_to_one or settings_form.is_valid())
    ):
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
                appointment=settings_form.settings() if one_to_one else None,
                now=now,
            )
        except DomainError as exc:
            add_settings_errors(exc, service_form=form, settings_form=settings_form)
        else:
            messages.success(request, f"Service “{service.name}” created.")
            return redirect("dashboard:service_detail", service_id=service.pk)
    return render(
        request,
        "dashboard/service_form.html",
        {
            "form": form,
            "settings_form": settings_form,
            "can_group": can_group,
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
    settings_form = (
        None
        if service.is_group
        else AppointmentSettingsForm(
            request.POST or None,
            initial=AppointmentSettingsForm.initial_for(service),
            performers=catalog_selectors.performers_of(business=business, active_only=False),
        )
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (settings_form is None or settings_form.is_valid())
    ):
        try:
            # Both or neither: a refused A4 setting leaves the name and price unsaved too.
            with transaction.atomic():
                _update(service, request.user, form.cleaned_data, settings_form)
        except DomainError as exc:
            service.refresh_from_db()
            if settings_form is None:
                add_domain_error(form, exc)
            else:
                add_settings_errors(exc, service_form=form, settings_form=settings_form)
        else:
            messages.success(request, "Service saved.")
            return redirect("dashboard:service_detail", service_id=service.pk)
    return render(
        request,
        "dashboard/service_detail.html",
        {"service": service, "form": form, "settings_form": settings_form},
    )


def _update(service, actor, data, settings_form) -> None:
    """Save the service's fields, then (one-to-one) its A4 settings."""
    catalog_services.update_service(
        service=service,
        actor=actor,
        name=data["name"],
        description=data["description"],
        price_type=data["price_type"],
        price_minor=data["price"] or 0,
        sales_mode=data["sales_mode"] or service.sales_mode,
        is_active=data["is_active"],
        is_visible=data["is_visible"],
    )
    if settings_form is not None:
        catalog_services.update_appointment_settings(
            service=service, actor=actor, settings=settings_form.settings()
        )


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
