"""The owner's availability, calendar and appointment pages in a real browser (A9): they fit a
phone without sideways scrolling, work under the Content-Security-Policy, and the week grid
hides closed days and a performer who follows the business hours without any script."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rezerva.booking.services import GuestDetails
from rezerva.booking.services.appointments import book_appointment
from rezerva.core.timezones import wall_time_to_utc
from tests import builders

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def salon():
    """A Starter salon with two stylists, business hours and an appointment next Monday."""
    now = timezone.now()
    owner = builders.make_user("owner-salon@example.test")
    business = builders.make_business(
        owner=owner, name="Salon Lena", slug="salon-lena", plan="starter", now=now
    )
    ola = builders.make_performer(business, "Ola")
    builders.make_performer(business, "Ewa")
    builders.set_week(
        business, None, {d: [("09:00", "12:00"), ("13:00", "17:00")] for d in range(5)}
    )
    haircut = builders.make_appointment_service(
        business, duration_minutes=45, slot_interval_minutes=15, performers=[ola], now=now
    )
    today = now.astimezone(ZoneInfo(business.timezone)).date()
    monday = today + dt.timedelta(days=14 - today.weekday())
    booking = book_appointment(
        business=business,
        service_id=haircut.pk,
        performer_id=ola.pk,
        starts_at=wall_time_to_utc(dt.datetime.combine(monday, dt.time(10)), business.timezone),
        guest=GuestDetails(name="Anna Nowak-Wiśniewska", email="anna@example.test"),
        now=now,
        on_behalf=True,
    )
    return owner, ola, monday, booking


def _log_in(page: Page, live_server, owner) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(builders.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")


def test_owner_appointment_pages_fit_a_phone_and_keep_the_csp(live_server, page: Page, salon):
    owner, ola, monday, booking = salon
    _log_in(page, live_server, owner)
    paths = [
        "/dashboard/availability/",
        f"/dashboard/availability/team/{ola.pk}/",
        f"/dashboard/calendar/?date={monday}",
        f"/dashboard/calendar/?view=day&date={monday}",
        f"/dashboard/appointments/{booking.pk}/",
        f"/dashboard/appointments/{booking.pk}/cancel/",
        "/dashboard/appointments/new/",
        "/dashboard/calendar/block/",
        "/dashboard/services/new/",
    ]

    widths = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")

    viewport = page.viewport_size["width"]
    assert widths == dict.fromkeys(paths, viewport)
    assert page.evaluate("window.__cspViolations || []") == []


def test_closed_days_and_following_the_business_hours_hide_their_times(
    live_server, page: Page, salon
):
    owner, ola, _, _ = salon
    _log_in(page, live_server, owner)

    page.goto(f"{live_server.url}/dashboard/availability/")
    monday = page.locator(".week-day").first
    expect(monday.locator(".intervals")).to_be_visible()
    monday.get_by_label("Closed").check()
    expect(monday.locator(".intervals")).to_be_hidden()
    expect(monday.get_by_text("Closed all day")).to_be_visible()

    page.goto(f"{live_server.url}/dashboard/availability/team/{ola.pk}/")
    expect(page.locator(".week-body")).to_be_hidden()
    page.get_by_label("Own hours").check()
    expect(page.locator(".week-body")).to_be_visible()


def test_the_week_calendar_shows_the_appointment_and_opens_it(live_server, page: Page, salon):
    owner, _, monday, booking = salon
    _log_in(page, live_server, owner)

    page.goto(f"{live_server.url}/dashboard/calendar/?date={monday}")
    page.get_by_role("link", name="Anna Nowak-Wiśniewska").click()

    expect(page).to_have_url(f"{live_server.url}/dashboard/appointments/{booking.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anna Nowak-Wiśniewska")


def test_owner_blocks_time_on_a_phone_sees_it_on_the_calendar_and_guests_lose_those_times(
    live_server, page: Page, salon
):
    owner, ola, monday, _ = salon
    _log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/dashboard/calendar/?date={monday}")
    page.get_by_role("link", name="Block time").first.click()

    page.get_by_label("Team member").select_option(label="Ola")
    page.get_by_label("From (date)").fill(monday.isoformat())
    page.get_by_label("From (time)").fill("13:00")
    page.get_by_label("Until (date)").fill(monday.isoformat())
    page.get_by_label("Until (time)").fill("15:00")
    page.get_by_label("Note (optional)").fill("Training")
    page.get_by_role("button", name="Block time").click()

    page.goto(f"{live_server.url}/dashboard/calendar/?view=day&date={monday}")
    expect(page.get_by_text("Training").first).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    business = ola.business
    service = business.service_set.get()
    page.goto(
        f"{live_server.url}/{business.slug}/appointments/{service.pk}/"
        f"?performer={ola.pk}&month={monday:%Y-%m}&day={monday}"
    )
    times = page.get_by_test_id("times")
    expect(times.get_by_role("link", name=re.compile(r"^10:30"))).to_have_count(0)  # booked
    expect(times.get_by_role("link", name=re.compile(r"^13:30"))).to_have_count(0)  # blocked
    expect(times.get_by_role("link", name=re.compile(r"^15:00"))).to_have_count(1)
