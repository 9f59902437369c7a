"""Owner pages refuse names that could disguise text in emails, calendars and pages (review F6,
F11, F12): newlines, control characters, NUL and invisible text-direction overrides. Also the
owner's daily message cap as the run page shows it."""

import pytest
from django.urls import reverse

from rezerva.catalog.models import Performer, Service
from rezerva.dashboard import forms
from rezerva.notify.models import OutboundEmail
from rezerva.tenancy.models import ActivityLog, Business
from tests import builders

RLO = "\u202e"
UNSAFE = [
    ("right-to-left override", f"Yoga {RLO}gpj.exe",
     "Remove the invisible text-direction character (U+202E); it changes how the text reads."),
    ("isolate", "Yoga \u2066x\u2069",
     "Remove the invisible text-direction character (U+2066); it changes how the text reads."),
    ("newline", "Rival\r\nBcc: spy@evil.test", "Keep it on one line."),
    ("escape", "Yoga\x1b[2J", "Remove the control character (U+001B)."),
    ("NUL", "Yo\x00ga", "Remove the NUL character (U+0000); it cannot be stored."),
]  # fmt: skip


def _service_form(name):
    data = {
        "kind": "group",
        "name": name,
        "price_type": "on_site",
        "price": "10",
        "sales_mode": "single",
    }
    return forms.ServiceForm(data, currency="PLN")


@pytest.mark.parametrize(("_case", "name", "reason"), UNSAFE)
def test_unsafe_names_are_refused_by_every_owner_form_that_types_a_name(_case, name, reason):
    run = {
        "starts_at": "2030-01-01T10:00",
        "ends_at": "2030-01-01T11:00",
        "capacity": "5",
        "mode": "in_person",
        "repeat_weekly": "1",
    }
    typed = {
        "business": (
            forms.BusinessForm(
                {"name": name, "slug": "x", "timezone": "UTC", "currency": "PLN", "locale": "en"}
            ),
            "name",
        ),
        "service": (_service_form(name), "name"),
        "run title": (
            forms.RunForm({**run, "title": name}, performers=Performer.objects.none()),
            "title",
        ),
        "series": (
            forms.SeriesForm({"title": name, "price_type": "free"}, currency="PLN"),
            "title",
        ),
        "instructor": (forms.PerformerForm({"name": name}), "name"),
    }

    errors = {what: form.errors.get(field) for what, (form, field) in typed.items()}

    assert errors == {what: [reason] for what in typed}


def test_unsafe_names_ordinary_international_names_are_accepted():
    for name in ("Zażółć gęślą jaźń", "שיעור יוגה", "ヨガ教室 🧘", "Café «Lumen»"):
        assert _service_form(name).is_valid(), name
        assert forms.PerformerForm({"name": name}).is_valid(), name


def test_unsafe_names_the_service_page_refuses_an_override_and_creates_nothing(
    owner_client, business
):
    response = owner_client.post(
        reverse("dashboard:service_create"),
        {
            "kind": "group",
            "name": f"Invoice {RLO}fdp.exe",
            "price_type": "on_site",
            "price": "10",
            "sales_mode": "single",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [UNSAFE[0][2]]
    assert Service.objects.filter(business=business).count() == 0
    assert not ActivityLog.objects.filter(action="service.created").exists()


def test_unsafe_names_a_newline_in_the_business_name_is_refused_in_settings(owner_client, business):
    response = owner_client.post(
        reverse("dashboard:settings"),
        {
            "name": "Rival\r\nBcc: spy@evil.test",
            "timezone": business.timezone,
            "currency": business.currency,
            "locale": business.locale,
            "hold_minutes": "15",
            "cancellation_notice_hours": "24",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Keep it on one line."]
    assert Business.objects.get(pk=business.pk).name == "Studio Lumen"


def test_phishing_relay_the_run_page_shows_the_daily_message_cap_and_sends_nothing(
    owner_client, business, real_now, settings, django_capture_on_commit_callbacks
):
    settings.OWNER_MESSAGES_PER_DAY = 2
    service = builders.make_group_service(business, now=real_now)
    run = builders.make_session(service, capacity=10, now=real_now)
    guests = builders.add_participants(run, 3)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("dashboard:session_participants_bulk", args=[run.pk]),
            {
                "action": "message",
                "booking_ids": [str(b.pk) for b in guests],
                "status": "all",
                "subject": "Free upgrade",
                "body": "Click here",
            },
        )

    assert response.status_code == 200
    assert response.context["action_form"].non_field_errors() == [
        "A business can message at most 2 guests in 24 hours (OWNER_MESSAGES_PER_DAY); "
        "2 more can be messaged now. Select fewer guests or try again later."
    ]
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MESSAGE).count() == 0
    assert not ActivityLog.objects.filter(action="bookings.messaged").exists()
