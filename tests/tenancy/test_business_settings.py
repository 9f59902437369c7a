"""tenancy.services.update_business_settings and add_member."""

import pytest

from rezerva.core.errors import ValidationFailed
from rezerva.tenancy import services
from rezerva.tenancy.models import ActivityLog, Business, Membership
from tests import builders


def _update(business, **changes):
    fields = {
        "business": business,
        "actor": builders.owner_of(business),
        "name": business.name,
        "timezone": business.timezone,
        "currency": business.currency,
        "locale": business.locale,
        "hold_minutes": business.hold_minutes,
        "cancellation_notice_hours": business.cancellation_notice_hours,
        "requires_phone": business.requires_phone,
    }
    return services.update_business_settings(**{**fields, **changes})


def test_settings_are_saved_and_logged(business):
    _update(
        business,
        name=" Studio Lumen Gdynia ",
        timezone="America/New_York",
        currency="USD",
        locale="pl",
        hold_minutes=30,
        cancellation_notice_hours=12,
        requires_phone=True,
    )

    row = Business.objects.filter(pk=business.pk).values(
        "name", "timezone", "currency", "locale", "hold_minutes", "cancellation_notice_hours",
        "requires_phone", "slug",
    ).get()  # fmt: skip
    assert row == {
        "name": "Studio Lumen Gdynia",
        "timezone": "America/New_York",
        "currency": "USD",
        "locale": "pl",
        "hold_minutes": 30,
        "cancellation_notice_hours": 12,
        "requires_phone": True,
        "slug": "lumen",
    }
    assert ActivityLog.objects.filter(business=business, action="business.updated").count() == 1


@pytest.mark.parametrize(
    ("_case", "changes", "errors"),
    [
        (
            "unknown timezone",
            {"timezone": "Europe/Atlantis"},
            {"timezone": "Choose a timezone such as Europe/Warsaw."},
        ),
        ("unsupported currency", {"currency": "BTC"}, {"currency": "Choose a supported currency."}),
        ("blank name", {"name": ""}, {"name": "Enter the business name."}),
    ],
)
def test_invalid_settings_are_refused_and_nothing_changes(business, _case, changes, errors):
    before = Business.objects.filter(pk=business.pk).values().get()

    with pytest.raises(ValidationFailed) as caught:
        _update(business, **changes)

    assert caught.value.errors == errors
    assert Business.objects.filter(pk=business.pk).values().get() == before
    assert not ActivityLog.objects.filter(action="business.updated").exists()


def test_adding_a_member_twice_keeps_one_membership_with_the_first_role(business):
    staff = builders.make_user("staff@example.test")
    owner = builders.owner_of(business)

    first = services.add_member(business=business, actor=owner, user=staff)
    again = services.add_member(business=business, actor=owner, user=staff, role="owner")

    assert first.pk == again.pk
    assert list(
        Membership.objects.filter(business=business, user=staff).values_list("role", flat=True)
    ) == ["staff"]
