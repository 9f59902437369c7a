"""Dashboard-only fixtures: pages read django's clock, so their runs are built around it."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from rezerva.tenancy import services as tenancy_services
from tests import builders


@pytest.fixture
def real_now() -> dt.datetime:
    """The clock the owner pages use (timezone.now()), for builders in page tests."""
    return timezone.now()


@pytest.fixture
def login_as(client):
    """Log the test client in as `user`, working in `business` (as owner_client does)."""

    def login(user, business=None):
        client.force_login(user)
        if business is not None:
            session = client.session
            session["business_id"] = business.pk
            session.save()
        return client

    return login


@pytest.fixture
def salon(business, real_now):
    """One-to-one setup for the appointment pages (which read the real clock): Ola and Ewa,
    business hours Mon-Fri 9-12 and 13-17, a 45-minute haircut every 15 minutes, no notice."""
    ola = builders.make_performer(business, "Ola")
    ewa = builders.make_performer(business, "Ewa")
    builders.set_week(
        business, None, {d: [("09:00", "12:00"), ("13:00", "17:00")] for d in range(5)}
    )
    haircut = builders.make_appointment_service(
        business, duration_minutes=45, slot_interval_minutes=15, performers=[ola, ewa], now=real_now
    )
    return SimpleNamespace(business=business, ola=ola, ewa=ewa, haircut=haircut)


@pytest.fixture
def monday(business, real_now) -> dt.date:
    """A local Monday one to two weeks ahead, so notice and "today" never get in the way."""
    today = real_now.astimezone(ZoneInfo(business.timezone)).date()
    return today + dt.timedelta(days=14 - today.weekday())


@pytest.fixture
def staff_browser(business):
    """A separate client logged in as a staff member of `business` (beside owner_client)."""
    staff = builders.make_user("stylist@example.test")
    tenancy_services.add_member(
        business=business, actor=builders.owner_of(business), user=staff, role="staff"
    )
    browser = Client()
    browser.force_login(staff)
    session = browser.session
    session["business_id"] = business.pk
    session.save()
    return browser
