"""N3 reminders: before each booked run (default 24 h, per business), never for cancelled bookings
or runs, never for a run's old time."""

import datetime as dt

import pytest

from rezerva.booking import services as booking_services
from rezerva.booking.models import CancelledBy
from rezerva.booking.services import book_single_run, cancel_booking, cancel_session
from rezerva.booking.services.reschedule import move_booking
from rezerva.notify import services
from rezerva.notify.models import OutboundEmail
from rezerva.scheduling import services as scheduling_services
from rezerva.tenancy.models import Business
from tests import builders
from tests.booking.helpers import guest
from tests.notify.conftest import rows

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def run(service, now):
    return builders.make_session(service, days_ahead=7, now=now)


@pytest.fixture
def booking(business, run, now):
    return book_single_run(business=business, session_id=run.pk, guest=guest("Ola"), now=now)


def _reminders(mailoutbox) -> list[tuple[str, str]]:
    return [(m.to[0], m.subject) for m in mailoutbox if m.subject.startswith("Reminder:")]


def test_n3_a_reminder_goes_24_hours_before_the_run_and_only_once(booking, run, mailoutbox):
    services.sweep_outbox(now=run.starts_at - 25 * HOUR)
    assert _reminders(mailoutbox) == []

    services.sweep_outbox(now=run.starts_at - 24 * HOUR)
    services.sweep_outbox(now=run.starts_at - 23 * HOUR)
    services.sweep_outbox(now=run.starts_at - 1 * HOUR)

    assert _reminders(mailoutbox) == [
        (booking.guest_email, "Reminder: Pottery class, 9 Mar 2026, 18:00")
    ]
    (reminder,) = [m for m in mailoutbox if m.subject.startswith("Reminder:")]
    assert "Hello Ola," in reminder.body
    assert "/lumen/manage/" in reminder.body


def test_n3_the_business_chooses_the_reminder_time(business, booking, run, mailoutbox):
    Business.objects.filter(pk=business.pk).update(reminder_hours=2)

    services.sweep_outbox(now=run.starts_at - 3 * HOUR)
    assert _reminders(mailoutbox) == []
    services.sweep_outbox(now=run.starts_at - 2 * HOUR)
    assert len(_reminders(mailoutbox)) == 1


def test_n3_zero_hours_turns_reminders_off(business, booking, run, mailoutbox):
    Business.objects.filter(pk=business.pk).update(reminder_hours=0)

    services.sweep_outbox(now=run.starts_at - 1 * HOUR)

    assert _reminders(mailoutbox) == []
    assert rows(kind="reminder") == []


def test_n3_no_reminder_after_the_booking_is_cancelled(owner, booking, run, now, mailoutbox):
    cancel_booking(booking=booking, by=CancelledBy.OWNER, actor=owner, now=now)

    services.sweep_outbox(now=run.starts_at - 12 * HOUR)

    assert _reminders(mailoutbox) == []
    assert rows(kind="reminder") == []


def test_n3_a_queued_reminder_is_skipped_when_the_run_is_cancelled_before_it_goes_out(
    owner, booking, run, now, mailoutbox
):
    services.queue_due_reminders(now=run.starts_at - 12 * HOUR)
    assert rows(kind="reminder") == [("reminder", booking.guest_email, "queued")]

    cancel_session(session=run, actor=owner, now=now)
    services.sweep_outbox(now=run.starts_at - 11 * HOUR)

    assert rows(kind="reminder") == [("reminder", booking.guest_email, "skipped")]
    assert _reminders(mailoutbox) == []


def test_n3_no_reminder_for_a_moved_runs_old_time(owner, booking, run, now, mailoutbox):
    old_start = run.starts_at
    services.queue_due_reminders(now=old_start - 12 * HOUR)
    booking_services.update_run(
        session=run,
        actor=owner,
        run=scheduling_services.RunInput(
            starts_local=dt.datetime(2026, 3, 12, 18, 0),
            ends_local=dt.datetime(2026, 3, 12, 19, 30),
            capacity=run.capacity,
            address=run.address,
        ),
        now=now,
    )

    services.sweep_outbox(now=old_start - 11 * HOUR)
    assert _reminders(mailoutbox) == []
    assert rows(kind="reminder") == [("reminder", booking.guest_email, "skipped")]

    run.refresh_from_db()
    services.sweep_outbox(now=run.starts_at - 20 * HOUR)
    assert _reminders(mailoutbox) == [
        (booking.guest_email, "Reminder: Pottery class, 12 Mar 2026, 18:00")
    ]


def test_n3_a_moved_booking_is_reminded_of_its_new_run_only(
    business, service, booking, run, now, mailoutbox
):
    later = builders.make_session(service, days_ahead=9, now=now)
    services.queue_due_reminders(now=run.starts_at - 12 * HOUR)
    move_booking(booking=booking, to_session_id=later.pk, now=now)

    services.sweep_outbox(now=run.starts_at - 11 * HOUR)
    services.sweep_outbox(now=later.starts_at - 23 * HOUR)

    assert _reminders(mailoutbox) == [
        (booking.guest_email, "Reminder: Pottery class, 11 Mar 2026, 18:00")
    ]
    assert rows(kind="reminder") == [
        ("reminder", booking.guest_email, "skipped"),
        ("reminder", booking.guest_email, "sent"),
    ]


def test_n3_a_guest_who_books_inside_the_window_gets_no_separate_reminder(
    business, service, now, mailoutbox
):
    soon = builders.make_session(service, days_ahead=1, hour=8, now=now)
    book_single_run(business=business, session_id=soon.pk, guest=guest(), now=now)

    services.sweep_outbox(now=soon.starts_at - 2 * HOUR)

    assert _reminders(mailoutbox) == []


def test_n3_owner_sets_the_reminder_hours_in_settings(business, owner_client):
    response = owner_client.post(
        "/dashboard/settings/",
        {
            "name": business.name,
            "timezone": business.timezone,
            "currency": business.currency,
            "locale": business.locale,
            "hold_minutes": business.hold_minutes,
            "cancellation_notice_hours": business.cancellation_notice_hours,
            "reminder_hours": 48,
            "stripe_account_id": business.stripe_account_id,
        },
    )

    assert response.status_code == 302
    business.refresh_from_db()
    assert business.reminder_hours == 48
    page = owner_client.get("/dashboard/settings/")
    assert 'name="reminder_hours"' in page.content.decode()


def test_n3_reminder_hours_outside_the_range_are_refused(business, owner_client):
    response = owner_client.post(
        "/dashboard/settings/",
        {
            "name": business.name,
            "timezone": business.timezone,
            "currency": business.currency,
            "locale": business.locale,
            "hold_minutes": business.hold_minutes,
            "cancellation_notice_hours": business.cancellation_notice_hours,
            "reminder_hours": -1,
        },
    )

    assert response.status_code == 200
    business.refresh_from_db()
    assert business.reminder_hours == 24
    assert OutboundEmail.objects.count() == 0
