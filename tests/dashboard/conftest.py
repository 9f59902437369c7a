"""Dashboard-only fixtures: pages read django's clock, so their runs are built around it."""

import datetime as dt

import pytest
from django.utils import timezone


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
