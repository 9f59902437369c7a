"""tenancy.services.create_business: a business, its owner membership and a 14-day trial."""

import datetime as dt

import pytest

from rezerva.core.errors import ValidationFailed
from rezerva.tenancy import services
from rezerva.tenancy.errors import SlugTaken
from rezerva.tenancy.models import ActivityLog, Business, Membership
from rezerva.tenancy.plans import PlanCode
from rezerva.tenancy.selectors import has_feature, plan_of
from tests import builders


@pytest.fixture
def user(db):
    return builders.make_user("anna@example.test")


def _create(user, now, **overrides):
    fields = {
        "owner": user,
        "name": "  Studio Anna  ",
        "slug": "studio-anna",
        "timezone": "Europe/Warsaw",
        "currency": "PLN",
        "now": now,
    }
    return services.create_business(**{**fields, **overrides})


def test_a_valid_business_gets_an_owner_membership_and_a_14_day_trial(user, now):
    business = _create(user, now)

    business.refresh_from_db()
    assert business.name == "Studio Anna"
    assert business.slug == "studio-anna"
    assert business.plan == PlanCode.TRIAL
    assert business.trial_ends_at == now + dt.timedelta(days=14)
    assert business.contact_email == "anna@example.test"
    assert list(Membership.objects.filter(business=business).values_list("user", "role")) == [
        (user.pk, "owner")
    ]
    assert list(ActivityLog.objects.filter(business=business).values_list("action", "target")) == [
        ("business.created", "studio-anna")
    ]


def test_the_trial_includes_group_services_until_it_ends_then_falls_back_to_free(user, now):
    business = _create(user, now)

    assert plan_of(business, now=now + dt.timedelta(days=13, hours=23)).name == "Trial"
    assert has_feature(business, "group_services", now=now + dt.timedelta(days=13)) is True
    assert plan_of(business, now=now + dt.timedelta(days=14)).name == "Free"
    assert has_feature(business, "group_services", now=now + dt.timedelta(days=14)) is False


def test_a_paid_plan_has_no_trial_end(user, now):
    business = _create(user, now, plan=PlanCode.GROWTH)

    assert business.trial_ends_at is None
    assert plan_of(business, now=now).name == "Growth"


def test_a_taken_slug_is_refused_on_the_slug_field_and_nothing_is_written(user, now):
    _create(user, now)
    other_owner = builders.make_user("bob@example.test")
    counts = (Business.objects.count(), Membership.objects.count(), ActivityLog.objects.count())

    with pytest.raises(SlugTaken) as caught:
        _create(other_owner, now, name="Another studio")

    assert caught.value.field == "slug"
    assert caught.value.message == "This address is already used by another business."
    assert (
        Business.objects.count(),
        Membership.objects.count(),
        ActivityLog.objects.count(),
    ) == counts
    assert not Membership.objects.filter(user=other_owner).exists()


@pytest.mark.parametrize(
    ("_case", "overrides", "errors"),
    [
        (
            "unknown timezone",
            {"timezone": "Mars/Olympus_Mons"},
            {"timezone": "Choose a timezone such as Europe/Warsaw."},
        ),
        (
            "offset is not a zone name",
            {"timezone": "+02:00"},
            {"timezone": "Choose a timezone such as Europe/Warsaw."},
        ),
        ("unsupported currency", {"currency": "XYZ"}, {"currency": "Choose a supported currency."}),
        ("blank name", {"name": "   "}, {"name": "Enter the business name."}),
        (
            "reserved slug",
            {"slug": "dashboard"},
            {"slug": "This address is reserved; choose another."},
        ),
    ],
)
def test_invalid_business_fields_are_refused_at_the_service_layer(
    user, now, _case, overrides, errors
):
    with pytest.raises(ValidationFailed) as caught:
        _create(user, now, **overrides)

    assert caught.value.errors == errors
    assert Business.objects.count() == 0
    assert Membership.objects.count() == 0
    assert ActivityLog.objects.count() == 0
