"""'Lost your booking link?': one email listing a guest's upcoming bookings at a business.

The hub page only queues `send_manage_links_task` (after its rate limits), for any address; the
look-up happens here, in the worker. So the page, and how long it takes, are the same whether
or not the address has bookings; an address without upcoming bookings gets no email at all.
It is sent straight away (not through the outbox): it changes nothing, so there is nothing for
a transaction to keep or lose, and a guest who gets none can simply ask again.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Exists, Min, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from rezerva.booking.links import manage_url
from rezerva.booking.models import ACTIVE_STATUSES, Booking, SeriesPurchase
from rezerva.tenancy.models import Business

logger = logging.getLogger("rezerva.notify")

MAX_LINKS = 50
LOCALES = ("en", "pl")


@dataclass(frozen=True)
class ManageLink:
    """One upcoming booking or series purchase as the email lists it."""

    title: str
    starts: dt.datetime  # local time of its next run
    url: str


def upcoming_manage_links(*, business: Business, email: str, now: dt.datetime) -> list[ManageLink]:
    """The guest's live bookings (single, drop-in) and series purchases at this business with
    a run still ahead, soonest first, as manage links."""
    email = email.strip()
    zone = ZoneInfo(business.timezone)
    bookings = (
        Booking.objects.filter(
            business=business,
            guest_email__iexact=email,
            purchase__isnull=True,
            status__in=ACTIVE_STATUSES,
            session__starts_at__gt=now,
        )
        .select_related("business", "session__service")
        .order_by("session__starts_at", "pk")[:MAX_LINKS]
    )
    upcoming_seat = Booking.objects.filter(
        purchase=OuterRef("pk"), session__starts_at__gt=now, status__in=ACTIVE_STATUSES
    )
    purchases = (
        SeriesPurchase.objects.filter(
            business=business, guest_email__iexact=email, status__in=ACTIVE_STATUSES
        )
        .filter(Exists(upcoming_seat))
        .annotate(
            next_starts_at=Min(
                "bookings__session__starts_at", filter=Q(bookings__session__starts_at__gt=now)
            )
        )
        .select_related("business", "series")
        .order_by("pk")[:MAX_LINKS]
    )
    links = [
        ManageLink(
            title=b.session.title or b.session.service.name,
            starts=b.session.starts_at.astimezone(zone),
            url=manage_url(b),
        )
        for b in bookings
    ] + [
        ManageLink(
            title=p.series.title,
            starts=p.next_starts_at.astimezone(zone),
            url=manage_url(p),
        )
        for p in purchases
    ]
    return sorted(links, key=lambda link: link.starts)[:MAX_LINKS]


def send_manage_links(*, business: Business, email: str, now: dt.datetime) -> int:
    """Email the guest her upcoming manage links at this business; nothing if she has none.
    Returns how many links were sent."""
    links = upcoming_manage_links(business=business, email=email, now=now)
    if not links:
        return 0
    locale = business.locale if business.locale in LOCALES else "en"
    name = " ".join(business.name.split())
    text = render_to_string(
        f"notify/manage_links/{locale}.txt",
        {"business_name": name, "links": links, "timezone": business.timezone},
    ).strip()
    subject, _, body = text.partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [email.strip()])
    logger.info("manage links sent for business %s (%s links)", business.pk, len(links))
    return len(links)


@task()
def send_manage_links_task(business_id: int, email: str) -> int:
    """Look the address up and send its manage links (see the module docstring)."""
    business = Business.objects.filter(pk=business_id).first()
    if business is None:
        return 0
    return send_manage_links(business=business, email=email, now=timezone.now())
