"""Manage links for guests (absolute URLs for emails and the API)."""

from django.conf import settings
from django.urls import reverse

from rezerva.booking.models import Booking, SeriesPurchase
from rezerva.booking.tokens import BOOKING, PURCHASE, make_manage_token


def manage_token(obj: Booking | SeriesPurchase) -> str:
    """The signed token for a booking's or purchase's manage page."""
    kind = PURCHASE if isinstance(obj, SeriesPurchase) else BOOKING
    return make_manage_token(kind=kind, public_id=obj.public_id)


def manage_path(obj: Booking | SeriesPurchase) -> str:
    """Site-relative manage URL."""
    return reverse("hub:manage", args=[obj.business.slug, manage_token(obj)])


def manage_url(obj: Booking | SeriesPurchase) -> str:
    """Absolute manage URL."""
    return settings.SITE_URL + manage_path(obj)
