"""Owner API tokens on the settings page: create (the raw token shown once), revoke."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rezerva.core.errors import ValidationFailed
from rezerva.dashboard.access import business_view
from rezerva.dashboard.forms import ApiTokenForm
from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.selectors import get_api_token_for_business


@never_cache
@business_view(owner_only=True)
@require_POST
def api_token_create(request):
    """Issue an owner API token and show it in this response, once: it is never stored (only
    its hash), nor put in a message or the session."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how long the token lives: never, 30, 90 or 365 days.")
        return redirect("dashboard:settings")
    try:
        token, raw = tenancy_services.create_api_token(
            business=request.business,
            actor=request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
            now=timezone.now(),
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:settings")
    return render(request, "dashboard/api_token_created.html", {"token": token, "raw": raw})


@business_view(owner_only=True)
@require_POST
def api_token_revoke(request, token_id: int):
    """Revoke one of this business's tokens (another business's id: 404)."""
    token = get_api_token_for_business(business=request.business, token_id=token_id)
    tenancy_services.revoke_api_token(token=token, actor=request.user, now=timezone.now())
    messages.success(request, f"API token “{token.name}” revoked: it no longer works.")
    return redirect("dashboard:settings")
