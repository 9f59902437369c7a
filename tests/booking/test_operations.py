"""booking.services.operations: the owner's bulk actions on a run's participants (G6).

Rules proved here: one transaction per action (run locked, then bookings in id order); only
bookings of this run and business are touched; series seats are never cancelled alone (skipped
and counted); one notify event per action; an ActivityLog row per action; never a refund.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rezerva.booking.errors import SessionNotFound
from rezerva.booking.models import Booking, BookingStatus
from rezerva.booking.services import (
    BulkResult,
    cancel_bookings,
    mark_attendance,
    message_participants,
    operations,
)
from rezerva.core import events
from rezerva.core.errors import ValidationFailed
from rezerva.payments.models import Payment, Refund
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import ActivityLog
from tests import builders
from tests.booking.helpers import footprint

ATTENDED = Booking.Attendance.ATTENDED
NO_SHOW = Booking.Attendance.NO_SHOW


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, now=now)


@pytest.fixture
def run(service, now):
    return builders.make_session(service, capacity=300, now=now)


@pytest.fixture
def other_run(service, now):
    return builders.make_session(service, days_ahead=14, capacity=300, now=now)


@pytest.fixture
def other_business_booking(other_business):
    """A look-alike confirmed booking in another business."""
    (booking,) = builders.add_participants(
        Session.objects.filter(business=other_business).order_by("pk").first(), 1
    )
    return booking


def _rows(ids):
    """Everything a bulk action could change on these bookings."""
    return list(
        Booking.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "status", "attendance", "cancelled_at", "cancelled_by", "updated_at")
    )


def _statuses(ids) -> set[str]:
    return set(Booking.objects.filter(pk__in=ids).values_list("status", flat=True))


# --- cancel ----------------------------------------------------------------------------------


def test_g6_bulk_cancel_of_200_participants_is_one_transaction_with_one_event(
    business, owner, run, now, django_capture_on_commit_callbacks
):
    bookings = builders.add_participants(run, 200)
    ids = [b.pk for b in bookings]

    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
    ):
        result = cancel_bookings(
            business=business, session=run, booking_ids=reversed(ids), actor=owner, now=now
        )

    assert result == BulkResult(changed_ids=tuple(ids))
    assert _statuses(ids) == {BookingStatus.CANCELLED}
    assert set(Booking.objects.filter(pk__in=ids).values_list("cancelled_by", "cancelled_at")) == {
        ("owner", now)
    }
    assert [
        events.DomainEvent(
            events.BOOKING_CANCELLED,
            business.pk,
            booking_ids=tuple(ids),
            session_id=run.pk,
            data={"by": "owner"},
        )
    ] == events.DELIVERED
    sql = [q["sql"] for q in queries.captured_queries]
    # Inside the test's own transaction the service's atomic block is a savepoint: every write
    # happens between its opening and its release, and the bookings change in one UPDATE.
    opened = next(i for i, s in enumerate(sql) if s.startswith("SAVEPOINT"))
    name = sql[opened].split()[-1]
    released = sql.index(f"RELEASE SAVEPOINT {name}")
    writes = [i for i, s in enumerate(sql) if s.startswith(("UPDATE", "INSERT", "DELETE"))]
    assert writes
    assert all(opened < i < released for i in writes)
    assert sum(s.startswith("UPDATE") and "booking_booking" in s for s in sql) == 1
    log = ActivityLog.objects.get(action="bookings.cancelled")
    assert (log.target, log.data["booking_ids"], log.actor) == (str(run.pk), ids, owner)


def test_g6_a_failure_midway_through_a_bulk_cancel_leaves_nothing_changed(
    business, owner, run, now, monkeypatch, django_capture_on_commit_callbacks
):
    ids = [b.pk for b in builders.add_participants(run, 200)]
    before, rows = footprint(), _rows(ids)

    def audit_fails(**kwargs):
        raise RuntimeError("audit table unavailable")

    # The audit row is written after the UPDATE, so failing there proves the update rolls back.
    monkeypatch.setattr(operations, "log_activity", audit_fails)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        cancel_bookings(business=business, session=run, booking_ids=ids, actor=owner, now=now)

    assert _rows(ids) == rows
    assert footprint() == before
    assert events.DELIVERED == []


def test_g6_bulk_cancel_skips_series_seats_and_counts_the_already_cancelled(
    business, owner, service, now, django_capture_on_commit_callbacks
):
    series = builders.make_series(service, runs=2, drop_in_enabled=True, now=now)
    run = series.sessions.order_by("starts_at").first()
    drop_ins = builders.add_participants(run, 3, kind=Booking.Kind.DROP_IN)
    gone = builders.add_participants(run, 1, kind=Booking.Kind.DROP_IN, status="cancelled")
    builders.add_series_buyers(series, 2)
    series_seats = list(Booking.objects.filter(session=run, kind="series").order_by("pk"))
    selected = [b.pk for b in drop_ins + gone + series_seats]

    with django_capture_on_commit_callbacks(execute=True):
        result = cancel_bookings(
            business=business, session=run, booking_ids=selected, actor=owner, now=now
        )

    assert result == BulkResult(
        changed_ids=tuple(b.pk for b in drop_ins), unchanged=1, series_skipped=2
    )
    assert _statuses([b.pk for b in series_seats]) == {BookingStatus.CONFIRMED}
    assert [e.booking_ids for e in events.DELIVERED] == [tuple(b.pk for b in drop_ins)]


def test_g6_ids_of_another_business_or_another_run_are_ignored_and_untouched(
    business, owner, run, other_run, other_business_booking, now, django_capture_on_commit_callbacks
):
    mine = builders.add_participants(run, 2)
    elsewhere = builders.add_participants(other_run, 1)
    strangers = [other_business_booking.pk, elsewhere[0].pk, 999_999_999]
    untouched = _rows(strangers)

    with django_capture_on_commit_callbacks(execute=True):
        result = cancel_bookings(
            business=business,
            session=run,
            booking_ids=[b.pk for b in mine] + strangers,
            actor=owner,
            now=now,
        )

    assert result == BulkResult(changed_ids=tuple(b.pk for b in mine), ignored=3)
    assert _rows(strangers) == untouched
    assert events.DELIVERED[0].booking_ids == tuple(b.pk for b in mine)


def test_g6_a_run_of_another_business_is_refused_and_its_bookings_untouched(
    business, owner, other_business_booking, now, django_capture_on_commit_callbacks
):
    their_run = other_business_booking.session
    before = footprint()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SessionNotFound):
        cancel_bookings(
            business=business,
            session=their_run,
            booking_ids=[other_business_booking.pk],
            actor=owner,
            now=now,
        )

    assert footprint() == before


def test_g6_a_bulk_cancel_with_nothing_to_cancel_announces_nothing(
    business, owner, run, now, django_capture_on_commit_callbacks
):
    (gone,) = builders.add_participants(run, 1, status="cancelled")

    with django_capture_on_commit_callbacks(execute=True):
        result = cancel_bookings(
            business=business, session=run, booking_ids=[gone.pk], actor=owner, now=now
        )

    assert result == BulkResult(unchanged=1)
    assert events.DELIVERED == []
    # The attempt is still on record.
    assert ActivityLog.objects.filter(action="bookings.cancelled").count() == 1


def test_g5_bulk_cancel_never_refunds_a_paid_seat(
    business, owner, run, now, django_capture_on_commit_callbacks
):
    (paid,) = builders.add_participants(run, 1, price_type="online")
    payment = Payment.objects.create(
        business=business,
        booking=paid,
        provider=Payment.Provider.STRIPE,
        status=Payment.Status.PAID,
        amount_minor=5000,
        currency="PLN",
        paid_at=now,
    )

    with django_capture_on_commit_callbacks(execute=True):
        cancel_bookings(business=business, session=run, booking_ids=[paid.pk], actor=owner, now=now)

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_minor) == (Payment.Status.PAID, 0)
    assert Refund.objects.count() == 0
    assert _statuses([paid.pk]) == {BookingStatus.CANCELLED}


@pytest.mark.postgres
def test_g6_bulk_cancel_locks_the_run_then_the_bookings_in_id_order_before_writing(
    business, owner, run, now
):
    ids = [b.pk for b in builders.add_participants(run, 5)]

    with CaptureQueriesContext(connection) as queries:
        cancel_bookings(business=business, session=run, booking_ids=ids, actor=owner, now=now)

    sql = [q["sql"] for q in queries.captured_queries]
    run_lock = next(
        i for i, s in enumerate(sql) if 'FOR NO KEY UPDATE OF "scheduling_session"' in s
    )
    booking_lock = next(
        i for i, s in enumerate(sql) if "FOR UPDATE" in s and '"booking_booking"' in s
    )
    write = next(i for i, s in enumerate(sql) if s.startswith("UPDATE"))
    assert run_lock < booking_lock < write
    assert 'ORDER BY "booking_booking"."id" ASC' in sql[booking_lock]


# --- attendance -------------------------------------------------------------------------------


def test_g6_marking_attendance_counts_changed_already_marked_and_not_confirmed(
    business, owner, run, now
):
    fresh = builders.add_participants(run, 3)
    (already,) = builders.add_participants(run, 1, attendance=ATTENDED)
    (gone,) = builders.add_participants(run, 1, status="cancelled")
    (unpaid,) = builders.add_participants(run, 1, status="pending", price_type="online")
    selected = [b.pk for b in [*fresh, already, gone, unpaid]]

    result = mark_attendance(
        business=business, session=run, booking_ids=selected, attendance=ATTENDED, actor=owner
    )

    assert result == BulkResult(changed_ids=tuple(b.pk for b in fresh), unchanged=1, not_eligible=2)
    assert dict(Booking.objects.filter(pk__in=selected).values_list("pk", "attendance")) == {
        **{b.pk: ATTENDED for b in [*fresh, already]},
        gone.pk: "unknown",
        unpaid.pk: "unknown",
    }
    assert ActivityLog.objects.get(action="bookings.attendance_marked").data["attendance"] == (
        ATTENDED
    )
    assert events.DELIVERED == []


def test_g6_a_no_show_can_replace_attended_and_other_runs_stay_unmarked(
    business, owner, run, other_run, other_business_booking, now
):
    (guest,) = builders.add_participants(run, 1, attendance=ATTENDED)
    (elsewhere,) = builders.add_participants(other_run, 1)

    result = mark_attendance(
        business=business,
        session=run,
        booking_ids=[guest.pk, elsewhere.pk, other_business_booking.pk],
        attendance=NO_SHOW,
        actor=owner,
    )

    assert result == BulkResult(changed_ids=(guest.pk,), ignored=2)
    ids = [guest.pk, elsewhere.pk, other_business_booking.pk]
    assert dict(Booking.objects.filter(pk__in=ids).values_list("pk", "attendance")) == {
        guest.pk: NO_SHOW,
        elsewhere.pk: "unknown",
        other_business_booking.pk: "unknown",
    }


def test_g6_an_unknown_attendance_value_is_refused(business, owner, run):
    (guest,) = builders.add_participants(run, 1)
    before = footprint()

    with pytest.raises(ValidationFailed):
        mark_attendance(
            business=business, session=run, booking_ids=[guest.pk], attendance="late", actor=owner
        )

    assert footprint() == before


# --- messages --------------------------------------------------------------------------------


def test_g6_a_message_goes_to_the_selected_active_participants_in_one_event(
    business, owner, run, other_business_booking, django_capture_on_commit_callbacks
):
    confirmed = builders.add_participants(run, 2)
    (unpaid,) = builders.add_participants(run, 1, status="pending", price_type="online")
    (gone,) = builders.add_participants(run, 1, status="cancelled")
    selected = [b.pk for b in [*confirmed, unpaid, gone]] + [other_business_booking.pk]

    with django_capture_on_commit_callbacks(execute=True):
        result = message_participants(
            business=business,
            session=run,
            booking_ids=selected,
            subject="  Room change ",
            body="We meet in room 2.",
            actor=owner,
        )

    recipients = tuple(b.pk for b in [*confirmed, unpaid])
    assert result == BulkResult(changed_ids=recipients, not_eligible=1, ignored=1)
    assert [
        events.DomainEvent(
            events.PARTICIPANTS_MESSAGED,
            business.pk,
            booking_ids=recipients,
            session_id=run.pk,
            data={"subject": "Room change", "body": "We meet in room 2."},
        )
    ] == events.DELIVERED
    log = ActivityLog.objects.get(action="bookings.messaged")
    assert (log.data["subject"], log.data["booking_ids"]) == ("Room change", list(recipients))


@pytest.mark.parametrize(
    ("_case", "subject", "body", "errors"),
    [
        ("no subject", " ", "Hello", {"subject": "Write a subject."}),
        ("no body", "Hi", "", {"body": "Write the message."}),
        ("subject too long", "x" * 201, "Hello",
         {"subject": "Keep the subject under 200 characters."}),
    ],
)  # fmt: skip
def test_g6_a_message_without_subject_or_body_is_refused_and_nothing_is_sent(
    business, owner, run, _case, subject, body, errors, django_capture_on_commit_callbacks
):
    (guest,) = builders.add_participants(run, 1)
    before = footprint()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed) as exc:
        message_participants(
            business=business,
            session=run,
            booking_ids=[guest.pk],
            subject=subject,
            body=body,
            actor=owner,
        )

    assert exc.value.errors == errors
    assert footprint() == before
