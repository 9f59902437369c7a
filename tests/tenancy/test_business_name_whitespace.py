"""A business name is stored as one clean line (security review F12): it goes into email
subjects, sender names and calendar files, where a newline stopped every email with a .ics."""

import pytest

from rezerva.core.errors import ValidationFailed
from rezerva.tenancy import services
from rezerva.tenancy.models import Business
from tests import builders


def test_business_name_newlines_are_normalised_when_settings_are_saved(business):
    services.update_business_settings(
        business=business,
        actor=builders.owner_of(business),
        name="Rival\r\nBcc: spy@evil.test\t ",
        timezone=business.timezone,
        currency=business.currency,
        locale=business.locale,
        hold_minutes=business.hold_minutes,
        cancellation_notice_hours=business.cancellation_notice_hours,
        requires_phone=business.requires_phone,
    )

    assert Business.objects.get(pk=business.pk).name == "Rival Bcc: spy@evil.test"


def test_business_name_whitespace_and_overrides_are_normalised_when_a_business_is_created(db, now):
    owner = builders.make_user()

    business = services.create_business(
        owner=owner,
        name="  Studio\n\u202eLumen  ",
        slug="studio-new",
        timezone="Europe/Warsaw",
        currency="PLN",
        now=now,
    )

    assert Business.objects.get(pk=business.pk).name == "Studio Lumen"


def test_business_name_of_only_whitespace_and_controls_is_refused(db, now):
    owner = builders.make_user()

    with pytest.raises(ValidationFailed) as refused:
        services.create_business(
            owner=owner, name="\r\n\x1b ", slug="blank", timezone="UTC", currency="PLN", now=now
        )

    assert refused.value.errors == {"name": "Enter the business name."}
    assert not Business.objects.filter(slug="blank").exists()
