"""Owner pages for the business's settings and the consents guests agree to (owners only)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rezerva.booking import selectors as booking_selectors
from rezerva.booking.services import consents as consent_services
from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error
from rezerva.dashboard import forms
from rezerva.dashboard.access import business_view
from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.selectors import api_tokens_of


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
