"""An appointment's page (A9): guest, payment, move (outside hours, never double-booked),
cancel after a confirmation; booking on a guest's behalf with refusals on the fields."""


import pytest
from django.urls import reverse

from rezerva.booking.models import Booking, BookingStatus
from rezerva.core import events
from rezerva.core.events import BOOKING_CANCELLED, BOOKING_CONFIRMED, SESSION_CHANGED
from rezerva.payments.models import Payment
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import ActivityLog
from tests import builders
from tests.dashboard.appointment_helpers import at, book, next_dst_gap

BOOK = reverse("dashboard:appointment_book")


def _detail(booking) -> str:
    return reverse("dashboard:appointment_detail", args=[booking.pk])


def _snapshot():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Booking, Session, Payment, ActivityLog)
    }


def _guest(**changes) -> dict:
    return {"name": "Zofia Lis", "email": "zofia@example.test", "phone": "", **changes}


def test_the_appointment_page_shows_the_guest_payment_and_actions(owner_client, salon, monday):
    anna = book(salon, salon.ola, monday, "10:00")

    response = owner_client.get(_detail(anna))

    assert response.status_code == 200
    assert "<h1>Anna Nowak</h1>" in response.text
    assert "anna@example.test" in response.text
    assert response.context["payment_label"] == "Pay on site"
    assert response.context["can_move"] is True
    assert response.context["form"]["time"].value() == "10:00"
    # Ola's free times that day, this appointment left out (its own 10:00 is free to pick).
    free = [t.strftime("%H:%M") for t in response.context["free_times"]]
    assert free[:3] == ["09:00", "09:15", "09:30"]
    assert "10:00" in free
    assert reverse("dashboard:appointment_cancel", args=[anna.pk]) in response.text


def test_owner_moves_an_appointment_outside_the_working_hours(
    owner_client, salon, monday, django_capture_on_commit_callbacks
):
    anna = book(salon, salon.ola, monday, "10:00")
    events.DELIVERED.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(_detail(anna), {"date": monday.isoformat(), "time": "19:30"})

    anna.refresh_from_db()
    assert response.status_code == 302
    assert anna.session.starts_at == at(salon.business, monday, "19:30")
    assert anna.performer_id == salon.ola.pk
    assert [e.name for e in events.DELIVERED] == [SESSION_CHANGED]


@pytest.mark.parametrize(
    ("_case", "wall", "message"),
    [
        ("onto another appointment", "10:30", "This team member is already booked then."),
        ("half an hour into it", "11:00", "This team member is already booked then."),
    ],
)
def test_owner_cannot_move_onto_another_appointment(
    owner_client, salon, monday, _case, wall, message
):
    anna = book(salon, salon.ola, monday, "09:00")
    book(salon, salon.ola, monday, "11:00", "Basia Kowal")
    before = _snapshot()

    response = owner_client.post(_detail(anna), {"date": monday.isoformat(), "time": wall})

    assert response.status_code == 200
    assert response.context["form"].errors == {"time": [message]}
    assert _snapshot() == before


def test_moving_into_the_dst_gap_is_a_field_error(owner_client, salon, monday, real_now):
    anna = book(salon, salon.ola, monday, "10:00")
    gap = next_dst_gap(salon.business.timezone, real_now.date())
    before = _snapshot()

    response = owner_client.post(
        _detail(anna), {"date": gap.date().isoformat(), "time": gap.strftime("%H:%M")}
    )

    assert list(response.context["form"].errors) == ["time"]
    assert "the clocks jump forward" in response.context["form"].errors["time"][0]
    assert _snapshot() == before


def test_cancel_asks_first_then_cancels_and_notifies_without_refunding(
    owner_client, salon, monday, django_capture_on_commit_callbacks
):
    anna = book(salon, salon.ola, monday, "10:00")
    url = reverse("dashboard:appointment_cancel", args=[anna.pk])
    events.DELIVERED.clear()

    question = owner_client.get(url)
    anna.refresh_from_db()
    assert anna.status == BookingStatus.CONFIRMED
    assert "is emailed that the appointment is cancelled" in question.text
    assert "Nothing is refunded automatically." in question.text

    with django_capture_on_commit_callbacks(execute=True):
        done = owner_client.post(url)

    anna.refresh_from_db()
    assert done["Location"] == _detail(anna)
    assert (anna.status, anna.cancelled_by) == (BookingStatus.CANCELLED, "owner")
    assert [e.name for e in events.DELIVERED] == [BOOKING_CANCELLED]
    assert not Payment.objects.exists()
    page = owner_client.get(_detail(anna))
    assert page.context["can_move"] is False
    assert page.context["can_cancel"] is False


def test_owner_books_on_behalf_outside_hours_but_never_double_books(
    owner_client, salon, monday, django_capture_on_commit_callbacks
):
    events.DELIVERED.clear()
    evening = {
        "service": salon.haircut.pk,
        "performer": salon.ola.pk,
        "date": monday.isoformat(),
        "time": "19:00",
    }

    with django_capture_on_commit_callbacks(execute=True):
        booked = owner_client.post(BOOK, {**evening, **_guest()})

    zofia = Booking.objects.get(guest_email="zofia@example.test")
    assert booked["Location"] == _detail(zofia)
    assert (zofia.kind, zofia.status, zofia.performer_id) == (
        "appointment",
        BookingStatus.CONFIRMED,
        salon.ola.pk,
    )
    assert zofia.session.starts_at == at(salon.business, monday, "19:00")
    assert ActivityLog.objects.get(action="booking.placed", target=str(zofia.pk)).actor_id
    assert [e.name for e in events.DELIVERED] == [BOOKING_CONFIRMED]
    before = _snapshot()

    again = owner_client.post(
        BOOK, {**evening, "time": "19:30", **_guest(email="other@example.test")}
    )

    assert again.status_code == 200
    assert again.context["form"].errors == {"time": ["This team member is already booked then."]}
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("_case", "changes", "field", "message"),
    [
        ("another business's service", {"service": "OTHER_SERVICE"}, "service",
         "This service does not exist."),
        ("another business's performer", {"performer": "OTHER_PERFORMER"}, "performer",
         "This team member does not offer this service."),
        ("a time that is no time", {"time": "25:99"}, "time", "Enter a valid time."),
        ("a time in the DST gap", {"date": "GAP_DAY", "time": "GAP_TIME"}, "time",
         "the clocks jump forward"),
        ("no email", {"email": ""}, "email", "This field is required."),
        ("a name with a control character", {"name": "Zofia\x07"}, "name", "control"),
    ],
)  # fmt: skip
def test_booking_on_behalf_refusals_are_form_errors_and_write_nothing(
    owner_client,
    salon,
    monday,
    other_business,
    real_now,
    django_capture_on_commit_callbacks,
    _case,
    changes,
    field,
    message,
):
    stranger = builders.make_performer(other_business, "Stranger")
    their_service = builders.make_appointment_service(
        other_business, performers=[stranger], now=real_now
    )
    gap = next_dst_gap(salon.business.timezone, real_now.date())
    ids = {
        "OTHER_SERVICE": their_service.pk,
        "OTHER_PERFORMER": stranger.pk,
        "GAP_DAY": gap.date().isoformat(),
        "GAP_TIME": gap.strftime("%H:%M"),
    }
    data = {
        "service": salon.haircut.pk,
        "performer": salon.ola.pk,
        "date": monday.isoformat(),
        "time": "10:00",
        **_guest(),
        **{k: ids.get(v, v) for k, v in changes.items()},
    }
    events.DELIVERED.clear()
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(BOOK, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert _snapshot() == before
    assert events.DELIVERED == []


def test_booking_on_behalf_twice_with_the_same_form_books_once(owner_client, salon, monday):
    page = owner_client.get(BOOK)
    key = page.context["form"]["request_key"].value()
    data = {
        "service": salon.haircut.pk,
        "performer": salon.ola.pk,
        "date": monday.isoformat(),
        "time": "09:00",
        "request_key": key,
        **_guest(),
    }

    first = owner_client.post(BOOK, data)
    second = owner_client.post(BOOK, data)

    (booking,) = Booking.objects.all()
    assert len(key) == 32
    assert first["Location"] == second["Location"] == _detail(booking)


def test_the_book_form_is_prefilled_from_the_calendar(owner_client, salon, monday):
    response = owner_client.get(
        BOOK, {"performer": salon.ewa.pk, "date": monday.isoformat(), "service": salon.haircut.pk}
    )

    form = response.context["form"]
    assert response.status_code == 200
    assert (form["performer"].value(), form["date"].value()) == (
        str(salon.ewa.pk),
        monday.isoformat(),
    )
    assert [label for _, label in form.fields["service"].choices] == ["Haircut (45 min)"]


def test_other_business_appointment_id_in_url_is_404(
    owner_client, salon, monday, other_business, real_now
):
    stranger = builders.make_performer(other_business, "Stranger")
    builders.set_week(other_business, None, {d: [("09:00", "17:00")] for d in range(7)})
    their_service = builders.make_appointment_service(
        other_business, performers=[stranger], now=real_now
    )
    theirs = book(
        type(salon)(business=other_business, haircut=their_service), stranger, monday, "10:00"
    )
    run = builders.make_session(
        builders.make_group_service(salon.business, now=real_now), now=real_now
    )
    run_booking = builders.add_participants(run, 1)[0]
    before = _snapshot()

    responses = [
        owner_client.get(_detail(theirs)),
        owner_client.post(_detail(theirs), {"date": monday.isoformat(), "time": "12:00"}),
        owner_client.get(reverse("dashboard:appointment_cancel", args=[theirs.pk])),
        owner_client.post(reverse("dashboard:appointment_cancel", args=[theirs.pk])),
        owner_client.get(_detail(run_booking)),  # a run booking is not an appointment
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert _snapshot() == before


def test_staff_book_move_and_cancel_appointments(staff_browser, salon, monday):
    booked = staff_browser.post(
        BOOK,
        {
            "service": salon.haircut.pk,
            "performer": salon.ewa.pk,
            "date": monday.isoformat(),
            "time": "09:00",
            **_guest(),
        },
    )
    zofia = Booking.objects.get()
    moved = staff_browser.post(_detail(zofia), {"date": monday.isoformat(), "time": "14:00"})
    cancelled = staff_browser.post(reverse("dashboard:appointment_cancel", args=[zofia.pk]))

    zofia.refresh_from_db()
    assert [r.status_code for r in (booked, moved, cancelled)] == [302, 302, 302]
    assert zofia.session.starts_at == at(salon.business, monday, "14:00")
    assert zofia.status == BookingStatus.CANCELLED


def test_a_paid_online_appointment_booked_on_behalf_is_paid_on_site(
    owner_client, salon, monday, real_now
):
    """No Checkout link reaches a guest booked by phone or at the desk: she pays on site."""
    online = builders.make_appointment_service(
        salon.business, name="Consultation", price_type="online", price_minor=10000, now=real_now
    )

    owner_client.post(
        BOOK,
        {
            "service": online.pk,
            "performer": salon.ola.pk,
            "date": monday.isoformat(),
            "time": "09:00",
            **_guest(),
        },
        follow=True,
    )

    booking = Booking.objects.get()
    assert (booking.status, booking.price_type) == (BookingStatus.CONFIRMED, "on_site")
    assert booking.hold_expires_at is None
