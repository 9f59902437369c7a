"""A guest pays a run and a whole series through Stripe Checkout (the local fake's page)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rezerva.booking.models import Booking, SeriesPurchase
from rezerva.catalog.models import PriceType, SalesMode
from rezerva.payments.models import Payment
from tests import builders
from tests.fakes.stripe_server import FakeStripe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(live_server, settings):
    """A business selling online; the fake Stripe posts its webhooks to the live server."""
    now = timezone.now()
    business = builders.make_business(name="Studio Pay", slug="studio-pay", now=now)
    service = builders.make_group_service(
        business,
        name="Watercolour",
        price_type=PriceType.ONLINE,
        price_minor=9000,
        sales_mode=SalesMode.BOTH,
        now=now,
    )
    run = builders.make_session(service, days_ahead=4, capacity=3, title="Open studio", now=now)
    series = builders.make_series(
        service,
        runs=2,
        first_day=9,
        title="Weekend course",
        price_type=PriceType.ONLINE,
        price_minor=30000,
        now=now,
    )
    with FakeStripe(webhook_url=f"{live_server.url}/payments/stripe/webhook/") as fake:
        settings.STRIPE_API_BASE = fake.url
        settings.SITE_URL = live_server.url  # Stripe sends the guest back to this site
        yield business, service, run, series, fake
        assert fake.errors == []


def _details(page: Page, name: str, email: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Confirm booking").click()


def test_guest_pays_a_single_run_and_sees_it_confirmed(live_server, page: Page, shop):
    business, service, run, _, fake = shop
    page.goto(f"{live_server.url}/{business.slug}/services/{service.pk}/")
    page.get_by_test_id("run-card").filter(has_text="Open studio").get_by_role(
        "link", name="Book"
    ).click()
    _details(page, "Anna", "anna@example.com")

    expect(page.get_by_role("button", name="Pay")).to_be_visible()  # the fake Stripe page
    page.get_by_role("button", name="Pay").click()

    expect(page.get_by_test_id("status")).to_have_text("Confirmed")
    booking = Booking.objects.get(guest_email="anna@example.com")
    assert (booking.status, booking.session_id) == ("confirmed", run.pk)
    assert Payment.objects.get(booking=booking).status == "paid"
    assert [e["type"] for e in fake.events_of_type("checkout.session.completed")] == [
        "checkout.session.completed"
    ]


def test_guest_pays_a_whole_series_with_one_checkout(live_server, page: Page, shop):
    business, _, _, series, fake = shop
    page.goto(f"{live_server.url}/{business.slug}/series/{series.pk}/book/")
    _details(page, "Ola", "ola@example.com")
    page.get_by_role("button", name="Pay").click()

    expect(page.get_by_test_id("status")).to_have_text("Confirmed")
    expect(page.get_by_test_id("manage-run")).to_have_count(2)
    purchase = SeriesPurchase.objects.get(guest_email="ola@example.com")
    assert sorted(purchase.bookings.values_list("status", flat=True)) == ["confirmed"] * 2
    assert len(fake.sessions) == 1


def test_guest_who_cancels_at_stripe_keeps_the_hold_and_can_pay_later(
    live_server, page: Page, shop
):
    business, _, run, _, _ = shop
    page.goto(f"{live_server.url}/{business.slug}/sessions/{run.pk}/book/")
    _details(page, "Jan", "jan@example.com")
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_test_id("status")).to_have_text("Pending payment")
    page.get_by_role("button", name="Pay now").click()
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_test_id("status")).to_have_text("Confirmed")
