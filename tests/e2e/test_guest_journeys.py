"""A guest on a phone books a single run, a drop-in and a series, then cancels via the link."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rezerva.booking.models import Booking, ConsentRecord, SeriesPurchase
from rezerva.booking.services.consents import add_consent
from rezerva.catalog.models import PriceType, SalesMode
from tests import builders

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio():
    """A business selling one lone run, a drop-in series of three runs, on-site prices."""
    now = timezone.now()
    business = builders.make_business(name="Studio Lumen", slug="lumen-e2e", now=now)
    add_consent(
        business=business,
        actor=None,
        kind="terms",
        is_required=True,
        text="I accept the studio terms.",
    )
    service = builders.make_group_service(
        business,
        name="Python for beginners",
        price_type=PriceType.ON_SITE,
        price_minor=12000,
        sales_mode=SalesMode.BOTH,
        now=now,
    )
    lone = builders.make_session(service, days_ahead=3, capacity=5, now=now, title="Taster")
    series = builders.make_series(
        service,
        runs=3,
        first_day=10,
        price_minor=40000,
        drop_in_enabled=True,
        drop_in_price_minor=13000,
        title="Autumn course",
        now=now,
    )
    return business, service, lone, series


def _fill_details(page: Page, name: str, email: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("I accept the studio terms.").check()
    page.get_by_role("button", name="Confirm booking").click()


def test_guest_books_a_single_run_on_a_phone_and_cancels_it(live_server, page: Page, studio):
    business, _, lone, _ = studio
    page.goto(f"{live_server.url}/{business.slug}/")
    page.get_by_role("link", name="Python for beginners").click()
    # C2 on the service page subtitle: both paths are published, so both prices show.
    expect(page.get_by_test_id("price-label")).to_have_text(
        re.compile(r"PLN.120\.00 · pay on site · Series PLN.400\.00")
    )
    taster = page.get_by_test_id("run-card").filter(has_text="Taster")
    expect(taster).to_contain_text("5 seats left")
    taster.get_by_role("link", name="Book").click()
    _fill_details(page, "Anna Nowak", "anna@example.com")

    expect(page.get_by_role("heading", name="You're booked!")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Confirmed")
    booking = Booking.objects.get(guest_email="anna@example.com")
    assert (booking.kind, booking.session_id, booking.price_minor) == ("single", lone.pk, 12000)
    assert ConsentRecord.objects.filter(booking=booking).count() == 1

    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_test_id("status")).to_have_text("Cancelled")
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_guest_books_a_drop_in_on_a_series_run(live_server, page: Page, studio):
    business, service, _, series = studio
    page.goto(f"{live_server.url}/{business.slug}/services/{service.pk}/")
    card = page.get_by_test_id("run-card").filter(has_text="Part of series: Autumn course").first
    expect(card).to_contain_text("130.00 drop-in")
    card.get_by_role("link", name="Book").click()
    _fill_details(page, "Jan Kowalski", "jan@example.com")

    expect(page.get_by_role("heading", name="You're booked!")).to_be_visible()
    booking = Booking.objects.get(guest_email="jan@example.com")
    assert (booking.kind, booking.price_minor, booking.session.series_id) == (
        "drop_in",
        13000,
        series.pk,
    )


def test_guest_buys_a_whole_series_and_sees_every_date(live_server, page: Page, studio):
    business, service, _, _ = studio
    page.goto(f"{live_server.url}/{business.slug}/services/{service.pk}/")
    page.get_by_role("link", name="Series", exact=True).click()
    package = page.get_by_test_id("series-card").filter(has_text="Autumn course")
    expect(package).to_contain_text("3 sessions")
    package.get_by_role("link", name="Book the series").click()
    _fill_details(page, "Ola Wiśniewska", "ola@example.com")

    expect(page.get_by_role("heading", name="You're booked!")).to_be_visible()
    expect(page.get_by_test_id("manage-run")).to_have_count(3)
    purchase = SeriesPurchase.objects.get(guest_email="ola@example.com")
    assert purchase.bookings.filter(status="confirmed").count() == 3

    page.get_by_role("button", name="Cancel the whole series").click()
    expect(page.get_by_test_id("status")).to_have_text("Cancelled")
    assert purchase.bookings.filter(status="cancelled").count() == 3
