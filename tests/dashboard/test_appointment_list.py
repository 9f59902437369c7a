"""A9/G6: the owner's list of appointments: a range and a person, exports of the same rows,
bulk attendance marks and cancellations, and another business's ids refused."""

import csv
import io

from rezerva.booking.models import Booking
from rezerva.booking.services import GuestDetails
from rezerva.booking.services.appointments import book_appointment
from rezerva.notify.models import OutboundEmail
from tests import builders
from tests.dashboard.appointment_helpers import at, book

LIST = "/dashboard/appointments/"


def _range(day, **extra):
    return {"start": day.isoformat(), "end": day.isoformat(), **extra}


def test_owner_lists_the_day_s_appointments_and_filters_by_stylist(owner_client, salon, monday):
    book(salon, salon.ola, monday, "09:00", "Anna Nowak")
    book(salon, salon.ewa, monday, "10:00", "Basia Lis")

    everyone = owner_client.get(LIST, _range(monday)).content.decode()
    only_ola = owner_client.get(LIST, _range(monday, performer=salon.ola.pk)).content.decode()

    assert "Anna Nowak" in everyone
    assert "Basia Lis" in everyone
    assert "Anna Nowak" in only_ola
    assert "Basia Lis" not in only_ola


def test_owner_exports_the_appointments_as_csv(owner_client, salon, monday):
    book(salon, salon.ola, monday, "09:00", "=Eve Formula")
    response = owner_client.get(f"{LIST}export.csv", _range(monday))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    response.close()  # as the server does when the download ends
    rows = list(csv.reader(io.StringIO(body)))

    assert rows[0][0] == "Starts (Europe/Warsaw)"
    assert rows[1][0] == f"{monday.isoformat()} 09:00"
    assert rows[1][3] == "'=Eve Formula"  # formula-safe like every export


def test_owner_exports_the_appointments_as_xlsx_and_no_other_format(owner_client, salon, monday):
    book(salon, salon.ola, monday, "09:00", "Anna Nowak")
    assert owner_client.get(f"{LIST}export.pdf", _range(monday)).status_code == 404
    xlsx = owner_client.get(f"{LIST}export.xlsx", _range(monday))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(xlsx.streaming_content).startswith(b"PK")  # a zip
    xlsx.close()


def test_owner_marks_attendance_and_cancels_selected_appointments(owner_client, salon, monday):
    first = book(salon, salon.ola, monday, "09:00", "Anna Nowak")
    second = book(salon, salon.ewa, monday, "10:00", "Basia Lis")

    marked = owner_client.post(
        f"{LIST}bulk/",
        {**_range(monday), "action": "attended", "booking_ids": [first.pk]},
        follow=True,
    )
    cancelled = owner_client.post(
        f"{LIST}bulk/",
        {**_range(monday), "action": "cancel", "booking_ids": [first.pk, second.pk]},
        follow=True,
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert "1 appointment marked attended" in marked.content.decode()
    assert "2 appointments cancelled" in cancelled.content.decode()
    assert (first.attendance, first.status, second.status) == ("attended", "cancelled", "cancelled")
    assert OutboundEmail.objects.filter(kind="booking_cancelled").count() == 2


def test_bulk_without_a_selection_or_an_action_changes_nothing(owner_client, salon, monday):
    booking = book(salon, salon.ola, monday, "09:00")
    none = owner_client.post(f"{LIST}bulk/", {**_range(monday), "action": "cancel"}, follow=True)
    what = owner_client.post(
        f"{LIST}bulk/", {**_range(monday), "booking_ids": [booking.pk]}, follow=True
    )
    booking.refresh_from_db()
    assert "Select at least one appointment." in none.content.decode()
    assert "Choose what to do" in what.content.decode()
    assert booking.status == "confirmed"


def test_another_business_appointment_or_performer_is_refused(
    owner_client, salon, monday, other_business, real_now
):
    spy = builders.make_performer(other_business, "Spy")
    theirs = builders.make_appointment_service(other_business, performers=[spy], now=real_now)
    foreign = book_appointment(
        business=other_business,
        service_id=theirs.pk,
        performer_id=spy.pk,
        starts_at=at(other_business, monday, "09:00"),
        guest=GuestDetails("X", "x@x.test"),
        now=real_now,
        on_behalf=True,
    )

    assert owner_client.get(LIST, _range(monday, performer=spy.pk)).status_code == 404
    result = owner_client.post(
        f"{LIST}bulk/",
        {**_range(monday), "action": "cancel", "booking_ids": [foreign.pk]},
        follow=True,
    )
    assert "0 appointments cancelled" in result.content.decode()
    assert Booking.objects.get(pk=foreign.pk).status == "confirmed"


def test_staff_see_the_list_too(staff_browser, salon, monday):
    book(salon, salon.ola, monday, "09:00", "Anna Nowak")
    assert "Anna Nowak" in staff_browser.get(LIST, _range(monday)).content.decode()
