"""Losing the database answers 503 + Retry-After (problem+json for the API), never a 500.

The outage is simulated at the driver boundary: an execute wrapper raises the error the
driver raises when the server is gone. The PostgreSQL test really terminates the backend.
"""

import contextlib
import json

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.utils import timezone

from rezerva.booking.models import Booking
from rezerva.tenancy.services import create_api_token
from tests import builders

OUTAGES = [
    ("refused", OperationalError, "connection to server failed: Connection refused"),
    ("dropped", InterfaceError, "connection already closed"),
]


@pytest.fixture
def run(db):
    now = timezone.now()
    business = builders.make_business(name="Studio", slug="db-studio", now=now)
    service = builders.make_group_service(business, now=now)
    return builders.make_session(service, capacity=10, now=now)


@contextlib.contextmanager
def database_down(error: type[Exception], message: str):
    """Every query on the default connection fails the way a lost server makes it fail."""

    def fail(execute, sql, params, many, context):
        raise error(message)

    with connection.execute_wrapper(fail):
        yield


def _assert_service_unavailable_problem(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert (body["type"], body["status"], body["code"]) == (
        "https://rezerva.app/problems/service_unavailable",
        503,
        "service_unavailable",
    )
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(("_case", "error", "message"), OUTAGES)
def test_a_public_api_read_without_a_database_is_a_503_problem(client, run, _case, error, message):
    with database_down(error, message):
        response = client.get(f"/api/public/db-studio/services/{run.service_id}/runs")
    _assert_service_unavailable_problem(response)


@pytest.mark.parametrize(("_case", "error", "message"), OUTAGES)
def test_placing_a_booking_without_a_database_is_a_503_problem_and_books_nothing(
    client, run, _case, error, message
):
    body = {"name": "Anna", "email": "anna@example.com", "session_id": run.pk}
    with database_down(error, message):
        response = client.post(
            "/api/public/db-studio/bookings", json.dumps(body), content_type="application/json"
        )
    _assert_service_unavailable_problem(response)
    assert Booking.objects.count() == 0


def test_an_owner_api_call_whose_token_cannot_be_checked_is_a_503_not_a_401(client, run):
    _, raw = create_api_token(business=run.business, actor=None, name="ci")
    with database_down(*OUTAGES[0][1:]):
        response = client.get("/api/owner/services", HTTP_AUTHORIZATION=f"Bearer {raw}")
    _assert_service_unavailable_problem(response)


@pytest.mark.parametrize(("_case", "error", "message"), OUTAGES)
def test_a_guest_page_without_a_database_is_a_small_503_page(client, run, _case, error, message):
    with database_down(error, message):
        response = client.get("/db-studio/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert b"temporarily unavailable" in response.content
    assert b"Traceback" not in response.content


def test_a_programming_error_is_not_disguised_as_an_outage(client, run):
    # A bug (bad SQL) must stay a loud 500, not a polite "try again later".
    with (
        database_down(ProgrammingError, 'relation "nope" does not exist'),
        pytest.raises(ProgrammingError),
    ):
        client.get("/db-studio/")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_request_is_discarded_and_the_next_request_reconnects(client):
    now = timezone.now()
    business = builders.make_business(name="Studio", slug="db-studio", now=now)
    service = builders.make_group_service(business, now=now)
    builders.make_session(service, now=now)
    url = f"/api/public/db-studio/services/{service.pk}/runs"
    connection.ensure_connection()
    victim = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    killed = []

    def terminate_first(execute, sql, params_, many, context):
        if not killed:
            # The server ends this backend (as a restart or failover does) before the query runs.
            with psycopg.connect(
                **{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True
            ) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [victim])
            killed.append(victim)
        return execute(sql, params_, many, context)

    with connection.execute_wrapper(terminate_first):
        lost = client.get(url)
    recovered = client.get(url)

    _assert_service_unavailable_problem(lost)
    assert killed == [victim]
    assert recovered.status_code == 200
    assert len(recovered.json()) == 1
    assert connection.connection.info.backend_pid != victim
