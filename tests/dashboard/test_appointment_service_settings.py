"""One-to-one settings on the service pages (A1, A4): create and edit, defaults, field errors
that save nothing, another business's performers; group services stay gated by plan (P1)."""

import pytest
from django.urls import reverse

from rezerva.catalog.models import Service
from rezerva.tenancy.models import ActivityLog
from rezerva.tenancy.plans import PlanCode
from tests import builders

SERVICE = {
    "kind": "one_to_one",
    "name": "Colour",
    "description": "",
    "price_type": "on_site",
    "price": "150",
    "sales_mode": "single",
    "is_active": "on",
    "is_visible": "on",
}
SETTINGS = {
    "duration_minutes": "120",
    "slot_interval_minutes": "30",
    "buffer_before_minutes": "5",
    "buffer_after_minutes": "15",
    "min_notice": "90",
    "min_notice_unit": "minutes",
    "horizon_days": "30",
    "daily_cap": "3",
}


def _settings_of(service: Service) -> tuple:
    service.refresh_from_db()
    return (
        service.duration_minutes,
        service.slot_interval_minutes,
        service.buffer_before_minutes,
        service.buffer_after_minutes,
        service.min_notice_minutes,
        service.horizon_days,
        service.daily_cap,
        sorted(service.performers.values_list("name", flat=True)),
    )


@pytest.fixture
def starter(db, login_as, real_now):
    """A Starter business (no group services) with two stylists, its owner logged in."""
    business = builders.make_business(plan=PlanCode.STARTER, now=real_now)
    ola = builders.make_performer(business, "Ola")
    ewa = builders.make_performer(business, "Ewa")
    return login_as(builders.owner_of(business), business), business, ola, ewa


def test_a_starter_owner_creates_a_one_to_one_service_with_its_appointment_settings(starter):
    client, business, ola, _ = starter

    page = client.get(reverse("dashboard:service_create"))
    response = client.post(
        reverse("dashboard:service_create"), {**SERVICE, **SETTINGS, "performers": [ola.pk]}
    )

    assert page.context["form"]["kind"].value() == "one_to_one"
    assert "One-to-one appointments" in page.text
    assert [label for _, label in page.context["settings_form"].fields["performers"].choices] == [
        "Ewa",
        "Ola",
    ]
    service = Service.objects.get(business=business)
    assert response["Location"] == reverse("dashboard:service_detail", args=[service.pk])
    assert service.kind == "one_to_one"
    assert _settings_of(service) == (120, 30, 5, 15, 90, 30, 3, ["Ola"])


def test_empty_settings_take_the_defaults_and_everyone_offers_it(starter):
    client, business, _, _ = starter
    empty = dict.fromkeys(SETTINGS, "")

    client.post(reverse("dashboard:service_create"), {**SERVICE, **empty})

    service = Service.objects.get(business=business)
    assert _settings_of(service) == (60, None, 0, 0, 120, 60, None, [])


def test_the_group_kind_is_still_refused_on_starter(starter):
    client, business, _, _ = starter

    response = client.post(reverse("dashboard:service_create"), {**SERVICE, "kind": "group"})

    assert response.status_code == 200
    assert "Group services need the Growth plan or higher." in response.text
    assert not Service.objects.filter(business=business).exists()


def test_a_group_service_ignores_the_one_to_one_fields(owner_client, business):
    response = owner_client.post(
        reverse("dashboard:service_create"),
        {**SERVICE, "kind": "group", "duration_minutes": "abc", "daily_cap": "-4"},
    )

    assert response.status_code == 302
    assert Service.objects.get(business=business).kind == "group"


def test_the_edit_page_shows_and_saves_the_appointment_settings(owner_client, salon):
    service = salon.haircut
    url = reverse("dashboard:service_detail", args=[service.pk])

    page = owner_client.get(url)
    response = owner_client.post(
        url,
        {
            **SERVICE,
            "name": "Haircut & wash",
            **SETTINGS,
            "min_notice": "3",
            "min_notice_unit": "hours",
            "performers": [salon.ewa.pk],
        },
    )

    initial = page.context["settings_form"].initial
    assert (initial["duration_minutes"], initial["slot_interval_minutes"]) == (45, 15)
    assert (initial["min_notice"], initial["min_notice_unit"]) == (0, "hours")
    assert sorted(initial["performers"]) == sorted([salon.ola.pk, salon.ewa.pk])
    assert response.status_code == 302
    assert _settings_of(service) == (120, 30, 5, 15, 180, 30, 3, ["Ewa"])
    assert service.name == "Haircut & wash"


def test_a_group_service_page_has_no_appointment_settings(owner_client, business, real_now):
    service = builders.make_group_service(business, now=real_now)

    page = owner_client.get(reverse("dashboard:service_detail", args=[service.pk]))

    assert page.context["settings_form"] is None
    assert "One-to-one appointments" not in page.text


@pytest.mark.parametrize(
    ("_case", "changes", "field", "message"),
    [
        ("too short", {"duration_minutes": "2"}, "duration_minutes",
         "Enter a length between 5 minutes and 24 hours."),
        ("huge buffer", {"buffer_after_minutes": "500"}, "buffer_after_minutes",
         "Enter a buffer between 0 and 240 minutes."),
        ("no horizon", {"horizon_days": "0"}, "horizon_days",
         "Enter a horizon between 1 and 730 days."),
        ("notice over 60 days", {"min_notice": "2000", "min_notice_unit": "hours"}, "min_notice",
         "Enter a notice between 0 minutes and 60 days."),
        ("not a number", {"daily_cap": "many"}, "daily_cap", "Enter a whole number."),
    ],
)  # fmt: skip
def test_out_of_range_settings_are_field_errors_and_save_nothing(
    owner_client, salon, _case, changes, field, message
):
    service = salon.haircut
    before = _settings_of(service)
    logs = ActivityLog.objects.count()

    created = owner_client.post(
        reverse("dashboard:service_create"), {**SERVICE, **SETTINGS, **changes}
    )
    edited = owner_client.post(
        reverse("dashboard:service_detail", args=[service.pk]),
        {**SERVICE, "name": "Renamed", **SETTINGS, **changes},
    )

    for response in (created, edited):
        assert response.status_code == 200
        assert response.context["settings_form"].errors == {field: [message]}
    assert list(Service.objects.filter(business=salon.business)) == [service]
    assert _settings_of(service) == before
    assert service.name == "Haircut"  # the name waits for valid settings too
    assert ActivityLog.objects.count() == logs


def test_another_business_performer_cannot_offer_a_service(owner_client, salon, other_business):
    stranger = builders.make_performer(other_business, "Stranger")
    before = _settings_of(salon.haircut)

    response = owner_client.post(
        reverse("dashboard:service_detail", args=[salon.haircut.pk]),
        {**SERVICE, **SETTINGS, "performers": [salon.ola.pk, stranger.pk]},
    )

    assert response.status_code == 200
    assert list(response.context["settings_form"].errors) == ["performers"]
    assert _settings_of(salon.haircut) == before
