"""Notify fixtures: a real SMTP server on loopback (aiosmtpd) and helpers to read what it got."""

import email
import socket
from dataclasses import dataclass, field
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from rezerva.notify.models import OutboundEmail
from tests import builders


@dataclass
class Received:
    """One message as the SMTP server received it, parsed back."""

    envelope_to: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(email.header.make_header(email.header.decode_header(self.message["Subject"])))

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.get_filename():
                return part.get_payload(decode=True).decode(part.get_content_charset())
        raise AssertionError(f"no {content_type} part")

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")

    def calendars(self) -> list[tuple[str, Calendar]]:
        """Every .ics attachment: (Content-Type method parameter, parsed calendar)."""
        found = []
        for part in self.message.walk():
            if part.get_content_type() == "text/calendar":
                found.append(
                    (part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True)))
                )
        return found


@dataclass
class Inbox:
    """What the test SMTP server accepted, in order."""

    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            Received(list(envelope.rcpt_tos), email.message_from_bytes(envelope.original_content))
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.envelope_to]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 and Django's SMTP backend pointed at it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, name="Pottery class", now=now)


def rows(**filters) -> list[tuple]:
    """(kind, recipient, status) of outbox rows, in id order."""
    return list(
        OutboundEmail.objects.filter(**filters)
        .order_by("pk")
        .values_list("kind", "recipient", "status")
    )


def events_of(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))
