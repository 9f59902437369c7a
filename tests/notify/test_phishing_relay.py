"""The platform as a phishing relay (security review F6, F11): who owner messages reach, how many,
whose name the sender carries, and that guest-typed text never shapes an owner's email."""

import datetime as dt
import email.utils

import pytest
from django.utils import timezone

from rezerva.booking.models import Booking
from rezerva.booking.services import book_single_run
from rezerva.booking.services.operations import message_participants
from rezerva.core import events
from rezerva.notify.errors import MessageLimitReached
from rezerva.notify.models import OutboundEmail
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import ActivityLog, Business
from tests import builders
from tests.booking.helpers import guest
from tests.notify.conftest import rows


@pytest.fixture
def run(service, now):
    return builders.make_session(service, capacity=50, now=now)


def _earlier_messages(business, count: int, *, hours_ago: float) -> None:
    """`count` message rows the business sent `hours_ago` (as an earlier batch would have)."""
    booking = Booking.objects.filter(business=business).first()
    created = [
        OutboundEmail.objects.create(
            business=business,
            kind=OutboundEmail.Kind.MESSAGE,
            booking=booking,
            recipient=f"earlier{i}@example.test",
            dedupe_key=f"earlier:{hours_ago}:{i}",
            message_id=f"<earlier-{hours_ago}-{i}@rezerva.test>",
            available_at=timezone.now(),
            status=OutboundEmail.Status.SENT,
            sent_at=timezone.now(),
        )
        for i in range(count)
    ]
    OutboundEmail.objects.filter(pk__in=[r.pk for r in created]).update(
        created_at=timezone.now() - dt.timedelta(hours=hours_ago)
    )


def _message(business, owner, run, bookings, **text):
    return message_participants(
        business=business,
        session=run,
        booking_ids=[b.pk for b in bookings],
        subject=text.get("subject", "Room change"),
        body=text.get("body", "We meet in room 2."),
        actor=owner,
    )


def test_phishing_relay_owner_messages_reach_only_guests_who_booked_this_run_themselves(
    business,
    owner,
    run,
    service,
    other_business,
    now,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        mine = book_single_run(business=business, session_id=run.pk, guest=guest("Ann"), now=now)
    elsewhere = builders.add_participants(
        builders.make_session(service, days_ahead=14, now=now), 1
    )[0]
    (stranger,) = builders.add_participants(
        Session.objects.filter(business=other_business).order_by("pk").first(), 1
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = _message(business, owner, run, [mine, elsewhere, stranger])

    assert (result.changed_ids, result.ignored) == ((mine.pk,), 2)
    assert [m.to for m in mailoutbox] == [[mine.guest_email]]


def test_phishing_relay_owner_messages_beyond_the_daily_cap_are_refused_naming_the_cap(
    business, owner, run, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OWNER_MESSAGES_PER_DAY = 5
    guests = builders.add_participants(run, 3)
    _earlier_messages(business, 3, hours_ago=23)
    before = (OutboundEmail.objects.count(), ActivityLog.objects.count())

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(MessageLimitReached) as refused,
    ):
        _message(business, owner, run, guests)

    assert refused.value.code == "message_limit_reached"
    assert refused.value.message == (
        "A business can message at most 5 guests in 24 hours (OWNER_MESSAGES_PER_DAY); "
        "2 more can be messaged now. Select fewer guests or try again later."
    )
    assert (OutboundEmail.objects.count(), ActivityLog.objects.count()) == before
    assert mailoutbox == []


def test_phishing_relay_owner_message_cap_counts_a_rolling_24_hours_per_business(
    business, owner, run, other_business, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OWNER_MESSAGES_PER_DAY = 5
    guests = builders.add_participants(run, 3)
    _earlier_messages(business, 4, hours_ago=25)  # yesterday's batch no longer counts
    _earlier_messages(business, 2, hours_ago=1)
    _earlier_messages(other_business, 5, hours_ago=1)  # another business's messages never count

    with django_capture_on_commit_callbacks(execute=True):
        result = _message(business, owner, run, guests)

    assert result.changed == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted(b.guest_email for b in guests)
    # The cap is now used up: even one more guest is refused.
    with pytest.raises(MessageLimitReached):
        _message(business, owner, run, guests[:1])


def test_phishing_relay_emails_come_from_the_platform_address_as_business_via_rezerva(
    business, owner, run, now, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Rezerva <no-reply@rezerva.test>"
    Business.objects.filter(pk=business.pk).update(
        name="Rezerva Security Team", contact_email="desk@lumen.test"
    )
    business.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    with django_capture_on_commit_callbacks(execute=True):
        _message(business, owner, run, [booking], subject="Your account will be closed")

    assert len(mailoutbox) == 3  # confirmation, owner notice, message
    assert {m.from_email for m in mailoutbox} == {
        "Rezerva Security Team via Rezerva <no-reply@rezerva.test>"
    }
    assert {tuple(m.reply_to) for m in mailoutbox} == {("desk@lumen.test",)}
    parsed = email.utils.parseaddr(mailoutbox[-1].message()["From"])
    assert parsed == ("Rezerva Security Team via Rezerva", "no-reply@rezerva.test")


def test_phishing_relay_guest_typed_links_never_become_links_in_the_owner_email(
    business, run, now, mailoutbox, django_capture_on_commit_callbacks
):
    Business.objects.filter(pk=business.pk).update(contact_email="desk@lumen.test")
    business.refresh_from_db()
    bait = guest("Payment failed, verify at www.evil.test/stripe-login")

    with django_capture_on_commit_callbacks(execute=True):
        book_single_run(business=business, session_id=run.pk, guest=bait, now=now)

    (notice,) = [m for m in mailoutbox if m.to == ["desk@lumen.test"]]
    html = notice.alternatives[0][0]
    assert "evil.test" in html
    assert 'href="http://www.evil.test' not in html
    assert "mailto:" + bait.email not in html
    assert html.count("<a ") == 1  # the footer's contact address; the body has no links


def test_phishing_relay_owner_written_links_stay_links_and_system_links_are_links(
    business, owner, run, now, mailoutbox, django_capture_on_commit_callbacks
):
    (booking,) = builders.add_participants(run, 1)

    with django_capture_on_commit_callbacks(execute=True):
        _message(business, owner, run, [booking], body="<b>Slides</b>: https://lumen.test/slides")
        events.notify(
            events.DomainEvent(
                events.PAID_WITHOUT_SEAT, business.pk, booking_ids=(booking.pk,), data={}
            )
        )

    message, alert = mailoutbox
    html = message.alternatives[0][0]
    assert "&lt;b&gt;Slides&lt;/b&gt;: " in html
    assert "\n<b>Slides</b>: https://lumen.test/slides\n" in message.body
    assert '<a href="http://127.0.0.1:8000/dashboard/">' in alert.alternatives[0][0]
    assert "dashboard: http://127.0.0.1:8000/dashboard/" in alert.body
    assert (
        '<a href="https://lumen.test/slides" rel="nofollow">https://lumen.test/slides</a>' in html
    )


def test_phishing_relay_a_newline_in_a_guest_name_cannot_split_the_owner_subject(
    business, owner, run, now, mailoutbox, django_capture_on_commit_callbacks
):
    # Stored as an older booking might hold it (placing now refuses such names).
    (booking,) = builders.add_participants(run, 1)
    Booking.objects.filter(pk=booking.pk).update(guest_name="Zed\n=1+1\r\nBcc: spy@evil.test")

    with django_capture_on_commit_callbacks(execute=True):
        events.notify(
            events.DomainEvent(events.BOOKING_CONFIRMED, business.pk, booking_ids=(booking.pk,))
        )

    owner_mail = [m for m in mailoutbox if m.to == [owner.email]]
    (notice,) = owner_mail
    assert notice.subject.startswith("New booking: Zed =1+1 Bcc: spy@evil.test, Pottery class ")
    assert "\n" not in notice.subject
    assert not notice.body.startswith("=1+1")
    assert notice.extra_headers.get("Bcc") is None
    assert notice.bcc == []
    assert rows(recipient=owner.email) == [("owner_new_booking", owner.email, "sent")]


def test_phishing_relay_guests_added_by_the_owner_get_owner_messages_only_within_a_small_cap(
    business, owner, run, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """An address the owner typed in (an appointment booked on a guest's behalf) was never
    confirmed by its owner: at most OWNER_MESSAGES_TO_ADDED_PER_DAY of them a day."""
    settings.OWNER_MESSAGES_TO_ADDED_PER_DAY = 2
    added = builders.add_participants(run, 3)
    Booking.objects.filter(pk__in=[b.pk for b in added]).update(added_by_owner=True)
    (self_booked,) = builders.add_participants(run, 1)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(MessageLimitReached) as refused,
    ):
        _message(business, owner, run, [*added, self_booked])
    with django_capture_on_commit_callbacks(execute=True):
        result = _message(business, owner, run, [*added[:2], self_booked])

    assert "OWNER_MESSAGES_TO_ADDED_PER_DAY" in refused.value.message
    assert len(result.changed_ids) == 3
    assert len(mailoutbox) == 3
