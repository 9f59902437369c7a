"""The outbox: written with the change or not at all, claimed once, swept when a task is lost."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rezerva.booking.models import CancelledBy
from rezerva.booking.services import book_single_run, cancel_booking
from rezerva.notify import services
from rezerva.notify.models import OutboundEmail
from tests import builders
from tests.booking.helpers import guest
from tests.notify.conftest import rows

Status = OutboundEmail.Status


class Boom(Exception):
    pass


@pytest.fixture
def run(service, now):
    return builders.make_session(service, now=now)


@pytest.fixture
def queued(business, run, now):
    """A confirmed booking whose emails are in the outbox but whose task never ran (lost)."""
    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    return booking, list(OutboundEmail.objects.order_by("pk"))


def test_a_rolled_back_change_writes_no_outbox_row(
    business, owner, run, now, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    before = rows()

    written_inside = []

    def cancel_then_fail():
        with transaction.atomic():
            cancel_booking(booking=booking, by=CancelledBy.OWNER, actor=owner, now=now)
            written_inside.append(OutboundEmail.objects.filter(kind="booking_cancelled").count())
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        cancel_then_fail()

    assert written_inside == [1]

    assert callbacks == []
    assert rows() == before
    assert mailoutbox == []


def test_confirmation_rows_are_written_in_the_booking_transaction_and_sent_after_commit(
    business, run, now, mailoutbox, django_capture_on_commit_callbacks
):
    visitor = guest()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        book_single_run(business=business, session_id=run.pk, guest=visitor, now=now)
        assert rows()[0] == ("booking_confirmed", visitor.email, "queued")
        assert mailoutbox == []

    for callback in callbacks:
        callback()

    assert [r[2] for r in rows()] == ["sent", "sent"]
    assert [m.to for m in mailoutbox] == [[visitor.email], [rows()[1][1]]]


def test_a_row_claimed_twice_is_sent_once(queued, now, mailoutbox):
    _, (confirmation, _) = queued

    first = services.send_outbound_email(outbound_id=confirmation.pk, now=now)
    second = services.send_outbound_email(outbound_id=confirmation.pk, now=now)

    assert (first, second) == ("sent", "not claimed")
    assert len(mailoutbox) == 1
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (Status.SENT, 1)
    assert confirmation.sent_at is not None


def test_a_row_another_worker_is_sending_is_left_alone(queued, now, mailoutbox):
    _, (confirmation, _) = queued
    OutboundEmail.objects.filter(pk=confirmation.pk).update(
        status=Status.SENDING, claimed_at=timezone.now(), claim_token="other-worker"
    )

    outcome = services.send_outbound_email(outbound_id=confirmation.pk, now=now)
    swept = services.sweep_outbox(now=timezone.now())

    assert outcome == "not claimed"
    assert swept["requeued"] == 0
    assert mailoutbox == []
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.claim_token) == (Status.SENDING, "other-worker")


@pytest.mark.usefixtures("queued")
def test_the_sweep_resends_a_queued_row_whose_task_was_lost(mailoutbox):
    assert [r[2] for r in rows()] == ["queued", "queued"]

    too_early = services.sweep_outbox(now=timezone.now())
    later = timezone.now() + services.LOST_AFTER + dt.timedelta(seconds=1)
    swept = services.sweep_outbox(now=later)
    again = services.sweep_outbox(now=later + dt.timedelta(minutes=5))

    assert too_early == {"requeued": 0}
    assert swept == {"requeued": 0, "sent": 2}
    assert again == {"requeued": 0}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r[1] for r in rows())
    assert [r[2] for r in rows()] == ["sent", "sent"]


def test_the_sweep_requeues_a_row_stuck_in_sending_by_a_dead_worker(queued, mailoutbox):
    _, (confirmation, _) = queued
    died_at = timezone.now()
    OutboundEmail.objects.filter(pk=confirmation.pk).update(
        status=Status.SENDING, claimed_at=died_at, claim_token="dead", attempts=1
    )

    still_fresh = services.sweep_outbox(now=died_at + dt.timedelta(minutes=1))
    swept = services.sweep_outbox(now=died_at + services.STUCK_AFTER + dt.timedelta(seconds=1))

    assert still_fresh["requeued"] == 0
    assert swept["requeued"] == 1
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (Status.SENT, 2)
    assert [m.to[0] for m in mailoutbox].count(confirmation.recipient) == 1
    # The resend carries the Message-ID fixed when the row was written.
    (sent,) = [m for m in mailoutbox if m.to == [confirmation.recipient]]
    assert sent.extra_headers["Message-ID"] == confirmation.message_id


def test_an_smtp_failure_is_retried_with_backoff_and_gives_up_after_max_attempts(
    queued, settings, mailoutbox
):
    _, (confirmation, _) = queued
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    before = timezone.now()
    outcome = services.send_outbound_email(outbound_id=confirmation.pk, now=before)

    confirmation.refresh_from_db()
    assert outcome == "retry"
    assert confirmation.status == Status.QUEUED
    assert confirmation.attempts == 1
    assert confirmation.available_at >= before + services.RETRY_BACKOFF[0]
    assert "ConnectionRefusedError" in confirmation.last_error
    for _ in range(services.MAX_ATTEMPTS - 1):
        services.send_outbound_email(outbound_id=confirmation.pk, now=before)
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (Status.FAILED, services.MAX_ATTEMPTS)
    assert mailoutbox == []


# A real commit (the worker closes connections it finds inside a transaction, as a test's is).
@pytest.mark.django_db(transaction=True)
def test_db_worker_sends_the_emails_enqueued_on_commit(business, run, now, settings, smtp):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    visitor = guest()
    book_single_run(business=business, session_id=run.pk, guest=visitor, now=now)
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "rezerva.notify.tasks.send_emails_task"
    assert smtp.messages == []

    call_command(
        "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", verbosity=0
    )

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert (smtp.to(visitor.email)[0].subject).startswith("Booking confirmed: Pottery class")
    assert len(smtp.messages) == 2
    assert [r[2] for r in rows()] == ["sent", "sent"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_row_send_it_once(business, run, now, mailoutbox):
    """Eight senders start together on one queued row; the conditional UPDATE lets one through."""
    book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    (confirmation, _) = OutboundEmail.objects.order_by("pk")
    # Committed for real, so the immediate task already sent it: queue it again for the race.
    OutboundEmail.objects.filter(pk=confirmation.pk).update(status=Status.QUEUED, sent_at=None)
    mailoutbox.clear()
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.send_outbound_email(outbound_id=confirmation.pk, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["not claimed"] * 7 + ["sent"]
    assert [m.to for m in mailoutbox] == [[confirmation.recipient]]


def test_a_send_task_that_cannot_be_queued_leaves_the_booking_and_its_emails_to_the_sweep(
    business, run, now, mailoutbox, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    from rezerva.notify import tasks

    def database_gone(outbound_ids):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(tasks, "enqueue_emails", database_gone)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)

    queued = list(OutboundEmail.objects.filter(booking=booking).values_list("status", flat=True))
    assert queued
    assert set(queued) == {Status.QUEUED}
    assert mailoutbox == []
    (warning,) = [r for r in caplog.records if "send task not queued" in r.getMessage()]
    assert warning.levelname == "WARNING"
    assert warning.exc_info is None

    later = timezone.now() + services.LOST_AFTER + dt.timedelta(seconds=1)
    services.sweep_outbox(now=later)
    assert set(OutboundEmail.objects.filter(booking=booking).values_list("status", flat=True)) == {
        Status.SENT
    }
    assert len(mailoutbox) == len(queued)
