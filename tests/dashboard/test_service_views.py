"""Owner service pages: P1 (the upgrade explanation instead of a group service), P2, deactivate."""

import datetime as dt

import pytest
from django.urls import reverse

from rezerva.catalog.models import Service
from rezerva.tenancy.models import ActivityLog
from rezerva.tenancy.plans import PlanCode
from tests import builders

GROUP_FORM = {
    "kind": "group",
    "name": "Python for beginners",
    "description": "Six evenings",
    "price_type": "on_site",
    "price": "120",
    "sales_mode": "both",
    "is_active": "on",
    "is_visible": "on",
}
REFUSAL = "are not part of the {plan} plan. Upgrade to Growth or higher to use them."


@pytest.fixture
def client_on(db, login_as, real_now):
    """A client logged in as the owner of a new business on `plan`."""

    def make(plan):
        if plan == "expired trial":
            business = builders.make_business(
                plan=PlanCode.TRIAL, now=real_now - dt.timedelta(days=15)
            )
        else:
            business = builders.make_business(plan=plan, now=real_now)
        return login_as(builders.owner_of(business), business), business

    return make


@pytest.mark.parametrize(
    ("_case", "plan", "plan_name"),
    [
        ("starter", PlanCode.STARTER, "Starter"),
        ("free", PlanCode.FREE, "Free"),
        ("expired trial", "expired trial", "Free"),
    ],
)
def test_p1_starter_owner_cannot_create_a_group_service_through_the_page(
    client_on, _case, plan, plan_name
):
    client, business = client_on(plan)

    response = client.post(reverse("dashboard:service_create"), GROUP_FORM)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Group sessions and classes {REFUSAL.format(plan=plan_name)}"
    ]
    assert "Group services need the Growth plan or higher." in response.text
    assert Service.objects.filter(business=business).count() == 0
    assert not ActivityLog.objects.filter(business=business, action="service.created").exists()


def test_p1_the_new_service_page_explains_the_upgrade_before_submitting(client_on):
    client, _ = client_on(PlanCode.STARTER)

    response = client.get(reverse("dashboard:service_create"))

    assert response.context["can_group"] is False
    assert response.context["group_plan"].name == "Growth"
    assert "Group services need the Growth plan or higher." in response.text
    assert "Ask Rezerva support to move you to Growth" in response.text


def test_p1_the_services_page_of_a_starter_business_shows_the_upgrade_note(client_on):
    client, _ = client_on(PlanCode.STARTER)

    response = client.get(reverse("dashboard:service_list"))

    assert "Group services need the Growth plan or higher." in response.text


@pytest.mark.parametrize(
    ("_case", "plan"),
    [
        ("growth", PlanCode.GROWTH),
        ("trial", PlanCode.TRIAL),
        ("internal", PlanCode.INTERNAL),
    ],
)
def test_p1_growth_trial_and_internal_owners_create_a_group_service_through_the_page(
    client_on, _case, plan
):
    client, business = client_on(plan)

    response = client.post(reverse("dashboard:service_create"), GROUP_FORM)

    service = Service.objects.get(business=business)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:service_detail", args=[service.pk])
    assert (service.kind, service.name, service.price_type, service.price_minor) == (
        "group",
        "Python for beginners",
        "on_site",
        12000,
    )
    assert (service.sales_mode, service.is_visible) == ("both", True)


def test_p1_a_starter_owner_still_creates_a_one_to_one_service(client_on):
    client, business = client_on(PlanCode.STARTER)

    response = client.post(
        reverse("dashboard:service_create"), {**GROUP_FORM, "kind": "one_to_one", "name": "Haircut"}
    )

    assert response.status_code == 302
    assert list(Service.objects.filter(business=business).values_list("kind", "sales_mode")) == [
        ("one_to_one", "single")
    ]


def test_a_priced_group_service_is_created_through_the_page(owner_client, business):
    response = owner_client.post(
        reverse("dashboard:service_create"),
        {**GROUP_FORM, "price_type": "on_site", "price": "120.50"},
    )

    assert response.status_code == 302
    assert list(Service.objects.filter(business=business).values_list("price_minor")) == [(12050,)]


def test_a_paid_service_without_a_price_is_a_field_error(owner_client, business):
    response = owner_client.post(
        reverse("dashboard:service_create"), {**GROUP_FORM, "price_type": "on_site", "price": ""}
    )

    assert response.context["form"].errors == {
        "price": ["A paid service needs a price above zero (or choose Free)."]
    }
    assert Service.objects.filter(business=business).count() == 0


@pytest.fixture
def downgraded_service(business, real_now):
    """A group service with a series, after the business moved down to Starter (P2)."""
    service = builders.make_group_service(business, name="Pottery class", now=real_now)
    builders.make_series(service, runs=1, now=real_now)
    business.plan = PlanCode.STARTER
    business.save(update_fields=["plan"])
    return service


def _edit(price_type, price):
    return {
        "name": "Pottery for adults",
        "description": "Wheel and glaze",
        "price_type": price_type,
        "price": price,
        "sales_mode": "series",
        "is_active": "on",
        "is_visible": "on",
    }


@pytest.mark.parametrize(
    ("_case", "price", "error"),
    [
        ("not a number", "abc", "Enter an amount such as 120 or 120.00."),
        ("too many decimals", "12.345", "PLN has at most 2 decimal places."),
        ("too long", "1" * 15, "Enter a shorter amount."),
    ],
)
def test_a_malformed_price_is_a_field_error(owner_client, business, _case, price, error):
    response = owner_client.post(
        reverse("dashboard:service_create"), {**GROUP_FORM, "price": price}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"price": [error]}
    assert Service.objects.filter(business=business).count() == 0


def test_p2_after_a_downgrade_the_owner_still_edits_the_group_service_on_its_page(
    owner_client, downgraded_service
):
    service = downgraded_service

    response = owner_client.post(
        reverse("dashboard:service_detail", args=[service.pk]), _edit("free", "")
    )

    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.price_type, service.sales_mode, service.kind) == (
        "Pottery for adults",
        "free",
        "series",
        "group",
    )


def test_p2_after_a_downgrade_the_owner_still_changes_the_price_on_its_page(
    owner_client, downgraded_service
):
    service = downgraded_service

    response = owner_client.post(
        reverse("dashboard:service_detail", args=[service.pk]), _edit("on_site", "65.50")
    )

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.price_minor == 6550


def test_opening_a_service_page_with_its_price_does_not_crash(owner_client, business, now):
    # The edit form is shown with the stored price (unbound), which MoneyField formats fine.
    service = builders.make_group_service(business, price_minor=12050, now=now)

    response = owner_client.get(reverse("dashboard:service_detail", args=[service.pk]))

    assert response.status_code == 200
    assert 'value="120.50"' in response.text


def test_deactivating_a_service_from_its_page_stops_selling_it(owner_client, business, now):
    service = builders.make_group_service(business, now=now)

    response = owner_client.post(reverse("dashboard:service_deactivate", args=[service.pk]))

    assert response["Location"] == reverse("dashboard:service_detail", args=[service.pk])
    service.refresh_from_db()
    assert service.is_active is False


def test_deactivate_does_not_answer_a_get(owner_client, business, now):
    service = builders.make_group_service(business, now=now)

    response = owner_client.get(reverse("dashboard:service_deactivate", args=[service.pk]))

    assert response.status_code == 405
    service.refresh_from_db()
    assert service.is_active is True


def test_p1_the_upgrade_explanation_names_the_plan_the_business_is_on(client_on):
    client, _ = client_on(PlanCode.STARTER)

    response = client.get(reverse("dashboard:service_create"))

    assert "Your business is on the Starter plan." in response.text
