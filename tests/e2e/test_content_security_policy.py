"""The strict Content-Security-Policy in a real browser (security review F7): owner and guest
pages work with scripts from our origin only (select-all, confirm dialogs, htmx swaps, the API
docs) and the browser reports no violation."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rezerva.booking.models import Booking, BookingStatus
from tests import builders

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def watched(page: Page):
    """The page, with every CSP violation it reports (DOM event or console message) collected."""
    console = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(RECORD_VIOLATIONS)

    def violations() -> list[str]:
        return console + page.evaluate("window.__cspViolations || []")

    return page, violations


@pytest.fixture
def run_with_guests():
    now = timezone.now()
    owner = builders.make_user("owner-csp@example.test")
    business = builders.make_business(owner=owner, name="Studio CSP", slug="studio-csp", now=now)
    service = builders.make_group_service(business, name="Pottery", now=now)
    run = builders.make_session(service, days_ahead=3, capacity=4, now=now)
    guests = builders.add_participants(run, 2)
    return owner, business, service, run, guests


def _log_in(page: Page, live_server, owner) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(builders.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")


def test_csp_owner_run_page_scripts_dialogs_and_htmx_work_without_violations(
    live_server, watched, run_with_guests
):
    page, violations = watched
    owner, _, _, run, _ = run_with_guests
    _log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/dashboard/sessions/{run.pk}/")

    # htmx swaps the list in place (tabs), with no inline indicator style.
    page.get_by_role("link", name="Cancelled").click()
    expect(page.locator("#participants")).to_contain_text("No participants match this filter.")
    page.get_by_role("link", name="Everyone").click()
    expect(page.get_by_test_id("participant")).to_have_count(2)
    # app.js: select-all, then the confirm dialog before a bulk cancel (dismissed, then accepted).
    page.get_by_label("Select everyone on this page").check()
    expect(page.locator('input[name="booking_ids"]:checked')).to_have_count(2)
    page.get_by_label("With selected").select_option("cancel")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Apply").click()
    assert set(Booking.objects.filter(session=run).values_list("status", flat=True)) == {
        BookingStatus.CONFIRMED
    }
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("status")).to_contain_text("2 participants cancelled")
    assert set(Booking.objects.filter(session=run).values_list("status", flat=True)) == {
        BookingStatus.CANCELLED
    }
    assert page.locator(".cap > span").get_attribute("class") == "fill-0"
    assert violations() == []


def test_csp_guest_pages_and_api_docs_render_without_violations(
    live_server, watched, run_with_guests
):
    page, violations = watched
    _, business, service, run, _ = run_with_guests

    for path in (
        f"/{business.slug}/",
        f"/{business.slug}/services/{service.pk}/",
        f"/{business.slug}/sessions/{run.pk}/book/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator("#swagger-ui .info")).to_be_visible()

    assert violations() == []
