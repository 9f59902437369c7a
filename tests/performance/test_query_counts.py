"""Read paths use a constant, bounded number of SQL queries, however many runs and bookings.

Each page is read on a small and on a bigger dataset of the same business: the query count must
be the same for both and stay under the page's bound. Speed itself is measured by bench/, not here.
"""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rezerva.booking.models import Booking, BookingStatus
from rezerva.catalog.models import PriceType
from rezerva.scheduling.models import Session
from rezerva.tenancy.services import create_api_token
from tests import builders

# The most queries each read path may use (business, service, runs, seats, series, ...).
BOUNDS = {
    "hub": 4,  # business, services, series on sale, services with single runs
    "service_page": 5,  # business, service, runs, their seats, series on sale
    "series_list": 8,  # ... and the series with their runs and seats
    # business, series + service, series on sale, its runs, their seats, drop-in runs, seats
    "series_page": 7,
    "json_services": 4,
    "json_runs": 4,
    "json_series": 5,
    # Owner pages also read the login session, user and membership; the participant list is
    # being reworked, so its bound leaves one query of room.
    "owner_participants_page": 12,
    "json_owner_participants": 4,
}
SIZES = {
    "small": {"runs": 2, "series": 1, "per_run": 1},
    "bigger": {"runs": 12, "series": 4, "per_run": 6},
}
GUEST_PATHS = ["hub", "service_page", "series_list", "series_page"]
GUEST_PATHS += ["json_services", "json_runs", "json_series"]
_guests = itertools.count(1)


@pytest.fixture
def now() -> dt.datetime:
    """The pages read django.utils.timezone.now(), so the data is built around it."""
    return timezone.now()


def _fill(business, service, session: Session, count: int, now: dt.datetime) -> None:
    """`count` confirmed seats on a run. Bulk rows: these tests read, the placing rules are
    covered by tests/booking; the seat filter still sees real confirmed and lapsed bookings."""
    rows = []
    for k in range(count):
        n = next(_guests)
        lapsed = k % 3 == 2
        rows.append(
            Booking(
                business=business,
                session=session,
                kind=Booking.Kind.DROP_IN if session.series_id else Booking.Kind.SINGLE,
                status=BookingStatus.PENDING if lapsed else BookingStatus.CONFIRMED,
                hold_expires_at=now - dt.timedelta(minutes=5) if lapsed else None,
                price_type=PriceType.ON_SITE,
                price_minor=service.price_minor,
                currency=business.currency,
                guest_name=f"Guest {n}",
                guest_email=f"guest{n}@example.com",
            )
        )
    Booking.objects.bulk_create(rows)


def _dataset(business, now, *, runs: int, series: int, per_run: int) -> dict:
    """A group service with single runs, drop-in series and bookings on every run."""
    service = builders.make_group_service(business, name="Yoga", now=now)
    singles = [
        builders.make_session(service, days_ahead=2 + day, capacity=50, now=now)
        for day in range(runs)
    ]
    all_series = [
        builders.make_series(
            service,
            runs=3,
            title=f"Course {k}",
            drop_in_enabled=True,
            first_day=3 + k,
            capacity=50,
            now=now,
        )
        for k in range(series)
    ]
    for run in Session.objects.filter(service=service):
        _fill(business, service, run, per_run, now)
    return {"service": service, "series": all_series[0], "run": singles[0]}


@pytest.fixture(params=list(SIZES))
def dataset(request, business, other_business, now):
    """The business's catalogue at two sizes, beside another tenant's look-alike data."""
    return _dataset(business, now, **SIZES[request.param])


def _urls(business, data) -> dict[str, str]:
    slug, service = business.slug, data["service"]
    return {
        "hub": f"/{slug}/",
        "service_page": f"/{slug}/services/{service.pk}/",
        "series_list": f"/{slug}/services/{service.pk}/?view=series",
        "series_page": f"/{slug}/series/{data['series'].pk}/",
        "json_services": f"/api/public/{slug}/services",
        "json_runs": f"/api/public/{slug}/services/{service.pk}/runs",
        "json_series": f"/api/public/{slug}/services/{service.pk}/series",
    }


@pytest.mark.parametrize("_case", GUEST_PATHS)
def test_guest_read_path_uses_a_bounded_number_of_queries(
    _case, client, business, dataset, django_assert_max_num_queries
):
    url = _urls(business, dataset)[_case]
    client.get(url)  # warm the URL resolver and template caches

    with django_assert_max_num_queries(BOUNDS[_case]):
        response = client.get(url)

    assert response.status_code == 200


def test_owner_participants_page_uses_a_bounded_number_of_queries(
    owner_client, dataset, django_assert_max_num_queries
):
    url = f"/dashboard/sessions/{dataset['run'].pk}/"
    owner_client.get(url)

    with django_assert_max_num_queries(BOUNDS["owner_participants_page"]):
        response = owner_client.get(url)

    assert response.status_code == 200
    assert response.content.count(b'data-testid="participant"') == len(
        Booking.objects.filter(session=dataset["run"])
    )


def test_owner_participants_json_uses_a_bounded_number_of_queries(
    client, business, dataset, django_assert_max_num_queries
):
    _, token = create_api_token(business=business, actor=None, name="perf")
    url = f"/api/owner/runs/{dataset['run'].pk}/participants"
    auth = {"Authorization": f"Bearer {token}"}

    with django_assert_max_num_queries(BOUNDS["json_owner_participants"]):
        response = client.get(url, headers=auth)

    assert response.status_code == 200
    assert len(response.json()) == Booking.objects.filter(session=dataset["run"]).count()


def _count(client, url: str, **kwargs) -> int:
    client.get(url, **kwargs)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **kwargs).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_runs_and_bookings(db, client, now):
    counts = {}
    for size, shape in SIZES.items():
        business = builders.make_business(name=f"Studio {size}", slug=f"perf-{size}", now=now)
        data = _dataset(business, now, **shape)
        urls = _urls(business, data)
        client.force_login(builders.owner_of(business))
        session = client.session
        session["business_id"] = business.pk
        session.save()
        urls["owner_participants_page"] = f"/dashboard/sessions/{data['run'].pk}/"
        counts[size] = {name: _count(client, url) for name, url in urls.items()}

    assert counts["bigger"] == counts["small"]
