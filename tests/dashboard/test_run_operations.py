"""The owner's run operations (G6, S3): participant list, CSV/XLSX exports, bulk actions.

Scale rows come from builders.add_participants (one bulk insert); rules about who may be
cancelled or marked are proved in tests/booking/test_operations.py, these prove the pages.
"""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rezerva.booking.models import Booking, BookingStatus, SeriesPurchase
from rezerva.catalog.models import PriceType
from rezerva.core import events
from rezerva.core.timezones import to_business_time
from rezerva.dashboard.participants import buyer_columns, participant_columns
from rezerva.payments.models import Payment
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import ActivityLog
from tests import builders

WARSAW_HEADER = "Booked at (Europe/Warsaw)"


@pytest.fixture
def service(business, real_now):
    return builders.make_group_service(business, name="Python for beginners", now=real_now)


@pytest.fixture
def run(service, real_now):
    return builders.make_session(service, capacity=6000, now=real_now)


@pytest.fixture
def series(service, real_now):
    """A paid-online series of two runs that also sells drop-in seats."""
    return builders.make_series(
        service,
        runs=2,
        price_type=PriceType.ONLINE,
        price_minor=40000,
        drop_in_enabled=True,
        capacity=6000,
        now=real_now,
    )


def _page(client, run, **params):
    return client.get(reverse("dashboard:session_detail", args=[run.pk]), params)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _download(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _csv_rows(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(_download(response).decode("utf-8-sig"))))


def _xlsx_rows(response, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(_download(response)), read_only=True)
    # Empty cells read back as None; the page shows them as "".
    return [
        tuple("" if v is None else v for v in row)
        for row in book[sheet].iter_rows(values_only=True)
    ]


def _pay(target, status=Payment.Status.PAID, refunded_minor=0):
    field = "purchase" if isinstance(target, SeriesPurchase) else "booking"
    return Payment.objects.create(
        business=target.business,
        provider=Payment.Provider.STRIPE,
        status=status,
        amount_minor=5000,
        refunded_minor=refunded_minor,
        currency="PLN",
        **{field: target},
    )


def _set_booked_at(booking, moment: dt.datetime) -> None:
    Booking.objects.filter(pk=booking.pk).update(created_at=moment)


# --- the participant list ----------------------------------------------------------------------


def test_g6_the_run_page_lists_kind_payment_state_and_attendance(owner_client, series):
    run = series.sessions.order_by("starts_at").first()
    (on_site,) = builders.add_participants(
        run, 1, kind="drop_in", name="Ola", attendance="attended"
    )
    paid, refunded, unpaid, not_started = builders.add_participants(
        run, 4, kind="drop_in", price_type=PriceType.ONLINE, name="Web"
    )
    _pay(paid)
    _pay(refunded, refunded_minor=5000)
    _pay(unpaid, status=Payment.Status.PENDING)
    (purchase,) = builders.add_series_buyers(series, 1)
    _pay(purchase)
    (gone,) = builders.add_participants(run, 1, kind="drop_in", status="cancelled", name="Gone")

    response = _page(owner_client, run)

    rows = [
        (r.kind_label, r.status_label, r.payment_label, r.attendance_label)
        for r in response.context["participants"]
    ]
    assert rows == [
        ("Drop-in", "Confirmed", "Pay on site", "Attended"),
        ("Drop-in", "Confirmed", "Paid online", "Not marked"),
        ("Drop-in", "Confirmed", "Refunded", "Not marked"),
        ("Drop-in", "Confirmed", "Awaiting payment", "Not marked"),
        ("Drop-in", "Confirmed", "Checkout not started", "Not marked"),
        ("Series buyer", "Confirmed", "Paid online", "Not marked"),
        ("Drop-in", "Cancelled", "Pay on site", "Not marked"),
    ]
    assert response.text.count('data-testid="participant"') == 7
    assert reverse("dashboard:payment_detail", args=[purchase.payment.pk]) in response.text
    assert f'value="{gone.pk}" form="bulk"' in response.text
    assert f'value="{not_started.pk}" form="bulk"' in response.text
    assert f'value="{on_site.pk}" form="bulk"' in response.text


def test_g6_a_free_single_run_participant_shows_free(owner_client, run):
    builders.add_participants(run, 1, price_type=PriceType.FREE)

    response = _page(owner_client, run)

    (row,) = response.context["participants"]
    assert (row.kind_label, row.payment_label) == ("Single session", "Free")


def test_g6_participants_paginate_50_a_page(owner_client, run):
    bookings = builders.add_participants(run, 120)

    first = _page(owner_client, run)
    last = _page(owner_client, run, page="3")

    assert [r.booking_id for r in first.context["participants"]] == [b.pk for b in bookings[:50]]
    assert [r.booking_id for r in last.context["participants"]] == [b.pk for b in bookings[100:]]
    assert "Page 3 of 3 · 120 participants" in last.text


def test_g6_the_status_filter_shows_only_cancelled_participants(owner_client, run):
    builders.add_participants(run, 2)
    cancelled = builders.add_participants(run, 1, status="cancelled")

    response = _page(owner_client, run, status="cancelled")

    assert [r.booking_id for r in response.context["participants"]] == [cancelled[0].pk]
    assert 'href="?status=cancelled#participants"' in response.text


def test_g6_an_htmx_page_or_filter_request_gets_only_the_participants(owner_client, run):
    builders.add_participants(run, 2)

    response = owner_client.get(
        reverse("dashboard:session_detail", args=[run.pk]),
        {"status": "active"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.startswith('<div id="participants">')
    assert response.text.count('data-testid="participant"') == 2


def test_g6_the_run_page_needs_the_same_queries_for_500_participants_as_for_5(
    owner_client, series, django_assert_max_num_queries
):
    run = series.sessions.order_by("starts_at").first()

    def add_mix(count: int) -> None:
        # Every kind of row the page reads: on-site, online with a payment, series buyers.
        builders.add_participants(run, count, kind="drop_in")
        for booking in builders.add_participants(run, count, kind="drop_in", price_type="online"):
            _pay(booking)
        for purchase in builders.add_series_buyers(series, count):
            _pay(purchase)

    add_mix(2)
    _page(owner_client, run)  # warm up the session and the messages storage
    with CaptureQueriesContext(connection) as few:
        small = _page(owner_client, run)
    add_mix(165)

    with django_assert_max_num_queries(len(few.captured_queries)):
        big = _page(owner_client, run)

    assert small.context["page"].paginator.count == 6
    assert big.context["page"].paginator.count == 501
    assert len(big.context["participants"]) == 50


# --- exports -----------------------------------------------------------------------------------


def test_owner_exports_5000_participants_as_csv(owner_client, run):
    bookings = builders.add_participants(run, 5000)

    response = owner_client.get(reverse("dashboard:session_participants_csv", args=[run.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    local = to_business_time(run.starts_at, "Europe/Warsaw")
    assert response["Content-Disposition"] == (
        f'attachment; filename="participants-{local:%Y-%m-%d-%H%M}-session-{run.pk}.csv"'
    )
    rows = _csv_rows(response)
    assert rows[0] == list(participant_columns(run.business))
    assert len(rows) == 5001
    assert [r[1] for r in rows[1:]] == [b.guest_email for b in bookings]
    assert rows[1][3:7] == ["Single session", "Confirmed", "Pay on site", "Not marked"]


def test_owner_exports_5000_participants_as_xlsx_matching_the_list(owner_client, run):
    builders.add_participants(run, 5000)

    response = owner_client.get(reverse("dashboard:session_participants_xlsx", args=[run.pk]))
    first_page = _page(owner_client, run)
    last_page = _page(owner_client, run, page="100")

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="participants-')
    rows = _xlsx_rows(response, "Participants")
    assert rows[0] == participant_columns(run.business)
    assert len(rows) == 5001
    assert rows[1:51] == [r.cells() for r in first_page.context["participants"]]
    assert rows[-50:] == [r.cells() for r in last_page.context["participants"]]


def test_exports_show_booking_times_in_the_business_timezone(owner_client, run):
    winter, summer = builders.add_participants(run, 2)
    _set_booked_at(winter, dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC))  # CET, +1
    _set_booked_at(summer, dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC))  # CEST, +2

    csv_rows = _csv_rows(
        owner_client.get(reverse("dashboard:session_participants_csv", args=[run.pk]))
    )
    xlsx_rows = _xlsx_rows(
        owner_client.get(reverse("dashboard:session_participants_xlsx", args=[run.pk])),
        "Participants",
    )

    assert (csv_rows[0][-1], xlsx_rows[0][-1]) == (WARSAW_HEADER, WARSAW_HEADER)
    assert [r[-1] for r in csv_rows[1:]] == ["2026-01-15 09:00", "2026-07-01 10:00"]
    assert [r[-1] for r in xlsx_rows[1:]] == [
        dt.datetime(2026, 1, 15, 9, 0),
        dt.datetime(2026, 7, 1, 10, 0),
    ]


NASTY = ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3", "@cmd", "Plain Name"]


def test_exports_are_safe_from_formula_injection(owner_client, run):
    for name in NASTY:
        (booking,) = builders.add_participants(run, 1, guest_phone="+48 600 100 200")
        Booking.objects.filter(pk=booking.pk).update(guest_name=name)

    csv_rows = _csv_rows(
        owner_client.get(reverse("dashboard:session_participants_csv", args=[run.pk]))
    )
    xlsx = owner_client.get(reverse("dashboard:session_participants_xlsx", args=[run.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(_download(xlsx)))["Participants"]

    assert [r[0] for r in csv_rows[1:]] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+SUM(1,2)",
        "'-2+3",
        "'@cmd",
        "Plain Name",
    ]
    assert {r[2] for r in csv_rows[1:]} == {"'+48 600 100 200"}
    # XLSX keeps the text exactly, as text cells that are never evaluated.
    names = [sheet.cell(row=i, column=1) for i in range(2, 7)]
    assert [c.value for c in names] == NASTY
    assert {c.data_type for c in names} == {"s"}


def test_exports_follow_the_page_filter(owner_client, run):
    builders.add_participants(run, 3)
    (cancelled,) = builders.add_participants(run, 1, status="cancelled")

    rows = _csv_rows(
        owner_client.get(
            reverse("dashboard:session_participants_csv", args=[run.pk]), {"status": "cancelled"}
        )
    )

    assert [r[1] for r in rows[1:]] == [cancelled.guest_email]


def test_s3_series_buyers_export_as_csv_and_xlsx_matching_the_series_page(owner_client, series):
    purchases = builders.add_series_buyers(series, 30)
    _pay(purchases[-1])
    SeriesPurchase.objects.filter(pk=purchases[0].pk).update(status=BookingStatus.CANCELLED)
    Booking.objects.filter(purchase=purchases[0]).update(status=BookingStatus.CANCELLED)

    page = owner_client.get(reverse("dashboard:series_detail", args=[series.pk]))
    csv_rows = _csv_rows(owner_client.get(reverse("dashboard:series_buyers_csv", args=[series.pk])))
    xlsx_rows = _xlsx_rows(
        owner_client.get(reverse("dashboard:series_buyers_xlsx", args=[series.pk])), "Buyers"
    )

    listed = [r.cells() for r in page.context["buyer_rows"]]
    assert len(listed) == 20
    assert xlsx_rows[0] == buyer_columns(series.business)
    assert xlsx_rows[1:21] == listed
    assert len(xlsx_rows) == len(csv_rows) == 31
    assert [r[1] for r in csv_rows[1:]] == [p.guest_email for p in reversed(purchases)]
    newest, oldest = csv_rows[1], csv_rows[-1]
    assert newest[3:7] == ["Confirmed", "Paid online", "400.00", "2"]
    assert oldest[3:7] == ["Cancelled", "Checkout not started", "400.00", "0"]
    assert "Page 1 of 2 · 30 buyers" in page.text


# --- bulk actions -------------------------------------------------------------------------------


def _bulk(client, run, action, ids, **extra):
    return client.post(
        reverse("dashboard:session_participants_bulk", args=[run.pk]),
        {"action": action, "booking_ids": [str(i) for i in ids], "status": "all", **extra},
    )


def test_g6_bulk_cancel_from_the_run_page_reports_what_changed(
    owner_client, series, django_capture_on_commit_callbacks
):
    run = series.sessions.order_by("starts_at").first()
    drop_ins = builders.add_participants(run, 3, kind="drop_in")
    (gone,) = builders.add_participants(run, 1, kind="drop_in", status="cancelled")
    builders.add_series_buyers(series, 1)
    seat = Booking.objects.get(session=run, kind="series")

    with django_capture_on_commit_callbacks(execute=True):
        response = _bulk(owner_client, run, "cancel", [b.pk for b in drop_ins] + [gone.pk, seat.pk])

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("dashboard:session_detail", args=[run.pk]) + "?status=all#participants"
    )
    assert _messages(response) == [
        "3 participants cancelled, 1 was already cancelled, 1 series seat left as it is "
        "(a series seat is cancelled with its whole purchase, on the series page)."
    ]
    cancelled = Booking.objects.filter(pk__in=[b.pk for b in drop_ins])
    assert set(cancelled.values_list("status", flat=True)) == {BookingStatus.CANCELLED}
    seat.refresh_from_db()
    assert seat.status == BookingStatus.CONFIRMED
    assert [e.booking_ids for e in events.DELIVERED] == [tuple(b.pk for b in drop_ins)]


def test_g6_another_business_booking_id_in_the_form_is_not_touched(
    owner_client, run, other_business, django_capture_on_commit_callbacks
):
    (mine,) = builders.add_participants(run, 1)
    other_run = Session.objects.filter(business=other_business).order_by("pk").first()
    (theirs,) = builders.add_participants(other_run, 1)
    before = Booking.objects.filter(pk=theirs.pk).values().get()

    with django_capture_on_commit_callbacks(execute=True):
        response = _bulk(owner_client, run, "cancel", [mine.pk, theirs.pk])

    assert _messages(response) == ["1 participant cancelled, 1 not on this session, ignored."]
    assert Booking.objects.filter(pk=theirs.pk).values().get() == before
    assert [e.booking_ids for e in events.DELIVERED] == [(mine.pk,)]


def test_g6_a_forged_run_id_is_404_and_nothing_changes(
    owner_client, other_business, django_capture_on_commit_callbacks
):
    other_run = Session.objects.filter(business=other_business).order_by("pk").first()
    (theirs,) = builders.add_participants(other_run, 1)
    before = (list(Booking.objects.values()), ActivityLog.objects.count())

    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            _bulk(owner_client, other_run, action, [theirs.pk], subject="Hi", body="Hello")
            for action in ("cancel", "attended", "no_show", "message")
        ]
        responses += [
            owner_client.get(reverse(f"dashboard:session_participants_{fmt}", args=[other_run.pk]))
            for fmt in ("csv", "xlsx")
        ]

    assert [r.status_code for r in responses] == [404] * 6
    assert (list(Booking.objects.values()), ActivityLog.objects.count()) == before
    assert events.DELIVERED == []


def test_g6_marking_attendance_from_the_run_page(owner_client, run):
    fresh = builders.add_participants(run, 2)
    (already,) = builders.add_participants(run, 1, attendance="attended")
    (gone,) = builders.add_participants(run, 1, status="cancelled")

    attended = _bulk(owner_client, run, "attended", [b.pk for b in [*fresh, already, gone]])
    no_show = _bulk(owner_client, run, "no_show", [fresh[0].pk])

    assert _messages(attended) == [
        "2 participants marked attended, 1 was already marked attended, "
        "1 not confirmed, left unmarked."
    ]
    assert _messages(no_show)[-1] == "1 participant marked no-show."
    assert list(
        Booking.objects.filter(session=run).order_by("pk").values_list("attendance", flat=True)
    ) == ["no_show", "attended", "attended", "unknown"]
    page = _page(owner_client, run)
    assert [r.attendance_label for r in page.context["participants"]] == [
        "No-show",
        "Attended",
        "Attended",
        "Not marked",
    ]


def test_g6_messaging_selected_participants_from_the_run_page(
    owner_client, run, django_capture_on_commit_callbacks
):
    guests = builders.add_participants(run, 2)

    with django_capture_on_commit_callbacks(execute=True):
        response = _bulk(
            owner_client,
            run,
            "message",
            [b.pk for b in guests],
            subject="Room change",
            body="We meet in room 2.",
        )

    assert _messages(response) == ["Message sent to 2 participants."]
    (event,) = events.DELIVERED
    assert (event.name, event.booking_ids, event.data) == (
        events.PARTICIPANTS_MESSAGED,
        tuple(b.pk for b in guests),
        {"subject": "Room change", "body": "We meet in room 2."},
    )


def test_g6_a_message_without_a_subject_shows_the_error_and_keeps_the_ticks_and_text(
    owner_client, run, django_capture_on_commit_callbacks
):
    guests = builders.add_participants(run, 3)

    with django_capture_on_commit_callbacks(execute=True):
        response = _bulk(
            owner_client, run, "message", [guests[0].pk, guests[2].pk], subject="", body="Hi all"
        )

    assert response.status_code == 200
    assert response.context["action_form"].errors == {"subject": ["Write a subject."]}
    assert response.text.count(" checked>") == 2
    assert "Hi all</textarea>" in response.text
    assert events.DELIVERED == []
    assert ActivityLog.objects.filter(action="bookings.messaged").count() == 0


@pytest.mark.parametrize(
    ("_case", "data", "error"),
    [
        ("no rows ticked", {"action": "cancel"}, "Select at least one participant."),
        ("no action", {"booking_ids": ["1"]}, "Choose what to do with the selected participants."),
    ],
)
def test_g6_a_bulk_form_without_rows_or_action_is_refused(owner_client, run, _case, data, error):
    builders.add_participants(run, 1)
    before = list(Booking.objects.values())

    response = owner_client.post(
        reverse("dashboard:session_participants_bulk", args=[run.pk]), data
    )

    assert response.status_code == 200
    assert error in response.text
    assert list(Booking.objects.values()) == before
