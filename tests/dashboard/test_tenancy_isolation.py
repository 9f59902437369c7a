"""Every owner URL that takes an id answers 404 for another business's ids, changing nothing."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from rezerva.booking.models import Booking
from rezerva.catalog.models import Service
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy.models import ActivityLog, Business
from tests import builders

EDIT_SERVICE = {
    "name": "Hacked",
    "price_type": "free",
    "sales_mode": "single",
    "is_active": "",
    "is_visible": "",
}
ADD_RUN = {
    "starts_at": "2030-01-07T18:00",
    "ends_at": "2030-01-07T19:00",
    "capacity": "3",
    "mode": "in_person",
    "address": "Elsewhere 1",
    "repeat_weekly": "1",
}
EDIT_RUN = {k: v for k, v in ADD_RUN.items() if k != "repeat_weekly"}
EDIT_SERIES = {"title": "Hacked", "price_type": "free", "is_active": "", "is_visible": ""}


@pytest.fixture
def ids(business, other_business, real_now):
    """The other business's ids, plus one series and run of our own."""
    own_service = builders.make_group_service(business, name="Pottery class", now=real_now)
    own_series = builders.make_series(own_service, runs=1, now=real_now)
    return SimpleNamespace(
        service=Service.objects.get(business=other_business).pk,
        series=Series.objects.get(business=other_business).pk,
        session=Session.objects.filter(business=other_business).order_by("pk").first().pk,
        own_series=own_series.pk,
        own_session=Session.objects.get(series=own_series).pk,
    )


def _snapshot():
    """Every row a dashboard POST could touch, in both businesses."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Business, Service, Session, Series, Booking, ActivityLog)
    }


CASES = [
    ("service detail", "get", "service_detail", lambda i: {"service_id": i.service}, None),
    ("service edit", "post", "service_detail", lambda i: {"service_id": i.service}, EDIT_SERVICE),
    ("service deactivate", "post", "service_deactivate", lambda i: {"service_id": i.service}, {}),
    ("session list", "get", "session_list", lambda i: {"service_id": i.service}, None),
    ("session add", "post", "session_list", lambda i: {"service_id": i.service}, ADD_RUN),
    ("series list", "get", "series_list", lambda i: {"service_id": i.service}, None),
    (
        "series create",
        "post",
        "series_list",
        lambda i: {"service_id": i.service},
        {"title": "Hacked", "price_type": "free", "is_active": "on"},
    ),
    ("session detail", "get", "session_detail", lambda i: {"session_id": i.session}, None),
    ("session edit", "post", "session_detail", lambda i: {"session_id": i.session}, EDIT_RUN),
    (
        "session cancel",
        "post",
        "session_cancel",
        lambda i: {"session_id": i.session},
        {"reason": "x"},
    ),
    (
        "participants bulk cancel",
        "post",
        "session_participants_bulk",
        lambda i: {"session_id": i.session},
        {"action": "cancel", "booking_ids": ["1", "2"]},
    ),
    (
        "participants csv",
        "get",
        "session_participants_csv",
        lambda i: {"session_id": i.session},
        None,
    ),
    (
        "participants xlsx",
        "get",
        "session_participants_xlsx",
        lambda i: {"session_id": i.session},
        None,
    ),
    ("buyers csv", "get", "series_buyers_csv", lambda i: {"series_id": i.series}, None),
    ("buyers xlsx", "get", "series_buyers_xlsx", lambda i: {"series_id": i.series}, None),
    ("series detail", "get", "series_detail", lambda i: {"series_id": i.series}, None),
    (
        "series attach own run",
        "post",
        "series_detail",
        lambda i: {"series_id": i.series},
        "own_session",
    ),
    ("series edit", "get", "series_edit", lambda i: {"series_id": i.series}, None),
    ("series edit save", "post", "series_edit", lambda i: {"series_id": i.series}, EDIT_SERIES),
    (
        "series detach: other series",
        "post",
        "series_detach",
        lambda i: {"series_id": i.series, "session_id": i.session},
        {},
    ),
    (
        "series detach: own series, other run",
        "post",
        "series_detach",
        lambda i: {"series_id": i.own_series, "session_id": i.session},
        {},
    ),
    (
        "series detach: other series, own run",
        "post",
        "series_detach",
        lambda i: {"series_id": i.series, "session_id": i.own_session},
        {},
    ),
]


@pytest.mark.parametrize(
    ("_case", "method", "name", "kwargs", "data"), CASES, ids=[c[0] for c in CASES]
)
def test_another_business_id_is_404_and_nothing_changes(
    owner_client, ids, _case, method, name, kwargs, data
):
    url = reverse(f"dashboard:{name}", kwargs=kwargs(ids))
    if data == "own_session":
        data = {"sessions": [str(ids.own_session)]}
    before = _snapshot()

    response = owner_client.get(url) if method == "get" else owner_client.post(url, data)

    assert response.status_code == 404
    assert _snapshot() == before


def test_the_same_urls_work_with_own_ids(owner_client, business, ids):
    own = Series.objects.get(pk=ids.own_series)

    pages = [
        reverse("dashboard:service_detail", args=[own.service_id]),
        reverse("dashboard:session_list", args=[own.service_id]),
        reverse("dashboard:series_list", args=[own.service_id]),
        reverse("dashboard:session_detail", args=[ids.own_session]),
        reverse("dashboard:series_detail", args=[own.pk]),
        reverse("dashboard:series_edit", args=[own.pk]),
        reverse("dashboard:session_participants_csv", args=[ids.own_session]),
        reverse("dashboard:session_participants_xlsx", args=[ids.own_session]),
        reverse("dashboard:series_buyers_csv", args=[own.pk]),
        reverse("dashboard:series_buyers_xlsx", args=[own.pk]),
    ]

    responses = [owner_client.get(url) for url in pages]
    for response in responses:
        response.close()  # downloads hold a temporary file until the response is closed

    assert [r.status_code for r in responses] == [200] * len(pages)
