"""Rendering one outbox row into an email: plain text + HTML in the business's locale, with .ics.

Everything is read at send time, so an email shows the current state; `build_message` returns
None when the email no longer applies (the re-check that makes tasks idempotent and safe to run
late). Each kind has one template per locale, notify/templates/notify/email/<locale>/<kind>.email,
rendered into base.txt and base.html of that locale; the text up to base.txt's end-of-subject
marker is the subject. Only owner- and system-written text becomes links in the HTML part
(`_html_context`); guest-typed text never does. Every email is sent from the platform's own
address as "<Business> via Rezerva" (`sender`).
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, urlize
from django.utils.safestring import mark_safe

from rezerva.booking.links import manage_url
from rezerva.booking.models import ACTIVE_STATUSES, Booking, BookingStatus
from rezerva.core.text import single_line
from rezerva.notify import calendar
from rezerva.notify.models import OutboundEmail
from rezerva.notify.selectors import calendar_sequence
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import Business

Kind = OutboundEmail.Kind
LOCALES = ("en", "pl")
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")
# The sender's display name when DEFAULT_FROM_EMAIL has none.
PLATFORM_NAME = "Rezerva"


@dataclass(frozen=True)
class RunLine:
    """One run as a guest reads it: local times, what, where."""

    starts: dt.datetime
    ends: dt.datetime
    title: str
    is_online: bool
    address: str
    meeting_url: str
    cancelled: bool


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    method: str


def run_line(*, session: Session, booking: Booking, business: Business) -> RunLine:
    """A run for an email or a calendar; the meeting link only for a confirmed guest."""
    zone = ZoneInfo(business.timezone)
    confirmed = booking.status == BookingStatus.CONFIRMED
    return RunLine(
        starts=session.starts_at.astimezone(zone),
        ends=session.ends_at.astimezone(zone),
        title=session.title or session.service.name,
        is_online=session.mode == Session.Mode.ONLINE,
        address=session.address,
        meeting_url=session.meeting_url if confirmed and not session.is_cancelled else "",
        cancelled=session.is_cancelled or booking.status not in ACTIVE_STATUSES,
    )


def calendar_item(
    *, booking: Booking, session: Session, business: Business, cancelled: bool = False
) -> calendar.CalendarItem:
    """The calendar event of one booking on one run, with its current SEQUENCE."""
    sequence = calendar_sequence(business=business, booking_id=booking.pk, session_id=session.pk)
    line = run_line(session=session, booking=booking, business=business)
    location = line.meeting_url if line.is_online else line.address
    target = booking.purchase if booking.purchase_id else booking
    return calendar.CalendarItem(
        uid=calendar.event_uid(public_id=booking.public_id, session_id=session.pk),
        sequence=sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=single_line(f"{line.title} ({business.name})"),
        location=location,
        description=manage_url(target),
        cancelled=cancelled or line.cancelled,
        guest_name=booking.guest_name,
        guest_email=booking.guest_email,
    )


def _ics(business: Business, items: list, method: str, name: str) -> Attachment:
    content = calendar.build_calendar(business=business, items=items, method=method)
    return Attachment(f"{name}.ics", content, method)


def _seats(**filters) -> list[Booking]:
    return list(
        Booking.objects.filter(**filters)
        .select_related("session", "session__service", "purchase", "business")
        .order_by("session__starts_at", "pk")
    )


def _run(business: Business, session_id: int) -> Session:
    return Session.objects.select_related("service").get(business=business, pk=session_id)


def _booking_context(row: OutboundEmail, now: dt.datetime) -> dict | None:
    """Context and attachments for a row about one booking; None when it no longer applies."""
    business = row.business
    booking = row.booking
    session = booking.session
    active = booking.status in ACTIVE_STATUSES
    lines = [run_line(session=session, booking=booking, business=business)]
    ctx: dict = {"booking": booking, "runs": lines, "attachments": []}
    if row.kind == Kind.BOOKING_CONFIRMED:
        if booking.status != BookingStatus.CONFIRMED or session.is_cancelled:
            return None
        item = calendar_item(booking=booking, session=session, business=business)
        ctx["attachments"] = [_ics(business, [item], calendar.REQUEST, "invite")]
    elif row.kind == Kind.BOOKING_CANCELLED:
        cancelled_run = _run(business, row.session_id)
        item = calendar_item(
            booking=booking, session=cancelled_run, business=business, cancelled=True
        )
        ctx["runs"] = [run_line(session=cancelled_run, booking=booking, business=business)]
        ctx["attachments"] = [_ics(business, [item], calendar.CANCEL, "cancel")]
    elif row.kind == Kind.RUN_CHANGED:
        if not active or booking.session_id != row.session_id or session.is_cancelled:
            return None
        zone = ZoneInfo(business.timezone)
        old = row.data.get("old_starts_at")
        ctx["old_starts"] = dt.datetime.fromisoformat(old).astimezone(zone) if old else None
        ctx["time_changed"] = row.data.get("time_changed", True)
        ctx["place_changed"] = row.data.get("place_changed", False)
        item = calendar_item(booking=booking, session=session, business=business)
        ctx["attachments"] = [_ics(business, [item], calendar.REQUEST, "update")]
    elif row.kind == Kind.BOOKING_MOVED:
        if not active:
            return None
        old_run = _run(business, row.data["from_session_id"])
        old_item = calendar_item(
            booking=booking, session=old_run, business=business, cancelled=True
        )
        new_item = calendar_item(booking=booking, session=session, business=business)
        ctx["old_runs"] = [run_line(session=old_run, booking=booking, business=business)]
        ctx["attachments"] = [
            _ics(business, [old_item], calendar.CANCEL, "cancel-old"),
            _ics(business, [new_item], calendar.REQUEST, "invite"),
        ]
    elif row.kind == Kind.REMINDER:
        still_due = (
            booking.status == BookingStatus.CONFIRMED
            and booking.session_id == row.session_id
            and not session.is_cancelled
            and session.starts_at == row.run_starts_at
            and session.starts_at > now
        )
        if not still_due:
            return None
    elif row.kind == Kind.MESSAGE:
        ctx["message_subject"] = row.data.get("subject", "")
        ctx["message_body"] = row.data.get("body", "")
    return ctx


def _purchase_context(row: OutboundEmail) -> dict | None:
    business = row.business
    purchase = row.purchase
    if row.kind == Kind.PURCHASE_CONFIRMED:
        if purchase.status != BookingStatus.CONFIRMED:
            return None
        seats = [
            s
            for s in _seats(business=business, purchase=purchase)
            if s.status == BookingStatus.CONFIRMED and not s.session.is_cancelled
        ]
        method, name = calendar.REQUEST, "series"
    else:
        seats = _seats(business=business, pk__in=row.data.get("booking_ids", []))
        method, name = calendar.CANCEL, "cancel"
    items = [
        calendar_item(
            booking=s, session=s.session, business=business, cancelled=method == calendar.CANCEL
        )
        for s in seats
    ]
    return {
        "purchase": purchase,
        "series_title": purchase.series.title,
        "runs": [run_line(session=s.session, booking=s, business=business) for s in seats],
        "attachments": [_ics(business, items, method, name)] if items else [],
    }


def _owner_context(row: OutboundEmail) -> dict:
    business = row.business
    subject = row.purchase or row.booking
    if row.purchase_id:
        seats = _seats(business=business, purchase=row.purchase)
        if row.kind == Kind.OWNER_CANCELLED:
            seats = [s for s in seats if s.pk in row.data.get("booking_ids", [])]
    elif row.booking_id:
        seats = _seats(business=business, pk=row.booking_id)
    else:
        seats = []
    return {
        "guest": subject,
        "purchase": row.purchase,
        "booking": row.booking,
        "alert": row.data.get("alert", ""),
        "runs": [run_line(session=s.session, booking=s, business=business) for s in seats],
        "dashboard_url": settings.SITE_URL + reverse("dashboard:home"),
        "attachments": [],
    }


def _context(row: OutboundEmail, now: dt.datetime) -> dict | None:
    if row.kind in (Kind.OWNER_NEW_BOOKING, Kind.OWNER_CANCELLED, Kind.OWNER_ALERT):
        ctx = _owner_context(row)
        ctx["to_owner"] = True
        return ctx
    if row.kind in (Kind.PURCHASE_CONFIRMED, Kind.PURCHASE_CANCELLED):
        ctx = _purchase_context(row)
        target = row.purchase
    else:
        ctx = _booking_context(row, now)
        target = row.booking.purchase if row.booking.purchase_id else row.booking
    if ctx is None:
        return None
    ctx["guest_name"] = target.guest_name
    ctx["manage_url"] = manage_url(target)
    return ctx


def render_email(row: OutboundEmail, ctx: dict) -> tuple[str, str, str]:
    """(subject, text, html) of a row in its business's locale and time zone."""
    business = row.business
    locale = business.locale if business.locale in LOCALES else "en"
    ctx = {**ctx, "business": business, "data": row.data, "kind": row.kind}
    # One template per kind and locale, rendered into the plain-text and the HTML layout.
    name = f"notify/email/{locale}/{row.kind}.email"
    layout = f"notify/email/{locale}/base"
    # The subject ends at a marker nobody can type (base.txt puts it after the subject block),
    # not at the first newline, so a newline in a guest's or business's name cannot move text
    # from the subject into the body; the subject is then made one clean line.
    subject_end = f"<<end-of-subject-{uuid.uuid4().hex}>>"
    with translation.override(locale), timezone.override(ZoneInfo(business.timezone)):
        text = render_to_string(
            name, {**ctx, "layout": f"{layout}.txt", "subject_end": subject_end}
        )
        subject, _, body = text.partition(subject_end)
        subject = single_line(subject)
        html = render_to_string(
            name, {**_html_context(ctx), "layout": f"{layout}.html", "subject": subject}
        )
    return subject, _BLANK_LINES.sub("\n\n", body.strip()) + "\n", html


def _html_context(ctx: dict) -> dict:
    """The context for the HTML part: only owner- and system-written text becomes links.

    Guest-typed fields (names, emails, phones) are never passed through urlize, so a guest named
    "verify at www.evil.test" stays plain text in the owner's email.
    """
    html_ctx = dict(ctx)
    if ctx.get("message_body"):
        # autoescape=True escapes the owner's text itself; only the links urlize adds are markup.
        html_ctx["message_body"] = mark_safe(  # noqa: S308 - escaped by urlize(autoescape=True)
            urlize(ctx["message_body"], nofollow=True, autoescape=True)
        )
    if ctx.get("dashboard_url"):
        html_ctx["dashboard_url"] = format_html('<a href="{0}">{0}</a>', ctx["dashboard_url"])
    return html_ctx


def sender(business: Business) -> str:
    """From: "<Business> via Rezerva" <the platform's own address> (never the business's)."""
    platform, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((f"{single_line(business.name)} via {platform or PLATFORM_NAME}", address))


def build_message(
    row: OutboundEmail, *, now: dt.datetime, connection=None
) -> EmailMultiAlternatives | None:
    """The email for an outbox row, or None when it no longer applies."""
    ctx = _context(row, now)
    if ctx is None:
        return None
    subject, text, html = render_email(row, ctx)
    business = row.business
    reply_to = [business.contact_email] if business.contact_email else None
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender(business),
        to=[row.recipient],
        reply_to=reply_to,
        # Stable across resends, so a duplicate after a crash is recognisable (services docstring).
        headers={"Message-ID": row.message_id},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    for attachment in ctx["attachments"]:
        part = MIMEText(attachment.content.decode(), "calendar", "utf-8")
        part.set_param("method", attachment.method)
        part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
        message.attach(part)
    return message
