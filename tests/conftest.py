"""Shared fixtures: a pinned clock, a business and a look-alike other business, logged-in owners."""

import datetime as dt

import pytest
from django.db import connection

from rezerva.core import events
from tests import builders

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday, four weeks before DST starts


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are skipped on SQLite (they need real row locks)."""
    from django.conf import settings

    is_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and not is_postgres:
            item.add_marker(skip)


@pytest.fixture
def now() -> dt.datetime:
    """The pinned clock every service call in a test receives."""
    return NOW


@pytest.fixture(autouse=True)
def _clear_events():
    events.DELIVERED.clear()
    yield
    events.DELIVERED.clear()


@pytest.fixture
def business(db, now):
    """A Growth business in Europe/Warsaw selling in PLN."""
    return builders.make_business(name="Studio Lumen", slug="lumen", now=now)


@pytest.fixture
def owner(business):
    return builders.owner_of(business)


@pytest.fixture
def other_business(db, now):
    """Another tenant with look-alike data: its ids must never work in `business`'s URLs."""
    other = builders.make_business(name="Studio Shadow", slug="shadow", now=now)
    service = builders.make_group_service(other, name="Pottery class", now=now)
    builders.make_series(service, runs=2, now=now)
    return other


@pytest.fixture
def owner_client(client, owner, business):
    """A test client logged in as the business's owner, working in that business."""
    client.force_login(owner)
    session = client.session
    session["business_id"] = business.pk
    session.save()
    return client


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"
