"""An owner on a phone (390 px) runs a session: the participant list fits, select-all and a bulk
action work (G6)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rezerva.booking.models import Booking
from tests import builders

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def run_with_guests():
    now = timezone.now()
    owner = builders.make_user("owner-e2e@example.test")
    business = builders.make_business(owner=owner, name="Studio Lumen", slug="lumen-ops", now=now)
    service = builders.make_group_service(business, name="Python for beginners", now=now)
    run = builders.make_session(service, days_ahead=3, capacity=20, now=now)
    guests = builders.add_participants(
        run, 3, name="Aleksandra Wiśniewska-Kowalczyk", guest_phone="+48 600 100 200"
    )
    return owner, run, guests


def test_owner_marks_everyone_attended_on_a_phone(live_server, page: Page, run_with_guests):
    owner, run, guests = run_with_guests
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(builders.PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/dashboard/sessions/{run.pk}/")

    expect(page.get_by_test_id("participant")).to_have_count(3)
    # Tidy on a phone: neither the page nor the participants table scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    table = page.locator("#participants .table-wrap")
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.get_by_label("Select everyone on this page").check()
    page.get_by_label("With selected").select_option("attended")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("status")).to_contain_text("3 participants marked attended.")
    assert set(
        Booking.objects.filter(pk__in=[g.pk for g in guests]).values_list("attendance", flat=True)
    ) == {"attended"}
