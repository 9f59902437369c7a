"""N3 and P3 owner notices: new bookings, guests' cancellations, the monthly limit."""

import pytest

from rezerva.booking.errors import PlanLimitReached
from rezerva.booking.models import CancelledBy
from rezerva.booking.services import book_single_run, cancel_booking
from rezerva.tenancy.models import Business, MonthlyUsage
from rezerva.tenancy.plans import PLANS
from tests import builders
from tests.booking.helpers import guest
from tests.notify.conftest import rows


@pytest.fixture
def run(service, now):
    return builders.make_session(service, now=now)


def test_n3_owner_notices_go_to_the_contact_email_when_there_is_one(
    business, run, now, mailoutbox, django_capture_on_commit_callbacks
):
    Business.objects.filter(pk=business.pk).update(contact_email="desk@lumen.test")
    business.refresh_from_db()
    visitor = guest("Marta")

    with django_capture_on_commit_callbacks(execute=True):
        booking = book_single_run(business=business, session_id=run.pk, guest=visitor, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=booking, by=CancelledBy.GUEST, now=now)

    owner_mail = [(m.to, m.subject) for m in mailoutbox if m.to == ["desk@lumen.test"]]
    assert owner_mail == [
        (["desk@lumen.test"], "New booking: Marta, Pottery class 9 Mar 2026, 18:00"),
        (["desk@lumen.test"], "Cancellation: Marta, Pottery class 9 Mar 2026, 18:00"),
    ]
    (notice,) = [m for m in mailoutbox if m.subject.startswith("Cancellation:")]
    assert f"Marta ({visitor.email}) cancelled their booking:" in notice.body
    assert "Hello" not in notice.body


def test_p3_owner_is_told_when_the_monthly_limit_turns_a_guest_away(
    business, owner, run, now, mailoutbox, django_capture_on_commit_callbacks
):
    limit = PLANS[business.plan].monthly_booking_limit
    MonthlyUsage.objects.create(
        business=business, month=now.date().replace(day=1), bookings_count=limit
    )

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PlanLimitReached),
    ):
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([owner.email], "Studio Lumen: monthly booking limit reached")
    ]
    assert rows() == [("owner_alert", owner.email, "sent")]
