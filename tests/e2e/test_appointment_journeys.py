"""A guest on a phone books a one-to-one appointment at Hair by Ola (Starter), changes its time
and cancels it through her link; a paid-online appointment is paid on the fake Stripe page."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rezerva.booking.models import Booking
from rezerva.catalog.models import PriceType
from tests import builders
from tests.fakes.stripe_server import FakeStripe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def salon():
    """Hair by Ola on Starter: Ola and Ewa every day 09:00-17:00; a 45-minute cut on site."""
    return builders.make_salon(slug="hair-e2e", now=timezone.now())


def _at(hhmm: str) -> re.Pattern:
    """A time button: the business's time, then perhaps the guest's own in brackets."""
    return re.compile(rf"^{hhmm}( \(\d\d:\d\d\))?$")


def _open_day(page: Page, day: dt.date) -> None:
    """Click a day in the month grid, turning to the next month if it is there."""
    label = f"{day:%A} {day.day} {day:%B}: free times"
    if page.get_by_label(label).count() == 0:
        page.get_by_role("link", name="Next month").click()
    page.get_by_label(label).click()


def test_guest_books_an_appointment_on_a_phone_moves_it_and_cancels_it(
    live_server, page: Page, salon
):
    business, _, ola, _ = salon
    day = timezone.now().astimezone(WARSAW).date() + dt.timedelta(days=3)
    page.goto(f"{live_server.url}/{business.slug}/")
    page.get_by_role("link", name="Cut").first.click()
    page.get_by_role("link", name="Ola", exact=True).click()
    _open_day(page, day)
    times = page.get_by_test_id("times")
    expect(times.get_by_role("link", name=_at("09:00"))).to_be_visible()
    # The browser runs in UTC: each time also shows the guest's own clock in brackets.
    expect(page.get_by_text("your time (UTC)")).to_be_visible()
    times.get_by_role("link", name=_at("10:00")).click()

    expect(page.get_by_test_id("summary")).to_contain_text("10:00\u201310:45")
    expect(page.get_by_test_id("summary")).to_contain_text("With Ola")
    page.get_by_label("Full name").fill("Anna Nowak")
    page.get_by_label("Email").fill("anna@example.com")
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="You're booked!")).to_be_visible()
    booking = Booking.objects.get(guest_email="anna@example.com")
    assert (booking.kind, booking.performer_id) == ("appointment", ola.pk)
    assert booking.session.starts_at.astimezone(WARSAW).time() == dt.time(10)

    page.get_by_role("link", name="Choose a new time").click()
    _open_day(page, day)
    page.get_by_test_id("times").get_by_role("button", name=_at("14:00")).click()
    expect(page.get_by_text("Moved.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.session.starts_at.astimezone(WARSAW).time() == dt.time(14)

    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_test_id("status")).to_have_text("Cancelled")
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_guest_pays_an_online_appointment_with_any_available_on_the_stripe_page(
    live_server, page: Page, salon, settings
):
    business, _, ola, ewa = salon
    colour = builders.make_appointment_service(
        business,
        name="Colour",
        duration_minutes=120,
        slot_interval_minutes=30,
        buffer_after_minutes=15,
        price_type=PriceType.ONLINE,
        price_minor=25000,
        performers=[ola, ewa],
        now=timezone.now(),
    )
    day = timezone.now().astimezone(WARSAW).date() + dt.timedelta(days=2)
    with FakeStripe(webhook_url=f"{live_server.url}/payments/stripe/webhook/") as fake:
        settings.STRIPE_API_BASE = fake.url
        settings.SITE_URL = live_server.url
        page.goto(f"{live_server.url}/{business.slug}/appointments/{colour.pk}/")
        _open_day(page, day)
        page.get_by_test_id("times").get_by_role("link", name=_at("11:00")).click()
        expect(page.get_by_test_id("summary")).to_contain_text("first available")
        page.get_by_label("Full name").fill("Ola Kot")
        page.get_by_label("Email").fill("ola.kot@example.com")
        page.get_by_role("button", name="Confirm booking").click()

        page.get_by_role("button", name="Pay").click()  # the fake Stripe page
        expect(page.get_by_test_id("status")).to_have_text("Confirmed", timeout=10_000)
        assert fake.errors == []
    booking = Booking.objects.get(guest_email="ola.kot@example.com")
    assert (booking.status, booking.performer_id, booking.price_minor) == (
        "confirmed",
        ola.pk,
        25000,
    )
