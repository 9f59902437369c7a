"""N2: the manage page's per-run .ics, behind the signed manage link and the booking's business."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from rezerva.booking.links import manage_token
from rezerva.booking.models import CancelledBy
from rezerva.booking.services import book_single_run, cancel_booking, purchase_series
from rezerva.notify.calendar import event_uid
from rezerva.scheduling.models import Session
from tests import builders
from tests.booking.helpers import guest

WARSAW = ZoneInfo("Europe/Warsaw")


def _url(business, token: str, session_id: int) -> str:
    return reverse("hub:manage_run_ics", args=[business.slug, token, session_id])


def _events(response) -> list:
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.fixture
def online_run(service, now):
    return builders.make_session(
        service, mode=Session.Mode.ONLINE, meeting_url="https://meet.example.com/r1", now=now
    )


def test_n2_guest_downloads_the_ics_of_their_run(business, online_run, now, client):
    booking = book_single_run(business=business, session_id=online_run.pk, guest=guest(), now=now)

    response = client.get(_url(business, manage_token(booking), online_run.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    (vevent,) = _events(response)
    assert str(vevent["UID"]) == event_uid(public_id=booking.public_id, session_id=online_run.pk)
    assert vevent.start == dt.datetime(2026, 3, 9, 18, 0, tzinfo=WARSAW)
    assert str(vevent["LOCATION"]) == "https://meet.example.com/r1"
    assert (str(vevent["STATUS"]), int(vevent["SEQUENCE"])) == ("CONFIRMED", 0)


def test_n2_a_cancelled_booking_downloads_as_cancelled_with_its_new_sequence(
    business, owner, online_run, now, client
):
    booking = book_single_run(business=business, session_id=online_run.pk, guest=guest(), now=now)
    cancel_booking(booking=booking, by=CancelledBy.OWNER, actor=owner, now=now)

    (vevent,) = _events(client.get(_url(business, manage_token(booking), online_run.pk)))

    assert (str(vevent["STATUS"]), int(vevent["SEQUENCE"])) == ("CANCELLED", 1)
    # The meeting link is for confirmed guests only.
    assert "LOCATION" not in vevent


def test_n2_a_series_buyer_downloads_each_run_of_the_purchase(business, service, now, client):
    series = builders.make_series(service, runs=3, now=now)
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=now)
    token = manage_token(purchase)

    for seat in purchase.bookings.all():
        (vevent,) = _events(client.get(_url(business, token, seat.session_id)))
        assert str(vevent["UID"]) == event_uid(public_id=seat.public_id, session_id=seat.session_id)


@pytest.mark.parametrize("_case", ["forged token", "run not in the booking", "other business"])
def test_n2_the_download_is_404_outside_the_booking(
    business, service, other_business, online_run, now, client, _case
):
    booking = book_single_run(business=business, session_id=online_run.pk, guest=guest(), now=now)
    elsewhere = builders.make_session(service, days_ahead=9, now=now)
    token = manage_token(booking)
    url = {
        "forged token": _url(business, token[:-3] + "abc", online_run.pk),
        "run not in the booking": _url(business, token, elsewhere.pk),
        "other business": _url(other_business, token, online_run.pk),
    }[_case]

    response = client.get(url)

    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content
