"""Public guest pages: the business hub."""

from django.shortcuts import render

from rezerva.catalog.selectors import services_of
from rezerva.tenancy.selectors import get_business_by_slug


def business_hub(request, slug: str):
    """The business's active, visible services."""
    business = get_business_by_slug(slug)
    services = services_of(business=business).filter(is_active=True, is_visible=True)
    return render(
        request,
        "hub/business.html",
        {"business": business, "services": services, "page_lang": business.locale},
    )
