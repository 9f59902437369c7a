"""'Lost your booking link?': a guest asks for her manage links by email.

The answer is the same for every address ('if we found bookings, we sent them'): the page queues
the look-up and the email (notify.manage_links) for any address. Limited per client address
(10 an hour, then 429) and per email address (3 an hour, across businesses; over it the page
answers the same and sends nothing), so it cannot be used to flood someone's inbox.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from rezerva.core.ratelimit import Rate, client_address, too_many_requests_response
from rezerva.core.throttle import within_rate
from rezerva.hub.forms import LostLinkForm
from rezerva.notify.manage_links import send_manage_links_task
from rezerva.tenancy.selectors import get_business_by_slug

PER_CLIENT_ADDRESS = Rate(limit=10, window_seconds=3600)
PER_EMAIL = Rate(limit=3, window_seconds=3600)


@require_http_methods(["GET", "POST"])
def lost_link(request, slug: str):
    """Ask for the manage links of one's upcoming bookings at this business by email."""
    business = get_business_by_slug(slug)
    form = LostLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = within_rate("lost-link-address", client_address(request), PER_CLIENT_ADDRESS)
        if not check.allowed:
            return too_many_requests_response(request, check.retry_after_seconds)
        email = form.cleaned_data["email"].strip().lower()
        if within_rate("lost-link-email", email, PER_EMAIL).allowed:
            send_manage_links_task.enqueue(business_id=business.pk, email=email)
        return redirect(reverse("hub:lost_link", args=[business.slug]) + "?sent=1")
    return render(
        request,
        "hub/lost_link.html",
        {
            "business": business,
            "page_lang": business.locale,
            "form": form,
            "sent": request.method == "GET" and request.GET.get("sent") == "1",
        },
    )
