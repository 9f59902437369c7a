"""'Lost your booking link?': one email with the manage links of a guest's upcoming bookings at
the business, the same answer for every address, limited per client and per email address."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from rezerva.booking.links import manage_path
from rezerva.booking.models import Booking
from rezerva.core import ratelimit
from tests import builders

GUEST = "anna@example.test"


@pytest.fixture(autouse=True)
def _fresh_counters(monkeypatch):
    """Empty limiter counters, and a clock pinned to the start of an hour's window."""
    cache.clear()
    pinned = (timezone.now().timestamp() // 3600) * 3600 + 1
    monkeypatch.setattr(ratelimit, "clock", lambda: pinned)
    yield
    cache.clear()


@pytest.fixture
def studio(db):
    """A business where Anna has an upcoming single booking, a past one, a cancelled one, and
    a series purchase; someone else has a booking too."""
    now = timezone.now()
    business = builders.make_business(name="Studio & Co", slug="lost-studio", now=now)
    service = builders.make_group_service(business, name="Yoga", now=now)
    upcoming = builders.make_session(service, days_ahead=3, now=now)
    later = builders.make_session(service, days_ahead=5, now=now)
    past = builders.make_session(service, days_ahead=2, now=now - dt.timedelta(days=10))
    mine = builders.add_participants(upcoming, 1)[0]
    cancelled = builders.add_participants(later, 1, status="cancelled")[0]
    old = builders.add_participants(past, 1)[0]
    someone_else = builders.add_participants(later, 1)[0]
    series = builders.make_series(service, runs=2, title="Spring course", now=now)
    purchase = builders.add_series_buyers(series, 1)[0]
    Booking.objects.filter(pk__in=[mine.pk, cancelled.pk, old.pk]).update(guest_email=GUEST)
    purchase.guest_email = "Anna@Example.test"
    purchase.save(update_fields=["guest_email"])
    Booking.objects.filter(purchase=purchase).update(guest_email="Anna@Example.test")
    return {
        "business": business,
        "mine": mine,
        "cancelled": cancelled,
        "old": old,
        "someone_else": someone_else,
        "purchase": purchase,
    }


@pytest.fixture
def rival_studio(db):
    """Another business where Anna also booked."""
    now = timezone.now()
    business = builders.make_business(name="Rival", slug="lost-rival", now=now)
    run = builders.make_session(builders.make_group_service(business, now=now), now=now)
    booking = builders.add_participants(run, 1)[0]
    Booking.objects.filter(pk=booking.pk).update(guest_email=GUEST)
    return booking


def _ask(client, email=GUEST, slug="lost-studio", **extra):
    return client.post(reverse("hub:lost_link", args=[slug]), {"email": email}, **extra)


def _paths(message) -> list[str]:
    return re.findall(r"https?://[^/\s]+(/\S+/manage/\S+/)", message.body)


def test_lost_link_page_renders_with_a_form(client, studio):
    response = client.get(reverse("hub:lost_link", args=["lost-studio"]))

    assert response.status_code == 200
    assert "<h1>Lost your booking link?</h1>" in response.text
    assert 'name="email"' in response.text


def test_lost_link_emails_the_guest_her_upcoming_manage_links_only(client, studio, rival_studio):
    response = _ask(client, "  ANNA@example.test ")

    assert response.status_code == 302
    assert response["Location"] == reverse("hub:lost_link", args=["lost-studio"]) + "?sent=1"
    (message,) = mail.outbox
    assert message.to == [GUEST]
    assert message.subject == "Your bookings at Studio & Co"
    assert _paths(message) == [manage_path(studio["mine"]), manage_path(studio["purchase"])]
    assert "Spring course" in message.body
    assert "&amp;" not in message.body
    sent_page = client.get(response["Location"])
    assert 'data-testid="lost-link-sent"' in sent_page.text


def test_lost_link_answers_the_same_for_an_unknown_email_and_sends_nothing(client, studio):
    known = _ask(client, GUEST)
    mail.outbox.clear()

    unknown = _ask(client, "nobody@example.test")

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []


def test_lost_link_sends_nothing_for_only_past_or_cancelled_bookings(client, studio):
    Booking.objects.filter(pk=studio["mine"].pk).update(status="cancelled")
    studio["purchase"].status = "cancelled"
    studio["purchase"].save(update_fields=["status"])

    response = _ask(client)

    assert response.status_code == 302
    assert mail.outbox == []


def test_lost_link_of_an_unknown_business_is_404(client, studio):
    response = _ask(client, slug="no-such-studio")

    assert response.status_code == 404
    assert mail.outbox == []


def test_lost_link_an_invalid_email_is_a_field_error(client, studio):
    response = _ask(client, "anna")

    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert mail.outbox == []


def test_lost_link_sends_at_most_three_emails_an_hour_per_email_address(
    client, studio, rival_studio
):
    answers = [_ask(client) for _ in range(3)] + [
        _ask(client, REMOTE_ADDR="198.51.100.7"),
        _ask(client, slug="lost-rival", REMOTE_ADDR="198.51.100.8"),
    ]

    assert [a.status_code for a in answers] == [302] * 5
    assert len(mail.outbox) == 3


def test_lost_link_takes_ten_requests_an_hour_from_one_client_address(client, studio):
    for n in range(10):
        assert _ask(client, f"guest{n}@example.test").status_code == 302

    refused = _ask(client)
    elsewhere = _ask(client, REMOTE_ADDR="198.51.100.7")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("page", ["business", "manage"])
def test_lost_link_is_linked_from_the_hub_and_the_manage_page(client, studio, page):
    url = (
        reverse("hub:business", args=["lost-studio"])
        if page == "business"
        else manage_path(studio["mine"])
    )

    response = client.get(url)

    assert f'href="{reverse("hub:lost_link", args=["lost-studio"])}"' in response.text
