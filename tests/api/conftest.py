import pytest
from django.utils import timezone

from rezerva.tenancy.services import create_api_token
from tests import builders


@pytest.fixture
def live_now():
    """API views read the real clock, so API scenarios are built relative to it."""
    return timezone.now()


@pytest.fixture
def shop(db, live_now):
    """A Growth business with one lone run (capacity 2) and a drop-in series of two runs."""
    business = builders.make_business(name="Studio", slug="api-studio", now=live_now)
    service = builders.make_group_service(business, price_minor=5000, now=live_now)
    lone = builders.make_session(service, days_ahead=2, capacity=2, now=live_now)
    series = builders.make_series(
        service, runs=2, first_day=5, capacity=3, drop_in_enabled=True, now=live_now
    )
    return business, service, lone, series


@pytest.fixture
def rival(db, live_now):
    """Another tenant with a look-alike run."""
    business = builders.make_business(name="Rival", slug="api-rival", now=live_now)
    service = builders.make_group_service(business, now=live_now)
    run = builders.make_session(service, days_ahead=2, now=live_now)
    return business, service, run


@pytest.fixture
def owner_token(shop):
    business = shop[0]
    _, raw = create_api_token(business=business, actor=None, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
