"""Owner pages for services: list, create, edit, stop selling."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rezerva.catalog import selectors as catalog_selectors
from rezerva.catalog import services as catalog_services
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error
from rezerva.dashboard import forms
from rezerva.dashboard.access import business_view
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
