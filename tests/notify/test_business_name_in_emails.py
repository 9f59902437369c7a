"""A newline stored in a business name (an older row, the admin) no longer stops emails that
carry a .ics (security review F12), and never reaches a header or a calendar parameter."""

import email.utils

import pytest

from rezerva.booking.services import book_single_run
from rezerva.tenancy.models import Business
from tests import builders
from tests.booking.helpers import guest
from tests.notify.conftest import events_of, rows


@pytest.fixture
def run(service, now):
    return builders.make_session(service, now=now)


def test_business_name_with_a_newline_still_sends_the_confirmation_and_its_calendar(
    business, run, now, smtp, django_capture_on_commit_callbacks
):
    Business.objects.filter(pk=business.pk).update(name="Rival\r\nBcc: spy@evil.test")
    business.refresh_from_db()
    visitor = guest("Zed")

    with django_capture_on_commit_callbacks(execute=True):
        book_single_run(business=business, session_id=run.pk, guest=visitor, now=now)

    (mail,) = smtp.to(visitor.email)
    assert mail.subject == "Booking confirmed: Pottery class, 9 Mar 2026, 18:00"
    assert email.utils.parseaddr(mail.message["From"]) == (
        "Rival Bcc: spy@evil.test via Rezerva",
        "no-reply@rezerva.local",
    )
    assert mail.message["Bcc"] is None
    assert "spy@evil.test" not in smtp.messages[0].envelope_to
    ((method, calendar),) = mail.calendars()
    (event,) = events_of(calendar)
    assert method == "REQUEST"
    assert str(event["SUMMARY"]) == "Pottery class (Rival Bcc: spy@evil.test)"
    assert event["ORGANIZER"].params["CN"] == "Rival Bcc: spy@evil.test"
    assert rows(recipient=visitor.email) == [("booking_confirmed", visitor.email, "sent")]
