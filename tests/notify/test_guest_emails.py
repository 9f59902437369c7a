"""Guest emails over a real SMTP round trip: confirmation, cancellation and changes
(N1, N2, G5, G7, S1, S3, B6), each parsed back with its .ics."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rezerva.booking import services as booking_services
from rezerva.booking.models import CancelledBy
from rezerva.booking.services import (
    book_single_run,
    cancel_booking,
    cancel_series_purchase,
    cancel_session,
    purchase_series,
)
from rezerva.booking.services.operations import cancel_bookings, message_participants
from rezerva.booking.services.reschedule import move_booking
from rezerva.notify.calendar import event_uid
from rezerva.notify.models import OutboundEmail
from rezerva.scheduling import services as scheduling_services
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import Business
from tests import builders
from tests.booking.helpers import guest
from tests.notify.conftest import events_of, rows

WARSAW = ZoneInfo("Europe/Warsaw")
# Tuesdays at 18:00 around the end of summer time in Warsaw (Sunday 2026-10-25).
DST_WEEKS = [dt.datetime(2026, 10, d, 18, 0) for d in (13, 20, 27)] + [
    dt.datetime(2026, 11, 3, 18, 0)
]


@pytest.fixture
def dst_series(service, owner, now):
    """A four-run series whose runs straddle the DST change, all at 18:00 local."""
    series = builders.make_series(service, runs=0, title="Autumn wheel course", now=now)
    runs = [builders.make_session(service, starts_local=start, now=now) for start in DST_WEEKS]
    scheduling_services.attach_runs_to_series(
        series=series, session_ids=[r.pk for r in runs], actor=owner, now=now
    )
    return series


def test_series_buyer_gets_one_email_with_every_run_in_the_calendar(
    business, dst_series, now, smtp, django_capture_on_commit_callbacks
):
    buyer = guest("Anna Nowak")
    with django_capture_on_commit_callbacks(execute=True):
        purchase = purchase_series(business=business, series_id=dst_series.pk, guest=buyer, now=now)

    (mail,) = smtp.to(buyer.email)
    assert mail.subject == "Series booked: Autumn wheel course (4 sessions)"
    assert "Hello Anna Nowak," in mail.text
    assert "/lumen/manage/" in mail.text
    assert "/lumen/manage/" in mail.html
    ((method, calendar),) = mail.calendars()
    assert (method, calendar["METHOD"]) == ("REQUEST", "REQUEST")
    vevents = events_of(calendar)
    # Every run, each at 18:00 Warsaw time on both sides of the DST change.
    assert [e.start.replace(tzinfo=None) for e in vevents] == DST_WEEKS
    assert {str(e.start.tzinfo) for e in vevents} == {"Europe/Warsaw"}
    assert [e.start.astimezone(dt.UTC).hour for e in vevents] == [16, 16, 17, 17]
    assert [e.end - e.start for e in vevents] == [dt.timedelta(minutes=90)] * 4
    seats = sorted(purchase.bookings.all(), key=lambda b: b.session.starts_at)
    assert [str(e["UID"]) for e in vevents] == [
        event_uid(public_id=s.public_id, session_id=s.session_id) for s in seats
    ]
    assert {int(e["SEQUENCE"]) for e in vevents} == {0}
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Warsaw"
    assert {c.name for c in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    # The owner hears of the new booking once; nobody else is written to.
    assert len(smtp.messages) == 2
    (owner_mail,) = [m for m in smtp.messages if m is not mail]
    assert owner_mail.subject == "New booking: Anna Nowak, Autumn wheel course"
    assert rows(status=OutboundEmail.Status.SENT) == [
        ("purchase_confirmed", buyer.email, "sent"),
        ("owner_new_booking", owner_mail.envelope_to[0], "sent"),
    ]


def test_cancelling_a_purchase_sends_cancel_with_the_same_uids_and_a_higher_sequence(
    business, dst_series, now, smtp, django_capture_on_commit_callbacks
):
    buyer = guest()
    with django_capture_on_commit_callbacks(execute=True):
        purchase = purchase_series(business=business, series_id=dst_series.pk, guest=buyer, now=now)
    (confirmation,) = smtp.to(buyer.email)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_series_purchase(purchase=purchase, by=CancelledBy.GUEST, now=now)

    (_, cancellation) = smtp.to(buyer.email)
    assert cancellation.subject == "Series cancelled: Autumn wheel course"
    ((method, calendar),) = cancellation.calendars()
    assert (method, calendar["METHOD"]) == ("CANCEL", "CANCEL")
    before = {str(e["UID"]): int(e["SEQUENCE"]) for e in events_of(confirmation.calendars()[0][1])}
    after = {str(e["UID"]): int(e["SEQUENCE"]) for e in events_of(calendar)}
    assert after.keys() == before.keys()
    assert all(after[uid] > before[uid] for uid in before)
    assert {str(e["STATUS"]) for e in events_of(calendar)} == {"CANCELLED"}
    # A guest's own cancellation is news to the owner.
    owner_notices = [m for m in smtp.messages if m.subject.startswith("Cancellation:")]
    assert len(owner_notices) == 1


def test_single_booking_email_has_its_run_manage_link_and_the_meeting_link(
    business, service, now, smtp, django_capture_on_commit_callbacks
):
    run = builders.make_session(
        service, mode=Session.Mode.ONLINE, meeting_url="https://meet.example.com/abc", now=now
    )
    visitor = guest("Jan")
    with django_capture_on_commit_callbacks(execute=True):
        booking = book_single_run(business=business, session_id=run.pk, guest=visitor, now=now)

    (mail,) = smtp.to(visitor.email)
    assert mail.subject == "Booking confirmed: Pottery class, 9 Mar 2026, 18:00"
    assert "https://meet.example.com/abc" in mail.text
    assert '<a href="https://meet.example.com/abc">' in mail.html
    ((method, calendar),) = mail.calendars()
    (vevent,) = events_of(calendar)
    assert method == "REQUEST"
    assert str(vevent["UID"]) == event_uid(public_id=booking.public_id, session_id=run.pk)
    assert str(vevent["LOCATION"]) == "https://meet.example.com/abc"
    assert vevent.start == dt.datetime(2026, 3, 9, 18, 0, tzinfo=WARSAW)
    assert str(vevent["ATTENDEE"]) == f"mailto:{visitor.email}"


def test_polish_business_writes_to_guests_in_polish(
    business, service, now, smtp, django_capture_on_commit_callbacks
):
    Business.objects.filter(pk=business.pk).update(locale="pl")
    business.refresh_from_db()
    run = builders.make_session(service, starts_local=dt.datetime(2026, 10, 20, 18, 0), now=now)
    visitor = guest("Zofia")
    with django_capture_on_commit_callbacks(execute=True):
        book_single_run(business=business, session_id=run.pk, guest=visitor, now=now)

    (mail,) = smtp.to(visitor.email)
    assert mail.subject == "Rezerwacja potwierdzona: Pottery class, 20 października 2026, 18:00"
    assert "Dzień dobry Zofia," in mail.text
    assert "- Pottery class: Wtorek, 20 października 2026, 18:00\u201319:30" in mail.text
    assert "Twoja rezerwacja (szczegóły, pliki kalendarza, anulowanie):" in mail.text
    assert '<html lang="pl">' in mail.html
    (owner_mail,) = [m for m in smtp.messages if m is not mail]
    assert owner_mail.subject.startswith("Nowa rezerwacja: Zofia,")


def test_g5_cancelling_a_run_tells_every_guest_and_not_the_owner(
    business, owner, service, now, smtp, django_capture_on_commit_callbacks
):
    run = builders.make_session(service, now=now)
    guests = [guest() for _ in range(3)]
    for g in guests:
        book_single_run(business=business, session_id=run.pk, guest=g, now=now)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(session=run, actor=owner, reason="The kiln broke", now=now)

    assert sorted(m.envelope_to[0] for m in smtp.messages) == sorted(g.email for g in guests)
    for mail in smtp.messages:
        assert mail.subject == "Cancelled: Pottery class, 9 Mar 2026, 18:00"
        assert "Studio Lumen has cancelled this session: The kiln broke." in mail.text
        ((method, calendar),) = mail.calendars()
        (vevent,) = events_of(calendar)
        assert (method, int(vevent["SEQUENCE"]), str(vevent["STATUS"])) == (
            "CANCEL",
            1,
            "CANCELLED",
        )


def test_b6_owner_cancelling_one_booking_tells_the_guest_only(
    business, owner, service, now, smtp, django_capture_on_commit_callbacks
):
    run = builders.make_session(service, now=now)
    visitor = guest()
    booking = book_single_run(business=business, session_id=run.pk, guest=visitor, now=now)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=booking, by=CancelledBy.OWNER, actor=owner, now=now)

    (mail,) = smtp.messages
    assert mail.envelope_to == [visitor.email]
    assert "Studio Lumen has cancelled your booking." in mail.text


def test_g7_changing_a_runs_time_sends_the_same_uid_with_a_higher_sequence(
    business, owner, service, now, smtp, django_capture_on_commit_callbacks
):
    run = builders.make_session(service, now=now)
    visitor = guest()
    with django_capture_on_commit_callbacks(execute=True):
        booking = book_single_run(business=business, session_id=run.pk, guest=visitor, now=now)
    (confirmation,) = smtp.to(visitor.email)

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.update_run(
            session=run,
            actor=owner,
            run=builders.run_edit(
                run,
                starts_local=dt.datetime(2026, 3, 10, 19, 0),
                ends_local=dt.datetime(2026, 3, 10, 20, 30),
            ),
            now=now,
        )

    (_, update) = smtp.to(visitor.email)
    assert update.subject == "Changed: Pottery class, now 10 Mar 2026, 19:00"
    assert "It was Monday, 9 March 2026, 18:00" in update.text
    ((method, calendar),) = update.calendars()
    (vevent,) = events_of(calendar)
    (old,) = events_of(confirmation.calendars()[0][1])
    assert method == "REQUEST"
    assert (
        str(vevent["UID"])
        == str(old["UID"])
        == event_uid(public_id=booking.public_id, session_id=run.pk)
    )
    assert (int(old["SEQUENCE"]), int(vevent["SEQUENCE"])) == (0, 1)
    assert vevent.start == dt.datetime(2026, 3, 10, 19, 0, tzinfo=WARSAW)


def test_g7_editing_only_the_title_or_capacity_sends_nothing(
    business, owner, service, now, smtp, django_capture_on_commit_callbacks
):
    run = builders.make_session(service, now=now)
    book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
    before = OutboundEmail.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        booking_services.update_run(
            session=run,
            actor=owner,
            run=builders.run_edit(run, title="Wheel", capacity=12),
            now=now,
        )

    assert callbacks == []
    assert OutboundEmail.objects.count() == before
    assert smtp.messages == []


def test_b6_moved_booking_cancels_the_old_uid_and_invites_to_the_new_run(
    business, service, now, smtp, django_capture_on_commit_callbacks
):
    first = builders.make_session(service, days_ahead=7, now=now)
    second = builders.make_session(service, days_ahead=14, now=now)
    visitor = guest()
    booking = book_single_run(business=business, session_id=first.pk, guest=visitor, now=now)

    with django_capture_on_commit_callbacks(execute=True):
        move_booking(booking=booking, to_session_id=second.pk, now=now)

    (mail,) = smtp.to(visitor.email)
    assert mail.subject == "Moved: Pottery class, now 16 Mar 2026, 18:00"
    (cancel_method, cancel), (request_method, request) = mail.calendars()
    (old,) = events_of(cancel)
    (new,) = events_of(request)
    assert (cancel_method, str(old["UID"]), int(old["SEQUENCE"])) == (
        "CANCEL",
        event_uid(public_id=booking.public_id, session_id=first.pk),
        1,
    )
    assert (request_method, str(new["UID"])) == (
        "REQUEST",
        event_uid(public_id=booking.public_id, session_id=second.pk),
    )
    assert new.start == dt.datetime(2026, 3, 16, 18, 0, tzinfo=WARSAW)


def test_g6_bulk_cancel_of_200_participants_sends_200_emails_through_the_queue(
    business, owner, service, now, django_capture_on_commit_callbacks, mailoutbox
):
    run = builders.make_session(service, capacity=200, now=now)
    bookings = builders.add_participants(run, 200)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_bookings(
            business=business,
            session=run,
            booking_ids=[b.pk for b in bookings],
            actor=owner,
            now=now,
        )

    assert sorted(m.to[0] for m in mailoutbox) == sorted(b.guest_email for b in bookings)
    assert OutboundEmail.objects.filter(status="sent", kind="booking_cancelled").count() == 200


def test_g6_owner_message_goes_once_to_each_selected_guest(
    business, owner, service, now, smtp, django_capture_on_commit_callbacks
):
    run = builders.make_session(service, now=now)
    bookings = builders.add_participants(run, 2)

    with django_capture_on_commit_callbacks(execute=True):
        message_participants(
            business=business,
            session=run,
            booking_ids=[b.pk for b in bookings],
            subject="Bring an apron",
            body="Clay gets everywhere. See you on Monday!",
            actor=owner,
        )

    assert sorted(m.envelope_to[0] for m in smtp.messages) == sorted(
        b.guest_email for b in bookings
    )
    for mail in smtp.messages:
        assert mail.subject == "Studio Lumen: Bring an apron"
        assert "Clay gets everywhere. See you on Monday!" in mail.text
        assert mail.calendars() == []
