"""Creating a business from the dashboard and switching between businesses."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.models import Business, Membership
from tests import builders

NEW_BUSINESS = {
    "name": "Studio Anna",
    "slug": "studio-anna",
    "timezone": "Europe/Warsaw",
    "currency": "PLN",
    "locale": "pl",
}


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_new_business_gets_an_owner_membership_and_a_14_day_trial(login_as, db):
    user = builders.make_user("anna@example.test")
    client = login_as(user)
    before = timezone.now()

    response = client.post(reverse("dashboard:business_create"), NEW_BUSINESS)

    after = timezone.now()
    business = Business.objects.get(slug="studio-anna")
    assert response["Location"] == reverse("dashboard:home")
    assert (business.name, business.timezone, business.currency, business.locale) == (
        "Studio Anna",
        "Europe/Warsaw",
        "PLN",
        "pl",
    )
    assert business.plan == "trial"
    assert before + dt.timedelta(days=14) <= business.trial_ends_at <= after + dt.timedelta(days=14)
    assert list(Membership.objects.filter(business=business).values_list("user", "role")) == [
        (user.pk, "owner")
    ]
    assert client.session["business_id"] == business.pk
    assert _messages(response) == ["Studio Anna is ready. Your trial includes group services."]


def test_a_taken_slug_is_a_field_error_and_no_business_is_created(login_as, business):
    client = login_as(builders.make_user("anna@example.test"))

    response = client.post(reverse("dashboard:business_create"), {**NEW_BUSINESS, "slug": "lumen"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "slug": ["This address is already used by another business."]
    }
    assert list(Business.objects.values_list("slug", flat=True)) == ["lumen"]


@pytest.mark.parametrize(
    ("_case", "changes", "errors"),
    [
        (
            "reserved slug",
            {"slug": "dashboard"},
            {"slug": ["This address is reserved; choose another."]},
        ),
        (
            "timezone outside the list",
            {"timezone": "Mars/Olympus"},
            {
                "timezone": [
                    "Select a valid choice. Mars/Olympus is not one of the available choices."
                ]
            },
        ),
    ],
)
def test_an_invalid_business_is_a_field_error(login_as, db, _case, changes, errors):
    client = login_as(builders.make_user())

    response = client.post(reverse("dashboard:business_create"), {**NEW_BUSINESS, **changes})

    assert response.context["form"].errors == errors
    assert Business.objects.count() == 0


@pytest.fixture
def two_business_owner(login_as, business, other_business):
    """The owner of `business`, also on the team of `other_business`, working in `business`."""
    owner = builders.owner_of(business)
    tenancy_services.add_member(
        business=other_business, actor=builders.owner_of(other_business), user=owner
    )
    return login_as(owner, business)


def test_a_user_with_two_memberships_switches_business(
    two_business_owner, business, other_business
):
    client = two_business_owner
    home = client.get(reverse("dashboard:home"))
    assert [m.business.name for m in home.context["memberships"]] == [
        "Studio Lumen",
        "Studio Shadow",
    ]
    assert 'name="business_id"' in home.text

    response = client.post(reverse("dashboard:business_switch"), {"business_id": other_business.pk})

    assert response["Location"] == reverse("dashboard:home")
    assert client.session["business_id"] == other_business.pk
    after = client.get(reverse("dashboard:home"))
    assert after.context["current_business"].pk == other_business.pk
    assert after.context["current_membership"].role == "staff"


@pytest.mark.parametrize(
    ("_case", "value"),
    [("a business the user is not in", "stranger"), ("not a number", "abc"), ("missing", "")],
)
def test_switching_to_a_business_the_user_is_not_in_is_refused(
    two_business_owner, business, now, _case, value
):
    stranger = builders.make_business(name="Stranger", now=now)
    business_id = str(stranger.pk) if value == "stranger" else value

    response = two_business_owner.post(
        reverse("dashboard:business_switch"), {"business_id": business_id}
    )

    assert response["Location"] == reverse("dashboard:home")
    assert _messages(response) == ["You are not a member of that business."]
    assert two_business_owner.session["business_id"] == business.pk
    home = two_business_owner.get(reverse("dashboard:home"))
    assert home.context["current_business"].pk == business.pk


def test_switching_needs_a_post(two_business_owner, other_business):
    response = two_business_owner.get(
        reverse("dashboard:business_switch"), {"business_id": other_business.pk}
    )

    assert response.status_code == 405
