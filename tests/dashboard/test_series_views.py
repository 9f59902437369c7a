"""Owner series pages: create (P1), attach and detach runs (S2), edit (P2)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from rezerva.booking.models import Booking, SeriesPurchase
from rezerva.catalog.services import create_service
from rezerva.core.timezones import to_business_time
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy.models import ActivityLog
from rezerva.tenancy.plans import PlanCode
from tests import builders

FREE_SERIES = {
    "title": "Autumn course",
    "price_type": "free",
    "price": "",
    "is_active": "on",
    "is_visible": "on",
    "drop_in_price": "",
}


@pytest.fixture
def service(business, real_now):
    return builders.make_group_service(business, name="Python for beginners", now=real_now)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_owner_creates_a_series_on_the_series_page(owner_client, service):
    response = owner_client.post(
        reverse("dashboard:series_list", args=[service.pk]),
        {**FREE_SERIES, "drop_in_enabled": "on", "allows_late_join": "on"},
    )

    series = Series.objects.get(service=service)
    assert response["Location"] == reverse("dashboard:series_detail", args=[series.pk])
    assert (series.title, series.price_type, series.price_minor, series.is_visible) == (
        "Autumn course",
        "free",
        0,
        True,
    )
    assert (series.drop_in_enabled, series.drop_in_price_minor, series.allows_late_join) == (
        True,
        None,
        True,
    )


def test_a_priced_series_with_a_drop_in_price_is_created_on_the_series_page(owner_client, service):
    owner_client.post(
        reverse("dashboard:series_list", args=[service.pk]),
        {
            **FREE_SERIES,
            "price_type": "on_site",
            "price": "400",
            "drop_in_enabled": "on",
            "drop_in_price": "130",
        },
    )

    series = Series.objects.get(service=service)
    assert (series.price_minor, series.drop_in_price_minor) == (40000, 13000)


def test_p1_a_starter_business_sees_the_upgrade_note_and_cannot_create_a_series(
    owner_client, business, service
):
    business.plan = PlanCode.STARTER
    business.save(update_fields=["plan"])
    url = reverse("dashboard:series_list", args=[service.pk])

    page = owner_client.get(url)
    refused = owner_client.post(url, FREE_SERIES)

    assert page.context["can_series"] is False
    assert "Series need the Growth plan or higher." in page.text
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [
        "Series (courses sold as one booking) are not part of the Starter plan. "
        "Upgrade to Growth or higher to use them."
    ]
    assert Series.objects.filter(service=service).count() == 0


def test_s2_the_owner_attaches_upcoming_runs_on_the_series_page(owner_client, service, real_now):
    series = builders.make_series(service, runs=0, now=real_now)
    runs = [builders.make_session(service, days_ahead=d, now=real_now) for d in (7, 14)]
    url = reverse("dashboard:series_detail", args=[series.pk])

    page = owner_client.get(url)
    response = owner_client.post(url, {"sessions": [str(r.pk) for r in runs]})

    assert [r.pk for r in page.context["attachable"]] == [r.pk for r in runs]
    assert response["Location"] == url
    assert _messages(response) == ["2 session(s) added to the series."]
    assert set(Session.objects.filter(series=series).values_list("pk", flat=True)) == {
        r.pk for r in runs
    }


def test_s2_a_run_of_another_series_is_refused_on_the_series_page(owner_client, service, real_now):
    series = builders.make_series(service, runs=0, now=real_now)
    other = builders.make_series(service, runs=1, title="Other course", now=real_now)
    taken = Session.objects.get(series=other)

    response = owner_client.post(
        reverse("dashboard:series_detail", args=[series.pk]), {"sessions": [str(taken.pk)]}
    )

    assert response.status_code == 200
    local = to_business_time(taken.starts_at, taken.business.timezone)
    assert response.context["attach_form"].non_field_errors() == [
        f"The session on {local:%Y-%m-%d %H:%M} already belongs to another series."
    ]
    assert Session.objects.get(pk=taken.pk).series_id == other.pk


def test_s2_the_owner_detaches_a_run_without_series_buyers(owner_client, service, real_now):
    series = builders.make_series(service, runs=2, now=real_now)
    first = Session.objects.filter(series=series).order_by("starts_at").first()

    response = owner_client.post(reverse("dashboard:series_detach", args=[series.pk, first.pk]))

    assert response["Location"] == reverse("dashboard:series_detail", args=[series.pk])
    assert _messages(response) == ["Session removed from the series."]
    assert Session.objects.get(pk=first.pk).series_id is None


def test_s2_detaching_a_run_with_a_series_buyer_is_refused_on_the_page(
    owner_client, service, real_now
):
    series = builders.make_series(service, runs=2, now=real_now)
    first = Session.objects.filter(series=series).order_by("starts_at").first()
    purchase = SeriesPurchase.objects.create(
        business=service.business,
        series=series,
        guest_name="Ewa",
        guest_email="ewa@example.test",
        status="confirmed",
        currency="PLN",
        price_type="on_site",
    )
    Booking.objects.create(
        business=service.business,
        session=first,
        purchase=purchase,
        kind="series",
        status="confirmed",
        guest_name="Ewa",
        guest_email="ewa@example.test",
        currency="PLN",
        price_type="on_site",
    )

    response = owner_client.post(reverse("dashboard:series_detach", args=[series.pk, first.pk]))

    assert _messages(response) == [
        "Series buyers hold seats on this session. Cancel the session instead, "
        "so they are notified."
    ]
    assert Session.objects.get(pk=first.pk).series_id == series.pk
    assert not ActivityLog.objects.filter(action="series.run_detached").exists()


def test_p2_after_a_downgrade_the_owner_still_edits_a_series(
    owner_client, business, service, real_now
):
    series = builders.make_series(
        service, runs=1, price_type="free", title="Spring course", now=real_now
    )
    business.plan = PlanCode.STARTER
    business.save(update_fields=["plan"])

    response = owner_client.post(
        reverse("dashboard:series_edit", args=[series.pk]),
        {**FREE_SERIES, "title": "Spring course (new dates)", "is_visible": ""},
    )

    assert response["Location"] == reverse("dashboard:series_detail", args=[series.pk])
    series.refresh_from_db()
    assert (series.title, series.is_active, series.is_visible) == (
        "Spring course (new dates)",
        True,
        False,
    )


def test_g1_a_series_cannot_be_created_for_a_one_to_one_service(owner_client, business, now):
    consultation = create_service(
        business=business,
        actor=builders.owner_of(business),
        kind="one_to_one",
        name="Consultation",
        now=now,
    )

    response = owner_client.post(
        reverse("dashboard:series_list", args=[consultation.pk]), FREE_SERIES
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Sessions and series exist only for group services."
    ]
    assert Series.objects.count() == 0
