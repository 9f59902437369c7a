"""Owner pages render for the owner, need a login, and never show another business."""

import pytest
from django.urls import reverse

from rezerva.booking.models import Booking
from rezerva.catalog.models import Service
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.models import Membership
from tests import builders


@pytest.fixture
def catalogue(business, real_now):
    """A group service with a two-run series, built around the pages' clock."""
    service = builders.make_group_service(business, name="Python for beginners", now=real_now)
    series = builders.make_series(service, runs=2, title="Autumn course", now=real_now)
    return service, series


def test_home_shows_the_plan_and_the_next_runs(owner_client, catalogue):
    _, series = catalogue

    response = owner_client.get(reverse("dashboard:home"))

    assert response.status_code == 200
    assert response.context["current_business"].slug == "lumen"
    assert response.context["plan"].name == "Growth"
    assert [r.pk for r in response.context["upcoming"]] == list(
        Session.objects.filter(series=series).order_by("starts_at").values_list("pk", flat=True)
    )
    assert [r.seats_taken for r in response.context["upcoming"]] == [0, 0]
    assert response.context["services_count"] == 1
    assert "0 of 2000 bookings this month" in response.text


def test_services_page_lists_the_services_without_an_upgrade_note_on_growth(
    owner_client, catalogue
):
    service, _ = catalogue

    response = owner_client.get(reverse("dashboard:service_list"))

    assert response.status_code == 200
    assert [s.pk for s in response.context["services"]] == [service.pk]
    assert response.context["can_group"] is True
    assert "Python for beginners" in response.text
    assert "need the Growth plan or higher" not in response.text


@pytest.mark.parametrize(
    ("_case", "name", "kwargs_of", "heading"),
    [
        ("service detail", "service_detail", lambda svc, ser: {"service_id": svc.pk},
         "<h1>Python for beginners</h1>"),
        ("session list", "session_list", lambda svc, ser: {"service_id": svc.pk},
         "<h1>Sessions of Python for beginners</h1>"),
        ("series list", "series_list", lambda svc, ser: {"service_id": svc.pk},
         "<h1>Series of Python for beginners</h1>"),
        ("series detail", "series_detail", lambda svc, ser: {"series_id": ser.pk},
         "<h1>Autumn course</h1>"),
        ("series edit", "series_edit", lambda svc, ser: {"series_id": ser.pk},
         "<h1>Edit series</h1>"),
        ("session detail", "session_detail",
         lambda svc, ser: {"session_id": ser.sessions.order_by("pk").first().pk},
         "<h2>Edit session</h2>"),
    ],
)  # fmt: skip
def test_service_pages_render_for_the_owner(
    owner_client, catalogue, _case, name, kwargs_of, heading
):
    service, series = catalogue

    response = owner_client.get(reverse(f"dashboard:{name}", kwargs=kwargs_of(service, series)))

    assert response.status_code == 200
    assert heading in response.text


def test_series_pages_show_the_series_and_its_runs(owner_client, catalogue):
    service, series = catalogue
    runs = list(Session.objects.filter(series=series).order_by("starts_at"))

    listing = owner_client.get(reverse("dashboard:series_list", args=[service.pk]))
    detail = owner_client.get(reverse("dashboard:series_detail", args=[series.pk]))
    edit = owner_client.get(reverse("dashboard:series_edit", args=[series.pk]))

    (listed,) = listing.context["series_list"]
    assert (listed.pk, listed.run_count, listed.first_starts_at) == (
        series.pk,
        2,
        runs[0].starts_at,
    )
    assert [r.pk for r in detail.context["runs"]] == [r.pk for r in runs]
    assert detail.context["attachable"] == []
    assert edit.context["form"].initial["title"] == "Autumn course"
    assert edit.context["form"].initial["price"] == 20000


def test_settings_and_team_pages_render_for_the_owner(owner_client, business, owner):
    settings_page = owner_client.get(reverse("dashboard:settings"))
    team_page = owner_client.get(reverse("dashboard:team"))

    assert settings_page.status_code == 200
    assert settings_page.context["form"].initial["timezone"] == "Europe/Warsaw"
    assert team_page.status_code == 200
    assert [(m.user.email, m.role) for m in team_page.context["members"]] == [
        (owner.email, "owner")
    ]


def test_the_owner_saves_settings(owner_client, business):
    response = owner_client.post(
        reverse("dashboard:settings"),
        {
            "name": "Studio Lumen Gdynia",
            "timezone": "Europe/London",
            "currency": "EUR",
            "locale": "pl",
            "hold_minutes": "20",
            "cancellation_notice_hours": "48",
            "requires_phone": "on",
        },
    )

    assert response.status_code == 302
    business.refresh_from_db()
    assert (business.name, business.timezone, business.currency, business.locale) == (
        "Studio Lumen Gdynia",
        "Europe/London",
        "EUR",
        "pl",
    )
    assert (business.hold_minutes, business.cancellation_notice_hours) == (20, 48)
    assert business.requires_phone is True


def test_the_owner_adds_an_instructor_on_the_team_page(owner_client, business):
    response = owner_client.post(
        reverse("dashboard:team"), {"name": "Anna Kowalska", "email": "anna@example.test"}
    )

    assert response.status_code == 302
    assert list(business.performer_set.values_list("name", "email")) == [
        ("Anna Kowalska", "anna@example.test")
    ]


@pytest.mark.parametrize(
    "name", ["home", "service_list", "service_create", "settings", "team", "business_create"]
)
def test_pages_need_a_login(client, db, name):
    url = reverse(f"dashboard:{name}")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_an_id_page_needs_a_login_and_changes_nothing(client, business, now):
    service = builders.make_group_service(business, now=now)

    response = client.post(reverse("dashboard:service_deactivate", args=[service.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    service.refresh_from_db()
    assert service.is_active is True


def test_a_user_without_a_business_is_sent_to_create_one(login_as, db):
    client = login_as(builders.make_user())

    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:business_create")


@pytest.fixture
def staff_client(login_as, business, now):
    """A staff member of `business` only."""
    staff = builders.make_user("staff@example.test")
    tenancy_services.add_member(
        business=business, actor=builders.owner_of(business), user=staff, role="staff"
    )
    return login_as(staff, business)


def test_a_staff_member_of_business_a_cannot_see_business_b(staff_client, business, other_business):
    other_service = Service.objects.get(business=other_business)
    other_series = Series.objects.get(business=other_business)
    # Even a forged session pointing at the other business falls back to the staff's own one.
    session = staff_client.session
    session["business_id"] = other_business.pk
    session.save()

    home = staff_client.get(reverse("dashboard:home"))
    service_page = staff_client.get(reverse("dashboard:service_detail", args=[other_service.pk]))
    series_page = staff_client.get(reverse("dashboard:series_detail", args=[other_series.pk]))

    assert home.status_code == 200
    assert home.context["current_business"].pk == business.pk
    assert "Studio Shadow" not in home.text
    assert (service_page.status_code, series_page.status_code) == (404, 404)
    assert staff_client.session["business_id"] == business.pk


def test_a_staff_member_sees_the_services_but_not_the_owner_settings(staff_client, business, now):
    builders.make_group_service(business, now=now)

    assert staff_client.get(reverse("dashboard:service_list")).status_code == 200
    assert staff_client.get(reverse("dashboard:settings")).status_code == 403


def test_runs_pages_show_seats_taken_per_run(owner_client, catalogue):
    _, series = catalogue
    first = Session.objects.filter(series=series).order_by("starts_at").first()
    Booking.objects.create(
        business=first.business,
        session=first,
        kind="single",
        status="confirmed",
        guest_name="Ewa",
        guest_email="ewa@example.test",
        currency="PLN",
        price_type="on_site",
    )

    detail = owner_client.get(reverse("dashboard:session_detail", args=[first.pk]))

    assert detail.context["run"].seats_taken == 1
    assert "1 of 10 seats taken" in detail.text


def test_home_tells_a_new_owner_to_create_a_first_service(owner_client, business):
    response = owner_client.get(reverse("dashboard:home"))

    assert response.context["upcoming"] == []
    assert reverse("dashboard:service_create") in response.text
    assert Membership.objects.filter(business=business).count() == 1
