"""Property-based fuzzing of the OpenAPI schema (schemathesis): no input gives a 5xx, and
responses match what the schema documents.

Every operation gets a bounded, derandomized set of generated requests against a seeded
business (services, runs, a series, a booking and a purchase, an owner token). Path ids and
slugs are pointed at the seeded rows half of the time so the fuzzer reaches past the 404s.
"""

import os
import zlib

import pytest
import schemathesis
from django.test.client import ClientHandler
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rezerva.booking.links import manage_token
from rezerva.booking.services import GuestDetails, book_single_run, purchase_series
from rezerva.tenancy.services import create_api_token
from tests import builders

SLUG = "fuzz-studio"
# Per operation; CI keeps it small and fixed, FUZZ_MAX_EXAMPLES=500 digs deeper locally.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class InProcessApp:
    """Django as a WSGI app the way its test client runs it.

    Django's real WSGIHandler closes the database connection after each request, which would
    end the test's transaction; the test client's handler keeps it (and rolls back after).
    """

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = [*response.items()]
        headers += [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]


@pytest.fixture
def seeded(db):
    """One business with everything the API can point at, and its owner token."""
    now = timezone.now()
    business = builders.make_business(name="Fuzz Studio", slug=SLUG, now=now)
    service = builders.make_group_service(business, now=now)
    run = builders.make_session(service, days_ahead=2, capacity=1000, now=now)
    series = builders.make_series(
        service, runs=2, first_day=5, capacity=1000, drop_in_enabled=True, now=now
    )
    guest = GuestDetails("Fuzz Guest", "fuzz@example.test")
    booking = book_single_run(business=business, session_id=run.pk, guest=guest, now=now)
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest, now=now)
    _, raw_token = create_api_token(business=business, actor=None, name="fuzz")
    return {
        "token_header": {"Authorization": f"Bearer {raw_token}"},
        "path": {
            "slug": SLUG,
            "service_id": service.pk,
            "session_id": run.pk,
            "series_id": series.pk,
            "booking_id": booking.pk,
            "purchase_id": purchase.pk,
            "token": manage_token(booking),
        },
    }


# Loaded at import: fetching the schema touches no database (pytest-django has set Django up).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", InProcessApp())


def _aim_at_seeded_rows(case, seeded) -> None:
    """Half of the generated path values are swapped for real ones (decided by the value)."""
    for name, value in list(case.path_parameters.items()):
        real = seeded["path"].get(name)
        if real is not None and zlib.crc32(repr(value).encode()) % 2 == 0:
            case.path_parameters[name] = real


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(case, seeded):
    _aim_at_seeded_rows(case, seeded)
    headers = seeded["token_header"] if case.path.startswith("/api/owner") else None
    case.call_and_validate(headers=headers, checks=CHECKS)
