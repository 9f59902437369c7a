import pytest

from tests import builders


@pytest.fixture
def ola(business):
    return builders.make_performer(business, "Ola")


@pytest.fixture
def ewa(business):
    return builders.make_performer(business, "Ewa")


@pytest.fixture
def haircut(business, ola, ewa, now):
    """45 minutes, every 15, on site; Ola and Ewa; Mon-Fri 9-17 with a lunch break (default)."""
    builders.set_week(
        business, None, {d: [("09:00", "12:00"), ("13:00", "17:00")] for d in range(5)}
    )
    return builders.make_appointment_service(
        business, duration_minutes=45, slot_interval_minutes=15, performers=[ola, ewa], now=now
    )
