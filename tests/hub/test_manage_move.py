"""B6 on the manage page: the guest sees other dates, what happens to the money, and moves."""

import pytest
from django.urls import reverse
from django.utils import timezone

from rezerva.booking.links import manage_path, manage_token
from rezerva.booking.models import Booking
from rezerva.booking.services import book_single_run, purchase_series
from rezerva.catalog.models import PriceType
from tests import builders
from tests.booking.helpers import guest
from tests.hub.helpers import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(business):
    return builders.make_group_service(
        business, price_type=PriceType.ON_SITE, price_minor=5000, now=timezone.now()
    )


def _move_url(booking):
    return reverse("hub:manage_move", args=[booking.business.slug, manage_token(booking)])


def test_manage_page_offers_other_dates_and_says_what_happens_to_the_money(
    client, business, service
):
    now = timezone.now()
    first = builders.make_session(service, days_ahead=5, now=now)
    builders.make_session(service, days_ahead=8, now=now)
    booking = book_single_run(business=business, session_id=first.pk, guest=guest(), now=now)

    page = body(client.get(manage_path(booking)))

    assert "Change the date" in page
    assert "You still pay PLN\u00a050.00 on site; nothing changes." in page


def test_guest_moves_the_booking_from_the_manage_page(client, business, service):
    now = timezone.now()
    first = builders.make_session(service, days_ahead=5, now=now)
    later = builders.make_session(service, days_ahead=8, now=now)
    booking = book_single_run(business=business, session_id=first.pk, guest=guest(), now=now)

    response = client.post(_move_url(booking), {"session_id": later.pk}, follow=True)

    assert Booking.objects.get(pk=booking.pk).session_id == later.pk
    assert "Moved." in body(response)


def test_moving_to_a_run_that_just_filled_shows_why_and_keeps_the_old_seat(
    client, business, service
):
    now = timezone.now()
    first = builders.make_session(service, days_ahead=5, now=now)
    later = builders.make_session(service, days_ahead=8, capacity=1, now=now)
    booking = book_single_run(business=business, session_id=first.pk, guest=guest(), now=now)
    book_single_run(business=business, session_id=later.pk, guest=guest(), now=now)

    response = client.post(_move_url(booking), {"session_id": later.pk}, follow=True)

    assert "just filled up" in body(response)
    assert Booking.objects.get(pk=booking.pk).session_id == first.pk


def test_a_forged_link_or_garbage_date_moves_nothing(client, business, service):
    now = timezone.now()
    first = builders.make_session(service, days_ahead=5, now=now)
    booking = book_single_run(business=business, session_id=first.pk, guest=guest(), now=now)
    forged = reverse("hub:manage_move", args=[business.slug, "not-a-real-token"])

    assert client.post(forged, {"session_id": first.pk}).status_code == 404
    response = client.post(_move_url(booking), {"session_id": "tomorrow"}, follow=True)
    assert "Choose a new date." in body(response)


def test_a_series_purchase_offers_no_move(client, business, service):
    now = timezone.now()
    series = builders.make_series(service, runs=2, now=now)
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)

    page = body(client.get(manage_path(purchase)))

    assert "Change the date" not in page
    assert client.post(_move_url(purchase), {"session_id": 1}).status_code == 404


def test_manage_page_links_each_run_to_its_calendar_file(client, business, service):
    now = timezone.now()
    series = builders.make_series(service, runs=3, now=now)
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)

    page = body(client.get(manage_path(purchase)))

    token = manage_token(purchase)
    for run in series.sessions.all():
        url = reverse("hub:manage_run_ics", args=[business.slug, token, run.pk])
        assert url in page
        assert client.get(url)["Content-Type"].startswith("text/calendar")
